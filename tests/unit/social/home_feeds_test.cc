#include "social/home_feeds.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace stoa::social {
namespace {

HomeFeeds::Loader FixedLoader(std::vector<Id> ids, std::atomic<int>* loads = nullptr) {
  return [ids, loads](Id) {
    if (loads != nullptr) loads->fetch_add(1);
    return ids;
  };
}

TEST(HomeFeedsTest, ReadsNewestFirstBelowACursor) {
  HomeFeeds feeds(100, 10);
  auto load = FixedLoader({5, 1, 3, 9, 7});
  EXPECT_EQ(feeds.Read(1, 100, 3, load), (std::vector<Id>{9, 7, 5}));
  EXPECT_EQ(feeds.Read(1, 7, 10, load), (std::vector<Id>{5, 3, 1}));
  EXPECT_EQ(feeds.ReadAfter(1, 3, 100, 10, load), (std::vector<Id>{5, 7, 9}));
}

TEST(HomeFeedsTest, LoadsOnceThenServesFromMemoryAndFanOutAddsPosts) {
  HomeFeeds feeds(100, 10);
  std::atomic<int> loads{0};
  auto load = FixedLoader({1, 2}, &loads);
  feeds.Read(7, 1000, 10, load);
  feeds.Push(7, 3);
  const Id followers[] = {7, 8};
  feeds.PushMany(followers, 4);  // 8 is not in memory: ignored until it is loaded
  EXPECT_EQ(feeds.Read(7, 1000, 10, load), (std::vector<Id>{4, 3, 2, 1}));
  EXPECT_EQ(loads.load(), 1);
  EXPECT_FALSE(feeds.Contains(8, 4));
}

TEST(HomeFeedsTest, PushManyReachesEveryLoadedFeedOfEveryShardInOrder) {
  // Enough followers to fill every shard; the even ones are in memory.
  HomeFeeds feeds(100, 1000);
  std::atomic<int> loads{0};
  auto load = FixedLoader({10, 20}, &loads);
  std::vector<Id> followers;
  for (Id a = 1; a <= 300; ++a) {
    followers.push_back(a);
    if (a % 2 == 0) feeds.Read(a, 1000, 10, load);
  }
  ASSERT_EQ(loads.load(), 150);
  feeds.PushMany(followers, 30);
  feeds.PushMany(followers, 15);  // older than the newest: goes in its place
  feeds.PushMany(followers, 30);  // a second push of the same post changes nothing
  for (Id a = 1; a <= 300; ++a) {
    if (a % 2 == 0) {
      EXPECT_EQ(feeds.Read(a, 1000, 10, load), (std::vector<Id>{30, 20, 15, 10})) << a;
    } else {
      EXPECT_FALSE(feeds.Contains(a, 30)) << a;
    }
  }
  EXPECT_EQ(loads.load(), 150);  // pushes load nothing
}

TEST(HomeFeedsTest, VersionsChangeWithTheFeedAndNeverRepeat) {
  HomeFeeds feeds(100, 10);
  auto load = FixedLoader({1, 2});
  EXPECT_EQ(feeds.Version(7), 0u) << "not in memory";
  uint64_t v1 = 0;
  feeds.Read(7, 1000, 10, load, &v1);
  EXPECT_NE(v1, 0u);
  EXPECT_EQ(feeds.Version(7), v1);
  uint64_t again = 0;
  feeds.Read(7, 1000, 10, load, &again);
  EXPECT_EQ(again, v1) << "reads do not change it";
  feeds.Push(7, 3);
  const uint64_t v2 = feeds.Version(7);
  EXPECT_NE(v2, v1);
  const Id followers[] = {7};
  feeds.PushMany(followers, 4);
  const uint64_t v3 = feeds.Version(7);
  EXPECT_NE(v3, v2);
  feeds.Push(8, 5);  // another feed, not in memory
  EXPECT_EQ(feeds.Version(7), v3);
  // Dropped and loaded again with the same ids: a version never seen before.
  feeds.Forget(7);
  EXPECT_EQ(feeds.Version(7), 0u);
  uint64_t v4 = 0;
  feeds.Read(7, 1000, 10, load, &v4);
  EXPECT_NE(v4, 0u);
  EXPECT_NE(v4, v1);
  EXPECT_NE(v4, v2);
  EXPECT_NE(v4, v3);
}

TEST(HomeFeedsTest, CapKeepsTheNewest) {
  HomeFeeds feeds(3, 10);
  auto load = FixedLoader({1, 2, 3, 4, 5});
  EXPECT_EQ(feeds.Read(1, 100, 10, load), (std::vector<Id>{5, 4, 3}));
  feeds.Push(1, 6);
  EXPECT_EQ(feeds.Read(1, 100, 10, load), (std::vector<Id>{6, 5, 4}));
}

TEST(HomeFeedsTest, BoostIsSkippedWhereTheOriginalIsAlreadyShown) {
  HomeFeeds feeds(100, 10);
  feeds.Read(1, 100, 10, FixedLoader({10}));
  feeds.Read(2, 100, 10, FixedLoader({}));
  const Id followers[] = {1, 2};
  feeds.PushMany(followers, 20, /*skip_if_contains=*/10);
  EXPECT_FALSE(feeds.Contains(1, 20));
  EXPECT_TRUE(feeds.Contains(2, 20));
}

TEST(HomeFeedsTest, ForgetMakesTheNextReadReload) {
  HomeFeeds feeds(100, 10);
  std::atomic<int> loads{0};
  auto load = FixedLoader({1}, &loads);
  feeds.Read(1, 100, 10, load);
  feeds.Forget(1);
  feeds.Read(1, 100, 10, load);
  EXPECT_EQ(loads.load(), 2);
}

TEST(HomeFeedsTest, EvictsLeastRecentlyReadFeeds) {
  HomeFeeds feeds(10, 16);  // one per shard, plus one
  std::atomic<int> loads{0};
  auto load = FixedLoader({1}, &loads);
  for (Id account = 1; account <= 200; ++account) feeds.Read(account, 100, 10, load);
  EXPECT_LE(feeds.accounts_in_memory(), 16u * 2);
}

// A post pushed while its feed is being loaded from the database must not be lost, whether or
// not the database read saw it.
TEST(HomeFeedsTest, PushesDuringALoadAreMerged) {
  HomeFeeds feeds(100, 10);
  std::atomic<bool> in_load{false}, pushed{false};
  HomeFeeds::Loader slow = [&](Id) {
    in_load = true;
    while (!pushed) std::this_thread::yield();
    return std::vector<Id>{1, 2};
  };
  std::thread reader([&] { EXPECT_EQ(feeds.Read(1, 100, 10, slow), (std::vector<Id>{3, 2, 1})); });
  while (!in_load) std::this_thread::yield();
  feeds.Push(1, 3);
  pushed = true;
  reader.join();
}

}  // namespace
}  // namespace stoa::social
