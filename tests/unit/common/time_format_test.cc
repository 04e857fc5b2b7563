#include "common/time_format.h"

#include <gtest/gtest.h>

namespace stoa {
namespace {

TEST(TimeFormatTest, FormatsWithMillisecondsInUtc) {
  EXPECT_EQ(FormatIso8601(FromUnixMillis(1661421376763)), "2022-08-25T09:56:16.763Z");
  EXPECT_EQ(FormatIso8601(FromUnixMillis(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatDate(FromUnixMillis(1661421376763)), "2022-08-25");
}

TEST(TimeFormatTest, ParsesTheCommonForms) {
  struct Case {
    const char* text;
    std::optional<int64_t> ms;
  };
  const Case cases[] = {
      {"2022-08-25T09:56:16.763Z", 1661421376763},
      {"2022-08-25T09:56:16Z", 1661421376000},
      {"2022-08-25T11:56:16+02:00", 1661421376000},
      {"2022-08-25", 1661385600000},
      {"2022-08-25T09:56Z", 1661421360000},
      {"2022-02-30", std::nullopt},
      {"yesterday", std::nullopt},
      {"2022-08-25T25:00:00Z", std::nullopt},
      {"2022-08-25T09:56:16.Z", std::nullopt},
  };
  for (const auto& c : cases) {
    auto got = ParseIso8601(c.text);
    if (c.ms) {
      ASSERT_TRUE(got.has_value()) << c.text;
      EXPECT_EQ(ToUnixMillis(*got), *c.ms) << c.text;
    } else {
      EXPECT_FALSE(got.has_value()) << c.text;
    }
  }
}

}  // namespace
}  // namespace stoa
