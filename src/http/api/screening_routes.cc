// Screening administration (docs/screening.md, "In the server"):
//   GET  /api/v1/admin/screening          the rules and model in use, thresholds, surge, counts
//   POST /api/v1/admin/screening/test     the rule tester's dry run (moderators and up)
//   POST /api/v1/admin/screening/reload   reload rules and model atomically (admins)
//   GET  /api/v1/admin/screening/rules    each rule's hits, decisions and precision (moderators)
#include <string>

#include "common/json_writer.h"
#include "common/strings.h"
#include "http/api/api.h"
#include "safety/screening_feedback.h"
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
  Status st = c.s.screening->Reload();
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
}

}  // namespace stoa::http::api
