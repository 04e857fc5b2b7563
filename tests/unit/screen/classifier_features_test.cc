// Lexicon features of the classifier (classifier_features.h): rules whose hits become tokens,
// kept in the model file, used the same way in training and prediction.
#include "screen/classifier_features.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "screen/classifier.h"
#include "screen/classifier_file.h"
#include "screen/classifier_holder.h"
#include "screen/classifier_trainer.h"
#include "screen/normalize.h"
#include "screen/rules_holder.h"
#include "screen/screener.h"
#include "training_fixture.h"

namespace stoa::screen {
namespace {

using stoa::testing::TempDir;

// A family of made-up words, so that nothing but the feature links them.
constexpr std::string_view kFeatures = R"(stoa-rules 1
version = features-test.1

[rule lex.family]
category = violence
languages = any
weight = 0.01
max_verdict = publish_and_flag
pattern = \b(?:xylor|quabin|plemfo|zuptik|vornak)\b
example = ein xylor hier

[rule lex.other]
category = violence
languages = any
weight = 0.01
max_verdict = publish_and_flag
pattern = \bgrumbel\b
)";

constexpr std::string_view kMore = R"(stoa-rules 1
version = more.2

[rule more.word]
category = spam
languages = de
weight = 0.1
max_verdict = publish_and_flag
pattern = \bhopsala\b
)";

TEST(ClassifierFeatures, OneTokenPerRuleThatHitsFileByFileInRuleOrder) {
  auto f = ClassifierFeatures::Parse({std::string(kFeatures), std::string(kMore)});
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ((*f)->texts(), (std::vector<std::string>{std::string(kFeatures), std::string(kMore)}));
  EXPECT_EQ((*f)->rule_count(), 3u);
  EXPECT_EQ((*f)->versions(), "features-test.1, more.2");
  std::vector<std::string_view> tokens;
  // Every rule of every file, whatever its languages.
  ASSERT_TRUE(
      (*f)->Tokens(Normalize("Hopsala, grumbel! xylor und quabin und XYLOR").text, &tokens).ok());
  EXPECT_EQ(tokens, (std::vector<std::string_view>{"#lex.family", "#lex.other", "#more.word"}));
  ASSERT_TRUE((*f)->Tokens(Normalize("nichts davon").text, &tokens).ok());
  EXPECT_TRUE(tokens.empty());
}

TEST(ClassifierFeatures, TheSameTextsInUseAreCompiledOnce) {
  const std::vector<std::string> texts = {std::string(kFeatures), std::string(kMore)};
  auto first = ClassifierFeatures::Parse(texts);
  ASSERT_TRUE(first.ok()) << first.status().message();
  auto again = ClassifierFeatures::Parse(texts, {"named.rules", "other.rules"});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(first->get(), again->get());
  auto other = ClassifierFeatures::Parse({std::string(kFeatures)});
  ASSERT_TRUE(other.ok());
  EXPECT_NE(first->get(), other->get());
  EXPECT_EQ((*other)->rule_count(), 2u);
  // Errors are never cached: a broken text is refused every time, naming its source.
  const std::string broken = std::string(kMore) + "\n[rule more.word]\n";
  for (const char* source : {"a.rules", "b.rules"}) {
    auto refused = ClassifierFeatures::Parse({broken}, {source});
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.status().message().find(source), std::string::npos)
        << refused.status().message();
  }
}

TEST(ClassifierFeatures, InvalidRulesAreRefusedWithTheLine) {
  auto f = ClassifierFeatures::Parse(
      {std::string(kFeatures), "stoa-rules 1\nversion = x\n[rule a]\ncategory = nope\n"},
      {"good.rules", "bad.rules"});
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("bad.rules:4"), std::string::npos) << f.status().message();
  // One token per name: a name in two files is refused.
  auto twice = ClassifierFeatures::Parse({std::string(kFeatures), std::string(kFeatures)});
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("features #2: rule \"lex.family\" is also in another"),
            std::string::npos)
      << twice.status().message();
  TempDir dir("stoa-features-test");
  auto missing = ClassifierFeatures::Load({dir.File("none.rules")});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

// Harmful examples use three words of the family, harmless ones ordinary words; the test posts
// use the family's two other words, which no example has.
std::vector<LabelledText> FamilyExamples() {
  std::vector<LabelledText> out;
  const char* harmful[] = {"xylor sie jetzt", "quabin die leute", "plemfo alle heute",
                           "los xylor sie", "jetzt quabin sie", "alle plemfo jetzt"};
  const char* harmless[] = {"sie trinken tee jetzt", "die leute lesen heute", "alle singen jetzt",
                            "wir backen brot", "heute regnet es", "los geht die reise"};
  for (int copy = 0; copy < 4; ++copy) {
    for (const char* t : harmful) out.push_back({t, "bad"});
    for (const char* t : harmless) out.push_back({t, "fine"});
  }
  return out;
}

TrainingOptions FamilyOptions(std::vector<std::string> features) {
  TrainingOptions o;
  o.negative_labels = {"fine"};
  o.parameters.threads = 1;
  o.parameters.seed = 3;
  o.parameters.epoch = 50;
  o.parameters.dim = 8;
  o.parameters.maxn = 0;  // no character n-grams: unseen words carry nothing of their own
  o.parameters.word_ngrams = 1;
  o.features = std::move(features);
  return o;
}

float Score(const Classifier& c, std::string_view text) {
  return c.Predict(Normalize(text).text)[Category::kViolence];
}

TEST(ClassifierFeatures, AFamilyLearnedFromSomeWordsCarriesToTheOthers) {
  auto with = TrainClassifier(FamilyExamples(), FamilyOptions({std::string(kFeatures)}));
  ASSERT_TRUE(with.ok()) << with.status().message();
  auto without = TrainClassifier(FamilyExamples(), FamilyOptions({}));
  ASSERT_TRUE(without.ok()) << without.status().message();
  EXPECT_EQ(with->metadata.features, std::vector<std::string>{std::string(kFeatures)});
  EXPECT_TRUE(without->metadata.features.empty());

  // Through the file, as the server loads it.
  TempDir dir("stoa-features-test");
  const std::string path = dir.File("m.model");
  ASSERT_TRUE(WriteClassifierFile(path, *with).ok());
  auto loaded = Classifier::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ((*loaded)->metadata().features, std::vector<std::string>{std::string(kFeatures)});
  auto plain = Classifier::FromFile(*without);
  ASSERT_TRUE(plain.ok());

  for (const char* unseen : {"zuptik sie jetzt", "vornak die leute"}) {
    EXPECT_GT(Score(**loaded, unseen), 0.8f) << unseen;
    EXPECT_LT(Score(**plain, unseen), 0.8f) << unseen;
    EXPECT_GT(Score(**loaded, unseen), Score(**plain, unseen) + 0.2f) << unseen;
  }
  EXPECT_LT(Score(**loaded, "wir trinken tee"), 0.2f);
  // The model's version covers its features.
  EXPECT_NE(with->version, without->version);
}

// When the model reads the screening rules as features, the chain scans once and gives the model
// their hits: the same scores, hits and tokens as two separate scans, in any language.
TEST(ClassifierFeatures, TheChainSharesItsScanWithAModelReadingTheSameRules) {
  auto trained = TrainClassifier(FamilyExamples(),
                                 FamilyOptions({std::string(kFeatures), std::string(kMore)}));
  ASSERT_TRUE(trained.ok()) << trained.status().message();
  auto model = Classifier::FromFile(*trained);
  ASSERT_TRUE(model.ok()) << model.status().message();
  auto rules = RuleSet::Parse(kMore, "more.rules");  // the same text as the model's second file
  ASSERT_TRUE(rules.ok()) << rules.status().message();
  auto other = RuleSet::Parse(std::string(kMore) + "\n", "more.rules");  // a byte more
  ASSERT_TRUE(other.ok());
  EXPECT_EQ((*model)->features()->FileLike(**rules), std::optional<size_t>(1));
  EXPECT_EQ((*model)->features()->FileLike(**other), std::nullopt);

  const RulesHolder rules_holder(*rules);
  const ClassifierHolder model_holder(*model);
  const Screener screener(rules_holder, model_holder, PolicySettings{});
  for (const char* text : {"hopsala zuptik", "Hopsala!", "wir trinken tee", "grumbel hopsala"}) {
    // more.word is a German rule: an English post has no hit, but the model's feature (any
    // language) still counts it.
    for (const char* language : {"de", "en", ""}) {
      Screening s;
      ASSERT_TRUE(screener.Screen(text, language, false, &s).ok());
      const std::string normalized = Normalize(text).text;
      EXPECT_EQ(s.classifier, (*model)->Predict(normalized)) << text << " " << language;
      std::vector<RuleHit> hits;
      ASSERT_TRUE((*rules)->Match(normalized, language, &hits).ok());
      ASSERT_EQ(s.hits.size(), hits.size()) << text << " " << language;
      for (size_t i = 0; i < hits.size(); ++i) {
        EXPECT_EQ(s.hits[i].rule, hits[i].rule);
        EXPECT_EQ(s.hits[i].start, hits[i].start);
        EXPECT_EQ(s.hits[i].end, hits[i].end);
      }
      // Match's all_rules is MatchedRules for an untagged post.
      std::vector<uint32_t> all, untagged;
      ASSERT_TRUE((*rules)->Match(normalized, language, &hits, &all).ok());
      ASSERT_TRUE((*rules)->MatchedRules(normalized, "", &untagged).ok());
      EXPECT_EQ(all, untagged) << text << " " << language;
    }
  }
  Screening english;
  ASSERT_TRUE(screener.Screen("hopsala", "en", false, &english).ok());
  EXPECT_TRUE(english.hits.empty());
  Screening german;
  ASSERT_TRUE(screener.Screen("hopsala", "de", false, &german).ok());
  EXPECT_EQ(german.hits.size(), 1u);
  EXPECT_EQ(english.classifier, german.classifier);
}

TEST(ClassifierFeatures, ABrokenFeaturesTextOrALinearModelIsRefused) {
  auto trained = TrainClassifier(FamilyExamples(), FamilyOptions({std::string(kFeatures)}));
  ASSERT_TRUE(trained.ok()) << trained.status().message();
  ClassifierFile broken = *trained;
  broken.metadata.features = {"stoa-rules 1\nversion = x\n[rule a]\n"};
  auto refused = Classifier::FromFile(broken);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("the model's features"), std::string::npos)
      << refused.status().message();

  TrainingOptions linear = FamilyOptions({std::string(kFeatures)});
  linear.parameters.model = ClassifierModel::kLinear;
  auto no = TrainClassifier(FamilyExamples(), linear);
  ASSERT_FALSE(no.ok());
  EXPECT_NE(no.status().message().find("lexicon features need a fastText model"), std::string::npos);

  auto bad = TrainClassifier(FamilyExamples(), FamilyOptions({"not a rules file"}));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace stoa::screen
