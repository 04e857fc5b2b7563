#include "screen/fasttext_input.h"

#include <fasttext/dictionary.h>

namespace stoa::screen::detail {
namespace {

constexpr uint32_t kFnvOffset = 2166136261u;
constexpr uint32_t kFnvPrime = 16777619u;
// fastText's multiplier when it combines word hashes into word n-gram hashes.
constexpr uint64_t kWordNgramMultiplier = 116049371;

inline uint32_t FnvStep(uint32_t h, char c) {
  return (h ^ static_cast<uint32_t>(static_cast<int8_t>(c))) * kFnvPrime;
}

inline bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

uint32_t FastTextInput::Hash(std::string_view s) {
  uint32_t h = kFnvOffset;
  for (char c : s) h = FnvStep(h, c);
  return h;
}

Result<FastTextInput> FastTextInput::Build(const fasttext::Dictionary& dict, int minn, int maxn,
                                           int bucket, int word_ngrams) {
  FastTextInput in;
  in.nwords_ = dict.nwords();
  in.minn_ = minn;
  in.maxn_ = maxn;
  in.bucket_ = static_cast<uint32_t>(bucket > 0 ? bucket : 0);
  in.word_ngrams_ = word_ngrams;
  size_t capacity = 16;
  while (capacity < 2 * static_cast<size_t>(in.nwords_)) capacity *= 2;
  in.slots_.resize(capacity);
  in.mask_ = static_cast<uint32_t>(capacity - 1);
  in.word_offsets_.reserve(static_cast<size_t>(in.nwords_) + 1);
  in.subword_offsets_.reserve(static_cast<size_t>(in.nwords_) + 1);
  in.word_offsets_.push_back(0);
  in.subword_offsets_.push_back(0);
  for (int32_t id = 0; id < in.nwords_; ++id) {
    const std::string word = dict.getWord(id);
    const uint32_t h = Hash(word);
    if (h != dict.hash(word)) {
      return InvalidArgument("this fastText library hashes words differently than stoa expects");
    }
    uint32_t slot = h & in.mask_;
    while (in.slots_[slot].id != -1) slot = (slot + 1) & in.mask_;
    in.slots_[slot] = {h, id};
    in.words_ += word;
    in.word_offsets_.push_back(static_cast<uint32_t>(in.words_.size()));
    const std::vector<int32_t>& subwords = dict.getSubwords(id);
    in.subwords_.insert(in.subwords_.end(), subwords.begin(), subwords.end());
    in.subword_offsets_.push_back(static_cast<uint32_t>(in.subwords_.size()));
  }
  return in;
}

int32_t FastTextInput::Find(std::string_view word, uint32_t hash) const {
  for (uint32_t slot = hash & mask_;; slot = (slot + 1) & mask_) {
    const Slot& s = slots_[slot];
    if (s.id < 0) return -1;
    if (s.hash != hash) continue;
    const size_t id = static_cast<size_t>(s.id);
    const std::string_view candidate(words_.data() + word_offsets_[id],
                                     word_offsets_[id + 1] - word_offsets_[id]);
    if (candidate == word) return s.id;
  }
}

void FastTextInput::AddToken(std::string_view token, std::vector<int32_t>& input,
                             std::vector<int32_t>& hashes) const {
  const uint32_t h = Hash(token);
  const int32_t id = Find(token, h);
  if (id < 0) {
    // Out of vocabulary: only its character n-grams (none when maxn is 0; never for </s>).
    if (maxn_ > 0 && token != kEndOfLine) AddCharNgrams(token, input);
  } else if (maxn_ <= 0) {
    input.push_back(id);
  } else {
    const size_t i = static_cast<size_t>(id);
    input.insert(input.end(), subwords_.begin() + subword_offsets_[i],
                 subwords_.begin() + subword_offsets_[i + 1]);
  }
  hashes.push_back(static_cast<int32_t>(h));  // fastText keeps the uint32 hashes as int32
}

// Dictionary::computeSubwords over "<" + token + ">": every run of minn..maxn UTF-8 characters,
// except a lone "<" or ">", hashed into the buckets after the words.
void FastTextInput::AddCharNgrams(std::string_view token, std::vector<int32_t>& input) const {
  const size_t n = token.size() + 2;
  const auto at = [&](size_t k) { return k == 0 ? '<' : (k == n - 1 ? '>' : token[k - 1]); };
  for (size_t i = 0; i < n; ++i) {
    if (IsContinuationByte(at(i))) continue;
    uint32_t h = kFnvOffset;
    size_t j = i;
    for (int length = 1; j < n && length <= maxn_; ++length) {
      h = FnvStep(h, at(j++));
      while (j < n && IsContinuationByte(at(j))) h = FnvStep(h, at(j++));
      if (length >= minn_ && !(length == 1 && (i == 0 || j == n))) {
        input.push_back(nwords_ + static_cast<int32_t>(h % bucket_));
      }
    }
  }
}

// Dictionary::addWordNgrams: the hashes of the word n-grams of 2..word_ngrams words.
void FastTextInput::AddWordNgrams(std::vector<int32_t>& input,
                                  const std::vector<int32_t>& hashes) const {
  for (size_t i = 0; i < hashes.size(); ++i) {
    // Sign-extended, as fastText widens its int32 hashes.
    uint64_t h = static_cast<uint64_t>(static_cast<int64_t>(hashes[i]));
    for (size_t j = i + 1; j < hashes.size() && j < i + static_cast<size_t>(word_ngrams_); ++j) {
      h = h * kWordNgramMultiplier + static_cast<uint64_t>(static_cast<int64_t>(hashes[j]));
      input.push_back(nwords_ + static_cast<int32_t>(h % bucket_));
    }
  }
}

}  // namespace stoa::screen::detail
