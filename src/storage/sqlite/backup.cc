#include "storage/sqlite/backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>

namespace stoa::storage::sqlite {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// How long the copy waits for a source that is locked (SQLite's recovery of a WAL after a crash,
// an exclusive lock) before giving up.
constexpr auto kBusyPatience = std::chrono::seconds(10);
constexpr int kBusyTimeoutMs = 10000;

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, CloseDb>;

std::chrono::milliseconds Since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

std::string ErrnoText() { return std::strerror(errno); }

Result<Db> OpenDb(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) {
    return Unavailable("cannot open " + path + ": " +
                       (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  return db;
}

// Reading a database in WAL mode makes SQLite create PATH-wal and PATH-shm beside it, and a
// read-only connection cannot remove them when it closes. For a file nothing else has open (a
// backup), this removes what reading it left that was not there before: the index, and a log
// that stayed empty. A live database's log and index exist already and are left alone.
class NoTracesBeside {
 public:
  explicit NoTracesBeside(const std::string& path)
      : wal_(path + "-wal"), shm_(path + "-shm"), had_wal_(Exists(wal_)), had_shm_(Exists(shm_)) {}
  ~NoTracesBeside() {
    std::error_code ec;
    if (!had_wal_ && fs::file_size(wal_, ec) == 0 && !ec) fs::remove(wal_, ec);
    if (!had_shm_ && !had_wal_ && !Exists(wal_)) fs::remove(shm_, ec);
  }

 private:
  static bool Exists(const std::string& path) {
    std::error_code ec;
    return fs::exists(path, ec);
  }
  const std::string wal_, shm_;
  const bool had_wal_, had_shm_;
};

// The single integer a pragma answers; `path` names the file in errors.
Result<int64_t> PragmaInt(sqlite3* db, const char* sql, const std::string& path) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
  int64_t value = 0;
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
  }
  sqlite3_finalize(stmt);
  if (rc == SQLITE_ROW) return value;
  if ((rc & 0xff) == SQLITE_NOTADB) return InvalidArgument(path + " is not an SQLite database");
  return Unavailable(path + ": " + sqlite3_errmsg(db));
}

Status SyncPath(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Unavailable("cannot open " + path + " to sync it: " + ErrnoText());
  const int rc = ::fsync(fd);
  const std::string error = rc != 0 ? ErrnoText() : "";
  ::close(fd);
  if (rc != 0) return Unavailable("cannot sync " + path + ": " + error);
  return Status::Ok();
}

// Copies every page of `src` into `dest` in one step (one read transaction of the source).
Status CopyPages(sqlite3* src, sqlite3* dest, const std::string& source, int64_t* pages) {
  sqlite3_backup* backup = sqlite3_backup_init(dest, "main", src, "main");
  if (backup == nullptr)
    return Unavailable(std::string("cannot start the copy: ") + sqlite3_errmsg(dest));
  const auto deadline = Clock::now() + kBusyPatience;
  int rc = SQLITE_OK;
  while (true) {
    rc = sqlite3_backup_step(backup, -1);
    if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || Clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  *pages = sqlite3_backup_pagecount(backup);
  sqlite3_backup_finish(backup);
  if (rc == SQLITE_DONE) return Status::Ok();
  if ((rc & 0xff) == SQLITE_NOTADB) return InvalidArgument(source + " is not an SQLite database");
  return Unavailable("copying " + source + " failed: " + sqlite3_errstr(rc));
}

}  // namespace

Result<FileCheck> CheckDatabaseFile(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return NotFound("no database file at " + path);
  const auto start = Clock::now();
  NoTracesBeside no_traces(path);  // declared first: runs after the connection closed
  ASSIGN_OR_RETURN(Db db, OpenDb(path, SQLITE_OPEN_READONLY));
  FileCheck check;
  ASSIGN_OR_RETURN(check.page_size, PragmaInt(db.get(), "PRAGMA page_size", path));
  ASSIGN_OR_RETURN(check.pages, PragmaInt(db.get(), "PRAGMA page_count", path));
  ASSIGN_OR_RETURN(check.schema_version, PragmaInt(db.get(), "PRAGMA user_version", path));
  // integrity_check answers "ok", or one row per problem (at most 10 asked for here).
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db.get(), "PRAGMA integrity_check(10)", -1, &stmt, nullptr);
  std::string first;
  int problems = 0;
  while (rc == SQLITE_OK || rc == SQLITE_ROW) {
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) break;
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    const std::string row = text != nullptr ? text : "";
    if (row == "ok") continue;
    if (problems++ == 0) first = row;
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) {
    if ((rc & 0xff) == SQLITE_CORRUPT)
      return InvalidArgument(path + " is damaged: " + sqlite3_errmsg(db.get()));
    return Unavailable("checking " + path + " failed: " + sqlite3_errmsg(db.get()));
  }
  if (problems > 0) {
    return InvalidArgument(path + " failed the integrity check (" + std::to_string(problems) +
                           (problems >= 10 ? " or more" : "") + " problems; the first: " + first +
                           ")");
  }
  check.took = Since(start);
  return check;
}

Result<BackupReport> BackupDatabase(const std::string& source, const std::string& destination,
                                    bool verify) {
  std::error_code ec;
  if (!fs::is_regular_file(source, ec)) return NotFound("no database file at " + source);
  if (fs::exists(destination, ec)) return AlreadyExists(destination + " exists already");
  const std::string partial = destination + ".partial";
  // O_EXCL: two backups to the same name cannot both write it. Owner only: the copy holds
  // password hashes and everything members wrote.
  const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return AlreadyExists(partial + " exists: another backup to " + destination +
                           " is running, or one was interrupted (then remove it)");
    }
    return Unavailable("cannot create " + partial + ": " + ErrnoText());
  }
  ::close(fd);

  BackupReport report;
  Status st = [&]() -> Status {
    const auto start = Clock::now();
    {
      NoTracesBeside no_traces(source);
      ASSIGN_OR_RETURN(Db src, OpenDb(source, SQLITE_OPEN_READONLY));
      ASSIGN_OR_RETURN(Db dest, OpenDb(partial, SQLITE_OPEN_READWRITE));
      RETURN_IF_ERROR(CopyPages(src.get(), dest.get(), source, &report.pages));
      // The copy carries the source's WAL mode in its header; a backup is one file instead.
      char* error = nullptr;
      if (sqlite3_exec(dest.get(), "PRAGMA journal_mode=DELETE", nullptr, nullptr, &error) !=
          SQLITE_OK) {
        const std::string message = error != nullptr ? error : "unknown error";
        sqlite3_free(error);
        return Unavailable("cannot finish the copy " + partial + ": " + message);
      }
      ASSIGN_OR_RETURN(int64_t page_size, PragmaInt(dest.get(), "PRAGMA page_size", partial));
      report.bytes = report.pages * page_size;
    }
    RETURN_IF_ERROR(SyncPath(partial, O_RDONLY));
    report.copy_time = Since(start);
    if (verify) {
      ASSIGN_OR_RETURN(FileCheck check, CheckDatabaseFile(partial));
      report.check = check;
    }
    // link() refuses to replace a file that appeared meanwhile, where rename() would not.
    if (::link(partial.c_str(), destination.c_str()) != 0) {
      if (errno == EEXIST) return AlreadyExists(destination + " exists already");
      return Unavailable("cannot name the copy " + destination + ": " + ErrnoText());
    }
    const fs::path dir = fs::absolute(destination, ec).parent_path();
    return SyncPath(dir.string(), O_RDONLY | O_DIRECTORY);
  }();
  fs::remove(partial, ec);
  fs::remove(partial + "-journal", ec);
  if (!st.ok()) return st;
  return report;
}

}  // namespace stoa::storage::sqlite
