// Keeps the full-text index up to date off the posting path: posts are queued for indexing in
// their own transaction (durably, so nothing is lost on a crash), and the indexer applies the
// queue in large batches, either on its background thread or when a search asks for it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "common/status.h"
#include "storage/storage.h"

namespace stoa::social {

class SearchIndexer {
 public:
  explicit SearchIndexer(storage::Storage& storage,
                         std::chrono::milliseconds interval = std::chrono::milliseconds(250),
                         int batch = 512)
      : storage_(storage), interval_(interval), batch_(batch) {}
  ~SearchIndexer() { Stop(); }
  SearchIndexer(const SearchIndexer&) = delete;
  SearchIndexer& operator=(const SearchIndexer&) = delete;

  // Starts the background thread (once). It catches up with anything queued before start.
  void Start();
  // Stops the thread; what is still queued stays queued (durably) for the next start.
  void Stop();
  // Tells the indexer that posts were queued (after a committed write). Thread-safe, cheap.
  void Notify() { generation_.fetch_add(1, std::memory_order_release); }
  // Applies everything queued before this call, so a search sees every post written before it.
  // Cheap when nothing was queued since the last flush. Thread-safe.
  Status Flush();

 private:
  // Applies the whole queue; returns the number of posts applied.
  Result<int64_t> Drain();
  void Loop();

  storage::Storage& storage_;
  const std::chrono::milliseconds interval_;
  const int batch_;
  std::atomic<uint64_t> generation_{1};
  std::atomic<uint64_t> flushed_generation_{0};
  std::mutex drain_mu_;  // one drain at a time

  std::mutex mu_;
  std::condition_variable cv_;
  bool running_ = false;   // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace stoa::social
