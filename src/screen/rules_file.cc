#include "screen/rules_file.h"

#include <hs/hs.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <unordered_map>

#include "screen/pattern.h"

namespace stoa::screen::detail {
namespace {

constexpr std::string_view kFormatLine = "stoa-rules 1";
constexpr size_t kMaxReportedErrors = 50;
constexpr size_t kMaxNameLength = 100;

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
struct PendingRule : RuleSource {
  bool has_category = false;
  bool has_languages = false;
  bool has_weight = false;
  bool has_verdict = false;
  bool has_pattern_line = false;  // a pattern line was seen (it may have been refused)
};

class Parser {
 public:
  explicit Parser(RuleErrors* errors) : errors_(errors) {}

  void Error(int line, const std::string& reason) { errors_->Add(line, reason); }

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

  RulesFile TakeResult() {
    RulesFile file;
    file.version = std::move(version_);
    for (PendingRule& r : rules_) file.rules.push_back(std::move(static_cast<RuleSource&>(r)));
    return file;
  }

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
      if (hs_expression_info(prepared->c_str(), kRulePatternFlags, &info, &err) != HS_SUCCESS) {
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

  RuleErrors* errors_;
  std::vector<PendingRule> rules_;
  std::optional<PendingRule> current_;
  bool in_bad_rule_ = false;
  std::unordered_map<std::string, int> names_;
  std::unordered_map<std::string, std::pair<std::string, int>> defines_;  // name -> (regex, line)
  std::string version_;
  int version_line_ = 0;
};

}  // namespace

void RuleErrors::Add(int line, const std::string& reason) {
  if (messages_.size() < kMaxReportedErrors) {
    messages_.push_back(source_ + ":" + std::to_string(line) + ": " + reason);
  }
  ++count_;
}

Status RuleErrors::ToStatus() const {
  std::string message;
  for (const std::string& m : messages_) {
    if (!message.empty()) message += '\n';
    message += m;
  }
  if (count_ > messages_.size()) {
    message += "\n" + source_ + ": and " + std::to_string(count_ - messages_.size()) + " more errors";
  }
  return InvalidArgument(message);
}

RulesFile ReadRulesFile(std::string_view text, RuleErrors* errors) {
  Parser parser(errors);
  parser.Run(text);
  return parser.TakeResult();
}

}  // namespace stoa::screen::detail
