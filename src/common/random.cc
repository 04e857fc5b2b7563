#include "common/random.h"

#include <sodium.h>

#include <cstring>

namespace stoa {

uint64_t Random::NextU64() {
  uint64_t v;
  Fill({reinterpret_cast<uint8_t*>(&v), sizeof v});
  return v;
}

uint64_t Random::Uniform(uint64_t bound) {
  // Rejection sampling removes the modulo bias.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  uint64_t v;
  do {
    v = NextU64();
  } while (v >= limit);
  return v % bound;
}

SecureRandom::SecureRandom() {
  // sodium_init is idempotent and thread-safe; a failure means no entropy source at all.
  if (sodium_init() < 0) std::abort();
}

void SecureRandom::Fill(std::span<uint8_t> out) { randombytes_buf(out.data(), out.size()); }

void SeededRandom::Fill(std::span<uint8_t> out) {
  std::lock_guard lock(mu_);
  size_t i = 0;
  while (i < out.size()) {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    const size_t n = std::min(sizeof z, out.size() - i);
    std::memcpy(out.data() + i, &z, n);
    i += n;
  }
}

}  // namespace stoa
