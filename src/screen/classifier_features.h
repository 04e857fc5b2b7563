// Lexicon features of the classifier: a rules file (rules.h format) whose rules, when they hit a
// post, each add one token to what the classifier reads ("#" and the rule's name). A family of
// words ("lex.weapon": Waffe, Gewehr, Knarre, ... in all their forms) then counts as one feature
// the model learns from every post that has any of them, instead of one weight per rare word.
// The model file carries the rules text (ClassifierMetadata::features), so training and
// prediction always use the same features; only the rules' names and patterns matter here (their
// categories, weights and verdicts are for screening rules files and ignored).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "screen/rules.h"

namespace stoa::screen {

class ClassifierFeatures {
 public:
  // Parses and compiles each of `rules_texts` (one rules file each; RuleSet::Parse, so the same
  // errors with line numbers, the i-th prefixed with source_names[i] when given, else
  // "features #i"). A rule name in two of them is refused (one token per name). Compiling takes
  // a while (Hyperscan: about half a second for the shipped files), so while features of the same
  // texts are still in use anywhere in the process, Parse returns those instead (training k folds
  // and loading their models compiles once).
  static Result<std::shared_ptr<const ClassifierFeatures>> Parse(
      const std::vector<std::string>& rules_texts, const std::vector<std::string>& source_names = {});

  // Reads the files and parses them. NotFound / Unavailable when one cannot be read.
  static Result<std::shared_ptr<const ClassifierFeatures>> Load(const std::vector<std::string>& paths);

  // Sets `tokens` to one token for each rule that hits `normalized` (the normalisation stage's
  // output), file by file in the order of the rules. The views stay valid as long as this object.
  // Thread-safe. Fails only when Hyperscan does (RuleSet::MatchedRules); `tokens` is then empty.
  // `known`: the rules of one of the files that already matched the post (RuleSet::Match's
  // all_rules), so that file is not scanned again.
  struct KnownHits {
    size_t file = 0;                               // index into texts()
    const std::vector<uint32_t>* rules = nullptr;  // that file's rules that hit, ascending
  };
  Status Tokens(std::string_view normalized, std::vector<std::string_view>* tokens,
                const KnownHits* known = nullptr) const;
  // The file parsed from the same text as `rules` (same RuleSet::text_fingerprint and rule
  // count), if any.
  std::optional<size_t> FileLike(const RuleSet& rules) const;

  // The files' texts, as given.
  const std::vector<std::string>& texts() const { return texts_; }
  // Rules in all files; "v1, v2": the files' version lines.
  size_t rule_count() const;
  std::string versions() const;

 private:
  static Result<std::shared_ptr<const ClassifierFeatures>> Compile(
      const std::vector<std::string>& rules_texts, const std::vector<std::string>& source_names);
  ClassifierFeatures() = default;
  std::vector<std::string> texts_;
  std::vector<std::shared_ptr<const RuleSet>> sets_;
  std::vector<std::vector<std::string>> tokens_;  // per file, per rule: "#" + its name
};

}  // namespace stoa::screen
