// Screening quality on GermEval 2026 (subtask 3, violence-related statements): k-fold
// cross-validation of the classifier. Every figure comes from posts the model did not train on,
// and every choice (hyperparameters, thresholds) is made on the training folds only: out-of-fold
// predictions inside the training part pick the configuration and the thresholds, then a model
// trained on the whole training part scores the held-out fold once.
//
// Two tasks (issue 4):
//  (a) violence-related: any vio label except `nothing`, scored by the model's violence category
//      (every harmful label raises it; softmax: the summed probability of those labels);
//  (b) call2violence: scored by the probability of the call2violence label, or by the
//      violence-related score when that serves the budget better on the training part
//      (CallByViolentScore). Flag precision counts
//      flagged posts that are violence-related (the budget's "at least a quarter of all flagged
//      posts are violence-related"); the strict share of call2violence is printed beside it.
// Thresholds: flag = the highest threshold whose out-of-fold recall on the training part reaches
// --flag-recall (default 0.85, a margin over the 0.8 budget); hold = the threshold with the best
// out-of-fold F1 on the training part.
//
// Rules (--rules, default rules/stoa.rules; they need no training): alone, a post is flagged when
// a rule of a relevant category hits and held when such a hit may hold (max_verdict >= hold);
// task (a) counts violence, threat, incitement, glorification and terrorism rules, task (b)
// violence rules (calls to violence). Rules + classifier: the score is the larger of the
// classifier's score and the rules' score (RuleScores: 1 - prod(1 - weight) over the rules that
// hit), thresholds tuned on the training part like the classifier's.
//
// Exits 0 with a message when the data set is absent (it is never committed).
#include <CLI/CLI.hpp>
#include <fasttext/fasttext.h>
#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <map>
#include <set>
#include <numeric>
#include <random>
#include <thread>
#include <tuple>

#include "screen/classifier.h"
#include "screen/classifier_features.h"
#include "screen/classifier_tokens.h"
#include "screen/classifier_trainer.h"
#include "screen/evaluation.h"
#include "screen/labelled_csv.h"
#include "screen/rules.h"
#include "screen/threshold_tuning.h"

namespace stoa::bench {
namespace {

using screen::BinaryCounts;
using screen::ClassifierParameters;
using screen::ThresholdForBestF1;
using screen::ThresholdForRecall;

constexpr std::string_view kNegative = "nothing";
constexpr std::string_view kCall = "call2violence";

struct Example {
  std::string text;
  std::string label;
  bool violent = false;  // task (a)
  bool call = false;     // task (b)
};

struct Scores {
  std::vector<float> violent;  // task (a)
  std::vector<float> call;     // task (b)
};

// What the rules say about one post.
struct RuleSignal {
  float violent = 0;   // task (a): highest score of the violence-related categories
  float call = 0;      // task (b): score of the violence category
  bool violent_flag = false, violent_hold = false, call_flag = false, call_hold = false;
};

RuleSignal RulesFor(const screen::RuleSet& rules, const std::string& normalized) {
  using screen::Category;
  RuleSignal r;
  std::vector<screen::RuleHit> hits;
  if (!rules.Match(normalized, "de", &hits).ok() || hits.empty()) return r;
  const screen::RuleScores scores = rules.Score(hits);
  for (Category c : {Category::kViolence, Category::kThreat, Category::kIncitement,
                     Category::kGlorification, Category::kTerrorism}) {
    const float score = static_cast<float>(scores.Score(c));
    const bool hit = score > 0;
    const bool hold = hit && scores.MaxVerdict(c) >= screen::Verdict::kHold;
    r.violent = std::max(r.violent, score);
    r.violent_flag = r.violent_flag || hit;
    r.violent_hold = r.violent_hold || hold;
    if (c == Category::kViolence) {
      r.call = score;
      r.call_flag = hit;
      r.call_hold = hold;
    }
  }
  return r;
}

// Task (b)'s classifier score is the probability of call2violence, or the violence-related score
// when that one, at the threshold reaching the recall target, flags the larger share of
// violence-related posts (the budget's precision); decided on out-of-fold scores of the training
// part.
bool CallByViolentScore(const Scores& oof, const std::vector<bool>& call,
                        const std::vector<bool>& violent, double recall);

// max(classifier, rules) for the examples `indices` (scores indexed like `indices`).
Scores Combine(const Scores& classifier, const std::vector<RuleSignal>& rules,
               const std::vector<size_t>& indices) {
  Scores out;
  for (size_t k = 0; k < indices.size(); ++k) {
    out.violent.push_back(std::max(classifier.violent[k], rules[indices[k]].violent));
    out.call.push_back(std::max(classifier.call[k], rules[indices[k]].call));
  }
  return out;
}

struct Candidate {
  std::string name;
  ClassifierParameters parameters;
};

struct Thresholds {
  float flag = 0.5f;
  float hold = 0.8f;
};

// Assigns each example to one of k folds, stratified by label (each label spread evenly).
std::vector<int> StratifiedFolds(const std::vector<Example>& examples, const std::vector<size_t>& subset,
                                 int k, uint64_t seed) {
  std::vector<std::string_view> labels;
  labels.reserve(examples.size());
  for (const Example& e : examples) labels.push_back(e.label);
  return screen::StratifiedFolds(labels, subset, k, seed);
}

std::vector<screen::LabelledText> Select(const std::vector<Example>& examples,
                                         const std::vector<size_t>& indices) {
  std::vector<screen::LabelledText> out;
  out.reserve(indices.size());
  for (size_t i : indices) out.push_back({examples[i].text, examples[i].label});
  return out;
}

// --pretrain: the .vec file of word vectors every fastText training starts from (empty: none).
std::string g_pretrained_vectors;
// --features: the lexicon features' rules texts every fastText model is trained with (empty: none).
std::vector<std::string> g_features;
// --multitask: the other GermEval annotations of a post, by its text (c2a TRUE and harmful dbo
// labels), given to the training examples only, as auxiliary labels (one-vs-all fastText).
std::map<std::string, std::vector<std::string>> g_auxiliary;
// --extra-train: labelled posts from elsewhere added to every training part (never to a held-out
// fold), their harmful labels as `other` (violence-related) and spam as harmless.
std::vector<screen::LabelledText> g_extra;

Result<std::shared_ptr<const screen::Classifier>> Train(const std::vector<Example>& examples,
                                                        const std::vector<size_t>& indices,
                                                        const ClassifierParameters& parameters,
                                                        bool binary,
                                                        screen::ClassifierFile* file_out = nullptr) {
  screen::TrainingOptions options;
  if (parameters.model == screen::ClassifierModel::kFastText) {
    options.pretrained_vectors = g_pretrained_vectors;
    options.features = g_features;
  }
  options.negative_labels = {std::string(kNegative)};
  options.parameters = parameters;
  std::vector<screen::LabelledText> selected = Select(examples, indices);
  if (!g_auxiliary.empty() && parameters.model == screen::ClassifierModel::kFastText) {
    for (const auto& x : selected) {
      const auto it = g_auxiliary.find(x.text);
      options.auxiliary_labels.push_back(it == g_auxiliary.end() ? std::vector<std::string>{}
                                                                 : it->second);
    }
  }
  for (const screen::LabelledText& x : g_extra) {
    selected.push_back(x);
    if (!options.auxiliary_labels.empty()) options.auxiliary_labels.emplace_back();
  }
  // --binary: one harmful label for every violence-related post (tasks (a) and (b) then share
  // its score).
  if (binary) {
    for (auto& x : selected) {
      if (x.label != kNegative) x.label = "violent";
    }
  }
  ASSIGN_OR_RETURN(screen::ClassifierFile file, screen::TrainClassifier(selected, options));
  auto classifier = screen::Classifier::FromFile(file);
  if (file_out != nullptr) *file_out = std::move(file);
  return classifier;
}

double ThreadSeconds() {
  timespec t{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Microseconds of thread CPU time per call of `predict` over `posts` (best of three rounds, after
// a warm-up round): robust against other processes on a shared machine, though not against what
// they do to the caches.
template <typename Predict>
double MicrosPerPost(const std::vector<std::string>& posts, Predict&& predict) {
  double best = 1e30;
  for (int round = 0; round < 4; ++round) {
    const double t0 = ThreadSeconds();
    for (const std::string& p : posts) predict(p);
    const double us = (ThreadSeconds() - t0) * 1e6 / static_cast<double>(posts.size());
    if (round > 0) best = std::min(best, us);
  }
  return best;
}

// Scores `indices` (into `normalized`) with the model; results are indexed like `indices`.
void Score(const screen::Classifier& model, const std::vector<std::string>& normalized,
           const std::vector<size_t>& indices, Scores& out) {
  size_t call_label = model.metadata().labels.size();
  for (size_t i = 0; i < model.metadata().labels.size(); ++i) {
    if (model.metadata().labels[i].name == kCall) call_label = i;
  }
  std::vector<float> p(model.metadata().labels.size());
  for (size_t i : indices) {
    model.PredictLabels(normalized[i], p);
    out.violent.push_back(model.Predict(normalized[i])[screen::Category::kViolence]);
    // A model without a call2violence label (--binary) scores task (b) by its violence score.
    out.call.push_back(call_label < p.size() ? p[call_label] : out.violent.back());
  }
}

// Platt scaling: p = sigmoid(a * logit(score) + b), fitted by Newton's method on the log loss of
// out-of-fold scores (so that scores of different models can be averaged).
struct Platt {
  double a = 1, b = 0;
  static double Logit(float s) {
    const double p = std::clamp(static_cast<double>(s), 1e-6, 1 - 1e-6);
    return std::log(p / (1 - p));
  }
  float operator()(float s) const {
    return static_cast<float>(1 / (1 + std::exp(-(a * Logit(s) + b))));
  }
  static Platt Fit(const std::vector<float>& scores, const std::vector<bool>& gold) {
    Platt p;
    for (int iteration = 0; iteration < 50; ++iteration) {
      double ga = 0, gb = 0, haa = 1e-9, hab = 0, hbb = 1e-9;
      for (size_t i = 0; i < scores.size(); ++i) {
        const double x = Logit(scores[i]);
        const double q = 1 / (1 + std::exp(-(p.a * x + p.b)));
        const double r = q - (gold[i] ? 1 : 0), w = q * (1 - q);
        ga += r * x;
        gb += r;
        haa += w * x * x;
        hab += w * x;
        hbb += w;
      }
      const double det = haa * hbb - hab * hab;
      if (std::abs(det) < 1e-12) break;
      const double da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det;
      p.a -= da;
      p.b -= db;
      if (std::abs(da) + std::abs(db) < 1e-9) break;
    }
    return p;
  }
};

// The mean of the members' Platt-calibrated scores (platt[m] for member m, per task).
Scores Average(const std::vector<Scores>& members, const std::vector<std::pair<Platt, Platt>>& platt) {
  Scores out;
  const size_t n = members.front().violent.size();
  out.violent.assign(n, 0);
  out.call.assign(n, 0);
  for (size_t m = 0; m < members.size(); ++m) {
    for (size_t i = 0; i < n; ++i) {
      out.violent[i] += platt[m].first(members[m].violent[i]) / static_cast<float>(members.size());
      out.call[i] += platt[m].second(members[m].call[i]) / static_cast<float>(members.size());
    }
  }
  return out;
}

bool CallByViolentScore(const Scores& oof, const std::vector<bool>& call,
                        const std::vector<bool>& violent, double recall) {
  const auto share = [&](const std::vector<float>& scores) {
    const float t = ThresholdForRecall(scores, call, recall);
    double flagged = 0, hits = 0;
    for (size_t i = 0; i < scores.size(); ++i) {
      if (scores[i] >= t) {
        ++flagged;
        hits += violent[i] ? 1 : 0;
      }
    }
    return flagged == 0 ? 0.0 : hits / flagged;
  };
  return share(oof.violent) > share(oof.call);
}

struct TaskCounts {
  BinaryCounts flag;
  BinaryCounts hold;
  BinaryCounts flag_violent;  // task (b) only: flagged posts that are violence-related
};

struct Options {
  std::string data_dir;
  std::string rules;
  int folds = 5;
  int inner_folds = 3;
  uint64_t seed = 20261125;
  int threads = 0;
  double flag_recall = 0.85;
  bool tune = true;
  bool binary = false;
  bool pretrain = false;
  bool ensemble = false;
  bool multitask = false;
  screen::ClassifierParameters linear = screen::LinearParameterDefaults();  // --ensemble's 2nd member
  int pretrain_epoch = 5;
  int latency_posts = 2000;
  std::string extra_train;  // CSV with columns text,label (e.g. screening/examples.csv)
  // --features: rules files of lexicon features ("none": none), as stoa train's default.
  std::vector<std::string> features = {std::string(STOA_SOURCE_DIR) + "/rules/lexicon.rules",
                                       std::string(STOA_SOURCE_DIR) + "/rules/stoa.rules"};
  screen::ClassifierParameters base;  // the configuration (candidates vary it)
};

std::vector<Candidate> Candidates(const Options& o, const ClassifierParameters& base) {
  std::vector<Candidate> c;
  c.push_back({base.model == screen::ClassifierModel::kLinear
                   ? fmt::format("linear, char {}-{}, l2 {:g}", base.minn, base.maxn, base.l2)
                   : fmt::format("dim {}, char {}-{}", base.dim, base.minn, base.maxn),
               base});
  if (o.ensemble) {
    ClassifierParameters linear = o.linear;
    linear.threads = base.threads;
    linear.seed = base.seed;
    c.push_back({fmt::format("linear, char {}-{}, l2 {:g}", linear.minn, linear.maxn, linear.l2),
                 linear});
    return c;
  }
  if (!o.tune) return c;
  ClassifierParameters p = base;
  p.upsample = 3;
  c.push_back({"... harmful x3", p});
  return c;
}

// One table row; a negative threshold means the rules' own decision (a hit; a hit that may hold).
void PrintCounts(const char* stage, const char* task, const char* threshold_name, float threshold,
                 const BinaryCounts& c, const BinaryCounts* violent) {
  const std::string t = threshold < 0 ? std::string(threshold_name) + " (rule verdict)"
                                      : fmt::format("{} {:.4f}", threshold_name, threshold);
  std::string precision = fmt::format("{:.3f}", violent ? violent->Precision() : c.Precision());
  if (violent) precision += fmt::format(" ({:.3f} call2violence)", c.Precision());
  std::printf("| %s | %s | %s | %lld | %s | %.3f | %.3f |\n", stage, task, t.c_str(),
              static_cast<long long>(c.predicted()), precision.c_str(), c.Recall(), c.F1());
}

int Run(const Options& o) {
  namespace fs = std::filesystem;
  const fs::path file = fs::path(o.data_dir) / "vio_train.csv";
  if (!fs::exists(file)) {
    std::printf("screen_eval: %s not found; the GermEval 2026 data is not here, nothing to do\n",
                file.c_str());
    return 0;
  }
  auto csv = screen::ReadLabelledCsv(file.string(), {"description", "vio", ';'});
  if (!csv.ok()) {
    std::fprintf(stderr, "screen_eval: %s\n", csv.status().message().c_str());
    return 1;
  }
  std::vector<Example> examples;
  for (auto& e : csv->examples) {
    Example x;
    x.violent = e.label != kNegative;
    x.call = e.label == kCall;
    x.text = std::move(e.text);
    x.label = std::move(e.label);
    examples.push_back(std::move(x));
  }
  // --features: the lexicon features every fastText model is trained with (and predicts with:
  // the model keeps them). Held for the whole run, so every training and model reuses this
  // compilation (ClassifierFeatures::Parse).
  std::shared_ptr<const screen::ClassifierFeatures> features_in_use;
  if (!(o.features.size() == 1 && o.features[0] == "none")) {
    auto loaded = screen::ClassifierFeatures::Load(o.features);
    if (!loaded.ok()) {
      std::fprintf(stderr, "screen_eval: %s\n", loaded.status().message().c_str());
      return 1;
    }
    features_in_use = *loaded;
    g_features = features_in_use->texts();
    std::printf("lexicon features: %zu rules (versions %s)\n", (*loaded)->rule_count(),
                (*loaded)->versions().c_str());
  }
  if (!o.extra_train.empty()) {
    auto extra = screen::ReadLabelledCsv(o.extra_train, {"text", "label", ','});
    if (!extra.ok()) {
      std::fprintf(stderr, "screen_eval: %s\n", extra.status().message().c_str());
      return 1;
    }
    int64_t harmful = 0;
    for (screen::LabelledText& x : extra->examples) {
      const bool harmless = x.label == kNegative || x.label == "spam";
      x.label = harmless ? std::string(kNegative) : "other";
      harmful += harmless ? 0 : 1;
      g_extra.push_back(std::move(x));
    }
    std::printf("extra training posts: %zu (%lld violence-related) from %s\n", g_extra.size(),
                static_cast<long long>(harmful), o.extra_train.c_str());
  }
  std::vector<std::string> normalized;
  for (const Example& e : examples) normalized.push_back(screen::NormalizeForClassifier(e.text));
  const auto count = [&](auto pred) { return std::count_if(examples.begin(), examples.end(), pred); };
  std::printf("GermEval 2026 vio_train.csv: %zu posts (%lld skipped), %lld violence-related, %lld "
              "call2violence; %d folds, seed %llu\n",
              examples.size(), static_cast<long long>(csv->skipped),
              static_cast<long long>(count([](const Example& e) { return e.violent; })),
              static_cast<long long>(count([](const Example& e) { return e.call; })), o.folds,
              static_cast<unsigned long long>(o.seed));

  std::shared_ptr<const screen::RuleSet> rules;
  std::vector<RuleSignal> rule_signals(examples.size());
  if (!o.rules.empty()) {
    auto loaded = screen::RuleSet::Load(o.rules);
    if (!loaded.ok()) {
      std::fprintf(stderr, "screen_eval: %s\n", loaded.status().message().c_str());
      return 1;
    }
    rules = *loaded;
    for (size_t i = 0; i < examples.size(); ++i) rule_signals[i] = RulesFor(*rules, normalized[i]);
    std::printf("rules %s (version %s, %zu rules)\n", o.rules.c_str(), rules->version().c_str(),
                rules->rules().size());
  }

  ClassifierParameters base = o.base;
  base.threads = o.threads;
  base.seed = 1;
  if (Status st = screen::ValidateClassifierParameters(base); !st.ok()) {
    std::fprintf(stderr, "screen_eval: %s\n", st.message().c_str());
    return 2;
  }
  if (o.multitask) {
    if (base.loss != screen::ClassifierLoss::kOneVsAll) {
      std::fprintf(stderr, "screen_eval: --multitask needs --loss ova\n");
      return 2;
    }
    size_t posts = 0;
    for (const auto& [name, column] : {std::pair{"c2a_train.csv", "c2a"}, std::pair{"dbo_train.csv", "dbo"}}) {
      auto more = screen::ReadLabelledCsv((fs::path(o.data_dir) / name).string(), {"description", column, ';'});
      if (!more.ok()) {
        std::fprintf(stderr, "screen_eval: %s\n", more.status().message().c_str());
        return 1;
      }
      for (const auto& e : more->examples) {
        if (e.label == "FALSE" || e.label == "nothing") continue;
        g_auxiliary[e.text].push_back(std::string("aux_") + column + "_" + e.label);
        ++posts;
      }
    }
    size_t covered = 0;
    for (const Example& e : examples) covered += g_auxiliary.contains(e.text) ? 1 : 0;
    std::printf("multitask: %zu auxiliary labels (c2a TRUE, dbo other than nothing); %zu of the vio "
                "posts have one, used only when the post is a training example\n",
                posts, covered);
  }
  // --pretrain: skipgram vectors from the TEXT (never the labels) of every post of the three
  // GermEval files, held-out folds included: unlabelled text is what a platform has plenty of.
  const std::string vectors = (fs::temp_directory_path() / "stoa-screen-eval-pretrained.vec").string();
  // Removed however Run returns.
  struct RemoveVectors {
    std::string path;
    ~RemoveVectors() {
      std::error_code ec;
      if (!path.empty()) std::filesystem::remove(path, ec);
    }
  } remove_vectors{o.pretrain ? vectors : std::string()};
  if (o.pretrain) {
    std::vector<std::string> texts;
    std::set<std::string> seen;
    for (const auto& [name, column] : {std::pair{"vio_train.csv", "vio"}, std::pair{"c2a_train.csv", "c2a"},
                                       std::pair{"dbo_train.csv", "dbo"}}) {
      auto more = screen::ReadLabelledCsv((fs::path(o.data_dir) / name).string(), {"description", column, ';'});
      if (!more.ok()) {
        std::fprintf(stderr, "screen_eval: %s\n", more.status().message().c_str());
        return 1;
      }
      for (auto& e : more->examples) {
        if (seen.insert(e.text).second) texts.push_back(std::move(e.text));
      }
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto words = screen::TrainWordVectors(texts, base, o.pretrain_epoch, vectors);
    if (!words.ok()) {
      std::fprintf(stderr, "screen_eval: %s\n", words.status().message().c_str());
      return 1;
    }
    g_pretrained_vectors = vectors;
    std::printf("pretrained skipgram vectors (dim %d, %d epochs) on the text of %zu distinct posts "
                "of vio, c2a and dbo (no labels): %lld words, %.0f s\n",
                base.dim, o.pretrain_epoch, texts.size(), static_cast<long long>(*words),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  const std::vector<Candidate> candidates = Candidates(o, base);

  std::vector<size_t> all(examples.size());
  std::iota(all.begin(), all.end(), 0);
  const std::vector<int> outer = StratifiedFolds(examples, all, o.folds, o.seed);
  TaskCounts violent, call, rules_violent, rules_call, both_violent, both_call;
  Thresholds sum_violent{0, 0}, sum_call{0, 0};  // means over the folds
  Thresholds both_sum_violent{0, 0}, both_sum_call{0, 0};
  std::shared_ptr<const screen::Classifier> last_model;
  screen::ClassifierFile last_file;
  const auto started = std::chrono::steady_clock::now();
  for (int f = 0; f < o.folds; ++f) {
    std::vector<size_t> train, test;
    for (size_t i = 0; i < examples.size(); ++i) (outer[i] == f ? test : train).push_back(i);

    // Out-of-fold scores inside the training part, for every candidate.
    const std::vector<int> inner = StratifiedFolds(examples, train, o.inner_folds, o.seed + f + 1);
    size_t best = 0;
    double best_ap = -1;
    Scores best_oof;
    std::vector<bool> train_violent, train_call;
    std::vector<size_t> oof_order;  // the examples in the order out-of-fold scores are produced
    for (int g = 0; g < o.inner_folds; ++g) {
      for (size_t i : train) {
        if (inner[i] == g) {
          train_violent.push_back(examples[i].violent);
          train_call.push_back(examples[i].call);
          oof_order.push_back(i);
        }
      }
    }
    std::vector<Scores> member_oof;  // --ensemble: every candidate's
    for (size_t c = 0; c < candidates.size(); ++c) {
      Scores oof;
      for (int g = 0; g < o.inner_folds; ++g) {
        std::vector<size_t> fit, held;
        for (size_t i : train) (inner[i] == g ? held : fit).push_back(i);
        auto model = Train(examples, fit, candidates[c].parameters, o.binary);
        if (!model.ok()) {
          std::fprintf(stderr, "screen_eval: %s\n", model.status().message().c_str());
          return 1;
        }
        Score(**model, normalized, held, oof);
      }
      const double ap = screen::AveragePrecision(oof.violent, train_violent) +
                        screen::AveragePrecision(oof.call, train_call);
      std::printf("  fold %d: %-32s out-of-fold AP violence-related %.3f, call2violence %.3f\n", f + 1,
                  candidates[c].name.c_str(), screen::AveragePrecision(oof.violent, train_violent),
                  screen::AveragePrecision(oof.call, train_call));
      std::fflush(stdout);
      if (o.ensemble) member_oof.push_back(oof);
      if (ap > best_ap) {
        best_ap = ap;
        best = c;
        best_oof = std::move(oof);
      }
    }
    std::vector<std::pair<Platt, Platt>> platt;
    if (o.ensemble) {
      for (const Scores& m : member_oof) {
        platt.emplace_back(Platt::Fit(m.violent, train_violent), Platt::Fit(m.call, train_call));
      }
      best_oof = Average(member_oof, platt);
      std::printf("  fold %d: %-32s out-of-fold AP violence-related %.3f, call2violence %.3f\n",
                  f + 1, "ensemble (mean of Platt-scaled)",
                  screen::AveragePrecision(best_oof.violent, train_violent),
                  screen::AveragePrecision(best_oof.call, train_call));
    }
    const Scores classifier_oof = best_oof;
    const bool call_by_violent =
        CallByViolentScore(best_oof, train_call, train_violent, o.flag_recall);
    if (call_by_violent) best_oof.call = best_oof.violent;
    Thresholds tv{ThresholdForRecall(best_oof.violent, train_violent, o.flag_recall),
                  ThresholdForBestF1(best_oof.violent, train_violent)};
    Thresholds tc{ThresholdForRecall(best_oof.call, train_call, o.flag_recall),
                  ThresholdForBestF1(best_oof.call, train_call)};
    tv.hold = std::max(tv.hold, tv.flag);
    tc.hold = std::max(tc.hold, tc.flag);
    Scores both_oof = Combine(classifier_oof, rule_signals, oof_order);
    const bool both_call_by_violent =
        CallByViolentScore(both_oof, train_call, train_violent, o.flag_recall);
    if (both_call_by_violent) {
      Scores by_violent = classifier_oof;
      by_violent.call = by_violent.violent;
      both_oof = Combine(by_violent, rule_signals, oof_order);
    }
    Thresholds bv{ThresholdForRecall(both_oof.violent, train_violent, o.flag_recall),
                  ThresholdForBestF1(both_oof.violent, train_violent)};
    Thresholds bc{ThresholdForRecall(both_oof.call, train_call, o.flag_recall),
                  ThresholdForBestF1(both_oof.call, train_call)};
    bv.hold = std::max(bv.hold, bv.flag);
    bc.hold = std::max(bc.hold, bc.flag);

    auto model = Train(examples, train, candidates[best].parameters, o.binary, &last_file);
    if (!model.ok()) {
      std::fprintf(stderr, "screen_eval: %s\n", model.status().message().c_str());
      return 1;
    }
    Scores s;
    Score(**model, normalized, test, s);
    if (o.ensemble) {
      std::vector<Scores> members{s};
      for (size_t c = 0; c < candidates.size(); ++c) {
        if (c == best) continue;
        auto other = Train(examples, train, candidates[c].parameters, o.binary);
        if (!other.ok()) {
          std::fprintf(stderr, "screen_eval: %s\n", other.status().message().c_str());
          return 1;
        }
        Scores t;
        Score(**other, normalized, test, t);
        members.push_back(std::move(t));
      }
      std::vector<std::pair<Platt, Platt>> ordered{platt[best]};
      for (size_t c = 0; c < candidates.size(); ++c) {
        if (c != best) ordered.push_back(platt[c]);
      }
      s = Average(members, ordered);
    }
    {
      std::vector<bool> test_violent, test_call;
      for (size_t i : test) {
        test_violent.push_back(examples[i].violent);
        test_call.push_back(examples[i].call);
      }
      std::printf("  fold %d: held-out AP violence-related %.3f, call2violence %.3f\n", f + 1,
                  screen::AveragePrecision(s.violent, test_violent), screen::AveragePrecision(s.call, test_call));
    }
    for (size_t k = 0; k < test.size(); ++k) {
      const Example& e = examples[test[k]];
      violent.flag.Add(s.violent[k] >= tv.flag, e.violent);
      violent.hold.Add(s.violent[k] >= tv.hold, e.violent);
      const float call_score = call_by_violent ? s.violent[k] : s.call[k];
      call.flag.Add(call_score >= tc.flag, e.call);
      call.hold.Add(call_score >= tc.hold, e.call);
      call.flag_violent.Add(call_score >= tc.flag, e.violent);
      if (rules) {
        const RuleSignal& r = rule_signals[test[k]];
        rules_violent.flag.Add(r.violent_flag, e.violent);
        rules_violent.hold.Add(r.violent_hold, e.violent);
        rules_call.flag.Add(r.call_flag, e.call);
        rules_call.hold.Add(r.call_hold, e.call);
        rules_call.flag_violent.Add(r.call_flag, e.violent);
        const float v = std::max(s.violent[k], r.violent);
        const float c = std::max(both_call_by_violent ? s.violent[k] : s.call[k], r.call);
        both_violent.flag.Add(v >= bv.flag, e.violent);
        both_violent.hold.Add(v >= bv.hold, e.violent);
        both_call.flag.Add(c >= bc.flag, e.call);
        both_call.hold.Add(c >= bc.hold, e.call);
        both_call.flag_violent.Add(c >= bc.flag, e.violent);
      }
    }
    std::printf("  fold %d: chose %s; thresholds violence-related flag %.4f hold %.4f, "
                "call2violence (by the %s score) flag %.4f hold %.4f; with rules: %.4f %.4f, "
                "call2violence (by %s) %.4f %.4f\n",
                f + 1, candidates[best].name.c_str(), tv.flag, tv.hold,
                call_by_violent ? "violence-related" : "call2violence", tc.flag, tc.hold, bv.flag,
                bv.hold, both_call_by_violent ? "violence-related" : "call2violence", bc.flag,
                bc.hold);
    std::fflush(stdout);
    sum_violent.flag += tv.flag / o.folds;
    sum_violent.hold += tv.hold / o.folds;
    sum_call.flag += tc.flag / o.folds;
    sum_call.hold += tc.hold / o.folds;
    both_sum_violent.flag += bv.flag / o.folds;
    both_sum_violent.hold += bv.hold / o.folds;
    both_sum_call.flag += bc.flag / o.folds;
    both_sum_call.hold += bc.hold / o.folds;
    last_model = *model;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  std::printf("\n%d-fold cross-validation, test folds pooled (thresholds: mean over folds; "
              "call2violence flag precision: flagged posts that are violence-related):\n\n",
              o.folds);
  std::printf("| stage | task | threshold | flagged | precision | recall | F1 |\n"
              "|---|---|---|---|---|---|---|\n");
  const auto table = [&](const char* stage, const TaskCounts& v, const TaskCounts& c,
                         const Thresholds* tv, const Thresholds* tc) {
    PrintCounts(stage, "violence-related", "flag", tv ? tv->flag : -1, v.flag, nullptr);
    PrintCounts(stage, "violence-related", "hold", tv ? tv->hold : -1, v.hold, nullptr);
    PrintCounts(stage, "call2violence", "flag", tc ? tc->flag : -1, c.flag, &c.flag_violent);
    PrintCounts(stage, "call2violence", "hold", tc ? tc->hold : -1, c.hold, nullptr);
  };
  table("classifier", violent, call, &sum_violent, &sum_call);
  if (rules) {
    table("rules", rules_violent, rules_call, nullptr, nullptr);
    table("rules + classifier (max)", both_violent, both_call, &both_sum_violent, &both_sum_call);
  }
  std::printf("\nbudgets (classifier): violence-related F1 >= 0.6 (at hold: %.3f); call2violence "
              "recall >= 0.8 at flag (%.3f) with violence-related flag precision >= 0.25 (%.3f)\n",
              violent.hold.F1(), call.flag.Recall(), call.flag_violent.Precision());
  if (rules) {
    std::printf("budgets (rules + classifier): violence-related F1 at hold %.3f; call2violence recall "
                "at flag %.3f, violence-related flag precision %.3f\n",
                both_violent.hold.F1(), both_call.flag.Recall(), both_call.flag_violent.Precision());
  }
  std::printf("evaluation took %.0f s (%u hardware threads)\n", seconds,
              std::thread::hardware_concurrency());

  // Latency of one prediction on 500-byte posts (built from the data set's own text), one thread.
  if (last_model && o.latency_posts > 0) {
    std::vector<std::string> posts;
    std::string current;
    for (size_t i = 0; posts.size() < static_cast<size_t>(o.latency_posts); i = (i + 1) % examples.size()) {
      current += examples[i].text;
      current += ' ';
      if (current.size() >= 500) {
        current.resize(500);
        // Cut at a character boundary.
        while (!current.empty() && (static_cast<unsigned char>(current.back()) & 0xC0) == 0x80) {
          current.pop_back();
        }
        if (!current.empty() && static_cast<unsigned char>(current.back()) >= 0xC0) current.pop_back();
        posts.push_back(screen::NormalizeForClassifier(current));
        current.clear();
      }
    }
    float sink = 0;
    const double ours = MicrosPerPost(posts, [&](const std::string& p) {
      sink += last_model->Predict(p)[screen::Category::kViolence];
    });
    const auto& p = last_file.metadata.parameters;
    if (p.model == screen::ClassifierModel::kLinear) {
      std::printf("classifier latency (linear, word n-grams %d, character n-grams %d-%d, %.1f MB): "
                  "%.2f us per 500-byte post, one thread, CPU time; %zu posts (checksum %.3f)\n",
                  p.word_ngrams, p.minn, p.maxn,
                  static_cast<double>(last_file.model_bytes.size()) / 1e6, ours, posts.size(), sink);
      return 0;
    }
    // The same predictions through fastText's own API (a line of tokens through an istream),
    // for comparison.
    const std::string bin = (fs::temp_directory_path() / "stoa-screen-eval-latency.bin").string();
    {
      std::ofstream out(bin, std::ios::binary | std::ios::trunc);
      out << last_file.model_bytes;
    }
    fasttext::FastText reference;
    reference.loadModel(bin);
    fs::remove(bin);
    std::vector<std::string> lines;
    for (const std::string& post : posts) {
      std::string line;
      screen::ForEachClassifierToken(post, [&](std::string_view t) {
        if (!line.empty()) line.push_back(' ');
        line.append(t);
      });
      lines.push_back(line + "\n");
    }
    std::vector<std::pair<fasttext::real, std::string>> predictions;
    const double theirs = MicrosPerPost(lines, [&](const std::string& line) {
      std::istringstream in(line);
      reference.predictLine(in, predictions, -1, 0.0);
      sink += predictions.empty() ? 0.0f : predictions.front().first;
    });
    std::printf("classifier latency (dim %d, word n-grams %d, character n-grams %d-%d, %.1f MB): "
                "%.2f us per 500-byte post, one thread, CPU time (fastText's own predictLine on "
                "the same tokens: %.2f us); %zu posts (checksum %.3f)\n",
                p.dim, p.word_ngrams, p.minn, p.maxn,
                static_cast<double>(last_file.model_bytes.size()) / 1e6, ours, theirs,
                posts.size(), sink);
  }
  return 0;
}

}  // namespace
}  // namespace stoa::bench

int main(int argc, char** argv) {
  stoa::bench::Options o;
#ifdef STOA_SOURCE_DIR
  o.data_dir = std::string(STOA_SOURCE_DIR) + "/../shared/data/germeval2026";
  o.rules = std::string(STOA_SOURCE_DIR) + "/rules/stoa.rules";
#endif
  CLI::App cli{"Screening quality on GermEval 2026 (k-fold)", "screen_eval"};
  cli.add_option("--data-dir", o.data_dir, "Directory with vio_train.csv");
  cli.add_option("--rules", o.rules, "Rules file for the rules rows (empty: classifier only)");
  cli.add_option("--folds", o.folds, "Outer folds (default 5)")->check(CLI::Range(2, 20));
  cli.add_option("--inner-folds", o.inner_folds, "Folds inside each training part (default 3)")
      ->check(CLI::Range(2, 20));
  cli.add_option("--seed", o.seed, "Seed of the fold assignment");
  cli.add_option("--threads", o.threads, "fastText training threads (0: all)");
  cli.add_option("--flag-recall", o.flag_recall, "Out-of-fold recall the flag threshold aims at")
      ->check(CLI::Range(0.0, 1.0));
  cli.add_flag("!--no-tune", o.tune, "Only the default configuration (no choice among several)");
  cli.add_option("--dim", o.base.dim, "fastText dimension")->capture_default_str();
  cli.add_option("--minn", o.base.minn, "Shortest character n-gram")->capture_default_str();
  cli.add_option("--maxn", o.base.maxn, "Longest character n-gram (0: none)")->capture_default_str();
  cli.add_option("--bucket", o.base.bucket, "Hash buckets")->capture_default_str();
  cli.add_option("--epoch", o.base.epoch, "Epochs")->capture_default_str();
  cli.add_option("--lr", o.base.lr, "Learning rate")->capture_default_str();
  cli.add_option("--word-ngrams", o.base.word_ngrams, "Word n-grams up to this length")
      ->capture_default_str();
  cli.add_option("--upsample", o.base.upsample, "Each harmful training example used this often")
      ->capture_default_str();
  std::string loss = "softmax";
  cli.add_option("--loss", loss, "softmax or ova (one-vs-all)")->capture_default_str();
  std::string model = "fasttext";
  cli.add_option("--model", model,
                 "fasttext or linear (linear: its own defaults for epoch, lr, minn, maxn and "
                 "bucket unless given)")
      ->capture_default_str();
  cli.add_option("--l2", o.base.l2, "Linear model: L2 penalty")->capture_default_str();
  cli.add_option("--class-weight", o.base.class_weight,
                 "Linear model: positive examples weigh (negatives/positives)^this")
      ->capture_default_str();
  cli.add_flag("--binary", o.binary,
               "Train on two labels, violence-related and nothing (call2violence then scored by "
               "the violence-related score)");
  cli.add_flag("--ensemble", o.ensemble,
               "Average the Platt-scaled scores of the fastText configuration and a linear model "
               "(--l2 and --class-weight apply to the latter)");
  cli.add_flag("--multitask", o.multitask,
               "fastText --loss ova: training posts also get their c2a and dbo labels (matched by "
               "text) as auxiliary labels");
  cli.add_flag("--pretrain", o.pretrain,
               "fastText: start from skipgram vectors trained on the text of vio, c2a and dbo "
               "(no labels)");
  cli.add_option("--pretrain-epoch", o.pretrain_epoch, "Skipgram epochs for --pretrain")
      ->capture_default_str();
  cli.add_option("--features", o.features,
                 "Rules files of lexicon features for every fastText model (stoa train --features; "
                 "none: none)")
      ->capture_default_str();
  cli.add_option("--extra-train", o.extra_train,
                 "CSV (columns text,label) added to every training part, never tested on: "
                 "nothing and spam as harmless, other labels as violence-related (other)")
      ->check(CLI::ExistingFile);
  cli.add_option("--latency-posts", o.latency_posts, "500-byte posts for the latency figure (0: none)");
  CLI11_PARSE(cli, argc, argv);
  const auto parsed_model = stoa::screen::ParseClassifierModel(model);
  if (!parsed_model) {
    std::fprintf(stderr, "screen_eval: --model must be fasttext or linear\n");
    return 2;
  }
  o.linear.l2 = o.base.l2;
  o.linear.class_weight = o.base.class_weight;
  if (*parsed_model == stoa::screen::ClassifierModel::kLinear) {
    // The linear model's defaults where the command line gave nothing.
    const stoa::screen::ClassifierParameters d = stoa::screen::LinearParameterDefaults();
    stoa::screen::ClassifierParameters& p = o.base;
    p.model = d.model;
    for (const auto& [name, field, value] :
         {std::tuple{"--epoch", &p.epoch, d.epoch}, std::tuple{"--minn", &p.minn, d.minn},
          std::tuple{"--maxn", &p.maxn, d.maxn}, std::tuple{"--bucket", &p.bucket, d.bucket}}) {
      if (cli.count(name) == 0) *field = value;
    }
    if (cli.count("--lr") == 0) p.lr = d.lr;
  }
  const auto parsed_loss = stoa::screen::ParseClassifierLoss(loss);
  if (!parsed_loss) {
    std::fprintf(stderr, "screen_eval: --loss must be softmax or ova\n");
    return 2;
  }
  o.base.loss = *parsed_loss;
  return stoa::bench::Run(o);
}
