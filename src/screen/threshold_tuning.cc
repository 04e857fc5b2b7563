#include "screen/threshold_tuning.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <string>

#include "screen/classifier.h"
#include "screen/classifier_features.h"
#include "screen/evaluation.h"

namespace stoa::screen {

float ThresholdForRecall(const std::vector<float>& scores, const std::vector<bool>& gold,
                         double target) {
  std::vector<float> positive;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (gold[i]) positive.push_back(scores[i]);
  }
  if (positive.empty()) return 0.5f;
  std::sort(positive.begin(), positive.end(), std::greater<>());
  const size_t needed = std::clamp<size_t>(
      static_cast<size_t>(std::ceil(target * static_cast<double>(positive.size()))), 1,
      positive.size());
  return std::max(positive[needed - 1], 1e-6f);
}

float ThresholdForBestF1(const std::vector<float>& scores, const std::vector<bool>& gold) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  const double positives = static_cast<double>(std::count(gold.begin(), gold.end(), true));
  if (positives == 0) return 0.5f;
  double tp = 0, best_f1 = -1;
  float best = 0.5f;
  for (size_t rank = 0; rank < order.size(); ++rank) {
    if (gold[order[rank]]) ++tp;
    // Only cut between different scores: a threshold takes every example at its score.
    if (rank + 1 < order.size() && scores[order[rank + 1]] == scores[order[rank]]) continue;
    const double precision = tp / static_cast<double>(rank + 1);
    const double recall = tp / positives;
    const double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    if (f1 > best_f1) {
      best_f1 = f1;
      best = scores[order[rank]];
    }
  }
  return std::max(best, 1e-6f);
}

std::vector<int> StratifiedFolds(std::span<const std::string_view> labels,
                                 std::span<const size_t> subset, int k, uint64_t seed) {
  std::map<std::string_view, std::vector<size_t>> by_label;
  for (size_t i : subset) by_label[labels[i]].push_back(i);
  std::mt19937_64 rng(seed);
  std::vector<int> fold(labels.size(), -1);
  int next = 0;
  for (auto& [label, members] : by_label) {
    std::shuffle(members.begin(), members.end(), rng);
    for (size_t i : members) fold[i] = next++ % k;
  }
  return fold;
}

int64_t CountHarmful(const std::vector<LabelledText>& examples,
                     const std::vector<std::string>& negative_labels) {
  return std::count_if(examples.begin(), examples.end(), [&](const LabelledText& e) {
    return !IsNegativeLabel(e.label, negative_labels);
  });
}

namespace {

ThresholdTuning::At QualityAt(const std::vector<float>& scores, const std::vector<bool>& gold,
                              float threshold) {
  BinaryCounts counts;
  for (size_t i = 0; i < scores.size(); ++i) counts.Add(scores[i] >= threshold, gold[i]);
  return {counts.Precision(), counts.Recall(),
          scores.empty()
              ? 0.0
              : static_cast<double>(counts.predicted()) / static_cast<double>(scores.size())};
}

}  // namespace

Result<TunedThresholds> CrossValidateThresholds(const std::vector<LabelledText>& examples,
                                                const TrainingOptions& options, int folds,
                                                double flag_recall,
                                                const std::function<void(int)>& progress) {
  if (folds < 2 || folds > 20) return InvalidArgument("folds must be 2 to 20");
  if (!(flag_recall > 0 && flag_recall <= 1)) {
    return InvalidArgument("the flag recall must be in (0, 1]");
  }
  std::vector<bool> harmful(examples.size());
  std::vector<std::string_view> labels(examples.size());
  for (size_t i = 0; i < examples.size(); ++i) {
    harmful[i] = !IsNegativeLabel(examples[i].label, options.negative_labels);
    labels[i] = examples[i].label;
  }
  const auto harmful_count = std::count(harmful.begin(), harmful.end(), true);
  if (harmful_count < kHarmfulPerFold * folds) {
    return InvalidArgument("choosing thresholds by " + std::to_string(folds) +
                           "-fold cross-validation needs at least " +
                           std::to_string(kHarmfulPerFold * folds) +
                           " harmful examples, the data has " + std::to_string(harmful_count));
  }
  std::vector<size_t> all(examples.size());
  std::iota(all.begin(), all.end(), 0);
  const std::vector<int> fold_of = StratifiedFolds(
      labels, all, folds, static_cast<uint64_t>(options.parameters.seed) + 20261126);

  // The features compiled once for every fold's training and model (ClassifierFeatures::Parse
  // returns the same while this one lives).
  std::shared_ptr<const ClassifierFeatures> features;
  if (!options.features.empty()) {
    ASSIGN_OR_RETURN(features, ClassifierFeatures::Parse(options.features));
  }
  std::vector<float> scores(examples.size(), 0.0f);
  for (int f = 0; f < folds; ++f) {
    if (progress) progress(f + 1);
    std::vector<LabelledText> train;
    train.reserve(examples.size());
    for (size_t i = 0; i < examples.size(); ++i) {
      if (fold_of[i] != f) train.push_back(examples[i]);
    }
    ASSIGN_OR_RETURN(ClassifierFile file, TrainClassifier(train, options));
    ASSIGN_OR_RETURN(std::shared_ptr<const Classifier> model, Classifier::FromFile(file));
    for (size_t i = 0; i < examples.size(); ++i) {
      if (fold_of[i] == f)
        scores[i] = model->Predict(NormalizeForClassifier(examples[i].text)).Max();
    }
  }

  TunedThresholds out;
  out.hold = ThresholdForBestF1(scores, harmful);
  out.flag = std::min(ThresholdForRecall(scores, harmful, flag_recall), out.hold);
  out.tuning.folds = folds;
  out.tuning.flag_recall_target = flag_recall;
  out.tuning.average_precision = AveragePrecision(scores, harmful);
  out.tuning.flag = QualityAt(scores, harmful, out.flag);
  out.tuning.hold = QualityAt(scores, harmful, out.hold);
  return out;
}

}  // namespace stoa::screen
