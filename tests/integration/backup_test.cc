// `stoa backup` and `stoa restore` through the real binary, beside a real `stoa serve`: a backup
// taken while statuses are being created holds every status acknowledged before it began; a second
// server, a restore and a command-line rescan are refused while the server runs; a restore puts the
// copy in place (keeping the database it replaces) and the restarted server serves exactly what the
// copy held.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/run_stoa.h"
#include "tests/integration/serve_process.h"
#include "tests/integration/test_server.h"

namespace stoa::testing {
namespace {

namespace fs = std::filesystem;

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "stoa-backup-XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data());
    data_ = dir_ + "/data";
    for (const char* name : {"alice", "bob"}) {
      const CommandResult created =
          RunStoa("admin create-user --data " + data_ + " --username " + name + " --email " + name +
                  "@example.org --password longpassword");
      ASSERT_EQ(created.exit_code, 0) << created.output;
    }
    // One audited action, so that the restore has a chain to check.
    const CommandResult role =
        RunStoa("admin set-role --data " + data_ + " --username bob --role moderator");
    ASSERT_EQ(role.exit_code, 0) << role.output;
    const CommandResult token =
        RunStoa("admin token --data " + data_ + " --username alice --scopes 'read write'");
    ASSERT_EQ(token.exit_code, 0) << token.output;
    token_ = token.output.substr(0, token.output.find_first_of("\r\n"));
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Creates a status; its id, "" when refused.
  std::string Post(const std::string& text) {
    auto r =
        SendHttp(server_.port(), "POST", "/api/v1/statuses",
                 boost::json::serialize(boost::json::object{{"status", text}}),
                 {{"Authorization", "Bearer " + token_}, {"Content-Type", "application/json"}});
    if (r.status != 200) {
      ADD_FAILURE() << "POST /api/v1/statuses: " << r.status << " " << r.body;
      return "";
    }
    return std::string(r.json().as_object().at("id").as_string());
  }
  int StatusCodeOf(const std::string& id) {
    return SendHttp(server_.port(), "GET", "/api/v1/statuses/" + id, "",
                    {{"Authorization", "Bearer " + token_}})
        .status;
  }

  std::string dir_, data_, token_;
  ServeProcess server_;
};

TEST_F(BackupTest, BackupWhileServingThenRestore) {
  server_.Start(data_);
  std::vector<std::string> acked;  // acknowledged before the backup began
  for (int i = 0; i < 10; ++i) acked.push_back(Post("before the backup " + std::to_string(i)));

  // Statuses keep coming while the backup runs.
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<std::string> during;
  std::thread poster([&] {
    // At most 100 (the token may make 300 requests in 5 minutes).
    for (int i = 0; !stop && i < 100; ++i) {
      std::string id = Post("during the backup " + std::to_string(i));
      {
        std::lock_guard<std::mutex> lock(mu);
        during.push_back(id);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  {
    std::lock_guard<std::mutex> lock(mu);
    acked.insert(acked.end(), during.begin(), during.end());
  }
  const std::string copy = dir_ + "/copy.db";
  const CommandResult backup = RunStoa("backup --data " + data_ + " --out " + copy);
  stop = true;
  poster.join();
  ASSERT_EQ(backup.exit_code, 0) << backup.output;
  EXPECT_NE(backup.output.find("integrity check of the copy: ok"), std::string::npos)
      << backup.output;
  for (const auto& id : acked) ASSERT_FALSE(id.empty()) << "a status was refused";
  struct stat st {};
  ASSERT_EQ(::stat(copy.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  const std::string late = Post("after the backup");
  ASSERT_FALSE(late.empty());

  // Never over an existing file.
  const CommandResult again = RunStoa("backup --data " + data_ + " --out " + copy);
  EXPECT_EQ(again.exit_code, 1) << again.output;
  EXPECT_NE(again.output.find("exists already"), std::string::npos) << again.output;

  // One server per data directory; no restore under it.
  const CommandResult second = RunStoa("serve --data " + data_ + " --listen 127.0.0.1:0");
  EXPECT_EQ(second.exit_code, 1) << second.output;
  EXPECT_NE(second.output.find("in use by a running stoa server (process " +
                               std::to_string(server_.pid()) + ")"),
            std::string::npos)
      << second.output;
  const CommandResult refused = RunStoa("restore --data " + data_ + " --from " + copy);
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("stop it first"), std::string::npos) << refused.output;
  EXPECT_EQ(StatusCodeOf(late), 200) << "the refused restore changed the database";
  // Nor a rescan from the command line: the running server takes it over the API.
  const CommandResult rescan = RunStoa("screen --data " + data_ + " --since 2020-01-01");
  EXPECT_EQ(rescan.exit_code, 1) << rescan.output;
  EXPECT_NE(rescan.output.find("POST /api/v1/admin/screening/rescan"), std::string::npos)
      << rescan.output;

  ASSERT_EQ(server_.Stop(), 0);
  const CommandResult restore = RunStoa("restore --data " + data_ + " --from " + copy);
  ASSERT_EQ(restore.exit_code, 0) << restore.output;
  EXPECT_NE(restore.output.find("audit log OK: 1 entries"), std::string::npos) << restore.output;
  const std::string marker = "is kept as ";
  const size_t at = restore.output.find(marker);
  ASSERT_NE(at, std::string::npos) << restore.output;
  const std::string kept = restore.output.substr(
      at + marker.size(), restore.output.find(' ', at + marker.size()) - at - marker.size());
  EXPECT_TRUE(fs::exists(kept)) << kept;

  server_.Start(data_);
  for (const auto& id : acked) EXPECT_EQ(StatusCodeOf(id), 200) << id;
  EXPECT_EQ(StatusCodeOf(late), 404) << "the restored database holds a status made after the copy";
  EXPECT_NE(Post("after the restore"), "");
  EXPECT_EQ(server_.Stop(), 0);
}

TEST_F(BackupTest, BadInputIsRefusedAndChangesNothing) {
  const std::string db = data_ + "/stoa.db";
  const auto size_before = fs::file_size(db);

  const CommandResult no_db = RunStoa("backup --data " + dir_ + "/none --out " + dir_ + "/x.db");
  EXPECT_EQ(no_db.exit_code, 2) << no_db.output;
  EXPECT_NE(no_db.output.find("no database at"), std::string::npos) << no_db.output;

  const CommandResult missing = RunStoa("restore --data " + data_ + " --from " + dir_ + "/nope.db");
  EXPECT_EQ(missing.exit_code, 2) << missing.output;

  { std::ofstream(dir_ + "/notes.db") << std::string(4096, 'n'); }
  const CommandResult text = RunStoa("restore --data " + data_ + " --from " + dir_ + "/notes.db");
  EXPECT_EQ(text.exit_code, 1) << text.output;
  EXPECT_NE(text.output.find("not an SQLite database"), std::string::npos) << text.output;

  // An SQLite database that stoa did not make.
  const std::string other = dir_ + "/other.db";
  sqlite3* foreign_db = nullptr;
  ASSERT_EQ(sqlite3_open(other.c_str(), &foreign_db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(foreign_db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(foreign_db);
  const CommandResult foreign = RunStoa("restore --data " + data_ + " --from " + other);
  EXPECT_EQ(foreign.exit_code, 1) << foreign.output;
  EXPECT_NE(foreign.output.find("not a stoa database"), std::string::npos) << foreign.output;

  // Nothing moved: no replaced copy, the database as it was.
  for (const auto& entry : fs::directory_iterator(data_)) {
    EXPECT_EQ(entry.path().filename().string().find("replaced"), std::string::npos) << entry.path();
  }
  EXPECT_EQ(fs::file_size(db), size_before);
}

}  // namespace
}  // namespace stoa::testing
