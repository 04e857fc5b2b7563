#include "storage/sqlite/database.h"

#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <future>
#include <limits>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace stoa::storage::sqlite {
namespace {

using std::chrono_literals::operator""ms;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "stoa-db-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
    EXPECT_FALSE(path_.empty());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A one-shot signal between threads.
class Gate {
 public:
  void Open() { promise_.set_value(); }
  void Wait() { future_.wait(); }

 private:
  std::promise<void> promise_;
  std::shared_future<void> future_ = promise_.get_future().share();
};

constexpr const char kCreateItems[] = "CREATE TABLE items(id INTEGER PRIMARY KEY, tag TEXT UNIQUE)";
constexpr const char kInsertItem[] = "INSERT INTO items(id, tag) VALUES(?, ?)";
constexpr const char kCountItems[] = "SELECT count(*) FROM items";
constexpr const char kHasItem[] = "SELECT count(*) FROM items WHERE id = ?";
constexpr const char kSelectIds[] = "SELECT id FROM items ORDER BY id";
constexpr const char kCountTable[] = "SELECT count(*) FROM sqlite_master WHERE name = ?";
constexpr const char kUserVersion[] = "PRAGMA user_version";
constexpr const char kInsertChild[] = "INSERT INTO children(id, parent) VALUES(?, ?)";
constexpr const char kCountChildren[] = "SELECT count(*) FROM children";

Status InsertItem(Connection& c, int64_t id) {
  return c.Prepare(kInsertItem).Bind(1, id).Bind(2, "tag" + std::to_string(id)).Run();
}

int64_t CountRows(Connection& c) {
  auto n = QueryInt(c, kCountItems);
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  return n.ok() && *n ? **n : -1;
}

bool HasItem(Connection& c, int64_t id) {
  StatementScope stmt(c.Prepare(kHasItem));
  stmt->Bind(1, id);
  auto row = stmt->Step();
  return row.ok() && *row && stmt->Int(0) == 1;
}

bool HasTable(Connection& c, const char* name) {
  StatementScope stmt(c.Prepare(kCountTable));
  stmt->Bind(1, name);
  auto row = stmt->Step();
  return row.ok() && *row && stmt->Int(0) == 1;
}

// Waits (bounded) until `n` jobs are queued behind the running batch.
void WaitForQueueDepth(const Database& db, size_t n) {
  for (int i = 0; i < 10000 && db.write_queue_depth() < n; ++i) std::this_thread::sleep_for(1ms);
  ASSERT_EQ(db.write_queue_depth(), n);
}

class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    db_.reset();
    auto db = Database::Open(path_, DatabaseOptions{});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    auto applied = db_->Migrate({{1, "items", kCreateItems}});
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  }

  // A fresh connection, opened after the Database's writes returned, sees only durable state.
  std::unique_ptr<Connection> Fresh() {
    auto conn = Connection::Open(path_, ConnectionOptions{});
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    return conn.ok() ? std::move(conn).value() : nullptr;
  }

  // Holds the writer thread inside a job until the returned gate opens; join the thread after.
  std::thread HoldWriter(Gate& release) {
    Gate started;
    std::thread holder([&] {
      Status st = db_->Write([&](Connection&) {
        started.Open();
        release.Wait();
        return Status::Ok();
      });
      EXPECT_TRUE(st.ok());
    });
    started.Wait();
    return holder;
  }

  TempDir dir_;
  const std::string path_ = dir_.File("stoa.db");
  std::unique_ptr<Database> db_;
};

TEST_F(DatabaseTest, DurableWriteIsVisibleFromAFreshConnection) {
  ASSERT_TRUE(db_->Write([](Connection& c) { return InsertItem(c, 1); }).ok());
  auto conn = Fresh();
  ASSERT_TRUE(conn);
  EXPECT_TRUE(HasItem(*conn, 1));
  EXPECT_EQ(CountRows(*conn), 1);
}

TEST_F(DatabaseTest, WriteResultReturnsTheJobsValue) {
  auto id = db_->WriteResult<int64_t>([](Connection& c) -> Result<int64_t> {
    RETURN_IF_ERROR(InsertItem(c, 7));
    return c.LastInsertRowId();
  });
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, 7);
  auto failed =
      db_->WriteResult<int64_t>([](Connection&) -> Result<int64_t> { return NotFound("nothing"); });
  EXPECT_EQ(failed.status().code(), StatusCode::kNotFound);
}

TEST_F(DatabaseTest, FailedJobReturnsItsErrorAndKeepsNothing) {
  struct Case {
    const char* name;
    std::function<Status(Connection&)> job;
    StatusCode code;
  };
  const Case cases[] = {
      {"returns an error",
       [](Connection& c) {
         RETURN_IF_ERROR(InsertItem(c, 10));
         return InvalidArgument("no");
       },
       StatusCode::kInvalidArgument},
      {"violates a unique constraint",
       [](Connection& c) {
         RETURN_IF_ERROR(InsertItem(c, 10));
         return InsertItem(c, 10);
       },
       StatusCode::kAlreadyExists},
      {"throws",
       [](Connection& c) -> Status {
         RETURN_IF_ERROR(InsertItem(c, 10));
         throw std::runtime_error("boom");
       },
       StatusCode::kInternal},
  };
  for (const Case& c : cases) {
    Status st = db_->Write(c.job);
    EXPECT_EQ(st.code(), c.code) << c.name << ": " << st.ToString();
    auto conn = Fresh();
    EXPECT_EQ(CountRows(*conn), 0) << c.name;
  }
  EXPECT_EQ(db_->writer_stats().failed_jobs, 3);
  // The writer is still healthy.
  EXPECT_TRUE(db_->Write([](Connection& c) { return InsertItem(c, 11); }).ok());
}

TEST_F(DatabaseTest, ConcurrentWritersEveryAcknowledgedWriteSurvivesReopen) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100;
  std::vector<std::vector<int64_t>> acked(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &acked] {
      for (int i = 0; i < kPerThread; ++i) {
        const int64_t id = t * kPerThread + i + 1;
        if (db_->Write([id](Connection& c) { return InsertItem(c, id); }).ok()) {
          acked[t].push_back(id);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  const WriterStats stats = db_->writer_stats();
  EXPECT_EQ(stats.jobs, kThreads * kPerThread + 1);  // + the migration
  EXPECT_EQ(stats.failed_jobs, 0);

  db_.reset();
  auto conn = Fresh();
  std::set<int64_t> present;
  StatementScope ids(conn->Prepare(kSelectIds));
  for (;;) {
    auto row = ids->Step();
    ASSERT_TRUE(row.ok());
    if (!*row) break;
    present.insert(ids->Int(0));
  }
  size_t total = 0;
  for (const auto& list : acked) {
    total += list.size();
    for (int64_t id : list) EXPECT_TRUE(present.count(id)) << id;
  }
  EXPECT_EQ(total, static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(present.size(), total);
}

// Queues `jobs` from one thread each behind a held writer, so they all run in one batch.
std::vector<Status> RunInOneBatch(Database& db, std::thread holder, Gate& release,
                                  const std::vector<std::function<Status(Connection&)>>& jobs) {
  std::vector<Status> results(jobs.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < jobs.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = db.Write(jobs[i]); });
  }
  WaitForQueueDepth(db, jobs.size());
  release.Open();
  holder.join();
  for (auto& th : threads) th.join();
  return results;
}

TEST_F(DatabaseTest, FailingJobsInABatchDoNotAffectTheOthers) {
  std::vector<std::function<Status(Connection&)>> jobs;
  for (int64_t id = 1; id <= 10; ++id) {
    jobs.push_back([id](Connection& c) -> Status {
      RETURN_IF_ERROR(InsertItem(c, id));
      if (id == 3) return InvalidArgument("job 3 fails after writing");
      if (id == 5) return InsertItem(c, id);  // duplicate: kAlreadyExists
      if (id == 8) throw std::runtime_error("job 8 throws after writing");
      return Status::Ok();
    });
  }
  const WriterStats before = db_->writer_stats();
  Gate release;
  std::vector<Status> results = RunInOneBatch(*db_, HoldWriter(release), release, jobs);
  const WriterStats after = db_->writer_stats();
  EXPECT_EQ(after.batches - before.batches, 2);  // the holder's batch, then all ten together
  EXPECT_EQ(after.jobs - before.jobs, 11);
  EXPECT_EQ(after.failed_jobs - before.failed_jobs, 3);

  auto conn = Fresh();
  for (int64_t id = 1; id <= 10; ++id) {
    const Status& st = results[id - 1];
    switch (id) {
      case 3:
        EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
        break;
      case 5:
        EXPECT_EQ(st.code(), StatusCode::kAlreadyExists);
        break;
      case 8:
        EXPECT_EQ(st.code(), StatusCode::kInternal);
        break;
      default:
        EXPECT_TRUE(st.ok()) << id << ": " << st.ToString();
    }
    EXPECT_EQ(HasItem(*conn, id), st.ok()) << id;
  }
}

TEST_F(DatabaseTest, JobThatEndsTheTransactionFailsAloneAndTheRestAreRerun) {
  std::vector<std::function<Status(Connection&)>> jobs;
  for (int64_t id = 1; id <= 6; ++id) {
    jobs.push_back([id](Connection& c) -> Status {
      RETURN_IF_ERROR(InsertItem(c, id));
      if (id == 4) return c.Exec("ROLLBACK");  // breaks the batch transaction
      return Status::Ok();
    });
  }
  Gate release;
  std::vector<Status> results = RunInOneBatch(*db_, HoldWriter(release), release, jobs);
  auto conn = Fresh();
  for (int64_t id = 1; id <= 6; ++id) {
    const Status& st = results[id - 1];
    if (id == 4) {
      EXPECT_EQ(st.code(), StatusCode::kInternal) << st.ToString();
      EXPECT_FALSE(HasItem(*conn, id));
    } else {
      EXPECT_TRUE(st.ok()) << id << ": " << st.ToString();
      EXPECT_TRUE(HasItem(*conn, id)) << id;
    }
  }
  // The writer recovered.
  EXPECT_TRUE(db_->Write([](Connection& c) { return InsertItem(c, 100); }).ok());
}

TEST_F(DatabaseTest, DeferredConstraintFailingAtCommitFailsOnlyItsJob) {
  constexpr const char kSchema[] =
      "CREATE TABLE parents(id INTEGER PRIMARY KEY);"
      "CREATE TABLE children(id INTEGER PRIMARY KEY,"
      "  parent INTEGER REFERENCES parents(id) DEFERRABLE INITIALLY DEFERRED)";
  ASSERT_TRUE(db_->Migrate({{1, "items", kCreateItems}, {2, "family", kSchema}}).ok());
  ASSERT_TRUE(
      db_->Write([](Connection& c) { return c.Exec("INSERT INTO parents VALUES(0)"); }).ok());
  std::vector<std::function<Status(Connection&)>> jobs;
  for (int64_t id = 1; id <= 5; ++id) {
    jobs.push_back([id](Connection& c) -> Status {
      // Job 2's child points at a parent nobody creates; that is only detected at COMMIT.
      return c.Prepare(kInsertChild).Bind(1, id).Bind(2, id == 2 ? int64_t{999} : int64_t{0}).Run();
    });
  }
  const WriterStats before = db_->writer_stats();
  Gate release;
  std::vector<Status> results = RunInOneBatch(*db_, HoldWriter(release), release, jobs);
  EXPECT_EQ(db_->writer_stats().batches - before.batches, 2);
  auto conn = Fresh();
  for (int64_t id = 1; id <= 5; ++id) {
    const Status& st = results[id - 1];
    if (id == 2) {
      EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
      EXPECT_NE(st.message().find("FOREIGN KEY"), std::string::npos) << st.ToString();
    } else {
      EXPECT_TRUE(st.ok()) << id << ": " << st.ToString();
    }
  }
  auto children = QueryInt(*conn, kCountChildren);
  ASSERT_TRUE(children.ok());
  EXPECT_EQ(*children, 4);
}

// Like RunInOneBatch, but queues the jobs in their order: job i+1 only once job i is queued.
std::vector<Status> RunInOneBatchInOrder(
    Database& db, std::thread holder, Gate& release,
    const std::vector<std::function<Status(Connection&)>>& jobs) {
  std::vector<Status> results(jobs.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < jobs.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = db.Write(jobs[i]); });
    WaitForQueueDepth(db, i + 1);
  }
  release.Open();
  holder.join();
  for (auto& th : threads) th.join();
  return results;
}

// Counts the SAVEPOINT statements the writer connection runs while installed.
std::atomic<int> savepoints_run{0};

int CountSavepoints(unsigned, void*, void* stmt, void*) {
  const char* sql = sqlite3_sql(static_cast<sqlite3_stmt*>(stmt));
  if (sql != nullptr && std::string_view(sql).starts_with("SAVEPOINT")) ++savepoints_run;
  return 0;
}

void TraceSavepoints(Database& db, bool on) {
  ASSERT_TRUE(db.Write([on](Connection& c) {
                  sqlite3_trace_v2(c.raw(), on ? SQLITE_TRACE_STMT : 0,
                                   on ? &CountSavepoints : nullptr, nullptr);
                  return Status::Ok();
                }).ok());
  savepoints_run = 0;
}

TEST_F(DatabaseTest, BatchWithoutFailuresRunsItsJobsWithoutSavepoints) {
  TraceSavepoints(*db_, true);
  std::vector<std::function<Status(Connection&)>> jobs;
  for (int64_t id = 1; id <= 5; ++id) {
    jobs.push_back([id](Connection& c) { return InsertItem(c, id); });
  }
  const WriterStats before = db_->writer_stats();
  Gate release;
  std::vector<Status> results = RunInOneBatchInOrder(*db_, HoldWriter(release), release, jobs);
  EXPECT_EQ(savepoints_run.load(), 0);
  EXPECT_EQ(db_->writer_stats().retried_batches, before.retried_batches);
  TraceSavepoints(*db_, false);
  auto conn = Fresh();
  for (int64_t id = 1; id <= 5; ++id) {
    EXPECT_TRUE(results[id - 1].ok()) << id << ": " << results[id - 1].ToString();
    EXPECT_TRUE(HasItem(*conn, id)) << id;
  }
}

// A job that fails amid others: its effects are gone, the others' kept, each gets its own status;
// the jobs after it see the effects of the jobs before it and none of its own.
TEST_F(DatabaseTest, FailedJobIsUndoneAloneAndTheJobsAfterItDoNotSeeIt) {
  constexpr int64_t kJobs = 6;
  std::vector<std::atomic<int>> runs(kJobs + 1);
  std::vector<std::function<Status(Connection&)>> jobs;
  for (int64_t id = 1; id <= kJobs; ++id) {
    jobs.push_back([id, &runs](Connection& c) -> Status {
      ++runs[id];
      RETURN_IF_ERROR(InsertItem(c, id));
      if (id == 3) return InvalidArgument("job 3 fails after writing");
      if (id == 5 && (!HasItem(c, 2) || HasItem(c, 3))) return Internal("job 5 saw job 3");
      return Status::Ok();
    });
  }
  TraceSavepoints(*db_, true);
  const WriterStats before = db_->writer_stats();
  Gate release;
  std::vector<Status> results = RunInOneBatchInOrder(*db_, HoldWriter(release), release, jobs);
  const WriterStats after = db_->writer_stats();
  const int savepoints = savepoints_run.load();
  TraceSavepoints(*db_, false);
  EXPECT_EQ(after.batches - before.batches, 2);  // the holder's batch, then the six together
  EXPECT_EQ(after.failed_jobs - before.failed_jobs, 1);
  EXPECT_EQ(after.retried_batches - before.retried_batches, 1);
  // The first run stopped at job 3; the second ran jobs 1-2 bare and 3-6 in savepoints.
  EXPECT_EQ(savepoints, 4);
  for (int64_t id = 1; id <= kJobs; ++id) EXPECT_EQ(runs[id].load(), id <= 3 ? 2 : 1) << id;
  auto conn = Fresh();
  for (int64_t id = 1; id <= kJobs; ++id) {
    const Status& st = results[id - 1];
    if (id == 3) {
      EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
    } else {
      EXPECT_TRUE(st.ok()) << id << ": " << st.ToString();
    }
    EXPECT_EQ(HasItem(*conn, id), id != 3) << id;
  }
  EXPECT_EQ(CountRows(*conn), kJobs - 1);
}

// A job run bare that succeeded the first time and fails when the batch is run again (its outcome
// depends on something outside the database): the third run puts every job in a savepoint.
TEST_F(DatabaseTest, JobFailingOnlyWhenRerunLeadsToEveryJobInASavepoint) {
  constexpr int64_t kJobs = 4;
  std::vector<std::atomic<int>> runs(kJobs + 1);
  std::vector<std::function<Status(Connection&)>> jobs;
  for (int64_t id = 1; id <= kJobs; ++id) {
    jobs.push_back([id, &runs](Connection& c) -> Status {
      const int run = ++runs[id];
      RETURN_IF_ERROR(InsertItem(c, id));
      if (id == 1 && run == 2) return Unavailable("job 1 fails on its second run only");
      if (id == 3) return InvalidArgument("job 3 always fails");
      return Status::Ok();
    });
  }
  TraceSavepoints(*db_, true);
  const WriterStats before = db_->writer_stats();
  Gate release;
  std::vector<Status> results = RunInOneBatchInOrder(*db_, HoldWriter(release), release, jobs);
  const WriterStats after = db_->writer_stats();
  const int savepoints = savepoints_run.load();
  TraceSavepoints(*db_, false);
  EXPECT_EQ(after.retried_batches - before.retried_batches, 2);
  EXPECT_EQ(savepoints, 4);  // the third run: every job
  EXPECT_EQ(runs[1].load(), 3);
  EXPECT_EQ(runs[2].load(), 2);  // stopped before it in the second run
  EXPECT_EQ(runs[3].load(), 2);
  EXPECT_EQ(runs[4].load(), 1);
  auto conn = Fresh();
  for (int64_t id = 1; id <= kJobs; ++id) {
    const Status& st = results[id - 1];
    if (id == 3) {
      EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
    } else {
      EXPECT_TRUE(st.ok()) << id << ": " << st.ToString();
    }
    EXPECT_EQ(HasItem(*conn, id), id != 3) << id;
  }
}

TEST_F(DatabaseTest, ReadersSeeCommittedAndNeverUncommittedData) {
  Gate inserted;
  Gate release;
  std::thread writer([&] {
    Status st = db_->Write([&](Connection& c) {
      RETURN_IF_ERROR(InsertItem(c, 1));
      inserted.Open();
      release.Wait();
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok());
  });
  inserted.Wait();
  {
    ReadLease lease = db_->Read();
    EXPECT_EQ(CountRows(*lease), 0);
  }
  release.Open();
  writer.join();
  ReadLease lease = db_->Read();
  EXPECT_EQ(CountRows(*lease), 1);
}

TEST_F(DatabaseTest, ReadPoolReusesConnections) {
  Connection* first = nullptr;
  {
    ReadLease lease = db_->Read();
    first = &*lease;
  }
  {
    ReadLease again = db_->Read();
    EXPECT_EQ(&*again, first);
    ReadLease second = db_->Read();  // the only idle one is lent out: a new one
    EXPECT_NE(&*second, first);
  }
  {
    ReadLease moved = db_->Read();
    ReadLease target = std::move(moved);  // only the lease that owns the connection returns it
  }
  ReadLease a = db_->Read();
  ReadLease b = db_->Read();
  EXPECT_NE(&*a, nullptr);
  EXPECT_NE(&*b, nullptr);
}

TEST_F(DatabaseTest, ReturnedReaderDoesNotPinAnOldSnapshot) {
  ASSERT_TRUE(db_->Write([](Connection& c) { return InsertItem(c, 1); }).ok());
  Connection* reader = nullptr;
  {
    ReadLease lease = db_->Read();
    reader = &*lease;
    Statement& ids = lease->Prepare(kSelectIds);
    ASSERT_TRUE(*ids.Step());  // left mid-iteration: a read transaction stays open
  }
  ASSERT_TRUE(db_->Write([](Connection& c) { return InsertItem(c, 2); }).ok());
  ReadLease lease = db_->Read();
  ASSERT_EQ(&*lease, reader);
  EXPECT_EQ(CountRows(*lease), 2);
}

TEST_F(DatabaseTest, DestructorDrainsQueuedWrites) {
  constexpr int kQueued = 20;
  Gate release;
  std::thread holder = HoldWriter(release);
  std::vector<Status> results(kQueued);
  std::vector<std::thread> writers;
  Database* db = db_.get();  // the writers must not read db_ while the closer resets it
  for (int i = 0; i < kQueued; ++i) {
    writers.emplace_back(
        [&, i] { results[i] = db->Write([i](Connection& c) { return InsertItem(c, i + 1); }); });
  }
  WaitForQueueDepth(*db_, kQueued);
  std::thread closer([&] { db_.reset(); });
  std::this_thread::sleep_for(20ms);  // let the destructor start waiting; the outcome is the same
  release.Open();
  closer.join();
  holder.join();
  for (auto& th : writers) th.join();
  for (const Status& st : results) EXPECT_TRUE(st.ok()) << st.ToString();
  auto conn = Fresh();
  EXPECT_EQ(CountRows(*conn), kQueued);
}

// WriteAsync's completion, recorded for a test thread to wait on.
class Completion {
 public:
  std::function<void(Status)> Callback() {
    return [this](Status st) {
      std::lock_guard lock(mu_);
      statuses_.push_back(std::move(st));
      threads_.push_back(std::this_thread::get_id());
      cv_.notify_all();
    };
  }
  // Waits (bounded) for `n` completions.
  bool WaitFor(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return statuses_.size() >= n; });
  }
  std::vector<Status> statuses() {
    std::lock_guard lock(mu_);
    return statuses_;
  }
  std::vector<std::thread::id> threads() {
    std::lock_guard lock(mu_);
    return threads_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Status> statuses_;
  std::vector<std::thread::id> threads_;
};

TEST_F(DatabaseTest, WriteAsyncReturnsAtOnceAndCompletesOnceDurable) {
  Gate release;
  std::thread holder = HoldWriter(release);
  Completion done;
  db_->WriteAsync([](Connection& c) { return InsertItem(c, 1); }, nullptr, done.Callback());
  // The call returned while the writer is held: nothing is complete yet.
  WaitForQueueDepth(*db_, 1);
  EXPECT_TRUE(done.statuses().empty());
  release.Open();
  holder.join();
  ASSERT_TRUE(done.WaitFor(1));
  ASSERT_EQ(done.statuses().size(), 1u);
  EXPECT_TRUE(done.statuses()[0].ok()) << done.statuses()[0].ToString();
  EXPECT_NE(done.threads()[0], std::this_thread::get_id());
  auto conn = Fresh();
  EXPECT_TRUE(HasItem(*conn, 1));
}

TEST_F(DatabaseTest, WriteAsyncFailedJobReportsItsErrorAndKeepsNothing) {
  Completion done;
  db_->WriteAsync(
      [](Connection& c) -> Status {
        RETURN_IF_ERROR(InsertItem(c, 5));
        return InvalidArgument("no, thanks");
      },
      nullptr, done.Callback());
  // Its neighbour in the same queue lands.
  db_->WriteAsync([](Connection& c) { return InsertItem(c, 6); }, nullptr, done.Callback());
  ASSERT_TRUE(done.WaitFor(2));
  EXPECT_EQ(done.statuses()[0].code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(done.statuses()[0].message(), "no, thanks");
  EXPECT_TRUE(done.statuses()[1].ok());
  auto conn = Fresh();
  EXPECT_FALSE(HasItem(*conn, 5));
  EXPECT_TRUE(HasItem(*conn, 6));
}

TEST_F(DatabaseTest, WriteAsyncSharesTheCommitOrderWithWrite) {
  // Hooks of both kinds of write run in commit order, and the async one's before its done.
  Gate release;
  std::thread holder = HoldWriter(release);
  std::mutex mu;
  std::vector<std::string> events;
  auto log = [&](std::string e) {
    std::lock_guard lock(mu);
    events.push_back(std::move(e));
  };
  std::vector<std::function<void()>> first_hooks = {[&] { log("hook 1"); }};
  Completion done;
  db_->WriteAsync([](Connection& c) { return InsertItem(c, 1); }, &first_hooks,
                  [&, callback = done.Callback()](Status st) {
                    log("done 1");
                    callback(std::move(st));
                  });
  WaitForQueueDepth(*db_, 1);
  std::thread second([&] {
    std::vector<std::function<void()>> hooks = {[&] { log("hook 2"); }};
    EXPECT_TRUE(db_->Write([](Connection& c) { return InsertItem(c, 2); }, &hooks).ok());
  });
  WaitForQueueDepth(*db_, 2);
  release.Open();
  holder.join();
  second.join();
  ASSERT_TRUE(done.WaitFor(1));
  std::lock_guard lock(mu);
  EXPECT_EQ(events, (std::vector<std::string>{"hook 1", "done 1", "hook 2"}));
}

TEST_F(DatabaseTest, DestructorCompletesQueuedAsyncWrites) {
  constexpr int kQueued = 20;
  Gate release;
  std::thread holder = HoldWriter(release);
  Completion done;
  for (int i = 0; i < kQueued; ++i) {
    db_->WriteAsync([i](Connection& c) { return InsertItem(c, i + 1); }, nullptr, done.Callback());
  }
  WaitForQueueDepth(*db_, kQueued);
  std::thread closer([&] { db_.reset(); });
  std::this_thread::sleep_for(20ms);
  release.Open();
  closer.join();
  holder.join();
  ASSERT_EQ(done.statuses().size(), static_cast<size_t>(kQueued));
  for (const Status& st : done.statuses()) EXPECT_TRUE(st.ok()) << st.ToString();
  auto conn = Fresh();
  EXPECT_EQ(CountRows(*conn), kQueued);
}

TEST_F(DatabaseTest, MigrationsApplyInOrderAndSkipApplied) {
  const std::vector<Migration> all = {
      {1, "items", kCreateItems},
      {2, "add_body", "ALTER TABLE items ADD COLUMN body TEXT"},
      {3, "index_body", "CREATE INDEX items_body ON items(body)"},
  };
  auto version = db_->SchemaVersion();
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, 1);  // applied by SetUp

  auto applied = db_->Migrate({all[0], all[1]});
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(*applied, 1);
  applied = db_->Migrate(all);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(*applied, 1);
  applied = db_->Migrate(all);
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(*applied, 0);
  EXPECT_EQ(*db_->SchemaVersion(), 3);

  auto conn = Fresh();
  EXPECT_TRUE(HasTable(*conn, "items_body"));
  EXPECT_TRUE(HasTable(*conn, "sqlite_stat1"));  // ANALYZE ran
}

TEST_F(DatabaseTest, FreshFileAppliesEverythingAtOnce) {
  TempDir other;
  auto db = Database::Open(other.File("new.db"), DatabaseOptions{});
  ASSERT_TRUE(db.ok());
  auto applied = (*db)->Migrate({{1, "a", "CREATE TABLE a(x)"}, {2, "b", "CREATE TABLE b(y)"}});
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(*applied, 2);
  EXPECT_EQ(*(*db)->SchemaVersion(), 2);
}

TEST_F(DatabaseTest, FailingMigrationNamesItselfAndAppliesNothingOfIt) {
  const std::vector<Migration> migrations = {
      {1, "items", kCreateItems},
      {2, "good", "CREATE TABLE good(x)"},
      {3, "broken", "CREATE TABLE partial(x); INSERT INTO missing VALUES(1)"},
      {4, "later", "CREATE TABLE later(x)"},
  };
  auto applied = db_->Migrate(migrations);
  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.status().code(), StatusCode::kInternal);
  EXPECT_EQ(applied.status().message(), "0003_broken: no such table: missing");
  EXPECT_EQ(*db_->SchemaVersion(), 2);
  auto conn = Fresh();
  EXPECT_TRUE(HasTable(*conn, "good"));
  EXPECT_FALSE(HasTable(*conn, "partial"));
  EXPECT_FALSE(HasTable(*conn, "later"));
  // Writes still work afterwards.
  EXPECT_TRUE(db_->Write([](Connection& c) { return InsertItem(c, 1); }).ok());
}

TEST_F(DatabaseTest, RejectsMigrationListsThatAreNotConsecutive) {
  struct Case {
    const char* name;
    std::vector<Migration> migrations;
  };
  const Case cases[] = {
      {"gap", {{1, "items", kCreateItems}, {3, "c", "CREATE TABLE c(x)"}}},
      {"duplicate", {{1, "items", kCreateItems}, {1, "again", "CREATE TABLE c(x)"}}},
      {"decreasing", {{2, "b", "CREATE TABLE b(x)"}, {1, "items", kCreateItems}}},
      {"not starting at 1", {{2, "b", "CREATE TABLE b(x)"}}},
  };
  for (const Case& c : cases) {
    auto applied = db_->Migrate(c.migrations);
    ASSERT_FALSE(applied.ok()) << c.name;
    EXPECT_EQ(applied.status().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_EQ(*db_->SchemaVersion(), 1) << c.name;
  }
  auto conn = Fresh();
  EXPECT_FALSE(HasTable(*conn, "c"));
  EXPECT_FALSE(HasTable(*conn, "b"));
}

TEST_F(DatabaseTest, RejectsAFileNewerThanTheMigrations) {
  auto conn = Fresh();
  ASSERT_TRUE(conn->Exec("PRAGMA user_version=5").ok());
  auto applied = db_->Migrate({{1, "items", kCreateItems}});
  EXPECT_EQ(applied.status().code(), StatusCode::kInvalidArgument);
  auto version = QueryInt(*conn, kUserVersion);
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, 5);
}

TEST_F(DatabaseTest, KeepsWorkingAcrossReopen) {
  ASSERT_TRUE(db_->Write([](Connection& c) { return InsertItem(c, 1); }).ok());
  Reopen();
  EXPECT_EQ(*db_->SchemaVersion(), 1);
  ReadLease lease = db_->Read();
  EXPECT_EQ(CountRows(*lease), 1);
}

#ifdef NDEBUG
TEST_F(DatabaseTest, WriteFromInsideAJobFailsInsteadOfDeadlocking) {
  Status inner;
  Status outer = db_->Write([&](Connection&) {
    inner = db_->Write([](Connection&) { return Status::Ok(); });
    return Status::Ok();
  });
  EXPECT_TRUE(outer.ok());
  EXPECT_EQ(inner.code(), StatusCode::kInternal);
}
#endif

// After-sync hooks run once the write is durable, before Write returns, in the order the writer
// ran the jobs, whichever threads submitted them; never for a failed job.
TEST_F(DatabaseTest, AfterSyncHooksRunInCommitOrderBeforeWriteReturns) {
  std::mutex mu;
  std::vector<int64_t> seen;  // ids in the order the hooks ran
  int64_t next_id = 0;        // only touched by jobs, i.e. on the writer thread
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        std::vector<std::function<void()>> hooks;
        int64_t mine = 0;
        const bool fail = (t + i) % 7 == 0;
        Status st = db_->Write(
            [&](Connection& c) -> Status {
              hooks.clear();
              mine = ++next_id;
              RETURN_IF_ERROR(InsertItem(c, mine));
              hooks.push_back([&, id = mine] {
                std::lock_guard lock(mu);
                seen.push_back(id);
              });
              return fail ? InvalidArgument("refused") : Status::Ok();
            },
            &hooks);
        EXPECT_EQ(st.ok(), !fail);
        std::lock_guard lock(mu);
        const bool ran = std::find(seen.begin(), seen.end(), mine) != seen.end();
        EXPECT_EQ(ran, !fail) << "job " << mine;
      }
    });
  }
  for (auto& w : writers) w.join();
  ASSERT_FALSE(seen.empty());
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  auto conn = Fresh();
  EXPECT_EQ(CountRows(*conn), static_cast<int64_t>(seen.size()));
}

// The writer never checkpoints; the checkpointer copies the log into the database file once it
// has grown past wal_autocheckpoint_pages frames. Seen through the file alone: an immutable
// connection ignores the WAL and reads only what was copied into stoa.db.
TEST(DatabaseCheckpointTest, CheckpointerCopiesTheLogIntoTheDatabaseFile) {
  TempDir dir;
  const std::string path = dir.File("stoa.db");
  DatabaseOptions options;
  options.wal_autocheckpoint_pages = 20;
  auto opened = Database::Open(path, options);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<Database> db = std::move(opened).value();
  ASSERT_TRUE(db->Migrate({{1, "items", kCreateItems}}).ok());
  const std::string padding(3000, 'x');
  for (int64_t id = 1; id <= 200; ++id) {
    ASSERT_TRUE(
        db->Write([&](Connection& c) {
            return c.Prepare(kInsertItem).Bind(1, id).Bind(2, padding + std::to_string(id)).Run();
          }).ok());
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (db->checkpoints() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_GT(db->checkpoints(), 0);
  // Let a checkpoint run after the last write, then count what the file itself holds. The write
  // is over the threshold by itself (30 pages), so a checkpoint follows it even when the log had
  // just started over (one row alone then waited out the deadline).
  const int64_t before = db->checkpoints();
  ASSERT_TRUE(
      db->Write([&](Connection& c) -> Status {
          for (int64_t id = 201; id <= 230; ++id) {
            RETURN_IF_ERROR(
                c.Prepare(kInsertItem).Bind(1, id).Bind(2, padding + std::to_string(id)).Run());
          }
          return Status::Ok();
        }).ok());
  while (db->checkpoints() == before && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  // An immutable connection takes no locks, so it can read the file while a later checkpoint is
  // writing pages into it and find it torn (SQLITE_CORRUPT, seen once in CI); such a read is
  // tried again. Only a complete read counts.
  int64_t in_file = -1;
  for (int attempt = 0; attempt < 50 && in_file < 0; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(20ms);
    sqlite3* file_only = nullptr;
    ASSERT_EQ(sqlite3_open_v2(("file:" + path + "?immutable=1").c_str(), &file_only,
                              SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr),
              SQLITE_OK);
    sqlite3_stmt* count = nullptr;
    if (sqlite3_prepare_v2(file_only, kCountItems, -1, &count, nullptr) == SQLITE_OK &&
        sqlite3_step(count) == SQLITE_ROW) {
      in_file = sqlite3_column_int64(count, 0);
    }
    sqlite3_finalize(count);
    sqlite3_close_v2(file_only);
  }
  EXPECT_GE(in_file, 100);
  db.reset();
  // Closing checkpoints the rest with syncs on: everything is in the file.
  auto conn = Connection::Open(path, ConnectionOptions{});
  ASSERT_TRUE(conn.ok());
  EXPECT_EQ(CountRows(**conn), 230);
}

// The two tests below stream 20-row batches of 3 KB rows into a fresh database (checkpoint
// threshold 50 pages) while a reader reads over and over on another thread, and watch the WAL's
// size after each batch. The writes go on until the test's condition holds, or until 20,000
// rows: how many checkpoint cycles (one per 50 ms at most) a machine fits into a fixed number of
// rows varies, and a cycle can find the reader on old frames, so the tests wait for the event,
// not a count.
constexpr uintmax_t kWalLimit = 2 * 50 * 4096;  // the default: twice the checkpoint threshold
constexpr int64_t kWalBatch = 20;
// journal_size_limit plus the batch that started the log over.
constexpr uintmax_t kWalCutBack = kWalLimit + 2 * (kWalBatch + 2) * 4096;

struct WalStream {
  bool stopped = false;  // the condition held before 20,000 rows
  uintmax_t largest_wal = 0;
  int64_t rows = 0;
  int64_t checkpoints = 0, restarts = 0, forced_restarts = 0;

  std::string Describe() const {
    return "largest WAL " + std::to_string(largest_wal) + " bytes, checkpoints " +
           std::to_string(checkpoints) + ", restarts " + std::to_string(restarts) + ", forced " +
           std::to_string(forced_restarts) + ", rows " + std::to_string(rows);
  }
};

// `read(connection, rows written so far)` runs on the reader thread; `stop(db, wal bytes,
// largest so far)` after each batch. Afterwards every row written must be in the file.
void StreamWrites(const std::function<void(Connection&, int64_t)>& read,
                  const std::function<bool(const Database&, uintmax_t, uintmax_t)>& stop,
                  WalStream* out,
                  int forced_restart_busy_ms = DatabaseOptions{}.forced_restart_busy_ms) {
  TempDir dir;
  const std::string path = dir.File("stoa.db");
  DatabaseOptions options;
  options.wal_autocheckpoint_pages = 50;
  options.forced_restart_busy_ms = forced_restart_busy_ms;
  auto opened = Database::Open(path, options);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<Database> db = std::move(opened).value();
  ASSERT_TRUE(db->Migrate({{1, "items", kCreateItems}}).ok());
  const std::string padding(3000, 'x');
  constexpr int64_t kMaxRows = 20000;
  std::atomic<bool> done{false};
  std::atomic<int64_t> written{0};
  std::thread reader([&] {
    while (!done.load()) {
      ReadLease lease = db->Read();
      read(*lease, written.load());
    }
  });
  for (int64_t first = 1; first <= kMaxRows && !out->stopped; first += kWalBatch) {
    const Status st = db->Write([&](Connection& c) -> Status {
      for (int64_t id = first; id < first + kWalBatch; ++id) {
        RETURN_IF_ERROR(
            c.Prepare(kInsertItem).Bind(1, id).Bind(2, padding + std::to_string(id)).Run());
      }
      return Status::Ok();
    });
    if (!st.ok()) {
      ADD_FAILURE() << st.ToString();
      break;
    }
    out->rows += kWalBatch;
    written = out->rows;
    std::error_code ec;
    const uintmax_t wal = std::filesystem::file_size(path + "-wal", ec);
    out->largest_wal = std::max(out->largest_wal, wal);
    out->stopped = stop(*db, wal, out->largest_wal);
  }
  done = true;
  reader.join();
  out->checkpoints = db->checkpoints();
  out->restarts = db->wal_restarts();
  out->forced_restarts = db->forced_wal_restarts();
  db.reset();
  auto conn = Connection::Open(path, ConnectionOptions{});
  ASSERT_TRUE(conn.ok());
  EXPECT_EQ(CountRows(**conn), out->rows);
}

// A steady stream of batches never lets SQLite start the log over by itself (every batch begins
// with frames the last PASSIVE checkpoint had not copied yet): without the checkpointer's RESTART
// the WAL grows by everything written (2.5 GB for a seed of 1,000,000 cases).
TEST(DatabaseCheckpointTest, WalStaysBoundedUnderAStreamOfWrites) {
  // How long the WAL gets depends on how fast the disk syncs (it grows by what is written during
  // one checkpoint), so the test asserts that it starts over while the writes go on, not a size.
  uintmax_t smallest_after_growth = std::numeric_limits<uintmax_t>::max();
  WalStream run;
  StreamWrites(
      // Readers come and go all the time, as requests do in the server: short reads (long ones:
      // WalIsCutBackWhileLongReadersOverlapTheWrites).
      [](Connection& c, int64_t rows) { HasItem(c, std::max<int64_t>(1, rows)); },
      [&](const Database&, uintmax_t wal, uintmax_t largest) {
        if (largest > 4 * kWalLimit) smallest_after_growth = std::min(smallest_after_growth, wal);
        return smallest_after_growth <= kWalCutBack;
      },
      &run);
  EXPECT_GT(run.restarts, 0) << run.Describe();
  EXPECT_LE(smallest_after_growth, kWalCutBack) << "the WAL never started over: " << run.Describe();
}

// Readers that each hold their snapshot for a while (120 ms: a report or an export reading), one
// after another, keep every PASSIVE run from copying nearly everything; once the WAL is far over
// its threshold the checkpointer restarts it anyway, waiting for the reader on old frames to
// finish (database.h). Without the forced restart the WAL grew to 219 MB here; with a wait
// shorter than a reader (forced_restart_busy_ms 50) no forced restart succeeded. The hold is a
// fixed time, not a scan of the growing table, whose length depends on the machine's load.
TEST(DatabaseCheckpointTest, WalIsCutBackWhileLongReadersOverlapTheWrites) {
  WalStream run;
  StreamWrites(
      [](Connection& c, int64_t rows) {
        // One read transaction: its snapshot is pinned until COMMIT.
        ASSERT_TRUE(c.Exec("BEGIN").ok());
        HasItem(c, std::max<int64_t>(1, rows));
        std::this_thread::sleep_for(std::chrono::milliseconds(120));
        ASSERT_TRUE(c.Exec("COMMIT").ok());
      },
      [](const Database& db, uintmax_t wal, uintmax_t largest) {
        return db.forced_wal_restarts() > 0 && largest > 8 * kWalLimit && wal <= kWalCutBack;
      },
      &run);
  EXPECT_TRUE(run.stopped) << run.Describe();
}

// A reader that never ends (a backup, an export in one transaction) pins the WAL: a forced
// restart cannot succeed, and each attempt holds the writer for forced_restart_busy_ms. They are
// counted and back off (1 s, 2, 4 ... 32 s), so such a reader costs the writer little.
TEST(DatabaseCheckpointTest, ForcedRestartsBackOffWhileAReaderNeverEnds) {
  TempDir dir;
  DatabaseOptions options;
  options.wal_autocheckpoint_pages = 50;
  options.forced_restart_busy_ms = 100;
  auto opened = Database::Open(dir.File("stoa.db"), options);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<Database> db = std::move(opened).value();
  ASSERT_TRUE(db->Migrate({{1, "items", kCreateItems}}).ok());
  ASSERT_TRUE(db->Write([](Connection& c) { return InsertItem(c, 1); }).ok());
  ReadLease lease = db->Read();
  ASSERT_TRUE(lease->Exec("BEGIN").ok());
  ASSERT_EQ(CountRows(*lease), 1);  // the snapshot is taken
  const std::string padding(3000, 'x');
  const auto started = std::chrono::steady_clock::now();
  int64_t id = 2;
  while (db->failed_forced_wal_restarts() < 3 &&
         std::chrono::steady_clock::now() - started < std::chrono::seconds(20)) {
    ASSERT_TRUE(
        db->Write([&](Connection& c) -> Status {
            for (int k = 0; k < 20; ++k, ++id) {
              RETURN_IF_ERROR(
                  c.Prepare(kInsertItem).Bind(1, id).Bind(2, padding + std::to_string(id)).Run());
            }
            return Status::Ok();
          }).ok());
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // Three attempts of 0.1 s, the second 1 s after the first gave up, the third 2 s after the
  // second: at least 3.2 s of writes (2.2 s without the back-off).
  EXPECT_EQ(db->failed_forced_wal_restarts(), 3) << seconds << " s";
  EXPECT_GE(seconds, 3.2);
  EXPECT_EQ(db->forced_wal_restarts(), 0);
  // The reader still sees its snapshot; once it ends, the WAL starts over as usual.
  EXPECT_FALSE(HasItem(*lease, 2));
  ASSERT_TRUE(lease->Exec("COMMIT").ok());
  const int64_t restarts = db->wal_restarts();
  for (int batch = 0; batch < 200 && db->wal_restarts() == restarts; ++batch) {
    ASSERT_TRUE(db->Write([&](Connection& c) { return InsertItem(c, id++); }).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GT(db->wal_restarts(), restarts);
}

// The WAL filled with zeros up front: SQLite writes its frames over them, reads the log only up to
// its last valid frame (recovery after a crash included), and everything written survives.
TEST(DatabaseCheckpointTest, PreallocatedWalKeepsEveryWrite) {
  TempDir dir;
  const std::string path = dir.File("stoa.db");
  auto opened = Database::Open(path, DatabaseOptions{});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::unique_ptr<Database> db = std::move(opened).value();
  ASSERT_TRUE(db->Migrate({{1, "items", kCreateItems}}).ok());
  constexpr int64_t kBytes = 4 << 20;
  auto written = db->PreallocateWal(kBytes);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_GT(*written, 0);
  EXPECT_EQ(std::filesystem::file_size(path + "-wal"), static_cast<uintmax_t>(kBytes));
  // Long enough already: nothing more to write.
  auto again = db->PreallocateWal(kBytes);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  for (int64_t id = 1; id <= 50; ++id) {
    ASSERT_TRUE(db->Write([&](Connection& c) { return InsertItem(c, id); }).ok());
  }
  EXPECT_EQ(std::filesystem::file_size(path + "-wal"), static_cast<uintmax_t>(kBytes));
  // A crash now: the files as they are (frames, then zeros), opened by a new process.
  const std::string copy = dir.File("copy.db");
  std::filesystem::copy_file(path, copy);
  std::filesystem::copy_file(path + "-wal", copy + "-wal");
  {
    auto conn = Connection::Open(copy, ConnectionOptions{});
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    EXPECT_EQ(CountRows(**conn), 50);
  }
  db.reset();
  auto conn = Connection::Open(path, ConnectionOptions{});
  ASSERT_TRUE(conn.ok());
  EXPECT_EQ(CountRows(**conn), 50);
}

TEST(DatabaseOpenTest, FailsNamingThePath) {
  TempDir dir;
  const std::string path = dir.File("missing/dir/stoa.db");
  auto db = Database::Open(path, DatabaseOptions{});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(db.status().message().find(path), std::string::npos) << db.status().ToString();

  DatabaseOptions zero_batch;
  zero_batch.max_batch = 0;
  EXPECT_EQ(Database::Open(dir.File("x.db"), zero_batch).status().code(),
            StatusCode::kInvalidArgument);
  // "off" is the writer connection's own setting, never a database's.
  DatabaseOptions unsynced;
  unsynced.synchronous = "off";
  EXPECT_EQ(Database::Open(dir.File("y.db"), unsynced).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace stoa::storage::sqlite
