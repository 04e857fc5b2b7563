// RulesHolder: the rule set in use, replaceable at run time. A reload parses and compiles the new
// file completely before it swaps it in with one atomic store, so a request in flight finishes
// with the set it started with (it holds a shared_ptr) and a request arriving after the swap
// sees the new set; an invalid file changes nothing.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "screen/rules.h"

namespace stoa::screen {

class RulesHolder {
 public:
  // Starts with `initial` (may be null: no rules yet, Get() returns null until a Set/Reload).
  explicit RulesHolder(std::shared_ptr<const RuleSet> initial = nullptr);

  // The current set. Thread-safe and cheap (an atomic shared_ptr load); hold the returned pointer
  // for as long as hits of this set are in use (they index into it).
  std::shared_ptr<const RuleSet> Get() const { return current_.load(std::memory_order_acquire); }

  // Loads, parses and compiles `path` and swaps it in. On any error the current set stays and the
  // error (with file name, line and reason) is returned. Thread-safe; concurrent reloads are
  // serialised by the atomic store (the last one to finish wins).
  Status Reload(const std::string& path);
  // The same with the compiled-rules cache in `cache_dir` (RuleSet::Load).
  Status Reload(const std::string& path, const std::string& cache_dir);

  // Swaps in an already built set (must not be null).
  void Set(std::shared_ptr<const RuleSet> rules);

  // How many times a set was swapped in (starts at 0; for metrics and tests).
  uint64_t generation() const { return generation_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::shared_ptr<const RuleSet>> current_;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace stoa::screen
