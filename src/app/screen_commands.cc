#include "app/screen_commands.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "app/app.h"
#include "common/config.h"
#include "common/csv.h"
#include "common/strings.h"
#include "safety/screening_service.h"
#include "screen/classifier.h"
#include "screen/classifier_features.h"
#include "screen/classifier_trainer.h"
#include "screen/evaluation.h"
#include "screen/labelled_csv.h"
#include "screen/rules.h"
#include "screen/screener.h"
#include "screen/threshold_tuning.h"

namespace stoa::app {
namespace {

constexpr int kFailure = 1;
constexpr int kUsageError = 2;

int Report(int code, const std::string& message) {
  std::fprintf(stderr, "stoa: %s\n", message.c_str());
  return code;
}

// Each --negative may hold several labels separated by commas.
std::vector<std::string> NegativeLabels(const std::vector<std::string>& given) {
  if (given.empty()) return screen::kDefaultNegativeLabels;
  std::vector<std::string> out;
  for (const std::string& item : given) {
    for (std::string_view label : Split(item, ',')) {
      if (!Trim(label).empty()) out.emplace_back(Trim(label));
    }
  }
  return out;
}

// Checks the delimiter and that the file has the two columns (a wrong column is an argument
// error, reported before any work); returns the options for ReadLabelledCsv.
Result<screen::LabelledCsvOptions> CsvArguments(const std::string& data, const std::string& text,
                                                const std::string& label,
                                                const std::string& delimiter) {
  auto d = ParseCsvDelimiter(delimiter);
  if (!d.ok()) return InvalidArgument("--delimiter: " + d.status().message());
  std::ifstream in(data, std::ios::binary);
  if (!in) return InvalidArgument("cannot open " + data);
  CsvReader reader(in, CsvOptions{*d});
  std::vector<std::string> header;
  auto first = reader.Next(header);
  if (!first.ok()) return InvalidArgument(data + ": " + first.status().message());
  if (!*first) return InvalidArgument(data + " is empty (a header row is expected)");
  auto t = ResolveCsvColumn(header, text);
  if (!t.ok()) return InvalidArgument("--text-column: " + t.status().message());
  auto l = ResolveCsvColumn(header, label);
  if (!l.ok()) return InvalidArgument("--label-column: " + l.status().message());
  if (*t == *l) return InvalidArgument("--text-column and --label-column are the same column");
  return screen::LabelledCsvOptions{text, label, *d};
}

Status CheckThresholds(float flag, float hold) {
  if (!(flag > 0 && flag <= 1) || !(hold > 0 && hold <= 1)) {
    return InvalidArgument("thresholds must be in (0, 1]");
  }
  if (flag > hold) return InvalidArgument("--flag-threshold must not exceed --hold-threshold");
  return Status::Ok();
}

constexpr int kDefaultTuneFolds = 5;

// "flag 0.0016 (recall 0.85, precision 0.08, 31.0% of posts)".
std::string TunedSummary(const char* name, float threshold, const screen::ThresholdTuning::At& at) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s %.4g (recall %.3f, precision %.3f, %.1f%% of posts)", name,
                static_cast<double>(threshold), at.recall, at.precision, 100 * at.share);
  return buf;
}

std::string ThresholdSummary(const screen::ClassifierMetadata& m) {
  if (!m.tuning.tuned()) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "flag %.4g, hold %.4g (not tuned)",
                  static_cast<double>(m.flag_threshold), static_cast<double>(m.hold_threshold));
    return buf;
  }
  char ap[64];
  std::snprintf(ap, sizeof ap, "; average precision %.3f", m.tuning.average_precision);
  return "by " + std::to_string(m.tuning.folds) + "-fold cross-validation, out of fold: " +
         TunedSummary("flag", m.flag_threshold, m.tuning.flag) + ", " +
         TunedSummary("hold", m.hold_threshold, m.tuning.hold) + ap;
}

std::string LabelSummary(const screen::ClassifierMetadata& m) {
  std::string out;
  for (const screen::ClassifierLabel& l : m.labels) {
    if (!out.empty()) out += ", ";
    out += l.name + (l.category ? " -> " + std::string(screen::CategoryName(*l.category))
                                : std::string(" (harmless)"));
    out += " [" + std::to_string(l.examples) + "]";
  }
  return out;
}

}  // namespace

ScreenCommands::ScreenCommands(CLI::App& cli) {
  const auto data_options = [&](CLI::App* cmd) {
    cmd->add_option("--data", o_.data, "Labelled CSV file (first row: the header)")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--text-column", o_.text_column, "Column of the text: header name or 0-based index")
        ->required();
    cmd->add_option("--label-column", o_.label_column, "Column of the label: name or index")
        ->required();
    cmd->add_option("--delimiter", o_.delimiter, "Field delimiter: , ; \\t or another character")
        ->capture_default_str();
    cmd->add_option("--negative", o_.negative,
                    "Label(s) meaning harmless, repeatable or comma-separated (default: nothing, "
                    "FALSE and 0, ignoring case)");
    cmd->add_option("--flag-threshold", o_.flag_threshold,
                    "Category score that flags a post for review");
    cmd->add_option("--hold-threshold", o_.hold_threshold,
                    "Category score that holds a post until a moderator decides");
  };
  train_ = cli.add_subcommand("train", "Train the screening classifier from labelled CSV");
  data_options(train_);
  screen::ClassifierParameters& p = o_.parameters;
  train_->add_option("--category-map", o_.category_map,
                     "LABEL=CATEGORY,... (default: every harmful label raises violence)");
  train_->add_option("--out", o_.out, "Model file to write")->required();
  train_->add_option("--loss", o_.loss, "softmax or ova (one-vs-all)")->capture_default_str();
  train_->add_option("--dim", p.dim, "Text vector size")->capture_default_str();
  train_->add_option("--epoch", p.epoch, "Passes over the data")->capture_default_str();
  train_->add_option("--lr", p.lr, "Learning rate")->capture_default_str();
  train_->add_option("--word-ngrams", p.word_ngrams, "Word n-grams up to this length")
      ->capture_default_str();
  train_->add_option("--minn", p.minn, "Shortest character n-gram")->capture_default_str();
  train_->add_option("--maxn", p.maxn, "Longest character n-gram (0: none)")->capture_default_str();
  train_->add_option("--bucket", p.bucket, "Hash buckets for n-grams")->capture_default_str();
  train_->add_option("--min-count", p.min_count, "Drop words seen fewer times")->capture_default_str();
  train_->add_option("--upsample", p.upsample, "Use each harmful example this many times")
      ->capture_default_str();
  train_->add_option("--threads", p.threads, "Training threads (0: all; 1: reproducible)")
      ->capture_default_str();
  train_->add_option("--seed", p.seed, "Seed of the shuffle and of fastText")->capture_default_str();
  train_->add_option("--pretrain-text", o_.pretrain_text,
                     "CSV of unlabelled text (same delimiter, a header row): first train word "
                     "vectors on it and on the training texts, then the classifier from them")
      ->check(CLI::ExistingFile);
  train_->add_option("--pretrain-column", o_.pretrain_column,
                     "Column of --pretrain-text holding the text (default: --text-column)");
  train_->add_option("--pretrain-epoch", p.pretrain_epoch, "Passes of the word-vector pretraining")
      ->capture_default_str();
  train_->add_option("--features", o_.features,
                     "Rules file whose rules become lexicon features of the model (each rule that "
                     "hits a post adds a token; the model keeps the files), repeatable; default: "
                     "the shipped rules/lexicon.rules and rules/stoa.rules; none: no features");
  train_
      ->add_option("--tune-folds", o_.tune_folds,
                   "Choose the flag and hold thresholds by this many folds of cross-validation "
                   "(default 5; 0: none, the thresholds are 0.5 and 0.8); not with "
                   "--flag-threshold or --hold-threshold")
      ->check(CLI::Range(0, 20));
  train_
      ->add_option("--flag-recall", o_.flag_recall,
                   "Tuned thresholds: the flag threshold is the highest that finds this share of "
                   "the harmful examples out of fold")
      ->check(CLI::Range(0.01, 1.0))
      ->capture_default_str();

  eval_ = cli.add_subcommand(
      "eval", "Precision, recall and F1 of a model on labelled CSV, per label and per threshold");
  data_options(eval_);
  eval_->add_option("--model", o_.model, "Model file (from stoa train)")
      ->required()
      ->check(CLI::ExistingFile);
  eval_->add_option("--category-map", o_.category_map,
                    "LABEL=CATEGORY,... for labels of the data that the model does not know");
  eval_->add_option("--rules", o_.rules,
                    "Also run the whole screening chain (this rules file, the model, the policy of "
                    "the configuration) and count its verdicts")
      ->check(CLI::ExistingFile);
  eval_->add_option("--config", o_.config,
                    "TOML configuration whose screening thresholds the chain uses (default: the "
                    "built-in defaults)")
      ->check(CLI::ExistingFile);
  eval_->add_option("--language", o_.language,
                    "Language of the posts for the rules (de, en; default: unknown, every rule)");
}

std::optional<int> ScreenCommands::Run() const {
  if (train_->parsed()) return Train();
  if (eval_->parsed()) return Eval();
  return std::nullopt;
}

int ScreenCommands::Train() const {
  screen::TrainingOptions options;
  options.negative_labels = NegativeLabels(o_.negative);
  options.parameters = o_.parameters;
  auto loss = screen::ParseClassifierLoss(o_.loss);
  if (!loss) return Report(kUsageError, "--loss must be softmax or ova, got '" + o_.loss + "'");
  options.parameters.loss = *loss;
  if (Status st = screen::ValidateClassifierParameters(options.parameters); !st.ok()) {
    return Report(kUsageError, st.message());
  }
  if (!o_.category_map.empty()) {
    auto map = screen::ParseCategoryMap(o_.category_map);
    if (!map.ok()) return Report(kUsageError, "--category-map: " + map.status().message());
    options.category_map = std::move(map).value();
  }
  const bool given = o_.flag_threshold || o_.hold_threshold;
  if (given && o_.tune_folds.value_or(0) > 0) {
    return Report(
        kUsageError,
        "--tune-folds chooses the thresholds: give it or --flag-threshold/--hold-threshold");
  }
  if (o_.tune_folds == 1) return Report(kUsageError, "--tune-folds must be 0 or 2 to 20");
  options.flag_threshold = o_.flag_threshold.value_or(options.flag_threshold);
  options.hold_threshold = o_.hold_threshold.value_or(options.hold_threshold);
  if (Status st = CheckThresholds(options.flag_threshold, options.hold_threshold); !st.ok()) {
    return Report(kUsageError, st.message());
  }
  auto csv_options = CsvArguments(o_.data, o_.text_column, o_.label_column, o_.delimiter);
  if (!csv_options.ok()) return Report(kUsageError, csv_options.status().message());
  // Lexicon features: the shipped lexicon and screening rules unless told otherwise.
  std::shared_ptr<const screen::ClassifierFeatures> features;
  const bool none = o_.features.size() == 1 && o_.features[0] == "none";
  const std::vector<std::string> features_paths =
      o_.features.empty() ? std::vector<std::string>{ShippedLexiconPath(), ScreeningRulesPath(Config())}
                          : o_.features;
  if (!none) {
    auto loaded = screen::ClassifierFeatures::Load(features_paths);
    if (!loaded.ok()) {
      // A rules file's errors come one per line; the command's message is one line.
      std::string message = loaded.status().message();
      std::replace(message.begin(), message.end(), '\n', ' ');
      return Report(kUsageError, "--features: " + message +
                                     (o_.features.empty() ? " (the shipped files; give "
                                                            "--features FILE or --features none)"
                                                          : ""));
    }
    features = std::move(loaded).value();
    options.features = features->texts();
  }
  auto data = screen::ReadLabelledCsv(o_.data, *csv_options);
  if (!data.ok()) return Report(kFailure, data.status().message());
  if (!o_.pretrain_text.empty()) {
    const std::string column = o_.pretrain_column.empty() ? o_.text_column : o_.pretrain_column;
    auto texts = screen::ReadCsvTexts(o_.pretrain_text, column, csv_options->delimiter);
    if (!texts.ok()) return Report(kUsageError, "--pretrain-text: " + texts.status().message());
    options.pretraining_texts = std::move(texts).value();
  } else if (!o_.pretrain_column.empty()) {
    return Report(kUsageError, "--pretrain-column needs --pretrain-text");
  }

  const int folds = given ? 0 : o_.tune_folds.value_or(kDefaultTuneFolds);
  std::optional<screen::TunedThresholds> tuned;
  std::string untuned_note;
  if (folds > 0) {
    const int64_t harmful = screen::CountHarmful(data->examples, options.negative_labels);
    const int needed = screen::kHarmfulPerFold * folds;
    if (harmful < needed) {
      // Said once the model is trained (an error in the data comes first).
      char buf[320];
      std::snprintf(buf, sizeof buf,
                    "thresholds: %lld harmful examples are too few for %d-fold cross-validation "
                    "(%d needed); the model gets flag %.2g and hold %.2g (give --flag-threshold "
                    "and --hold-threshold after measuring with stoa eval)\n",
                    static_cast<long long>(harmful), folds, needed,
                    static_cast<double>(options.flag_threshold),
                    static_cast<double>(options.hold_threshold));
      untuned_note = buf;
    } else {
      auto result = screen::CrossValidateThresholds(
          data->examples, options, folds, o_.flag_recall, [&](int fold) {
            std::fprintf(stderr, "choosing thresholds: training fold %d of %d\n", fold, folds);
          });
      if (!result.ok()) {
        const bool usage = result.status().code() == StatusCode::kInvalidArgument;
        return Report(usage ? kUsageError : kFailure, result.status().message());
      }
      tuned = std::move(result).value();
      options.flag_threshold = tuned->flag;
      options.hold_threshold = tuned->hold;
    }
  }
  auto file = screen::TrainClassifier(data->examples, options);
  if (!file.ok()) {
    // InvalidArgument: the labels or the map do not fit the data (wrong column, typo in a label).
    const bool usage = file.status().code() == StatusCode::kInvalidArgument;
    return Report(usage ? kUsageError : kFailure, file.status().message());
  }
  if (tuned) {
    // The file's version names its thresholds too, so the tuning goes in before it is made.
    screen::ClassifierMetadata metadata = file->metadata;
    metadata.tuning = tuned->tuning;
    auto remade = screen::MakeClassifierFile(std::move(metadata), std::move(file->model_bytes));
    if (!remade.ok()) return Report(kFailure, remade.status().message());
    file = std::move(remade);
  }
  if (Status st = screen::WriteClassifierFile(o_.out, *file); !st.ok()) {
    return Report(kFailure, st.message());
  }
  std::printf("%s", untuned_note.c_str());
  if (features) {
    std::string files;
    for (const std::string& path : features_paths) files += (files.empty() ? "" : ", ") + path;
    std::printf("lexicon features: %zu rules from %s (versions %s)\n", features->rule_count(),
                files.c_str(), features->versions().c_str());
  } else {
    std::printf("lexicon features: none\n");
  }
  if (!options.pretraining_texts.empty()) {
    std::printf("pretrained word vectors on %d texts (%zu unlabelled, %d passes)\n",
                file->metadata.parameters.pretrain_texts, options.pretraining_texts.size(),
                file->metadata.parameters.pretrain_epoch);
  }
  std::printf(
      "trained on %zu examples (%lld rows skipped: empty text or label)\nlabels: %s\n"
      "thresholds: %s\nwrote %s (version %s, %.1f MB)\n",
      data->examples.size(), static_cast<long long>(data->skipped),
      LabelSummary(file->metadata).c_str(), ThresholdSummary(file->metadata).c_str(),
      o_.out.c_str(), file->version.c_str(), static_cast<double>(file->model_bytes.size()) / 1e6);
  return 0;
}

int ScreenCommands::Eval() const {
  auto csv_options = CsvArguments(o_.data, o_.text_column, o_.label_column, o_.delimiter);
  if (!csv_options.ok()) return Report(kUsageError, csv_options.status().message());
  screen::GoldLabels gold{NegativeLabels(o_.negative), {}};
  if (!o_.category_map.empty()) {
    auto map = screen::ParseCategoryMap(o_.category_map);
    if (!map.ok()) return Report(kUsageError, "--category-map: " + map.status().message());
    gold.categories = std::move(map).value();
  }
  if (o_.rules.empty() && (!o_.config.empty() || !o_.language.empty())) {
    return Report(kUsageError, "--config and --language are for the chain: give --rules too");
  }
  std::optional<safety::ScreeningSettings> settings;
  if (!o_.rules.empty()) {
    auto config = LoadConfig(o_.config, ProcessEnvironment());
    if (!config.ok()) return Report(kUsageError, config.status().message());
    auto s = safety::ScreeningSettings::FromConfig(config->screening);
    if (!s.ok()) return Report(kUsageError, s.status().message());
    settings = std::move(s).value();
  }
  auto model = screen::Classifier::Load(o_.model);
  if (!model.ok()) return Report(kFailure, model.status().message());
  const screen::ClassifierMetadata& meta = (*model)->metadata();
  const float flag = o_.flag_threshold.value_or(meta.flag_threshold);
  const float hold = o_.hold_threshold.value_or(meta.hold_threshold);
  if (Status st = CheckThresholds(flag, hold); !st.ok()) return Report(kUsageError, st.message());
  std::shared_ptr<const screen::RuleSet> rules;
  if (settings) {
    auto loaded = screen::RuleSet::Load(o_.rules);
    if (!loaded.ok()) return Report(kFailure, loaded.status().message());
    rules = std::move(loaded).value();
  }
  auto data = screen::ReadLabelledCsv(o_.data, *csv_options);
  if (!data.ok()) return Report(kFailure, data.status().message());
  auto evaluation = screen::EvaluateClassifier(**model, data->examples, gold, flag, hold);
  if (!evaluation.ok()) return Report(kUsageError, evaluation.status().message());
  std::printf("model %s (version %s): %s\nits thresholds: %s\n", o_.model.c_str(),
              (*model)->version().c_str(), LabelSummary(meta).c_str(),
              ThresholdSummary(meta).c_str());
  std::printf("data %s: %lld rows skipped (empty text or label)\n\n", o_.data.c_str(),
              static_cast<long long>(data->skipped));
  std::printf("%s", screen::FormatEvaluation(*evaluation).c_str());
  if (!settings) return 0;

  const screen::RulesHolder rules_holder(rules);
  const screen::ClassifierHolder model_holder(*model);
  const screen::Screener screener(rules_holder, model_holder, settings->policy);
  auto chain = screen::EvaluateChain(screener, data->examples, gold, o_.language);
  if (!chain.ok()) return Report(kFailure, chain.status().message());
  std::printf("\nrules %s (version %s, %zu rules); policy of %s\n", o_.rules.c_str(),
              rules->version().c_str(), rules->rules().size(),
              o_.config.empty() ? "the default configuration" : o_.config.c_str());
  std::printf("%s", screen::FormatChainEvaluation(*chain).c_str());
  return 0;
}

}  // namespace stoa::app
