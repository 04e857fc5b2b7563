// Every admin endpoint of the server (grep "/api/v[12]/admin" in src/http/api/*_routes.cc; keep
// this table complete) refuses members (403), app-only tokens (403) and anonymous callers (401),
// even with every admin scope, and changes nothing; staff without the admin scopes get 403 too.
#include <gtest/gtest.h>

#include "common/strings.h"
#include "tests/integration/test_server.h"

namespace stoa::testing {
namespace {

namespace json = boost::json;

struct Endpoint {
  std::string method;
  std::string path;
  std::string body;  // a body that would do something if the caller were allowed
};

class AdminAuthzTest : public ::testing::Test {
 protected:
  void SetUp() override {
    owner = server.CreateUser("olga", Role::kOwner, kAllScopes);
    mod = server.CreateUser("mod", Role::kModerator, kAllScopes);
    member = server.CreateUser("mallory", Role::kMember, kAllScopes);
    alice = server.CreateUser("alice");
    bob = server.CreateUser("bob");
    auto post = server.Post("/api/v1/statuses", R"({"status":"reported"})", bob.token);
    ASSERT_EQ(post.status, 200) << post.body;
    const std::string post_id(post.json().at("id").as_string());
    status_id = post_id;
    auto report = server.Post("/api/v1/reports",
                              R"({"account_id":")" + std::to_string(bob.id) +
                                  R"(","status_ids":[")" + post_id + R"("],"comment":"x"})",
                              alice.token);
    ASSERT_EQ(report.status, 200) << report.body;
    auto cases = server.Get("/api/v1/admin/reports", mod.token);
    ASSERT_EQ(cases.status, 200) << cases.body;
    ASSERT_EQ(cases.json().as_array().size(), 1u);
    case_id = std::string(cases.json().as_array()[0].at("id").as_string());
    // A pending sign-up (approve / reject) and a suspended account (delete).
    social::Registration r;
    r.username = "pending";
    r.email = "pending@example.org";
    r.password = "password-pending";
    r.agreement = true;
    std::vector<social::FieldError> errors;
    auto pending = server.app().accounts().Register(r, &errors, true);
    ASSERT_TRUE(pending.ok()) << pending.status().ToString();
    pending_id = std::to_string((*pending)->id);
    ASSERT_EQ(server.Post("/api/v1/admin/accounts/" + std::to_string(alice.id) + "/action",
                          R"({"type":"suspend"})", mod.token)
                  .status,
              200);
    auto preset = server.app().warning_presets().Create(owner.id, "Spam", "Please stop.");
    ASSERT_TRUE(preset.ok()) << preset.status().ToString();
    preset_id = std::to_string(preset->id);
  }

  // Everything an admin call could change: accounts' moderation state, cases, notes, audit log,
  // decisions, outbox.
  std::string Fingerprint() {
    auto read = server.app().storage().Read();
    std::string out;
    storage::PageQuery page;
    page.limit = 1000;
    for (const auto& row : read->accounts().ListForAdmin({}, page, server.app().core().Now())) {
      out += std::to_string(row.account.id) + (row.account.suspended() ? "S" : "-") +
             (row.account.silenced() ? "L" : "-") + (row.account.sensitized() ? "N" : "-") +
             (row.user.disabled ? "D" : "-") + (row.user.approved ? "A" : "-") +
             RoleName(row.user.role).data() + ";";
    }
    auto kase = read->cases().Get(*ParseId(case_id));
    if (kase.ok()) {
      out += "case " + std::to_string(kase->version) + " " + std::to_string(kase->assigned_to) +
             " " + std::string(CaseStateName(kase->state)) + ";";
      out += "notes " + std::to_string(read->cases().ListNotes(kase->id).size()) + ";";
      out += "statuses " + std::to_string(read->cases().ListStatuses(kase->id, 100).size()) + ";";
      out += "decisions " + std::to_string(read->decisions().ListForCase(kase->id).size()) + ";";
    }
    out += "audit " + std::to_string(read->audit().List({}, page).size()) + ";";
    out += "outbox " + std::to_string(read->outbox().List(page, false).size()) + ";";
    for (const auto& p : read->decisions().ListWarningPresets()) out += "preset " + p.title + ";";
    return out;
  }

  static constexpr const char* kAllScopes = "read write follow push admin:read admin:write";
  TestServer server;
  TestServer::User owner, mod, member, alice, bob;
  std::string case_id, status_id, pending_id, preset_id;
};

TEST_F(AdminAuthzTest, EveryAdminEndpointRefusesMembersAppsAndAnonymousCallers) {
  const std::string bob_id = std::to_string(bob.id);
  const std::string alice_id = std::to_string(alice.id);
  const std::string decision = R"({"action":"remove_status","ground":"terms","facts":"f",)"
                               R"("reasons":"r","version":1})";
  const std::vector<Endpoint> endpoints = {
      // Mastodon admin accounts (admin_account_routes.cc)
      {"GET", "/api/v1/admin/accounts", ""},
      {"GET", "/api/v2/admin/accounts", ""},
      {"GET", "/api/v1/admin/accounts/" + bob_id, ""},
      {"POST", "/api/v1/admin/accounts/" + bob_id + "/action", R"({"type":"suspend"})"},
      {"POST", "/api/v1/admin/accounts/" + pending_id + "/approve", "{}"},
      {"POST", "/api/v1/admin/accounts/" + pending_id + "/reject", "{}"},
      {"POST", "/api/v1/admin/accounts/" + alice_id + "/enable", "{}"},
      {"POST", "/api/v1/admin/accounts/" + alice_id + "/unsilence", "{}"},
      {"POST", "/api/v1/admin/accounts/" + alice_id + "/unsuspend", "{}"},
      {"POST", "/api/v1/admin/accounts/" + alice_id + "/unsensitive", "{}"},
      {"DELETE", "/api/v1/admin/accounts/" + alice_id, ""},
      {"POST", "/api/v1/admin/accounts/" + bob_id + "/role", R"({"role":"admin"})"},
      // Warning presets (admin_account_routes.cc)
      {"GET", "/api/v1/admin/warning_presets", ""},
      {"GET", "/api/v1/admin/warning_presets/" + preset_id, ""},
      {"POST", "/api/v1/admin/warning_presets", R"({"title":"t","text":"x"})"},
      {"PUT", "/api/v1/admin/warning_presets/" + preset_id, R"({"title":"renamed"})"},
      {"DELETE", "/api/v1/admin/warning_presets/" + preset_id, ""},
      // Mastodon admin reports (admin_report_routes.cc)
      {"GET", "/api/v1/admin/reports", ""},
      {"GET", "/api/v1/admin/reports/" + case_id, ""},
      {"PUT", "/api/v1/admin/reports/" + case_id, R"({"category":"spam"})"},
      {"POST", "/api/v1/admin/reports/" + case_id + "/assign_to_self", "{}"},
      {"POST", "/api/v1/admin/reports/" + case_id + "/unassign", "{}"},
      {"POST", "/api/v1/admin/reports/" + case_id + "/resolve", "{}"},
      {"POST", "/api/v1/admin/reports/" + case_id + "/reopen", "{}"},
      // Cases (case_routes.cc)
      {"GET", "/api/v1/admin/cases", ""},
      {"POST", "/api/v1/admin/cases/next", "{}"},
      {"GET", "/api/v1/admin/cases/" + case_id, ""},
      {"POST", "/api/v1/admin/cases/" + case_id + "/renew", "{}"},
      {"POST", "/api/v1/admin/cases/" + case_id + "/release", "{}"},
      {"POST", "/api/v1/admin/cases/" + case_id + "/assign",
       R"({"moderator_id":")" + std::to_string(mod.id) + "\"}"},
      {"GET", "/api/v1/admin/cases/" + case_id + "/notes", ""},
      {"POST", "/api/v1/admin/cases/" + case_id + "/notes", R"({"text":"a note"})"},
      {"DELETE", "/api/v1/admin/cases/" + case_id + "/statuses/" + status_id + "?reason=x", ""},
      // Decisions (decision_routes.cc)
      {"POST", "/api/v1/admin/cases/" + case_id + "/decision", decision},
      {"POST", "/api/v1/admin/cases/decisions",
       R"({"cases":[{"id":")" + case_id + R"(","version":1}],"action":"no_action"})"},
      {"GET", "/api/v1/admin/decisions/1", ""},
      // Audit log (audit_routes.cc) and outbox (report_routes.cc)
      {"GET", "/api/v1/admin/audit_log", ""},
      {"GET", "/api/v1/admin/outbox", ""},
  };
  const std::string app_token = server.Token(kNoId, kAllScopes);
  const std::string before = Fingerprint();
  for (const auto& e : endpoints) {
    SCOPED_TRACE(e.method + " " + e.path);
    std::vector<std::pair<std::string, std::string>> headers;
    if (!e.body.empty()) headers.emplace_back("Content-Type", "application/json");
    auto as_member = server.Send(e.method, e.path, e.body, headers, member.token);
    EXPECT_EQ(as_member.status, 403) << as_member.body;
    EXPECT_EQ(as_member.error(), "This action is not allowed");
    auto as_app = server.Send(e.method, e.path, e.body, headers, app_token);
    EXPECT_EQ(as_app.status, 403) << as_app.body;
    EXPECT_EQ(as_app.error(), "This action is not allowed");
    auto anonymous = server.Send(e.method, e.path, e.body, headers);
    EXPECT_EQ(anonymous.status, 401) << anonymous.body;
    EXPECT_FALSE(anonymous.error().empty());
    EXPECT_EQ(anonymous.header("content-type"), "application/json; charset=utf-8");
    // Staff whose token lacks the admin scopes are refused as well.
    auto no_scope = server.Send(e.method, e.path, e.body, headers,
                                server.Token(owner.id, "read write follow push"));
    EXPECT_EQ(no_scope.status, 403) << no_scope.body;
  }
  EXPECT_EQ(Fingerprint(), before);
  // The table names real routes: staff get answers from each GET.
  for (const auto& e : endpoints) {
    if (e.method != "GET" || e.path.find("/decisions/") != std::string::npos) continue;
    auto r = server.Get(e.path, owner.token);
    EXPECT_EQ(r.status, 200) << e.path << ": " << r.body;
  }
}

}  // namespace
}  // namespace stoa::testing
