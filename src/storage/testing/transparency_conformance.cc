// The transparency report's read-only queries: notices tallied by category and source in a period,
// decisions with their case's times, appeals filed in a period, open cases, all-time totals.
#include <algorithm>
#include <cmath>
#include <map>

#include "storage/testing/conformance.h"

namespace stoa::storage::conformance {
namespace {

using std::chrono::hours;

Case OpenCase(Id id, Id target, Category category, Timestamp created, Timestamp deadline,
              CaseKind kind = CaseKind::kNotice) {
  Case c;
  c.id = id;
  c.kind = kind;
  c.target_type = TargetType::kStatus;
  c.target_id = target;
  c.account_id = 777;
  c.category = category;
  c.deadline_at = deadline;
  c.created_at = created;
  c.updated_at = created;
  return c;
}

Notice MakeNotice(Id id, Id case_id, Id target, NoticeSource source, Category category,
                  Timestamp at) {
  Notice n;
  n.id = id;
  n.reference = "ref-" + std::to_string(id);
  n.secret_hash = "hash";
  n.source = source;
  n.notifier_key = "ip:" + std::to_string(id);
  n.explanation = "x";
  n.category = category;
  n.good_faith = true;
  n.target_account_id = 777;
  n.received_at = at;
  NoticeItem item;
  item.id = id + 1;
  item.target_type = TargetType::kStatus;
  item.target_id = target;
  item.case_id = case_id;
  item.snapshot = {TargetType::kStatus, target, 777, "text", "", Visibility::kPublic, at, at,
                   std::string(64, 'a')};
  n.items.push_back(item);
  return n;
}

Decision MakeDecision(Id id, Id case_id, DecisionAction action, DecisionGround ground,
                      Timestamp at) {
  Decision d;
  d.id = id;
  d.case_id = case_id;
  d.action = action;
  d.ground = ground;
  if (ground == DecisionGround::kIllegal) d.legal_provision = "§ 241 StGB";
  d.facts = "f";
  d.reasons = "r";
  d.moderator_id = 77;
  d.target_account_id = 777;
  d.created_at = at;
  return d;
}

TEST_P(StorageConformanceTest, TransparencyQueriesCountThePeriodOnly) {
  const Timestamp t0 = Now();
  // Ids are time-ordered: each record is created at the time its id says.
  const Id case_a = NextId();
  const Id case_b = NextId();
  const Id notice_1 = NextId();
  NextId();  // its item
  const Id notice_2 = NextId();
  NextId();
  MustWrite([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.cases().Insert(OpenCase(case_a, 1, Category::kViolence, t0, t0 + hours(24))));
    RETURN_IF_ERROR(tx.cases().Insert(OpenCase(case_b, 2, Category::kScamsAndFraud, t0, t0 + hours(1))));
    RETURN_IF_ERROR(tx.notices().Insert(
        MakeNotice(notice_1, case_a, 1, NoticeSource::kTrustedFlagger, Category::kViolence, t0)));
    return tx.notices().Insert(
        MakeNotice(notice_2, case_b, 2, NoticeSource::kAnonymous, Category::kScamsAndFraud, t0));
  });
  Advance(hours(2));
  const Timestamp t2 = Now();
  const Id notice_3 = NextId();
  NextId();
  const Id decision_a = NextId();
  MustWrite([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.notices().Insert(
        MakeNotice(notice_3, case_a, 1, NoticeSource::kAnonymous, Category::kViolence, t2)));
    return tx.decisions().Insert(MakeDecision(decision_a, case_a, DecisionAction::kRemoveStatus,
                                              DecisionGround::kIllegal, t2));
  });
  // The appeal: a case of its own, filed and decided later.
  Advance(hours(3));
  const Timestamp t5 = Now();
  const Id appeal_case = NextId();
  const Id appeal_id = NextId();
  MustWrite([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.cases().Insert(
        OpenCase(appeal_case, 1, Category::kViolence, t5, t5 + hours(24), CaseKind::kAppeal)));
    Appeal a;
    a.id = appeal_id;
    a.decision_id = decision_a;
    a.appellant_id = 777;
    a.text = "no";
    a.case_id = appeal_case;
    a.filed_at = t5;
    return tx.decisions().InsertAppeal(a);
  });
  Advance(hours(1));
  const Id reversal = NextId();
  MustWrite([&](Transaction& tx) -> Status {
    Decision d = MakeDecision(reversal, appeal_case, DecisionAction::kReverse, DecisionGround::kNone,
                              Now());
    d.appeal_of = decision_a;
    d.automated_decision = AutomatedDecision::kPartially;
    d.automated_detection = true;
    RETURN_IF_ERROR(tx.decisions().Insert(d));
    return tx.decisions().ResolveAppeal(appeal_id, AppealState::kReversed, reversal, Now());
  });

  auto r = Read();
  const TransparencyQueries& q = r->transparency();
  const Timestamp end = Now() + hours(1);
  // Notices: all three in [t0, end); only the third in [t2, end).
  {
    auto all = q.TallyNotices(t0, end);
    int64_t total = 0, violence = 0, anonymous = 0, flagger = 0;
    for (const auto& t : all) {
      total += t.count;
      if (t.category == "STATEMENT_CATEGORY_VIOLENCE") violence += t.count;
      if (t.source == "anonymous") anonymous += t.count;
      if (t.source == "trusted_flagger") flagger += t.count;
    }
    EXPECT_EQ(total, 3);
    EXPECT_EQ(violence, 2);
    EXPECT_EQ(anonymous, 2);
    EXPECT_EQ(flagger, 1);
    auto later = q.TallyNotices(t2, end);
    ASSERT_EQ(later.size(), 1u);
    EXPECT_EQ(later[0].count, 1);
    EXPECT_TRUE(q.TallyNotices(end, end + hours(1)).empty());
  }
  // Decisions, with their case's times, oldest first.
  {
    auto all = q.ListDecisions(t0, end);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].id, decision_a);
    EXPECT_EQ(all[0].action, "remove_status");
    EXPECT_EQ(all[0].ground, "illegal");
    EXPECT_EQ(all[0].automated_decision, "not_automated");
    EXPECT_FALSE(all[0].automated_detection);
    EXPECT_FALSE(all[0].appeal);
    EXPECT_EQ(all[0].case_created_at, t0);
    EXPECT_EQ(all[0].case_deadline_at, t0 + hours(24));
    EXPECT_EQ(all[0].decided_at, t2);
    EXPECT_EQ(all[1].id, reversal);
    EXPECT_TRUE(all[1].appeal);
    EXPECT_TRUE(all[1].automated_detection);
    EXPECT_EQ(all[1].automated_decision, "partially");
    EXPECT_EQ(q.ListDecisions(t0, t2).size(), 0u);  // [from, to): the decision at t2 is outside
  }
  // Appeals.
  {
    auto appeals = q.ListAppeals(t0, end);
    ASSERT_EQ(appeals.size(), 1u);
    EXPECT_EQ(appeals[0].state, "reversed");
    EXPECT_EQ(appeals[0].filed_at, t5);
    ASSERT_TRUE(appeals[0].resolved_at.has_value());
    EXPECT_EQ(*appeals[0].resolved_at - appeals[0].filed_at, hours(1));
    EXPECT_TRUE(q.ListAppeals(t0, t5).empty());
  }
  // Every case is still open (closing is the case service's business).
  EXPECT_EQ(q.Backlog(end, {}).open, 3);
  EXPECT_EQ(q.CountNotices(), 3);
  // Totals over notice-case decisions only: one, 2 h after its case opened, before its deadline.
  {
    const ActionTotals totals = q.TotalActions();
    EXPECT_EQ(totals.decisions, 1);
    EXPECT_EQ(totals.decided_late, 0);
    EXPECT_DOUBLE_EQ(totals.seconds_sum, 7200.0);
    ASSERT_EQ(totals.at_most.size(), ActionBucketSeconds().size());
    EXPECT_EQ(totals.at_most[0], 0);  // <= 1 h
    EXPECT_EQ(totals.at_most[1], 1);  // <= 24 h
  }
}

TEST_P(StorageConformanceTest, OpenBacklogFollowsCasesAsTheyOpenCloseAndReopen) {
  using std::chrono::hours;
  const Timestamp day0 = FromUnixMillis(int64_t{20000} * 24 * 3600 * 1000);  // a midnight, UTC
  // Ten open cases created over three days (some at the same instant), two categories, deadlines
  // around `now`.
  const std::vector<int64_t> created_hours = {1, 1, 5, 23, 24, 30, 30, 47, 49, 70};
  const Timestamp now = day0 + hours(72);
  std::vector<Case> cases;
  for (size_t i = 0; i < created_hours.size(); ++i) {
    Case c;
    c.id = NextId();
    c.target_type = TargetType::kStatus;
    c.target_id = 9000 + static_cast<Id>(i);
    c.account_id = 5;
    c.category = i % 3 == 0 ? Category::kViolence : Category::kScamsAndFraud;
    c.created_at = c.updated_at = day0 + hours(created_hours[i]);
    c.deadline_at = now + hours(static_cast<int64_t>(i) - 4);  // four are overdue at `now`
    cases.push_back(c);
  }
  MustWrite([&](Transaction& tx) -> Status {
    for (const auto& c : cases) RETURN_IF_ERROR(tx.cases().Insert(c));
    return Status::Ok();
  });
  // The age at quantile q, nearest rank over the ages sorted ascending (the report's definition).
  auto expected = [&](const std::vector<Timestamp>& created, double q) {
    std::vector<Timestamp> youngest_first = created;
    std::sort(youngest_first.rbegin(), youngest_first.rend());
    size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(created.size()) - 1e-9));
    rank = std::clamp<size_t>(rank, 1, created.size());
    return youngest_first[rank - 1];
  };
  auto check = [&](const std::vector<Case>& open, int64_t overdue, const char* when) {
    SCOPED_TRACE(when);
    std::vector<Timestamp> created;
    std::map<std::string, int64_t> by_category;
    for (const auto& c : open) {
      created.push_back(c.created_at);
      ++by_category[std::string(CategoryName(c.category))];
    }
    const std::vector<double> qs = {0.5, 0.9, 0.99, 0.1};
    const OpenBacklog b = Read()->transparency().Backlog(now, qs);
    EXPECT_EQ(b.open, static_cast<int64_t>(open.size()));
    EXPECT_EQ(b.open_by_category, by_category);
    EXPECT_EQ(b.overdue, overdue);
    EXPECT_EQ(Read()->cases().CountOpen(), static_cast<int64_t>(open.size()));
    if (open.empty()) {
      EXPECT_FALSE(b.oldest_created_at.has_value());
      EXPECT_TRUE(b.created_at_quantiles.empty());
      return;
    }
    EXPECT_EQ(b.oldest_created_at, *std::min_element(created.begin(), created.end()));
    ASSERT_EQ(b.created_at_quantiles.size(), qs.size());
    for (size_t i = 0; i < qs.size(); ++i) {
      EXPECT_EQ(b.created_at_quantiles[i], expected(created, qs[i])) << "q=" << qs[i];
    }
  };
  check(cases, 4, "all open");

  // Close two (one overdue), recategorise one: the counters follow.
  std::vector<Case> open = cases;
  MustWrite([&](Transaction& tx) -> Status {
    for (size_t i : {size_t{0}, size_t{6}}) {
      ASSIGN_OR_RETURN(Case c, tx.cases().Get(cases[i].id));
      c.state = CaseState::kClosed;
      c.closed_at = now;
      RETURN_IF_ERROR(tx.cases().Update(c));
    }
    ASSIGN_OR_RETURN(Case c, tx.cases().Get(cases[1].id));
    c.category = Category::kViolence;
    return tx.cases().UpdateTriage(c);
  });
  open[1].category = Category::kViolence;
  open.erase(open.begin() + 6);
  open.erase(open.begin());
  check(open, 3, "two closed");

  // Reopening counts it again.
  MustWrite([&](Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(Case c, tx.cases().Get(cases[6].id));
    c.state = CaseState::kOpen;
    c.closed_at.reset();
    return tx.cases().Update(c);
  });
  open.push_back(cases[6]);
  check(open, 3, "one reopened");

  // A case inserted closed is never counted; closing everything empties the backlog.
  Case closed = cases[0];
  closed.id = NextId();
  closed.state = CaseState::kClosed;
  MustWrite([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.cases().Insert(closed));
    for (const auto& o : open) {
      ASSIGN_OR_RETURN(Case c, tx.cases().Get(o.id));
      c.state = CaseState::kClosed;
      RETURN_IF_ERROR(tx.cases().Update(c));
    }
    return Status::Ok();
  });
  check({}, 0, "all closed");
}

}  // namespace
}  // namespace stoa::storage::conformance
