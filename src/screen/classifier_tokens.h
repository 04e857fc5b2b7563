// How the classifier cuts normalised text into tokens, the same way when it trains and when it
// predicts (fastText itself only splits on whitespace, so "tot!??" and "tot" would be different
// words). Part of the classifier's contract with its model files: changing it means retraining.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>

namespace stoa::screen {

// The most tokens of one text the classifier looks at (fastText's own limit for a training line);
// bounds the cost of one prediction for very long posts.
inline constexpr size_t kMaxClassifierTokens = 1024;
// A run of one punctuation character becomes one token of at most this many characters ("!!!!!"
// and "!!!" are the same token).
inline constexpr size_t kMaxPunctuationRun = 3;

// Calls `emit(std::string_view token)` for each token of `text`, at most kMaxClassifierTokens:
// runs of ASCII letters and digits and of non-ASCII bytes (letters of other scripts, emoji) are
// words; each run of one ASCII punctuation character is a token of its own; whitespace and
// control characters separate. No token is empty or contains whitespace, and none starts with
// fastText's "__label__" (underscores are punctuation).
namespace detail {
// 1 for bytes of words: ASCII letters and digits and every non-ASCII byte (a table: the tokeniser
// runs over every byte of every post the classifier sees).
inline constexpr auto kClassifierWordByte = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[static_cast<size_t>(c)] = c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                                    (c >= 'A' && c <= 'Z');
  }
  return table;
}();
}  // namespace detail

template <typename Emit>
void ForEachClassifierToken(std::string_view text, Emit&& emit) {
  auto is_word = [](unsigned char c) { return detail::kClassifierWordByte[c]; };
  auto is_punctuation = [](unsigned char c) { return c > 0x20 && c < 0x7f; };
  size_t count = 0;
  size_t i = 0;
  while (i < text.size() && count < kMaxClassifierTokens) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (is_word(c)) {
      size_t j = i + 1;
      while (j < text.size() && is_word(static_cast<unsigned char>(text[j]))) ++j;
      emit(text.substr(i, j - i));
      ++count;
      i = j;
    } else if (is_punctuation(c)) {
      size_t j = i + 1;
      while (j < text.size() && text[j] == text[i]) ++j;
      emit(text.substr(i, std::min(j - i, kMaxPunctuationRun)));
      ++count;
      i = j;
    } else {
      ++i;
    }
  }
}

}  // namespace stoa::screen
