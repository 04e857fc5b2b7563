// The transparency report, the Transparency Database export and the /metrics figures.
#include "safety/transparency.h"

#include <algorithm>

#include "common/json_writer.h"
#include "common/time_format.h"
#include "domain/audit.h"
#include "domain/decision.h"
#include "domain/safety.h"

namespace stoa::safety {
namespace {

constexpr int64_t kHour = 3600;
constexpr int kExportBatch = 500;

int64_t Seconds(Duration d) { return std::chrono::duration_cast<std::chrono::seconds>(d).count(); }

std::optional<int64_t> Median(std::vector<int64_t> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

void WriteCounts(JsonWriter& w, std::string_view key, const std::map<std::string, int64_t>& m) {
  w.Key(key).BeginObject();
  for (const auto& [k, v] : m) w.Field(k, v);
  w.EndObject();
}

void WriteOptional(JsonWriter& w, std::string_view key, const std::optional<int64_t>& v) {
  if (v) {
    w.Field(key, *v);
  } else {
    w.NullField(key);
  }
}

void CsvRow(std::string& out, std::string_view section, std::string_view key,
            const std::string& value) {
  out.append(section).push_back(',');
  out.append(key).push_back(',');
  out.append(value).push_back('\n');
}

std::string Opt(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : ""; }

}  // namespace

std::optional<Timestamp> ParsePeriodBound(std::string_view text) { return ParseIso8601(text); }

Transparency::Transparency(social::Core& core) : core_(core) {}

Result<TransparencyReport> Transparency::Report(Timestamp from, Timestamp to) {
  if (from >= to) return InvalidArgument("from must be before to");
  TransparencyReport r;
  r.from = from;
  r.to = to;
  r.generated_at = core_.Now();
  auto read = core_.storage().Read();
  const storage::TransparencyQueries& q = read->transparency();

  for (const auto& t : q.TallyNotices(from, to)) {
    r.notices += t.count;
    r.notices_by_category[t.category] += t.count;
    r.notices_by_source[t.source] += t.count;
    if (t.source == NoticeSourceName(NoticeSource::kTrustedFlagger)) {
      r.notices_from_trusted_flaggers += t.count;
    }
  }

  std::vector<int64_t> times;
  for (const auto& d : q.ListDecisions(from, to)) {
    // Appeal outcomes are reported under appeals; a reversal outside an appeal (the admin API
    // lifting a measure) is not an action taken on a notice.
    if (d.appeal || d.action == DecisionActionName(DecisionAction::kReverse) ||
        d.action == DecisionActionName(DecisionAction::kUphold)) {
      continue;
    }
    ++r.actions;
    ++r.actions_by_type[d.action];
    const std::string ground = d.ground.empty() ? "none" : d.ground;
    ++r.actions_by_ground[ground];
    ++r.actions_by_type_and_ground[d.action + "/" + ground];
    ++r.actions_by_automation[d.automated_decision];
    if (d.automated_detection) ++r.actions_automated_detection;
    const int64_t seconds = std::max<int64_t>(0, Seconds(d.decided_at - d.case_created_at));
    times.push_back(seconds);
    if (seconds <= 24 * kHour) {
      ++r.within_24h;
    } else if (seconds <= 48 * kHour) {
      ++r.within_48h;
    } else if (seconds <= 7 * 24 * kHour) {
      ++r.within_7d;
    } else {
      ++r.later;
    }
    if (d.decided_at > d.case_deadline_at) ++r.deadline_breaches;
  }
  r.median_time_to_action_seconds = Median(times);

  // The backlog now, from counters and index-only reads (never every open case).
  const Timestamp now = core_.Now();
  const storage::OpenBacklog backlog = q.Backlog(now, {0.5, 0.9, 0.99});
  r.open_cases = backlog.open;
  r.open_overdue = backlog.overdue;
  auto age = [&](Timestamp created) { return std::max<int64_t>(0, Seconds(now - created)); };
  if (backlog.created_at_quantiles.size() == 3) {
    r.open_age_p50_seconds = age(backlog.created_at_quantiles[0]);
    r.open_age_p90_seconds = age(backlog.created_at_quantiles[1]);
    r.open_age_p99_seconds = age(backlog.created_at_quantiles[2]);
  }
  if (backlog.oldest_created_at) r.open_age_max_seconds = age(*backlog.oldest_created_at);

  std::vector<int64_t> appeal_times;
  for (const auto& a : q.ListAppeals(from, to)) {
    ++r.appeals;
    if (a.state == AppealStateName(AppealState::kReversed)) ++r.appeals_reversed;
    if (a.state == AppealStateName(AppealState::kUpheld)) ++r.appeals_upheld;
    if (a.resolved_at) {
      ++r.appeals_decided;
      appeal_times.push_back(std::max<int64_t>(0, Seconds(*a.resolved_at - a.filed_at)));
    }
  }
  r.appeals_median_decision_seconds = Median(appeal_times);

  r.suspensions_accounts = read->decisions().CountSuspensions(MisuseSubject::kAccount, from, to);
  r.suspensions_notifiers = read->decisions().CountSuspensions(MisuseSubject::kNotifier, from, to);

  if (auto head = read->audit().Head()) {
    r.audit_entries = head->seq;
    r.audit_head_hash = head->hash;
  } else {
    r.audit_head_hash = std::string(kAuditGenesisHash);
  }
  return r;
}

Result<std::string> Transparency::ExportStatements(Timestamp from, Timestamp to, int64_t* count) {
  if (from >= to) return InvalidArgument("from must be before to");
  auto read = core_.storage().Read();
  if (count != nullptr) *count = 0;
  std::string out = "[";
  bool first = true;
  Id after = kNoId;
  while (true) {
    const auto batch = read->decisions().ListStatements(from, to, after, kExportBatch);
    for (const auto& s : batch) {
      if (!first) out.push_back(',');
      first = false;
      out += StatementTransparencyJson(s);
      after = s.id;
      if (count != nullptr) ++*count;
    }
    if (static_cast<int>(batch.size()) < kExportBatch) break;
  }
  out.push_back(']');
  return out;
}

SafetyMetricsSnapshot Transparency::Metrics(Duration max_age) {
  std::lock_guard lock(metrics_mu_);
  const Timestamp now = core_.Now();
  if (metrics_at_ && now - *metrics_at_ < max_age) return metrics_;
  SafetyMetricsSnapshot m;
  auto read = core_.storage().Read();
  const storage::TransparencyQueries& q = read->transparency();
  m.notices_total = q.CountNotices();
  const storage::OpenBacklog backlog = q.Backlog(now, {});
  m.cases_open = backlog.open;
  m.cases_open_by_category = backlog.open_by_category;
  if (backlog.oldest_created_at) {
    m.oldest_open_age_seconds = std::max<double>(0, Seconds(now - *backlog.oldest_created_at));
  }
  m.actions = q.TotalActions();
  m.deadline_breaches_total = m.actions.decided_late + backlog.overdue;
  metrics_ = std::move(m);
  metrics_at_ = now;
  return metrics_;
}

std::string TransparencyJson(const TransparencyReport& r) {
  JsonWriter w;
  w.BeginObject();
  w.Field("from", FormatIso8601(r.from));
  w.Field("to", FormatIso8601(r.to));
  w.Field("generated_at", FormatIso8601(r.generated_at));
  w.Key("notices").BeginObject();
  w.Field("total", r.notices);
  WriteCounts(w, "by_category", r.notices_by_category);
  WriteCounts(w, "by_source", r.notices_by_source);
  w.Field("from_trusted_flaggers", r.notices_from_trusted_flaggers);
  w.EndObject();
  w.Key("actions").BeginObject();
  w.Field("total", r.actions);
  WriteCounts(w, "by_type", r.actions_by_type);
  WriteCounts(w, "by_ground", r.actions_by_ground);
  WriteCounts(w, "by_type_and_ground", r.actions_by_type_and_ground);
  WriteCounts(w, "by_automation", r.actions_by_automation);
  w.Field("automated_detection", r.actions_automated_detection);
  w.Key("human").Int(r.actions_by_automation.count("not_automated")
                         ? r.actions_by_automation.at("not_automated")
                         : 0);
  w.EndObject();
  w.Key("time_to_action").BeginObject();
  WriteOptional(w, "median_seconds", r.median_time_to_action_seconds);
  w.Key("buckets").BeginObject();
  w.Field("within_24h", r.within_24h);
  w.Field("within_48h", r.within_48h);
  w.Field("within_7d", r.within_7d);
  w.Field("later", r.later);
  w.EndObject();
  w.EndObject();
  w.Key("deadline_breaches").BeginObject();
  w.Field("decided_late", r.deadline_breaches);
  w.Field("open_overdue", r.open_overdue);
  w.EndObject();
  w.Key("backlog").BeginObject();
  w.Field("open_cases", r.open_cases);
  w.Key("age_seconds").BeginObject();
  WriteOptional(w, "p50", r.open_age_p50_seconds);
  WriteOptional(w, "p90", r.open_age_p90_seconds);
  WriteOptional(w, "p99", r.open_age_p99_seconds);
  WriteOptional(w, "max", r.open_age_max_seconds);
  w.EndObject();
  w.EndObject();
  w.Key("appeals").BeginObject();
  w.Field("total", r.appeals);
  w.Field("decided", r.appeals_decided);
  w.Field("reversed", r.appeals_reversed);
  w.Field("upheld", r.appeals_upheld);
  WriteOptional(w, "median_decision_seconds", r.appeals_median_decision_seconds);
  w.EndObject();
  w.Key("art23_suspensions").BeginObject();
  w.Field("accounts", r.suspensions_accounts);
  w.Field("notifiers", r.suspensions_notifiers);
  w.EndObject();
  w.Key("audit_log").BeginObject();
  w.Field("entries", r.audit_entries);
  w.Field("head_hash", r.audit_head_hash);
  w.EndObject();
  w.EndObject();
  return w.Take();
}

std::string TransparencyCsv(const TransparencyReport& r) {
  std::string out = "section,key,value\n";
  CsvRow(out, "period", "from", FormatIso8601(r.from));
  CsvRow(out, "period", "to", FormatIso8601(r.to));
  CsvRow(out, "period", "generated_at", FormatIso8601(r.generated_at));
  CsvRow(out, "notices", "total", std::to_string(r.notices));
  for (const auto& [k, v] : r.notices_by_category) CsvRow(out, "notices_by_category", k, std::to_string(v));
  for (const auto& [k, v] : r.notices_by_source) CsvRow(out, "notices_by_source", k, std::to_string(v));
  CsvRow(out, "notices", "from_trusted_flaggers", std::to_string(r.notices_from_trusted_flaggers));
  CsvRow(out, "actions", "total", std::to_string(r.actions));
  for (const auto& [k, v] : r.actions_by_type) CsvRow(out, "actions_by_type", k, std::to_string(v));
  for (const auto& [k, v] : r.actions_by_ground) CsvRow(out, "actions_by_ground", k, std::to_string(v));
  for (const auto& [k, v] : r.actions_by_type_and_ground) {
    CsvRow(out, "actions_by_type_and_ground", k, std::to_string(v));
  }
  for (const auto& [k, v] : r.actions_by_automation) {
    CsvRow(out, "actions_by_automation", k, std::to_string(v));
  }
  CsvRow(out, "actions", "automated_detection", std::to_string(r.actions_automated_detection));
  CsvRow(out, "time_to_action", "median_seconds", Opt(r.median_time_to_action_seconds));
  CsvRow(out, "time_to_action", "within_24h", std::to_string(r.within_24h));
  CsvRow(out, "time_to_action", "within_48h", std::to_string(r.within_48h));
  CsvRow(out, "time_to_action", "within_7d", std::to_string(r.within_7d));
  CsvRow(out, "time_to_action", "later", std::to_string(r.later));
  CsvRow(out, "deadline_breaches", "decided_late", std::to_string(r.deadline_breaches));
  CsvRow(out, "deadline_breaches", "open_overdue", std::to_string(r.open_overdue));
  CsvRow(out, "backlog", "open_cases", std::to_string(r.open_cases));
  CsvRow(out, "backlog", "age_p50_seconds", Opt(r.open_age_p50_seconds));
  CsvRow(out, "backlog", "age_p90_seconds", Opt(r.open_age_p90_seconds));
  CsvRow(out, "backlog", "age_p99_seconds", Opt(r.open_age_p99_seconds));
  CsvRow(out, "backlog", "age_max_seconds", Opt(r.open_age_max_seconds));
  CsvRow(out, "appeals", "total", std::to_string(r.appeals));
  CsvRow(out, "appeals", "decided", std::to_string(r.appeals_decided));
  CsvRow(out, "appeals", "reversed", std::to_string(r.appeals_reversed));
  CsvRow(out, "appeals", "upheld", std::to_string(r.appeals_upheld));
  CsvRow(out, "appeals", "median_decision_seconds", Opt(r.appeals_median_decision_seconds));
  CsvRow(out, "art23_suspensions", "accounts", std::to_string(r.suspensions_accounts));
  CsvRow(out, "art23_suspensions", "notifiers", std::to_string(r.suspensions_notifiers));
  CsvRow(out, "audit_log", "entries", std::to_string(r.audit_entries));
  CsvRow(out, "audit_log", "head_hash", r.audit_head_hash);
  return out;
}

}  // namespace stoa::safety
