// Training the classifier from labelled text (what `stoa train` and the quality evaluation run).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "screen/category.h"
#include "screen/classifier_file.h"

namespace stoa::screen {

// One training example: the original text (normalised by the trainer) and its label.
struct LabelledText {
  std::string text;
  std::string label;
};

// The labels that mean "harmless" when the caller names none: GermEval's `nothing`, and FALSE and
// 0 of binary data sets.
inline const std::vector<std::string> kDefaultNegativeLabels = {"nothing", "FALSE", "0"};

struct TrainingOptions {
  // Labels that mean harmless, compared ignoring ASCII case. At least one is expected in the data
  // but not required.
  std::vector<std::string> negative_labels = kDefaultNegativeLabels;
  // Which category each harmful label raises (exact label names); harmful labels not listed raise
  // `default_category`.
  std::vector<std::pair<std::string, Category>> category_map;
  Category default_category = Category::kViolence;
  float flag_threshold = 0.5f;
  float hold_threshold = 0.8f;
  ClassifierParameters parameters;
  // fastText only: unsupervised in-domain pretraining. When not empty, TrainClassifier first
  // trains skipgram word vectors (TrainWordVectors, parameters.pretrain_epoch passes) on these
  // texts plus the examples' texts (no labels are used) and starts the supervised training from
  // them; the model's vocabulary then holds the words of all those texts.
  std::vector<std::string> pretraining_texts;
  // fastText only: a .vec file of word vectors (TrainWordVectors) that the supervised training
  // starts from instead of random vectors; its dimension must be parameters.dim. Its words join
  // the model's vocabulary. Empty: none (or the vectors pretraining_texts gives).
  std::string pretrained_vectors;
  // Multi-task (fastText with the one-vs-all loss only): empty, or for each example the further
  // labels it also has (another annotation of the same post). They join the model as harmless
  // labels: they shape the shared vectors and raise no category. Their names must differ from the
  // examples' labels.
  std::vector<std::vector<std::string>> auxiliary_labels;
  // fastText only: rules files (their whole texts) whose rules become lexicon features
  // (classifier_features.h): each rule hitting an example adds a token to it, here and whenever
  // the model predicts, since the model file keeps the texts. Empty: none.
  std::vector<std::string> features;
};

// Unsupervised in-domain pretraining for fastText: trains skipgram word vectors (dimension
// parameters.dim, character n-grams parameters.minn..maxn, `epoch` passes, words seen at least
// twice) on `texts` (original texts, no labels; normalised and tokenised here exactly like the
// classifier's input) and writes
// them as a .vec text file to `path`. InvalidArgument for bad parameters or fewer than 10 texts;
// Internal when fastText fails or the files cannot be written. Returns the number of words.
Result<int64_t> TrainWordVectors(const std::vector<std::string>& texts,
                                 const ClassifierParameters& parameters, int epoch,
                                 const std::string& path);

// Parses "LABEL=CATEGORY,LABEL=CATEGORY" (categories by their names in category.h; spaces around
// items are ignored). InvalidArgument naming the bad item, an unknown category or a repeated label.
Result<std::vector<std::pair<std::string, Category>>> ParseCategoryMap(std::string_view text);

// Checks the ranges of the training parameters (dim 1..1000, epoch 1..1000, lr in (0, 10],
// word n-grams 1..5, 1 <= minn <= maxn <= 10 or maxn 0, bucket 1000..50,000,000 when n-grams are
// hashed, min_count 1..1000, upsample 1..100, threads 0..256, seed >= 0). InvalidArgument naming
// the parameter otherwise.
Status ValidateClassifierParameters(const ClassifierParameters& parameters);

// True when `label` is one of `negative_labels` (ignoring ASCII case).
bool IsNegativeLabel(std::string_view label, const std::vector<std::string>& negative_labels);

// The text as the classifier sees it: the screening chain's normalisation (normalize.h). Training,
// evaluation and the server all go through it, so they agree.
std::string NormalizeForClassifier(std::string_view original);

// Trains a fastText model on `examples` (their texts normalised with NormalizeForClassifier) and
// returns the model file. The labels of the model are the distinct labels of the examples, sorted
// by name. Uses a temporary directory (removed afterwards) because fastText trains from a file.
// InvalidArgument when: there are fewer than two distinct labels, no harmful label, an empty or
// non-UTF-8 label, a category-map entry names a label that does not occur or is negative, or the
// parameters are out of range. Internal when fastText fails (e.g. a learning rate so high that
// training diverges) or the temporary files cannot be written. Runs `parameters.threads` threads;
// with one thread the result depends only on the examples and the parameters.
Result<ClassifierFile> TrainClassifier(const std::vector<LabelledText>& examples,
                                       const TrainingOptions& options);

}  // namespace stoa::screen
