// Retroaction over HTTP and through the real binary (docs/screening.md, "Retroaction"): posts
// published while screening was off are flagged by a rescan into cases, at the urgency of their
// verdict, without being hidden; clean posts open nothing; a second run adds no notice; a running
// job answers 409 to another start, stops cleanly and is remembered across a restart; admins
// start rescans, moderators watch them; bad dates are 422 (exit status 2 for `stoa screen`).
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/integration/moderation_fixture.h"
#include "tests/integration/run_stoa.h"
#include "tests/integration/screening_fixture.h"

namespace stoa::testing {
namespace {

std::string RulesPath() {
  static const std::string path = WriteRulesFile(
      "stoa-rescan-it",
      RulesFileText("rescan.1", {WordRule("spam", "flagword", "0.3", "publish_and_flag"),
                                 WordRule("threat", "holdword", "0.9", "hold"),
                                 WordRule("violence", "rejectword", "1", "reject")}));
  return path;
}

void ScreeningOn(Config& c) {
  // Only the rules decide here: the classifier flags only when it is very sure.
  EnableScreening(c, RulesPath(), {0.85, 0.88, 0.95});
}

int64_t Int(const json::value& v, const char* key) {
  const auto* p = v.as_object().if_contains(key);
  return p != nullptr && p->is_int64() ? p->as_int64() : -1;
}

class ScreeningRescanTest : public ModerationTest {
 protected:
  ScreeningRescanTest() : ModerationTest(ScreeningOn) {}

  // Posts with the screening hook off: what a server with screening.enabled = false published.
  std::string PostUnscreened(const std::string& text) {
    server.app().posts().SetScreening(nullptr);
    const std::string id = PostStatus(author, text).id;
    server.app().posts().SetScreening(server.app().screening());
    return id;
  }

  HttpResponse StartRescan(const std::string& body, const std::string& token) {
    return server.Post("/api/v1/admin/screening/rescan", body, token);
  }

  // Polls the job until it is no longer running (a wait, not a timing assertion).
  json::value WaitForEnd() {
    json::value job;
    for (int i = 0; i < 6000; ++i) {
      auto r = server.Get("/api/v1/admin/screening/rescan", mod.token);
      EXPECT_EQ(r.status, 200) << r.body;
      job = r.json();
      if (Str(job, "state") != "running") return job;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "the rescan did not end: " << job;
    return job;
  }

  json::value RunRescan() {
    auto r = StartRescan(R"({"since":"2000-01-01"})", admin.token);
    EXPECT_EQ(r.status, 202) << r.body;
    return WaitForEnd();
  }

  std::vector<json::value> Cases() {
    std::vector<json::value> out;
    auto r = server.Get("/api/v1/admin/cases", mod.token);
    EXPECT_EQ(r.status, 200) << r.body;
    const json::value body = r.json();
    if (body.is_array()) {
      for (const auto& c : body.as_array()) out.push_back(c);
    }
    return out;
  }
  // The case about status `id`, or null.
  json::value CaseAbout(const std::string& id) {
    for (const auto& c : Cases()) {
      if (Str(c, "target_id") == id) {
        auto r = server.Get("/api/v1/admin/cases/" + Str(c, "id"), mod.token);
        EXPECT_EQ(r.status, 200) << r.body;
        return r.json();
      }
    }
    return nullptr;
  }
  std::vector<ScreeningRecord> Records(const std::string& id) {
    return server.app().storage().Read()->posts().ListScreenings(*ParseId(id));
  }
};

TEST_F(ScreeningRescanTest, FlagsPostsPublishedWhileScreeningWasOffWithoutHidingThem) {
  // The same hold-level text screened at creation (held, a case) and published unscreened.
  auto held = server.Post("/api/v1/statuses", R"({"status":"holdword at the harbour"})",
                          author.token);
  ASSERT_EQ(held.status, 200) << held.body;
  ASSERT_TRUE(held.json().as_object().contains("held"));
  const std::string held_id = Str(held.json(), "id");
  const std::string hold = PostUnscreened("holdword at the harbour");
  const std::string flag = PostUnscreened("cheap flagword deals");
  const std::string reject = PostUnscreened("rejectword now");
  const std::string clean = PostUnscreened("Lovely weather in the park today");
  const std::string deleted = PostUnscreened("holdword but deleted");
  ASSERT_EQ(server.Delete("/api/v1/statuses/" + deleted, author.token).status, 200);
  ASSERT_EQ(Cases().size(), 1u);  // only the held post's
  for (const auto& id : {hold, flag, reject, clean}) EXPECT_TRUE(Records(id).empty());

  auto started = StartRescan(R"({"since":"2000-01-01"})", admin.token);
  ASSERT_EQ(started.status, 202) << started.body;
  const json::value first = started.json();
  EXPECT_EQ(Str(first, "state"), "running");
  EXPECT_FALSE(Str(first, "id").empty());
  EXPECT_EQ(Str(first, "since"), "2000-01-01T00:00:00.000Z");
  EXPECT_TRUE(first.as_object().at("until").is_null());
  EXPECT_TRUE(first.as_object().at("finished_at").is_null());
  EXPECT_FALSE(Str(first, "started_at").empty());
  for (const char* key : {"scanned", "total", "flagged"}) {
    EXPECT_TRUE(first.as_object().contains(key)) << key;
  }
  EXPECT_TRUE(first.as_object().at("cases").is_object());

  const json::value job = WaitForEnd();
  EXPECT_EQ(Str(job, "state"), "done") << job;
  EXPECT_EQ(Str(job, "id"), Str(first, "id"));
  // The held and the deleted post are not read; four published ones are.
  EXPECT_EQ(Int(job, "total"), 4) << job;
  EXPECT_EQ(Int(job, "scanned"), 4) << job;
  EXPECT_EQ(Int(job, "flagged"), 3) << job;
  EXPECT_EQ(Int(job.as_object().at("cases"), "opened"), 3) << job;
  EXPECT_EQ(Int(job.as_object().at("cases"), "joined"), 0) << job;
  EXPECT_EQ(Str(job, "rules_version"), "rescan.1");
  EXPECT_FALSE(Str(job, "finished_at").empty());

  // Every hit stays published (no unreviewed removal) and has a case with an automated notice.
  for (const auto& [id, verdict] : {std::pair{hold, "hold"}, std::pair{flag, "publish_and_flag"},
                                    std::pair{reject, "reject"}}) {
    EXPECT_EQ(server.Get("/api/v1/statuses/" + id).status, 200) << verdict;
    const json::value c = CaseAbout(id);
    ASSERT_TRUE(c.is_object()) << "no case about the " << verdict << " post";
    const auto& notices = c.as_object().at("notices").as_array();
    ASSERT_EQ(notices.size(), 1u) << c;
    EXPECT_EQ(Str(notices[0], "source"), "automated");
    auto records = Records(id);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].verdict, verdict);
    EXPECT_EQ(records[0].rules_version, "rescan.1");
    EXPECT_EQ(records[0].reason.rfind(std::string("retroactive screening (") + verdict, 0), 0u)
        << records[0].reason;
  }
  EXPECT_TRUE(CaseAbout(clean).is_null());
  EXPECT_TRUE(Records(clean).empty());
  EXPECT_TRUE(CaseAbout(deleted).is_null());
  // A retroactive hold scores like the same hold at creation.
  const json::value at_creation = CaseAbout(held_id);
  const json::value retro = CaseAbout(hold);
  ASSERT_TRUE(at_creation.is_object());
  EXPECT_EQ(Str(retro, "urgency"), Str(at_creation, "urgency"));
  EXPECT_EQ(Str(retro, "category"), Str(at_creation, "category"));
  EXPECT_EQ(Int(retro, "score"), Int(at_creation, "score"));
  EXPECT_EQ(Str(retro, "deadline_at"), Str(at_creation, "deadline_at"));
  EXPECT_EQ(Str(CaseAbout(reject), "category"), "STATEMENT_CATEGORY_VIOLENCE");
  // Who ran which rules over which range is in the audit log.
  std::vector<AuditEntry> starts;
  for (const AuditEntry& e : server.app().storage().Read()->audit().ListBySeq(0, 10000)) {
    if (e.action == "screening.rescan") starts.push_back(e);
  }
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0].actor_id, admin.id);
  EXPECT_EQ(starts[0].target_id, Str(first, "id"));
  EXPECT_NE(starts[0].details_json.find(R"("rules_version":"rescan.1")"), std::string::npos)
      << starts[0].details_json;
}

TEST_F(ScreeningRescanTest, CleanPostsOpenNothing) {
  for (const char* text : {"Lovely weather in the park today", "Coffee with friends at noon",
                           "The train was on time for once"}) {
    PostUnscreened(text);
  }
  PostStatus(author, "A screened and harmless post");
  const json::value job = RunRescan();
  EXPECT_EQ(Str(job, "state"), "done") << job;
  EXPECT_EQ(Int(job, "scanned"), 4);
  EXPECT_EQ(Int(job, "flagged"), 0);
  EXPECT_EQ(Int(job.as_object().at("cases"), "opened"), 0);
  EXPECT_TRUE(Cases().empty());
}

TEST_F(ScreeningRescanTest, RunningTwiceAddsNoSecondNotice) {
  const std::string unscreened = PostUnscreened("cheap flagword deals");
  // Flagged at creation by the same rules and model: the rescan must not notice it again.
  const std::string screened = PostStatus(author, "more flagword offers").id;
  ASSERT_TRUE(CaseAbout(screened).is_object());

  json::value first = RunRescan();
  EXPECT_EQ(Int(first, "flagged"), 1) << first;
  EXPECT_EQ(Int(first, "skipped"), 1) << first;
  json::value second = RunRescan();
  EXPECT_EQ(Str(second, "state"), "done");
  EXPECT_NE(Str(second, "id"), Str(first, "id"));
  EXPECT_EQ(Int(second, "scanned"), 2) << second;
  EXPECT_EQ(Int(second, "flagged"), 0) << second;
  EXPECT_EQ(Int(second, "skipped"), 2) << second;
  for (const auto& id : {unscreened, screened}) {
    const json::value c = CaseAbout(id);
    ASSERT_TRUE(c.is_object());
    EXPECT_EQ(c.as_object().at("notices").as_array().size(), 1u) << c;
    EXPECT_EQ(Records(id).size(), 1u);
  }
  EXPECT_EQ(Cases().size(), 2u);
}

TEST_F(ScreeningRescanTest, StatusesOfSuspendedAccountsAreSkipped) {
  const std::string flagged = PostUnscreened("holdword by the author");
  server.app().posts().SetScreening(nullptr);
  const std::string suspended = PostStatus(stranger, "holdword by the stranger").id;
  server.app().posts().SetScreening(server.app().screening());
  auto act = server.Post("/api/v1/admin/accounts/" + IdToString(stranger.id) + "/action",
                         R"({"type":"suspend","text":"spam wave"})", mod.token);
  ASSERT_EQ(act.status, 200) << act.body;
  const size_t cases_before = Cases().size();  // the suspension may open an account case
  const json::value job = RunRescan();
  EXPECT_EQ(Int(job, "scanned"), 2) << job;
  EXPECT_EQ(Int(job, "flagged"), 1) << job;
  EXPECT_EQ(Int(job, "skipped"), 1) << job;
  EXPECT_TRUE(CaseAbout(flagged).is_object());
  EXPECT_TRUE(CaseAbout(suspended).is_null());
  EXPECT_TRUE(Records(suspended).empty());
  EXPECT_EQ(Cases().size(), cases_before + 1);
}

TEST_F(ScreeningRescanTest, ARunningJobRefusesASecondStartAndStopsCleanly) {
  for (int i = 0; i < 3; ++i) PostUnscreened("harmless post number " + std::to_string(i));
  // One status per batch and a minute between batches: the job is deterministically still
  // running after its first batch.
  auto r = StartRescan(R"({"since":"2000-01-01","batch_size":1,"pause_ms":60000})", admin.token);
  ASSERT_EQ(r.status, 202) << r.body;
  const std::string id = Str(r.json(), "id");
  json::value job;
  for (int i = 0; i < 6000; ++i) {
    job = server.Get("/api/v1/admin/screening/rescan", mod.token).json();
    if (Int(job, "scanned") >= 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(Str(job, "state"), "running") << job;
  EXPECT_EQ(Int(job, "scanned"), 1) << job;
  EXPECT_EQ(Int(job, "total"), 3) << job;

  auto again = StartRescan(R"({"since":"2000-01-01"})", admin.token);
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_NE(again.error().find("already running"), std::string::npos) << again.body;

  // What server shutdown does: the job ends after its batch, stored as stopped.
  server.app().rescan()->Stop();
  job = server.Get("/api/v1/admin/screening/rescan", mod.token).json();
  EXPECT_EQ(Str(job, "id"), id);
  EXPECT_EQ(Str(job, "state"), "stopped") << job;
  EXPECT_FALSE(Str(job, "finished_at").empty());
  EXPECT_EQ(Int(job, "scanned"), 1);

  // After a restart the stored run is shown.
  server.Restart();
  auto shown = server.Get("/api/v1/admin/screening/rescan", mod.token);
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(Str(shown.json(), "id"), id);
  EXPECT_EQ(Str(shown.json(), "state"), "stopped");
}

TEST_F(ScreeningRescanTest, ARunLeftRunningByADeadServerIsInterrupted) {
  ScreeningRescanJob job;
  job.id = server.app().core().ids().Next();
  job.state = "running";
  job.since = FromUnixMillis(0);
  job.started_at = server.app().core().Now();
  ASSERT_TRUE(server.app().storage().Write([&](storage::Transaction& tx) {
    return tx.posts().PutRescan(job);
  }).ok());
  server.Restart();
  auto shown = server.Get("/api/v1/admin/screening/rescan", mod.token);
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(Str(shown.json(), "id"), IdToString(job.id));
  EXPECT_EQ(Str(shown.json(), "state"), "interrupted");
  EXPECT_FALSE(Str(shown.json(), "finished_at").empty());
  // A new run may start.
  EXPECT_EQ(StartRescan(R"({"since":"2000-01-01"})", admin.token).status, 202);
  EXPECT_EQ(Str(WaitForEnd(), "state"), "done");
}

TEST_F(ScreeningRescanTest, AdminsStartModeratorsWatch) {
  EXPECT_EQ(server.Get("/api/v1/admin/screening/rescan", mod.token).status, 404);
  EXPECT_EQ(StartRescan(R"({"since":"2000-01-01"})", "").status, 401);
  EXPECT_EQ(StartRescan(R"({"since":"2000-01-01"})", author.token).status, 403);
  EXPECT_EQ(StartRescan(R"({"since":"2000-01-01"})", mod.token).status, 403);
  EXPECT_EQ(server.Get("/api/v1/admin/screening/rescan", author.token).status, 403);
  EXPECT_EQ(server.Get("/api/v1/admin/screening/rescan").status, 401);
  EXPECT_EQ(server.Get("/api/v1/admin/screening/rescan", mod.token).status, 404);
  RunRescan();
  EXPECT_EQ(server.Get("/api/v1/admin/screening/rescan", mod.token).status, 200);
}

TEST_F(ScreeningRescanTest, BadDatesAreRefused) {
  for (const char* body :
       {R"({})", R"({"since":""})", R"({"since":"yesterday"})", R"({"since":"2026-13-01"})",
        R"({"since":"2026-02-01","until":"2026-01-01"})",
        R"({"since":"2026-01-01","until":"2026-01-01"})",
        R"({"since":"2026-01-01","until":"soon"})",
        R"({"since":"2026-01-01","batch_size":0})", R"({"since":"2026-01-01","batch_size":"x"})",
        R"({"since":"2026-01-01","pause_ms":600001})"}) {
    auto r = StartRescan(body, admin.token);
    EXPECT_EQ(r.status, 422) << body << " -> " << r.body;
    EXPECT_FALSE(r.error().empty()) << body;
  }
  EXPECT_EQ(server.Get("/api/v1/admin/screening/rescan", mod.token).status, 404);
  // A time and a bounded range are fine.
  EXPECT_EQ(StartRescan(R"({"since":"2025-12-31T12:00:00Z","until":"2026-02-01"})", admin.token)
                .status,
            202);
  const json::value job = WaitForEnd();
  EXPECT_EQ(Str(job, "until"), "2026-02-01T00:00:00.000Z");
}

// `stoa screen` on a server's data where screening was off: the real binary, exit 0 with the
// summary; bad arguments exit 2 with one line.
class ScreeningRescanCli : public ModerationTest {
 protected:
  ScreeningRescanCli()
      : ModerationTest([](Config& c) { c.screening.enabled = false; }) {}

  std::string ConfigFile() {
    const std::string path = server.data_dir() + "/rescan.toml";
    std::ofstream out(path, std::ios::trunc);
    out << "[screening]\n";
    for (const char* category :
         {"violence", "threat", "incitement", "glorification", "terrorism", "spam"}) {
      out << category << " = \"0.85/0.88/0.95\"\n";
    }
    out << "surge_open_cases = 0\nsurge_oldest_open_minutes = 0\n";
    return path;
  }
};

TEST_F(ScreeningRescanCli, ScreensPublishedPostsAndPrintsASummary) {
  const std::string hold = PostStatus(author, "holdword at the harbour").id;
  const std::string clean = PostStatus(author, "Lovely weather in the park today").id;
  const std::string args = "screen --data " + server.data_dir() + " --config " + ConfigFile() +
                           " --rules " + RulesPath() + " --since 2000-01-01";
  auto r = RunStoa(args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("scanned 2 statuses: 1 flagged, 1 cases opened, 0 joined"),
            std::string::npos)
      << r.output;
  auto read = server.app().storage().Read();
  auto records = read->posts().ListScreenings(*ParseId(hold));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].verdict, "hold");
  EXPECT_TRUE(read->cases().FindOpenForTarget(TargetType::kStatus, *ParseId(hold)).has_value());
  EXPECT_FALSE(read->cases().FindOpenForTarget(TargetType::kStatus, *ParseId(clean)).has_value());
  auto stored = read->posts().LastRescan();
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->state, "done");
  EXPECT_EQ(stored->started_by, kNoId);

  // Idempotent: a second run flags nothing.
  auto again = RunStoa(args);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("scanned 2 statuses: 0 flagged, 0 cases opened, 0 joined, 1 skipped"),
            std::string::npos)
      << again.output;
}

TEST_F(ScreeningRescanCli, BadArgumentsExitWithStatusTwo) {
  const std::string data = " --data " + server.data_dir();
  for (const std::string& args :
       {"screen" + data + " --since yesterday", "screen" + data,
        "screen" + data + " --since 2026-02-01 --until 2026-01-01",
        "screen" + data + " --since 2026-01-01 --until soon",
        "screen" + data + " --since 2026-01-01 --batch-size 0",
        "screen --data " + server.data_dir() + "/nothing-here --since 2026-01-01"}) {
    auto r = RunStoa(args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.output;
    EXPECT_EQ(r.output.rfind("stoa: ", 0), 0u) << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  }
}

// SIGTERM to `stoa serve` while a rescan waits between batches: the server exits 0 without
// waiting for the pause, and the job is stored as stopped.
TEST(ScreeningRescanServe, SigtermStopsARunningJob) {
  namespace fs = std::filesystem;
  std::string pattern = (fs::temp_directory_path() / "stoa-rescan-serve-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const std::string dir = pattern;
  const std::string data = dir + "/data";
  const CommandResult created =
      RunStoa("admin create-user --data " + data +
              " --username boss --email boss@example.org --password longpassword --role admin");
  ASSERT_EQ(created.exit_code, 0) << created.output;
  CommandResult token_out = RunStoa("admin token --data " + data +
                                    " --username boss --scopes 'read write admin:read admin:write'");
  ASSERT_EQ(token_out.exit_code, 0) << token_out.output;
  std::string token = token_out.output;
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();

  // Port 0 is not reported by the binary: pick a free one.
  uint16_t port = 0;
  {
    TestServer probe;
    port = probe.port();
  }
  const std::string listen = "127.0.0.1:" + std::to_string(port);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setenv("STOA_SERVER_ACCESS_LOG", "false", 1);
    ::execl(kStoaBinary, kStoaBinary, "serve", "--data", data.c_str(), "--listen", listen.c_str(),
            "--rules", RulesPath().c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ASSERT_GT(pid, 0);
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
  bool up = false;
  for (int i = 0; i < 600 && !up; ++i) {
    try {
      up = SendHttp(port, "GET", "/health").status == 200;
    } catch (const std::exception&) {
      // Not listening yet.
    }
    if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(up) << "stoa serve did not answer /health";
  for (int i = 0; i < 3; ++i) {
    auto r = SendHttp(port, "POST", "/api/v1/statuses",
                      R"({"status":"a harmless post )" + std::to_string(i) + "\"}", headers);
    ASSERT_EQ(r.status, 200) << r.body;
  }
  auto started = SendHttp(port, "POST", "/api/v1/admin/screening/rescan",
                          R"({"since":"2000-01-01","batch_size":1,"pause_ms":60000})", headers);
  ASSERT_EQ(started.status, 202) << started.body;
  const std::string id = Str(started.json(), "id");
  int64_t scanned = 0;
  for (int i = 0; i < 6000 && scanned < 1; ++i) {
    auto r = SendHttp(port, "GET", "/api/v1/admin/screening/rescan", "", headers);
    scanned = Int(r.json(), "scanned");
    if (scanned < 1) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(scanned, 1);

  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  // Bounded wait (the job's pause is a minute; shutdown must not sit it out).
  int status = -1;
  bool exited = false;
  for (int i = 0; i < 300 && !exited; ++i) {
    exited = ::waitpid(pid, &status, WNOHANG) == pid;
    if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!exited) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  ASSERT_TRUE(exited) << "stoa serve did not stop within 30 s of SIGTERM";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;

  {
    SystemClock clock;
    SecureRandom random;
    Config config;
    config.screening.enabled = false;
    auto app = app::App::Open(data, config, clock, random);
    ASSERT_TRUE(app.ok()) << app.status().message();
    auto job = (*app)->storage().Read()->posts().LastRescan();
    ASSERT_TRUE(job.has_value());
    EXPECT_EQ(IdToString(job->id), id);
    EXPECT_EQ(job->state, "stopped");
    EXPECT_EQ(job->scanned, 1);
    EXPECT_EQ(job->total, 3);
    EXPECT_TRUE(job->finished_at.has_value());
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace stoa::testing
