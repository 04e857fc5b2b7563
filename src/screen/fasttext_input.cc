#include "screen/fasttext_input.h"

#include <fasttext/densematrix.h>
#include <fasttext/dictionary.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

namespace stoa::screen::detail {
namespace {

constexpr uint32_t kFnvOffset = 2166136261u;
constexpr uint32_t kFnvPrime = 16777619u;
// fastText's multiplier when it combines word hashes into word n-gram hashes.
constexpr uint64_t kWordNgramMultiplier = 116049371;
// Rows are padded to a multiple of this many floats (32 bytes: one or two SIMD additions).
constexpr size_t kRowAlign = 8;
// Vocabulary entries start at multiples of this many floats (64 bytes, a cache line), so that a
// short word's header, bytes and row are read in one line.
constexpr size_t kEntryAlign = 16;
// fastText's sigmoid for one-vs-all (Loss::sigmoid): a 512-step table over [-8, 8].
constexpr int kSigmoidTableSize = 512;
constexpr int kMaxSigmoid = 8;

inline uint32_t FnvStep(uint32_t h, char c) {
  return (h ^ static_cast<uint32_t>(static_cast<int8_t>(c))) * kFnvPrime;
}

inline bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// fastText widens its int32 word hashes with sign extension when it combines them.
inline uint64_t Widen(uint32_t h) {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(h)));
}

size_t RoundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }

// Offset (in floats) at which `v`'s data is aligned to 64 bytes (v over-allocated by 16 floats).
size_t AlignedOffset(const std::vector<float>& v) {
  const auto address = reinterpret_cast<uintptr_t>(v.data());
  return ((64 - address % 64) % 64) / sizeof(float);
}

const std::vector<float>& SigmoidTable() {
  static const std::vector<float> table = [] {
    std::vector<float> t;
    for (int i = 0; i <= kSigmoidTableSize; ++i) {
      const float x = static_cast<float>(i * 2 * kMaxSigmoid) / kSigmoidTableSize - kMaxSigmoid;
      t.push_back(static_cast<float>(1.0 / (1.0 + std::exp(-x))));
    }
    return t;
  }();
  return table;
}

float FastTextSigmoid(float x) {
  if (x < -kMaxSigmoid) return 0.0f;
  if (x > kMaxSigmoid) return 1.0f;
  const auto i = static_cast<int64_t>((x + kMaxSigmoid) * kSigmoidTableSize / kMaxSigmoid / 2);
  return SigmoidTable()[static_cast<size_t>(i)];
}

}  // namespace

uint32_t FastTextScorer::Hash(std::string_view s) {
  uint32_t h = kFnvOffset;
  for (char c : s) h = FnvStep(h, c);
  return h;
}

unsigned __int128 FastTextScorer::FastModulus(uint64_t d) {
  return ~static_cast<unsigned __int128>(0) / d + 1;
}

uint64_t FastTextScorer::FastRemainder(uint64_t a, unsigned __int128 m, uint64_t d) {
  const unsigned __int128 low = m * a;
  const unsigned __int128 bottom = ((low & UINT64_MAX) * d) >> 64;
  const unsigned __int128 top = (low >> 64) * d;
  return static_cast<uint64_t>((bottom + top) >> 64);
}

FastTextScorer::Accumulator::Accumulator(const FastTextScorer& s) {
  if (s.width_ <= kStackWidth) {
    sum = stack;
  } else {
    heap.resize(s.width_);
    sum = heap.data();
  }
  std::fill(sum, sum + s.width_, 0.0f);
}

Result<FastTextScorer> FastTextScorer::Build(const fasttext::Dictionary& dict,
                                             const fasttext::DenseMatrix& a,
                                             const fasttext::DenseMatrix& b, int minn, int maxn,
                                             int bucket, int word_ngrams, Output output) {
  FastTextScorer s;
  const int32_t nwords = dict.nwords();
  s.labels_ = static_cast<size_t>(dict.nlabels());
  s.dim_ = static_cast<size_t>(a.cols());
  s.minn_ = minn;
  s.maxn_ = maxn;
  s.bucket_ = static_cast<uint32_t>(bucket > 0 ? bucket : 0);
  s.word_ngrams_ = word_ngrams;
  if (s.bucket_ > 0) {
    s.bucket_mod_ = FastModulus(s.bucket_);
    s.bucket_mod32_ = UINT64_MAX / s.bucket_ + 1;
  }
  s.output_kind_ = output;
  const bool hashed = maxn > 0 || word_ngrams > 1;
  if (word_ngrams < 1 || word_ngrams > kMaxWordNgrams) {
    return InvalidArgument("the fastText model's word n-gram length is out of range");
  }
  if (b.cols() != a.cols() || static_cast<size_t>(b.rows()) != s.labels_ || s.labels_ == 0) {
    return InvalidArgument("the fastText model's matrices do not fit its labels");
  }
  if (hashed && s.bucket_ == 0) {
    return InvalidArgument("the fastText model uses n-grams without hash buckets");
  }
  if (a.rows() != static_cast<int64_t>(nwords) + static_cast<int64_t>(s.bucket_)) {
    return InvalidArgument("the fastText model's input matrix does not fit its vocabulary");
  }
  // Project when there are no more labels than dimensions (the usual case: a handful of labels).
  s.projected_ = s.labels_ <= s.dim_;
  s.width_ = RoundUp(s.projected_ ? s.labels_ : s.dim_, kRowAlign);
  if (!s.projected_) {
    s.output_.assign(b.data(), b.data() + b.rows() * b.cols());
  }
  // The row of input row r as a prediction adds it, in double for the precomputation.
  std::vector<double> row(s.width_);
  const auto compute_row = [&](int64_t r) {
    std::fill(row.begin(), row.end(), 0.0);
    const float* in = a.data() + r * a.cols();
    if (s.projected_) {
      for (size_t l = 0; l < s.labels_; ++l) {
        const float* out = b.data() + static_cast<int64_t>(l) * b.cols();
        double dot = 0;
        for (size_t d = 0; d < s.dim_; ++d) dot += static_cast<double>(in[d]) * out[d];
        row[l] = dot;
      }
    } else {
      for (size_t d = 0; d < s.dim_; ++d) row[d] = in[d];
    }
  };

  // The n-gram buckets.
  const size_t buckets = static_cast<size_t>(a.rows() - nwords);
  s.buckets_.assign(buckets * s.width_ + kEntryAlign, 0.0f);
  const size_t base = AlignedOffset(s.buckets_);
  for (size_t k = 0; k < buckets; ++k) {
    compute_row(static_cast<int64_t>(nwords) + static_cast<int64_t>(k));
    float* to = s.buckets_.data() + base + k * s.width_;
    for (size_t i = 0; i < s.width_; ++i) to[i] = static_cast<float>(row[i]);
  }

  // The vocabulary: per word the sum of its subwords' rows.
  size_t capacity = 16;
  while (capacity < 2 * static_cast<size_t>(nwords)) capacity *= 2;
  s.slots_.resize(capacity);
  s.mask_ = static_cast<uint32_t>(capacity - 1);
  // Entries are laid out as if entries_ started on a cache line; moved into place at the end.
  std::vector<float> entries;
  size_t next = 0;
  std::vector<double> sum(s.width_);
  for (int32_t id = 0; id < nwords; ++id) {
    const std::string word = dict.getWord(id);
    const uint32_t fasttext_hash = Hash(word);
    if (fasttext_hash != dict.hash(word)) {
      return InvalidArgument("this fastText library hashes words differently than stoa expects");
    }
    const uint32_t h = LookupHash(word);
    const std::vector<int32_t>& subwords = dict.getSubwords(id);
    std::fill(sum.begin(), sum.end(), 0.0);
    for (int32_t r : subwords) {
      if (r < 0 || r >= a.rows()) return InvalidArgument("a fastText subword row is out of range");
      compute_row(r);
      for (size_t i = 0; i < s.width_; ++i) sum[i] += row[i];
    }
    const size_t header =
        RoundUp(kHeaderFloats + RoundUp(word.size(), sizeof(float)) / sizeof(float), kRowAlign);
    const size_t size = RoundUp(header + s.width_, kEntryAlign);
    if (next + size >= UINT32_MAX) return InvalidArgument("the fastText vocabulary is too large");
    entries.resize(next + size, 0.0f);
    float* entry = entries.data() + next;
    const uint32_t count = static_cast<uint32_t>(subwords.size());
    const uint32_t length = static_cast<uint32_t>(word.size());
    std::memcpy(entry, &count, sizeof count);
    std::memcpy(entry + 1, &length, sizeof length);
    std::memcpy(entry + 2, &fasttext_hash, sizeof fasttext_hash);
    std::memcpy(entry + kHeaderFloats, word.data(), word.size());
    for (size_t i = 0; i < s.width_; ++i) entry[header + i] = static_cast<float>(sum[i]);
    uint32_t slot = h & s.mask_;
    while (s.slots_[slot].entry != UINT32_MAX) slot = (slot + 1) & s.mask_;
    s.slots_[slot] = {h, static_cast<uint32_t>(next)};
    next += size;
  }
  s.entries_.assign(next + kEntryAlign, 0.0f);
  s.entries_base_ = AlignedOffset(s.entries_);
  std::copy(entries.begin(), entries.end(), s.entries_.begin() + static_cast<ptrdiff_t>(s.entries_base_));
  s.buckets_base_ = base;
  return s;
}

size_t FastTextScorer::table_bytes() const {
  return (slots_.size() * sizeof(Slot)) + (entries_.size() + buckets_.size() + output_.size()) * sizeof(float);
}

// The row of `word` and its subword count, nullptr when it is not in the vocabulary. Probing starts
// at `slot`, the first slot that is empty or holds `hash` (LookUpTokens).
const float* FastTextScorer::Find(std::string_view word, uint32_t hash, uint32_t slot,
                                  uint32_t* count, uint32_t* fasttext_hash) const {
  for (;; slot = (slot + 1) & mask_) {
    const Slot& s = slots_[slot];
    if (s.entry == UINT32_MAX) return nullptr;
    if (s.hash != hash) continue;
    const float* entry = entries_.data() + entries_base_ + s.entry;
    uint32_t length;
    std::memcpy(&length, entry + 1, sizeof length);
    if (length != word.size() || std::memcmp(entry + kHeaderFloats, word.data(), length) != 0) {
      continue;
    }
    std::memcpy(count, entry, sizeof *count);
    std::memcpy(fasttext_hash, entry + 2, sizeof *fasttext_hash);
    return entry + RoundUp(kHeaderFloats + RoundUp(length, sizeof(float)) / sizeof(float), kRowAlign);
  }
}

// Three passes over the queued tokens so that their memory reads overlap: the slots (prefetched
// when queued) are probed to the first empty slot or matching hash, whose entry is prefetched;
// then each token is resolved and its rows queued (AddRow prefetches them).
void FastTextScorer::LookUpTokens(Accumulator& acc) const {
  const size_t n = acc.ntokens;
  acc.ntokens = 0;
  for (size_t k = 0; k < n; ++k) {
    QueuedToken& t = acc.tokens[k];
    while (slots_[t.slot].entry != UINT32_MAX && slots_[t.slot].hash != t.hash) {
      t.slot = (t.slot + 1) & mask_;
    }
    if (slots_[t.slot].entry != UINT32_MAX) {
      __builtin_prefetch(entries_.data() + entries_base_ + slots_[t.slot].entry);
    }
  }
  for (size_t k = 0; k < n; ++k) AddToken(acc.tokens[k], acc);
}

inline const float* FastTextScorer::BucketRow(uint64_t h) const {
  return buckets_.data() + buckets_base_ + FastRemainder(h, bucket_mod_, bucket_) * width_;
}

// h % bucket_ for a 32-bit h: Lemire's fastmod_u32 (exact for 32-bit numerators and divisors).
inline const float* FastTextScorer::BucketRow32(uint32_t h) const {
  return buckets_.data() + buckets_base_ + size_t{FastRemainder32(h, bucket_mod32_, bucket_)} * width_;
}

inline void FastTextScorer::AddRow(const float* row, Accumulator& acc) const {
  __builtin_prefetch(row);
  acc.pending[acc.npending++] = row;
  if (acc.npending == kBatch) Flush(acc);
}

void FastTextScorer::Flush(Accumulator& acc) const {
  using V4 = float __attribute__((vector_size(16)));
  const size_t n = acc.npending;
  acc.npending = 0;
  if (width_ == kRowAlign) {
    // Rows of 8 floats, 32-byte aligned: two 4-wide additions each, summed in registers.
    V4 a, b;
    std::memcpy(&a, acc.sum, sizeof a);
    std::memcpy(&b, acc.sum + 4, sizeof b);
    for (size_t k = 0; k < n; ++k) {
      const float* row = static_cast<const float*>(__builtin_assume_aligned(acc.pending[k], 32));
      V4 x, y;
      std::memcpy(&x, row, sizeof x);
      std::memcpy(&y, row + 4, sizeof y);
      a += x;
      b += y;
    }
    std::memcpy(acc.sum, &a, sizeof a);
    std::memcpy(acc.sum + 4, &b, sizeof b);
    return;
  }
  for (size_t k = 0; k < n; ++k) {
    const float* row = acc.pending[k];
    for (size_t i = 0; i < width_; ++i) acc.sum[i] += row[i];
  }
}

void FastTextScorer::AddToken(const QueuedToken& queued, Accumulator& acc) const {
  const std::string_view token = queued.token;
  uint32_t count = 0;
  uint32_t h = 0;  // fastText's hash of the token, for the word n-grams
  const float* row = Find(token, queued.hash, queued.slot, &count, &h);
  if (row == nullptr) h = Hash(token);
  if (row != nullptr) {
    // A known word: its subwords' rows, summed in advance (one row per subword in fastText).
    AddRow(row, acc);
    acc.rows += count;
  } else if (maxn_ > 0 && token != kEndOfLine) {
    // Out of vocabulary: only its character n-grams (none when maxn is 0; never for </s>).
    AddCharNgrams(token, acc);
  }
  // Dictionary::addWordNgrams over the line's word hashes, as the tokens arrive: every n-gram of
  // 2..word_ngrams tokens ending at this one.
  if (word_ngrams_ > 1) {
    const uint64_t wide = Widen(h);
    const int keep = word_ngrams_ - 1;  // n-grams that may still grow: up to word_ngrams - 1 long
    for (int k = acc.open_count - 1; k >= 0; --k) {
      const uint64_t g = acc.open[k] * kWordNgramMultiplier + wide;
      AddRow(BucketRow(g), acc);
      ++acc.rows;
      if (k + 1 < keep) acc.open[k + 1] = g;
    }
    acc.open[0] = wide;
    acc.open_count = std::min(acc.open_count + 1, keep);
  }
}

// Dictionary::computeSubwords over "<" + token + ">": every run of minn..maxn UTF-8 characters,
// except a lone "<" or ">", hashed into the buckets after the words.
void FastTextScorer::AddCharNgrams(std::string_view token, Accumulator& acc) const {
  const size_t n = token.size() + 2;
  char stack[256];
  std::string heap;
  char* word = stack;
  if (n > sizeof stack) {
    heap.resize(n);
    word = heap.data();
  }
  word[0] = '<';
  std::memcpy(word + 1, token.data(), token.size());
  word[n - 1] = '>';
  bool ascii = true;
  for (char c : token) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii && minn_ >= 2) {
    // One byte per character (the usual case): runs of minn..maxn bytes; with minn >= 2 the
    // exclusion of a lone "<" or ">" never applies.
    const auto minn = static_cast<size_t>(minn_);
    const auto maxn = static_cast<size_t>(maxn_);
    uint64_t added = 0;
    for (size_t i = 0; i + minn <= n; ++i) {
      uint32_t h = kFnvOffset;
      size_t j = i;
      for (; j < i + minn - 1; ++j) h = FnvStep(h, word[j]);
      const size_t last = std::min(n, i + maxn);
      for (; j < last; ++j) {
        h = FnvStep(h, word[j]);
        AddRow(BucketRow32(h), acc);
        ++added;
      }
    }
    acc.rows += added;
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    if (IsContinuationByte(word[i])) continue;
    uint32_t h = kFnvOffset;
    size_t j = i;
    for (int length = 1; j < n && length <= maxn_; ++length) {
      h = FnvStep(h, word[j++]);
      while (j < n && IsContinuationByte(word[j])) h = FnvStep(h, word[j++]);
      if (length >= minn_ && !(length == 1 && (i == 0 || j == n))) {
        AddRow(BucketRow32(h), acc);
        ++acc.rows;
      }
    }
  }
}

void FastTextScorer::Finish(Accumulator& acc, std::span<float> out) const {
  LookUpTokens(acc);
  Flush(acc);
  std::fill(out.begin(), out.end(), 0.0f);
  if (acc.rows == 0) return;  // fastText predicts nothing for an empty line
  // Model::computeHidden: the mean of the rows, as fastText scales it.
  const float scale = static_cast<float>(1.0 / static_cast<double>(acc.rows));
  for (size_t l = 0; l < labels_; ++l) {
    if (projected_) {
      out[l] = acc.sum[l] * scale;
    } else {
      const float* w = output_.data() + l * dim_;
      float dot = 0;
      for (size_t d = 0; d < dim_; ++d) dot += w[d] * (acc.sum[d] * scale);
      out[l] = dot;
    }
  }
  if (output_kind_ == Output::kOneVsAll) {
    for (float& p : out) p = FastTextSigmoid(p);
    return;
  }
  // SoftmaxLoss::computeOutput.
  const float max = *std::max_element(out.begin(), out.end());
  float z = 0;
  for (float& p : out) {
    p = std::exp(p - max);
    z += p;
  }
  for (float& p : out) p /= z;
}

}  // namespace stoa::screen::detail
