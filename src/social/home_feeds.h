// Home feeds in memory: for each recently active account, the ids of the posts its home timeline
// shows (newest last), capped. Fan-out on write pushes new posts into the feeds of followers that
// are in memory; a feed that is not in memory is regenerated from the database on first read, so
// feeds are complete and correct after a restart or an eviction.
//
// Races between a regeneration (reading the database) and concurrent fan-out are closed by a
// "loading" state: pushes to a feed being loaded are buffered and merged when loading ends.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>
#include <vector>

#include "common/id.h"

namespace stoa::social {

class HomeFeeds {
 public:
  // Loads a feed from the database: ids, any order (they are sorted here).
  using Loader = std::function<std::vector<Id>(Id account_id)>;

  HomeFeeds(size_t max_items, size_t max_accounts) : max_items_(max_items), max_accounts_(max_accounts) {}

  // The feed of `account_id`, newest first, ids < `before` (exclusive), at most `limit` ids,
  // loading it with `load` when not in memory. Thread-safe. `version`, when given, receives the
  // feed's version at the time of the read (see Version).
  std::vector<Id> Read(Id account_id, Id before, size_t limit, const Loader& load,
                       uint64_t* version = nullptr);
  // The version of the in-memory feed of `account_id`: it changes whenever the feed does, and a
  // feed dropped from memory and loaded again never gets a version it had before. 0 when the
  // feed is not in memory (or is being loaded), which no read ever reports.
  uint64_t Version(Id account_id);
  // Ids in (after, before) exclusive, oldest first, at most `limit` (for min_id paging).
  std::vector<Id> ReadAfter(Id account_id, Id after, Id before, size_t limit, const Loader& load);
  // Adds `post_id` to the feed of `account_id` if it is in memory. Thread-safe.
  void Push(Id account_id, Id post_id);
  // Adds `post_id` to the in-memory feeds of all `account_ids`, locking each shard once.
  // `skip_if_contains` (for boosts): accounts whose feed already holds that post are skipped.
  void PushMany(std::span<const Id> account_ids, Id post_id, Id skip_if_contains = kNoId);
  // True when `post_id` is in the in-memory feed (false when the feed is not in memory).
  bool Contains(Id account_id, Id post_id);
  // Drops the feed from memory (after a follow, so it is regenerated with the new account).
  void Forget(Id account_id);
  size_t accounts_in_memory();

 private:
  struct Feed {
    std::deque<Id> ids;  // ascending
    bool loading = false;
    bool stale = false;  // forgotten while loading: least recently used once loaded
    std::vector<Id> pending;  // pushes that arrived while loading
    uint64_t last_read = 0;  // the shard's read clock at the last read (for eviction)
    uint64_t version = 0;    // from its shard's next_version, renewed on every change
  };
  static constexpr size_t kShards = 16;
  struct Shard {
    std::mutex mu;
    std::condition_variable loaded;
    // Guarded by mu.
    std::unordered_map<Id, Feed> feeds;
    uint64_t clock = 0;  // ticks on every read
    // Feed versions: a feed stays in its shard, so a per-shard counter never gives one of its
    // feeds a version it had before (a shared atomic cost fan-out a contended line per follower).
    uint64_t next_version = 1;
  };

  static size_t ShardIndex(Id id) {
    return (static_cast<uint64_t>(id) * 0x9e3779b97f4a7c15ULL >> 60) % kShards;
  }
  Shard& ShardFor(Id id) { return shards_[ShardIndex(id)]; }
  // Returns with `lock` held and the feed of `account_id` loaded.
  Feed& Ensure(Shard& s, std::unique_lock<std::mutex>& lock, Id account_id, const Loader& load);
  void InsertSorted(Shard& s, Feed& f, Id post_id);

  const size_t max_items_;
  const size_t max_accounts_;
  Shard shards_[kShards];
};

}  // namespace stoa::social
