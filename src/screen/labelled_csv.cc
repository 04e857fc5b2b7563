#include "screen/labelled_csv.h"

#include <fstream>

#include "common/csv.h"
#include "common/strings.h"

namespace stoa::screen {

Result<LabelledCsv> ReadLabelledCsv(const std::string& path, const LabelledCsvOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open " + path);
  CsvReader reader(in, CsvOptions{options.delimiter});
  const auto fail = [&](const std::string& what) { return InvalidArgument(path + ": " + what); };
  std::vector<std::string> header;
  auto first = reader.Next(header);
  if (!first.ok()) return fail(first.status().message());
  if (!*first) return fail("the file is empty (a header row is expected)");
  auto text_column = ResolveCsvColumn(header, options.text_column);
  if (!text_column.ok()) return fail("text column: " + text_column.status().message());
  auto label_column = ResolveCsvColumn(header, options.label_column);
  if (!label_column.ok()) return fail("label column: " + label_column.status().message());
  if (*text_column == *label_column) return fail("the text and label columns are the same");
  const size_t needed = std::max(*text_column, *label_column) + 1;

  LabelledCsv out;
  std::vector<std::string> fields;
  for (;;) {
    auto next = reader.Next(fields);
    if (!next.ok()) return fail(next.status().message());
    if (!*next) break;
    const std::string line = "line " + std::to_string(reader.record_line()) + ": ";
    if (fields.size() < needed) {
      return fail(line + std::to_string(fields.size()) + " fields, but column " +
                  std::to_string(needed - 1) + " is needed");
    }
    std::string label(Trim(fields[*label_column]));
    std::string& text = fields[*text_column];
    if (label.empty() || Trim(text).empty()) {
      ++out.skipped;
      continue;
    }
    if (!IsValidUtf8(label)) return fail(line + "the label is not UTF-8");
    out.examples.push_back({std::move(text), std::move(label)});
  }
  return out;
}

Result<std::vector<std::string>> ReadCsvTexts(const std::string& path, const std::string& column,
                                              char delimiter) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open " + path);
  CsvReader reader(in, CsvOptions{delimiter});
  const auto fail = [&](const std::string& what) { return InvalidArgument(path + ": " + what); };
  std::vector<std::string> fields;
  auto first = reader.Next(fields);
  if (!first.ok()) return fail(first.status().message());
  if (!*first) return fail("the file is empty (a header row is expected)");
  auto index = ResolveCsvColumn(fields, column);
  if (!index.ok()) return fail("text column: " + index.status().message());
  std::vector<std::string> texts;
  for (;;) {
    auto next = reader.Next(fields);
    if (!next.ok()) return fail(next.status().message());
    if (!*next) break;
    if (fields.size() <= *index) {
      return fail("line " + std::to_string(reader.record_line()) + ": " +
                  std::to_string(fields.size()) + " fields, but column " + std::to_string(*index) +
                  " is needed");
    }
    if (!Trim(fields[*index]).empty()) texts.push_back(std::move(fields[*index]));
  }
  return texts;
}

}  // namespace stoa::screen
