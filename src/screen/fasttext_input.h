// Internal to the classifier (classifier.cc): a fastText supervised model's prediction, computed
// from a compact precomputed copy of the model instead of through fastText.
//
// fastText predicts softmax(B * mean(A[r] for r in rows(line))) (or a sigmoid per label for
// one-vs-all), where A is the input matrix (one row per word and hash bucket, `dim` wide), B the
// output matrix (one row per label) and rows(line) the words' subword rows, the character
// n-grams of unknown words and the word n-gram buckets (Dictionary::getLine). Because B is linear,
// B * mean(A[r]) = mean(B * A[r]): so at load time every row of A is replaced by its projection
// P[r] = B * A[r] (one float per label instead of `dim` floats: 8 instead of 16 or 32 after
// padding), and every known word by the sum of the projections of its subwords (one row per word
// instead of about 25 with character n-grams of 3-5). A prediction then reads one table slot and
// one entry per known word, one row per word n-gram and per character n-gram of an unknown word,
// from a table a third to a quarter the size of A, and never allocates. When the model has more
// labels than dimensions, rows are kept unprojected (width `dim`) and B is applied at the end.
//
// The result is fastText's own up to the order of float additions (tested against predictLine).
// The vocabulary is a small open-addressing table (fastText's is 30 million slots, 120 MB);
// character n-grams of unknown words are hashed byte by byte without building strings.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace fasttext {
class Dictionary;
class DenseMatrix;
}  // namespace fasttext

namespace stoa::screen::detail {

class FastTextScorer {
 public:
  enum class Output { kSoftmax, kOneVsAll };

  // Copies what it needs from a loaded, non-quantised supervised model: its dictionary, input
  // matrix `a` and output matrix `b`. InvalidArgument when they do not fit together or the
  // dictionary does not behave as this code expects (a fastText version with another hash).
  static Result<FastTextScorer> Build(const fasttext::Dictionary& dict, const fasttext::DenseMatrix& a,
                                      const fasttext::DenseMatrix& b, int minn, int maxn, int bucket,
                                      int word_ngrams, Output output);

  // The probability of each fastText label (`out`, indexed like the model's labels) for the
  // tokens `for_each_token` emits, followed by the end-of-line token, as
  // FastText::predict(-1, getLine(tokens), 0.0) gives them (all 0 when the line has no input row,
  // where fastText predicts nothing). Thread-safe: const, no shared mutable state, no allocation
  // for models of up to kStackWidth labels or dimensions.
  template <typename ForEachToken>
  void Predict(ForEachToken&& for_each_token, std::span<float> out) const {
    Accumulator acc(*this);
    for_each_token([&](std::string_view token) { QueueToken(token, acc); });
    QueueToken(kEndOfLine, acc);
    Finish(acc, out);
  }

  size_t labels() const { return labels_; }
  // Bytes of the precomputed tables (what a prediction reads from).
  size_t table_bytes() const;

  // fastText's string hash (FNV-1a over signed bytes).
  static uint32_t Hash(std::string_view s);
  // The hash of the vocabulary table (cheaper than fastText's: eight bytes per multiplication);
  // fastText's hash of a known word is stored in its entry, so only unknown words need it.
  static uint32_t LookupHash(std::string_view s) {
    const char* p = s.data();
    const size_t n = s.size();
    const auto load8 = [](const char* q) {
      uint64_t w;
      __builtin_memcpy(&w, q, 8);
      return w;
    };
    const auto load4 = [](const char* q) {
      uint32_t w;
      __builtin_memcpy(&w, q, 4);
      return uint64_t{w};
    };
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
    uint64_t w;
    // Only bytes of the token are read: the last (or only) piece overlaps the one before.
    if (n >= 8) {
      size_t i = 0;
      for (; i + 8 < n; i += 8) {
        h = (h ^ load8(p + i)) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 29;
      }
      w = load8(p + n - 8);
    } else if (n >= 4) {
      w = load4(p) | (load4(p + n - 4) << 32);
    } else if (n > 0) {
      w = static_cast<unsigned char>(p[0]) | (uint64_t{static_cast<unsigned char>(p[n / 2])} << 8) |
          (uint64_t{static_cast<unsigned char>(p[n - 1])} << 16);
    } else {
      w = 0;
    }
    h = (h ^ w) * 0x94D049BB133111EBull;
    return static_cast<uint32_t>(h ^ (h >> 32));
  }
  // a % d as FastTextScorer computes it from m = FastModulus(d) (d > 0); exposed for tests.
  static unsigned __int128 FastModulus(uint64_t d);
  static uint64_t FastRemainder(uint64_t a, unsigned __int128 m, uint64_t d);
  // a % d for 32-bit a and d (0 < d) from m = UINT64_MAX / d + 1.
  static uint32_t FastRemainder32(uint32_t a, uint64_t m, uint32_t d) {
    return static_cast<uint32_t>((static_cast<unsigned __int128>(m * a) * d) >> 64);
  }

 private:
  static constexpr std::string_view kEndOfLine = "</s>";  // fasttext::Dictionary::EOS
  static constexpr size_t kStackWidth = 64;
  static constexpr int kMaxWordNgrams = 8;

  // Running sums of one prediction: the rows not yet added (prefetched when queued, added in
  // batches, so their loads overlap instead of waiting one by one), the summed rows and how many,
  // and the hashes of the word n-grams ending at the last token that may still grow.
  static constexpr size_t kBatch = 64;
  // A token waiting for its vocabulary lookup: tokens are looked up in batches, so that the
  // table slots and entries of a batch are fetched from memory together.
  struct QueuedToken {
    std::string_view token;
    uint32_t hash;  // LookupHash
    uint32_t slot;
  };
  struct Accumulator {
    explicit Accumulator(const FastTextScorer& s);
    float* sum;
    alignas(64) float stack[kStackWidth];
    std::vector<float> heap;
    const float* pending[kBatch];
    size_t npending = 0;
    QueuedToken tokens[kBatch];
    size_t ntokens = 0;
    uint64_t rows = 0;
    uint64_t open[kMaxWordNgrams] = {};  // open[k]: hash of the n-gram of the last k+1 tokens
    int open_count = 0;
  };

  // A vocabulary slot: the word's LookupHash and where its entry starts in entries_ (in floats).
  struct Slot {
    uint32_t hash = 0;
    uint32_t entry = UINT32_MAX;  // UINT32_MAX: empty
  };
  // An entry: a header {subword count, word length, fastText's hash of the word} as three uint32
  // and the word's bytes, padded to a multiple of 8 floats, then width_ floats (the summed
  // projections of the word's subwords). Entries start on a cache line, so for words of up to 20
  // bytes and 8-float rows an entry is one line.
  static constexpr size_t kHeaderFloats = 3;

  FastTextScorer() = default;
  const float* Find(std::string_view word, uint32_t hash, uint32_t slot, uint32_t* count,
                    uint32_t* fasttext_hash) const;
  void QueueToken(std::string_view token, Accumulator& acc) const;
  void LookUpTokens(Accumulator& acc) const;
  void AddToken(const QueuedToken& token, Accumulator& acc) const;
  void AddRow(const float* row, Accumulator& acc) const;
  void Flush(Accumulator& acc) const;
  const float* BucketRow(uint64_t h) const;
  const float* BucketRow32(uint32_t h) const;
  void AddCharNgrams(std::string_view token, Accumulator& acc) const;
  void Finish(Accumulator& acc, std::span<float> out) const;

  std::vector<Slot> slots_;  // size a power of two, at most half full
  uint32_t mask_ = 0;
  std::vector<float> entries_;   // entry e at entries_[entries_base_ + e]
  size_t entries_base_ = 0;      // first float on a 64-byte boundary
  std::vector<float> buckets_;   // n-gram bucket b at buckets_[buckets_base_ + b * width_]
  size_t buckets_base_ = 0;
  std::vector<float> output_;    // B (labels x dim), used when rows are not projected
  size_t width_ = 0;             // floats per row: labels or dim, padded to a multiple of 8
  size_t labels_ = 0;
  size_t dim_ = 0;
  bool projected_ = true;
  Output output_kind_ = Output::kSoftmax;
  int minn_ = 0;
  int maxn_ = 0;
  uint32_t bucket_ = 0;
  // h % bucket_ without a division (Lemire, Kaser and Kurz, "Faster remainder by direct
  // computation", 2019): bucket_mod_ = ceil(2^128 / bucket_).
  unsigned __int128 bucket_mod_ = 0;
  uint64_t bucket_mod32_ = 0;  // the same for 32-bit hashes (character n-grams): ceil(2^64 / bucket_)
  int word_ngrams_ = 1;
};

inline void FastTextScorer::QueueToken(std::string_view token, Accumulator& acc) const {
  const uint32_t h = LookupHash(token);
  __builtin_prefetch(&slots_[h & mask_]);
  acc.tokens[acc.ntokens++] = {token, h, h & mask_};
  if (acc.ntokens == kBatch) LookUpTokens(acc);
}

}  // namespace stoa::screen::detail
