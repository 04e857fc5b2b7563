#include "screen/rules.h"

#include <hs/hs.h>
#include <utf8proc.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <unordered_map>

#include "screen/pattern.h"

namespace stoa::screen {
namespace {

constexpr std::string_view kFormatLine = "stoa-rules 1";
constexpr size_t kMaxReportedErrors = 50;
constexpr size_t kMaxNameLength = 100;
// UTF-8 so that "." and classes take whole characters; no UCP: Hyperscan refuses \b in UCP mode
// and the normalized text of German and English is ASCII, so ASCII \w and \b are the right ones.
// SOM_LEFTMOST: hits report where they start.
constexpr unsigned kPatternFlags = HS_FLAG_UTF8 | HS_FLAG_SOM_LEFTMOST;

std::atomic<uint64_t> next_rule_set_id{1};

std::string_view Trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

// Parses "de", "en", "any" separated by commas and/or spaces into LanguageBits; 0 on error.
uint8_t ParseLanguages(std::string_view value, std::string* bad) {
  uint8_t bits = 0;
  size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && (value[i] == ',' || value[i] == ' ' || value[i] == '\t')) ++i;
    size_t j = i;
    while (j < value.size() && value[j] != ',' && value[j] != ' ' && value[j] != '\t') ++j;
    if (j == i) break;
    const std::string_view word = value.substr(i, j - i);
    if (word == "de") {
      bits |= kLanguageDe;
    } else if (word == "en") {
      bits |= kLanguageEn;
    } else if (word == "any") {
      bits |= kLanguageAny;
    } else {
      *bad = std::string(word);
      return 0;
    }
    i = j;
  }
  if (bits == 0) *bad = std::string(value);
  return bits;
}

// A rule while it is being read, with the lines of its parts for error messages.
struct PendingRule {
  Rule rule;
  bool has_category = false;
  bool has_languages = false;
  bool has_weight = false;
  bool has_verdict = false;
  bool has_pattern_line = false;  // a pattern line was seen (it may have been refused)
  std::vector<int> pattern_lines;
  std::vector<std::pair<int, std::string>> examples;
  std::vector<std::pair<int, std::string>> counterexamples;
};

class Parser {
 public:
  explicit Parser(std::string_view source) : source_(source) {}

  void Error(int line, const std::string& reason) {
    if (errors_.size() < kMaxReportedErrors) {
      errors_.push_back(std::string(source_) + ":" + std::to_string(line) + ": " + reason);
    }
    ++error_count_;
  }
  bool failed() const { return error_count_ > 0; }

  Status ErrorStatus() const {
    std::string message;
    for (const std::string& e : errors_) {
      if (!message.empty()) message += '\n';
      message += e;
    }
    if (error_count_ > errors_.size()) {
      message += "\n" + std::string(source_) + ": and " +
                 std::to_string(error_count_ - errors_.size()) + " more errors";
    }
    return InvalidArgument(message);
  }

  void Run(std::string_view text) {
    int line_no = 0;
    bool seen_format = false;
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) nl = text.size();
      const std::string_view line = Trim(text.substr(pos, nl - pos));
      pos = nl + 1;
      ++line_no;
      if (line.empty() || line.front() == '#') continue;
      if (!seen_format) {
        seen_format = true;
        if (line != kFormatLine) {
          Error(line_no, "the first line must be \"" + std::string(kFormatLine) +
                             "\" (the format of this file), found \"" + std::string(line) + "\"");
          return;  // not a rules file (or a future format): nothing else can be trusted
        }
        continue;
      }
      if (line.front() == '[') {
        Header(line_no, line);
      } else {
        KeyValue(line_no, line);
      }
    }
    if (!seen_format) Error(line_no, "empty rules file (no \"" + std::string(kFormatLine) + "\" line)");
    FinishRule();
    if (version_line_ == 0 && seen_format) Error(1, "missing \"version = ...\" line");
  }

  std::vector<PendingRule>& rules() { return rules_; }
  std::string& version() { return version_; }

 private:
  void Header(int line_no, std::string_view line) {
    FinishRule();
    if (line.back() != ']' || line.substr(0, 5) != "[rule" || line.size() < 7 ||
        (line[5] != ' ' && line[5] != '\t')) {
      Error(line_no, "expected a rule header \"[rule NAME]\", found \"" + std::string(line) + "\"");
      in_bad_rule_ = true;
      return;
    }
    const std::string_view name = Trim(line.substr(6, line.size() - 7));
    in_bad_rule_ = false;
    if (!ValidName(name)) {
      Error(line_no, "invalid rule name \"" + std::string(name) +
                         "\" (1 to 100 characters of a-z 0-9 . _ -)");
    } else if (auto it = names_.find(std::string(name)); it != names_.end()) {
      Error(line_no, "duplicate rule name \"" + std::string(name) + "\" (first defined on line " +
                         std::to_string(it->second) + ")");
    } else {
      names_.emplace(std::string(name), line_no);
    }
    current_ = PendingRule{};
    current_->rule.name = std::string(name);
    current_->rule.line = line_no;
  }

  void KeyValue(int line_no, std::string_view line) {
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      Error(line_no, "expected \"key = value\", found \"" + std::string(line) + "\"");
      return;
    }
    const std::string_view key = Trim(line.substr(0, eq));
    const std::string_view value = Trim(line.substr(eq + 1));
    if (!current_) {
      if (in_bad_rule_) return;  // the header was already reported
      if (key == "version") {
        if (version_line_ != 0) {
          Error(line_no, "duplicate version line (first on line " + std::to_string(version_line_) + ")");
        } else if (value.empty()) {
          Error(line_no, "empty version");
        } else {
          version_ = std::string(value);
          version_line_ = line_no;
        }
      } else {
        Error(line_no, "\"" + std::string(key) +
                           "\" outside a rule (only \"version\" may come before the first [rule])");
      }
      return;
    }
    PendingRule& r = *current_;
    auto once = [&](bool& seen) {
      if (seen) {
        Error(line_no, "duplicate \"" + std::string(key) + "\" in rule \"" + r.rule.name + "\"");
        return false;
      }
      seen = true;
      return true;
    };
    if (key == "category") {
      if (!once(r.has_category)) return;
      if (auto c = ParseCategory(value)) {
        r.rule.category = *c;
      } else {
        std::string known;
        for (Category k : kAllCategories) known += (known.empty() ? "" : ", ") + std::string(CategoryName(k));
        Error(line_no, "unknown category \"" + std::string(value) + "\" (known: " + known + ")");
      }
    } else if (key == "languages" || key == "language") {
      if (!once(r.has_languages)) return;
      std::string bad;
      r.rule.languages = ParseLanguages(value, &bad);
      if (r.rule.languages == 0) {
        Error(line_no, "unknown language \"" + bad + "\" (use de, en or any)");
      }
    } else if (key == "weight") {
      if (!once(r.has_weight)) return;
      double w = -1;
      const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), w);
      if (ec != std::errc() || ptr != value.data() + value.size() || !std::isfinite(w) || w < 0 ||
          w > 1) {
        Error(line_no, "bad weight \"" + std::string(value) + "\" (a number from 0 to 1)");
      } else {
        r.rule.weight = w;
      }
    } else if (key == "max_verdict") {
      if (!once(r.has_verdict)) return;
      auto v = ParseVerdict(value);
      if (!v || *v == Verdict::kPublish) {
        Error(line_no, "unknown max_verdict \"" + std::string(value) +
                           "\" (use publish_and_flag, hold or reject)");
      } else {
        r.rule.max_verdict = *v;
      }
    } else if (key == "pattern") {
      r.has_pattern_line = true;
      if (value.empty()) {
        Error(line_no, "empty pattern");
        return;
      }
      Result<std::string> prepared = PreparePattern(value);
      if (!prepared.ok()) {
        Error(line_no, "pattern: " + prepared.status().message());
        return;
      }
      hs_expr_info_t* info = nullptr;
      hs_compile_error_t* err = nullptr;
      if (hs_expression_info(prepared->c_str(), kPatternFlags, &info, &err) != HS_SUCCESS) {
        Error(line_no, "pattern refused by Hyperscan: " +
                           std::string(err != nullptr ? err->message : "unknown error"));
        hs_free_compile_error(err);
        return;
      }
      const bool empty = info->min_width == 0;
      free(info);  // allocated by Hyperscan's default allocator (malloc)
      if (empty) {
        Error(line_no, "pattern can match an empty text; make it require at least one character");
        return;
      }
      r.rule.patterns.emplace_back(value);
      r.rule.compiled_patterns.push_back(std::move(prepared).value());
      r.pattern_lines.push_back(line_no);
    } else if (key == "example") {
      r.examples.emplace_back(line_no, std::string(value));
    } else if (key == "counterexample") {
      r.counterexamples.emplace_back(line_no, std::string(value));
    } else if (key == "description") {
      r.rule.description = std::string(value);
    } else {
      Error(line_no, "unknown key \"" + std::string(key) +
                         "\" (known: category, languages, weight, max_verdict, pattern, example, "
                         "counterexample, description)");
    }
  }

  void FinishRule() {
    if (!current_) return;
    PendingRule& r = *current_;
    const int line = r.rule.line;
    const std::string& name = r.rule.name;
    auto missing = [&](const char* what) {
      Error(line, "rule \"" + name + "\" has no " + what);
    };
    if (!r.has_category) missing("category");
    if (!r.has_languages) missing("languages");
    if (!r.has_weight) missing("weight");
    if (!r.has_verdict) missing("max_verdict");
    if (!r.has_pattern_line) missing("pattern");
    rules_.push_back(std::move(r));
    current_.reset();
  }

  std::string_view source_;
  std::vector<std::string> errors_;
  size_t error_count_ = 0;
  std::vector<PendingRule> rules_;
  std::optional<PendingRule> current_;
  bool in_bad_rule_ = false;
  std::unordered_map<std::string, int> names_;
  std::string version_;
  int version_line_ = 0;
};

// Scratch space for the calling thread, grown for every database it has scanned with.
struct ThreadScratch {
  hs_scratch_t* scratch = nullptr;
  uint64_t fitted_for = 0;  // id of the last RuleSet the scratch was checked against
  ~ThreadScratch() {
    if (scratch != nullptr) hs_free_scratch(scratch);
  }
};

struct ScanContext {
  const uint32_t* pattern_rule;
  const Rule* rules;
  uint8_t languages;
  std::vector<RuleHit>* hits;
};

int OnMatch(unsigned int id, unsigned long long from, unsigned long long to, unsigned int,
            void* context) {
  auto* ctx = static_cast<ScanContext*>(context);
  const uint32_t index = ctx->pattern_rule[id];
  const Rule& rule = ctx->rules[index];
  if ((rule.languages & ctx->languages) == 0) return 0;
  const auto start = static_cast<uint32_t>(from);
  const auto end = static_cast<uint32_t>(to);
  // Merge with an overlapping earlier hit of the same rule: Hyperscan reports every end offset
  // ("kill all x", "kill all xy", ...), a reader wants one span.
  for (auto it = ctx->hits->rbegin(); it != ctx->hits->rend(); ++it) {
    if (it->rule == index && start < it->end && it->start < end) {
      it->start = std::min(it->start, start);
      it->end = std::max(it->end, end);
      return 0;
    }
  }
  ctx->hits->push_back(RuleHit{index, rule.category, start, end, rule.weight});
  return 0;
}

}  // namespace

uint8_t LanguagesForPost(std::string_view language) {
  std::string_view primary = language.substr(0, language.find_first_of("-_"));
  if (primary.empty()) return kLanguageAny;
  if (primary.size() < 2 || primary.size() > 3) return kLanguageAny;
  char lower[3] = {0, 0, 0};
  for (size_t i = 0; i < primary.size(); ++i) {
    const char c = primary[i];
    if (c >= 'A' && c <= 'Z') {
      lower[i] = static_cast<char>(c - 'A' + 'a');
    } else if (c >= 'a' && c <= 'z') {
      lower[i] = c;
    } else {
      return kLanguageAny;  // not a language tag
    }
  }
  const std::string_view tag(lower, primary.size());
  if (tag == "de") return kLanguageDe;
  if (tag == "en") return kLanguageEn;
  return kLanguageOther;
}

Result<std::shared_ptr<const RuleSet>> RuleSet::Parse(std::string_view text,
                                                      std::string_view source_name) {
  Parser parser(source_name);
  parser.Run(text);
  if (parser.failed()) return parser.ErrorStatus();
  std::vector<PendingRule>& pending = parser.rules();
  if (pending.empty()) {
    parser.Error(1, "no rules");
    return parser.ErrorStatus();
  }

  std::shared_ptr<RuleSet> set(new RuleSet());
  set->version_ = std::move(parser.version());
  set->source_name_ = std::string(source_name);
  std::vector<const char*> expressions;
  std::vector<unsigned> flags;
  std::vector<unsigned> ids;
  std::vector<int> lines;
  for (PendingRule& p : pending) {
    const auto index = static_cast<uint32_t>(set->rules_.size());
    for (size_t k = 0; k < p.rule.compiled_patterns.size(); ++k) {
      ids.push_back(static_cast<unsigned>(set->pattern_rule_.size()));
      set->pattern_rule_.push_back(index);
      lines.push_back(p.pattern_lines[k]);
      flags.push_back(kPatternFlags);
    }
    set->rules_.push_back(p.rule);
  }
  for (const Rule& r : set->rules_) {
    for (const std::string& c : r.compiled_patterns) expressions.push_back(c.c_str());
  }

  hs_compile_error_t* err = nullptr;
  if (hs_compile_multi(expressions.data(), flags.data(), ids.data(),
                       static_cast<unsigned>(expressions.size()), HS_MODE_BLOCK, nullptr,
                       &set->database_, &err) != HS_SUCCESS) {
    const int line = err != nullptr && err->expression >= 0 ? lines[err->expression] : 1;
    parser.Error(line, "Hyperscan refused the rules: " +
                           std::string(err != nullptr ? err->message : "unknown error"));
    hs_free_compile_error(err);
    return parser.ErrorStatus();
  }
  set->id_ = next_rule_set_id.fetch_add(1);

  // Every example must be caught by its rule and no counterexample may be.
  Normalized normalized;
  std::vector<RuleHit> hits;
  for (size_t index = 0; index < pending.size(); ++index) {
    const PendingRule& p = pending[index];
    auto hit_by_rule = [&](const std::string& text) -> Result<const RuleHit*> {
      Normalize(text, &normalized);
      RETURN_IF_ERROR(set->Match(normalized.text, "", &hits));
      for (const RuleHit& h : hits) {
        if (h.rule == index) return &h;
      }
      return static_cast<const RuleHit*>(nullptr);
    };
    for (const auto& [line, example] : p.examples) {
      ASSIGN_OR_RETURN(const RuleHit* hit, hit_by_rule(example));
      if (hit == nullptr) {
        parser.Error(line, "example is not matched by rule \"" + p.rule.name +
                               "\" (normalized: \"" + normalized.text + "\")");
      }
    }
    for (const auto& [line, example] : p.counterexamples) {
      ASSIGN_OR_RETURN(const RuleHit* hit, hit_by_rule(example));
      if (hit != nullptr) {
        parser.Error(line, "counterexample is matched by rule \"" + p.rule.name + "\" at \"" +
                               normalized.text.substr(hit->start, hit->end - hit->start) + "\"");
      }
    }
  }
  if (parser.failed()) return parser.ErrorStatus();
  return std::shared_ptr<const RuleSet>(std::move(set));
}

Result<std::shared_ptr<const RuleSet>> RuleSet::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open rules file " + path + ": " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Unavailable("cannot read rules file " + path);
  return Parse(buffer.str(), path);
}

RuleSet::~RuleSet() {
  if (database_ != nullptr) hs_free_database(database_);
}

Status RuleSet::Match(std::string_view normalized, std::string_view language,
                      std::vector<RuleHit>* hits) const {
  hits->clear();
  thread_local ThreadScratch tls;
  if (tls.fitted_for != id_) {
    // Grows (or first allocates) this thread's scratch so it also fits this database; a scratch
    // fitted for several databases stays valid for all of them.
    if (hs_alloc_scratch(database_, &tls.scratch) != HS_SUCCESS) {
      return ResourceExhausted("cannot allocate Hyperscan scratch space");
    }
    tls.fitted_for = id_;
  }
  ScanContext ctx{pattern_rule_.data(), rules_.data(), LanguagesForPost(language), hits};
  const hs_error_t rc = hs_scan(database_, normalized.data(), static_cast<unsigned>(normalized.size()),
                                0, tls.scratch, OnMatch, &ctx);
  if (rc != HS_SUCCESS) return Internal("Hyperscan scan failed with error " + std::to_string(rc));
  std::sort(hits->begin(), hits->end(), [](const RuleHit& a, const RuleHit& b) {
    if (a.start != b.start) return a.start < b.start;
    if (a.end != b.end) return a.end < b.end;
    return a.rule < b.rule;
  });
  return Status::Ok();
}

Result<std::vector<RuleHit>> RuleSet::Match(const Normalized& normalized,
                                            std::string_view language) const {
  std::vector<RuleHit> hits;
  RETURN_IF_ERROR(Match(normalized.text, language, &hits));
  return hits;
}

RuleScores RuleSet::Score(std::span<const RuleHit> hits) const {
  RuleScores scores;
  std::array<double, kCategoryCount> keep{};  // prod(1 - w) per category
  keep.fill(1.0);
  for (size_t i = 0; i < hits.size(); ++i) {
    const RuleHit& h = hits[i];
    bool seen = false;
    for (size_t j = 0; j < i && !seen; ++j) seen = hits[j].rule == h.rule;
    if (seen) continue;
    const auto c = static_cast<size_t>(h.category);
    keep[c] *= 1.0 - h.weight;
    scores.max_verdict[c] = std::max(scores.max_verdict[c], rules_[h.rule].max_verdict);
  }
  for (size_t c = 0; c < kCategoryCount; ++c) scores.score[c] = 1.0 - keep[c];
  return scores;
}

}  // namespace stoa::screen
