#include "screen/classifier_features.h"

#include <mutex>
#include <set>

namespace stoa::screen {

namespace {

// Features compiled for the same texts and still in use somewhere (Parse).
struct FeaturesCache {
  std::mutex mu;
  std::vector<std::pair<std::vector<std::string>, std::weak_ptr<const ClassifierFeatures>>> entries;
};

FeaturesCache& Cache() {
  static FeaturesCache* cache = new FeaturesCache();
  return *cache;
}

}  // namespace

Result<std::shared_ptr<const ClassifierFeatures>> ClassifierFeatures::Parse(
    const std::vector<std::string>& rules_texts, const std::vector<std::string>& source_names) {
  FeaturesCache& cache = Cache();
  {
    std::lock_guard lock(cache.mu);
    std::erase_if(cache.entries, [](const auto& e) { return e.second.expired(); });
    for (const auto& [texts, weak] : cache.entries) {
      if (texts != rules_texts) continue;
      if (std::shared_ptr<const ClassifierFeatures> live = weak.lock()) return live;
    }
  }
  ASSIGN_OR_RETURN(std::shared_ptr<const ClassifierFeatures> compiled,
                   Compile(rules_texts, source_names));
  std::lock_guard lock(cache.mu);
  cache.entries.emplace_back(rules_texts, compiled);
  return compiled;
}

Result<std::shared_ptr<const ClassifierFeatures>> ClassifierFeatures::Compile(
    const std::vector<std::string>& rules_texts, const std::vector<std::string>& source_names) {
  std::shared_ptr<ClassifierFeatures> f(new ClassifierFeatures());
  std::set<std::string, std::less<>> names;
  for (size_t i = 0; i < rules_texts.size(); ++i) {
    const std::string source =
        i < source_names.size() ? source_names[i] : "features #" + std::to_string(i + 1);
    ASSIGN_OR_RETURN(std::shared_ptr<const RuleSet> rules, RuleSet::Parse(rules_texts[i], source));
    std::vector<std::string> tokens;
    for (const Rule& r : rules->rules()) {
      if (!names.insert(r.name).second) {
        return InvalidArgument(source + ": rule \"" + r.name + "\" is also in another features file");
      }
      tokens.push_back("#" + r.name);
    }
    f->texts_.push_back(rules_texts[i]);
    f->sets_.push_back(std::move(rules));
    f->tokens_.push_back(std::move(tokens));
  }
  return std::shared_ptr<const ClassifierFeatures>(std::move(f));
}

Result<std::shared_ptr<const ClassifierFeatures>> ClassifierFeatures::Load(
    const std::vector<std::string>& paths) {
  std::vector<std::string> texts;
  for (const std::string& path : paths) {
    ASSIGN_OR_RETURN(std::string text, ReadRulesFile(path));
    texts.push_back(std::move(text));
  }
  return Parse(texts, paths);
}

Status ClassifierFeatures::Tokens(std::string_view normalized,
                                  std::vector<std::string_view>* tokens,
                                  const KnownHits* known) const {
  tokens->clear();
  thread_local std::vector<uint32_t> rules;
  for (size_t i = 0; i < sets_.size(); ++i) {
    const std::vector<uint32_t>* hit = &rules;
    if (known != nullptr && known->file == i) {
      hit = known->rules;
    } else if (const Status st = sets_[i]->MatchedRules(normalized, /*language=*/"", &rules);
               !st.ok()) {
      tokens->clear();
      return st;
    }
    for (uint32_t r : *hit) tokens->push_back(tokens_[i][r]);
  }
  return Status::Ok();
}

std::optional<size_t> ClassifierFeatures::FileLike(const RuleSet& rules) const {
  for (size_t i = 0; i < sets_.size(); ++i) {
    if (sets_[i]->text_fingerprint() == rules.text_fingerprint() &&
        sets_[i]->rules().size() == rules.rules().size()) {
      return i;
    }
  }
  return std::nullopt;
}

size_t ClassifierFeatures::rule_count() const {
  size_t n = 0;
  for (const auto& set : sets_) n += set->rules().size();
  return n;
}

std::string ClassifierFeatures::versions() const {
  std::string out;
  for (const auto& set : sets_) out += (out.empty() ? "" : ", ") + set->version();
  return out;
}

}  // namespace stoa::screen
