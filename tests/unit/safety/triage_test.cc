// Triage: urgency classes, scores, deadlines and how notices change a case (safety/triage.h).
#include "safety/triage.h"

#include <gtest/gtest.h>

namespace stoa::safety {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const Timestamp kT0 = FromUnixMillis(1767225600000);

TEST(TriageTest, ClassifiesNotices) {
  struct Row {
    NoticeSignals signals;
    Urgency want;
  };
  const std::vector<Row> rows = {
      {{Category::kViolence, std::nullopt, true, NoticeSource::kAnonymous, 0}, Urgency::kThreatToLife},
      {{Category::kSelfHarm, std::nullopt, false, NoticeSource::kAnonymous, 0}, Urgency::kThreatToLife},
      {{Category::kOtherViolationTc, ReportCategory::kSpam, true, NoticeSource::kMember, 0},
       Urgency::kThreatToLife},
      {{Category::kViolence, std::nullopt, false, NoticeSource::kAnonymous, 0}, Urgency::kManifestlyIllegal},
      {{Category::kRiskForPublicSecurity, std::nullopt, false, NoticeSource::kHost, 0},
       Urgency::kManifestlyIllegal},
      {{Category::kProtectionOfMinors, std::nullopt, false, NoticeSource::kAnonymous, 0},
       Urgency::kManifestlyIllegal},
      {{Category::kScamsAndFraud, std::nullopt, false, NoticeSource::kAnonymous, 0}, Urgency::kIllegal},
      {{Category::kNotSpecifiedNotice, std::nullopt, false, NoticeSource::kAnonymous, 0}, Urgency::kIllegal},
      {{Category::kNotSpecifiedNotice, ReportCategory::kLegal, false, NoticeSource::kMember, 0},
       Urgency::kIllegal},
      {{Category::kOtherViolationTc, std::nullopt, false, NoticeSource::kAnonymous, 0}, Urgency::kTerms},
      {{Category::kOtherViolationTc, ReportCategory::kViolation, false, NoticeSource::kMember, 0},
       Urgency::kTerms},
      {{Category::kOtherViolationTc, ReportCategory::kOther, false, NoticeSource::kMember, 0}, Urgency::kTerms},
      {{Category::kOtherViolationTc, ReportCategory::kSpam, false, NoticeSource::kMember, 0}, Urgency::kSpam},
  };
  for (const auto& row : rows) {
    EXPECT_EQ(Triage::Classify(row.signals), row.want)
        << CategoryName(row.signals.category) << " -> " << UrgencyName(row.want);
  }
  EXPECT_EQ(Triage::CategoryForReport(ReportCategory::kLegal), Category::kNotSpecifiedNotice);
  EXPECT_EQ(Triage::CategoryForReport(ReportCategory::kSpam), Category::kOtherViolationTc);
}

TEST(TriageTest, DefaultDeadlinesAreDesignSectionSeven) {
  Triage t;
  struct Row {
    Urgency u;
    Duration want;
  };
  for (const Row& row : std::vector<Row>{{Urgency::kThreatToLife, hours(1)},
                                         {Urgency::kManifestlyIllegal, hours(24)},
                                         {Urgency::kIllegal, hours(24 * 7)},
                                         {Urgency::kTerms, hours(24 * 7)},
                                         {Urgency::kSpam, hours(24 * 3)}}) {
    const int64_t baseline = Triage::Severity(row.u) + t.settings().per_notifier;
    EXPECT_EQ(t.Deadline(kT0, row.u, false, baseline), kT0 + row.want) << UrgencyName(row.u);
    // Priority notifiers: half the time by default.
    EXPECT_EQ(t.Deadline(kT0, row.u, true, baseline), kT0 + row.want / 2) << UrgencyName(row.u);
  }
}

TEST(TriageTest, ScoreRisesWithSeverityPriorityNotifiersReachAndConfidence) {
  Triage t;
  const Reach none;
  // Notifiers are weighted in thousandths: 1000 is one notifier of ordinary weight.
  const int64_t base = t.Score(Urgency::kIllegal, false, 1000, none, 0);
  EXPECT_EQ(base, 300 + 10);
  EXPECT_GT(t.Score(Urgency::kManifestlyIllegal, false, 1000, none, 0), base);
  EXPECT_EQ(t.Score(Urgency::kIllegal, true, 1000, none, 0), base + 300);
  EXPECT_EQ(t.Score(Urgency::kIllegal, false, 5000, none, 0), base + 40);
  EXPECT_EQ(t.Score(Urgency::kIllegal, false, 2500, none, 0), base + 15);
  EXPECT_EQ(t.Score(Urgency::kIllegal, false, 5000000, none, 0), 300 + 10 * 50);  // capped
  EXPECT_EQ(t.Score(Urgency::kIllegal, false, 1000, Reach{1, 0, 0, 0}, 0), base + 20);
  EXPECT_EQ(t.Score(Urgency::kIllegal, false, 1000, Reach{1000, 0, 0, 0}, 0), base + 20 * 10);
  EXPECT_EQ(t.Score(Urgency::kIllegal, false, 1000, Reach{0, 0, 0, int64_t{1} << 60}, 0),
            base + 400);
  EXPECT_EQ(t.Score(Urgency::kIllegal, false, 1000, none, 80), base + 80);
  EXPECT_EQ(t.Score(Urgency::kIllegal, false, 1000, none, 500), base + 100);
  // A higher score pulls the deadline earlier, never later.
  EXPECT_EQ(t.Deadline(kT0, Urgency::kManifestlyIllegal, false, 500 + 10 + 1000), kT0 + hours(12));
  EXPECT_EQ(t.Deadline(kT0, Urgency::kManifestlyIllegal, false, 0), kT0 + hours(24));
}

TEST(TriageTest, NoticesJoiningACaseUpgradeItAndNeverDelayIt) {
  Triage t;
  Case c;
  c.created_at = kT0;
  c.deadline_at = Timestamp::max();
  c.notices_count = 1;
  c.distinct_notifiers = 1;
  c.notifier_weight = 1000;
  c.sources = SourceBit(NoticeSource::kMember);
  t.Apply(c, {Category::kOtherViolationTc, ReportCategory::kSpam, false, NoticeSource::kMember, 0}, kT0, {});
  EXPECT_EQ(c.urgency, static_cast<int>(Urgency::kSpam));
  EXPECT_EQ(c.deadline_at, kT0 + hours(72));
  EXPECT_EQ(c.category, Category::kOtherViolationTc);
  const int64_t spam_score = c.score;

  // A day later a violence notice arrives: the class, category and score go up; the deadline is
  // 24 hours from that notice.
  c.notices_count = 2;
  c.distinct_notifiers = 2;
  c.notifier_weight = 2000;
  t.Apply(c, {Category::kViolence, std::nullopt, false, NoticeSource::kAnonymous, 0}, kT0 + hours(24), {});
  EXPECT_EQ(c.urgency, static_cast<int>(Urgency::kManifestlyIllegal));
  EXPECT_EQ(c.category, Category::kViolence);
  EXPECT_GT(c.score, spam_score);
  EXPECT_LE(c.deadline_at, kT0 + hours(48));
  EXPECT_GT(c.deadline_at, kT0 + hours(24));
  const Timestamp deadline = c.deadline_at;
  const int64_t score = c.score;

  // A later, less urgent notice changes neither class nor category, and delays nothing.
  c.notices_count = 3;
  t.Apply(c, {Category::kOtherViolationTc, ReportCategory::kSpam, false, NoticeSource::kMember, 0},
          kT0 + hours(30), {});
  EXPECT_EQ(c.urgency, static_cast<int>(Urgency::kManifestlyIllegal));
  EXPECT_EQ(c.category, Category::kViolence);
  EXPECT_LE(c.deadline_at, deadline);
  EXPECT_GE(c.score, score);

  // A threat to life: one hour from now.
  t.Apply(c, {Category::kViolence, std::nullopt, true, NoticeSource::kAnonymous, 0}, kT0 + hours(31), {});
  EXPECT_TRUE(c.threat_to_life);
  EXPECT_EQ(c.urgency, static_cast<int>(Urgency::kThreatToLife));
  EXPECT_LE(c.deadline_at, kT0 + hours(32));
}

TEST(TriageTest, NotifierWeightFollowsTrackRecordAndDampsClusters) {
  Triage t;
  struct Row {
    const char* what;
    NotifierSignals n;
    int64_t want;
  };
  const std::vector<Row> rows = {
      {"a newcomer", {}, 1000},
      {"too few decided to judge", {{2, 0, 2}, false, 0, 0, false}, 1000},
      {"always right", {{10, 10, 0}, false, 0, 0, false}, 1500},
      {"right half the time", {{10, 5, 0}, false, 0, 0, false}, 1250},
      {"always manifestly unfounded", {{10, 0, 10}, false, 0, 0, false}, 500},
      {"never right, always unfounded", {{4, 0, 4}, false, 0, 0, false}, 500},
      {"a member linked to every earlier member", {{}, true, 4, 4, false}, 250},
      {"a member linked to half of them", {{}, true, 4, 2, false}, 630},
      {"a member with no link, case not damped", {{}, true, 4, 0, false}, 1000},
      {"a member with no link joining a damped case", {{}, true, 4, 0, true}, 1500},
      {"the first member", {{}, true, 0, 0, true}, 1000},
      {"brigading applies to members only", {{}, false, 4, 4, true}, 1000},
      {"a reliable notifier in a cluster", {{10, 10, 0}, true, 2, 2, false}, 375},
  };
  for (const auto& row : rows) EXPECT_EQ(t.NotifierWeight(row.n), row.want) << row.what;

  // Configured bounds: a floor and a cap on the track record, no damping at all.
  TriageSettings s;
  s.record_weight_percent = 300;
  s.record_floor_percent = 40;
  s.record_cap_percent = 150;
  s.brigading_damping_percent = 0;
  const Triage custom(s);
  EXPECT_EQ(custom.NotifierWeight({{10, 0, 10}, false, 0, 0, false}), 400);
  EXPECT_EQ(custom.NotifierWeight({{10, 10, 0}, false, 0, 0, false}), 1500);
  EXPECT_EQ(custom.NotifierWeight({{}, true, 4, 4, false}), 1000);
}

TEST(TriageTest, AClusterOfFollowersWeighsLessThanIndependentNotifiers) {
  Triage t;
  auto score_after = [&](const std::vector<int64_t>& weights) {
    Case c;
    c.created_at = kT0;
    c.deadline_at = Timestamp::max();
    for (size_t i = 0; i < weights.size(); ++i) {
      c.notices_count += 1;
      c.distinct_notifiers += 1;
      c.notifier_weight += weights[i];
      c.sources |= SourceBit(NoticeSource::kMember);
      t.Apply(c, {Category::kIllegalOrHarmfulSpeech, std::nullopt, false, NoticeSource::kMember, 0},
              kT0, {});
    }
    return std::make_pair(c.score, c.deadline_at);
  };
  // Five members who all follow each other: the first counts fully, each later one is linked to
  // every earlier one.
  std::vector<int64_t> cluster;
  for (int i = 0; i < 5; ++i) {
    cluster.push_back(t.NotifierWeight({{}, true, i, i, i > 1}));
  }
  std::vector<int64_t> independent(5, t.NotifierWeight({{}, true, 1, 0, false}));
  const auto [cluster_score, cluster_deadline] = score_after(cluster);
  const auto [independent_score, independent_deadline] = score_after(independent);
  EXPECT_LT(cluster_score, independent_score);
  EXPECT_GT(cluster_deadline, independent_deadline);
}

TEST(TriageTest, SettingsComeFromTheConfiguration) {
  Config::Safety config;
  config.deadline_threat_to_life_minutes = 30;
  config.deadline_spam_hours = 10;
  config.priority_deadline_percent = 25;
  config.score_per_notifier = 0;
  const Triage t(TriageSettings::FromConfig(config));
  EXPECT_EQ(t.ClassDuration(Urgency::kThreatToLife), minutes(30));
  EXPECT_EQ(t.ClassDuration(Urgency::kSpam), hours(10));
  EXPECT_EQ(t.ClassDuration(Urgency::kManifestlyIllegal), hours(24));
  EXPECT_EQ(t.Deadline(kT0, Urgency::kSpam, true, Triage::Severity(Urgency::kSpam)),
            kT0 + minutes(150));
}

}  // namespace
}  // namespace stoa::safety
