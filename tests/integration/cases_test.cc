// Cases over HTTP: the queue's order and deadlines (with a fake clock), claiming the head under a
// lease, renewing, releasing, lease expiry, admins' assignments, appeal cases their deciding
// moderator can never take, stale versions (409), notes, filters, authorisation; and many
// moderators claiming at once never sharing a case.
#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

#include "tests/integration/test_server.h"

namespace stoa::testing {
namespace {

namespace json = boost::json;
using std::chrono::hours;
using std::chrono::minutes;

std::string Str(const json::value& v, const char* key) {
  return std::string(v.as_object().at(key).as_string());
}

std::string JsonString(const std::string& s) { return json::serialize(json::value(s)); }

class CasesTest : public ::testing::Test {
 protected:
  CasesTest() : server(nullptr, &clock) {}

  void SetUp() override {
    alice = server.CreateUser("alice");
    bob = server.CreateUser("bob");
    mod1 = server.CreateUser("mod1", Role::kModerator, "read write admin:read admin:write");
    mod2 = server.CreateUser("mod2", Role::kModerator, "read write admin:read admin:write");
    admin = server.CreateUser("boss", Role::kAdmin, "read write admin:read admin:write");
  }

  // A status by alice and an anonymous notice about it; returns the case.
  Case Notice(const std::string& text, const std::string& category, bool threat = false) {
    auto posted = server.Post("/api/v1/statuses", R"({"status":)" + JsonString(text) + "}", alice.token);
    EXPECT_EQ(posted.status, 200) << posted.body;
    const std::string url = Str(posted.json(), "url");
    auto r = server.Post("/api/v1/notices",
                         R"({"explanation":"x","locations":[)" + JsonString(url) +
                             R"(],"good_faith":true,"category":")" + category + R"(","threat_to_life":)" +
                             (threat ? "true" : "false") + "}");
    EXPECT_EQ(r.status, 200) << r.body;
    auto c = server.app().storage().Read()->cases().FindOpenForTarget(
        TargetType::kStatus, *ParseId(Str(posted.json(), "id")));
    EXPECT_TRUE(c.has_value());
    return c.value_or(Case{});
  }

  HttpResponse Next(const TestServer::User& u) { return server.Post("/api/v1/admin/cases/next", "{}", u.token); }
  HttpResponse CasePost(const TestServer::User& u, Id id, const std::string& action,
                        const std::string& body = "{}") {
    return server.Post("/api/v1/admin/cases/" + IdToString(id) + "/" + action, body, u.token);
  }

  FakeClock clock;
  TestServer server;
  TestServer::User alice, bob, mod1, mod2, admin;
};

TEST_F(CasesTest, QueueOrderAndDeadlinesFollowTriage) {
  const Timestamp t0 = clock.Now();
  Case spam = Notice("buy now", "STATEMENT_CATEGORY_OTHER_VIOLATION_TC");  // terms: 7 days
  Case violence = Notice("violence", "STATEMENT_CATEGORY_VIOLENCE");        // 24 hours
  Case threat = Notice("I will kill", "STATEMENT_CATEGORY_VIOLENCE", true);  // 1 hour
  Case fraud = Notice("fraud", "STATEMENT_CATEGORY_SCAMS_AND_FRAUD");        // illegal: 7 days
  // A lone notice about content nobody shared keeps its class's full deadline.
  EXPECT_EQ(threat.deadline_at, t0 + hours(1));
  EXPECT_EQ(violence.deadline_at, t0 + hours(24));
  EXPECT_EQ(spam.deadline_at, t0 + hours(24 * 7));
  EXPECT_EQ(fraud.deadline_at, t0 + hours(24 * 7));
  EXPECT_TRUE(threat.threat_to_life);
  // Same deadline: the higher score first (illegal content outranks a terms violation).
  EXPECT_GT(fraud.score, spam.score);

  auto list = server.Get("/api/v1/admin/cases", mod1.token);
  ASSERT_EQ(list.status, 200) << list.body;
  std::vector<std::string> order;
  const json::value listed = list.json();
  for (const auto& c : listed.as_array()) order.push_back(Str(c, "id"));
  EXPECT_EQ(order, (std::vector<std::string>{IdToString(threat.id), IdToString(violence.id),
                                             IdToString(fraud.id), IdToString(spam.id)}));
  auto first = list.json().as_array()[0].as_object();
  for (const char* key : {"id", "state", "category", "score", "deadline_at", "target_type", "target_id",
                          "notices_count", "distinct_notifiers", "assigned_to", "version", "appeal_of",
                          "kind", "created_at", "lease_until", "priority"}) {
    EXPECT_TRUE(first.contains(key)) << key;
  }
  EXPECT_EQ(first.at("state").as_string(), "open");
  EXPECT_EQ(first.at("urgency").as_string(), "threat_to_life");
  EXPECT_TRUE(first.at("assigned_to").is_null());
  EXPECT_TRUE(first.at("appeal_of").is_null());
  EXPECT_EQ(first.at("overdue").as_bool(), false);

  // deadline_before and category filters; the clock makes a case overdue.
  auto soon = server.Get("/api/v1/admin/cases?deadline_before=" +
                             std::string("2026-01-01T02:00:00.000Z"),
                         mod1.token);
  ASSERT_EQ(soon.status, 200) << soon.body;
  ASSERT_EQ(soon.json().as_array().size(), 1u);
  auto violent = server.Get("/api/v1/admin/cases?category=STATEMENT_CATEGORY_VIOLENCE", mod1.token);
  EXPECT_EQ(violent.json().as_array().size(), 2u);
  clock.Advance(hours(2));
  auto later = server.Get("/api/v1/admin/cases?limit=1", mod1.token);
  EXPECT_EQ(later.json().as_array()[0].at("overdue").as_bool(), true);
  // Paging in queue order follows the Link header.
  const std::string link = later.header("link");
  EXPECT_NE(link.find("after=" + IdToString(threat.id)), std::string::npos) << link;
  auto page2 = server.Get("/api/v1/admin/cases?limit=2&after=" + IdToString(threat.id), mod1.token);
  ASSERT_EQ(page2.json().as_array().size(), 2u);
  EXPECT_EQ(Str(page2.json().as_array()[0], "id"), IdToString(violence.id));

  for (const char* bad : {"state=pending", "category=violence", "source=aliens", "assignee=x",
                          "deadline_before=tomorrow", "kind=other", "after=x"}) {
    auto r = server.Get(std::string("/api/v1/admin/cases?") + bad, mod1.token);
    EXPECT_EQ(r.status, 422) << bad << ": " << r.body;
  }
}

TEST_F(CasesTest, ClustersOfFollowersWeighLessAndTrackRecordsCount) {
  // Two posts by alice: one reported by four members who all follow each other, one by four
  // members who do not know each other.
  auto post = [&](const std::string& text) {
    auto r = server.Post("/api/v1/statuses", R"({"status":)" + JsonString(text) + "}", alice.token);
    EXPECT_EQ(r.status, 200) << r.body;
    return Str(r.json(), "id");
  };
  auto report = [&](const TestServer::User& who, const std::string& status_id) {
    auto r = server.Post("/api/v1/reports",
                         R"({"account_id":")" + IdToString(alice.id) + R"(","status_ids":[")" +
                             status_id + R"("],"category":"legal"})",
                         who.token);
    EXPECT_EQ(r.status, 200) << r.body;
  };
  auto view = [&](const std::string& status_id) {
    auto c = server.app().storage().Read()->cases().FindOpenForTarget(TargetType::kStatus,
                                                                      *ParseId(status_id));
    EXPECT_TRUE(c.has_value());
    auto r = server.Get("/api/v1/admin/cases/" + IdToString(c->id), mod1.token);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  };
  const std::string clustered = post("targeted by a cluster");
  const std::string independent = post("reported by strangers");
  std::vector<TestServer::User> cluster, strangers;
  for (int i = 0; i < 4; ++i) {
    cluster.push_back(server.CreateUser("fan" + std::to_string(i)));
    strangers.push_back(server.CreateUser("stranger" + std::to_string(i)));
  }
  for (const auto& a : cluster) {
    for (const auto& b : cluster) {
      if (a.id == b.id) continue;
      ASSERT_EQ(server.Post("/api/v1/accounts/" + IdToString(b.id) + "/follow", "{}", a.token).status,
                200);
    }
  }
  for (int i = 0; i < 4; ++i) {
    report(cluster[i], clustered);
    report(strangers[i], independent);
  }
  const json::value a = view(clustered);
  const json::value b = view(independent);
  EXPECT_EQ(a.at("distinct_notifiers").as_int64(), 4);
  EXPECT_EQ(b.at("distinct_notifiers").as_int64(), 4);
  EXPECT_DOUBLE_EQ(b.at("weighted_notifiers").to_number<double>(), 4.0);
  // The first fan counts fully; the three who follow every earlier one a quarter each.
  EXPECT_DOUBLE_EQ(a.at("weighted_notifiers").to_number<double>(), 1.75);
  EXPECT_LT(a.at("score").as_int64(), b.at("score").as_int64());

  // Someone outside the cluster confirming its notice counts more than one.
  report(strangers[0], clustered);
  EXPECT_DOUBLE_EQ(view(clustered).at("weighted_notifiers").to_number<double>(), 3.25);

  // Track record: a notifier whose notices were upheld weighs more, one whose notices were
  // manifestly unfounded less.
  const TestServer::User reliable = server.CreateUser("reliable");
  const TestServer::User unfounded = server.CreateUser("unfounded");
  ASSERT_TRUE(server.app()
                  .storage()
                  .Write([&](storage::Transaction& tx) -> Status {
                    RETURN_IF_ERROR(tx.decisions().AddToNotifierRecord(
                        "account:" + IdToString(reliable.id), {4, 4, 0}));
                    return tx.decisions().AddToNotifierRecord(
                        "account:" + IdToString(unfounded.id), {4, 0, 4});
                  })
                  .ok());
  const std::string p1 = post("first");
  const std::string p2 = post("second");
  report(reliable, p1);
  report(unfounded, p2);
  EXPECT_DOUBLE_EQ(view(p1).at("weighted_notifiers").to_number<double>(), 1.5);
  EXPECT_DOUBLE_EQ(view(p2).at("weighted_notifiers").to_number<double>(), 0.5);
  EXPECT_GT(view(p1).at("score").as_int64(), view(p2).at("score").as_int64());
}

TEST_F(CasesTest, ClaimRenewReleaseAndExpiry) {
  Case a = Notice("a", "STATEMENT_CATEGORY_VIOLENCE", true);
  Case b = Notice("b", "STATEMENT_CATEGORY_VIOLENCE");
  auto claimed = Next(mod1);
  ASSERT_EQ(claimed.status, 200) << claimed.body;
  EXPECT_EQ(Str(claimed.json(), "id"), IdToString(a.id));
  EXPECT_EQ(Str(claimed.json(), "assigned_to"), IdToString(mod1.id));
  EXPECT_EQ(Str(claimed.json(), "lease_until"), "2026-01-01T00:15:00.000Z");
  const int64_t v1 = claimed.json().at("version").as_int64();
  EXPECT_EQ(v1, a.version + 1);

  auto second = Next(mod2);
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(Str(second.json(), "id"), IdToString(b.id));
  auto none = Next(mod2);
  EXPECT_EQ(none.status, 404);
  EXPECT_FALSE(none.error().empty());

  // Only the holder renews or releases; a stale version is refused.
  EXPECT_EQ(CasePost(mod2, a.id, "renew").status, 403);
  EXPECT_EQ(CasePost(mod2, a.id, "release").status, 403);
  clock.Advance(minutes(10));
  auto renewed = CasePost(mod1, a.id, "renew", R"({"version":)" + std::to_string(v1) + "}");
  ASSERT_EQ(renewed.status, 200) << renewed.body;
  EXPECT_EQ(Str(renewed.json(), "lease_until"), "2026-01-01T00:25:00.000Z");
  EXPECT_EQ(renewed.json().at("version").as_int64(), v1 + 1);
  auto stale = CasePost(mod1, a.id, "renew", R"({"version":)" + std::to_string(v1) + "}");
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(stale.error(), "stale version");

  // The lease runs out: the case goes back to the queue and someone else may take it.
  clock.Advance(minutes(16));
  auto shown = server.Get("/api/v1/admin/cases/" + IdToString(a.id), mod1.token);
  EXPECT_TRUE(shown.json().at("assigned_to").is_null());
  EXPECT_EQ(CasePost(mod1, a.id, "renew").status, 403);
  auto taken = Next(mod2);
  ASSERT_EQ(taken.status, 200) << taken.body;
  EXPECT_EQ(Str(taken.json(), "id"), IdToString(a.id));
  EXPECT_EQ(Str(taken.json(), "assigned_to"), IdToString(mod2.id));

  // Release gives it back at once.
  auto released = CasePost(mod2, a.id, "release");
  ASSERT_EQ(released.status, 200) << released.body;
  EXPECT_TRUE(released.json().at("assigned_to").is_null());
  auto again = Next(mod1);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(Str(again.json(), "id"), IdToString(a.id));

  // The caller's own cases.
  auto mine = server.Get("/api/v1/admin/cases?assignee=me", mod1.token);
  ASSERT_EQ(mine.json().as_array().size(), 1u);
  EXPECT_EQ(Str(mine.json().as_array()[0], "id"), IdToString(a.id));

  // Every claim, renewal and release is in the audit log, with its actor, oldest first.
  storage::AuditFilter filter;
  filter.target_type = "case";
  filter.target_id = IdToString(a.id);
  storage::PageQuery page;
  page.limit = 100;
  auto entries = server.app().storage().Read()->audit().List(filter, page);
  std::vector<std::pair<std::string, Id>> actions;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) actions.emplace_back(it->action, it->actor_id);
  EXPECT_EQ(actions, (std::vector<std::pair<std::string, Id>>{{"case.claim", mod1.id},
                                                              {"case.renew", mod1.id},
                                                              {"case.claim", mod2.id},
                                                              {"case.release", mod2.id},
                                                              {"case.claim", mod1.id}}));
  EXPECT_TRUE(server.app().audit_log().Verify(*server.app().storage().Read()).ok);
}

TEST_F(CasesTest, DecisionsCloseOnlyHeldCasesAtTheirVersion) {
  Case a = Notice("a", "STATEMENT_CATEGORY_VIOLENCE");
  auto claimed = Next(mod1);
  ASSERT_EQ(claimed.status, 200);
  const int64_t version = claimed.json().at("version").as_int64();
  auto& cases = server.app().cases();
  auto close = [&](Id moderator, int64_t v) {
    Status result;
    Status st = server.app().storage().Write([&](storage::Transaction& tx) -> Status {
      result = cases.CloseHeldCase(tx, a.id, moderator, v, clock.Now()).status();
      return result;
    });
    return result;
  };
  EXPECT_EQ(close(mod1.id, version - 1).code(), StatusCode::kConflict);
  EXPECT_EQ(close(mod2.id, version).code(), StatusCode::kPermissionDenied);
  ASSERT_TRUE(close(mod1.id, version).ok());
  auto closed = server.app().storage().Read()->cases().Get(a.id);
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(closed->state, CaseState::kClosed);
  EXPECT_EQ(closed->version, version + 1);
  EXPECT_TRUE(closed->closed_at.has_value());
  EXPECT_EQ(close(mod1.id, version + 1).code(), StatusCode::kConflict);
  // Closed cases are listed under state=closed, with the deciding moderator.
  auto list = server.Get("/api/v1/admin/cases?state=closed", mod1.token);
  ASSERT_EQ(list.json().as_array().size(), 1u);
  EXPECT_EQ(Str(list.json().as_array()[0], "assigned_to"), IdToString(mod1.id));
  EXPECT_EQ(Next(mod2).status, 404);
}

TEST_F(CasesTest, AppealCasesAreNeverTakenByTheDecidingModerator) {
  Case a = Notice("a", "STATEMENT_CATEGORY_VIOLENCE");
  Case appeal;
  ASSERT_TRUE(server.app().storage().Write([&](storage::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(appeal, server.app().cases().OpenAppealCase(tx, 777, TargetType::kStatus, a.target_id,
                                                                 Category::kViolence, mod1.id,
                                                                 clock.Now()));
    return Status::Ok();
  }).ok());
  EXPECT_EQ(appeal.kind, CaseKind::kAppeal);
  // mod1 gets the notice case, never the appeal.
  auto first = Next(mod1);
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(Str(first.json(), "id"), IdToString(a.id));
  EXPECT_EQ(Next(mod1).status, 404);
  auto assign = server.Post("/api/v1/admin/cases/" + IdToString(appeal.id) + "/assign",
                            R"({"account_id":")" + IdToString(mod1.id) + R"("})", admin.token);
  EXPECT_EQ(assign.status, 422) << assign.body;
  auto other = Next(mod2);
  ASSERT_EQ(other.status, 200);
  EXPECT_EQ(Str(other.json(), "id"), IdToString(appeal.id));
  EXPECT_EQ(Str(other.json(), "kind"), "appeal");
  EXPECT_EQ(Str(other.json(), "appeal_of"), "777");
  auto appeals = server.Get("/api/v1/admin/cases?kind=appeal", mod1.token);
  EXPECT_EQ(appeals.json().as_array().size(), 1u);
}

TEST_F(CasesTest, AdminsAssignToANamedModerator) {
  Case a = Notice("a", "STATEMENT_CATEGORY_VIOLENCE");
  auto r = server.Post("/api/v1/admin/cases/" + IdToString(a.id) + "/assign", R"({"username":"mod2"})",
                       admin.token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(r.json(), "assigned_to"), IdToString(mod2.id));
  EXPECT_EQ(Next(mod1).status, 404);  // held by mod2 now
  // Moderators cannot assign; members are no assignees; unknown names are refused.
  EXPECT_EQ(server.Post("/api/v1/admin/cases/" + IdToString(a.id) + "/assign", R"({"username":"mod1"})",
                        mod1.token).status,
            403);
  EXPECT_EQ(server.Post("/api/v1/admin/cases/" + IdToString(a.id) + "/assign", R"({"username":"bob"})",
                        admin.token).status,
            422);
  EXPECT_EQ(server.Post("/api/v1/admin/cases/" + IdToString(a.id) + "/assign", R"({"username":"nobody"})",
                        admin.token).status,
            422);
  EXPECT_EQ(server.Post("/api/v1/admin/cases/" + IdToString(a.id) + "/assign", "{}", admin.token).status,
            422);
  EXPECT_EQ(server.Post("/api/v1/admin/cases/424242/assign", R"({"username":"mod1"})", admin.token).status,
            404);
  auto still = server.Get("/api/v1/admin/cases/" + IdToString(a.id), mod1.token);
  EXPECT_EQ(Str(still.json(), "assigned_to"), IdToString(mod2.id));
  storage::AuditFilter filter;
  filter.action = "case.assign";
  storage::PageQuery page;
  auto entries = server.app().storage().Read()->audit().List(filter, page);
  ASSERT_EQ(entries.size(), 1u);  // the refused assignments left nothing
  EXPECT_EQ(entries[0].actor_id, admin.id);
  EXPECT_EQ(entries[0].target_id, IdToString(a.id));
}

TEST_F(CasesTest, NotesOnACase) {
  Case a = Notice("a", "STATEMENT_CATEGORY_VIOLENCE");
  const std::string path = "/api/v1/admin/cases/" + IdToString(a.id) + "/notes";
  auto added = server.Post(path, R"({"text":"checked the thread"})", mod1.token);
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_EQ(Str(added.json(), "author_id"), IdToString(mod1.id));
  EXPECT_EQ(server.Post(path, R"({"text":"  "})", mod1.token).status, 422);
  EXPECT_EQ(server.Post(path, R"({"text":")" + std::string(5001, 'x') + R"("})", mod1.token).status, 422);
  EXPECT_EQ(server.Post("/api/v1/admin/cases/424242/notes", R"({"text":"x"})", mod1.token).status, 404);
  auto notes = server.Get(path, mod2.token);
  ASSERT_EQ(notes.status, 200);
  ASSERT_EQ(notes.json().as_array().size(), 1u);
  EXPECT_EQ(Str(notes.json().as_array()[0], "text"), "checked the thread");
  auto view = server.Get("/api/v1/admin/cases/" + IdToString(a.id), mod2.token);
  EXPECT_EQ(view.json().at("notes").as_array().size(), 1u);
}

TEST_F(CasesTest, CaseViewShowsTargetContextNoticesAndHistory) {
  auto root = server.Post("/api/v1/statuses", R"({"status":"root"})", bob.token);
  auto reply = server.Post("/api/v1/statuses",
                           R"({"status":"nasty reply","in_reply_to_id":")" + Str(root.json(), "id") + R"("})",
                           alice.token);
  ASSERT_EQ(reply.status, 200);
  auto r = server.Post("/api/v1/reports",
                       R"({"account_id":")" + IdToString(alice.id) + R"(","status_ids":[")" +
                           Str(reply.json(), "id") + R"("],"comment":"rude"})",
                       bob.token);
  ASSERT_EQ(r.status, 200) << r.body;
  Case other = Notice("another", "STATEMENT_CATEGORY_VIOLENCE");
  auto c = server.app().storage().Read()->cases().FindOpenForTarget(TargetType::kStatus,
                                                                     *ParseId(Str(reply.json(), "id")));
  ASSERT_TRUE(c.has_value());
  auto view = server.Get("/api/v1/admin/cases/" + IdToString(c->id), mod1.token);
  ASSERT_EQ(view.status, 200) << view.body;
  auto o = view.json().as_object();
  EXPECT_EQ(o.at("target").at("status").at("content").as_string(), "<p>nasty reply</p>");
  EXPECT_EQ(o.at("target").at("account").at("username").as_string(), "alice");
  ASSERT_EQ(o.at("context").at("ancestors").as_array().size(), 1u);
  EXPECT_EQ(Str(o.at("context").at("ancestors").as_array()[0], "id"), Str(root.json(), "id"));
  ASSERT_EQ(o.at("notices").as_array().size(), 1u);
  auto n = o.at("notices").as_array()[0].as_object();
  EXPECT_EQ(n.at("source").as_string(), "member");
  EXPECT_EQ(n.at("reporter_id").as_string(), IdToString(bob.id));
  EXPECT_EQ(n.at("explanation").as_string(), "rude");
  EXPECT_EQ(n.at("report_category").as_string(), "other");
  // The author's other case is part of the history.
  auto history = o.at("history").at("cases").as_array();
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(Str(history[0], "id"), IdToString(other.id));
  EXPECT_TRUE(o.at("history").at("decisions").is_array());
  EXPECT_EQ(o.at("history").at("strikes").as_int64(), 0);
  EXPECT_EQ(server.Get("/api/v1/admin/cases/424242", mod1.token).status, 404);
}

TEST_F(CasesTest, EveryCaseEndpointRefusesMembersAndAnonymousCallers) {
  Case a = Notice("a", "STATEMENT_CATEGORY_VIOLENCE");
  const std::string id = IdToString(a.id);
  // A member's token with admin scopes is still no moderator.
  auto member = server.CreateUser("eve", Role::kMember, "read write admin:read admin:write");
  struct Call {
    std::string method, path;
  };
  const std::vector<Call> calls = {
      {"GET", "/api/v1/admin/cases"},          {"GET", "/api/v1/admin/cases/" + id},
      {"POST", "/api/v1/admin/cases/next"},    {"POST", "/api/v1/admin/cases/" + id + "/renew"},
      {"POST", "/api/v1/admin/cases/" + id + "/release"},
      {"POST", "/api/v1/admin/cases/" + id + "/assign"},
      {"GET", "/api/v1/admin/cases/" + id + "/notes"},
      {"POST", "/api/v1/admin/cases/" + id + "/notes"},
      {"GET", "/api/v1/admin/outbox"},
  };
  for (const auto& c : calls) {
    auto r = server.Send(c.method, c.path, c.method == "POST" ? "{}" : "",
                         {{"Content-Type", "application/json"}}, member.token);
    EXPECT_EQ(r.status, 403) << c.method << " " << c.path << ": " << r.body;
    EXPECT_EQ(r.error(), "This action is not allowed");
    auto anonymous = server.Send(c.method, c.path, c.method == "POST" ? "{}" : "",
                                 {{"Content-Type", "application/json"}});
    EXPECT_EQ(anonymous.status, 401) << c.method << " " << c.path;
  }
  // Nothing changed.
  auto unchanged = server.app().storage().Read()->cases().Get(a.id);
  EXPECT_EQ(unchanged->version, a.version);
  EXPECT_EQ(unchanged->assigned_to, kNoId);
  // Moderators may not assign nor read the outbox (admins only).
  EXPECT_EQ(server.Get("/api/v1/admin/outbox", mod1.token).status, 403);
}

TEST_F(CasesTest, ManyModeratorsClaimingAtOnceNeverShareACase) {
  constexpr int kCases = 40;
  constexpr int kModerators = 8;
  for (int i = 0; i < kCases; ++i) Notice("post " + std::to_string(i), "STATEMENT_CATEGORY_VIOLENCE");
  std::vector<TestServer::User> mods;
  for (int i = 0; i < kModerators; ++i) {
    mods.push_back(server.CreateUser("m" + std::to_string(i), Role::kModerator,
                                     "read write admin:read admin:write"));
  }
  std::mutex mu;
  std::multiset<std::string> claimed;
  std::vector<std::pair<std::string, std::string>> holders;  // case, moderator
  int errors = 0;
  std::vector<std::thread> threads;
  for (int m = 0; m < kModerators; ++m) {
    threads.emplace_back([&, m] {
      while (true) {
        auto r = Next(mods[m]);
        std::lock_guard lock(mu);
        if (r.status == 404) break;
        if (r.status != 200) {
          ++errors;
          break;
        }
        claimed.insert(Str(r.json(), "id"));
        holders.emplace_back(Str(r.json(), "id"), Str(r.json(), "assigned_to"));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(claimed.size(), static_cast<size_t>(kCases));
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()).size(), static_cast<size_t>(kCases));
  // Each case is held by exactly the moderator who got it.
  auto read = server.app().storage().Read();
  for (const auto& [case_id, holder] : holders) {
    auto c = read->cases().Get(*ParseId(case_id));
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(IdToString(c->assigned_to), holder);
  }
}

}  // namespace
}  // namespace stoa::testing
