// Trust and safety stores: notices with items and snapshots, cases and the claimable queue, case
// notes, priority notifiers and the outbox.
#include "storage/testing/conformance.h"

namespace stoa::storage::conformance {
namespace {

Case MakeCase(Id id, TargetType type, Id target, Timestamp deadline, int64_t score, Timestamp now) {
  Case c;
  c.id = id;
  c.target_type = type;
  c.target_id = target;
  c.account_id = 777;
  c.category = Category::kViolence;
  c.score = score;
  c.deadline_at = deadline;
  c.created_at = now;
  c.updated_at = now;
  return c;
}

std::vector<Id> CaseIds(const std::vector<Case>& cases) {
  std::vector<Id> out;
  for (const auto& c : cases) out.push_back(c.id);
  return out;
}

TEST_P(StorageConformanceTest, NoticeRoundTripsWithItemsAndSnapshots) {
  const Id case_id = NextId();
  const Case c = MakeCase(case_id, TargetType::kStatus, 42, Now() + std::chrono::hours(24), 10,
                          Now());
  Notice n;
  n.id = NextId();
  n.reference = "ref-1";
  n.secret_hash = "hash";
  n.source = NoticeSource::kMember;
  n.reporter_account_id = 5;
  n.notifier_key = "account:5";
  n.email = "a@example.org";
  n.explanation = "threatening";
  n.category = Category::kViolence;
  n.report_category = ReportCategory::kLegal;
  n.legal_provision = "StGB 241";
  n.rule_ids = {3, 9};
  n.forward = true;
  n.good_faith = true;
  n.threat_to_life = true;
  n.target_account_id = 777;
  n.received_at = Now();
  NoticeItem item;
  item.id = NextId();
  item.target_type = TargetType::kStatus;
  item.target_id = 42;
  item.location = "https://x/@a/42";
  item.case_id = case_id;
  item.snapshot = {TargetType::kStatus, 42, 777, "the text", "cw", Visibility::kUnlisted,
                   Now() - std::chrono::hours(1), Now(), std::string(64, 'a')};
  n.items.push_back(item);
  MustWrite([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.cases().Insert(c));
    return tx.notices().Insert(n);
  });
  auto r = Read();
  for (auto got : {r->notices().Get(n.id), r->notices().FindByReference("ref-1")}) {
    ASSERT_TRUE(IsOk(got));
    EXPECT_EQ(got->reference, "ref-1");
    EXPECT_EQ(got->source, NoticeSource::kMember);
    EXPECT_EQ(got->reporter_account_id, 5);
    EXPECT_EQ(got->category, Category::kViolence);
    EXPECT_EQ(got->report_category, ReportCategory::kLegal);
    EXPECT_EQ(got->rule_ids, (std::vector<Id>{3, 9}));
    EXPECT_TRUE(got->forward && got->good_faith && got->threat_to_life);
    EXPECT_EQ(got->email, "a@example.org");
    ASSERT_EQ(got->items.size(), 1u);
    EXPECT_EQ(got->items[0].snapshot.text, "the text");
    EXPECT_EQ(got->items[0].snapshot.spoiler_text, "cw");
    EXPECT_EQ(got->items[0].snapshot.visibility, Visibility::kUnlisted);
    EXPECT_EQ(got->items[0].snapshot.author_id, 777);
    EXPECT_EQ(got->items[0].snapshot.sha256, std::string(64, 'a'));
    EXPECT_EQ(got->items[0].case_id, case_id);
    EXPECT_FALSE(got->decided());
  }
  EXPECT_EQ(r->notices().FindByReference("nope").status().code(), StatusCode::kNotFound);
  auto for_case = r->notices().ListForCase(case_id, 10);
  ASSERT_EQ(for_case.size(), 1u);
  EXPECT_EQ(for_case[0].id, n.id);
  EXPECT_EQ(r->notices().ListByReporter(5, PageQuery{}).size(), 1u);
  EXPECT_EQ(r->notices().CountReceived(Now() - std::chrono::hours(1), Now() + std::chrono::hours(1)),
            1);
  r.reset();

  MustWrite([&](Transaction& tx) { return tx.notices().SetCaseOutcome(case_id, 99, "removed", Now()); });
  auto decided = Read()->notices().Get(n.id);
  ASSERT_TRUE(IsOk(decided));
  EXPECT_EQ(decided->items[0].outcome, "removed");
  EXPECT_EQ(decided->items[0].decision_id, 99);
  EXPECT_TRUE(decided->decided());
}

TEST_P(StorageConformanceTest, OneOpenNoticeCasePerTargetAndVersionedUpdates) {
  const Case c = MakeCase(NextId(), TargetType::kAccount, 7, Now() + std::chrono::hours(1), 0, Now());
  MustWrite([&](Transaction& tx) { return tx.cases().Insert(c); });
  // A second open notice case on the same target is refused; nothing is written.
  Case dup = MakeCase(NextId(), TargetType::kAccount, 7, Now(), 0, Now());
  EXPECT_FALSE(storage().Write([&](Transaction& tx) { return tx.cases().Insert(dup); }).ok());
  EXPECT_EQ(Read()->cases().Get(dup.id).status().code(), StatusCode::kNotFound);
  // An appeal case about the same target may coexist.
  Case appeal = dup;
  appeal.id = NextId();
  appeal.kind = CaseKind::kAppeal;
  MustWrite([&](Transaction& tx) { return tx.cases().Insert(appeal); });

  auto found = Read()->cases().FindOpenForTarget(TargetType::kAccount, 7);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, c.id);
  EXPECT_FALSE(Read()->cases().FindOpenForTarget(TargetType::kStatus, 7).has_value());

  Case changed = *found;
  changed.notices_count = 5;
  MustWrite([&](Transaction& tx) { return tx.cases().Update(changed); });
  auto after = Read()->cases().Get(c.id);
  ASSERT_TRUE(IsOk(after));
  EXPECT_EQ(after->version, c.version + 1);
  EXPECT_EQ(after->notices_count, 5);
  // The same (now stale) version again: conflict, nothing changes.
  changed.notices_count = 6;
  Status stale = storage().Write([&](Transaction& tx) { return tx.cases().Update(changed); });
  EXPECT_EQ(stale.code(), StatusCode::kConflict);
  EXPECT_EQ(Read()->cases().Get(c.id)->notices_count, 5);
  Case ghost = changed;
  ghost.id = NextId();
  EXPECT_EQ(storage().Write([&](Transaction& tx) { return tx.cases().Update(ghost); }).code(),
            StatusCode::kNotFound);

  // Closing frees the target for a new case.
  Case closed = *Read()->cases().Get(c.id);
  closed.state = CaseState::kClosed;
  closed.closed_at = Now();
  MustWrite([&](Transaction& tx) { return tx.cases().Update(closed); });
  EXPECT_FALSE(Read()->cases().FindOpenForTarget(TargetType::kAccount, 7).has_value());
  MustWrite([&](Transaction& tx) { return tx.cases().Insert(dup); });
}

TEST_P(StorageConformanceTest, UpdateTriageWritesOnlyTheNoticeFieldsOfTheSeenVersion) {
  Case c = MakeCase(NextId(), TargetType::kStatus, 31, Now() + std::chrono::hours(48), 100, Now());
  c.assigned_to = 9;
  c.lease_until = Now() + std::chrono::minutes(15);
  MustWrite([&](Transaction& tx) { return tx.cases().Insert(c); });

  Case merged = c;
  merged.category = Category::kRiskForPublicSecurity;
  merged.urgency = 1;
  merged.score = 640;
  merged.deadline_at = Now() + std::chrono::hours(3);
  merged.notices_count = 2;
  merged.distinct_notifiers = 2;
  merged.priority_notices = 1;
  merged.sources = SourceBit(NoticeSource::kAnonymous) | SourceBit(NoticeSource::kAuthority);
  merged.threat_to_life = true;
  merged.notifier_weight = 2750;
  merged.updated_at = Now() + std::chrono::seconds(5);
  // Fields a notice never changes: UpdateTriage must leave the stored ones alone.
  merged.state = CaseState::kClosed;
  merged.assigned_to = 11;
  merged.lease_until.reset();
  merged.target_id = 32;
  merged.account_id = 778;
  MustWrite([&](Transaction& tx) { return tx.cases().UpdateTriage(merged); });

  auto got = Read()->cases().Get(c.id);
  ASSERT_TRUE(IsOk(got));
  EXPECT_EQ(got->version, c.version + 1);
  EXPECT_EQ(got->category, Category::kRiskForPublicSecurity);
  EXPECT_EQ(got->urgency, 1);
  EXPECT_EQ(got->score, 640);
  EXPECT_EQ(got->deadline_at, merged.deadline_at);
  EXPECT_EQ(got->notices_count, 2);
  EXPECT_EQ(got->distinct_notifiers, 2);
  EXPECT_EQ(got->priority_notices, 1);
  EXPECT_EQ(got->sources, merged.sources);
  EXPECT_TRUE(got->threat_to_life);
  EXPECT_EQ(got->notifier_weight, 2750);
  EXPECT_EQ(got->updated_at, merged.updated_at);
  EXPECT_EQ(got->state, CaseState::kOpen);
  EXPECT_EQ(got->assigned_to, 9);
  EXPECT_EQ(got->lease_until, c.lease_until);
  EXPECT_EQ(got->target_id, 31);
  EXPECT_EQ(got->account_id, 777);
  // The queue sees the new deadline.
  CaseFilter open;
  open.now = Now();
  auto queue = Read()->cases().List(open, 10);
  ASSERT_FALSE(queue.empty());
  EXPECT_EQ(queue.front().deadline_at, merged.deadline_at);

  // A stale version changes nothing; an unknown case is not found.
  merged.score = 1;
  EXPECT_EQ(storage().Write([&](Transaction& tx) { return tx.cases().UpdateTriage(merged); }).code(),
            StatusCode::kConflict);
  EXPECT_EQ(Read()->cases().Get(c.id)->score, 640);
  Case ghost = merged;
  ghost.id = NextId();
  EXPECT_EQ(storage().Write([&](Transaction& tx) { return tx.cases().UpdateTriage(ghost); }).code(),
            StatusCode::kNotFound);
}

TEST_P(StorageConformanceTest, MemberNotifierLinksCountFollowsEitherWayAmongOtherMembers) {
  const Id a = CreateAccount("ann");
  const Id b = CreateAccount("ben");
  const Id c = CreateAccount("cem");
  const Id d = CreateAccount("dee");
  const Id joining = CreateAccount("joe");
  const Case k = MakeCase(NextId(), TargetType::kStatus, 77, Now(), 0, Now());
  MustWrite([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.cases().Insert(k));
    for (Id member : {a, b, c, d, joining}) {
      RETURN_IF_ERROR(tx.cases().AddNotifier(k.id, "account:" + IdToString(member)).status());
    }
    // Not members: never counted.
    RETURN_IF_ERROR(tx.cases().AddNotifier(k.id, "email:abc").status());
    RETURN_IF_ERROR(tx.cases().AddNotifier(k.id, "notifier:3").status());
    // joe follows ann, ben follows joe; cem and dee are strangers (dee follows cem).
    RETURN_IF_ERROR(tx.relationships().InsertFollow(MakeFollow(joining, a)));
    RETURN_IF_ERROR(tx.relationships().InsertFollow(MakeFollow(b, joining)));
    return tx.relationships().InsertFollow(MakeFollow(d, c));
  });
  auto r = Read();
  const auto links = r->cases().MemberNotifierLinks(k.id, joining, 50);
  EXPECT_EQ(links.members, 4);  // the joining member is not one of the others
  EXPECT_EQ(links.linked, 2);
  EXPECT_EQ(r->cases().MemberNotifierLinks(k.id, c, 50).linked, 1);  // dee follows cem
  EXPECT_EQ(r->cases().MemberNotifierLinks(k.id, joining, 2).members, 2);  // at most `limit`
  const auto none = r->cases().MemberNotifierLinks(NextId(), joining, 50);
  EXPECT_EQ(none.members, 0);
  EXPECT_EQ(none.linked, 0);
}

TEST_P(StorageConformanceTest, NotifierRecordsAddUp) {
  EXPECT_EQ(Read()->decisions().GetNotifierRecord("account:1").decided, 0);
  MustWrite([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.decisions().AddToNotifierRecord("account:1", {1, 1, 0}));
    RETURN_IF_ERROR(tx.decisions().AddToNotifierRecord("account:1", {1, 0, 1}));
    RETURN_IF_ERROR(tx.decisions().AddToNotifierRecord("account:1", {0, -1, 0}));
    return tx.decisions().AddToNotifierRecord("email:x", {2, 2, 0});
  });
  const NotifierRecord one = Read()->decisions().GetNotifierRecord("account:1");
  EXPECT_EQ(one.decided, 2);
  EXPECT_EQ(one.upheld, 0);
  EXPECT_EQ(one.unfounded, 1);
  EXPECT_EQ(Read()->decisions().GetNotifierRecord("email:x").upheld, 2);
}

TEST_P(StorageConformanceTest, WarningPresetsRoundTrip) {
  WarningPreset p{NextId(), "Spam", "Please stop posting the same link.", Now(), Now()};
  WarningPreset q{NextId(), "Harassment", "Leave them alone.", Now(), Now()};
  MustWrite([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.decisions().InsertWarningPreset(p));
    return tx.decisions().InsertWarningPreset(q);
  });
  auto list = Read()->decisions().ListWarningPresets();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].title, "Spam");
  EXPECT_EQ(list[1].text, "Leave them alone.");
  p.title = "Link spam";
  p.updated_at = Now() + std::chrono::seconds(3);
  MustWrite([&](Transaction& tx) { return tx.decisions().UpdateWarningPreset(p); });
  auto got = Read()->decisions().GetWarningPreset(p.id);
  ASSERT_TRUE(IsOk(got));
  EXPECT_EQ(got->title, "Link spam");
  EXPECT_EQ(got->updated_at, p.updated_at);
  EXPECT_EQ(got->created_at, p.created_at);
  MustWrite([&](Transaction& tx) { return tx.decisions().DeleteWarningPreset(q.id); });
  EXPECT_EQ(Read()->decisions().GetWarningPreset(q.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(storage().Write([&](Transaction& tx) { return tx.decisions().DeleteWarningPreset(q.id); })
                .code(),
            StatusCode::kNotFound);
  WarningPreset ghost = q;
  EXPECT_EQ(storage().Write([&](Transaction& tx) { return tx.decisions().UpdateWarningPreset(ghost); })
                .code(),
            StatusCode::kNotFound);
}

TEST_P(StorageConformanceTest, CasesWithNoticesOnlyLeaveOutTheModeratorsOwnCases) {
  Case reported = MakeCase(NextId(), TargetType::kAccount, 41, Now(), 0, Now());
  reported.notices_count = 2;
  Case own = MakeCase(NextId(), TargetType::kAccount, 42, Now(), 0, Now());
  own.notices_count = 0;
  MustWrite([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.cases().Insert(reported));
    return tx.cases().Insert(own);
  });
  CaseFilter f;
  f.now = Now();
  EXPECT_EQ(CaseIds(Read()->cases().List(f, 10)).size(), 2u);
  f.with_notices = true;
  EXPECT_EQ(CaseIds(Read()->cases().List(f, 10)), std::vector<Id>{reported.id});
}

TEST_P(StorageConformanceTest, DistinctNotifiersPerCase) {
  const Case c = MakeCase(NextId(), TargetType::kStatus, 1, Now(), 0, Now());
  MustWrite([&](Transaction& tx) { return tx.cases().Insert(c); });
  std::vector<bool> added;
  MustWrite([&](Transaction& tx) -> Status {
    for (const char* key : {"account:1", "account:2", "account:1", "email:x"}) {
      ASSIGN_OR_RETURN(bool is_new, tx.cases().AddNotifier(c.id, key));
      added.push_back(is_new);
    }
    return Status::Ok();
  });
  EXPECT_EQ(added, (std::vector<bool>{true, true, false, true}));
}

TEST_P(StorageConformanceTest, ClaimHeadFollowsQueueOrderAndNeverTakesAHeldCase) {
  const Timestamp t0 = Now();
  // Queue order: deadline ascending, then score descending, then id.
  const Case late = MakeCase(NextId(), TargetType::kStatus, 1, t0 + std::chrono::hours(48), 99, t0);
  const Case early_low = MakeCase(NextId(), TargetType::kStatus, 2, t0 + std::chrono::hours(1), 1, t0);
  const Case early_high = MakeCase(NextId(), TargetType::kStatus, 3, t0 + std::chrono::hours(1), 5, t0);
  const Case early_low2 = MakeCase(NextId(), TargetType::kStatus, 4, t0 + std::chrono::hours(1), 1, t0);
  Case appeal = MakeCase(NextId(), TargetType::kStatus, 5, t0, 0, t0);
  appeal.kind = CaseKind::kAppeal;
  appeal.excluded_moderator_id = 100;
  MustWrite([&](Transaction& tx) -> Status {
    for (const Case* c : std::initializer_list<const Case*>{&late, &early_low, &early_high,
                                                            &early_low2, &appeal}) {
      RETURN_IF_ERROR(tx.cases().Insert(*c));
    }
    return Status::Ok();
  });
  CaseFilter open;
  open.now = t0;
  EXPECT_EQ(CaseIds(Read()->cases().List(open, 10)),
            (std::vector<Id>{appeal.id, early_high.id, early_low.id, early_low2.id, late.id}));
  // Keyset paging continues after a case.
  CaseFilter after = open;
  after.after_id = early_high.id;
  EXPECT_EQ(CaseIds(Read()->cases().List(after, 2)), (std::vector<Id>{early_low.id, early_low2.id}));

  const Timestamp lease = t0 + std::chrono::minutes(15);
  std::vector<Id> claimed_by_100;
  for (int i = 0; i < 5; ++i) {
    MustWrite([&](Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(auto c, tx.cases().ClaimHead(100, lease, t0));
      if (c) {
        EXPECT_EQ(c->assigned_to, 100);
        EXPECT_EQ(c->lease_until, lease);
        EXPECT_EQ(c->version, 2);
        claimed_by_100.push_back(c->id);
      }
      return Status::Ok();
    });
  }
  // Moderator 100 may not take the appeal against their own decision.
  EXPECT_EQ(claimed_by_100, (std::vector<Id>{early_high.id, early_low.id, early_low2.id, late.id}));
  std::optional<Case> other;
  MustWrite([&](Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(other, tx.cases().ClaimHead(200, lease, t0));
    return Status::Ok();
  });
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->id, appeal.id);
  MustWrite([&](Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(auto none, tx.cases().ClaimHead(200, lease, t0));
    EXPECT_FALSE(none.has_value());
    return Status::Ok();
  });
  CaseFilter mine = open;
  mine.assigned_to = 100;
  EXPECT_EQ(CaseIds(Read()->cases().List(mine, 10)).size(), 4u);

  // Leases end: expired cases return to the queue with a new version.
  int64_t expired = 0;
  MustWrite([&](Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(expired, tx.cases().ExpireLeases(lease));
    return Status::Ok();
  });
  EXPECT_EQ(expired, 5);
  auto back = Read()->cases().Get(early_high.id);
  EXPECT_EQ(back->assigned_to, kNoId);
  EXPECT_FALSE(back->lease_until.has_value());
  EXPECT_EQ(back->version, 3);
  EXPECT_EQ(Read()->cases().CountOpen(), 5);
}

TEST_P(StorageConformanceTest, CaseFiltersAndAccountHistory) {
  const Timestamp t0 = Now();
  Case a = MakeCase(NextId(), TargetType::kStatus, 1, t0 + std::chrono::hours(1), 0, t0);
  a.sources = SourceBit(NoticeSource::kTrustedFlagger);
  Case b = MakeCase(NextId(), TargetType::kStatus, 2, t0 + std::chrono::hours(30), 0, t0);
  b.category = Category::kScamsAndFraud;
  b.sources = SourceBit(NoticeSource::kMember);
  b.account_id = 888;
  MustWrite([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.cases().Insert(a));
    return tx.cases().Insert(b);
  });
  auto r = Read();
  CaseFilter f;
  f.now = t0;
  f.category = Category::kScamsAndFraud;
  EXPECT_EQ(CaseIds(r->cases().List(f, 10)), (std::vector<Id>{b.id}));
  f = CaseFilter{};
  f.now = t0;
  f.source = NoticeSource::kTrustedFlagger;
  EXPECT_EQ(CaseIds(r->cases().List(f, 10)), (std::vector<Id>{a.id}));
  f = CaseFilter{};
  f.now = t0;
  f.deadline_before = t0 + std::chrono::hours(2);
  EXPECT_EQ(CaseIds(r->cases().List(f, 10)), (std::vector<Id>{a.id}));
  f = CaseFilter{};
  f.now = t0;
  f.state = CaseState::kClosed;
  EXPECT_TRUE(r->cases().List(f, 10).empty());
  EXPECT_EQ(CaseIds(r->cases().ListForAccount(888, 10)), (std::vector<Id>{b.id}));
  f = CaseFilter{};
  f.now = t0;
  f.account_id = 888;
  EXPECT_EQ(CaseIds(r->cases().List(f, 1)), (std::vector<Id>{b.id}));
}

TEST_P(StorageConformanceTest, CaseNotesNotifiersAndOutbox) {
  const Case c = MakeCase(NextId(), TargetType::kStatus, 1, Now(), 0, Now());
  const CaseNote note{NextId(), c.id, 5, "looked at it", Now()};
  PriorityNotifier tf{NextId(), NoticeSource::kTrustedFlagger, "Flaggers e.V.", "khash", Now(), {}};
  OutboxMessage m1{NextId(), "notice_receipt", "a@example.org", "Received", "body", 0, Now(), {}};
  OutboxMessage m2{NextId(), "notice_receipt", "b@example.org", "Received", "body", 0, Now(), {}};
  MustWrite([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.cases().Insert(c));
    RETURN_IF_ERROR(tx.cases().InsertNote(note));
    RETURN_IF_ERROR(tx.notifiers().Insert(tf));
    RETURN_IF_ERROR(tx.outbox().Insert(m1));
    return tx.outbox().Insert(m2);
  });
  auto notes = Read()->cases().ListNotes(c.id);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].text, "looked at it");
  EXPECT_EQ(notes[0].author_id, 5);

  EXPECT_TRUE(IsOk(Read()->notifiers().FindByKeyHash("khash")));
  EXPECT_EQ(Read()->notifiers().List().size(), 1u);
  MustWrite([&](Transaction& tx) { return tx.notifiers().Revoke(tf.id, Now()); });
  EXPECT_EQ(Read()->notifiers().FindByKeyHash("khash").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Read()->notifiers().Get(tf.id)->revoked_at.has_value());
  EXPECT_EQ(storage().Write([&](Transaction& tx) { return tx.notifiers().Revoke(tf.id, Now()); }).code(),
            StatusCode::kNotFound);

  ExpectPaging({m2.id, m1.id}, [&](const PageQuery& p) {
    std::vector<Id> ids;
    for (const auto& m : Read()->outbox().List(p, false)) ids.push_back(m.id);
    return ids;
  });
  MustWrite([&](Transaction& tx) { return tx.outbox().MarkSent(m1.id, Now()); });
  auto unsent = Read()->outbox().List(PageQuery{}, true);
  ASSERT_EQ(unsent.size(), 1u);
  EXPECT_EQ(unsent[0].id, m2.id);
}

// Campaigns (migration 0015): a case lists its statuses; the open case of a member is found by the
// member; only open cases' fingerprints are loaded.
TEST_P(StorageConformanceTest, CaseStatusesListMembersAndOpenFingerprints) {
  const Case a = MakeCase(NextId(), TargetType::kStatus, 501, Now(), 0, Now());
  const Case b = MakeCase(NextId(), TargetType::kStatus, 601, Now(), 0, Now());
  const CaseStatus target{a.id, 501, 11, 0xF000000000000001ull, 40, Now()};
  const CaseStatus member{a.id, 502, 12, 0xF000000000000003ull, 41, Now() + std::chrono::seconds(1)};
  const CaseStatus short_post{a.id, 503, 13, 0, 0, Now() + std::chrono::seconds(2)};
  const CaseStatus other{b.id, 601, 14, 77, 30, Now()};
  // Added at the same time as b's target, with a smaller id: the target is still listed first.
  const CaseStatus early{b.id, 599, 15, 78, 30, Now()};
  MustWrite([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.cases().Insert(a));
    RETURN_IF_ERROR(tx.cases().Insert(b));
    RETURN_IF_ERROR(tx.cases().AddStatus(target));
    RETURN_IF_ERROR(tx.cases().AddStatus(member));
    RETURN_IF_ERROR(tx.cases().AddStatus(short_post));
    RETURN_IF_ERROR(tx.cases().AddStatus(other));
    RETURN_IF_ERROR(tx.cases().AddStatus(early));
    return tx.cases().AddStatus(member);  // again: nothing changes
  });
  auto listed = Read()->cases().ListStatuses(a.id, 100);
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0].status_id, 501);
  EXPECT_EQ(listed[1].status_id, 502);
  EXPECT_EQ(listed[1].account_id, 12);
  EXPECT_EQ(listed[1].simhash, 0xF000000000000003ull);
  EXPECT_EQ(listed[1].shingles, 41u);
  EXPECT_EQ(listed[2].status_id, 503);
  EXPECT_EQ(listed[2].shingles, 0u);
  EXPECT_EQ(Read()->cases().ListStatuses(a.id, 2).size(), 2u);
  auto of_b = Read()->cases().ListStatuses(b.id, 100);
  ASSERT_EQ(of_b.size(), 2u);
  EXPECT_EQ(of_b[0].status_id, 601);
  EXPECT_EQ(of_b[1].status_id, 599);

  auto of_member = Read()->cases().FindOpenWithStatus(502);
  ASSERT_TRUE(of_member.has_value());
  EXPECT_EQ(of_member->id, a.id);
  EXPECT_FALSE(Read()->cases().FindOpenWithStatus(999).has_value());
  // Without a fingerprint (503) a status is listed but not loaded.
  EXPECT_EQ(Read()->cases().ListOpenCaseStatuses().size(), 4u);

  Case closed = *Read()->cases().Get(a.id);
  closed.state = CaseState::kClosed;
  closed.closed_at = Now();
  MustWrite([&](Transaction& tx) { return tx.cases().Update(closed); });
  EXPECT_FALSE(Read()->cases().FindOpenWithStatus(502).has_value());
  auto open = Read()->cases().ListOpenCaseStatuses();
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[0].status_id, 599);
  EXPECT_EQ(open[1].status_id, 601);
  // A closed case still lists its statuses.
  EXPECT_EQ(Read()->cases().ListStatuses(a.id, 100).size(), 3u);
}

// A moderator takes a wrongly grouped status off a case's list: gone from the list and from the
// open fingerprints; a status the case does not list is kNotFound.
TEST_P(StorageConformanceTest, CaseStatusesRemoveOneStatus) {
  const Case a = MakeCase(NextId(), TargetType::kStatus, 701, Now(), 0, Now());
  MustWrite([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.cases().Insert(a));
    RETURN_IF_ERROR(tx.cases().AddStatus(CaseStatus{a.id, 701, 21, 0xF0ull, 40, Now()}));
    RETURN_IF_ERROR(tx.cases().AddStatus(
        CaseStatus{a.id, 702, 22, 0xF1ull, 40, Now() + std::chrono::seconds(1)}));
    return tx.cases().AddStatus(
        CaseStatus{a.id, 703, 23, 0xF3ull, 40, Now() + std::chrono::seconds(2)});
  });
  MustWrite([&](Transaction& tx) { return tx.cases().RemoveStatus(a.id, 702); });
  auto listed = Read()->cases().ListStatuses(a.id, 100);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].status_id, 701);
  EXPECT_EQ(listed[1].status_id, 703);
  EXPECT_FALSE(Read()->cases().FindOpenWithStatus(702).has_value());
  for (const CaseStatus& s : Read()->cases().ListOpenCaseStatuses()) {
    EXPECT_NE(s.status_id, 702);
  }
  Status again = Status::Ok();
  Status other_case = Status::Ok();
  MustWrite([&](Transaction& tx) -> Status {
    again = tx.cases().RemoveStatus(a.id, 702);
    other_case = tx.cases().RemoveStatus(a.id + 1, 701);
    return Status::Ok();
  });
  EXPECT_EQ(again.code(), StatusCode::kNotFound);
  EXPECT_EQ(other_case.code(), StatusCode::kNotFound);
  EXPECT_EQ(Read()->cases().ListStatuses(a.id, 100).size(), 2u);
}

// Migration 0017: a status taken out of a case is recorded as excluded from it (twice is once);
// the exclusions of open cases are listed for loading, those of closed cases are not.
TEST_P(StorageConformanceTest, CaseStatusExclusions) {
  const Case a = MakeCase(NextId(), TargetType::kStatus, 801, Now(), 0, Now());
  const Case b = MakeCase(NextId(), TargetType::kStatus, 901, Now(), 0, Now());
  MustWrite([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.cases().Insert(a));
    RETURN_IF_ERROR(tx.cases().Insert(b));
    RETURN_IF_ERROR(tx.cases().ExcludeStatus(a.id, 802));
    RETURN_IF_ERROR(tx.cases().ExcludeStatus(a.id, 802));
    RETURN_IF_ERROR(tx.cases().ExcludeStatus(a.id, 803));
    return tx.cases().ExcludeStatus(b.id, 902);
  });
  EXPECT_TRUE(*Read()->cases().IsExcluded(a.id, 802));
  EXPECT_FALSE(*Read()->cases().IsExcluded(a.id, 902));
  EXPECT_FALSE(*Read()->cases().IsExcluded(b.id, 802));
  EXPECT_EQ(Read()->cases().ListOpenCaseExclusions(),
            (std::vector<std::pair<Id, Id>>{{a.id, 802}, {a.id, 803}, {b.id, 902}}));
  Case closed = *Read()->cases().Get(a.id);
  closed.state = CaseState::kClosed;
  closed.closed_at = Now();
  MustWrite([&](Transaction& tx) { return tx.cases().Update(closed); });
  EXPECT_EQ(Read()->cases().ListOpenCaseExclusions(),
            (std::vector<std::pair<Id, Id>>{{b.id, 902}}));
  EXPECT_TRUE(*Read()->cases().IsExcluded(a.id, 802)) << "kept with the closed case";
}

}  // namespace
}  // namespace stoa::storage::conformance
