// The SQLite database: one writer thread with group commit and a pool of read-only connections.
//
// Writes: Write(fn) queues `fn`; the writer thread takes every queued job, runs them in one
// transaction (each inside its own SAVEPOINT, so one job's failure rolls back only that job), and
// commits once: one fsync for the whole batch. Write returns only after that commit is durable
// (synchronous=FULL by default), so a 2xx can be sent safely. Jobs run in queue order, each seeing
// the effects of the jobs before it.
//
// Reads: Read() lends a read-only connection from a pool (created on demand), returned when the
// lease is destroyed. WAL mode means readers never block the writer or each other.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "storage/sqlite/connection.h"

namespace stoa::storage::sqlite {

struct Migration {
  int version;            // 1, 2, 3 ... strictly increasing
  std::string name;       // e.g. "initial"
  std::string sql;
};

struct DatabaseOptions {
  std::string synchronous = "full";
  int busy_timeout_ms = 5000;
  int64_t cache_size_kib = 65536;
  int max_batch = 1024;  // most jobs in one group commit
};

struct WriterStats {
  int64_t batches = 0;
  int64_t jobs = 0;
  int64_t failed_jobs = 0;
};

class Database;

// A borrowed read-only connection; returns to the pool on destruction.
class ReadLease {
 public:
  ReadLease(Database* db, std::unique_ptr<Connection> conn) : db_(db), conn_(std::move(conn)) {}
  ~ReadLease();
  ReadLease(ReadLease&&) = default;
  ReadLease(const ReadLease&) = delete;
  Connection& operator*() { return *conn_; }
  Connection* operator->() { return conn_.get(); }

 private:
  Database* db_;
  std::unique_ptr<Connection> conn_;
};

class Database {
 public:
  // Opens or creates the file, sets WAL and pragmas, starts the writer thread.
  static Result<std::unique_ptr<Database>> Open(const std::string& path, DatabaseOptions options);
  ~Database();  // drains queued writes, stops the writer, closes connections

  // Applies the migrations newer than the stored version (PRAGMA user_version), each in its own
  // transaction, then runs ANALYZE when any was applied. Fails, naming the migration, on error.
  // Returns the number applied. Call before serving.
  Result<int> Migrate(const std::vector<Migration>& migrations);
  // The schema version stored in the file.
  Result<int> SchemaVersion();

  // See the file comment. Thread-safe; must not be called from inside a write job.
  Status Write(std::function<Status(Connection&)> job);
  template <typename T>
  Result<T> WriteResult(std::function<Result<T>(Connection&)> job) {
    std::optional<T> value;
    Status st = Write([&](Connection& c) -> Status {
      auto r = job(c);
      if (!r.ok()) return r.status();
      value = std::move(r).value();
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return std::move(*value);
  }

  // Thread-safe.
  ReadLease Read();

  size_t write_queue_depth() const { return queue_depth_.load(std::memory_order_relaxed); }
  WriterStats writer_stats() const;
  const std::string& path() const { return path_; }

 private:
  friend class ReadLease;
  struct Job;
  Database(std::string path, DatabaseOptions options, std::unique_ptr<Connection> writer);
  void WriterLoop();
  void RunBatch(std::vector<Job*>& batch);
  void ReturnReader(std::unique_ptr<Connection> conn);

  const std::string path_;
  const DatabaseOptions options_;
  std::unique_ptr<Connection> writer_conn_;  // used only by the writer thread (and Migrate before)

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Job*> queue_;  // guarded by queue_mu_
  bool stopping_ = false;   // guarded by queue_mu_
  std::atomic<size_t> queue_depth_{0};

  mutable std::mutex stats_mu_;
  WriterStats stats_;  // guarded by stats_mu_

  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;  // guarded by pool_mu_

  std::thread writer_thread_;
};

}  // namespace stoa::storage::sqlite
