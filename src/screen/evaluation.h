// Measuring detection quality: precision, recall and F1 of a classifier on labelled text
// (`stoa eval`, and the building blocks of bench/screen_eval.cc).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "screen/category.h"
#include "screen/classifier.h"
#include "screen/classifier_trainer.h"
#include "screen/screener.h"
#include "screen/verdict.h"

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
  // Threshold-free: the average precision of the highest category score at ranking the harmful
  // examples first (the area under the precision-recall curve; the share of harmful examples is
  // what a random ranking scores).
  double average_precision = 0;
};

// Average precision of ranking by `scores` (highest first, ties in input order) for the examples
// `gold` marks: the step-wise area under the precision-recall curve; 0 when none is marked.
double AveragePrecision(const std::vector<float>& scores, const std::vector<bool>& gold);

// What the labels of evaluated data mean. An example's true category is, in this order: the
// category `categories` maps its label to (for data labelled differently from the model,
// `stoa eval --category-map`); its label's category in the model's own label table; harmless when
// the label is one of `negative` (ignoring ASCII case). Any other label is refused
// (InvalidArgument listing the model's labels).
struct GoldLabels {
  std::vector<std::string> negative;
  std::vector<std::pair<std::string, Category>> categories;
};

// Scores every example with `classifier` (texts normalised with NormalizeForClassifier) and
// counts, per model label, top-1 decisions, and, at each threshold, whether any category (and each
// category) reaches it.
Result<ClassifierEvaluation> EvaluateClassifier(const Classifier& classifier,
                                                const std::vector<LabelledText>& examples,
                                                const GoldLabels& gold, float flag_threshold,
                                                float hold_threshold);

// The evaluation as a plain-text table (what `stoa eval` prints).
std::string FormatEvaluation(const ClassifierEvaluation& evaluation);

// The whole screening chain (rules, classifier, policy: what the server decides for a new post)
// on labelled data: how many harmless and harmful posts get each verdict.
struct ChainEvaluation {
  int64_t examples = 0;
  int64_t harmful = 0;
  // Posts per verdict (indexed by Verdict): [0] harmless, [1] harmful.
  std::array<std::array<int64_t, 4>, 2> verdicts{};
  BinaryCounts flagged;  // verdict publish_and_flag or stricter: a case is opened
  BinaryCounts held;     // hold or reject: nobody but the author sees the post
  // Which signal reached at least publish_and_flag (a post may count in both).
  BinaryCounts by_rules;
  BinaryCounts by_classifier;
};

// Screens every example with `screener` (language `language`, "" when unknown, surge off) and
// counts the verdicts against the gold labels (as for EvaluateClassifier; the model's labels are
// those of the screener's current model, none without one).
Result<ChainEvaluation> EvaluateChain(const Screener& screener,
                                      const std::vector<LabelledText>& examples,
                                      const GoldLabels& gold, std::string_view language);

// The chain evaluation as a plain-text table (what `stoa eval --rules` adds).
std::string FormatChainEvaluation(const ChainEvaluation& evaluation);

}  // namespace stoa::screen
