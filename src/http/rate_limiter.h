// Fixed-window rate limiting per key (token, IP, account), in memory.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"
#include "common/config.h"

namespace stoa::http {

struct RateDecision {
  bool allowed = true;
  int limit = 0;
  int remaining = 0;
  Timestamp reset_at;
};

// Thread-safe. Memory is bounded: expired windows are swept as new ones start.
class RateLimiter {
 public:
  explicit RateLimiter(const Clock& clock) : clock_(clock) {}
  // Counts one hit for `key` under `rule` and says whether it is within the limit.
  RateDecision Hit(std::string_view key, const RateLimit& rule);

 private:
  struct Window {
    int64_t window_start_ms = 0;
    int64_t window_ms = 0;  // the rule's window length, for sweeping
    int count = 0;
  };
  static constexpr int kShards = 16;
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Window> windows;  // guarded by mu
    int64_t last_sweep_ms = 0;                       // guarded by mu
  };
  const Clock& clock_;
  Shard shards_[kShards];
};

}  // namespace stoa::http
