// The storage conformance suite (src/storage/testing) run against the SQLite backend, plus a check
// of the query plans of every statement the suite made the stores prepare: none may read a large
// table from end to end, and a statement marked "/* index-only */" (the open-backlog figures) may
// read a large table only through a covering index or its primary key, never its rows. It runs in
// the test environment's tear-down, so each process (ctest runs one test per process) checks the
// statements its tests used.
#include <sqlite3.h>

#include <filesystem>
#include <mutex>
#include <regex>
#include <set>
#include <string>

#include "storage/sqlite/connection.h"
#include "storage/sqlite/database.h"
#include "storage/sqlite/sqlite_storage.h"
#include "storage/testing/conformance.h"

namespace stoa::storage::conformance {
namespace {

std::unique_ptr<Storage> OpenSqlite(const std::string& temp_dir) {
  // The production defaults (config.h), except that commits need not reach the disk.
  sqlite::DatabaseOptions options;
  options.synchronous = "normal";
  options.cache_size_kib = 2048;
  options.wal_autocheckpoint_pages = 10000;
  auto opened = sqlite::SqliteStorage::Open(temp_dir + "/stoa.db", options);
  if (!opened.ok()) {
    ADD_FAILURE() << opened.status().ToString();
    return nullptr;
  }
  return std::move(opened).value();
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StorageConformanceTest,
                         ::testing::Values(StorageFactory{"sqlite", &OpenSqlite}),
                         StorageFactoryName);

std::mutex seen_mutex;
std::set<std::string>* seen_sql = new std::set<std::string>;  // leaked: outlives every thread

void RecordStatement(std::string_view sql) {
  std::lock_guard lock(seen_mutex);
  seen_sql->emplace(sql);
}

// Tables that grow with the instance. Reading one of them whole is a bug however small the
// table is in a test; the tiny ones (rules, apps) may be scanned.
const std::set<std::string>& LargeTables() {
  static const std::set<std::string> tables = {
      "accounts",       "users",       "statuses",        "mentions",         "tags",
      "status_tags",    "status_edits", "favourites",     "bookmarks",        "idempotency_keys",
      "follows",        "follow_requests", "blocks",      "mutes",            "account_notes",
      "notifications",  "markers",     "oauth_tokens",    "oauth_codes",      "account_stats",
      "search_pending", "audit_log",
      "cases",          "case_notifiers", "case_notes",   "notices",          "notice_items",
      "outbox",         "case_statuses"};
  return tables;
}

bool IsQuery(const std::string& sql) {
  static const std::regex kQuery(R"(^\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|WITH)\b)",
                                 std::regex::icase);
  return std::regex_search(sql, kQuery);
}

class QueryPlanCheck : public ::testing::Environment {
 public:
  void SetUp() override { sqlite::Connection::SetPrepareObserver(&RecordStatement); }

  void TearDown() override {
    sqlite::Connection::SetPrepareObserver(nullptr);
    std::set<std::string> statements;
    {
      std::lock_guard lock(seen_mutex);
      statements.swap(*seen_sql);
    }
    const auto dir = std::filesystem::temp_directory_path() /
                     ("stoa-plan-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
      auto db = sqlite::Database::Open((dir / "plan.db").string(), sqlite::DatabaseOptions{});
      ASSERT_TRUE(db.ok()) << db.status().ToString();
      ASSERT_TRUE((*db)->Migrate(sqlite::SqliteMigrations()).ok());
      auto lease = (*db)->Read();
      static const std::regex kFullScan(R"(^SCAN (\w+)$)");
      static const std::regex kTableAccess(R"(^(?:SCAN|SEARCH) (\w+))");
      int checked = 0;
      for (const std::string& sql : statements) {
        if (!IsQuery(sql)) continue;
        // A statement may own up to a full scan it needs by saying why in its text.
        if (sql.find("/* full scan:") != std::string::npos) continue;
        sqlite3_stmt* plan = nullptr;
        const std::string explain = "EXPLAIN QUERY PLAN " + sql;
        if (sqlite3_prepare_v2(lease->raw(), explain.c_str(), -1, &plan, nullptr) != SQLITE_OK) {
          // Not a stoa statement: the connection and database tests use schemas of their own
          // (a stoa statement that does not prepare aborts the process where it runs).
          sqlite3_finalize(plan);
          continue;
        }
        const bool index_only = sql.find("/* index-only */") != std::string::npos;
        std::string lines;
        std::vector<std::string> scanned;
        std::vector<std::string> row_reads;
        while (sqlite3_step(plan) == SQLITE_ROW) {
          const char* detail = reinterpret_cast<const char*>(sqlite3_column_text(plan, 3));
          const std::string text = detail == nullptr ? "" : detail;
          lines += "  " + text + "\n";
          std::smatch m;
          if (std::regex_match(text, m, kFullScan) && LargeTables().count(m[1].str()) > 0) {
            scanned.push_back(m[1].str());
          }
          if (index_only && std::regex_search(text, m, kTableAccess) &&
              LargeTables().count(m[1].str()) > 0 &&
              text.find("COVERING INDEX") == std::string::npos &&
              text.find("PRIMARY KEY") == std::string::npos) {
            row_reads.push_back(m[1].str());
          }
        }
        sqlite3_finalize(plan);
        ++checked;
        EXPECT_TRUE(scanned.empty()) << "full scan of " << scanned.front() << " in:\n"
                                     << sql << "\nplan:\n" << lines;
        EXPECT_TRUE(row_reads.empty()) << "an index-only statement reads rows of "
                                       << row_reads.front() << ":\n" << sql << "\nplan:\n"
                                       << lines;
      }
      // Guards against the observer silently not being called.
      if (::testing::UnitTest::GetInstance()->successful_test_count() > 0 &&
          ::testing::UnitTest::GetInstance()->test_to_run_count() > 3) {
        EXPECT_GT(checked, 0) << "no statement was recorded";
      }
    }
    std::filesystem::remove_all(dir);
  }
};

const auto* const plan_check =
    ::testing::AddGlobalTestEnvironment(new QueryPlanCheck);  // gtest owns it

}  // namespace
}  // namespace stoa::storage::conformance
