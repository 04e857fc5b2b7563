// Role changes (role_changes.h).
#include "safety/role_changes.h"

#include "common/json_writer.h"

namespace stoa::safety {

Result<RoleChange> RoleChanges::Change(Id actor_id, Id account_id, Role to, std::string_view via) {
  RoleChange change;
  change.account_id = account_id;
  change.to = to;
  RETURN_IF_ERROR(core_.storage().Write([&](storage::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(Account account, tx.accounts().Get(account_id));
    ASSIGN_OR_RETURN(User user, tx.accounts().GetUser(account_id));
    change.username = account.username;
    change.from = user.role;
    if (actor_id != kNoId) {
      if (actor_id == account_id) return PermissionDenied("You cannot change your own role");
      if (user.role == Role::kOwner) {
        return PermissionDenied(
            "Only the operator can change an owner's role (stoa admin set-role)");
      }
    }
    if (user.role == to) {
      return InvalidArgument("Validation failed: " + account.username + " already has the role " +
                             std::string(RoleName(to)));
    }
    user.role = to;
    RETURN_IF_ERROR(tx.accounts().UpdateUser(user));
    JsonWriter details;
    details.BeginObject()
        .Field("username", account.username)
        .Field("from", RoleName(change.from))
        .Field("to", RoleName(to))
        .Field("via", via)
        .EndObject();
    AuditDraft d;
    d.actor_id = actor_id;
    d.action = "role.change";
    d.target_type = "account";
    d.target_id = IdToString(account_id);
    d.reasons = via == "cli" ? "stoa admin set-role" : "";
    d.details_json = details.Take();
    return audit_.Append(tx, d).status();
  }));
  core_.UserChanged(account_id);
  return change;
}

}  // namespace stoa::safety
