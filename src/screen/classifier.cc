#include "screen/classifier.h"

#include <fasttext/fasttext.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <sstream>

#include "screen/classifier_tokens.h"

namespace stoa::screen {
namespace {

constexpr std::string_view kLabelPrefix = "__label__";
// fastText reports log(p + 1e-5) for each label (Model::std_log).
constexpr float kLogEpsilon = 1e-5f;
// A 500-byte post has about 100 tokens, each with a handful of subword rows.
constexpr size_t kInputReserve = 1024;

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
  auto model = std::make_unique<detail::LoadableFastText>();
  try {
    std::istringstream in(file.fasttext_model);
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
  c->nwords_ = dict->nwords();
  c->word_ngrams_ = args.wordNgrams;
  c->bucket_ = args.bucket;
  c->maxn_ = args.maxn;
  if (c->word_ngrams_ > 1 && c->bucket_ <= 0) {
    return InvalidArgument("the fastText model uses word n-grams without hash buckets");
  }
  c->dict_ = dict.get();  // model_ keeps it alive and never replaces it after loading
  c->model_ = std::move(model);
  return std::shared_ptr<const Classifier>(std::move(c));
}

// What fastText's Dictionary::getLine computes for a line of these tokens followed by a line end,
// without going through an istream: each token's subword rows (the word's own row and its
// character n-grams when in the vocabulary, only the n-grams otherwise), then the hashed word
// n-grams. Every dictionary call used here is const and touches no shared state.
void Classifier::ComputeInput(std::string_view normalized_text, std::vector<int32_t>& input) const {
  const fasttext::Dictionary& dict = *dict_;
  std::vector<int32_t> hashes;  // fastText keeps the uint32 hashes as int32
  hashes.reserve(kMaxClassifierTokens / 8);
  std::string token;
  auto add = [&](std::string_view t) {
    token.assign(t);
    const uint32_t h = dict.hash(token);
    const int32_t id = dict.getId(token, h);
    if (id < 0) {
      // Out of vocabulary: only its character n-grams (none when maxn is 0).
      if (token != fasttext::Dictionary::EOS) {
        dict.computeSubwords(fasttext::Dictionary::BOW + token + fasttext::Dictionary::EOW, input);
      }
    } else if (maxn_ <= 0) {
      input.push_back(id);
    } else {
      const std::vector<int32_t>& subwords = dict.getSubwords(id);
      input.insert(input.end(), subwords.begin(), subwords.end());
    }
    hashes.push_back(static_cast<int32_t>(h));
  };
  ForEachClassifierToken(normalized_text, add);
  add(fasttext::Dictionary::EOS);  // training lines end with a line break, which fastText reads as </s>
  for (size_t i = 0; i < hashes.size(); ++i) {
    uint64_t h = static_cast<uint64_t>(static_cast<int64_t>(hashes[i]));
    for (size_t j = i + 1; j < hashes.size() && j < i + static_cast<size_t>(word_ngrams_); ++j) {
      h = h * 116049371 + static_cast<uint64_t>(static_cast<int64_t>(hashes[j]));
      input.push_back(nwords_ + static_cast<int32_t>(h % static_cast<uint64_t>(bucket_)));
    }
  }
}

void Classifier::PredictLabels(std::string_view normalized_text, std::span<float> out) const {
  std::fill(out.begin(), out.end(), 0.0f);
  std::vector<int32_t> input;
  input.reserve(kInputReserve);
  ComputeInput(normalized_text, input);
  fasttext::Predictions predictions;
  // FastText::predict keeps its working vectors in a per-call Model::State.
  model_->predict(-1, input, predictions, 0.0f);
  for (const auto& [log_probability, label] : predictions) {
    const float p = std::exp(log_probability) - kLogEpsilon;
    out[label_of_[static_cast<size_t>(label)]] = std::clamp(p, 0.0f, 1.0f);
  }
}

std::vector<float> Classifier::PredictLabels(std::string_view normalized_text) const {
  std::vector<float> out(metadata_.labels.size());
  PredictLabels(normalized_text, out);
  return out;
}

CategoryScores Classifier::Predict(std::string_view normalized_text) const {
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
  PredictLabels(normalized_text, probabilities);
  CategoryScores scores;
  const bool sum = metadata_.parameters.loss == ClassifierLoss::kSoftmax;
  for (size_t i = 0; i < probabilities.size(); ++i) {
    const auto& category = metadata_.labels[i].category;
    if (!category) continue;
    float& s = scores[*category];
    s = sum ? std::min(1.0f, s + probabilities[i]) : std::max(s, probabilities[i]);
  }
  return scores;
}

}  // namespace stoa::screen
