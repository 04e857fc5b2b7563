#include "screen/evaluation.h"

#include <fmt/format.h>

#include <algorithm>
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

Result<ClassifierEvaluation> EvaluateClassifier(const Classifier& classifier,
                                                const std::vector<LabelledText>& examples,
                                                const std::vector<std::string>& negative_labels,
                                                float flag_threshold, float hold_threshold) {
  const ClassifierMetadata& meta = classifier.metadata();
  std::map<std::string, size_t, std::less<>> index_of;
  for (size_t i = 0; i < meta.labels.size(); ++i) index_of[meta.labels[i].name] = i;

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
  for (const LabelledText& e : examples) {
    std::optional<size_t> gold_label;
    std::optional<Category> gold_category;
    if (auto it = index_of.find(e.label); it != index_of.end()) {
      gold_label = it->second;
      gold_category = meta.labels[it->second].category;
    } else if (!IsNegativeLabel(e.label, negative_labels)) {
      std::string known;
      for (const ClassifierLabel& l : meta.labels) known += (known.empty() ? "" : ", ") + l.name;
      return InvalidArgument("label '" + e.label + "' is neither a label of the model (" + known +
                             ") nor a negative label");
    }
    ++ev.examples;
    if (gold_category) ++ev.harmful;
    const std::string text = NormalizeForClassifier(e.text);
    classifier.PredictLabels(text, probabilities);
    const size_t top = static_cast<size_t>(
        std::max_element(probabilities.begin(), probabilities.end()) - probabilities.begin());
    for (size_t i = 0; i < ev.labels.size(); ++i) {
      ev.labels[i].top1.Add(top == i, gold_label == i);
    }
    const CategoryScores scores = classifier.Predict(text);
    for (ThresholdQuality* q : {&ev.flag, &ev.hold}) {
      q->any.Add(scores.Max() >= q->threshold, gold_category.has_value());
      for (auto& [c, counts] : q->categories) counts.Add(scores[c] >= q->threshold, gold_category == c);
    }
  }
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
  header("label (most probable)");
  for (const LabelQuality& l : ev.labels) {
    row(l.label, l.category ? CategoryName(*l.category) : "(harmless)", l.top1);
  }
  for (const auto& [name, q] : {std::pair<const char*, const ThresholdQuality&>{"flag", ev.flag},
                                {"hold", ev.hold}}) {
    out += "\n";
    header(fmt::format("{} threshold {:.2f}", name, q.threshold));
    row("any category", "", q.any);
    for (const auto& [c, counts] : q.categories) row(CategoryName(c), CategoryName(c), counts);
  }
  return out;
}

}  // namespace stoa::screen
