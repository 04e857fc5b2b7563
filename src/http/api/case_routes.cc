// Moderators' cases: the queue (GET /api/v1/admin/cases), one case with its evidence
// (GET /api/v1/admin/cases/:id), claiming the head (POST /api/v1/admin/cases/next), renewing and
// releasing a lease, admins' assignments, notes, taking a status out of a campaign case.
#include "common/strings.h"
#include "common/time_format.h"
#include "domain/decision.h"
#include "http/api/api.h"
#include "http/api/serializers.h"
#include "safety/case_service.h"

namespace stoa::http::api {
namespace {

constexpr int kCasesDefault = 40;
constexpr int kCasesMax = 200;
constexpr int kNoticesShown = 500;
constexpr int kHistoryShown = 40;
constexpr int kCampaignStatusesShown = 1000;

Response Unavailable503() { return ErrorResponse(Unavailable("Trust and safety is not configured")); }

// The case's fields, without the enclosing braces.
void WriteCaseFields(JsonWriter& w, const Case& c, Timestamp now) {
  w.Key("id").IdString(c.id);
  w.Field("kind", CaseKindName(c.kind));
  w.Field("state", CaseStateName(c.state));
  w.Field("category", CategoryName(c.category));
  w.Field("urgency", safety::UrgencyName(static_cast<safety::Urgency>(c.urgency)));
  w.Field("score", c.score);
  w.Field("deadline_at", FormatIso8601(c.deadline_at));
  w.Field("overdue", c.state == CaseState::kOpen && c.deadline_at <= now);
  w.Field("target_type", TargetTypeName(c.target_type));
  w.Key("target_id").IdString(c.target_id);
  w.Key("account_id").IdString(c.account_id);
  w.Field("notices_count", c.notices_count);
  w.Field("distinct_notifiers", c.distinct_notifiers);
  // The notifiers as triage counts them (track record, brigading damping: safety/triage.h).
  w.Field("weighted_notifiers", static_cast<double>(c.notifier_weight) / 1000.0);
  w.Field("priority", c.priority());
  w.Field("priority_notices", c.priority_notices);
  w.Key("sources").BeginArray();
  for (NoticeSource s : {NoticeSource::kMember, NoticeSource::kAnonymous, NoticeSource::kTrustedFlagger,
                         NoticeSource::kAuthority, NoticeSource::kHost, NoticeSource::kAutomated}) {
    if ((c.sources & SourceBit(s)) != 0) w.String(NoticeSourceName(s));
  }
  w.EndArray();
  w.Field("threat_to_life", c.threat_to_life);
  const Id holder = c.state == CaseState::kOpen ? c.HolderAt(now) : c.assigned_to;
  WriteOptionalId(w, "assigned_to", holder);
  WriteOptionalTime(w, "lease_until",
                    c.state == CaseState::kOpen && holder != kNoId ? c.lease_until : std::nullopt);
  w.Field("version", c.version);
  WriteOptionalId(w, "appeal_of", c.appeal_of);
  w.Field("created_at", FormatIso8601(c.created_at));
  w.Field("updated_at", FormatIso8601(c.updated_at));
  WriteOptionalTime(w, "closed_at", c.closed_at);
}

std::string CaseJson(const Case& c, Timestamp now) {
  JsonWriter w;
  w.BeginObject();
  WriteCaseFields(w, c, now);
  w.EndObject();
  return w.Take();
}

void WriteSnapshot(JsonWriter& w, const ContentSnapshot& s) {
  w.BeginObject();
  w.Field("target_type", TargetTypeName(s.target_type));
  w.Key("target_id").IdString(s.target_id);
  w.Key("author_id").IdString(s.author_id);
  w.Field("text", s.text);
  w.Field("spoiler_text", s.spoiler_text);
  if (s.visibility) {
    w.Field("visibility", VisibilityName(*s.visibility));
  } else {
    w.NullField("visibility");
  }
  w.Field("content_created_at", FormatIso8601(s.content_created_at));
  w.Field("taken_at", FormatIso8601(s.taken_at));
  w.Field("sha256", s.sha256);
  w.EndObject();
}

Result<std::optional<int64_t>> VersionParam(const Call& c) {
  const std::string v = c.Str("version");
  if (v.empty()) return std::optional<int64_t>();
  int64_t out = 0;
  for (char ch : v) {
    if (ch < '0' || ch > '9' || out > (int64_t{1} << 55)) {
      return InvalidArgument("Validation failed: version must be an integer");
    }
    out = out * 10 + (ch - '0');
  }
  return std::optional<int64_t>(out);
}

Response CaseResponse(Call& c, const Result<Case>& result) {
  if (!result.ok()) return ErrorResponse(result.status());
  return Ok(CaseJson(*result, c.s.core.Now()));
}

Response ListCases(Call& c) {
  storage::CaseFilter f;
  f.now = c.s.core.Now();
  if (auto v = c.params.String("state"); v && !v->empty()) {
    f.state = ParseCaseState(*v);
    if (!f.state) return ErrorResponse(InvalidArgument("Validation failed: state must be open or closed"));
  }
  if (auto v = c.params.String("category"); v && !v->empty()) {
    f.category = ParseCategory(*v);
    if (!f.category) {
      return ErrorResponse(InvalidArgument("Validation failed: category is not a STATEMENT_CATEGORY_* value"));
    }
  }
  if (auto v = c.params.String("source"); v && !v->empty()) {
    f.source = ParseNoticeSource(*v);
    if (!f.source) return ErrorResponse(InvalidArgument("Validation failed: unknown source"));
  }
  if (auto v = c.params.String("kind"); v && !v->empty()) {
    if (*v == "notice") {
      f.kind = CaseKind::kNotice;
    } else if (*v == "appeal") {
      f.kind = CaseKind::kAppeal;
    } else {
      return ErrorResponse(InvalidArgument("Validation failed: kind must be notice or appeal"));
    }
  }
  if (auto v = c.params.String("assignee"); v && !v->empty()) {
    auto id = *v == "me" ? std::optional<Id>(c.auth->account_id) : ParseId(*v);
    if (!id) return ErrorResponse(InvalidArgument("Validation failed: assignee must be an account id or me"));
    f.assigned_to = *id;
  }
  if (auto v = c.params.String("account_id"); v && !v->empty()) {
    auto id = ParseId(*v);
    if (!id) return ErrorResponse(InvalidArgument("Validation failed: account_id must be an id"));
    f.account_id = *id;
  }
  if (auto v = c.params.String("deadline_before"); v && !v->empty()) {
    f.deadline_before = ParseIso8601(*v);
    if (!f.deadline_before) {
      return ErrorResponse(InvalidArgument("Validation failed: deadline_before must be an ISO 8601 time"));
    }
  }
  if (auto v = c.params.String("after"); v && !v->empty()) {
    auto id = ParseId(*v);
    if (!id) return ErrorResponse(InvalidArgument("Validation failed: after must be a case id"));
    f.after_id = *id;
  }
  auto page = c.Page(kCasesDefault, kCasesMax);
  if (!page.ok()) return ErrorResponse(page.status());
  const auto cases = c.s.core.storage().Read()->cases().List(f, page->limit);
  JsonWriter w;
  w.BeginArray();
  for (const auto& one : cases) {
    w.BeginObject();
    WriteCaseFields(w, one, f.now);
    w.EndObject();
  }
  w.EndArray();
  if (static_cast<int>(cases.size()) == page->limit) {
    std::string next = c.s.config.instance.base_url + c.request.path + "?limit=" +
                       std::to_string(page->limit);
    for (std::string_view key : {"state", "category", "source", "kind", "assignee", "account_id",
                                 "deadline_before"}) {
      if (auto v = c.params.String(key); v && !v->empty()) {
        next += "&" + std::string(key) + "=" + UrlEncode(*v);
      }
    }
    next += "&after=" + IdToString(cases.back().id);
    c.extra_headers.push_back({"Link", "<" + next + ">; rel=\"next\""});
  }
  return Ok(w.Take());
}

void WriteStatuses(JsonWriter& w, StatusWriter& writer, const std::vector<social::PostPtr>& posts) {
  w.BeginArray();
  for (const auto& p : posts) writer.Write(w, p);
  w.EndArray();
}

Response ShowCase(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  auto read = c.s.core.storage().Read();
  auto found = read->cases().Get(*id);
  if (!found.ok()) return ErrorResponse(found.status());
  const Case& k = *found;
  const Timestamp now = c.s.core.Now();
  const auto notices = read->notices().ListForCase(k.id, kNoticesShown);

  JsonWriter w;
  w.BeginObject();
  WriteCaseFields(w, k, now);

  // The target as it is now.
  StatusWriter writer(c.s.core, c.viewer, c.s.render_cache);
  social::PostPtr post;
  social::Thread thread;
  if (k.target_type == TargetType::kStatus) {
    post = c.s.core.LoadPost(k.target_id);
    if (post && !post->deleted()) {
      if (auto t = c.s.posts.Context(c.viewer, k.target_id); t.ok()) thread = std::move(t).value();
      std::vector<social::PostPtr> all = thread.ancestors;
      all.push_back(post);
      all.insert(all.end(), thread.descendants.begin(), thread.descendants.end());
      writer.Prefetch(all);
    }
  }
  w.Key("target").BeginObject();
  w.Key("account");
  if (auto account = c.s.core.LoadAccount(k.account_id)) {
    WriteAccount(w, c.s.core, *account);
  } else {
    w.Null();
  }
  w.Key("status");
  if (post && !post->deleted()) {
    writer.Write(w, post);
  } else {
    w.Null();
  }
  WriteOptionalTime(w, "status_deleted_at", post ? post->deleted_at : std::nullopt);
  w.EndObject();

  // The statuses the case is about (docs/api.md): its target, and in a campaign case every
  // near-duplicate by another account that joined it; one decision covers them all.
  const auto statuses = read->cases().ListStatuses(k.id, kCampaignStatusesShown);
  w.Field("campaign", statuses.size() > 1);
  w.Key("statuses").BeginArray();
  for (const CaseStatus& m : statuses) {
    w.BeginObject();
    w.Key("id").IdString(m.status_id);
    w.Key("account_id").IdString(m.account_id);
    w.Field("added_at", FormatIso8601(m.added_at));
    w.EndObject();
  }
  w.EndArray();

  // The evidence: the first snapshot (each notice carries its own below).
  w.Key("snapshot");
  if (!notices.empty() && !notices.front().items.empty()) {
    WriteSnapshot(w, notices.front().items.front().snapshot);
  } else {
    w.Null();
  }
  w.Key("context").BeginObject();
  w.Key("ancestors");
  WriteStatuses(w, writer, thread.ancestors);
  w.Key("descendants");
  WriteStatuses(w, writer, thread.descendants);
  w.EndObject();

  w.Key("notices").BeginArray();
  for (const Notice& n : notices) {
    for (const NoticeItem& item : n.items) {
      w.BeginObject();
      w.Key("id").IdString(n.id);
      w.Field("reference", n.reference);
      w.Field("source", NoticeSourceName(n.source));
      WriteOptionalId(w, "reporter_id", n.reporter_account_id);
      WriteOptionalId(w, "notifier_id", n.notifier_id);
      w.Field("name", n.name);
      w.Field("has_email", !n.email.empty());
      w.Field("received_at", FormatIso8601(n.received_at));
      w.Field("category", CategoryName(n.category));
      if (n.report_category) {
        w.Field("report_category", ReportCategoryName(*n.report_category));
      } else {
        w.NullField("report_category");
      }
      w.Field("explanation", n.explanation);
      w.Field("legal_provision", n.legal_provision);
      w.Key("rule_ids").BeginArray();
      for (Id r : n.rule_ids) w.IdString(r);
      w.EndArray();
      w.Field("threat_to_life", n.threat_to_life);
      w.Field("good_faith", n.good_faith);
      w.Field("automated_score", n.score);
      w.Field("location", item.location);
      w.Key("snapshot");
      WriteSnapshot(w, item.snapshot);
      w.Field("outcome", item.outcome);
      w.EndObject();
    }
  }
  w.EndArray();

  // What screening found about the status, at its creation and each edit (oldest first).
  w.Key("screenings").BeginArray();
  if (k.target_type == TargetType::kStatus) {
    for (const ScreeningRecord& r : read->posts().ListScreenings(k.target_id)) {
      w.BeginObject();
      w.Key("id").IdString(r.id);
      w.Field("created_at", FormatIso8601(r.created_at));
      w.Field("edit", r.edit);
      w.Field("verdict", r.verdict);
      w.Field("reason", r.reason);
      w.Key("rules").BeginArray();
      for (const auto& name : r.rule_names) w.String(name);
      w.EndArray();
      w.Field("rules_version", r.rules_version);
      w.Field("model_version", r.model_version);
      w.Key("signals").Raw(r.signals_json);
      w.EndObject();
    }
  }
  w.EndArray();

  w.Key("notes").BeginArray();
  for (const auto& note : read->cases().ListNotes(k.id)) {
    w.BeginObject();
    w.Key("id").IdString(note.id);
    w.Key("author_id").IdString(note.author_id);
    w.Field("text", note.text);
    w.Field("created_at", FormatIso8601(note.created_at));
    w.EndObject();
  }
  w.EndArray();

  // The author's history: earlier and other cases, decisions and strikes.
  w.Key("history").BeginObject();
  w.Key("cases").BeginArray();
  for (const auto& other : read->cases().ListForAccount(k.account_id, kHistoryShown)) {
    if (other.id == k.id) continue;
    w.BeginObject();
    WriteCaseFields(w, other, now);
    w.EndObject();
  }
  w.EndArray();
  storage::PageQuery recent;
  recent.limit = kHistoryShown;
  w.Key("decisions").BeginArray();
  for (const auto& d : read->decisions().ListForAccount(k.account_id, recent)) {
    w.BeginObject();
    w.Key("id").IdString(d.id);
    WriteOptionalId(w, "case_id", d.case_id);
    w.Field("action", DecisionActionName(d.action));
    w.Field("ground", DecisionGroundName(d.ground));
    WriteOptionalId(w, "status_id", d.target_status_id);
    w.Field("created_at", FormatIso8601(d.created_at));
    WriteOptionalTime(w, "reversed_at", d.reversed_at);
    w.EndObject();
  }
  w.EndArray();
  w.Field("strikes", read->decisions().CountStrikes(k.account_id, Timestamp{}));
  w.EndObject();

  w.EndObject();
  return Ok(w.Take());
}

Response Next(Call& c) {
  if (c.s.cases == nullptr) return Unavailable503();
  return CaseResponse(c, c.s.cases->ClaimNext(c.auth->account_id));
}

template <typename Fn>
Response LeaseAction(Call& c, Fn fn) {
  if (c.s.cases == nullptr) return Unavailable503();
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  auto version = VersionParam(c);
  if (!version.ok()) return ErrorResponse(version.status());
  return CaseResponse(c, fn(*id, *version));
}

Response Renew(Call& c) {
  return LeaseAction(c, [&](Id id, std::optional<int64_t> v) {
    return c.s.cases->Renew(id, c.auth->account_id, v);
  });
}

Response Release(Call& c) {
  return LeaseAction(c, [&](Id id, std::optional<int64_t> v) {
    return c.s.cases->Release(id, c.auth->account_id, v);
  });
}

Response Assign(Call& c) {
  if (c.s.cases == nullptr) return Unavailable503();
  Id assignee = kNoId;
  if (auto v = c.params.String("account_id"); v && !v->empty()) {
    auto id = ParseId(*v);
    if (!id) return ErrorResponse(InvalidArgument("Validation failed: account_id must be an id"));
    assignee = *id;
  } else if (auto name = c.params.String("username"); name && !name->empty()) {
    auto account = c.s.core.storage().Read()->accounts().FindByUsername(*name);
    if (!account.ok()) return ErrorResponse(InvalidArgument("Validation failed: unknown moderator"));
    assignee = account->id;
  } else {
    return ErrorResponse(InvalidArgument("Validation failed: give the moderator's account_id or username"));
  }
  return LeaseAction(c, [&](Id id, std::optional<int64_t> v) {
    return c.s.cases->Assign(id, assignee, c.auth->account_id, v);
  });
}

// DELETE /api/v1/admin/cases/:id/statuses/:status_id: a status grouped into the case by mistake
// (a campaign member) leaves it (safety::CaseService::RemoveStatus); `reason` is required,
// `version` optional. Answers the case view, without the status.
Response RemoveStatus(Call& c) {
  if (c.s.cases == nullptr) return Unavailable503();
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  auto status_id = c.PathId("status_id");
  if (!status_id.ok()) return ErrorResponse(status_id.status());
  auto version = VersionParam(c);
  if (!version.ok()) return ErrorResponse(version.status());
  auto removed =
      c.s.cases->RemoveStatus(*id, *status_id, c.auth->account_id,
                              AtLeast(c.auth->role, Role::kAdmin), c.Str("reason"), *version);
  if (!removed.ok()) return ErrorResponse(removed.status());
  return ShowCase(c);
}

void WriteNote(JsonWriter& w, const CaseNote& note) {
  w.BeginObject();
  w.Key("id").IdString(note.id);
  w.Key("case_id").IdString(note.case_id);
  w.Key("author_id").IdString(note.author_id);
  w.Field("text", note.text);
  w.Field("created_at", FormatIso8601(note.created_at));
  w.EndObject();
}

Response AddNote(Call& c) {
  if (c.s.cases == nullptr) return Unavailable503();
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  auto note = c.s.cases->AddNote(*id, c.auth->account_id, c.Str("text"));
  if (!note.ok()) return ErrorResponse(note.status());
  JsonWriter w;
  WriteNote(w, *note);
  return Ok(w.Take());
}

Response ListNotes(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  auto read = c.s.core.storage().Read();
  if (auto found = read->cases().Get(*id); !found.ok()) return ErrorResponse(found.status());
  JsonWriter w;
  w.BeginArray();
  for (const auto& note : read->cases().ListNotes(*id)) WriteNote(w, note);
  w.EndArray();
  return Ok(w.Take());
}

}  // namespace

void RegisterCaseRoutes(Api& api, Router& router) {
  constexpr auto kRead = "admin:read:reports";
  constexpr auto kWrite = "admin:write:reports";
  api.Route(router, Method::kGet, "/api/v1/admin/cases", Access::kModerator, kRead, ListCases);
  api.Route(router, Method::kPost, "/api/v1/admin/cases/next", Access::kModerator, kWrite, Next);
  api.Route(router, Method::kGet, "/api/v1/admin/cases/:id", Access::kModerator, kRead, ShowCase);
  api.Route(router, Method::kPost, "/api/v1/admin/cases/:id/renew", Access::kModerator, kWrite, Renew);
  api.Route(router, Method::kPost, "/api/v1/admin/cases/:id/release", Access::kModerator, kWrite,
            Release);
  api.Route(router, Method::kPost, "/api/v1/admin/cases/:id/assign", Access::kAdmin, kWrite, Assign);
  api.Route(router, Method::kDelete, "/api/v1/admin/cases/:id/statuses/:status_id",
            Access::kModerator, kWrite, RemoveStatus);
  api.Route(router, Method::kGet, "/api/v1/admin/cases/:id/notes", Access::kModerator, kRead,
            ListNotes);
  api.Route(router, Method::kPost, "/api/v1/admin/cases/:id/notes", Access::kModerator, kWrite,
            AddNote);
}

}  // namespace stoa::http::api
