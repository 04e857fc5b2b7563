#include "common/strings.h"

#include <gtest/gtest.h>

namespace stoa {
namespace {

TEST(Utf8Test, ValidatesWellFormedSequencesOnly) {
  struct Case {
    std::string text;
    bool valid;
  };
  const Case cases[] = {
      {"plain ascii", true},
      {"Grüße, 世界, 🎉", true},
      {"\xc3", false},                  // truncated
      {"\xc0\xaf", false},              // overlong
      {"\xed\xa0\x80", false},          // surrogate
      {"\xf4\x90\x80\x80", false},      // above U+10FFFF
      {"\xff", false},
      {"ok\x80", false},                // stray continuation
      {std::string("nul\0inside", 10), true},
  };
  for (const auto& c : cases) EXPECT_EQ(IsValidUtf8(c.text), c.valid) << c.text;
}

TEST(Utf8Test, CountsCodePoints) {
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length("Grüße"), 5u);
  EXPECT_EQ(Utf8Length("🎉🎉"), 2u);
  EXPECT_EQ(Utf8Prefix("Grüße", 3), "Grü");
  EXPECT_EQ(Utf8Prefix("ab", 5), "ab");
}

TEST(HtmlEscapeTest, EscapesEveryMarkupCharacter) {
  EXPECT_EQ(HtmlEscape(R"(<a href="x">'&'</a>)"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST(UrlCodingTest, RoundTripsAndRejectsBadEscapes) {
  EXPECT_EQ(UrlEncode("a b/ü"), "a%20b%2F%C3%BC");
  std::string out;
  ASSERT_TRUE(UrlDecode("a+b%2Fc%C3%BC", out, true));
  EXPECT_EQ(out, "a b/cü");
  ASSERT_TRUE(UrlDecode("a+b", out, false));
  EXPECT_EQ(out, "a+b");
  EXPECT_FALSE(UrlDecode("%zz", out, true));
  EXPECT_FALSE(UrlDecode("abc%4", out, true));
  EXPECT_FALSE(UrlDecode("%", out, true));
}

TEST(StringsTest, SplitTrimAndCase) {
  EXPECT_EQ(Split("a,,b", ','), (std::vector<std::string_view>{"a", "", "b"}));
  EXPECT_EQ(SplitWhitespace("  read  write\tfollow "),
            (std::vector<std::string_view>{"read", "write", "follow"}));
  EXPECT_EQ(Trim("  x \n"), "x");
  EXPECT_TRUE(EqualsIgnoreCase("Content-Type", "content-type"));
  EXPECT_EQ(AsciiLower("AbC"), "abc");
}

}  // namespace
}  // namespace stoa
