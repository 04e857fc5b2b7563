// The transparency report (DSA Art. 15 and 24 figures, NetzDG-style time buckets) for any period,
// as JSON and CSV; the export of statements of reasons in the DSA Transparency Database shape;
// and the figures /metrics shows. Read-only; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "social/core.h"
#include "storage/transparency_store.h"

namespace stoa::safety {

struct TransparencyReport {
  Timestamp from, to, generated_at;
  // Notices received in the period.
  int64_t notices = 0;
  std::map<std::string, int64_t> notices_by_category;
  std::map<std::string, int64_t> notices_by_source;
  int64_t notices_from_trusted_flaggers = 0;
  // Decisions on notice cases taken in the period (appeal outcomes are counted under appeals).
  int64_t actions = 0;
  std::map<std::string, int64_t> actions_by_type;
  std::map<std::string, int64_t> actions_by_ground;  // illegal, terms, none
  std::map<std::string, int64_t> actions_by_type_and_ground;  // "remove_status/illegal"
  std::map<std::string, int64_t> actions_by_automation;  // not_automated, partially, fully
  int64_t actions_automated_detection = 0;
  // Time to action: from the case's first notice to the decision.
  std::optional<int64_t> median_time_to_action_seconds;
  int64_t within_24h = 0, within_48h = 0, within_7d = 0, later = 0;  // disjoint buckets
  int64_t deadline_breaches = 0;  // decided in the period after the case's deadline
  // Now: open cases and their age.
  int64_t open_cases = 0;
  int64_t open_overdue = 0;  // open past their deadline
  std::optional<int64_t> open_age_p50_seconds, open_age_p90_seconds, open_age_p99_seconds,
      open_age_max_seconds;
  // Appeals filed in the period.
  int64_t appeals = 0, appeals_decided = 0, appeals_reversed = 0, appeals_upheld = 0;
  std::optional<int64_t> appeals_median_decision_seconds;
  // Art. 23 suspensions started in the period.
  int64_t suspensions_accounts = 0, suspensions_notifiers = 0;
  // The audit log's head now.
  int64_t audit_entries = 0;
  std::string audit_head_hash;
};

// What /metrics shows (all time, and now).
struct SafetyMetricsSnapshot {
  int64_t notices_total = 0;
  int64_t cases_open = 0;
  std::map<std::string, int64_t> cases_open_by_category;
  double oldest_open_age_seconds = 0;
  int64_t deadline_breaches_total = 0;  // decided late + open past their deadline
  storage::ActionTotals actions;
};

class Transparency {
 public:
  explicit Transparency(social::Core& core);

  // The report for [from, to). kInvalidArgument when from >= to.
  Result<TransparencyReport> Report(Timestamp from, Timestamp to);

  // Every statement of reasons created in [from, to) as a JSON array of Transparency Database
  // objects (no personal data), oldest first. `count`, when given, receives how many.
  Result<std::string> ExportStatements(Timestamp from, Timestamp to, int64_t* count = nullptr);

  // The figures for /metrics, recomputed at most every `max_age` (scrapes share one snapshot).
  SafetyMetricsSnapshot Metrics(Duration max_age = std::chrono::seconds(10));

 private:
  social::Core& core_;
  std::mutex metrics_mu_;
  // Guarded by metrics_mu_.
  std::optional<Timestamp> metrics_at_;
  SafetyMetricsSnapshot metrics_;
};

std::string TransparencyJson(const TransparencyReport& r);
// "section,key,value" rows with a header line.
std::string TransparencyCsv(const TransparencyReport& r);

// Parses a period bound: "YYYY-MM-DD" (midnight UTC) or an ISO 8601 time.
std::optional<Timestamp> ParsePeriodBound(std::string_view text);

}  // namespace stoa::safety
