// Prometheus metrics: request counts and latency histograms per route, plus gauges and counters
// that other modules register. Thread-safe; recording is lock-free on the hot path after the first
// request of a route.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace stoa::http {

class Metrics {
 public:
  Metrics();
  ~Metrics();

  // Records one finished request. `route` is the matched pattern (or "unmatched").
  void RecordRequest(std::string_view method, std::string_view route, int status,
                     std::chrono::microseconds duration);

  // A gauge evaluated at scrape time, e.g. the SQLite writer queue depth. `labels` is rendered
  // verbatim inside braces ("" for none, or `category="spam"`).
  void AddGauge(std::string name, std::string help, std::function<double()> read,
                std::string labels = "");
  // A monotonically increasing counter owned by the caller, read at scrape time.
  void AddCounter(std::string name, std::string help, std::function<double()> read,
                  std::string labels = "");

  // A histogram computed by the caller at scrape time: cumulative counts per upper bound (in
  // increasing order; the +Inf bucket is `count`), the sum and the count of observations.
  struct HistogramValue {
    std::vector<std::pair<double, uint64_t>> buckets;
    double sum = 0;
    uint64_t count = 0;
  };
  void AddHistogram(std::string name, std::string help, std::function<HistogramValue()> read);

  // The Prometheus text exposition format (version 0.0.4).
  std::string Render() const;

 private:
  struct RouteStats;
  struct Callback {
    std::string name, help, type, labels;
    std::function<double()> read;
  };
  RouteStats& StatsFor(std::string_view method, std::string_view route);

  // Never reused across instances; tells a thread's cached route lookups which instance they
  // belong to.
  const uint64_t instance_id_;
  mutable std::mutex mu_;
  // Guarded by mu_: the map's nodes are never erased, so references stay valid without the lock.
  std::map<std::string, std::unique_ptr<RouteStats>, std::less<>> routes_;
  std::vector<Callback> callbacks_;
  struct HistogramCallback {
    std::string name, help;
    std::function<HistogramValue()> read;
  };
  std::vector<HistogramCallback> histograms_;  // guarded by mu_
};

}  // namespace stoa::http
