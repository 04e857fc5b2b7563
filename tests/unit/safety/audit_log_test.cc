// The audit log use case over a real SQLite store: drafts are validated, entries chain from the
// genesis hash, and Verify recomputes the chain and names the first broken entry.
#include "safety/audit_log.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "common/random.h"
#include "storage/sqlite/sqlite_storage.h"

namespace stoa::safety {
namespace {

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("stoa-audit-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    storage::sqlite::DatabaseOptions options;
    options.synchronous = "normal";
    auto opened = storage::sqlite::SqliteStorage::Open(db_path(), options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    storage_ = std::move(opened).value();
    core_ = std::make_unique<social::Core>(*storage_, clock_, ids_, random_, social::SocialSettings{});
    log_ = std::make_unique<AuditLog>(*core_);
  }
  void TearDown() override {
    log_.reset();
    core_.reset();
    storage_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string db_path() const { return (dir_ / "stoa.db").string(); }

  Result<AuditEntry> Append(const AuditDraft& draft) {
    std::optional<Result<AuditEntry>> out;
    Status st = storage_->Write([&](storage::Transaction& tx) -> Status {
      out.emplace(log_->Append(tx, draft));
      return out->status();
    });
    if (!st.ok()) return st;
    return *out;
  }

  AuditLog::VerifyResult Verify() {
    auto read = storage_->Read();
    return log_->Verify(*read);
  }

  // Changes the stored database behind the store's back (the test plays the attacker): drops
  // the append-only triggers and runs `sql`.
  void Tamper(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const std::string script =
        "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; "
        "DROP TRIGGER audit_log_extends_head; " +
        sql;
    EXPECT_EQ(sqlite3_exec(db, script.c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }

  void AppendFive() {
    for (int i = 1; i <= 5; ++i) {
      clock_.Advance(std::chrono::minutes(1));
      ASSERT_TRUE(Append({Id{100 + i}, "case.claim", "case", std::to_string(i), "", "",
                          R"({"lease_minutes":15})"})
                      .ok());
    }
  }

  std::filesystem::path dir_;
  FakeClock clock_;
  IdGenerator ids_{clock_};
  SeededRandom random_{42};
  std::unique_ptr<storage::sqlite::SqliteStorage> storage_;
  std::unique_ptr<social::Core> core_;
  std::unique_ptr<AuditLog> log_;
};

TEST_F(AuditLogTest, EmptyLogVerifiesWithTheGenesisHash) {
  const auto v = Verify();
  EXPECT_TRUE(v.ok);
  EXPECT_EQ(v.entries, 0);
  EXPECT_EQ(v.head_hash, std::string(kAuditGenesisHash));
  EXPECT_FALSE(v.first_broken_seq.has_value());
}

TEST_F(AuditLogTest, EntriesChainFromGenesis) {
  auto first = Append({7, "case.claim", "case", "42", "", "", ""});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->seq, 1);
  EXPECT_EQ(first->prev_hash, std::string(kAuditGenesisHash));
  EXPECT_EQ(first->created_at, clock_.Now());
  EXPECT_EQ(first->hash, AuditEntryHash(*first));
  clock_.Advance(std::chrono::seconds(5));
  auto second = Append({kNoId, "config.change", "config", "instance_rules", "", "rule added",
                        R"({"rule_id":"1"})"});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->seq, 2);
  EXPECT_EQ(second->prev_hash, first->hash);
  EXPECT_GT(second->id, first->id);
  const auto v = Verify();
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.entries, 2);
  EXPECT_EQ(v.head_hash, second->hash);
}

TEST_F(AuditLogTest, CanonicalBytesAreTheDocumentedNetstrings) {
  AuditEntry e;
  e.seq = 3;
  e.id = 99;
  e.created_at = FromUnixMillis(1767225600123);
  e.actor_id = 5;
  e.action = "case.claim";
  e.target_type = "case";
  e.target_id = "12";
  e.ground = "";
  e.reasons = "ä";
  e.details_json = "{}";
  e.prev_hash = std::string(kAuditGenesisHash);
  EXPECT_EQ(AuditCanonicalBytes(e),
            "13:stoa-audit-v1,1:3,2:99,13:1767225600123,1:5,10:case.claim,4:case,2:12,0:,2:ä,2:{},");
  EXPECT_EQ(AuditEntryHash(e), Sha256Hex(std::string(kAuditGenesisHash) + AuditCanonicalBytes(e)));
  // Every field is covered: changing any one changes the hash.
  const std::string base = AuditEntryHash(e);
  const std::vector<std::function<void(AuditEntry&)>> changes = {
      [](AuditEntry& x) { x.seq = 4; },
      [](AuditEntry& x) { x.id = 98; },
      [](AuditEntry& x) { x.created_at += std::chrono::milliseconds(1); },
      [](AuditEntry& x) { x.actor_id = 6; },
      [](AuditEntry& x) { x.action = "case.release"; },
      [](AuditEntry& x) { x.target_type = "status"; },
      [](AuditEntry& x) { x.target_id = "13"; },
      [](AuditEntry& x) { x.ground = "terms"; },
      [](AuditEntry& x) { x.reasons = "a"; },
      [](AuditEntry& x) { x.details_json = "{ }"; },
      [](AuditEntry& x) { x.prev_hash[63] = '1'; },
      // Moving bytes between adjacent fields is not a collision either.
      [](AuditEntry& x) {
        x.target_type = "case1";
        x.target_id = "2";
      },
  };
  for (size_t i = 0; i < changes.size(); ++i) {
    AuditEntry changed = e;
    changes[i](changed);
    EXPECT_NE(AuditEntryHash(changed), base) << "change " << i;
  }
}

TEST_F(AuditLogTest, MalformedDraftsAreRefusedAndWriteNothing) {
  struct Case {
    const char* name;
    AuditDraft draft;
  };
  const Case cases[] = {
      {"empty action", {1, "", "case", "1", "", "", ""}},
      {"upper-case action", {1, "Case.Claim", "case", "1", "", "", ""}},
      {"space in action", {1, "case claim", "case", "1", "", "", ""}},
      {"dot in target type", {1, "case.claim", "ca.se", "1", "", "", ""}},
      {"empty target type", {1, "case.claim", "", "1", "", "", ""}},
      {"empty target id", {1, "case.claim", "case", "", "", "", ""}},
      {"details not JSON", {1, "case.claim", "case", "1", "", "", "{oops"}},
      {"details an array", {1, "case.claim", "case", "1", "", "", "[1,2]"}},
      {"reasons not UTF-8", {1, "case.claim", "case", "1", "", "\xff\xfe", ""}},
  };
  for (const Case& c : cases) {
    auto r = Append(c.draft);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.name;
  }
  EXPECT_EQ(Verify().entries, 0);
}

TEST_F(AuditLogTest, StoredRowsCannotBeUpdatedOrDeletedWhileTheTriggersStand) {
  AppendFive();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
  for (const char* sql : {"UPDATE audit_log SET reasons = 'x' WHERE seq = 2",
                          "DELETE FROM audit_log WHERE seq = 5",
                          "INSERT INTO audit_log VALUES (9, 1, 1, 1, 'a', 'b', 'c', '', '', '', "
                          "'0000000000000000000000000000000000000000000000000000000000000000', 'x')"}) {
    char* error = nullptr;
    EXPECT_NE(sqlite3_exec(db, sql, nullptr, nullptr, &error), SQLITE_OK) << sql;
    sqlite3_free(error);
  }
  sqlite3_close(db);
  const auto v = Verify();
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.entries, 5);
}

TEST_F(AuditLogTest, VerifyNamesTheFirstBrokenEntry) {
  struct Case {
    const char* name;
    std::string sql;
    int64_t broken_seq;
    const char* reason_contains;
  };
  const Case cases[] = {
      {"reasons changed", "UPDATE audit_log SET reasons = 'forged' WHERE seq = 3", 3,
       "does not match"},
      {"actor changed", "UPDATE audit_log SET actor_id = 1 WHERE seq = 2", 2, "does not match"},
      {"time changed", "UPDATE audit_log SET created_at = created_at + 1 WHERE seq = 4", 4,
       "does not match"},
      {"entry deleted", "DELETE FROM audit_log WHERE seq = 3", 4, "follows seq 2"},
      {"last entry's hash rewritten",
       "UPDATE audit_log SET hash = '" + std::string(64, 'a') + "' WHERE seq = 5", 5,
       "does not match"},
      // Recomputing one entry's hash after changing it moves the break to the next link.
      {"rehashed entry", "", 3, "prev_hash"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    TearDown();
    SetUp();
    AppendFive();
    ASSERT_TRUE(Verify().ok);
    if (c.sql.empty()) {
      auto read = storage_->Read();
      auto entries = read->audit().ListBySeq(0, 10);
      AuditEntry forged = entries[1];
      forged.reasons = "forged";
      const std::string hash = AuditEntryHash(forged);
      read.reset();
      Tamper("UPDATE audit_log SET reasons = 'forged', hash = '" + hash + "' WHERE seq = 2");
    } else {
      Tamper(c.sql);
    }
    const auto v = Verify();
    EXPECT_FALSE(v.ok);
    ASSERT_TRUE(v.first_broken_seq.has_value());
    EXPECT_EQ(*v.first_broken_seq, c.broken_seq);
    EXPECT_NE(v.reason.find(c.reason_contains), std::string::npos) << v.reason;
  }
}

TEST_F(AuditLogTest, AppendAfterTheStoreReopensContinuesTheChain) {
  AppendFive();
  const std::string head = Verify().head_hash;
  log_.reset();
  core_.reset();
  storage_.reset();
  auto reopened = storage::sqlite::SqliteStorage::Open(db_path(), {});
  ASSERT_TRUE(reopened.ok());
  storage_ = std::move(reopened).value();
  core_ = std::make_unique<social::Core>(*storage_, clock_, ids_, random_, social::SocialSettings{});
  log_ = std::make_unique<AuditLog>(*core_);
  auto next = Append({1, "role.change", "account", "9", "", "", R"({"from":"member","to":"moderator"})"});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->seq, 6);
  EXPECT_EQ(next->prev_hash, head);
  EXPECT_TRUE(Verify().ok);
}

}  // namespace
}  // namespace stoa::safety
