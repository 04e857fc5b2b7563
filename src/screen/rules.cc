#include "screen/rules.h"

#include <hs/hs.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "screen/rules_cache.h"
#include "screen/rules_file.h"

namespace stoa::screen {
namespace {

std::atomic<uint64_t> next_rule_set_id{1};

// Scratch space for the calling thread, grown for every database it has scanned with. A scratch
// fitted for a database stays valid for it when grown for another, so the ids of the recent sets
// it fits are kept: a thread that alternates between two sets (the screening rules and a model's
// lexicon features) does not ask Hyperscan to check the scratch on every scan.
struct ThreadScratch {
  static constexpr size_t kRemembered = 8;
  hs_scratch_t* scratch = nullptr;
  std::array<uint64_t, kRemembered> fitted_for{};  // ids of RuleSets it fits (0: none)
  size_t next = 0;                                 // the slot the next id goes to
  bool Fits(uint64_t id) const {
    return std::find(fitted_for.begin(), fitted_for.end(), id) != fitted_for.end();
  }
  void Remember(uint64_t id) {
    fitted_for[next] = id;
    next = (next + 1) % kRemembered;
  }
  ~ThreadScratch() {
    if (scratch != nullptr) hs_free_scratch(scratch);
  }
};

using Report = detail::MatchEnd;

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
  return Parse(text, source_name, std::string());
}

Result<std::shared_ptr<const RuleSet>> RuleSet::Parse(std::string_view text,
                                                      std::string_view source_name,
                                                      const std::string& cache_dir) {
  detail::RuleErrors errors(source_name);
  detail::RulesFile file = detail::ReadRulesFile(text, &errors);
  if (!errors.empty()) return errors.ToStatus();
  std::vector<detail::RuleSource>& pending = file.rules;
  if (pending.empty()) {
    errors.Add(1, "no rules");
    return errors.ToStatus();
  }

  std::shared_ptr<RuleSet> set(new RuleSet());
  set->version_ = std::move(file.version);
  set->source_name_ = std::string(source_name);
  set->text_fingerprint_ =
      std::hash<std::string_view>{}(text) ^ (text.size() * 0x9E3779B97F4A7C15ULL);
  std::vector<const char*> expressions;
  std::vector<unsigned> flags;
  std::vector<unsigned> ids;
  std::vector<int> lines;
  for (detail::RuleSource& p : pending) {
    const auto index = static_cast<uint32_t>(set->rules_.size());
    for (size_t k = 0; k < p.rule.compiled_patterns.size(); ++k) {
      ids.push_back(static_cast<unsigned>(set->pattern_rule_.size()));
      set->pattern_rule_.push_back(index);
      set->pattern_min_width_.push_back(p.pattern_min_widths[k]);
      lines.push_back(p.pattern_lines[k]);
      flags.push_back(detail::kRulePatternFlags);
    }
    set->rules_.push_back(p.rule);
  }
  for (const Rule& r : set->rules_) {
    for (const std::string& c : r.compiled_patterns) expressions.push_back(c.c_str());
  }

  std::string cache_path;
  std::string cache_key;
  if (!cache_dir.empty()) {
    cache_path = detail::RulesCachePath(cache_dir, source_name);
    cache_key = detail::RulesCacheKey(text, expressions, flags, ids, HS_MODE_BLOCK);
    auto cached = detail::ReadCachedDatabase(cache_path, cache_key);
    if (cached.ok()) {
      set->database_ = *cached;
      set->from_cache_ = true;
      set->cache_note_ = "loaded from cache " + cache_path;
    } else {
      set->cache_note_ = "compiled (" + cached.status().message() + ")";
    }
  }
  hs_compile_error_t* err = nullptr;
  if (set->database_ == nullptr &&
      hs_compile_multi(expressions.data(), flags.data(), ids.data(),
                       static_cast<unsigned>(expressions.size()), HS_MODE_BLOCK, nullptr,
                       &set->database_, &err) != HS_SUCCESS) {
    const int line = err != nullptr && err->expression >= 0 ? lines[err->expression] : 1;
    errors.Add(line, "Hyperscan refused the rules: " +
                         std::string(err != nullptr ? err->message : "unknown error"));
    hs_free_compile_error(err);
    return errors.ToStatus();
  }
  set->id_ = next_rule_set_id.fetch_add(1);

  // Every example must be caught by its rule and no counterexample may be.
  Normalized normalized;
  std::vector<RuleHit> hits;
  for (size_t index = 0; index < pending.size(); ++index) {
    const detail::RuleSource& p = pending[index];
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
        errors.Add(line, "example is not matched by rule \"" + p.rule.name +
                             "\" (normalized: \"" + normalized.text + "\")");
      }
    }
    for (const auto& [line, example] : p.counterexamples) {
      ASSIGN_OR_RETURN(const RuleHit* hit, hit_by_rule(example));
      if (hit != nullptr) {
        errors.Add(line, "counterexample is matched by rule \"" + p.rule.name + "\" at \"" +
                             normalized.text.substr(hit->start, hit->end - hit->start) + "\"");
      }
    }
  }
  if (!errors.empty()) return errors.ToStatus();
  // Only a set that passed every check is cached.
  if (!cache_dir.empty() && !set->from_cache_) {
    const Status written = detail::WriteCachedDatabase(cache_path, cache_key, set->database_);
    set->cache_note_ += written.ok() ? "; cached in " + cache_path
                                     : "; cache not written: " + written.message();
  }
  return std::shared_ptr<const RuleSet>(std::move(set));
}

Result<std::shared_ptr<const RuleSet>> RuleSet::Load(const std::string& path) {
  return Load(path, std::string());
}

Result<std::string> ReadRulesFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open rules file " + path + ": " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Unavailable("cannot read rules file " + path);
  return buffer.str();
}

Result<std::shared_ptr<const RuleSet>> RuleSet::Load(const std::string& path,
                                                     const std::string& cache_dir) {
  ASSIGN_OR_RETURN(const std::string text, ReadRulesFile(path));
  return Parse(text, path, cache_dir);
}

RuleSet::~RuleSet() {
  if (database_ != nullptr) hs_free_database(database_);
}

Result<hs_scratch*> RuleSet::Scan(std::string_view normalized, uint8_t languages,
                                  std::vector<detail::MatchEnd>* reports) const {
  thread_local ThreadScratch tls;
  if (!tls.Fits(id_)) {
    // Grows (or first allocates) this thread's scratch so it also fits this database; a scratch
    // fitted for several databases stays valid for all of them.
    if (hs_alloc_scratch(database_, &tls.scratch) != HS_SUCCESS) {
      return ResourceExhausted("cannot allocate Hyperscan scratch space");
    }
    tls.Remember(id_);
  }
  reports->clear();
  ScanContext ctx{pattern_rule_.data(), rules_.data(), languages, reports};
  const hs_error_t rc = hs_scan(database_, normalized.data(),
                                static_cast<unsigned>(normalized.size()), 0, tls.scratch, OnMatch, &ctx);
  if (rc != HS_SUCCESS) return Internal("Hyperscan scan failed with error " + std::to_string(rc));
  return tls.scratch;
}

Status RuleSet::MatchedRules(std::string_view normalized, std::string_view language,
                             std::vector<uint32_t>* rules) const {
  rules->clear();
  thread_local std::vector<Report> reports;
  RETURN_IF_ERROR(Scan(normalized, LanguagesForPost(language), &reports).status());
  for (const Report& r : reports) rules->push_back(pattern_rule_[r.pattern]);
  std::sort(rules->begin(), rules->end());
  rules->erase(std::unique(rules->begin(), rules->end()), rules->end());
  return Status::Ok();
}

Status RuleSet::Match(std::string_view normalized, std::string_view language,
                      std::vector<RuleHit>* hits, std::vector<uint32_t>* all_rules) const {
  hits->clear();
  thread_local std::vector<Report> reports;
  const uint8_t post_languages = LanguagesForPost(language);
  ASSIGN_OR_RETURN(
      hs_scratch* const scratch,
      Scan(normalized, all_rules != nullptr ? static_cast<uint8_t>(kLanguageAny) : post_languages,
           &reports));
  if (all_rules != nullptr) {
    all_rules->clear();
    for (const Report& r : reports) all_rules->push_back(pattern_rule_[r.pattern]);
    std::sort(all_rules->begin(), all_rules->end());
    all_rules->erase(std::unique(all_rules->begin(), all_rules->end()), all_rules->end());
    // The hits are the post's language's only.
    std::erase_if(reports, [&](const Report& r) {
      return (rules_[pattern_rule_[r.pattern]].languages & post_languages) == 0;
    });
  }
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
    Result<uint32_t> start = Locate(normalized, reports[i].pattern, reports[i].end, scratch);
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
