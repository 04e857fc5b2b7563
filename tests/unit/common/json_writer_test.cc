#include "common/json_writer.h"

#include <gtest/gtest.h>

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
