// Character data of normalisation: leetspeak, look-alike letters, typographic punctuation and
// UTF-8 coding. Used by normalize.cc; not part of the screening API.
#pragma once

#include <cstddef>
#include <string_view>

namespace stoa::screen::detail {

// The letter a leet character stands for ('\0' for none).
inline constexpr char LeetLetter(char32_t c) {
  switch (c) {
    case '0': return 'o';
    case '1': return 'i';
    case '2': return 'z';
    case '3': return 'e';
    case '4': return 'a';
    case '5': return 's';
    case '6': return 'g';
    case '7': return 't';
    case '8': return 'b';
    case '9': return 'g';
    case '$': return 's';
    case '@': return 'a';
    case '!': return 'i';
    case '|': return 'l';
    default: return '\0';
  }
}

// Typographic apostrophes, quotes and dashes as their ASCII forms ('\0' for others), so rules
// can write "i'l" and "let's" once. Checked before decomposition: NFKD would turn the acute
// accent U+00B4 into a space and a combining mark.
inline constexpr char TypographicPunctuation(char32_t c) {
  switch (c) {
    case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2032: case 0x02BC: case 0x00B4:
      return '\'';
    case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x2033: case 0x00AB: case 0x00BB:
      return '"';
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2212:
      return '-';
    default:
      return '\0';
  }
}

// The ASCII letters a look-alike code point (lowercase, after decomposition) stands for, or null.
const char* FindHomoglyph(char32_t cp);

// Decodes one UTF-8 sequence at s[i]; returns its length, 0 for an invalid byte. Rejects
// overlong forms, surrogates and code points above U+10FFFF.
size_t DecodeUtf8(std::string_view s, size_t i, char32_t* cp);

// Writes `c` as UTF-8 at `p` (up to 4 bytes); returns the end.
char* WriteUtf8(char32_t c, char* p);

}  // namespace stoa::screen::detail
