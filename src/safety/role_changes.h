// Role changes (owners only: DESIGN section 2, issue 3): the operator's CLI (`stoa admin
// set-role`) and the owners' API (POST /api/v1/admin/accounts/:id/role) change a user's role
// with an audit entry "role.change" in the same transaction.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "domain/role.h"
#include "safety/audit_log.h"
#include "social/core.h"

namespace stoa::safety {

struct RoleChange {
  Id account_id = kNoId;
  std::string username;
  Role from = Role::kMember;
  Role to = Role::kMember;
};

class RoleChanges {
 public:
  RoleChanges(social::Core& core, AuditLog& audit) : core_(core), audit_(audit) {}

  // Gives `account_id` the role `to`. `actor_id` is the owner acting through the API (kNoId for
  // the operator's CLI, who may do anything); `via` ("api", "cli") goes into the audit entry.
  // Errors (nothing written): kNotFound for an account without a login; kPermissionDenied when an
  // owner changes their own role or another owner's (Mastodon: only roles below one's own);
  // kInvalidArgument when the account has that role already. Callers refresh what caches the
  // role afterwards (Core::UserChanged is done here).
  Result<RoleChange> Change(Id actor_id, Id account_id, Role to, std::string_view via);

 private:
  social::Core& core_;
  AuditLog& audit_;
};

}  // namespace stoa::safety
