// Hashing, tokens and password hashing on top of libsodium.
#pragma once

#include <string>
#include <string_view>

#include "common/random.h"
#include "common/status.h"

namespace stoa {

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);
// Raw 32-byte SHA-256 of `data`.
std::string Sha256Raw(std::string_view data);
// `bytes` random bytes from `random`, base64url without padding (43 characters for 32 bytes).
std::string RandomToken(Random& random, size_t bytes = 32);
std::string Base64UrlEncode(std::string_view data);
// Standard base64 decoding (for HTTP Basic auth); nullopt-like empty + false on failure.
bool Base64Decode(std::string_view in, std::string& out);
// Constant-time comparison of equal-length secrets (different lengths compare unequal).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// argon2id password hashing with a configurable cost.
class PasswordHasher {
 public:
  enum class Cost { kMinimal, kInteractive, kModerate };
  explicit PasswordHasher(Cost cost = Cost::kInteractive) : cost_(cost) {}
  // Returns the encoded hash (algorithm, parameters and salt included).
  Result<std::string> Hash(std::string_view password) const;
  // True when `password` matches `encoded`. Unknown or malformed hashes never match.
  bool Verify(std::string_view encoded, std::string_view password) const;

 private:
  Cost cost_;
};

}  // namespace stoa
