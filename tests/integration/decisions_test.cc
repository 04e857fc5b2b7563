// Decisions over HTTP: every action's effect as other members see it (timelines, hashtags,
// search, threads, account listings, direct fetches, home feeds held in memory), the statement of
// reasons for the author and staff only, the notifiers' outcome (notification, outbox, notice
// status), stale versions, cases not held, bad input that creates nothing, bulk decisions, the
// Art. 18 referral and the Art. 23 strike counter.
#include "tests/integration/moderation_fixture.h"

namespace stoa::testing {
namespace {

// Art. 23's automatic suspension is kept out of the way here (its own test below uses the
// defaults): these tests decide against one author many times.
class DecisionsTest : public ModerationTest {
 protected:
  explicit DecisionsTest(std::function<void(Config&)> tweak) : ModerationTest(std::move(tweak)) {}
  DecisionsTest()
      : ModerationTest([](Config& c) {
          c.safety.strike_warning_threshold = 0;
          c.safety.strike_suspension_threshold = 0;
        }) {}

  // A reply by the author (so it has a thread) with a hashtag and a searchable word, seen once by
  // the follower so that it sits in their in-memory home feed.
  struct Subject {
    std::string parent;
    std::string id;
    std::string url;
    std::string word;
  };
  Subject MakeSubject(const std::string& word) {
    Subject s;
    s.word = word;
    s.parent = PostStatus(author, "Opening post about " + word + "s").id;
    auto posted = PostStatus(author, "Reply " + word + " #" + word,
                             R"(,"in_reply_to_id":")" + s.parent + R"(")");
    s.id = posted.id;
    s.url = posted.url;
    EXPECT_TRUE(Look(s.id, s.parent, word, follower).home);
    return s;
  }

  int64_t CountDecisions() {
    auto read = server.app().storage().Read();
    return static_cast<int64_t>(read->decisions().ListForAccount(author.id, {}).size());
  }
};

struct StatusEffectCase {
  const char* action;
  // Expected for members other than staff (stranger, follower, the author).
  bool public_timeline, tag_timeline, search, home, context, account;
  int direct;
};

TEST_F(DecisionsTest, StatusActionsTakeEffectForEveryoneButStaff) {
  const StatusEffectCase cases[] = {
      {"mark_sensitive", true, true, true, true, true, true, 200},
      {"restrict_visibility", false, false, false, true, true, true, 200},
      {"remove_status", false, false, false, false, false, false, 404},
  };
  int n = 0;
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.action);
    const Subject s = MakeSubject("word" + std::to_string(n++) + "x");
    const Surfaces before = Look(s.id, s.parent, s.word, stranger);
    EXPECT_TRUE(before.public_timeline && before.tag_timeline && before.search && before.context &&
                before.account);
    EXPECT_EQ(before.direct, 200);
    auto claimed = ReportedAndClaimed(s.id, mod);
    ASSERT_FALSE(claimed.id.empty());
    auto r = Decide(mod, claimed,
                    std::string(R"("action":")") + tc.action +
                        R"(","ground":"illegal","legal_provision":"§ 241 StGB")");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Str(r.json(), "action"), tc.action);
    EXPECT_FALSE(Str(r.json(), "id").empty());
    EXPECT_FALSE(Str(r.json(), "statement_id").empty());

    for (const auto* viewer : {&stranger, &follower, &author}) {
      SCOPED_TRACE(viewer->username);
      const Surfaces after = Look(s.id, s.parent, s.word, *viewer);
      EXPECT_EQ(after.public_timeline, tc.public_timeline);
      EXPECT_EQ(after.tag_timeline, tc.tag_timeline);
      EXPECT_EQ(after.search, tc.search);
      if (viewer == &follower || viewer == &author) {
        EXPECT_EQ(after.home, tc.home);
      }
      EXPECT_EQ(after.context, tc.context);
      EXPECT_EQ(after.account, tc.account);
      EXPECT_EQ(after.direct, tc.direct);
    }
    // Staff can still open it.
    EXPECT_EQ(server.Get("/api/v1/statuses/" + s.id, mod.token).status, 200);
    if (std::string(tc.action) == "mark_sensitive") {
      auto shown = server.Get("/api/v1/statuses/" + s.id, stranger.token).json();
      EXPECT_TRUE(shown.as_object().at("sensitive").as_bool());
      EXPECT_FALSE(Str(shown, "spoiler_text").empty());
    }
  }
}

TEST_F(DecisionsTest, StatementReachesAuthorAndStaffOnlyAndNotifiersGetTheOutcome) {
  const Subject s = MakeSubject("threat");
  // A member's report and an anonymous notice with an email about the same status: one case.
  Report(reporter, s.id);
  auto notice = server.Post("/api/v1/notices",
                            R"({"explanation":"A threat","locations":[)" + JsonString(s.url) +
                                R"(],"category":"STATEMENT_CATEGORY_VIOLENCE","good_faith":true,)"
                                R"("email":"witness@example.org"})");
  ASSERT_EQ(notice.status, 200) << notice.body;
  const std::string reference = Str(notice.json(), "reference");
  const std::string secret = Str(notice.json(), "secret");
  auto claimed = Claim(mod);
  auto r = Decide(mod, claimed,
                  R"("action":"remove_status","ground":"illegal","legal_provision":"§ 241 StGB",)"
                  R"("territorial_scope":["DE","AT"],"referral_authority":"LKA Berlin",)"
                  R"("referral_reference":"AZ 1/26")");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string decision_id = Str(r.json(), "id");
  const std::string statement_id = Str(r.json(), "statement_id");
  const json::value decision = r.json();
  const auto& referral = decision.as_object().at("referral");
  EXPECT_EQ(Str(referral, "authority"), "LKA Berlin");
  EXPECT_EQ(Str(referral, "reference"), "AZ 1/26");

  // The statement: the author and staff; nobody else (404, as if it did not exist).
  auto statement = server.Get("/api/v1/statements/" + statement_id, author.token);
  ASSERT_EQ(statement.status, 200) << statement.body;
  const auto& st = statement.json();
  EXPECT_EQ(Str(st, "decision_id"), decision_id);
  EXPECT_EQ(Str(st, "decision_ground"), "DECISION_GROUND_ILLEGAL_CONTENT");
  EXPECT_EQ(Str(st, "illegal_content_legal_ground"), "§ 241 StGB");
  EXPECT_EQ(Str(st, "illegal_content_explanation"), "Threats are not allowed here.");
  EXPECT_EQ(Str(st, "decision_facts"), "The post threatens a named person.");
  EXPECT_EQ(Str(st, "source_type"), "SOURCE_ARTICLE_16");
  EXPECT_EQ(Str(st, "automated_detection"), "No");
  EXPECT_EQ(Str(st, "automated_decision"), "AUTOMATED_DECISION_NOT_AUTOMATED");
  EXPECT_EQ(Str(st, "category"), "STATEMENT_CATEGORY_VIOLENCE");
  EXPECT_FALSE(Str(st, "puid").empty());
  EXPECT_FALSE(Str(st, "redress").empty());
  EXPECT_FALSE(Str(st, "content_date").empty());
  EXPECT_FALSE(Str(st, "application_date").empty());
  EXPECT_EQ(st.as_object().at("decision_visibility").as_array().at(0).as_string(),
            "DECISION_VISIBILITY_CONTENT_REMOVED");
  EXPECT_EQ(st.as_object().at("territorial_scope").as_array().size(), 2u);
  EXPECT_EQ(server.Get("/api/v1/statements/" + statement_id, mod.token).status, 200);
  EXPECT_EQ(server.Get("/api/v1/statements/" + statement_id, admin.token).status, 200);
  EXPECT_EQ(server.Get("/api/v1/statements/" + statement_id, stranger.token).status, 404);
  EXPECT_EQ(server.Get("/api/v1/statements/" + statement_id, reporter.token).status, 404);
  EXPECT_EQ(server.Get("/api/v1/statements/" + statement_id).status, 401);

  // The author's moderation_warning (Mastodon's AccountWarning shape).
  auto warnings = NotificationsOfType(author, "moderation_warning");
  ASSERT_EQ(warnings.size(), 1u);
  const auto& warning = warnings[0].as_object().at("moderation_warning");
  EXPECT_EQ(Str(warning, "id"), decision_id);
  EXPECT_EQ(Str(warning, "action"), "delete_statuses");
  EXPECT_NE(Str(warning, "text").find("Threats are not allowed here."), std::string::npos);
  EXPECT_EQ(warning.as_object().at("status_ids").as_array().at(0).as_string(), s.id);
  EXPECT_EQ(Str(warning.as_object().at("target_account"), "id"), IdToString(author.id));
  EXPECT_TRUE(warning.as_object().at("appeal").is_null());
  EXPECT_EQ(Str(warning, "statement_id"), statement_id);

  // The reporter: a notification with the outcome; the email notifier: the outbox; both: the
  // notice's state.
  auto outcomes = NotificationsOfType(reporter, "notice_outcome");
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(Str(outcomes[0].as_object().at("notice_outcome"), "action"), "remove_status");
  EXPECT_TRUE(NotificationsOfType(stranger, "notice_outcome").empty());
  auto outbox = server.Get("/api/v1/admin/outbox", admin.token);
  ASSERT_EQ(outbox.status, 200) << outbox.body;
  int outcome_mails = 0;
  const json::value mails = outbox.json();
  for (const auto& m : mails.as_array()) {
    if (Str(m, "kind") == "notice_outcome") {
      ++outcome_mails;
      EXPECT_EQ(Str(m, "to"), "witness@example.org");
    }
  }
  EXPECT_EQ(outcome_mails, 1);
  auto state = server.Get("/api/v1/notices/" + reference + "?secret=" + secret);
  ASSERT_EQ(state.status, 200) << state.body;
  EXPECT_NE(state.body.find("removed"), std::string::npos) << state.body;

  // The decision itself: staff only.
  EXPECT_EQ(server.Get("/api/v1/admin/decisions/" + decision_id, mod2.token).status, 200);
  EXPECT_EQ(server.Get("/api/v1/admin/decisions/" + decision_id, author.token).status, 403);

  // The case is closed: deciding it again is refused and creates nothing.
  const int64_t decisions = CountDecisions();
  auto again = Decide(mod, claimed, R"("action":"no_action")");
  EXPECT_NE(again.status, 200);
  EXPECT_EQ(CountDecisions(), decisions);
}

TEST_F(DecisionsTest, StaleVersionIsRefusedWith409AndChangesNothing) {
  const Subject s = MakeSubject("stale");
  auto claimed = ReportedAndClaimed(s.id, mod);
  Claimed stale = claimed;
  stale.version = std::to_string(std::stoll(claimed.version) - 1);
  auto r = Decide(mod, stale, R"("action":"remove_status","ground":"illegal","legal_provision":"§ 241 StGB")");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_FALSE(r.error().empty());
  EXPECT_EQ(CountDecisions(), 0);
  EXPECT_EQ(Look(s.id, s.parent, s.word, stranger).direct, 200);
  EXPECT_TRUE(NotificationsOfType(author, "moderation_warning").empty());
  // The right version still works.
  EXPECT_EQ(Decide(mod, claimed, R"("action":"no_action")").status, 200);
}

TEST_F(DecisionsTest, CaseNotHeldByTheCallerIsRefused) {
  const Subject s = MakeSubject("held");
  auto claimed = ReportedAndClaimed(s.id, mod);
  auto r = Decide(mod2, claimed, R"("action":"remove_status","ground":"illegal","legal_provision":"§ 241 StGB")");
  EXPECT_TRUE(r.status == 403 || r.status == 409) << r.status << " " << r.body;
  EXPECT_FALSE(r.error().empty());
  EXPECT_EQ(CountDecisions(), 0);
  EXPECT_EQ(Look(s.id, s.parent, s.word, stranger).direct, 200);
  // After the lease ends, the one who claimed it no longer holds it either.
  clock.Advance(std::chrono::hours(2));
  r = Decide(mod, claimed, R"("action":"remove_status","ground":"illegal","legal_provision":"§ 241 StGB")");
  EXPECT_TRUE(r.status == 403 || r.status == 409) << r.status << " " << r.body;
  EXPECT_EQ(CountDecisions(), 0);
  // Members and app tokens are not allowed at all.
  EXPECT_EQ(Decide(author, claimed, R"("action":"no_action")").status, 403);
}

TEST_F(DecisionsTest, BadInputIsRefusedWith422AndCreatesNothing) {
  const Subject s = MakeSubject("invalid");
  auto claimed = ReportedAndClaimed(s.id, mod);
  const std::string no_facts_body =
      R"({"version":)" + claimed.version + R"(,"action":"no_action","reasons":"x"})";
  const std::vector<std::string> bad = {
      R"("action":"obliterate")",
      R"("action":"remove_status")",                                  // no ground
      R"("action":"remove_status","ground":"illegal")",               // no provision
      R"("action":"remove_status","ground":"terms")",                 // no rule
      R"("action":"remove_status","ground":"terms","rule_id":"999")",  // unknown rule
      R"("action":"remove_status","ground":"moral","legal_provision":"x")",
      R"("action":"silence_account","ground":"illegal","legal_provision":"x","until":"2030-01-01")",
      R"("action":"suspend_account","ground":"illegal","legal_provision":"x","until":"2020-01-01")",
      R"("action":"suspend_account","ground":"illegal","legal_provision":"x","until":"soon")",
      R"("action":"remove_status","ground":"illegal","legal_provision":"x","territorial_scope":["XX"])",
      R"("action":"uphold")",  // not an appeal case
      R"("action":"remove_status","ground":"illegal","legal_provision":"x","automated_decision":"magic")",
  };
  for (const auto& fields : bad) {
    SCOPED_TRACE(fields);
    auto r = Decide(mod, claimed, fields);
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_FALSE(r.error().empty());
  }
  auto no_facts = server.Post("/api/v1/admin/cases/" + claimed.id + "/decision", no_facts_body,
                              mod.token);
  EXPECT_EQ(no_facts.status, 422) << no_facts.body;
  auto no_version = server.Post("/api/v1/admin/cases/" + claimed.id + "/decision",
                                R"({"action":"no_action","facts":"f","reasons":"r"})", mod.token);
  EXPECT_EQ(no_version.status, 422) << no_version.body;
  EXPECT_EQ(CountDecisions(), 0);
  EXPECT_TRUE(NotificationsOfType(author, "moderation_warning").empty());
  EXPECT_EQ(Look(s.id, s.parent, s.word, stranger).direct, 200);
  // The case is still held at the same version: a valid decision goes through.
  EXPECT_EQ(Decide(mod, claimed, R"("action":"no_action")").status, 200);
  EXPECT_EQ(CountDecisions(), 1);
  EXPECT_TRUE(NotificationsOfType(author, "moderation_warning").empty());  // nothing restricted
}

TEST_F(DecisionsTest, TermsGroundNamesTheInstanceRule) {
  auto rule = server.app().storage().Write([&](storage::Transaction& tx) {
    InstanceRule r;
    r.id = 4242;
    r.text = "No harassment";
    r.created_at = clock.Now();
    return tx.rules().Insert(r);
  });
  ASSERT_TRUE(rule.ok()) << rule.ToString();
  const Subject s = MakeSubject("rules");
  auto claimed = ReportedAndClaimed(s.id, mod);
  auto r = Decide(mod, claimed, R"("action":"restrict_visibility","ground":"terms","rule_id":"4242")");
  ASSERT_EQ(r.status, 200) << r.body;
  auto st = server.Get("/api/v1/statements/" + Str(r.json(), "statement_id"), author.token);
  ASSERT_EQ(st.status, 200);
  EXPECT_EQ(Str(st.json(), "decision_ground"), "DECISION_GROUND_INCOMPATIBLE_CONTENT");
  EXPECT_NE(Str(st.json(), "incompatible_content_ground").find("No harassment"), std::string::npos);
  EXPECT_EQ(Str(st.json(), "incompatible_content_explanation"), "Threats are not allowed here.");
  EXPECT_EQ(st.json().as_object().at("decision_visibility").as_array().at(0).as_string(),
            "DECISION_VISIBILITY_CONTENT_DEMOTED");
}

TEST_F(DecisionsTest, AccountActions) {
  // suspend: the author cannot post and their posts are hidden; the statement says until when.
  const Subject s = MakeSubject("suspend");
  auto claimed = ReportedAndClaimed(s.id, mod);
  auto r = Decide(mod, claimed,
                  R"("action":"suspend_account","ground":"illegal","legal_provision":"§ 111 StGB",)"
                  R"("until":"2026-03-01T00:00:00Z")");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(server.Get("/api/v1/statuses/" + s.id, stranger.token).status, 404);
  EXPECT_FALSE(Look(s.id, s.parent, s.word, follower).home);
  auto post = server.Post("/api/v1/statuses", R"({"status":"still here"})", author.token);
  EXPECT_NE(post.status, 200);
  auto st = server.Get("/api/v1/statements/" + Str(r.json(), "statement_id"), mod.token);
  ASSERT_EQ(st.status, 200);
  EXPECT_EQ(Str(st.json(), "decision_account"), "DECISION_ACCOUNT_SUSPENDED");
  EXPECT_EQ(Str(st.json(), "end_date_account_restriction"), "2026-03-01");
}

TEST_F(DecisionsTest, DisableLoginAndSilence) {
  const Subject s = MakeSubject("silence");
  auto claimed = ReportedAndClaimed(s.id, mod);
  ASSERT_EQ(Decide(mod, claimed, R"("action":"silence_account","ground":"illegal","legal_provision":"§ 185 StGB")").status,
            200);
  // Silenced: out of public timelines for non-followers; followers still see it.
  EXPECT_FALSE(Look(s.id, s.parent, s.word, stranger).public_timeline);
  EXPECT_TRUE(Look(s.id, s.parent, s.word, follower).home);

  const Subject t = MakeSubject("disable");
  auto claimed2 = ReportedAndClaimed(t.id, mod);
  ASSERT_EQ(Decide(mod, claimed2, R"("action":"disable_login","ground":"illegal","legal_provision":"§ 185 StGB")").status,
            200);
  EXPECT_EQ(server.Get("/api/v1/accounts/verify_credentials", author.token).status, 403);
}

TEST_F(DecisionsTest, BulkDecisionGivesEachCaseItsOwnStatementAndAuditEntry) {
  std::vector<Subject> subjects;
  std::vector<Claimed> claims;
  for (int i = 0; i < 3; ++i) {
    subjects.push_back(MakeSubject("bulk" + std::to_string(i) + "y"));
    Report(reporter, subjects.back().id);
  }
  for (int i = 0; i < 3; ++i) claims.push_back(Claim(mod));
  std::string ids, versions;
  for (const auto& c : claims) {
    ids += (ids.empty() ? "" : ",") + JsonString(c.id);
    versions += (versions.empty() ? "" : ",") + c.version;
  }
  // A wrong version anywhere refuses the whole batch.
  std::string bad_versions = versions;
  bad_versions.back() = bad_versions.back() == '0' ? '9' : '0';
  auto refused = server.Post("/api/v1/admin/cases/decisions",
                             R"({"case_ids":[)" + ids + R"(],"versions":[)" + bad_versions +
                                 R"(],"action":"remove_status","ground":"illegal","legal_provision":"§ 130 StGB","facts":"Copy-paste campaign.","reasons":"Incitement."})",
                             mod.token);
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(CountDecisions(), 0);
  auto r = server.Post("/api/v1/admin/cases/decisions",
                       R"({"case_ids":[)" + ids + R"(],"versions":[)" + versions +
                           R"(],"action":"remove_status","ground":"illegal","legal_provision":"§ 130 StGB","facts":"Copy-paste campaign.","reasons":"Incitement."})",
                       mod.token);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value decided = r.json();
  ASSERT_EQ(decided.as_array().size(), 3u);
  std::vector<std::string> statements;
  for (const auto& d : decided.as_array()) statements.push_back(Str(d, "statement_id"));
  std::sort(statements.begin(), statements.end());
  EXPECT_EQ(std::unique(statements.begin(), statements.end()), statements.end());
  for (const auto& s : subjects) EXPECT_EQ(Look(s.id, s.parent, s.word, stranger).direct, 404);
  EXPECT_EQ(NotificationsOfType(author, "moderation_warning").size(), 3u);
  // One audit entry per case.
  auto read = server.app().storage().Read();
  storage::AuditFilter filter;
  filter.action = "decision.create";
  storage::PageQuery page;
  page.limit = 100;
  EXPECT_EQ(read->audit().List(filter, page).size(), 3u);
}

class RepeatOffendersTest : public DecisionsTest {
 protected:
  RepeatOffendersTest() : DecisionsTest(nullptr) {}
};

TEST_F(RepeatOffendersTest, AreWarnedThenSuspended) {
  // Defaults: a warning at 2 strikes, a suspension at 3 once warned.
  std::vector<Subject> subjects;
  for (int i = 0; i < 3; ++i) {
    const Subject s = MakeSubject("strike" + std::to_string(i) + "z");
    auto claimed = ReportedAndClaimed(s.id, mod);
    ASSERT_EQ(Decide(mod, claimed, R"("action":"remove_status","ground":"illegal","legal_provision":"§ 241 StGB")").status,
              200);
    auto read = server.app().storage().Read();
    auto measures = read->decisions().ListMeasures(MisuseSubject::kAccount, IdToString(author.id));
    EXPECT_EQ(measures.size(), static_cast<size_t>(i)) << "after strike " << i + 1;
    auto account = read->accounts().Get(author.id);
    ASSERT_TRUE(account.ok());
    EXPECT_EQ(account->suspended(), i == 2);
    if (i == 1) {
      // The warning reaches the author with the strike's moderation_warning.
      auto warnings = NotificationsOfType(author, "moderation_warning");
      ASSERT_FALSE(warnings.empty());
      const auto& w = warnings.front().as_object().at("moderation_warning");
      ASSERT_TRUE(w.as_object().contains("misuse"));
      EXPECT_EQ(Str(w.as_object().at("misuse"), "kind"), "warning");
    }
  }
  auto read = server.app().storage().Read();
  storage::AuditFilter filter;
  filter.action = "misuse.suspend_account";
  storage::PageQuery page;
  EXPECT_EQ(read->audit().List(filter, page).size(), 1u);
}

TEST_F(RepeatOffendersTest, ManifestlyUnfoundedNoticesWarnTheNotifier) {
  // Defaults: a warning at 3 manifestly unfounded notices.
  for (int i = 0; i < 3; ++i) {
    const Subject s = MakeSubject("unfounded" + std::to_string(i) + "q");
    auto claimed = ReportedAndClaimed(s.id, mod);
    ASSERT_EQ(Decide(mod, claimed, R"("action":"no_action","manifestly_unfounded":true)").status, 200);
  }
  // manifestly_unfounded belongs to no_action only.
  const Subject other = MakeSubject("unfoundedx");
  auto claimed = ReportedAndClaimed(other.id, mod);
  EXPECT_EQ(Decide(mod, claimed, R"("action":"remove_status","ground":"illegal","legal_provision":"x","manifestly_unfounded":true)").status,
            422);
  auto read = server.app().storage().Read();
  const std::string key = "account:" + IdToString(reporter.id);
  auto measures = read->decisions().ListMeasures(MisuseSubject::kNotifier, key);
  ASSERT_EQ(measures.size(), 1u);
  EXPECT_EQ(measures[0].kind, MisuseMeasureKind::kWarning);
  EXPECT_EQ(measures[0].count, 3);
  auto outcomes = NotificationsOfType(reporter, "notice_outcome");
  ASSERT_EQ(outcomes.size(), 3u);
  const auto& latest = outcomes.front().as_object().at("notice_outcome");
  ASSERT_TRUE(latest.as_object().contains("misuse"));
  EXPECT_EQ(Str(latest.as_object().at("misuse"), "kind"), "warning");
}

TEST_F(RepeatOffendersTest, NotifiersAreSuspendedAfterAWarningAndTheSuspensionEnds) {
  // Defaults: a warning at 3, a suspension of 30 days at 5 manifestly unfounded notices.
  for (int i = 0; i < 5; ++i) {
    const Subject s = MakeSubject("abuse" + std::to_string(i) + "k");
    auto claimed = ReportedAndClaimed(s.id, mod);
    ASSERT_EQ(Decide(mod, claimed, R"("action":"no_action","manifestly_unfounded":true)").status, 200);
  }
  const Subject s = MakeSubject("abusez");
  const std::string body = R"({"account_id":")" + IdToString(author.id) + R"(","status_ids":[")" +
                           s.id + R"("],"comment":"again","category":"other"})";
  auto refused = server.Post("/api/v1/reports", body, reporter.token);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_FALSE(refused.error().empty());
  EXPECT_EQ(server.Post("/api/v1/admin/cases/next", "{}", mod.token).status, 404);  // no case
  // Others are still heard, and so is the reporter once the period is over.
  EXPECT_EQ(server.Post("/api/v1/reports", body, stranger.token).status, 200);
  clock.Advance(std::chrono::hours(24) * 31);
  EXPECT_EQ(server.Post("/api/v1/reports", body, reporter.token).status, 200);
  auto read = server.app().storage().Read();
  storage::AuditFilter filter;
  filter.action = "misuse.suspend_notifier";
  EXPECT_EQ(read->audit().List(filter, storage::PageQuery{}).size(), 1u);
}

}  // namespace
}  // namespace stoa::testing
