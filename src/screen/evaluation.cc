#include "screen/evaluation.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <numeric>
#include <map>

namespace stoa::screen {

BinaryCounts& BinaryCounts::operator+=(const BinaryCounts& o) {
  true_positives += o.true_positives;
  false_positives += o.false_positives;
  false_negatives += o.false_negatives;
  true_negatives += o.true_negatives;
  return *this;
}

double BinaryCounts::Precision() const {
  return predicted() == 0 ? 0.0 : static_cast<double>(true_positives) / predicted();
}

double BinaryCounts::Recall() const {
  return actual() == 0 ? 0.0 : static_cast<double>(true_positives) / actual();
}

double BinaryCounts::F1() const {
  const double p = Precision();
  const double r = Recall();
  return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
}

namespace {

// An example's truth: its label in the model's table (if there) and its category (none: harmless).
struct Gold {
  std::optional<size_t> label;
  std::optional<Category> category;
};

class GoldResolver {
 public:
  // `meta` may be null (no model: only the map and the negative labels say what a label means).
  GoldResolver(const ClassifierMetadata* meta, const GoldLabels& gold) : meta_(meta), gold_(gold) {
    if (meta_ == nullptr) return;
    for (size_t i = 0; i < meta_->labels.size(); ++i) index_of_[meta_->labels[i].name] = i;
  }

  Result<Gold> Resolve(const std::string& label) const {
    const auto it = index_of_.find(label);
    const std::optional<size_t> index =
        it == index_of_.end() ? std::nullopt : std::optional<size_t>(it->second);
    for (const auto& [name, category] : gold_.categories) {
      if (name == label) return Gold{index, category};
    }
    if (index) return Gold{index, meta_->labels[*index].category};
    if (IsNegativeLabel(label, gold_.negative)) return Gold{};
    std::string known;
    if (meta_ != nullptr) {
      for (const ClassifierLabel& l : meta_->labels) known += (known.empty() ? "" : ", ") + l.name;
    }
    return InvalidArgument("label '" + label + "' is neither a label of the model (" +
                           (known.empty() ? std::string("none") : known) +
                           "), nor mapped to a category, nor a negative label");
  }

 private:
  const ClassifierMetadata* meta_;
  const GoldLabels& gold_;
  std::map<std::string, size_t, std::less<>> index_of_;
};

}  // namespace

double AveragePrecision(const std::vector<float>& scores, const std::vector<bool>& gold) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  double hits = 0, sum = 0;
  for (size_t rank = 0; rank < order.size(); ++rank) {
    if (!gold[order[rank]]) continue;
    ++hits;
    sum += hits / static_cast<double>(rank + 1);
  }
  return hits == 0 ? 0.0 : sum / hits;
}

Result<ClassifierEvaluation> EvaluateClassifier(const Classifier& classifier,
                                                const std::vector<LabelledText>& examples,
                                                const GoldLabels& gold_labels,
                                                float flag_threshold, float hold_threshold) {
  const ClassifierMetadata& meta = classifier.metadata();
  const GoldResolver resolver(&meta, gold_labels);

  ClassifierEvaluation ev;
  for (const ClassifierLabel& l : meta.labels) ev.labels.push_back({l.name, l.category, {}});
  std::vector<Category> categories;
  for (Category c : kAllCategories) {
    if (std::any_of(meta.labels.begin(), meta.labels.end(),
                    [&](const ClassifierLabel& l) { return l.category == c; })) {
      categories.push_back(c);
    }
  }
  ev.flag.threshold = flag_threshold;
  ev.hold.threshold = hold_threshold;
  for (Category c : categories) {
    ev.flag.categories.push_back({c, {}});
    ev.hold.categories.push_back({c, {}});
  }

  std::vector<float> probabilities(meta.labels.size());
  std::vector<float> top_scores;
  std::vector<bool> harmful;
  top_scores.reserve(examples.size());
  harmful.reserve(examples.size());
  for (const LabelledText& e : examples) {
    ASSIGN_OR_RETURN(const Gold gold, resolver.Resolve(e.label));
    ++ev.examples;
    if (gold.category) ++ev.harmful;
    const std::string text = NormalizeForClassifier(e.text);
    // One prediction gives both (a model with lexicon features scans for them once).
    const CategoryScores scores = classifier.Predict(text, probabilities);
    const size_t top = static_cast<size_t>(
        std::max_element(probabilities.begin(), probabilities.end()) - probabilities.begin());
    for (size_t i = 0; i < ev.labels.size(); ++i) {
      ev.labels[i].top1.Add(top == i, gold.label == i);
    }
    top_scores.push_back(scores.Max());
    harmful.push_back(gold.category.has_value());
    for (ThresholdQuality* q : {&ev.flag, &ev.hold}) {
      q->any.Add(scores.Max() >= q->threshold, gold.category.has_value());
      for (auto& [c, counts] : q->categories) counts.Add(scores[c] >= q->threshold, gold.category == c);
    }
  }
  ev.average_precision = AveragePrecision(top_scores, harmful);
  return ev;
}

std::string FormatEvaluation(const ClassifierEvaluation& ev) {
  std::string out = fmt::format("{} examples, {} harmful ({:.1f}%)\n\n", ev.examples, ev.harmful,
                                ev.examples == 0 ? 0.0 : 100.0 * ev.harmful / ev.examples);
  const auto row = [&](std::string_view name, std::string_view category, const BinaryCounts& c) {
    out += fmt::format("{:<24} {:<14} {:>8} {:>8} {:>9.3f} {:>7.3f} {:>7.3f}\n", name, category,
                       c.actual(), c.predicted(), c.Precision(), c.Recall(), c.F1());
  };
  const auto header = [&](std::string_view title) {
    out += fmt::format("{:<24} {:<14} {:>8} {:>8} {:>9} {:>7} {:>7}\n", title, "category",
                       "support", "flagged", "precision", "recall", "F1");
  };
  out += fmt::format("average precision (highest category score, harmful ranked first): {:.3f}\n\n",
                     ev.average_precision);
  header("label (most probable)");
  for (const LabelQuality& l : ev.labels) {
    row(l.label, l.category ? CategoryName(*l.category) : "(harmless)", l.top1);
  }
  for (const auto& [name, q] : {std::pair<const char*, const ThresholdQuality&>{"flag", ev.flag},
                                {"hold", ev.hold}}) {
    out += "\n";
    header(fmt::format("{} threshold {:.4g}", name, q.threshold));
    row("any category", "", q.any);
    for (const auto& [c, counts] : q.categories) row(CategoryName(c), CategoryName(c), counts);
  }
  return out;
}

Result<ChainEvaluation> EvaluateChain(const Screener& screener,
                                      const std::vector<LabelledText>& examples,
                                      const GoldLabels& gold_labels, std::string_view language) {
  const std::shared_ptr<const Classifier> model = screener.model().Get();
  const GoldResolver resolver(model ? &model->metadata() : nullptr, gold_labels);
  ChainEvaluation ev;
  Screening screening;
  for (const LabelledText& e : examples) {
    ASSIGN_OR_RETURN(const Gold gold, resolver.Resolve(e.label));
    RETURN_IF_ERROR(screener.Screen(e.text, language, /*surge=*/false, &screening));
    const bool harmful = gold.category.has_value();
    ++ev.examples;
    if (harmful) ++ev.harmful;
    const Verdict v = screening.verdict();
    ++ev.verdicts[harmful ? 1 : 0][static_cast<size_t>(v)];
    ev.flagged.Add(v >= Verdict::kPublishAndFlag, harmful);
    ev.held.Add(v >= Verdict::kHold, harmful);
    bool rules = false, classifier = false;
    for (const PolicyReason& r : screening.policy.reasons) {
      if (r.verdict < Verdict::kPublishAndFlag) continue;
      (r.signal == PolicyReason::Signal::kRules ? rules : classifier) = true;
    }
    ev.by_rules.Add(rules, harmful);
    ev.by_classifier.Add(classifier, harmful);
  }
  return ev;
}

std::string FormatChainEvaluation(const ChainEvaluation& ev) {
  const auto share = [&](int64_t n) { return ev.examples == 0 ? 0.0 : 100.0 * n / ev.examples; };
  std::string out = fmt::format("screening chain (rules, classifier, policy; surge off): {} posts, "
                                "{} harmful\n\n",
                                ev.examples, ev.harmful);
  out += fmt::format("{:<18} {:>9} {:>9} {:>9}\n", "verdict", "harmless", "harmful", "% of all");
  for (Verdict v : {Verdict::kPublish, Verdict::kPublishAndFlag, Verdict::kHold, Verdict::kReject}) {
    const size_t i = static_cast<size_t>(v);
    out += fmt::format("{:<18} {:>9} {:>9} {:>8.1f}%\n", VerdictName(v), ev.verdicts[0][i],
                       ev.verdicts[1][i], share(ev.verdicts[0][i] + ev.verdicts[1][i]));
  }
  out += fmt::format("\n{:<34} {:>8} {:>8} {:>9} {:>7} {:>7}\n", "posts", "share", "count",
                     "precision", "recall", "F1");
  const auto row = [&](std::string_view name, const BinaryCounts& c) {
    out += fmt::format("{:<34} {:>7.1f}% {:>8} {:>9.3f} {:>7.3f} {:>7.3f}\n", name,
                       share(c.predicted()), c.predicted(), c.Precision(), c.Recall(), c.F1());
  };
  row("flagged or stricter (a case)", ev.flagged);
  row("held or rejected", ev.held);
  row("  flagged by a rule", ev.by_rules);
  row("  flagged by the classifier", ev.by_classifier);
  return out;
}

}  // namespace stoa::screen
