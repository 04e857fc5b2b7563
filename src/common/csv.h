// CSV as in RFC 4180, read and written: quoted fields with doubled quotes, fields spanning lines,
// CRLF or LF line ends, a chosen delimiter (',' by default; ';' and '\t' are common), an optional
// UTF-8 byte order mark. Used by `stoa train` / `stoa eval` (labelled text) and the label export.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace stoa {

struct CsvOptions {
  char delimiter = ',';
};

// Parses `text` as a delimiter for CsvOptions: "," ";" "\t" (also the two characters "\t" and the
// word "tab") or any other single printable ASCII character except the quote and line ends.
Result<char> ParseCsvDelimiter(std::string_view text);

// Reads records one at a time from a stream (nothing but the current record is held in memory).
//
// Accepted: quoted fields ("a ""b"" c" is `a "b" c`), line breaks inside quoted fields (kept as
// they are), CRLF, LF or lone CR between records, a UTF-8 byte order mark before the first record,
// empty lines between records (skipped), a quote inside an unquoted field (taken literally, as
// most spreadsheet exports expect). Refused with the line number: a quoted field that never ends
// (the line where it began) and characters between a closing quote and the next delimiter.
//
// Not thread-safe; the stream must outlive the reader.
class CsvReader {
 public:
  CsvReader(std::istream& in, CsvOptions options);

  // Reads the next record into `fields` (cleared first). Returns true for a record, false at the
  // end of the input, or InvalidArgument ("line N: ...") for malformed input; after an error the
  // reader stays at the end.
  Result<bool> Next(std::vector<std::string>& fields);

  // The 1-based line on which the record last returned by Next began.
  int64_t record_line() const { return record_line_; }

 private:
  int Get();   // the next character, or EOF; counts lines
  int Peek();

  std::streambuf* in_;
  CsvOptions options_;
  int64_t line_ = 1;         // the line the next character is on
  int64_t record_line_ = 0;
  bool started_ = false;     // byte order mark checked
  bool failed_ = false;
};

// A column given by its header name or, when no header cell has that name, by its 0-based index.
// Returns the index, or InvalidArgument naming the columns there are.
Result<size_t> ResolveCsvColumn(const std::vector<std::string>& header, std::string_view column);

// Appends `field` to `out`, quoted (with doubled quotes) when it contains the delimiter, a quote,
// CR or LF, or starts or ends with a space.
void AppendCsvField(std::string& out, std::string_view field, char delimiter = ',');
// Appends the fields separated by `delimiter` and a final "\r\n" (RFC 4180 line end).
void AppendCsvRow(std::string& out, const std::vector<std::string_view>& fields,
                  char delimiter = ',');

}  // namespace stoa
