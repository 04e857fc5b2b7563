#include "screen/rules_holder.h"

#include <cassert>
#include <utility>

namespace stoa::screen {

RulesHolder::RulesHolder(std::shared_ptr<const RuleSet> initial) : current_(std::move(initial)) {}

Status RulesHolder::Reload(const std::string& path) { return Reload(path, std::string()); }

Status RulesHolder::Reload(const std::string& path, const std::string& cache_dir) {
  // All the work happens before the swap; readers never wait for parsing or compiling.
  ASSIGN_OR_RETURN(std::shared_ptr<const RuleSet> rules, RuleSet::Load(path, cache_dir));
  Set(std::move(rules));
  return Status::Ok();
}

void RulesHolder::Set(std::shared_ptr<const RuleSet> rules) {
  assert(rules != nullptr);
  current_.store(std::move(rules), std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace stoa::screen
