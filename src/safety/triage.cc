// Triage: urgency classes, scores, deadlines (see triage.h for the rules).
#include "safety/triage.h"

#include <algorithm>
#include <bit>

namespace stoa::safety {

std::string_view UrgencyName(Urgency u) {
  switch (u) {
    case Urgency::kThreatToLife: return "threat_to_life";
    case Urgency::kManifestlyIllegal: return "manifestly_illegal";
    case Urgency::kIllegal: return "illegal";
    case Urgency::kTerms: return "terms";
    case Urgency::kSpam: return "spam";
  }
  return "illegal";
}

TriageSettings TriageSettings::FromConfig(const Config::Safety& c) {
  TriageSettings s;
  s.threat_to_life = std::chrono::minutes(c.deadline_threat_to_life_minutes);
  s.manifestly_illegal = std::chrono::hours(c.deadline_manifestly_illegal_hours);
  s.illegal = std::chrono::hours(c.deadline_illegal_hours);
  s.terms = std::chrono::hours(c.deadline_terms_hours);
  s.spam = std::chrono::hours(c.deadline_spam_hours);
  s.priority_deadline_percent = c.priority_deadline_percent;
  s.priority_bonus = c.score_priority_bonus;
  s.per_notifier = c.score_per_notifier;
  s.notifier_cap = c.score_notifier_cap;
  s.reach_weight = c.score_reach_weight;
  s.reach_cap = c.score_reach_cap;
  s.brigading_damping_percent = c.brigading_damping_percent;
  s.brigading_bridge_bonus_percent = c.brigading_bridge_bonus_percent;
  s.brigading_sample = c.brigading_sample;
  s.record_min_decided = c.record_min_decided;
  s.record_weight_percent = c.record_weight_percent;
  s.record_floor_percent = c.record_floor_percent;
  s.record_cap_percent = c.record_cap_percent;
  return s;
}

Urgency Triage::Classify(const NoticeSignals& n) {
  if (n.threat_to_life || n.category == Category::kSelfHarm) return Urgency::kThreatToLife;
  switch (n.category) {
    case Category::kViolence:
    case Category::kRiskForPublicSecurity:
    case Category::kProtectionOfMinors:
      return Urgency::kManifestlyIllegal;
    default:
      break;
  }
  if (n.report_category) {
    switch (*n.report_category) {
      case ReportCategory::kSpam: return Urgency::kSpam;
      case ReportCategory::kLegal: return Urgency::kIllegal;
      case ReportCategory::kViolation:
      case ReportCategory::kOther: return Urgency::kTerms;
    }
  }
  if (n.category == Category::kOtherViolationTc) return Urgency::kTerms;
  return Urgency::kIllegal;
}

Category Triage::CategoryForReport(ReportCategory c) {
  return c == ReportCategory::kLegal ? Category::kNotSpecifiedNotice : Category::kOtherViolationTc;
}

int64_t Triage::Severity(Urgency u) {
  switch (u) {
    case Urgency::kThreatToLife: return 1000;
    case Urgency::kManifestlyIllegal: return 500;
    case Urgency::kIllegal: return 300;
    case Urgency::kTerms: return 200;
    case Urgency::kSpam: return 100;
  }
  return 300;
}

Duration Triage::ClassDuration(Urgency u) const {
  switch (u) {
    case Urgency::kThreatToLife: return s_.threat_to_life;
    case Urgency::kManifestlyIllegal: return s_.manifestly_illegal;
    case Urgency::kIllegal: return s_.illegal;
    case Urgency::kTerms: return s_.terms;
    case Urgency::kSpam: return s_.spam;
  }
  return s_.illegal;
}

int64_t Triage::Score(Urgency u, bool priority, int64_t notifier_weight, const Reach& reach,
                      int automated_confidence) const {
  int64_t score = Severity(u);
  if (priority) score += s_.priority_bonus;
  score += s_.per_notifier * std::clamp<int64_t>(notifier_weight, 0, s_.notifier_cap * 1000) / 1000;
  const uint64_t r = static_cast<uint64_t>(std::max<int64_t>(0, reach.reblogs)) +
                     static_cast<uint64_t>(std::max<int64_t>(0, reach.favourites)) +
                     static_cast<uint64_t>(std::max<int64_t>(0, reach.replies)) +
                     static_cast<uint64_t>(std::max<int64_t>(0, reach.author_followers)) / 100;
  score += std::min<int64_t>(s_.reach_cap, s_.reach_weight * static_cast<int64_t>(std::bit_width(r)));
  score += std::clamp(automated_confidence, 0, 100);
  return score;
}

int64_t Triage::NotifierWeight(const NotifierSignals& n) const {
  int64_t record = 100;
  if (n.record.decided >= std::max(1, s_.record_min_decided)) {
    record = 100 + s_.record_weight_percent * (n.record.upheld - n.record.unfounded) /
                       n.record.decided;
    record = std::clamp<int64_t>(record, s_.record_floor_percent, s_.record_cap_percent);
  }
  int64_t cluster = 100;
  if (n.member && n.earlier_members > 0) {
    const int64_t linked = std::clamp<int64_t>(n.linked_members, 0, n.earlier_members);
    if (linked > 0) {
      cluster = 100 - s_.brigading_damping_percent * linked / n.earlier_members;
    } else if (n.case_damped) {
      cluster = 100 + s_.brigading_bridge_bonus_percent;
    }
  }
  return 1000 * record * cluster / 10000;
}

Timestamp Triage::Deadline(Timestamp from, Urgency u, bool priority, int64_t score) const {
  int64_t ms = ClassDuration(u).count();
  if (priority) ms = ms * s_.priority_deadline_percent / 100;
  // The first notifier is part of every case's baseline; only what comes on top pulls.
  const int64_t extra = std::max<int64_t>(0, score - Severity(u) - s_.per_notifier);
  ms = ms * 1000 / (1000 + extra);
  return from + Duration(std::max<int64_t>(ms, 1));
}

void Triage::Apply(Case& c, const NoticeSignals& n, Timestamp received_at, const Reach& reach) const {
  const Urgency notice_class = Classify(n);
  const bool notice_priority = IsPrioritySource(n.source);
  const bool opening = c.deadline_at == Timestamp::max();
  const Urgency previous_class = static_cast<Urgency>(c.urgency);
  if (opening || static_cast<int>(notice_class) < c.urgency) {
    c.urgency = static_cast<int>(notice_class);
    c.category = n.category;
  }
  if (notice_class == Urgency::kThreatToLife) c.threat_to_life = true;
  const Urgency case_class = static_cast<Urgency>(c.urgency);
  const int64_t score =
      Score(case_class, c.priority(), c.notifier_weight, reach, n.automated_confidence);
  c.score = opening ? score : std::max(c.score, score);
  // The notice's own deadline runs from its arrival (a notice that reveals a graver class starts
  // that class's clock); the case's earlier class is pulled by the new score from the case's
  // creation.
  Timestamp deadline = Deadline(received_at, notice_class, notice_priority, c.score);
  if (!opening) {
    deadline = std::min({deadline, c.deadline_at,
                         Deadline(c.created_at, previous_class, c.priority(), c.score)});
  }
  c.deadline_at = deadline;
}

}  // namespace stoa::safety
