#include "screen/pattern.h"

#include <utf8proc.h>

#include "screen/normalize.h"

namespace stoa::screen {
namespace {

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// A quantifier at p[i] that allows zero repetitions (?, *, {0,...} or any {n...}: conservatively,
// a braced quantifier is never collapsed into).
bool ZeroableQuantifierAt(std::string_view p, size_t i) {
  if (i >= p.size()) return false;
  if (p[i] == '?' || p[i] == '*') return true;
  return p[i] == '{' && i + 1 < p.size() && (IsDigit(p[i + 1]) || p[i + 1] == ',');
}

// The length of the escape sequence starting with the backslash at p[i].
size_t EscapeLength(std::string_view p, size_t i) {
  const size_t n = p.size();
  if (i + 1 >= n) return 1;
  const char d = p[i + 1];
  size_t j = i + 2;
  if ((d == 'p' || d == 'P' || d == 'x' || d == 'o' || d == 'N' || d == 'g' || d == 'k') &&
      j < n && p[j] == '{') {
    const size_t close = p.find('}', j);
    return (close == std::string_view::npos ? n : close + 1) - i;
  }
  if (d == 'p' || d == 'P' || d == 'c') return std::min(j + 1, n) - i;
  if (d == 'x') {
    while (j < n && j < i + 4 && IsHexDigit(p[j])) ++j;
    return j - i;
  }
  if (d == 'Q') {
    const size_t close = p.find("\\E", j);
    return (close == std::string_view::npos ? n : close + 2) - i;
  }
  if (IsDigit(d)) {
    while (j < n && IsDigit(p[j])) ++j;
    return j - i;
  }
  return 2;
}

// The length of group syntax "(?...", up to where the group's content starts.
size_t GroupSyntaxLength(std::string_view p, size_t i) {
  const size_t n = p.size();
  size_t j = i + 2;  // after "(?"
  if (j >= n) return j - i;
  const char c = p[j];
  if (c == '#') {
    const size_t close = p.find(')', j);
    return (close == std::string_view::npos ? n : close + 1) - i;
  }
  if (c == '=' || c == '!' || c == ':' || c == '>' || c == '|') return j + 1 - i;
  if (c == '<' && j + 1 < n && (p[j + 1] == '=' || p[j + 1] == '!')) return j + 2 - i;
  if (c == '<' || c == 'P' || c == '\'') {  // named group: (?<name> (?P<name> (?'name'
    const size_t close = p.find_first_of(">'", j + 1);
    return (close == std::string_view::npos ? n : close + 1) - i;
  }
  while (j < n && (IsAsciiLetter(p[j]) || p[j] == '-' || p[j] == '^')) ++j;  // flags: (?i) (?s:
  if (j < n && (p[j] == ':' || p[j] == ')')) ++j;
  return j - i;
}

// Checks the UTF-8 character at p[i] (non-ASCII); returns its length or the error.
Result<size_t> CheckNonAscii(std::string_view p, size_t i, char32_t* cp) {
  utf8proc_int32_t c = 0;
  const utf8proc_ssize_t len = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(p.data() + i),
                                                static_cast<utf8proc_ssize_t>(p.size() - i), &c);
  if (len <= 0) return InvalidArgument("invalid UTF-8 at byte " + std::to_string(i));
  const std::string_view ch = p.substr(i, static_cast<size_t>(len));
  const std::string normalized = NormalizeText(ch);
  if (normalized != ch) {
    std::string write = normalized;
    if (c == 0xDF || c == 0x1E9E) write = "ss";  // collapses to "s" alone, but "ss" reads better
    if (write.empty()) {
      return InvalidArgument("\"" + std::string(ch) +
                             "\" never occurs in normalized text (it is removed); leave it out");
    }
    return InvalidArgument("\"" + std::string(ch) + "\" never occurs in normalized text; write \"" +
                           write + "\"");
  }
  *cp = static_cast<char32_t>(c);
  return static_cast<size_t>(len);
}

bool IsLetterCodePoint(char32_t c) {
  const utf8proc_category_t cat = utf8proc_category(static_cast<utf8proc_int32_t>(c));
  return cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
}

}  // namespace

Result<std::string> PreparePattern(std::string_view p) {
  std::string out;
  out.reserve(p.size());
  const size_t n = p.size();
  char32_t prev = 0;  // the previous literal letter or space, 0 after anything else
  size_t i = 0;
  while (i < n) {
    const char c = p[i];
    if (c == '\\') {
      const size_t len = EscapeLength(p, i);
      out.append(p.substr(i, len));
      i += len;
      prev = 0;
      continue;
    }
    if (c == '[') {  // a character class: lowercase its letters, keep escapes and [:posix:]
      size_t j = i + 1;
      out.push_back('[');
      if (j < n && p[j] == '^') out.push_back(p[j++]);
      if (j < n && p[j] == ']') out.push_back(p[j++]);
      while (j < n && p[j] != ']') {
        if (p[j] == '\\') {
          const size_t len = EscapeLength(p, j);
          out.append(p.substr(j, len));
          j += len;
        } else if (p[j] == '[' && j + 1 < n && p[j + 1] == ':') {
          const size_t close = p.find(":]", j + 2);
          const size_t end = close == std::string_view::npos ? n : close + 2;
          out.append(p.substr(j, end - j));
          j = end;
        } else if (static_cast<unsigned char>(p[j]) >= 0x80) {
          // Patterns run byte-wise (see rules.cc), so a class would hold single bytes.
          return InvalidArgument("non-ASCII character inside [...]; write alternatives instead, "
                                 "e.g. (?:€|£) for [€£]");
        } else {
          out.push_back(Lower(p[j++]));
        }
      }
      if (j < n) out.push_back(p[j++]);  // ']'
      i = j;
      prev = 0;
      continue;
    }
    if (c == '(' && i + 1 < n && p[i + 1] == '?') {
      const size_t len = GroupSyntaxLength(p, i);
      out.append(p.substr(i, len));
      i += len;
      prev = 0;
      continue;
    }
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return InvalidArgument("control character (byte " + std::to_string(static_cast<int>(c)) +
                             ") never occurs in normalized text; write a space or \\s");
    }
    char32_t literal = 0;
    size_t len = 1;
    if (static_cast<unsigned char>(c) >= 0x80) {
      char32_t cp = 0;
      ASSIGN_OR_RETURN(len, CheckNonAscii(p, i, &cp));
      if (IsLetterCodePoint(cp)) literal = cp;
    } else if (IsAsciiLetter(c) || c == ' ') {
      literal = static_cast<char32_t>(Lower(c));
    }
    if (literal != 0 && literal == prev && !ZeroableQuantifierAt(p, i + len)) {
      i += len;  // the normalized text never repeats it
      continue;
    }
    if (len == 1) {
      out.push_back(Lower(c));
    } else {
      out.append(p.substr(i, len));
    }
    i += len;
    // A quantifier or anything else ends the literal run; "l?l" must not lose its second "l".
    prev = ZeroableQuantifierAt(p, i) || (i < n && p[i] == '+') ? 0 : literal;
  }
  return out;
}

}  // namespace stoa::screen
