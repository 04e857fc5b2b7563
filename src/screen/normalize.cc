#include "screen/normalize.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <span>

#include "screen/characters.h"

// How it works: one pass over the original writes the normalized bytes and their source ranges
// straight into the result (ASCII letters, most of any post, take a short fast path), collapsing
// letter runs and whitespace as it goes. Leetspeak is decided per word when the word ends (only
// words containing a digit or leet symbol are looked at again). Spaced-out letters need a view of
// several words, so one-character words are remembered and, when there are at least three, a
// second pass joins runs of them and compacts the result. The design notes and measurements are
// in docs/screening.md and BENCHMARKS.md.

namespace stoa::screen {
namespace {

using detail::DecodeUtf8;
using detail::FindHomoglyph;
using detail::LeetLetter;
using detail::TypographicPunctuation;
using detail::WriteUtf8;

constexpr char32_t kCombiningDiaeresis = 0x0308;
constexpr size_t kMaxSpacedGap = 3;  // separator bytes allowed between two spaced letters
constexpr size_t kMinSpacedRun = 3;  // single letters needed before a run is joined
// Output bytes one code point of the original can become at most (a decomposition of up to 32
// code points of up to 4 bytes, or a homoglyph of two letters per code point).
constexpr size_t kMaxExpansion = 32 * 4;

enum class Ascii : uint8_t {
  kLetter,  // A-Z a-z
  kDigit,   // 0-9 and '$': leet letters that may stand at a word's edge
  kSymbol,  // @ ! |: leet letters only between letters
  kSpace,   // whitespace
  kSep,     // punctuation that may separate spaced-out letters: . - _ * ~ + / backslash
  kOther,   // everything else, kept
  kDrop,    // control characters, removed
};

constexpr std::array<Ascii, 128> MakeAsciiClasses() {
  std::array<Ascii, 128> k{};
  for (int c = 0; c < 128; ++c) {
    if (c < 0x20 || c == 0x7f) {
      k[c] = Ascii::kDrop;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      k[c] = Ascii::kLetter;
    } else if ((c >= '0' && c <= '9') || c == '$') {
      k[c] = Ascii::kDigit;
    } else if (c == '@' || c == '!' || c == '|') {
      k[c] = Ascii::kSymbol;
    } else if (c == ' ') {
      k[c] = Ascii::kSpace;
    } else if (c == '.' || c == '-' || c == '_' || c == '*' || c == '~' || c == '+' || c == '/' ||
               c == '\\') {
      k[c] = Ascii::kSep;
    } else {
      k[c] = Ascii::kOther;
    }
  }
  k['\t'] = k['\n'] = k['\r'] = k['\v'] = k['\f'] = Ascii::kSpace;
  return k;
}
constexpr std::array<Ascii, 128> kAsciiClasses = MakeAsciiClasses();

// The lowercase form of each ASCII letter, 0 for other bytes.
constexpr std::array<char, 128> MakeAsciiLower() {
  std::array<char, 128> l{};
  for (char c = 'a'; c <= 'z'; ++c) l[c] = c;
  for (char c = 'A'; c <= 'Z'; ++c) l[c] = static_cast<char>(c - 'A' + 'a');
  return l;
}
constexpr std::array<char, 128> kAsciiLower = MakeAsciiLower();

// What a byte of the output is, for the word-level steps. Output bytes >= 0x80 only ever belong
// to letters or to kept symbols; inside a word they are letters.
bool IsOutputLetter(char c) { return (c >= 'a' && c <= 'z') || static_cast<unsigned char>(c) >= 0x80; }
bool IsLeetByte(char c) { return LeetLetter(static_cast<unsigned char>(c)) != '\0'; }
bool IsEdgeLeetByte(char c) { return (c >= '0' && c <= '9') || c == '$'; }
bool IsGapByte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x80 && (kAsciiClasses[u] == Ascii::kSpace || kAsciiClasses[u] == Ascii::kSep);
}

// The length of the UTF-8 sequence a valid lead byte starts.
size_t SequenceLength(unsigned char lead) {
  return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

// Writes the normalized form of one text into a Normalized, see the file comment.
class Normalizer {
 public:
  Normalizer(std::string_view original, Normalized* out) : in_(original), out_(out) {}

  void Run();

 private:
  // Makes room for `bytes` more output bytes plus one per input byte still to read (the most
  // the ASCII fast path can write without checking).
  void Reserve(size_t bytes) {
    const size_t need = n_ + bytes + (in_.size() - pos_) + 16;
    if (need <= cap_) return;
    cap_ = std::max(need, cap_ + cap_ / 2);
    out_->text.resize(cap_);
    out_->begins.resize(cap_);
    out_->ends.resize(cap_);
    text_ = out_->text.data();
    begins_ = out_->begins.data();
    ends_ = out_->ends.data();
  }

  void PutByte(char c, uint32_t b, uint32_t e) {
    text_[n_] = c;
    begins_[n_] = b;
    ends_[n_] = e;
    ++n_;
  }

  // A letter (any script), collapsed into the previous output letter when it is the same.
  void PutLetter(char32_t cp, uint32_t b, uint32_t e) {
    if (!in_word_) StartWord();
    if (cp == prev_letter_) {
      for (size_t k = n_ - prev_bytes_; k < n_; ++k) ends_[k] = e;
      return;
    }
    char buf[4];
    const size_t len = static_cast<size_t>(WriteUtf8(cp, buf) - buf);
    for (size_t k = 0; k < len; ++k) PutByte(buf[k], b, e);
    prev_letter_ = cp;
    prev_bytes_ = len;
  }

  // A digit or leet symbol: part of a word, decided when the word ends.
  void PutLeet(char c, uint32_t b, uint32_t e) {
    if (!in_word_) StartWord();
    word_has_leet_ = true;
    PutByte(c, b, e);
    prev_letter_ = 0;
  }

  void PutSpace(uint32_t b, uint32_t e) {
    EndWord();
    prev_letter_ = 0;
    if (n_ == 0) return;  // leading whitespace
    if (text_[n_ - 1] == ' ') {
      ends_[n_ - 1] = e;
      return;
    }
    PutByte(' ', b, e);
  }

  // Punctuation, symbols, emoji: end a word and are kept as they are.
  void PutOther(char32_t cp, uint32_t b, uint32_t e) {
    EndWord();
    prev_letter_ = 0;
    char buf[4];
    const size_t len = static_cast<size_t>(WriteUtf8(cp, buf) - buf);
    for (size_t k = 0; k < len; ++k) PutByte(buf[k], b, e);
  }

  void PutAscii(char c, uint32_t b, uint32_t e) {
    switch (kAsciiClasses[static_cast<unsigned char>(c)]) {
      case Ascii::kLetter:
        PutLetter(static_cast<char32_t>(kAsciiLower[static_cast<unsigned char>(c)]), b, e);
        return;
      case Ascii::kDigit:
      case Ascii::kSymbol:
        PutLeet(c, b, e);
        return;
      case Ascii::kSpace:
        PutSpace(b, e);
        return;
      case Ascii::kSep:
      case Ascii::kOther:
        PutOther(static_cast<char32_t>(c == '`' ? '\'' : c), b, e);
        return;
      case Ascii::kDrop:
        return;
    }
  }

  void PutMark(char32_t mark, uint32_t b, uint32_t e) {
    // German: a/o/u + diaeresis is written ae/oe/ue; every other mark is accent noise.
    if (mark != kCombiningDiaeresis || !in_word_ || n_ == 0) return;
    const char prev = text_[n_ - 1];
    if (prev == 'a' || prev == 'o' || prev == 'u') PutLetter('e', b, e);
  }

  void PutCodePoint(char32_t cp, uint32_t b, uint32_t e);
  void PutFolded(char32_t c, uint32_t b, uint32_t e);

  void StartWord() {
    in_word_ = true;
    word_start_ = n_;
    word_has_leet_ = false;
  }
  void EndWord();
  void MapLeet(size_t start, size_t end);
  size_t CollapseFrom(size_t start);
  void JoinSpacedLetters();
  bool SingleLetter(uint32_t start) const;

  std::string_view in_;
  Normalized* out_;
  size_t pos_ = 0;  // next input byte
  char* text_ = nullptr;
  uint32_t* begins_ = nullptr;
  uint32_t* ends_ = nullptr;
  size_t n_ = 0;    // output bytes written
  size_t cap_ = 0;  // output bytes allocated
  char32_t prev_letter_ = 0;  // the last output character if it is a letter, else 0
  size_t prev_bytes_ = 0;     // its UTF-8 length
  bool in_word_ = false;
  bool word_has_leet_ = false;
  size_t word_start_ = 0;
  // Output offsets of one-character words, where spaced-out letters may start. Reused per
  // thread so that normalising allocates nothing once warm.
  std::vector<uint32_t>* singles_ = nullptr;
};

void Normalizer::Run() {
  thread_local std::vector<uint32_t> singles;
  singles.clear();
  singles_ = &singles;
  // Headroom for a few expanding characters, so that a post with umlauts or emoji needs one
  // allocation at most (none once the result's buffers have grown).
  Reserve(2 * kMaxExpansion);
  const char* const data = in_.data();
  const size_t size = in_.size();
  while (pos_ < size) {
    const auto byte = static_cast<unsigned char>(data[pos_]);
    if (byte < 0x80) {
      const char lower = kAsciiLower[byte];
      const auto at = static_cast<uint32_t>(pos_);
      ++pos_;
      if (lower != 0 && static_cast<char32_t>(lower) != prev_letter_ && in_word_) {
        // The fast path: a letter continuing a word, not repeating the previous letter.
        PutByte(lower, at, at + 1);
        prev_letter_ = static_cast<char32_t>(lower);
        prev_bytes_ = 1;
      } else {
        PutAscii(static_cast<char>(byte), at, at + 1);
      }
      continue;
    }
    char32_t cp = 0;
    const size_t len = DecodeUtf8(in_, pos_, &cp);
    if (len == 0) {  // invalid byte: dropped
      ++pos_;
      continue;
    }
    const auto b = static_cast<uint32_t>(pos_);
    pos_ += len;
    Reserve(kMaxExpansion);
    PutCodePoint(cp, b, static_cast<uint32_t>(pos_));
  }
  EndWord();
  if (n_ > 0 && text_[n_ - 1] == ' ') --n_;  // trailing whitespace
  if (singles.size() >= kMinSpacedRun) JoinSpacedLetters();
  out_->text.resize(n_);
  out_->begins.resize(n_);
  out_->ends.resize(n_);
}

void Normalizer::PutCodePoint(char32_t cp, uint32_t b, uint32_t e) {
  if (cp <= 0x9F) {  // C1 controls; NEL is a line break
    if (cp == 0x85) PutSpace(b, e);
    return;
  }
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
      return;
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
      PutSpace(b, e);
      return;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
      PutMark(cp, b, e);
      return;
    default:
      break;
  }
  if (const char ascii = TypographicPunctuation(cp); ascii != '\0') {
    PutAscii(ascii, b, e);
    return;
  }
  if (cp >= 0x1F1E6 && cp <= 0x1F1FF) {  // regional indicator symbols A..Z
    PutLetter('a' + (cp - 0x1F1E6), b, e);
    return;
  }
  std::array<utf8proc_int32_t, 32> buf;
  int boundclass = 0;
  const utf8proc_ssize_t count = utf8proc_decompose_char(
      static_cast<utf8proc_int32_t>(cp), buf.data(), buf.size(),
      static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                     UTF8PROC_IGNORE),
      &boundclass);
  if (count < 0 || static_cast<size_t>(count) > buf.size()) {
    PutOther(cp, b, e);  // cannot happen for valid code points; keep it unchanged
    return;
  }
  for (utf8proc_ssize_t k = 0; k < count; ++k) PutFolded(static_cast<char32_t>(buf[k]), b, e);
}

// One code point of the decomposition of an original code point.
void Normalizer::PutFolded(char32_t c, uint32_t b, uint32_t e) {
  if (c < 0x80) {
    PutAscii(static_cast<char>(c), b, e);
    return;
  }
  if (const char* latin = FindHomoglyph(c)) {
    for (const char* p = latin; *p != '\0'; ++p) PutLetter(static_cast<char32_t>(*p), b, e);
    return;
  }
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
      PutMark(c, b, e);
      return;
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
      return;
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
      PutSpace(b, e);
      return;
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
      PutLetter(c, b, e);
      return;
    default:
      PutOther(c, b, e);
      return;
  }
}

void Normalizer::EndWord() {
  if (!in_word_) return;
  in_word_ = false;
  if (word_has_leet_) {
    MapLeet(word_start_, n_);
    n_ = CollapseFrom(word_start_);
  }
  // One character of the original at most: all its bytes share their begin (checked first, it
  // is cheap and false for almost every word).
  if (n_ > word_start_ && begins_[word_start_] == begins_[n_ - 1] &&
      SingleLetter(static_cast<uint32_t>(word_start_))) {
    singles_->push_back(static_cast<uint32_t>(word_start_));
  }
}

// Leetspeak in the word at [start, end) of the output: digit and symbol runs between letters,
// and single digits at the word's edges, become letters, if the word has a letter at all.
void Normalizer::MapLeet(size_t start, size_t end) {
  bool has_letter = false;
  for (size_t k = start; k < end && !has_letter; ++k) has_letter = IsOutputLetter(text_[k]);
  if (!has_letter) return;
  size_t r = start;
  while (r < end) {
    if (IsOutputLetter(text_[r])) {
      ++r;
      continue;
    }
    size_t run_end = r;
    while (run_end < end && !IsOutputLetter(text_[run_end])) ++run_end;
    const bool interior = r > start && run_end < end;
    if (interior) {
      for (size_t k = r; k < run_end; ++k) text_[k] = LeetLetter(static_cast<unsigned char>(text_[k]));
    } else if (run_end - r == 1 && IsEdgeLeetByte(text_[r])) {
      text_[r] = LeetLetter(static_cast<unsigned char>(text_[r]));
    }
    r = run_end;
  }
}

// Collapses runs of one ASCII letter in the output from `start` on (after leet mapping or
// joining made letters adjacent); returns the new output size.
size_t Normalizer::CollapseFrom(size_t start) {
  size_t w = start;
  for (size_t r = start; r < n_; ++r) {
    const char c = text_[r];
    if (w > start && c >= 'a' && c <= 'z' && text_[w - 1] == c) {
      ends_[w - 1] = ends_[r];
      continue;
    }
    text_[w] = c;
    begins_[w] = begins_[r];
    ends_[w] = ends_[r];
    ++w;
  }
  return w;
}

// Whether the word starting at output offset `start` (and ending at the next non-word byte)
// is one character of the original: a letter or a leet character ("ß" is one, as "ss").
bool Normalizer::SingleLetter(uint32_t start) const {
  size_t end = start;
  while (end < n_ && (IsOutputLetter(text_[end]) || IsLeetByte(text_[end]))) ++end;
  if (end == start) return false;
  const uint32_t b = begins_[start];
  const uint32_t e = ends_[end - 1];
  if (begins_[end - 1] != b) return false;
  return e - b == SequenceLength(static_cast<unsigned char>(in_[b]));
}

// Joins runs of three or more one-character words separated by one and the same short gap of
// spaces and separators ("k i l l", "k.i.l.l", "t - o - t"), when at least two are letters, so
// that abbreviations ("z.B. i.e.") and lists ("1, 2, 3") stay.
void Normalizer::JoinSpacedLetters() {
  thread_local std::vector<uint8_t> drop;
  drop.assign(n_, 0);
  bool joined = false;
  const std::vector<uint32_t>& singles = *singles_;
  auto word_end = [&](size_t start) {
    size_t end = start;
    while (end < n_ && (IsOutputLetter(text_[end]) || IsLeetByte(text_[end]))) ++end;
    return end;
  };
  size_t i = 0;
  while (i < singles.size()) {
    size_t last = i;  // index into singles of the run's last letter
    size_t gap = 0;   // the gap's length; every gap of the run must read the same
    size_t letters = IsOutputLetter(text_[singles[i]]) ? 1 : 0;
    while (last + 1 < singles.size()) {
      const size_t end = word_end(singles[last]);
      const size_t next = singles[last + 1];
      const size_t len = next - end;
      if (len == 0 || len > kMaxSpacedGap) break;
      bool ok = true;
      for (size_t k = end; k < next && ok; ++k) ok = IsGapByte(text_[k]);
      if (!ok) break;
      if (last == i) {
        gap = len;
      } else if (len != gap || !std::equal(text_ + end, text_ + next,
                                           text_ + word_end(singles[i]))) {
        break;
      }
      ++last;
      letters += IsOutputLetter(text_[singles[last]]) ? 1 : 0;
    }
    if (last - i + 1 >= kMinSpacedRun && letters >= 2) {
      for (size_t k = i; k <= last; ++k) {
        const size_t start = singles[k];
        const size_t end = word_end(start);
        for (size_t m = start; m < end; ++m) {
          if (!IsOutputLetter(text_[m])) text_[m] = LeetLetter(static_cast<unsigned char>(text_[m]));
        }
        if (k < last) std::fill(drop.begin() + end, drop.begin() + singles[k + 1], 1);
      }
      joined = true;
      i = last + 1;
    } else {
      // The run's last single may start a run with another gap ("z.B. k i l l" is not one run).
      i = last > i ? last : i + 1;
    }
  }
  if (!joined) return;
  size_t w = 0;
  for (size_t r = 0; r < n_; ++r) {
    if (drop[r] != 0) continue;
    text_[w] = text_[r];
    begins_[w] = begins_[r];
    ends_[w] = ends_[r];
    ++w;
  }
  n_ = w;
  n_ = CollapseFrom(0);
}

}  // namespace

void Normalize(std::string_view original, Normalized* out) { Normalizer(original, out).Run(); }

Normalized Normalize(std::string_view original) {
  Normalized out;
  Normalize(original, &out);
  return out;
}

std::string NormalizeText(std::string_view original) { return Normalize(original).text; }

}  // namespace stoa::screen
