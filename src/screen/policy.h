// Policy: the last stage of the screening chain. It turns the signals of one post (the
// classifier's score per category and the rule hits) into a verdict, and says why (which category,
// which signal, which score or rule led to it). Pure and cheap: no allocation beyond the reasons.
//
// Per category there are three thresholds (flag <= hold <= reject; a threshold above 1 is off):
//  - classifier: score >= reject -> reject, >= hold -> hold, >= flag -> publish_and_flag (flag
//    and hold no lower than the model's own, or the model's own when it tuned them:
//    ModelThresholds);
//  - rules: a category with at least one hit is flagged at least; its combined rule score
//    (RuleScores) is compared with the same thresholds, and the verdict never exceeds the
//    strictest max_verdict of the rules that hit in that category (the rules file's cap);
//  - the strictest verdict over all categories and both signals wins.
// Surge mode (the open backlog is too large or too old) lowers every hold threshold by
// `surge_hold_drop` (never below the flag threshold), so risky posts wait for a human instead of
// spreading while moderators catch up.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "screen/category.h"
#include "screen/category_scores.h"
#include "screen/rules.h"
#include "screen/verdict.h"

namespace stoa::screen {

struct Thresholds {
  float flag = 0.5f;
  float hold = 0.8f;
  float reject = 2.0f;  // above 1: never
};

struct PolicySettings {
  std::array<Thresholds, kCategoryCount> thresholds{};  // indexed by Category
  float surge_hold_drop = 0.2f;
  // The strictest verdict the classifier alone may cause (rules have their own caps in the rules
  // file). A model trained on a few hundred examples scores too many harmless posts high to
  // hold or reject them on its own; one trained on the platform's own decisions may.
  Verdict classifier_max = Verdict::kReject;

  Thresholds& operator[](Category c) { return thresholds[static_cast<size_t>(c)]; }
  const Thresholds& operator[](Category c) const { return thresholds[static_cast<size_t>(c)]; }
};

// Checks 0 < flag <= hold <= reject for every category and 0 <= surge_hold_drop <= 1;
// kInvalidArgument naming the category otherwise.
Status ValidatePolicy(const PolicySettings& settings);

// Why a post got its verdict: one entry per category and signal that reached at least
// publish_and_flag, strictest first (at the same verdict rules before the classifier, then the
// higher score).
struct PolicyReason {
  enum class Signal { kClassifier, kRules };
  Signal signal;
  Category category;
  float score;      // the classifier's score or the category's combined rule score
  float threshold;  // the threshold the score reached (for rules below the flag threshold: 0)
  Verdict verdict;  // what this signal alone causes in this category
  bool capped = false;  // the verdict was lowered to the rules' max_verdict (rules) or to
                        // PolicySettings::classifier_max (classifier)
  std::vector<uint32_t> rules;  // rules: the indexes (into the RuleSet) of the rules that hit
};

inline constexpr std::string_view SignalName(PolicyReason::Signal s) {
  return s == PolicyReason::Signal::kClassifier ? "classifier" : "rules";
}

struct PolicyResult {
  Verdict verdict = Verdict::kPublish;
  bool surge = false;  // surge thresholds were in force
  std::vector<PolicyReason> reasons;

  // "threat: rules de.threat.kill_you (0.80 >= hold 0.80)" for the strictest reason; "" when none.
  std::string Summary(const RuleSet* rules) const;
};

// A model's own thresholds (from its file). Given ones (`stoa train --flag-threshold/
// --hold-threshold`, or its defaults) are a floor: the classifier's signal is compared with the
// stricter of these and the configuration's thresholds of each category, so the platform's policy
// can make a model more cautious, never less, and a model that ranks real posts poorly (the
// build's default model) can say so itself. Tuned ones (chosen by cross-validation, `tuned`) are
// on the model's own score scale, which the configuration's numbers know nothing of: they replace
// the configuration's flag and hold for the classifier (a threshold the configuration turns off
// stays off; its reject threshold stays), and surge lowers such a hold by the share
// surge_hold_drop of itself rather than by that amount. 0: no floor.
struct ModelThresholds {
  float flag = 0;
  float hold = 0;
  bool tuned = false;
};

// The verdict for one post. `classifier` may be null (no model loaded); `hits` are the post's
// hits of `rule_scores`'s set (may be empty).
PolicyResult ApplyPolicy(const PolicySettings& settings, const CategoryScores* classifier,
                         const RuleScores& rule_scores, std::span<const RuleHit> hits, bool surge,
                         ModelThresholds model = {});

// The verdict a score reaches under `t` (the hold threshold lowered in surge).
Verdict ThresholdVerdict(const Thresholds& t, float score, float* reached = nullptr);

}  // namespace stoa::screen
