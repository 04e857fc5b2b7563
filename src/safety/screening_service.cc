#include "safety/screening_service.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "common/json_writer.h"
#include "screen/classifier_features.h"

namespace stoa::safety {
namespace {

using Action = social::ScreeningOutcome::Action;

// The outcome carries the chain's findings from Screen to Record.
struct Outcome final : social::ScreeningOutcome {
  screen::Screening screening;
  std::optional<RemovedContent::Match> duplicate;  // flagged as near this removed status
  std::optional<Campaigns::Candidate> campaign;    // flagged only as near this status of a case
  // The post's fingerprint when the match stage or campaigns computed it (from the normalised
  // text the chain read): the automated notice's campaigns use it instead of computing it again.
  std::optional<screen::Fingerprint> fingerprint;
  // The record's columns that depend on the chain alone.
  // Built by Prepare on the request's thread, so that Record, on the database's single writer,
  // only copies them; empty signals_json: not built (Record builds both).
  std::vector<std::string> rule_names;  // of the rules that hit, each once, in hit order
  std::string signals_json;
};

// "2026-11-26" (UTC).
std::string DateOf(Timestamp t) {
  const auto days = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{days};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

Action ActionFor(screen::Verdict v) {
  switch (v) {
    case screen::Verdict::kPublish: return Action::kPublish;
    case screen::Verdict::kPublishAndFlag: return Action::kFlag;
    case screen::Verdict::kHold: return Action::kHold;
    case screen::Verdict::kReject: return Action::kReject;
  }
  return Action::kPublish;
}

int64_t Millis(Timestamp t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

void WriteThreshold(JsonWriter& w, double v) {
  if (v > 1) {
    w.Null();
  } else {
    w.Double(v);
  }
}

}  // namespace

Category StatementCategoryFor(screen::Category c) {
  switch (c) {
    case screen::Category::kTerrorism: return Category::kRiskForPublicSecurity;
    case screen::Category::kSpam: return Category::kScamsAndFraud;
    default: return Category::kViolence;
  }
}

Result<ScreeningSettings> ScreeningSettings::FromConfig(const Config::Screening& config) {
  ScreeningSettings s;
  for (const auto& [name, t] : config.thresholds) {
    auto category = screen::ParseCategory(name);
    if (!category) return InvalidArgument("screening: unknown category '" + name + "'");
    s.policy[*category] = screen::Thresholds{static_cast<float>(t.flag),
                                             static_cast<float>(t.hold),
                                             static_cast<float>(t.reject)};
  }
  s.policy.surge_hold_drop = static_cast<float>(config.surge_hold_drop);
  const auto classifier_max = screen::ParseVerdict(config.classifier_max_verdict);
  if (!classifier_max || *classifier_max == screen::Verdict::kPublish) {
    return InvalidArgument("screening.classifier_max_verdict: '" + config.classifier_max_verdict +
                           "' is not publish_and_flag, hold or reject");
  }
  s.policy.classifier_max = *classifier_max;
  RETURN_IF_ERROR(screen::ValidatePolicy(s.policy));
  s.surge_open_cases = config.surge_open_cases;
  s.surge_oldest_open = std::chrono::minutes(config.surge_oldest_open_minutes);
  s.surge_check = std::chrono::seconds(config.surge_check_seconds);
  s.duplicate_reject_distance = config.duplicate_reject_distance;
  s.duplicate_flag_distance = config.duplicate_flag_distance;
  return s;
}

ScreeningService::ScreeningService(social::Core& core, NoticeService& notices,
                                   ScreeningSettings settings, const RemovedContent* removed)
    : core_(core),
      notices_(notices),
      settings_(std::move(settings)),
      removed_(removed),
      screener_(rules_, model_, settings_.policy),
      backlog_(core) {}

Status ScreeningService::Load() {
  std::lock_guard lock(reload_mu_);
  ASSIGN_OR_RETURN(auto rules,
                   screen::RuleSet::Load(settings_.rules_path, settings_.rules_cache_dir));
  auto model = screen::Classifier::Load(settings_.model_path);
  if (!model.ok()) {
    return Status(model.status().code(), settings_.model_path + ": " + model.status().message());
  }
  rules_.Set(std::move(rules));
  model_.Set(std::move(model).value());
  return Status::Ok();
}

Status ScreeningService::Reload(Id actor_id, std::string_view via) {
  std::lock_guard lock(reload_mu_);
  // Both are read, parsed and compiled before either is swapped in.
  auto rules = screen::RuleSet::Load(settings_.rules_path, settings_.rules_cache_dir);
  if (!rules.ok()) {
    failed_reloads_.fetch_add(1, std::memory_order_relaxed);
    return rules.status();
  }
  auto model = screen::Classifier::Load(settings_.model_path);
  if (!model.ok()) {
    failed_reloads_.fetch_add(1, std::memory_order_relaxed);
    return Status(model.status().code(), settings_.model_path + ": " + model.status().message());
  }
  if (audit_ != nullptr) {
    AuditDraft d;
    d.actor_id = actor_id;
    d.action = "config.change";
    d.target_type = "config";
    d.target_id = "screening";
    JsonWriter w;
    w.BeginObject()
        .Field("change", "reload")
        .Field("via", via)
        .Field("rules", settings_.rules_path)
        .Field("rules_version", (*rules)->version())
        .Field("model", settings_.model_path)
        .Field("model_version", (*model)->version())
        .EndObject();
    d.details_json = w.Take();
    Status logged = core_.storage().Write(
        [&](storage::Transaction& tx) { return audit_->Append(tx, d).status(); });
    if (!logged.ok()) {
      failed_reloads_.fetch_add(1, std::memory_order_relaxed);
      return Status(logged.code(), "the reload could not be recorded in the audit log, so the "
                                   "old rules and model stay: " + logged.message());
    }
  }
  rules_.Set(std::move(rules).value());
  model_.Set(std::move(model).value());
  reloads_.fetch_add(1, std::memory_order_relaxed);
  return Status::Ok();
}

std::array<uint64_t, ScreeningService::kChainBucketMicros.size() + 1>
ScreeningService::chain_histogram() const {
  std::array<uint64_t, kChainBucketMicros.size() + 1> cumulative{};
  uint64_t total = 0;
  for (size_t i = 0; i < cumulative.size(); ++i) {
    total += chain_buckets_[i].load(std::memory_order_relaxed);
    cumulative[i] = total;
  }
  return cumulative;
}

std::unique_ptr<social::ScreeningOutcome> ScreeningService::Screen(const Post& post, bool edit) {
  (void)edit;
  auto out = std::make_unique<Outcome>();
  const auto start = std::chrono::steady_clock::now();
  const auto add_chain_time = [&] {
    const int64_t nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
                              std::chrono::steady_clock::now() - start)
                              .count();
    chain_nanos_.fetch_add(static_cast<uint64_t>(nanos), std::memory_order_relaxed);
    const auto bucket = std::lower_bound(kChainBucketMicros.begin(), kChainBucketMicros.end(),
                                         (nanos + 999) / 1000);  // the first bound >= it
    chain_buckets_[static_cast<size_t>(bucket - kChainBucketMicros.begin())].fetch_add(
        1, std::memory_order_relaxed);
  };
  // Normalisation, rules and classifier; the text is normalised once, and the match stage and
  // campaigns fingerprint that same normalised text.
  const bool surge = Surge().active;
  Status st = screener_.Screen(social::ScreenedText(post), post.language.value_or(""), surge,
                               &out->screening);
  std::optional<screen::Fingerprint> fingerprint;
  const auto fingerprint_of_post = [&]() -> const screen::Fingerprint& {
    if (!fingerprint) fingerprint = screen::FingerprintNormalized(out->screening.normalized.text);
    return *fingerprint;
  };
  // The match stage: a re-upload or light edit of removed content.
  const int match_distance =
      std::max(settings_.duplicate_reject_distance, settings_.duplicate_flag_distance);
  if (removed_ != nullptr && match_distance >= 0) {
    if (auto m = removed_->Nearest(fingerprint_of_post(), match_distance)) {
      if (m->distance <= settings_.duplicate_reject_distance) {
        out->action = Action::kReject;
        out->reason = "This status was rejected by screening: it matches content removed on " +
                      DateOf(m->removed_at);
        out->screening.policy = screen::PolicyResult{};
        out->screening.policy.verdict = screen::Verdict::kReject;
        duplicates_rejected_.fetch_add(1, std::memory_order_relaxed);
        counts_[static_cast<size_t>(screen::Verdict::kReject)].fetch_add(1,
                                                                         std::memory_order_relaxed);
        add_chain_time();
        return out;
      }
      if (m->distance <= settings_.duplicate_flag_distance) out->duplicate = m;
    }
  }
  add_chain_time();
  if (!st.ok()) {
    // Hyperscan could not scan (no scratch memory): the post is not published unscreened; it
    // waits for a moderator like a held post, and the record says why.
    out->screening.policy = screen::PolicyResult{};
    out->screening.policy.verdict = screen::Verdict::kHold;
    out->screening.hits.clear();
    out->action = Action::kHold;
    out->reason = "screening failed: " + st.message();
  } else {
    out->action = ActionFor(out->screening.verdict());
    if (out->action == Action::kReject) {
      out->reason = "This status was rejected by screening (" + out->screening.Reason() + ")";
    } else {
      out->reason = out->screening.Reason();
    }
  }
  if (out->duplicate && out->action != Action::kReject) {
    // Near removed content: at least publish_and_flag, and the record names the removed status.
    if (out->action == Action::kPublish) {
      out->action = Action::kFlag;
      out->screening.policy.verdict = screen::Verdict::kPublishAndFlag;
    }
    std::string why = "near-duplicate of status " + std::to_string(out->duplicate->status_id) +
                      " removed on " + DateOf(out->duplicate->removed_at) + " (distance " +
                      std::to_string(out->duplicate->distance) + ")";
    out->reason = out->reason.empty() ? why : why + "; " + out->reason;
    duplicates_flagged_.fetch_add(1, std::memory_order_relaxed);
  }
  if (out->action == Action::kPublish && campaigns_ != nullptr && campaigns_->enabled()) {
    // Campaigns: a copy the chain let through of a post by another account in an open case is
    // flagged; its notice joins that case (NoticeService::Store).
    if (auto c = campaigns_->Find(fingerprint_of_post(), post.account_id, core_.Now(), post.id)) {
      out->campaign = c;
      out->action = Action::kFlag;
      out->screening.policy.verdict = screen::Verdict::kPublishAndFlag;
      std::string why = "near-duplicate of status " + std::to_string(c->status_id) +
                        " in open case " + std::to_string(c->case_id) + " (distance " +
                        std::to_string(c->distance) + ")";
      out->reason = out->reason.empty() ? why : why + "; " + out->reason;
      campaign_flags_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  counts_[static_cast<size_t>(out->screening.verdict())].fetch_add(1, std::memory_order_relaxed);
  // Only from a text the chain normalised (a failed scan may have left it empty).
  if (st.ok()) out->fingerprint = fingerprint;
  return out;
}

void ScreeningService::Prepare(social::ScreeningOutcome& outcome) {
  auto& o = static_cast<Outcome&>(outcome);
  const screen::Screening& s = o.screening;
  o.rule_names.clear();
  for (const screen::RuleHit& h : s.hits) {
    const std::string& name = s.rules->rule(h.rule).name;
    if (std::find(o.rule_names.begin(), o.rule_names.end(), name) == o.rule_names.end()) {
      o.rule_names.push_back(name);
    }
  }
  o.signals_json = s.SignalsJson();
}

Status ScreeningService::Record(storage::Transaction& tx, const Post& post, bool edit,
                                const social::ScreeningOutcome& outcome) {
  const auto& o = static_cast<const Outcome&>(outcome);
  const screen::Screening& s = o.screening;
  ScreeningRecord r;
  r.id = core_.ids().Next();
  r.status_id = post.id;
  r.created_at = core_.Now();
  r.edit = edit;
  r.verdict = std::string(screen::VerdictName(s.verdict()));
  r.reason = o.reason;
  if (!o.signals_json.empty()) {
    r.rule_names = o.rule_names;
    r.signals_json = o.signals_json;
  } else {
    for (const screen::RuleHit& h : s.hits) {
      const std::string& name = s.rules->rule(h.rule).name;
      if (std::find(r.rule_names.begin(), r.rule_names.end(), name) == r.rule_names.end()) {
        r.rule_names.push_back(name);
      }
    }
    r.signals_json = s.SignalsJson();
  }
  r.rules_version = s.rules_version();
  r.model_version = s.model_version();
  RETURN_IF_ERROR(tx.posts().InsertScreening(r));
  if (o.action != Action::kFlag && o.action != Action::kHold) return Status::Ok();

  // The automated notice: the strictest reason's category and score; flagged only for matching
  // removed content, the removing decision's category; only for joining a campaign, its case's.
  screen::Category category = screen::Category::kViolence;
  Category notice_category = StatementCategoryFor(category);
  float score = 1.0f;
  if (!s.policy.reasons.empty()) {
    category = s.policy.reasons.front().category;
    score = s.policy.reasons.front().score;
    notice_category = StatementCategoryFor(category);
  } else if (o.duplicate) {
    if (auto removed = ParseCategory(o.duplicate->category)) notice_category = *removed;
  } else if (o.campaign) {
    if (auto k = tx.cases().Get(o.campaign->case_id); k.ok()) notice_category = k->category;
  }
  JsonWriter details;
  details.BeginObject()
      .Key("screening_id").IdString(r.id)
      .Field("verdict", r.verdict)
      .Field("reason", r.reason)
      .Field("edit", edit)
      .Key("rules").BeginArray();
  for (const auto& name : r.rule_names) details.String(name);
  details.EndArray()
      .Field("rules_version", r.rules_version)
      .Field("model_version", r.model_version);
  if (!s.policy.reasons.empty()) details.Field("screening_category", screen::CategoryName(category));
  if (o.campaign) {
    details.Key("campaign_status").IdString(o.campaign->status_id)
        .Key("campaign_case").IdString(o.campaign->case_id)
        .Field("campaign_distance", static_cast<int64_t>(o.campaign->distance));
  }
  if (o.duplicate) {
    details.Key("matched_removed_status").IdString(o.duplicate->status_id)
        .Field("duplicate_distance", static_cast<int64_t>(o.duplicate->distance));
  }
  details.EndObject();
  auto notice = notices_.SubmitAutomated(
      tx, TargetType::kStatus, post.id, notice_category,
      static_cast<int>(std::lround(std::clamp(score, 0.0f, 1.0f) * 100.0f)), details.str(),
      o.campaign, o.fingerprint);
  if (notice.status().code() == StatusCode::kPermissionDenied) {
    // The automated notifier is suspended (DSA Art. 23(2) counted its notices as manifestly
    // unfounded): the post keeps its verdict and record, without a notice.
    notices_refused_.fetch_add(1, std::memory_order_relaxed);
    return Status::Ok();
  }
  return notice.status();
}

Status ScreeningService::Test(std::string_view text, std::string_view language,
                              screen::Screening* out) {
  return screener_.Screen(text, language, Surge().active, out);
}

SurgeState ScreeningService::Surge() {
  if (settings_.surge_open_cases <= 0 && settings_.surge_oldest_open.count() <= 0) return {};
  const int64_t now = Millis(core_.Now());
  if (now < surge_next_check_ms_.load(std::memory_order_acquire)) {
    SurgeState s;
    s.active = surge_active_.load(std::memory_order_relaxed);
    return s;
  }
  return RefreshSurge();
}

SurgeState ScreeningService::RefreshSurge() {
  std::unique_lock lock(surge_mu_, std::try_to_lock);
  if (!lock.owns_lock()) {
    // Another thread is looking at the backlog; use the last state meanwhile.
    SurgeState s;
    s.active = surge_active_.load(std::memory_order_relaxed);
    return s;
  }
  const SafetyMetricsSnapshot m = backlog_.Metrics(settings_.surge_check);
  SurgeState s;
  s.open_cases = m.cases_open;
  s.oldest_open_age_seconds = m.oldest_open_age_seconds;
  s.active = (settings_.surge_open_cases > 0 && m.cases_open >= settings_.surge_open_cases) ||
             (settings_.surge_oldest_open.count() > 0 && m.cases_open > 0 &&
              m.oldest_open_age_seconds >=
                  static_cast<double>(settings_.surge_oldest_open.count()));
  surge_ = s;
  surge_active_.store(s.active, std::memory_order_relaxed);
  surge_next_check_ms_.store(
      Millis(core_.Now()) +
          std::chrono::duration_cast<std::chrono::milliseconds>(settings_.surge_check).count(),
      std::memory_order_release);
  return s;
}

uint64_t ScreeningService::screened_total() const {
  uint64_t total = 0;
  for (const auto& c : counts_) total += c.load(std::memory_order_relaxed);
  return total;
}

std::string ScreeningService::StateJson() {
  const SurgeState surge = RefreshSurge();
  const auto rules = rules_.Get();
  const auto model = model_.Get();
  JsonWriter w;
  w.BeginObject().Field("enabled", true);
  w.Key("rules").BeginObject().Field("path", settings_.rules_path);
  w.Field("version", rules ? rules->version() : std::string());
  w.Field("count", static_cast<int64_t>(rules ? rules->rules().size() : 0));
  w.Field("reloads", static_cast<int64_t>(rules_.generation()));
  w.EndObject();
  w.Key("model").BeginObject().Field("path", settings_.model_path);
  w.Field("version", model ? model->version() : std::string());
  w.Field("max_verdict", screen::VerdictName(settings_.policy.classifier_max));
  // The model's own thresholds: a floor for its signal over the thresholds below, or, tuned by
  // cross-validation, in place of them (policy.h).
  if (model) {
    const screen::ClassifierMetadata& meta = model->metadata();
    w.Field("flag_threshold", static_cast<double>(meta.flag_threshold));
    w.Field("hold_threshold", static_cast<double>(meta.hold_threshold));
    w.Field("thresholds", meta.tuning.tuned() ? "tuned" : "given");
    if (meta.tuning.tuned()) {
      const auto at = [&](const char* key, const screen::ThresholdTuning::At& a) {
        w.Key(key).BeginObject().Field("precision", a.precision).Field("recall", a.recall);
        w.Field("share", a.share).EndObject();
      };
      w.Key("tuning").BeginObject().Field("folds", static_cast<int64_t>(meta.tuning.folds));
      w.Field("flag_recall_target", meta.tuning.flag_recall_target);
      w.Field("average_precision", meta.tuning.average_precision);
      at("flag", meta.tuning.flag);
      at("hold", meta.tuning.hold);
      w.EndObject();
    }
    if (const screen::ClassifierFeatures* f = model->features()) {
      w.Key("features").BeginObject().Field("versions", f->versions());
      w.Field("rules", static_cast<int64_t>(f->rule_count()));
      w.EndObject();
    }
  }
  w.EndObject();
  w.Key("thresholds").BeginObject();
  for (screen::Category c : screen::kAllCategories) {
    const screen::Thresholds& t = settings_.policy[c];
    w.Key(screen::CategoryName(c)).BeginObject();
    w.Key("flag");
    WriteThreshold(w, t.flag);
    w.Key("hold");
    WriteThreshold(w, t.hold);
    w.Key("reject");
    WriteThreshold(w, t.reject);
    w.EndObject();
  }
  w.EndObject();
  w.Key("surge").BeginObject().Field("active", surge.active);
  w.Field("open_cases", surge.open_cases);
  w.Field("oldest_open_age_seconds", surge.oldest_open_age_seconds);
  w.Field("threshold_open_cases", settings_.surge_open_cases);
  w.Field("threshold_oldest_open_seconds", static_cast<int64_t>(settings_.surge_oldest_open.count()));
  w.Field("hold_drop", static_cast<double>(settings_.policy.surge_hold_drop));
  w.EndObject();
  w.Key("counts").BeginObject();
  for (screen::Verdict v : {screen::Verdict::kPublish, screen::Verdict::kPublishAndFlag,
                            screen::Verdict::kHold, screen::Verdict::kReject}) {
    w.Field(screen::VerdictName(v), static_cast<int64_t>(count(v)));
  }
  w.Field("notices_refused", static_cast<int64_t>(notices_refused_.load()));
  w.Field("duplicates_rejected", static_cast<int64_t>(duplicates_rejected_.load()));
  w.Field("duplicates_flagged", static_cast<int64_t>(duplicates_flagged_.load()));
  w.Field("campaign_flags", static_cast<int64_t>(campaign_flags_.load()));
  w.Field("failed_reloads", static_cast<int64_t>(failed_reloads_.load()));
  w.EndObject();
  w.EndObject();
  return w.Take();
}

}  // namespace stoa::safety
