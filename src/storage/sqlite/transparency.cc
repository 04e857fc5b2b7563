// SQLite: the transparency report's and /metrics' read-only queries.
#include "storage/sqlite/repos.h"

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
constexpr char kListOpenCases[] =
    "SELECT category, created_at, deadline_at FROM cases WHERE state = 0";
constexpr char kCountNotices[] =
    "SELECT count(*) FROM notices /* full scan: a total for /metrics, cached between scrapes */";
// ?1..?4: the histogram's bucket bounds in milliseconds.
constexpr char kTotalActions[] =
    "SELECT count(*), coalesce(sum(d.created_at > c.deadline_at), 0), "
    "coalesce(sum(d.created_at - c.created_at), 0), "
    "coalesce(sum(d.created_at - c.created_at <= ?1), 0), "
    "coalesce(sum(d.created_at - c.created_at <= ?2), 0), "
    "coalesce(sum(d.created_at - c.created_at <= ?3), 0), "
    "coalesce(sum(d.created_at - c.created_at <= ?4), 0) "
    "FROM decisions d JOIN cases c ON c.id = d.case_id WHERE c.kind = 0 "
    "/* full scan: all-time totals for /metrics, cached between scrapes */";

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
  std::vector<NoticeTally> out;
  while (true) {
    auto row = s->Step();
    if (!row.ok() || !*row) break;
    out.push_back(NoticeTally{s->String(0), s->String(1), s->Int(2)});
  }
  return out;
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

std::vector<OpenCaseFact> SqliteTransparency::ListOpenCases() const {
  StatementScope s(c_->Prepare(kListOpenCases));
  std::vector<OpenCaseFact> out;
  while (true) {
    auto row = s->Step();
    if (!row.ok() || !*row) break;
    out.push_back(OpenCaseFact{s->String(0), FromUnixMillis(s->Int(1)), FromUnixMillis(s->Int(2))});
  }
  return out;
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

}  // namespace stoa::storage::sqlite
