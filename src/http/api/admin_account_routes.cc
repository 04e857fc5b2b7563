// The Mastodon admin API for accounts: /api/v1/admin/accounts (v1 and v2 lists, get, action,
// approve, reject, enable, unsilence, unsuspend, unsensitive, delete), stoa's owner-only role
// changes and the warning presets. Actions and their reversal are decisions
// (safety::DecisionService); every change writes an audit entry in the same transaction.
//
// Permissions as Mastodon's default roles: moderators (Manage Users, Manage Reports) list, read
// and act on accounts; approving, rejecting and deleting need an admin (Manage User Access,
// Delete User Data). Staff act only on accounts whose role is below their own, never on
// themselves.
#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "common/json_writer.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "domain/safety.h"
#include "http/api/admin_entities.h"
#include "http/api/api.h"
#include "http/api/serializers.h"
#include "safety/account_moderation.h"
#include "safety/audit_log.h"
#include "safety/decision_service.h"
#include "safety/role_changes.h"
#include "safety/warning_presets.h"

namespace stoa::http::api {
namespace {

using safety::AccountAction;

constexpr size_t kMaxWarningText = 2000;  // the statement's explanation (Transparency Database)
constexpr int kPurgeBatch = 500;

Status NotAllowed() { return PermissionDenied("This action is not allowed"); }

// The filters both list versions share.
void CommonFilters(const Call& c, storage::AdminAccountFilter& f) {
  f.username = c.Str("username");
  f.display_name = c.Str("display_name");
  f.email = c.Str("email");
  f.ip = c.Str("ip");
  // Every stoa account is local: a remote domain matches nothing.
  if (!c.Str("by_domain").empty()) f.match_nothing = true;
}

Response ListRows(Call& c, const storage::AdminAccountFilter& f,
                  std::initializer_list<std::string_view> keep) {
  auto page = c.Page(kAdminPageDefault, kAdminPageMax);
  if (!page.ok()) return ErrorResponse(page.status());
  const Timestamp now = c.s.core.Now();
  std::vector<storage::AdminAccountRow> rows;
  {
    auto read = c.s.core.storage().Read();
    rows = read->accounts().ListForAdmin(f, *page, now);
  }
  JsonWriter w;
  w.BeginArray();
  for (const auto& row : rows) WriteAdminAccount(w, c.s.core, row.account, &row.user, now);
  w.EndArray();
  if (!rows.empty()) {
    SetAdminLink(c, rows.front().account.id, rows.back().account.id, page->limit, rows.size(), keep);
  }
  return Ok(w.Take());
}

// GET /api/v1/admin/accounts
Response ListV1(Call& c) {
  storage::AdminAccountFilter f;
  CommonFilters(c, f);
  auto flag = [&](std::string_view key) { return c.params.Bool(key).value_or(false); };
  if (flag("remote")) f.match_nothing = true;
  f.active = flag("active");
  f.pending = flag("pending");
  f.disabled = flag("disabled");
  f.silenced = flag("silenced");
  f.suspended = flag("suspended");
  f.sensitized = flag("sensitized");
  if (flag("staff")) f.roles = {Role::kModerator, Role::kAdmin, Role::kOwner};
  return ListRows(c, f,
                  {"local", "remote", "by_domain", "active", "pending", "disabled", "silenced",
                   "suspended", "sensitized", "username", "display_name", "email", "ip", "staff"});
}

// GET /api/v2/admin/accounts
Response ListV2(Call& c) {
  storage::AdminAccountFilter f;
  CommonFilters(c, f);
  const std::string origin = c.Str("origin");
  if (origin == "remote") {
    f.match_nothing = true;
  } else if (!origin.empty() && origin != "local") {
    return ErrorResponse(BadRequest("Unknown origin: " + origin));
  }
  const std::string status = c.Str("status");
  if (status == "active") {
    f.active = true;
  } else if (status == "pending") {
    f.pending = true;
  } else if (status == "disabled") {
    f.disabled = true;
  } else if (status == "silenced") {
    f.silenced = true;
  } else if (status == "suspended") {
    f.suspended = true;
  } else if (!status.empty()) {
    return ErrorResponse(BadRequest("Unknown status: " + status));
  }
  const std::string permissions = c.Str("permissions");
  if (permissions == "staff") {
    f.roles = {Role::kModerator, Role::kAdmin, Role::kOwner};
  } else if (!permissions.empty()) {
    return ErrorResponse(BadRequest("Unknown permissions: " + permissions));
  }
  const std::vector<std::string> role_ids = c.params.StringArray("role_ids");
  if (!role_ids.empty()) {
    std::vector<Role> wanted;
    for (Role r : {Role::kMember, Role::kModerator, Role::kAdmin, Role::kOwner}) {
      const std::string id = std::to_string(DescribeRole(r).id);
      if (std::find(role_ids.begin(), role_ids.end(), id) != role_ids.end()) wanted.push_back(r);
    }
    if (wanted.empty()) f.match_nothing = true;  // no such role
    if (f.roles.empty()) {
      f.roles = wanted;
    } else {  // both permissions=staff and role_ids[]: the intersection
      std::vector<Role> both;
      for (Role r : wanted) {
        if (std::find(f.roles.begin(), f.roles.end(), r) != f.roles.end()) both.push_back(r);
      }
      if (both.empty()) f.match_nothing = true;
      f.roles = both;
    }
  }
  // stoa has no invitations: no account was invited by anyone.
  if (!c.Str("invited_by").empty()) f.match_nothing = true;
  return ListRows(c, f,
                  {"origin", "status", "permissions", "role_ids", "invited_by", "by_domain",
                   "username", "display_name", "email", "ip"});
}

struct Loaded {
  Account account;
  std::optional<User> user;
};

Result<Loaded> LoadForAdmin(storage::ReadSession& read, Id id) {
  ASSIGN_OR_RETURN(Account account, read.accounts().Get(id));
  Loaded out{std::move(account), std::nullopt};
  auto user = read.accounts().GetUser(id);
  if (user.ok()) {
    out.user = std::move(user).value();
  } else if (user.status().code() != StatusCode::kNotFound) {
    return user.status();
  }
  return out;
}

Response AdminAccountResponse(Call& c, Id id) {
  auto read = c.s.core.storage().Read();
  auto loaded = LoadForAdmin(*read, id);
  if (!loaded.ok()) return ErrorResponse(loaded.status());
  JsonWriter w;
  WriteAdminAccount(w, c.s.core, loaded->account, loaded->user ? &*loaded->user : nullptr,
                    c.s.core.Now());
  return Ok(w.Take());
}

// GET /api/v1/admin/accounts/:id
Response Show(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  return AdminAccountResponse(c, *id);
}

// Loads the target and checks that the caller may act on it (404 before 403, as Mastodon).
Result<Loaded> Target(Call& c, Id id) {
  auto read = c.s.core.storage().Read();
  ASSIGN_OR_RETURN(Loaded loaded, LoadForAdmin(*read, id));
  const Role target_role = loaded.user ? loaded.user->role : Role::kMember;
  if (!MayActOn(c.auth->role, c.auth->account_id, target_role, id)) return NotAllowed();
  return loaded;
}

std::string DetailsJson(std::initializer_list<std::pair<std::string_view, std::string>> fields) {
  JsonWriter w;
  w.BeginObject();
  for (const auto& [k, v] : fields) w.Field(k, v);
  w.EndObject();
  return w.Take();
}

Status Audit(storage::Transaction& tx, Call& c, std::string action, std::string target_type,
             Id target_id, std::string reasons = "", std::string details = "") {
  safety::AuditLog log(c.s.core);
  safety::AuditDraft draft;
  draft.actor_id = c.auth->account_id;
  draft.action = std::move(action);
  draft.target_type = std::move(target_type);
  draft.target_id = IdToString(target_id);
  draft.reasons = std::move(reasons);
  draft.details_json = std::move(details);
  return log.Append(tx, draft).status();
}

Response Unavailable503() { return ErrorResponse(Unavailable("Trust and safety is not configured")); }

// An optional id parameter: kNoId when absent, nullopt when malformed.
std::optional<Id> OptionalIdParam(const Call& c, std::string_view key) {
  const std::string text = c.Str(key);
  if (text.empty()) return kNoId;
  return ParseId(text);
}

// POST /api/v1/admin/accounts/:id/action: the action is a decision (DecisionService::
// ActOnAccount): a statement of reasons for every restriction, the member's moderation_warning,
// the reports it resolves, the audit entry.
Response Action(Call& c) {
  if (c.s.decisions == nullptr) return Unavailable503();
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  auto target = Target(c, *id);
  if (!target.ok()) return ErrorResponse(target.status());
  auto action = safety::ParseAccountAction(c.Str("type"));
  if (!action) {
    return ErrorResponse(InvalidArgument("Validation failed: Type is not included in the list"));
  }
  safety::AccountActionRequest in;
  in.type = *action;
  auto report = OptionalIdParam(c, "report_id");
  if (!report) return ErrorResponse(NotFound());
  in.report_id = *report;
  auto preset = OptionalIdParam(c, "warning_preset_id");
  if (!preset) return ErrorResponse(NotFound());
  in.warning_preset_id = *preset;
  in.text = c.Str("text");
  if (Utf8Length(in.text) > kMaxWarningText) {
    return ErrorResponse(InvalidArgument("Validation failed: Text is too long (maximum is " +
                                         std::to_string(kMaxWarningText) + " characters)"));
  }
  if (const std::string u = c.Str("until"); !u.empty()) {
    in.until = ParseIso8601(u);
    if (!in.until) {
      return ErrorResponse(InvalidArgument("Validation failed: until is not a valid date"));
    }
  }
  in.send_email = c.params.Bool("send_email_notification").value_or(false);
  in.ground = c.Str("ground");
  in.legal_provision = c.Str("legal_provision");
  auto rule = OptionalIdParam(c, "rule_id");
  if (!rule) {
    return ErrorResponse(InvalidArgument("Validation failed: rule_id is not a rule of this instance"));
  }
  in.rule_id = *rule;
  in.facts = c.Str("facts");
  in.category = c.Str("category");
  in.territorial_scope = c.params.StringArray("territorial_scope");
  auto done = c.s.decisions->ActOnAccount(c.viewer, *id, in);
  if (!done.ok()) return ErrorResponse(done.status());
  return Empty();
}

// enable, unsilence, unsuspend, unsensitive: the effect is lifted and the decisions that imposed
// it are reversed (DecisionService::LiftOnAccount).
template <AccountAction kAction>
Response LiftAction(Call& c) {
  if (c.s.decisions == nullptr) return Unavailable503();
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  auto target = Target(c, *id);
  if (!target.ok()) return ErrorResponse(target.status());
  auto lifted = c.s.decisions->LiftOnAccount(c.viewer, *id, kAction, c.Str("text"));
  if (!lifted.ok()) return ErrorResponse(lifted.status());
  return AdminAccountResponse(c, *id);
}

// POST /api/v1/admin/accounts/:id/role (owners; stoa): {"role": "member" | "moderator" | "admin"
// | "owner"}. The owner cannot change their own role nor another owner's (the operator can,
// with `stoa admin set-role`).
Response ChangeRole(Call& c) {
  if (c.s.roles == nullptr) return Unavailable503();
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  const std::string name = c.Str("role");
  if (name.empty()) return ErrorResponse(InvalidArgument("Validation failed: role is required"));
  auto role = ParseRole(name);
  if (!role) {
    return ErrorResponse(
        InvalidArgument("Validation failed: role must be member, moderator, admin or owner"));
  }
  {
    auto read = c.s.core.storage().Read();
    if (auto loaded = LoadForAdmin(*read, *id); !loaded.ok()) return ErrorResponse(loaded.status());
  }
  auto changed = c.s.roles->Change(c.auth->account_id, *id, *role, "api");
  if (!changed.ok()) return ErrorResponse(changed.status());
  // Cached authentications carry the role.
  c.s.oauth.ForgetAccount(*id);
  return AdminAccountResponse(c, *id);
}

void WritePreset(JsonWriter& w, const WarningPreset& p) {
  w.BeginObject();
  w.Key("id").IdString(p.id);
  w.Field("title", p.title).Field("text", p.text);
  w.Field("created_at", FormatIso8601(p.created_at)).Field("updated_at", FormatIso8601(p.updated_at));
  w.EndObject();
}

Response PresetResponse(const Result<WarningPreset>& p) {
  if (!p.ok()) return ErrorResponse(p.status());
  JsonWriter w;
  WritePreset(w, *p);
  return Ok(w.Take());
}

// GET /api/v1/admin/warning_presets (moderators; stoa: Mastodon keeps them in its web UI only).
Response ListPresets(Call& c) {
  if (c.s.warning_presets == nullptr) return Unavailable503();
  JsonWriter w;
  w.BeginArray();
  for (const auto& p : c.s.warning_presets->List()) WritePreset(w, p);
  w.EndArray();
  return Ok(w.Take());
}

Response ShowPreset(Call& c) {
  if (c.s.warning_presets == nullptr) return Unavailable503();
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  return PresetResponse(c.s.warning_presets->Get(*id));
}

// POST /api/v1/admin/warning_presets (admins): title, text.
Response CreatePreset(Call& c) {
  if (c.s.warning_presets == nullptr) return Unavailable503();
  return PresetResponse(
      c.s.warning_presets->Create(c.auth->account_id, c.Str("title"), c.Str("text")));
}

// PUT /api/v1/admin/warning_presets/:id (admins): title and/or text.
Response UpdatePreset(Call& c) {
  if (c.s.warning_presets == nullptr) return Unavailable503();
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  return PresetResponse(
      c.s.warning_presets->Update(c.auth->account_id, *id, c.Str("title"), c.Str("text")));
}

// DELETE /api/v1/admin/warning_presets/:id (admins).
Response DeletePreset(Call& c) {
  if (c.s.warning_presets == nullptr) return Unavailable503();
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  Status st = c.s.warning_presets->Delete(c.auth->account_id, *id);
  if (!st.ok()) return ErrorResponse(st);
  return Empty();
}

// POST /api/v1/admin/accounts/:id/approve (admins)
Response Approve(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  auto target = Target(c, *id);
  if (!target.ok()) return ErrorResponse(target.status());
  if (!target->user || target->user->approved) return ErrorResponse(NotAllowed());
  Status st = c.s.core.storage().Write([&](storage::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(User user, tx.accounts().GetUser(*id));
    if (user.approved) return NotAllowed();
    user.approved = true;
    RETURN_IF_ERROR(tx.accounts().UpdateUser(user));
    return Audit(tx, c, "account.approve", "account", *id);
  });
  if (!st.ok()) return ErrorResponse(st);
  safety::AccountModeration(c.s.core).AfterCommit(*id);
  return AdminAccountResponse(c, *id);
}

// POST /api/v1/admin/accounts/:id/reject (admins): deletes the pending sign-up.
Response Reject(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  auto target = Target(c, *id);
  if (!target.ok()) return ErrorResponse(target.status());
  if (!target->user || target->user->approved) return ErrorResponse(NotAllowed());
  Status st = c.s.core.storage().Write([&](storage::Transaction& tx) -> Status {
    Status deleted = tx.accounts().DeletePending(*id);
    if (deleted.code() == StatusCode::kConflict) return NotAllowed();  // approved meanwhile
    RETURN_IF_ERROR(deleted);
    return Audit(tx, c, "account.reject", "account", *id, "",
                 DetailsJson({{"username", target->account.username}}));
  });
  if (!st.ok()) return ErrorResponse(st);
  safety::AccountModeration(c.s.core).AfterCommit(*id);
  JsonWriter w;
  WriteAdminAccount(w, c.s.core, target->account, &*target->user, c.s.core.Now());
  return Ok(w.Take());
}

// DELETE /api/v1/admin/accounts/:id (admins): purges a suspended account's data at once — its
// statuses, follows in both directions and tokens; the profile is emptied and the login
// disabled. The account record stays, suspended, as Mastodon keeps it.
Response Destroy(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  auto target = Target(c, *id);
  if (!target.ok()) return ErrorResponse(target.status());
  const Timestamp now = c.s.core.Now();
  if (!target->account.SuspendedAt(now)) return ErrorResponse(NotAllowed());
  std::vector<Id> posts_changed;
  std::vector<Id> accounts_changed;
  Status st = c.s.core.storage().Write([&](storage::Transaction& tx) -> Status {
    posts_changed.clear();  // the job may run more than once (Storage::Write)
    accounts_changed.clear();
    ASSIGN_OR_RETURN(Account account, tx.accounts().Get(*id));
    if (!account.SuspendedAt(now)) return NotAllowed();
    // Statuses (boosts included), newest first, in batches.
    storage::AccountPostFilter all;
    all.max_visibility = Visibility::kDirect;
    int64_t removed = 0;
    while (true) {
      storage::PageQuery page;
      page.limit = kPurgeBatch;
      std::vector<Id> ids = tx.posts().ListByAccount(*id, all, page);
      if (ids.empty()) break;
      for (const auto& post : tx.posts().GetMany(ids)) {
        RETURN_IF_ERROR(tx.posts().MarkDeleted(post.id, now));
        if (post.in_reply_to_id != kNoId) {
          RETURN_IF_ERROR(tx.posts().AdjustCounts(post.in_reply_to_id, -1, 0, 0));
          posts_changed.push_back(post.in_reply_to_id);
        }
        if (post.reblog_of_id != kNoId) {
          RETURN_IF_ERROR(tx.posts().AdjustCounts(post.reblog_of_id, 0, -1, 0));
          posts_changed.push_back(post.reblog_of_id);
        } else {
          ASSIGN_OR_RETURN(std::vector<Id> rebloggers, tx.posts().DeleteReblogsOf(post.id, now));
          for (Id a : rebloggers) {
            RETURN_IF_ERROR(tx.accounts().AdjustCounts(a, -1, 0, 0));
            accounts_changed.push_back(a);
          }
        }
        RETURN_IF_ERROR(tx.notifications().DeleteForStatus(post.id));
        posts_changed.push_back(post.id);
        ++removed;
      }
    }
    // Follows both ways.
    for (Id follower : tx.relationships().FollowerIds(*id)) {
      ASSIGN_OR_RETURN(auto gone, tx.relationships().DeleteFollow(follower, *id));
      if (gone) RETURN_IF_ERROR(tx.accounts().AdjustCounts(follower, 0, 0, -1));
      accounts_changed.push_back(follower);
    }
    for (const auto& f : tx.relationships().Following(*id)) {
      ASSIGN_OR_RETURN(auto gone, tx.relationships().DeleteFollow(*id, f.target_account_id));
      if (gone) RETURN_IF_ERROR(tx.accounts().AdjustCounts(f.target_account_id, 0, -1, 0));
      accounts_changed.push_back(f.target_account_id);
    }
    RETURN_IF_ERROR(tx.accounts().AdjustCounts(*id, -account.statuses_count,
                                               -account.followers_count,
                                               -account.following_count));
    ASSIGN_OR_RETURN(auto revoked, tx.oauth().RevokeAccountTokens(*id, now));
    // The profile is emptied; the record stays suspended (indefinitely) as a tombstone.
    ASSIGN_OR_RETURN(Account fresh, tx.accounts().Get(*id));
    fresh.display_name.clear();
    fresh.note.clear();
    fresh.note_html.clear();
    fresh.fields.clear();
    fresh.suspended_until.reset();
    fresh.updated_at = now;
    RETURN_IF_ERROR(tx.accounts().UpdateProfile(fresh));
    auto user = tx.accounts().GetUser(*id);
    if (user.ok()) {
      User u = std::move(user).value();
      u.disabled = true;
      RETURN_IF_ERROR(tx.accounts().UpdateUser(u));
    }
    return Audit(tx, c, "account.delete", "account", *id, "",
                 DetailsJson({{"statuses_removed", std::to_string(removed)},
                              {"tokens_revoked", std::to_string(revoked.size())}}));
  });
  if (!st.ok()) return ErrorResponse(st);
  for (Id p : posts_changed) c.s.core.PostChanged(p);
  for (Id a : accounts_changed) {
    c.s.core.AccountChanged(a);
    c.s.core.GraphChanged(a);
    c.s.core.home_feeds().Forget(a);
  }
  c.s.core.search_indexer().Notify();
  safety::AccountModeration(c.s.core).AfterCommit(*id);
  return AdminAccountResponse(c, *id);
}

}  // namespace

void RegisterAdminAccountRoutes(Api& api, Router& r) {
  using A = Access;
  api.Route(r, Method::kGet, "/api/v1/admin/accounts", A::kModerator, "admin:read:accounts", ListV1);
  api.Route(r, Method::kGet, "/api/v2/admin/accounts", A::kModerator, "admin:read:accounts", ListV2);
  api.Route(r, Method::kGet, "/api/v1/admin/accounts/:id", A::kModerator, "admin:read:accounts",
            Show);
  api.Route(r, Method::kDelete, "/api/v1/admin/accounts/:id", A::kAdmin, "admin:write:accounts",
            Destroy);
  api.Route(r, Method::kPost, "/api/v1/admin/accounts/:id/action", A::kModerator,
            "admin:write:accounts", Action);
  api.Route(r, Method::kPost, "/api/v1/admin/accounts/:id/approve", A::kAdmin,
            "admin:write:accounts", Approve);
  api.Route(r, Method::kPost, "/api/v1/admin/accounts/:id/reject", A::kAdmin,
            "admin:write:accounts", Reject);
  api.Route(r, Method::kPost, "/api/v1/admin/accounts/:id/enable", A::kModerator,
            "admin:write:accounts", LiftAction<AccountAction::kDisable>);
  api.Route(r, Method::kPost, "/api/v1/admin/accounts/:id/unsilence", A::kModerator,
            "admin:write:accounts", LiftAction<AccountAction::kSilence>);
  api.Route(r, Method::kPost, "/api/v1/admin/accounts/:id/unsuspend", A::kModerator,
            "admin:write:accounts", LiftAction<AccountAction::kSuspend>);
  api.Route(r, Method::kPost, "/api/v1/admin/accounts/:id/unsensitive", A::kModerator,
            "admin:write:accounts", LiftAction<AccountAction::kSensitive>);
  api.Route(r, Method::kPost, "/api/v1/admin/accounts/:id/role", A::kOwner, "admin:write:accounts",
            ChangeRole);
  api.Route(r, Method::kGet, "/api/v1/admin/warning_presets", A::kModerator, "admin:read",
            ListPresets);
  api.Route(r, Method::kGet, "/api/v1/admin/warning_presets/:id", A::kModerator, "admin:read",
            ShowPreset);
  api.Route(r, Method::kPost, "/api/v1/admin/warning_presets", A::kAdmin, "admin:write",
            CreatePreset);
  api.Route(r, Method::kPut, "/api/v1/admin/warning_presets/:id", A::kAdmin, "admin:write",
            UpdatePreset);
  api.Route(r, Method::kDelete, "/api/v1/admin/warning_presets/:id", A::kAdmin, "admin:write",
            DeletePreset);
}

}  // namespace stoa::http::api
