// Randomness behind an interface: secure by default, seeded in tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>

namespace stoa {

// Thread-safe source of random bytes.
class Random {
 public:
  virtual ~Random() = default;
  virtual void Fill(std::span<uint8_t> out) = 0;
  uint64_t NextU64();
  // Uniform in [0, bound). `bound` must be positive.
  uint64_t Uniform(uint64_t bound);
};

// Cryptographically secure (libsodium randombytes).
class SecureRandom final : public Random {
 public:
  SecureRandom();
  void Fill(std::span<uint8_t> out) override;
};

// Deterministic (splitmix64) for tests and benchmark seeding. Never use for secrets in production.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed) : state_(seed) {}
  void Fill(std::span<uint8_t> out) override;

 private:
  std::mutex mu_;
  uint64_t state_;  // guarded by mu_
};

}  // namespace stoa
