#include "social/object_cache.h"

#include "common/cache_residency.h"

#include <gtest/gtest.h>

#include <thread>

namespace stoa::social {
namespace {

using Cache = ObjectCache<int>;

// A value that tracks whether it is still its entry's value (common/cache_residency.h).
struct Tracked {
  int value = 0;
  CacheResidency residency;
};
using TrackedCache = ObjectCache<Tracked>;
std::shared_ptr<const Tracked> MakeTracked(int v) {
  auto t = std::make_shared<Tracked>();
  t->value = v;
  return t;
}

TEST(ObjectCacheTest, ValuesKnowWhileTheyAreTheirEntrysValue) {
  TrackedCache cache(100);
  auto a = MakeTracked(1);
  EXPECT_FALSE(a->residency.resident()) << "untracked until stored";
  cache.Fill(1, a, cache.BeginFill(1));
  EXPECT_TRUE(a->residency.resident());
  // Replaced by a newer value (Put after a commit): the old one is gone for good.
  auto b = MakeTracked(2);
  cache.Put(1, b);
  EXPECT_FALSE(a->residency.resident());
  EXPECT_TRUE(b->residency.resident());
  cache.Put(1, a);  // never resident again, even if stored again
  EXPECT_FALSE(a->residency.resident());
  EXPECT_FALSE(b->residency.resident());
  // Invalidate and Clear.
  auto c = MakeTracked(3);
  cache.Put(2, c);
  cache.Invalidate(2);
  EXPECT_FALSE(c->residency.resident());
  auto d = MakeTracked(4);
  cache.Put(3, d);
  cache.Clear();
  EXPECT_FALSE(d->residency.resident());
  // A copy of a resident value is another object: untracked.
  auto e = MakeTracked(5);
  cache.Put(4, e);
  Tracked copy = *e;
  EXPECT_FALSE(copy.residency.resident());
  EXPECT_TRUE(e->residency.resident());
}

TEST(ObjectCacheTest, DroppedFillsAndEvictedValuesAreNotResident) {
  TrackedCache cache(100);
  const uint64_t epoch = cache.BeginFill(5);
  cache.Invalidate(5);
  auto stale = MakeTracked(1);
  cache.Fill(5, stale, epoch);  // dropped: a fresh load would not return it
  EXPECT_FALSE(stale->residency.resident());

  TrackedCache small(32);  // one per shard
  std::vector<std::shared_ptr<const Tracked>> values;
  for (Id id = 1; id <= 500; ++id) {
    values.push_back(MakeTracked(static_cast<int>(id)));
    small.Fill(id, values.back(), small.BeginFill(id));
  }
  size_t resident = 0;
  for (Id id = 1; id <= 500; ++id) {
    auto found = small.Find(id);
    const bool is = values[static_cast<size_t>(id - 1)]->residency.resident();
    EXPECT_EQ(is, found == values[static_cast<size_t>(id - 1)]) << id;
    resident += is ? 1 : 0;
  }
  EXPECT_EQ(resident, small.size()) << "every evicted value knows it";

  TrackedCache off(0);
  auto never = MakeTracked(1);
  off.Put(1, never);
  EXPECT_FALSE(never->residency.resident());
}

TEST(ObjectCacheTest, FillFindInvalidate) {
  Cache cache(100);
  EXPECT_EQ(cache.Find(1), nullptr);
  cache.Fill(1, std::make_shared<const int>(7), cache.BeginFill(1));
  ASSERT_NE(cache.Find(1), nullptr);
  EXPECT_EQ(*cache.Find(1), 7);
  cache.Invalidate(1);
  EXPECT_EQ(cache.Find(1), nullptr);
}

// Regression guard for the stale-fill race: a reader that read the database before a writer's
// invalidation must not put its stale copy back.
TEST(ObjectCacheTest, FillStartedBeforeAnInvalidationIsDropped) {
  Cache cache(100);
  const uint64_t epoch = cache.BeginFill(5);             // reader starts reading the old value
  cache.Invalidate(5);                                   // writer commits and invalidates
  cache.Fill(5, std::make_shared<const int>(1), epoch);  // reader finishes
  EXPECT_EQ(cache.Find(5), nullptr);
  cache.Fill(5, std::make_shared<const int>(2), cache.BeginFill(5));
  EXPECT_EQ(*cache.Find(5), 2);
}

TEST(ObjectCacheTest, PutReplacesAndRejectsOlderFills) {
  Cache cache(100);
  const uint64_t epoch = cache.BeginFill(3);
  cache.Put(3, std::make_shared<const int>(10));
  cache.Fill(3, std::make_shared<const int>(9), epoch);
  EXPECT_EQ(*cache.Find(3), 10);
}

TEST(ObjectCacheTest, StaysWithinCapacityAndKeepsRecentlyUsedEntries) {
  Cache cache(64);  // two per shard
  for (Id id = 1; id <= 2000; ++id) {
    cache.Fill(id, std::make_shared<const int>(static_cast<int>(id)), cache.BeginFill(id));
    // Keep touching id 1: second chance keeps what is used.
    ASSERT_NE(cache.Find(1), nullptr) << id;
  }
  EXPECT_LE(cache.size(), 64u + 32u);
}

TEST(ObjectCacheTest, FindManyAnswersEachIdInOrder) {
  Cache cache(100);
  for (Id id : {2, 4, 6}) {
    cache.Fill(id, std::make_shared<const int>(static_cast<int>(id) * 10), cache.BeginFill(id));
  }
  const std::vector<Id> ids = {6, 1, 2, 2, 5, 4};
  std::vector<Cache::Ptr> out(ids.size(), std::make_shared<const int>(-1));
  cache.FindMany(ids, out);
  ASSERT_EQ(out.size(), ids.size());
  EXPECT_EQ(*out[0], 60);
  EXPECT_EQ(out[1], nullptr);  // a miss overwrites whatever was there
  EXPECT_EQ(*out[2], 20);
  EXPECT_EQ(*out[3], 20);
  EXPECT_EQ(out[4], nullptr);
  EXPECT_EQ(*out[5], 40);
  EXPECT_EQ(out[0], cache.Find(6));  // the cached object itself, not a copy

  Cache disabled(0);
  disabled.FindMany(ids, out);
  for (const auto& p : out) EXPECT_EQ(p, nullptr);
}

TEST(ObjectCacheTest, FindManyRacesWithWritersSafely) {
  Cache cache(64);  // small: the writer's inserts also evict
  std::vector<Id> ids;
  for (Id id = 1; id <= 40; ++id) ids.push_back(id);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int round = 0; round < 2000; ++round) {
      const Id id = 1 + round % 80;
      if (round % 3 == 0) {
        cache.Invalidate(id);
      } else {
        cache.Put(id, std::make_shared<const int>(static_cast<int>(id)));
      }
    }
    done = true;
  });
  std::vector<Cache::Ptr> out(ids.size());
  while (!done) {
    cache.FindMany(ids, out);
    for (size_t i = 0; i < ids.size(); ++i) {
      if (out[i]) {
        ASSERT_EQ(*out[i], static_cast<int>(ids[i]));  // never another id's value
      }
    }
  }
  writer.join();
}

TEST(ObjectCacheTest, ZeroCapacityCachesNothing) {
  Cache cache(0);
  cache.Fill(1, std::make_shared<const int>(1), cache.BeginFill(1));
  EXPECT_EQ(cache.Find(1), nullptr);
}

TEST(ObjectCacheTest, ConcurrentReadersAndWritersNeverSeeAStaleValueAfterInvalidation) {
  Cache cache(1000);
  std::atomic<int> version{0};
  std::atomic<bool> stop{false};
  // Writers bump the "database" version, then invalidate; readers fill from the database.
  std::thread writer([&] {
    for (int i = 0; i < 2000; ++i) {
      version.fetch_add(1);
      cache.Invalidate(42);
    }
    stop = true;
  });
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!stop) {
        if (auto hit = cache.Find(42)) continue;
        const uint64_t epoch = cache.BeginFill(42);
        const int read = version.load();
        cache.Fill(42, std::make_shared<const int>(read), epoch);
      }
    });
  }
  writer.join();
  for (auto& t : readers) t.join();
  // After the last invalidation, any cached value must be the final version.
  if (auto hit = cache.Find(42)) {
    EXPECT_EQ(*hit, version.load());
  }
}

}  // namespace
}  // namespace stoa::social
