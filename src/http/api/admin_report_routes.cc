// The Mastodon admin API for reports: /api/v1/admin/reports (list, get, update, assign_to_self,
// unassign, resolve, reopen). A Mastodon "report" here is the view of one stoa notice case
// (docs/api.md, "Mastodon admin reports"): its id is the case id, it merges every notice about
// the same status or account, "resolved" means the case is closed, and the assignee is the
// case's holder (a lease, as POST /api/v1/admin/cases/next gives). Every change writes an audit
// entry in the same transaction; a report's category and rules as changed by PUT are the last
// "report.update" entry of the case, the resolving moderator the last decision or
// "report.resolve" entry.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "common/json_writer.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "domain/safety.h"
#include "http/api/admin_entities.h"
#include "http/api/api.h"
#include "http/api/serializers.h"
#include "safety/audit_log.h"
#include "safety/campaigns.h"

namespace stoa::http::api {
namespace {

constexpr int kNoticesShown = 1000;         // notices read per report for its fields
constexpr int kReporterCases = 1000;        // cases considered for the account_id filter
constexpr int kAuditLookback = 50;          // audit entries read per report for its state
// A campaign report's `statuses`: its first statuses in case order (docs/api.md).
constexpr int kReportStatusesShown = 100;

Status NotAllowed() { return PermissionDenied("This action is not allowed"); }

// What the audit log says about a case: the latest category/rules change and resolver.
struct AuditState {
  std::optional<std::string> category;
  std::optional<std::vector<Id>> rule_ids;
  Id resolved_by = kNoId;
};

AuditState ReadAuditState(storage::ReadSession& read, Id case_id) {
  AuditState out;
  storage::AuditFilter f;
  f.target_type = "case";
  f.target_id = IdToString(case_id);
  storage::PageQuery page;
  page.limit = kAuditLookback;
  for (const auto& e : read.audit().List(f, page)) {  // newest first
    if (e.action == "report.update" && !out.category) {
      boost::system::error_code ec;
      auto v = boost::json::parse(e.details_json, ec);
      if (ec || !v.is_object()) continue;
      const auto& o = v.as_object();
      if (auto* c = o.if_contains("category"); c && c->is_string()) {
        out.category = std::string(c->as_string());
      }
      std::vector<Id> ids;
      if (auto* r = o.if_contains("rule_ids"); r && r->is_array()) {
        for (const auto& id : r->as_array()) {
          if (id.is_string()) {
            if (auto parsed = ParseId(id.as_string())) ids.push_back(*parsed);
          }
        }
      }
      out.rule_ids = std::move(ids);
    } else if (e.action == "report.resolve" && out.resolved_by == kNoId) {
      out.resolved_by = e.actor_id;
    }
  }
  return out;
}

struct ReportView {
  Case kase;
  std::vector<Notice> notices;
  AuditState audit;
  Id decided_by = kNoId;
};

ReportView LoadView(storage::ReadSession& read, Case kase) {
  ReportView v;
  v.notices = read.notices().ListForCase(kase.id, kNoticesShown);
  v.audit = ReadAuditState(read, kase.id);
  if (kase.state == CaseState::kClosed) {
    auto decisions = read.decisions().ListForCase(kase.id);
    for (const auto& d : decisions) {
      if (d.moderator_id != kNoId) v.decided_by = d.moderator_id;  // the latest wins
    }
  }
  v.kase = std::move(kase);
  return v;
}

std::string ReportCategoryOf(const ReportView& v) {
  if (v.audit.category) return *v.audit.category;
  for (const auto& n : v.notices) {
    if (n.report_category) return std::string(ReportCategoryName(*n.report_category));
  }
  // Notices (DSA Art. 16) are about illegal content.
  for (const auto& n : v.notices) {
    if (!n.report_category && n.source != NoticeSource::kAutomated) return "legal";
  }
  return "other";
}

std::vector<Id> RuleIdsOf(const ReportView& v) {
  if (v.audit.rule_ids) return *v.audit.rule_ids;
  std::vector<Id> ids;
  for (const auto& n : v.notices) {
    for (Id id : n.rule_ids) {
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
  }
  return ids;
}

// The reporter: the first member among the notifiers; a case made only of anonymous or
// priority notices is shown as reported by the instance's contact account (as Mastodon shows
// reports from other servers under a representative account).
Id ReporterOf(storage::ReadSession& read, const ReportView& v) {
  for (const auto& n : v.notices) {
    if (n.reporter_account_id != kNoId) return n.reporter_account_id;
  }
  auto contact = read.accounts().FindOldestWithRole(Role::kOwner);
  if (!contact.ok()) contact = read.accounts().FindOldestWithRole(Role::kAdmin);
  return contact.ok() ? contact->id : kNoId;
}

void WriteAdminAccountById(JsonWriter& w, Call& c, storage::ReadSession& read, Id id,
                           Timestamp now) {
  auto account = id == kNoId ? Result<Account>(NotFound()) : read.accounts().Get(id);
  if (!account.ok()) {
    w.Null();
    return;
  }
  auto user = read.accounts().GetUser(id);
  WriteAdminAccount(w, c.s.core, *account, user.ok() ? &*user : nullptr, now);
}

void WriteReport(JsonWriter& w, Call& c, storage::ReadSession& read, const ReportView& v,
                 const std::vector<InstanceRule>& all_rules, Timestamp now) {
  const Case& k = v.kase;
  w.BeginObject();
  w.Key("id").IdString(k.id);
  w.Field("action_taken", k.state == CaseState::kClosed);
  if (k.state == CaseState::kClosed && k.closed_at) {
    w.Field("action_taken_at", FormatIso8601(*k.closed_at));
  } else {
    w.NullField("action_taken_at");
  }
  w.Field("category", ReportCategoryOf(v));
  {
    // The first notice a person wrote (screening's automated notices carry no comment).
    std::string comment;
    for (const auto& n : v.notices) {
      if (n.source != NoticeSource::kAutomated) {
        comment = n.explanation;
        break;
      }
    }
    w.Field("comment", comment);
  }
  w.Field("forwarded", false);
  w.Field("created_at", FormatIso8601(k.created_at));
  w.Field("updated_at", FormatIso8601(k.updated_at));
  w.Key("account");
  WriteAdminAccountById(w, c, read, ReporterOf(read, v), now);
  w.Key("target_account");
  WriteAdminAccountById(w, c, read, k.account_id, now);
  w.Key("assigned_account");
  const Id holder = k.HolderAt(now);
  if (holder != kNoId) {
    WriteAdminAccountById(w, c, read, holder, now);
  } else {
    w.Null();
  }
  w.Key("action_taken_by_account");
  const Id resolver = k.state != CaseState::kClosed ? kNoId
                      : v.decided_by != kNoId     ? v.decided_by
                                                  : v.audit.resolved_by;
  if (resolver != kNoId) {
    WriteAdminAccountById(w, c, read, resolver, now);
  } else {
    w.Null();
  }
  // The reported statuses as staff see them now: the case's statuses in case order (the target,
  // then a campaign's members; at most kReportStatusesShown), deleted ones left out (the case's
  // snapshots keep the evidence: GET /api/v1/admin/cases/:id).
  w.Key("statuses");
  std::vector<social::PostPtr> posts;
  if (k.target_type == TargetType::kStatus) {
    std::vector<Id> ids;
    for (const CaseStatus& m : read.cases().ListStatuses(k.id, kReportStatusesShown)) {
      ids.push_back(m.status_id);
    }
    if (ids.empty()) ids.push_back(k.target_id);  // opened where cases list nothing (no campaigns)
    for (Id id : ids) {
      if (auto post = c.s.core.LoadPost(id); post && !post->deleted()) posts.push_back(post);
    }
  }
  StatusWriter statuses(c.s.core, c.viewer, c.s.render_cache);
  w.Raw(statuses.List(posts));
  w.Key("rules").BeginArray();
  for (Id id : RuleIdsOf(v)) {
    auto it = std::find_if(all_rules.begin(), all_rules.end(),
                           [&](const InstanceRule& r) { return r.id == id; });
    if (it != all_rules.end()) WriteRule(w, *it);
  }
  w.EndArray();
  // stoa additions.
  w.Field("notices_count", k.notices_count);
  w.Field("distinct_notifiers", k.distinct_notifiers);
  w.Field("deadline_at", FormatIso8601(k.deadline_at));
  w.Field("target_type", TargetTypeName(k.target_type));
  w.Key("target_id").IdString(k.target_id);
  w.EndObject();
}

Result<Case> LoadReportCase(storage::ReadSession& read, Id id) {
  ASSIGN_OR_RETURN(Case k, read.cases().Get(id));
  // Appeals are not reports, nor are the cases of the moderators' own initiative (no notice).
  if (k.kind != CaseKind::kNotice || k.notices_count == 0) return NotFound();
  return k;
}

Response ReportResponse(Call& c, Id id) {
  auto read = c.s.core.storage().Read();
  auto k = LoadReportCase(*read, id);
  if (!k.ok()) return ErrorResponse(k.status());
  const auto rules = read->rules().List();
  JsonWriter w;
  WriteReport(w, c, *read, LoadView(*read, std::move(k).value()), rules, c.s.core.Now());
  return Ok(w.Take());
}

// GET /api/v1/admin/reports. Default: unresolved only; resolved=true: resolved only; both
// resolved and unresolved true: all. Listed in queue order (deadline first); `max_id` is the
// cursor given in the Link header (the last report of the previous page).
Response List(Call& c) {
  auto page = c.Page(kAdminPageDefault, kAdminPageMax);
  if (!page.ok()) return ErrorResponse(page.status());
  if (page->since_id != kNoId || page->min_id != kNoId) {
    return ErrorResponse(BadRequest("Reports are listed in queue order: page with max_id"));
  }
  const bool resolved = c.params.Bool("resolved").value_or(false);
  const bool unresolved = c.params.Bool("unresolved").value_or(false);
  storage::CaseFilter f;
  f.kind = CaseKind::kNotice;
  f.with_notices = true;
  if (resolved && !unresolved) {
    f.state = CaseState::kClosed;
  } else if (!resolved) {
    f.state = CaseState::kOpen;
  }
  const Timestamp now = c.s.core.Now();
  f.now = now;
  f.after_id = page->max_id;  // the store pages from the cursor on
  bool nothing = false;
  const std::string origin = c.Str("target_origin");
  if (origin == "remote") {
    nothing = true;
  } else if (!origin.empty() && origin != "local") {
    return ErrorResponse(BadRequest("Unknown target_origin: " + origin));
  }
  if (!c.Str("by_target_domain").empty()) nothing = true;  // every stoa account is local
  if (const std::string t = c.Str("target_account_id"); !t.empty()) {
    auto id = ParseId(t);
    if (!id) return ErrorResponse(BadRequest("target_account_id must be an id"));
    f.account_id = *id;
  }
  auto read = c.s.core.storage().Read();
  // Queue order (as storage::Cases::List): deadline, then score (higher first), then id.
  auto before = [](const Case& a, const Case& b) {
    if (a.deadline_at != b.deadline_at) return a.deadline_at < b.deadline_at;
    if (a.score != b.score) return a.score > b.score;
    return a.id < b.id;
  };
  std::optional<Case> cursor;
  if (page->max_id != kNoId) {
    auto k = read->cases().Get(page->max_id);
    if (!k.ok()) return ErrorResponse(BadRequest("max_id is not a report"));
    cursor = std::move(k).value();
  }
  std::vector<CaseState> states;
  if (!f.state) {
    states = {CaseState::kOpen, CaseState::kClosed};
  } else {
    states = {*f.state};
  }
  std::vector<Case> candidates;
  const std::string reporter = c.Str("account_id");
  if (nothing) {
    // no report can match
  } else if (!reporter.empty() || f.account_id != kNoId) {
    // Filtered by account: the (bounded) cases of the reporter or of the target, in memory.
    std::optional<std::set<Id>> reporter_cases;
    if (!reporter.empty()) {
      auto id = ParseId(reporter);
      if (!id) return ErrorResponse(BadRequest("account_id must be an id"));
      storage::PageQuery q;
      q.limit = kReporterCases;
      reporter_cases.emplace();
      for (const auto& n : read->notices().ListByReporter(*id, q)) {
        for (const auto& item : n.items) reporter_cases->insert(item.case_id);
      }
    }
    std::vector<Case> pool;
    if (f.account_id != kNoId) {
      pool = read->cases().ListForAccount(f.account_id, kReporterCases);
    } else {
      for (Id id : *reporter_cases) {
        if (auto k = read->cases().Get(id); k.ok()) pool.push_back(std::move(k).value());
      }
    }
    for (auto& k : pool) {
      if (k.kind != CaseKind::kNotice || k.notices_count == 0) continue;
      if (std::find(states.begin(), states.end(), k.state) == states.end()) continue;
      if (reporter_cases && reporter_cases->count(k.id) == 0) continue;
      if (f.account_id != kNoId && k.account_id != f.account_id) continue;
      candidates.push_back(std::move(k));
    }
  } else {
    // Each state's queue from the cursor on, merged.
    for (CaseState state : states) {
      storage::CaseFilter one = f;
      one.state = state;
      for (auto& k : read->cases().List(one, page->limit)) candidates.push_back(std::move(k));
    }
  }
  std::sort(candidates.begin(), candidates.end(), before);
  std::vector<Case> cases;
  for (auto& k : candidates) {
    if (cases.size() >= static_cast<size_t>(page->limit)) break;
    if (cursor && !before(*cursor, k)) continue;
    cases.push_back(std::move(k));
  }
  const auto rules = read->rules().List();
  JsonWriter w;
  w.BeginArray();
  for (auto& k : cases) WriteReport(w, c, *read, LoadView(*read, k), rules, now);
  w.EndArray();
  if (!cases.empty() && cases.size() >= static_cast<size_t>(page->limit)) {
    // Only "next": queue order has no "newer than" direction.
    std::string base = c.s.config.instance.base_url + c.request.path + "?";
    for (const char* key : {"resolved", "unresolved", "account_id", "target_account_id",
                            "target_origin", "by_target_domain"}) {
      if (auto v = c.params.String(key)) base += std::string(key) + "=" + UrlEncode(*v) + "&";
    }
    base += "limit=" + std::to_string(page->limit);
    c.extra_headers.push_back(
        {"Link", "<" + base + "&max_id=" + IdToString(cases.back().id) + ">; rel=\"next\""});
  }
  return Ok(w.Take());
}

// GET /api/v1/admin/reports/:id
Response Show(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  return ReportResponse(c, *id);
}

Status Audit(storage::Transaction& tx, Call& c, std::string action, Id case_id,
             std::string details = "") {
  safety::AuditLog log(c.s.core);
  safety::AuditDraft draft;
  draft.actor_id = c.auth->account_id;
  draft.action = std::move(action);
  draft.target_type = "case";
  draft.target_id = IdToString(case_id);
  draft.details_json = std::move(details);
  return log.Append(tx, draft).status();
}

// Runs `change` on the report's case inside a transaction (with the audit entry it returns),
// then answers the report.
Response Change(Call& c, const std::function<Status(storage::Transaction&, Case&, Timestamp)>& change) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  const Timestamp now = c.s.core.Now();
  Status st = c.s.core.storage().Write([&](storage::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(Case k, tx.cases().Get(*id));
    if (k.kind != CaseKind::kNotice || k.notices_count == 0) return NotFound();
    return change(tx, k, now);
  });
  if (!st.ok()) return ErrorResponse(st);
  return ReportResponse(c, *id);
}

// POST /api/v1/admin/reports/:id/assign_to_self: the caller holds the case under a lease
// (config safety.lease_minutes). 409 when another moderator holds it (Mastodon would silently
// take it over: mastodon#20570).
Response AssignToSelf(Call& c) {
  const Id me = c.auth->account_id;
  const Duration lease = std::chrono::minutes(c.s.config.safety.lease_minutes);
  return Change(c, [&](storage::Transaction& tx, Case& k, Timestamp now) -> Status {
    if (k.state != CaseState::kOpen) return Conflict("The report is resolved");
    if (k.excluded_moderator_id == me) return NotAllowed();
    const Id holder = k.HolderAt(now);
    if (holder != kNoId && holder != me) {
      return Conflict("The report is assigned to another moderator");
    }
    k.assigned_to = me;
    k.lease_until = now + lease;
    k.updated_at = now;
    RETURN_IF_ERROR(tx.cases().Update(k));
    return Audit(tx, c, "report.assign_to_self", k.id);
  });
}

// POST /api/v1/admin/reports/:id/unassign: the holder gives it back; admins may take it from
// anyone.
Response Unassign(Call& c) {
  const Id me = c.auth->account_id;
  const bool admin = AtLeast(c.auth->role, Role::kAdmin);
  return Change(c, [&](storage::Transaction& tx, Case& k, Timestamp now) -> Status {
    const Id holder = k.HolderAt(now);
    if (holder == kNoId && k.assigned_to == kNoId) return Status::Ok();  // nothing to do
    if (holder != kNoId && holder != me && !admin) return NotAllowed();
    k.assigned_to = kNoId;
    k.lease_until.reset();
    k.updated_at = now;
    RETURN_IF_ERROR(tx.cases().Update(k));
    return Audit(tx, c, "report.unassign", k.id);
  });
}

// POST /api/v1/admin/reports/:id/resolve: closed without action; the notifiers learn it. A
// campaign's copies (docs/screening.md) are closed with it: no action on one copy is no action on
// them all, and the case stops attracting new copies.
Response Resolve(Call& c) {
  Response r = Change(c, [&](storage::Transaction& tx, Case& k, Timestamp now) -> Status {
    if (k.state == CaseState::kClosed) return Status::Ok();
    const Id holder = k.HolderAt(now);
    if (holder != kNoId && holder != c.auth->account_id && !AtLeast(c.auth->role, Role::kAdmin)) {
      return Conflict("The report is assigned to another moderator");
    }
    k.state = CaseState::kClosed;
    k.closed_at = now;
    k.updated_at = now;
    k.lease_until.reset();
    RETURN_IF_ERROR(tx.cases().Update(k));
    RETURN_IF_ERROR(tx.notices().SetCaseOutcome(k.id, kNoId, "no action", now));
    return Audit(tx, c, "report.resolve", k.id, R"({"outcome":"no action"})");
  });
  if (r.status == 200 && c.s.campaigns != nullptr) c.s.campaigns->Forget(*c.PathId());
  return r;
}

// POST /api/v1/admin/reports/:id/reopen. 409 when a newer case about the same target is open
// (new notices went there; a target has one open case at a time). A reopened campaign attracts
// copies again.
Response Reopen(Call& c) {
  Response r = Change(c, [&](storage::Transaction& tx, Case& k, Timestamp now) -> Status {
    if (k.state == CaseState::kOpen) return Status::Ok();
    if (auto other = tx.cases().FindOpenForTarget(k.target_type, k.target_id);
        other && other->id != k.id) {
      return Conflict("Another open report about the same target exists: " + IdToString(other->id));
    }
    k.state = CaseState::kOpen;
    k.closed_at.reset();
    k.assigned_to = kNoId;
    k.lease_until.reset();
    k.updated_at = now;
    RETURN_IF_ERROR(tx.cases().Update(k));
    return Audit(tx, c, "report.reopen", k.id);
  });
  if (r.status == 200 && c.s.campaigns != nullptr) c.s.campaigns->Restore(*c.PathId());
  return r;
}

// PUT /api/v1/admin/reports/:id: category (spam, legal, violation, other) and rule_ids[]
// (instance rules; violation only).
Response Update(Call& c) {
  const bool has_category = c.params.Has("category");
  const std::string category = c.Str("category");
  const bool has_rules = c.params.Has("rule_ids");
  std::vector<Id> rule_ids;
  for (const auto& s : c.params.StringArray("rule_ids")) {
    auto id = ParseId(s);
    if (!id) {
      return ErrorResponse(
          InvalidArgument("Validation failed: Rule ids does not reference valid rules"));
    }
    if (std::find(rule_ids.begin(), rule_ids.end(), *id) == rule_ids.end()) rule_ids.push_back(*id);
  }
  if (has_category && !ParseReportCategory(category)) {
    return ErrorResponse(InvalidArgument("Validation failed: Category is not included in the list"));
  }
  // The state before: the last update, or what the notices say.
  std::string cat;
  std::vector<Id> rules;
  {
    auto id = c.PathId();
    if (!id.ok()) return ErrorResponse(id.status());
    auto read = c.s.core.storage().Read();
    auto k = LoadReportCase(*read, *id);
    if (!k.ok()) return ErrorResponse(k.status());
    ReportView v = LoadView(*read, std::move(k).value());
    cat = ReportCategoryOf(v);
    rules = RuleIdsOf(v);
  }
  return Change(c, [&](storage::Transaction& tx, Case& k, Timestamp now) -> Status {
    if (has_category) cat = category;
    if (has_rules) rules = rule_ids;
    if (has_category && cat != "violation" && !has_rules) rules.clear();
    if (!rules.empty() && cat != "violation") {
      if (has_rules) return InvalidArgument("Validation failed: Rule ids must be blank");
      cat = "violation";
    }
    for (Id id : rules) {
      auto rule = tx.rules().Get(id);
      if (!rule.ok()) {
        return InvalidArgument("Validation failed: Rule ids does not reference valid rules");
      }
    }
    JsonWriter d;
    d.BeginObject().Field("category", cat).Key("rule_ids").BeginArray();
    for (Id id : rules) d.IdString(id);
    d.EndArray().EndObject();
    k.updated_at = now;
    RETURN_IF_ERROR(tx.cases().Update(k));
    return Audit(tx, c, "report.update", k.id, d.Take());
  });
}

}  // namespace

void RegisterAdminReportRoutes(Api& api, Router& r) {
  using A = Access;
  api.Route(r, Method::kGet, "/api/v1/admin/reports", A::kModerator, "admin:read:reports", List);
  api.Route(r, Method::kGet, "/api/v1/admin/reports/:id", A::kModerator, "admin:read:reports", Show);
  api.Route(r, Method::kPut, "/api/v1/admin/reports/:id", A::kModerator, "admin:write:reports",
            Update);
  api.Route(r, Method::kPost, "/api/v1/admin/reports/:id/assign_to_self", A::kModerator,
            "admin:write:reports", AssignToSelf);
  api.Route(r, Method::kPost, "/api/v1/admin/reports/:id/unassign", A::kModerator,
            "admin:write:reports", Unassign);
  api.Route(r, Method::kPost, "/api/v1/admin/reports/:id/resolve", A::kModerator,
            "admin:write:reports", Resolve);
  api.Route(r, Method::kPost, "/api/v1/admin/reports/:id/reopen", A::kModerator,
            "admin:write:reports", Reopen);
}

}  // namespace stoa::http::api
