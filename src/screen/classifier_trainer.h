// Training the classifier from labelled text (what `stoa train` and the quality evaluation run).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "screen/category.h"
#include "screen/classifier_file.h"

namespace stoa::screen {

// One training example: the original text (normalised by the trainer) and its label.
struct LabelledText {
  std::string text;
  std::string label;
};

// The labels that mean "harmless" when the caller names none: GermEval's `nothing`, and FALSE and
// 0 of binary data sets.
inline const std::vector<std::string> kDefaultNegativeLabels = {"nothing", "FALSE", "0"};

struct TrainingOptions {
  // Labels that mean harmless, compared ignoring ASCII case. At least one is expected in the data
  // but not required.
  std::vector<std::string> negative_labels = kDefaultNegativeLabels;
  // Which category each harmful label raises (exact label names); harmful labels not listed raise
  // `default_category`.
  std::vector<std::pair<std::string, Category>> category_map;
  Category default_category = Category::kViolence;
  float flag_threshold = 0.5f;
  float hold_threshold = 0.8f;
  ClassifierParameters parameters;
};

// Parses "LABEL=CATEGORY,LABEL=CATEGORY" (categories by their names in category.h; spaces around
// items are ignored). InvalidArgument naming the bad item, an unknown category or a repeated label.
Result<std::vector<std::pair<std::string, Category>>> ParseCategoryMap(std::string_view text);

// Checks the ranges of the training parameters (dim 1..1000, epoch 1..1000, lr in (0, 10],
// word n-grams 1..5, 1 <= minn <= maxn <= 10 or maxn 0, bucket 1000..50,000,000 when n-grams are
// hashed, min_count 1..1000, upsample 1..100, threads 0..256, seed >= 0). InvalidArgument naming
// the parameter otherwise.
Status ValidateClassifierParameters(const ClassifierParameters& parameters);

// True when `label` is one of `negative_labels` (ignoring ASCII case).
bool IsNegativeLabel(std::string_view label, const std::vector<std::string>& negative_labels);

// The text as the classifier sees it: the screening chain's normalisation (normalize.h). Training,
// evaluation and the server all go through it, so they agree.
std::string NormalizeForClassifier(std::string_view original);

// Trains a fastText model on `examples` (their texts normalised with NormalizeForClassifier) and
// returns the model file. The labels of the model are the distinct labels of the examples, sorted
// by name. Uses a temporary directory (removed afterwards) because fastText trains from a file.
// InvalidArgument when: there are fewer than two distinct labels, no harmful label, an empty or
// non-UTF-8 label, a category-map entry names a label that does not occur or is negative, or the
// parameters are out of range. Internal when fastText fails (e.g. a learning rate so high that
// training diverges) or the temporary files cannot be written. Runs `parameters.threads` threads;
// with one thread the result depends only on the examples and the parameters.
Result<ClassifierFile> TrainClassifier(const std::vector<LabelledText>& examples,
                                       const TrainingOptions& options);

}  // namespace stoa::screen
