// Internal to the classifier (classifier.cc): turns tokens into the input rows of a fastText
// model, exactly as fastText's Dictionary::getLine does for a line of those tokens, but from a
// compact copy of the vocabulary. fastText looks words up in a 30-million-slot table (120 MB)
// and keeps each word's subword list in its own heap vector, so every token of a post cost a few
// cache misses; here the vocabulary is a small open-addressing table, the subword lists one array,
// and the character n-grams of unknown words are hashed byte by byte without building strings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace fasttext {
class Dictionary;
}

namespace stoa::screen::detail {

class FastTextInput {
 public:
  // Copies what it needs from `dict` (a loaded, non-quantised supervised model's dictionary).
  // InvalidArgument when the dictionary does not behave as this code expects (a fastText version
  // with another hash function).
  static Result<FastTextInput> Build(const fasttext::Dictionary& dict, int minn, int maxn,
                                     int bucket, int word_ngrams);

  // Appends the input rows of `tokens` followed by the end-of-line token to `input`. `hashes` is
  // scratch space. Thread-safe (const, no shared mutable state).
  template <typename ForEachToken>
  void Compute(ForEachToken&& for_each_token, std::vector<int32_t>& input,
               std::vector<int32_t>& hashes) const {
    hashes.clear();
    for_each_token([&](std::string_view token) { AddToken(token, input, hashes); });
    AddToken(kEndOfLine, input, hashes);
    AddWordNgrams(input, hashes);
  }

  // fastText's string hash (FNV-1a over signed bytes).
  static uint32_t Hash(std::string_view s);

 private:
  static constexpr std::string_view kEndOfLine = "</s>";  // fasttext::Dictionary::EOS

  struct Slot {
    uint32_t hash = 0;
    int32_t id = -1;  // -1: empty
  };

  FastTextInput() = default;
  int32_t Find(std::string_view word, uint32_t hash) const;
  void AddToken(std::string_view token, std::vector<int32_t>& input,
                std::vector<int32_t>& hashes) const;
  void AddCharNgrams(std::string_view token, std::vector<int32_t>& input) const;
  void AddWordNgrams(std::vector<int32_t>& input, const std::vector<int32_t>& hashes) const;

  std::vector<Slot> slots_;  // size a power of two, at most half full
  uint32_t mask_ = 0;
  std::string words_;                    // every word, back to back
  std::vector<uint32_t> word_offsets_;   // word i is words_[word_offsets_[i], word_offsets_[i+1])
  std::vector<int32_t> subwords_;        // word i's rows: [subword_offsets_[i], subword_offsets_[i+1])
  std::vector<uint32_t> subword_offsets_;
  int32_t nwords_ = 0;
  int minn_ = 0;
  int maxn_ = 0;
  uint32_t bucket_ = 0;
  int word_ngrams_ = 1;
};

}  // namespace stoa::screen::detail
