#include "screen/screener.h"

#include "common/json_writer.h"

namespace stoa::screen {
namespace {

const std::string kNone;

void Categories(JsonWriter& w, const std::array<double, kCategoryCount>& values) {
  w.BeginObject();
  for (Category c : kAllCategories) {
    w.Key(CategoryName(c)).Double(values[static_cast<size_t>(c)]);
  }
  w.EndObject();
}

std::array<double, kCategoryCount> AsDoubles(const CategoryScores& s) {
  std::array<double, kCategoryCount> out{};
  for (size_t i = 0; i < kCategoryCount; ++i) {
    // Rounded so that records stay short and stable across float printing.
    out[i] = static_cast<double>(static_cast<int64_t>(s.values[i] * 10000.0f + 0.5f)) / 10000.0;
  }
  return out;
}

}  // namespace

const std::string& Screening::rules_version() const { return rules ? rules->version() : kNone; }
const std::string& Screening::model_version() const { return model ? model->version() : kNone; }

std::string Screening::CategoriesJson() const {
  JsonWriter w;
  Categories(w, AsDoubles(classifier));
  return w.Take();
}

std::string Screening::RuleHitsJson() const {
  JsonWriter w;
  w.BeginArray();
  for (const RuleHit& h : hits) {
    w.BeginObject()
        .Field("rule", rules->rule(h.rule).name)
        .Field("category", CategoryName(h.category))
        .Field("start", static_cast<int64_t>(h.start))
        .Field("end", static_cast<int64_t>(h.end))
        .EndObject();
  }
  w.EndArray();
  return w.Take();
}

std::string Screening::SignalsJson() const {
  JsonWriter w;
  w.BeginObject();
  w.Field("verdict", VerdictName(policy.verdict));
  w.Field("surge", policy.surge);
  w.Key("categories");
  Categories(w, AsDoubles(classifier));
  w.Key("rule_scores");
  Categories(w, rule_scores.score);
  w.Key("rule_hits").BeginArray();
  for (const RuleHit& h : hits) {
    const Rule& r = rules->rule(h.rule);
    w.BeginObject()
        .Field("rule", r.name)
        .Field("category", CategoryName(h.category))
        .Field("start", static_cast<int64_t>(h.start))
        .Field("end", static_cast<int64_t>(h.end))
        .Field("weight", h.weight)
        .Field("max_verdict", VerdictName(r.max_verdict))
        .EndObject();
  }
  w.EndArray();
  w.Key("reasons").BeginArray();
  for (const PolicyReason& r : policy.reasons) {
    w.BeginObject()
        .Field("signal", SignalName(r.signal))
        .Field("category", CategoryName(r.category))
        .Field("score", static_cast<double>(r.score))
        .Field("threshold", static_cast<double>(r.threshold))
        .Field("verdict", VerdictName(r.verdict))
        .Field("capped", r.capped);
    w.Key("rules").BeginArray();
    for (uint32_t i : r.rules) w.String(rules->rule(i).name);
    w.EndArray().EndObject();
  }
  w.EndArray();
  w.Field("rules_version", rules_version());
  w.Field("model_version", model_version());
  w.EndObject();
  return w.Take();
}

Status Screener::Screen(std::string_view text, std::string_view language, bool surge,
                        Screening* out) const {
  out->rules = rules_.Get();
  out->model = model_.Get();
  Normalize(text, &out->normalized);
  out->hits.clear();
  out->rule_scores = RuleScores{};
  // A model that reads these very rules as lexicon features gets their hits from the chain's own
  // pass (one Hyperscan scan instead of two).
  const ClassifierFeatures* features = out->model ? out->model->features() : nullptr;
  const std::optional<size_t> shared =
      features != nullptr && out->rules ? features->FileLike(*out->rules) : std::nullopt;
  thread_local std::vector<uint32_t> all_rules;
  if (out->rules) {
    RETURN_IF_ERROR(out->rules->Match(out->normalized.text, language, &out->hits,
                                      shared ? &all_rules : nullptr));
    out->rule_scores = out->rules->Score(out->hits);
  }
  if (out->model) {
    const ClassifierFeatures::KnownHits known{shared.value_or(0), &all_rules};
    out->classifier = out->model->Predict(out->normalized.text, shared ? &known : nullptr);
  } else {
    out->classifier = CategoryScores{};
  }
  ModelThresholds own;
  if (out->model) {
    const ClassifierMetadata& meta = out->model->metadata();
    own = {meta.flag_threshold, meta.hold_threshold, meta.tuning.tuned()};
  }
  out->policy = ApplyPolicy(settings_, out->model ? &out->classifier : nullptr, out->rule_scores,
                            out->hits, surge, own);
  return Status::Ok();
}

}  // namespace stoa::screen
