#include "storage/sqlite/backup.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "storage/sqlite/connection.h"

namespace stoa::storage::sqlite {
namespace {

namespace fs = std::filesystem;

constexpr const char kCreate[] =
    "CREATE TABLE items(id INTEGER PRIMARY KEY, body TEXT NOT NULL); "
    "CREATE INDEX items_body ON items(body)";
constexpr const char kInsert[] = "INSERT INTO items(body) VALUES(?)";
constexpr const char kCount[] = "SELECT count(*) FROM items";
constexpr const char kJournalMode[] = "PRAGMA journal_mode";

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "stoa-backup-XXXXXX").string();
    dir_ = mkdtemp(pattern.data());
    auto conn = Connection::Open(File("live.db"), ConnectionOptions{});
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    live_ = std::move(conn).value();
    ASSERT_TRUE(live_->Exec(kCreate).ok());
    ASSERT_TRUE(Insert(*live_, 500).ok());
  }
  void TearDown() override {
    live_.reset();
    fs::remove_all(dir_);
  }
  std::string File(const std::string& name) const { return dir_ + "/" + name; }

  // `n` rows of ~200 bytes in one transaction.
  static Status Insert(Connection& c, int n) {
    RETURN_IF_ERROR(c.Exec("BEGIN"));
    for (int i = 0; i < n; ++i) {
      RETURN_IF_ERROR(
          c.Prepare(kInsert).Bind(1, std::string(200, 'a' + i % 26) + std::to_string(i)).Run());
    }
    return c.Exec("COMMIT");
  }
  static int64_t Count(const std::string& path) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* stmt = nullptr;
    int64_t n = -1;
    if (sqlite3_prepare_v2(db, kCount, -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      n = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return n;
  }

  std::string dir_;
  std::unique_ptr<Connection> live_;
};

TEST_F(BackupTest, CopiesOneSnapshotWhileAnotherConnectionWrites) {
  std::atomic<bool> stop{false}, failed{false};
  std::atomic<int64_t> committed{500};
  std::thread writer([&] {
    auto c = Connection::Open(File("live.db"), ConnectionOptions{});
    while (c.ok() && !stop) {
      if (!Insert(**c, 50).ok()) break;
      committed += 50;
    }
    failed = !stop;
  });
  while (committed < 2000 && !failed) std::this_thread::yield();
  ASSERT_FALSE(failed) << "the writer failed";
  const int64_t before = committed;  // committed before the copy began: all must be in it
  auto report = BackupDatabase(File("live.db"), File("copy.db"), /*verify=*/true);
  stop = true;
  writer.join();
  EXPECT_FALSE(failed);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const int64_t copied = Count(File("copy.db"));
  EXPECT_GE(copied, before);
  EXPECT_LE(copied, committed.load());
  EXPECT_EQ(copied % 50, 0) << "a transaction copied in part";
  ASSERT_TRUE(report->check.has_value());
  EXPECT_EQ(report->check->pages, report->pages);
  EXPECT_EQ(report->bytes, report->pages * report->check->page_size);

  // One self-contained file, its owner's only; nothing left beside it.
  struct stat st {};
  ASSERT_EQ(::stat(File("copy.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_FALSE(fs::exists(File("copy.db.partial")));
  EXPECT_FALSE(fs::exists(File("copy.db-wal")));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(File("copy.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, kJournalMode, -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "delete");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

// A database nothing has open (a backup being restored): reading it leaves nothing beside it.
TEST_F(BackupTest, ReadingAClosedDatabaseLeavesNothingBesideIt) {
  live_.reset();  // the last connection: SQLite removes the -wal and -shm
  ASSERT_FALSE(fs::exists(File("live.db-wal")));
  ASSERT_FALSE(fs::exists(File("live.db-shm")));
  ASSERT_TRUE(CheckDatabaseFile(File("live.db")).ok());
  ASSERT_TRUE(BackupDatabase(File("live.db"), File("copy.db"), /*verify=*/true).ok());
  EXPECT_EQ(Count(File("copy.db")), 500);
  for (const char* name : {"live.db-wal", "live.db-shm", "copy.db-wal", "copy.db-shm"}) {
    EXPECT_FALSE(fs::exists(File(name))) << name;
  }
}

TEST_F(BackupTest, NeverReplacesAFile) {
  { std::ofstream(File("taken.db")) << "mine"; }
  auto report = BackupDatabase(File("live.db"), File("taken.db"), /*verify=*/false);
  EXPECT_EQ(report.status().code(), StatusCode::kAlreadyExists);
  std::string content;
  std::ifstream(File("taken.db")) >> content;
  EXPECT_EQ(content, "mine");

  // A partial copy of the same name (another backup running, or one interrupted) is left alone.
  { std::ofstream(File("next.db.partial")) << "running"; }
  report = BackupDatabase(File("live.db"), File("next.db"), /*verify=*/false);
  EXPECT_EQ(report.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(report.status().message().find("another backup"), std::string::npos);
  EXPECT_TRUE(fs::exists(File("next.db.partial")));
  EXPECT_FALSE(fs::exists(File("next.db")));
}

TEST_F(BackupTest, AFailedCopyLeavesNothing) {
  { std::ofstream(File("text.db")) << std::string(8192, 'x'); }
  auto report = BackupDatabase(File("text.db"), File("copy.db"), /*verify=*/true);
  EXPECT_EQ(report.status().code(), StatusCode::kInvalidArgument) << report.status().ToString();
  EXPECT_FALSE(fs::exists(File("copy.db")));
  EXPECT_FALSE(fs::exists(File("copy.db.partial")));
  EXPECT_EQ(BackupDatabase(File("missing.db"), File("copy.db"), true).status().code(),
            StatusCode::kNotFound);
}

TEST_F(BackupTest, CheckNamesDamageAndWhatIsNoDatabase) {
  ASSERT_TRUE(BackupDatabase(File("live.db"), File("good.db"), /*verify=*/false).ok());
  auto good = CheckDatabaseFile(File("good.db"));
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_GT(good->pages, 10);

  // Overwrite the middle of the file (pages of the table and its index) with zeros.
  fs::copy_file(File("good.db"), File("bad.db"));
  {
    std::fstream f(File("bad.db"), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(good->page_size * (good->pages / 2));
    const std::string zeros(good->page_size * 3, '\0');
    f.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
  }
  auto bad = CheckDatabaseFile(File("bad.db"));
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("bad.db"), std::string::npos) << bad.status().message();

  { std::ofstream(File("notes.txt")) << std::string(4096, 'n'); }
  auto text = CheckDatabaseFile(File("notes.txt"));
  EXPECT_EQ(text.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(text.status().message().find("not an SQLite database"), std::string::npos)
      << text.status().message();
  EXPECT_EQ(CheckDatabaseFile(File("missing.db")).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace stoa::storage::sqlite
