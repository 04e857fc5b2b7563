// The Mastodon admin API for accounts over HTTP: every action and its reversal as other members
// observe them (login, posting, statuses, timelines, search, follower lists), timed suspensions
// ending with the clock, approvals, rejections, deletion, the list filters and paging, bad input,
// and the audit entries.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "common/strings.h"
#include "common/time_format.h"
#include "tests/integration/api_helpers.h"
#include "tests/integration/test_server.h"

namespace stoa::testing {
namespace {

namespace json = boost::json;

std::string Str(const json::value& v, const char* key) {
  return std::string(v.as_object().at(key).as_string());
}
bool Contains(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::vector<std::string> Usernames(const HttpResponse& r) {
  std::vector<std::string> out;
  const json::value body = r.json();
  if (!body.is_array()) return out;
  for (const auto& a : body.as_array()) out.push_back(Str(a, "username"));
  return out;
}

class AdminAccountsTest : public ::testing::Test {
 protected:
  AdminAccountsTest()
      : server(
            [](Config& c) {
              c.oauth.password_grant = true;
              c.instance.registrations = Registrations::kApproval;
            },
            &clock) {}

  void SetUp() override {
    mod = server.CreateUser("mod", Role::kModerator, "read write admin:read admin:write");
    admin = server.CreateUser("boss", Role::kAdmin, "read write admin:read admin:write");
    alice = server.CreateUser("alice");
    bob = server.CreateUser("bob");
    carol = server.CreateUser("carol");
    // alice follows bob; bob follows alice; carol follows nobody.
    ASSERT_EQ(server.Post("/api/v1/accounts/" + IdOf(bob) + "/follow", "{}", alice.token).status, 200);
    ASSERT_EQ(server.Post("/api/v1/accounts/" + IdOf(alice) + "/follow", "{}", bob.token).status, 200);
    auto app = server.Post("/api/v1/apps",
                           R"({"client_name":"t","redirect_uris":"urn:ietf:wg:oauth:2.0:oob",)"
                           R"("scopes":"read write"})");
    ASSERT_EQ(app.status, 200) << app.body;
    client_id = Str(app.json(), "client_id");
    client_secret = Str(app.json(), "client_secret");
  }

  std::string PostStatus(const TestServer::User& u, const std::string& text) {
    json::object body{{"status", text}};
    auto r = server.Post("/api/v1/statuses", json::serialize(body), u.token);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? Str(r.json(), "id") : "";
  }

  HttpResponse Act(const TestServer::User& target, json::object body,
                   const std::string& token = "") {
    return server.Post("/api/v1/admin/accounts/" + IdOf(target) + "/action",
                       json::serialize(body), token.empty() ? mod.token : token);
  }
  HttpResponse Lift(const TestServer::User& target, const std::string& what,
                    const std::string& token = "") {
    return server.Post("/api/v1/admin/accounts/" + IdOf(target) + "/" + what, "{}",
                       token.empty() ? mod.token : token);
  }
  json::value AdminAccount(Id id) {
    auto r = server.Get("/api/v1/admin/accounts/" + std::to_string(id), mod.token);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }
  // The password grant, as a client logs in.
  int Login(const TestServer::User& u) {
    json::object body{{"grant_type", "password"},     {"client_id", client_id},
                      {"client_secret", client_secret}, {"username", u.username},
                      {"password", "password-" + u.username}, {"scope", "read"}};
    return server.Post("/oauth/token", json::serialize(body)).status;
  }
  std::vector<std::string> Timeline(const std::string& path, const std::string& token) {
    auto r = server.Get(path, token);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return Ids(r);
  }
  std::vector<std::string> SearchStatuses(const std::string& q, const std::string& token) {
    auto r = server.Get("/api/v2/search?type=statuses&q=" + UrlEncode(q), token);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> ids;
    const json::value body = r.json();
    for (const auto& s : body.as_object().at("statuses").as_array()) {
      ids.emplace_back(s.as_object().at("id").as_string());
    }
    return ids;
  }
  std::vector<std::string> SearchAccounts(const std::string& q, const std::string& token) {
    auto r = server.Get("/api/v2/search?type=accounts&q=" + UrlEncode(q), token);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> names;
    const json::value body = r.json();
    for (const auto& a : body.as_object().at("accounts").as_array()) {
      names.push_back(Str(a, "username"));
    }
    return names;
  }
  int64_t AuditCount(const std::string& action, Id target) {
    auto read = server.app().storage().Read();
    storage::AuditFilter f;
    f.action = action;
    f.target_type = "account";
    f.target_id = std::to_string(target);
    storage::PageQuery page;
    page.limit = 100;
    return static_cast<int64_t>(read->audit().List(f, page).size());
  }

  FakeClock clock;
  TestServer server;
  TestServer::User mod, admin, alice, bob, carol;
  std::string client_id, client_secret;

  // bob's notifications of type `type`, newest first.
  std::vector<json::value> Notifications(const TestServer::User& u, const std::string& type) {
    auto r = server.Get("/api/v1/notifications", u.token);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<json::value> out;
    const json::value body = r.json();
    if (!body.is_array()) return out;
    for (const auto& n : body.as_array()) {
      if (Str(n, "type") == type) out.push_back(n);
    }
    return out;
  }
  // alice reports one of bob's posts; returns the report (case) id.
  std::string ReportBob(const std::string& post) {
    auto r = server.Post("/api/v1/reports",
                         R"({"account_id":")" + IdOf(bob) + R"(","status_ids":[")" + post +
                             R"("],"comment":"abusive"})",
                         alice.token);
    EXPECT_EQ(r.status, 200) << r.body;
    auto reports = server.Get("/api/v1/admin/reports?target_account_id=" + IdOf(bob), mod.token);
    EXPECT_EQ(reports.status, 200) << reports.body;
    const json::value body = reports.json();
    return body.as_array().empty() ? "" : Str(body.as_array()[0], "id");
  }
  json::object LastAuditDetails(const std::string& action, Id target) {
    auto read = server.app().storage().Read();
    storage::AuditFilter f;
    f.action = action;
    f.target_type = "account";
    f.target_id = std::to_string(target);
    storage::PageQuery page;
    page.limit = 1;
    auto entries = read->audit().List(f, page);
    if (entries.empty()) return {};
    return json::parse(entries[0].details_json).as_object();
  }
};

TEST_F(AdminAccountsTest, SuspensionHidesEverythingAndUnsuspendRestoresIt) {
  const std::string post = PostStatus(bob, "zanzibar quokka news #quokka");
  ASSERT_EQ(Login(bob), 200);
  // Before: visible everywhere.
  EXPECT_TRUE(Contains(Timeline("/api/v1/timelines/home", alice.token), post));
  EXPECT_TRUE(Contains(Timeline("/api/v1/timelines/public", carol.token), post));
  EXPECT_TRUE(Contains(SearchStatuses("zanzibar", carol.token), post));
  EXPECT_EQ(SearchAccounts("bob", carol.token), std::vector<std::string>{"bob"});

  auto r = Act(bob, {{"type", "suspend"}, {"text", "spam wave"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "{}");
  EXPECT_EQ(AuditCount("account.suspend", bob.id), 1);

  // Bob: no login, existing token refused, no posting.
  EXPECT_EQ(Login(bob), 400);
  auto creds = server.Get("/api/v1/accounts/verify_credentials", bob.token);
  EXPECT_EQ(creds.status, 403) << creds.body;
  EXPECT_EQ(creds.error(), "Your login is currently disabled");
  EXPECT_EQ(server.Post("/api/v1/statuses", R"({"status":"still here"})", bob.token).status, 403);
  // Others: the status is gone (404), from timelines, search, the account's statuses, lists.
  for (const auto* token : {&alice.token, &carol.token}) {
    auto s = server.Get("/api/v1/statuses/" + post, *token);
    EXPECT_EQ(s.status, 404) << s.body;
    EXPECT_FALSE(Contains(Timeline("/api/v1/timelines/public", *token), post));
    EXPECT_FALSE(Contains(Timeline("/api/v1/timelines/tag/quokka", *token), post));
    EXPECT_FALSE(Contains(SearchStatuses("zanzibar", *token), post));
    EXPECT_TRUE(SearchAccounts("bob", *token).empty());
    EXPECT_TRUE(Timeline("/api/v1/accounts/" + IdOf(bob) + "/statuses", *token).empty());
  }
  EXPECT_EQ(server.Get("/api/v1/statuses/" + post).status, 404);
  EXPECT_FALSE(Contains(Timeline("/api/v1/timelines/home", alice.token), post));
  EXPECT_FALSE(Contains(Timeline("/api/v1/accounts/" + IdOf(alice) + "/followers", carol.token),
                        IdOf(bob)));
  EXPECT_FALSE(Contains(Timeline("/api/v1/accounts/" + IdOf(alice) + "/following", carol.token),
                        IdOf(bob)));
  // Staff can still open the status to review it.
  EXPECT_EQ(server.Get("/api/v1/statuses/" + post, mod.token).status, 200);
  const json::value shown = AdminAccount(bob.id);
  EXPECT_TRUE(shown.at("suspended").as_bool());
  EXPECT_TRUE(shown.at("account").at("suspended").as_bool());

  // Unsuspend: everything is back.
  auto lifted = Lift(bob, "unsuspend");
  ASSERT_EQ(lifted.status, 200) << lifted.body;
  EXPECT_FALSE(lifted.json().at("suspended").as_bool());
  EXPECT_EQ(AuditCount("account.unsuspend", bob.id), 1);
  EXPECT_EQ(Login(bob), 200);
  EXPECT_EQ(server.Get("/api/v1/accounts/verify_credentials", bob.token).status, 200);
  EXPECT_EQ(server.Get("/api/v1/statuses/" + post, carol.token).status, 200);
  EXPECT_TRUE(Contains(Timeline("/api/v1/timelines/home", alice.token), post));
  EXPECT_TRUE(Contains(Timeline("/api/v1/timelines/public", carol.token), post));
  EXPECT_TRUE(Contains(Timeline("/api/v1/timelines/tag/quokka", carol.token), post));
  EXPECT_TRUE(Contains(SearchStatuses("zanzibar", carol.token), post));
  EXPECT_EQ(SearchAccounts("bob", carol.token), std::vector<std::string>{"bob"});
  EXPECT_TRUE(Contains(Timeline("/api/v1/accounts/" + IdOf(alice) + "/followers", carol.token),
                       IdOf(bob)));
  EXPECT_FALSE(PostStatus(bob, "back again").empty());
}

TEST_F(AdminAccountsTest, TimedSuspensionEndsWithTheClock) {
  const std::string post = PostStatus(bob, "a timed post");
  const std::string until = FormatIso8601(clock.Now() + std::chrono::hours(24));
  ASSERT_EQ(Act(bob, {{"type", "suspend"}, {"until", until}}).status, 200);
  json::value shown = AdminAccount(bob.id);
  EXPECT_TRUE(shown.at("suspended").as_bool());
  EXPECT_EQ(Str(shown, "suspended_until"), until);
  EXPECT_EQ(Login(bob), 400);
  EXPECT_EQ(server.Get("/api/v1/statuses/" + post, carol.token).status, 404);
  EXPECT_TRUE(SearchAccounts("bob", carol.token).empty());

  clock.Advance(std::chrono::hours(23));
  EXPECT_EQ(Login(bob), 400);
  EXPECT_EQ(server.Get("/api/v1/accounts/verify_credentials", bob.token).status, 403);
  EXPECT_EQ(server.Get("/api/v1/statuses/" + post, carol.token).status, 404);
  auto suspended = server.Get("/api/v1/admin/accounts?suspended=true", mod.token);
  EXPECT_EQ(Usernames(suspended), std::vector<std::string>{"bob"});

  clock.Advance(std::chrono::hours(2));  // past `until`: over, without any job
  EXPECT_EQ(Login(bob), 200);
  EXPECT_EQ(server.Get("/api/v1/accounts/verify_credentials", bob.token).status, 200);
  EXPECT_EQ(server.Get("/api/v1/statuses/" + post, carol.token).status, 200);
  EXPECT_TRUE(Contains(Timeline("/api/v1/timelines/home", alice.token), post));
  EXPECT_EQ(SearchAccounts("bob", carol.token), std::vector<std::string>{"bob"});
  auto profile = server.Get("/api/v1/accounts/" + IdOf(bob), carol.token);
  EXPECT_FALSE(profile.json().as_object().contains("suspended")) << profile.body;
  shown = AdminAccount(bob.id);
  EXPECT_FALSE(shown.at("suspended").as_bool());
  EXPECT_TRUE(shown.at("suspended_until").is_null());
  EXPECT_TRUE(Usernames(server.Get("/api/v1/admin/accounts?suspended=true", mod.token)).empty());
  EXPECT_FALSE(PostStatus(bob, "after the suspension").empty());
}

TEST_F(AdminAccountsTest, SilenceKeepsPostsFromNonFollowersOnly) {
  const std::string post = PostStatus(bob, "limited capybara #capy");
  ASSERT_EQ(Act(bob, {{"type", "silence"}}).status, 200);
  EXPECT_TRUE(AdminAccount(bob.id).at("silenced").as_bool());
  // carol does not follow bob: not in public or tag timelines, nor in search.
  EXPECT_FALSE(Contains(Timeline("/api/v1/timelines/public", carol.token), post));
  EXPECT_FALSE(Contains(Timeline("/api/v1/timelines/public", ""), post));
  EXPECT_FALSE(Contains(Timeline("/api/v1/timelines/tag/capy", carol.token), post));
  EXPECT_FALSE(Contains(SearchStatuses("capybara", carol.token), post));
  // A direct link still works; bob can log in and post.
  EXPECT_EQ(server.Get("/api/v1/statuses/" + post, carol.token).status, 200);
  EXPECT_EQ(Login(bob), 200);
  // alice follows bob: she still sees it.
  EXPECT_TRUE(Contains(Timeline("/api/v1/timelines/home", alice.token), post));
  EXPECT_TRUE(Contains(Timeline("/api/v1/timelines/public", alice.token), post));

  ASSERT_EQ(Lift(bob, "unsilence").status, 200);
  EXPECT_FALSE(AdminAccount(bob.id).at("silenced").as_bool());
  EXPECT_TRUE(Contains(Timeline("/api/v1/timelines/public", carol.token), post));
  EXPECT_TRUE(Contains(Timeline("/api/v1/timelines/tag/capy", carol.token), post));
  EXPECT_TRUE(Contains(SearchStatuses("capybara", carol.token), post));
  EXPECT_EQ(AuditCount("account.silence", bob.id), 1);
  EXPECT_EQ(AuditCount("account.unsilence", bob.id), 1);
}

TEST_F(AdminAccountsTest, SensitiveMarksEveryPostAndUnsensitiveRestoresEachOwnFlag) {
  const std::string plain = PostStatus(bob, "plain");
  auto own = server.Post("/api/v1/statuses", R"({"status":"own cw","sensitive":true})", bob.token);
  ASSERT_EQ(own.status, 200);
  const std::string flagged = Str(own.json(), "id");
  auto sensitive = [&](const std::string& id) {
    auto r = server.Get("/api/v1/statuses/" + id, carol.token);
    EXPECT_EQ(r.status, 200);
    return r.json().at("sensitive").as_bool();
  };
  EXPECT_FALSE(sensitive(plain));
  ASSERT_EQ(Act(bob, {{"type", "sensitive"}}).status, 200);
  EXPECT_TRUE(sensitive(plain));
  EXPECT_TRUE(sensitive(flagged));
  const std::string later = PostStatus(bob, "posted while sensitized");
  EXPECT_TRUE(sensitive(later));
  const json::value home = server.Get("/api/v1/timelines/home", alice.token).json();
  for (const auto& s : home.as_array()) {
    if (Str(s, "id") == plain) {
      EXPECT_TRUE(s.at("sensitive").as_bool());
    }
  }
  EXPECT_TRUE(AdminAccount(bob.id).at("sensitized").as_bool());
  ASSERT_EQ(Lift(bob, "unsensitive").status, 200);
  EXPECT_FALSE(sensitive(plain));
  EXPECT_TRUE(sensitive(flagged));
  EXPECT_FALSE(sensitive(later));
}

TEST_F(AdminAccountsTest, DisableBlocksLoginOnlyAndEnableRestoresIt) {
  const std::string post = PostStatus(bob, "frozen but visible");
  ASSERT_EQ(Act(bob, {{"type", "disable"}}).status, 200);
  EXPECT_TRUE(AdminAccount(bob.id).at("disabled").as_bool());
  EXPECT_EQ(Login(bob), 400);
  EXPECT_EQ(server.Get("/api/v1/accounts/verify_credentials", bob.token).status, 403);
  EXPECT_EQ(server.Post("/api/v1/statuses", R"({"status":"x"})", bob.token).status, 403);
  EXPECT_EQ(server.Get("/api/v1/statuses/" + post, carol.token).status, 200);
  EXPECT_TRUE(Contains(Timeline("/api/v1/timelines/public", carol.token), post));
  ASSERT_EQ(Lift(bob, "enable").status, 200);
  EXPECT_FALSE(AdminAccount(bob.id).at("disabled").as_bool());
  EXPECT_EQ(Login(bob), 200);
  EXPECT_EQ(server.Get("/api/v1/accounts/verify_credentials", bob.token).status, 200);
}

TEST_F(AdminAccountsTest, NoneIsAWarningWithoutEffectAndEmailGoesToTheOutbox) {
  ASSERT_EQ(Act(bob, {{"type", "none"}, {"text", "please stop"}, {"send_email_notification", true}})
                .status,
            200);
  EXPECT_EQ(AuditCount("account.none", bob.id), 1);
  const json::value shown = AdminAccount(bob.id);
  for (const char* flag : {"suspended", "silenced", "sensitized", "disabled"}) {
    EXPECT_FALSE(shown.at(flag).as_bool()) << flag;
  }
  EXPECT_EQ(Login(bob), 200);
  auto read = server.app().storage().Read();
  storage::PageQuery page;
  page.limit = 10;
  auto outbox = read->outbox().List(page, false);
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox[0].to_email, "bob@example.org");
  EXPECT_NE(outbox[0].body.find("please stop"), std::string::npos);
}

TEST_F(AdminAccountsTest, AnActionIsADecisionWithAStatementOfReasonsAWarningAndAnAuditEntry) {
  const std::string post = PostStatus(bob, "you are all idiots");
  const std::string report = ReportBob(post);
  ASSERT_FALSE(report.empty());
  ASSERT_EQ(Act(bob, {{"type", "silence"}, {"report_id", report}, {"text", "Insults again."}}).status,
            200);

  // The member's moderation_warning, as Mastodon's AccountWarning, with stoa's statement.
  auto warnings = Notifications(bob, "moderation_warning");
  ASSERT_EQ(warnings.size(), 1u);
  const json::value& warning = warnings[0].at("moderation_warning");
  EXPECT_EQ(Str(warning, "action"), "silence");
  EXPECT_NE(Str(warning, "text").find("Insults again."), std::string::npos);
  const std::string decision_id = Str(warning, "id");
  const std::string statement_id = Str(warning, "statement_id");
  ASSERT_FALSE(statement_id.empty());

  // The statement of reasons (DSA Art. 17): the measure, the ground (the instance's terms, as a
  // Mastodon client names no rule), the explanation, the source (a member's report: Art. 16).
  auto statement = server.Get("/api/v1/statements/" + statement_id, bob.token);
  ASSERT_EQ(statement.status, 200) << statement.body;
  const json::value sor = statement.json();
  EXPECT_EQ(Str(sor, "decision_provision"), "DECISION_PROVISION_PARTIAL_SUSPENSION");
  EXPECT_EQ(Str(sor, "decision_ground"), "DECISION_GROUND_INCOMPATIBLE_CONTENT");
  EXPECT_NE(Str(sor, "incompatible_content_ground").find("terms of service"), std::string::npos);
  EXPECT_EQ(Str(sor, "incompatible_content_explanation"), "Insults again.");
  EXPECT_EQ(Str(sor, "source_type"), "SOURCE_ARTICLE_16");
  EXPECT_EQ(server.Get("/api/v1/statements/" + statement_id, carol.token).status, 404);

  // The decision is on the report's case, which it resolved; the reporter hears the outcome.
  auto decision = server.Get("/api/v1/admin/decisions/" + decision_id, mod.token);
  ASSERT_EQ(decision.status, 200) << decision.body;
  EXPECT_EQ(Str(decision.json(), "action"), "silence_account");
  EXPECT_EQ(Str(decision.json(), "case_id"), report);
  EXPECT_EQ(Str(decision.json(), "ground"), "terms");
  EXPECT_EQ(Str(decision.json(), "moderator_id"), IdOf(mod));
  auto shown = server.Get("/api/v1/admin/reports/" + report, mod.token);
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_TRUE(shown.json().at("action_taken").as_bool());
  EXPECT_EQ(Notifications(alice, "notice_outcome").size(), 1u);

  // One audit entry for the action, naming the decision and the statement.
  EXPECT_EQ(AuditCount("account.silence", bob.id), 1);
  const json::object details = LastAuditDetails("account.silence", bob.id);
  EXPECT_EQ(std::string(details.at("decision_id").as_string()), decision_id);
  EXPECT_EQ(std::string(details.at("statement_id").as_string()), statement_id);

  // The member can appeal it like any decision.
  auto appeal = server.Post("/api/v1/appeals",
                            R"({"decision_id":")" + decision_id + R"(","text":"I apologised."})",
                            bob.token);
  EXPECT_EQ(appeal.status, 200) << appeal.body;
}

TEST_F(AdminAccountsTest, ActionsWithoutAReportAreTheModeratorsOwnInitiative) {
  // A suspension on an illegal ground; the suspended member still reads the statement.
  ASSERT_EQ(Act(bob, {{"type", "suspend"},
                      {"ground", "illegal"},
                      {"legal_provision", "§ 241 StGB"},
                      {"text", "Death threats against a journalist."}})
                .status,
            200);
  auto read = server.app().storage().Read();
  storage::PageQuery page;
  page.limit = 10;
  auto decisions = read->decisions().ListForAccount(bob.id, page);
  ASSERT_EQ(decisions.size(), 1u);
  const Decision& d = decisions[0];
  EXPECT_EQ(d.action, DecisionAction::kSuspendAccount);
  EXPECT_EQ(d.ground, DecisionGround::kIllegal);
  auto kase = read->cases().Get(d.case_id);
  ASSERT_TRUE(kase.ok());
  EXPECT_EQ(kase->state, CaseState::kClosed);
  EXPECT_EQ(kase->target_type, TargetType::kAccount);
  EXPECT_EQ(kase->account_id, bob.id);
  auto statement = server.Get("/api/v1/statements/" + IdToString(d.statement_id), bob.token);
  ASSERT_EQ(statement.status, 200) << statement.body;
  EXPECT_EQ(Str(statement.json(), "decision_account"), "DECISION_ACCOUNT_SUSPENDED");
  EXPECT_EQ(Str(statement.json(), "decision_ground"), "DECISION_GROUND_ILLEGAL_CONTENT");
  EXPECT_EQ(Str(statement.json(), "illegal_content_legal_ground"), "§ 241 StGB");
  EXPECT_EQ(Str(statement.json(), "source_type"), "SOURCE_VOLUNTARY");

  // A warning ("none") is a decision too, without a statement (no restriction) but with the
  // member's moderation_warning.
  ASSERT_EQ(Act(carol, {{"type", "none"}, {"text", "Mind the tone."}}).status, 200);
  auto warnings = Notifications(carol, "moderation_warning");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(Str(warnings[0].at("moderation_warning"), "action"), "none");
  auto carol_decisions = server.app().storage().Read()->decisions().ListForAccount(carol.id, page);
  ASSERT_EQ(carol_decisions.size(), 1u);
  EXPECT_EQ(carol_decisions[0].action, DecisionAction::kWarn);
  EXPECT_EQ(carol_decisions[0].statement_id, kNoId);
}

TEST_F(AdminAccountsTest, LiftingReversesTheDecisionsThatImposedTheMeasure) {
  ASSERT_EQ(Act(bob, {{"type", "sensitive"}, {"text", "Gore without warnings."}}).status, 200);
  auto read = server.app().storage().Read();
  storage::PageQuery page;
  page.limit = 10;
  auto before = read->decisions().ListForAccount(bob.id, page);
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0].action, DecisionAction::kMarkAccountSensitive);
  EXPECT_NE(before[0].statement_id, kNoId);
  read.reset();

  ASSERT_EQ(Lift(bob, "unsensitive").status, 200);
  read = server.app().storage().Read();
  auto original = read->decisions().Get(before[0].id);
  ASSERT_TRUE(original.ok());
  ASSERT_TRUE(original->reversed_at.has_value());
  auto reversal = read->decisions().Get(original->reversed_by);
  ASSERT_TRUE(reversal.ok());
  EXPECT_EQ(reversal->action, DecisionAction::kReverse);
  EXPECT_EQ(reversal->appeal_of, original->id);
  EXPECT_EQ(reversal->moderator_id, mod.id);
  EXPECT_EQ(read->decisions().CountStrikes(bob.id, clock.Now() - std::chrono::hours(24)), 0);
  const json::object details = LastAuditDetails("account.unsensitive", bob.id);
  EXPECT_EQ(std::string(details.at("reversed_decisions").as_array()[0].as_string()),
            IdToString(original->id));
  // The member is told; a reversed decision can no longer be appealed.
  EXPECT_EQ(Notifications(bob, "moderation_warning").size(), 2u);
  auto appeal = server.Post("/api/v1/appeals",
                            R"({"decision_id":")" + IdToString(original->id) +
                                R"(","text":"It was art."})",
                            bob.token);
  EXPECT_EQ(appeal.status, 422) << appeal.body;
  // Lifting again finds nothing in force: an audit entry, no new decision.
  ASSERT_EQ(Lift(bob, "unsensitive").status, 200);
  EXPECT_EQ(AuditCount("account.unsensitive", bob.id), 2);
  EXPECT_EQ(server.app().storage().Read()->decisions().ListForAccount(bob.id, page).size(), 2u);
}

TEST_F(AdminAccountsTest, WarningPresetsAreKeptByAdminsAndUsedInActions) {
  auto created = server.Post("/api/v1/admin/warning_presets",
                             R"({"title":"Spam","text":"Please stop posting the same link."})",
                             admin.token);
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id = Str(created.json(), "id");
  EXPECT_EQ(Str(created.json(), "title"), "Spam");
  // Moderators read them, only admins change them.
  auto listed = server.Get("/api/v1/admin/warning_presets", mod.token);
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(Ids(listed), std::vector<std::string>{id});
  EXPECT_EQ(server.Post("/api/v1/admin/warning_presets", R"({"title":"x","text":"y"})", mod.token)
                .status,
            403);
  for (const char* bad : {R"({"title":"","text":"y"})", R"({"title":"x"})"}) {
    EXPECT_EQ(server.Post("/api/v1/admin/warning_presets", bad, admin.token).status, 422) << bad;
  }
  auto renamed = server.Put("/api/v1/admin/warning_presets/" + id, R"({"title":"Link spam"})",
                            admin.token);
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(Str(renamed.json(), "title"), "Link spam");
  EXPECT_EQ(Str(renamed.json(), "text"), "Please stop posting the same link.");

  // An action names the preset: its text comes first in the warning.
  ASSERT_EQ(Act(bob, {{"type", "none"}, {"warning_preset_id", id}, {"text", "Third time."}}).status,
            200);
  auto warnings = Notifications(bob, "moderation_warning");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(Str(warnings[0].at("moderation_warning"), "text").find(
                "Please stop posting the same link.\n\nThird time."),
            std::string::npos);
  EXPECT_EQ(Act(bob, {{"type", "none"}, {"warning_preset_id", "999999"}}).status, 404);

  ASSERT_EQ(server.Delete("/api/v1/admin/warning_presets/" + id, admin.token).status, 200);
  EXPECT_EQ(server.Get("/api/v1/admin/warning_presets/" + id, mod.token).status, 404);
  EXPECT_EQ(server.Delete("/api/v1/admin/warning_presets/" + id, admin.token).status, 404);
  auto read = server.app().storage().Read();
  storage::AuditFilter f;
  f.target_type = "warning_preset";
  f.target_id = id;
  storage::PageQuery page;
  page.limit = 10;
  EXPECT_EQ(read->audit().List(f, page).size(), 3u);  // create, update, delete
}

TEST_F(AdminAccountsTest, OnlyOwnersChangeRolesOverTheApiWithAnAuditEntry) {
  const TestServer::User owner =
      server.CreateUser("olga", Role::kOwner, "read write admin:read admin:write");
  auto promote = [&](const TestServer::User& target, const std::string& role,
                     const std::string& token) {
    return server.Post("/api/v1/admin/accounts/" + IdOf(target) + "/role",
                       R"({"role":")" + role + R"("})", token);
  };
  // alice is a member: the moderators' API is closed to her.
  const std::string alice_staff_token = server.Token(alice.id, "read admin:read admin:write");
  EXPECT_EQ(server.Get("/api/v1/admin/reports", alice_staff_token).status, 403);

  auto r = promote(alice, "moderator", owner.token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(r.json().at("role"), "name"), "Moderator");
  EXPECT_EQ(server.Get("/api/v1/admin/reports", alice_staff_token).status, 200);
  const json::object details = LastAuditDetails("role.change", alice.id);
  EXPECT_EQ(std::string(details.at("from").as_string()), "member");
  EXPECT_EQ(std::string(details.at("to").as_string()), "moderator");
  EXPECT_EQ(std::string(details.at("via").as_string()), "api");

  struct Refused {
    const char* why;
    const TestServer::User* target;
    std::string role;
    std::string token;
    int status;
  };
  const TestServer::User ghost{987654321, "ghost", ""};
  const std::vector<Refused> refused = {
      {"an admin", &bob, "moderator", admin.token, 403},
      {"a moderator", &bob, "moderator", mod.token, 403},
      {"a member", &bob, "moderator", carol.token, 403},
      {"the owner on themselves", &owner, "member", owner.token, 403},
      {"no such role", &bob, "superuser", owner.token, 422},
      {"no role", &bob, "", owner.token, 422},
      {"the role it has", &alice, "moderator", owner.token, 422},
      {"unknown account", &ghost, "admin", owner.token, 404},
  };
  for (const auto& x : refused) {
    SCOPED_TRACE(x.why);
    auto refusal = promote(*x.target, x.role, x.token);
    EXPECT_EQ(refusal.status, x.status) << refusal.body;
    EXPECT_FALSE(refusal.error().empty());
  }
  // Another owner is out of an owner's reach (the operator's CLI can).
  ASSERT_EQ(promote(bob, "owner", owner.token).status, 200);
  EXPECT_EQ(promote(bob, "member", owner.token).status, 403);
  EXPECT_EQ(AuditCount("role.change", alice.id), 1);
  EXPECT_EQ(AuditCount("role.change", bob.id), 1);
}

TEST_F(AdminAccountsTest, BadActionsAreRefusedAndChangeNothing) {
  const std::string past = FormatIso8601(clock.Now() - std::chrono::hours(1));
  const std::string future = FormatIso8601(clock.Now() + std::chrono::hours(1));
  struct Case {
    const char* name;
    std::string target;
    json::object body;
    std::string token;
    int status;
  };
  const std::vector<Case> cases = {
      {"unknown type", IdOf(bob), {{"type", "explode"}}, mod.token, 422},
      {"no type", IdOf(bob), {}, mod.token, 422},
      {"unknown account", "123456789", {{"type", "suspend"}}, mod.token, 404},
      {"not an id", "abc", {{"type", "suspend"}}, mod.token, 404},
      {"until in the past", IdOf(bob), {{"type", "suspend"}, {"until", past}}, mod.token, 422},
      {"until with silence", IdOf(bob), {{"type", "silence"}, {"until", future}}, mod.token, 422},
      {"bad until", IdOf(bob), {{"type", "suspend"}, {"until", "tomorrow"}}, mod.token, 422},
      {"warning preset", IdOf(bob), {{"type", "suspend"}, {"warning_preset_id", "1"}}, mod.token, 404},
      {"unknown report", IdOf(bob), {{"type", "suspend"}, {"report_id", "987654321"}}, mod.token, 404},
      {"text too long", IdOf(bob), {{"type", "none"}, {"text", std::string(2001, 'x')}}, mod.token, 422},
      {"bad ground", IdOf(bob), {{"type", "suspend"}, {"ground", "vibes"}}, mod.token, 422},
      {"illegal without provision", IdOf(bob), {{"type", "suspend"}, {"ground", "illegal"}},
       mod.token, 422},
      {"unknown rule", IdOf(bob), {{"type", "suspend"}, {"rule_id", "424242"}}, mod.token, 422},
      {"bad category", IdOf(bob), {{"type", "suspend"}, {"category", "SPAM"}}, mod.token, 422},
      {"moderator on admin", IdOf(admin), {{"type", "suspend"}}, mod.token, 403},
      {"moderator on self", IdOf(mod), {{"type", "suspend"}}, mod.token, 403},
      {"member", IdOf(bob), {{"type", "suspend"}}, alice.token, 403},
      {"no admin scope", IdOf(bob), {{"type", "suspend"}},
       server.Token(mod.id, "read write admin:read"), 403},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = server.Post("/api/v1/admin/accounts/" + c.target + "/action", json::serialize(c.body),
                         c.token);
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_FALSE(r.error().empty());
  }
  for (const auto& u : {bob, admin, mod}) {
    const json::value shown = AdminAccount(u.id);
    for (const char* flag : {"suspended", "silenced", "sensitized", "disabled"}) {
      EXPECT_FALSE(shown.at(flag).as_bool()) << u.username << " " << flag;
    }
  }
  auto read = server.app().storage().Read();
  storage::PageQuery page;
  page.limit = 100;
  EXPECT_TRUE(read->audit().List({}, page).empty());
  storage::PageQuery all;
  all.limit = 100;
  EXPECT_TRUE(read->decisions().ListForAccount(bob.id, all).empty());
  // An admin may act on the moderator.
  EXPECT_EQ(Act(mod, {{"type", "silence"}}, admin.token).status, 200);
}

TEST_F(AdminAccountsTest, ApproveAndRejectPendingSignUpsAreForAdmins) {
  auto sign_up = [&](const std::string& name) {
    social::Registration r;
    r.username = name;
    r.email = name + "@example.org";
    r.password = "password-" + name;
    r.agreement = true;
    r.reason = "I like capybaras";
    r.ip = "203.0.113.9";
    std::vector<social::FieldError> errors;
    auto account = server.app().accounts().Register(r, &errors);
    EXPECT_TRUE(account.ok()) << account.status().ToString();
    return account.ok() ? (*account)->id : kNoId;
  };
  const Id dora = sign_up("dora");
  const Id eve = sign_up("eve");
  const std::string dora_path = "/api/v1/admin/accounts/" + std::to_string(dora);
  const std::string eve_path = "/api/v1/admin/accounts/" + std::to_string(eve);
  json::value shown = AdminAccount(dora);
  EXPECT_FALSE(shown.at("approved").as_bool());
  EXPECT_EQ(Str(shown, "invite_request"), "I like capybaras");
  EXPECT_EQ(Str(shown, "ip"), "203.0.113.9");
  EXPECT_EQ(Str(shown, "email"), "dora@example.org");
  EXPECT_EQ(Usernames(server.Get("/api/v1/admin/accounts?pending=true", mod.token)),
            (std::vector<std::string>{"eve", "dora"}));
  EXPECT_EQ(Usernames(server.Get("/api/v2/admin/accounts?status=pending", mod.token)),
            (std::vector<std::string>{"eve", "dora"}));

  // Moderators may not approve or reject.
  EXPECT_EQ(server.Post(dora_path + "/approve", "{}", mod.token).status, 403);
  EXPECT_EQ(server.Post(eve_path + "/reject", "{}", mod.token).status, 403);
  EXPECT_FALSE(AdminAccount(dora).at("approved").as_bool());

  auto approved = server.Post(dora_path + "/approve", "{}", admin.token);
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_TRUE(approved.json().at("approved").as_bool());
  EXPECT_EQ(server.Post(dora_path + "/approve", "{}", admin.token).status, 403);  // not pending
  EXPECT_EQ(server.Post(dora_path + "/reject", "{}", admin.token).status, 403);
  EXPECT_EQ(AuditCount("account.approve", dora), 1);

  auto rejected = server.Post(eve_path + "/reject", "{}", admin.token);
  ASSERT_EQ(rejected.status, 200) << rejected.body;
  EXPECT_EQ(Str(rejected.json(), "username"), "eve");
  EXPECT_EQ(server.Get(eve_path, mod.token).status, 404);
  EXPECT_EQ(server.Get("/api/v1/accounts/" + std::to_string(eve)).status, 404);
  EXPECT_EQ(AuditCount("account.reject", eve), 1);
  EXPECT_TRUE(Usernames(server.Get("/api/v1/admin/accounts?pending=true", mod.token)).empty());
  // The username is free again.
  EXPECT_NE(sign_up("eve"), kNoId);
}

TEST_F(AdminAccountsTest, DeleteOnlyAfterSuspensionAndPurgesTheData) {
  const std::string post = PostStatus(bob, "to be purged");
  const std::string path = "/api/v1/admin/accounts/" + IdOf(bob);
  EXPECT_EQ(server.Delete(path, admin.token).status, 403);  // not suspended
  ASSERT_EQ(Act(bob, {{"type", "suspend"}}).status, 200);
  EXPECT_EQ(server.Delete(path, mod.token).status, 403);  // admins only
  auto r = server.Delete(path, admin.token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json().at("suspended").as_bool());
  EXPECT_TRUE(r.json().at("disabled").as_bool());
  EXPECT_EQ(AuditCount("account.delete", bob.id), 1);
  // The follows are gone, the status is deleted even for staff, and unsuspending brings back an
  // empty account whose login stays disabled.
  auto alice_account = server.Get("/api/v1/accounts/" + IdOf(alice), carol.token);
  EXPECT_EQ(alice_account.json().at("followers_count").as_int64(), 0);
  EXPECT_EQ(alice_account.json().at("following_count").as_int64(), 0);
  EXPECT_EQ(server.Get("/api/v1/statuses/" + post, mod.token).status, 404);
  ASSERT_EQ(Lift(bob, "unsuspend").status, 200);
  EXPECT_EQ(server.Get("/api/v1/statuses/" + post, carol.token).status, 404);
  EXPECT_EQ(Login(bob), 400);
  EXPECT_EQ(server.Get("/api/v1/accounts/" + IdOf(bob), carol.token).json().at("statuses_count").as_int64(), 0);
}

TEST_F(AdminAccountsTest, ListFiltersAndPaging) {
  ASSERT_EQ(Act(bob, {{"type", "silence"}}).status, 200);
  ASSERT_EQ(Act(carol, {{"type", "suspend"}}).status, 200);
  ASSERT_EQ(Act(alice, {{"type", "sensitive"}}).status, 200);
  using Names = std::vector<std::string>;
  struct Case {
    std::string query;
    Names want;
  };
  const std::vector<Case> v1 = {
      {"", {"carol", "bob", "alice", "boss", "mod"}},
      {"local=true", {"carol", "bob", "alice", "boss", "mod"}},
      {"remote=true", {}},
      {"by_domain=example.com", {}},
      {"active=true", {"bob", "alice", "boss", "mod"}},
      {"silenced=true", {"bob"}},
      {"suspended=true", {"carol"}},
      {"sensitized=true", {"alice"}},
      {"disabled=true", {}},
      {"pending=true", {}},
      {"staff=true", {"boss", "mod"}},
      {"username=b", {"bob", "boss"}},
      {"display_name=zzz", {}},
      {"email=CAROL%40example", {"carol"}},
      {"ip=203.0.113.1", {}},
  };
  for (const auto& c : v1) {
    auto r = server.Get("/api/v1/admin/accounts?" + c.query, mod.token);
    ASSERT_EQ(r.status, 200) << c.query << ": " << r.body;
    EXPECT_EQ(Usernames(r), c.want) << c.query;
  }
  const std::vector<Case> v2 = {
      {"origin=local", {"carol", "bob", "alice", "boss", "mod"}},
      {"origin=remote", {}},
      {"status=active", {"bob", "alice", "boss", "mod"}},
      {"status=suspended", {"carol"}},
      {"status=silenced", {"bob"}},
      {"permissions=staff", {"boss", "mod"}},
      {"role_ids[]=1", {"mod"}},
      {"role_ids[]=1&role_ids[]=2", {"boss", "mod"}},
      {"role_ids[]=-99", {"carol", "bob", "alice"}},
      {"role_ids[]=77", {}},
      {"invited_by=" + IdOf(alice), {}},
      {"username=al&status=active", {"alice"}},
  };
  for (const auto& c : v2) {
    auto r = server.Get("/api/v2/admin/accounts?" + c.query, mod.token);
    ASSERT_EQ(r.status, 200) << c.query << ": " << r.body;
    EXPECT_EQ(Usernames(r), c.want) << c.query;
  }
  for (const char* bad : {"origin=mars", "status=sleeping", "permissions=root"}) {
    auto r = server.Get(std::string("/api/v2/admin/accounts?") + bad, mod.token);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_FALSE(r.error().empty());
  }

  // Paging with Link headers: next only while pages are full.
  Names seen;
  std::string next = "/api/v1/admin/accounts?limit=2&local=true";
  int pages = 0;
  while (!next.empty() && pages < 10) {
    auto r = server.Get(next, mod.token);
    ASSERT_EQ(r.status, 200) << r.body;
    for (const auto& n : Usernames(r)) seen.push_back(n);
    if (!Usernames(r).empty()) {
      EXPECT_NE(r.header("link").find("rel=\"prev\""), std::string::npos);
    }
    if (Usernames(r).size() < 2) {
      EXPECT_EQ(NextPath(r), "");
    }
    if (!NextPath(r).empty()) {
      EXPECT_NE(NextPath(r).find("local=true"), std::string::npos);
    }
    next = NextPath(r);
    ++pages;
  }
  EXPECT_EQ(seen, (Names{"carol", "bob", "alice", "boss", "mod"}));
  EXPECT_EQ(pages, 3);
  auto empty = server.Get("/api/v1/admin/accounts?remote=true", mod.token);
  EXPECT_EQ(empty.header("link"), "");
  EXPECT_EQ(server.Get("/api/v1/admin/accounts?limit=-1", mod.token).status, 400);
  // Admin::Account carries every field.
  auto one = server.Get("/api/v1/admin/accounts/" + IdOf(alice), mod.token);
  ASSERT_EQ(one.status, 200);
  for (const char* field : {"id", "username", "domain", "created_at", "email", "ip", "ips",
                            "locale", "invite_request", "role", "confirmed", "approved",
                            "disabled", "sensitized", "silenced", "suspended", "account"}) {
    EXPECT_TRUE(one.json().as_object().contains(field)) << field;
  }
  EXPECT_EQ(Str(one.json().at("account"), "id"), IdOf(alice));
  EXPECT_EQ(server.Get("/api/v1/admin/accounts/999999", mod.token).status, 404);
}

}  // namespace
}  // namespace stoa::testing
