// A second kind of classifier model: logistic regressions over hashed sparse features of the
// normalised text, one per output ("head"), trained by AdaGrad with
// class weighting. Features: words, word n-grams up to `word_ngrams`, and the character n-grams
// of minn..maxn characters of every word written as "<word>" (as fastText cuts them), each hashed
// into one of `buckets` weights per head; a feature's value is (1 + log count) times its inverse
// document frequency in the training texts, and a text's vector is scaled to length 1 (TF-IDF).
// A prediction is one sparse dot product per head: no embeddings, nothing dense to read but the
// weights of the features the text has.
//
// Measured on GermEval 2026 it ranks violence-related posts worse than stoa's fastText setting
// (BENCHMARKS.md, "Other model designs"), so `stoa train` does not offer it. TrainClassifier
// (ClassifierParameters::model), the model file and Classifier support it, and
// bench/screen_eval measures it (--model linear, --ensemble).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace stoa::screen {

inline constexpr std::string_view kLinearModelMagic = "stoa-linear 1\n";
// The most outputs a linear model has.
inline constexpr size_t kMaxLinearHeads = 64;

struct LinearFeatures {
  int word_ngrams = 2;     // word n-grams up to this length (1: words only)
  int minn = 2;            // character n-grams of minn..maxn characters; maxn 0 turns them off
  int maxn = 5;
  uint32_t buckets = 1u << 18;  // hashed weights per head

  bool operator==(const LinearFeatures&) const = default;
};

struct LinearTraining {
  int epoch = 15;
  double lr = 0.2;          // AdaGrad's base rate
  double l2 = 1e-6;         // L2 penalty per update on the weights an example touches
  // A head's positive examples weigh (negatives / positives) ^ class_weight: 0 none, 1 balanced.
  double class_weight = 0.5;
  uint64_t seed = 0;        // the order of examples in each epoch
};

class LinearModel {
 public:
  // Trains one head per row of `targets` (targets[h][i]: example i is positive for head h) on the
  // already normalised `texts`. InvalidArgument when a row's size differs from texts.size(), there
  // are no heads or no texts, or a parameter is out of range (buckets 1,024..16,777,216, word
  // n-grams 1..5, 1 <= minn <= maxn <= 10 or maxn 0, epoch 1..1000, lr in (0, 10], l2 in [0, 1),
  // class_weight in [0, 1]). Deterministic for the same inputs. A head without positives or
  // without negatives still trains (its bias goes to one side).
  static Result<LinearModel> Train(const std::vector<std::string>& texts,
                                   const std::vector<std::vector<bool>>& targets,
                                   const LinearFeatures& features, const LinearTraining& training);

  // The model from Serialize()'s bytes. InvalidArgument, saying why, for anything else.
  static Result<LinearModel> Parse(std::string_view bytes);
  // Little-endian: the magic line, heads, buckets, word n-grams, minn, maxn (uint32 each), then
  // per head its bias, per bucket its IDF, and per bucket the weights of all heads (float32).
  std::string Serialize() const;

  // The probability of each head for the normalised text (`out` must have heads() entries).
  // Text without a single feature gets sigmoid(bias). Thread-safe; allocates one small buffer.
  void Predict(std::string_view normalized_text, std::span<float> out) const;

  size_t heads() const { return heads_; }
  const LinearFeatures& features() const { return features_; }

 private:
  LinearModel() = default;

  size_t heads_ = 0;
  LinearFeatures features_;
  std::vector<float> bias_;     // per head
  std::vector<float> idf_;      // per bucket
  std::vector<float> weights_;  // bucket-major: weights_[bucket * heads_ + head]
};

// The buckets of a normalised text's features, one entry per occurrence, in no particular order
// (exposed for tests).
std::vector<uint32_t> LinearFeatureBuckets(std::string_view normalized_text,
                                           const LinearFeatures& features);

}  // namespace stoa::screen
