// Choosing a model's flag and hold thresholds from data it did not train on: k-fold
// cross-validation on the training examples (`stoa train`'s default, and the threshold choice of
// bench/screen_eval.cc). A softmax model trained on data where a few percent of posts are harmful
// rarely gives a harmful post 0.8; the thresholds that serve it are on its own scale, and only
// out-of-fold scores show where.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "screen/classifier_file.h"
#include "screen/classifier_trainer.h"

namespace stoa::screen {

// The highest threshold at which at least `target` (0..1) of the examples `gold` marks score at or
// above it (never below 1e-6); 0.5 when none is marked.
float ThresholdForRecall(const std::vector<float>& scores, const std::vector<bool>& gold,
                         double target);

// The threshold (one of the scores, never below 1e-6) at which the examples scoring at or above it
// have the best F1 against `gold`; 0.5 when nothing is marked.
float ThresholdForBestF1(const std::vector<float>& scores, const std::vector<bool>& gold);

// Assigns each example of `subset` (indexes into `labels`) to one of `k` folds, each label spread
// evenly over the folds (shuffled with `seed`); examples outside the subset get -1.
std::vector<int> StratifiedFolds(std::span<const std::string_view> labels,
                                 std::span<const size_t> subset, int k, uint64_t seed);

// Each fold needs this many harmful examples, so that every training part has some and every
// held-out fold can be scored on some.
inline constexpr int kHarmfulPerFold = 2;

// Examples whose label is not one of `negative_labels` (IsNegativeLabel).
int64_t CountHarmful(const std::vector<LabelledText>& examples,
                     const std::vector<std::string>& negative_labels);

struct TunedThresholds {
  float flag = 0;
  float hold = 0;
  ThresholdTuning tuning;  // what the out-of-fold scores showed at them
};

// Trains `folds` models (TrainClassifier with `options`), each on all but one fold (stratified by
// label, shuffled with options.parameters.seed), scores every example with the model that did not
// train on it (the highest category score), then picks: flag = the highest threshold whose
// out-of-fold recall of the harmful examples (labels not in options.negative_labels) reaches
// `flag_recall`; hold = the threshold with the best out-of-fold F1 (never below flag).
// `progress`, when set, is called before each fold's training with the fold (1-based).
// InvalidArgument when folds is outside 2..20, flag_recall outside (0, 1], or there are fewer
// harmful examples than kHarmfulPerFold * folds; TrainClassifier's errors otherwise.
Result<TunedThresholds> CrossValidateThresholds(const std::vector<LabelledText>& examples,
                                                const TrainingOptions& options, int folds,
                                                double flag_recall,
                                                const std::function<void(int)>& progress = {});

}  // namespace stoa::screen
