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
#include <optional>
#include <string>
#include <string_view>

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

// The server's side of a long-lived streaming connection (a WebSocket, or a Server-Sent Events
// response). Thread-safe: events may be sent from any thread.
class StreamConnection {
 public:
  virtual ~StreamConnection() = default;
  // Queues one message: a WebSocket text frame, or raw text of the event stream. Messages are
  // sent in order; after Close, or when the client reads so slowly that kMaxQueued messages wait,
  // they are dropped and the connection is closed.
  virtual void Send(std::string text) = 0;
  // Closes the connection (the session's OnClose follows).
  virtual void Close() = 0;
  static constexpr size_t kMaxQueued = 1024;
};

// The application's side of a streaming connection. OnOpen comes first, OnClose exactly once
// last; all three are called on the connection's strand, never concurrently.
class StreamSession {
 public:
  virtual ~StreamSession() = default;
  virtual void OnOpen(std::shared_ptr<StreamConnection> connection) = 0;
  virtual void OnMessage(std::string_view text) = 0;  // WebSocket text frames only
  virtual void OnClose() = 0;
};

// What the stream opener decides for a streaming request.
struct StreamAccept {
  std::optional<Response> refusal;  // answer this (e.g. 401) instead of streaming
  std::string subprotocol;          // WebSocket: echoed in Sec-WebSocket-Protocol when not empty
  std::shared_ptr<StreamSession> session;
};

// Called for a WebSocket upgrade request (`websocket` true) to any path, and for a GET to a path
// under /api/v1/streaming/ (an event-stream request) other than /api/v1/streaming/health;
// std::nullopt lets the request through to the ordinary handler. Must be thread-safe.
using StreamOpener = std::function<std::optional<StreamAccept>(Request&, bool websocket)>;

class HttpServer {
 public:
  // `metrics` may be null; when given it must outlive the server.
  HttpServer(ServerOptions options, RequestHandler handler, Metrics* metrics);
  // Before Start: where streaming requests go (none: they are ordinary requests).
  void SetStreamOpener(StreamOpener opener);
  // Before Start: which requests other than GET, HEAD and OPTIONS the handler answers without
  // blocking (Router::IsNonBlocking). Those run on the connection's io thread and may answer
  // later through Request::resume; all other writes run on the blocking pool. Must be
  // thread-safe. Stop() waits for every answer promised by Response::Later().
  void SetNonBlockingTest(std::function<bool(const Request&)> test);
  // Open streaming connections.
  int64_t open_streams() const;
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
  // Blocks until SIGINT or SIGTERM arrives, then calls Stop(). While it runs, each SIGHUP calls
  // the reload handler (if one was set) on an io thread; it must return quickly.
  void RunUntilSignal();
  void SetReloadHandler(std::function<void()> handler);
  // Number of requests whose handler is running or whose response is being written.
  int64_t in_flight() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace stoa::http
