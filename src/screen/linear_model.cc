#include "screen/linear_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>

#include "screen/classifier_tokens.h"

namespace stoa::screen {
namespace {

constexpr uint64_t kFnvPrime = 0x100000001b3ULL;
// Different starting values keep a word, a word n-gram and a character n-gram with the same bytes
// apart.
constexpr uint64_t kWordSeed = 0xcbf29ce484222325ULL;
constexpr uint64_t kCharSeed = 0x84222325cbf29ce4ULL;
constexpr uint64_t kNgramMix = 0x9e3779b97f4a7c15ULL;
constexpr uint32_t kMinBuckets = 1024;
constexpr uint32_t kMaxBuckets = 1u << 24;

uint64_t Fnv(uint64_t h, std::string_view bytes) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= kFnvPrime;
  }
  return h;
}

// Mixes the bits so that `% buckets` uses all of them.
uint64_t Finish(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

bool IsContinuationByte(unsigned char c) { return (c & 0xC0) == 0x80; }

template <typename Emit>
void ForEachFeature(std::string_view text, const LinearFeatures& f, Emit&& emit) {
  const auto bucket = [&](uint64_t h) { return static_cast<uint32_t>(Finish(h) % f.buckets); };
  uint64_t history[5] = {};  // hashes of the last words, newest first
  int known = 0;
  char wrapped[kMaxClassifierTokens + 2];
  ForEachClassifierToken(text, [&](std::string_view token) {
    const uint64_t h = Fnv(kWordSeed, token);
    emit(bucket(h));
    // Word n-grams ending with this word.
    uint64_t g = h;
    for (int n = 2; n <= f.word_ngrams && n - 2 < known; ++n) {
      g = g * kNgramMix + history[n - 2];
      emit(bucket(g));
    }
    for (int i = 3; i > 0; --i) history[i] = history[i - 1];
    history[0] = h;
    known = std::min(known + 1, 4);
    // Character n-grams of "<token>" for words (not punctuation).
    if (f.maxn == 0 || !detail::kClassifierWordByte[static_cast<unsigned char>(token[0])]) return;
    if (token.size() + 2 > sizeof(wrapped)) return;
    wrapped[0] = '<';
    std::memcpy(wrapped + 1, token.data(), token.size());
    wrapped[token.size() + 1] = '>';
    const std::string_view w(wrapped, token.size() + 2);
    for (size_t start = 0; start < w.size(); ++start) {
      if (IsContinuationByte(static_cast<unsigned char>(w[start]))) continue;
      size_t end = start;
      for (int n = 1; n <= f.maxn && end < w.size(); ++n) {
        ++end;
        while (end < w.size() && IsContinuationByte(static_cast<unsigned char>(w[end]))) ++end;
        // The whole "<token>" is the word feature already.
        if (n >= f.minn && !(start == 0 && end == w.size())) {
          emit(bucket(Fnv(kCharSeed, w.substr(start, end - start))));
        }
      }
    }
  });
}

// The text's feature vector: sorted distinct buckets with (1 + log count) * idf, length 1.
void Vectorize(std::string_view text, const LinearFeatures& f, const std::vector<float>& idf,
               std::vector<uint32_t>& buckets, std::vector<float>& values) {
  buckets.clear();
  values.clear();
  ForEachFeature(text, f, [&](uint32_t b) { buckets.push_back(b); });
  std::sort(buckets.begin(), buckets.end());
  size_t out = 0;
  double norm = 0;
  for (size_t i = 0; i < buckets.size();) {
    size_t j = i + 1;
    while (j < buckets.size() && buckets[j] == buckets[i]) ++j;
    const float v = (1.0f + std::log(static_cast<float>(j - i))) * (idf.empty() ? 1.0f : idf[buckets[i]]);
    buckets[out++] = buckets[i];
    values.push_back(v);
    norm += static_cast<double>(v) * v;
    i = j;
  }
  buckets.resize(out);
  if (norm > 0) {
    const float scale = static_cast<float>(1.0 / std::sqrt(norm));
    for (float& v : values) v *= scale;
  }
}

float Sigmoid(float x) {
  if (x >= 0) return 1.0f / (1.0f + std::exp(-x));
  const float e = std::exp(x);
  return e / (1.0f + e);
}

Status ValidateFeatures(const LinearFeatures& f) {
  if (f.buckets < kMinBuckets || f.buckets > kMaxBuckets) {
    return InvalidArgument("linear model buckets must be 1024..16777216");
  }
  if (f.word_ngrams < 1 || f.word_ngrams > 5) return InvalidArgument("word n-grams must be 1..5");
  if (f.maxn != 0 && !(f.minn >= 1 && f.minn <= f.maxn && f.maxn <= 10)) {
    return InvalidArgument("character n-grams need 1 <= minn <= maxn <= 10 (or maxn 0 for none)");
  }
  return Status::Ok();
}

void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void PutFloats(std::string& out, const std::vector<float>& values) {
  for (float v : values) {
    uint32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    PutU32(out, bits);
  }
}

uint32_t GetU32(std::string_view bytes, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  return v;
}

}  // namespace

std::vector<uint32_t> LinearFeatureBuckets(std::string_view normalized_text,
                                           const LinearFeatures& features) {
  std::vector<uint32_t> out;
  ForEachFeature(normalized_text, features, [&](uint32_t b) { out.push_back(b); });
  return out;
}

Result<LinearModel> LinearModel::Train(const std::vector<std::string>& texts,
                                       const std::vector<std::vector<bool>>& targets,
                                       const LinearFeatures& features,
                                       const LinearTraining& training) {
  RETURN_IF_ERROR(ValidateFeatures(features));
  if (texts.empty()) return InvalidArgument("the linear model needs training texts");
  if (targets.empty() || targets.size() > kMaxLinearHeads) {
    return InvalidArgument("the linear model needs 1..64 outputs");
  }
  for (const auto& row : targets) {
    if (row.size() != texts.size()) return InvalidArgument("every output needs a target per text");
  }
  if (training.epoch < 1 || training.epoch > 1000) return InvalidArgument("epoch must be 1..1000");
  if (!(training.lr > 0 && training.lr <= 10)) return InvalidArgument("lr must be in (0, 10]");
  if (!(training.l2 >= 0 && training.l2 < 1)) return InvalidArgument("l2 must be in [0, 1)");
  if (!(training.class_weight >= 0 && training.class_weight <= 1)) {
    return InvalidArgument("class weight must be in [0, 1]");
  }

  LinearModel m;
  m.heads_ = targets.size();
  m.features_ = features;
  const size_t heads = m.heads_;
  const size_t n = texts.size();

  // Inverse document frequencies: log((n + 1) / (df + 1)) + 1, as common TF-IDF does.
  std::vector<uint32_t> df(features.buckets, 0);
  std::vector<uint32_t> buckets;
  for (const std::string& t : texts) {
    buckets = LinearFeatureBuckets(t, features);
    std::sort(buckets.begin(), buckets.end());
    buckets.erase(std::unique(buckets.begin(), buckets.end()), buckets.end());
    for (uint32_t b : buckets) ++df[b];
  }
  m.idf_.resize(features.buckets);
  for (size_t b = 0; b < df.size(); ++b) {
    m.idf_[b] = static_cast<float>(std::log((n + 1.0) / (df[b] + 1.0)) + 1.0);
  }

  // Every text's vector, once.
  std::vector<size_t> offsets{0};
  std::vector<uint32_t> all_buckets;
  std::vector<float> all_values, values;
  for (const std::string& t : texts) {
    Vectorize(t, features, m.idf_, buckets, values);
    all_buckets.insert(all_buckets.end(), buckets.begin(), buckets.end());
    all_values.insert(all_values.end(), values.begin(), values.end());
    offsets.push_back(all_buckets.size());
  }

  // Per head: the weight of a positive example.
  std::vector<float> positive_weight(heads, 1.0f);
  for (size_t h = 0; h < heads; ++h) {
    const double positives = static_cast<double>(std::count(targets[h].begin(), targets[h].end(), true));
    const double negatives = static_cast<double>(n) - positives;
    if (positives > 0 && negatives > positives) {
      positive_weight[h] = static_cast<float>(std::pow(negatives / positives, training.class_weight));
    }
  }

  m.bias_.assign(heads, 0.0f);
  m.weights_.assign(static_cast<size_t>(features.buckets) * heads, 0.0f);
  std::vector<float> g2(m.weights_.size(), 0.0f);  // AdaGrad's sums of squared gradients
  std::vector<float> bias_g2(heads, 0.0f);
  constexpr float kEpsilon = 1e-6f;
  const float lr = static_cast<float>(training.lr);
  const float l2 = static_cast<float>(training.l2);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(training.seed);
  std::vector<float> gradient(heads);
  for (int epoch = 0; epoch < training.epoch; ++epoch) {
    std::shuffle(order.begin(), order.end(), rng);
    for (size_t i : order) {
      const size_t begin = offsets[i], end = offsets[i + 1];
      for (size_t h = 0; h < heads; ++h) {
        float z = m.bias_[h];
        for (size_t k = begin; k < end; ++k) z += m.weights_[all_buckets[k] * heads + h] * all_values[k];
        const bool y = targets[h][i];
        gradient[h] = (Sigmoid(z) - (y ? 1.0f : 0.0f)) * (y ? positive_weight[h] : 1.0f);
        bias_g2[h] += gradient[h] * gradient[h];
        m.bias_[h] -= lr * gradient[h] / std::sqrt(bias_g2[h] + kEpsilon);
      }
      for (size_t k = begin; k < end; ++k) {
        const size_t row = static_cast<size_t>(all_buckets[k]) * heads;
        for (size_t h = 0; h < heads; ++h) {
          float& w = m.weights_[row + h];
          const float g = gradient[h] * all_values[k] + l2 * w;
          g2[row + h] += g * g;
          w -= lr * g / std::sqrt(g2[row + h] + kEpsilon);
        }
      }
    }
  }
  return m;
}

void LinearModel::Predict(std::string_view normalized_text, std::span<float> out) const {
  std::vector<uint32_t> buckets;
  std::vector<float> values;
  buckets.reserve(512);
  values.reserve(512);
  Vectorize(normalized_text, features_, idf_, buckets, values);
  for (size_t h = 0; h < heads_; ++h) out[h] = bias_[h];
  for (size_t k = 0; k < buckets.size(); ++k) {
    const float* row = &weights_[static_cast<size_t>(buckets[k]) * heads_];
    for (size_t h = 0; h < heads_; ++h) out[h] += row[h] * values[k];
  }
  for (size_t h = 0; h < heads_; ++h) out[h] = Sigmoid(out[h]);
}

std::string LinearModel::Serialize() const {
  std::string out(kLinearModelMagic);
  out.reserve(out.size() + 20 + 4 * (bias_.size() + idf_.size() + weights_.size()));
  PutU32(out, static_cast<uint32_t>(heads_));
  PutU32(out, features_.buckets);
  PutU32(out, static_cast<uint32_t>(features_.word_ngrams));
  PutU32(out, static_cast<uint32_t>(features_.minn));
  PutU32(out, static_cast<uint32_t>(features_.maxn));
  PutFloats(out, bias_);
  PutFloats(out, idf_);
  PutFloats(out, weights_);
  return out;
}

Result<LinearModel> LinearModel::Parse(std::string_view bytes) {
  if (!bytes.starts_with(kLinearModelMagic)) {
    return InvalidArgument("the model part does not start with \"stoa-linear 1\"");
  }
  size_t at = kLinearModelMagic.size();
  if (bytes.size() < at + 20) return InvalidArgument("the linear model is truncated");
  LinearModel m;
  m.heads_ = GetU32(bytes, at);
  m.features_.buckets = GetU32(bytes, at + 4);
  m.features_.word_ngrams = static_cast<int>(GetU32(bytes, at + 8));
  m.features_.minn = static_cast<int>(GetU32(bytes, at + 12));
  m.features_.maxn = static_cast<int>(GetU32(bytes, at + 16));
  at += 20;
  RETURN_IF_ERROR(ValidateFeatures(m.features_));
  if (m.heads_ == 0 || m.heads_ > kMaxLinearHeads) return InvalidArgument("the linear model needs 1..64 outputs");
  const size_t floats = m.heads_ + m.features_.buckets + static_cast<size_t>(m.features_.buckets) * m.heads_;
  if (bytes.size() - at != floats * 4) {
    return InvalidArgument("the linear model has " + std::to_string(bytes.size() - at) +
                           " bytes of weights, its header says " + std::to_string(floats * 4));
  }
  const auto read = [&](std::vector<float>& v, size_t count) {
    v.resize(count);
    for (size_t i = 0; i < count; ++i, at += 4) {
      const uint32_t bits = GetU32(bytes, at);
      std::memcpy(&v[i], &bits, sizeof bits);
    }
  };
  read(m.bias_, m.heads_);
  read(m.idf_, m.features_.buckets);
  read(m.weights_, static_cast<size_t>(m.features_.buckets) * m.heads_);
  for (const auto* v : {&m.bias_, &m.idf_, &m.weights_}) {
    for (float x : *v) {
      if (!std::isfinite(x)) return InvalidArgument("the linear model holds a weight that is not finite");
    }
  }
  return m;
}

}  // namespace stoa::screen
