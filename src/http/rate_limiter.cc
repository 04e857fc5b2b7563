#include "http/rate_limiter.h"

#include <algorithm>
#include <functional>

namespace stoa::http {

namespace {

// How often a shard looks for expired windows, at most.
constexpr int64_t kSweepIntervalMs = 60 * 1000;

}  // namespace

RateDecision RateLimiter::Hit(std::string_view key, const RateLimit& rule) {
  RateDecision decision;
  if (rule.limit <= 0 || rule.window_seconds <= 0) return decision;  // no rule: always allowed

  const int64_t now_ms = ToUnixMillis(clock_.Now());
  const int64_t window_ms = int64_t{rule.window_seconds} * 1000;
  // Windows are aligned to the epoch, as Rack::Attack's are, so that every key resets at the same
  // moments and reset_at is predictable.
  const int64_t window_start = now_ms - (now_ms % window_ms);

  Shard& shard = shards_[std::hash<std::string_view>()(key) % kShards];
  int count = 0;
  {
    std::lock_guard lock(shard.mu);
    if (now_ms - shard.last_sweep_ms >= kSweepIntervalMs) {
      shard.last_sweep_ms = now_ms;
      std::erase_if(shard.windows, [now_ms](const auto& entry) {
        return entry.second.window_start_ms + entry.second.window_ms <= now_ms;
      });
    }
    auto it = shard.windows.find(std::string(key));
    if (it == shard.windows.end()) {
      it = shard.windows.emplace(std::string(key), Window{}).first;
    }
    Window& window = it->second;
    if (window.window_start_ms != window_start || window.window_ms != window_ms) {
      window.window_start_ms = window_start;
      window.window_ms = window_ms;
      window.count = 0;
    }
    // Saturate instead of overflowing under a flood.
    if (window.count <= rule.limit) ++window.count;
    count = window.count;
  }

  decision.limit = rule.limit;
  decision.allowed = count <= rule.limit;
  decision.remaining = std::max(0, rule.limit - count);
  decision.reset_at = FromUnixMillis(window_start + window_ms);
  return decision;
}

}  // namespace stoa::http
