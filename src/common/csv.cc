#include "common/csv.h"

#include <charconv>

namespace stoa {
namespace {

constexpr int kEof = std::char_traits<char>::eof();

std::string LinePrefix(int64_t line) { return "line " + std::to_string(line) + ": "; }

}  // namespace

Result<char> ParseCsvDelimiter(std::string_view text) {
  if (text == "\\t" || text == "tab" || text == "TAB") return '\t';
  if (text.size() != 1) {
    return InvalidArgument("the delimiter must be one character (or \\t), got '" +
                           std::string(text) + "'");
  }
  const char c = text[0];
  if (c == '\t') return c;
  if (c == '"' || c == '\r' || c == '\n' || static_cast<unsigned char>(c) < 0x20 ||
      static_cast<unsigned char>(c) >= 0x7f) {
    return InvalidArgument("the delimiter cannot be a quote, a line end or a non-printable or "
                           "non-ASCII character");
  }
  return c;
}

CsvReader::CsvReader(std::istream& in, CsvOptions options)
    : in_(in.rdbuf()), options_(options) {}

int CsvReader::Peek() {
  const int c = in_->sgetc();
  // Line ends are reported as '\n' whatever their form (LF, CRLF or a lone CR).
  return c == '\r' ? '\n' : c;
}

int CsvReader::Get() {
  int c = in_->sbumpc();
  if (c == '\r') {
    if (in_->sgetc() == '\n') in_->sbumpc();
    c = '\n';
  }
  if (c == '\n') ++line_;
  return c;
}

Result<bool> CsvReader::Next(std::vector<std::string>& fields) {
  fields.clear();
  if (failed_) return false;
  if (!started_) {
    started_ = true;
    // A UTF-8 byte order mark: EF BB BF. Anything else that starts with EF is data (and then not
    // valid UTF-8 text, which the caller's checks will report).
    if (in_->sgetc() == 0xEF) {
      std::string head;
      for (int i = 0; i < 3 && in_->sgetc() != kEof; ++i) {
        head.push_back(static_cast<char>(in_->sbumpc()));
      }
      if (head != "\xEF\xBB\xBF") {
        // Not a byte order mark: give the bytes back. A stream that cannot take them back is
        // reported rather than silently losing data.
        for (auto it = head.rbegin(); it != head.rend(); ++it) {
          if (in_->sputbackc(*it) == kEof) {
            failed_ = true;
            return InvalidArgument(LinePrefix(1) + "cannot read the start of the input");
          }
        }
      }
    }
  }
  while (Peek() == '\n') Get();  // empty lines between records
  if (Peek() == kEof) return false;
  record_line_ = line_;

  std::string field;
  for (;;) {
    field.clear();
    if (Peek() == '"') {
      const int64_t start = line_;
      Get();
      for (;;) {
        const int c = Get();
        if (c == kEof) {
          failed_ = true;
          return InvalidArgument(LinePrefix(start) +
                                 "a quoted field is never closed (missing '\"')");
        }
        if (c == '"') {
          if (Peek() != '"') break;
          Get();
        }
        field.push_back(static_cast<char>(c));
      }
      const int after = Peek();
      if (after != options_.delimiter && after != '\n' && after != kEof) {
        failed_ = true;
        return InvalidArgument(LinePrefix(line_) +
                               "unexpected character after a closing quote (a quote inside a "
                               "quoted field must be doubled)");
      }
    } else {
      for (int c = Peek(); c != options_.delimiter && c != '\n' && c != kEof; c = Peek()) {
        field.push_back(static_cast<char>(Get()));
      }
    }
    fields.push_back(std::move(field));
    const int end = Get();
    if (end != options_.delimiter) return true;  // line end or EOF: the record is complete
  }
}

Result<size_t> ResolveCsvColumn(const std::vector<std::string>& header, std::string_view column) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == column) return i;
  }
  size_t index = 0;
  const char* end = column.data() + column.size();
  auto [ptr, ec] = std::from_chars(column.data(), end, index);
  if (!column.empty() && ec == std::errc() && ptr == end) {
    if (index < header.size()) return index;
    return InvalidArgument("column " + std::string(column) + " is out of range (the header has " +
                           std::to_string(header.size()) + " columns)");
  }
  std::string names;
  for (const auto& name : header) {
    if (!names.empty()) names += ", ";
    names += "'" + name + "'";
  }
  return InvalidArgument("no column named '" + std::string(column) + "' (the header has " +
                         names + ")");
}

void AppendCsvField(std::string& out, std::string_view field, char delimiter) {
  const bool quote = field.find_first_of(std::string{'"', '\r', '\n', delimiter}) !=
                         std::string_view::npos ||
                     (!field.empty() && (field.front() == ' ' || field.back() == ' '));
  if (!quote) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void AppendCsvRow(std::string& out, const std::vector<std::string_view>& fields, char delimiter) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(delimiter);
    AppendCsvField(out, fields[i], delimiter);
  }
  out.append("\r\n");
}

}  // namespace stoa
