// The HTTP/1.1 server (Boost.Beast, isolated in server.cc). Keep-alive, header and body timeouts, a
// body size limit, a structured access log, and graceful drain on Stop().
//
// Threading: `io_threads` threads run the sockets. Requests whose method is GET, HEAD or OPTIONS
// run their handler inline on an io thread (they only read, in microseconds); all others run on a
// pool of `blocking_threads`, because they wait for a durable commit (group commit needs many
// writers waiting at once).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "http/request.h"

namespace stoa::http {

class Metrics;

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port; see HttpServer::port()
  int io_threads = 0;    // 0 = hardware concurrency
  int blocking_threads = 0;  // 0 = 16 per io thread
  size_t body_limit_bytes = 2 * 1024 * 1024;
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds body_timeout{30};
  std::chrono::seconds idle_timeout{75};
  bool access_log = true;
};

// Called for every complete request; must be thread-safe. The returned response is sent as is,
// plus Content-Length, Date and Connection handling.
using RequestHandler = std::function<Response(Request&)>;

class HttpServer {
 public:
  // `metrics` may be null; when given it must outlive the server.
  HttpServer(ServerOptions options, RequestHandler handler, Metrics* metrics);
  ~HttpServer();  // calls Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts the threads. Fails with kUnavailable when the address cannot be bound.
  Status Start();
  // The bound port (useful after Start with port 0).
  uint16_t port() const;
  // Stops accepting, lets in-flight requests finish (up to `grace`), closes connections, joins the
  // threads. Idempotent; safe from any thread but the server's own.
  void Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(10000));
  // Blocks until SIGINT or SIGTERM arrives, then calls Stop().
  void RunUntilSignal();
  // Number of requests whose handler is running or whose response is being written.
  int64_t in_flight() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace stoa::http
