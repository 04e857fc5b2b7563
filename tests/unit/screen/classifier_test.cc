// The classifier stage: training on small inline data sets, predictions (and that they are exactly
// fastText's own), the model file (labels, categories and thresholds survive; damaged files are
// refused with the reason), the holder's reload, and the evaluation counts.
#include "screen/classifier.h"

#include <fasttext/fasttext.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <thread>

#include "screen/classifier_holder.h"
#include "screen/classifier_tokens.h"
#include "screen/classifier_trainer.h"
#include "screen/evaluation.h"
#include "screen/fasttext_input.h"
#include "screen/labelled_csv.h"
#include "screen/rules_holder.h"
#include "screen/screener.h"
#include "training_fixture.h"

namespace stoa::screen {
namespace {

using stoa::testing::TempDir;
using stoa::testing::ToyExamples;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteAll(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

TrainingOptions ToyOptions() { return stoa::testing::ToyTrainingOptions(7, 50); }

// One trained toy model shared by the tests (training takes a moment).
const ClassifierFile& ToyModel() {
  static const ClassifierFile* file = [] {
    auto trained = TrainClassifier(ToyExamples(), ToyOptions());
    EXPECT_TRUE(trained.ok()) << trained.status().message();
    return new ClassifierFile(std::move(trained).value());
  }();
  return *file;
}

std::shared_ptr<const Classifier> ToyClassifier() {
  auto c = Classifier::FromFile(ToyModel());
  EXPECT_TRUE(c.ok()) << c.status().message();
  return *c;
}

CategoryScores PredictRaw(const Classifier& c, std::string_view text) {
  return c.Predict(NormalizeForClassifier(text));
}

TEST(Classifier, SeparatesClearlySeparableClasses) {
  auto c = ToyClassifier();
  // Texts not in the training data, made of each class's words.
  const CategoryScores attack = PredictRaw(*c, "Smash and destroy their cars");
  const CategoryScores attack_de = PredictRaw(*c, "Zerstört und zerschlagt ihre Autos");
  const CategoryScores advert = PredictRaw(*c, "Click to buy cheap shoes");
  const CategoryScores calm = PredictRaw(*c, "Tea and bread in the sunny garden");
  for (const CategoryScores& s : {attack, attack_de}) {
    EXPECT_GT(s[Category::kViolence], 0.8f);
    EXPECT_LT(s[Category::kSpam], 0.1f);
  }
  EXPECT_GT(advert[Category::kSpam], 0.8f);
  EXPECT_LT(advert[Category::kViolence], 0.1f);
  EXPECT_LT(calm.Max(), 0.2f);
  // Categories no label raises stay 0.
  for (Category never : {Category::kThreat, Category::kIncitement, Category::kGlorification,
                         Category::kTerrorism}) {
    EXPECT_EQ(attack[never], 0.0f);
  }
}

// ToyExamples() with "attack" split in two labels: every other example is relabelled "attack2".
std::vector<LabelledText> ExamplesWithTwoAttackLabels() {
  std::vector<LabelledText> examples = ToyExamples();
  for (size_t i = 0; i < examples.size(); i += 2) {
    if (examples[i].label == "attack") examples[i].label = "attack2";
  }
  return examples;
}

TEST(Classifier, LabelProbabilitiesSumToOneAndCategoriesSumTheirLabels) {
  // Softmax: a category's score is the sum of its labels' probabilities.
  const std::vector<LabelledText> examples = ExamplesWithTwoAttackLabels();
  TrainingOptions o = ToyOptions();
  o.category_map.push_back({"attack2", Category::kViolence});
  auto file = TrainClassifier(examples, o);
  ASSERT_TRUE(file.ok()) << file.status().message();
  auto c = Classifier::FromFile(*file);
  ASSERT_TRUE(c.ok());
  const std::string text = NormalizeForClassifier("crush their homes");
  const std::vector<float> p = (*c)->PredictLabels(text);
  ASSERT_EQ(p.size(), 4u);  // advert, attack, attack2, calm (sorted by name)
  EXPECT_NEAR(p[0] + p[1] + p[2] + p[3], 1.0f, 1e-3);
  const CategoryScores s = (*c)->Predict(text);
  EXPECT_NEAR(s[Category::kViolence], p[1] + p[2], 1e-6);
  EXPECT_NEAR(s[Category::kSpam], p[0], 1e-6);
  EXPECT_GT(s[Category::kViolence], 0.8f);
  // Both from one prediction: the same numbers.
  std::vector<float> both(4);
  EXPECT_EQ((*c)->Predict(text, both), s);
  EXPECT_EQ(both, p);
}

TEST(Classifier, OneVsAllTakesTheHighestLabel) {
  const std::vector<LabelledText> examples = ExamplesWithTwoAttackLabels();
  TrainingOptions o = ToyOptions();
  o.category_map.push_back({"attack2", Category::kViolence});
  o.parameters.loss = ClassifierLoss::kOneVsAll;
  auto file = TrainClassifier(examples, o);
  ASSERT_TRUE(file.ok()) << file.status().message();
  auto c = Classifier::FromFile(*file);
  ASSERT_TRUE(c.ok());
  const std::string text = NormalizeForClassifier("crush their homes");
  const std::vector<float> p = (*c)->PredictLabels(text);
  EXPECT_FLOAT_EQ((*c)->Predict(text)[Category::kViolence], std::max(p[1], p[2]));
}

// `text`'s label probabilities from `c` are those fastText's own predictLine gives for the same
// tokens, within `tolerance`; `context` goes into the failure messages.
void ExpectPredictionEqualsFastTexts(fasttext::FastText& reference, const Classifier& c,
                                     const std::string& text, double tolerance,
                                     const std::string& context) {
  const std::string normalized = NormalizeForClassifier(text);
  std::string line;
  ForEachClassifierToken(normalized, [&](std::string_view token) {
    if (!line.empty()) line.push_back(' ');
    line.append(token);
  });
  line.push_back('\n');
  std::istringstream in(line);
  std::vector<std::pair<fasttext::real, std::string>> expected;
  reference.predictLine(in, expected, -1, 0.0);
  const std::vector<float> actual = c.PredictLabels(normalized);
  ASSERT_EQ(expected.size(), actual.size()) << context;
  for (const auto& [probability, label] : expected) {
    const size_t index = std::stoul(label.substr(std::string("__label__").size()));
    // predictLine reports exp(log(p + 1e-5)).
    EXPECT_NEAR(actual[index] + 1e-5f, probability, tolerance) << context << " " << label;
  }
}

// The probabilities stoa computes from its precomputed copy of the model (fasttext_input.h) are
// what fastText's own predictLine gives for the same tokens (word n-grams, character n-grams, words
// the model never saw, the end-of-line token), up to the order of float additions.
void ExpectPredictionsEqualFastTextsOwn(const ClassifierFile& file, double tolerance) {
  TempDir dir("stoa-classifier-test");
  WriteAll(dir.File("model.bin"), file.model_bytes);
  fasttext::FastText reference;
  reference.loadModel(dir.File("model.bin"));
  auto c = Classifier::FromFile(file);
  ASSERT_TRUE(c.ok()) << c.status().message();
  for (const std::string& text : std::vector<std::string>{"Smash and destroy their cars", "buy cheap", "völlig unbekannte Wörter hier",
                           "", "!!! ??? ...", "tea tea tea tea bread", "click-here: buy_now!!!",
                           "Ein längerer Text mit vielen Wörtern, die das Modell nie gesehen hat, "
                           "und ein paar bekannten: weather, smash, rabatt.",
                           // unknown words of other scripts (several bytes per character), and a
                           // word longer than the scorer's stack buffer
                           "東京タワー 🔥🔥 smash жжжэюя", "zq" + std::string(400, 'x') + "buy"}) {
    ASSERT_NO_FATAL_FAILURE(ExpectPredictionEqualsFastTexts(reference, **c, text, tolerance, text));
  }
}

TEST(Classifier, PredictionsEqualFastTextsOwn) { ExpectPredictionsEqualFastTextsOwn(ToyModel(), 1e-6); }

// Posts longer than one lookup batch (64 tokens) and with word trigrams.
TEST(Classifier, LongPostsAndWordTrigramsEqualFastTextsOwn) {
  TrainingOptions o = ToyOptions();
  o.parameters.word_ngrams = 3;
  auto file = TrainClassifier(ToyExamples(), o);
  ASSERT_TRUE(file.ok()) << file.status().message();
  ExpectPredictionsEqualFastTextsOwn(*file, 1e-6);
  TempDir dir("stoa-classifier-test");
  WriteAll(dir.File("model.bin"), file->model_bytes);
  fasttext::FastText reference;
  reference.loadModel(dir.File("model.bin"));
  auto c = Classifier::FromFile(*file);
  ASSERT_TRUE(c.ok());
  std::string text;
  for (int i = 0; i < 300; ++i) text += (i % 7 == 0 ? "smash " : i % 5 == 0 ? "unbekannt! " : "tea ");
  ExpectPredictionEqualsFastTexts(reference, **c, text, 1e-5, "");
}

// One-vs-all: fastText's sigmoid (a lookup table) per label.
TEST(Classifier, OneVsAllPredictionsEqualFastTextsOwn) {
  TrainingOptions o = ToyOptions();
  o.parameters.loss = ClassifierLoss::kOneVsAll;
  auto file = TrainClassifier(ToyExamples(), o);
  ASSERT_TRUE(file.ok()) << file.status().message();
  ExpectPredictionsEqualFastTextsOwn(*file, 1e-6);
}

// More labels than dimensions: rows are kept unprojected and the output matrix applied at the end;
// and no character n-grams.
TEST(Classifier, UnprojectedRowsWithoutCharacterNgramsEqualFastTextsOwn) {
  TrainingOptions o = ToyOptions();
  o.parameters.dim = 2;
  o.parameters.maxn = 0;
  auto file = TrainClassifier(ToyExamples(), o);
  ASSERT_TRUE(file.ok()) << file.status().message();
  ExpectPredictionsEqualFastTextsOwn(*file, 1e-6);
}

TEST(Classifier, FastRemainderEqualsTheRemainder) {
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (uint64_t d : std::vector<uint64_t>{1, 2, 3, 1000, 20000, 100000, 2000003, 50000000}) {
    const auto m = detail::FastTextScorer::FastModulus(d);
    for (int i = 0; i < 10000; ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      ASSERT_EQ(detail::FastTextScorer::FastRemainder(x, m, d), x % d) << x << " % " << d;
    }
    for (uint64_t a : std::vector<uint64_t>{0, d - 1, d, d + 1, UINT64_MAX, UINT64_MAX - 1}) {
      ASSERT_EQ(detail::FastTextScorer::FastRemainder(a, m, d), a % d) << a << " % " << d;
    }
    const uint64_t m32 = UINT64_MAX / d + 1;
    for (int i = 0; i < 10000; ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      const auto a = static_cast<uint32_t>(x);
      ASSERT_EQ(detail::FastTextScorer::FastRemainder32(a, m32, static_cast<uint32_t>(d)), a % d) << a;
    }
    for (uint32_t a : {0u, UINT32_MAX, UINT32_MAX - 1, static_cast<uint32_t>(d - 1)}) {
      ASSERT_EQ(detail::FastTextScorer::FastRemainder32(a, m32, static_cast<uint32_t>(d)), a % d) << a;
    }
  }
}

TEST(Classifier, ConcurrentPredictionsAgree) {
  auto c = ToyClassifier();
  const std::vector<std::string> texts = {NormalizeForClassifier("smash destroy"),
                                          NormalizeForClassifier("buy cheap now"),
                                          NormalizeForClassifier("tea in the garden")};
  std::vector<CategoryScores> expected;
  for (const auto& t : texts) expected.push_back(c->Predict(t));
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        const size_t k = static_cast<size_t>(i) % texts.size();
        if (!(c->Predict(texts[k]) == expected[k])) ++mismatches;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(ClassifierFile, MappingThresholdsAndPredictionsSurviveSaveAndLoad) {
  TempDir dir("stoa-classifier-test");
  const std::string path = dir.File("toy.model");
  ASSERT_TRUE(WriteClassifierFile(path, ToyModel()).ok());
  auto loaded = Classifier::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const ClassifierMetadata& m = (*loaded)->metadata();
  ASSERT_EQ(m.labels.size(), 3u);
  EXPECT_EQ(m.labels[0], (ClassifierLabel{"advert", Category::kSpam, 24}));
  EXPECT_EQ(m.labels[1], (ClassifierLabel{"attack", Category::kViolence, 24}));
  EXPECT_EQ(m.labels[2], (ClassifierLabel{"calm", std::nullopt, 24}));
  EXPECT_FLOAT_EQ(m.flag_threshold, 0.4f);
  EXPECT_FLOAT_EQ(m.hold_threshold, 0.9f);
  EXPECT_EQ(m.examples, 72);
  EXPECT_EQ(m.parameters.dim, 16);
  EXPECT_EQ(m.parameters.epoch, 50);
  EXPECT_EQ(m.parameters.seed, 7);
  EXPECT_EQ((*loaded)->version(), ToyModel().version);
  EXPECT_EQ((*loaded)->version().size(), 16u);
  auto in_memory = ToyClassifier();
  for (const char* text : {"smash them", "buy now", "sunny park"}) {
    EXPECT_EQ((*loaded)->Predict(NormalizeForClassifier(text)),
              in_memory->Predict(NormalizeForClassifier(text)));
  }
  EXPECT_TRUE(ReadAll(path).starts_with("stoa-classifier 1\n{"));
}

TEST(ClassifierFile, OneThreadTrainingIsReproducible) {
  auto again = TrainClassifier(ToyExamples(), ToyOptions());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->version, ToyModel().version);
  EXPECT_EQ(again->model_bytes, ToyModel().model_bytes);
}

TEST(ClassifierFile, DamagedFilesAreRefusedWithTheReason) {
  TempDir dir("stoa-classifier-test");
  const std::string good = dir.File("good.model");
  ASSERT_TRUE(WriteClassifierFile(good, ToyModel()).ok());
  const std::string bytes = ReadAll(good);
  const size_t body = bytes.find('\n', bytes.find('{')) + 1;
  const std::string header = bytes.substr(0, body);

  EXPECT_EQ(Classifier::Load(dir.File("missing.model")).status().code(), StatusCode::kNotFound);

  struct Case {
    const char* name;
    std::string content;
    const char* reason;
  };
  std::string flipped = bytes;
  flipped[body + 100] = static_cast<char>(flipped[body + 100] ^ 0x5a);
  std::string text_version = bytes;
  text_version.replace(text_version.find("\"text_version\":1"), 16, "\"text_version\":9");
  std::string no_harm = bytes;
  for (const char* category : {"\"category\":\"spam\"", "\"category\":\"violence\""}) {
    no_harm.replace(no_harm.find(category), std::string(category).size(), "\"category\":null");
  }
  const std::vector<Case> cases = {
      {"empty", "", "does not start with"},
      {"fasttext_bin_alone", ToyModel().model_bytes, "does not start with"},
      {"no_metadata_end", "stoa-classifier 1\n{\"labels\":[", "ends inside the metadata"},
      {"metadata_not_json", "stoa-classifier 1\nnot json\n", "not a JSON object"},
      {"truncated", bytes.substr(0, bytes.size() - 10), "truncated"},
      {"trailing", bytes + "x", "bytes, the metadata says"},
      {"corrupted", flipped, "SHA-256 does not match"},
      {"other_text_version", text_version, "retrain"},
      {"nothing_harmful", no_harm, "no label raises a screening category"},
  };
  for (const Case& c : cases) {
    const std::string path = dir.File(std::string(c.name) + ".model");
    WriteAll(path, c.content);
    auto loaded = Classifier::Load(path);
    ASSERT_FALSE(loaded.ok()) << c.name;
    EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_NE(loaded.status().message().find(c.reason), std::string::npos)
        << c.name << ": " << loaded.status().message();
  }
}

TEST(ClassifierFile, AFastTextPartThatIsNotAModelOrDoesNotMatchIsRefused) {
  // Checksums right, content wrong: fastText's own checks and the label table catch it.
  ClassifierMetadata m = ToyModel().metadata;
  auto garbage = MakeClassifierFile(m, std::string(4096, 'x'));
  ASSERT_TRUE(garbage.ok());
  auto c = Classifier::FromFile(*garbage);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("not a fastText model"), std::string::npos);

  m.labels.push_back({"extra", Category::kThreat, 1});
  auto more_labels = MakeClassifierFile(m, ToyModel().model_bytes);
  ASSERT_TRUE(more_labels.ok());
  c = Classifier::FromFile(*more_labels);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("the fastText model has 3 labels, the metadata 4"),
            std::string::npos);

  m = ToyModel().metadata;
  m.parameters.loss = ClassifierLoss::kOneVsAll;
  auto loss = MakeClassifierFile(m, ToyModel().model_bytes);
  ASSERT_TRUE(loss.ok());
  EXPECT_FALSE(Classifier::FromFile(*loss).ok());
}

TEST(ClassifierHolder, ReloadSwapsAndKeepsTheOldModelWhenTheNewOneIsInvalid) {
  TempDir dir("stoa-classifier-test");
  const std::string path = dir.File("current.model");
  ASSERT_TRUE(WriteClassifierFile(path, ToyModel()).ok());
  ClassifierHolder holder;
  EXPECT_EQ(holder.Get(), nullptr);
  ASSERT_TRUE(holder.Reload(path).ok());
  auto first = holder.Get();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->version(), ToyModel().version);

  WriteAll(path, "stoa-classifier 1\nbroken\n");
  const Status bad = holder.Reload(path);
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(holder.Get(), first);
  EXPECT_EQ(holder.Reload(dir.File("nowhere.model")).code(), StatusCode::kNotFound);
  EXPECT_EQ(holder.Get(), first);

  TrainingOptions o = ToyOptions();
  o.flag_threshold = 0.3f;
  auto retrained = TrainClassifier(ToyExamples(), o);
  ASSERT_TRUE(retrained.ok());
  ASSERT_TRUE(WriteClassifierFile(path, *retrained).ok());
  ASSERT_TRUE(holder.Reload(path).ok());
  EXPECT_NE(holder.Get(), first);
  EXPECT_EQ(holder.Get()->version(), retrained->version);
  EXPECT_NE(retrained->version, ToyModel().version);  // thresholds are part of the version
  // Predictions still running on the old model keep it alive.
  EXPECT_GT(first->Predict(NormalizeForClassifier("smash destroy"))[Category::kViolence], 0.5f);
}

TEST(ClassifierTrainer, RefusesWhatCannotMakeAModel) {
  TrainingOptions o = ToyOptions();
  std::vector<LabelledText> one_label = {{"a", "calm"}, {"b", "calm"}};
  EXPECT_NE(TrainClassifier(one_label, o).status().message().find("at least two distinct labels"),
            std::string::npos);
  std::vector<LabelledText> only_harmless = {{"a", "calm"}, {"b", "nothing"}};
  TrainingOptions harmless = o;
  harmless.negative_labels = {"calm", "nothing"};
  harmless.category_map.clear();
  EXPECT_NE(TrainClassifier(only_harmless, harmless).status().message().find("no label raises"),
            std::string::npos);
  TrainingOptions typo = o;
  typo.category_map.push_back({"atack", Category::kThreat});
  EXPECT_NE(TrainClassifier(ToyExamples(), typo).status().message().find("'atack', which does not occur"),
            std::string::npos);
  TrainingOptions both = o;
  both.category_map.push_back({"calm", Category::kThreat});
  EXPECT_NE(TrainClassifier(ToyExamples(), both).status().message().find("both harmless"),
            std::string::npos);
  std::vector<LabelledText> empty_label = ToyExamples();
  empty_label[3].label = "";
  EXPECT_FALSE(TrainClassifier(empty_label, o).ok());
  TrainingOptions bad_lr = o;
  bad_lr.parameters.lr = 0;
  EXPECT_EQ(TrainClassifier(ToyExamples(), bad_lr).status().code(), StatusCode::kInvalidArgument);
  TrainingOptions bad_n = o;
  bad_n.parameters.minn = 6;
  bad_n.parameters.maxn = 3;
  EXPECT_FALSE(ValidateClassifierParameters(bad_n.parameters).ok());
  TrainingOptions thresholds = o;
  thresholds.flag_threshold = 0.95f;
  EXPECT_NE(TrainClassifier(ToyExamples(), thresholds).status().message().find("thresholds"),
            std::string::npos);
}

TEST(ClassifierTrainer, DefaultsTreatNothingFalseAndZeroAsHarmlessAndTheRestAsViolence) {
  EXPECT_TRUE(IsNegativeLabel("nothing", kDefaultNegativeLabels));
  EXPECT_TRUE(IsNegativeLabel("FALSE", kDefaultNegativeLabels));
  EXPECT_TRUE(IsNegativeLabel("false", kDefaultNegativeLabels));
  EXPECT_TRUE(IsNegativeLabel("0", kDefaultNegativeLabels));
  EXPECT_FALSE(IsNegativeLabel("TRUE", kDefaultNegativeLabels));
  std::vector<LabelledText> binary;
  for (const LabelledText& e : ToyExamples()) {
    if (e.label != "advert") binary.push_back({e.text, e.label == "attack" ? "TRUE" : "FALSE"});
  }
  TrainingOptions o;
  o.parameters = ToyOptions().parameters;
  auto file = TrainClassifier(binary, o);
  ASSERT_TRUE(file.ok()) << file.status().message();
  EXPECT_EQ(file->metadata.labels[0], (ClassifierLabel{"FALSE", std::nullopt, 24}));
  EXPECT_EQ(file->metadata.labels[1], (ClassifierLabel{"TRUE", Category::kViolence, 24}));
  EXPECT_FLOAT_EQ(file->metadata.flag_threshold, 0.5f);
  EXPECT_FLOAT_EQ(file->metadata.hold_threshold, 0.8f);
}

TEST(ClassifierTrainer, ParsesCategoryMaps) {
  auto map = ParseCategoryMap(" call2violence=violence, prospensity = threat,support=glorification ");
  ASSERT_TRUE(map.ok()) << map.status().message();
  EXPECT_EQ(*map, (std::vector<std::pair<std::string, Category>>{
                      {"call2violence", Category::kViolence},
                      {"prospensity", Category::kThreat},
                      {"support", Category::kGlorification}}));
  auto with_equals = ParseCategoryMap("a=b=spam");
  ASSERT_TRUE(with_equals.ok());
  EXPECT_EQ(with_equals->front().first, "a=b");
  EXPECT_NE(ParseCategoryMap("x=hate").status().message().find("unknown category 'hate'"),
            std::string::npos);
  EXPECT_NE(ParseCategoryMap("x").status().message().find("not LABEL=CATEGORY"), std::string::npos);
  EXPECT_NE(ParseCategoryMap("x=spam,x=threat").status().message().find("mapped twice"),
            std::string::npos);
  EXPECT_FALSE(ParseCategoryMap("=spam").ok());
  EXPECT_FALSE(ParseCategoryMap(" , ").ok());
}

struct TokenCase {
  std::string text;
  std::vector<std::string> tokens;
};

TEST(ClassifierTokens, SplitsWordsAndPunctuation) {
  const std::vector<TokenCase> cases = {
      {"ich lach mich tot!??", {"ich", "lach", "mich", "tot", "!", "??"}},
      {"wow!!!!!!", {"wow", "!!!"}},
      {"__label__spam buy", {"__", "label", "__", "spam", "buy"}},
      {"[@ind] grüße 👋🏽", {"[", "@", "ind", "]", "grüße", "👋🏽"}},
      {"http://x.de/a?b=1", {"http", ":", "//", "x", ".", "de", "/", "a", "?", "b", "=", "1"}},
      {"  \t\n ", {}},
      {"", {}},
  };
  for (const TokenCase& c : cases) {
    std::vector<std::string> tokens;
    ForEachClassifierToken(c.text, [&](std::string_view t) { tokens.emplace_back(t); });
    EXPECT_EQ(tokens, c.tokens) << c.text;
  }
  std::string long_text;
  for (int i = 0; i < 2000; ++i) long_text += "w ";
  size_t count = 0;
  ForEachClassifierToken(long_text, [&](std::string_view) { ++count; });
  EXPECT_EQ(count, kMaxClassifierTokens);
}

TEST(Evaluation, CountsAndRatios) {
  BinaryCounts c;
  for (int i = 0; i < 6; ++i) c.Add(true, true);
  for (int i = 0; i < 2; ++i) c.Add(true, false);
  for (int i = 0; i < 4; ++i) c.Add(false, true);
  for (int i = 0; i < 8; ++i) c.Add(false, false);
  EXPECT_EQ(c.predicted(), 8);
  EXPECT_EQ(c.actual(), 10);
  EXPECT_DOUBLE_EQ(c.Precision(), 0.75);
  EXPECT_DOUBLE_EQ(c.Recall(), 0.6);
  EXPECT_DOUBLE_EQ(c.F1(), 2 * 0.75 * 0.6 / 1.35);
  BinaryCounts none;
  EXPECT_EQ(none.Precision(), 0.0);
  EXPECT_EQ(none.F1(), 0.0);
}

TEST(Evaluation, EvaluatesAToyModel) {
  auto c = ToyClassifier();
  const std::vector<LabelledText> data = {
      {"smash and destroy their cars", "attack"}, {"zerstört die autos", "attack"},
      {"buy cheap shoes, click", "advert"},       {"tea in the sunny garden", "calm"},
      {"a quiet lake", "nothing"},  // not a model label, but harmless by --negative
  };
  auto ev = EvaluateClassifier(*c, data, {{"nothing"}, {}}, 0.4f, 0.9f);
  ASSERT_TRUE(ev.ok()) << ev.status().message();
  EXPECT_EQ(ev->examples, 5);
  EXPECT_EQ(ev->harmful, 3);
  ASSERT_EQ(ev->labels.size(), 3u);
  EXPECT_EQ(ev->labels[1].label, "attack");
  EXPECT_EQ(ev->labels[1].top1.true_positives, 2);
  EXPECT_EQ(ev->labels[1].top1.false_positives, 0);
  EXPECT_EQ(ev->flag.any.true_positives, 3);
  EXPECT_EQ(ev->flag.any.false_positives, 0);
  ASSERT_EQ(ev->flag.categories.size(), 2u);  // violence and spam
  EXPECT_EQ(ev->flag.categories[0].first, Category::kViolence);
  EXPECT_EQ(ev->flag.categories[0].second.true_positives, 2);
  const std::string table = FormatEvaluation(*ev);
  EXPECT_NE(table.find("flag threshold 0.4 "), std::string::npos);
  EXPECT_NE(table.find("hold threshold 0.9 "), std::string::npos);

  auto unknown = EvaluateClassifier(*c, {{"x", "mystery"}}, {{"nothing"}, {}}, 0.4f, 0.9f);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("'mystery' is neither a label of the model (advert, "
                                            "attack, calm), nor mapped to a category, nor a "
                                            "negative label"),
            std::string::npos);
}

TEST(Evaluation, MapsDataLabelsTheModelDoesNotKnowAndRanksHarmfulFirst) {
  auto c = ToyClassifier();
  // Data labelled in its own words: "riot" and "scam" are not model labels; "attack" is one, but
  // the map may still say what it means for this data.
  const std::vector<LabelledText> data = {
      {"smash and destroy their cars", "riot"},
      {"zerstört die autos", "attack"},
      {"buy cheap shoes, click", "scam"},
      {"tea in the sunny garden", "none"},
      {"a quiet lake", "none"},
  };
  const GoldLabels gold{{"none"},
                        {{"riot", Category::kViolence},
                         {"scam", Category::kSpam},
                         {"attack", Category::kViolence}}};
  auto ev = EvaluateClassifier(*c, data, gold, 0.4f, 0.9f);
  ASSERT_TRUE(ev.ok()) << ev.status().message();
  EXPECT_EQ(ev->harmful, 3);
  EXPECT_EQ(ev->flag.any.true_positives, 3);
  EXPECT_EQ(ev->flag.categories[0].second.actual(), 2);  // violence: riot and attack
  EXPECT_EQ(ev->flag.categories[1].second.actual(), 1);  // spam: scam
  // The model label keeps its top-1 row even when mapped.
  EXPECT_EQ(ev->labels[1].top1.true_positives, 1);
  // Clearly separated: every harmful post scores above every harmless one.
  EXPECT_DOUBLE_EQ(ev->average_precision, 1.0);
  EXPECT_NE(FormatEvaluation(*ev).find("average precision (highest category score, harmful ranked "
                                       "first): 1.000"),
            std::string::npos);

  // Upside down (the calm posts called harmful): the ranking is as bad as it gets.
  std::vector<LabelledText> relabelled = data;
  relabelled[1].label = "riot";  // a model label would count as harmful
  const GoldLabels inverted{{"riot", "scam"}, {{"none", Category::kViolence}}};
  auto worst = EvaluateClassifier(*c, relabelled, inverted, 0.4f, 0.9f);
  ASSERT_TRUE(worst.ok()) << worst.status().message();
  EXPECT_EQ(worst->harmful, 2);
  EXPECT_NEAR(worst->average_precision, (1.0 / 4 + 2.0 / 5) / 2, 1e-9);
}

TEST(Evaluation, CountsTheVerdictsOfTheWholeChain) {
  auto rules = RuleSet::Parse(R"(stoa-rules 1
version = eval-test.1

[rule en.violence.burn]
category = violence
languages = en
weight = 0.9
max_verdict = hold
pattern = \bburn (?:it|them) down\b
)",
                              "eval-test.rules");
  ASSERT_TRUE(rules.ok()) << rules.status().message();
  const RulesHolder rules_holder(*rules);
  const ClassifierHolder model_holder(ToyClassifier());
  PolicySettings policy;
  policy.classifier_max = Verdict::kPublishAndFlag;
  const Screener screener(rules_holder, model_holder, policy);
  const std::vector<LabelledText> data = {
      {"burn them down tonight", "bad"},           // the rule holds (0.9 >= 0.8, cap hold)
      {"smash and destroy their cars", "bad"},     // the classifier flags, capped at flag
      {"a quiet walk by the lake", "bad"},         // missed
      {"tea in the sunny garden", "fine"},         // published
      {"buy cheap shoes, click now", "fine"},      // the classifier's spam flag: a false alarm
  };
  const GoldLabels gold{{"fine"}, {{"bad", Category::kViolence}}};
  auto ev = EvaluateChain(screener, data, gold, "en");
  ASSERT_TRUE(ev.ok()) << ev.status().message();
  EXPECT_EQ(ev->examples, 5);
  EXPECT_EQ(ev->harmful, 3);
  const auto count = [&](bool harmful, Verdict v) {
    return ev->verdicts[harmful ? 1 : 0][static_cast<size_t>(v)];
  };
  EXPECT_EQ(count(true, Verdict::kHold), 1);
  EXPECT_EQ(count(true, Verdict::kPublishAndFlag), 1);
  EXPECT_EQ(count(true, Verdict::kPublish), 1);
  EXPECT_EQ(count(false, Verdict::kPublish), 1);
  EXPECT_EQ(count(false, Verdict::kPublishAndFlag), 1);
  EXPECT_EQ(ev->flagged.true_positives, 2);
  EXPECT_EQ(ev->flagged.false_positives, 1);
  EXPECT_EQ(ev->held.true_positives, 1);
  EXPECT_EQ(ev->held.predicted(), 1);
  EXPECT_EQ(ev->by_rules.predicted(), 1);
  EXPECT_EQ(ev->by_classifier.true_positives, 1);
  EXPECT_EQ(ev->by_classifier.false_positives, 1);
  const std::string table = FormatChainEvaluation(*ev);
  EXPECT_NE(table.find("5 posts, 3 harmful"), std::string::npos) << table;
  EXPECT_NE(table.find("held or rejected"), std::string::npos) << table;

  // In German the English rule does not apply: the first post is left to the classifier.
  auto de = EvaluateChain(screener, data, gold, "de");
  ASSERT_TRUE(de.ok());
  EXPECT_EQ(de->held.predicted(), 0);

  auto unknown = EvaluateChain(screener, {{"x", "mystery"}}, gold, "en");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("'mystery'"), std::string::npos);
}

TEST(LabelledCsv, ReadsColumnsByNameOrIndexAndSkipsEmptyRows) {
  TempDir dir("stoa-classifier-test");
  const std::string path = dir.File("data.csv");
  WriteAll(path,
           "\xEF\xBB\xBF\"id\";\"description\";\"vio\"\r\n"
           "\"1\";\"Zeile eins\nZeile zwei; mit \"\"Zitat\"\"\";\"nothing\"\r\n"
           "\"2\";\"\";\"nothing\"\r\n"
           "\"3\";\"text\";\" call2violence \"\r\n"
           "\"4\";\"no label\";\"\"\r\n");
  for (const auto& [text, label] : {std::pair<std::string, std::string>{"description", "vio"},
                                    {"1", "2"}}) {
    auto csv = ReadLabelledCsv(path, {text, label, ';'});
    ASSERT_TRUE(csv.ok()) << csv.status().message();
    ASSERT_EQ(csv->examples.size(), 2u);
    EXPECT_EQ(csv->examples[0].text, "Zeile eins\nZeile zwei; mit \"Zitat\"");
    EXPECT_EQ(csv->examples[1].label, "call2violence");
    EXPECT_EQ(csv->skipped, 2);
  }
  auto column = ReadLabelledCsv(path, {"text", "vio", ';'});
  ASSERT_FALSE(column.ok());
  EXPECT_NE(column.status().message().find("no column named 'text'"), std::string::npos);

  WriteAll(path, "text,label\n\"ok\",x\nshort\n");
  auto short_row = ReadLabelledCsv(path, {"text", "label", ','});
  ASSERT_FALSE(short_row.ok());
  EXPECT_NE(short_row.status().message().find("line 3: 1 fields"), std::string::npos);

  WriteAll(path, "text,label\n\"never closed,x\n");
  auto open_quote = ReadLabelledCsv(path, {"text", "label", ','});
  ASSERT_FALSE(open_quote.ok());
  EXPECT_NE(open_quote.status().message().find("line 2: a quoted field is never closed"),
            std::string::npos);
  EXPECT_EQ(ReadLabelledCsv(dir.File("none.csv"), {"a", "b", ','}).status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace stoa::screen
