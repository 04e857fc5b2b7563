#include "screen/pattern.h"

#include <gtest/gtest.h>

namespace stoa::screen {
namespace {

struct Case {
  std::string_view pattern;
  std::string_view prepared;
};

class PreparePatternCases : public ::testing::TestWithParam<Case> {};

TEST_P(PreparePatternCases, Rewrites) {
  Result<std::string> r = PreparePattern(GetParam().pattern);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, GetParam().prepared);
}

INSTANTIATE_TEST_SUITE_P(
    Literals, PreparePatternCases,
    ::testing::Values(Case{"kill", "kil"}, Case{"Wir wissen wo du wohnst", "wir wisen wo du wohnst"},
                      Case{"ich  bring", "ich bring"}, Case{"all?", "all?"}, Case{"all*", "all*"},
                      Case{"al{1,2}", "al{1,2}"}, Case{"all+", "al+"}, Case{"l?l", "l?l"},
                      Case{"\\bKill\\b", "\\bkil\\b"}, Case{"\\W+\\S\\D", "\\W+\\S\\D"},
                      Case{"\\p{Lu}\\x{41}AA", "\\p{Lu}\\x{41}a"}, Case{"[A-Z]+", "[a-z]+"},
                      Case{"[[:alpha:]\\W]", "[[:alpha:]\\W]"}, Case{"(?i)TOD", "(?i)tod"},
                      Case{"(?:ll|mm)", "(?:l|m)"}, Case{"(?i:ss)", "(?i:s)"},
                      Case{"(?<=x)aa", "(?<=x)a"}, Case{"1000 euro", "1000 euro"},
                      Case{"\\QAA\\E", "\\QAA\\E"}, Case{"haengen", "haengen"}));

TEST(PreparePattern, RefusesCharactersNormalisationRemoves) {
  struct Bad {
    std::string_view pattern;
    std::string_view message_part;
  };
  const Bad cases[] = {
      {"hängen", "write \"ae\""},
      {"erschießen", "write \"ss\""},
      {"KILL\u200B", "it is removed"},
      {"ki\tll", "control character"},
      {"\xFF", "invalid UTF-8"},
      {"\uFF2Bill", "write \"k\""},
      {"[€£]", "non-ASCII character inside [...]"},
  };
  for (const Bad& b : cases) {
    Result<std::string> r = PreparePattern(b.pattern);
    ASSERT_FALSE(r.ok()) << b.pattern;
    EXPECT_NE(r.status().message().find(b.message_part), std::string::npos)
        << r.status().message();
  }
}

TEST(PreparePattern, KeepsLettersThatSurviveNormalisation) {
  Result<std::string> r = PreparePattern("дд 你好");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "д 你好");
}

}  // namespace
}  // namespace stoa::screen
