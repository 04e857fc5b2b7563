// Decisions, statements of reasons and appeals:
//   POST /api/v1/admin/cases/:id/decision   decide a case the caller holds (moderators)
//   POST /api/v1/admin/cases/decisions      one decision on up to max_bulk_decisions held cases
//   GET  /api/v1/admin/decisions/:id        a decision (moderators)
//   GET  /api/v1/statements/:id             a statement of reasons (its member and staff)
//   POST /api/v1/appeals                    appeal a decision (the author, or a notifier
//                                           against no_action)
//   GET  /api/v1/appeals/:id                an appeal (its appellant and staff)
#include <string>
#include <vector>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "http/api/api.h"
#include "http/api/decision_json.h"
#include "safety/appeal_service.h"
#include "safety/decision_service.h"

namespace stoa::http::api {
namespace {

Response Unavailable503() { return ErrorResponse(Unavailable("Trust and safety is not configured")); }

Status Invalid(const std::string& m) { return InvalidArgument("Validation failed: " + m); }

Result<int64_t> ParseVersion(const std::string& text) {
  if (text.empty()) return Invalid("version is required");
  int64_t v = 0;
  for (char ch : text) {
    if (ch < '0' || ch > '9' || v > (INT64_MAX - 9) / 10) return Invalid("version must be a number");
    v = v * 10 + (ch - '0');
  }
  return v;
}

Result<safety::DecisionRequest> ReadRequest(const Call& c) {
  safety::DecisionRequest r;
  r.action = c.Str("action");
  if (r.action.empty()) return Invalid("action is required");
  r.ground = c.Str("ground");
  r.facts = c.Str("facts");
  r.reasons = c.Str("reasons");
  r.legal_provision = c.Str("legal_provision");
  if (const std::string rule = c.Str("rule_id"); !rule.empty()) {
    auto id = ParseId(rule);
    if (!id) return Invalid("rule_id is not a rule of this instance");
    r.rule_id = *id;
  }
  if (const std::string until = c.Str("until"); !until.empty()) {
    auto t = ParseIso8601(until);
    if (!t) return Invalid("until is not a date (ISO 8601)");
    r.until = *t;
  }
  r.territorial_scope = c.params.StringArray("territorial_scope");
  r.automated_detection = c.params.Bool("automated_detection").value_or(false);
  if (const std::string a = c.Str("automated_decision"); !a.empty()) {
    auto parsed = ParseAutomatedDecision(a);
    if (!parsed) return Invalid("automated_decision must be not_automated, partially or fully");
    r.automated_decision = *parsed;
  }
  r.manifestly_unfounded = c.params.Bool("manifestly_unfounded").value_or(false);
  r.referral_authority = c.Str("referral_authority");
  r.referral_reference = c.Str("referral_reference");
  r.replacement_action = c.Str("replacement_action");
  return r;
}

Response Decide(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  auto version = ParseVersion(c.Str("version"));
  if (!version.ok()) return ErrorResponse(version.status());
  auto request = ReadRequest(c);
  if (!request.ok()) return ErrorResponse(request.status());
  if (c.s.decisions == nullptr) return Unavailable503();
  auto d = c.s.decisions->Decide(c.viewer, safety::CaseRef{*id, *version}, *request);
  if (!d.ok()) return ErrorResponse(d.status());
  JsonWriter w;
  WriteDecision(w, *d);
  return Ok(w.Take());
}

Response DecideMany(Call& c) {
  const std::vector<std::string> ids = c.params.StringArray("case_ids");
  const std::vector<std::string> versions = c.params.StringArray("versions");
  if (ids.empty()) return ErrorResponse(Invalid("case_ids is required"));
  if (ids.size() != versions.size()) {
    return ErrorResponse(Invalid("versions must give one version per case id"));
  }
  std::vector<safety::CaseRef> refs;
  for (size_t i = 0; i < ids.size(); ++i) {
    auto id = ParseId(ids[i]);
    if (!id) return ErrorResponse(Invalid("case_ids: " + ids[i] + " is not a case id"));
    auto version = ParseVersion(versions[i]);
    if (!version.ok()) return ErrorResponse(version.status());
    refs.push_back({*id, *version});
  }
  auto request = ReadRequest(c);
  if (!request.ok()) return ErrorResponse(request.status());
  if (c.s.decisions == nullptr) return Unavailable503();
  auto decisions = c.s.decisions->DecideMany(c.viewer, refs, *request);
  if (!decisions.ok()) return ErrorResponse(decisions.status());
  JsonWriter w;
  w.BeginArray();
  for (const auto& d : *decisions) WriteDecision(w, d);
  w.EndArray();
  return Ok(w.Take());
}

Response ShowDecision(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  if (c.s.decisions == nullptr) return Unavailable503();
  auto d = c.s.decisions->Get(c.viewer, *id);
  if (!d.ok()) return ErrorResponse(d.status());
  JsonWriter w;
  WriteDecision(w, *d);
  return Ok(w.Take());
}

Response ShowStatement(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  if (c.s.decisions == nullptr) return Unavailable503();
  auto s = c.s.decisions->GetStatement(c.viewer, *id);
  if (!s.ok()) return ErrorResponse(s.status());
  return Ok(StatementJson(*s));
}

Response AppealJson(Services& s, const Appeal& a) {
  std::optional<Decision> resolution;
  if (a.resolution_id != kNoId) {
    auto read = s.core.storage().Read();
    if (auto d = read->decisions().Get(a.resolution_id); d.ok()) resolution = *d;
  }
  JsonWriter w;
  WriteAppeal(w, a, resolution ? &*resolution : nullptr);
  return Ok(w.Take());
}

Response FileAppeal(Call& c) {
  auto decision_id = ParseId(c.Str("decision_id"));
  if (!decision_id) return ErrorResponse(Invalid("decision_id is required"));
  if (c.s.appeals == nullptr) return Unavailable503();
  auto appeal = c.s.appeals->File(c.viewer, *decision_id, c.Str("text"));
  if (!appeal.ok()) return ErrorResponse(appeal.status());
  return AppealJson(c.s, *appeal);
}

Response ShowAppeal(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  if (c.s.appeals == nullptr) return Unavailable503();
  auto appeal = c.s.appeals->Get(c.viewer, *id);
  if (!appeal.ok()) return ErrorResponse(appeal.status());
  return AppealJson(c.s, *appeal);
}

}  // namespace

void RegisterDecisionRoutes(Api& api, Router& r) {
  api.Route(r, Method::kPost, "/api/v1/admin/cases/decisions", Access::kModerator,
            "admin:write:reports", DecideMany);
  api.Route(r, Method::kPost, "/api/v1/admin/cases/:id/decision", Access::kModerator,
            "admin:write:reports", Decide);
  api.Route(r, Method::kGet, "/api/v1/admin/decisions/:id", Access::kModerator,
            "admin:read:reports", ShowDecision);
  // Redress routes: open to members whose account is suspended or whose login is disabled too.
  api.Route(r, Method::kGet, "/api/v1/statements/:id", Access::kUserRedress, "read",
            ShowStatement);
  api.Route(r, Method::kPost, "/api/v1/appeals", Access::kUserRedress, "write", FileAppeal);
  api.Route(r, Method::kGet, "/api/v1/appeals/:id", Access::kUserRedress, "read", ShowAppeal);
}

}  // namespace stoa::http::api
