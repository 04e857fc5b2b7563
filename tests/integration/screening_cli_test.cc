// `stoa train` and `stoa eval` through the real binary: a train -> eval round trip on the
// project's own examples (screening/examples.csv, screening/heldout.csv), GermEval-shaped input
// (semicolons, quoted multi-line fields, byte order mark, TRUE/FALSE labels), and every argument
// error answered with one line and exit code 2 (failures of the data or the model with 1).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "tests/integration/run_stoa.h"

namespace stoa::testing {
namespace {

namespace fs = std::filesystem;

class ScreeningCli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "stoa-screening-cli-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  std::string Write(const std::string& name, const std::string& content) const {
    std::ofstream(Path(name), std::ios::binary) << content;
    return Path(name);
  }

  static std::string Source(const std::string& relative) {
    return std::string(kSourceDir) + "/" + relative;
  }

  fs::path dir_;
};

// Precision and recall from the "any category" row under the given threshold heading.
std::pair<double, double> AnyCategory(const std::string& output, const std::string& heading) {
  const size_t at = output.find(heading);
  if (at == std::string::npos) return {-1, -1};
  std::smatch m;
  const std::string rest = output.substr(at);
  if (!std::regex_search(rest, m,
                         std::regex(R"(any category\s+\d+\s+\d+\s+([0-9.]+)\s+([0-9.]+))"))) {
    return {-1, -1};
  }
  return {std::stod(m[1]), std::stod(m[2])};
}

TEST_F(ScreeningCli, TrainsOnTheShippedExamplesAndEvaluatesOnHeldOutPosts) {
  const std::string model = Path("default.model");
  auto train =
      RunStoa("train --data " + Source("screening/examples.csv") +
              " --text-column text --label-column label --negative nothing"
              " --category-map violence=violence,threat=threat,incitement=incitement,"
              "glorification=glorification,terrorism=terrorism,spam=spam"
              " --epoch 100 --dim 32 --bucket 20000 --threads 1 --seed 1 --tune-folds 0 --out " +
              model);
  ASSERT_EQ(train.exit_code, 0) << train.output;
  EXPECT_NE(train.output.find("trained on 1689 examples (0 rows skipped"), std::string::npos)
      << train.output;
  EXPECT_NE(train.output.find("nothing (harmless) [1156]"), std::string::npos);
  EXPECT_NE(train.output.find("threat -> threat"), std::string::npos);
  ASSERT_TRUE(fs::exists(model));

  // Columns by index this time.
  auto eval = RunStoa("eval --model " + model + " --data " + Source("screening/heldout.csv") +
                      " --text-column 0 --label-column 1");
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  EXPECT_NE(eval.output.find("24 examples, 13 harmful"), std::string::npos) << eval.output;
  EXPECT_NE(eval.output.find("flag threshold 0.5 "), std::string::npos);
  EXPECT_NE(eval.output.find("hold threshold 0.8 "), std::string::npos);
  for (const char* row : {"violence", "threat", "incitement", "glorification", "terrorism", "spam",
                          "nothing"}) {
    EXPECT_NE(eval.output.find(std::string("\n") + row + " "), std::string::npos) << row;
  }
  // A sanity floor for the shipped model on posts it never saw (training is reproducible with
  // one thread, so this is deterministic): most harmful posts flagged, few harmless ones.
  const auto [precision, recall] = AnyCategory(eval.output, "flag threshold");
  EXPECT_GE(recall, 0.5) << eval.output;
  EXPECT_GE(precision, 0.7) << eval.output;

  auto lower = RunStoa("eval --model " + model + " --data " + Source("screening/heldout.csv") +
                       " --text-column text --label-column label --flag-threshold 0.3");
  ASSERT_EQ(lower.exit_code, 0) << lower.output;
  EXPECT_NE(lower.output.find("flag threshold 0.3 "), std::string::npos);
  EXPECT_GE(AnyCategory(lower.output, "flag threshold").second, recall);
}

TEST_F(ScreeningCli, ReadsGermEvalShapedCsv) {
  // Semicolons, quoted fields with doubled quotes and line breaks, CRLF, a byte order mark; the
  // label `nothing` is harmless by default and every other label raises violence.
  std::string csv = "\xEF\xBB\xBF\"id\";\"description\";\"vio\"\r\n";
  const char* harmful[] = {"schlagt sie alle tot", "zündet die häuser an", "holt die waffen raus",
                           "erschießt sie"};
  const char* harmless[] = {"schönes wetter heute", "wir trinken tee", "das \"\"konzert\"\" war gut",
                            "guten morgen\r\nzusammen"};
  int id = 0;
  for (int copy = 0; copy < 5; ++copy) {
    for (const char* t : harmful) {
      csv += "\"" + std::to_string(++id) + "\";\"" + t + "\";\"call2violence\"\r\n";
    }
    for (const char* t : harmless) {
      csv += "\"" + std::to_string(++id) + "\";\"" + t + "\";\"nothing\"\r\n";
    }
  }
  const std::string data = Write("vio.csv", csv);
  const std::string model = Path("vio.model");
  auto train = RunStoa("train --data " + data +
                       " --delimiter ';' --text-column description --label-column vio"
                       " --threads 1 --epoch 50 --out " + model);
  ASSERT_EQ(train.exit_code, 0) << train.output;
  EXPECT_NE(train.output.find("trained on 40 examples"), std::string::npos) << train.output;
  EXPECT_NE(train.output.find("call2violence -> violence [20], nothing (harmless) [20]"),
            std::string::npos)
      << train.output;
  auto eval = RunStoa("eval --model " + model + " --data " + data +
                      " --delimiter ';' --text-column description --label-column vio");
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  EXPECT_NE(eval.output.find("40 examples, 20 harmful"), std::string::npos) << eval.output;

  // TRUE/FALSE labels (GermEval's c2a): FALSE is harmless without saying so.
  std::string binary = "text,c2a\n";
  for (int copy = 0; copy < 5; ++copy) {
    for (const char* t : harmful) binary += std::string(t) + ",TRUE\n";
    for (const char* t : harmless) binary += "\"" + std::string(t) + "\",FALSE\n";
  }
  auto binary_train = RunStoa("train --data " + Write("c2a.csv", binary) +
                              " --text-column text --label-column c2a --threads 1 --out " +
                              Path("c2a.model"));
  ASSERT_EQ(binary_train.exit_code, 0) << binary_train.output;
  EXPECT_NE(binary_train.output.find("FALSE (harmless) [20], TRUE -> violence [20]"),
            std::string::npos)
      << binary_train.output;
}

TEST_F(ScreeningCli, TrainsWithTheShippedLexiconFeatures) {
  std::string csv = "text;label\n";
  const char* harmful[] = {"holt die knarren raus", "zündet die bude an", "an die laterne mit ihm"};
  const char* harmless[] = {"schönes wetter heute", "wir trinken tee", "das konzert war gut"};
  for (int copy = 0; copy < 5; ++copy) {
    for (const char* t : harmful) csv += std::string(t) + ";call2violence\n";
    for (const char* t : harmless) csv += std::string(t) + ";nothing\n";
  }
  const std::string data = Write("lex.csv", csv);
  const std::string model = Path("lex.model");
  const std::string train = "train --data " + data +
                            " --delimiter ';' --text-column text --label-column label"
                            " --threads 1 --epoch 30";
  const auto metadata_of = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string magic, metadata;
    std::getline(in, magic);
    std::getline(in, metadata);
    return metadata;
  };
  // By default the shipped lexicon and screening rules, found from the binary.
  auto by_default = RunStoa(train + " --out " + model);
  ASSERT_EQ(by_default.exit_code, 0) << by_default.output;
  EXPECT_TRUE(std::regex_search(by_default.output,
                                std::regex("lexicon features: 76 rules from \\S*rules/lexicon.rules, "
                                           "\\S*rules/stoa.rules \\(versions [^)]+\\)")))
      << by_default.output;
  // The model carries the features' text: it is all a server needs.
  EXPECT_NE(metadata_of(model).find("\"features\":[\"# stoa's lexicon features"), std::string::npos);
  // Given explicitly: the same model, byte for byte (one thread, same seed).
  auto explicit_file = RunStoa(train + " --features " + Source("rules/lexicon.rules") +
                               " --features " + Source("rules/stoa.rules") + " --out " +
                               Path("explicit.model"));
  ASSERT_EQ(explicit_file.exit_code, 0) << explicit_file.output;
  EXPECT_EQ(metadata_of(model), metadata_of(Path("explicit.model")));
  // Only the lexicon: 17 rules.
  auto lexicon_only = RunStoa(train + " --features " + Source("rules/lexicon.rules") + " --out " +
                              Path("lexicon.model"));
  ASSERT_EQ(lexicon_only.exit_code, 0) << lexicon_only.output;
  EXPECT_NE(lexicon_only.output.find("lexicon features: 17 rules from "), std::string::npos)
      << lexicon_only.output;
  // None.
  auto none = RunStoa(train + " --features none --out " + Path("plain.model"));
  ASSERT_EQ(none.exit_code, 0) << none.output;
  EXPECT_NE(none.output.find("lexicon features: none"), std::string::npos) << none.output;
  EXPECT_EQ(metadata_of(Path("plain.model")).find("\"features\""), std::string::npos);
  auto eval = RunStoa("eval --model " + model + " --data " + data +
                      " --delimiter ';' --text-column text --label-column label");
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  EXPECT_NE(eval.output.find("30 examples, 15 harmful"), std::string::npos) << eval.output;
}

TEST_F(ScreeningCli, ChoosesThresholdsByCrossValidationUnlessTold) {
  // Few harmful posts among many harmless ones, as on a real platform.
  std::string csv = "text;label\n";
  const char* harmful[] = {"schlagt sie alle tot", "zündet ihre häuser an", "holt die waffen raus",
                           "erschießt sie alle"};
  const char* harmless[] = {"schönes wetter heute",
                            "wir trinken tee",
                            "das konzert war gut",
                            "guten morgen zusammen",
                            "der zug hat verspätung",
                            "lecker kuchen",
                            "die waffen der kritik sind worte",
                            "schlagt das buch auf"};
  for (int copy = 0; copy < 4; ++copy) {
    for (const char* t : harmful)
      csv += std::string(t) + " " + std::to_string(copy) + ";call2violence\n";
    for (int k = 0; k < 3; ++k) {
      for (const char* t : harmless) {
        csv += std::string(t) + " " + std::to_string(copy * 3 + k) + ";nothing\n";
      }
    }
  }
  const std::string data = Write("few.csv", csv);
  const std::string train = "train --data " + data +
                            " --delimiter ';' --text-column text --label-column label"
                            " --threads 1 --epoch 20 --features none";
  const std::regex tuned_line(
      R"(thresholds: by (\d)-fold cross-validation, out of fold: flag ([0-9.e-]+) \(recall ([0-9.]+), )"
      R"(precision [0-9.]+, [0-9.]+% of posts\), hold ([0-9.e-]+) \(recall)");
  std::smatch m;

  auto by_default = RunStoa(train + " --out " + Path("tuned.model"));
  ASSERT_EQ(by_default.exit_code, 0) << by_default.output;
  ASSERT_TRUE(std::regex_search(by_default.output, m, tuned_line)) << by_default.output;
  EXPECT_EQ(m[1], "5");
  const double flag = std::stod(m[2]), recall = std::stod(m[3]), hold = std::stod(m[4]);
  EXPECT_GT(flag, 0);
  EXPECT_LE(flag, hold);
  EXPECT_LE(hold, 1);
  EXPECT_GE(recall, 0.85);  // the default --flag-recall
  for (int fold = 1; fold <= 5; ++fold) {
    EXPECT_NE(by_default.output.find("choosing thresholds: training fold " + std::to_string(fold) +
                                     " of 5"),
              std::string::npos);
  }
  // The model carries them and eval says where they came from.
  auto eval = RunStoa("eval --model " + Path("tuned.model") + " --data " + data +
                      " --delimiter ';' --text-column text --label-column label");
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  EXPECT_NE(eval.output.find("its thresholds: by 5-fold cross-validation"), std::string::npos)
      << eval.output;

  auto three = RunStoa(train + " --tune-folds 3 --flag-recall 0.5 --out " + Path("three.model"));
  ASSERT_EQ(three.exit_code, 0) << three.output;
  ASSERT_TRUE(std::regex_search(three.output, m, tuned_line)) << three.output;
  EXPECT_EQ(m[1], "3");
  EXPECT_GE(std::stod(m[3]), 0.5);

  // Not tuned: off, or given.
  auto off = RunStoa(train + " --tune-folds 0 --out " + Path("off.model"));
  ASSERT_EQ(off.exit_code, 0) << off.output;
  EXPECT_NE(off.output.find("thresholds: flag 0.5, hold 0.8 (not tuned)"), std::string::npos)
      << off.output;
  EXPECT_EQ(off.output.find("choosing thresholds"), std::string::npos);
  auto given =
      RunStoa(train + " --flag-threshold 0.3 --hold-threshold 0.7 --out " + Path("given.model"));
  ASSERT_EQ(given.exit_code, 0) << given.output;
  EXPECT_NE(given.output.find("thresholds: flag 0.3, hold 0.7 (not tuned)"), std::string::npos)
      << given.output;
  auto both = RunStoa(train + " --tune-folds 3 --hold-threshold 0.7 --out " + Path("both.model"));
  EXPECT_EQ(both.exit_code, 2) << both.output;
  EXPECT_NE(both.output.find("--tune-folds chooses the thresholds"), std::string::npos);
  EXPECT_FALSE(fs::exists(Path("both.model")));

  // Too few harmful examples for the folds: said, and the model gets the plain defaults.
  const std::string scarce =
      Write("scarce.csv",
            "text;label\nschlagt sie tot;call2violence\nwir trinken tee;nothing\n"
            "holt die waffen;call2violence\nschönes wetter;nothing\n");
  auto few = RunStoa("train --data " + scarce +
                     " --delimiter ';' --text-column text --label-column label --threads 1"
                     " --features none --out " +
                     Path("few.model"));
  ASSERT_EQ(few.exit_code, 0) << few.output;
  EXPECT_NE(few.output.find("2 harmful examples are too few for 5-fold cross-validation (10 "
                            "needed); the model gets flag 0.5 and hold 0.8"),
            std::string::npos)
      << few.output;
}

TEST_F(ScreeningCli, PretrainsWordVectorsOnUnlabelledText) {
  std::string labelled = "text;label\n";
  std::string unlabelled = "id;post\n";
  const char* harmful[] = {"schlagt sie alle tot", "zündet die häuser an", "holt die waffen raus"};
  const char* harmless[] = {"schönes wetter heute", "wir trinken tee", "das konzert war gut"};
  for (int copy = 0; copy < 5; ++copy) {
    for (const char* t : harmful) labelled += std::string(t) + ";call2violence\n";
    for (const char* t : harmless) labelled += std::string(t) + ";nothing\n";
    unlabelled += std::to_string(copy) + ";\"die waffen raus, schlagt sie tot\"\n";
    unlabelled += std::to_string(copy) + ";tee und konzert bei schönem wetter\n";
    unlabelled += std::to_string(copy) + ";\n";  // empty: skipped
  }
  const std::string data = Write("labelled.csv", labelled);
  const std::string text = Write("unlabelled.csv", unlabelled);
  const std::string model = Path("pretrained.model");
  auto train = RunStoa("train --data " + data +
                       " --delimiter ';' --text-column text --label-column label --threads 1"
                       " --epoch 50 --pretrain-text " + text + " --pretrain-column post"
                       " --pretrain-epoch 3 --out " + model);
  ASSERT_EQ(train.exit_code, 0) << train.output;
  // 10 unlabelled texts and the 30 examples.
  EXPECT_NE(train.output.find("pretrained word vectors on 40 texts (10 unlabelled, 3 passes)"),
            std::string::npos)
      << train.output;
  auto eval = RunStoa("eval --model " + model + " --data " + data +
                      " --delimiter ';' --text-column text --label-column label");
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  EXPECT_NE(eval.output.find("30 examples, 15 harmful"), std::string::npos) << eval.output;

  const std::string base = "train --data " + data +
                           " --delimiter ';' --text-column text --label-column label --out " +
                           Path("x.model");
  auto no_text = RunStoa(base + " --pretrain-column post");
  EXPECT_EQ(no_text.exit_code, 2) << no_text.output;
  EXPECT_NE(no_text.output.find("--pretrain-column needs --pretrain-text"), std::string::npos);
  // Without --pretrain-column the text column's name (here absent from the file) is used.
  auto wrong_column = RunStoa(base + " --pretrain-text " + text);
  EXPECT_EQ(wrong_column.exit_code, 2) << wrong_column.output;
  EXPECT_NE(wrong_column.output.find("--pretrain-text:"), std::string::npos) << wrong_column.output;
  EXPECT_FALSE(fs::exists(Path("x.model")));
}

TEST_F(ScreeningCli, ArgumentErrorsExitWithTwoAndOneLine) {
  const std::string data = Write("d.csv", "text,label\nsmash them,bad\nnice day,nothing\n"
                                          "smash it,bad\nlovely tea,nothing\n");
  const std::string base = "train --data " + data + " --text-column text --label-column label";
  const std::string out = " --out " + Path("m.model");
  struct Case {
    std::string args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {base, "--out is required"},
      {"train --data " + Path("missing.csv") + " --text-column text --label-column label" + out,
       "missing.csv"},
      {"train --data " + data + " --text-column body --label-column label" + out,
       "--text-column: no column named 'body' (the header has 'text', 'label')"},
      {"train --data " + data + " --text-column 7 --label-column label" + out, "out of range"},
      {"train --data " + data + " --text-column text --label-column text" + out, "same column"},
      {base + " --delimiter ';;'" + out, "--delimiter: the delimiter must be one character"},
      {base + " --category-map bad=hate" + out, "--category-map: unknown category 'hate'"},
      {base + " --category-map bda=threat" + out, "'bda', which does not occur in the data"},
      {base + " --flag-threshold 0.9 --hold-threshold 0.5" + out,
       "--flag-threshold must not exceed --hold-threshold"},
      {base + " --flag-threshold 1.5" + out, "thresholds must be in (0, 1]"},
      {base + " --tune-folds 1" + out, "--tune-folds must be 0 or 2 to 20"},
      {base + " --tune-folds 21" + out, "--tune-folds"},
      {base + " --flag-recall 0" + out, "--flag-recall"},
      {base + " --loss hinge" + out, "--loss must be softmax or ova"},
      {base + " --dim 0" + out, "dim must be 1..1000"},
      {base + " --minn 6 --maxn 3" + out, "character n-grams need"},
      {base + " --negative bad,nothing" + out, "no label raises a screening category"},
      {base + " --epoch many" + out, "--epoch"},
      {base + " --features " + Path("missing.rules") + out, "--features"},
      {base + " --features " +
           Write("bad.rules",
                 "stoa-rules 1\nversion = x\n[rule a]\ncategory = violent\n"
                 "languages = any\nweight = 2\nmax_verdict = hold\npattern = x\n") +
           out,
       "--features: " + Path("bad.rules") + ":"},
      {"eval --model " + Path("none.model") + " --data " + data +
           " --text-column text --label-column label",
       "none.model"},
  };
  for (const Case& c : cases) {
    auto r = RunStoa(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.message), std::string::npos) << c.args << "\n" << r.output;
    EXPECT_TRUE(r.output.starts_with("stoa: ")) << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
    EXPECT_FALSE(fs::exists(Path("m.model"))) << c.args;
  }

  // A model that fits: eval's own argument errors.
  ASSERT_EQ(RunStoa(base + " --threads 1" + out).exit_code, 0);
  const std::string model = " --model " + Path("m.model");
  const std::string other = Write("other.csv", "text,label\nhello,mystery\n");
  auto unknown_label =
      RunStoa("eval" + model + " --data " + other + " --text-column text --label-column label");
  EXPECT_EQ(unknown_label.exit_code, 2) << unknown_label.output;
  EXPECT_NE(unknown_label.output.find("'mystery' is neither a label of the model"),
            std::string::npos);
  auto made_negative = RunStoa("eval" + model + " --data " + other +
                               " --text-column text --label-column label --negative mystery");
  EXPECT_EQ(made_negative.exit_code, 0) << made_negative.output;
  auto thresholds = RunStoa("eval" + model + " --data " + data +
                            " --text-column text --label-column label --hold-threshold 0.01");
  EXPECT_EQ(thresholds.exit_code, 2) << thresholds.output;
  const std::string eval = "eval" + model + " --data " + data + " --text-column text --label-column label";
  for (const auto& [args, message] : std::vector<std::pair<std::string, std::string>>{
           {eval + " --language de", "--config and --language are for the chain: give --rules too"},
           {eval + " --category-map bad=hate", "--category-map: unknown category 'hate'"},
           {eval + " --rules " + Path("none.rules"), "none.rules"},
           {eval + " --rules " + Source("rules/stoa.rules") + " --config " + Write("bad.toml", "[screening]\nviolence = \"x\"\n"),
            "screening.violence"}}) {
    auto r = RunStoa(args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos) << args << "\n" << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  }
}

TEST_F(ScreeningCli, EvalMapsTheDataLabelsAndRunsTheWholeChain) {
  // GermEval-shaped labels the model does not have; the shipped rules hold the first post.
  std::string csv = "\"id\";\"description\";\"vio\"\n";
  const std::pair<const char*, const char*> posts[] = {
      {"Die gehören alle erschossen, und zwar sofort!", "call2violence"},
      {"schlagt sie alle tot", "call2violence"},
      {"das war ja klar, die üblichen verdächtigen", "other"},
      {"schönes wetter heute", "nothing"},
      {"wir trinken tee", "nothing"},
      {"das konzert war gut", "nothing"},
  };
  int id = 0;
  for (const auto& [text, label] : posts) {
    csv += "\"" + std::to_string(++id) + "\";\"" + text + "\";\"" + label + "\"\n";
  }
  const std::string data = Write("vio.csv", csv);
  const std::string model = Path("vio.model");
  ASSERT_EQ(RunStoa("train --data " + data + " --delimiter ';' --text-column description"
                    " --label-column vio --threads 1 --epoch 20 --out " + model)
                .exit_code,
            0);
  const std::string eval = "eval --model " + model + " --data " + data +
                           " --delimiter ';' --text-column description --label-column vio";
  // Trained with every harmful label raising violence, evaluated with "other" mapped to threat.
  auto mapped = RunStoa(eval + " --category-map other=threat");
  ASSERT_EQ(mapped.exit_code, 0) << mapped.output;
  EXPECT_NE(mapped.output.find("6 examples, 3 harmful"), std::string::npos) << mapped.output;
  EXPECT_NE(mapped.output.find("average precision (highest category score, harmful ranked "
                               "first): "),
            std::string::npos)
      << mapped.output;
  EXPECT_EQ(mapped.output.find("screening chain"), std::string::npos);

  auto chain = RunStoa(eval + " --rules " + Source("rules/stoa.rules") + " --language de");
  ASSERT_EQ(chain.exit_code, 0) << chain.output;
  EXPECT_NE(chain.output.find("policy of the default configuration"), std::string::npos)
      << chain.output;
  EXPECT_NE(chain.output.find("screening chain (rules, classifier, policy; surge off): 6 posts, 3 "
                              "harmful"),
            std::string::npos)
      << chain.output;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(chain.output, m, std::regex(R"(\nhold\s+(\d+)\s+(\d+))")))
      << chain.output;
  EXPECT_EQ(m[1], "0") << chain.output;  // no harmless post held
  EXPECT_EQ(m[2], "1") << chain.output;  // the shipped rules hold the explicit call
  EXPECT_TRUE(std::regex_search(chain.output, std::regex(R"(flagged by a rule\s+[0-9.]+% +[1-9])")))
      << chain.output;

  // The configuration's thresholds are the chain's: with holds off for violence, nothing is held.
  const std::string config = Write("lenient.toml", "[screening]\nviolence = \"0.5/off/off\"\n");
  auto lenient = RunStoa(eval + " --rules " + Source("rules/stoa.rules") + " --language de --config " + config);
  ASSERT_EQ(lenient.exit_code, 0) << lenient.output;
  EXPECT_NE(lenient.output.find("policy of " + config), std::string::npos) << lenient.output;
  ASSERT_TRUE(std::regex_search(lenient.output, m, std::regex(R"(\nhold\s+(\d+)\s+(\d+))")));
  EXPECT_EQ(m[2], "0") << lenient.output;
}

TEST_F(ScreeningCli, FailuresOfDataOrModelExitWithOne) {
  const std::string broken = Write("broken.csv", "text,label\n\"fine\",bad\n\"never closed,x\n");
  auto train = RunStoa("train --data " + broken + " --text-column text --label-column label --out " +
                       Path("m.model"));
  EXPECT_EQ(train.exit_code, 1) << train.output;
  EXPECT_NE(train.output.find("line 3: a quoted field is never closed"), std::string::npos)
      << train.output;

  const std::string not_a_model = Write("fake.model", "stoa-classifier 1\n{}\n");
  const std::string data = Write("d.csv", "text,label\nhello,nothing\n");
  auto eval = RunStoa("eval --model " + not_a_model + " --data " + data +
                      " --text-column text --label-column label");
  EXPECT_EQ(eval.exit_code, 1) << eval.output;
  EXPECT_NE(eval.output.find("is not a usable stoa classifier"), std::string::npos) << eval.output;

  // The output directory does not exist: nothing written, exit 1.
  const std::string data2 = Write("d2.csv", "text,label\nsmash them,bad\nnice day,nothing\n");
  auto unwritable = RunStoa("train --data " + data2 + " --text-column text --label-column label" +
                            " --threads 1 --out " + Path("no/such/dir/m.model"));
  EXPECT_EQ(unwritable.exit_code, 1) << unwritable.output;
}

}  // namespace
}  // namespace stoa::testing
