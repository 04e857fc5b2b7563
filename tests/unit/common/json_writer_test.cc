#include "common/json_writer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace stoa {
namespace {

TEST(JsonWriterTest, WritesNestedStructuresWithCommas) {
  JsonWriter w;
  w.BeginObject()
      .Field("a", 1)
      .Field("b", "x")
      .Key("c")
      .BeginArray()
      .Int(1)
      .Bool(false)
      .Null()
      .BeginObject()
      .EndObject()
      .EndArray()
      .Key("d")
      .IdString(42)
      .Field("e", std::optional<std::string>())
      .EndObject();
  EXPECT_EQ(w.str(), R"({"a":1,"b":"x","c":[1,false,null,{}],"d":"42","e":null})");
}

TEST(JsonWriterTest, EscapesQuotesBackslashesAndControlCharacters) {
  JsonWriter w;
  w.String(std::string("a\"b\\c\n\x01</script>\t", 17));
  EXPECT_EQ(w.str(), R"("a\"b\\c\n\u0001</script>\t")");
}

// Every byte, alone and between plain runs, against the rule written out the slow way.
TEST(JsonWriterTest, EscapesExactlyTheBytesJsonRequires) {
  const auto expected_for = [](unsigned char c) -> std::string {
    switch (c) {
      case '"':
        return "\\\"";
      case '\\':
        return "\\\\";
      case '\n':
        return "\\n";
      case '\r':
        return "\\r";
      case '\t':
        return "\\t";
      case '\b':
        return "\\b";
      case '\f':
        return "\\f";
    }
    if (c < 0x20) {
      char buf[7];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      return buf;
    }
    return std::string(1, static_cast<char>(c));
  };
  std::string all;
  std::string all_expected = "\"";
  for (int b = 0; b < 256; ++b) {
    const auto c = static_cast<unsigned char>(b);
    std::string alone;
    AppendJsonString(alone, std::string_view(reinterpret_cast<const char*>(&c), 1));
    EXPECT_EQ(alone, "\"" + expected_for(c) + "\"") << "byte " << b;
    all += "ab";
    all.push_back(static_cast<char>(c));
    all_expected += "ab" + expected_for(c);
  }
  all_expected += "\"";
  std::string out = "prefix";
  AppendJsonString(out, all);
  EXPECT_EQ(out, "prefix" + all_expected);
  std::string empty;
  AppendJsonString(empty, {});
  EXPECT_EQ(empty, "\"\"");
}

TEST(JsonWriterTest, RawInsertsJsonAsOneValue) {
  JsonWriter w;
  w.BeginArray().Raw(R"({"x":1})").Raw("2").EndArray();
  EXPECT_EQ(w.str(), R"([{"x":1},2])");
}

TEST(JsonWriterTest, NonFiniteDoublesBecomeNull) {
  JsonWriter w;
  w.BeginArray().Double(0.5).Double(1.0 / 0.0).EndArray();
  EXPECT_EQ(w.str(), "[0.5,null]");
}

}  // namespace
}  // namespace stoa
