#include "http/metrics.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <tuple>
#include <unordered_map>

namespace stoa::http {

namespace {

// Histogram upper bounds in microseconds, and the same bounds as the text Prometheus shows.
constexpr std::array<int64_t, 14> kBucketMicros = {500,     1000,    2500,    5000,    10000,
                                                   25000,   50000,   100000,  250000,  500000,
                                                   1000000, 2500000, 5000000, 10000000};
constexpr std::array<std::string_view, 14> kBucketLabels = {
    "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
    "0.1",    "0.25",  "0.5",    "1",     "2.5",  "5",     "10"};
// Distinct status codes counted lock-free per route; a route rarely answers with more.
constexpr size_t kStatusSlots = 16;

// Every Metrics instance gets an id that is never reused, so that a thread's cache of route
// lookups can tell when it belongs to another (possibly destroyed) instance.
std::atomic<uint64_t> next_instance_id{1};

void AppendEscapedLabel(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out.append("\\\\");
        break;
      case '"':
        out.append("\\\"");
        break;
      case '\n':
        out.append("\\n");
        break;
      default:
        out.push_back(c);
    }
  }
}

void AppendEscapedHelp(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      default:
        out.push_back(c);
    }
  }
}

void AppendNumber(std::string& out, double value) {
  if (std::isnan(value)) {
    out.append("NaN");
  } else if (std::isinf(value)) {
    out.append(value > 0 ? "+Inf" : "-Inf");
  } else {
    char buffer[32];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, r.ptr);
  }
}

void AppendInt(std::string& out, uint64_t value) {
  char buffer[24];
  const auto r = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, r.ptr);
}

// The key of a (method, route) pair in routes_.
void MakeKey(std::string& key, std::string_view method, std::string_view route) {
  key.assign(method);
  key.push_back(' ');
  key.append(route);
}

}  // namespace

struct Metrics::RouteStats {
  std::string method;
  std::string route;
  // Status codes claim a slot with a CAS from 0; counts are relaxed atomics.
  std::array<std::atomic<int>, kStatusSlots> status_codes{};
  std::array<std::atomic<uint64_t>, kStatusSlots> status_counts{};
  // Codes beyond the slots; guarded by overflow_mu.
  std::mutex overflow_mu;
  std::map<int, uint64_t> overflow;
  // Non-cumulative bucket counts; the last one is +Inf.
  std::array<std::atomic<uint64_t>, kBucketMicros.size() + 1> buckets{};
  std::atomic<uint64_t> count{0};
  std::atomic<uint64_t> sum_micros{0};

  void CountStatus(int status) {
    for (size_t i = 0; i < kStatusSlots; ++i) {
      int current = status_codes[i].load(std::memory_order_acquire);
      if (current == 0) {
        int expected = 0;
        if (status_codes[i].compare_exchange_strong(expected, status, std::memory_order_acq_rel)) {
          current = status;
        } else {
          current = expected;
        }
      }
      if (current == status) {
        status_counts[i].fetch_add(1, std::memory_order_relaxed);
        return;
      }
    }
    std::lock_guard lock(overflow_mu);
    ++overflow[status];
  }

  std::map<int, uint64_t> StatusCounts() {
    std::map<int, uint64_t> out;
    for (size_t i = 0; i < kStatusSlots; ++i) {
      const int code = status_codes[i].load(std::memory_order_acquire);
      if (code == 0) break;
      out[code] += status_counts[i].load(std::memory_order_relaxed);
    }
    std::lock_guard lock(overflow_mu);
    for (const auto& [code, n] : overflow) out[code] += n;
    return out;
  }
};

Metrics::Metrics() : instance_id_(next_instance_id.fetch_add(1)) {}
Metrics::~Metrics() = default;

Metrics::RouteStats& Metrics::StatsFor(std::string_view method, std::string_view route) {
  // A per-thread cache of key -> stats keeps the hot path free of the mutex. RouteStats are never
  // freed before the Metrics instance, and the instance id guards against a new instance at the
  // address of a destroyed one.
  struct ThreadCache {
    uint64_t owner_id = 0;
    std::unordered_map<std::string, RouteStats*> stats;
    std::string key;
  };
  thread_local ThreadCache cache;
  if (cache.owner_id != instance_id_) {
    cache.owner_id = instance_id_;
    cache.stats.clear();
  }
  MakeKey(cache.key, method, route);
  if (auto it = cache.stats.find(cache.key); it != cache.stats.end()) return *it->second;

  RouteStats* stats = nullptr;
  {
    std::lock_guard lock(mu_);
    auto it = routes_.find(cache.key);
    if (it == routes_.end()) {
      auto created = std::make_unique<RouteStats>();
      created->method = std::string(method);
      created->route = std::string(route);
      it = routes_.emplace(cache.key, std::move(created)).first;
    }
    stats = it->second.get();
  }
  cache.stats.emplace(cache.key, stats);
  return *stats;
}

void Metrics::RecordRequest(std::string_view method, std::string_view route, int status,
                            std::chrono::microseconds duration) {
  RouteStats& stats = StatsFor(method, route);
  stats.CountStatus(status);
  const int64_t micros = std::max<int64_t>(0, duration.count());
  size_t bucket = 0;
  while (bucket < kBucketMicros.size() && micros > kBucketMicros[bucket]) ++bucket;
  stats.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  stats.count.fetch_add(1, std::memory_order_relaxed);
  stats.sum_micros.fetch_add(static_cast<uint64_t>(micros), std::memory_order_relaxed);
}

void Metrics::AddGauge(std::string name, std::string help, std::function<double()> read,
                       std::string labels) {
  std::lock_guard lock(mu_);
  callbacks_.push_back(
      Callback{std::move(name), std::move(help), "gauge", std::move(labels), std::move(read)});
}

void Metrics::AddCounter(std::string name, std::string help, std::function<double()> read,
                         std::string labels) {
  std::lock_guard lock(mu_);
  callbacks_.push_back(
      Callback{std::move(name), std::move(help), "counter", std::move(labels), std::move(read)});
}

void Metrics::AddHistogram(std::string name, std::string help,
                           std::function<HistogramValue()> read) {
  std::lock_guard lock(mu_);
  histograms_.push_back(HistogramCallback{std::move(name), std::move(help), std::move(read)});
}

std::string Metrics::Render() const {
  std::vector<RouteStats*> routes;
  std::vector<Callback> callbacks;
  std::vector<HistogramCallback> histograms;
  {
    std::lock_guard lock(mu_);
    routes.reserve(routes_.size());
    for (const auto& [key, stats] : routes_) routes.push_back(stats.get());
    callbacks = callbacks_;
    histograms = histograms_;
  }
  std::sort(routes.begin(), routes.end(), [](const RouteStats* a, const RouteStats* b) {
    return std::tie(a->route, a->method) < std::tie(b->route, b->method);
  });

  std::string out;
  out.reserve(1024 + routes.size() * 2048);
  out.append("# HELP stoa_http_requests_total HTTP requests by method, route and status.\n");
  out.append("# TYPE stoa_http_requests_total counter\n");
  for (RouteStats* stats : routes) {
    for (const auto& [code, n] : stats->StatusCounts()) {
      out.append("stoa_http_requests_total{method=\"");
      AppendEscapedLabel(out, stats->method);
      out.append("\",route=\"");
      AppendEscapedLabel(out, stats->route);
      out.append("\",status=\"");
      AppendInt(out, static_cast<uint64_t>(code));
      out.append("\"} ");
      AppendInt(out, n);
      out.push_back('\n');
    }
  }

  out.append(
      "# HELP stoa_http_request_duration_seconds HTTP request latency by method and route.\n");
  out.append("# TYPE stoa_http_request_duration_seconds histogram\n");
  for (RouteStats* stats : routes) {
    std::string labels = "method=\"";
    AppendEscapedLabel(labels, stats->method);
    labels.append("\",route=\"");
    AppendEscapedLabel(labels, stats->route);
    labels.push_back('"');
    // Read the buckets first and derive the count from them, so that a scrape racing a request
    // still shows a consistent histogram (+Inf bucket == _count).
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= kBucketMicros.size(); ++i) {
      cumulative += stats->buckets[i].load(std::memory_order_relaxed);
      out.append("stoa_http_request_duration_seconds_bucket{");
      out.append(labels);
      out.append(",le=\"");
      out.append(i < kBucketMicros.size() ? kBucketLabels[i] : std::string_view("+Inf"));
      out.append("\"} ");
      AppendInt(out, cumulative);
      out.push_back('\n');
    }
    out.append("stoa_http_request_duration_seconds_sum{");
    out.append(labels);
    out.append("} ");
    AppendNumber(out, static_cast<double>(stats->sum_micros.load(std::memory_order_relaxed)) / 1e6);
    out.push_back('\n');
    out.append("stoa_http_request_duration_seconds_count{");
    out.append(labels);
    out.append("} ");
    AppendInt(out, cumulative);
    out.push_back('\n');
  }

  // Callbacks are read outside the lock: they may take locks of their own. Series of the same name
  // share one HELP and TYPE block, in order of first registration.
  std::vector<bool> done(callbacks.size(), false);
  for (size_t i = 0; i < callbacks.size(); ++i) {
    if (done[i]) continue;
    const Callback& first = callbacks[i];
    out.append("# HELP ").append(first.name).push_back(' ');
    AppendEscapedHelp(out, first.help);
    out.append("\n# TYPE ").append(first.name).push_back(' ');
    out.append(first.type).push_back('\n');
    for (size_t j = i; j < callbacks.size(); ++j) {
      if (done[j] || callbacks[j].name != first.name) continue;
      done[j] = true;
      out.append(callbacks[j].name);
      if (!callbacks[j].labels.empty()) out.append("{").append(callbacks[j].labels).push_back('}');
      out.push_back(' ');
      AppendNumber(out, callbacks[j].read ? callbacks[j].read() : 0.0);
      out.push_back('\n');
    }
  }
  for (const HistogramCallback& h : histograms) {
    const HistogramValue v = h.read ? h.read() : HistogramValue{};
    out.append("# HELP ").append(h.name).push_back(' ');
    AppendEscapedHelp(out, h.help);
    out.append("\n# TYPE ").append(h.name).append(" histogram\n");
    for (const auto& [bound, n] : v.buckets) {
      out.append(h.name).append("_bucket{le=\"");
      AppendNumber(out, bound);
      out.append("\"} ");
      AppendInt(out, n);
      out.push_back('\n');
    }
    out.append(h.name).append("_bucket{le=\"+Inf\"} ");
    AppendInt(out, v.count);
    out.push_back('\n');
    out.append(h.name).append("_sum ");
    AppendNumber(out, v.sum);
    out.push_back('\n');
    out.append(h.name).append("_count ");
    AppendInt(out, v.count);
    out.push_back('\n');
  }
  return out;
}

}  // namespace stoa::http
