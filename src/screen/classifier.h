// The classifier stage of the screening chain: a model trained by `stoa train`
// (classifier_trainer.h), fastText or linear (linear_model.h), that scores normalised text per
// screening category.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "screen/category_scores.h"
#include "screen/classifier_features.h"
#include "screen/classifier_file.h"

namespace stoa::screen {
class LinearModel;  // linear_model.h
namespace detail {
class FastTextScorer;  // fasttext_input.h
}  // namespace detail

class ClassifierFeatures;  // classifier_features.h

class Classifier {
 public:
  // Loads a model file (classifier_file.h). NotFound when it cannot be opened; InvalidArgument,
  // saying why, when it is not a stoa classifier, is damaged (size or checksum), was trained for
  // another text version, or holds a fastText model that fastText refuses or whose labels differ
  // from the metadata. Shared because a holder swaps models while predictions on the old one are
  // still running (classifier_holder.h).
  static Result<std::shared_ptr<const Classifier>> Load(const std::string& path);
  // The same from a file already in memory (what TrainClassifier returns).
  static Result<std::shared_ptr<const Classifier>> FromFile(const ClassifierFile& file);

  ~Classifier();
  Classifier(const Classifier&) = delete;
  Classifier& operator=(const Classifier&) = delete;

  // The score per category of `normalized_text` (the normalisation stage's output, plus the
  // model's lexicon features when it has any: classifier_features.h): for a softmax
  // model the summed probability of the labels that raise the category, for a one-vs-all model
  // the highest of them, for a linear model its output for the category; 0 for categories no
  // label raises. Never fails; text without a single
  // token gets the model's prior. Thread-safe: any number of threads may call it at once.
  // `known`: one lexicon features file's hits, already found by the screening chain's own pass
  // over the same rules (ClassifierFeatures::FileLike).
  CategoryScores Predict(std::string_view normalized_text,
                         const ClassifierFeatures::KnownHits* known = nullptr) const;
  // The same, and each label's probability from the same prediction into `label_probabilities`
  // (as PredictLabels; sized like metadata().labels, or empty for none).
  CategoryScores Predict(std::string_view normalized_text, std::span<float> label_probabilities,
                         const ClassifierFeatures::KnownHits* known = nullptr) const;

  // The probability of each label, indexed like metadata().labels; `out` must have that size.
  // (A linear model's label probabilities are one-vs-rest and need not sum to 1.) Thread-safe.
  void PredictLabels(std::string_view normalized_text, std::span<float> out,
                     const ClassifierFeatures::KnownHits* known = nullptr) const;
  std::vector<float> PredictLabels(std::string_view normalized_text) const;

  const ClassifierMetadata& metadata() const { return metadata_; }
  // The lexicon features the model reads (classifier_features.h); null when it has none.
  const ClassifierFeatures* features() const { return features_.get(); }
  // Identifies the model in screening records (ClassifierFile::version).
  const std::string& version() const { return version_; }

 private:
  Classifier() = default;

  // The model, one of the two: a fastText model precomputed for prediction (fastText's own copy
  // is not kept after loading), or a linear model with its outputs laid out as linear_heads_ says.
  std::unique_ptr<const detail::FastTextScorer> scorer_;
  std::unique_ptr<const LinearModel> linear_;
  // Lexicon features (ClassifierMetadata::features); null: none.
  std::shared_ptr<const ClassifierFeatures> features_;
  LinearHeads linear_heads_;
  ClassifierMetadata metadata_;
  std::string version_;
  // fastText's label i is metadata_.labels[label_of_[i]].
  std::vector<size_t> label_of_;
};

}  // namespace stoa::screen
