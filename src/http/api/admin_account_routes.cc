// The Mastodon admin API for accounts: /api/v1/admin/accounts (v1 and v2 lists, get, action,
// approve, reject, enable, unsilence, unsuspend, unsensitive, delete). Account effects go through
// safety::AccountModeration; every change writes an audit entry in the same transaction.
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

namespace stoa::http::api {
namespace {

using safety::AccountAction;

constexpr size_t kMaxWarningText = 5000;
constexpr int kMaxCasesClosedPerAction = 1000;
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

// Closes an open case as a Mastodon "resolve": the closing moderator is recorded as its holder
// (Admin::Report's action_taken_by_account), its notifiers get `outcome`.
Status CloseCase(storage::Transaction& tx, Call& c, Case kase, std::string_view outcome,
                 Timestamp now) {
  if (kase.state != CaseState::kOpen) return Status::Ok();
  kase.state = CaseState::kClosed;
  kase.closed_at = now;
  kase.updated_at = now;
  kase.assigned_to = c.auth->account_id;
  kase.lease_until.reset();
  RETURN_IF_ERROR(tx.cases().Update(kase));
  RETURN_IF_ERROR(tx.notices().SetCaseOutcome(kase.id, kNoId, outcome, now));
  return Audit(tx, c, "report.resolve", "case", kase.id, "",
               DetailsJson({{"outcome", std::string(outcome)}}));
}

std::string_view OutcomeFor(AccountAction action) {
  switch (action) {
    case AccountAction::kNone: return "warning";
    case AccountAction::kSensitive: return "account marked sensitive";
    case AccountAction::kDisable: return "login disabled";
    case AccountAction::kSilence: return "account limited";
    case AccountAction::kSuspend: return "account suspended";
  }
  return "resolved";
}

// POST /api/v1/admin/accounts/:id/action
Response Action(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  auto target = Target(c, *id);
  if (!target.ok()) return ErrorResponse(target.status());
  auto action = safety::ParseAccountAction(c.Str("type"));
  if (!action) {
    return ErrorResponse(InvalidArgument("Validation failed: Type is not included in the list"));
  }
  if (!c.Str("warning_preset_id").empty()) {
    // stoa keeps no warning presets: no id names one.
    return ErrorResponse(NotFound());
  }
  const std::string text = c.Str("text");
  if (Utf8Length(text) > kMaxWarningText) {
    return ErrorResponse(InvalidArgument("Validation failed: Text is too long (maximum is " +
                                         std::to_string(kMaxWarningText) + " characters)"));
  }
  std::optional<Timestamp> until;
  if (const std::string u = c.Str("until"); !u.empty()) {
    until = ParseIso8601(u);
    if (!until) return ErrorResponse(InvalidArgument("Validation failed: until is not a valid date"));
  }
  const Timestamp now = c.s.core.Now();
  std::optional<Case> report;
  if (const std::string r = c.Str("report_id"); !r.empty()) {
    auto report_id = ParseId(r);
    if (!report_id) return ErrorResponse(NotFound());
    auto read = c.s.core.storage().Read();
    auto found = read->cases().Get(*report_id);
    if (!found.ok()) return ErrorResponse(found.status());
    if (found->kind != CaseKind::kNotice || found->account_id != *id) {
      return ErrorResponse(
          InvalidArgument("Validation failed: the report is not about this account"));
    }
    report = std::move(found).value();
  }
  const bool email = c.params.Bool("send_email_notification").value_or(false);
  Status st = c.s.core.storage().Write([&](storage::Transaction& tx) -> Status {
    safety::AccountModeration moderation(c.s.core);
    RETURN_IF_ERROR(moderation.Apply(tx, *id, *action, until, now));
    std::string details = DetailsJson(
        {{"type", std::string(safety::AccountActionName(*action))},
         {"report_id", report ? IdToString(report->id) : std::string()},
         {"until", until ? FormatIso8601(*until) : std::string()},
         {"send_email_notification", email ? "true" : "false"}});
    RETURN_IF_ERROR(Audit(tx, c, "account." + std::string(safety::AccountActionName(*action)),
                          "account", *id, text, details));
    // Mastodon: "none" resolves the given report only; any other action every open report
    // about the account.
    std::vector<Case> to_close;
    if (*action == AccountAction::kNone) {
      if (report) {
        ASSIGN_OR_RETURN(Case fresh, tx.cases().Get(report->id));
        to_close.push_back(std::move(fresh));
      }
    } else {
      for (auto& k : tx.cases().ListForAccount(*id, kMaxCasesClosedPerAction)) {
        if (k.state == CaseState::kOpen && k.kind == CaseKind::kNotice) to_close.push_back(k);
      }
    }
    for (auto& k : to_close) RETURN_IF_ERROR(CloseCase(tx, c, k, OutcomeFor(*action), now));
    if (email && target->user && !target->user->email.empty()) {
      OutboxMessage m;
      m.id = c.s.core.ids().Next();
      m.kind = "account_warning";
      m.to_email = target->user->email;
      m.subject = "A moderator took action on your account @" + target->account.username;
      m.body = "Action: " + std::string(OutcomeFor(*action)) + "\n" +
               (until ? "Until: " + FormatIso8601(*until) + "\n" : std::string()) +
               (text.empty() ? std::string() : "\n" + text + "\n");
      m.created_at = now;
      RETURN_IF_ERROR(tx.outbox().Insert(m));
    }
    return Status::Ok();
  });
  if (!st.ok()) return ErrorResponse(st);
  safety::AccountModeration(c.s.core).AfterCommit(*id);
  return Empty();
}

// enable, unsilence, unsuspend, unsensitive.
template <AccountAction kAction>
Response LiftAction(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  auto target = Target(c, *id);
  if (!target.ok()) return ErrorResponse(target.status());
  static const std::string kName = [] {
    switch (kAction) {
      case AccountAction::kDisable: return std::string("account.enable");
      case AccountAction::kSilence: return std::string("account.unsilence");
      case AccountAction::kSuspend: return std::string("account.unsuspend");
      case AccountAction::kSensitive: return std::string("account.unsensitive");
      case AccountAction::kNone: break;
    }
    return std::string("account.none");
  }();
  const Timestamp now = c.s.core.Now();
  Status st = c.s.core.storage().Write([&](storage::Transaction& tx) -> Status {
    safety::AccountModeration moderation(c.s.core);
    RETURN_IF_ERROR(moderation.Lift(tx, *id, kAction, now));
    return Audit(tx, c, kName, "account", *id);
  });
  if (!st.ok()) return ErrorResponse(st);
  safety::AccountModeration(c.s.core).AfterCommit(*id);
  return AdminAccountResponse(c, *id);
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
}

}  // namespace stoa::http::api
