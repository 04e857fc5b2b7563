#include "storage/sqlite/connection.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include <spdlog/spdlog.h>

namespace stoa::storage::sqlite {
namespace {

// Pragmas set on every connection. Values that vary are appended to these prefixes as integers.
constexpr const char kSetWal[] = "PRAGMA journal_mode=WAL";
constexpr const char kGetJournalMode[] = "PRAGMA journal_mode";
constexpr const char kForeignKeysOn[] = "PRAGMA foreign_keys=ON";
constexpr const char kSynchronousFull[] = "PRAGMA synchronous=FULL";
constexpr const char kSynchronousNormal[] = "PRAGMA synchronous=NORMAL";
// Only for the Database's writer connection, whose commits Database makes durable itself.
constexpr const char kSynchronousOff[] = "PRAGMA synchronous=OFF";
constexpr const char kCacheSizePrefix[] = "PRAGMA cache_size=-";
constexpr const char kTempStoreMemory[] = "PRAGMA temp_store=MEMORY";
constexpr const char kQueryOnly[] = "PRAGMA query_only=ON";

// The one mapping from sqlite result codes (extended codes are enabled on every connection) to
// Status codes.
Status StatusFromSqlite(int rc, const char* message) {
  std::string text = message != nullptr ? message : sqlite3_errstr(rc);
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_ROWID:
      return AlreadyExists(std::move(text));
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Unavailable(std::move(text));
    case SQLITE_CONSTRAINT:
      return InvalidArgument(std::move(text));
    default:
      return Internal(std::move(text));
  }
}

// Returns true (after logging) when a bind failed; the statement then refuses to step.
bool BindFailed(sqlite3* db, sqlite3_stmt* stmt, int index, int rc) {
  if (rc == SQLITE_OK) return false;
  spdlog::error("sqlite bind of parameter {} failed: {} (SQL: {})", index, sqlite3_errmsg(db),
                sqlite3_sql(stmt));
  return true;
}

// sqlite binds NULL for a null pointer, so an empty string_view must still point somewhere.
const char* NonNull(std::string_view value) { return value.data() != nullptr ? value.data() : ""; }

}  // namespace

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::Bind(int index, int64_t value) {
  bind_failed_ |= BindFailed(db_, stmt_, index, sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Statement& Statement::Bind(int index, double value) {
  bind_failed_ |= BindFailed(db_, stmt_, index, sqlite3_bind_double(stmt_, index, value));
  return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
  int rc = sqlite3_bind_text64(stmt_, index, NonNull(value), value.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8);
  bind_failed_ |= BindFailed(db_, stmt_, index, rc);
  return *this;
}

Statement& Statement::BindBlob(int index, std::string_view value) {
  int rc = sqlite3_bind_blob64(stmt_, index, NonNull(value), value.size(), SQLITE_TRANSIENT);
  bind_failed_ |= BindFailed(db_, stmt_, index, rc);
  return *this;
}

Statement& Statement::BindNull(int index) {
  bind_failed_ |= BindFailed(db_, stmt_, index, sqlite3_bind_null(stmt_, index));
  return *this;
}

Result<bool> Statement::Step() {
  if (bind_failed_) {
    return Internal(std::string("a parameter could not be bound for: ") + sqlite3_sql(stmt_));
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return StatusFromSqlite(rc, sqlite3_errmsg(db_));
}

Status Statement::Run() {
  for (;;) {
    Result<bool> row = Step();
    if (!row.ok()) {
      Status error = row.status();
      Reset();
      return error;
    }
    if (!*row) break;
  }
  Reset();
  return Status::Ok();
}

void Statement::Reset() {
  // sqlite3_reset repeats the last step's error; that error was already reported by Step.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_failed_ = false;
}

bool Statement::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

int64_t Statement::Int(int col) const { return sqlite3_column_int64(stmt_, col); }

double Statement::Double(int col) const { return sqlite3_column_double(stmt_, col); }

std::string_view Statement::Text(int col) const {
  // Text before bytes: sqlite3_column_bytes then reports the size of the converted value.
  const unsigned char* text = sqlite3_column_text(stmt_, col);
  if (text == nullptr) return {};
  return {reinterpret_cast<const char*>(text),
          static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
}

std::optional<std::string> Statement::OptionalString(int col) const {
  if (IsNull(col)) return std::nullopt;
  return String(col);
}

std::optional<int64_t> Statement::OptionalInt(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Int(col);
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path,
                                                     const ConnectionOptions& options) {
  const char* synchronous = nullptr;
  if (options.synchronous == "full") {
    synchronous = kSynchronousFull;
  } else if (options.synchronous == "normal") {
    synchronous = kSynchronousNormal;
  } else if (options.synchronous == "off") {
    synchronous = kSynchronousOff;
  } else {
    return InvalidArgument("synchronous must be \"full\" or \"normal\", not \"" +
                           options.synchronous + "\"");
  }

  int flags = SQLITE_OPEN_NOMUTEX;
  flags |= options.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Unavailable("cannot open database " + path + ": " + message);
  }
  sqlite3_extended_result_codes(db, 1);
  std::unique_ptr<Connection> conn(new Connection(db));
  conn->SetBusyTimeout(options.busy_timeout_ms);

  auto fail = [&path](const Status& st) {
    return Unavailable("cannot set up database " + path + ": " + st.message());
  };
  // A read-only connection cannot change the journal mode; it finds WAL set by the writer.
  Statement& journal = conn->Prepare(options.read_only ? kGetJournalMode : kSetWal);
  {
    StatementScope scope(journal);
    Result<bool> row = journal.Step();
    if (!row.ok()) return fail(row.status());
    if (!*row || journal.Text(0) != "wal") {
      return Unavailable("cannot use WAL journal mode for database " + path + " (mode is \"" +
                         (*row ? journal.String(0) : std::string()) + "\")");
    }
  }
  const std::string cache_size = kCacheSizePrefix + std::to_string(options.cache_size_kib);
  for (std::string_view pragma :
       {std::string_view(kForeignKeysOn), std::string_view(synchronous),
        std::string_view(cache_size), std::string_view(kTempStoreMemory)}) {
    Status st = conn->Exec(pragma);
    if (!st.ok()) return fail(st);
  }
  if (!options.read_only) {
    Status st =
        conn->Exec("PRAGMA wal_autocheckpoint=" + std::to_string(options.wal_autocheckpoint_pages));
    if (!st.ok()) return fail(st);
  }
  if (options.read_only) {
    // No mmap for readers: the file grows with every commit, and SQLite then remaps on the next
    // read transaction (page faults and munmap on the hot path, measured in bench/).
    for (const char* pragma : {kQueryOnly}) {
      Status st = conn->Exec(pragma);
      if (!st.ok()) return fail(st);
    }
  }
  return conn;
}

void Connection::SetBusyTimeout(int ms) {
  busy_timeout_ms_ = ms;
  sqlite3_busy_handler(db_, ms > 0 ? &Connection::OnBusy : nullptr, this);
}

int Connection::OnBusy(void* self, int count) {
  auto* conn = static_cast<Connection*>(self);
  const auto now = std::chrono::steady_clock::now();
  if (count == 0) conn->busy_since_ = now;
  if (now - conn->busy_since_ >= std::chrono::milliseconds(conn->busy_timeout_ms_)) return 0;
  // 50 us, doubling to at most 800 us: locks here are held for a batch or a checkpoint's tail.
  std::this_thread::sleep_for(std::chrono::microseconds(50 << std::min(count, 4)));
  return 1;
}

Connection::~Connection() {
  // Statements must be finalized before the connection closes.
  cache_.clear();
  dynamic_cache_.clear();
  dynamic_lru_.clear();
  sqlite3_close_v2(db_);
}

namespace {
std::atomic<Connection::PrepareObserver> prepare_observer{nullptr};
}  // namespace

void Connection::SetPrepareObserver(PrepareObserver observer) { prepare_observer.store(observer); }

sqlite3_stmt* Connection::PrepareOrDie(const char* sql, size_t length) {
  if (PrepareObserver observer = prepare_observer.load(std::memory_order_relaxed)) {
    observer(std::string_view(sql, length));
  }
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql, static_cast<int>(length), SQLITE_PREPARE_PERSISTENT, &stmt,
                              &tail);
  if (rc != SQLITE_OK || stmt == nullptr) {
    spdlog::critical("cannot prepare SQL: {}\n{}",
                     rc != SQLITE_OK ? sqlite3_errmsg(db_) : "no statement in the text",
                     std::string_view(sql, length));
    std::abort();
  }
  // Anything after the first statement other than whitespace and comments would be silently
  // ignored, which is a bug in the caller.
  const char* end = sql + length;
  if (tail != nullptr && tail < end) {
    sqlite3_stmt* extra = nullptr;
    rc = sqlite3_prepare_v2(db_, tail, static_cast<int>(end - tail), &extra, nullptr);
    if (rc != SQLITE_OK || extra != nullptr) {
      sqlite3_finalize(extra);
      spdlog::critical("cannot prepare SQL with more than one statement:\n{}",
                       std::string_view(sql, length));
      std::abort();
    }
  }
  return stmt;
}

Statement& Connection::Prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    it->second->Reset();
    return *it->second;
  }
  sqlite3_stmt* stmt = PrepareOrDie(sql, std::strlen(sql));
  auto inserted = cache_.emplace(sql, std::make_unique<Statement>(db_, stmt)).first;
  return *inserted->second;
}

Statement& Connection::PrepareDynamic(const std::string& sql) {
  auto it = dynamic_cache_.find(std::string_view(sql));
  if (it != dynamic_cache_.end()) {
    dynamic_lru_.splice(dynamic_lru_.begin(), dynamic_lru_, it->second);
    it->second->second->Reset();
    return *it->second->second;
  }
  sqlite3_stmt* stmt = PrepareOrDie(sql.c_str(), sql.size());
  dynamic_lru_.emplace_front(sql, std::make_unique<Statement>(db_, stmt));
  dynamic_cache_.emplace(std::string_view(dynamic_lru_.front().first), dynamic_lru_.begin());
  // Evict after inserting so the statement being returned is never the victim.
  if (dynamic_lru_.size() > kMaxDynamicStatements) {
    dynamic_cache_.erase(std::string_view(dynamic_lru_.back().first));
    dynamic_lru_.pop_back();
  }
  return *dynamic_lru_.front().second;
}

Status Connection::Exec(std::string_view sql) {
  const std::string text(sql);  // sqlite3_exec needs a terminated string
  char* message = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return Status::Ok();
  Status st = StatusFromSqlite(rc, message);
  sqlite3_free(message);
  return st;
}

int64_t Connection::Changes() const { return sqlite3_changes64(db_); }

int64_t Connection::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

Result<std::optional<int64_t>> QueryInt(Connection& conn, const char* sql) {
  StatementScope stmt(conn.Prepare(sql));
  ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row || stmt->IsNull(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt->Int(0));
}

}  // namespace stoa::storage::sqlite
