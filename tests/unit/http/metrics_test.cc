#include "http/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>

namespace stoa::http {
namespace {

using std::chrono::microseconds;

bool Contains(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(MetricsTest, CountsRequestsByMethodRouteAndStatus) {
  Metrics m;
  m.RecordRequest("GET", "/api/v1/statuses/:id", 200, microseconds(100));
  m.RecordRequest("GET", "/api/v1/statuses/:id", 200, microseconds(100));
  m.RecordRequest("GET", "/api/v1/statuses/:id", 404, microseconds(100));
  m.RecordRequest("DELETE", "/api/v1/statuses/:id", 200, microseconds(100));
  const std::string text = m.Render();
  EXPECT_TRUE(Contains(text, "# TYPE stoa_http_requests_total counter"));
  const char* kLines[] = {
      R"(stoa_http_requests_total{method="GET",route="/api/v1/statuses/:id",status="200"} 2)",
      R"(stoa_http_requests_total{method="GET",route="/api/v1/statuses/:id",status="404"} 1)",
      R"(stoa_http_requests_total{method="DELETE",route="/api/v1/statuses/:id",status="200"} 1)",
  };
  for (const char* line : kLines) EXPECT_TRUE(Contains(text, line)) << line << "\n" << text;
}

TEST(MetricsTest, HistogramBucketsAreCumulativeAndInclusive) {
  Metrics m;
  const int64_t kDurations[] = {300, 500, 700, 2'000'000, 20'000'000};
  for (int64_t d : kDurations) m.RecordRequest("GET", "/x", 200, microseconds(d));
  const std::string text = m.Render();
  EXPECT_TRUE(Contains(text, "# TYPE stoa_http_request_duration_seconds histogram"));
  const struct {
    const char* le;
    int count;
  } kBuckets[] = {
      {"0.0005", 2}, {"0.001", 3}, {"0.0025", 3}, {"0.005", 3}, {"0.01", 3},
      {"0.025", 3},  {"0.05", 3},  {"0.1", 3},    {"0.25", 3},  {"0.5", 3},
      {"1", 3},      {"2.5", 4},   {"5", 4},      {"10", 4},    {"+Inf", 5},
  };
  for (const auto& b : kBuckets) {
    const std::string line =
        std::string(R"(stoa_http_request_duration_seconds_bucket{method="GET",route="/x",le=")") +
        b.le + "\"} " + std::to_string(b.count);
    EXPECT_TRUE(Contains(text, line)) << line << "\n" << text;
  }
  EXPECT_TRUE(
      Contains(text, R"(stoa_http_request_duration_seconds_count{method="GET",route="/x"} 5)"));
  EXPECT_TRUE(
      Contains(text, R"(stoa_http_request_duration_seconds_sum{method="GET",route="/x"} 22.0015)"))
      << text;
}

TEST(MetricsTest, EscapesLabelValues) {
  Metrics m;
  m.RecordRequest("GET", "a\"b\\c\nd", 200, microseconds(1));
  EXPECT_TRUE(Contains(
      m.Render(), R"(stoa_http_requests_total{method="GET",route="a\"b\\c\nd",status="200"} 1)"));
}

TEST(MetricsTest, ManyDistinctStatusesAreAllCounted) {
  Metrics m;
  for (int status = 200; status < 240; ++status) {
    for (int i = 0; i < status - 199; ++i) m.RecordRequest("GET", "/s", status, microseconds(1));
  }
  const std::string text = m.Render();
  for (int status = 200; status < 240; ++status) {
    const std::string line = R"(stoa_http_requests_total{method="GET",route="/s",status=")" +
                             std::to_string(status) + "\"} " + std::to_string(status - 199);
    EXPECT_TRUE(Contains(text, line)) << line;
  }
}

TEST(MetricsTest, CallbacksRenderWithHelpAndType) {
  Metrics m;
  m.AddGauge(
      "stoa_queue_depth", "Open cases by category.", [] { return 3.0; }, R"(category="spam")");
  m.AddCounter("stoa_notices_total", "Notices received.\nAll of them.", [] { return 12.0; });
  m.AddGauge(
      "stoa_queue_depth", "ignored", [] { return 0.5; }, R"(category="csam")");
  m.AddGauge("stoa_nan", "Not a number.", [] { return std::nan(""); });
  m.AddGauge("stoa_inf", "Infinite.", [] { return std::numeric_limits<double>::infinity(); });
  const std::string text = m.Render();
  const std::string expected =
      "# HELP stoa_queue_depth Open cases by category.\n"
      "# TYPE stoa_queue_depth gauge\n"
      "stoa_queue_depth{category=\"spam\"} 3\n"
      "stoa_queue_depth{category=\"csam\"} 0.5\n"
      "# HELP stoa_notices_total Notices received.\\nAll of them.\n"
      "# TYPE stoa_notices_total counter\n"
      "stoa_notices_total 12\n"
      "# HELP stoa_nan Not a number.\n"
      "# TYPE stoa_nan gauge\n"
      "stoa_nan NaN\n"
      "# HELP stoa_inf Infinite.\n"
      "# TYPE stoa_inf gauge\n"
      "stoa_inf +Inf\n";
  EXPECT_NE(text.find(expected), std::string::npos) << text;
}

TEST(MetricsTest, EmptyRenderHasOnlyTheHeaders) {
  Metrics m;
  EXPECT_EQ(m.Render(),
            "# HELP stoa_http_requests_total HTTP requests by method, route and status.\n"
            "# TYPE stoa_http_requests_total counter\n"
            "# HELP stoa_http_request_duration_seconds HTTP request latency by method and route.\n"
            "# TYPE stoa_http_request_duration_seconds histogram\n");
}

TEST(MetricsTest, ConcurrentRecordingLosesNothing) {
  Metrics m;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&m, t] {
      for (int i = 0; i < kPerThread; ++i) {
        m.RecordRequest("GET", i % 2 == 0 ? "/even" : "/odd", 200 + (i + t) % 3,
                        microseconds(i % 1000));
      }
    });
  }
  for (auto& t : threads) t.join();
  const std::string text = m.Render();
  EXPECT_TRUE(Contains(
      text, R"(stoa_http_request_duration_seconds_count{method="GET",route="/even"} 40000)"));
  EXPECT_TRUE(Contains(
      text, R"(stoa_http_request_duration_seconds_count{method="GET",route="/odd"} 40000)"));
}

// The per-thread lookup cache must never hand one instance's stats to another, including a new
// instance built where a destroyed one lived.
TEST(MetricsTest, InstancesOnOneThreadStaySeparate) {
  auto a = std::make_unique<Metrics>();
  Metrics b;
  a->RecordRequest("GET", "/r", 200, microseconds(1));
  b.RecordRequest("GET", "/r", 200, microseconds(1));
  a->RecordRequest("GET", "/r", 200, microseconds(1));
  EXPECT_TRUE(
      Contains(a->Render(), R"(stoa_http_requests_total{method="GET",route="/r",status="200"} 2)"));
  EXPECT_TRUE(
      Contains(b.Render(), R"(stoa_http_requests_total{method="GET",route="/r",status="200"} 1)"));
  for (int i = 0; i < 3; ++i) {
    a = std::make_unique<Metrics>();
    a->RecordRequest("GET", "/r", 201, microseconds(1));
    const std::string text = a->Render();
    EXPECT_TRUE(
        Contains(text, R"(stoa_http_requests_total{method="GET",route="/r",status="201"} 1)"))
        << text;
    EXPECT_EQ(text.find("status=\"200\""), std::string::npos);
  }
}

}  // namespace
}  // namespace stoa::http
