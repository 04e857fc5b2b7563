// Online backup of a live SQLite database, and the check of a database file (`stoa backup`,
// `stoa restore`; README "Backups").
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"

namespace stoa::storage::sqlite {

// What PRAGMA integrity_check found in a database file that passed it.
struct FileCheck {
  int64_t pages = 0;
  int64_t page_size = 0;
  int64_t schema_version = 0;  // PRAGMA user_version: the last migration applied
  std::chrono::milliseconds took{0};
};

// Opens `path` read-only and runs PRAGMA integrity_check over every page and index. kNotFound when
// there is no such file; kInvalidArgument when it is not an SQLite database or is damaged (naming
// the first problem found).
Result<FileCheck> CheckDatabaseFile(const std::string& path);

struct BackupReport {
  int64_t pages = 0;
  int64_t bytes = 0;
  std::chrono::milliseconds copy_time{0};
  std::optional<FileCheck> check;  // absent when the copy was not verified
};

// Copies one consistent snapshot of the database `source` into the new file `destination` while
// other connections (a running server, in WAL mode) go on reading and writing: the copy holds one
// read transaction for its whole run and sees exactly the transactions committed before it began.
//
// The copy is a self-contained file (rollback journal mode, no -wal beside it), readable and
// writable by its owner only. It is written as DESTINATION.partial, synced, checked with
// CheckDatabaseFile when `verify`, and only then given its name (and the directory synced), so
// `destination` never names a partial or unchecked copy. kAlreadyExists when `destination` (or a
// partial copy of it) exists, touching nothing; on any other failure the partial file is removed.
Result<BackupReport> BackupDatabase(const std::string& source, const std::string& destination,
                                    bool verify);

}  // namespace stoa::storage::sqlite
