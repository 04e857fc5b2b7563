#include "storage/sqlite/connection.h"

#include <sqlite3.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace stoa::storage::sqlite {
namespace {

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "stoa-conn-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
    EXPECT_FALSE(path_.empty());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

constexpr const char kCreateValues[] =
    "CREATE TABLE vals(i INTEGER, d REAL, s TEXT, b BLOB, n INTEGER, oi INTEGER, os TEXT)";
constexpr const char kInsertValues[] = "INSERT INTO vals VALUES(?, ?, ?, ?, ?, ?, ?)";
constexpr const char kSelectValues[] = "SELECT i, d, s, b, n, oi, os FROM vals";
constexpr const char kSelectTwo[] = "SELECT x FROM (SELECT 1 AS x UNION ALL SELECT 2) ORDER BY x";
constexpr const char kSelectParam[] = "SELECT ?";
constexpr const char kSelectParamTwin[] = "SELECT ?";  // same text, another constant
constexpr const char kCountValues[] = "SELECT count(*) FROM vals";
constexpr const char kSelectNull[] = "SELECT NULL";
constexpr const char kSelectNothing[] = "SELECT 1 WHERE 0";
constexpr const char kSelectFortyTwo[] = "SELECT 42";
constexpr const char kInsertI[] = "INSERT INTO vals(i) VALUES(?)";

class ConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto conn = Connection::Open(dir_.File("test.db"), ConnectionOptions{});
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::move(conn).value();
    ASSERT_TRUE(conn_->Exec(kCreateValues).ok());
  }

  int64_t Count() {
    auto n = QueryInt(*conn_, kCountValues);
    EXPECT_TRUE(n.ok());
    return n.ok() && *n ? **n : -1;
  }

  TempDir dir_;
  std::unique_ptr<Connection> conn_;
};

TEST_F(ConnectionTest, BindsAndReadsEveryColumnType) {
  const std::string blob("a\0b\xff", 4);
  Statement& insert = conn_->Prepare(kInsertValues);
  insert.Bind(1, int64_t{-9007199254740993})
      .Bind(2, 2.5)
      .Bind(3, "grüße")
      .BindBlob(4, blob)
      .BindNull(5)
      .Bind(6, std::optional<int64_t>(7))
      .Bind(7, std::optional<std::string>());
  ASSERT_TRUE(insert.Run().ok());

  StatementScope select(conn_->Prepare(kSelectValues));
  auto row = select->Step();
  ASSERT_TRUE(row.ok());
  ASSERT_TRUE(*row);
  EXPECT_EQ(select->Int(0), int64_t{-9007199254740993});
  EXPECT_DOUBLE_EQ(select->Double(1), 2.5);
  EXPECT_EQ(select->Text(2), "grüße");
  EXPECT_EQ(select->String(3), blob);
  EXPECT_TRUE(select->IsNull(4));
  EXPECT_EQ(select->OptionalInt(4), std::nullopt);
  EXPECT_EQ(select->Text(4), "");
  EXPECT_EQ(select->OptionalInt(5), 7);
  EXPECT_EQ(select->OptionalString(6), std::nullopt);
  EXPECT_EQ(select->OptionalString(2), "grüße");
  EXPECT_FALSE(select->IsNull(0));
  auto done = select->Step();
  ASSERT_TRUE(done.ok());
  EXPECT_FALSE(*done);
}

TEST_F(ConnectionTest, EveryBindOverloadRoundTrips) {
  struct Case {
    const char* name;
    void (*bind)(Statement&);
    bool is_null;
    std::string text;  // the value as sqlite renders it as text
  };
  const std::string owned = "owned";
  const Case cases[] = {
      {"int", [](Statement& s) { s.Bind(1, 42); }, false, "42"},
      {"int64", [](Statement& s) { s.Bind(1, int64_t{1} << 40); }, false, "1099511627776"},
      {"bool", [](Statement& s) { s.Bind(1, true); }, false, "1"},
      {"double", [](Statement& s) { s.Bind(1, 0.25); }, false, "0.25"},
      {"string_view", [](Statement& s) { s.Bind(1, std::string_view("view")); }, false, "view"},
      {"string", [](Statement& s) { s.Bind(1, std::string("string")); }, false, "string"},
      {"c string", [](Statement& s) { s.Bind(1, "literal"); }, false, "literal"},
      {"empty string is not NULL", [](Statement& s) { s.Bind(1, std::string_view()); }, false, ""},
      {"empty blob is not NULL", [](Statement& s) { s.BindBlob(1, std::string_view()); }, false,
       ""},
      {"null", [](Statement& s) { s.BindNull(1); }, true, ""},
      {"optional set", [](Statement& s) { s.Bind(1, std::optional<int>(3)); }, false, "3"},
      {"optional unset", [](Statement& s) { s.Bind(1, std::optional<double>()); }, true, ""},
      {"nothing bound", [](Statement&) {}, true, ""},
  };
  for (const Case& c : cases) {
    StatementScope stmt(conn_->Prepare(kSelectParam));
    c.bind(*stmt);
    auto row = stmt->Step();
    ASSERT_TRUE(row.ok()) << c.name << ": " << row.status().ToString();
    ASSERT_TRUE(*row) << c.name;
    EXPECT_EQ(stmt->IsNull(0), c.is_null) << c.name;
    EXPECT_EQ(stmt->Text(0), c.text) << c.name;
  }
}

// The connection's statement whose SQL starts with `prefix` (test introspection only).
sqlite3_stmt* StmtOf(Connection& conn, std::string_view prefix) {
  for (sqlite3_stmt* s = sqlite3_next_stmt(conn.raw(), nullptr); s != nullptr;
       s = sqlite3_next_stmt(conn.raw(), s)) {
    if (std::string_view(sqlite3_sql(s)).starts_with(prefix)) return s;
  }
  return nullptr;
}

TEST_F(ConnectionTest, StepWalksRowsAndRunResets) {
  Statement& stmt = conn_->Prepare(kSelectTwo);
  std::vector<int64_t> seen;
  for (;;) {
    auto row = stmt.Step();
    ASSERT_TRUE(row.ok());
    if (!*row) break;
    seen.push_back(stmt.Int(0));
  }
  EXPECT_EQ(seen, (std::vector<int64_t>{1, 2}));
  ASSERT_TRUE(*conn_->Prepare(kSelectTwo).Step());
  EXPECT_TRUE(sqlite3_stmt_busy(StmtOf(*conn_, "SELECT x")));
  EXPECT_TRUE(conn_->Prepare(kSelectTwo).Run().ok());
  EXPECT_FALSE(sqlite3_stmt_busy(StmtOf(*conn_, "SELECT x")));
}

TEST_F(ConnectionTest, MapsErrorsToStatusCodes) {
  ASSERT_TRUE(conn_
                  ->Exec("CREATE TABLE parent(id INTEGER PRIMARY KEY, name TEXT UNIQUE);"
                         "CREATE TABLE keyed(k TEXT PRIMARY KEY) WITHOUT ROWID;"
                         "CREATE TABLE child(pid INTEGER REFERENCES parent(id),"
                         "  age INTEGER CHECK (age >= 0), label TEXT NOT NULL DEFAULT '');"
                         "INSERT INTO parent VALUES(1, 'one');"
                         "INSERT INTO keyed VALUES('k');")
                  .ok());
  struct Case {
    const char* sql;
    StatusCode code;
    const char* message_part;
  };
  const Case cases[] = {
      {"INSERT INTO parent VALUES(2, 'one')", StatusCode::kAlreadyExists,
       "UNIQUE constraint failed: parent.name"},
      {"INSERT INTO parent VALUES(1, 'two')", StatusCode::kAlreadyExists,
       "UNIQUE constraint failed: parent.id"},
      {"INSERT INTO keyed VALUES('k')", StatusCode::kAlreadyExists,
       "UNIQUE constraint failed: keyed.k"},
      {"INSERT INTO child(pid, age) VALUES(99, 1)", StatusCode::kInvalidArgument,
       "FOREIGN KEY constraint failed"},
      {"INSERT INTO child(pid, age) VALUES(1, -1)", StatusCode::kInvalidArgument,
       "CHECK constraint failed"},
      {"INSERT INTO child(pid, age, label) VALUES(1, 1, NULL)", StatusCode::kInvalidArgument,
       "NOT NULL constraint failed: child.label"},
      {"SELECT * FROM missing", StatusCode::kInternal, "no such table: missing"},
  };
  for (const Case& c : cases) {
    // Through Exec and through a prepared statement: both use the same mapping.
    Status exec = conn_->Exec(c.sql);
    EXPECT_EQ(exec.code(), c.code) << c.sql << ": " << exec.ToString();
    EXPECT_NE(exec.message().find(c.message_part), std::string::npos) << exec.ToString();
    if (c.code == StatusCode::kInternal) continue;  // would not prepare
    Status run = conn_->PrepareDynamic(c.sql).Run();
    EXPECT_EQ(run.code(), c.code) << c.sql << ": " << run.ToString();
    EXPECT_NE(run.message().find(c.message_part), std::string::npos) << run.ToString();
  }
}

TEST_F(ConnectionTest, BusyIsUnavailable) {
  ConnectionOptions impatient;
  impatient.busy_timeout_ms = 0;
  auto other = Connection::Open(dir_.File("test.db"), impatient);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(conn_->Exec("BEGIN IMMEDIATE").ok());
  Status st = (*other)->Exec("BEGIN IMMEDIATE");
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  Status insert = (*other)->Prepare(kInsertI).Bind(1, 1).Run();
  EXPECT_EQ(insert.code(), StatusCode::kUnavailable) << insert.ToString();
  ASSERT_TRUE(conn_->Exec("COMMIT").ok());
}

TEST_F(ConnectionTest, FailedBindMakesStepFail) {
  Statement& stmt = conn_->Prepare(kSelectParam);
  stmt.Bind(5, 1);  // there is only ?1
  auto row = stmt.Step();
  EXPECT_EQ(row.status().code(), StatusCode::kInternal);
  stmt.Reset();
  auto retried = stmt.Bind(1, 1).Step();
  ASSERT_TRUE(retried.ok());
  EXPECT_TRUE(*retried);
}

TEST_F(ConnectionTest, PrepareCachesByPointerAndResets) {
  Statement& first = conn_->Prepare(kSelectTwo);
  ASSERT_TRUE(*first.Step());  // left mid-iteration
  Statement& again = conn_->Prepare(kSelectTwo);
  EXPECT_EQ(&first, &again);
  ASSERT_TRUE(*again.Step());
  EXPECT_EQ(again.Int(0), 1);  // starts over
  again.Reset();

  Statement& param = conn_->Prepare(kSelectParam);
  param.Bind(1, 5);
  Statement& param_again = conn_->Prepare(kSelectParam);
  ASSERT_TRUE(*param_again.Step());
  EXPECT_TRUE(param_again.IsNull(0));  // bindings cleared
  param_again.Reset();

  // Same text, different constant: a different cached statement.
  EXPECT_NE(&conn_->Prepare(kSelectParamTwin), &conn_->Prepare(kSelectParam));
}

int CountStatements(sqlite3* db) {
  int n = 0;
  for (sqlite3_stmt* s = sqlite3_next_stmt(db, nullptr); s != nullptr;
       s = sqlite3_next_stmt(db, s)) {
    ++n;
  }
  return n;
}

TEST_F(ConnectionTest, DynamicCacheIsKeyedByTextAndEvictsLeastRecentlyUsed) {
  const int before = CountStatements(conn_->raw());
  auto sql = [](int i) { return "SELECT " + std::to_string(i); };
  Statement& first = conn_->PrepareDynamic(sql(0));
  EXPECT_EQ(&first, &conn_->PrepareDynamic(sql(0)));
  const int cap = static_cast<int>(Connection::kMaxDynamicStatements);
  for (int i = 1; i < cap; ++i) conn_->PrepareDynamic(sql(i));
  EXPECT_EQ(CountStatements(conn_->raw()) - before, cap);
  // Touch "SELECT 0": "SELECT 1" is now the least recently used and goes first.
  EXPECT_EQ(&first, &conn_->PrepareDynamic(sql(0)));
  Statement& newest = conn_->PrepareDynamic(sql(cap));
  EXPECT_EQ(CountStatements(conn_->raw()) - before, cap);
  EXPECT_EQ(&first, &conn_->PrepareDynamic(sql(0)));
  EXPECT_EQ(&newest, &conn_->PrepareDynamic(sql(cap)));
  Statement& evicted = conn_->PrepareDynamic(sql(1));  // prepared again after eviction
  auto row = evicted.Step();
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(evicted.Int(0), 1);
  evicted.Reset();
  EXPECT_EQ(CountStatements(conn_->raw()) - before, cap);
}

TEST_F(ConnectionTest, PrepareAbortsOnInvalidSql) {
  static constexpr const char kBroken[] = "SELEC 1";
  static constexpr const char kTwoStatements[] = "SELECT 1; SELECT 2";
  EXPECT_DEATH(conn_->Prepare(kBroken), "");
  EXPECT_DEATH(conn_->Prepare(kTwoStatements), "");
  EXPECT_DEATH(conn_->PrepareDynamic("SELECT * FROM missing"), "");
}

TEST_F(ConnectionTest, AllowsTrailingCommentAfterTheStatement) {
  static constexpr const char kCommented[] = "SELECT 1; -- one";
  EXPECT_TRUE(conn_->Prepare(kCommented).Run().ok());
}

TEST_F(ConnectionTest, ExecRunsSeveralStatementsAndReportsChanges) {
  ASSERT_TRUE(
      conn_->Exec("INSERT INTO vals(i) VALUES(1); INSERT INTO vals(i) VALUES(2), (3)").ok());
  EXPECT_EQ(conn_->Changes(), 2);
  EXPECT_EQ(conn_->LastInsertRowId(), 3);
  EXPECT_EQ(Count(), 3);
}

TEST_F(ConnectionTest, QueryIntDistinguishesNoRowAndNull) {
  auto none = QueryInt(*conn_, kSelectNothing);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, std::nullopt);
  auto null = QueryInt(*conn_, kSelectNull);
  ASSERT_TRUE(null.ok());
  EXPECT_EQ(*null, std::nullopt);
  auto value = QueryInt(*conn_, kSelectFortyTwo);
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 42);
}

TEST_F(ConnectionTest, StatementScopeEndsTheReadTransaction) {
  ASSERT_TRUE(conn_->Exec("INSERT INTO vals(i) VALUES(1), (2)").ok());
  {
    StatementScope stmt(conn_->Prepare(kSelectValues));
    ASSERT_TRUE(*stmt->Step());
    EXPECT_EQ(sqlite3_txn_state(conn_->raw(), nullptr), SQLITE_TXN_READ);
  }
  EXPECT_EQ(sqlite3_txn_state(conn_->raw(), nullptr), SQLITE_TXN_NONE);
}

struct PragmaCase {
  const char* pragma;
  int64_t value;
};

void ExpectPragmas(Connection& conn, const std::vector<PragmaCase>& cases) {
  for (const PragmaCase& c : cases) {
    auto v = QueryInt(conn, c.pragma);
    ASSERT_TRUE(v.ok()) << c.pragma;
    EXPECT_EQ(*v, c.value) << c.pragma;
  }
}

constexpr const char kPragmaForeignKeys[] = "PRAGMA foreign_keys";
constexpr const char kPragmaSynchronous[] = "PRAGMA synchronous";
constexpr const char kPragmaCacheSize[] = "PRAGMA cache_size";
constexpr const char kPragmaTempStore[] = "PRAGMA temp_store";
constexpr const char kPragmaQueryOnly[] = "PRAGMA query_only";
constexpr const char kPragmaMmapSize[] = "PRAGMA mmap_size";
constexpr const char kPragmaJournalMode[] = "PRAGMA journal_mode";

TEST_F(ConnectionTest, WriterPragmas) {
  ExpectPragmas(*conn_, {{kPragmaForeignKeys, 1},
                         {kPragmaSynchronous, 2},  // FULL
                         {kPragmaCacheSize, -65536},
                         {kPragmaTempStore, 2},  // MEMORY
                         {kPragmaQueryOnly, 0}});
  EXPECT_EQ(conn_->busy_timeout_ms(), 5000);
  StatementScope mode(conn_->Prepare(kPragmaJournalMode));
  ASSERT_TRUE(*mode->Step());
  EXPECT_EQ(mode->Text(0), "wal");
}

TEST_F(ConnectionTest, ReaderPragmasAndReadOnly) {
  ConnectionOptions options;
  options.read_only = true;
  options.synchronous = "normal";
  options.busy_timeout_ms = 250;
  options.cache_size_kib = 1024;
  auto reader = Connection::Open(dir_.File("test.db"), options);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ExpectPragmas(**reader, {{kPragmaForeignKeys, 1},
                           {kPragmaSynchronous, 1},  // NORMAL
                           {kPragmaCacheSize, -1024},
                           {kPragmaTempStore, 2},
                           {kPragmaQueryOnly, 1},
                           {kPragmaMmapSize, 0}});
  EXPECT_EQ((*reader)->busy_timeout_ms(), 250);
  EXPECT_FALSE((*reader)->Prepare(kInsertI).Bind(1, 1).Run().ok());
  EXPECT_EQ(Count(), 0);
}

// stoa's own busy handler (SQLite's PRAGMA busy_timeout is replaced, so it reads 0): a write
// waits for another connection's lock up to the timeout, and goes through once it is released.
TEST_F(ConnectionTest, WriteWaitsForALockUpToTheBusyTimeout) {
  auto other = Connection::Open(dir_.File("test.db"), ConnectionOptions{});
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->Exec("BEGIN IMMEDIATE").ok());
  conn_->SetBusyTimeout(20);
  const auto start = std::chrono::steady_clock::now();
  Status refused = conn_->Prepare(kInsertI).Bind(1, 1).Run();
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable) << refused.ToString();
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(20));

  conn_->SetBusyTimeout(5000);
  std::thread holder([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    EXPECT_TRUE((*other)->Exec("COMMIT").ok());
  });
  EXPECT_TRUE(conn_->Prepare(kInsertI).Bind(1, 2).Run().ok());
  holder.join();
  EXPECT_EQ(Count(), 1);
}

TEST_F(ConnectionTest, ReaderSeesCommittedRows) {
  ConnectionOptions options;
  options.read_only = true;
  auto reader = Connection::Open(dir_.File("test.db"), options);
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE(conn_->Prepare(kInsertI).Bind(1, 1).Run().ok());
  auto n = QueryInt(**reader, kCountValues);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
}

TEST(ConnectionOpenTest, FailsClearly) {
  TempDir dir;
  struct Case {
    const char* name;
    std::string path;
    ConnectionOptions options;
    StatusCode code;
    std::string message_part;
  };
  ConnectionOptions read_only;
  read_only.read_only = true;
  ConnectionOptions bad_sync;
  bad_sync.synchronous = "sometimes";
  const std::string missing_dir = dir.File("no/such/dir/x.db");
  const std::string missing_file = dir.File("missing.db");
  const Case cases[] = {
      {"missing directory", missing_dir, {}, StatusCode::kUnavailable, missing_dir},
      {"read-only missing file", missing_file, read_only, StatusCode::kUnavailable, missing_file},
      {"bad synchronous", dir.File("x.db"), bad_sync, StatusCode::kInvalidArgument, "sometimes"},
  };
  for (const Case& c : cases) {
    auto conn = Connection::Open(c.path, c.options);
    ASSERT_FALSE(conn.ok()) << c.name;
    EXPECT_EQ(conn.status().code(), c.code) << c.name;
    EXPECT_NE(conn.status().message().find(c.message_part), std::string::npos)
        << c.name << ": " << conn.status().ToString();
  }
}

}  // namespace
}  // namespace stoa::storage::sqlite
