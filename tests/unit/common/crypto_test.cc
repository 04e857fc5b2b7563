#include "common/crypto.h"

#include <gtest/gtest.h>

namespace stoa {
namespace {

TEST(CryptoTest, Sha256MatchesKnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(CryptoTest, RandomTokensAreUrlSafeAndDistinct) {
  SecureRandom random;
  const std::string a = RandomToken(random);
  const std::string b = RandomToken(random);
  EXPECT_EQ(a.size(), 43u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
}

TEST(CryptoTest, SeededRandomIsDeterministic) {
  SeededRandom a(7), b(7);
  EXPECT_EQ(RandomToken(a), RandomToken(b));
}

TEST(CryptoTest, PasswordHashVerifiesOnlyTheRightPassword) {
  PasswordHasher hasher(PasswordHasher::Cost::kMinimal);
  auto hash = hasher.Hash("correct horse");
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(hash->starts_with("$argon2id$"));
  EXPECT_TRUE(hasher.Verify(*hash, "correct horse"));
  EXPECT_FALSE(hasher.Verify(*hash, "correct horsE"));
  EXPECT_FALSE(hasher.Verify("", "x"));
  EXPECT_FALSE(hasher.Verify("garbage", "x"));
}

TEST(CryptoTest, Base64DecodeAndConstantTimeEquals) {
  std::string out;
  ASSERT_TRUE(Base64Decode("dXNlcjpwYXNz", out));
  EXPECT_EQ(out, "user:pass");
  EXPECT_FALSE(Base64Decode("***", out));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

}  // namespace
}  // namespace stoa
