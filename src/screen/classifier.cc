#include "screen/classifier.h"

#include <fasttext/fasttext.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <sstream>

#include "screen/classifier_features.h"
#include "screen/classifier_tokens.h"
#include "screen/fasttext_input.h"
#include "screen/linear_model.h"

namespace stoa::screen {
namespace {

constexpr std::string_view kLabelPrefix = "__label__";

}  // namespace

namespace detail {

// fastText loads a model from a stream only after the file's magic number and version have been
// checked by a protected member; this exposes that pair.
class LoadableFastText : public fasttext::FastText {
 public:
  // Returns false when the stream does not start with a fastText model header. fastText throws
  // std::exception subclasses for damaged content.
  bool LoadFrom(std::istream& in) {
    if (!checkModel(in)) return false;
    loadModel(in);
    return true;
  }
};

}  // namespace detail

Classifier::~Classifier() = default;

Result<std::shared_ptr<const Classifier>> Classifier::Load(const std::string& path) {
  ASSIGN_OR_RETURN(ClassifierFile file, ReadClassifierFile(path));
  auto loaded = FromFile(file);
  if (!loaded.ok()) return InvalidArgument(path + ": " + loaded.status().message());
  return loaded;
}

Result<std::shared_ptr<const Classifier>> Classifier::FromFile(const ClassifierFile& file) {
  RETURN_IF_ERROR(ValidateClassifierMetadata(file.metadata));
  std::shared_ptr<Classifier> c(new Classifier());
  c->metadata_ = file.metadata;
  c->version_ = file.version;
  if (!file.metadata.features.empty()) {
    if (file.metadata.parameters.model != ClassifierModel::kFastText) {
      return InvalidArgument("lexicon features need a fastText model");
    }
    auto features = ClassifierFeatures::Parse(file.metadata.features);
    if (!features.ok()) return InvalidArgument("the model's features: " + features.status().message());
    c->features_ = std::move(features).value();
  }
  if (file.metadata.parameters.model == ClassifierModel::kLinear) {
    auto linear = LinearModel::Parse(file.model_bytes);
    if (!linear.ok()) return linear.status();
    c->linear_heads_ = LinearHeads::Of(file.metadata);
    if (linear->heads() != c->linear_heads_.count()) {
      return InvalidArgument("the linear model has " + std::to_string(linear->heads()) +
                             " outputs, its labels need " + std::to_string(c->linear_heads_.count()));
    }
    c->linear_ = std::make_unique<const LinearModel>(std::move(linear).value());
    return std::shared_ptr<const Classifier>(std::move(c));
  }
  auto model = std::make_unique<detail::LoadableFastText>();
  try {
    std::istringstream in(file.model_bytes);
    if (!model->LoadFrom(in)) return InvalidArgument("the fastText part is not a fastText model");
    // Everything must have been read: a longer part means a different file layout.
    if (in.peek() != std::char_traits<char>::eof()) {
      return InvalidArgument("the fastText part has trailing bytes");
    }
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("fastText cannot load the model: ") + e.what());
  }
  const fasttext::Args args = model->getArgs();
  if (args.model != fasttext::model_name::sup) {
    return InvalidArgument("the fastText model is not a supervised classifier");
  }
  if (model->isQuant()) return InvalidArgument("quantised fastText models are not supported");
  const bool ova = args.loss == fasttext::loss_name::ova;
  if (args.loss != fasttext::loss_name::softmax && !ova) {
    return InvalidArgument("the fastText model must use the softmax or one-vs-all loss");
  }
  if (ova != (file.metadata.parameters.loss == ClassifierLoss::kOneVsAll)) {
    return InvalidArgument("the metadata and the fastText model disagree about the loss");
  }
  auto dict = model->getDictionary();
  const size_t labels = file.metadata.labels.size();
  if (static_cast<size_t>(dict->nlabels()) != labels) {
    return InvalidArgument("the fastText model has " + std::to_string(dict->nlabels()) +
                           " labels, the metadata " + std::to_string(labels));
  }
  std::vector<bool> seen(labels, false);
  for (int32_t i = 0; i < dict->nlabels(); ++i) {
    const std::string name = dict->getLabel(i);
    size_t index = labels;
    if (name.starts_with(kLabelPrefix)) {
      const std::string digits = name.substr(kLabelPrefix.size());
      if (!digits.empty() && digits.size() < 6 &&
          std::all_of(digits.begin(), digits.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
        index = static_cast<size_t>(std::stoul(digits));
      }
    }
    if (index >= labels || seen[index]) {
      return InvalidArgument("the fastText model's label '" + name + "' is not in the metadata");
    }
    seen[index] = true;
    c->label_of_.push_back(index);
  }
  if ((args.wordNgrams > 1 || args.maxn > 0) && args.bucket <= 0) {
    return InvalidArgument("the fastText model uses n-grams without hash buckets");
  }
  try {
    auto scorer = detail::FastTextScorer::Build(
        *dict, *model->getInputMatrix(), *model->getOutputMatrix(), args.minn, args.maxn,
        args.bucket, args.wordNgrams,
        ova ? detail::FastTextScorer::Output::kOneVsAll : detail::FastTextScorer::Output::kSoftmax);
    if (!scorer.ok()) return scorer.status();
    c->scorer_ = std::make_unique<const detail::FastTextScorer>(std::move(scorer).value());
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("fastText cannot give the model's matrices: ") + e.what());
  }
  return std::shared_ptr<const Classifier>(std::move(c));
}

void Classifier::PredictLabels(std::string_view normalized_text, std::span<float> out,
                               const ClassifierFeatures::KnownHits* known) const {
  if (linear_) {
    float heads[kMaxLinearHeads];
    linear_->Predict(normalized_text, std::span<float>(heads, linear_->heads()));
    std::copy_n(heads, out.size(), out.begin());
    return;
  }
  // The probabilities of fastText's labels, in their order, then in the metadata's.
  constexpr size_t kStackLabels = 32;
  float stack[kStackLabels];
  std::vector<float> heap;
  std::span<float> fasttext_order(stack, std::min(out.size(), kStackLabels));
  if (out.size() > kStackLabels) {
    heap.resize(out.size());
    fasttext_order = heap;
  }
  // The words of the text, then one token per lexicon feature that hits it. A feature that
  // cannot be matched (Hyperscan out of scratch memory) is left out: the text still counts.
  thread_local std::vector<std::string_view> feature_tokens;
  feature_tokens.clear();
  if (features_ && !features_->Tokens(normalized_text, &feature_tokens, known).ok()) {
    feature_tokens.clear();
  }
  scorer_->Predict(
      [&](auto&& emit) {
        ForEachClassifierToken(normalized_text, emit);
        for (std::string_view token : feature_tokens) emit(token);
      },
      fasttext_order);
  for (size_t i = 0; i < fasttext_order.size(); ++i) out[label_of_[i]] = fasttext_order[i];
}

std::vector<float> Classifier::PredictLabels(std::string_view normalized_text) const {
  std::vector<float> out(metadata_.labels.size());
  PredictLabels(normalized_text, out);
  return out;
}

CategoryScores Classifier::Predict(std::string_view normalized_text,
                                   std::span<float> label_probabilities,
                                   const ClassifierFeatures::KnownHits* known) const {
  CategoryScores scores;
  if (linear_) {
    float heads[kMaxLinearHeads];
    linear_->Predict(normalized_text, std::span<float>(heads, linear_->heads()));
    std::copy_n(heads, label_probabilities.size(), label_probabilities.begin());
    for (Category c : kAllCategories) {
      const size_t head = linear_heads_.CategoryHead(c);
      if (head < linear_->heads()) scores[c] = heads[head];
    }
    return scores;
  }
  PredictLabels(normalized_text, label_probabilities, known);
  const bool sum = metadata_.parameters.loss == ClassifierLoss::kSoftmax;
  for (size_t i = 0; i < label_probabilities.size(); ++i) {
    const auto& category = metadata_.labels[i].category;
    if (!category) continue;
    float& s = scores[*category];
    s = sum ? std::min(1.0f, s + label_probabilities[i]) : std::max(s, label_probabilities[i]);
  }
  return scores;
}

CategoryScores Classifier::Predict(std::string_view normalized_text,
                                   const ClassifierFeatures::KnownHits* known) const {
  if (linear_) return Predict(normalized_text, std::span<float>());
  constexpr size_t kStackLabels = 32;
  float stack[kStackLabels];
  std::vector<float> heap;
  std::span<float> probabilities;
  if (metadata_.labels.size() <= kStackLabels) {
    probabilities = std::span<float>(stack, metadata_.labels.size());
  } else {
    heap.resize(metadata_.labels.size());
    probabilities = heap;
  }
  return Predict(normalized_text, probabilities, known);
}

}  // namespace stoa::screen
