// The linear classifier model (linear_model.h) and fastText's in-domain pretraining
// (TrainWordVectors): training on small inline data sets, the features, the model file, and the
// classifier that loads and predicts either.
#include "screen/linear_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "screen/classifier.h"
#include "screen/classifier_trainer.h"
#include "training_fixture.h"

namespace stoa::screen {
namespace {

using stoa::testing::TempDir;
using stoa::testing::ToyExamples;
using stoa::testing::ToyLabelOptions;

TrainingOptions LinearOptions() {
  TrainingOptions o = ToyLabelOptions();
  o.parameters = LinearParameterDefaults();
  o.parameters.bucket = 1 << 14;
  o.parameters.seed = 3;
  return o;
}

float Violence(const Classifier& c, std::string_view text) {
  return c.Predict(NormalizeForClassifier(text))[Category::kViolence];
}
float Spam(const Classifier& c, std::string_view text) {
  return c.Predict(NormalizeForClassifier(text))[Category::kSpam];
}

TEST(LinearModel, FeaturesAreWordsWordPairsAndCharacterNgrams) {
  LinearFeatures f;
  f.word_ngrams = 1;
  f.maxn = 0;
  EXPECT_EQ(LinearFeatureBuckets("ab cd", f).size(), 2u);
  f.word_ngrams = 2;
  EXPECT_EQ(LinearFeatureBuckets("ab cd", f).size(), 3u);  // ab, cd, "ab cd"
  f.word_ngrams = 3;
  EXPECT_EQ(LinearFeatureBuckets("ab cd ef", f).size(), 6u);  // 3 words, 2 pairs, 1 triple
  // "<ab>" has the character n-grams of 2..3 characters <a ab b> <ab ab>; the whole "<ab>" is the
  // word itself and not repeated.
  f.word_ngrams = 1;
  f.minn = 2;
  f.maxn = 3;
  EXPECT_EQ(LinearFeatureBuckets("ab", f).size(), 1u + 3u + 2u);
  // Characters, not bytes: "<ü>" has the 2-grams "<ü" and "ü>".
  f.maxn = 2;
  EXPECT_EQ(LinearFeatureBuckets("ü", f).size(), 1u + 2u);
  // Punctuation tokens are words without character n-grams.
  EXPECT_EQ(LinearFeatureBuckets("!!!", f).size(), 1u);
  // The same text always gives the same buckets; different words different ones (here).
  EXPECT_EQ(LinearFeatureBuckets("smash them", f), LinearFeatureBuckets("smash them", f));
  EXPECT_NE(LinearFeatureBuckets("smash", f), LinearFeatureBuckets("bread", f));
}

TEST(LinearModel, LearnsEachHeadAndSurvivesSerialisation) {
  const std::vector<std::string> texts = {"kill them all", "we will kill", "nice tea",
                                          "lovely tea party", "kill kill", "tea and cake"};
  const std::vector<std::vector<bool>> targets = {{true, true, false, false, true, false},
                                                  {false, false, true, true, false, true}};
  LinearFeatures f;
  f.buckets = 4096;
  auto model = LinearModel::Train(texts, targets, f, LinearTraining{});
  ASSERT_TRUE(model.ok()) << model.status().message();
  ASSERT_EQ(model->heads(), 2u);
  float p[2];
  model->Predict("they kill", p);
  EXPECT_GT(p[0], 0.5f);
  EXPECT_LT(p[1], 0.5f);
  model->Predict("some tea", p);
  EXPECT_LT(p[0], 0.5f);
  EXPECT_GT(p[1], 0.5f);

  const std::string bytes = model->Serialize();
  auto again = LinearModel::Parse(bytes);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->Serialize(), bytes);
  float q[2];
  again->Predict("they kill", q);
  model->Predict("they kill", p);
  EXPECT_EQ(p[0], q[0]);
  EXPECT_EQ(p[1], q[1]);

  // Damaged bytes are refused with the reason.
  EXPECT_NE(LinearModel::Parse("stoa-linear 2\n").status().message().find("does not start"),
            std::string::npos);
  EXPECT_NE(LinearModel::Parse(bytes.substr(0, bytes.size() - 4)).status().message().find("bytes"),
            std::string::npos);
  EXPECT_NE(LinearModel::Parse(bytes.substr(0, 20)).status().message().find("truncated"),
            std::string::npos);
}

TEST(LinearModel, RefusesBadArguments) {
  const std::vector<std::string> texts = {"a", "b"};
  LinearFeatures f;
  EXPECT_FALSE(LinearModel::Train(texts, {{true}}, f, {}).ok());          // wrong target size
  EXPECT_FALSE(LinearModel::Train(texts, {}, f, {}).ok());                // no heads
  EXPECT_FALSE(LinearModel::Train({}, {{}}, f, {}).ok());                 // no texts
  f.buckets = 10;
  EXPECT_FALSE(LinearModel::Train(texts, {{true, false}}, f, {}).ok());   // too few buckets
  f = LinearFeatures{};
  LinearTraining t;
  t.lr = 0;
  EXPECT_FALSE(LinearModel::Train(texts, {{true, false}}, f, t).ok());
  t = LinearTraining{};
  t.class_weight = 2;
  EXPECT_FALSE(LinearModel::Train(texts, {{true, false}}, f, t).ok());
}

TEST(LinearClassifier, TrainsSavesLoadsAndPredictsCategories) {
  auto file = TrainClassifier(ToyExamples(), LinearOptions());
  ASSERT_TRUE(file.ok()) << file.status().message();
  EXPECT_EQ(file->metadata.parameters.model, ClassifierModel::kLinear);
  EXPECT_TRUE(file->model_bytes.starts_with(kLinearModelMagic));

  TempDir dir("stoa-linear-test");
  const std::string path = dir.File("linear.model");
  ASSERT_TRUE(WriteClassifierFile(path, *file).ok());
  auto c = Classifier::Load(path);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ((*c)->version(), file->version);
  EXPECT_EQ((*c)->metadata().parameters.model, ClassifierModel::kLinear);
  EXPECT_EQ((*c)->metadata().parameters.l2, file->metadata.parameters.l2);
  EXPECT_FLOAT_EQ((*c)->metadata().flag_threshold, 0.4f);

  // Unseen texts made of each class's words.
  EXPECT_GT(Violence(**c, "Smash and destroy their cars"), 0.5f);
  EXPECT_GT(Violence(**c, "Zerstört und zerschlagt ihre Autos"), 0.5f);
  EXPECT_LT(Violence(**c, "tea in the sunny park"), 0.5f);
  EXPECT_GT(Spam(**c, "click to buy cheap pills"), 0.5f);
  EXPECT_LT(Spam(**c, "smash their homes"), 0.5f);
  EXPECT_EQ((*c)->Predict(NormalizeForClassifier("tea"))[Category::kThreat], 0.0f);

  // Label probabilities: each label against the rest.
  const std::vector<float> labels = (*c)->PredictLabels(NormalizeForClassifier("crush the enemy"));
  ASSERT_EQ(labels.size(), 3u);  // advert, attack, calm (sorted)
  EXPECT_GT(labels[1], labels[0]);
  EXPECT_GT(labels[1], labels[2]);
  std::vector<float> both(3);
  EXPECT_EQ((*c)->Predict(NormalizeForClassifier("crush the enemy"), both),
            (*c)->Predict(NormalizeForClassifier("crush the enemy")));
  EXPECT_EQ(both, labels);

  // One thread, same seed: the same file.
  auto again = TrainClassifier(ToyExamples(), LinearOptions());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->version, file->version);
}

TEST(LinearClassifier, AModelPartThatDoesNotFitTheMetadataIsRefused) {
  auto file = TrainClassifier(ToyExamples(), LinearOptions());
  ASSERT_TRUE(file.ok());
  // A linear part whose outputs do not match the labels (one label fewer).
  ClassifierMetadata m = file->metadata;
  m.labels.pop_back();
  auto fewer = MakeClassifierFile(m, file->model_bytes);
  ASSERT_TRUE(fewer.ok());
  EXPECT_NE(Classifier::FromFile(*fewer).status().message().find("outputs"), std::string::npos);
  // Metadata saying linear over a part that is not.
  auto wrong = MakeClassifierFile(file->metadata, "not a model");
  ASSERT_TRUE(wrong.ok());
  EXPECT_FALSE(Classifier::FromFile(*wrong).ok());
  // A model file whose metadata names no part of its kind.
  TempDir dir("stoa-linear-test");
  ASSERT_TRUE(WriteClassifierFile(dir.File("m"), *file).ok());
  std::ifstream in(dir.File("m"), std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  std::string text = bytes.str();
  const size_t at = text.find("\"linear\":{");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 8, "\"fasttext\"");
  std::ofstream(dir.File("m2"), std::ios::binary) << text;
  auto read = ReadClassifierFile(dir.File("m2"));
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("'linear' is missing"), std::string::npos);
}

TEST(LinearClassifier, ParametersAreChecked) {
  TrainingOptions o = LinearOptions();
  o.parameters.bucket = 100;
  EXPECT_FALSE(TrainClassifier(ToyExamples(), o).ok());
  o = LinearOptions();
  o.parameters.l2 = 1;
  EXPECT_FALSE(TrainClassifier(ToyExamples(), o).ok());
  o = LinearOptions();
  o.parameters.class_weight = -0.5;
  EXPECT_FALSE(TrainClassifier(ToyExamples(), o).ok());
}

TEST(Pretraining, WordVectorsFromUnlabelledTextStartTheSupervisedTraining) {
  TempDir dir("stoa-linear-test");
  std::vector<std::string> texts;
  for (const LabelledText& e : ToyExamples()) texts.push_back(e.text);
  // Unlabelled text with a word the labelled examples never use ("obliterate") in the contexts
  // of the attack words.
  for (int i = 0; i < 20; ++i) {
    texts.push_back("smash them obliterate them destroy them");
    texts.push_back("obliterate crush smash their homes");
  }
  TrainingOptions o;
  o.negative_labels = {"calm"};
  o.category_map = {{"attack", Category::kViolence}, {"advert", Category::kSpam}};
  o.parameters.threads = 1;
  o.parameters.seed = 7;
  o.parameters.epoch = 50;
  o.parameters.dim = 16;
  o.parameters.bucket = 10000;
  const std::string vectors = dir.File("vectors.vec");
  auto words = TrainWordVectors(texts, o.parameters, 5, vectors);
  ASSERT_TRUE(words.ok()) << words.status().message();
  EXPECT_GT(*words, 20);
  std::ifstream in(vectors);
  int64_t count = 0, dim = 0;
  in >> count >> dim;
  EXPECT_EQ(count, *words);
  EXPECT_EQ(dim, 16);

  o.pretrained_vectors = vectors;
  auto file = TrainClassifier(ToyExamples(), o);
  ASSERT_TRUE(file.ok()) << file.status().message();
  auto c = Classifier::FromFile(*file);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_GT(Violence(**c, "Smash and destroy their cars"), 0.5f);
  EXPECT_LT(Violence(**c, "tea in the sunny park"), 0.5f);

  // The same from the texts themselves: TrainClassifier pretrains first and records it.
  o.pretrained_vectors.clear();
  o.pretraining_texts = texts;
  o.parameters.pretrain_epoch = 3;
  auto self = TrainClassifier(ToyExamples(), o);
  ASSERT_TRUE(self.ok()) << self.status().message();
  EXPECT_EQ(self->metadata.parameters.pretrain_texts,
            static_cast<int>(texts.size() + ToyExamples().size()));
  ASSERT_TRUE(WriteClassifierFile(dir.File("pretrained.model"), *self).ok());
  auto loaded = Classifier::Load(dir.File("pretrained.model"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ((*loaded)->metadata().parameters.pretrain_texts, self->metadata.parameters.pretrain_texts);
  EXPECT_EQ((*loaded)->metadata().parameters.pretrain_epoch, 3);
  EXPECT_GT(Violence(**loaded, "Smash and destroy their cars"), 0.5f);
  // Pretraining texts with given vectors, or for a linear model, are refused.
  o.pretrained_vectors = vectors;
  EXPECT_EQ(TrainClassifier(ToyExamples(), o).status().code(), StatusCode::kInvalidArgument);
  o.pretrained_vectors.clear();
  o.parameters.model = ClassifierModel::kLinear;
  EXPECT_EQ(TrainClassifier(ToyExamples(), o).status().code(), StatusCode::kInvalidArgument);
  o.parameters.model = ClassifierModel::kFastText;
  o.pretraining_texts.clear();

  // Vectors of another dimension are refused, and so is too little text.
  o.pretrained_vectors = vectors;
  o.parameters.dim = 8;
  EXPECT_EQ(TrainClassifier(ToyExamples(), o).status().code(), StatusCode::kInternal);
  EXPECT_EQ(TrainWordVectors({"a", "b"}, o.parameters, 5, vectors).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(MultiTask, AuxiliaryLabelsJoinAsHarmlessLabelsOfAOneVsAllModel) {
  TrainingOptions o;
  o.negative_labels = {"calm"};
  o.category_map = {{"attack", Category::kViolence}, {"advert", Category::kSpam}};
  o.parameters.threads = 1;
  o.parameters.seed = 7;
  o.parameters.epoch = 50;
  o.parameters.bucket = 10000;
  o.parameters.loss = ClassifierLoss::kOneVsAll;
  const std::vector<LabelledText> examples = ToyExamples();
  for (const LabelledText& e : examples) {
    o.auxiliary_labels.push_back(e.label == "attack" ? std::vector<std::string>{"aux_action"}
                                                     : std::vector<std::string>{});
  }
  auto file = TrainClassifier(examples, o);
  ASSERT_TRUE(file.ok()) << file.status().message();
  ASSERT_EQ(file->metadata.labels.size(), 4u);
  EXPECT_EQ(file->metadata.labels[3].name, "aux_action");
  EXPECT_FALSE(file->metadata.labels[3].category.has_value());
  EXPECT_EQ(file->metadata.labels[3].examples, 24);
  auto c = Classifier::FromFile(*file);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_GT(Violence(**c, "Smash and destroy their cars"), 0.5f);
  EXPECT_GT((*c)->PredictLabels(NormalizeForClassifier("smash them"))[3], 0.5f);

  // Only for one-vs-all fastText, one list per example, names apart from the examples' labels.
  TrainingOptions bad = o;
  bad.parameters.loss = ClassifierLoss::kSoftmax;
  EXPECT_EQ(TrainClassifier(examples, bad).status().code(), StatusCode::kInvalidArgument);
  bad = o;
  bad.auxiliary_labels.pop_back();
  EXPECT_EQ(TrainClassifier(examples, bad).status().code(), StatusCode::kInvalidArgument);
  bad = o;
  bad.auxiliary_labels[0] = {"calm"};
  EXPECT_EQ(TrainClassifier(examples, bad).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace stoa::screen
