#include "common/csv.h"

#include <gtest/gtest.h>

#include <sstream>

namespace stoa {
namespace {

using Rows = std::vector<std::vector<std::string>>;

// Reads every record; on an error returns the rows so far and sets `error`.
Rows ReadAll(const std::string& text, char delimiter = ',', std::string* error = nullptr,
             std::vector<int64_t>* lines = nullptr) {
  std::istringstream in(text);
  CsvReader reader(in, CsvOptions{delimiter});
  Rows rows;
  std::vector<std::string> fields;
  for (;;) {
    auto next = reader.Next(fields);
    if (!next.ok()) {
      if (error != nullptr) *error = next.status().message();
      break;
    }
    if (!*next) break;
    rows.push_back(fields);
    if (lines != nullptr) lines->push_back(reader.record_line());
  }
  return rows;
}

struct ParseCase {
  const char* name;
  std::string input;
  char delimiter;
  Rows expected;
};

class CsvParseTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(CsvParseTest, Parses) {
  const ParseCase& c = GetParam();
  std::string error;
  EXPECT_EQ(ReadAll(c.input, c.delimiter, &error), c.expected);
  EXPECT_EQ(error, "");
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CsvParseTest,
    ::testing::Values(
        ParseCase{"plain", "a,b,c\n1,2,3\n", ',', {{"a", "b", "c"}, {"1", "2", "3"}}},
        ParseCase{"no_final_newline", "a,b\n1,2", ',', {{"a", "b"}, {"1", "2"}}},
        ParseCase{"crlf", "a,b\r\n1,2\r\n", ',', {{"a", "b"}, {"1", "2"}}},
        ParseCase{"lone_cr", "a,b\r1,2\r", ',', {{"a", "b"}, {"1", "2"}}},
        ParseCase{"quoted_delimiter", "\"a,b\",c\n", ',', {{"a,b", "c"}}},
        ParseCase{"doubled_quotes", "\"say \"\"hi\"\"\",x\n", ',', {{"say \"hi\"", "x"}}},
        ParseCase{"only_quotes", "\"\"\"\"\"\",\"\"\n", ',', {{"\"\"", ""}}},
        ParseCase{"multi_line_lf", "id,text\n1,\"line one\nline two\"\n2,x\n", ',',
                  {{"id", "text"}, {"1", "line one\nline two"}, {"2", "x"}}},
        ParseCase{"multi_line_crlf_kept_as_lf", "1,\"a\r\nb\"\r\n", ',', {{"1", "a\nb"}}},
        ParseCase{"empty_fields", ",,\n", ',', {{"", "", ""}}},
        ParseCase{"trailing_delimiter", "\"1\";\"x\";FALSE;\n", ';', {{"1", "x", "FALSE", ""}}},
        ParseCase{"semicolon", "\"id\";\"description\";\"vio\"\n\"7\";\"a, b; c\";\"nothing\"\n",
                  ';', {{"id", "description", "vio"}, {"7", "a, b; c", "nothing"}}},
        ParseCase{"tab", "a\tb c\n1\t\"2\t3\"\n", '\t', {{"a", "b c"}, {"1", "2\t3"}}},
        ParseCase{"comma_is_data_with_semicolon", "a,b;c\n", ';', {{"a,b", "c"}}},
        ParseCase{"bom", "\xEF\xBB\xBFid,text\n1,x\n", ',', {{"id", "text"}, {"1", "x"}}},
        ParseCase{"not_a_bom", "\xEF\xBB" "x,y\n", ',', {{"\xEF\xBB" "x", "y"}}},
        ParseCase{"utf8", "text,label\n\"Grüße, 👋\",ok\n", ',',
                  {{"text", "label"}, {"Grüße, 👋", "ok"}}},
        ParseCase{"empty_lines_skipped", "\n\na\n\r\n\nb\n\n", ',', {{"a"}, {"b"}}},
        ParseCase{"bare_quote_in_unquoted_field", "5\" screen,x\n", ',', {{"5\" screen", "x"}}},
        ParseCase{"quoted_empty_line_kept", "\"\n\",x\n", ',', {{"\n", "x"}}},
        ParseCase{"empty_input", "", ',', {}}),
    [](const ::testing::TestParamInfo<ParseCase>& info) { return std::string(info.param.name); });

TEST(CsvReader, RecordLinesCountPhysicalLines) {
  std::vector<int64_t> lines;
  const Rows rows = ReadAll("h1,h2\r\n1,\"a\nb\nc\"\n\n2,x\n3,\"y\r\nz\"\n4,w", ',', nullptr, &lines);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(lines, (std::vector<int64_t>{1, 2, 6, 7, 9}));
}

TEST(CsvReader, UnterminatedQuoteNamesTheLineWhereItBegan) {
  std::string error;
  const Rows rows = ReadAll("a,b\n1,2\n3,\"never closed\nmore\nlines\n", ',', &error);
  EXPECT_EQ(rows.size(), 2u);
  EXPECT_EQ(error, "line 3: a quoted field is never closed (missing '\"')");
}

TEST(CsvReader, CharacterAfterClosingQuoteIsAnError) {
  std::string error;
  const Rows rows = ReadAll("a,b\n\"x\"y,z\n", ',', &error);
  EXPECT_EQ(rows.size(), 1u);
  EXPECT_EQ(error,
            "line 2: unexpected character after a closing quote (a quote inside a quoted field "
            "must be doubled)");
}

TEST(CsvReader, StopsAfterAnError) {
  std::istringstream in("\"open\n");
  CsvReader reader(in, {});
  std::vector<std::string> fields;
  EXPECT_FALSE(reader.Next(fields).ok());
  auto again = reader.Next(fields);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
}

TEST(CsvWriter, RoundTripsAwkwardFields) {
  const std::vector<std::string> fields = {"plain", "with,comma", "with \"quotes\"",
                                           "two\nlines", " padded ", "", "semi;colon"};
  for (char delimiter : {',', ';', '\t'}) {
    std::string out;
    std::vector<std::string_view> views(fields.begin(), fields.end());
    AppendCsvRow(out, views, delimiter);
    AppendCsvRow(out, views, delimiter);
    std::string error;
    const Rows rows = ReadAll(out, delimiter, &error);
    EXPECT_EQ(error, "");
    EXPECT_EQ(rows, (Rows{fields, fields})) << "delimiter " << delimiter;
  }
  std::string out;
  AppendCsvField(out, "a\"b");
  EXPECT_EQ(out, "\"a\"\"b\"");
}

TEST(CsvColumns, ByNameThenByIndex) {
  const std::vector<std::string> header = {"id", "description", "vio", "2"};
  EXPECT_EQ(*ResolveCsvColumn(header, "vio"), 2u);
  EXPECT_EQ(*ResolveCsvColumn(header, "1"), 1u);
  EXPECT_EQ(*ResolveCsvColumn(header, "2"), 3u);  // a header cell named "2" wins
  auto missing = ResolveCsvColumn(header, "label");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "no column named 'label' (the header has 'id', 'description', 'vio', '2')");
  EXPECT_FALSE(ResolveCsvColumn(header, "9").ok());
  EXPECT_FALSE(ResolveCsvColumn(header, "").ok());
  EXPECT_FALSE(ResolveCsvColumn(header, "-1").ok());
}

TEST(CsvDelimiter, Parses) {
  EXPECT_EQ(*ParseCsvDelimiter(","), ',');
  EXPECT_EQ(*ParseCsvDelimiter(";"), ';');
  EXPECT_EQ(*ParseCsvDelimiter("\t"), '\t');
  EXPECT_EQ(*ParseCsvDelimiter("\\t"), '\t');
  EXPECT_EQ(*ParseCsvDelimiter("tab"), '\t');
  EXPECT_EQ(*ParseCsvDelimiter("|"), '|');
  for (const char* bad : {"", ";;", "\"", "\n", "\r", "\x01", "\xC3\xA4"}) {
    EXPECT_FALSE(ParseCsvDelimiter(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace stoa
