// Screening administration (docs/screening.md, "In the server"):
//   GET  /api/v1/admin/screening          the rules and model in use, thresholds, surge, counts
//   POST /api/v1/admin/screening/test     the rule tester's dry run (moderators and up)
//   POST /api/v1/admin/screening/reload   reload rules and model atomically (admins)
//   GET  /api/v1/admin/screening/rules    each rule's hits, decisions and precision (moderators)
//   POST /api/v1/admin/screening/rescan   start a retroactive rescan in the background (admins)
//   GET  /api/v1/admin/screening/rescan   the running or last rescan with its progress (moderators)
#include <algorithm>
#include <charconv>
#include <chrono>
#include <string>

#include "common/json_writer.h"
#include "common/strings.h"
#include "http/api/api.h"
#include "safety/screening_feedback.h"
#include "safety/screening_rescan.h"
#include "safety/transparency.h"
#include "safety/screening_service.h"

namespace stoa::http::api {
namespace {

constexpr size_t kMaxTestBytes = 100000;

Response Disabled() {
  return ErrorResponse(Unavailable("Screening is disabled on this server (screening.enabled)"));
}

Response State(Call& c) {
  if (c.s.screening == nullptr) return Disabled();
  return Ok(c.s.screening->StateJson());
}

Response Test(Call& c) {
  if (c.s.screening == nullptr) return Disabled();
  auto text = c.params.String("text");
  if (!text) return ErrorResponse(InvalidArgument("text is required"));
  if (text->size() > kMaxTestBytes) {
    return ErrorResponse(InvalidArgument("text is longer than " + std::to_string(kMaxTestBytes) +
                                         " bytes"));
  }
  if (!IsValidUtf8(*text)) return ErrorResponse(InvalidArgument("text must be UTF-8"));
  const std::string language = c.Str("language");
  screen::Screening s;
  if (Status st = c.s.screening->Test(*text, language, &s); !st.ok()) return ErrorResponse(st);
  JsonWriter w;
  w.BeginObject();
  w.Field("verdict", screen::VerdictName(s.verdict()));
  w.Key("categories").Raw(s.CategoriesJson());
  w.Key("rule_hits").Raw(s.RuleHitsJson());
  w.Field("normalized", s.normalized.text);
  w.Field("reason", s.Reason());
  w.Field("surge", s.policy.surge);
  w.Field("rules_version", s.rules_version());
  w.Field("model_version", s.model_version());
  w.EndObject();
  return Ok(w.Take());
}

Response Reload(Call& c) {
  if (c.s.screening == nullptr) return Disabled();
  Status st = c.s.screening->Reload(c.viewer.account_id, "api");
  if (!st.ok()) {
    // The old rules and model stay in use; the error names the file, line and reason.
    const StatusCode code = st.code() == StatusCode::kInvalidArgument ||
                                    st.code() == StatusCode::kNotFound ||
                                    st.code() == StatusCode::kUnavailable
                                ? StatusCode::kInvalidArgument
                                : st.code();
    return ErrorResponse(Status(code, st.message()));
  }
  return Ok(c.s.screening->StateJson());
}

Response Rules(Call& c) {
  if (c.s.screening == nullptr) return Disabled();
  const auto rules = c.s.screening->rules().Get();
  if (rules == nullptr) return ErrorResponse(Unavailable("No screening rules are loaded"));
  return Ok(safety::RulesReportJson(c.s.core, *rules));
}

// A date ("2026-11-01", midnight UTC) or an ISO 8601 time.
Result<std::optional<Timestamp>> DateParam(Call& c, const char* key, bool required) {
  auto v = c.params.String(key);
  if (!v || v->empty()) {
    if (required) return InvalidArgument(std::string(key) + " is required (a date or ISO 8601 time)");
    return std::optional<Timestamp>();
  }
  auto t = safety::ParsePeriodBound(*v);
  if (!t) {
    return InvalidArgument(std::string(key) + " must be a date (YYYY-MM-DD) or an ISO 8601 time");
  }
  return std::optional<Timestamp>(*t);
}

// An optional integer parameter (its range is checked by RescanOptions::Validate).
Result<std::optional<int64_t>> IntParam(Call& c, const char* key) {
  auto v = c.params.String(key);
  if (!v || v->empty()) return std::optional<int64_t>();
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || ptr != v->data() + v->size()) {
    return InvalidArgument(std::string(key) + " must be an integer");
  }
  return std::optional<int64_t>(n);
}

Response StartRescan(Call& c) {
  if (c.s.screening == nullptr || c.s.rescan == nullptr) return Disabled();
  safety::RescanOptions options;
  auto since = DateParam(c, "since", true);
  if (!since.ok()) return ErrorResponse(since.status());
  auto until = DateParam(c, "until", false);
  if (!until.ok()) return ErrorResponse(until.status());
  options.since = **since;
  options.until = *until;
  auto batch = IntParam(c, "batch_size");
  if (!batch.ok()) return ErrorResponse(batch.status());
  auto pause = IntParam(c, "pause_ms");
  if (!pause.ok()) return ErrorResponse(pause.status());
  if (*batch) {
    options.batch_size = static_cast<int>(
        std::clamp<int64_t>(**batch, -1, safety::RescanOptions::kMaxBatch + 1));
  }
  if (*pause) {
    options.pause = std::chrono::milliseconds(
        std::clamp<int64_t>(**pause, -1, safety::RescanOptions::kMaxPauseMs + 1));
  }
  options.started_by = c.viewer.account_id;
  auto job = c.s.rescan->Start(options);
  if (!job.ok()) return ErrorResponse(job.status());
  return Response::Json(202, safety::ScreeningRescan::JobJson(*job));
}

Response ShowRescan(Call& c) {
  if (c.s.screening == nullptr || c.s.rescan == nullptr) return Disabled();
  auto job = c.s.rescan->Current();
  if (!job) return ErrorResponse(NotFound("No rescan has run on this server"));
  return Ok(safety::ScreeningRescan::JobJson(*job));
}

}  // namespace

void RegisterScreeningRoutes(Api& api, Router& router) {
  api.Route(router, Method::kGet, "/api/v1/admin/screening", Access::kModerator,
            "admin:read", State);
  api.Route(router, Method::kPost, "/api/v1/admin/screening/test", Access::kModerator,
            "admin:read", Test);
  api.Route(router, Method::kPost, "/api/v1/admin/screening/reload", Access::kAdmin,
            "admin:write", Reload);
  api.Route(router, Method::kGet, "/api/v1/admin/screening/rules", Access::kModerator,
            "admin:read", Rules);
  api.Route(router, Method::kPost, "/api/v1/admin/screening/rescan", Access::kAdmin,
            "admin:write", StartRescan);
  api.Route(router, Method::kGet, "/api/v1/admin/screening/rescan", Access::kModerator,
            "admin:read", ShowRescan);
}

}  // namespace stoa::http::api
