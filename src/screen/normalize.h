// Normalisation: the first stage of the screening chain. It turns a post into a canonical
// "skeleton" text so that rules and the classifier see through the usual evasions, while keeping
// for every byte of the skeleton where it came from in the original (which is never changed), so
// that a hit can be shown in both. docs/screening.md describes every step and its reasons.
//
// Steps, in order (each is a pure function of the input):
//  1. UTF-8 decoding; invalid or overlong sequences and surrogates are dropped byte by byte.
//  2. Control characters (Cc except tab/CR/LF), format characters (Cf: zero-width space/joiners,
//     soft hyphen, bidi controls, BOM, tags), default-ignorable code points (e.g. Hangul fillers)
//     and combining marks are removed; a combining diaeresis after a/o/u becomes "e" (see 5).
//  3. Unicode compatibility decomposition (NFKD; with the marks removed this is NFKC plus accent
//     folding) and full case folding (utf8proc): fullwidth, mathematical, circled letters and
//     ligatures become plain letters; "ß" folds to "ss".
//  4. Look-alikes: Cyrillic and Greek homoglyphs of Latin letters, small capitals, regional
//     indicator symbols and a few Latin variants (ı ł ø đ ħ æ œ ...) become ASCII letters.
//  5. German: ä ö ü (precomposed or a/o/u + combining diaeresis) become ae oe ue, ß becomes ss, so
//     "hängen", "haengen" and "hængen" are one word; rules are written with ae/oe/ue/ss.
//  6. All whitespace (including no-break and ideographic spaces and line breaks) becomes a single
//     ASCII space; leading and trailing whitespace is dropped.
//  7. Leetspeak inside words: in a word that contains a letter, 0->o 1->i 2->z 3->e 4->a 5->s
//     6->g 7->t 8->b 9->g $->s are mapped when the digit run lies between letters or is a single
//     character at the edge of the word ("k1ll", "3rschiessen", "t0t"); @ ! | are mapped (a, i, l)
//     only between letters, so "@user" and "kill!" stay. Words without a letter ("2024", "10:30",
//     "1488") and multi-digit runs at a word edge ("covid19", "90er", "10km") are not touched.
//  8. Spaced letters: three or more single-letter words separated by one and the same gap of up
//     to three spaces or . - _ * ~ + / \ are joined ("k i l l", "k.i.l.l", "t - o - t" -> "kil",
//     "tot"); a single leet character counts as a letter there ("k 1 l l") when at least two of
//     them are letters. Two single letters ("z.B.", "i.e.") and ordinary words are not joined.
//  9. Runs of the same letter collapse to ONE letter ("kiiiilll" -> "kil", "Mannschaft" ->
//     "manschaft"). Rule patterns are collapsed the same way when a rules file is compiled, so a
//     rule may be written "kill" or "wissen" and still matches; see docs/screening.md for why one
//     and not two. Digits and punctuation are never collapsed.
//
// The result is valid UTF-8 (a requirement of Hyperscan's UTF-8 mode).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stoa::screen {

// The skeleton of a text and, for each of its bytes, the bytes of the original that produced it.
struct Normalized {
  std::string text;
  // begins[i] / ends[i]: the half-open byte range [begins[i], ends[i]) of the original that
  // produced text[i]. All bytes of one multi-byte output character share one range; the letter
  // a run collapsed into covers the whole run. Begins are non-decreasing.
  std::vector<uint32_t> begins;
  std::vector<uint32_t> ends;

  // The original byte range [first, second) covering the normalized range [start, end).
  // Requires start < end <= text.size().
  std::pair<size_t, size_t> ToOriginal(size_t start, size_t end) const {
    return {begins[start], ends[end - 1]};
  }
};

// Normalises `original` into `out`, reusing its buffers (no allocation once they and a small
// per-thread buffer have grown to the post size: the path the server and benchmarks use). Never
// fails; any byte sequence is accepted. Thread-safe (per-thread scratch, utf8proc's read-only
// tables). Texts longer than 4 GiB are not supported (offsets are 32-bit); callers bound post
// sizes far below that.
void Normalize(std::string_view original, Normalized* out);

// Convenience form that allocates a fresh result.
Normalized Normalize(std::string_view original);

// The skeleton text alone (for rule patterns, examples and training data).
std::string NormalizeText(std::string_view original);

}  // namespace stoa::screen
