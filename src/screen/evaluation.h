// Measuring detection quality: precision, recall and F1 of a classifier on labelled text
// (`stoa eval`, and the building blocks of bench/screen_eval.cc).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "screen/category.h"
#include "screen/classifier.h"
#include "screen/classifier_trainer.h"

namespace stoa::screen {

// A confusion matrix of one yes/no decision.
struct BinaryCounts {
  int64_t true_positives = 0;
  int64_t false_positives = 0;
  int64_t false_negatives = 0;
  int64_t true_negatives = 0;

  void Add(bool predicted, bool actual) {
    if (predicted) {
      ++(actual ? true_positives : false_positives);
    } else {
      ++(actual ? false_negatives : true_negatives);
    }
  }
  BinaryCounts& operator+=(const BinaryCounts& o);
  int64_t predicted() const { return true_positives + false_positives; }
  int64_t actual() const { return true_positives + false_negatives; }
  // 0 when undefined (nothing predicted / nothing to find / both 0).
  double Precision() const;
  double Recall() const;
  double F1() const;
};

struct LabelQuality {
  std::string label;
  std::optional<Category> category;  // nullopt: harmless
  BinaryCounts top1;                 // predicted: the label is the most probable one
};

struct ThresholdQuality {
  float threshold = 0;
  BinaryCounts any;                                        // any category at or above threshold
  std::vector<std::pair<Category, BinaryCounts>> categories;  // the model's categories
};

struct ClassifierEvaluation {
  int64_t examples = 0;
  int64_t harmful = 0;  // examples whose label raises a category
  std::vector<LabelQuality> labels;
  ThresholdQuality flag;
  ThresholdQuality hold;
};

// Scores every example with `classifier` (texts normalised with NormalizeForClassifier) and
// counts, per model label, top-1 decisions, and, at each threshold, whether any category (and each
// category) reaches it. An example's true category comes from the model's own label table; a
// label the model does not know counts as harmless when it is in `negative_labels` and is
// refused (InvalidArgument listing the model's labels) otherwise.
Result<ClassifierEvaluation> EvaluateClassifier(const Classifier& classifier,
                                                const std::vector<LabelledText>& examples,
                                                const std::vector<std::string>& negative_labels,
                                                float flag_threshold, float hold_threshold);

// The evaluation as a plain-text table (what `stoa eval` prints).
std::string FormatEvaluation(const ClassifierEvaluation& evaluation);

}  // namespace stoa::screen
