#include "app/backup_commands.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <ctime>
#include <filesystem>

#include "app/app.h"
#include "app/data_dir_lock.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/random.h"
#include "storage/sqlite/backup.h"
#include "storage/sqlite/sqlite_storage.h"

namespace stoa::app {
namespace {

namespace fs = std::filesystem;

constexpr int kFailure = 1;
constexpr int kUsageError = 2;

int Report(int code, const std::string& message) {
  std::fprintf(stderr, "stoa: %s\n", message.c_str());
  return code;
}

std::string Megabytes(int64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

std::string Seconds(std::chrono::milliseconds ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(ms.count()) / 1000.0);
  return text;
}

// "20261127T010203Z": the suffix of a replaced database's name.
std::string CompactUtcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

// Renames `from` to `to` when `from` exists; false (with `error` set) when that fails.
bool MoveIfPresent(const std::string& from, const std::string& to, std::error_code& error) {
  if (!fs::exists(from, error)) return !error;
  fs::rename(from, to, error);
  return !error;
}

}  // namespace

BackupCommands::BackupCommands(CLI::App& cli) {
  backup_ = cli.add_subcommand(
      "backup",
      "Copy the database, consistently and checked, while the server runs (one read snapshot)");
  backup_->add_option("--data", o_.data, "Data directory (the SQLite database is DIR/stoa.db)")
      ->required();
  backup_->add_option("--out", o_.out, "The copy to write (must not exist)")->required();
  backup_->add_flag("--no-verify", o_.no_verify,
                    "Skip the integrity check of the copy (it reads the whole copy once more)");

  restore_ = cli.add_subcommand(
      "restore",
      "Put a backup in place of DIR/stoa.db (the server must be stopped); the database it "
      "replaces is kept beside it");
  restore_->add_option("--data", o_.data, "Data directory (the SQLite database is DIR/stoa.db)")
      ->required();
  restore_->add_option("--config", o_.config, "TOML configuration file")->check(CLI::ExistingFile);
  restore_->add_option("--from", o_.from, "The backup to restore (made by stoa backup)")
      ->required();
}

std::optional<int> BackupCommands::Run() const {
  if (backup_->parsed()) return Backup();
  if (restore_->parsed()) return Restore();
  return std::nullopt;
}

int BackupCommands::Backup() const {
  const std::string db = o_.data + "/stoa.db";
  if (!fs::exists(db)) return Report(kUsageError, "no database at " + db);
  auto report = storage::sqlite::BackupDatabase(db, o_.out, !o_.no_verify);
  if (!report.ok()) return Report(kFailure, "backup failed: " + report.status().message());
  std::printf("backed up %s to %s: %lld pages, %s in %s\n", db.c_str(), o_.out.c_str(),
              static_cast<long long>(report->pages), Megabytes(report->bytes).c_str(),
              Seconds(report->copy_time).c_str());
  if (report->check) {
    std::printf("integrity check of the copy: ok in %s (schema version %lld)\n",
                Seconds(report->check->took).c_str(),
                static_cast<long long>(report->check->schema_version));
  } else {
    std::printf("the copy was not checked (--no-verify)\n");
  }
  return 0;
}

int BackupCommands::Restore() const {
  // The backup first: intact, a stoa database, and not from a newer stoa. Nothing moves before.
  auto check = storage::sqlite::CheckDatabaseFile(o_.from);
  if (!check.ok()) {
    const bool missing = check.status().code() == StatusCode::kNotFound;
    return Report(missing ? kUsageError : kFailure, check.status().message());
  }
  const int64_t latest = storage::sqlite::SqliteMigrations().back().version;
  if (check->schema_version == 0) {
    return Report(kFailure, o_.from + " is not a stoa database (it has no stoa schema)");
  }
  if (check->schema_version > latest) {
    return Report(kFailure, o_.from + " was made by a newer stoa (schema version " +
                                std::to_string(check->schema_version) + "; this one knows up to " +
                                std::to_string(latest) + ")");
  }
  auto config = LoadConfig(o_.config, ProcessEnvironment());
  if (!config.ok()) return Report(kFailure, config.status().message());
  spdlog::set_level(spdlog::level::from_str(config->log.level));

  auto lock = DataDirLock::Acquire(o_.data);
  if (!lock.ok()) return Report(kFailure, lock.status().message() + "; stop it first");

  // The database in place goes aside with its write-ahead log, which may hold transactions not
  // yet copied into it (the -shm index is rebuilt from the log).
  const std::string db = o_.data + "/stoa.db";
  std::string kept;
  std::error_code ec;
  if (fs::exists(db, ec)) {
    kept = db + ".replaced-" + CompactUtcNow();
    if (fs::exists(kept, ec)) return Report(kFailure, kept + " exists already; try again");
    if (!MoveIfPresent(db + "-wal", kept + "-wal", ec) || !MoveIfPresent(db, kept, ec)) {
      MoveIfPresent(kept + "-wal", db + "-wal", ec);
      return Report(kFailure, "cannot move " + db + " aside: " + ec.message());
    }
    fs::remove(db + "-shm", ec);
  }
  auto copied = storage::sqlite::BackupDatabase(o_.from, db, /*verify=*/false);
  if (!copied.ok()) {
    if (!kept.empty()) {
      MoveIfPresent(kept, db, ec);
      MoveIfPresent(kept + "-wal", db + "-wal", ec);
    }
    return Report(kFailure, "restore failed, nothing changed: " + copied.status().message());
  }
  std::printf("restored %s (schema version %lld, %s, integrity check ok) into %s\n",
              o_.from.c_str(), static_cast<long long>(check->schema_version),
              Megabytes(copied->bytes).c_str(), db.c_str());
  if (!kept.empty()) {
    std::printf("the database it replaced is kept as %s (delete it once the restored one serves)\n",
                kept.c_str());
  }
  std::fflush(stdout);

  // Opening it applies the migrations an older backup lacks; then the audit log's chain.
  SystemClock clock;
  SecureRandom random;
  auto app = App::Open(o_.data, std::move(config).value(), clock, random);
  if (!app.ok())
    return Report(kFailure, "the restored database does not open: " + app.status().message());
  return PrintAuditCheck(**app) ? 0 : kFailure;
}

}  // namespace stoa::app
