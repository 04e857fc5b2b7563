// SQLite: accounts and users.
#include <boost/json.hpp>

#include "common/strings.h"
#include "storage/sqlite/repos.h"
#include "storage/sqlite/rows.h"

namespace stoa::storage::sqlite {
namespace {

// Profile columns live in `accounts`, counters in the narrow `account_stats` (migration 0003).
#define ACCOUNT_COLUMNS                                                                          \
  "a.id, a.username, a.display_name, a.note, a.note_html, a.fields_json, a.locked, a.bot, "      \
  "a.discoverable, a.indexable, a.hide_collections, a.created_at, a.updated_at, "                \
  "st.last_status_at, coalesce(st.statuses_count, 0), coalesce(st.followers_count, 0), "         \
  "coalesce(st.following_count, 0), a.suspended_at, a.silenced_at, a.sensitized_at, "           \
  "a.suspended_until"
#define ACCOUNT_FROM " FROM accounts a LEFT JOIN account_stats st ON st.account_id = a.id "

constexpr char kSelectAccount[] = "SELECT " ACCOUNT_COLUMNS ACCOUNT_FROM "WHERE a.id = ?1";
constexpr char kSelectAccounts[] = "SELECT " ACCOUNT_COLUMNS ACCOUNT_FROM
                                   "WHERE a.id IN (SELECT value FROM json_each(?1))";
constexpr char kSelectAccountByUsername[] =
    "SELECT " ACCOUNT_COLUMNS ACCOUNT_FROM "WHERE a.username = ?1 COLLATE NOCASE";
constexpr char kSelectOldestWithRole[] =
    "SELECT " ACCOUNT_COLUMNS ACCOUNT_FROM "WHERE a.suspended_at IS NULL AND a.id IN "
    "(SELECT account_id FROM users WHERE role = ?1) ORDER BY a.id LIMIT 1";
constexpr char kSearchAccounts[] =
    "SELECT " ACCOUNT_COLUMNS ACCOUNT_FROM
    "WHERE (a.suspended_at IS NULL OR a.suspended_until IS NOT NULL) AND a.id IN ("
    "  SELECT rowid FROM accounts_fts WHERE accounts_fts MATCH ?1)"
    " ORDER BY (a.username = ?2 COLLATE NOCASE) DESC, coalesce(st.followers_count, 0) DESC, a.id"
    " LIMIT ?3 OFFSET ?4";
constexpr char kInsertAccount[] =
    "INSERT INTO accounts (id, username, display_name, note, note_html, fields_json, locked, bot, "
    "discoverable, indexable, hide_collections, created_at, updated_at, suspended_at, "
    "silenced_at, sensitized_at, suspended_until) VALUES "
    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?18, ?19, ?20, ?21)";
constexpr char kInsertStats[] =
    "INSERT INTO account_stats (account_id, last_status_at, statuses_count, followers_count, "
    "following_count) VALUES (?1, ?14, ?15, ?16, ?17)";
constexpr char kInsertAccountFts[] =
    "INSERT INTO accounts_fts (rowid, username, display_name) VALUES (?1, ?2, ?3)";
constexpr char kDeleteAccountFts[] =
    "INSERT INTO accounts_fts (accounts_fts, rowid, username, display_name) "
    "SELECT 'delete', id, username, display_name FROM accounts WHERE id = ?1";
constexpr char kUpdateProfile[] =
    "UPDATE accounts SET display_name = ?2, note = ?3, note_html = ?4, fields_json = ?5, "
    "locked = ?6, bot = ?7, discoverable = ?8, indexable = ?9, hide_collections = ?10, "
    "updated_at = ?11, suspended_at = ?12, silenced_at = ?13, sensitized_at = ?14, "
    "suspended_until = ?15 WHERE id = ?1";
constexpr char kAdjustCounts[] =
    "INSERT INTO account_stats (account_id, statuses_count, followers_count, following_count) "
    "VALUES (?1, max(0, ?2), max(0, ?3), max(0, ?4)) ON CONFLICT (account_id) DO UPDATE SET "
    "statuses_count = max(0, statuses_count + ?2), followers_count = max(0, followers_count + ?3), "
    "following_count = max(0, following_count + ?4)";
constexpr char kRecordStatus[] =
    "INSERT INTO account_stats (account_id, statuses_count, last_status_at) "
    "VALUES (?1, max(0, ?2), ?3) ON CONFLICT (account_id) DO UPDATE SET "
    "statuses_count = max(0, statuses_count + ?2), last_status_at = ?3";
// The counts read whole tables (/* full scan: */ lets the query-plan test pass them); the
// instance figures that use them are cached by their caller (instance_routes.cc).
constexpr char kCountAccounts[] =
    "SELECT count(*) FROM accounts WHERE suspended_at IS NULL /* full scan: cached figure */";
constexpr char kCountActive[] =
    "SELECT count(*) FROM users WHERE last_active_at >= ?1 OR created_at >= ?1 "
    "/* full scan: cached figure */";

#define USER_COLUMNS                                                                          \
  "account_id, email, password_hash, role, approved, confirmed, disabled, locale, sign_up_ip, " \
  "sign_up_reason, default_visibility, default_sensitive, default_language, created_at"

constexpr char kSelectUser[] = "SELECT " USER_COLUMNS " FROM users WHERE account_id = ?1";
constexpr char kSelectUserByEmail[] =
    "SELECT " USER_COLUMNS " FROM users WHERE email = ?1 COLLATE NOCASE";
constexpr char kInsertUser[] =
    "INSERT INTO users (" USER_COLUMNS ") VALUES "
    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
constexpr char kUpdateUser[] =
    "UPDATE users SET email = ?2, password_hash = ?3, role = ?4, approved = ?5, confirmed = ?6, "
    "disabled = ?7, locale = ?8, default_visibility = ?9, default_sensitive = ?10, "
    "default_language = ?11 WHERE account_id = ?1";
constexpr char kUsernameTaken[] =
    "SELECT 1 FROM accounts WHERE username = ?1 COLLATE NOCASE";
constexpr char kEmailTaken[] = "SELECT 1 FROM users WHERE email = ?1 COLLATE NOCASE";

// The admin lists: every filter is a parameter that is neutral when unset (0 / NULL / '').
#define ADMIN_USER_COLUMNS                                                                     \
  "u.account_id, u.email, u.password_hash, u.role, u.approved, u.confirmed, u.disabled, "      \
  "u.locale, u.sign_up_ip, u.sign_up_reason, u.default_visibility, u.default_sensitive, "      \
  "u.default_language, u.created_at"
#define ADMIN_LIST(ORDER)                                                                       \
  "SELECT " ACCOUNT_COLUMNS ", " ADMIN_USER_COLUMNS ACCOUNT_FROM                                \
  "JOIN users u ON u.account_id = a.id WHERE a.id < ?1 AND a.id > ?2"                          \
  " AND (?3 = 0 OR a.suspended_at IS NULL OR a.suspended_until <= ?14)"                        \
  " AND (?4 = 0 OR u.approved = 0)"                                                            \
  " AND (?5 = 0 OR u.disabled = 1)"                                                            \
  " AND (?6 = 0 OR a.silenced_at IS NOT NULL)"                                                 \
  " AND (?7 = 0 OR (a.suspended_at IS NOT NULL AND"                                            \
  "      (a.suspended_until IS NULL OR a.suspended_until > ?14)))"                             \
  " AND (?8 = 0 OR a.sensitized_at IS NOT NULL)"                                               \
  " AND (?9 IS NULL OR u.role IN (SELECT value FROM json_each(?9)))"                           \
  " AND (?10 = '' OR a.username LIKE ?10 || '%' ESCAPE '\\')"                                  \
  " AND (?11 = '' OR a.display_name LIKE '%' || ?11 || '%' ESCAPE '\\')"                       \
  " AND (?12 = '' OR u.email LIKE '%' || ?12 || '%' ESCAPE '\\')"                              \
  " AND (?13 = '' OR u.sign_up_ip = ?13)"                                                      \
  " ORDER BY a.id " ORDER " LIMIT ?15"                                                         \
  " /* full scan: staff-only admin filters over all accounts, walked by primary key */"
constexpr char kAdminListDesc[] = ADMIN_LIST("DESC");
constexpr char kAdminListAsc[] = ADMIN_LIST("ASC");
// A rejected sign-up leaves nothing behind.
constexpr char kDeletePendingTokens[] = "DELETE FROM oauth_tokens WHERE account_id = ?1";
constexpr char kDeletePendingCodes[] =
    "DELETE FROM oauth_codes WHERE account_id = ?1 /* full scan: codes live 10 minutes */";
constexpr char kDeletePendingNotifications[] =
    "DELETE FROM notifications WHERE account_id = ?1";
constexpr char kDeletePendingNotificationsFrom[] =
    "DELETE FROM notifications WHERE from_account_id = ?1 "
    "/* full scan: rare (rejecting a sign-up), no index on the actor */";
constexpr char kDeletePendingStats[] = "DELETE FROM account_stats WHERE account_id = ?1";
constexpr char kDeletePendingUser[] = "DELETE FROM users WHERE account_id = ?1";
constexpr char kDeletePendingAccount[] = "DELETE FROM accounts WHERE id = ?1";

std::string FieldsToJson(const std::vector<ProfileField>& fields) {
  boost::json::array arr;
  for (const auto& f : fields) {
    boost::json::object o;
    o["name"] = f.name;
    o["value"] = f.value;
    o["value_html"] = f.value_html;
    if (f.verified_at) o["verified_at"] = ToUnixMillis(*f.verified_at);
    arr.push_back(std::move(o));
  }
  return boost::json::serialize(arr);
}

std::vector<ProfileField> FieldsFromJson(std::string_view text) {
  std::vector<ProfileField> fields;
  if (text.empty() || text == "[]") return fields;
  boost::system::error_code ec;
  auto value = boost::json::parse(text, ec);
  if (ec || !value.is_array()) return fields;
  for (const auto& v : value.as_array()) {
    if (!v.is_object()) continue;
    const auto& o = v.as_object();
    ProfileField f;
    auto str = [&](const char* key) -> std::string {
      auto it = o.find(key);
      return it != o.end() && it->value().is_string() ? std::string(it->value().as_string())
                                                      : std::string();
    };
    f.name = str("name");
    f.value = str("value");
    f.value_html = str("value_html");
    if (auto it = o.find("verified_at"); it != o.end() && it->value().is_int64()) {
      f.verified_at = FromUnixMillis(it->value().as_int64());
    }
    fields.push_back(std::move(f));
  }
  return fields;
}

Account ReadAccount(const Statement& s) {
  Account a;
  a.id = s.Int(0);
  a.username = s.String(1);
  a.display_name = s.String(2);
  a.note = s.String(3);
  a.note_html = s.String(4);
  a.fields = FieldsFromJson(s.Text(5));
  a.locked = s.Int(6) != 0;
  a.bot = s.Int(7) != 0;
  a.discoverable = s.Int(8) != 0;
  a.indexable = s.Int(9) != 0;
  a.hide_collections = s.Int(10) != 0;
  a.created_at = FromUnixMillis(s.Int(11));
  a.updated_at = FromUnixMillis(s.Int(12));
  a.last_status_at = OptionalTime(s, 13);
  a.statuses_count = s.Int(14);
  a.followers_count = s.Int(15);
  a.following_count = s.Int(16);
  a.suspended_at = OptionalTime(s, 17);
  a.silenced_at = OptionalTime(s, 18);
  a.sensitized_at = OptionalTime(s, 19);
  a.suspended_until = OptionalTime(s, 20);
  return a;
}

// `o`: the column where the user's columns start.
User ReadUserAt(const Statement& s, int o) {
  User u;
  u.account_id = s.Int(o + 0);
  u.email = s.String(o + 1);
  u.password_hash = s.String(o + 2);
  u.role = ParseRole(s.Text(o + 3)).value_or(Role::kMember);
  u.approved = s.Int(o + 4) != 0;
  u.confirmed = s.Int(o + 5) != 0;
  u.disabled = s.Int(o + 6) != 0;
  u.locale = s.String(o + 7);
  u.sign_up_ip = s.String(o + 8);
  u.sign_up_reason = s.String(o + 9);
  u.default_visibility = static_cast<Visibility>(s.Int(o + 10));
  u.default_sensitive = s.Int(o + 11) != 0;
  u.default_language = s.OptionalString(o + 12);
  u.created_at = FromUnixMillis(s.Int(o + 13));
  return u;
}

User ReadUser(const Statement& s) { return ReadUserAt(s, 0); }

// kInsertAccount and kUpdateProfile write these columns in the same order, from different
// parameter numbers: display_name to hide_collections at `first` to `first + 8`...
void BindProfile(Statement& s, int first, const Account& a) {
  s.Bind(first, a.display_name)
      .Bind(first + 1, a.note)
      .Bind(first + 2, a.note_html)
      .Bind(first + 3, FieldsToJson(a.fields))
      .Bind(first + 4, a.locked)
      .Bind(first + 5, a.bot)
      .Bind(first + 6, a.discoverable)
      .Bind(first + 7, a.indexable)
      .Bind(first + 8, a.hide_collections);
}

// ... and the restrictions, suspended_at to suspended_until, at `first` to `first + 3`.
void BindRestrictions(Statement& s, int first, const Account& a) {
  s.Bind(first, OptionalMillis(a.suspended_at))
      .Bind(first + 1, OptionalMillis(a.silenced_at))
      .Bind(first + 2, OptionalMillis(a.sensitized_at))
      .Bind(first + 3, OptionalMillis(a.suspended_until));
}

// kInsertUser and kUpdateUser bind these alike: email to locale at ?2 to ?8...
void BindUserAccess(Statement& s, const User& u) {
  s.Bind(2, u.email)
      .Bind(3, u.password_hash)
      .Bind(4, RoleName(u.role))
      .Bind(5, u.approved)
      .Bind(6, u.confirmed)
      .Bind(7, u.disabled)
      .Bind(8, u.locale);
}

// ... and the posting defaults, default_visibility to default_language, at `first` to
// `first + 2`.
void BindPostingDefaults(Statement& s, int first, const User& u) {
  s.Bind(first, static_cast<int64_t>(u.default_visibility))
      .Bind(first + 1, u.default_sensitive)
      .Bind(first + 2, u.default_language);
}

// LIKE patterns match the text literally.
std::string EscapeLike(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

constexpr int kAdminUserColumn = 21;  // after the 21 account columns

// An FTS5 query matching every word of `query` as a prefix: "ali smi" -> "ali"* "smi"*.
std::string PrefixMatchQuery(std::string_view query) {
  std::string out;
  for (auto word : SplitWhitespace(query)) {
    std::string clean;
    for (char c : word) {
      if (c != '"' && c != '@') clean.push_back(c);
    }
    if (clean.empty()) continue;
    if (!out.empty()) out.push_back(' ');
    out += '"' + clean + "\"*";
  }
  return out;
}

}  // namespace

std::string IdListJson(std::span<const Id> ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += std::to_string(ids[i]);
  }
  out.push_back(']');
  return out;
}

Result<Account> SqliteAccounts::Get(Id id) const {
  return ReadOneByKey(*c_, kSelectAccount, id, ReadAccount);
}

std::vector<Account> SqliteAccounts::GetMany(std::span<const Id> ids) const {
  std::vector<Account> out;
  if (ids.empty()) return out;
  if (ids.size() == 1) {  // the common reload of one changed account: a primary-key lookup
    if (auto one = Get(ids[0]); one.ok()) out.push_back(std::move(one).value());
    return out;
  }
  StatementScope s(c_->Prepare(kSelectAccounts));
  s->Bind(1, IdListJson(ids));
  return ReadAll(*s, ReadAccount);
}

Result<Account> SqliteAccounts::FindByUsername(std::string_view username) const {
  return ReadOneByKey(*c_, kSelectAccountByUsername, username, ReadAccount);
}

Result<Account> SqliteAccounts::FindOldestWithRole(Role role) const {
  return ReadOneByKey(*c_, kSelectOldestWithRole, RoleName(role), ReadAccount);
}

Result<User> SqliteAccounts::GetUser(Id account_id) const {
  return ReadOneByKey(*c_, kSelectUser, account_id, ReadUser);
}

Result<User> SqliteAccounts::FindUserByEmail(std::string_view email) const {
  return ReadOneByKey(*c_, kSelectUserByEmail, email, ReadUser);
}

std::vector<Account> SqliteAccounts::Search(std::string_view query, int limit, int offset) const {
  std::vector<Account> out;
  const std::string match = PrefixMatchQuery(query);
  if (match.empty()) return out;
  std::string_view exact = Trim(query);
  if (!exact.empty() && exact.front() == '@') exact.remove_prefix(1);
  StatementScope s(c_->Prepare(kSearchAccounts));
  s->Bind(1, match).Bind(2, exact).Bind(3, limit).Bind(4, offset);
  return ReadAll(*s, ReadAccount);
}

int64_t SqliteAccounts::Count() const {
  auto v = QueryInt(*c_, kCountAccounts);
  return v.ok() && *v ? **v : 0;
}

int64_t SqliteAccounts::CountActiveSince(Timestamp since) const {
  StatementScope s(c_->Prepare(kCountActive));
  s->Bind(1, ToUnixMillis(since));
  return CountOf(*s);
}

Status SqliteAccounts::Create(const Account& a, const User& u) {
  {
    StatementScope s(c_->Prepare(kUsernameTaken));
    s->Bind(1, a.username);
    ASSIGN_OR_RETURN(bool taken, s->Step());
    if (taken) return AlreadyExists("username");
  }
  {
    StatementScope s(c_->Prepare(kEmailTaken));
    s->Bind(1, u.email);
    ASSIGN_OR_RETURN(bool taken, s->Step());
    if (taken) return AlreadyExists("email");
  }
  for (const char* sql : {kInsertAccount, kInsertStats}) {
    StatementScope s(c_->Prepare(sql));
    s->Bind(1, a.id);
    if (sql == kInsertAccount) {
      s->Bind(2, a.username);
      BindProfile(*s, 3, a);
      s->Bind(12, ToUnixMillis(a.created_at)).Bind(13, ToUnixMillis(a.updated_at));
      BindRestrictions(*s, 18, a);
    } else {
      s->Bind(14, OptionalMillis(a.last_status_at))
          .Bind(15, a.statuses_count)
          .Bind(16, a.followers_count)
          .Bind(17, a.following_count);
    }
    RETURN_IF_ERROR(s->Run());
  }
  StatementScope fts(c_->Prepare(kInsertAccountFts));
  fts->Bind(1, a.id).Bind(2, a.username).Bind(3, a.display_name);
  RETURN_IF_ERROR(fts->Run());
  StatementScope su(c_->Prepare(kInsertUser));
  su->Bind(1, a.id);
  BindUserAccess(*su, u);
  su->Bind(9, u.sign_up_ip).Bind(10, u.sign_up_reason);
  BindPostingDefaults(*su, 11, u);
  su->Bind(14, ToUnixMillis(u.created_at));
  return su->Run();
}

Status SqliteAccounts::UpdateProfile(const Account& a) {
  RETURN_IF_ERROR(RunWithId(*c_, kDeleteAccountFts, a.id));
  StatementScope s(c_->Prepare(kUpdateProfile));
  s->Bind(1, a.id);
  BindProfile(*s, 2, a);
  s->Bind(11, ToUnixMillis(a.updated_at));
  BindRestrictions(*s, 12, a);
  RETURN_IF_ERROR(RunChangingRow(*c_, *s));
  StatementScope fts(c_->Prepare(kInsertAccountFts));
  fts->Bind(1, a.id).Bind(2, a.username).Bind(3, a.display_name);
  return fts->Run();
}

Status SqliteAccounts::UpdateUser(const User& u) {
  StatementScope s(c_->Prepare(kUpdateUser));
  s->Bind(1, u.account_id);
  BindUserAccess(*s, u);
  BindPostingDefaults(*s, 9, u);
  return RunChangingRow(*c_, *s);
}

Status SqliteAccounts::AdjustCounts(Id id, int64_t statuses, int64_t followers, int64_t following) {
  StatementScope s(c_->Prepare(kAdjustCounts));
  s->Bind(1, id).Bind(2, statuses).Bind(3, followers).Bind(4, following);
  return s->Run();
}

Result<Account> SqliteAccounts::RecordStatus(Id id, int64_t statuses, Timestamp at) {
  {
    StatementScope s(c_->Prepare(kRecordStatus));
    s->Bind(1, id).Bind(2, statuses).Bind(3, ToUnixMillis(at));
    RETURN_IF_ERROR(s->Run());
  }
  // Read back on the pages the statement just wrote (the counters are a join away).
  return Get(id);
}

}  // namespace stoa::storage::sqlite

namespace stoa::storage::sqlite {

std::vector<AdminAccountRow> SqliteAccounts::ListForAdmin(const AdminAccountFilter& f,
                                                          const PageQuery& page,
                                                          Timestamp now) const {
  std::vector<AdminAccountRow> out;
  if (f.match_nothing || page.limit <= 0) return out;
  StatementScope s(c_->Prepare(page.ascending() ? kAdminListAsc : kAdminListDesc));
  s->Bind(1, page.upper()).Bind(2, page.lower());
  s->Bind(3, f.active).Bind(4, f.pending).Bind(5, f.disabled).Bind(6, f.silenced);
  s->Bind(7, f.suspended).Bind(8, f.sensitized);
  if (f.roles.empty()) {
    s->Bind(9, std::optional<std::string>());
  } else {
    boost::json::array roles;
    for (Role r : f.roles) roles.emplace_back(RoleName(r));
    s->Bind(9, boost::json::serialize(roles));
  }
  s->Bind(10, EscapeLike(f.username))
      .Bind(11, EscapeLike(f.display_name))
      .Bind(12, EscapeLike(f.email))
      .Bind(13, f.ip)
      .Bind(14, ToUnixMillis(now))
      .Bind(15, static_cast<int64_t>(page.limit));
  out = ReadAll(*s, [](const Statement& row) {
    return AdminAccountRow{ReadAccount(row), ReadUserAt(row, kAdminUserColumn)};
  });
  if (page.ascending()) std::reverse(out.begin(), out.end());
  return out;
}

Status SqliteAccounts::DeletePending(Id id) {
  ASSIGN_OR_RETURN(User user, GetUser(id));
  if (user.approved) return Conflict("The account is approved");
  RETURN_IF_ERROR(RunWithId(*c_, kDeleteAccountFts, id));
  for (const char* sql : {kDeletePendingTokens, kDeletePendingCodes, kDeletePendingNotifications,
                          kDeletePendingNotificationsFrom, kDeletePendingStats, kDeletePendingUser,
                          kDeletePendingAccount}) {
    RETURN_IF_ERROR(RunWithId(*c_, sql, id));
  }
  return Status::Ok();
}

}  // namespace stoa::storage::sqlite
