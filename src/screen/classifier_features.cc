#include "screen/classifier_features.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace stoa::screen {
Result<std::shared_ptr<const ClassifierFeatures>> ClassifierFeatures::Parse(
    std::string_view rules_text, std::string_view source_name) {
  ASSIGN_OR_RETURN(std::shared_ptr<const RuleSet> rules, RuleSet::Parse(rules_text, source_name));
  std::shared_ptr<ClassifierFeatures> f(new ClassifierFeatures());
  f->text_ = std::string(rules_text);
  f->rules_ = std::move(rules);
  for (const Rule& r : f->rules_->rules()) f->tokens_.push_back("#" + r.name);
  return std::shared_ptr<const ClassifierFeatures>(std::move(f));
}

Result<std::shared_ptr<const ClassifierFeatures>> ClassifierFeatures::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open " + path + ": " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Unavailable("cannot read " + path);
  return Parse(buffer.str(), path);
}

Status ClassifierFeatures::Tokens(std::string_view normalized,
                                  std::vector<std::string_view>* tokens) const {
  tokens->clear();
  thread_local std::vector<uint32_t> rules;
  RETURN_IF_ERROR(rules_->MatchedRules(normalized, /*language=*/"", &rules));
  for (uint32_t r : rules) tokens->push_back(tokens_[r]);
  return Status::Ok();
}

}  // namespace stoa::screen
