#include "social/account_service.h"

#include <algorithm>

#include "common/strings.h"
#include "social/visibility_policy.h"

namespace stoa::social {
namespace {

constexpr size_t kMaxDisplayName = 30;
constexpr size_t kMaxFieldName = 255;
constexpr size_t kMaxFieldValue = 255;
constexpr size_t kMinPassword = 8;
constexpr size_t kMaxPassword = 72;
constexpr size_t kMaxEmail = 320;

// Usernames that would be confusing or unsafe to hand out.
bool IsReserved(std::string_view username) {
  static const char* kReserved[] = {"admin", "administrator", "root", "support", "help",
                                    "moderator", "staff", "security", "abuse", "postmaster",
                                    "webmaster", "hostmaster", "stoa", "system", "notices",
                                    "transparency", "api", "oauth", "well-known"};
  const std::string lower = AsciiLower(username);
  for (const char* r : kReserved) {
    if (lower == r) return true;
  }
  return false;
}

bool LooksLikeEmail(std::string_view email) {
  const auto at = email.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= email.size()) return false;
  if (email.find('@', at + 1) != std::string_view::npos) return false;
  const auto domain = email.substr(at + 1);
  if (domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.') {
    return false;
  }
  return std::none_of(email.begin(), email.end(),
                      [](char c) { return c == ' ' || c == '<' || c == '>' || c < 0x20; });
}

std::string Capitalised(std::string_view field) {
  std::string out(field);
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 32);
  return out;
}

}  // namespace

Result<AccountPtr> AccountService::Register(const Registration& r,
                                            std::vector<FieldError>* errors, bool force) {
  if (mode_ == Registrations::kClosed && !force) {
    return PermissionDenied("Registrations are closed on this server");
  }
  std::vector<FieldError> found;
  auto add = [&](const char* field, const char* code, const char* description) {
    found.push_back(FieldError{field, code, description});
  };
  if (r.username.empty()) {
    add("username", "ERR_BLANK", "can't be blank");
  } else if (r.username.size() > 30) {
    add("username", "ERR_TOO_LONG", "is too long (maximum is 30 characters)");
  } else if (!IsValidUsername(r.username)) {
    add("username", "ERR_INVALID", "must contain only letters, numbers and underscores");
  } else if (IsReserved(r.username)) {
    add("username", "ERR_RESERVED", "is reserved");
  }
  if (r.email.empty()) {
    add("email", "ERR_BLANK", "can't be blank");
  } else if (r.email.size() > kMaxEmail || !LooksLikeEmail(r.email)) {
    add("email", "ERR_INVALID", "is invalid");
  }
  if (r.password.empty()) {
    add("password", "ERR_BLANK", "can't be blank");
  } else if (r.password.size() < kMinPassword) {
    add("password", "ERR_TOO_SHORT", "is too short (minimum is 8 characters)");
  } else if (r.password.size() > kMaxPassword) {
    add("password", "ERR_TOO_LONG", "is too long (maximum is 72 characters)");
  }
  if (!r.agreement) add("agreement", "ERR_ACCEPTED", "must be accepted");
  if (r.locale.size() > 16 || r.locale.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_") != std::string::npos) {
    add("locale", "ERR_INCLUSION", "is not included in the list");
  }
  if (r.reason.size() > 1000) add("reason", "ERR_TOO_LONG", "is too long (maximum is 1000 characters)");

  auto fail = [&]() -> Status {
    std::string summary = "Validation failed: ";
    for (size_t i = 0; i < found.size(); ++i) {
      if (i > 0) summary += ", ";
      summary += Capitalised(found[i].field) + " " + found[i].description;
    }
    if (errors != nullptr) *errors = found;
    return InvalidArgument(summary);
  };
  if (!found.empty()) return fail();

  Account account;
  account.id = core_.ids().Next();
  account.username = r.username;
  account.created_at = core_.Now();
  account.updated_at = account.created_at;
  User user;
  user.account_id = account.id;
  user.email = r.email;
  ASSIGN_OR_RETURN(user.password_hash, core_.password_hasher().Hash(r.password));
  user.role = r.role;
  user.approved = r.skip_approval || mode_ != Registrations::kApproval;
  user.locale = r.locale.empty() ? "en" : r.locale;
  user.sign_up_ip = r.ip;
  user.sign_up_reason = r.reason;
  user.created_at = account.created_at;

  Status st = core_.storage().Write(
      [&](storage::Transaction& tx) { return tx.accounts().Create(account, user); });
  if (st.code() == StatusCode::kAlreadyExists) {
    if (st.message() == "username") {
      add("username", "ERR_TAKEN", "has already been taken");
    } else {
      add("email", "ERR_TAKEN", "has already been taken");
    }
    return fail();
  }
  RETURN_IF_ERROR(st);
  return AccountPtr(std::make_shared<Account>(std::move(account)));
}

Result<AccountPtr> AccountService::UpdateProfile(const Viewer& viewer,
                                                 const ProfileChanges& c) {
  AccountPtr current = core_.LoadAccount(viewer.account_id);
  if (!current) return NotFound();
  ASSIGN_OR_RETURN(User user, GetUser(viewer.account_id));
  Account a = *current;
  const auto& s = core_.settings();
  if (c.display_name) {
    if (Utf8Length(*c.display_name) > kMaxDisplayName) {
      return InvalidArgument("Validation failed: Display name is too long (maximum is 30 characters)");
    }
    a.display_name = *c.display_name;
  }
  if (c.note) {
    if (Utf8Length(*c.note) > static_cast<size_t>(s.max_bio_chars)) {
      return InvalidArgument("Validation failed: Note is too long (maximum is " +
                             std::to_string(s.max_bio_chars) + " characters)");
    }
    a.note = *c.note;
    a.note_html = core_.renderer().Render(a.note, core_.Resolver()).html;
  }
  if (c.locked) a.locked = *c.locked;
  if (c.bot) a.bot = *c.bot;
  if (c.discoverable) a.discoverable = *c.discoverable;
  if (c.hide_collections) a.hide_collections = *c.hide_collections;
  if (c.indexable) a.indexable = *c.indexable;
  if (c.fields) {
    std::vector<ProfileField> fields;
    for (const auto& [name, value] : *c.fields) {
      if (name.empty() && value.empty()) continue;
      if (Utf8Length(name) > kMaxFieldName || Utf8Length(value) > kMaxFieldValue) {
        return InvalidArgument("Validation failed: Fields are too long");
      }
      ProfileField f;
      f.name = name;
      f.value = value;
      f.value_html = core_.renderer().RenderInline(value, core_.Resolver());
      fields.push_back(std::move(f));
    }
    if (fields.size() > static_cast<size_t>(s.max_profile_fields)) {
      return InvalidArgument("Validation failed: Fields has too many entries (maximum is " +
                             std::to_string(s.max_profile_fields) + ")");
    }
    a.fields = std::move(fields);
  }
  bool user_changed = false;
  if (c.default_visibility) {
    user.default_visibility = *c.default_visibility;
    user_changed = true;
  }
  if (c.default_sensitive) {
    user.default_sensitive = *c.default_sensitive;
    user_changed = true;
  }
  if (c.default_language) {
    user.default_language = NormalizeLanguage(*c.default_language);
    user_changed = true;
  }
  a.updated_at = core_.Now();
  Status st = core_.storage().Write([&](storage::Transaction& tx) -> Status {
    // Moderation state is not the member's to write: keep what the database holds now (a
    // moderator may have acted since `current` was loaded).
    ASSIGN_OR_RETURN(Account stored, tx.accounts().Get(a.id));
    a.suspended_at = stored.suspended_at;
    a.suspended_until = stored.suspended_until;
    a.silenced_at = stored.silenced_at;
    a.sensitized_at = stored.sensitized_at;
    RETURN_IF_ERROR(tx.accounts().UpdateProfile(a));
    if (user_changed) {
      ASSIGN_OR_RETURN(User stored_user, tx.accounts().GetUser(a.id));
      user.role = stored_user.role;
      user.disabled = stored_user.disabled;
      user.approved = stored_user.approved;
      RETURN_IF_ERROR(tx.accounts().UpdateUser(user));
    }
    return Status::Ok();
  });
  RETURN_IF_ERROR(st);
  core_.AccountChanged(a.id);
  if (user_changed) core_.UserChanged(a.id);
  return AccountPtr(std::make_shared<Account>(std::move(a)));
}

Status AccountService::SetRole(Id account_id, Role role) {
  ASSIGN_OR_RETURN(User user, GetUser(account_id));
  user.role = role;
  RETURN_IF_ERROR(core_.storage().Write(
      [&](storage::Transaction& tx) { return tx.accounts().UpdateUser(user); }));
  core_.UserChanged(account_id);
  return Status::Ok();
}

Result<AccountPtr> AccountService::Get(Id id) {
  AccountPtr a = core_.LoadAccount(id);
  if (!a) return NotFound();
  return a;
}

Result<AccountPtr> AccountService::Lookup(std::string_view acct) {
  std::string_view name = Trim(acct);
  if (!name.empty() && name.front() == '@') name.remove_prefix(1);
  if (auto at = name.find('@'); at != std::string_view::npos) {
    if (!EqualsIgnoreCase(name.substr(at + 1), core_.host())) return NotFound();
    name = name.substr(0, at);
  }
  if (!IsValidUsername(name)) return NotFound();
  auto read = core_.storage().Read();
  auto account = read->accounts().FindByUsername(name);
  if (!account.ok()) return NotFound();
  return core_.LoadAccount(account->id);
}

std::vector<AccountPtr> AccountService::GetMany(std::span<const Id> ids) {
  auto loaded = core_.LoadAccounts(ids);
  std::vector<AccountPtr> out;
  for (Id id : ids) {
    auto it = loaded.find(id);
    if (it != loaded.end()) out.push_back(it->second);
  }
  return out;
}

std::vector<AccountPtr> AccountService::Search(const Viewer& viewer, std::string_view query,
                                               int limit, int offset, bool following_only) {
  std::string_view q = Trim(query);
  if (!q.empty() && q.front() == '@') q.remove_prefix(1);
  if (auto at = q.find('@'); at != std::string_view::npos) q = q.substr(0, at);
  if (q.empty()) return {};
  std::vector<Account> found;
  {
    auto read = core_.storage().Read();
    // Over-fetch a little so that filtering blocked accounts rarely shortens the page.
    found = read->accounts().Search(q, following_only ? limit * 4 + 20 : limit + 10, offset);
  }
  std::vector<AccountPtr> out;
  const Timestamp now = core_.Now();
  for (auto& a : found) {
    if (static_cast<int>(out.size()) >= limit) break;
    if (a.SuspendedAt(now)) continue;  // a timed suspension still running
    if (a.SuspensionExpired(now)) {
      a.suspended_at.reset();
      a.suspended_until.reset();
    }
    if (viewer.graph && viewer.graph->BlocksEitherWay(a.id)) continue;
    if (following_only && !(viewer.graph && viewer.graph->Follows(a.id))) continue;
    out.push_back(std::make_shared<Account>(std::move(a)));
  }
  return out;
}

Result<std::vector<PostPtr>> AccountService::Statuses(const Viewer& viewer, Id account_id,
                                                      const AccountStatusesQuery& q,
                                                      const storage::PageQuery& page) {
  AccountPtr account = core_.LoadAccount(account_id);
  if (!account) return NotFound();
  std::vector<PostPtr> out;
  // Media and pins do not exist here yet: those filters match nothing.
  if (q.only_media || q.pinned || account->suspended()) return out;
  if (viewer.graph && viewer.graph->blocked_by.count(account_id) != 0) return out;
  storage::AccountPostFilter filter;
  filter.exclude_replies = q.exclude_replies;
  filter.exclude_reblogs = q.exclude_reblogs;
  if (!q.tagged.empty()) {
    // Tags are stored normalised; a name that cannot be a tag matches nothing.
    std::string_view tag = q.tagged;
    if (tag.front() == '#') tag.remove_prefix(1);
    if (!IsValidTagName(tag)) return out;
    filter.tagged = NormalizeTag(tag);
  }
  filter.mentioned_viewer = viewer.account_id;
  if (viewer.account_id == account_id) {
    filter.max_visibility = Visibility::kDirect;
  } else if (viewer.graph && viewer.graph->Follows(account_id)) {
    filter.max_visibility = Visibility::kPrivate;
  } else {
    filter.max_visibility = Visibility::kUnlisted;
  }
  std::vector<Id> ids;
  {
    auto read = core_.storage().Read();
    ids = read->posts().ListByAccount(account_id, filter, page);
  }
  PostService posts(core_);
  return posts.GetVisibleMany(viewer, ids, Surface::kDirect);
}

Result<User> AccountService::GetUser(Id account_id) {
  auto read = core_.storage().Read();
  return read->accounts().GetUser(account_id);
}

}  // namespace stoa::social
