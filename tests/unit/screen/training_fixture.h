// Set-up shared by the classifier tests (classifier_test.cc, linear_model_test.cc): a temporary
// directory that removes itself, and a small labelled data set with the training options both
// model kinds start from.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "screen/classifier_trainer.h"

namespace stoa::testing {

// A fresh directory under the system's temporary directory (mkdtemp, so unique per process and
// test), removed with everything in it when the object goes.
class TempDir {
 public:
  // `prefix` names the directory (e.g. "stoa-classifier-test") so a leftover shows its owner.
  explicit TempDir(const std::string& prefix) {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    EXPECT_NE(::mkdtemp(pattern.data()), nullptr);
    path_ = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Three clearly separable classes in German and English, each with its own vocabulary.
inline std::vector<screen::LabelledText> ToyExamples() {
  const std::vector<std::pair<std::string, std::vector<std::string>>> classes = {
      {"calm",
       {"lovely sunny weather in the park today", "we baked bread and drank tea together",
        "schönes wetter heute im park", "wir backen brot und trinken tee",
        "the garden flowers are blooming nicely", "die blumen im garten blühen schön",
        "reading a quiet book by the lake", "ein ruhiges buch am see lesen"}},
      {"attack",
       {"smash them crush them destroy them", "zerschlagt sie vernichtet sie zerstört sie",
        "destroy crush smash their homes", "vernichtet zerschlagt zerstört ihre häuser",
        "crush the enemy smash the enemy", "zerstört den feind zerschlagt den feind",
        "smash smash destroy now", "zerschlagt zerstört vernichtet jetzt"}},
      {"advert",
       {"buy cheap pills click link now", "kauft billige pillen klickt den link",
        "cheap offer click buy now discount", "billiges angebot klick kaufen rabatt",
        "click here buy cheap watches", "hier klicken billig uhren kaufen",
        "discount discount buy click", "rabatt rabatt kaufen klicken"}},
  };
  std::vector<screen::LabelledText> out;
  for (int copy = 0; copy < 3; ++copy) {
    for (const auto& [label, texts] : classes) {
      for (const auto& text : texts) out.push_back({text, label});
    }
  }
  return out;
}

// The labels, categories and thresholds for ToyExamples(); callers set the model parameters.
inline screen::TrainingOptions ToyLabelOptions() {
  screen::TrainingOptions o;
  o.negative_labels = {"calm"};
  o.category_map = {{"attack", screen::Category::kViolence}, {"advert", screen::Category::kSpam}};
  o.flag_threshold = 0.4f;
  o.hold_threshold = 0.9f;
  return o;
}

// ToyLabelOptions with a small fastText that trains reproducibly (one thread, `seed`, `epoch`
// passes, 10,000 buckets).
inline screen::TrainingOptions ToyTrainingOptions(int seed, int epoch) {
  screen::TrainingOptions o = ToyLabelOptions();
  o.parameters.threads = 1;
  o.parameters.seed = seed;
  o.parameters.epoch = epoch;
  o.parameters.bucket = 10000;
  return o;
}

}  // namespace stoa::testing
