// A thin, safe wrapper over one sqlite3 connection and its prepared statements. SQL and sqlite3
// types never leave storage/sqlite/.
#pragma once

#include <cstdint>
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
  Statement& Bind(int index, const std::string& value) { return Bind(index, std::string_view(value)); }
  Statement& Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  Statement& BindBlob(int index, std::string_view value);
  Statement& BindNull(int index);
  template <typename T>
  Statement& Bind(int index, const std::optional<T>& value) {
    return value ? Bind(index, *value) : BindNull(index);
  }

  // Advances: true when a row is available, false when done. Errors (constraint violations,
  // I/O) are returned as Status: kAlreadyExists for UNIQUE/PRIMARY KEY violations, kUnavailable
  // for SQLITE_BUSY, kInternal otherwise.
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
  std::string synchronous = "full";  // full | normal
  int busy_timeout_ms = 5000;
  int64_t cache_size_kib = 65536;
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
  // A statement for SQL built at run time (e.g. a variable-length IN list); cached by text.
  Statement& PrepareDynamic(const std::string& sql);
  // Runs one or more statements without results.
  Status Exec(std::string_view sql);
  int64_t Changes() const;
  int64_t LastInsertRowId() const;
  sqlite3* raw() { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<const char*, std::unique_ptr<Statement>> cache_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> dynamic_cache_;
};

// Runs `sql` and returns the first column of the first row as an integer (nullopt when no row).
Result<std::optional<int64_t>> QueryInt(Connection& conn, const char* sql);

}  // namespace stoa::storage::sqlite
