// The public transparency report: GET /api/v1/transparency?from=...&to=... as JSON, or as CSV with
// format=csv or Accept: text/csv.
#include "http/api/api.h"
#include "safety/transparency.h"

namespace stoa::http::api {
namespace {

constexpr auto kDefaultPeriod = std::chrono::hours(24 * 30);

Response Show(Call& c) {
  const Timestamp now = c.s.core.Now();
  Timestamp to = now;
  Timestamp from = now - kDefaultPeriod;
  if (const std::string v = c.Str("to"); !v.empty()) {
    auto t = safety::ParsePeriodBound(v);
    if (!t) return ErrorResponse(InvalidArgument("to must be a date (YYYY-MM-DD) or an ISO 8601 time"));
    to = *t;
  }
  if (const std::string v = c.Str("from"); !v.empty()) {
    auto t = safety::ParsePeriodBound(v);
    if (!t) {
      return ErrorResponse(InvalidArgument("from must be a date (YYYY-MM-DD) or an ISO 8601 time"));
    }
    from = *t;
  } else {
    from = to - kDefaultPeriod;
  }
  const std::string format = c.Str("format");
  if (!format.empty() && format != "json" && format != "csv") {
    return ErrorResponse(InvalidArgument("format must be json or csv"));
  }
  bool csv = format == "csv";
  if (format.empty()) {
    const std::string* accept = c.request.FindHeader("Accept");
    csv = accept != nullptr && accept->find("text/csv") != std::string::npos &&
          accept->find("application/json") == std::string::npos;
  }
  safety::Transparency transparency(c.s.core);
  auto report = transparency.Report(from, to);
  if (!report.ok()) return ErrorResponse(report.status());
  if (csv) return Response::Text(200, safety::TransparencyCsv(*report), "text/csv; charset=utf-8");
  return Ok(safety::TransparencyJson(*report));
}

}  // namespace

void RegisterTransparencyRoutes(Api& api, Router& r) {
  api.Route(r, Method::kGet, "/api/v1/transparency", Access::kPublic, "", Show);
}

}  // namespace stoa::http::api
