// Triage (DESIGN section 7): every case has an urgency class, a score and a deadline.
//
// Urgency classes, most urgent first, with their default deadlines (all configurable under
// [safety] in the configuration):
//   threat_to_life       1 h    the notifier flags a threat to life or safety, or the category is
//                               STATEMENT_CATEGORY_SELF_HARM (an Art. 18 referral may be due)
//   manifestly_illegal   24 h   STATEMENT_CATEGORY_VIOLENCE (calls to violence),
//                               _RISK_FOR_PUBLIC_SECURITY (terrorism), _PROTECTION_OF_MINORS
//   illegal              7 d    any other category of a notice or of a "legal" report
//   terms                7 d    STATEMENT_CATEGORY_OTHER_VIOLATION_TC; "violation" and "other"
//                               reports
//   spam                 3 d    "spam" reports
//
// Score (an integer; higher matters more):
//   severity of the class (threat 1000, manifestly illegal 500, illegal 300, terms 200, spam 100)
//   + priority_bonus when a trusted flagger, an authority or the host sent a notice
//   + per_notifier x the weighted distinct notifiers (at most notifier_cap of them; see below)
//   + reach_weight x bit_width(reblogs + favourites + replies + author's followers / 100)
//     (a log2 of the reach), at most reach_cap
//   + the highest automated confidence (0..100) of automated notices.
//
// Deadline: the class's duration, shortened for priority sources to priority_deadline_percent,
// then pulled earlier by the score above the class's baseline (its severity plus one notifier):
// duration x 1000 / (1000 + extra). A lone notice about content nobody shared keeps the class's
// full deadline.
// A notice's deadline runs from its arrival (so a notice that reveals a graver class starts that
// class's clock then). When more notices arrive, the case's deadline becomes the earliest of its
// current one, the new notice's own deadline (its class, its source, the case's new score) and
// the deadline of the case's previous class pulled by the new score, counted from the case's
// creation. It never moves later.
//
// Weighted notifiers (Case::notifier_weight, in thousandths): each distinct notifier of a case
// counts with a weight, the product of two factors (percent), fixed when it first joins the case:
//   track record: once a notifier has had record_min_decided notices decided (NotifierRecord),
//     100 + record_weight_percent x (upheld - manifestly unfounded) / decided, within
//     [record_floor_percent, record_cap_percent]: notifiers often found right weigh more, those
//     often manifestly unfounded less (DSA Art. 23(2)); 100 before that;
//   brigading (members only): among the case's earlier member notifiers (at most
//     brigading_sample of them), the share it follows or is followed by damps it:
//     100 - brigading_damping_percent x linked / earlier; a member with no such link joining a
//     case that was damped already (a cluster reported it) counts 100 +
//     brigading_bridge_bonus_percent: people outside the cluster confirm it. Anonymous, priority
//     and automated notifiers: 100.
//
// Queue order (GET /api/v1/admin/cases and the head that POST /api/v1/admin/cases/next claims):
// deadline_at ascending, then score descending, then id ascending (older case first). An index
// on exactly this order over the open, unassigned cases makes taking the head O(log n).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/clock.h"
#include "common/config.h"
#include "domain/safety.h"

namespace stoa::safety {

enum class Urgency { kThreatToLife = 0, kManifestlyIllegal = 1, kIllegal = 2, kTerms = 3, kSpam = 4 };
std::string_view UrgencyName(Urgency u);  // "threat_to_life", "manifestly_illegal" ...

struct TriageSettings {
  Duration threat_to_life = std::chrono::hours(1);
  Duration manifestly_illegal = std::chrono::hours(24);
  Duration illegal = std::chrono::hours(24 * 7);
  Duration terms = std::chrono::hours(24 * 7);
  Duration spam = std::chrono::hours(24 * 3);
  int priority_deadline_percent = 50;
  int64_t priority_bonus = 300;
  int64_t per_notifier = 10;
  int64_t notifier_cap = 50;
  int64_t reach_weight = 20;
  int64_t reach_cap = 400;
  int brigading_damping_percent = 75;
  int brigading_bridge_bonus_percent = 50;
  int brigading_sample = 50;
  int record_min_decided = 3;
  int record_weight_percent = 50;
  int record_floor_percent = 25;
  int record_cap_percent = 200;

  static TriageSettings FromConfig(const Config::Safety& config);
};

// What triage knows about a notifier the first time it joins a case.
struct NotifierSignals {
  NotifierRecord record;
  bool member = false;          // brigading applies to members only
  int64_t earlier_members = 0;  // other members with a notice in the case (sampled)
  int64_t linked_members = 0;   // of those, how many it follows or is followed by
  bool case_damped = false;     // the case's weight was below its notifier count already
};

// What triage knows about a notice.
struct NoticeSignals {
  Category category = Category::kNotSpecifiedNotice;
  std::optional<ReportCategory> report_category;
  bool threat_to_life = false;
  NoticeSource source = NoticeSource::kAnonymous;
  int automated_confidence = 0;  // 0..100
};

// The reach of the reported content.
struct Reach {
  int64_t reblogs = 0;
  int64_t favourites = 0;
  int64_t replies = 0;
  int64_t author_followers = 0;
};

class Triage {
 public:
  explicit Triage(TriageSettings settings = {}) : s_(settings) {}
  const TriageSettings& settings() const { return s_; }

  static Urgency Classify(const NoticeSignals& notice);
  // A Mastodon report's category in the Transparency Database taxonomy.
  static Category CategoryForReport(ReportCategory c);
  static int64_t Severity(Urgency u);

  Duration ClassDuration(Urgency u) const;
  // Everything the score is made of; see the header comment. `notifier_weight`: the weighted
  // distinct notifiers in thousandths (1000 per notifier of ordinary weight).
  int64_t Score(Urgency u, bool priority, int64_t notifier_weight, const Reach& reach,
                int automated_confidence) const;
  // The weight (thousandths) a notifier adds to a case it joins; see the header comment.
  int64_t NotifierWeight(const NotifierSignals& notifier) const;
  // The deadline of a class and score counted from `from`.
  Timestamp Deadline(Timestamp from, Urgency u, bool priority, int64_t score) const;

  // Applies a notice (already counted in c.notices_count, c.distinct_notifiers,
  // c.notifier_weight and c.sources) to a case: the more urgent class (and its category), the
  // higher score, the earlier deadline.
  // For the notice that opens a case, call it on a case whose deadline_at is Timestamp::max().
  void Apply(Case& c, const NoticeSignals& notice, Timestamp received_at, const Reach& reach) const;

 private:
  TriageSettings s_;
};

}  // namespace stoa::safety
