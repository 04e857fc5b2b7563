// A thin, safe wrapper over one sqlite3 connection and its prepared statements. SQL and sqlite3
// types never leave storage/sqlite/.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace stoa::storage::sqlite {

// A prepared statement owned by its Connection's cache. Bind indexes start at 1; column indexes
// at 0. Not thread-safe (nor is the connection).
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Statement& Bind(int index, bool value) { return Bind(index, static_cast<int64_t>(value)); }
  Statement& Bind(int index, double value);
  // The text is copied (SQLITE_TRANSIENT), so temporaries are fine.
  Statement& Bind(int index, std::string_view value);
  Statement& Bind(int index, const std::string& value) {
    return Bind(index, std::string_view(value));
  }
  Statement& Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  Statement& BindBlob(int index, std::string_view value);
  Statement& BindNull(int index);
  template <typename T>
  Statement& Bind(int index, const std::optional<T>& value) {
    return value ? Bind(index, *value) : BindNull(index);
  }

  // Advances: true when a row is available, false when done. Errors (constraint violations,
  // I/O) are returned as Status: kAlreadyExists for UNIQUE/PRIMARY KEY violations (the message
  // names the constraint, e.g. "UNIQUE constraint failed: accounts.username"), kInvalidArgument
  // for other constraint violations (FOREIGN KEY, CHECK, NOT NULL), kUnavailable for
  // SQLITE_BUSY/SQLITE_LOCKED, kInternal otherwise (with sqlite's message). A failed Bind makes
  // the next Step return kInternal without running the statement.
  Result<bool> Step();
  // Steps to completion, ignoring rows. Resets the statement afterwards.
  Status Run();
  // Resets and clears bindings so the statement can be reused.
  void Reset();

  bool IsNull(int col) const;
  int64_t Int(int col) const;
  double Double(int col) const;
  // Valid until the next Step/Reset.
  std::string_view Text(int col) const;
  std::string String(int col) const { return std::string(Text(col)); }
  std::optional<std::string> OptionalString(int col) const;
  std::optional<int64_t> OptionalInt(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  bool bind_failed_ = false;
};

// RAII: resets a statement on scope exit so cached statements never stay mid-iteration.
class StatementScope {
 public:
  explicit StatementScope(Statement& s) : s_(s) {}
  ~StatementScope() { s_.Reset(); }
  Statement* operator->() { return &s_; }
  Statement& operator*() { return s_; }

 private:
  Statement& s_;
};

struct ConnectionOptions {
  bool read_only = false;
  // full | normal; "off" is for Database's writer, which syncs the WAL itself (database.h).
  std::string synchronous = "full";
  int busy_timeout_ms = 5000;
  int64_t cache_size_kib = 65536;
  int wal_autocheckpoint_pages = 1000;  // SQLite's default; writers only
};

class Connection {
 public:
  // Opens (creating when not read-only) the database at `path` in WAL mode with foreign keys on.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path,
                                                  const ConnectionOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // A cached prepared statement for `sql`. The cache is keyed by the pointer, so pass named
  // constants (static storage). The statement is reset before it is returned. A SQL error is a bug
  // in stoa and aborts with the message.
  Statement& Prepare(const char* sql);
  // A statement for SQL built at run time (e.g. a variable-length IN list); cached by text, at
  // most kMaxDynamicStatements of them, the least recently used evicted first (so a reference
  // stays valid until that many other dynamic statements have been prepared). Aborts on a SQL
  // error like Prepare.
  Statement& PrepareDynamic(const std::string& sql);
  // Runs one or more statements without results (not cached; for DDL, pragmas and tests). Errors
  // are mapped as in Statement::Step.
  Status Exec(std::string_view sql);
  int64_t Changes() const;
  int64_t LastInsertRowId() const;
  sqlite3* raw() { return db_; }
  // How long a statement waits for a lock another connection holds before it fails with
  // kUnavailable (SQLITE_BUSY). The wait polls every 50-800 us rather than with SQLite's default
  // steps of 1 to 100 ms, so a writer blocked by a short checkpoint resumes within a fraction of a
  // millisecond of the lock's release.
  void SetBusyTimeout(int ms);
  int busy_timeout_ms() const { return busy_timeout_ms_; }

  static constexpr size_t kMaxDynamicStatements = 256;

  // Called with the text of every statement any connection prepares (not Exec). For tests that
  // check the query plans of everything the stores run; nullptr (the default) turns it off. Set it
  // before opening connections.
  using PrepareObserver = void (*)(std::string_view sql);
  static void SetPrepareObserver(PrepareObserver observer);

 private:
  using DynamicList = std::list<std::pair<std::string, std::unique_ptr<Statement>>>;

  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3_stmt* PrepareOrDie(const char* sql, size_t length);
  static int OnBusy(void* self, int count);

  sqlite3* db_;
  int busy_timeout_ms_ = 0;
  std::chrono::steady_clock::time_point busy_since_;  // set by OnBusy's first call per wait
  std::unordered_map<const char*, std::unique_ptr<Statement>> cache_;
  DynamicList dynamic_lru_;  // most recently used first
  // Keys view into the strings held by dynamic_lru_.
  std::unordered_map<std::string_view, DynamicList::iterator> dynamic_cache_;
};

// Runs `sql` (a named constant, cached like Prepare) and returns the first column of the first row
// as an integer: nullopt when there is no row or the value is NULL.
Result<std::optional<int64_t>> QueryInt(Connection& conn, const char* sql);

}  // namespace stoa::storage::sqlite
