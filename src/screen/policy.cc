#include "screen/policy.h"

#include <algorithm>
#include <cstdio>

namespace stoa::screen {
namespace {

Thresholds Effective(const Thresholds& t, float surge_drop, bool surge) {
  Thresholds out = t;
  if (surge) out.hold = std::max(t.flag, t.hold - surge_drop);
  return out;
}

// The classifier's thresholds in one category: the configuration's `t` with the model's own
// (ModelThresholds), surge applied.
Thresholds ClassifierThresholds(const Thresholds& t, ModelThresholds model, float surge_drop,
                                bool surge) {
  Thresholds own = t;
  if (model.tuned) {
    // The model's scale; what the configuration turned off (above 1) stays off.
    if (t.flag <= 1) own.flag = model.flag;
    if (t.hold <= 1) own.hold = std::max(model.hold, own.flag);
    own.reject = std::max(own.reject, own.hold);
    if (surge && own.hold <= 1) own.hold = std::max(own.flag, own.hold * (1 - surge_drop));
    return own;
  }
  // The stricter of the configuration's and the model's; surge lowers the hold as usual.
  own.flag = std::max(own.flag, model.flag);
  own.hold = std::max({own.hold, model.hold, own.flag});
  own.reject = std::max(own.reject, own.hold);
  return Effective(own, surge_drop, surge);
}

std::string Number(float v) {
  char buf[32];
  // Two decimals, or two significant digits for a tuned model's small thresholds (0.0012).
  std::snprintf(buf, sizeof buf, v > 0 && v < 0.01f ? "%.2g" : "%.2f", static_cast<double>(v));
  return buf;
}

}  // namespace

Status ValidatePolicy(const PolicySettings& settings) {
  for (Category c : kAllCategories) {
    const Thresholds& t = settings[c];
    if (!(t.flag > 0 && t.flag <= t.hold && t.hold <= t.reject)) {
      return InvalidArgument("screening thresholds of " + std::string(CategoryName(c)) +
                             " must satisfy 0 < flag <= hold <= reject");
    }
  }
  if (!(settings.surge_hold_drop >= 0 && settings.surge_hold_drop <= 1)) {
    return InvalidArgument("the surge hold drop must be between 0 and 1");
  }
  return Status::Ok();
}

Verdict ThresholdVerdict(const Thresholds& t, float score, float* reached) {
  Verdict v = Verdict::kPublish;
  float at = 0;
  if (score >= t.reject) {
    v = Verdict::kReject;
    at = t.reject;
  } else if (score >= t.hold) {
    v = Verdict::kHold;
    at = t.hold;
  } else if (score >= t.flag) {
    v = Verdict::kPublishAndFlag;
    at = t.flag;
  }
  if (reached != nullptr) *reached = at;
  return v;
}

PolicyResult ApplyPolicy(const PolicySettings& settings, const CategoryScores* classifier,
                         const RuleScores& rule_scores, std::span<const RuleHit> hits, bool surge,
                         ModelThresholds model) {
  PolicyResult out;
  out.surge = surge;
  for (Category c : kAllCategories) {
    const Thresholds t = Effective(settings[c], settings.surge_hold_drop, surge);
    if (classifier != nullptr) {
      const Thresholds own =
          ClassifierThresholds(settings[c], model, settings.surge_hold_drop, surge);
      const float score = (*classifier)[c];
      float reached = 0;
      Verdict v = ThresholdVerdict(own, score, &reached);
      const bool capped = v > settings.classifier_max;
      if (capped) v = settings.classifier_max;
      if (v != Verdict::kPublish) {
        out.reasons.push_back({PolicyReason::Signal::kClassifier, c, score, reached, v, capped, {}});
      }
    }
    PolicyReason r{PolicyReason::Signal::kRules, c, 0, 0, Verdict::kPublish, false, {}};
    for (const RuleHit& h : hits) {
      if (h.category != c) continue;
      if (std::find(r.rules.begin(), r.rules.end(), h.rule) == r.rules.end()) r.rules.push_back(h.rule);
    }
    if (r.rules.empty()) continue;
    r.score = static_cast<float>(rule_scores.Score(c));
    Verdict v = ThresholdVerdict(t, r.score, &r.threshold);
    // A hit is a signal of its own: at least a flag, whatever its weight.
    v = std::max(v, Verdict::kPublishAndFlag);
    const Verdict cap = std::max(rule_scores.MaxVerdict(c), Verdict::kPublishAndFlag);
    if (v > cap) {
      v = cap;
      r.capped = true;
    }
    r.verdict = v;
    out.reasons.push_back(std::move(r));
  }
  std::stable_sort(out.reasons.begin(), out.reasons.end(),
                   [](const PolicyReason& a, const PolicyReason& b) {
                     if (a.verdict != b.verdict) return a.verdict > b.verdict;
                     // At the same verdict a rule (named, explainable) leads.
                     if (a.signal != b.signal) return a.signal == PolicyReason::Signal::kRules;
                     return a.score > b.score;
                   });
  if (!out.reasons.empty()) out.verdict = out.reasons.front().verdict;
  return out;
}

std::string PolicyResult::Summary(const RuleSet* rules) const {
  if (reasons.empty()) return "";
  const PolicyReason& r = reasons.front();
  std::string out(CategoryName(r.category));
  out += ": ";
  if (r.signal == PolicyReason::Signal::kClassifier) {
    out += "classifier score " + Number(r.score);
  } else {
    out += "rule";
    out += r.rules.size() > 1 ? "s " : " ";
    for (size_t i = 0; i < r.rules.size(); ++i) {
      if (i > 0) out += ", ";
      out += rules != nullptr && r.rules[i] < rules->rules().size() ? rules->rule(r.rules[i]).name
                                                                     : "#" + std::to_string(r.rules[i]);
    }
    out += " (score " + Number(r.score) + ")";
  }
  if (r.threshold > 0) {
    const char* name = r.verdict == Verdict::kReject ? "reject"
                       : r.verdict == Verdict::kHold ? "hold"
                                                     : "flag";
    if (!r.capped) out += std::string(" reached the ") + name + " threshold " + Number(r.threshold);
  }
  if (r.capped) {
    out += ", capped at " + std::string(VerdictName(r.verdict));
    out += r.signal == PolicyReason::Signal::kRules ? " by the rules"
                                                    : " (the classifier's max_verdict)";
  }
  if (surge && r.verdict == Verdict::kHold) out += " (surge thresholds)";
  return out;
}

}  // namespace stoa::screen
