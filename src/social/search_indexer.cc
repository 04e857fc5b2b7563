#include "social/search_indexer.h"

#include <spdlog/spdlog.h>

namespace stoa::social {

Result<int64_t> SearchIndexer::Drain() {
  std::lock_guard lock(drain_mu_);
  int64_t total = 0;
  while (true) {
    int applied = 0;
    Status st = storage_.Write([&](storage::Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(applied, tx.posts().IndexPendingSearch(batch_));
      return Status::Ok();
    });
    RETURN_IF_ERROR(st);
    total += applied;
    if (applied < batch_) return total;
  }
}

Status SearchIndexer::Flush() {
  const uint64_t wanted = generation_.load(std::memory_order_acquire);
  if (flushed_generation_.load(std::memory_order_acquire) >= wanted) return Status::Ok();
  auto drained = Drain();
  if (!drained.ok()) return drained.status();
  uint64_t seen = flushed_generation_.load();
  while (seen < wanted && !flushed_generation_.compare_exchange_weak(seen, wanted)) {
  }
  return Status::Ok();
}

void SearchIndexer::Start() {
  std::lock_guard lock(mu_);
  if (running_) return;
  running_ = true;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void SearchIndexer::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!running_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  std::lock_guard lock(mu_);
  running_ = false;
}

void SearchIndexer::Loop() {
  constexpr int kRoundsBetweenDatabaseChecks = 20;
  // Posts can also be queued by an earlier process or by the stoa CLI: look at the database at
  // start and every few rounds, and flush on every round after a Notify().
  int rounds_since_check = kRoundsBetweenDatabaseChecks;
  while (true) {
    {
      std::unique_lock lock(mu_);
      if (cv_.wait_for(lock, interval_, [this] { return stopping_; })) return;
    }
    bool pending = generation_.load(std::memory_order_acquire) >
                   flushed_generation_.load(std::memory_order_acquire);
    if (!pending && ++rounds_since_check >= kRoundsBetweenDatabaseChecks) {
      rounds_since_check = 0;
      auto read = storage_.Read();
      if (read->posts().HasPendingSearch()) {
        Notify();
        pending = true;
      }
    }
    if (!pending) continue;
    if (Status st = Flush(); !st.ok()) {
      // The queue stays as it is; the next round retries.
      spdlog::warn("search indexer: {}", st.ToString());
      rounds_since_check = kRoundsBetweenDatabaseChecks;
    }
  }
}

}  // namespace stoa::social
