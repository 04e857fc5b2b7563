// The storage conformance suite: the behaviour every backend of storage::Storage must show,
// written only against the interfaces in src/storage/*.h (no SQL, no driver types), so that the
// SQLite backend and a later PostgreSQL backend pass the same tests.
//
// A backend instantiates the suite once with a factory that opens a fresh, empty store:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StorageConformanceTest,
//                            ::testing::Values(StorageFactory{"sqlite", &OpenSqlite}),
//                            StorageFactoryName);
//
// The tests live in src/storage/testing/*_conformance.cc, one file per aggregate; link the
// `stoa_storage_conformance` object library so that they are registered.
#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "storage/storage.h"

namespace stoa::storage::conformance {

struct StorageFactory {
  std::string name;  // [A-Za-z0-9_]+, used in test names
  // Opens a fresh, empty store with its schema in place. `temp_dir` is an existing directory for
  // the store's files, removed after the test (after the store is destroyed). nullptr on failure.
  std::function<std::unique_ptr<Storage>(const std::string& temp_dir)> open;
};

// For INSTANTIATE_TEST_SUITE_P: names the instantiation after the factory.
std::string StorageFactoryName(const ::testing::TestParamInfo<StorageFactory>& info);
void PrintTo(const StorageFactory& factory, std::ostream* os);

::testing::AssertionResult IsOk(const Status& status);
template <typename T>
::testing::AssertionResult IsOk(const Result<T>& result) {
  return IsOk(result.status());
}

// The page of `all` (any order) that `page` selects, newest first: a direct restatement of
// PageQuery's contract, against which every paged list is checked.
std::vector<Id> ModelPage(std::vector<Id> all, const PageQuery& page);

// Every page query worth checking against a list whose items (newest first) are `all`: the
// default page, small limits, max_id / since_id / min_id at the ends and inside, combined bounds.
std::vector<PageQuery> PageQueriesFor(const std::vector<Id>& all);

std::string Describe(const PageQuery& page);

// Sorted copy, for comparing results whose order the contract leaves open.
template <typename T>
std::vector<T> Sorted(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v;
}

class StorageConformanceTest : public ::testing::TestWithParam<StorageFactory> {
 protected:
  // A fixed point in time (2026-03-01T12:00:00Z); the fake clock starts there.
  static constexpr int64_t kStartMillis = 1772366400000;

  void SetUp() override;
  void TearDown() override;

  Storage& storage() { return *storage_; }
  std::unique_ptr<ReadSession> Read() { return storage_->Read(); }
  Status Write(std::function<Status(Transaction&)> fn) { return storage_->Write(std::move(fn)); }

  // Deterministic time and ids: Now() moves only by Advance(); NextId() is time-ordered and
  // strictly increasing (thread-safe), as the production generator is.
  Timestamp Now() const;
  void Advance(Duration d);
  Id NextId();

  // Values with every required field set (nothing is written).
  Account MakeAccount(std::string_view username);
  User MakeUser(const Account& account);
  Post MakePost(Id author, std::string_view text, Visibility visibility = Visibility::kPublic);
  Post MakeReply(const Post& parent, Id author, std::string_view text);
  Post MakeReblog(const Post& original, Id booster);
  Follow MakeFollow(Id account_id, Id target_id);
  Notification MakeNotification(Id recipient, Id from, NotificationType type, Id status_id = kNoId,
                                Id activity_id = kNoId);

  // Writers: each runs one Write and records a test failure when it does not succeed.
  Id CreateAccount(std::string_view username);
  Id InsertPost(const Post& post);
  void MustWrite(std::function<Status(Transaction&)> fn);
  // Applies every queued search-index change.
  void IndexAll();

  // Checks `list` against ModelPage(all, page) for every query of PageQueriesFor(all), and that
  // walking by max_id from the top, and by min_id from the bottom, visits every item once.
  void ExpectPaging(const std::vector<Id>& all,
                    const std::function<std::vector<Id>(const PageQuery&)>& list);

 private:
  std::string temp_dir_;
  std::unique_ptr<Storage> storage_;

  // Guarded by clock_mu_.
  mutable std::mutex clock_mu_;
  int64_t now_ms_ = kStartMillis;
  Id last_id_ = kNoId;
};

// Record ids of paged entries (ActorEntry, PostEntry, AccountEntry).
template <typename Entry>
std::vector<Id> RecordIds(const std::vector<Entry>& entries) {
  std::vector<Id> out;
  out.reserve(entries.size());
  for (const auto& e : entries) out.push_back(e.record_id);
  return out;
}

}  // namespace stoa::storage::conformance
