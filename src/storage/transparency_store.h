// Read-only queries for the transparency report and /metrics (DSA Art. 15 and 24 counters) over
// the notices, cases, decisions and appeals tables. Period queries are id-range scans (ids are
// time-ordered), so a report over a month reads that month's rows only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/id.h"

namespace stoa::storage {

// Notices received in a period, counted by category and source.
struct NoticeTally {
  std::string category;  // STATEMENT_CATEGORY_*
  std::string source;    // member, anonymous, trusted_flagger, authority, host, automated
  int64_t count = 0;
};

// One decision taken in a period, with what the report needs of its case.
struct DecisionFact {
  Id id = kNoId;
  std::string action;              // DecisionActionName
  std::string ground;              // "", "illegal", "terms"
  std::string automated_decision;  // not_automated, partially, fully
  bool automated_detection = false;
  bool appeal = false;             // taken on an appeal case (uphold / reverse)
  Timestamp case_created_at;       // when the case's first notice (or the appeal) arrived
  Timestamp case_deadline_at;
  Timestamp decided_at;
};

// One appeal filed in a period.
struct AppealFact {
  std::string state;  // pending, upheld, reversed
  Timestamp filed_at;
  std::optional<Timestamp> resolved_at;
};

// The open backlog now (notice and appeal cases), from counters the database keeps as cases open
// and close, and index-only reads of the open cases' creation and deadline times: never a read
// of every open case.
struct OpenBacklog {
  int64_t open = 0;
  std::map<std::string, int64_t> open_by_category;  // STATEMENT_CATEGORY_* -> open cases
  int64_t overdue = 0;                              // open past their deadline at `now`
  std::optional<Timestamp> oldest_created_at;
  // The creation time at each requested quantile (nearest rank over the open cases, oldest
  // first), in the order asked; empty when nothing is open.
  std::vector<Timestamp> created_at_quantiles;
};

// Totals over every decision ever taken on a notice case, for /metrics.
struct ActionTotals {
  int64_t decisions = 0;
  int64_t decided_late = 0;  // decided after the case's deadline
  double seconds_sum = 0;    // sum of time to action
  // Decisions whose time to action was at most each of ActionBucketSeconds().
  std::vector<int64_t> at_most;
};

// The upper bounds (seconds) of the time-to-action histogram: 1 h, 24 h, 48 h, 7 days.
const std::vector<int64_t>& ActionBucketSeconds();

// Screening's feedback (docs/screening.md, "Feedback"): a decided notice case about a status,
// with the text the first notice's evidence snapshot holds and the decision that closed it.
struct DecidedStatusCase {
  Id case_id = kNoId;
  Id status_id = kNoId;
  std::string spoiler_text;  // the snapshot's content warning
  std::string text;          // the snapshot's text
  std::string action;        // DecisionActionName of the decision
  bool reversed = false;     // an appeal reversed the decision
  std::string category;      // the case's STATEMENT_CATEGORY_*
  // The screening category an automated notice of the case names ("" when screening had no
  // notice in the case).
  std::string screening_category;
};

// Decisions on the notice items that screening's automated notices naming a rule raised.
struct RuleDecisions {
  std::string rule;
  int64_t upheld = 0;     // a restrictive decision that stands
  int64_t dismissed = 0;  // no_action, or a decision an appeal reversed
};

class TransparencyQueries {
 public:
  virtual ~TransparencyQueries() = default;

  virtual std::vector<NoticeTally> TallyNotices(Timestamp from, Timestamp to) const = 0;
  // Decisions taken in [from, to), oldest first.
  virtual std::vector<DecisionFact> ListDecisions(Timestamp from, Timestamp to) const = 0;
  // Appeals filed in [from, to), oldest first.
  virtual std::vector<AppealFact> ListAppeals(Timestamp from, Timestamp to) const = 0;
  // The open backlog at `now`, with the creation time of the open case at each of `quantiles`
  // (0..1, e.g. 0.5 for the median age: the quantile q of ages is the creation quantile 1 - q).
  virtual OpenBacklog Backlog(Timestamp now, const std::vector<double>& quantiles) const = 0;
  // Every notice ever received (a running total).
  virtual int64_t CountNotices() const = 0;
  virtual ActionTotals TotalActions() const = 0;

  // Decided notice cases about statuses with case id above `after_case_id`, by case id, at most
  // `limit` (appeal decisions are not listed: an appeal that reverses shows as `reversed`).
  virtual std::vector<DecidedStatusCase> ListDecidedStatusCases(Id after_case_id,
                                                                int limit) const = 0;
  // Screenings with rule hits, per rule name (a screening counts once per rule).
  virtual std::map<std::string, int64_t> CountRuleHits() const = 0;
  // Per rule name: the decisions on the items of screening's automated notices naming the rule.
  virtual std::vector<RuleDecisions> TallyRuleDecisions() const = 0;
};

}  // namespace stoa::storage
