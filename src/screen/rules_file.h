// Reading a rules file (format: docs/screening.md) into rules and the lines they came from.
// Used by RuleSet::Parse, which compiles the result; not part of the screening API.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "screen/rules.h"

namespace stoa::screen::detail {

// Hyperscan flags of every rule pattern: byte mode, no flags. Not UTF-8 mode: the start locator
// scans windows that may begin inside a multi-byte character, which UTF-8 mode forbids; the
// normalized text of German and English is ASCII anyway (so ASCII \w and \b are right; Hyperscan
// refuses \b in UCP mode), and non-ASCII literals still match as byte sequences (PreparePattern
// refuses them inside classes). No SOM_LEFTMOST: with it the shipped rules took 20-30 s to
// compile instead of about 2 s; starts are found per hit instead (RuleSet::Locate).
inline constexpr unsigned kRulePatternFlags = 0;

// A rule as read, with the lines of its parts for error messages.
struct RuleSource {
  Rule rule;
  std::vector<int> pattern_lines;           // per pattern
  std::vector<unsigned> pattern_min_widths;  // per pattern: Hyperscan's shortest match length
  std::vector<std::pair<int, std::string>> examples;         // (line, text)
  std::vector<std::pair<int, std::string>> counterexamples;  // (line, text)
};

struct RulesFile {
  std::string version;
  std::vector<RuleSource> rules;
};

// Errors as "SOURCE:LINE: reason", the first 50 kept.
class RuleErrors {
 public:
  explicit RuleErrors(std::string_view source) : source_(source) {}
  void Add(int line, const std::string& reason);
  bool empty() const { return count_ == 0; }
  // kInvalidArgument with one line per error (and how many more there were).
  Status ToStatus() const;

 private:
  std::string source_;
  std::vector<std::string> messages_;
  size_t count_ = 0;
};

// Reads a rules file: the format line, the version, defines and rules; prepares every pattern
// (PreparePattern) and checks it with Hyperscan on its own. Problems go to `errors`; the result
// is meaningful only when there are none.
RulesFile ReadRulesFile(std::string_view text, RuleErrors* errors);

}  // namespace stoa::screen::detail
