// The policy stage: thresholds per category, rule caps, surge mode, and the chain as one call.
#include "screen/policy.h"

#include <gtest/gtest.h>

#include "screen/screener.h"

namespace stoa::screen {
namespace {

constexpr std::string_view kRules = R"(stoa-rules 1
version = policy-test.1

[rule en.spam.word]
category = spam
languages = any
weight = 0.2
max_verdict = publish_and_flag
pattern = \bspamword\b

[rule en.threat.strong]
category = threat
languages = en
weight = 0.9
max_verdict = hold
pattern = \bstrongthreat\b

[rule en.threat.capped]
category = threat
languages = en
weight = 0.95
max_verdict = publish_and_flag
pattern = \bcappedthreat\b

[rule en.violence.reject]
category = violence
languages = any
weight = 1
max_verdict = reject
pattern = \brejectme\b
)";

std::shared_ptr<const RuleSet> Rules() {
  static std::shared_ptr<const RuleSet> rules = [] {
    auto r = RuleSet::Parse(kRules, "policy_test.rules");
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : nullptr;
  }();
  return rules;
}

PolicySettings Settings() {
  PolicySettings s;
  for (Category c : kAllCategories) s[c] = Thresholds{0.5f, 0.8f, 0.95f};
  s.surge_hold_drop = 0.2f;
  return s;
}

PolicyResult ForScores(const PolicySettings& s, CategoryScores scores, bool surge = false) {
  return ApplyPolicy(s, &scores, RuleScores{}, {}, surge);
}

PolicyResult ForText(const PolicySettings& s, std::string_view text, bool surge = false) {
  auto rules = Rules();
  auto hits = rules->Match(Normalize(text), "en");
  EXPECT_TRUE(hits.ok());
  return ApplyPolicy(s, nullptr, rules->Score(*hits), *hits, surge);
}

TEST(PolicyTest, ClassifierScoresAgainstThresholds) {
  const PolicySettings s = Settings();
  CategoryScores scores;
  EXPECT_EQ(ForScores(s, scores).verdict, Verdict::kPublish);
  EXPECT_TRUE(ForScores(s, scores).reasons.empty());
  scores[Category::kThreat] = 0.49f;
  EXPECT_EQ(ForScores(s, scores).verdict, Verdict::kPublish);
  scores[Category::kThreat] = 0.5f;
  EXPECT_EQ(ForScores(s, scores).verdict, Verdict::kPublishAndFlag);
  scores[Category::kThreat] = 0.85f;
  PolicyResult held = ForScores(s, scores);
  EXPECT_EQ(held.verdict, Verdict::kHold);
  ASSERT_EQ(held.reasons.size(), 1u);
  EXPECT_EQ(held.reasons[0].category, Category::kThreat);
  EXPECT_EQ(held.reasons[0].signal, PolicyReason::Signal::kClassifier);
  EXPECT_FLOAT_EQ(held.reasons[0].threshold, 0.8f);
  EXPECT_EQ(held.Summary(nullptr), "threat: classifier score 0.85 reached the hold threshold 0.80");
  scores[Category::kThreat] = 0.97f;
  EXPECT_EQ(ForScores(s, scores).verdict, Verdict::kReject);
}

TEST(PolicyTest, ClassifierVerdictIsCappedByClassifierMax) {
  PolicySettings s = Settings();
  s.classifier_max = Verdict::kPublishAndFlag;
  CategoryScores scores;
  scores[Category::kThreat] = 0.97f;  // over the reject threshold
  PolicyResult capped = ForScores(s, scores);
  EXPECT_EQ(capped.verdict, Verdict::kPublishAndFlag);
  ASSERT_EQ(capped.reasons.size(), 1u);
  EXPECT_TRUE(capped.reasons[0].capped);
  EXPECT_EQ(capped.Summary(nullptr),
            "threat: classifier score 0.97, capped at publish_and_flag (the classifier's "
            "max_verdict)");
  // Below the flag threshold the cap changes nothing.
  scores[Category::kThreat] = 0.3f;
  EXPECT_EQ(ForScores(s, scores).verdict, Verdict::kPublish);
  // Holding is allowed again with a cap of hold, and surge still lowers the hold threshold.
  s.classifier_max = Verdict::kHold;
  scores[Category::kThreat] = 0.97f;
  EXPECT_EQ(ForScores(s, scores).verdict, Verdict::kHold);
  scores[Category::kThreat] = 0.65f;
  EXPECT_EQ(ForScores(s, scores, /*surge=*/true).verdict, Verdict::kHold);
  // Rules are not capped by the classifier's limit.
  s.classifier_max = Verdict::kPublishAndFlag;
  EXPECT_EQ(ForText(s, "a strongthreat here").verdict, Verdict::kHold);
}

TEST(PolicyTest, TheModelsOwnThresholdsAreAFloorForTheClassifierOnly) {
  const PolicySettings s = Settings();  // flag 0.5, hold 0.8, reject 0.95
  const ModelThresholds cautious{0.9f, 0.93f};
  const auto verdict = [&](float score, ModelThresholds model, bool surge = false) {
    CategoryScores scores;
    scores[Category::kViolence] = score;
    return ApplyPolicy(s, &scores, RuleScores{}, {}, surge, model).verdict;
  };
  // The configuration's thresholds without a floor, the model's where they are stricter.
  EXPECT_EQ(verdict(0.6f, {}), Verdict::kPublishAndFlag);
  EXPECT_EQ(verdict(0.6f, cautious), Verdict::kPublish);
  EXPECT_EQ(verdict(0.85f, cautious), Verdict::kPublish);
  EXPECT_EQ(verdict(0.91f, cautious), Verdict::kPublishAndFlag);
  EXPECT_EQ(verdict(0.94f, cautious), Verdict::kHold);
  EXPECT_EQ(verdict(0.96f, cautious), Verdict::kReject);  // the configuration's reject stands
  // A lenient model cannot loosen the configuration.
  EXPECT_EQ(verdict(0.4f, {0.1f, 0.2f}), Verdict::kPublish);
  EXPECT_EQ(verdict(0.7f, {0.1f, 0.2f}), Verdict::kPublishAndFlag);
  // A model hold floor above the configuration's reject moves the reject up with it.
  EXPECT_EQ(verdict(0.96f, {0.9f, 0.97f}), Verdict::kPublishAndFlag);
  // Surge lowers the model's hold like the configuration's (0.93 - 0.2, not below the flag 0.9).
  EXPECT_EQ(verdict(0.91f, cautious, /*surge=*/true), Verdict::kHold);
  CategoryScores reported;
  reported[Category::kViolence] = 0.91f;
  const PolicyResult r = ApplyPolicy(s, &reported, RuleScores{}, {}, false, cautious);
  EXPECT_EQ(r.Summary(nullptr), "violence: classifier score 0.91 reached the flag threshold 0.90");
  // Rules keep the configuration's thresholds.
  auto rules = Rules();
  auto hits = rules->Match(Normalize("a strongthreat here"), "en");
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(ApplyPolicy(s, nullptr, rules->Score(*hits), *hits, false, cautious).verdict,
            Verdict::kHold);
}

TEST(PolicyTest, TunedModelThresholdsReplaceTheConfigurationsForTheClassifier) {
  PolicySettings s = Settings();                      // flag 0.5, hold 0.8, reject 0.95
  s[Category::kSpam] = Thresholds{0.6f, 2.0f, 2.0f};  // spam: never held
  const ModelThresholds tuned{0.002f, 0.2f, /*tuned=*/true};
  const auto verdict = [&](Category c, float score, bool surge = false) {
    CategoryScores scores;
    scores[c] = score;
    return ApplyPolicy(s, &scores, RuleScores{}, {}, surge, tuned).verdict;
  };
  // The model's scale, below the configuration's numbers.
  EXPECT_EQ(verdict(Category::kViolence, 0.001f), Verdict::kPublish);
  EXPECT_EQ(verdict(Category::kViolence, 0.002f), Verdict::kPublishAndFlag);
  EXPECT_EQ(verdict(Category::kViolence, 0.25f), Verdict::kHold);
  // The configuration's reject stands, and so does a hold it turned off.
  EXPECT_EQ(verdict(Category::kViolence, 0.96f), Verdict::kReject);
  EXPECT_EQ(verdict(Category::kSpam, 0.01f), Verdict::kPublishAndFlag);
  EXPECT_EQ(verdict(Category::kSpam, 0.9f), Verdict::kPublishAndFlag);
  // Surge lowers a tuned hold by a share of itself (0.2 * (1 - 0.2) = 0.16), not by 0.2 (which
  // would hold everything the model flags).
  EXPECT_EQ(verdict(Category::kViolence, 0.17f, /*surge=*/true), Verdict::kHold);
  EXPECT_EQ(verdict(Category::kViolence, 0.15f, /*surge=*/true), Verdict::kPublishAndFlag);
  // The same numbers, not tuned, are a floor under the configuration's: nothing changes.
  const ModelThresholds given{0.002f, 0.2f};
  CategoryScores scores;
  scores[Category::kViolence] = 0.25f;
  EXPECT_EQ(ApplyPolicy(s, &scores, RuleScores{}, {}, false, given).verdict, Verdict::kPublish);
  // The reason names the small threshold readably.
  scores[Category::kViolence] = 0.0031f;
  EXPECT_EQ(ApplyPolicy(s, &scores, RuleScores{}, {}, false, tuned).Summary(nullptr),
            "violence: classifier score 0.0031 reached the flag threshold 0.002");
  // Rules keep the configuration's thresholds.
  auto rules = Rules();
  auto hits = rules->Match(Normalize("a strongthreat here"), "en");
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(ApplyPolicy(s, nullptr, rules->Score(*hits), *hits, false, tuned).verdict,
            Verdict::kHold);
}

TEST(PolicyTest, ThresholdsArePerCategoryAndTheStrictestWins) {
  PolicySettings s = Settings();
  s[Category::kSpam] = Thresholds{0.9f, 2.0f, 2.0f};  // spam: flag only, late
  CategoryScores scores;
  scores[Category::kSpam] = 0.99f;
  EXPECT_EQ(ForScores(s, scores).verdict, Verdict::kPublishAndFlag);
  scores[Category::kSpam] = 0.85f;
  EXPECT_EQ(ForScores(s, scores).verdict, Verdict::kPublish);
  scores[Category::kViolence] = 0.6f;
  scores[Category::kIncitement] = 0.81f;
  PolicyResult r = ForScores(s, scores);
  EXPECT_EQ(r.verdict, Verdict::kHold);
  ASSERT_EQ(r.reasons.size(), 2u);
  EXPECT_EQ(r.reasons[0].category, Category::kIncitement);  // strictest first
  EXPECT_EQ(r.reasons[1].category, Category::kViolence);
}

TEST(PolicyTest, SurgeLowersTheHoldThresholdOnly) {
  const PolicySettings s = Settings();
  CategoryScores scores;
  scores[Category::kViolence] = 0.65f;
  EXPECT_EQ(ForScores(s, scores, false).verdict, Verdict::kPublishAndFlag);
  PolicyResult surge = ForScores(s, scores, true);
  EXPECT_EQ(surge.verdict, Verdict::kHold);
  EXPECT_TRUE(surge.surge);
  EXPECT_NE(surge.Summary(nullptr).find("surge"), std::string::npos);
  scores[Category::kViolence] = 0.55f;
  EXPECT_EQ(ForScores(s, scores, true).verdict, Verdict::kPublishAndFlag);
  // The hold threshold never drops below the flag threshold.
  PolicySettings low = s;
  low[Category::kViolence] = Thresholds{0.5f, 0.6f, 2.0f};
  scores[Category::kViolence] = 0.45f;
  EXPECT_EQ(ForScores(low, scores, true).verdict, Verdict::kPublish);
  scores[Category::kViolence] = 0.5f;
  EXPECT_EQ(ForScores(low, scores, true).verdict, Verdict::kHold);
}

TEST(PolicyTest, RuleHitsFlagAtLeastAndAreCappedByMaxVerdict) {
  const PolicySettings s = Settings();
  // Weight 0.2 is below the flag threshold, but a hit is a signal: flagged.
  PolicyResult spam = ForText(s, "buy now spamword");
  EXPECT_EQ(spam.verdict, Verdict::kPublishAndFlag);
  ASSERT_EQ(spam.reasons.size(), 1u);
  EXPECT_EQ(spam.reasons[0].signal, PolicyReason::Signal::kRules);
  EXPECT_EQ(spam.Summary(Rules().get()), "spam: rule en.spam.word (score 0.20)");
  // Weight 0.9 reaches hold; the cap is hold.
  PolicyResult strong = ForText(s, "this is the strongthreat");
  EXPECT_EQ(strong.verdict, Verdict::kHold);
  EXPECT_FALSE(strong.reasons[0].capped);
  // Weight 0.95 would reject, but the rule may only flag.
  PolicyResult capped = ForText(s, "a cappedthreat here");
  EXPECT_EQ(capped.verdict, Verdict::kPublishAndFlag);
  EXPECT_TRUE(capped.reasons[0].capped);
  EXPECT_NE(capped.Summary(Rules().get()).find("capped at publish_and_flag"), std::string::npos);
  // Two threat rules: the combined score is higher, the strictest cap (hold) applies.
  PolicyResult both = ForText(s, "strongthreat and cappedthreat");
  EXPECT_EQ(both.verdict, Verdict::kHold);
  EXPECT_EQ(both.reasons[0].rules.size(), 2u);
  // A rule allowed to reject does.
  EXPECT_EQ(ForText(s, "rejectme").verdict, Verdict::kReject);
}

TEST(PolicyTest, ValidateRefusesDisorderedThresholds) {
  PolicySettings s = Settings();
  EXPECT_TRUE(ValidatePolicy(s).ok());
  s[Category::kTerrorism] = Thresholds{0.9f, 0.5f, 2.0f};
  Status st = ValidatePolicy(s);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("terrorism"), std::string::npos);
  s = Settings();
  s[Category::kSpam].flag = 0;
  EXPECT_FALSE(ValidatePolicy(s).ok());
  s = Settings();
  s.surge_hold_drop = -0.1f;
  EXPECT_FALSE(ValidatePolicy(s).ok());
}

TEST(ScreenerTest, RunsTheChainWithTheHoldersCurrentSets) {
  RulesHolder rules(Rules());
  ClassifierHolder model;  // no model: rules alone
  Screener screener(rules, model, Settings());
  Screening out;
  ASSERT_TRUE(screener.Screen("This is the S T R O N G T H R E A T", "en", false, &out).ok());
  EXPECT_EQ(out.normalized.text, "this is the strongthreat");
  EXPECT_EQ(out.verdict(), Verdict::kHold);
  ASSERT_EQ(out.hits.size(), 1u);
  EXPECT_EQ(out.rules_version(), "policy-test.1");
  EXPECT_EQ(out.model_version(), "");
  EXPECT_EQ(out.RuleHitsJson(),
            R"([{"rule":"en.threat.strong","category":"threat","start":12,"end":24}])");
  const std::string signals = out.SignalsJson();
  EXPECT_NE(signals.find(R"("verdict":"hold")"), std::string::npos) << signals;
  EXPECT_NE(signals.find(R"("max_verdict":"hold")"), std::string::npos) << signals;
  EXPECT_NE(signals.find(R"("rules":["en.threat.strong"])"), std::string::npos) << signals;
  // German posts do not run English rules; the buffers are reused.
  ASSERT_TRUE(screener.Screen("strongthreat", "de", false, &out).ok());
  EXPECT_EQ(out.verdict(), Verdict::kPublish);
  EXPECT_TRUE(out.hits.empty());
  EXPECT_EQ(out.Reason(), "");
}

}  // namespace
}  // namespace stoa::screen
