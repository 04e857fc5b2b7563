// Accounts (public profiles) and the users (logins) behind them.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "domain/account.h"
#include "storage/page.h"

namespace stoa::storage {

// Filters of the admin account lists (Mastodon's v1 and v2 filters), all ANDed; defaults filter
// nothing. Times are compared with `now` (a suspension whose end has passed is not one).
struct AdminAccountFilter {
  bool active = false;      // not suspended
  bool pending = false;     // registration awaiting approval
  bool disabled = false;    // login disabled
  bool silenced = false;
  bool suspended = false;
  bool sensitized = false;
  std::vector<Role> roles;  // any of these roles; empty: any role
  std::string username;      // prefix, case-insensitive
  std::string display_name;  // substring, case-insensitive
  std::string email;         // substring, case-insensitive
  std::string ip;            // the sign-up address, exactly
  bool match_nothing = false;  // a filter no local account can pass (remote origin, invited_by)
};

struct AdminAccountRow {
  Account account;
  User user;
};

// Reads are const, writes are not: a read session lends `const Accounts&`, a transaction
// `Accounts&`. Implementations are bound to one connection and are not thread-safe.
class Accounts {
 public:
  virtual ~Accounts() = default;

  // kNotFound when absent.
  virtual Result<Account> Get(Id id) const = 0;
  // The accounts that exist among `ids`, in no particular order.
  virtual std::vector<Account> GetMany(std::span<const Id> ids) const = 0;
  // Case-insensitive. kNotFound when absent.
  virtual Result<Account> FindByUsername(std::string_view username) const = 0;
  // The oldest not-suspended account whose user has `role` (the instance's contact account is
  // the first owner). kNotFound when there is none.
  virtual Result<Account> FindOldestWithRole(Role role) const = 0;
  virtual Result<User> GetUser(Id account_id) const = 0;
  // Case-insensitive. kNotFound when absent.
  virtual Result<User> FindUserByEmail(std::string_view email) const = 0;
  // Username prefix or display-name word-prefix matches, best first: exact username match, then
  // by followers. Suspended accounts are excluded, except timed suspensions (suspended_until
  // set), which the caller judges against the clock (Account::SuspendedAt).
  virtual std::vector<Account> Search(std::string_view query, int limit, int offset) const = 0;
  virtual int64_t Count() const = 0;
  // Active users (posted or logged in) since `since`, for instance usage figures.
  virtual int64_t CountActiveSince(Timestamp since) const = 0;
  // Accounts with their logins for the admin API, newest first, paged by account id.
  virtual std::vector<AdminAccountRow> ListForAdmin(const AdminAccountFilter& filter,
                                                    const PageQuery& page,
                                                    Timestamp now) const = 0;

  // kAlreadyExists naming "username" or "email" when taken.
  virtual Status Create(const Account& account, const User& user) = 0;
  // Writes the profile fields (display name, note, fields, flags, updated_at).
  virtual Status UpdateProfile(const Account& account) = 0;
  // Writes the login record (role, approval, disabled, password, defaults).
  virtual Status UpdateUser(const User& user) = 0;
  virtual Status AdjustCounts(Id id, int64_t statuses, int64_t followers, int64_t following) = 0;
  // A status by the account: adds `statuses` (1; 0 for one that is not counted, such as a direct
  // message) to its statuses count and sets its last_status_at to `at`, in one statement; returns
  // the account as this left it. kNotFound when there is no such account.
  virtual Result<Account> RecordStatus(Id id, int64_t statuses, Timestamp at) = 0;
  // Removes an account that never got past registration approval (a rejected sign-up): its login,
  // tokens, codes, notifications, counters and search entry. kNotFound when absent,
  // kConflict when the account is approved.
  virtual Status DeletePending(Id id) = 0;
};

}  // namespace stoa::storage
