// Drives HttpServer over real sockets on port 0 with a small POSIX client.
#include "http/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/strings.h"
#include "http/metrics.h"
#include "http/router.h"

namespace stoa::http {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// A blocking client connection with a receive timeout, so that a broken server fails a test
// instead of hanging it.
class Connection {
 public:
  explicit Connection(uint16_t port, std::chrono::milliseconds timeout = 5000ms) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    timeval tv{};
    tv.tv_sec = timeout.count() / 1000;
    tv.tv_usec = (timeout.count() % 1000) * 1000;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Connection() { ::close(fd_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool connected() const { return connected_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response. `head` means the response has no body whatever Content-Length says.
  std::optional<RawResponse> Read(bool head = false) {
    size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    RawResponse response;
    const std::string head_text = buffer_.substr(0, header_end);
    buffer_.erase(0, header_end + 4);
    std::vector<std::string_view> lines = Split(head_text, '\n');
    std::string_view status_line = lines[0];
    if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.")) return std::nullopt;
    response.status = std::stoi(std::string(status_line.substr(9, 3)));
    for (size_t i = 1; i < lines.size(); ++i) {
      std::string_view line = lines[i];
      if (line.ends_with('\r')) line.remove_suffix(1);
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos) return std::nullopt;
      response.headers[AsciiLower(line.substr(0, colon))] =
          std::string(Trim(line.substr(colon + 1)));
    }
    if (head || response.status < 200 || response.status == 204 || response.status == 304)
      return response;
    const size_t length = std::stoul(
        response.headers.count("content-length") ? response.headers["content-length"] : "0");
    while (buffer_.size() < length) {
      if (!Fill()) return std::nullopt;
    }
    response.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return response;
  }

  // True when the server closes the connection (EOF or reset) before the receive timeout, with no
  // further response bytes.
  bool ClosedByServer() {
    char c;
    const ssize_t n = ::recv(fd_, &c, 1, 0);
    if (n == 0) return buffer_.empty();
    if (n < 0 && errno == ECONNRESET) return true;
    return false;
  }

  const std::string& leftover() const { return buffer_; }

 private:
  bool Fill() {
    char chunk[4096];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

std::string Get(std::string_view path, std::string_view extra_headers = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) +
         "\r\n";
}

std::string Post(std::string_view path, std::string_view body,
                 std::string_view extra_headers = "") {
  return "POST " + std::string(path) +
         " HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n" + std::string(extra_headers) + "\r\n" +
         std::string(body);
}

ServerOptions TestOptions() {
  ServerOptions options;
  options.port = 0;
  options.io_threads = 1;
  options.blocking_threads = 2;
  options.access_log = false;
  return options;
}

// A handler that describes the request it received.
Response Describe(Request& request) {
  std::string body = std::string(MethodName(request.method)) + " path=" + request.path +
                     " query=" + request.query + " body=" + request.body;
  if (const std::string* v = request.FindHeader("x-test")) body += " x-test=" + *v;
  return Response::Text(200, body);
}

std::unique_ptr<HttpServer> StartServer(ServerOptions options, RequestHandler handler,
                                        Metrics* metrics = nullptr) {
  auto server = std::make_unique<HttpServer>(std::move(options), std::move(handler), metrics);
  const Status status = server->Start();
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_NE(server->port(), 0);
  return server;
}

TEST(HttpServerTest, AnswersWithStandardHeaders) {
  auto server = StartServer(TestOptions(), Describe);
  Connection c(server->port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.Send(Get("/hello?a=1&b=2", "X-TEST: yes\r\n")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "GET path=/hello query=a=1&b=2 body= x-test=yes");
  EXPECT_EQ(r->Header("content-length"), std::to_string(r->body.size()));
  EXPECT_EQ(r->Header("content-type"), "text/plain; charset=utf-8");
  EXPECT_TRUE(r->Header("date").ends_with(" GMT")) << r->Header("date");
  EXPECT_EQ(r->Header("connection"), "");  // HTTP/1.1 keeps the connection by default
}

// Regression: the bind error was reported as "Success" because closing the acceptor overwrote
// the error code before its message was read.
TEST(HttpServerTest, PortInUseNamesTheRealReason) {
  auto first = StartServer(TestOptions(), Describe);
  ServerOptions options = TestOptions();
  options.port = first->port();
  HttpServer second(options, Describe, nullptr);
  const Status status = second.Start();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("cannot bind"), std::string::npos) << status.message();
  EXPECT_EQ(status.message().find("Success"), std::string::npos) << status.message();
}

TEST(HttpServerTest, PassesRequestFieldsToTheHandler) {
  std::promise<Request> seen;
  auto server = StartServer(TestOptions(), [&seen](Request& request) {
    seen.set_value(request);
    return Response::Json(200, "{}");
  });
  Connection c(server->port());
  ASSERT_TRUE(
      c.Send("PATCH /api/v1/x%20y?q=1 HTTP/1.1\r\nHost: t\r\nUser-Agent: ua\r\nContent-Length: "
             "2\r\n\r\nhi"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  const Request request = seen.get_future().get();
  EXPECT_EQ(request.method, Method::kPatch);
  EXPECT_EQ(request.target, "/api/v1/x%20y?q=1");
  EXPECT_EQ(request.path, "/api/v1/x%20y");
  EXPECT_EQ(request.query, "q=1");
  EXPECT_EQ(request.body, "hi");
  EXPECT_EQ(request.remote_address, "127.0.0.1");
  ASSERT_NE(request.FindHeader("user-agent"), nullptr);
  EXPECT_EQ(*request.FindHeader("USER-AGENT"), "ua");
}

TEST(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  auto server = StartServer(TestOptions(), Describe);
  Connection c(server->port());
  for (int i = 0; i < 5; ++i) {
    const std::string path = "/n" + std::to_string(i);
    ASSERT_TRUE(c.Send(i % 2 == 0 ? Get(path) : Post(path, "{}")));
    auto r = c.Read();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, std::string(i % 2 == 0 ? "GET" : "POST") + " path=" + path +
                           " query= body=" + (i % 2 == 0 ? "" : "{}"));
  }
}

TEST(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  auto server = StartServer(TestOptions(), Describe);
  Connection c(server->port());
  ASSERT_TRUE(c.Send(Get("/1") + Post("/2", "x") + Get("/3")));
  for (const char* expected : {"GET path=/1", "POST path=/2", "GET path=/3"}) {
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->body.starts_with(expected)) << r->body;
  }
}

TEST(HttpServerTest, Http10ClosesUnlessKeepAliveIsAsked) {
  auto server = StartServer(TestOptions(), Describe);
  {
    Connection c(server->port());
    ASSERT_TRUE(c.Send("GET /old HTTP/1.0\r\n\r\n"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->Header("connection"), "close");
    EXPECT_TRUE(c.ClosedByServer());
  }
  {
    Connection c(server->port());
    ASSERT_TRUE(c.Send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->Header("connection"), "keep-alive");
    ASSERT_TRUE(c.Send("GET /b HTTP/1.0\r\n\r\n"));
    ASSERT_TRUE(c.Read());
  }
}

TEST(HttpServerTest, ConnectionCloseIsHonoured) {
  auto server = StartServer(TestOptions(), Describe);
  Connection c(server->port());
  ASSERT_TRUE(c.Send(Get("/x", "Connection: close\r\n")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->Header("connection"), "close");
  EXPECT_TRUE(c.ClosedByServer());
}

TEST(HttpServerTest, OversizedBodyGets413AndClose) {
  ServerOptions options = TestOptions();
  options.body_limit_bytes = 1024;
  std::atomic<int> calls{0};
  auto server = StartServer(options, [&calls](Request&) {
    ++calls;
    return Response::Json(200, "{}");
  });
  {
    // Content-Length above the limit: refused as soon as the header is read.
    Connection c(server->port());
    ASSERT_TRUE(c.Send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n" +
                       std::string(2000, 'x')));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_EQ(r->body, R"({"error":"Request body is too large"})");
    EXPECT_EQ(r->Header("content-type"), "application/json; charset=utf-8");
    EXPECT_EQ(r->Header("connection"), "close");
    EXPECT_TRUE(c.ClosedByServer());
  }
  {
    // A chunked body that grows past the limit.
    Connection c(server->port());
    std::string request = "POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) request += "200\r\n" + std::string(512, 'y') + "\r\n";
    request += "0\r\n\r\n";
    ASSERT_TRUE(c.Send(request));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_TRUE(c.ClosedByServer());
  }
  {
    // Exactly at the limit is fine.
    Connection c(server->port());
    ASSERT_TRUE(c.Send(Post("/upload", std::string(1024, 'z'))));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_EQ(calls.load(), 1);
}

TEST(HttpServerTest, ChunkedBodiesAreDecoded) {
  auto server = StartServer(TestOptions(), Describe);
  Connection c(server->port());
  ASSERT_TRUE(
      c.Send("POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: "
             "chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "POST path=/c query= body=abcde");
}

TEST(HttpServerTest, MalformedRequestsGet400AndClose) {
  auto server = StartServer(TestOptions(), Describe);
  const std::string kGarbage[] = {
      "NOT HTTP AT ALL\r\n\r\n",
      std::string("\x01\x02\x03 garbage\r\n\r\n"),
      "GET / HTTP/1.1\r\nBad Header Without Colon\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n",
      "GET / HTTP/9.9\r\n\r\n",
  };
  for (const std::string& garbage : kGarbage) {
    SCOPED_TRACE(garbage);
    Connection c(server->port());
    ASSERT_TRUE(c.Send(garbage));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_EQ(r->body, R"({"error":"Bad request"})");
    EXPECT_EQ(r->Header("connection"), "close");
    EXPECT_TRUE(c.ClosedByServer());
  }
}

TEST(HttpServerTest, OversizedHeaderGets431) {
  auto server = StartServer(TestOptions(), Describe);
  Connection c(server->port());
  ASSERT_TRUE(c.Send(Get("/x", "Cookie: " + std::string(20000, 'c') + "\r\n")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_TRUE(c.ClosedByServer());
}

TEST(HttpServerTest, HeaderTimeoutClosesAHalfSentRequest) {
  ServerOptions options = TestOptions();
  options.header_timeout = std::chrono::seconds(1);
  auto server = StartServer(options, Describe);
  Connection c(server->port());
  const auto start = Clock::now();
  ASSERT_TRUE(c.Send("GET /slow HTTP/1.1\r\nHost: t\r\n"));  // the blank line never comes
  EXPECT_TRUE(c.ClosedByServer());
  const auto waited = Clock::now() - start;
  EXPECT_GE(waited, 900ms);
  EXPECT_LT(waited, 4s);
  EXPECT_TRUE(c.leftover().empty());  // closed without an answer
}

TEST(HttpServerTest, HeaderTimeoutAlsoAppliesToSilentConnections) {
  ServerOptions options = TestOptions();
  options.header_timeout = std::chrono::seconds(1);
  options.idle_timeout = std::chrono::seconds(60);
  auto server = StartServer(options, Describe);
  Connection c(server->port());
  const auto start = Clock::now();
  EXPECT_TRUE(c.ClosedByServer());
  EXPECT_LT(Clock::now() - start, 4s);
}

TEST(HttpServerTest, IdleTimeoutClosesKeepAliveConnections) {
  ServerOptions options = TestOptions();
  options.idle_timeout = std::chrono::seconds(1);
  auto server = StartServer(options, Describe);
  Connection c(server->port());
  ASSERT_TRUE(c.Send(Get("/x")));
  ASSERT_TRUE(c.Read());
  const auto start = Clock::now();
  EXPECT_TRUE(c.ClosedByServer());
  const auto waited = Clock::now() - start;
  EXPECT_GE(waited, 900ms);
  EXPECT_LT(waited, 4s);
}

// Lets a test hold a handler inside the server until it says so.
class Gate {
 public:
  void Enter() {
    entered_.set_value();
    release_future_.wait();
  }
  void WaitUntilEntered() { entered_future_.wait(); }
  void Release() { release_.set_value(); }

 private:
  std::promise<void> entered_;
  std::shared_future<void> entered_future_ = entered_.get_future().share();
  std::promise<void> release_;
  std::shared_future<void> release_future_ = release_.get_future().share();
};

TEST(HttpServerTest, WritesRunOnTheBlockingPoolAndDoNotBlockReads) {
  ServerOptions options = TestOptions();
  options.io_threads = 1;
  Gate gate;
  std::atomic<std::thread::id> get_thread, post_thread;
  auto server = StartServer(options, [&](Request& request) {
    if (request.method == Method::kPost) {
      post_thread = std::this_thread::get_id();
      gate.Enter();
      return Response::Json(200, R"({"slow":true})");
    }
    get_thread = std::this_thread::get_id();
    return Response::Json(200, R"({"fast":true})");
  });
  Connection slow(server->port());
  ASSERT_TRUE(slow.Send(Post("/api/v1/statuses", "{}")));
  gate.WaitUntilEntered();
  EXPECT_EQ(server->in_flight(), 1);

  // The single io thread is free while the POST handler blocks.
  Connection fast(server->port());
  ASSERT_TRUE(fast.Send(Get("/api/v1/timelines/home")));
  auto fast_response = fast.Read();
  ASSERT_TRUE(fast_response);
  EXPECT_EQ(fast_response->body, R"({"fast":true})");

  gate.Release();
  auto slow_response = slow.Read();
  ASSERT_TRUE(slow_response);
  EXPECT_EQ(slow_response->body, R"({"slow":true})");
  EXPECT_NE(get_thread.load(), post_thread.load());
  EXPECT_NE(post_thread.load(), std::this_thread::get_id());
}

// Whether the server's requests in flight drop to zero within a second (a client can read an
// answer a moment before the server counts it as sent).
bool NoneInFlightSoon(const HttpServer& server) {
  for (int i = 0; i < 500 && server.in_flight() != 0; ++i) std::this_thread::sleep_for(2ms);
  return server.in_flight() == 0;
}

// A server whose POSTs to /later go to a non-blocking handler that keeps Request::resume in
// `pending` and answers Response::Later(); its other requests go to `other`.
struct LaterServer {
  explicit LaterServer(ServerOptions options, RequestHandler other = Describe) {
    server = std::make_unique<HttpServer>(
        std::move(options),
        [this, other = std::move(other)](Request& request) {
          if (request.path != "/later") return other(request);
          handler_thread = std::this_thread::get_id();
          if (request.body == "now") return Response::Json(201, R"({"now":true})");
          std::lock_guard lock(mu);
          if (request.body != "drop") pending.push_back(request.resume);
          cv.notify_all();
          return Response::Later();
        },
        nullptr);
    server->SetNonBlockingTest([](const Request& request) { return request.path == "/later"; });
    const Status status = server->Start();
    EXPECT_TRUE(status.ok()) << status.ToString();
  }
  // Waits (bounded) until `n` resumes are kept.
  bool WaitForPending(size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, 5s, [&] { return pending.size() >= n; });
  }
  ResumeRequest Take(size_t i) {
    std::lock_guard lock(mu);
    return pending.at(i);
  }

  std::unique_ptr<HttpServer> server;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<ResumeRequest> pending;
  std::atomic<std::thread::id> handler_thread;
};

TEST(HttpServerTest, NonBlockingHandlersAnswerLaterWithoutHoldingAThread) {
  ServerOptions options = TestOptions();
  options.io_threads = 1;
  options.blocking_threads = 1;
  std::atomic<std::thread::id> get_thread;
  LaterServer later(options, [&](Request& request) {
    get_thread = std::this_thread::get_id();
    return Describe(request);
  });
  const uint16_t port = later.server->port();
  // Three answers outstanding at once: more than the one blocking thread could hold.
  std::vector<std::unique_ptr<Connection>> waiting;
  for (int i = 0; i < 3; ++i) {
    waiting.push_back(std::make_unique<Connection>(port));
    ASSERT_TRUE(waiting.back()->Send(Post("/later", "{}")));
  }
  ASSERT_TRUE(later.WaitForPending(3));
  EXPECT_EQ(later.server->in_flight(), 3);
  // The io thread still serves others meanwhile; the handlers ran on it.
  Connection other(port);
  ASSERT_TRUE(other.Send(Get("/other")));
  ASSERT_TRUE(other.Read());
  EXPECT_EQ(later.handler_thread.load(), get_thread.load());

  // Answered from another thread, in any order; each task runs on the io thread.
  std::vector<std::thread::id> task_threads(3);
  for (int i : {2, 0, 1}) {
    std::thread answerer([&, i] {
      later.Take(static_cast<size_t>(i))([&, i] {
        task_threads[static_cast<size_t>(i)] = std::this_thread::get_id();
        return Response::Json(200, "{\"answer\":" + std::to_string(i) + "}");
      });
    });
    answerer.join();
    auto r = waiting[static_cast<size_t>(i)]->Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "{\"answer\":" + std::to_string(i) + "}");
    EXPECT_EQ(task_threads[static_cast<size_t>(i)], get_thread.load());
  }
  // The connections stay usable.
  ASSERT_TRUE(waiting[0]->Send(Post("/later", "now")));
  auto now = waiting[0]->Read();
  ASSERT_TRUE(now);
  EXPECT_EQ(now->status, 201);
  EXPECT_EQ(now->body, R"({"now":true})");
  EXPECT_TRUE(NoneInFlightSoon(*later.server));
}

TEST(HttpServerTest, NonBlockingTasksThatThrowBecome500) {
  LaterServer later(TestOptions());
  Connection c(later.server->port());
  ASSERT_TRUE(c.Send(Post("/later", "{}")));
  ASSERT_TRUE(later.WaitForPending(1));
  later.Take(0)([]() -> Response { throw std::runtime_error("boom"); });
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->body, R"({"error":"Internal server error"})");
}

TEST(HttpServerTest, AnswerLaterFromABlockingRouteIsA500) {
  // No non-blocking test: the write runs on the pool without Request::resume, so a handler's
  // Response::Later() can never be kept.
  std::atomic<bool> had_resume{true};
  auto server = StartServer(TestOptions(), [&](Request& request) {
    had_resume = static_cast<bool>(request.resume);
    return Response::Later();
  });
  Connection c(server->port());
  ASSERT_TRUE(c.Send(Post("/later", "{}")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_FALSE(had_resume.load());
}

TEST(HttpServerTest, AnswerPromisedAndDroppedClosesTheConnection) {
  LaterServer later(TestOptions());
  Connection c(later.server->port());
  ASSERT_TRUE(c.Send(Post("/later", "drop")));
  // Nobody kept the resume: the connection is closed unanswered and nothing stays in flight.
  EXPECT_TRUE(c.ClosedByServer());
  EXPECT_TRUE(NoneInFlightSoon(*later.server));
}

TEST(HttpServerTest, StopWaitsForAnAnswerPromisedForLater) {
  LaterServer later(TestOptions());
  Connection c(later.server->port());
  ASSERT_TRUE(c.Send(Post("/later", "{}")));
  ASSERT_TRUE(later.WaitForPending(1));
  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    later.server->Stop(50ms);
    stopped = true;
  });
  // Past the grace period the connection is cut off, but Stop still waits for the task, which
  // needs the io thread, as a blocking handler would be waited for.
  std::this_thread::sleep_for(200ms);
  EXPECT_FALSE(stopped.load());
  std::atomic<bool> ran{false};
  later.Take(0)([&] {
    ran = true;
    return Response::Json(200, "{}");
  });
  stopper.join();
  EXPECT_TRUE(ran.load());
}

TEST(HttpServerTest, GracefulStopLetsTheInFlightRequestFinish) {
  Gate gate;
  auto server = StartServer(TestOptions(), [&](Request& request) {
    if (request.path == "/slow") gate.Enter();
    return Response::Json(200, R"({"done":true})");
  });
  const uint16_t port = server->port();
  Connection idle(port);
  ASSERT_TRUE(idle.Send(Get("/fast")));
  ASSERT_TRUE(idle.Read());

  Connection c(port);
  ASSERT_TRUE(c.Send(Post("/slow", "{}")));
  gate.WaitUntilEntered();
  EXPECT_EQ(server->in_flight(), 1);

  std::thread stopper([&] { server->Stop(10000ms); });
  // Idle keep-alive connections are closed at once, while the slow request is still running.
  EXPECT_TRUE(idle.ClosedByServer());
  // New connections are refused once the acceptor is closed.
  bool refused = false;
  for (int i = 0; i < 100 && !refused; ++i) {
    Connection late(port, 200ms);
    refused = !late.connected() || (late.Send(Get("/late")) && !late.Read());
    if (!refused) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(refused);

  gate.Release();
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"done":true})");
  EXPECT_EQ(r->Header("connection"), "close");
  stopper.join();
  EXPECT_EQ(server->in_flight(), 0);
  EXPECT_TRUE(c.ClosedByServer());
}

TEST(HttpServerTest, StopCutsOffRequestsAfterTheGracePeriod) {
  Gate gate;
  auto server = StartServer(TestOptions(), [&](Request&) {
    gate.Enter();
    return Response::Json(200, "{}");
  });
  Connection c(server->port());
  ASSERT_TRUE(c.Send(Post("/stuck", "{}")));
  gate.WaitUntilEntered();
  const auto start = Clock::now();
  std::thread stopper([&] { server->Stop(200ms); });
  // The connection is closed without an answer once the grace period is over ...
  EXPECT_TRUE(c.ClosedByServer());
  EXPECT_GE(Clock::now() - start, 150ms);
  // ... and Stop returns once the handler (which cannot be interrupted) returns.
  gate.Release();
  stopper.join();
}

TEST(HttpServerTest, StopIsIdempotentAndFastWhenIdle) {
  auto server = StartServer(TestOptions(), Describe);
  Connection c(server->port());
  ASSERT_TRUE(c.Send(Get("/x")));
  ASSERT_TRUE(c.Read());
  const auto start = Clock::now();
  server->Stop();
  server->Stop();
  EXPECT_LT(Clock::now() - start, 2s);
  EXPECT_TRUE(c.ClosedByServer());
  EXPECT_FALSE(server->Start().ok());
}

TEST(HttpServerTest, HeadFallsBackToGetWithoutABody) {
  Router router;
  router.Add(Method::kGet, "/api/v1/instance", [](Request&, const PathParams&) {
    return Response::Json(200, R"({"uri":"example.test"})");
  });
  auto server =
      StartServer(TestOptions(), [&router](Request& request) { return router.Dispatch(request); });
  Connection c(server->port());
  ASSERT_TRUE(c.Send("HEAD /api/v1/instance HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto head = c.Read(/*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("content-length"), "22");
  EXPECT_EQ(head->Header("content-type"), "application/json; charset=utf-8");
  // Had the server sent a body, it would now be read in place of the next response.
  ASSERT_TRUE(c.Send(Get("/api/v1/instance")));
  auto get = c.Read();
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, R"({"uri":"example.test"})");
  EXPECT_TRUE(c.leftover().empty());
}

TEST(HttpServerTest, HandlerExceptionsBecome500) {
  auto server = StartServer(TestOptions(), [](Request& request) -> Response {
    if (request.path == "/std") throw std::runtime_error("boom");
    if (request.path == "/other") throw 42;
    return Response::Json(200, "{}");
  });
  Connection c(server->port());
  for (const std::string& request :
       {Get("/std"), Post("/std", "{}"), Get("/other"), Post("/other", "")}) {
    ASSERT_TRUE(c.Send(request));
    auto r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 500);
    EXPECT_EQ(r->body, R"({"error":"Internal server error"})");
  }
  // The connection survives.
  ASSERT_TRUE(c.Send(Get("/ok")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(HttpServerTest, ResponseHeadersArePassedAndSanitised) {
  auto server = StartServer(TestOptions(), [](Request&) {
    Response r = Response::Json(206, "{}");
    r.headers.push_back({"Set-Cookie", "a=1"});
    r.headers.push_back({"Set-Cookie", "b=2"});
    r.headers.push_back({"X-Injected", "x\r\nEvil: 1"});
    r.headers.push_back({"Content-Length", "999"});
    r.headers.push_back({"content-type", "application/activity+json"});
    r.headers.push_back({"Link", "<https://x.test/?max_id=1>; rel=\"next\""});
    return r;
  });
  Connection c(server->port());
  ASSERT_TRUE(c.Send(Get("/")));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->Header("content-length"), "2");
  EXPECT_EQ(r->Header("content-type"), "application/activity+json");
  EXPECT_EQ(r->Header("evil"), "");
  EXPECT_EQ(r->Header("x-injected"), "");
  EXPECT_EQ(r->Header("link"), "<https://x.test/?max_id=1>; rel=\"next\"");
  EXPECT_EQ(r->body, "{}");
}

TEST(HttpServerTest, ExpectContinueGetsAnInterimResponse) {
  auto server = StartServer(TestOptions(), Describe);
  Connection c(server->port());
  ASSERT_TRUE(
      c.Send("POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = c.Read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.Send("hello"));
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "POST path=/e query= body=hello");
}

TEST(HttpServerTest, StartFailsWhenThePortIsTaken) {
  auto first = StartServer(TestOptions(), Describe);
  ServerOptions options = TestOptions();
  options.port = first->port();
  HttpServer second(options, Describe, nullptr);
  const Status status = second.Start();
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
}

TEST(HttpServerTest, RecordsMetricsAndWritesTheAccessLog) {
  std::ostringstream log_text;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_text);
  auto logger = std::make_shared<spdlog::logger>("access", sink);
  logger->set_pattern("%v");
  spdlog::register_logger(logger);

  Router router;
  router.Add(Method::kGet, "/api/v1/statuses/:id",
             [](Request&, const PathParams&) { return Response::Json(200, "{}"); });
  Metrics metrics;
  ServerOptions options = TestOptions();
  options.access_log = true;
  auto server = StartServer(
      options, [&router](Request& request) { return router.Dispatch(request); }, &metrics);
  {
    Connection c(server->port());
    ASSERT_TRUE(c.Send(Get("/api/v1/statuses/123?secret=1", "User-Agent: test-agent/1.0\r\n")));
    ASSERT_TRUE(c.Read());
    ASSERT_TRUE(c.Send(Get("/nowhere")));
    ASSERT_TRUE(c.Read());
  }
  server->Stop();
  spdlog::drop("access");

  const std::string text = metrics.Render();
  EXPECT_NE(
      text.find(
          R"(stoa_http_requests_total{method="GET",route="/api/v1/statuses/:id",status="200"} 1)"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(stoa_http_requests_total{method="GET",route="unmatched",status="404"} 1)"),
            std::string::npos)
      << text;

  const std::string log_lines = log_text.str();
  std::vector<std::string_view> lines = Split(log_lines, '\n');
  ASSERT_GE(lines.size(), 2u) << log_text.str();
  boost::system::error_code ec;
  const boost::json::value first = boost::json::parse(lines[0], ec);
  ASSERT_FALSE(ec) << lines[0];
  const boost::json::object& entry = first.as_object();
  EXPECT_EQ(entry.at("method").as_string(), "GET");
  EXPECT_EQ(entry.at("path").as_string(), "/api/v1/statuses/123");  // never the query string
  EXPECT_EQ(entry.at("route").as_string(), "/api/v1/statuses/:id");
  EXPECT_EQ(entry.at("status").as_int64(), 200);
  EXPECT_EQ(entry.at("bytes").as_int64(), 2);
  EXPECT_GE(entry.at("duration_us").as_int64(), 0);
  EXPECT_EQ(entry.at("ip").as_string(), "127.0.0.1");
  EXPECT_EQ(entry.at("ua").as_string(), "test-agent/1.0");
  EXPECT_TRUE(entry.at("ts").as_string().ends_with("Z"));
}

TEST(HttpServerTest, StopEndsRunUntilSignal) {
  auto server = StartServer(TestOptions(), Describe);
  std::thread runner([&] { server->RunUntilSignal(); });
  server->Stop();
  runner.join();
}

TEST(HttpServerTest, SigtermEndsRunUntilSignal) {
  auto server = StartServer(TestOptions(), Describe);
  std::thread runner([&] { server->RunUntilSignal(); });
  // Send the signal only once RunUntilSignal has installed its handler; before that SIGTERM would
  // end the test process.
  bool installed = false;
  for (int i = 0; i < 500 && !installed; ++i) {
    struct sigaction current {};
    ::sigaction(SIGTERM, nullptr, &current);
    installed = current.sa_handler != SIG_DFL && current.sa_handler != SIG_IGN;
    if (!installed) std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(installed);
  ::kill(::getpid(), SIGTERM);
  runner.join();
  Connection c(server->port(), 500ms);
  EXPECT_FALSE(c.connected() && c.Send(Get("/")) && c.Read());
}

TEST(HttpServerTest, ManyClientsAtOnce) {
  ServerOptions options = TestOptions();
  options.io_threads = 2;
  auto server = StartServer(options, Describe);
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      Connection c(server->port());
      for (int i = 0; i < 50; ++i) {
        const std::string path = "/c" + std::to_string(t) + "/" + std::to_string(i);
        if (!c.Send(i % 3 == 0 ? Post(path, "b") : Get(path))) return;
        auto r = c.Read();
        if (r && r->status == 200 && r->body.find("path=" + path + " ") != std::string::npos) ++ok;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 200);
}

}  // namespace
}  // namespace stoa::http
