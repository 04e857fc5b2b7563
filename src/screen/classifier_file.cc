#include "screen/classifier_file.h"

#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/crypto.h"
#include "common/strings.h"

namespace stoa::screen {
namespace {

namespace json = boost::json;

// The metadata line is small; anything longer is not a model file of ours.
constexpr size_t kMaxMetadataBytes = 1 << 20;

Status Malformed(const std::string& what) {
  return InvalidArgument("classifier metadata: " + what);
}

Result<int64_t> GetInt(const json::object& o, std::string_view key, int64_t fallback,
                       bool required = false) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) {
    if (required) return Malformed("'" + std::string(key) + "' is missing");
    return fallback;
  }
  if (!v->is_int64()) return Malformed("'" + std::string(key) + "' must be an integer");
  return v->as_int64();
}

Result<double> GetNumber(const json::object& o, std::string_view key, double fallback,
                         bool required = false) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) {
    if (required) return Malformed("'" + std::string(key) + "' is missing");
    return fallback;
  }
  if (v->is_double()) return v->as_double();
  if (v->is_int64()) return static_cast<double>(v->as_int64());
  if (v->is_uint64()) return static_cast<double>(v->as_uint64());
  return Malformed("'" + std::string(key) + "' must be a number");
}

Result<int> GetSmallInt(const json::object& o, std::string_view key, int fallback) {
  ASSIGN_OR_RETURN(int64_t v, GetInt(o, key, fallback));
  if (v < 0 || v > (int64_t{1} << 30)) return Malformed("'" + std::string(key) + "' is out of range");
  return static_cast<int>(v);
}

Result<ClassifierParameters> ParametersFromJson(const json::object& o) {
  ClassifierParameters p;
  // Files written before the linear model have no "model": they are fastText models.
  if (const json::value* model = o.if_contains("model")) {
    auto parsed = model->is_string() ? ParseClassifierModel(model->as_string()) : std::nullopt;
    if (!parsed) return Malformed("'training.model' must be \"fasttext\" or \"linear\"");
    p.model = *parsed;
  }
  if (const json::value* loss = o.if_contains("loss")) {
    auto parsed = loss->is_string() ? ParseClassifierLoss(loss->as_string()) : std::nullopt;
    if (!parsed) return Malformed("'training.loss' must be \"softmax\" or \"ova\"");
    p.loss = *parsed;
  }
  ASSIGN_OR_RETURN(p.dim, GetSmallInt(o, "dim", p.dim));
  ASSIGN_OR_RETURN(p.epoch, GetSmallInt(o, "epoch", p.epoch));
  ASSIGN_OR_RETURN(p.lr, GetNumber(o, "lr", p.lr));
  ASSIGN_OR_RETURN(p.word_ngrams, GetSmallInt(o, "word_ngrams", p.word_ngrams));
  ASSIGN_OR_RETURN(p.minn, GetSmallInt(o, "minn", p.minn));
  ASSIGN_OR_RETURN(p.maxn, GetSmallInt(o, "maxn", p.maxn));
  ASSIGN_OR_RETURN(p.bucket, GetSmallInt(o, "bucket", p.bucket));
  ASSIGN_OR_RETURN(p.min_count, GetSmallInt(o, "min_count", p.min_count));
  ASSIGN_OR_RETURN(p.upsample, GetSmallInt(o, "upsample", p.upsample));
  ASSIGN_OR_RETURN(p.threads, GetSmallInt(o, "threads", p.threads));
  ASSIGN_OR_RETURN(p.seed, GetSmallInt(o, "seed", p.seed));
  ASSIGN_OR_RETURN(p.l2, GetNumber(o, "l2", p.l2));
  ASSIGN_OR_RETURN(p.class_weight, GetNumber(o, "class_weight", p.class_weight));
  ASSIGN_OR_RETURN(p.pretrain_epoch, GetSmallInt(o, "pretrain_epoch", p.pretrain_epoch));
  ASSIGN_OR_RETURN(p.pretrain_texts, GetSmallInt(o, "pretrain_texts", p.pretrain_texts));
  return p;
}

json::object ParametersToJson(const ClassifierParameters& p) {
  json::object o;
  o["model"] = ClassifierModelName(p.model);
  o["loss"] = ClassifierLossName(p.loss);
  o["dim"] = p.dim;
  o["epoch"] = p.epoch;
  o["lr"] = p.lr;
  o["word_ngrams"] = p.word_ngrams;
  o["minn"] = p.minn;
  o["maxn"] = p.maxn;
  o["bucket"] = p.bucket;
  o["min_count"] = p.min_count;
  o["upsample"] = p.upsample;
  o["threads"] = p.threads;
  o["seed"] = p.seed;
  if (p.model == ClassifierModel::kLinear) {
    o["l2"] = p.l2;
    o["class_weight"] = p.class_weight;
  }
  if (p.pretrain_texts > 0) {
    o["pretrain_epoch"] = p.pretrain_epoch;
    o["pretrain_texts"] = p.pretrain_texts;
  }
  return o;
}

// The metadata key of the model part's size and checksum: named after the kind of model.
Result<ThresholdTuning> TuningFromJson(const json::object& o) {
  ThresholdTuning t;
  ASSIGN_OR_RETURN(int64_t folds, GetInt(o, "folds", 0, /*required=*/true));
  if (folds < 2 || folds > 100) return Malformed("'threshold_tuning.folds' must be 2 to 100");
  t.folds = static_cast<int>(folds);
  ASSIGN_OR_RETURN(t.flag_recall_target, GetNumber(o, "flag_recall_target", 0, /*required=*/true));
  ASSIGN_OR_RETURN(t.average_precision, GetNumber(o, "average_precision", 0));
  for (auto [key, at] : {std::pair{"flag", &t.flag}, std::pair{"hold", &t.hold}}) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || !v->is_object()) {
      return Malformed(std::string("'threshold_tuning.") + key + "' must be an object");
    }
    ASSIGN_OR_RETURN(at->precision, GetNumber(v->as_object(), "precision", 0));
    ASSIGN_OR_RETURN(at->recall, GetNumber(v->as_object(), "recall", 0));
    ASSIGN_OR_RETURN(at->share, GetNumber(v->as_object(), "share", 0));
  }
  return t;
}

std::string_view PartKey(ClassifierModel model) { return ClassifierModelName(model); }

std::string MetadataLine(const ClassifierMetadata& m, std::string_view model_bytes) {
  json::object o;
  o["text_version"] = m.text_version;
  json::array labels;
  for (const ClassifierLabel& label : m.labels) {
    json::object l;
    l["name"] = label.name;
    if (label.category) {
      l["category"] = CategoryName(*label.category);
    } else {
      l["category"] = nullptr;
    }
    l["examples"] = label.examples;
    labels.push_back(std::move(l));
  }
  o["labels"] = std::move(labels);
  o["flag_threshold"] = static_cast<double>(m.flag_threshold);
  o["hold_threshold"] = static_cast<double>(m.hold_threshold);
  if (m.tuning.tuned()) {
    const auto at = [](const ThresholdTuning::At& a) {
      json::object j;
      j["precision"] = a.precision;
      j["recall"] = a.recall;
      j["share"] = a.share;
      return j;
    };
    json::object t;
    t["folds"] = m.tuning.folds;
    t["flag_recall_target"] = m.tuning.flag_recall_target;
    t["average_precision"] = m.tuning.average_precision;
    t["flag"] = at(m.tuning.flag);
    t["hold"] = at(m.tuning.hold);
    o["threshold_tuning"] = std::move(t);
  }
  o["examples"] = m.examples;
  o["training"] = ParametersToJson(m.parameters);
  if (!m.features.empty()) {
    json::array features;
    for (const std::string& text : m.features) features.emplace_back(text);
    o["features"] = std::move(features);
  }
  json::object part;
  part["bytes"] = static_cast<int64_t>(model_bytes.size());
  part["sha256"] = Sha256Hex(model_bytes);
  o[PartKey(m.parameters.model)] = std::move(part);
  return json::serialize(o);
}

constexpr size_t kVersionDigits = 16;

std::string VersionOf(std::string_view metadata_line) {
  return Sha256Hex(metadata_line).substr(0, kVersionDigits);
}

struct ParsedLine {
  ClassifierMetadata metadata;
  int64_t bytes = 0;
  std::string sha256;
};

Result<ParsedLine> ParseMetadataLine(std::string_view text) {
  boost::system::error_code ec;
  json::value root = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec || !root.is_object()) return Malformed("not a JSON object");
  const json::object& o = root.as_object();
  ParsedLine out;
  ClassifierMetadata& m = out.metadata;
  ASSIGN_OR_RETURN(int64_t text_version, GetInt(o, "text_version", 0, /*required=*/true));
  m.text_version = static_cast<int>(text_version);
  const json::value* labels = o.if_contains("labels");
  if (labels == nullptr || !labels->is_array()) return Malformed("'labels' must be an array");
  for (const json::value& v : labels->as_array()) {
    if (!v.is_object()) return Malformed("each label must be an object");
    const json::object& l = v.as_object();
    ClassifierLabel label;
    const json::value* name = l.if_contains("name");
    if (name == nullptr || !name->is_string()) return Malformed("a label has no 'name'");
    label.name = std::string(name->as_string());
    const json::value* category = l.if_contains("category");
    if (category == nullptr) return Malformed("label '" + label.name + "' has no 'category'");
    if (!category->is_null()) {
      auto parsed = category->is_string() ? ParseCategory(category->as_string()) : std::nullopt;
      if (!parsed) return Malformed("label '" + label.name + "' has an unknown category");
      label.category = *parsed;
    }
    ASSIGN_OR_RETURN(label.examples, GetInt(l, "examples", 0));
    m.labels.push_back(std::move(label));
  }
  ASSIGN_OR_RETURN(double flag, GetNumber(o, "flag_threshold", 0, /*required=*/true));
  ASSIGN_OR_RETURN(double hold, GetNumber(o, "hold_threshold", 0, /*required=*/true));
  m.flag_threshold = static_cast<float>(flag);
  m.hold_threshold = static_cast<float>(hold);
  if (const json::value* tuning = o.if_contains("threshold_tuning")) {
    if (!tuning->is_object()) return Malformed("'threshold_tuning' must be an object");
    ASSIGN_OR_RETURN(m.tuning, TuningFromJson(tuning->as_object()));
  }
  ASSIGN_OR_RETURN(m.examples, GetInt(o, "examples", 0));
  if (const json::value* training = o.if_contains("training")) {
    if (!training->is_object()) return Malformed("'training' must be an object");
    ASSIGN_OR_RETURN(m.parameters, ParametersFromJson(training->as_object()));
  }
  if (const json::value* features = o.if_contains("features")) {
    // One rules file as a string: how the first files with features wrote it.
    if (features->is_string()) {
      m.features.emplace_back(features->as_string());
    } else if (!features->is_array()) {
      return Malformed("'features' must be an array of rules files");
    }
    if (features->is_array()) {
      for (const json::value& text : features->as_array()) {
        if (!text.is_string()) return Malformed("'features' must be an array of rules files");
        m.features.emplace_back(text.as_string());
      }
    }
  }
  const std::string key(PartKey(m.parameters.model));
  const json::value* part = o.if_contains(key);
  if (part == nullptr || !part->is_object()) return Malformed("'" + key + "' is missing");
  ASSIGN_OR_RETURN(out.bytes, GetInt(part->as_object(), "bytes", 0, /*required=*/true));
  const json::value* sha = part->as_object().if_contains("sha256");
  if (sha == nullptr || !sha->is_string()) return Malformed("'" + key + ".sha256' is missing");
  out.sha256 = std::string(sha->as_string());
  RETURN_IF_ERROR(ValidateClassifierMetadata(m));
  return out;
}

}  // namespace

LinearHeads LinearHeads::Of(const ClassifierMetadata& metadata) {
  std::array<bool, kCategoryCount> raised{};
  for (const ClassifierLabel& l : metadata.labels) {
    if (l.category) raised[static_cast<size_t>(*l.category)] = true;
  }
  LinearHeads h;
  h.count_ = metadata.labels.size();
  for (size_t c = 0; c < kCategoryCount; ++c) {
    if (raised[c]) h.category_head_[c] = h.count_++;
  }
  for (size_t c = 0; c < kCategoryCount; ++c) {
    if (!raised[c]) h.category_head_[c] = h.count_;
  }
  return h;
}

ClassifierParameters LinearParameterDefaults() {
  ClassifierParameters p;
  p.model = ClassifierModel::kLinear;
  p.epoch = 15;
  p.lr = 0.2;
  p.word_ngrams = 2;
  p.minn = 2;
  p.maxn = 5;
  p.bucket = 1 << 18;
  p.l2 = 1e-6;
  p.class_weight = 0.5;
  return p;
}

std::string_view ClassifierModelName(ClassifierModel model) {
  return model == ClassifierModel::kLinear ? "linear" : "fasttext";
}

std::optional<ClassifierModel> ParseClassifierModel(std::string_view name) {
  if (name == "fasttext") return ClassifierModel::kFastText;
  if (name == "linear") return ClassifierModel::kLinear;
  return std::nullopt;
}

std::string_view ClassifierLossName(ClassifierLoss loss) {
  return loss == ClassifierLoss::kOneVsAll ? "ova" : "softmax";
}

std::optional<ClassifierLoss> ParseClassifierLoss(std::string_view name) {
  if (name == "softmax") return ClassifierLoss::kSoftmax;
  if (name == "ova") return ClassifierLoss::kOneVsAll;
  return std::nullopt;
}

Status ValidateClassifierMetadata(const ClassifierMetadata& m) {
  if (m.text_version != kClassifierTextVersion) {
    return InvalidArgument("the model was trained for text version " +
                           std::to_string(m.text_version) + ", this stoa uses version " +
                           std::to_string(kClassifierTextVersion) + " (retrain it)");
  }
  if (m.labels.size() < 2) return InvalidArgument("a classifier needs at least two labels");
  std::set<std::string> names;
  bool harmful = false;
  for (const ClassifierLabel& label : m.labels) {
    if (label.name.empty() || !IsValidUtf8(label.name)) {
      return InvalidArgument("label names must be non-empty UTF-8");
    }
    if (!names.insert(label.name).second) {
      return InvalidArgument("label '" + label.name + "' appears twice");
    }
    harmful = harmful || label.category.has_value();
  }
  if (!harmful) return InvalidArgument("no label raises a screening category (all are harmless)");
  if (!(m.flag_threshold > 0 && m.flag_threshold <= m.hold_threshold && m.hold_threshold <= 1)) {
    return InvalidArgument("thresholds must satisfy 0 < flag <= hold <= 1");
  }
  return Status::Ok();
}

Result<ClassifierFile> MakeClassifierFile(ClassifierMetadata metadata, std::string model_bytes) {
  RETURN_IF_ERROR(ValidateClassifierMetadata(metadata));
  ClassifierFile file;
  file.version = VersionOf(MetadataLine(metadata, model_bytes));
  file.metadata = std::move(metadata);
  file.model_bytes = std::move(model_bytes);
  return file;
}

Status WriteClassifierFile(const std::string& path, const ClassifierFile& file) {
  const ClassifierMetadata& metadata = file.metadata;
  const std::string_view model_bytes = file.model_bytes;
  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) return Internal("cannot write " + temp + ": " + std::strerror(errno));
    out << kClassifierFileMagic << MetadataLine(metadata, model_bytes) << '\n';
    out.write(model_bytes.data(), static_cast<std::streamsize>(model_bytes.size()));
    out.close();
    if (!out) {
      std::remove(temp.c_str());
      return Internal("cannot write " + temp);
    }
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::remove(temp.c_str());
    return Internal("cannot rename " + temp + " to " + path + ": " + ec.message());
  }
  return Status::Ok();
}

Result<ClassifierFile> ReadClassifierFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open the model file " + path);
  const auto fail = [&](const std::string& what) {
    return InvalidArgument(path + " is not a usable stoa classifier: " + what);
  };
  std::string magic(kClassifierFileMagic.size(), '\0');
  if (!in.read(magic.data(), static_cast<std::streamsize>(magic.size())) ||
      magic != kClassifierFileMagic) {
    return fail("it does not start with \"stoa-classifier 1\"");
  }
  std::string line;
  for (char c; in.get(c) && c != '\n';) {
    line.push_back(c);
    if (line.size() > kMaxMetadataBytes) return fail("the metadata line is too long");
  }
  if (!in) return fail("the file ends inside the metadata");
  auto parsed = ParseMetadataLine(line);
  if (!parsed.ok()) return fail(parsed.status().message());
  ClassifierFile file;
  file.metadata = std::move(parsed->metadata);
  std::ostringstream rest;
  rest << in.rdbuf();
  file.model_bytes = std::move(rest).str();
  if (static_cast<int64_t>(file.model_bytes.size()) != parsed->bytes) {
    return fail("the model part has " + std::to_string(file.model_bytes.size()) +
                " bytes, the metadata says " + std::to_string(parsed->bytes) + " (truncated?)");
  }
  if (Sha256Hex(file.model_bytes) != parsed->sha256) {
    return fail("the model part's SHA-256 does not match the metadata");
  }
  file.version = VersionOf(line);
  return file;
}

}  // namespace stoa::screen
