// The classifier's model file: stoa's metadata (which label raises which screening category, which
// labels are harmless, the flag and hold thresholds, how it was trained) in front of the model
// itself, in one file so that one rename replaces both. Layout (docs/screening.md):
//
//   stoa-classifier 1\n
//   {metadata as one line of JSON, with the model part's size and SHA-256}\n
//   <the model part: a fastText .bin model exactly as fastText saves it, or a linear model
//    (linear_model.h), as training.model says>
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "screen/category.h"

namespace stoa::screen {

inline constexpr std::string_view kClassifierFileMagic = "stoa-classifier 1\n";
// Bumped when the tokenisation (classifier_tokens.h) or the normalisation the model was trained on
// changes; a model of another version is refused (it must be retrained).
inline constexpr int kClassifierTextVersion = 1;

enum class ClassifierModel {
  kFastText,  // fastText's supervised classifier (embeddings of words and n-grams)
  kLinear,    // logistic regressions over hashed TF-IDF features (linear_model.h)
};

enum class ClassifierLoss {
  kSoftmax,    // one distribution over all labels; a category's score is the sum of its labels'
  kOneVsAll,   // an independent probability per label; a category's score is the highest of them
};

// The training parameters as stoa uses them (see classifier_trainer.h). The defaults are
// fastText's; LinearParameterDefaults() gives the linear model's. A linear model uses epoch, lr,
// word_ngrams, minn, maxn, bucket (its hashed weights per output), l2, class_weight and seed; the
// others only apply to fastText.
struct ClassifierParameters {
  ClassifierModel model = ClassifierModel::kFastText;
  ClassifierLoss loss = ClassifierLoss::kSoftmax;
  // Defaults: what worked best on GermEval 2026 among the settings tried (BENCHMARKS.md,
  // "Screening quality"); a small dimension and bucket count keep the model a few MB, so that
  // the rows a prediction reads mostly stay in the CPU caches.
  int dim = 16;          // size of the text vector
  int epoch = 25;
  double lr = 0.5;
  int word_ngrams = 2;   // word n-grams up to this length
  int minn = 3;          // character n-grams of minn..maxn characters; maxn 0 turns them off
  int maxn = 5;
  int bucket = 100000;   // hash buckets shared by word and character n-grams
  int min_count = 1;     // words seen fewer times are dropped
  int upsample = 1;      // each harmful training example is used this many times
  int threads = 0;       // training threads; 0: as many as the machine has (not reproducible)
  int seed = 0;
  // Linear model only: the L2 penalty, and the weight of a positive example
  // (negatives / positives) ^ class_weight (0: none, 1: balanced).
  double l2 = 1e-6;
  double class_weight = 0.5;
  // fastText only: unsupervised in-domain pretraining (TrainingOptions::pretraining_texts):
  // skipgram epochs, and how many texts (unlabelled ones plus the examples) it read; 0: none.
  int pretrain_epoch = 5;
  int pretrain_texts = 0;
};

// The linear model's defaults (measured in BENCHMARKS.md, "Other model designs").
ClassifierParameters LinearParameterDefaults();

struct ClassifierLabel {
  std::string name;                  // as it appears in the training data
  std::optional<Category> category;  // nullopt: a harmless (negative) label
  int64_t examples = 0;              // how many training examples had it

  bool operator==(const ClassifierLabel&) const = default;
};

// How a model's thresholds were chosen by cross-validation on its training examples
// (threshold_tuning.h, `stoa train`'s default): the out-of-fold figures at the chosen thresholds,
// for the highest category score against "any harmful label". folds == 0: the thresholds were
// given (by whoever trained the model, or stoa train's defaults), not tuned.
struct ThresholdTuning {
  int folds = 0;
  double flag_recall_target = 0;  // the flag threshold is the highest reaching this recall
  double average_precision = 0;
  // Out-of-fold precision, recall and share of all examples at or above each threshold (the hold
  // threshold has the best out-of-fold F1).
  struct At {
    double precision = 0;
    double recall = 0;
    double share = 0;

    bool operator==(const At&) const = default;
  };
  At flag;
  At hold;

  bool tuned() const { return folds > 0; }
  bool operator==(const ThresholdTuning&) const = default;
};

struct ClassifierMetadata {
  // Label i is "__label__<i>" inside the fastText model.
  std::vector<ClassifierLabel> labels;
  float flag_threshold = 0.5f;  // a category score at or above it flags the post for review
  float hold_threshold = 0.8f;  // at or above it the post is held until a moderator decides
  // Tuned thresholds are on the model's own score scale: the policy uses them in place of the
  // configuration's (policy.h, ModelThresholds); given ones are a floor.
  ThresholdTuning tuning;
  int text_version = kClassifierTextVersion;
  ClassifierParameters parameters;
  int64_t examples = 0;         // training examples (before upsampling)
  // The lexicon features' rules files, whole (classifier_features.h); empty: none.
  std::vector<std::string> features;
};

// The outputs of a linear model (linear_model.h) for a metadata: output i < labels.size() is
// label i versus the rest (for softmax-style label probabilities), then one output per category
// that some label raises (any of its labels versus the rest: the category's score), in the order
// of kAllCategories.
struct LinearHeads {
  static LinearHeads Of(const ClassifierMetadata& metadata);
  size_t count() const { return count_; }
  // The output of a category; count() for a category no label raises.
  size_t CategoryHead(Category c) const { return category_head_[static_cast<size_t>(c)]; }

 private:
  size_t count_ = 0;
  std::array<size_t, kCategoryCount> category_head_{};
};

// Checks what a loaded or trained model relies on: two or more uniquely named labels, at least one
// harmful, 0 < flag_threshold <= hold_threshold <= 1, the current text version. InvalidArgument
// otherwise.
Status ValidateClassifierMetadata(const ClassifierMetadata& metadata);

struct ClassifierFile {
  ClassifierMetadata metadata;
  std::string model_bytes;  // the model part: fastText .bin bytes or a serialised LinearModel
  // 16 hex digits of the SHA-256 of the metadata line, which holds the SHA-256 of the fastText
  // part: names this exact model (weights, labels and thresholds) in screening records.
  std::string version;
};

// A file from its parts (computes the version). InvalidArgument for bad metadata.
Result<ClassifierFile> MakeClassifierFile(ClassifierMetadata metadata, std::string model_bytes);

// Writes the file to a temporary name beside `path` and renames it into place, so readers see the
// old or the new file, never half of one. Internal for I/O failures.
Status WriteClassifierFile(const std::string& path, const ClassifierFile& file);

// Reads and checks a file: the magic line, the metadata, the fastText part's size and SHA-256.
// NotFound when it cannot be opened, InvalidArgument (saying what is wrong) for anything else.
Result<ClassifierFile> ReadClassifierFile(const std::string& path);

std::string_view ClassifierModelName(ClassifierModel model);  // "fasttext" or "linear"
std::optional<ClassifierModel> ParseClassifierModel(std::string_view name);
std::string_view ClassifierLossName(ClassifierLoss loss);
std::optional<ClassifierLoss> ParseClassifierLoss(std::string_view name);

}  // namespace stoa::screen
