// Accounts: registration, profile changes, lookups, search and an account's posts.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/status.h"
#include "social/core.h"
#include "social/post_service.h"
#include "storage/page.h"

namespace stoa::social {

// One field's validation error, as Mastodon's registration `details` carry them.
struct FieldError {
  std::string field;        // "username", "email", "password", "agreement", "locale", "reason"
  std::string code;         // ERR_BLANK, ERR_INVALID, ERR_TAKEN, ERR_RESERVED, ERR_TOO_LONG ...
  std::string description;  // "can't be blank"
};

struct Registration {
  std::string username;
  std::string email;
  std::string password;
  bool agreement = false;
  std::string locale = "en";
  std::string reason;
  std::string ip;
  Role role = Role::kMember;
  bool skip_approval = false;  // the CLI and the demo seeder create approved accounts
};

struct ProfileChanges {
  std::optional<std::string> display_name;
  std::optional<std::string> note;
  std::optional<bool> locked;
  std::optional<bool> bot;
  std::optional<bool> discoverable;
  std::optional<bool> hide_collections;
  std::optional<bool> indexable;
  std::optional<std::vector<std::pair<std::string, std::string>>> fields;
  std::optional<Visibility> default_visibility;
  std::optional<bool> default_sensitive;
  std::optional<std::string> default_language;
};

struct AccountStatusesQuery {
  bool exclude_replies = false;
  bool exclude_reblogs = false;
  bool only_media = false;
  bool pinned = false;
  std::string tagged;
};

class AccountService {
 public:
  AccountService(Core& core, Registrations mode) : core_(core), mode_(mode) {}

  // Creates an account and its login. On validation failures returns kInvalidArgument with the
  // summary ("Validation failed: Username has already been taken") and fills `errors`.
  // kPermissionDenied when registrations are closed (unless `force`).
  Result<AccountPtr> Register(const Registration& r, std::vector<FieldError>* errors,
                              bool force = false);
  Result<AccountPtr> UpdateProfile(const Viewer& viewer, const ProfileChanges& changes);
  // Changes a user's role (CLI and owners).
  Status SetRole(Id account_id, Role role);

  // kNotFound when unknown. Suspended accounts are returned (flagged).
  Result<AccountPtr> Get(Id id);
  // "alice" or "alice@this.host"; kNotFound otherwise.
  Result<AccountPtr> Lookup(std::string_view acct);
  std::vector<AccountPtr> GetMany(std::span<const Id> ids);
  std::vector<AccountPtr> Search(const Viewer& viewer, std::string_view query, int limit,
                                 int offset, bool following_only);
  // The posts of `account_id` the viewer may see, newest first.
  Result<std::vector<PostPtr>> Statuses(const Viewer& viewer, Id account_id,
                                        const AccountStatusesQuery& query,
                                        const storage::PageQuery& page);
  Result<User> GetUser(Id account_id);

 private:
  Core& core_;
  const Registrations mode_;
};

}  // namespace stoa::social
