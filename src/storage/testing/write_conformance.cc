// Storage::Write and Storage::Read: atomicity of a job, isolation from other jobs,
// read-your-writes and concurrent writers.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <latch>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "storage/testing/conformance.h"

namespace stoa::storage::conformance {
namespace {


TEST_P(StorageConformanceTest, WriteReturnsTheJobsErrorAndKeepsNothingOfIt) {
  const Account a = MakeAccount("ghost");
  const User u = MakeUser(a);
  Post p = MakePost(a.id, "never stored");
  const Follow f = MakeFollow(a.id, a.id + 1);
  const Notification n = MakeNotification(a.id, a.id, NotificationType::kMention, p.id);
  const Status st = Write([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.accounts().Create(a, u));
    RETURN_IF_ERROR(tx.posts().Insert(p));
    RETURN_IF_ERROR(tx.relationships().InsertFollow(f));
    RETURN_IF_ERROR(tx.notifications().Insert(n));
    RETURN_IF_ERROR(tx.accounts().AdjustCounts(a.id, 1, 0, 1));
    return InvalidArgument("changed my mind");
  });
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "changed my mind");

  auto r = Read();
  EXPECT_EQ(r->accounts().Get(a.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r->accounts().FindByUsername("ghost").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r->accounts().GetUser(a.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r->accounts().Count(), 0);
  EXPECT_EQ(r->posts().Get(p.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r->posts().Count(), 0);
  EXPECT_FALSE(r->relationships().GetFollow(a.id, a.id + 1).has_value());
  EXPECT_TRUE(r->notifications().List(a.id, {}, {}).empty());
  EXPECT_TRUE(r->accounts().Search("ghost", 10, 0).empty());
}

TEST_P(StorageConformanceTest, AFailingCallRollsBackTheEarlierWritesOfTheSameJob) {
  CreateAccount("taken");
  const Account fresh = MakeAccount("fresh");
  const Account dup = MakeAccount("TAKEN");
  const Status st = Write([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.accounts().Create(fresh, MakeUser(fresh)));
    return tx.accounts().Create(dup, MakeUser(dup));
  });
  EXPECT_EQ(st.code(), StatusCode::kAlreadyExists);
  auto r = Read();
  EXPECT_EQ(r->accounts().Get(fresh.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r->accounts().Count(), 1);
}

TEST_P(StorageConformanceTest, AJobSeesItsOwnWrites) {
  const Account a = MakeAccount("inside");
  const Post p = MakePost(a.id, "hello");
  MustWrite([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.accounts().Create(a, MakeUser(a)));
    ASSIGN_OR_RETURN(Account got, tx.accounts().Get(a.id));
    EXPECT_EQ(got.username, "inside");
    RETURN_IF_ERROR(tx.posts().Insert(p));
    RETURN_IF_ERROR(tx.posts().AdjustCounts(p.id, 0, 0, 2));
    ASSIGN_OR_RETURN(Post post, tx.posts().Get(p.id));
    EXPECT_EQ(post.favourites_count, 2);
    return Status::Ok();
  });
}

TEST_P(StorageConformanceTest, JobsCommitIndependentlyOfAFailingNeighbour) {
  // Jobs submitted together may share a transaction in the backend; each must still commit or
  // roll back on its own.
  constexpr int kThreads = 16;
  std::vector<Account> accounts;
  for (int i = 0; i < kThreads; ++i) accounts.push_back(MakeAccount("user" + std::to_string(i)));
  std::latch start(kThreads);
  std::vector<Status> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      results[i] = Write([&](Transaction& tx) -> Status {
        RETURN_IF_ERROR(tx.accounts().Create(accounts[i], MakeUser(accounts[i])));
        if (i % 2 == 1) return Unavailable("odd job fails");
        return Status::Ok();
      });
    });
  }
  for (auto& t : threads) t.join();
  auto r = Read();
  for (int i = 0; i < kThreads; ++i) {
    if (i % 2 == 1) {
      EXPECT_EQ(results[i].code(), StatusCode::kUnavailable) << i;
      EXPECT_EQ(r->accounts().Get(accounts[i].id).status().code(), StatusCode::kNotFound) << i;
    } else {
      EXPECT_TRUE(IsOk(results[i])) << i;
      EXPECT_TRUE(IsOk(r->accounts().Get(accounts[i].id))) << i;
    }
  }
  EXPECT_EQ(r->accounts().Count(), kThreads / 2);
}

TEST_P(StorageConformanceTest, ReadsAfterAReturnedWriteSeeIt) {
  const Id author = CreateAccount("writer");
  for (int i = 0; i < 50; ++i) {
    const Post p = MakePost(author, "post " + std::to_string(i));
    ASSERT_TRUE(IsOk(Write([&](Transaction& tx) { return tx.posts().Insert(p); })));
    auto r = Read();
    ASSERT_TRUE(IsOk(r->posts().Get(p.id))) << i;
    ASSERT_EQ(r->posts().Count(), i + 1);
    ASSERT_TRUE(IsOk(Write([&](Transaction& tx) {
      return tx.accounts().AdjustCounts(author, 1, 0, 0);
    })));
    ASSERT_EQ(Read()->accounts().Get(author)->statuses_count, i + 1);
  }
}

TEST_P(StorageConformanceTest, ReadsFromOtherThreadsSeeAReturnedWrite) {
  const Id author = CreateAccount("writer");
  const Post p = MakePost(author, "seen everywhere");
  ASSERT_TRUE(IsOk(Write([&](Transaction& tx) { return tx.posts().Insert(p); })));
  std::atomic<int> seen{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&] {
      if (Read()->posts().Get(p.id).ok()) seen.fetch_add(1);
    });
  }
  for (auto& t : readers) t.join();
  EXPECT_EQ(seen.load(), 4);
}

// Storage::WriteAsync's resume: the test thread runs the tasks, as an event loop would.
class TaskQueue {
 public:
  Storage::Resume Resume() {
    return [this](std::function<void()> task) {
      std::lock_guard lock(mu_);
      tasks_.push_back(std::move(task));
      cv_.notify_all();
    };
  }
  // Waits (bounded) for a task and runs it on this thread; false when none came.
  bool RunOne() {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      if (!cv_.wait_for(lock, std::chrono::seconds(10), [&] { return !tasks_.empty(); })) {
        return false;
      }
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
    return true;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
};

TEST_P(StorageConformanceTest, WriteAsyncHandsItsCompletionToResumeAfterTheCommit) {
  const Id author = CreateAccount("async");
  const Post p = MakePost(author, "written without waiting");
  TaskQueue loop;
  std::vector<std::string> events;
  std::optional<Status> result;
  std::thread::id done_thread;
  storage().WriteAsync(
      [&](Transaction& tx) {
        tx.AfterCommit([&] { events.push_back("after commit"); });
        return tx.posts().Insert(p);
      },
      loop.Resume(),
      [&](Status st) {
        events.push_back("done");
        // What the write wrote is readable by the time it is reported.
        if (st.ok() && !Read()->posts().Get(p.id).ok()) events.push_back("not readable");
        result = std::move(st);
        done_thread = std::this_thread::get_id();
      });
  ASSERT_TRUE(loop.RunOne());
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->ok()) << result->ToString();
  EXPECT_EQ(events, (std::vector<std::string>{"after commit", "done"}));
  EXPECT_EQ(done_thread, std::this_thread::get_id());  // where resume put the task
}

TEST_P(StorageConformanceTest, WriteAsyncFailureKeepsNothingAndRunsNoHooks) {
  const Id author = CreateAccount("async");
  const Post p = MakePost(author, "never stored");
  TaskQueue loop;
  bool hook_ran = false;
  std::optional<Status> result;
  storage().WriteAsync(
      [&](Transaction& tx) -> Status {
        tx.AfterCommit([&] { hook_ran = true; });
        RETURN_IF_ERROR(tx.posts().Insert(p));
        return InvalidArgument("changed my mind");
      },
      loop.Resume(), [&](Status st) { result = std::move(st); });
  ASSERT_TRUE(loop.RunOne());
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result->message(), "changed my mind");
  EXPECT_FALSE(hook_ran);
  EXPECT_EQ(Read()->posts().Get(p.id).status().code(), StatusCode::kNotFound);
}

TEST_P(StorageConformanceTest, ManyAsyncWritesInFlightAllLand) {
  const Id author = CreateAccount("busy");
  constexpr int kWrites = 200;
  TaskQueue loop;
  int ok = 0;
  for (int i = 0; i < kWrites; ++i) {
    const Post p = MakePost(author, "post " + std::to_string(i));
    storage().WriteAsync([p](Transaction& tx) { return tx.posts().Insert(p); }, loop.Resume(),
                         [&](Status st) { ok += st.ok() ? 1 : 0; });
  }
  for (int i = 0; i < kWrites; ++i) ASSERT_TRUE(loop.RunOne()) << i;
  EXPECT_EQ(ok, kWrites);
  EXPECT_EQ(Read()->posts().Count(), kWrites);
}

TEST_P(StorageConformanceTest, ConcurrentWritersAllLand) {
  const Id author = CreateAccount("busy");
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  std::latch start(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < kPerThread; ++i) {
        const Post p = MakePost(author, "t" + std::to_string(t) + " i" + std::to_string(i));
        const Status st = Write([&](Transaction& tx) -> Status {
          RETURN_IF_ERROR(tx.posts().Insert(p));
          // A read-modify-write of one shared row from every thread: no update may be lost.
          return tx.accounts().AdjustCounts(author, 1, 0, 0);
        });
        if (!st.ok()) failures.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto r = Read();
  EXPECT_EQ(r->posts().Count(), kThreads * kPerThread);
  EXPECT_EQ(r->accounts().Get(author)->statuses_count, kThreads * kPerThread);
  EXPECT_EQ(r->posts().ListByAccount(author, {}, PageQuery{.limit = 1000}).size(),
            static_cast<size_t>(kThreads * kPerThread));
}

TEST_P(StorageConformanceTest, ReadSessionsWorkWhileWritesAreQueued) {
  const Id author = CreateAccount("reader");
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    while (!stop.load()) {
      const Post p = MakePost(author, "noise");
      EXPECT_TRUE(IsOk(Write([&](Transaction& tx) { return tx.posts().Insert(p); })));
    }
  });
  int64_t last = 0;
  for (int i = 0; i < 200; ++i) {
    const int64_t count = Read()->posts().Count();
    EXPECT_GE(count, last);  // committed writes never disappear
    last = count;
  }
  stop.store(true);
  writer.join();
  EXPECT_EQ(storage().write_queue_depth(), 0u);  // nothing waits once every Write returned
}

}  // namespace
}  // namespace stoa::storage::conformance
