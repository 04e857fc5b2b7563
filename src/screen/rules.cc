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
// Byte mode, no flags. Not UTF-8 mode: the start locator scans windows that may begin inside a
// multi-byte character, which UTF-8 mode forbids; the normalized text of German and English is
// ASCII anyway (so ASCII \w and \b are right; Hyperscan refuses \b in UCP mode), and non-ASCII
// literals still match as byte sequences (PreparePattern refuses them inside classes). No
// SOM_LEFTMOST: with it the shipped rules took 20-30 s to compile instead of about 2 s; starts
// are found per hit instead (RuleSet::Locate).
constexpr unsigned kPatternFlags = 0;

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
  std::vector<unsigned> pattern_min_widths;
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
      if (key.substr(0, 7) == "define ") {
        Define(line_no, Trim(key.substr(7)), value);
      } else if (key == "version") {
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
                           "\" outside a rule (only \"version\" and \"define\" may come before the "
                           "first [rule])");
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
      Result<std::string> expanded = Expand(value);
      if (!expanded.ok()) {
        Error(line_no, "pattern: " + expanded.status().message());
        return;
      }
      Result<std::string> prepared = PreparePattern(*expanded);
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
      const unsigned min_width = info->min_width;
      free(info);  // allocated by Hyperscan's default allocator (malloc)
      if (empty) {
        Error(line_no, "pattern can match an empty text; make it require at least one character");
        return;
      }
      r.rule.patterns.emplace_back(value);
      r.rule.compiled_patterns.push_back(std::move(prepared).value());
      r.pattern_lines.push_back(line_no);
      r.pattern_min_widths.push_back(min_width);
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

  // "define NAME = fragment": a named piece of regex that patterns (and later defines) use as
  // {{NAME}}; it is inserted as a non-capturing group.
  void Define(int line_no, std::string_view name, std::string_view value) {
    const bool valid_name =
        !name.empty() && name.size() <= kMaxNameLength &&
        std::all_of(name.begin(), name.end(),
                    [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
    if (!valid_name) {
      Error(line_no, "invalid define name \"" + std::string(name) + "\" (a-z 0-9 _)");
      return;
    }
    if (auto it = defines_.find(std::string(name)); it != defines_.end()) {
      Error(line_no, "duplicate define \"" + std::string(name) + "\" (first on line " +
                         std::to_string(it->second.second) + ")");
      return;
    }
    if (value.empty()) {
      Error(line_no, "empty define \"" + std::string(name) + "\"");
      return;
    }
    Result<std::string> expanded = Expand(value);
    if (!expanded.ok()) {
      Error(line_no, "define: " + expanded.status().message());
      return;
    }
    defines_.emplace(std::string(name), std::make_pair("(?:" + *expanded + ")", line_no));
  }

  // Replaces every {{NAME}} by its definition.
  Result<std::string> Expand(std::string_view value) const {
    std::string out;
    size_t i = 0;
    while (i < value.size()) {
      const size_t open = value.find("{{", i);
      if (open == std::string_view::npos) {
        out.append(value.substr(i));
        break;
      }
      out.append(value.substr(i, open - i));
      const size_t close = value.find("}}", open + 2);
      if (close == std::string_view::npos) return InvalidArgument("unterminated {{ in \"" + std::string(value) + "\"");
      const std::string name(Trim(value.substr(open + 2, close - open - 2)));
      auto it = defines_.find(name);
      if (it == defines_.end()) return InvalidArgument("unknown define {{" + name + "}}");
      out.append(it->second.first);
      i = close + 2;
    }
    return out;
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
  std::unordered_map<std::string, std::pair<std::string, int>> defines_;  // name -> (regex, line)
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

// One match end reported by Hyperscan.
struct Report {
  uint32_t pattern;
  uint32_t end;
};

struct ScanContext {
  const uint32_t* pattern_rule;
  const Rule* rules;
  uint8_t languages;
  std::vector<Report>* reports;
};

int OnMatch(unsigned int id, unsigned long long, unsigned long long to, unsigned int,
            void* context) {
  auto* ctx = static_cast<ScanContext*>(context);
  const Rule& rule = ctx->rules[ctx->pattern_rule[id]];
  if ((rule.languages & ctx->languages) != 0) {
    ctx->reports->push_back(Report{id, static_cast<uint32_t>(to)});
  }
  return 0;
}

struct LocateContext {
  unsigned pattern;
  unsigned long long end;  // relative to the window
  bool found;
};

int OnLocate(unsigned int id, unsigned long long, unsigned long long to, unsigned int,
             void* context) {
  auto* ctx = static_cast<LocateContext*>(context);
  if (id == ctx->pattern && to == ctx->end) {
    ctx->found = true;
    return 1;  // stop scanning
  }
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
      set->pattern_min_width_.push_back(p.pattern_min_widths[k]);
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
  thread_local std::vector<Report> reports;
  reports.clear();
  ScanContext ctx{pattern_rule_.data(), rules_.data(), LanguagesForPost(language), &reports};
  const hs_error_t rc = hs_scan(database_, normalized.data(),
                                static_cast<unsigned>(normalized.size()), 0, tls.scratch, OnMatch, &ctx);
  if (rc != HS_SUCCESS) return Internal("Hyperscan scan failed with error " + std::to_string(rc));
  if (reports.empty()) return Status::Ok();  // the common case ends here

  // Hyperscan reports every end offset of every match ("kill e", "kill ev", ... for "kill \w+").
  // Runs of adjacent ends of one pattern are one match growing: locate the start of the first.
  std::sort(reports.begin(), reports.end(), [](const Report& a, const Report& b) {
    return a.pattern != b.pattern ? a.pattern < b.pattern : a.end < b.end;
  });
  for (size_t i = 0; i < reports.size();) {
    size_t j = i + 1;
    while (j < reports.size() && reports[j].pattern == reports[i].pattern &&
           reports[j].end == reports[j - 1].end + 1) {
      ++j;
    }
    Result<uint32_t> start = Locate(normalized, reports[i].pattern, reports[i].end, tls.scratch);
    if (!start.ok()) return start.status();
    const uint32_t index = pattern_rule_[reports[i].pattern];
    hits->push_back(RuleHit{index, rules_[index].category, *start, reports[j - 1].end,
                            rules_[index].weight});
    i = j;
  }
  // One span per rule where its matches (of any of its patterns) overlap.
  std::sort(hits->begin(), hits->end(), [](const RuleHit& a, const RuleHit& b) {
    if (a.rule != b.rule) return a.rule < b.rule;
    return a.start != b.start ? a.start < b.start : a.end < b.end;
  });
  size_t kept = 0;
  for (size_t i = 0; i < hits->size(); ++i) {
    RuleHit& h = (*hits)[i];
    if (kept > 0 && (*hits)[kept - 1].rule == h.rule && h.start < (*hits)[kept - 1].end) {
      (*hits)[kept - 1].end = std::max((*hits)[kept - 1].end, h.end);
    } else {
      (*hits)[kept++] = h;
    }
  }
  hits->resize(kept);
  std::sort(hits->begin(), hits->end(), [](const RuleHit& a, const RuleHit& b) {
    if (a.start != b.start) return a.start < b.start;
    if (a.end != b.end) return a.end < b.end;
    return a.rule < b.rule;
  });
  return Status::Ok();
}

Result<uint32_t> RuleSet::Locate(std::string_view text, uint32_t pattern, uint32_t end,
                                 hs_scratch* scratch) const {
  // Does a match of `pattern` ending exactly at `end` start at or after s? Scan the window
  // [s, end + 1): the byte after `end` gives \b and $ their true right context; the left
  // context of the window is "start of text", which can only shorten a match, never invent one
  // that does not end at `end`.
  const size_t stop = std::min(text.size(), static_cast<size_t>(end) + 1);
  hs_error_t failure = HS_SUCCESS;
  auto matches_from = [&](size_t s) {
    LocateContext ctx{pattern, end - s, false};
    const hs_error_t rc = hs_scan(database_, text.data() + s, static_cast<unsigned>(stop - s), 0,
                                  scratch, OnLocate, &ctx);
    if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED) failure = rc;
    return ctx.found;
  };
  // The answer is the largest s for which matches_from(s) holds (matches_from(0) holds: the scan
  // over the whole text reported this end). Search leftwards from the shortest possible match
  // in growing steps, then bisect.
  const uint32_t min_width = pattern_min_width_[pattern];
  size_t yes = 0;
  size_t no = static_cast<size_t>(end) + 1;
  size_t s = end >= min_width ? end - min_width : 0;
  size_t step = 8;
  while (s > 0) {
    if (matches_from(s)) {
      yes = s;
      break;
    }
    no = s;
    s = s > step ? s - step : 0;
    step *= 2;
  }
  while (no - yes > 1) {
    const size_t mid = yes + (no - yes) / 2;
    if (matches_from(mid)) {
      yes = mid;
    } else {
      no = mid;
    }
  }
  if (failure != HS_SUCCESS) {
    return Internal("Hyperscan scan failed with error " + std::to_string(failure));
  }
  return static_cast<uint32_t>(yes);
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
