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

// SQLite only: after new, late-committing, edited and deleted posts went through the search
// watermark and queue, the external-content FTS5 index holds exactly what a fresh index of the
// live statuses holds, occurrence by occurrence (a 'delete' of text the index does not hold, or a
// post indexed twice, would show). (FTS5's integrity-check cannot tell: the content table keeps
// the text of deleted statuses, which the index leaves out.)
std::string IndexInstances(sqlite::Connection& c, const char* vocab) {
  sqlite::StatementScope s(c.PrepareDynamic(std::string("SELECT term, doc, col, offset FROM ") +
                                            vocab + " ORDER BY 1, 2, 3, 4"));
  std::string out;
  while (true) {
    auto row = s->Step();
    if (!row.ok() || !*row) break;
    out += std::string(s->Text(0)) + " " + std::to_string(s->Int(1)) + " " +
           std::string(s->Text(2)) + " " + std::to_string(s->Int(3)) + "\n";
  }
  return out;
}

TEST_P(StorageConformanceTest, SqliteFullTextIndexAgreesWithTheStatusesAfterChanges) {
  const Id author = CreateAccount("author");
  // Compares the index with a fresh one of the live statuses.
  auto expect_index_matches = [&](const char* when) {
    auto& db = dynamic_cast<sqlite::SqliteStorage&>(storage()).database();
    std::string held, wanted;
    ASSERT_TRUE(db.Write([&](sqlite::Connection& c) -> Status {
                    RETURN_IF_ERROR(c.Exec(
                        "CREATE VIRTUAL TABLE temp.want_fts USING fts5 (text, "
                        "tokenize = 'unicode61 remove_diacritics 2');"
                        "INSERT INTO temp.want_fts (rowid, text) SELECT id, text FROM statuses "
                        "WHERE deleted_at IS NULL AND text != '';"
                        "CREATE VIRTUAL TABLE temp.want_vocab USING "
                        "fts5vocab (temp, want_fts, 'instance');"
                        "CREATE VIRTUAL TABLE temp.held_vocab USING "
                        "fts5vocab (main, statuses_fts, 'instance');"));
                    held = IndexInstances(c, "temp.held_vocab");
                    wanted = IndexInstances(c, "temp.want_vocab");
                    return c.Exec(
                        "DROP TABLE temp.held_vocab; DROP TABLE temp.want_vocab; "
                        "DROP TABLE temp.want_fts");
                  }).ok());
    EXPECT_FALSE(wanted.empty()) << when;
    EXPECT_EQ(held, wanted) << when;
  };
  auto edit = [&](Post& p, std::string text) {
    const PostEdit previous{NextId(),       p.id,        p.text,      p.content_html,
                            p.spoiler_text, p.sensitive, p.created_at};
    p.text = std::move(text);
    p.edited_at = Now();
    MustWrite([&](Transaction& tx) { return tx.posts().Update(p, previous); });
  };
  Post late = MakePost(author, "late words");  // its id is taken before `indexed`'s
  Post indexed = MakePost(author, "indexed words");
  InsertPost(indexed);
  IndexAll();
  expect_index_matches("first post");
  InsertPost(late);  // commits below the watermark
  Post fresh = MakePost(author, "fresh words");
  InsertPost(fresh);
  const Post gone = MakePost(author, "gone words");
  InsertPost(gone);
  Post empty = MakePost(author, "");
  InsertPost(empty);
  edit(fresh, "fresher words");
  edit(indexed, "reindexed words");
  edit(late, "later words");
  edit(empty, "no longer empty");
  MustWrite([&](Transaction& tx) { return tx.posts().MarkDeleted(gone.id, Now()); });
  // One change per transaction: FTS5 would merge a post indexed twice in one transaction.
  for (int applied = 1; applied > 0;) {
    MustWrite([&](Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(applied, tx.posts().IndexPendingSearch(1));
      return Status::Ok();
    });
  }
  expect_index_matches("changes before the first indexing");
  edit(fresh, "freshest words");
  MustWrite([&](Transaction& tx) { return tx.posts().MarkDeleted(late.id, Now()); });
  IndexAll();
  EXPECT_FALSE(Read()->posts().HasPendingSearch());
  expect_index_matches("changes after");
  EXPECT_EQ(Read()->posts().SearchText("words", kNoId, PageQuery{}, 0),
            (std::vector<Id>{fresh.id, indexed.id}));
}

const auto* const plan_check =
    ::testing::AddGlobalTestEnvironment(new QueryPlanCheck);  // gtest owns it

}  // namespace
}  // namespace stoa::storage::conformance
