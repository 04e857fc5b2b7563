// Lexicon features of the classifier: a rules file (rules.h format) whose rules, when they hit a
// post, each add one token to what the classifier reads ("#" and the rule's name). A family of
// words ("lex.weapon": Waffe, Gewehr, Knarre, ... in all their forms) then counts as one feature
// the model learns from every post that has any of them, instead of one weight per rare word.
// The model file carries the rules text (ClassifierMetadata::features), so training and
// prediction always use the same features; only the rules' names and patterns matter here (their
// categories, weights and verdicts are for screening rules files and ignored).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "screen/rules.h"

namespace stoa::screen {

class ClassifierFeatures {
 public:
  // Parses and compiles `rules_text` (RuleSet::Parse, so the same errors with line numbers,
  // prefixed with `source_name`).
  static Result<std::shared_ptr<const ClassifierFeatures>> Parse(std::string_view rules_text,
                                                                 std::string_view source_name);

  // Sets `tokens` to one token for each rule that hits `normalized` (the normalisation stage's
  // output), in the order of the rules. The views stay valid as long as this object. Thread-safe.
  // Fails only when Hyperscan does (RuleSet::Match); `tokens` is then empty.
  Status Tokens(std::string_view normalized, std::vector<std::string_view>* tokens) const;

  // Reads `path` and parses it. NotFound / Unavailable when it cannot be read.
  static Result<std::shared_ptr<const ClassifierFeatures>> Load(const std::string& path);

  const std::string& text() const { return text_; }
  const RuleSet& rules() const { return *rules_; }

 private:
  ClassifierFeatures() = default;
  std::string text_;
  std::shared_ptr<const RuleSet> rules_;
  std::vector<std::string> tokens_;  // per rule: "#" + its name
};

}  // namespace stoa::screen
