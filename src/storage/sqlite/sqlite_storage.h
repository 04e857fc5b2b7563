// The SQLite backend of storage::Storage.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "storage/sqlite/database.h"
#include "storage/storage.h"

namespace stoa::storage::sqlite {

// The migrations compiled into the binary from src/storage/migrations/sqlite/*.sql.
const std::vector<Migration>& SqliteMigrations();

class SqliteStorage final : public Storage {
 public:
  // Opens (creating if needed) the database file and applies pending migrations.
  static Result<std::unique_ptr<SqliteStorage>> Open(const std::string& path,
                                                     const DatabaseOptions& options);

  Status Write(std::function<Status(Transaction&)> fn) override;
  void WriteAsync(std::function<Status(Transaction&)> fn, Resume resume,
                  std::function<void(Status)> done) override;
  std::unique_ptr<ReadSession> Read() override;
  size_t write_queue_depth() const override { return db_->write_queue_depth(); }

  Database& database() { return *db_; }

 private:
  explicit SqliteStorage(std::unique_ptr<Database> db) : db_(std::move(db)) {}
  std::unique_ptr<Database> db_;
};

}  // namespace stoa::storage::sqlite
