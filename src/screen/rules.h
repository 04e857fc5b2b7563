// Rules: the second stage of the screening chain. A rules file (format: docs/screening.md) is
// parsed and compiled into ONE Hyperscan block-mode database; Match runs every rule over a
// normalized text in a single pass and reports each hit with its offsets in that text.
//
// A RuleSet is immutable once built and safe to share between threads (it is handed out as
// shared_ptr<const RuleSet> so that a reload can replace it while older scans finish with the
// set they started with). Matching uses a per-thread Hyperscan scratch that is grown for every
// database the thread meets, so swapping rule sets needs no coordination with scanning threads.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "screen/category.h"
#include "screen/normalize.h"
#include "screen/verdict.h"

struct hs_database;
struct hs_scratch;

namespace stoa::screen {

// Languages a rule applies to, as a bit set. A rule written for "any" applies to every post.
enum LanguageBits : uint8_t {
  kLanguageDe = 1 << 0,
  kLanguageEn = 1 << 1,
  kLanguageOther = 1 << 2,  // posts in any other language; only "any" rules include it
  kLanguageAny = kLanguageDe | kLanguageEn | kLanguageOther,
};

// The languages whose rules run for a post tagged `language` (ISO 639-1, optionally with a region:
// "de", "de-AT", "en_GB"; case-insensitive). An empty or unrecognised tag selects every rule,
// because an untagged post may be in either language; another known tag ("fr") only "any" rules.
uint8_t LanguagesForPost(std::string_view language);

struct Rule {
  std::string name;        // unique in its set: [a-z0-9._-]+
  Category category;
  uint8_t languages;       // LanguageBits
  double weight;           // 0..1: the score one hit of this rule contributes to its category
  Verdict max_verdict;     // the strictest verdict a hit of this rule alone may cause
  std::vector<std::string> patterns;           // as written in the file
  std::vector<std::string> compiled_patterns;  // as given to Hyperscan (lowercased, collapsed)
  std::string description;                     // optional free text
  int line = 0;                                // line of the [rule ...] header
};

// One hit of one rule. Offsets are byte offsets in the normalized text, half-open; use
// Normalized::ToOriginal for the original. `end` is exact; `start` is where the shortest match
// ending there begins (so optional leading context of a pattern, e.g. a sentence start, is not
// part of the span). Overlapping matches of one rule are merged into one hit.
struct RuleHit {
  uint32_t rule;  // index into RuleSet::rules()
  Category category;
  uint32_t start;
  uint32_t end;
  double weight;
};

// What the hits of one post amount to, per category (indexed by static_cast<size_t>(Category)).
struct RuleScores {
  // 1 - prod(1 - w) over the distinct rules of the category that hit: a rule hitting twice
  // counts once; independent rules reinforce each other but never exceed 1.
  std::array<double, kCategoryCount> score{};
  // The strictest max_verdict among the category's hits; kPublish when none hit.
  std::array<Verdict, kCategoryCount> max_verdict{};

  double Score(Category c) const { return score[static_cast<size_t>(c)]; }
  Verdict MaxVerdict(Category c) const { return max_verdict[static_cast<size_t>(c)]; }
};

// The whole text of a rules file (for RuleSet::Load and for files used otherwise, such as the
// classifier's lexicon features). NotFound when it cannot be opened, Unavailable when a read fails.
Result<std::string> ReadRulesFile(const std::string& path);

namespace detail {
// One match end reported by Hyperscan: the pattern's expression id and the end offset.
struct MatchEnd {
  uint32_t pattern;
  uint32_t end;
};
}  // namespace detail

class RuleSet {
 public:
  // Parses and compiles a rules file. `source_name` prefixes error messages ("stoa.rules:12:
  // unknown category 'x'"). On any error the whole text is refused: kInvalidArgument with one
  // line per problem found (every line is checked, at most 50 reported).
  static Result<std::shared_ptr<const RuleSet>> Parse(std::string_view text,
                                                      std::string_view source_name);
  // Reads and parses a file; kNotFound / kUnavailable when it cannot be read.
  static Result<std::shared_ptr<const RuleSet>> Load(const std::string& path);

  // The same with a cache of the compiled Hyperscan database in `cache_dir` (an existing
  // directory chosen by the caller; empty: no cache): one file, "<base name of source_name>.hsdb",
  // read when parsing and written after compiling, nothing else. When it holds the database of
  // exactly these rules (same text and compiled patterns, same Hyperscan version and platform) the
  // database is deserialised instead of compiled (milliseconds instead of seconds); otherwise,
  // when it is missing, damaged or made for other rules, the rules are compiled and the file
  // replaced. The file's problems never make loading fail (cache_note() says what happened);
  // examples and counterexamples are checked either way.
  static Result<std::shared_ptr<const RuleSet>> Parse(std::string_view text,
                                                      std::string_view source_name,
                                                      const std::string& cache_dir);
  static Result<std::shared_ptr<const RuleSet>> Load(const std::string& path,
                                                     const std::string& cache_dir);

  ~RuleSet();
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

  // Runs every rule whose languages include the post's (LanguagesForPost) over `normalized` in
  // one Hyperscan pass and appends the hits to `hits` (cleared first), ordered by start offset.
  // Only posts with hits pay for locating starts (a few scans of short windows per hit). Fails
  // only when scratch space cannot be allocated (kResourceExhausted) or Hyperscan reports an
  // internal error (kInternal). Thread-safe; not reentrant from within itself on one thread.
  // `all_rules`, when given, gets from the same pass every rule that hit whatever its languages
  // (ascending, each once: what MatchedRules gives for an untagged post). The screening chain
  // uses it when the model reads these very rules as lexicon features (Screener).
  Status Match(std::string_view normalized, std::string_view language, std::vector<RuleHit>* hits,
               std::vector<uint32_t>* all_rules = nullptr) const;
  Result<std::vector<RuleHit>> Match(const Normalized& normalized, std::string_view language) const;

  // Only which rules hit (their indexes, ascending, each once), without locating where: one
  // Hyperscan pass, for callers that need no offsets (the classifier's lexicon features).
  // Thread-safe; fails like Match.
  Status MatchedRules(std::string_view normalized, std::string_view language,
                      std::vector<uint32_t>* rules) const;

  // Combines hits (of this set) into per-category scores and verdict caps.
  RuleScores Score(std::span<const RuleHit> hits) const;

  const std::vector<Rule>& rules() const { return rules_; }
  const Rule& rule(uint32_t index) const { return rules_[index]; }
  // The "version" line of the file (recorded with every screening decision).
  const std::string& version() const { return version_; }
  const std::string& source_name() const { return source_name_; }
  // A hash of the file's text and its length: equal for sets parsed from the same text.
  uint64_t text_fingerprint() const { return text_fingerprint_; }
  // Whether the database came from the cache, and a line for the log: "loaded from cache FILE",
  // "compiled; cached in FILE", "compiled; cache FILE not written: ...", or "compiled" (no cache).
  bool from_cache() const { return from_cache_; }
  const std::string& cache_note() const { return cache_note_; }

 private:
  RuleSet() = default;

  // Scans `normalized` with the rules of `language` into `reports` (cleared first); returns the
  // calling thread's scratch, fitted for this set.
  Result<hs_scratch*> Scan(std::string_view normalized, uint8_t languages,
                           std::vector<detail::MatchEnd>* reports) const;
  // The start of the shortest match of `pattern` that ends at `end` in `text`.
  Result<uint32_t> Locate(std::string_view text, uint32_t pattern, uint32_t end,
                          hs_scratch* scratch) const;

  std::vector<Rule> rules_;
  std::vector<uint32_t> pattern_rule_;       // Hyperscan expression id -> index into rules_
  std::vector<uint32_t> pattern_min_width_;  // Hyperscan expression id -> shortest match length
  std::string version_;
  std::string source_name_;
  uint64_t text_fingerprint_ = 0;
  bool from_cache_ = false;
  std::string cache_note_ = "compiled";
  hs_database* database_ = nullptr;  // owned; freed in the destructor
  uint64_t id_ = 0;                  // unique per set, never reused: keys per-thread scratch growth
};

}  // namespace stoa::screen
