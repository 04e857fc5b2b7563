// The audit log over HTTP and from the command line: entries appear for audited actions (role
// changes and rule changes through the `stoa` binary), GET /api/v1/admin/audit_log pages and
// filters them for admins and owners only, and `stoa audit verify` names an entry tampered with in
// the SQLite file.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <cstdio>

#include "safety/audit_log.h"
#include "tests/integration/test_server.h"
#include "tests/integration/run_stoa.h"

namespace stoa::testing {
namespace {

namespace json = boost::json;

std::vector<std::string> Ids(const HttpResponse& r) {
  std::vector<std::string> out;
  const json::value body = r.json();
  for (const auto& v : body.as_array()) out.emplace_back(v.at("id").as_string());
  return out;
}

class AuditTest : public ::testing::Test {
 protected:
  // Appends `n` entries directly, as the moderation services do inside their transactions.
  std::vector<AuditEntry> Append(TestServer& s, int n, Id actor, const std::string& action,
                                 const std::string& target_type, const std::string& target_id) {
    std::vector<AuditEntry> out;
    safety::AuditLog log(s.app().core());
    for (int i = 0; i < n; ++i) {
      Status st = s.app().storage().Write([&](storage::Transaction& tx) -> Status {
        ASSIGN_OR_RETURN(AuditEntry e, log.Append(tx, {actor, action, target_type, target_id, "terms",
                                                      "reason " + std::to_string(i),
                                                      R"({"i":)" + std::to_string(i) + "}"}));
        out.push_back(e);
        return Status::Ok();
      });
      EXPECT_TRUE(st.ok()) << st.ToString();
    }
    return out;
  }
};

TEST_F(AuditTest, OnlyAdminsAndOwnersReadTheLog) {
  TestServer server;
  auto member = server.CreateUser("member", Role::kMember, "read admin:read");
  auto moderator = server.CreateUser("site_mod", Role::kModerator, "read admin:read");
  auto admin = server.CreateUser("site_admin", Role::kAdmin, "read admin:read");
  auto owner = server.CreateUser("owner", Role::kOwner, "read admin:read");
  Append(server, 1, moderator.id, "case.claim", "case", "1");
  const std::string app_token = server.Token(kNoId, "read admin:read");

  EXPECT_EQ(server.Get("/api/v1/admin/audit_log").status, 401);
  for (const std::string& token : {member.token, moderator.token, app_token}) {
    auto r = server.Get("/api/v1/admin/audit_log", token);
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_EQ(r.error(), "This action is not allowed");
  }
  for (const std::string& token : {admin.token, owner.token}) {
    auto r = server.Get("/api/v1/admin/audit_log", token);
    ASSERT_EQ(r.status, 200) << r.body;
    const json::value body = r.json();
    ASSERT_EQ(body.as_array().size(), 1u);
  }
}

TEST_F(AuditTest, EntriesShowEveryFieldAndChain) {
  TestServer server;
  auto admin = server.CreateUser("site_admin", Role::kAdmin, "read admin:read");
  auto written = Append(server, 2, admin.id, "case.assign", "case", "77");
  Append(server, 1, kNoId, "screening.reload", "config", "screening");
  auto r = server.Get("/api/v1/admin/audit_log", admin.token);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value body = r.json();
  const auto& list = body.as_array();
  ASSERT_EQ(list.size(), 3u);
  const auto& system = list[0].as_object();
  EXPECT_TRUE(system.at("actor_id").is_null());
  EXPECT_EQ(system.at("seq").as_int64(), 3);
  const auto& second = list[1].as_object();
  EXPECT_EQ(second.at("id").as_string(), IdToString(written[1].id));
  EXPECT_EQ(second.at("seq").as_int64(), 2);
  EXPECT_EQ(second.at("actor_id").as_string(), IdToString(admin.id));
  EXPECT_EQ(second.at("action").as_string(), "case.assign");
  EXPECT_EQ(second.at("target_type").as_string(), "case");
  EXPECT_EQ(second.at("target_id").as_string(), "77");
  EXPECT_EQ(second.at("ground").as_string(), "terms");
  EXPECT_EQ(second.at("reasons").as_string(), "reason 1");
  EXPECT_EQ(second.at("details").as_object().at("i").as_int64(), 1);
  EXPECT_EQ(second.at("hash").as_string(), written[1].hash);
  EXPECT_EQ(second.at("prev_hash").as_string(), list[2].at("hash").as_string());
  EXPECT_EQ(list[2].at("prev_hash").as_string(), std::string(kAuditGenesisHash));
  EXPECT_TRUE(second.contains("created_at"));
}

TEST_F(AuditTest, PagesWithLinkHeadersAndFilters) {
  TestServer server;
  auto admin = server.CreateUser("site_admin", Role::kAdmin, "read admin:read");
  auto a = Append(server, 3, 11, "case.claim", "case", "1");
  auto b = Append(server, 2, 12, "decision.create", "case", "2");
  auto c = Append(server, 2, kNoId, "config.change", "config", "instance_rules");
  std::vector<std::string> all;  // newest first
  for (const auto* group : {&c, &b, &a}) {
    for (auto it = group->rbegin(); it != group->rend(); ++it) all.push_back(IdToString(it->id));
  }

  // Walk by the Link header's next.
  std::vector<std::string> walked;
  std::string target = "/api/v1/admin/audit_log?limit=3";
  for (int guard = 0; guard < 10; ++guard) {
    auto r = server.Get(target, admin.token);
    ASSERT_EQ(r.status, 200) << r.body;
    auto ids = Ids(r);
    if (ids.empty()) break;
    walked.insert(walked.end(), ids.begin(), ids.end());
    const std::string link = r.header("link");
    ASSERT_NE(link.find("rel=\"next\""), std::string::npos) << link;
    const size_t start = link.find("/api/v1/admin/audit_log");
    target = link.substr(start, link.find('>') - start);
  }
  EXPECT_EQ(walked, all);

  // since_id / min_id / max_id.
  auto since = server.Get("/api/v1/admin/audit_log?since_id=" + all[2], admin.token);
  EXPECT_EQ(Ids(since), std::vector<std::string>(all.begin(), all.begin() + 2));
  auto min = server.Get("/api/v1/admin/audit_log?limit=2&min_id=" + all[6], admin.token);
  EXPECT_EQ(Ids(min), std::vector<std::string>({all[4], all[5]}));
  auto max = server.Get("/api/v1/admin/audit_log?limit=2&max_id=" + all[1], admin.token);
  EXPECT_EQ(Ids(max), std::vector<std::string>({all[2], all[3]}));

  struct FilterCase {
    std::string query;
    std::vector<std::string> expected;
  };
  const std::vector<FilterCase> filters = {
      {"action=decision.create", {all[2], all[3]}},
      {"actor_id=11", {all[4], all[5], all[6]}},
      {"actor_id=0", {all[0], all[1]}},
      {"target_type=case&target_id=2", {all[2], all[3]}},
      {"target_type=config", {all[0], all[1]}},
      {"action=case.claim&actor_id=12", {}},
      {"action=case.claim&limit=1", {all[4]}},
  };
  for (const auto& f : filters) {
    auto r = server.Get("/api/v1/admin/audit_log?" + f.query, admin.token);
    ASSERT_EQ(r.status, 200) << f.query << ": " << r.body;
    EXPECT_EQ(Ids(r), f.expected) << f.query;
  }
  // The filters are kept in the links.
  auto filtered = server.Get("/api/v1/admin/audit_log?action=case.claim&limit=1", admin.token);
  EXPECT_NE(filtered.header("link").find("action=case.claim"), std::string::npos);

  for (const std::string bad : {"actor_id=abc", "target_id=5", "limit=x", "max_id=-1"}) {
    auto r = server.Get("/api/v1/admin/audit_log?" + bad, admin.token);
    EXPECT_TRUE(r.status == 422 || r.status == 400) << bad << ": " << r.status;
    EXPECT_FALSE(r.error().empty()) << bad;
  }
}

TEST_F(AuditTest, CliRoleAndRuleChangesAreAuditedAndVerifyNamesATamperedEntry) {
  TestServer server;
  auto owner = server.CreateUser("owner", Role::kOwner, "read admin:read");
  server.CreateUser("alice");
  const std::string data = "--data " + server.data_dir();

  auto set = RunStoa("admin set-role " + data + " --username alice --role moderator");
  ASSERT_EQ(set.exit_code, 0) << set.output;
  EXPECT_NE(set.output.find("member -> moderator"), std::string::npos) << set.output;
  // Bad arguments change nothing and write no entry.
  EXPECT_EQ(RunStoa("admin set-role " + data + " --username alice --role boss").exit_code, 2);
  EXPECT_EQ(RunStoa("admin set-role " + data + " --username nobody --role admin").exit_code, 1);
  EXPECT_EQ(RunStoa("admin set-role " + data + " --username alice --role moderator").exit_code, 1);
  auto add = RunStoa("admin rules add " + data + " --text \"Be kind\"");
  ASSERT_EQ(add.exit_code, 0) << add.output;

  auto r = server.Get("/api/v1/admin/audit_log", owner.token);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value body = r.json();
  const auto& list = body.as_array();
  ASSERT_EQ(list.size(), 2u) << r.body;
  EXPECT_EQ(list[1].at("action").as_string(), "role.change");
  EXPECT_EQ(list[1].at("target_type").as_string(), "account");
  EXPECT_TRUE(list[1].at("actor_id").is_null());
  EXPECT_EQ(list[1].at("details").at("from").as_string(), "member");
  EXPECT_EQ(list[1].at("details").at("to").as_string(), "moderator");
  EXPECT_EQ(list[0].at("action").as_string(), "config.change");
  EXPECT_EQ(list[0].at("target_id").as_string(), "instance_rules");
  EXPECT_EQ(list[0].at("details").at("text").as_string(), "Be kind");
  // The role really changed: alice now reads the moderator-only... at least her role is stored.
  {
    auto read = server.app().storage().Read();
    auto alice = read->accounts().FindByUsername("alice");
    ASSERT_TRUE(alice.ok());
    EXPECT_EQ(read->accounts().GetUser(alice->id)->role, Role::kModerator);
  }
  Append(server, 3, owner.id, "case.claim", "case", "9");

  auto ok = RunStoa("audit verify " + data);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("5 entries"), std::string::npos) << ok.output;
  const std::string head = [&] {
    auto read = server.app().storage().Read();
    return read->audit().Head()->hash;
  }();
  EXPECT_NE(ok.output.find(head), std::string::npos) << ok.output;

  // The triggers refuse changes while they stand.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((server.data_dir() + "/stoa.db").c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  EXPECT_NE(sqlite3_exec(db, "UPDATE audit_log SET reasons = 'x' WHERE seq = 3", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  // An attacker with the file drops them and rewrites the reasons of entry 4.
  char* error = nullptr;
  ASSERT_EQ(sqlite3_exec(db,
                         "DROP TRIGGER audit_log_no_update; "
                         "UPDATE audit_log SET reasons = 'nothing happened' WHERE seq = 4",
                         nullptr, nullptr, &error),
            SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);

  auto broken = RunStoa("audit verify " + data);
  EXPECT_EQ(broken.exit_code, 1) << broken.output;
  EXPECT_NE(broken.output.find("BROKEN at seq 4"), std::string::npos) << broken.output;
  EXPECT_NE(broken.output.find("does not match"), std::string::npos) << broken.output;

  EXPECT_EQ(RunStoa("audit verify").exit_code, 2);
  EXPECT_EQ(RunStoa("audit verify --data " + server.data_dir() + "/missing").exit_code, 2);
}

}  // namespace
}  // namespace stoa::testing
