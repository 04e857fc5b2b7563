// Small string utilities shared by every module.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace stoa {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view s);
// Number of Unicode code points in valid UTF-8 `s`.
size_t Utf8Length(std::string_view s);
// Truncates valid UTF-8 to at most `max_code_points` code points.
std::string_view Utf8Prefix(std::string_view s, size_t max_code_points);

// Escapes & < > " ' for HTML text and attribute values.
std::string HtmlEscape(std::string_view s);
void AppendHtmlEscaped(std::string& out, std::string_view s);

// Percent-encoding as in application/x-www-form-urlencoded (space as %20, unreserved kept).
std::string UrlEncode(std::string_view s);
// Decodes %XX and (when `plus_as_space`) '+'. Returns false on a malformed escape.
bool UrlDecode(std::string_view s, std::string& out, bool plus_as_space);

std::string AsciiLower(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string_view Trim(std::string_view s);
std::vector<std::string_view> Split(std::string_view s, char sep);
// Splits on runs of ASCII whitespace, dropping empty parts.
std::vector<std::string_view> SplitWhitespace(std::string_view s);

}  // namespace stoa
