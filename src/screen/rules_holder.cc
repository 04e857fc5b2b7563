#include "screen/rules_holder.h"

#include <cassert>
#include <utility>

namespace stoa::screen {

RulesHolder::RulesHolder(std::shared_ptr<const RuleSet> initial) : current_(std::move(initial)) {}

Status RulesHolder::Reload(const std::string& path) {
  // All the work happens before the swap; readers never wait for parsing or compiling.
  ASSIGN_OR_RETURN(std::shared_ptr<const RuleSet> rules, RuleSet::Load(path));
  Set(std::move(rules));
  return Status::Ok();
}

void RulesHolder::Set(std::shared_ptr<const RuleSet> rules) {
  assert(rules != nullptr);
  current_.store(std::move(rules), std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace stoa::screen
