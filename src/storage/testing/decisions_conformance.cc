// Decisions, statements of reasons, appeals, Art. 23 counters and measures, status moderation.
#include "storage/testing/conformance.h"

namespace stoa::storage::conformance {
namespace {

Decision MakeDecision(Id id, Id case_id, Id account, Id status, Timestamp at) {
  Decision d;
  d.id = id;
  d.case_id = case_id;
  d.action = DecisionAction::kRemoveStatus;
  d.ground = DecisionGround::kIllegal;
  d.legal_provision = "§ 241 StGB";
  d.facts = "A threat against a named person.";
  d.reasons = "Threats are illegal.";
  d.territorial_scope = {"DE", "AT"};
  d.moderator_id = 77;
  d.target_account_id = account;
  d.target_status_id = status;
  d.category = "STATEMENT_CATEGORY_VIOLENCE";
  d.created_at = at;
  return d;
}

TEST_P(StorageConformanceTest, DecisionRoundTripAndLists) {
  const Id author = CreateAccount("author");
  const Id other = CreateAccount("other");
  const Id post = InsertPost(MakePost(author, "bad words"));
  Decision full = MakeDecision(NextId(), 500, author, post, Now());
  full.rule_id = kNoId;
  full.until = Now() + std::chrono::hours(48);
  full.automated_detection = true;
  full.automated_decision = AutomatedDecision::kPartially;
  full.referral = Referral{"LKA Berlin", Now(), "AZ-123"};
  full.statement_id = 999;
  Decision bare = MakeDecision(NextId(), 501, author, kNoId, Now());
  bare.action = DecisionAction::kNoAction;
  bare.ground = DecisionGround::kNone;
  bare.legal_provision.clear();
  bare.territorial_scope.clear();
  Decision other_account = MakeDecision(NextId(), 502, other, kNoId, Now());
  other_account.action = DecisionAction::kSuspendAccount;
  other_account.ground = DecisionGround::kTerms;
  other_account.rule_id = 42;
  MustWrite([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.decisions().Insert(full));
    RETURN_IF_ERROR(tx.decisions().Insert(bare));
    return tx.decisions().Insert(other_account);
  });
  auto r = Read();
  auto got = r->decisions().Get(full.id);
  ASSERT_TRUE(IsOk(got));
  EXPECT_EQ(got->case_id, 500);
  EXPECT_EQ(got->action, DecisionAction::kRemoveStatus);
  EXPECT_EQ(got->ground, DecisionGround::kIllegal);
  EXPECT_EQ(got->legal_provision, "§ 241 StGB");
  EXPECT_EQ(got->facts, full.facts);
  EXPECT_EQ(got->reasons, full.reasons);
  EXPECT_EQ(got->until, full.until);
  EXPECT_EQ(got->territorial_scope, (std::vector<std::string>{"DE", "AT"}));
  EXPECT_TRUE(got->automated_detection);
  EXPECT_EQ(got->automated_decision, AutomatedDecision::kPartially);
  EXPECT_EQ(got->moderator_id, 77);
  ASSERT_TRUE(got->referral.has_value());
  EXPECT_EQ(got->referral->authority, "LKA Berlin");
  EXPECT_EQ(got->referral->reference, "AZ-123");
  EXPECT_EQ(got->referral->at, Now());
  EXPECT_EQ(got->target_account_id, author);
  EXPECT_EQ(got->target_status_id, post);
  EXPECT_EQ(got->category, "STATEMENT_CATEGORY_VIOLENCE");
  EXPECT_EQ(got->statement_id, 999);
  EXPECT_FALSE(got->reversed_at.has_value());
  EXPECT_EQ(got->created_at, full.created_at);

  auto got_bare = r->decisions().Get(bare.id);
  ASSERT_TRUE(IsOk(got_bare));
  EXPECT_EQ(got_bare->action, DecisionAction::kNoAction);
  EXPECT_EQ(got_bare->ground, DecisionGround::kNone);
  EXPECT_FALSE(got_bare->referral.has_value());
  EXPECT_FALSE(got_bare->until.has_value());
  EXPECT_EQ(got_bare->target_status_id, kNoId);
  EXPECT_TRUE(got_bare->territorial_scope.empty());
  EXPECT_EQ(r->decisions().Get(other_account.id)->rule_id, 42);
  EXPECT_EQ(r->decisions().Get(12345).status().code(), StatusCode::kNotFound);

  ASSERT_EQ(r->decisions().ListForCase(501).size(), 1u);
  EXPECT_TRUE(r->decisions().ListForCase(9).empty());
  std::vector<Id> history;
  for (const auto& d : r->decisions().ListForAccount(author, {})) history.push_back(d.id);
  EXPECT_EQ(history, (std::vector<Id>{bare.id, full.id}));
  ExpectPaging({bare.id, full.id}, [&](const PageQuery& page) {
    std::vector<Id> ids;
    for (const auto& d : Read()->decisions().ListForAccount(author, page)) ids.push_back(d.id);
    return ids;
  });
  auto created = r->decisions().ListCreated(Now() - std::chrono::hours(1),
                                            Now() + std::chrono::hours(1), kNoId, 2);
  ASSERT_EQ(created.size(), 2u);
  EXPECT_EQ(created[0].id, full.id);
  EXPECT_EQ(created[1].id, bare.id);
  EXPECT_EQ(r->decisions()
                .ListCreated(Now() - std::chrono::hours(1), Now() + std::chrono::hours(1),
                             bare.id, 10)
                .size(),
            1u);
  EXPECT_TRUE(r->decisions()
                  .ListCreated(Now() + std::chrono::hours(1), Now() + std::chrono::hours(2),
                               kNoId, 10)
                  .empty());
}

TEST_P(StorageConformanceTest, DecisionReversalOnlyOnce) {
  const Id author = CreateAccount("author");
  const Decision d = MakeDecision(NextId(), 1, author, kNoId, Now());
  MustWrite([&](Transaction& tx) { return tx.decisions().Insert(d); });
  MustWrite([&](Transaction& tx) { return tx.decisions().MarkReversed(d.id, 888, Now()); });
  Status again = Write([&](Transaction& tx) { return tx.decisions().MarkReversed(d.id, 889, Now()); });
  EXPECT_EQ(again.code(), StatusCode::kConflict);
  Status missing = Write([&](Transaction& tx) { return tx.decisions().MarkReversed(4242, 1, Now()); });
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  auto got = Read()->decisions().Get(d.id);
  ASSERT_TRUE(IsOk(got));
  EXPECT_EQ(got->reversed_by, 888);
  EXPECT_EQ(got->reversed_at, Now());
}

TEST_P(StorageConformanceTest, StatementRoundTripAndUniquePuid) {
  const Id author = CreateAccount("author");
  StatementOfReasons s;
  s.id = NextId();
  s.decision_id = 5;
  s.account_id = author;
  s.puid = "example-org-sor-1";
  s.decision_visibility = {"DECISION_VISIBILITY_CONTENT_REMOVED"};
  s.decision_account = "DECISION_ACCOUNT_SUSPENDED";
  s.end_date_account_restriction = "2026-04-01";
  s.territorial_scope = {"DE"};
  s.decision_facts = "Facts \"quoted\" and ünïcödé.";
  s.source_type = "SOURCE_TRUSTED_FLAGGER";
  s.source_identity = "Flaggers e.V.";
  s.automated_detection = "No";
  s.automated_decision = "AUTOMATED_DECISION_NOT_AUTOMATED";
  s.decision_ground = "DECISION_GROUND_ILLEGAL_CONTENT";
  s.illegal_content_legal_ground = "§ 111 StGB";
  s.illegal_content_explanation = "A call to violence.";
  s.category = "STATEMENT_CATEGORY_VIOLENCE";
  s.category_specification = {"KEYWORD_INCITEMENT_VIOLENCE_HATRED"};
  s.content_language = "DE";
  s.content_date = "2026-02-28";
  s.application_date = "2026-03-01";
  s.redress = "Appeal within 6 months.";
  s.created_at = Now();
  MustWrite([&](Transaction& tx) { return tx.decisions().InsertStatement(s); });
  StatementOfReasons dup = s;
  dup.id = NextId();
  EXPECT_EQ(Write([&](Transaction& tx) { return tx.decisions().InsertStatement(dup); }).code(),
            StatusCode::kAlreadyExists);

  auto r = Read();
  auto got = r->decisions().GetStatement(s.id);
  ASSERT_TRUE(IsOk(got));
  EXPECT_EQ(got->decision_id, 5);
  EXPECT_EQ(got->account_id, author);
  EXPECT_EQ(got->puid, s.puid);
  EXPECT_EQ(got->decision_visibility, s.decision_visibility);
  EXPECT_EQ(got->decision_account, s.decision_account);
  EXPECT_EQ(got->end_date_account_restriction, "2026-04-01");
  EXPECT_EQ(got->territorial_scope, s.territorial_scope);
  EXPECT_EQ(got->decision_facts, s.decision_facts);
  EXPECT_EQ(got->source_type, s.source_type);
  EXPECT_EQ(got->source_identity, s.source_identity);
  EXPECT_EQ(got->automated_detection, "No");
  EXPECT_EQ(got->automated_decision, s.automated_decision);
  EXPECT_EQ(got->decision_ground, s.decision_ground);
  EXPECT_EQ(got->illegal_content_legal_ground, s.illegal_content_legal_ground);
  EXPECT_EQ(got->illegal_content_explanation, s.illegal_content_explanation);
  EXPECT_EQ(got->category, s.category);
  EXPECT_EQ(got->category_specification, s.category_specification);
  EXPECT_EQ(got->content_type, (std::vector<std::string>{"CONTENT_TYPE_TEXT"}));
  EXPECT_EQ(got->content_language, "DE");
  EXPECT_EQ(got->content_date, s.content_date);
  EXPECT_EQ(got->application_date, s.application_date);
  EXPECT_EQ(got->redress, s.redress);
  EXPECT_EQ(got->created_at, s.created_at);
  EXPECT_EQ(r->decisions().GetStatement(1).status().code(), StatusCode::kNotFound);
  auto listed = r->decisions().ListStatements(Now() - std::chrono::hours(1),
                                              Now() + std::chrono::hours(1), kNoId, 10);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, s.id);
  EXPECT_TRUE(r->decisions()
                  .ListStatements(Now() - std::chrono::hours(1), Now() + std::chrono::hours(1),
                                  s.id, 10)
                  .empty());
}

TEST_P(StorageConformanceTest, AppealsOncePerAppellantAndResolvedOnce) {
  const Id author = CreateAccount("author");
  Appeal a;
  a.id = NextId();
  a.decision_id = 10;
  a.appellant_id = author;
  a.role = AppellantRole::kAffected;
  a.text = "I was quoting.";
  a.case_id = 20;
  a.filed_at = Now();
  MustWrite([&](Transaction& tx) { return tx.decisions().InsertAppeal(a); });
  Appeal again = a;
  again.id = NextId();
  EXPECT_EQ(Write([&](Transaction& tx) { return tx.decisions().InsertAppeal(again); }).code(),
            StatusCode::kAlreadyExists);
  Appeal by_notifier = a;
  by_notifier.id = NextId();
  by_notifier.appellant_id = CreateAccount("notifier");
  by_notifier.role = AppellantRole::kNotifier;
  by_notifier.case_id = 21;
  MustWrite([&](Transaction& tx) { return tx.decisions().InsertAppeal(by_notifier); });

  auto r = Read();
  auto got = r->decisions().GetAppeal(a.id);
  ASSERT_TRUE(IsOk(got));
  EXPECT_EQ(got->decision_id, 10);
  EXPECT_EQ(got->appellant_id, author);
  EXPECT_EQ(got->role, AppellantRole::kAffected);
  EXPECT_EQ(got->text, a.text);
  EXPECT_EQ(got->case_id, 20);
  EXPECT_EQ(got->state, AppealState::kPending);
  EXPECT_EQ(got->filed_at, a.filed_at);
  EXPECT_EQ(r->decisions().FindAppealByCase(21)->id, by_notifier.id);
  EXPECT_EQ(r->decisions().FindAppealByCase(22).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r->decisions().ListAppeals(10).size(), 2u);
  r.reset();

  Advance(std::chrono::hours(2));
  MustWrite([&](Transaction& tx) {
    return tx.decisions().ResolveAppeal(a.id, AppealState::kReversed, 99, Now());
  });
  EXPECT_EQ(Write([&](Transaction& tx) {
              return tx.decisions().ResolveAppeal(a.id, AppealState::kUpheld, 100, Now());
            }).code(),
            StatusCode::kConflict);
  EXPECT_EQ(Write([&](Transaction& tx) {
              return tx.decisions().ResolveAppeal(31337, AppealState::kUpheld, 100, Now());
            }).code(),
            StatusCode::kNotFound);
  auto resolved = Read()->decisions().GetAppeal(a.id);
  ASSERT_TRUE(IsOk(resolved));
  EXPECT_EQ(resolved->state, AppealState::kReversed);
  EXPECT_EQ(resolved->resolution_id, 99);
  EXPECT_EQ(resolved->resolved_at, Now());
}

TEST_P(StorageConformanceTest, StrikesAndUnfoundedCountInWindows) {
  const Id author = CreateAccount("author");
  const Timestamp start = Now();
  MustWrite([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.decisions().AddStrike(author, 1, start));
    RETURN_IF_ERROR(tx.decisions().AddStrike(author, 1, start));  // idempotent
    RETURN_IF_ERROR(tx.decisions().AddStrike(author, 2, start + std::chrono::hours(10)));
    RETURN_IF_ERROR(tx.decisions().AddUnfounded("email:abc", 1, start));
    return tx.decisions().AddUnfounded("email:abc", 2, start + std::chrono::hours(10));
  });
  auto r = Read();
  EXPECT_EQ(r->decisions().CountStrikes(author, start), 2);
  EXPECT_EQ(r->decisions().CountStrikes(author, start + std::chrono::hours(1)), 1);
  EXPECT_EQ(r->decisions().CountStrikes(author + 1, start), 0);
  EXPECT_EQ(r->decisions().CountUnfounded("email:abc", start), 2);
  EXPECT_EQ(r->decisions().CountUnfounded("email:abc", start + std::chrono::hours(1)), 1);
  EXPECT_EQ(r->decisions().CountUnfounded("email:other", start), 0);
  r.reset();
  MustWrite([&](Transaction& tx) { return tx.decisions().RemoveStrike(author, 1); });
  EXPECT_EQ(Read()->decisions().CountStrikes(author, start), 1);
}

TEST_P(StorageConformanceTest, MisuseMeasuresAndNotifierSuspension) {
  const Timestamp start = Now();
  MisuseMeasure warning;
  warning.id = NextId();
  warning.subject = MisuseSubject::kNotifier;
  warning.subject_key = "account:7";
  warning.kind = MisuseMeasureKind::kWarning;
  warning.decision_id = 3;
  warning.count = 3;
  warning.starts_at = start;
  MisuseMeasure suspension = warning;
  suspension.id = NextId();
  suspension.kind = MisuseMeasureKind::kSuspension;
  suspension.count = 5;
  suspension.ends_at = start + std::chrono::hours(24);
  MisuseMeasure account_suspension = suspension;
  account_suspension.id = NextId();
  account_suspension.subject = MisuseSubject::kAccount;
  account_suspension.subject_key = "7";
  MustWrite([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.decisions().InsertMeasure(warning));
    RETURN_IF_ERROR(tx.decisions().InsertMeasure(suspension));
    return tx.decisions().InsertMeasure(account_suspension);
  });
  auto r = Read();
  auto measures = r->decisions().ListMeasures(MisuseSubject::kNotifier, "account:7");
  ASSERT_EQ(measures.size(), 2u);
  EXPECT_EQ(measures[0].id, suspension.id);
  EXPECT_EQ(measures[0].kind, MisuseMeasureKind::kSuspension);
  EXPECT_EQ(measures[0].ends_at, suspension.ends_at);
  EXPECT_EQ(measures[1].kind, MisuseMeasureKind::kWarning);
  EXPECT_EQ(measures[1].count, 3);
  EXPECT_EQ(r->decisions().ListMeasures(MisuseSubject::kAccount, "7").size(), 1u);
  EXPECT_EQ(r->decisions().NotifierSuspendedUntil("account:7", start + std::chrono::hours(1)),
            suspension.ends_at);
  EXPECT_FALSE(
      r->decisions().NotifierSuspendedUntil("account:7", start + std::chrono::hours(25)));
  EXPECT_FALSE(r->decisions().NotifierSuspendedUntil("account:8", start));
  EXPECT_EQ(r->decisions().CountSuspensions(MisuseSubject::kNotifier, start,
                                            start + std::chrono::hours(1)),
            1);
  EXPECT_EQ(r->decisions().CountSuspensions(MisuseSubject::kAccount, start,
                                            start + std::chrono::hours(1)),
            1);
  EXPECT_EQ(r->decisions().CountSuspensions(MisuseSubject::kNotifier,
                                            start + std::chrono::hours(1),
                                            start + std::chrono::hours(2)),
            0);
}

TEST_P(StorageConformanceTest, StatusModerationIsReadWithThePostAndKeepsTheAuthorsFields) {
  const Id author = CreateAccount("author");
  Post p = MakePost(author, "text");
  p.spoiler_text = "";
  const Id post = InsertPost(p);
  {
    auto m = Read()->decisions().GetStatusModeration(post);
    ASSERT_TRUE(IsOk(m));
    EXPECT_FALSE(m->sensitive);
    EXPECT_FALSE(m->removed_at.has_value());
    auto loaded = Read()->posts().Get(post);
    ASSERT_TRUE(IsOk(loaded));
    EXPECT_FALSE(loaded->removed());
    EXPECT_FALSE(loaded->restricted());
    EXPECT_FALSE(loaded->shown_sensitive());
  }
  StatusModeration m;
  m.sensitive = true;
  m.spoiler_text = "Marked by moderators";
  m.restricted_at = Now();
  m.removed_at = Now() + std::chrono::hours(1);
  MustWrite([&](Transaction& tx) { return tx.decisions().SetStatusModeration(post, m); });
  EXPECT_EQ(Write([&](Transaction& tx) { return tx.decisions().SetStatusModeration(4242, m); })
                .code(),
            StatusCode::kNotFound);
  auto r = Read();
  auto loaded = r->posts().Get(post);
  ASSERT_TRUE(IsOk(loaded));
  EXPECT_TRUE(loaded->moderation_sensitive);
  EXPECT_EQ(loaded->moderation_spoiler_text, "Marked by moderators");
  EXPECT_EQ(loaded->moderation_restricted_at, m.restricted_at);
  EXPECT_EQ(loaded->moderation_removed_at, m.removed_at);
  EXPECT_FALSE(loaded->sensitive);  // the author's own flag is untouched
  EXPECT_TRUE(loaded->shown_sensitive());
  EXPECT_EQ(loaded->shown_spoiler_text(), "Marked by moderators");
  const Id ids[] = {post};
  auto many = r->posts().GetMany(ids);
  ASSERT_EQ(many.size(), 1u);
  EXPECT_TRUE(many[0].removed());
  auto thread = r->posts().ListThread(post, 10);
  ASSERT_EQ(thread.size(), 1u);
  EXPECT_TRUE(thread[0].restricted());
  r.reset();
  MustWrite([&](Transaction& tx) { return tx.decisions().SetStatusModeration(post, {}); });
  auto lifted = Read()->posts().Get(post);
  ASSERT_TRUE(IsOk(lifted));
  EXPECT_FALSE(lifted->removed());
  EXPECT_FALSE(lifted->restricted());
  EXPECT_FALSE(lifted->shown_sensitive());
}

}  // namespace
}  // namespace stoa::storage::conformance
