// A bounded, sharded, thread-safe cache of immutable objects by id, safe against the classic
// stale-fill race: a reader that loaded a value from the database before a writer invalidated the
// key does not put its stale copy back (each shard keeps an invalidation epoch; fills that started
// before the latest invalidation of their shard are dropped).
//
// Lookups hold a shard's mutex for a hash probe and a reference-count increment (a plain mutex:
// measured faster than a reader-writer lock, whose reader count bounces between cores just the
// same); eviction is second-chance (CLOCK) in batches when a shard is over capacity.
//
// Values are shared_ptr<const V>: a cached object is shared by the cache and every request that
// is rendering it, and must outlive eviction while in use.
#pragma once

#include <array>
#include <atomic>
#include <boost/unordered/unordered_flat_map.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "common/id.h"

namespace stoa::social {

template <typename V>
class ObjectCache {
 public:
  using Ptr = std::shared_ptr<const V>;

  // `capacity` 0 disables caching (every Find misses).
  explicit ObjectCache(size_t capacity)
      : per_shard_capacity_(capacity == 0 ? 0 : capacity / kShards + 1) {}

  // The cached value or null.
  Ptr Find(Id id) {
    if (per_shard_capacity_ == 0) return nullptr;
    Shard& s = ShardFor(id);
    std::lock_guard lock(s.mu);
    auto it = s.map.find(id);
    if (it == s.map.end()) return nullptr;
    // Written only when it changes: a store on every lookup would take the line away from the
    // other cores reading the same hot entries.
    if (!it->second.referenced) it->second.referenced = true;
    return it->second.value;
  }

  // Find for every id of `ids` at once: out[i] is the value of ids[i] or null (`out` must be as
  // long as `ids`). A warm page's objects are seldom in the CPU cache, and Find one by one waits
  // for each reference count's cache miss in turn; here every entry is found first and its
  // object and counts prefetched, then the references are taken, so the misses overlap. Holds
  // the shards involved for the whole batch, taken in shard order (every other method holds
  // one shard at a time, so this cannot deadlock).
  void FindMany(std::span<const Id> ids, std::span<Ptr> out) {
    if (per_shard_capacity_ == 0) {
      for (auto& p : out) p = nullptr;
      return;
    }
    std::array<bool, kShards> used{};
    for (Id id : ids) used[ShardIndex(id)] = true;
    for (size_t s = 0; s < kShards; ++s) {
      if (used[s]) shards_[s].mu.lock();
    }
    std::vector<const Entry*> entries(ids.size(), nullptr);
    for (size_t i = 0; i < ids.size(); ++i) {
      Shard& s = shards_[ShardIndex(ids[i])];
      auto it = s.map.find(ids[i]);
      if (it == s.map.end()) continue;
      if (!it->second.referenced) it->second.referenced = true;
      entries[i] = &it->second;
      // make_shared puts the reference counts just before the object.
      const char* object = reinterpret_cast<const char*>(it->second.value.get());
      __builtin_prefetch(object - kControlBytes, 1);
      __builtin_prefetch(object);
    }
    for (size_t i = 0; i < ids.size(); ++i) {
      out[i] = entries[i] != nullptr ? entries[i]->value : nullptr;
    }
    for (size_t s = 0; s < kShards; ++s) {
      if (used[s]) shards_[s].mu.unlock();
    }
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
    if (auto it = s.map.find(id); it != s.map.end()) {
      MarkGone(it->second.value);
      s.map.erase(it);
    }
  }

  void Clear() {
    for (auto& s : shards_) {
      std::lock_guard lock(s.mu);
      ++s.epoch;
      for (auto& [id, entry] : s.map) MarkGone(entry.value);
      s.map.clear();
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
  static constexpr ptrdiff_t kControlBytes = 16;  // libstdc++'s counts: two ints after a vtable
  struct Entry {
    Ptr value;
    bool referenced = false;  // looked up since the last eviction walk
  };
  // A cache line each: neighbouring shards' mutexes must not share one (false sharing).
  struct alignas(64) Shard {
    std::mutex mu;
    // Guarded by mu.
    // Open addressing: one probe in contiguous memory per lookup (measured: node-based maps
    // spent most of the home timeline's cache time on pointer chasing).
    boost::unordered_flat_map<Id, Entry> map;
    uint64_t epoch = 0;
  };

  static size_t ShardIndex(Id id) {
    // Ids are time-ordered; mix the bits so neighbours spread over shards.
    const uint64_t x = static_cast<uint64_t>(id) * 0x9e3779b97f4a7c15ULL;
    return (x >> 59) % kShards;
  }
  Shard& ShardFor(Id id) { return shards_[ShardIndex(id)]; }

  // Values that carry a CacheResidency (common/cache_residency.h) learn when they stop being
  // their entry's value.
  static void MarkResident(const Ptr& value) {
    if constexpr (requires { value->residency.MarkResident(); }) value->residency.MarkResident();
  }
  static void MarkGone(const Ptr& value) {
    if constexpr (requires { value->residency.MarkGone(); }) {
      if (value) value->residency.MarkGone();
    }
  }

  void InsertLocked(Shard& s, Id id, Ptr value) {
    // New entries start unreferenced: only a later lookup marks them as worth keeping, so a scan
    // of many objects read once cannot push out the ones read all the time.
    MarkResident(value);
    auto [slot, inserted] = s.map.try_emplace(id, Entry{value, false});
    if (!inserted) {
      if (slot->second.value != value) MarkGone(slot->second.value);
      slot->second = Entry{std::move(value), false};
    }
    if (s.map.size() <= per_shard_capacity_) return;
    // Second chance: walk the shard, dropping entries not looked up since the last walk and
    // clearing the mark of the others, until a tenth of the shard is free; a second walk
    // drops the now unmarked ones if everything was in use.
    const size_t target = per_shard_capacity_ - per_shard_capacity_ / 10;
    for (int pass = 0; pass < 2 && s.map.size() > target; ++pass) {
      for (auto it = s.map.begin(); it != s.map.end() && s.map.size() > target;) {
        if (it->first == id) {
          ++it;
        } else if (!it->second.referenced) {
          MarkGone(it->second.value);
          s.map.erase(it++);
        } else {
          it->second.referenced = false;
          ++it;
        }
      }
    }
  }

  const size_t per_shard_capacity_;
  std::array<Shard, kShards> shards_;
};

}  // namespace stoa::social
