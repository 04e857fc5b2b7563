// The screening chain as one call: normalise, match the rules, classify, apply the policy. Pure
// (no I/O: the rules and the model are in memory, taken from their holders once per post, so a
// reload during a post does not mix two versions). Used by the server for every status and edit,
// and by the dry-run endpoint.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "screen/classifier.h"
#include "screen/classifier_holder.h"
#include "screen/normalize.h"
#include "screen/policy.h"
#include "screen/rules.h"
#include "screen/rules_holder.h"

namespace stoa::screen {

// Everything the chain found about one text.
struct Screening {
  Normalized normalized;
  std::shared_ptr<const RuleSet> rules;        // the set the hits index into (null: none loaded)
  std::shared_ptr<const Classifier> model;     // null: no model loaded
  std::vector<RuleHit> hits;
  RuleScores rule_scores;
  CategoryScores classifier;  // zeros without a model
  PolicyResult policy;

  Verdict verdict() const { return policy.verdict; }
  // The reason shown to authors and moderators (PolicyResult::Summary); "" for publish.
  std::string Reason() const { return policy.Summary(rules.get()); }
  const std::string& rules_version() const;
  const std::string& model_version() const;

  // JSON for the screening record: {"verdict","surge","categories":{cat:score},"rule_scores":
  // {cat:score},"rule_hits":[{"rule","category","start","end","weight","max_verdict"}],
  // "reasons":[{"signal","category","score","threshold","verdict","capped","rules":[...]}],
  // "rules_version","model_version"}. Offsets are in the normalized text.
  std::string SignalsJson() const;
  // {"rule","category","start","end"} per hit, as the dry-run endpoint answers.
  std::string RuleHitsJson() const;
  // {"<category>": classifier score, ...}
  std::string CategoriesJson() const;
};

class Screener {
 public:
  // The holders must outlive the screener.
  Screener(const RulesHolder& rules, const ClassifierHolder& model, PolicySettings settings)
      : rules_(rules), model_(model), settings_(settings) {}

  // Runs the chain over `text` (a post's content warning and text, joined by the caller) for a
  // post in `language` ("" when unknown). `out`'s buffers are reused. Fails only when Hyperscan
  // fails (no scratch memory); the caller decides what a failure means.
  Status Screen(std::string_view text, std::string_view language, bool surge, Screening* out) const;

  const PolicySettings& settings() const { return settings_; }
  const RulesHolder& rules() const { return rules_; }
  const ClassifierHolder& model() const { return model_; }

 private:
  const RulesHolder& rules_;
  const ClassifierHolder& model_;
  const PolicySettings settings_;
};

}  // namespace stoa::screen
