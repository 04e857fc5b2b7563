// `stoa train` and `stoa eval`: the classifier of the screening chain from labelled CSV, and its
// quality on labelled CSV (docs/screening.md, "Classifier").
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "screen/classifier_file.h"

namespace stoa::app {

class ScreenCommands {
 public:
  // Adds the two subcommands to `cli` (which must outlive this object).
  explicit ScreenCommands(CLI::App& cli);

  // After parsing: the exit code of the subcommand that was given (0 done, 1 failed, 2 bad
  // arguments, each with a one-line message on stderr), or nullopt when neither was.
  std::optional<int> Run() const;

 private:
  int Train() const;
  int Eval() const;

  CLI::App* train_ = nullptr;
  CLI::App* eval_ = nullptr;
  struct Options {
    std::string data, text_column, label_column, delimiter = ",", out, model, category_map;
    std::string loss = "softmax";
    std::string pretrain_text, pretrain_column;
    std::string rules, config, language;  // eval: the whole chain
    std::vector<std::string> features;    // train: lexicon features (rules files; "none")
    std::vector<std::string> negative;
    std::optional<float> flag_threshold, hold_threshold;
    std::optional<int> tune_folds;  // train: cross-validation folds for the thresholds (0: none)
    double flag_recall = 0.85;      // train: out-of-fold recall the tuned flag threshold reaches
    screen::ClassifierParameters parameters;
  };
  Options o_;
};

}  // namespace stoa::app
