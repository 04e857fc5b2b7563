// The Mastodon admin API for reports over HTTP: members' reports become cases, listed and shown
// as Admin::Report; filters, paging, assignment (two moderators never hold one report), updates
// of category and rules, resolve and reopen, account actions closing reports, the audit entries
// each step writes, and a campaign report's statuses.
#include <gtest/gtest.h>

#include <algorithm>

#include "common/strings.h"
#include "tests/integration/api_helpers.h"
#include "tests/integration/test_server.h"

namespace stoa::testing {
namespace {

namespace json = boost::json;

std::string Str(const json::value& v, const char* key) {
  return std::string(v.as_object().at(key).as_string());
}
class AdminReportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mod = server.CreateUser("mod", Role::kModerator, "read write admin:read admin:write");
    mod2 = server.CreateUser("mod2", Role::kModerator, "read write admin:read admin:write");
    admin = server.CreateUser("boss", Role::kAdmin, "read write admin:read admin:write");
    alice = server.CreateUser("alice");
    bob = server.CreateUser("bob");
    carol = server.CreateUser("carol");
    InstanceRule rule;
    rule.id = server.app().core().ids().Next();
    rule.text = "No spam";
    rule.created_at = server.app().core().Now();
    ASSERT_TRUE(server.app()
                    .storage()
                    .Write([&](storage::Transaction& tx) { return tx.rules().Insert(rule); })
                    .ok());
    rule_id = std::to_string(rule.id);
  }

  std::string PostStatus(const TestServer::User& u, const std::string& text) {
    json::object body{{"status", text}};
    auto r = server.Post("/api/v1/statuses", json::serialize(body), u.token);
    EXPECT_EQ(r.status, 200) << r.body;
    return Str(r.json(), "id");
  }
  void Report(const TestServer::User& reporter, const TestServer::User& target,
              const std::vector<std::string>& statuses, const std::string& comment,
              const std::string& category = "spam") {
    json::array ids;
    for (const auto& s : statuses) ids.emplace_back(s.c_str());
    json::object body{{"account_id", IdOf(target)}, {"status_ids", ids}, {"comment", comment},
                      {"category", category}};
    auto r = server.Post("/api/v1/reports", json::serialize(body), reporter.token);
    ASSERT_EQ(r.status, 200) << r.body;
  }
  json::value Reports(const std::string& query = "", const std::string& token = "") {
    auto r = server.Get("/api/v1/admin/reports" + query, token.empty() ? mod.token : token);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    return r.json();
  }
  json::value Show(const std::string& id) {
    auto r = server.Get("/api/v1/admin/reports/" + id, mod.token);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }
  HttpResponse Do(const std::string& id, const std::string& what, const std::string& token) {
    return server.Post("/api/v1/admin/reports/" + id + "/" + what, "{}", token);
  }
  size_t AuditCount(const std::string& action, const std::string& case_id) {
    auto read = server.app().storage().Read();
    storage::AuditFilter f;
    f.action = action;
    f.target_type = "case";
    f.target_id = case_id;
    storage::PageQuery page;
    page.limit = 100;
    return read->audit().List(f, page).size();
  }

  TestServer server;
  TestServer::User mod, mod2, admin, alice, bob, carol;
  std::string rule_id;
};

TEST_F(AdminReportsTest, ReportsAreCasesShownAsAdminReports) {
  const std::string post = PostStatus(bob, "buy cheap watches");
  Report(alice, bob, {post}, "spam again");
  Report(carol, bob, {post}, "me too");
  const json::value list = Reports();
  ASSERT_EQ(list.as_array().size(), 1u);  // two reports about one status: one case
  const json::value& r = list.as_array()[0];
  for (const char* field : {"id", "action_taken", "action_taken_at", "category", "comment",
                            "forwarded", "created_at", "updated_at", "account", "target_account",
                            "assigned_account", "action_taken_by_account", "statuses", "rules"}) {
    EXPECT_TRUE(r.as_object().contains(field)) << field;
  }
  EXPECT_FALSE(r.at("action_taken").as_bool());
  EXPECT_TRUE(r.at("action_taken_at").is_null());
  EXPECT_EQ(Str(r, "category"), "spam");
  EXPECT_EQ(Str(r, "comment"), "spam again");
  EXPECT_EQ(Str(r.at("account"), "username"), "alice");
  EXPECT_EQ(Str(r.at("account"), "email"), "alice@example.org");  // Admin::Account
  EXPECT_EQ(Str(r.at("target_account"), "username"), "bob");
  EXPECT_EQ(Str(r.at("target_account").at("account"), "id"), IdOf(bob));
  EXPECT_TRUE(r.at("assigned_account").is_null());
  EXPECT_TRUE(r.at("action_taken_by_account").is_null());
  ASSERT_EQ(r.at("statuses").as_array().size(), 1u);
  EXPECT_EQ(Str(r.at("statuses").as_array()[0], "id"), post);
  EXPECT_EQ(r.at("notices_count").as_int64(), 2);
  EXPECT_EQ(r.at("distinct_notifiers").as_int64(), 2);
  const std::string id = Str(r, "id");
  // The same through GET /:id, which matches the case.
  EXPECT_EQ(Str(Show(id), "id"), id);
  auto kase = server.Get("/api/v1/admin/cases/" + id, mod.token);
  EXPECT_EQ(kase.status, 200) << kase.body;
  EXPECT_EQ(server.Get("/api/v1/admin/reports/99999", mod.token).status, 404);
  EXPECT_EQ(server.Get("/api/v1/admin/reports/abc", mod.token).status, 404);
}

// A campaign case (docs/screening.md, "Campaigns": near-duplicates by other accounts listed in
// the case of the first) shows every status it lists in `statuses`, in case order, deleted ones
// left out, at most 100, in the list and in GET /:id. (The members are listed through the store
// here: grouping them needs screening, tested in screening_campaign_test.cc.)
TEST_F(AdminReportsTest, ACampaignReportShowsEveryStatusOfItsCase) {
  const std::string first = PostStatus(bob, "everybody to the town hall tonight");
  Report(alice, bob, {first}, "a call to a mob");
  const std::string case_id = Str(Reports().as_array()[0], "id");
  std::vector<std::string> members;
  for (int i = 0; i < 102; ++i) {
    members.push_back(PostStatus(carol, "everybody to the town hall tonight " + std::to_string(i)));
  }
  Timestamp at = server.app().core().Now();
  Status listed = server.app().storage().Write([&](storage::Transaction& tx) -> Status {
    for (const std::string& m : members) {
      at += std::chrono::seconds(1);
      RETURN_IF_ERROR(
          tx.cases().AddStatus(CaseStatus{*ParseId(case_id), *ParseId(m), carol.id, 0, 0, at}));
    }
    return Status::Ok();
  });
  ASSERT_TRUE(listed.ok()) << listed.ToString();
  // The second member is deleted by its author: left out.
  ASSERT_EQ(server.Delete("/api/v1/statuses/" + members[1], carol.token).status, 200);

  std::vector<std::string> expected{first, members[0]};
  // The case's first 100 statuses (the target and 99 members), without the deleted one.
  for (size_t i = 2; i < 99; ++i) expected.push_back(members[i]);
  auto ids_of = [](const json::value& report) {
    std::vector<std::string> out;
    for (const auto& st : report.at("statuses").as_array()) out.push_back(Str(st, "id"));
    return out;
  };
  EXPECT_EQ(ids_of(Show(case_id)), expected);
  const json::value list = Reports();
  ASSERT_EQ(list.as_array().size(), 1u);
  EXPECT_EQ(ids_of(list.as_array()[0]), expected);
  // The statuses are the members' own (their authors), not copies of the target.
  EXPECT_EQ(Str(Show(case_id).at("statuses").as_array()[1].at("account"), "id"), IdOf(carol));
}

TEST_F(AdminReportsTest, FiltersSelectByStateReporterAndTarget) {
  const std::string p1 = PostStatus(bob, "one");
  const std::string p2 = PostStatus(carol, "two");
  Report(alice, bob, {p1}, "a");
  Report(alice, carol, {p2}, "b");
  Report(bob, carol, {}, "the whole account");  // an account case
  struct Case {
    std::string query;
    size_t want;
  };
  const std::vector<Case> cases = {
      {"", 3},
      {"?target_account_id=" + IdOf(carol), 2},
      {"?target_account_id=" + IdOf(bob), 1},
      {"?target_account_id=" + IdOf(alice), 0},
      {"?account_id=" + IdOf(alice), 2},
      {"?account_id=" + IdOf(bob), 1},
      {"?account_id=" + IdOf(carol), 0},
      {"?account_id=" + IdOf(alice) + "&target_account_id=" + IdOf(carol), 1},
      {"?resolved=true", 0},
      {"?resolved=true&unresolved=true", 3},
      {"?target_origin=local", 3},
      {"?target_origin=remote", 0},
      {"?by_target_domain=example.com", 0},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Reports(c.query).as_array().size(), c.want) << c.query;
  }
  EXPECT_EQ(server.Get("/api/v1/admin/reports?target_origin=mars", mod.token).status, 400);
  EXPECT_EQ(server.Get("/api/v1/admin/reports?account_id=x", mod.token).status, 400);
  EXPECT_EQ(server.Get("/api/v1/admin/reports?limit=-2", mod.token).status, 400);

  // Resolving one moves it from the default list to resolved=true.
  const std::string first = Str(Reports("?target_account_id=" + IdOf(bob)).as_array()[0], "id");
  ASSERT_EQ(Do(first, "resolve", mod.token).status, 200);
  EXPECT_EQ(Reports().as_array().size(), 2u);
  const json::value resolved = Reports("?resolved=true");
  ASSERT_EQ(resolved.as_array().size(), 1u);
  EXPECT_EQ(Str(resolved.as_array()[0], "id"), first);
  EXPECT_EQ(Reports("?resolved=true&unresolved=true").as_array().size(), 3u);
}

TEST_F(AdminReportsTest, PagingFollowsTheLinkHeader) {
  std::vector<std::string> all;
  for (int i = 0; i < 5; ++i) Report(alice, bob, {PostStatus(bob, "p" + std::to_string(i))}, "x");
  std::string next = "/api/v1/admin/reports?limit=2";
  int pages = 0;
  while (!next.empty() && pages < 10) {
    auto r = server.Get(next, mod.token);
    ASSERT_EQ(r.status, 200) << r.body;
    for (const auto& id : Ids(r)) all.push_back(id);
    if (Ids(r).size() < 2) {
      EXPECT_EQ(NextPath(r), "");
    }
    next = NextPath(r);
    ++pages;
  }
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(all.size(), 5u);
  std::vector<std::string> sorted = all;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::unique(sorted.begin(), sorted.end()), sorted.end());  // no repeats
  // Queue order: the same as the case queue.
  auto queue = server.Get("/api/v1/admin/cases?limit=10", mod.token);
  ASSERT_EQ(queue.status, 200) << queue.body;
  EXPECT_EQ(Ids(queue), all);
}

TEST_F(AdminReportsTest, AssignmentIsExclusiveAndAudited) {
  Report(alice, bob, {PostStatus(bob, "x")}, "x");
  const std::string id = Str(Reports().as_array()[0], "id");
  auto mine = Do(id, "assign_to_self", mod.token);
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(Str(mine.json().at("assigned_account"), "username"), "mod");
  // Someone else cannot take it, nor give it back for the holder.
  auto taken = Do(id, "assign_to_self", mod2.token);
  EXPECT_EQ(taken.status, 409) << taken.body;
  EXPECT_FALSE(taken.error().empty());
  EXPECT_EQ(Do(id, "unassign", mod2.token).status, 403);
  EXPECT_EQ(Do(id, "resolve", mod2.token).status, 409);
  EXPECT_EQ(Str(Show(id).at("assigned_account"), "username"), "mod");
  // Assigning again to oneself renews; unassigning frees it.
  EXPECT_EQ(Do(id, "assign_to_self", mod.token).status, 200);
  auto freed = Do(id, "unassign", mod.token);
  ASSERT_EQ(freed.status, 200);
  EXPECT_TRUE(freed.json().at("assigned_account").is_null());
  EXPECT_EQ(Do(id, "assign_to_self", mod2.token).status, 200);
  // An admin may take it away.
  EXPECT_EQ(Do(id, "unassign", admin.token).status, 200);
  EXPECT_EQ(AuditCount("report.assign_to_self", id), 3u);
  EXPECT_EQ(AuditCount("report.unassign", id), 2u);
  EXPECT_EQ(server.Post("/api/v1/admin/reports/424242/assign_to_self", "{}", mod.token).status, 404);
}

TEST_F(AdminReportsTest, ResolveAndReopen) {
  const std::string post = PostStatus(bob, "x");
  Report(alice, bob, {post}, "x");
  const std::string id = Str(Reports().as_array()[0], "id");
  auto resolved = Do(id, "resolve", mod.token);
  ASSERT_EQ(resolved.status, 200) << resolved.body;
  EXPECT_TRUE(resolved.json().at("action_taken").as_bool());
  EXPECT_FALSE(resolved.json().at("action_taken_at").is_null());
  EXPECT_EQ(Str(resolved.json().at("action_taken_by_account"), "username"), "mod");
  EXPECT_EQ(Do(id, "resolve", mod2.token).status, 200);  // already resolved: unchanged
  EXPECT_EQ(AuditCount("report.resolve", id), 1u);
  // The post is untouched; the reporter's report shows the outcome.
  EXPECT_EQ(server.Get("/api/v1/statuses/" + post, carol.token).status, 200);
  auto reopened = Do(id, "reopen", mod2.token);
  ASSERT_EQ(reopened.status, 200) << reopened.body;
  EXPECT_FALSE(reopened.json().at("action_taken").as_bool());
  EXPECT_TRUE(reopened.json().at("action_taken_by_account").is_null());
  EXPECT_EQ(Reports().as_array().size(), 1u);
  EXPECT_EQ(AuditCount("report.reopen", id), 1u);

  // Reopening is refused while a newer case about the same status is open.
  ASSERT_EQ(Do(id, "resolve", mod.token).status, 200);
  Report(carol, bob, {post}, "again");
  const json::value open = Reports();
  ASSERT_EQ(open.as_array().size(), 1u);
  EXPECT_NE(Str(open.as_array()[0], "id"), id);
  EXPECT_EQ(Do(id, "reopen", mod.token).status, 409);
}

TEST_F(AdminReportsTest, UpdateCategoryAndRules) {
  Report(alice, bob, {PostStatus(bob, "x")}, "x", "other");
  const std::string id = Str(Reports().as_array()[0], "id");
  const std::string path = "/api/v1/admin/reports/" + id;
  EXPECT_EQ(Str(Show(id), "category"), "other");
  auto r = server.Put(path, R"({"category":"violation","rule_ids":[")" + rule_id + R"("]})", mod.token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(r.json(), "category"), "violation");
  ASSERT_EQ(r.json().at("rules").as_array().size(), 1u);
  EXPECT_EQ(Str(r.json().at("rules").as_array()[0], "id"), rule_id);
  EXPECT_EQ(Str(r.json().at("rules").as_array()[0], "text"), "No spam");
  // Bad input changes nothing.
  for (const std::string& body : {std::string(R"({"category":"bogus"})"),
                                 std::string(R"({"rule_ids":["123"]})"),
                                 std::string(R"({"rule_ids":["x"]})"),
                                 std::string(R"({"category":"spam","rule_ids":[")") + rule_id + "\"]}"}) {
    auto bad = server.Put(path, body, mod.token);
    EXPECT_EQ(bad.status, 422) << body << ": " << bad.body;
    EXPECT_FALSE(bad.error().empty());
  }
  const json::value after = Show(id);
  EXPECT_EQ(Str(after, "category"), "violation");
  EXPECT_EQ(after.at("rules").as_array().size(), 1u);
  EXPECT_EQ(AuditCount("report.update", id), 1u);
  // Another category drops the rules.
  auto spam = server.Put(path, R"({"category":"spam"})", mod.token);
  ASSERT_EQ(spam.status, 200);
  EXPECT_EQ(Str(spam.json(), "category"), "spam");
  EXPECT_TRUE(spam.json().at("rules").as_array().empty());
  EXPECT_EQ(server.Put("/api/v1/admin/reports/424242", R"({"category":"spam"})", mod.token).status,
            404);
}

TEST_F(AdminReportsTest, AccountActionsCloseReports) {
  const std::string p1 = PostStatus(bob, "one");
  const std::string p2 = PostStatus(bob, "two");
  Report(alice, bob, {p1}, "a");
  Report(carol, bob, {p2}, "b");
  Report(alice, carol, {PostStatus(carol, "three")}, "c");
  const std::string bob_case = Str(Reports("?target_account_id=" + IdOf(bob)).as_array()[0], "id");
  const std::string carol_case =
      Str(Reports("?target_account_id=" + IdOf(carol)).as_array()[0], "id");
  // report_id must be about the account.
  auto wrong = server.Post("/api/v1/admin/accounts/" + IdOf(bob) + "/action",
                           R"({"type":"none","report_id":")" + carol_case + "\"}", mod.token);
  EXPECT_EQ(wrong.status, 422) << wrong.body;
  EXPECT_EQ(Reports().as_array().size(), 3u);
  // "none" with a report: that report only.
  auto warn = server.Post("/api/v1/admin/accounts/" + IdOf(bob) + "/action",
                          R"({"type":"none","report_id":")" + bob_case + "\"}", mod.token);
  ASSERT_EQ(warn.status, 200) << warn.body;
  EXPECT_TRUE(Show(bob_case).at("action_taken").as_bool());
  EXPECT_EQ(Str(Show(bob_case).at("action_taken_by_account"), "username"), "mod");
  EXPECT_EQ(Reports("?target_account_id=" + IdOf(bob)).as_array().size(), 1u);
  // Any other action: every open report about the account.
  ASSERT_EQ(server.Post("/api/v1/admin/accounts/" + IdOf(bob) + "/action",
                        R"({"type":"silence"})", mod.token)
                .status,
            200);
  EXPECT_TRUE(Reports("?target_account_id=" + IdOf(bob)).as_array().empty());
  EXPECT_EQ(Reports("?target_account_id=" + IdOf(bob) + "&resolved=true").as_array().size(), 2u);
  EXPECT_EQ(Reports().as_array().size(), 1u);  // carol's is still open
  EXPECT_FALSE(Show(carol_case).at("action_taken").as_bool());
}

}  // namespace
}  // namespace stoa::testing
