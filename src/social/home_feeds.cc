#include "social/home_feeds.h"

#include <algorithm>
#include <array>

namespace stoa::social {

void HomeFeeds::InsertSorted(Shard& s, Feed& f, Id post_id) {
  f.version = s.next_version++;
  if (f.ids.empty() || f.ids.back() < post_id) {
    f.ids.push_back(post_id);
  } else {
    auto it = std::lower_bound(f.ids.begin(), f.ids.end(), post_id);
    if (it != f.ids.end() && *it == post_id) return;
    f.ids.insert(it, post_id);
  }
  while (f.ids.size() > max_items_) f.ids.pop_front();
}

HomeFeeds::Feed& HomeFeeds::Ensure(Shard& s, std::unique_lock<std::mutex>& lock, Id account_id,
                                   const Loader& load) {
  while (true) {
    auto it = s.feeds.find(account_id);
    if (it != s.feeds.end() && !it->second.loading) {
      it->second.last_read = ++s.clock;
      return it->second;
    }
    if (it != s.feeds.end()) {
      s.loaded.wait(lock);  // another thread is loading this feed
      continue;
    }
    // Claim the load, then read the database without holding the lock.
    Feed& claimed = s.feeds[account_id];
    claimed.loading = true;
    claimed.last_read = ++s.clock;
    lock.unlock();
    std::vector<Id> ids = load(account_id);
    lock.lock();
    Feed& f = s.feeds[account_id];
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    if (ids.size() > max_items_) ids.erase(ids.begin(), ids.end() - max_items_);
    f.ids.assign(ids.begin(), ids.end());
    f.version = s.next_version++;
    for (Id p : f.pending) InsertSorted(s, f, p);
    f.pending.clear();
    f.loading = false;
    s.loaded.notify_all();
    if (f.stale) {  // forgotten while loading (a follow changed it): load it again
      s.feeds.erase(account_id);
      continue;
    }
    // Evict the least recently read ready feeds beyond this shard's share. A scan, but only when
    // a feed is loaded into a full shard; reads just tick a clock.
    const size_t per_shard = max_accounts_ / kShards + 1;
    while (s.feeds.size() > per_shard) {
      auto victim = s.feeds.end();
      for (auto vit = s.feeds.begin(); vit != s.feeds.end(); ++vit) {
        if (vit->first == account_id || vit->second.loading) continue;
        if (victim == s.feeds.end() || vit->second.last_read < victim->second.last_read) victim = vit;
      }
      if (victim == s.feeds.end()) break;
      s.feeds.erase(victim);
    }
    Feed& loaded = s.feeds[account_id];
    return loaded;
  }
}

std::vector<Id> HomeFeeds::Read(Id account_id, Id before, size_t limit, const Loader& load,
                                uint64_t* version) {
  Shard& s = ShardFor(account_id);
  std::unique_lock lock(s.mu);
  Feed& f = Ensure(s, lock, account_id, load);
  if (version != nullptr) *version = f.version;
  std::vector<Id> out;
  out.reserve(std::min(limit, f.ids.size()));
  auto end = std::lower_bound(f.ids.begin(), f.ids.end(), before);
  while (end != f.ids.begin() && out.size() < limit) {
    --end;
    out.push_back(*end);
  }
  return out;
}

std::vector<Id> HomeFeeds::ReadAfter(Id account_id, Id after, Id before, size_t limit,
                                     const Loader& load) {
  Shard& s = ShardFor(account_id);
  std::unique_lock lock(s.mu);
  Feed& f = Ensure(s, lock, account_id, load);
  std::vector<Id> out;
  for (auto it = std::upper_bound(f.ids.begin(), f.ids.end(), after);
       it != f.ids.end() && *it < before && out.size() < limit; ++it) {
    out.push_back(*it);
  }
  return out;
}

void HomeFeeds::Push(Id account_id, Id post_id) {
  Shard& s = ShardFor(account_id);
  std::lock_guard lock(s.mu);
  auto it = s.feeds.find(account_id);
  if (it == s.feeds.end()) return;
  if (it->second.loading) {
    it->second.pending.push_back(post_id);
  } else {
    InsertSorted(s, it->second, post_id);
  }
}

void HomeFeeds::PushMany(std::span<const Id> account_ids, Id post_id, Id skip_if_contains) {
  // Group by shard (a counting sort into one array) so that each shard's lock is taken once per
  // post, not once per follower.
  std::array<uint32_t, kShards + 1> start{};
  for (Id account : account_ids) ++start[ShardIndex(account) + 1];
  for (size_t i = 0; i < kShards; ++i) start[i + 1] += start[i];
  std::vector<Id> grouped(account_ids.size());
  std::array<uint32_t, kShards> next;
  std::copy_n(start.begin(), kShards, next.begin());
  for (Id account : account_ids) grouped[next[ShardIndex(account)]++] = account;

  std::vector<Feed*> feeds;
  feeds.reserve(account_ids.size());
  for (size_t i = 0; i < kShards; ++i) {
    if (start[i] == start[i + 1]) continue;
    Shard& s = shards_[i];
    std::lock_guard lock(s.mu);
    // Every feed is looked up first, and the end its post goes to prefetched, before any is
    // changed: a follower's feed is rarely in the cache, and the misses of a hundred followers
    // then overlap instead of coming one after another (measured: the load of a feed's newest id
    // was most of fan-out's time).
    feeds.clear();
    for (uint32_t j = start[i]; j < start[i + 1]; ++j) {
      auto it = s.feeds.find(grouped[j]);
      if (it == s.feeds.end()) continue;
      Feed& f = it->second;
      if (f.loading) {
        f.pending.push_back(post_id);
        continue;
      }
      if (!f.ids.empty()) __builtin_prefetch(&f.ids.back(), 1);
      feeds.push_back(&f);
    }
    for (Feed* f : feeds) {
      if (skip_if_contains != kNoId &&
          std::binary_search(f->ids.begin(), f->ids.end(), skip_if_contains)) {
        continue;
      }
      InsertSorted(s, *f, post_id);
    }
  }
}

uint64_t HomeFeeds::Version(Id account_id) {
  Shard& s = ShardFor(account_id);
  std::lock_guard lock(s.mu);
  auto it = s.feeds.find(account_id);
  return it == s.feeds.end() || it->second.loading ? 0 : it->second.version;
}

bool HomeFeeds::Contains(Id account_id, Id post_id) {
  Shard& s = ShardFor(account_id);
  std::lock_guard lock(s.mu);
  auto it = s.feeds.find(account_id);
  if (it == s.feeds.end() || it->second.loading) return false;
  return std::binary_search(it->second.ids.begin(), it->second.ids.end(), post_id);
}

void HomeFeeds::Forget(Id account_id) {
  Shard& s = ShardFor(account_id);
  std::lock_guard lock(s.mu);
  auto it = s.feeds.find(account_id);
  if (it == s.feeds.end()) return;
  if (it->second.loading) {
    it->second.stale = true;
    return;
  }
  s.feeds.erase(it);
}

size_t HomeFeeds::accounts_in_memory() {
  size_t n = 0;
  for (auto& s : shards_) {
    std::lock_guard lock(s.mu);
    n += s.feeds.size();
  }
  return n;
}

}  // namespace stoa::social
