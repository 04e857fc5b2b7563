// Choosing thresholds from out-of-fold scores: the two threshold rules, the stratified folds, and
// CrossValidateThresholds on a small data set (what `stoa train` runs by default).
#include "screen/threshold_tuning.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "screen/classifier_file.h"
#include "training_fixture.h"

namespace stoa::screen {
namespace {

using stoa::testing::TempDir;
using stoa::testing::ToyExamples;

TEST(ThresholdTuning, ThresholdForRecallIsTheHighestThatFindsTheShare) {
  const std::vector<float> scores = {0.9f, 0.8f, 0.7f, 0.1f};
  const std::vector<bool> gold = {true, false, true, true};
  EXPECT_FLOAT_EQ(ThresholdForRecall(scores, gold, 0.66), 0.7f);  // 2 of 3
  EXPECT_FLOAT_EQ(ThresholdForRecall(scores, gold, 1.0), 0.1f);
  EXPECT_FLOAT_EQ(ThresholdForRecall(scores, gold, 0.01), 0.9f);  // at least one
  EXPECT_FLOAT_EQ(ThresholdForRecall(scores, {false, false, false, false}, 0.8), 0.5f);
  EXPECT_FLOAT_EQ(ThresholdForRecall({0.0f, 0.0f}, {true, true}, 1.0), 1e-6f);  // never 0
}

TEST(ThresholdTuning, ThresholdForBestF1CutsBetweenDifferentScores) {
  // At 0.8: precision 1, recall 2/3 (F1 0.8); at 0.2: precision 3/4, recall 1 (F1 0.857).
  EXPECT_FLOAT_EQ(ThresholdForBestF1({0.9f, 0.8f, 0.3f, 0.2f}, {true, true, false, true}), 0.2f);
  // At 0.8 better: precision 1, recall 2/3 against 2/4 and 2/3 lower.
  EXPECT_FLOAT_EQ(ThresholdForBestF1({0.9f, 0.8f, 0.3f, 0.2f}, {true, true, false, false}), 0.8f);
  // A tie is taken whole: 0.5 takes both 0.5s (precision 1/2, recall 1).
  EXPECT_FLOAT_EQ(ThresholdForBestF1({0.5f, 0.5f, 0.1f}, {false, true, false}), 0.5f);
  EXPECT_FLOAT_EQ(ThresholdForBestF1({0.5f, 0.1f}, {false, false}), 0.5f);
}

TEST(ThresholdTuning, StratifiedFoldsSpreadEachLabelEvenly) {
  std::vector<std::string_view> labels;
  for (int i = 0; i < 30; ++i) labels.push_back(i % 10 == 0 ? "rare" : "common");
  std::vector<size_t> subset;
  for (size_t i = 0; i < 28; ++i) subset.push_back(i);  // the last two are outside
  const std::vector<int> folds = StratifiedFolds(labels, subset, 3, 42);
  ASSERT_EQ(folds.size(), 30u);
  EXPECT_EQ(folds[28], -1);
  EXPECT_EQ(folds[29], -1);
  std::map<std::pair<std::string_view, int>, int> count;
  for (size_t i : subset) {
    ASSERT_GE(folds[i], 0);
    ASSERT_LT(folds[i], 3);
    ++count[{labels[i], folds[i]}];
  }
  for (int f = 0; f < 3; ++f) {
    const int rare = count[{"rare", f}];
    const int common = count[{"common", f}];
    EXPECT_EQ(rare, 1) << f;  // 3 rare ones, one per fold
    EXPECT_GE(common, 8) << f;
    EXPECT_LE(common, 9) << f;
  }
  EXPECT_EQ(StratifiedFolds(labels, subset, 3, 42), folds);  // the seed decides
}

TrainingOptions Options() { return stoa::testing::ToyTrainingOptions(3, 30); }

TEST(ThresholdTuning, CrossValidationChoosesThresholdsFromScoresOfUnseenExamples) {
  int progress_calls = 0;
  auto tuned = CrossValidateThresholds(ToyExamples(), Options(), 3, 0.9,
                                       [&](int fold) { EXPECT_EQ(fold, ++progress_calls); });
  ASSERT_TRUE(tuned.ok()) << tuned.status().message();
  EXPECT_EQ(progress_calls, 3);
  EXPECT_GT(tuned->flag, 0.0f);
  EXPECT_LE(tuned->flag, tuned->hold);
  EXPECT_LE(tuned->hold, 1.0f);
  const ThresholdTuning& t = tuned->tuning;
  EXPECT_TRUE(t.tuned());
  EXPECT_EQ(t.folds, 3);
  EXPECT_DOUBLE_EQ(t.flag_recall_target, 0.9);
  EXPECT_GE(t.flag.recall, 0.9);
  EXPECT_GE(t.hold.recall, 0.0);
  // Two of three toy classes are harmful and clearly separable.
  EXPECT_GT(t.average_precision, 0.9);
  EXPECT_NEAR(t.flag.share, 2.0 / 3, 0.1);
  EXPECT_GE(t.flag.share, t.hold.share);
  // Reproducible with one training thread.
  auto again = CrossValidateThresholds(ToyExamples(), Options(), 3, 0.9);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->flag, tuned->flag);
  EXPECT_EQ(again->tuning, tuned->tuning);
}

TEST(ThresholdTuning, RefusesWhatCannotBeCrossValidated) {
  EXPECT_EQ(CrossValidateThresholds(ToyExamples(), Options(), 1, 0.9).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CrossValidateThresholds(ToyExamples(), Options(), 3, 0).status().code(),
            StatusCode::kInvalidArgument);
  std::vector<LabelledText> scarce;
  int harmful = 0;
  for (const LabelledText& e : ToyExamples()) {
    if (e.label == "calm" || harmful++ < 5) scarce.push_back(e);
  }
  auto refused = CrossValidateThresholds(scarce, Options(), 3, 0.9);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("needs at least 6 harmful examples, the data has 5"),
            std::string::npos)
      << refused.status().message();
}

TEST(ThresholdTuning, TheTuningSurvivesTheModelFileAndChangesItsVersion) {
  auto trained = TrainClassifier(ToyExamples(), Options());
  ASSERT_TRUE(trained.ok()) << trained.status().message();
  ClassifierMetadata metadata = trained->metadata;
  metadata.flag_threshold = 0.01f;
  metadata.hold_threshold = 0.3f;
  metadata.tuning = {5, 0.85, 0.42, {0.08, 0.86, 0.31}, {0.47, 0.39, 0.026}};
  auto tuned = MakeClassifierFile(metadata, trained->model_bytes);
  ASSERT_TRUE(tuned.ok()) << tuned.status().message();
  EXPECT_NE(tuned->version, trained->version);
  TempDir dir("stoa-threshold-tuning-test");
  ASSERT_TRUE(WriteClassifierFile(dir.File("tuned.model"), *tuned).ok());
  auto read = ReadClassifierFile(dir.File("tuned.model"));
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->metadata.tuning, metadata.tuning);
  EXPECT_FLOAT_EQ(read->metadata.hold_threshold, 0.3f);
  EXPECT_EQ(read->version, tuned->version);
  // A model without tuning writes none and reads back untuned.
  ASSERT_TRUE(WriteClassifierFile(dir.File("plain.model"), *trained).ok());
  auto plain = ReadClassifierFile(dir.File("plain.model"));
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->metadata.tuning.tuned());
}

}  // namespace
}  // namespace stoa::screen
