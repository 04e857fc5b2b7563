#include "screen/classifier_trainer.h"

#include <fasttext/fasttext.h>
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "common/strings.h"
#include "screen/classifier_features.h"
#include "screen/classifier_tokens.h"
#include "screen/linear_model.h"
#include "screen/normalize.h"

namespace stoa::screen {
namespace {

namespace fs = std::filesystem;

// A temporary directory removed when it goes out of scope.
class TempDir {
 public:
  static Result<TempDir> Create() {
    std::error_code ec;
    fs::path base = fs::temp_directory_path(ec);
    if (ec) base = "/tmp";
    std::string pattern = (base / "stoa-train-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return Internal("cannot create a temporary directory under " + base.string());
    }
    return TempDir(pattern);
  }
  TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string File(std::string_view name) const { return (fs::path(path_) / name).string(); }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace

Status ValidateClassifierParameters(const ClassifierParameters& p) {
  auto in = [](double v, double lo, double hi) { return v >= lo && v <= hi; };
  if (p.model == ClassifierModel::kLinear) {
    if (!in(p.bucket, 1024, 1 << 24)) return InvalidArgument("bucket must be 1024..16777216 for a linear model");
    if (!(p.l2 >= 0 && p.l2 < 1)) return InvalidArgument("l2 must be in [0, 1)");
    if (!(p.class_weight >= 0 && p.class_weight <= 1)) {
      return InvalidArgument("class weight must be in [0, 1]");
    }
  }
  if (!in(p.dim, 1, 1000)) return InvalidArgument("dim must be 1..1000");
  if (!in(p.epoch, 1, 1000)) return InvalidArgument("epoch must be 1..1000");
  if (!(p.lr > 0 && p.lr <= 10)) return InvalidArgument("lr must be in (0, 10]");
  if (!in(p.word_ngrams, 1, 5)) return InvalidArgument("word n-grams must be 1..5");
  if (p.maxn != 0 && !(p.minn >= 1 && p.minn <= p.maxn && p.maxn <= 10)) {
    return InvalidArgument("character n-grams need 1 <= minn <= maxn <= 10 (or maxn 0 for none)");
  }
  const bool hashed = p.word_ngrams > 1 || p.maxn > 0;
  if (hashed && !in(p.bucket, 1000, 50000000)) {
    return InvalidArgument("bucket must be 1000..50000000 with word or character n-grams");
  }
  if (!in(p.min_count, 1, 1000)) return InvalidArgument("min_count must be 1..1000");
  if (!in(p.upsample, 1, 100)) return InvalidArgument("upsample must be 1..100");
  if (!in(p.threads, 0, 256)) return InvalidArgument("threads must be 0..256");
  if (!in(p.pretrain_epoch, 1, 1000)) return InvalidArgument("pretrain epoch must be 1..1000");
  if (p.seed < 0) return InvalidArgument("seed must not be negative");
  return Status::Ok();
}

namespace {

fasttext::Args FastTextArgs(const ClassifierParameters& p, const std::string& input) {
  fasttext::Args a;
  a.input = input;
  a.model = fasttext::model_name::sup;
  a.loss = p.loss == ClassifierLoss::kOneVsAll ? fasttext::loss_name::ova
                                               : fasttext::loss_name::softmax;
  a.dim = p.dim;
  a.epoch = p.epoch;
  a.lr = p.lr;
  a.wordNgrams = p.word_ngrams;
  a.minn = p.maxn == 0 ? 0 : p.minn;
  a.maxn = p.maxn;
  a.bucket = (p.word_ngrams > 1 || p.maxn > 0) ? p.bucket : 0;
  a.minCount = p.min_count;
  a.minCountLabel = 0;
  const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
  a.thread = p.threads > 0 ? p.threads : static_cast<int>(hardware);
  a.seed = p.seed;
  a.verbose = 0;
  return a;
}

}  // namespace

Result<std::vector<std::pair<std::string, Category>>> ParseCategoryMap(std::string_view text) {
  std::vector<std::pair<std::string, Category>> map;
  for (std::string_view item : Split(text, ',')) {
    item = Trim(item);
    if (item.empty()) continue;
    const size_t eq = item.rfind('=');
    if (eq == std::string_view::npos) {
      return InvalidArgument("category map item '" + std::string(item) +
                             "' is not LABEL=CATEGORY");
    }
    const std::string label(Trim(item.substr(0, eq)));
    const std::string_view category_name = Trim(item.substr(eq + 1));
    const auto category = ParseCategory(category_name);
    if (label.empty()) return InvalidArgument("category map item '" + std::string(item) + "' has no label");
    if (!category) {
      std::string names;
      for (Category c : kAllCategories) names += (names.empty() ? "" : ", ") + std::string(CategoryName(c));
      return InvalidArgument("unknown category '" + std::string(category_name) + "' (one of " +
                             names + ")");
    }
    for (const auto& [existing, unused] : map) {
      if (existing == label) return InvalidArgument("label '" + label + "' is mapped twice");
    }
    map.emplace_back(label, *category);
  }
  if (map.empty()) return InvalidArgument("the category map is empty");
  return map;
}

bool IsNegativeLabel(std::string_view label, const std::vector<std::string>& negative_labels) {
  return std::any_of(negative_labels.begin(), negative_labels.end(),
                     [&](const std::string& n) { return EqualsIgnoreCase(n, label); });
}

std::string NormalizeForClassifier(std::string_view original) { return NormalizeText(original); }

Result<int64_t> TrainWordVectors(const std::vector<std::string>& texts,
                                 const ClassifierParameters& parameters, int epoch,
                                 const std::string& path) {
  ClassifierParameters p = parameters;
  p.model = ClassifierModel::kFastText;
  RETURN_IF_ERROR(ValidateClassifierParameters(p));
  if (epoch < 1 || epoch > 1000) return InvalidArgument("pretraining epoch must be 1..1000");
  constexpr size_t kMinTexts = 10;
  if (texts.size() < kMinTexts) return InvalidArgument("pretraining needs at least 10 texts");
  ASSIGN_OR_RETURN(TempDir dir, TempDir::Create());
  const std::string input = dir.File("text.txt");
  {
    std::ofstream out(input, std::ios::binary | std::ios::trunc);
    for (const std::string& t : texts) {
      bool first = true;
      ForEachClassifierToken(NormalizeForClassifier(t), [&](std::string_view token) {
        if (!first) out << ' ';
        out << token;
        first = false;
      });
      out << '\n';
    }
    out.close();
    if (!out) return Internal("cannot write the pretraining file " + input);
  }
  try {
    fasttext::FastText model;
    fasttext::Args a = FastTextArgs(p, input);
    a.model = fasttext::model_name::sg;
    a.loss = fasttext::loss_name::ns;
    a.lr = 0.05;
    a.epoch = epoch;
    a.minCount = 2;
    a.wordNgrams = 1;
    a.bucket = p.maxn > 0 ? p.bucket : 0;
    model.train(a);
    model.saveVectors(path);
    return static_cast<int64_t>(model.getDictionary()->nwords());
  } catch (const std::exception& e) {
    return Internal(std::string("fastText pretraining failed: ") + e.what());
  }
}

Result<ClassifierFile> TrainClassifier(const std::vector<LabelledText>& examples,
                                       const TrainingOptions& options) {
  RETURN_IF_ERROR(ValidateClassifierParameters(options.parameters));
  // The label table, sorted by name so the same data gives the same model file.
  std::map<std::string, int64_t> counts;
  for (const LabelledText& e : examples) {
    if (e.label.empty() || !IsValidUtf8(e.label)) {
      return InvalidArgument("every example needs a non-empty UTF-8 label");
    }
    ++counts[e.label];
  }
  if (counts.size() < 2) {
    return InvalidArgument("training needs at least two distinct labels, the data has " +
                           std::to_string(counts.size()));
  }
  std::map<std::string, int64_t> auxiliary;
  if (!options.auxiliary_labels.empty()) {
    if (options.auxiliary_labels.size() != examples.size()) {
      return InvalidArgument("auxiliary labels are needed for every example or none");
    }
    if (options.parameters.model != ClassifierModel::kFastText ||
        options.parameters.loss != ClassifierLoss::kOneVsAll) {
      return InvalidArgument("auxiliary labels need a fastText model with the one-vs-all loss");
    }
    for (const auto& labels : options.auxiliary_labels) {
      for (const std::string& label : labels) {
        if (label.empty() || !IsValidUtf8(label) || counts.contains(label)) {
          return InvalidArgument("auxiliary label '" + label +
                                 "' is empty, not UTF-8 or also an example's label");
        }
        ++auxiliary[label];
      }
    }
  }
  for (const auto& [label, category] : options.category_map) {
    if (!counts.contains(label)) {
      return InvalidArgument("the category map names label '" + label +
                             "', which does not occur in the data");
    }
    if (IsNegativeLabel(label, options.negative_labels)) {
      return InvalidArgument("label '" + label + "' is both harmless (negative) and mapped to " +
                             std::string(CategoryName(category)));
    }
  }
  if (!options.pretraining_texts.empty() &&
      (options.parameters.model != ClassifierModel::kFastText || !options.pretrained_vectors.empty())) {
    return InvalidArgument("pretraining texts need a fastText model and no given vectors");
  }
  std::shared_ptr<const ClassifierFeatures> features;
  if (!options.features.empty()) {
    if (options.parameters.model != ClassifierModel::kFastText) {
      return InvalidArgument("lexicon features need a fastText model");
    }
    ASSIGN_OR_RETURN(features, ClassifierFeatures::Parse(options.features));
  }
  ClassifierMetadata metadata;
  metadata.features = options.features;
  metadata.flag_threshold = options.flag_threshold;
  metadata.hold_threshold = options.hold_threshold;
  metadata.parameters = options.parameters;
  metadata.parameters.pretrain_texts = 0;
  metadata.examples = static_cast<int64_t>(examples.size());
  std::map<std::string, size_t> index_of;
  for (const auto& [label, count] : counts) {
    ClassifierLabel l;
    l.name = label;
    l.examples = count;
    if (!IsNegativeLabel(label, options.negative_labels)) {
      l.category = options.default_category;
      for (const auto& [mapped, category] : options.category_map) {
        if (mapped == label) l.category = category;
      }
    }
    index_of[label] = metadata.labels.size();
    metadata.labels.push_back(std::move(l));
  }
  for (const auto& [label, count] : auxiliary) {
    for (const auto& [mapped, category] : options.category_map) {
      if (mapped == label) return InvalidArgument("auxiliary label '" + label + "' cannot raise a category");
    }
    index_of[label] = metadata.labels.size();
    metadata.labels.push_back(ClassifierLabel{label, std::nullopt, count});
  }
  RETURN_IF_ERROR(ValidateClassifierMetadata(metadata));

  if (options.parameters.model == ClassifierModel::kLinear) {
    // One output per label (that label versus the rest), then one per category a label raises
    // (any of its labels versus the rest), in the order LinearHeads gives.
    const LinearHeads heads = LinearHeads::Of(metadata);
    std::vector<std::string> texts;
    texts.reserve(examples.size());
    std::vector<std::vector<bool>> targets(heads.count(), std::vector<bool>(examples.size(), false));
    for (size_t i = 0; i < examples.size(); ++i) {
      texts.push_back(NormalizeForClassifier(examples[i].text));
      const size_t label = index_of[examples[i].label];
      targets[label][i] = true;
      if (const auto& category = metadata.labels[label].category) {
        targets[heads.CategoryHead(*category)][i] = true;
      }
    }
    const ClassifierParameters& p = options.parameters;
    LinearFeatures features{p.word_ngrams, p.maxn == 0 ? 0 : p.minn, p.maxn,
                            static_cast<uint32_t>(p.bucket)};
    LinearTraining training{p.epoch, p.lr, p.l2, p.class_weight, static_cast<uint64_t>(p.seed)};
    ASSIGN_OR_RETURN(LinearModel model, LinearModel::Train(texts, targets, features, training));
    return MakeClassifierFile(std::move(metadata), model.Serialize());
  }

  // fastText's training file: "__label__<index> token token ...", one example per line, harmful
  // ones `upsample` times, in a shuffled order (fastText reads the lines in file order, and
  // examples grouped by label would skew the last updates).
  std::vector<std::string> lines;
  lines.reserve(examples.size());
  std::vector<std::string_view> feature_tokens;
  for (size_t k = 0; k < examples.size(); ++k) {
    const LabelledText& e = examples[k];
    const size_t index = index_of[e.label];
    std::string line = "__label__" + std::to_string(index);
    if (!options.auxiliary_labels.empty()) {
      for (const std::string& label : options.auxiliary_labels[k]) {
        line += " __label__" + std::to_string(index_of[label]);
      }
    }
    const std::string normalized = NormalizeForClassifier(e.text);
    ForEachClassifierToken(normalized, [&](std::string_view token) {
      line.push_back(' ');
      line.append(token);
    });
    if (features) {
      RETURN_IF_ERROR(features->Tokens(normalized, &feature_tokens));
      for (std::string_view token : feature_tokens) {
        line.push_back(' ');
        line.append(token);
      }
    }
    line.push_back('\n');
    const int copies = metadata.labels[index].category ? options.parameters.upsample : 1;
    for (int i = 1; i < copies; ++i) lines.push_back(line);
    lines.push_back(std::move(line));
  }
  std::mt19937_64 rng(static_cast<uint64_t>(options.parameters.seed));
  std::shuffle(lines.begin(), lines.end(), rng);

  ASSIGN_OR_RETURN(TempDir dir, TempDir::Create());
  const std::string input = dir.File("train.txt");
  const std::string output = dir.File("model.bin");
  std::string vectors = options.pretrained_vectors;
  if (!options.pretraining_texts.empty()) {
    std::vector<std::string> texts = options.pretraining_texts;
    for (const LabelledText& e : examples) texts.push_back(e.text);
    vectors = dir.File("pretrained.vec");
    RETURN_IF_ERROR(
        TrainWordVectors(texts, options.parameters, options.parameters.pretrain_epoch, vectors).status());
    metadata.parameters.pretrain_texts = static_cast<int>(std::min<size_t>(texts.size(), 1u << 30));
  }
  {
    std::ofstream out(input, std::ios::binary | std::ios::trunc);
    for (const std::string& line : lines) out << line;
    out.close();
    if (!out) return Internal("cannot write the training file " + input);
  }
  try {
    fasttext::FastText model;
    fasttext::Args args = FastTextArgs(options.parameters, input);
    args.pretrainedVectors = vectors;
    model.train(args);
    model.saveModel(output);
  } catch (const std::exception& e) {
    return Internal(std::string("fastText training failed: ") + e.what());
  }
  std::ifstream in(output, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in) return Internal("cannot read the trained model " + output);
  return MakeClassifierFile(std::move(metadata), std::move(bytes).str());
}

}  // namespace stoa::screen
