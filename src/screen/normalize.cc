#include "screen/normalize.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <span>

namespace stoa::screen {
namespace {

// What a unit (one output code point) is, for the word-level passes.
enum class Kind : uint8_t {
  kLetter,  // a letter (ASCII after folding, or any Unicode letter left unmapped)
  kDigit,   // 0-9 and '$': leet letters that may stand at a word's edge
  kSymbol,  // @ ! |: leet letters only between letters
  kSpace,   // one space (runs are merged while decoding)
  kSep,     // punctuation that may separate spaced-out letters: . - _ * ~ + / backslash
  kOther,   // everything else, emitted unchanged
  kDrop,    // removed (only in the ASCII table: controls)
};

struct Unit {
  char32_t cp;
  uint32_t begin;
  uint32_t end;
  Kind kind;
  bool deleted;  // a separator inside a joined run of spaced letters
};

// The units of one text: a vector used as a growable array with its own size, so that appending
// is an inlined store (std::vector::push_back did not inline and dominated the profile).
class UnitBuffer {
 public:
  void Clear(size_t expected) {
    if (storage_.size() < expected) storage_.resize(expected);
    size_ = 0;
  }
  void Push(const Unit& u) {
    if (size_ == storage_.size()) storage_.resize(storage_.size() * 2 + 16);
    storage_[size_++] = u;
  }
  void PopBack() { --size_; }
  bool empty() const { return size_ == 0; }
  Unit& back() { return storage_[size_ - 1]; }
  std::span<Unit> units() { return {storage_.data(), size_}; }

 private:
  std::vector<Unit> storage_;
  size_t size_ = 0;
};

constexpr std::array<Kind, 128> MakeAsciiKinds() {
  std::array<Kind, 128> k{};
  for (int c = 0; c < 128; ++c) {
    if (c < 0x20 || c == 0x7f) {
      k[c] = Kind::kDrop;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      k[c] = Kind::kLetter;
    } else if ((c >= '0' && c <= '9') || c == '$') {
      k[c] = Kind::kDigit;
    } else if (c == '@' || c == '!' || c == '|') {
      k[c] = Kind::kSymbol;
    } else if (c == ' ') {
      k[c] = Kind::kSpace;
    } else if (c == '.' || c == '-' || c == '_' || c == '*' || c == '~' || c == '+' || c == '/' ||
               c == '\\') {
      k[c] = Kind::kSep;
    } else {
      k[c] = Kind::kOther;
    }
  }
  k['\t'] = k['\n'] = k['\r'] = k['\v'] = k['\f'] = Kind::kSpace;
  return k;
}
constexpr std::array<Kind, 128> kAsciiKinds = MakeAsciiKinds();

// The letter a leet character stands for ('\0' for none).
constexpr char LeetLetter(char32_t c) {
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

const char* FindHomoglyph(char32_t cp) {
  if (cp < kHomoglyphs[0].cp || cp > std::end(kHomoglyphs)[-1].cp) return nullptr;
  const Homoglyph* end = std::end(kHomoglyphs);
  const Homoglyph* it = std::lower_bound(std::begin(kHomoglyphs), end, cp,
                                         [](const Homoglyph& h, char32_t c) { return h.cp < c; });
  return it != end && it->cp == cp ? it->latin : nullptr;
}

// Typographic apostrophes, quotes and dashes as their ASCII forms ('\0' for others), so rules
// can write "i'l" and "let's" once. Checked before decomposition: NFKD would turn the acute
// accent U+00B4 into a space and a combining mark.
constexpr char TypographicPunctuation(char32_t c) {
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

// Decodes one UTF-8 sequence at s[i]; returns its length, 0 for an invalid byte. Rejects
// overlong forms, surrogates and code points above U+10FFFF.
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

constexpr char32_t kCombiningDiaeresis = 0x0308;
constexpr size_t kMaxSpacedGap = 3;  // separator units allowed between two spaced letters
constexpr size_t kMinSpacedRun = 3;  // single letters needed before a run is joined

// Pass 1: decoding, removal, folding, look-alikes, whitespace. Appends to `units`.
class Decoder {
 public:
  explicit Decoder(UnitBuffer* units) : units_(units) {}

  void Run(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
      const auto b = static_cast<unsigned char>(s[i]);
      if (b < 0x80) {
        EmitAscii(static_cast<char32_t>(b), i, i + 1);
        ++i;
        continue;
      }
      char32_t cp = 0;
      const size_t len = DecodeUtf8(s, i, &cp);
      if (len == 0) {  // invalid byte: dropped
        ++i;
        continue;
      }
      EmitCodePoint(cp, i, i + len);
      i += len;
    }
    if (!units_->empty() && units_->back().kind == Kind::kSpace) units_->PopBack();
  }

 private:
  void Push(char32_t cp, Kind kind, size_t b, size_t e) {
    if (kind == Kind::kSpace) {
      if (units_->empty()) return;  // leading whitespace
      if (units_->back().kind == Kind::kSpace) {
        units_->back().end = static_cast<uint32_t>(e);
        return;
      }
      cp = ' ';
    }
    units_->Push(Unit{cp, static_cast<uint32_t>(b), static_cast<uint32_t>(e), kind, false});
  }

  void EmitAscii(char32_t c, size_t b, size_t e) {
    const Kind kind = kAsciiKinds[c];
    if (kind == Kind::kDrop) return;
    if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
    if (c == '`') c = '\'';
    Push(c, kind, b, e);
  }

  void EmitMark(char32_t mark, size_t b, size_t e) {
    // German: a/o/u + diaeresis is written ae/oe/ue; every other mark is accent noise.
    if (mark != kCombiningDiaeresis || units_->empty()) return;
    const char32_t prev = units_->back().cp;
    if (prev == 'a' || prev == 'o' || prev == 'u') Push('e', Kind::kLetter, b, e);
  }

  void EmitCodePoint(char32_t cp, size_t b, size_t e) {
    if (cp <= 0x9F) {  // C1 controls; NEL is a line break
      if (cp == 0x85) Push(' ', Kind::kSpace, b, e);
      return;
    }
    switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
      case UTF8PROC_CATEGORY_CC:
      case UTF8PROC_CATEGORY_CF:
        return;
      case UTF8PROC_CATEGORY_ZS:
      case UTF8PROC_CATEGORY_ZL:
      case UTF8PROC_CATEGORY_ZP:
        Push(' ', Kind::kSpace, b, e);
        return;
      case UTF8PROC_CATEGORY_MN:
      case UTF8PROC_CATEGORY_MC:
      case UTF8PROC_CATEGORY_ME:
        EmitMark(cp, b, e);
        return;
      default:
        break;
    }
    if (const char ascii = TypographicPunctuation(cp); ascii != '\0') {
      Push(static_cast<char32_t>(ascii), kAsciiKinds[static_cast<unsigned char>(ascii)], b, e);
      return;
    }
    if (cp >= 0x1F1E6 && cp <= 0x1F1FF) {  // regional indicator symbols A..Z
      Push('a' + (cp - 0x1F1E6), Kind::kLetter, b, e);
      return;
    }
    std::array<utf8proc_int32_t, 32> buf;
    int boundclass = 0;
    const utf8proc_ssize_t n = utf8proc_decompose_char(
        static_cast<utf8proc_int32_t>(cp), buf.data(), buf.size(),
        static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                       UTF8PROC_IGNORE),
        &boundclass);
    if (n < 0 || static_cast<size_t>(n) > buf.size()) {
      Push(cp, Kind::kOther, b, e);  // cannot happen for valid code points; keep it unchanged
      return;
    }
    for (utf8proc_ssize_t k = 0; k < n; ++k) EmitFolded(static_cast<char32_t>(buf[k]), b, e);
  }

  // One code point of the decomposition of an original code point.
  void EmitFolded(char32_t c, size_t b, size_t e) {
    if (c < 0x80) {
      EmitAscii(c, b, e);
      return;
    }
    if (const char* latin = FindHomoglyph(c)) {
      for (const char* p = latin; *p != '\0'; ++p) Push(static_cast<char32_t>(*p), Kind::kLetter, b, e);
      return;
    }
    switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
      case UTF8PROC_CATEGORY_MN:
      case UTF8PROC_CATEGORY_MC:
      case UTF8PROC_CATEGORY_ME:
        EmitMark(c, b, e);
        return;
      case UTF8PROC_CATEGORY_CC:
      case UTF8PROC_CATEGORY_CF:
        return;
      case UTF8PROC_CATEGORY_ZS:
      case UTF8PROC_CATEGORY_ZL:
      case UTF8PROC_CATEGORY_ZP:
        Push(' ', Kind::kSpace, b, e);
        return;
      case UTF8PROC_CATEGORY_LU:
      case UTF8PROC_CATEGORY_LL:
      case UTF8PROC_CATEGORY_LT:
      case UTF8PROC_CATEGORY_LM:
      case UTF8PROC_CATEGORY_LO:
        Push(c, Kind::kLetter, b, e);
        return;
      default:
        Push(c, Kind::kOther, b, e);
        return;
    }
  }

  UnitBuffer* units_;
};

bool IsWordKind(Kind k) { return k == Kind::kLetter || k == Kind::kDigit || k == Kind::kSymbol; }

void ToLetter(Unit* u) {
  u->cp = static_cast<char32_t>(LeetLetter(u->cp));
  u->kind = Kind::kLetter;
}

// Pass 2a: leetspeak inside words that contain a letter.
void MapLeet(std::span<Unit> units) {
  const size_t n = units.size();
  size_t i = 0;
  while (i < n) {
    if (!IsWordKind(units[i].kind)) {
      ++i;
      continue;
    }
    size_t end = i;
    bool has_letter = false;
    while (end < n && IsWordKind(units[end].kind)) has_letter |= units[end++].kind == Kind::kLetter;
    if (has_letter) {
      size_t r = i;
      while (r < end) {
        if (units[r].kind == Kind::kLetter) {
          ++r;
          continue;
        }
        size_t run_end = r;
        while (run_end < end && units[run_end].kind != Kind::kLetter) ++run_end;
        const bool interior = r > i && run_end < end;
        if (interior) {
          for (size_t k = r; k < run_end; ++k) ToLetter(&units[k]);
        } else if (run_end - r == 1 && units[r].kind == Kind::kDigit) {
          ToLetter(&units[r]);
        }
        r = run_end;
      }
    }
    i = end;
  }
}

// If a one-character word starts at [i] (a letter or a leet character; "ß" is one character of
// two units), returns the index just past it, else 0.
size_t SingleEnd(std::span<const Unit> units, size_t i) {
  const size_t n = units.size();
  if (i >= n || !IsWordKind(units[i].kind)) return 0;
  if (i > 0 && IsWordKind(units[i - 1].kind)) return 0;
  size_t j = i + 1;
  while (j < n && IsWordKind(units[j].kind)) {
    if (units[j].begin != units[i].begin) return 0;  // a second character: a longer word
    ++j;
  }
  for (size_t k = i; k < j; ++k) {
    if (units[k].kind != Kind::kLetter && LeetLetter(units[k].cp) == '\0') return 0;
  }
  return j;
}

bool SameGap(const std::span<Unit> units, size_t a, size_t b, size_t len) {
  for (size_t k = 0; k < len; ++k) {
    if (units[a + k].cp != units[b + k].cp) return false;
  }
  return true;
}

// Pass 2b: join runs of spaced-out single letters. Every gap of a run must be the same ("k i l l",
// "k.i.l.l", "t - o - t"), so abbreviations in a sentence ("z.B. i.e. a b") are not chained.
void JoinSpacedLetters(std::span<Unit> units) {
  const size_t n = units.size();
  size_t i = 0;
  while (i < n) {
    // Cheap rejection first: most units are spaces or inside longer words.
    const size_t first_end =
        IsWordKind(units[i].kind) && (i == 0 || !IsWordKind(units[i - 1].kind)) ? SingleEnd(units, i)
                                                                                 : 0;
    if (first_end == 0) {
      ++i;
      continue;
    }
    size_t last_end = first_end;  // just past the run's last single
    size_t last_start = i;
    size_t count = 1;
    size_t letters = units[i].kind == Kind::kLetter ? 1 : 0;
    size_t gap_start = 0;
    size_t gap_len = 0;
    while (true) {
      size_t j = last_end;
      while (j < n && j - last_end < kMaxSpacedGap &&
             (units[j].kind == Kind::kSpace || units[j].kind == Kind::kSep)) {
        ++j;
      }
      const size_t len = j - last_end;
      const size_t next_end = len == 0 ? 0 : SingleEnd(units, j);
      if (next_end == 0) break;
      if (count == 1) {
        gap_start = last_end;
        gap_len = len;
      } else if (len != gap_len || !SameGap(units, gap_start, last_end, len)) {
        break;
      }
      last_start = j;
      last_end = next_end;
      ++count;
      if (units[j].kind == Kind::kLetter) ++letters;
    }
    if (count >= kMinSpacedRun && letters >= 2) {
      for (size_t k = i; k < last_end; ++k) {
        if (IsWordKind(units[k].kind)) {
          if (units[k].kind != Kind::kLetter) ToLetter(&units[k]);
        } else {
          units[k].deleted = true;
        }
      }
      i = last_end;
    } else {
      // The run's last single may start a run with another gap ("z.B. k i l l" is not one run).
      i = last_start > i ? last_start : i + 1;
    }
  }
}

size_t Utf8Length(char32_t c) { return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4; }

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

// Pass 3: output with runs of one letter collapsed. Collapsed and deleted units are marked first
// so that the output can be sized exactly and written without per-byte growth checks.
void Emit(std::span<Unit> units, Normalized* out) {
  size_t bytes = 0;
  char32_t prev_letter = 0;  // the last kept unit if it was a letter, else 0
  Unit* prev = nullptr;
  for (Unit& u : units) {
    if (u.deleted) continue;
    if (u.kind == Kind::kLetter && u.cp == prev_letter) {
      prev->end = u.end;  // the run's first letter covers the whole run
      u.deleted = true;
      continue;
    }
    bytes += Utf8Length(u.cp);
    prev_letter = u.kind == Kind::kLetter ? u.cp : 0;
    prev = &u;
  }
  out->text.resize(bytes);
  out->begins.resize(bytes);
  out->ends.resize(bytes);
  char* text = out->text.data();
  uint32_t* begins = out->begins.data();
  uint32_t* ends = out->ends.data();
  for (const Unit& u : units) {
    if (u.deleted) continue;
    char* const next = WriteUtf8(u.cp, text);
    for (; text < next; ++text) {
      *begins++ = u.begin;
      *ends++ = u.end;
    }
  }
}

}  // namespace

void Normalize(std::string_view original, Normalized* out) {
  out->text.clear();
  out->begins.clear();
  out->ends.clear();
  // One scratch buffer per thread, reused so that normalising allocates nothing once warm.
  thread_local UnitBuffer buffer;
  buffer.Clear(original.size() + 16);
  Decoder(&buffer).Run(original);
  const std::span<Unit> units = buffer.units();
  MapLeet(units);
  JoinSpacedLetters(units);
  Emit(units, out);
}

Normalized Normalize(std::string_view original) {
  Normalized out;
  Normalize(original, &out);
  return out;
}

std::string NormalizeText(std::string_view original) { return Normalize(original).text; }

}  // namespace stoa::screen
