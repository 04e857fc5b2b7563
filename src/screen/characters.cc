#include "screen/characters.h"

#include <algorithm>
#include <iterator>

namespace stoa::screen::detail {
namespace {

// Look-alikes of Latin letters, by code point after case folding and decomposition (so only
// lowercase forms and base letters appear). Sorted by code point for binary search.
struct Homoglyph {
  char32_t cp;
  const char* latin;
};
constexpr Homoglyph kHomoglyphs[] = {
    {0x00E6, "ae"},  // æ
    {0x00F0, "d"},   // ð
    {0x00F8, "o"},   // ø
    {0x0111, "d"},   // đ
    {0x0127, "h"},   // ħ
    {0x0131, "i"},   // ı dotless i
    {0x0142, "l"},   // ł
    {0x0153, "oe"},  // œ
    {0x0167, "t"},   // ŧ
    {0x0180, "b"},   // ƀ
    {0x01DD, "e"},   // ǝ
    {0x0250, "a"},   // ɐ
    {0x0251, "a"},   // ɑ
    {0x0259, "e"},   // ə
    {0x025B, "e"},   // ɛ
    {0x0261, "g"},   // ɡ
    {0x0262, "g"},   // ɢ small capital
    {0x0268, "i"},   // ɨ
    {0x0269, "i"},   // ɩ
    {0x026A, "i"},   // ɪ small capital
    {0x0274, "n"},   // ɴ small capital
    {0x0280, "r"},   // ʀ small capital
    {0x028F, "y"},   // ʏ small capital
    {0x0299, "b"},   // ʙ small capital
    {0x029C, "h"},   // ʜ small capital
    {0x029F, "l"},   // ʟ small capital
    {0x03B1, "a"},   // α
    {0x03B2, "b"},   // β
    {0x03B3, "y"},   // γ
    {0x03B5, "e"},   // ε
    {0x03B7, "n"},   // η
    {0x03B9, "i"},   // ι
    {0x03BA, "k"},   // κ
    {0x03BC, "u"},   // μ
    {0x03BD, "v"},   // ν
    {0x03BF, "o"},   // ο
    {0x03C1, "p"},   // ρ
    {0x03C3, "o"},   // σ
    {0x03C4, "t"},   // τ
    {0x03C5, "u"},   // υ
    {0x03C7, "x"},   // χ
    {0x03C9, "w"},   // ω
    {0x03F2, "c"},   // ϲ lunate sigma
    {0x03F3, "j"},   // ϳ
    {0x0430, "a"},   // а Cyrillic
    {0x0432, "b"},   // в
    {0x0433, "r"},   // г
    {0x0435, "e"},   // е
    {0x043A, "k"},   // к
    {0x043C, "m"},   // м
    {0x043D, "h"},   // н
    {0x043E, "o"},   // о
    {0x043F, "n"},   // п
    {0x0440, "p"},   // р
    {0x0441, "c"},   // с
    {0x0442, "t"},   // т
    {0x0443, "y"},   // у
    {0x0445, "x"},   // х
    {0x044C, "b"},   // ь
    {0x0455, "s"},   // ѕ
    {0x0456, "i"},   // і
    {0x0458, "j"},   // ј
    {0x04BB, "h"},   // һ
    {0x04CF, "l"},   // ӏ palochka
    {0x0501, "d"},   // ԁ
    {0x051B, "q"},   // ԛ
    {0x051D, "w"},   // ԝ
    {0x1D00, "a"},   // ᴀ small capitals
    {0x1D04, "c"},   // ᴄ
    {0x1D05, "d"},   // ᴅ
    {0x1D07, "e"},   // ᴇ
    {0x1D0A, "j"},   // ᴊ
    {0x1D0B, "k"},   // ᴋ
    {0x1D0D, "m"},   // ᴍ
    {0x1D0F, "o"},   // ᴏ
    {0x1D18, "p"},   // ᴘ
    {0x1D1B, "t"},   // ᴛ
    {0x1D1C, "u"},   // ᴜ
    {0x1D20, "v"},   // ᴠ
    {0x1D21, "w"},   // ᴡ
    {0x1D22, "z"},   // ᴢ
    {0xA730, "f"},   // ꜰ
    {0xA731, "s"},   // ꜱ
};

constexpr bool HomoglyphsSorted() {
  for (size_t i = 1; i < std::size(kHomoglyphs); ++i) {
    if (kHomoglyphs[i - 1].cp >= kHomoglyphs[i].cp) return false;
  }
  return true;
}
static_assert(HomoglyphsSorted());

}  // namespace

const char* FindHomoglyph(char32_t cp) {
  if (cp < kHomoglyphs[0].cp || cp > std::end(kHomoglyphs)[-1].cp) return nullptr;
  const Homoglyph* end = std::end(kHomoglyphs);
  const Homoglyph* it = std::lower_bound(std::begin(kHomoglyphs), end, cp,
                                         [](const Homoglyph& h, char32_t c) { return h.cp < c; });
  return it != end && it->cp == cp ? it->latin : nullptr;
}

size_t DecodeUtf8(std::string_view s, size_t i, char32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  const size_t left = s.size() - i;
  auto cont = [&](size_t k) { return (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80; };
  if (b0 < 0xC2) return 0;  // stray continuation byte or overlong two-byte form
  if (b0 < 0xE0) {
    if (left < 2 || !cont(1)) return 0;
    *cp = ((b0 & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);
    return 2;
  }
  if (b0 < 0xF0) {
    if (left < 3 || !cont(1) || !cont(2)) return 0;
    char32_t c = ((b0 & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
    if (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    *cp = c;
    return 3;
  }
  if (b0 < 0xF5) {
    if (left < 4 || !cont(1) || !cont(2) || !cont(3)) return 0;
    char32_t c = ((b0 & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) |
                 (s[i + 3] & 0x3Fu);
    if (c < 0x10000 || c > 0x10FFFF) return 0;
    *cp = c;
    return 4;
  }
  return 0;
}

char* WriteUtf8(char32_t c, char* p) {
  if (c < 0x80) {
    *p++ = static_cast<char>(c);
  } else if (c < 0x800) {
    *p++ = static_cast<char>(0xC0 | (c >> 6));
    *p++ = static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    *p++ = static_cast<char>(0xE0 | (c >> 12));
    *p++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    *p++ = static_cast<char>(0x80 | (c & 0x3F));
  } else {
    *p++ = static_cast<char>(0xF0 | (c >> 18));
    *p++ = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    *p++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    *p++ = static_cast<char>(0x80 | (c & 0x3F));
  }
  return p;
}


}  // namespace stoa::screen::detail
