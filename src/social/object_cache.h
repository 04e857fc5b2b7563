// A bounded, sharded, thread-safe cache of immutable objects by id, safe against the classic
// stale-fill race: a reader that loaded a value from the database before a writer invalidated the
// key does not put its stale copy back (each shard keeps an invalidation epoch; fills that started
// before the latest invalidation of their shard are dropped).
//
// Values are shared_ptr<const V>: a cached object is shared by the cache and every request that
// is rendering it, and must outlive eviction while in use.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "common/id.h"

namespace stoa::social {

template <typename V>
class ObjectCache {
 public:
  using Ptr = std::shared_ptr<const V>;

  // `capacity` 0 disables caching (every Get misses).
  explicit ObjectCache(size_t capacity) : per_shard_capacity_(capacity / kShards + (capacity > 0)) {}

  // The cached value or null.
  Ptr Find(Id id) {
    if (per_shard_capacity_ == 0) return nullptr;
    Shard& s = ShardFor(id);
    std::lock_guard lock(s.mu);
    auto it = s.map.find(id);
    if (it == s.map.end()) return nullptr;
    s.lru.splice(s.lru.begin(), s.lru, it->second.pos);
    return it->second.value;
  }

  // The epoch to pass to Fill; take it before reading the database.
  uint64_t BeginFill(Id id) {
    Shard& s = ShardFor(id);
    std::lock_guard lock(s.mu);
    return s.epoch;
  }

  // Caches `value` unless the shard was invalidated since `epoch` was taken.
  void Fill(Id id, Ptr value, uint64_t epoch) {
    if (per_shard_capacity_ == 0 || !value) return;
    Shard& s = ShardFor(id);
    std::lock_guard lock(s.mu);
    if (s.epoch != epoch) return;
    InsertLocked(s, id, std::move(value));
  }

  // Replaces the cached value with a fresh one known to be current (written after a commit).
  void Put(Id id, Ptr value) {
    if (per_shard_capacity_ == 0) return;
    Shard& s = ShardFor(id);
    std::lock_guard lock(s.mu);
    ++s.epoch;
    InsertLocked(s, id, std::move(value));
  }

  // Drops `id`; call after a committed change of the object.
  void Invalidate(Id id) {
    Shard& s = ShardFor(id);
    std::lock_guard lock(s.mu);
    ++s.epoch;
    auto it = s.map.find(id);
    if (it == s.map.end()) return;
    s.lru.erase(it->second.pos);
    s.map.erase(it);
  }

  void Clear() {
    for (auto& s : shards_) {
      std::lock_guard lock(s.mu);
      ++s.epoch;
      s.map.clear();
      s.lru.clear();
    }
  }

  size_t size() {
    size_t n = 0;
    for (auto& s : shards_) {
      std::lock_guard lock(s.mu);
      n += s.map.size();
    }
    return n;
  }

 private:
  static constexpr size_t kShards = 32;
  struct Entry {
    Ptr value;
    std::list<Id>::iterator pos;
  };
  struct Shard {
    std::mutex mu;
    // Guarded by mu.
    std::unordered_map<Id, Entry> map;
    std::list<Id> lru;  // most recent first
    uint64_t epoch = 0;
  };

  Shard& ShardFor(Id id) {
    // Ids are time-ordered; mix the bits so neighbours spread over shards.
    uint64_t x = static_cast<uint64_t>(id) * 0x9e3779b97f4a7c15ULL;
    return shards_[(x >> 59) % kShards];
  }

  void InsertLocked(Shard& s, Id id, Ptr value) {
    auto it = s.map.find(id);
    if (it != s.map.end()) {
      it->second.value = std::move(value);
      s.lru.splice(s.lru.begin(), s.lru, it->second.pos);
      return;
    }
    s.lru.push_front(id);
    s.map.emplace(id, Entry{std::move(value), s.lru.begin()});
    while (s.map.size() > per_shard_capacity_) {
      s.map.erase(s.lru.back());
      s.lru.pop_back();
    }
  }

  const size_t per_shard_capacity_;
  std::array<Shard, kShards> shards_;
};

}  // namespace stoa::social
