// Appeals over HTTP: the author appeals a removal within the window; the deciding moderator can
// never take the appeal case; another moderator reverses (the status is back everywhere) or
// upholds; both sides learn the outcome; out of time (fake clock), strangers, a second appeal,
// the author against "no action" and a notifier against a restriction are refused and create
// nothing; a notifier appeals "no action" and the reversal applies the replacement action.
#include "tests/integration/moderation_fixture.h"

namespace stoa::testing {
namespace {

class AppealsTest : public ModerationTest {
 protected:
  struct Decided {
    std::string status_id;
    std::string decision_id;
  };
  // A public status by the author, reported by `reporter`, decided by `mod` with `fields`.
  Decided DecidedStatus(const std::string& word, const std::string& fields) {
    Decided d;
    d.status_id = PostStatus(author, "A post about " + word + " #" + word).id;
    auto claimed = ReportedAndClaimed(d.status_id, mod);
    auto r = Decide(mod, claimed, fields);
    EXPECT_EQ(r.status, 200) << r.body;
    d.decision_id = Str(r.json(), "id");
    return d;
  }
  Decided Removed(const std::string& word) {
    return DecidedStatus(
        word, R"("action":"remove_status","ground":"illegal","legal_provision":"§ 241 StGB")");
  }

  HttpResponse Appeal(const TestServer::User& who, const std::string& decision_id,
                      const std::string& text = "I was quoting a film, not threatening anyone.") {
    return server.Post("/api/v1/appeals",
                       R"({"decision_id":")" + decision_id + R"(","text":)" + JsonString(text) + "}",
                       who.token);
  }

  size_t CountAppeals(const std::string& decision_id) {
    return server.app().storage().Read()->decisions().ListAppeals(*ParseId(decision_id)).size();
  }
  bool InPublicTimeline(const std::string& id) {
    return Has(Ids(server.Get("/api/v1/timelines/public?limit=40", stranger.token).json()), id);
  }
};

TEST_F(AppealsTest, AuthorAppealsAndASecondModeratorReverses) {
  const Decided d = Removed("quote");
  EXPECT_EQ(server.Get("/api/v1/statuses/" + d.status_id, stranger.token).status, 404);

  auto filed = Appeal(author, d.decision_id);
  ASSERT_EQ(filed.status, 200) << filed.body;
  const std::string appeal_id = Str(filed.json(), "id");
  EXPECT_EQ(Str(filed.json(), "state"), "pending");
  EXPECT_EQ(Str(filed.json(), "role"), "affected");
  EXPECT_EQ(Str(filed.json(), "decision_id"), d.decision_id);

  // The moderator who decided can never take the appeal case.
  EXPECT_EQ(server.Post("/api/v1/admin/cases/next", "{}", mod.token).status, 404);
  auto claimed = Claim(mod2);
  ASSERT_FALSE(claimed.id.empty());
  EXPECT_EQ(Str(claimed.body, "appeal_of"), d.decision_id);
  // Even with the case's id and version, the deciding moderator cannot decide it.
  auto by_mod = Decide(mod, claimed, R"("action":"uphold")");
  EXPECT_TRUE(by_mod.status == 403 || by_mod.status == 409) << by_mod.body;

  // A normal action is not how an appeal is decided; a ground is not taken.
  EXPECT_EQ(Decide(mod2, claimed, R"("action":"remove_status","ground":"illegal","legal_provision":"x")").status,
            422);
  EXPECT_EQ(Decide(mod2, claimed, R"("action":"reverse","ground":"illegal","legal_provision":"x")").status,
            422);
  auto reversed = Decide(mod2, claimed, R"("action":"reverse")");
  ASSERT_EQ(reversed.status, 200) << reversed.body;
  EXPECT_EQ(Str(reversed.json(), "appeal_of"), d.decision_id);

  // The status is back for everyone.
  EXPECT_EQ(server.Get("/api/v1/statuses/" + d.status_id, stranger.token).status, 200);
  EXPECT_TRUE(InPublicTimeline(d.status_id));
  EXPECT_TRUE(Has(Ids(server.Get("/api/v1/accounts/" + IdToString(author.id) + "/statuses",
                                 stranger.token)
                          .json()),
                  d.status_id));
  // The original decision is marked reversed.
  auto original = server.Get("/api/v1/admin/decisions/" + d.decision_id, mod2.token);
  ASSERT_EQ(original.status, 200);
  EXPECT_EQ(Str(original.json(), "reversed_by"), Str(reversed.json(), "id"));

  // The appellant sees the reasoned outcome ...
  auto appeal = server.Get("/api/v1/appeals/" + appeal_id, author.token);
  ASSERT_EQ(appeal.status, 200) << appeal.body;
  EXPECT_EQ(Str(appeal.json(), "state"), "reversed");
  const json::value appeal_body = appeal.json();
  EXPECT_EQ(Str(appeal_body.as_object().at("resolution"), "reasons"),
            "Threats are not allowed here.");
  bool told = false;
  for (const auto& n : NotificationsOfType(author, "moderation_warning")) {
    const auto& w = n.as_object().at("moderation_warning");
    if (Str(w, "id") == Str(reversed.json(), "id")) {
      told = true;
      EXPECT_EQ(Str(w.as_object().at("appeal"), "state"), "approved");
    }
  }
  EXPECT_TRUE(told);
  // ... and so does the other side, the notifier.
  bool reporter_told = false;
  for (const auto& n : NotificationsOfType(reporter, "notice_outcome")) {
    if (Str(n.as_object().at("notice_outcome"), "action") == "reverse") reporter_told = true;
  }
  EXPECT_TRUE(reporter_told);
  // Only the appellant and staff can read the appeal.
  EXPECT_EQ(server.Get("/api/v1/appeals/" + appeal_id, stranger.token).status, 404);
  EXPECT_EQ(server.Get("/api/v1/appeals/" + appeal_id, mod.token).status, 200);
  // A reversed decision cannot be appealed again.
  EXPECT_EQ(Appeal(author, d.decision_id).status, 422);
}

TEST_F(AppealsTest, UpheldAppealKeepsTheEffect) {
  const Decided d = Removed("upheld");
  auto filed = Appeal(author, d.decision_id);
  ASSERT_EQ(filed.status, 200) << filed.body;
  auto claimed = Claim(mod2);
  auto upheld = Decide(mod2, claimed, R"("action":"uphold")");
  ASSERT_EQ(upheld.status, 200) << upheld.body;
  EXPECT_EQ(server.Get("/api/v1/statuses/" + d.status_id, stranger.token).status, 404);
  auto appeal = server.Get("/api/v1/appeals/" + Str(filed.json(), "id"), author.token);
  EXPECT_EQ(Str(appeal.json(), "state"), "upheld");
  bool told = false;
  for (const auto& n : NotificationsOfType(author, "moderation_warning")) {
    const auto& w = n.as_object().at("moderation_warning");
    if (Str(w, "id") == Str(upheld.json(), "id")) {
      told = true;
      EXPECT_EQ(Str(w.as_object().at("appeal"), "state"), "rejected");
      EXPECT_EQ(Str(w, "action"), "delete_statuses");
    }
  }
  EXPECT_TRUE(told);
}

TEST_F(AppealsTest, OutOfTimeOrNotEntitledAppealsAreRefusedAndCreateNothing) {
  const Decided d = Removed("refused");
  EXPECT_EQ(Appeal(stranger, d.decision_id).status, 404);  // nothing to do with it
  EXPECT_EQ(Appeal(reporter, d.decision_id).status, 422);  // a notifier against a removal
  EXPECT_EQ(Appeal(author, d.decision_id, "   ").status, 422);
  EXPECT_EQ(Appeal(author, "12345").status, 404);
  EXPECT_EQ(server.Post("/api/v1/appeals", R"({"text":"no decision"})", author.token).status, 422);
  EXPECT_EQ(server.Post("/api/v1/appeals",
                        R"({"decision_id":")" + d.decision_id + R"(","text":"anonymous"})")
                .status,
            401);
  EXPECT_EQ(CountAppeals(d.decision_id), 0u);
  // Six months and a few days later: out of time.
  clock.Advance(std::chrono::hours(24) * 190);
  auto late = Appeal(author, d.decision_id);
  EXPECT_EQ(late.status, 422) << late.body;
  EXPECT_FALSE(late.error().empty());
  EXPECT_EQ(CountAppeals(d.decision_id), 0u);
  EXPECT_EQ(server.Post("/api/v1/admin/cases/next", "{}", mod2.token).status, 404);
}

TEST_F(AppealsTest, OneAppealPerDecisionAndAppellant) {
  const Decided d = Removed("twice");
  ASSERT_EQ(Appeal(author, d.decision_id).status, 200);
  EXPECT_EQ(Appeal(author, d.decision_id).status, 422);
  EXPECT_EQ(CountAppeals(d.decision_id), 1u);
}

TEST_F(AppealsTest, NotifierAppealsNoActionAndTheReversalActs) {
  const Decided d = DecidedStatus("dismissed", R"("action":"no_action")");
  EXPECT_EQ(Appeal(author, d.decision_id).status, 422);  // nothing to appeal for the author
  auto filed = Appeal(reporter, d.decision_id, "This is a real threat.");
  ASSERT_EQ(filed.status, 200) << filed.body;
  EXPECT_EQ(Str(filed.json(), "role"), "notifier");
  auto claimed = Claim(mod2);
  ASSERT_FALSE(claimed.id.empty());
  // Reversing "no action" needs the action to take instead, with its ground.
  EXPECT_EQ(Decide(mod2, claimed, R"("action":"reverse")").status, 422);
  EXPECT_EQ(Decide(mod2, claimed, R"("action":"reverse","replacement_action":"remove_status")").status,
            422);
  auto reversed = Decide(mod2, claimed,
                         R"("action":"reverse","replacement_action":"remove_status",)"
                         R"("ground":"illegal","legal_provision":"§ 241 StGB")");
  ASSERT_EQ(reversed.status, 200) << reversed.body;
  EXPECT_FALSE(Str(reversed.json(), "statement_id").empty());
  EXPECT_EQ(server.Get("/api/v1/statuses/" + d.status_id, stranger.token).status, 404);
  // The author gets the statement of reasons; the notifier the outcome of their appeal.
  EXPECT_EQ(server.Get("/api/v1/statements/" + Str(reversed.json(), "statement_id"), author.token)
                .status,
            200);
  EXPECT_FALSE(NotificationsOfType(author, "moderation_warning").empty());
  bool told = false;
  for (const auto& n : NotificationsOfType(reporter, "notice_outcome")) {
    const auto& o = n.as_object().at("notice_outcome");
    if (Str(o, "decision_id") == Str(reversed.json(), "id")) {
      told = true;
      EXPECT_EQ(Str(o, "appeal_state"), "reversed");
    }
  }
  EXPECT_TRUE(told);
  auto appeal = server.Get("/api/v1/appeals/" + Str(filed.json(), "id"), reporter.token);
  EXPECT_EQ(Str(appeal.json(), "state"), "reversed");
}

TEST_F(AppealsTest, ASuspendedAuthorCanStillReadTheStatementAndAppeal) {
  const std::string status_id = PostStatus(author, "A post about #suspension").id;
  auto claimed = ReportedAndClaimed(status_id, mod);
  auto decided = Decide(mod, claimed,
                        R"("action":"suspend_account","ground":"illegal","legal_provision":"§ 111 StGB")");
  ASSERT_EQ(decided.status, 200) << decided.body;
  // Everything else answers 403 to the suspended account ...
  EXPECT_EQ(server.Get("/api/v1/timelines/home", author.token).status, 403);
  EXPECT_NE(server.Post("/api/v1/statuses", R"({"status":"hello"})", author.token).status, 200);
  // ... but the statement of reasons and the appeal stay open to it.
  EXPECT_EQ(server.Get("/api/v1/statements/" + Str(decided.json(), "statement_id"), author.token)
                .status,
            200);
  auto filed = Appeal(author, Str(decided.json(), "id"));
  ASSERT_EQ(filed.status, 200) << filed.body;
  EXPECT_EQ(server.Get("/api/v1/appeals/" + Str(filed.json(), "id"), author.token).status, 200);
  auto appeal_case = Claim(mod2);
  ASSERT_EQ(Decide(mod2, appeal_case, R"("action":"reverse")").status, 200);
  // The reversal lifts the suspension.
  EXPECT_EQ(server.Get("/api/v1/timelines/home", author.token).status, 200);
  EXPECT_EQ(server.Post("/api/v1/statuses", R"({"status":"back again"})", author.token).status, 200);
  EXPECT_EQ(server.Get("/api/v1/statuses/" + status_id, stranger.token).status, 200);
}

}  // namespace
}  // namespace stoa::testing
