#include "http/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace stoa::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// 2026-01-01T00:00:00Z is a multiple of every window used here.
constexpr int64_t kStartMs = 1767225600000;

TEST(RateLimiterTest, CountsHitsWithinAWindow) {
  FakeClock clock(FromUnixMillis(kStartMs + 1000));
  RateLimiter limiter(clock);
  const RateLimit rule{3, 60};
  const struct {
    bool allowed;
    int remaining;
  } kExpected[] = {{true, 2}, {true, 1}, {true, 0}, {false, 0}, {false, 0}};
  for (const auto& e : kExpected) {
    const RateDecision d = limiter.Hit("token:1", rule);
    EXPECT_EQ(d.allowed, e.allowed);
    EXPECT_EQ(d.remaining, e.remaining);
    EXPECT_EQ(d.limit, 3);
    EXPECT_EQ(ToUnixMillis(d.reset_at), kStartMs + 60000);  // windows are aligned to the epoch
    clock.Advance(milliseconds(1000));
  }
}

TEST(RateLimiterTest, NextWindowStartsFresh) {
  FakeClock clock(FromUnixMillis(kStartMs));
  RateLimiter limiter(clock);
  const RateLimit rule{1, 10};
  EXPECT_TRUE(limiter.Hit("k", rule).allowed);
  EXPECT_FALSE(limiter.Hit("k", rule).allowed);
  clock.Advance(milliseconds(9999));
  EXPECT_FALSE(limiter.Hit("k", rule).allowed);
  clock.Advance(milliseconds(1));
  const RateDecision d = limiter.Hit("k", rule);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(ToUnixMillis(d.reset_at), kStartMs + 20000);
}

TEST(RateLimiterTest, KeysAreIndependent) {
  FakeClock clock(FromUnixMillis(kStartMs));
  RateLimiter limiter(clock);
  const RateLimit rule{1, 60};
  EXPECT_TRUE(limiter.Hit("ip:1.2.3.4", rule).allowed);
  EXPECT_TRUE(limiter.Hit("ip:5.6.7.8", rule).allowed);
  EXPECT_FALSE(limiter.Hit("ip:1.2.3.4", rule).allowed);
}

TEST(RateLimiterTest, AKeyUsedWithAnotherWindowRestarts) {
  FakeClock clock(FromUnixMillis(kStartMs));
  RateLimiter limiter(clock);
  EXPECT_TRUE(limiter.Hit("k", RateLimit{1, 60}).allowed);
  EXPECT_TRUE(limiter.Hit("k", RateLimit{1, 30}).allowed);
}

TEST(RateLimiterTest, NoRuleAlwaysAllows) {
  FakeClock clock;
  RateLimiter limiter(clock);
  for (const RateLimit rule : {RateLimit{0, 60}, RateLimit{5, 0}, RateLimit{}}) {
    for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.Hit("k", rule).allowed);
  }
}

TEST(RateLimiterTest, ExpiredWindowsAreSweptWithoutChangingDecisions) {
  FakeClock clock(FromUnixMillis(kStartMs));
  RateLimiter limiter(clock);
  const RateLimit rule{2, 1};
  for (int round = 0; round < 5; ++round) {
    for (int key = 0; key < 100; ++key) {
      EXPECT_TRUE(limiter.Hit("k" + std::to_string(key), rule).allowed);
      EXPECT_TRUE(limiter.Hit("k" + std::to_string(key), rule).allowed);
      EXPECT_FALSE(limiter.Hit("k" + std::to_string(key), rule).allowed);
    }
    clock.Advance(seconds(61));  // past the sweep interval: every window above expires
  }
}

TEST(RateLimiterTest, ConcurrentHitsAreCountedExactly) {
  FakeClock clock(FromUnixMillis(kStartMs));
  RateLimiter limiter(clock);
  const RateLimit rule{5000, 300};
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (limiter.Hit("shared", rule).allowed) allowed.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 5000);
}

}  // namespace
}  // namespace stoa::http
