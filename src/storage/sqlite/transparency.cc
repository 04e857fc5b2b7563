// SQLite: the transparency report's and /metrics' read-only queries.
#include <algorithm>
#include <cmath>

#include "storage/sqlite/repos.h"
#include "storage/sqlite/rows.h"

namespace stoa::storage::sqlite {
namespace {

constexpr char kTallyNotices[] =
    "SELECT category, source, count(*) FROM notices WHERE id >= ?1 AND id < ?2 "
    "GROUP BY category, source ORDER BY category, source";
constexpr char kListDecisions[] =
    "SELECT d.id, d.action, d.ground, d.automated_decision, d.automated_detection, c.kind, "
    "c.created_at, c.deadline_at, d.created_at FROM decisions d JOIN cases c ON c.id = d.case_id "
    "WHERE d.id >= ?1 AND d.id < ?2 ORDER BY d.id";
constexpr char kListAppeals[] =
    "SELECT state, filed_at, resolved_at FROM appeals WHERE id >= ?1 AND id < ?2 ORDER BY id";
// The open backlog: counters kept by the triggers of migration 0009, and index-only reads of
// the open cases ("index-only" statements are held to covering indexes by the query-plan test).
constexpr char kOpenByCategory[] =
    "SELECT category, open FROM case_open_counts WHERE open > 0 ORDER BY category";
constexpr char kOpenByDay[] = "SELECT day, open FROM case_open_days WHERE open > 0 ORDER BY day";
constexpr char kOpenOverdue[] =
    "SELECT count(*) FROM cases INDEXED BY cases_queue WHERE state = 0 AND deadline_at < ?1 "
    "/* index-only */";
constexpr char kOldestOpen[] =
    "SELECT min(created_at) FROM cases INDEXED BY cases_open_created WHERE state = 0 "
    "/* index-only */";
// ?1, ?2: one day's bounds; ?3: the offset within it.
constexpr char kOpenCreatedAt[] =
    "SELECT created_at FROM cases INDEXED BY cases_open_created WHERE state = 0 "
    "AND created_at >= ?1 AND created_at < ?2 ORDER BY created_at LIMIT 1 OFFSET ?3 "
    "/* index-only */";
constexpr char kCountNotices[] = "SELECT value FROM safety_totals WHERE name = 'notices'";
constexpr int64_t kDayMillis = 24 * 3600 * 1000;
// ?1..?4: the histogram's bucket bounds in milliseconds.
constexpr char kTotalActions[] =
    "SELECT count(*), coalesce(sum(d.created_at > c.deadline_at), 0), "
    "coalesce(sum(d.created_at - c.created_at), 0), "
    "coalesce(sum(d.created_at - c.created_at <= ?1), 0), "
    "coalesce(sum(d.created_at - c.created_at <= ?2), 0), "
    "coalesce(sum(d.created_at - c.created_at <= ?3), 0), "
    "coalesce(sum(d.created_at - c.created_at <= ?4), 0) "
    "FROM decisions d JOIN cases c ON c.id = d.case_id WHERE c.kind = 0 "
    "AND d.action NOT IN ('uphold', 'reverse') "
    "/* full scan: all-time totals for /metrics, cached between scrapes */";

// Screening's feedback. ?1: the last case id listed, ?2: the page size. The inner query walks
// notice_items_case from ?1 on and picks each decided status case's first item.
constexpr char kDecidedStatusCases[] =
    "SELECT ni.case_id, ni.target_id, ni.snapshot_spoiler_text, ni.snapshot_text, d.action, "
    "d.reversed_at IS NOT NULL, d.category, coalesce((SELECT json_extract(n.details_json, "
    "'$.screening_category') FROM notice_items i2 INDEXED BY notice_items_case "
    "JOIN notices n ON n.id = i2.notice_id WHERE i2.case_id = ni.case_id "
    "AND n.source = 'automated' AND json_valid(n.details_json) ORDER BY i2.id LIMIT 1), '') "
    "FROM notice_items ni JOIN decisions d ON d.id = ni.decision_id "
    "WHERE ni.id IN (SELECT min(id) FROM notice_items INDEXED BY notice_items_case "
    "WHERE case_id > ?1 AND target_type = 0 AND decision_id IS NOT NULL "
    "GROUP BY case_id ORDER BY case_id LIMIT ?2) "
    "AND d.action NOT IN ('uphold', 'reverse') ORDER BY ni.case_id";
// The screenings that hit, grouped by their list of rule names: an index-only read of migration
// 0013's partial index status_screenings_hits (WHERE rule_names != '').
constexpr char kRuleHits[] =
    "SELECT rule_names, count(*) FROM status_screenings WHERE rule_names != '' "
    "GROUP BY rule_names";
// The decided items of screening's notices, per rule the notice names (migration 0013's partial
// index notice_items_decided reads only the decided items).
constexpr char kRuleDecisions[] =
    "SELECT r.value, coalesce(sum(d.action != 'no_action' AND d.reversed_at IS NULL), 0), "
    "coalesce(sum(d.action = 'no_action' OR d.reversed_at IS NOT NULL), 0) "
    "FROM notice_items ni "
    "JOIN notices n ON n.id = ni.notice_id JOIN decisions d ON d.id = ni.decision_id, "
    "json_each(CASE WHEN json_valid(n.details_json) THEN n.details_json ELSE '{}' END, "
    "'$.rules') r "
    "WHERE ni.decision_id IS NOT NULL AND n.source = 'automated' "
    "AND d.action NOT IN ('uphold', 'reverse') GROUP BY r.value ORDER BY r.value";

}  // namespace
}  // namespace stoa::storage::sqlite

namespace stoa::storage {

const std::vector<int64_t>& ActionBucketSeconds() {
  static const std::vector<int64_t> kBuckets = {3600, 24 * 3600, 48 * 3600, 7 * 24 * 3600};
  return kBuckets;
}

}  // namespace stoa::storage

namespace stoa::storage::sqlite {

std::vector<NoticeTally> SqliteTransparency::TallyNotices(Timestamp from, Timestamp to) const {
  StatementScope s(c_->Prepare(kTallyNotices));
  s->Bind(1, IdAtTime(from)).Bind(2, IdAtTime(to));
  return ReadAll(*s, [](const Statement& row) {
    return NoticeTally{row.String(0), row.String(1), row.Int(2)};
  });
}

std::vector<DecisionFact> SqliteTransparency::ListDecisions(Timestamp from, Timestamp to) const {
  StatementScope s(c_->Prepare(kListDecisions));
  s->Bind(1, IdAtTime(from)).Bind(2, IdAtTime(to));
  std::vector<DecisionFact> out;
  while (true) {
    auto row = s->Step();
    if (!row.ok() || !*row) break;
    DecisionFact f;
    f.id = s->Int(0);
    f.action = s->String(1);
    f.ground = s->String(2);
    f.automated_decision = s->String(3);
    f.automated_detection = s->Int(4) != 0;
    f.appeal = s->Int(5) == 1;
    f.case_created_at = FromUnixMillis(s->Int(6));
    f.case_deadline_at = FromUnixMillis(s->Int(7));
    f.decided_at = FromUnixMillis(s->Int(8));
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<AppealFact> SqliteTransparency::ListAppeals(Timestamp from, Timestamp to) const {
  StatementScope s(c_->Prepare(kListAppeals));
  s->Bind(1, IdAtTime(from)).Bind(2, IdAtTime(to));
  std::vector<AppealFact> out;
  while (true) {
    auto row = s->Step();
    if (!row.ok() || !*row) break;
    AppealFact a;
    a.state = s->String(0);
    a.filed_at = FromUnixMillis(s->Int(1));
    if (auto at = s->OptionalInt(2)) a.resolved_at = FromUnixMillis(*at);
    out.push_back(std::move(a));
  }
  return out;
}

OpenBacklog SqliteTransparency::Backlog(Timestamp now, const std::vector<double>& quantiles) const {
  // One read transaction, so the counters and the index agree.
  const bool own_transaction = c_->Exec("BEGIN").ok();
  OpenBacklog b;
  {
    StatementScope s(c_->Prepare(kOpenByCategory));
    for (const auto& [category, open] : ReadAll(
             *s, [](const Statement& row) { return std::make_pair(row.String(0), row.Int(1)); })) {
      b.open_by_category[category] = open;
      b.open += open;
    }
  }
  {
    StatementScope s(c_->Prepare(kOpenOverdue));
    s->Bind(1, ToUnixMillis(now));
    b.overdue = CountOf(*s);
  }
  if (b.open > 0) {
    StatementScope s(c_->Prepare(kOldestOpen));
    auto oldest = ReadOne(*s, [](const Statement& row) { return OptionalTime(row, 0); });
    if (oldest.ok()) b.oldest_created_at = *oldest;
  }
  if (b.open > 0 && !quantiles.empty()) {
    // Age quantile q, nearest rank over the open cases youngest first, is the case at rank
    // n - ceil(q n) + 1 oldest first. The day counters lead to its day; the index gives it.
    std::vector<std::pair<int64_t, int64_t>> days;  // (day, open)
    {
      StatementScope s(c_->Prepare(kOpenByDay));
      days =
          ReadAll(*s, [](const Statement& row) { return std::make_pair(row.Int(0), row.Int(1)); });
    }
    for (double q : quantiles) {
      const int64_t n = b.open;
      const int64_t youngest_rank = std::clamp<int64_t>(
          static_cast<int64_t>(std::ceil(q * static_cast<double>(n) - 1e-9)), 1, n);
      int64_t rank = n - youngest_rank + 1;  // 1-based, oldest first
      std::optional<Timestamp> at;
      for (const auto& [day, open] : days) {
        if (rank > open) {
          rank -= open;
          continue;
        }
        StatementScope s(c_->Prepare(kOpenCreatedAt));
        s->Bind(1, day * kDayMillis).Bind(2, (day + 1) * kDayMillis).Bind(3, rank - 1);
        auto found = ReadOne(*s, [](const Statement& row) { return FromUnixMillis(row.Int(0)); });
        if (found.ok()) at = *found;
        break;
      }
      // Counters and index agree inside the transaction; should they not, the oldest stands in.
      b.created_at_quantiles.push_back(at ? *at : b.oldest_created_at.value_or(now));
    }
  }
  if (own_transaction) (void)c_->Exec("COMMIT");
  return b;
}

int64_t SqliteTransparency::CountNotices() const {
  auto n = QueryInt(*c_, kCountNotices);
  return n.ok() ? n->value_or(0) : 0;
}

ActionTotals SqliteTransparency::TotalActions() const {
  StatementScope s(c_->Prepare(kTotalActions));
  const auto& buckets = ActionBucketSeconds();
  for (size_t i = 0; i < buckets.size(); ++i) {
    s->Bind(static_cast<int>(i) + 1, buckets[i] * 1000);
  }
  ActionTotals t;
  auto row = s->Step();
  if (!row.ok() || !*row) return t;
  t.decisions = s->Int(0);
  t.decided_late = s->Int(1);
  t.seconds_sum = static_cast<double>(s->Int(2)) / 1000.0;
  for (size_t i = 0; i < buckets.size(); ++i) t.at_most.push_back(s->Int(3 + static_cast<int>(i)));
  return t;
}

std::vector<DecidedStatusCase> SqliteTransparency::ListDecidedStatusCases(Id after_case_id,
                                                                          int limit) const {
  StatementScope s(c_->Prepare(kDecidedStatusCases));
  s->Bind(1, after_case_id).Bind(2, limit);
  std::vector<DecidedStatusCase> out;
  while (true) {
    auto row = s->Step();
    if (!row.ok() || !*row) break;
    DecidedStatusCase c;
    c.case_id = s->Int(0);
    c.status_id = s->Int(1);
    c.spoiler_text = s->String(2);
    c.text = s->String(3);
    c.action = s->String(4);
    c.reversed = s->Int(5) != 0;
    c.category = s->String(6);
    c.screening_category = s->IsNull(7) ? std::string() : s->String(7);
    out.push_back(std::move(c));
  }
  return out;
}

std::map<std::string, int64_t> SqliteTransparency::CountRuleHits() const {
  StatementScope s(c_->Prepare(kRuleHits));
  std::map<std::string, int64_t> out;
  while (true) {
    auto row = s->Step();
    if (!row.ok() || !*row) break;
    const std::string_view names = s->Text(0);
    const int64_t n = s->Int(1);
    size_t start = 0;
    while (start <= names.size()) {
      size_t end = names.find(',', start);
      if (end == std::string_view::npos) end = names.size();
      if (end > start) out[std::string(names.substr(start, end - start))] += n;
      start = end + 1;
    }
  }
  return out;
}

std::vector<RuleDecisions> SqliteTransparency::TallyRuleDecisions() const {
  StatementScope s(c_->Prepare(kRuleDecisions));
  return ReadAll(*s, [](const Statement& row) {
    return RuleDecisions{row.String(0), row.Int(1), row.Int(2)};
  });
}

}  // namespace stoa::storage::sqlite
