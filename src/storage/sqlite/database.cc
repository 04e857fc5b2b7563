#include "storage/sqlite/database.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <future>
#include <utility>

#include <spdlog/spdlog.h>

namespace stoa::storage::sqlite {
namespace {

constexpr const char kBeginImmediate[] = "BEGIN IMMEDIATE";
constexpr const char kCommit[] = "COMMIT";
constexpr const char kRollback[] = "ROLLBACK";
constexpr const char kSavepoint[] = "SAVEPOINT stoa_job";
constexpr const char kRelease[] = "RELEASE stoa_job";
constexpr const char kRollbackTo[] = "ROLLBACK TO stoa_job";
constexpr const char kUserVersion[] = "PRAGMA user_version";
constexpr const char kSetUserVersionPrefix[] = "PRAGMA user_version=";
constexpr const char kAnalyze[] = "ANALYZE";
constexpr const char kOptimize[] = "PRAGMA optimize";

bool InTransaction(Connection& c) { return sqlite3_get_autocommit(c.raw()) == 0; }

// Resets statements left mid-iteration, which would otherwise keep a read transaction open or
// make RELEASE/COMMIT fail with "SQL statements in progress".
void ResetBusyStatements(Connection& c) {
  for (sqlite3_stmt* s = sqlite3_next_stmt(c.raw(), nullptr); s != nullptr;
       s = sqlite3_next_stmt(c.raw(), s)) {
    if (sqlite3_stmt_busy(s)) sqlite3_reset(s);
  }
}

// Runs a transaction-control statement; on failure resets unfinished statements and retries once.
Status RunControl(Connection& c, const char* sql) {
  Status st = c.Prepare(sql).Run();
  if (st.ok()) return st;
  ResetBusyStatements(c);
  return c.Prepare(sql).Run();
}

void RollbackIfActive(Connection& c) {
  if (!InTransaction(c)) return;
  Status st = RunControl(c, kRollback);
  if (!st.ok()) spdlog::error("sqlite ROLLBACK failed: {}", st.ToString());
}

bool IsConstraintError(const Status& st) {
  return st.code() == StatusCode::kAlreadyExists || st.code() == StatusCode::kInvalidArgument;
}

std::string MigrationName(const Migration& m) {
  char version[16];
  std::snprintf(version, sizeof(version), "%04d", m.version);
  return std::string(version) + "_" + m.name;
}

Status CheckMigrationOrder(const std::vector<Migration>& migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    const int expected = static_cast<int>(i) + 1;
    if (migrations[i].version == expected) continue;
    std::string where = i == 0 ? std::string("first") : "after " + MigrationName(migrations[i - 1]);
    return InvalidArgument("migration " + MigrationName(migrations[i]) + " comes " + where +
                           "; versions must be 1, 2, 3 ... without gaps or duplicates");
  }
  return Status::Ok();
}

// Applies one migration and its user_version in one transaction; nothing of it on failure.
Status ApplyMigration(Connection& c, const Migration& m) {
  Status st = c.Prepare(kBeginImmediate).Run();
  if (st.ok()) st = c.Exec(m.sql);
  if (st.ok() && !InTransaction(c)) {
    st = InvalidArgument("the migration ended its transaction (no BEGIN/COMMIT in migrations)");
  }
  if (st.ok()) st = c.Exec(kSetUserVersionPrefix + std::to_string(m.version));
  if (st.ok()) st = RunControl(c, kCommit);
  if (st.ok()) return st;
  RollbackIfActive(c);
  return Status(st.code(), MigrationName(m) + ": " + st.message());
}

}  // namespace

// A queued write. Write's lives on the stack of the thread blocked in Submit, which destroys it as
// soon as `done` is ready; the writer touches it no more after set_value. WriteAsync's is on the
// heap: SyncAndRelease deletes it and then calls its `on_done`.
//
// Why a promise rather than a flag and a condition variable: measured with 64 and 256 writers on
// the 2-core machine, the promise's single futex wake gave 10-20% more commits per second than
// notify_one under the job's mutex (the woken thread then blocks on that mutex, costing the writer
// a second wake). The shared state is one small allocation per write. Notifying after unlocking
// would need no allocation but could touch a job its thread has already destroyed.
struct Database::Job {
  explicit Job(std::function<Status(Connection&)> f, bool exclusive_job = false)
      : fn(std::move(f)), exclusive(exclusive_job) {}

  std::function<Status(Connection&)> fn;
  // Runs alone, outside any batch transaction (Migrate manages its own transactions).
  const bool exclusive;
  // Filled by fn; run by the flusher in commit order once durable (see Database::Write).
  std::vector<std::function<void()>>* after_sync = nullptr;
  Status status;  // written by the writer thread before done.set_value()
  std::promise<void> done;
  // WriteAsync's: called with `status` instead of done.set_value().
  std::function<void(Status)> on_done;
};

ReadLease::~ReadLease() {
  if (conn_) db_->ReturnReader(std::move(conn_));
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& path, DatabaseOptions options) {
  if (options.max_batch < 1) return InvalidArgument("max_batch must be at least 1");
  if (options.synchronous != "full" && options.synchronous != "normal") {
    return InvalidArgument("synchronous must be \"full\" or \"normal\", not \"" +
                           options.synchronous + "\"");
  }
  if (options.wal_size_limit_bytes < 0 || options.restart_busy_ms < 0 ||
      options.forced_restart_busy_ms < 0) {
    return InvalidArgument(
        "wal_size_limit_bytes, restart_busy_ms and forced_restart_busy_ms must not be negative");
  }
  if (options.wal_autocheckpoint_pages < 0) {
    return InvalidArgument("wal_autocheckpoint_pages must not be negative");
  }
  // The writer never syncs nor checkpoints itself (see the file comment of database.h).
  ConnectionOptions writer_options;
  writer_options.synchronous = options.synchronous == "full" ? "off" : "normal";
  writer_options.busy_timeout_ms = options.busy_timeout_ms;
  writer_options.cache_size_kib = options.cache_size_kib;
  writer_options.wal_autocheckpoint_pages = 0;
  ASSIGN_OR_RETURN(std::unique_ptr<Connection> writer, Connection::Open(path, writer_options));
  const int64_t wal_limit = options.wal_size_limit_bytes > 0
                                ? options.wal_size_limit_bytes
                                : int64_t{2} * 4096 * std::max(options.wal_autocheckpoint_pages, 1);
  RETURN_IF_ERROR(writer->Exec("PRAGMA journal_size_limit=" + std::to_string(wal_limit)));

  ConnectionOptions checkpoint_options;
  checkpoint_options.synchronous = "normal";  // syncs the WAL before and the file after copying
  checkpoint_options.busy_timeout_ms = options.busy_timeout_ms;
  checkpoint_options.cache_size_kib = 256;
  checkpoint_options.wal_autocheckpoint_pages = 0;
  ASSIGN_OR_RETURN(std::unique_ptr<Connection> checkpointer,
                   Connection::Open(path, checkpoint_options));

  // Open one reader now, so a file readers cannot use fails here rather than in Read().
  ConnectionOptions reader_options;
  reader_options.read_only = true;
  reader_options.synchronous = options.synchronous;
  reader_options.busy_timeout_ms = options.busy_timeout_ms;
  reader_options.cache_size_kib = options.cache_size_kib;
  ASSIGN_OR_RETURN(std::unique_ptr<Connection> reader, Connection::Open(path, reader_options));

  std::unique_ptr<Database> db(
      new Database(path, std::move(options), std::move(writer), std::move(checkpointer)));
  db->wal_limit_bytes_ = wal_limit;
  db->idle_readers_.push_back(std::move(reader));
  return db;
}

Database::Database(std::string path, DatabaseOptions options, std::unique_ptr<Connection> writer,
                   std::unique_ptr<Connection> checkpointer)
    : path_(std::move(path)),
      options_(std::move(options)),
      writer_conn_(std::move(writer)),
      checkpoint_conn_(std::move(checkpointer)) {
  sqlite3_wal_hook(writer_conn_->raw(), &Database::OnWalCommit, this);
  flusher_thread_ = std::thread(&Database::FlusherLoop, this);
  checkpointer_thread_ = std::thread(&Database::CheckpointerLoop, this);
  writer_thread_ = std::thread(&Database::WriterLoop, this);
}

Database::~Database() {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_one();
  writer_thread_.join();  // the writer drains the queue before it returns
  {
    std::lock_guard<std::mutex> lock(flush_mu_);
    writer_stopped_ = true;
  }
  flush_cv_.notify_one();
  flusher_thread_.join();  // the flusher syncs and releases everything handed over
  {
    std::lock_guard<std::mutex> lock(checkpoint_mu_);
    checkpointer_stopping_ = true;
  }
  checkpoint_cv_.notify_one();
  checkpointer_thread_.join();
  checkpoint_conn_.reset();
  // The last connection to close checkpoints the WAL into the file and deletes it: with syncs on.
  sqlite3_wal_hook(writer_conn_->raw(), nullptr, nullptr);
  Status st = writer_conn_->Exec("PRAGMA synchronous=FULL");
  if (!st.ok()) spdlog::error("sqlite: could not turn syncs on before closing: {}", st.ToString());
  if (wal_fd_ >= 0) ::close(wal_fd_);
}

Status Database::Write(std::function<Status(Connection&)> job,
                       std::vector<std::function<void()>>* after_sync) {
  Job queued(std::move(job));
  queued.after_sync = after_sync;
  return Submit(queued);
}

void Database::WriteAsync(std::function<Status(Connection&)> job,
                          std::vector<std::function<void()>>* after_sync,
                          std::function<void(Status)> done) {
  auto queued = std::make_unique<Job>(std::move(job));
  queued->after_sync = after_sync;
  queued->on_done = std::move(done);
  Status st = Enqueue(*queued);
  if (st.ok()) {
    queued.release();  // SyncAndRelease deletes it
    return;
  }
  auto on_done = std::move(queued->on_done);
  queued.reset();
  on_done(std::move(st));
}

Status Database::Submit(Job& job) {
  std::future<void> done = job.done.get_future();
  RETURN_IF_ERROR(Enqueue(job));
  done.wait();
  return std::move(job.status);
}

Status Database::Enqueue(Job& job) {
  if (std::this_thread::get_id() == writer_thread_.get_id()) {
    assert(false && "Database::Write called from inside a write job");
    return Internal("Database::Write called from inside a write job");
  }
  if (failed_.load(std::memory_order_acquire)) {
    return Unavailable("the database refuses writes after a failed sync of its log; restart stoa");
  }
  std::lock_guard<std::mutex> lock(queue_mu_);
  if (stopping_) return Unavailable("the database is closing");
  // The writer sleeps only on an empty queue, so only the job that makes it non-empty wakes
  // it. Notifying under the lock keeps the Database alive for the call: the destructor cannot
  // run past this lock while the job is queued.
  const bool was_empty = queue_.empty();
  queue_.push_back(&job);
  queue_depth_.fetch_add(1, std::memory_order_relaxed);
  if (was_empty) queue_cv_.notify_one();
  return Status::Ok();
}

void Database::WriterLoop() {
  pthread_setname_np(pthread_self(), "stoa-db-writer");
  std::vector<Job*> batch;
  batch.reserve(static_cast<size_t>(options_.max_batch));
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(queue_mu_);
      queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has been run
      // Take everything queued (up to max_batch) so the batch grows with the load; an exclusive
      // job is taken only on its own.
      while (!queue_.empty() && batch.size() < static_cast<size_t>(options_.max_batch)) {
        Job* next = queue_.front();
        if (next->exclusive && !batch.empty()) break;
        queue_.pop_front();
        batch.push_back(next);
        if (next->exclusive) break;
      }
      queue_depth_.fetch_sub(batch.size(), std::memory_order_relaxed);
    }
    if (batch.front()->exclusive) {
      RunExclusive(*batch.front());
    } else {
      RunBatch(batch);
    }

    int64_t failed = 0;
    for (Job* job : batch) failed += job->status.ok() ? 0 : 1;
    {
      std::lock_guard<std::mutex> lock(stats_mu_);
      stats_.batches += 1;
      stats_.jobs += static_cast<int64_t>(batch.size());
      stats_.failed_jobs += failed;
    }
    HandToFlusher(batch);  // the writer goes on with the next batch meanwhile
  }
}

void Database::HandToFlusher(std::vector<Job*>& batch) {
  {
    std::lock_guard<std::mutex> lock(flush_mu_);
    // A lone batch (nothing for the writer to run next, the flusher idle with nothing waiting):
    // the writer syncs and releases it itself, saving the wake-up of a second thread on the
    // path of every isolated write (a moderator's claim, a decision). Otherwise the flusher
    // syncs while the writer goes on with the next batch.
    const bool alone = flush_queue_.empty() && !flusher_busy_ &&
                       queue_depth_.load(std::memory_order_relaxed) == 0;
    if (!alone) {
      const bool was_empty = flush_queue_.empty();
      flush_queue_.insert(flush_queue_.end(), batch.begin(), batch.end());
      if (was_empty) flush_cv_.notify_one();
      batch.clear();
      return;
    }
    flusher_busy_ = true;  // the flusher waits until these are released: commit order holds
  }
  SyncAndRelease(batch);
  batch.clear();
  std::lock_guard<std::mutex> lock(flush_mu_);
  flusher_busy_ = false;
  if (!flush_queue_.empty()) flush_cv_.notify_one();
}

void Database::FlusherLoop() {
  pthread_setname_np(pthread_self(), "stoa-db-flush");
  std::vector<Job*> jobs;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(flush_mu_);
      // While the writer syncs a lone batch itself (flusher_busy_), later batches wait for it.
      flush_cv_.wait(
          lock, [this] { return !flusher_busy_ && (writer_stopped_ || !flush_queue_.empty()); });
      if (flush_queue_.empty()) return;  // the writer stopped and everything is released
      jobs.swap(flush_queue_);
      flusher_busy_ = true;
    }
    SyncAndRelease(jobs);
    jobs.clear();
    std::lock_guard<std::mutex> lock(flush_mu_);
    flusher_busy_ = false;
  }
}

void Database::SyncAndRelease(std::vector<Job*>& jobs) {
  Status synced = Status::Ok();
  if (options_.synchronous == "full") {
    // One sync covers every batch committed before it started.
    if (wal_fd_ < 0) wal_fd_ = ::open((path_ + "-wal").c_str(), O_RDONLY | O_CLOEXEC);
    if (wal_fd_ < 0) {
      synced = Internal("cannot open the write-ahead log " + path_ + "-wal: " + std::strerror(errno));
    } else {
      int rc;
      do {
        rc = ::fdatasync(wal_fd_);
      } while (rc != 0 && errno == EINTR);
      if (rc != 0) {
        synced = Internal("fdatasync of " + path_ + "-wal failed: " + std::strerror(errno));
      }
    }
  }
  if (!synced.ok()) {
    failed_.store(true, std::memory_order_release);
    spdlog::critical("sqlite: {}; the last writes may not be durable, refusing further writes",
                     synced.message());
    for (Job* job : jobs) {
      if (job->status.ok()) job->status = Internal("the write could not be made durable");
    }
  }
  for (Job* job : jobs) {
    if (job->after_sync != nullptr && job->status.ok()) {
      for (auto& hook : *job->after_sync) hook();
    }
    if (!job->on_done) {
      job->done.set_value();  // its thread may destroy the job from here on
      continue;
    }
    std::function<void(Status)> on_done = std::move(job->on_done);
    Status status = std::move(job->status);
    delete job;
    try {
      on_done(std::move(status));
    } catch (const std::exception& e) {
      spdlog::error("sqlite: a write's completion threw: {}", e.what());
    }
  }
}

int Database::OnWalCommit(void* self, sqlite3*, const char*, int frames) {
  auto* db = static_cast<Database*>(self);
  if (db->options_.wal_autocheckpoint_pages <= 0) return SQLITE_OK;
  std::lock_guard<std::mutex> lock(db->checkpoint_mu_);
  db->wal_frames_ = frames;
  if (frames >= db->options_.wal_autocheckpoint_pages) db->checkpoint_cv_.notify_one();
  return SQLITE_OK;
}

bool Database::RestartWal(int busy_ms) {
  sqlite3* raw = checkpoint_conn_->raw();
  // RESTART takes the write lock (the writer waits at its next BEGIN, polling every 50-800 us),
  // copies what the PASSIVE run left, syncs the file, and waits for readers still on old frames;
  // readers that start meanwhile read the file alone, so they do not hold it up.
  checkpoint_conn_->SetBusyTimeout(busy_ms);
  int log_frames = 0;
  int copied = 0;
  const int rc =
      sqlite3_wal_checkpoint_v2(raw, nullptr, SQLITE_CHECKPOINT_RESTART, &log_frames, &copied);
  checkpoint_conn_->SetBusyTimeout(options_.busy_timeout_ms);
  if (rc == SQLITE_OK) {
    wal_restarts_.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  if (rc != SQLITE_BUSY) {  // busy: a reader kept old frames; the next cycle tries again
    spdlog::error("sqlite: WAL restart failed: {}", sqlite3_errmsg(raw));
  }
  return false;
}

void Database::CheckpointerLoop() {
  pthread_setname_np(pthread_self(), "stoa-db-ckpt");
  const int threshold = options_.wal_autocheckpoint_pages;
  int last_checkpointed = -1;
  // Forced restarts: not before `next_forced`; after each that gave up, the wait doubles.
  std::chrono::steady_clock::time_point next_forced{};
  std::chrono::seconds forced_backoff(1);
  std::unique_lock<std::mutex> lock(checkpoint_mu_);
  for (;;) {
    checkpoint_cv_.wait(lock, [&] {
      return checkpointer_stopping_ ||
             (threshold > 0 && wal_frames_ >= threshold && wal_frames_ != last_checkpointed);
    });
    if (checkpointer_stopping_) return;
    last_checkpointed = wal_frames_;
    lock.unlock();
    // PASSIVE: copies what no reader still needs, without blocking the writer or readers. The
    // writer starts the WAL over at its next transaction once everything was copied.
    int log_frames = 0;
    int copied = 0;
    const int rc = sqlite3_wal_checkpoint_v2(checkpoint_conn_->raw(), nullptr,
                                             SQLITE_CHECKPOINT_PASSIVE, &log_frames, &copied);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      spdlog::error("sqlite: checkpoint failed: {}", sqlite3_errmsg(checkpoint_conn_->raw()));
    }
    checkpoints_.fetch_add(1, std::memory_order_relaxed);
    // The WAL only starts over when a batch begins with every frame copied, which a steady
    // stream of batches never allows: hold the writer out for the few frames appended since.
    // Only when this run copied (nearly) everything: the restart copies the rest while writes
    // wait, and a reader that kept this run from finishing would keep the restart waiting too.
    const bool caught_up = log_frames - copied <= threshold / 4;
    // Readers that each ran long, one after another, kept every run from copying most of the
    // log. Once the log is far over its threshold, restart anyway: the restart holds the writer
    // out while it waits (forced_restart_busy_ms at most) for the readers on old frames and
    // copies what they pinned, a stall that bounds the log (see the file comment).
    const auto now = std::chrono::steady_clock::now();
    const bool far_over = log_frames >= kForceRestartFactor * threshold && now >= next_forced;
    if (rc == SQLITE_OK && log_frames >= threshold && caught_up) {
      RestartWal(options_.restart_busy_ms);
    } else if (rc == SQLITE_OK && far_over) {
      if (RestartWal(options_.forced_restart_busy_ms)) {
        forced_restarts_.fetch_add(1, std::memory_order_relaxed);
        forced_backoff = std::chrono::seconds(1);
        next_forced = std::chrono::steady_clock::now() + forced_backoff;
      } else {
        failed_forced_restarts_.fetch_add(1, std::memory_order_relaxed);
        next_forced = std::chrono::steady_clock::now() + forced_backoff;
        forced_backoff =
            std::min(forced_backoff * 2, std::chrono::seconds(kMaxForcedBackoffSeconds));
      }
    }
    lock.lock();
    // At most one checkpoint per 50 ms, however fast the WAL grows.
    checkpoint_cv_.wait_for(lock, std::chrono::milliseconds(50),
                            [this] { return checkpointer_stopping_; });
    if (checkpointer_stopping_) return;
  }
}

Status Database::RunJob(Job& job) {
  // The boundary where a throwing job becomes a status: exceptions never cross the writer.
  try {
    return job.fn(*writer_conn_);
  } catch (const std::exception& e) {
    return Internal(std::string("write job threw: ") + e.what());
  } catch (...) {
    return Internal("write job threw a non-standard exception");
  }
}

void Database::RunBatch(std::vector<Job*>& batch) {
  Connection& c = *writer_conn_;
  // Jobs before `guarded_from` run bare, the others each inside a SAVEPOINT. First every job
  // runs bare: a savepoint costs two statements and a copy of every page the job touches, and
  // jobs rarely fail. When one fails, the batch is rolled back and run again with the jobs
  // before it bare (they just succeeded on the same state) and itself and the rest guarded; if
  // a bare job fails again (its outcome changed between runs), every job is guarded.
  size_t guarded_from = batch.size();
  for (bool retried = false;; retried = true) {
    Status begin = c.Prepare(kBeginImmediate).Run();
    if (!begin.ok()) {
      for (Job* job : batch) job->status = begin;
      return;
    }
    bool broken = false;
    size_t failed_bare = batch.size();
    for (size_t i = 0; i < batch.size(); ++i) {
      Job* job = batch[i];
      if (i < guarded_from) {
        Status st = RunJob(*job);
        if (!InTransaction(c)) {  // the job, or an error such as SQLITE_FULL, ended it
          broken = true;
          break;
        }
        if (!st.ok()) {
          failed_bare = i;
          break;
        }
        job->status = std::move(st);
        continue;
      }
      if (!c.Prepare(kSavepoint).Run().ok()) {
        broken = true;
        break;
      }
      Status st = RunJob(*job);
      if (!InTransaction(c)) {
        broken = true;
        break;
      }
      if (st.ok()) {
        broken = !RunControl(c, kRelease).ok();
      } else {
        broken = !RunControl(c, kRollbackTo).ok() || !RunControl(c, kRelease).ok();
      }
      if (broken) break;
      job->status = std::move(st);
    }
    if (failed_bare < batch.size()) {
      // The failed job's effects are mixed with the others': nothing is committed yet, so roll
      // it all back and run the batch again.
      RollbackIfActive(c);
      guarded_from = retried ? 0 : failed_bare;
      std::lock_guard<std::mutex> lock(stats_mu_);
      stats_.retried_batches += 1;
      continue;
    }
    if (broken) {
      // Nothing of the batch is committed yet: roll it all back and give each job a transaction
      // of its own, so that the job that broke it cannot take the others' outcomes with it.
      RollbackIfActive(c);
      for (Job* job : batch) RunAlone(*job);
      return;
    }
    break;
  }
  Status commit = RunControl(c, kCommit);
  if (commit.ok()) return;
  RollbackIfActive(c);
  if (IsConstraintError(commit)) {
    // A deferred constraint failed at COMMIT: one job is at fault; find it by running each alone.
    for (Job* job : batch) RunAlone(*job);
    return;
  }
  // Nothing was committed. Jobs that failed on their own keep their own error.
  for (Job* job : batch) {
    if (job->status.ok()) job->status = commit;
  }
}

void Database::RunAlone(Job& job) {
  Connection& c = *writer_conn_;
  Status st = c.Prepare(kBeginImmediate).Run();
  if (!st.ok()) {
    job.status = std::move(st);
    return;
  }
  st = RunJob(job);
  if (!InTransaction(c)) {
    job.status = st.ok()
                     ? Internal("write job ended its transaction (or an I/O error rolled it back)")
                     : std::move(st);
    return;
  }
  if (st.ok()) {
    st = RunControl(c, kCommit);
    if (!st.ok()) RollbackIfActive(c);
  } else {
    RollbackIfActive(c);
  }
  job.status = std::move(st);
}

void Database::RunExclusive(Job& job) {
  Connection& c = *writer_conn_;
  Status st = RunJob(job);
  if (InTransaction(c)) {
    RollbackIfActive(c);
    if (st.ok()) st = Internal("exclusive write job left a transaction open");
  }
  job.status = std::move(st);
}

Result<int64_t> Database::PreallocateWal(int64_t bytes) {
  int64_t written = 0;
  Job job(
      [&](Connection& c) -> Status {
        // The write lock: nobody appends frames while the file grows behind SQLite's back.
        RETURN_IF_ERROR(c.Exec("BEGIN IMMEDIATE"));
        Status st = [&]() -> Status {
          const std::string wal = path_ + "-wal";
          const int fd = ::open(wal.c_str(), O_WRONLY | O_CLOEXEC);
          if (fd < 0) return Internal("cannot open " + wal + ": " + std::strerror(errno));
          struct stat st {};
          Status result = Status::Ok();
          if (::fstat(fd, &st) != 0) {
            result = Internal("cannot stat " + wal + ": " + std::strerror(errno));
          } else {
            const std::string zeros(1 << 20, '\0');
            for (int64_t at = st.st_size; at < bytes && result.ok();) {
              const size_t n = static_cast<size_t>(std::min<int64_t>(zeros.size(), bytes - at));
              const ssize_t w = ::pwrite(fd, zeros.data(), n, at);
              if (w < 0 && errno == EINTR) continue;
              if (w <= 0) {
                result = Internal("cannot extend " + wal + ": " + std::strerror(errno));
                break;
              }
              at += w;
              written += w;
            }
            if (result.ok() && written > 0 && ::fdatasync(fd) != 0) {
              result = Internal("cannot sync " + wal + ": " + std::strerror(errno));
            }
          }
          ::close(fd);
          return result;
        }();
        Status ended = c.Exec("COMMIT");  // nothing was written through SQLite
        return st.ok() ? ended : st;
      },
      /*exclusive_job=*/true);
  RETURN_IF_ERROR(Submit(job));
  return written;
}

Result<int> Database::Migrate(const std::vector<Migration>& migrations) {
  RETURN_IF_ERROR(CheckMigrationOrder(migrations));
  int applied = 0;
  Job job(
      [&migrations, &applied](Connection& c) -> Status {
        ASSIGN_OR_RETURN(std::optional<int64_t> stored, QueryInt(c, kUserVersion));
        const int64_t current = stored.value_or(0);
        const int64_t latest = migrations.empty() ? 0 : migrations.back().version;
        if (current > latest) {
          return InvalidArgument("the database schema version " + std::to_string(current) +
                                 " is newer than the last known migration " +
                                 std::to_string(latest));
        }
        for (const Migration& m : migrations) {
          if (m.version <= current) continue;
          RETURN_IF_ERROR(ApplyMigration(c, m));
          ++applied;
          spdlog::info("applied migration {}", MigrationName(m));
        }
        if (applied > 0) {
          // Fresh statistics so the planner picks the indexes the new schema was built for.
          RETURN_IF_ERROR(c.Exec(kAnalyze));
          RETURN_IF_ERROR(c.Exec(kOptimize));
        }
        return Status::Ok();
      },
      /*exclusive_job=*/true);
  RETURN_IF_ERROR(Submit(job));
  return applied;
}

WriterStats Database::writer_stats() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  return stats_;
}

Result<int> Database::SchemaVersion() {
  ReadLease lease = Read();
  ASSIGN_OR_RETURN(std::optional<int64_t> version, QueryInt(*lease, kUserVersion));
  return static_cast<int>(version.value_or(0));
}

ReadLease Database::Read() {
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (!idle_readers_.empty()) {
      std::unique_ptr<Connection> conn = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return ReadLease(this, std::move(conn));
    }
  }
  ConnectionOptions options;
  options.read_only = true;
  options.synchronous = options_.synchronous;
  options.busy_timeout_ms = options_.busy_timeout_ms;
  options.cache_size_kib = options_.cache_size_kib;
  Result<std::unique_ptr<Connection>> conn = Connection::Open(path_, options);
  if (!conn.ok()) {
    spdlog::critical("cannot open a reader for {}: {}", path_, conn.status().ToString());
    std::abort();
  }
  return ReadLease(this, std::move(conn).value());
}

void Database::ReturnReader(std::unique_ptr<Connection> conn) {
  // A reader left inside a read transaction would pin its snapshot (and stall checkpoints).
  if (sqlite3_txn_state(conn->raw(), nullptr) != SQLITE_TXN_NONE) {
    ResetBusyStatements(*conn);
    if (InTransaction(*conn) && !conn->Exec(kRollback).ok()) return;  // drop the connection
  }
  std::unique_ptr<Connection> surplus;
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (idle_readers_.size() < kMaxIdleReaders) {
      idle_readers_.push_back(std::move(conn));
    } else {
      surplus = std::move(conn);  // closed below, outside the lock
    }
  }
}

}  // namespace stoa::storage::sqlite
