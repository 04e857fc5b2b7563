#include "screen/normalize.h"

#include <gtest/gtest.h>

#include <cctype>

#include <string>
#include <string_view>

namespace stoa::screen {
namespace {

struct Case {
  const char* name;
  std::string_view input;
  std::string_view expected;
};

class NormalizeCases : public ::testing::TestWithParam<Case> {};

TEST_P(NormalizeCases, Skeleton) {
  const Case& c = GetParam();
  EXPECT_EQ(NormalizeText(c.input), c.expected) << c.name;
}

const Case kCases[] = {
    // Case folding and whitespace.
    {"case", "KILL Them ALL", "kil them al"},
    {"whitespace runs and line breaks", "  ich\t\tbring\n\r\ndich   um  ", "ich bring dich um"},
    {"no-break and ideographic spaces", "ich\u00A0bring\u3000dich\u2003um", "ich bring dich um"},
    // Zero-width, format and control characters.
    {"zero-width space", "k\u200Bi\u200Bl\u200Bl", "kil"},
    {"zero-width joiners and word joiner", "t\u200Do\u200Ct\u2060e\uFEFFn", "toten"},
    {"soft hyphen", "er\u00ADschie\u00ADßen", "erschiesen"},
    {"bidi controls", "\u202Ekill\u202C", "kil"},
    {"control characters", "ki\x01l\x7Fl", "kil"},
    {"hangul filler is ignorable", "ki\u3164ll", "kil"},
    {"combining marks (zalgo)", "k\u0336i\u0337l\u0338l\u0489", "kil"},
    // NFKC.
    {"fullwidth", "\uFF2B\uFF29\uFF2C\uFF2C", "kil"},
    {"mathematical bold", "\U0001D40A\U0001D422\U0001D425\U0001D425", "kil"},
    {"circled letters", "\u24DA\u24D8\u24DB\u24DB", "kil"},
    {"ligature", "\uFB03", "fi"},  // "ffi": the ff collapses
    // German.
    {"umlauts precomposed", "Hängt sie AUF, Öl, Übel", "haengt sie auf, oel, uebel"},
    {"umlauts decomposed", "ha\u0308ngen", "haengen"},
    {"eszett", "erschießen STRASSE Straße", "erschiesen strase strase"},
    {"capital eszett", "\u1E9E", "s"},
    {"ae ligature as umlaut", "hængen", "haengen"},
    {"accents dropped", "café naïve", "cafe naive"},
    // Look-alikes.
    {"cyrillic homoglyphs", "\u043A\u0456\u04CF\u04CF", "kil"},
    {"cyrillic in a latin word", "h\u0430ng them", "hang them"},
    {"greek homoglyphs", "\u039A\u0399\u039B\u039B", "kiλ"},
    {"greek omicron and tau", "\u03C4\u03BF\u03C4", "tot"},
    {"small capitals", "\u1D0B\u026A\u029F\u029F", "kil"},
    {"regional indicators", "\U0001F1F0\U0001F1EE\U0001F1F1\U0001F1F1", "kil"},
    {"dotless i and l stroke", "k\u0131\u0142\u0142", "kil"},
    // Leetspeak.
    {"leet inside a word", "k1ll", "kil"},
    {"leet at word edges", "3rsch1e55en", "erschiesen"},
    {"leet several", "h4ng 7h3m", "hang them"},
    {"leet symbols between letters", "h@ng k!ll ca$h", "hang kil cash"},
    {"at-mention stays", "@alice kill!", "@alice kil!"},
    {"numbers stay", "2024 um 10:30 1488 3.5", "2024 um 10:30 1488 3.5"},
    {"multi-digit runs at word edges stay", "covid19 90er 10km", "covid19 90er 10km"},
    {"single edge digit in a word", "t0t", "tot"},
    // Letter runs.
    {"letter runs", "kiiiiilllll", "kil"},
    {"elongation", "toooooot", "tot"},
    {"digits are not collapsed", "1000 $$$", "1000 $$$"},
    {"punctuation is not collapsed", "nein!!!", "nein!!!"},
    // Spacing tricks.
    {"spaced letters", "ich werde dich k i l l e n", "ich werde dich kilen"},
    {"dotted letters", "k.i.l.l them", "kil them"},
    {"dashed letters", "k-i-l-l", "kil"},
    {"underscores and stars", "k_i_l_l k*i*l*l", "kil kil"},
    {"spaced with wide gaps", "t - o - t", "tot"},
    {"spaced with a leet digit", "k 1 l l", "kil"},
    {"spaced with an eszett", "e r s c h i e ß e n", "erschiesen"},
    {"two single letters stay", "z.B. i.e. a b", "z.b. i.e. a b"},
    {"ordinary words stay", "a cat is a pet", "a cat is a pet"},
    {"digits alone are not spaced letters", "1 2 3 4", "1 2 3 4"},
    // Typographic punctuation.
    {"apostrophes and quotes", "I’ll `go´ „jetzt“ «oui» a–b", "i'l 'go' \"jetzt\" \"oui\" a-b"},
    // Other scripts stay.
    {"cjk and emoji stay", "你好 🙂", "你好 🙂"},
    {"empty", "", ""},
    {"only whitespace", " \t\n ", ""},
};

INSTANTIATE_TEST_SUITE_P(Evasions, NormalizeCases, ::testing::ValuesIn(kCases),
                         [](const auto& info) {
                           std::string name;
                           for (const char* p = info.param.name; *p != '\0'; ++p) {
                             name += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
                           }
                           return name;
                         });

TEST(Normalize, InvalidUtf8IsDroppedWithoutCrashing) {
  const std::string inputs[] = {
      std::string("ki\xFFll"),          // invalid byte inside a word
      std::string("\xC3"),              // truncated sequence at the end
      std::string("\xE2\x82"),          // truncated three-byte sequence
      std::string("\xC0\xAF kill"),     // overlong slash
      std::string("\xED\xA0\x80kill"),  // UTF-16 surrogate
      std::string("\xF4\x90\x80\x80"),  // above U+10FFFF
      std::string("\x80\x80\x80"),      // stray continuation bytes
  };
  EXPECT_EQ(NormalizeText(inputs[0]), "kil");
  EXPECT_EQ(NormalizeText(inputs[1]), "");
  EXPECT_EQ(NormalizeText(inputs[2]), "");
  EXPECT_EQ(NormalizeText(inputs[3]), "kil");
  EXPECT_EQ(NormalizeText(inputs[4]), "kil");
  EXPECT_EQ(NormalizeText(inputs[5]), "");
  EXPECT_EQ(NormalizeText(inputs[6]), "");
  for (const std::string& s : inputs) {
    Normalized n = Normalize(s);
    ASSERT_EQ(n.begins.size(), n.text.size());
    ASSERT_EQ(n.ends.size(), n.text.size());
    for (size_t i = 0; i < n.text.size(); ++i) EXPECT_LE(n.ends[i], s.size());
  }
}

TEST(Normalize, EveryByteValueAloneAndInRunsIsHandled) {
  // A crude fuzz: every byte, alone and mixed with letters, yields valid offsets.
  for (int b = 0; b < 256; ++b) {
    std::string s = "a";
    s.push_back(static_cast<char>(b));
    s += "b";
    s.push_back(static_cast<char>(b));
    s.push_back(static_cast<char>(b));
    Normalized n = Normalize(s);
    ASSERT_EQ(n.begins.size(), n.text.size());
    for (size_t i = 0; i < n.text.size(); ++i) {
      EXPECT_LT(n.begins[i], n.ends[i]);
      EXPECT_LE(n.ends[i], s.size());
      if (i > 0) {
        EXPECT_LE(n.begins[i - 1], n.begins[i]);
      }
    }
  }
}

// True when `s` is well-formed UTF-8 (no overlong forms, surrogates or values above U+10FFFF).
bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t len = b < 0x80 ? 1 : (b >= 0xC2 && b < 0xE0) ? 2 : (b >= 0xE0 && b < 0xF0) ? 3
                                                          : (b >= 0xF0 && b < 0xF5) ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    uint32_t cp = len == 1 ? b : b & (0xFF >> (len + 1));
    for (size_t k = 1; k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
      return false;
    }
    i += len;
  }
  return true;
}

TEST(Normalize, RandomMixturesKeepTheInvariants) {
  // Deterministic fuzzing over pieces that exercise every step: letters, case, runs, separators,
  // leet characters, umlauts and their decomposed forms, zero-width and combining characters,
  // look-alikes, fullwidth, emoji, invalid and truncated bytes.
  const char* const pieces[] = {"a", "b", "k", "i", "l", "L", "K", " ", "  ", ".", "-", "_", "1",
                                "3", "4", "0", "@", "!", "|", "$", "ä", "ß", "Ö", "\u200B",
                                "\u0301", "\u0308", "к", "і", "ＫＩ", "\xFF", "\xC3", "é", "æ",
                                "🙂", "x", "e", "s", "\t", "\n", "z.B.", "ü", "ẞ", "ﬃ", "\uFDFA"};
  uint32_t seed = 12345;
  auto next = [&seed] {
    seed = seed * 1103515245u + 12345u;
    return seed >> 8;
  };
  Normalized n;
  for (int iteration = 0; iteration < 20000; ++iteration) {
    std::string s;
    const uint32_t len = next() % 24;
    for (uint32_t k = 0; k < len; ++k) s += pieces[next() % std::size(pieces)];
    Normalize(s, &n);
    ASSERT_EQ(n.begins.size(), n.text.size()) << s;
    ASSERT_EQ(n.ends.size(), n.text.size()) << s;
    ASSERT_TRUE(ValidUtf8(n.text)) << s;
    for (size_t i = 0; i < n.text.size(); ++i) {
      ASSERT_LT(n.begins[i], n.ends[i]) << s;
      ASSERT_LE(n.ends[i], s.size()) << s;
      if (i > 0) {
        ASSERT_LE(n.begins[i - 1], n.begins[i]) << s;
      }
    }
    ASSERT_TRUE(n.text.empty() || (n.text.front() != ' ' && n.text.back() != ' ')) << s;
    ASSERT_EQ(n.text.find("  "), std::string::npos) << s;
  }
}

TEST(Normalize, OutputIsValidUtf8) {
  // Hyperscan's UTF-8 mode requires it: re-normalising the output must not drop anything.
  const std::string inputs[] = {"ki\xFFll \xE2\x82 ok", "ä\xC3 你好 \U0001F600", "\xF0\x9F\x98"};
  for (const std::string& s : inputs) {
    const std::string once = NormalizeText(s);
    EXPECT_EQ(NormalizeText(once), once);
  }
}

TEST(Normalize, OffsetsMapBackToTheOriginal) {
  const std::string original = "Ich  BRING dich u\u200Bm!";
  Normalized n = Normalize(original);
  ASSERT_EQ(n.text, "ich bring dich um!");
  // "bring" in the normalized text -> "BRING" in the original.
  const size_t start = n.text.find("bring");
  auto [b, e] = n.ToOriginal(start, start + 5);
  EXPECT_EQ(original.substr(b, e - b), "BRING");
  // "um" spans the zero-width space.
  const size_t um = n.text.find("um");
  auto [ub, ue] = n.ToOriginal(um, um + 2);
  EXPECT_EQ(original.substr(ub, ue - ub), "u\u200Bm");
}

TEST(Normalize, OffsetsCoverCollapsedRunsAndJoinedLetters) {
  const std::string original = "so k i l l l l them";
  Normalized n = Normalize(original);
  ASSERT_EQ(n.text, "so kil them");
  auto [b, e] = n.ToOriginal(3, 6);
  EXPECT_EQ(original.substr(b, e - b), "k i l l l l");
}

TEST(Normalize, OffsetsOfMultiByteSources) {
  const std::string original = "Straße hängen ＫＩＬＬ";
  Normalized n = Normalize(original);
  ASSERT_EQ(n.text, "strase haengen kil");
  auto [b1, e1] = n.ToOriginal(4, 5);  // the "s" that came from "ß"
  EXPECT_EQ(original.substr(b1, e1 - b1), "ß");
  auto [b2, e2] = n.ToOriginal(8, 10);  // "ae" from "ä"
  EXPECT_EQ(original.substr(b2, e2 - b2), "ä");
  const size_t k = n.text.find("kil");
  auto [b3, e3] = n.ToOriginal(k, k + 3);
  EXPECT_EQ(original.substr(b3, e3 - b3), "ＫＩＬＬ");
}

TEST(Normalize, NonAsciiOutputBytesShareTheirSourceRange) {
  const std::string original = "x 你";
  Normalized n = Normalize(original);
  ASSERT_EQ(n.text, "x 你");
  for (size_t i = 2; i < 5; ++i) {
    EXPECT_EQ(n.begins[i], 2u);
    EXPECT_EQ(n.ends[i], 5u);
  }
}

TEST(Normalize, ReusesTheResultBuffers) {
  Normalized n;
  Normalize("a first, rather long text with some words in it", &n);
  const auto* data = n.text.data();
  Normalize("short", &n);
  EXPECT_EQ(n.text, "short");
  EXPECT_EQ(n.text.data(), data);
  EXPECT_EQ(n.begins.size(), 5u);
}

}  // namespace
}  // namespace stoa::screen
