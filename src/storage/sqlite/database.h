// The SQLite database: one writer thread with group commit, a flusher thread that makes commits
// durable, a checkpointer thread, and a pool of read-only connections.
//
// Writes: Write(fn) queues `fn`; the writer thread takes every queued job, runs them in one
// transaction and commits once; one job's failure rolls back only that job. Write returns only
// after that commit is durable, so a 2xx can be sent safely. Jobs run in queue order, each seeing
// the effects of the jobs before it (and none of a job that failed).
// The jobs run without savepoints first (a SAVEPOINT and its RELEASE cost two statements and a
// copy of every page the job changes). When a job fails, the batch is rolled back and run again:
// the jobs before the failed one as before, the failed one and those after it each inside its
// own SAVEPOINT, which ROLLBACK TO undoes alone. Should a job run without a savepoint fail in
// that second run, the third runs every job inside a savepoint.
//
// Durability is pipelined, as in PostgreSQL's WAL flush: with synchronous "full" (the default)
// the writer connection commits without syncing (PRAGMA synchronous=OFF: the commit appends the
// batch's frames to the WAL file) and hands the batch to the flusher, which fdatasync()s the WAL
// once for every batch committed since its last sync and only then releases their writers. The
// writer meanwhile runs the next batch, so an fsync no longer stalls the statements behind it.
// A lone batch (no job queued for the writer, the flusher idle) the writer syncs and releases
// itself: one thread wake-up fewer on the path of an isolated write.
// The WAL is append-only between checkpoints, so a sync that starts after a commit returned
// covers that commit. Checkpoints (copying the WAL into the database file) are never run by the
// writer connection (wal_autocheckpoint=0): the checkpointer thread runs PASSIVE checkpoints on
// its own connection with synchronous=NORMAL, which syncs the WAL before and the database file
// after copying, so the WAL is only ever reused for frames that are durable in the database file.
// A PASSIVE checkpoint alone never shortens the WAL while writes keep coming: SQLite starts the
// log over only when a write transaction begins with every frame already copied, and under a
// steady stream of batches new frames always arrive while the copy runs (a seed of 1,000,000
// rows grew the WAL to 2.5 GB). So when the WAL holds at least wal_autocheckpoint_pages frames
// and a PASSIVE checkpoint left at most a quarter of that number uncopied, the checkpointer
// runs a RESTART checkpoint: it holds the writer out (the writer's next BEGIN waits, polling
// every 50-800 us), copies the few frames appended since, syncs the database file and waits (at
// most restart_busy_ms) for readers still on old frames; the next batch starts the log over,
// and journal_size_limit trims the file to wal_size_limit_bytes. A batch that holds the write
// lock longer than restart_busy_ms (a bulk import) makes the restart give up until the next run.
// Readers that each run long (a scan of a large table) one after another while writes stream
// keep every PASSIVE run from copying nearly everything (a test writing 60 MB while a reader
// counted the whole table over and over grew the WAL to 218 MB). So once the WAL holds
// kForceRestartFactor times the threshold, the checkpointer restarts anyway: the writer then
// waits for the readers on old frames to finish (forced_restart_busy_ms at most) and for the copy
// of what they pinned. That wait must outlast a reader: with 150 ms readers back to back and a
// 50 ms wait, no forced restart ever succeeded, the WAL reached 1.6 GB in 20 s and creation ran
// at half its rate (BENCHMARKS.md, "The WAL under readers that never stop"). A forced restart
// that still finds a reader (a backup, an export in one transaction) gives up, is counted
// (failed_forced_wal_restarts) and is tried again after 1 s, then 2, 4 ... up to 32 s, so a
// reader that never ends costs the writer at most forced_restart_busy_ms every 32 s.
// The price: another connection can read a committed batch in the moment between its commit and
// its sync (its writers have not been answered yet); after a power loss in that moment the batch
// is gone, as is any write that depended on it (the WAL is replayed in order).
// A failed sync leaves the data of unknown durability: the batch's writers get kInternal and the
// database refuses further writes (kUnavailable) until restarted, as PostgreSQL does.
// With synchronous "normal" commits are not synced at all (durable after the next checkpoint).
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
  int version;       // 1, 2, 3 ... strictly increasing
  std::string name;  // e.g. "initial"
  std::string sql;
};

struct DatabaseOptions {
  std::string synchronous = "full";
  int busy_timeout_ms = 5000;
  int64_t cache_size_kib = 65536;
  int wal_autocheckpoint_pages = 1000;
  // The WAL file is cut back to this size when the log starts over (PRAGMA journal_size_limit);
  // 0 = twice wal_autocheckpoint_pages pages of 4 KiB.
  int64_t wal_size_limit_bytes = 0;
  int restart_busy_ms = 50;  // how long a restart waits for readers before trying again later
  // How long a forced restart (the WAL far over its threshold) waits for long readers; writes
  // wait meanwhile.
  int forced_restart_busy_ms = 1000;
  int max_batch = 1024;  // most jobs in one group commit
};

struct WriterStats {
  int64_t batches = 0;
  int64_t jobs = 0;
  int64_t failed_jobs = 0;
  // Batches run again because a job failed outside a savepoint (see Database::Write).
  int64_t retried_batches = 0;
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
  // Opens or creates the file (its directory must exist), sets WAL and pragmas, opens one reader
  // and starts the writer thread. Fails with kUnavailable naming the path when the file cannot be
  // opened, kInvalidArgument for bad options.
  static Result<std::unique_ptr<Database>> Open(const std::string& path, DatabaseOptions options);
  ~Database();  // drains queued writes, stops the writer, closes connections

  // Applies the migrations newer than the stored version (PRAGMA user_version), each in its own
  // transaction together with its user_version update, then runs ANALYZE and PRAGMA optimize
  // when any was applied. Returns the number applied. Call before serving (it runs on the writer
  // thread between batches). Errors: kInvalidArgument when the versions are not 1, 2, 3 ... (a
  // gap or a duplicate) or the file is newer than the last migration; otherwise the failing
  // migration's error, its message prefixed with "0003_name: ", leaving nothing of it applied
  // (the ones before it stay applied).
  Result<int> Migrate(const std::vector<Migration>& migrations);
  // The schema version stored in the file.
  Result<int> SchemaVersion();

  // See the file comment. Returns the job's own status, or the COMMIT's error when the batch
  // could not be committed (then nothing of the job was kept). Thread-safe; must not be called
  // from inside a write job (asserts; returns kInternal in release builds instead of deadlocking).
  // Returns kUnavailable once the destructor has started.
  //
  // The job runs on the writer thread inside the batch transaction, possibly inside a SAVEPOINT
  // of it; it must not run BEGIN/COMMIT/ROLLBACK or SAVEPOINT statements of its own. A job that
  // throws is reported as kInternal and rolled back. A job may run more than once (two or three
  // times): when another job of its batch fails (see the file comment), and when the batch
  // transaction breaks for a reason outside the job (e.g. another job ended it, or an I/O error
  // rolled it back: the whole batch is rolled back and every job re-run in a transaction of its
  // own). So a job must keep its effects to the connection and to outputs it overwrites on each
  // run; only the last run's effects, status and `after_sync` hooks count.
  //
  // `after_sync`, when given, is filled by the job (on the writer thread) with hooks that the
  // flusher runs once the job's batch is durable, before Write returns, in commit order across
  // all writers, and only when the job succeeded. They must be quick and must not write.
  Status Write(std::function<Status(Connection&)> job,
               std::vector<std::function<void()>>* after_sync = nullptr);
  // Write without holding the calling thread: queues `job` and returns at once. `done` gets what
  // Write would have returned, called exactly once: on the thread that makes the batch durable
  // (the flusher or the writer), after the `after_sync` hooks; or at once, on the calling thread,
  // when the job cannot be queued (the database is closing, or failed). `done` must be quick (hand
  // the rest to another thread) and must not call Write. `after_sync` must outlive the call of
  // `done`. Jobs of Write and WriteAsync share one queue and one commit order.
  void WriteAsync(std::function<Status(Connection&)> job,
                  std::vector<std::function<void()>>* after_sync, std::function<void(Status)> done);
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

  // Extends the WAL file with zeros to `bytes` (no-op when it is that long already), while
  // holding SQLite's write lock so no connection, of this process or another, appends frames
  // meanwhile. fdatasync after overwriting blocks that already belong to the file is cheaper
  // than after appending (no size change to make durable): on the dev machine 160-180 us
  // against 240-330 us at p50 for 32 KiB. SQLite reads a log only up to its last valid frame,
  // so the zeros are never taken for frames; the log starts over inside the file after each
  // checkpoint (see the file comment) and is cut back to at most wal_size_limit_bytes. For a
  // long-running server: the last connection to close deletes the WAL, so every start pays
  // the write once. Returns the bytes written.
  Result<int64_t> PreallocateWal(int64_t bytes);
  // journal_size_limit of the writer: what the WAL is cut back to when it starts over.
  int64_t wal_size_limit_bytes() const { return wal_limit_bytes_; }

  // Lends an idle read-only connection or opens a new one. At most kMaxIdleReaders idle ones are
  // kept. A lease returned with an open read transaction (an unfinished statement or a BEGIN) is
  // reset first, so it never pins an old snapshot. Opening a reader can only fail when the
  // process runs out of resources (the file was opened by Open); that is logged and aborts.
  // Thread-safe. Every lease must be destroyed before the Database.
  ReadLease Read();

  size_t write_queue_depth() const { return queue_depth_.load(std::memory_order_relaxed); }
  WriterStats writer_stats() const;
  // Checkpoints run by the checkpointer thread so far.
  int64_t checkpoints() const { return checkpoints_.load(std::memory_order_relaxed); }
  // Times the writer started the WAL over (RESTART checkpoints that completed).
  int64_t wal_restarts() const { return wal_restarts_.load(std::memory_order_relaxed); }
  // Of wal_restarts(): those done although the last PASSIVE run could not copy nearly everything
  // (the WAL was kForceRestartFactor times over its threshold).
  int64_t forced_wal_restarts() const { return forced_restarts_.load(std::memory_order_relaxed); }
  // Forced restarts that gave up because a reader outlasted forced_restart_busy_ms.
  int64_t failed_forced_wal_restarts() const {
    return failed_forced_restarts_.load(std::memory_order_relaxed);
  }
  const std::string& path() const { return path_; }

  static constexpr size_t kMaxIdleReaders = 64;

 private:
  friend class ReadLease;
  struct Job;
  Database(std::string path, DatabaseOptions options, std::unique_ptr<Connection> writer,
           std::unique_ptr<Connection> checkpointer);
  Status Submit(Job& job);   // queues the job and waits for its release
  Status Enqueue(Job& job);  // queues the job (an error when it cannot be queued)
  void WriterLoop();
  void RunBatch(std::vector<Job*>& batch);
  void RunAlone(Job& job);
  void RunExclusive(Job& job);
  Status RunJob(Job& job);
  void ReturnReader(std::unique_ptr<Connection> conn);

  // Flusher: makes handed-over batches durable, then releases their writers.
  void FlusherLoop();
  void HandToFlusher(std::vector<Job*>& batch);
  // Syncs the WAL (synchronous "full") and releases the jobs; by whoever holds flusher_busy_.
  void SyncAndRelease(std::vector<Job*>& jobs);
  // Checkpointer: PASSIVE checkpoints once the WAL has grown by wal_autocheckpoint_pages frames.
  void CheckpointerLoop();
  static int OnWalCommit(void* self, sqlite3* db, const char* name, int frames);
  // On the checkpointer thread after a PASSIVE run over a long WAL: see the file comment.
  bool RestartWal(int busy_ms);  // true when the log was started over

  const std::string path_;
  const DatabaseOptions options_;
  std::unique_ptr<Connection> writer_conn_;  // used only by the writer thread (and Migrate before)
  int64_t wal_limit_bytes_ = 0;

  std::mutex flush_mu_;
  std::condition_variable flush_cv_;
  std::vector<Job*> flush_queue_;    // guarded by flush_mu_
  bool writer_stopped_ = false;      // guarded by flush_mu_
  bool flusher_busy_ = false;        // guarded by flush_mu_: a sync and release is under way
  std::atomic<bool> failed_{false};  // a WAL sync failed: no more writes
  int wal_fd_ = -1;  // the WAL file, opened on first use by whoever holds flusher_busy_

  std::unique_ptr<Connection> checkpoint_conn_;
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  int wal_frames_ = 0;                  // guarded by checkpoint_mu_; frames in the WAL
  bool checkpointer_stopping_ = false;  // guarded by checkpoint_mu_
  std::atomic<int64_t> checkpoints_{0};
  std::atomic<int64_t> wal_restarts_{0};
  std::atomic<int64_t> forced_restarts_{0};
  std::atomic<int64_t> failed_forced_restarts_{0};
  static constexpr int kForceRestartFactor = 4;
  static constexpr int kMaxForcedBackoffSeconds = 32;

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
  std::thread flusher_thread_;
  std::thread checkpointer_thread_;
};

}  // namespace stoa::storage::sqlite
