// The only translation unit that includes Boost.Beast and Boost.Asio. Everything Beast or Asio can
// throw is caught here; the rest of stoa sees Request and Response values only.
//
// Shape: one io_context per io thread, as nginx has one event loop per worker: connections are
// dealt round-robin to them at accept and stay there, so a request's handlers run on one core
// without waking another thread's event loop (with one io_context shared by all threads, Asio
// hands events from the thread in epoll_wait to the others through a condition variable). Every
// connection is a Session on its own strand of its io_context. A session alternates between kIdle
// (waiting for the first byte of a request) and kActive (reading, handling and answering one
// request). Stop() closes idle sessions at once and lets active ones finish with "Connection:
// close". A streaming request (a WebSocket upgrade, or an event-stream GET under
// /api/v1/streaming/) that the stream opener accepts leaves the Session: its tcp_stream moves into
// a WsConnection or SseConnection, which live until either side closes and are closed at once by
// Stop().
#include "http/server.h"

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <ctime>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket.hpp>

#include "common/clock.h"
#include "common/json_writer.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "http/metrics.h"

namespace stoa::http {

namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::string_view kUnmatchedRoute = "unmatched";
// Larger request heads are answered with 431; nginx in front allows 8 KiB per line.
constexpr uint32_t kHeaderLimit = 16 * 1024;
constexpr size_t kReadChunk = 4096;
// After answering with "Connection: close" the session drains what the client still sends for a
// while, so that closing with unread data does not reset the connection before the client has
// read our answer (the 413 case).
constexpr auto kLingerTimeout = std::chrono::milliseconds(1000);
constexpr size_t kLingerMaxBytes = 1024 * 1024;
constexpr size_t kLogUserAgentMax = 256;
constexpr size_t kLogPathMax = 2048;
// How long Stop() waits for closed sessions to wind down before stopping the io_context.
constexpr auto kCloseWait = std::chrono::milliseconds(1000);
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::string_view kStreamingPrefix = "/api/v1/streaming";
constexpr std::string_view kStreamingHealth = "/api/v1/streaming/health";
// Largest WebSocket message a client may send (subscribe frames are tiny).
constexpr size_t kWsReadLimit = 64 * 1024;
// Event streams: a comment line this often keeps proxies from closing an idle stream.
constexpr auto kSseHeartbeat = std::chrono::seconds(15);

Method ToMethod(bhttp::verb verb) {
  switch (verb) {
    case bhttp::verb::get:
      return Method::kGet;
    case bhttp::verb::head:
      return Method::kHead;
    case bhttp::verb::post:
      return Method::kPost;
    case bhttp::verb::put:
      return Method::kPut;
    case bhttp::verb::patch:
      return Method::kPatch;
    case bhttp::verb::delete_:
      return Method::kDelete;
    case bhttp::verb::options:
      return Method::kOptions;
    default:
      return Method::kOther;
  }
}

// The IMF-fixdate for the Date header, formatted once per second per thread.
std::string_view HttpDate() {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  thread_local std::time_t cached_second = -1;
  thread_local char text[40];
  thread_local size_t length = 0;
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    const int n = std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                                kDays[tm.tm_wday % 7], tm.tm_mday, kMonths[tm.tm_mon % 12],
                                tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    length = n > 0 ? static_cast<size_t>(n) : 0;
    cached_second = now;
  }
  return std::string_view(text, length);
}

// Text for the access log: valid UTF-8 (invalid bytes become '?') of bounded length.
std::string ForLog(std::string_view s, size_t max_code_points) {
  if (IsValidUtf8(s)) return std::string(Utf8Prefix(s, max_code_points));
  std::string ascii(s.substr(0, max_code_points));
  for (char& c : ascii) {
    if (static_cast<unsigned char>(c) >= 0x80) c = '?';
  }
  return ascii;
}

// A plain loop: libstdc++'s find_first_of calls memchr once per character of `s`.
bool HasLineBreak(std::string_view s) {
  for (const char c : s) {
    if (c == '\r' || c == '\n') return true;
  }
  return false;
}

// Headers the server owns; a handler's values for them are ignored.
bool IsServerOwnedHeader(std::string_view name) {
  return EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Transfer-Encoding") ||
         EqualsIgnoreCase(name, "Connection") || EqualsIgnoreCase(name, "Date");
}

// Set on io and pool threads so that Stop() can refuse to join the thread it runs on.
thread_local const void* current_server = nullptr;

}  // namespace

class HttpServer::Impl {
 public:
  class Session;
  class WsConnection;
  class SseConnection;

  Impl(ServerOptions options, RequestHandler handler, Metrics* metrics)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        metrics_(metrics),
        io_threads_(options_.io_threads > 0
                        ? options_.io_threads
                        : std::max(1, static_cast<int>(std::thread::hardware_concurrency()))),
        iocs_(MakeContexts(io_threads_)) {}

  ~Impl() { Stop(std::chrono::milliseconds(0)); }

  Status Start();
  void Stop(std::chrono::milliseconds grace);
  void RunUntilSignal();
  uint16_t port() const { return port_.load(); }
  int64_t in_flight() const { return in_flight_.load(); }
  void SetStreamOpener(StreamOpener opener) { stream_opener_ = std::move(opener); }
  void SetNonBlockingTest(std::function<bool(const Request&)> test) {
    non_blocking_ = std::move(test);
  }
  void SetReloadHandler(std::function<void()> handler) { reload_handler_ = std::move(handler); }
  int64_t open_streams() {
    std::lock_guard lock(mu_);
    return static_cast<int64_t>(streams_.size());
  }

 private:
  friend class Session;
  friend class WsConnection;
  friend class SseConnection;

  void RegisterStream(StreamConnection* raw, std::weak_ptr<StreamConnection> connection);
  // Moves an accepted streaming request's connection into a WsConnection or SseConnection.
  void HandOffStream(bool websocket, beast::tcp_stream stream,
                     std::shared_ptr<StreamSession> session,
                     bhttp::request<bhttp::string_body> upgrade, std::string subprotocol);
  void UnregisterStream(StreamConnection* raw);

  static std::vector<std::unique_ptr<net::io_context>> MakeContexts(int n) {
    std::vector<std::unique_ptr<net::io_context>> iocs;
    for (int i = 0; i < n; ++i) iocs.push_back(std::make_unique<net::io_context>(1));
    return iocs;
  }
  // The acceptor, its timer, signals and the resolver live on the first one.
  net::io_context& main_ioc() { return *iocs_.front(); }

  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  // Runs the handler, turning an exception into a 500.
  Response Invoke(Request& request);
  // Runs a resumed request's task (Request::resume), or the handler, the same way.
  Response InvokeTask(const Request& request, const std::function<Response()>& task);
  // A request promised an answer (Response::Later) / the promise was kept or dropped.
  void AwaitStarted() { awaiting_.fetch_add(1); }
  void AwaitDone();
  void WriteAccessLog(std::string_view method, std::string_view path, std::string_view route,
                      int status, size_t bytes, std::chrono::microseconds duration,
                      std::string_view ip, std::string_view user_agent);
  void Unregister(Session* session);
  void ActiveDone();

  const ServerOptions options_;
  const RequestHandler handler_;
  StreamOpener stream_opener_;            // set before Start
  std::function<bool(const Request&)> non_blocking_;  // set before Start
  std::function<void()> reload_handler_;  // SIGHUP; set before RunUntilSignal
  Metrics* const metrics_;
  const int io_threads_;
  std::shared_ptr<spdlog::logger> access_log_;

  std::atomic<bool> stopping_{false};
  std::atomic<uint16_t> port_{0};
  std::atomic<int64_t> in_flight_{0};
  // Sessions in kActive: reading, handling or answering a request.
  std::atomic<int64_t> active_{0};
  // Requests whose handler answered Response::Later() and whose task has not run yet.
  std::atomic<int64_t> awaiting_{0};

  // Guards everything up to stop_mu_; cv_ is signalled when active_ reaches zero during a stop,
  // when a session goes away, and when a signal or Stop() ends RunUntilSignal.
  std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
  std::unordered_map<StreamConnection*, std::weak_ptr<StreamConnection>> streams_;
  bool started_ = false;
  bool stopped_ = false;
  bool stop_requested_ = false;

  // Serialises Stop() calls so that a second caller returns only once the first has finished.
  std::mutex stop_mu_;

  // Declared last so that they are destroyed first: the io_context destroys pending handlers,
  // which may hold the last reference to a Session, whose destructor needs the members above.
  // The pool goes before the io_context because its queued work owns sessions whose sockets
  // belong to the io_context.
  std::vector<std::unique_ptr<net::io_context>> iocs_;  // one per io thread
  size_t next_ioc_ = 0;  // the next accepted connection's; on the acceptor's strand
  // Keep the io threads running while no socket operation is pending (all requests on the
  // pool, acceptor closed), so that work posted back to a session still runs.
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::optional<tcp::acceptor> acceptor_;
  std::optional<net::steady_timer> accept_backoff_;
  std::optional<net::thread_pool> pool_;
  std::vector<std::thread> threads_;
};

class HttpServer::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Impl& server)
      : server_(server),
        stream_(std::move(socket)),
        header_deadline_(std::chrono::steady_clock::now() + server.options_.header_timeout) {
    beast::error_code ec;
    const tcp::endpoint peer = stream_.socket().remote_endpoint(ec);
    if (!ec) {
      try {
        remote_address_ = peer.address().to_string();
      } catch (const std::exception&) {
        remote_address_.clear();
      }
    }
  }

  ~Session() {
    if (awaiting_) server_.AwaitDone();  // the promised task was dropped
    if (state_ == State::kActive) server_.ActiveDone();
    if (counted_in_flight_) server_.in_flight_.fetch_sub(1);
    server_.Unregister(this);
  }

  // All of these run on the session's strand.
  void Start() { WaitForRequest(); }
  void CloseIfIdle() {
    if (state_ == State::kIdle && !handed_off_) stream_.close();
  }
  void ForceClose() {
    if (!handed_off_) stream_.close();
  }
  // The session's strand; safe to call from any thread.
  beast::tcp_stream::executor_type executor() { return stream_.get_executor(); }

 private:
  enum class State { kIdle, kActive, kClosing };

  void WaitForRequest() {
    SetState(State::kIdle);
    if (server_.stopping_.load()) return Close();
    if (buffer_.size() > 0) return BeginRequest();  // a pipelined request is already buffered
    if (first_request_) {
      stream_.expires_at(header_deadline_);
    } else {
      stream_.expires_after(server_.options_.idle_timeout);
    }
    stream_.async_read_some(
        buffer_.prepare(kReadChunk),
        [self = shared_from_this()](beast::error_code ec, size_t n) { self->OnFirstBytes(ec, n); });
  }

  void OnFirstBytes(beast::error_code ec, size_t n) {
    if (ec) return Close();  // idle timeout, client gone, or closed by Stop()
    buffer_.commit(n);
    BeginRequest();
  }

  void BeginRequest() {
    SetState(State::kActive);
    if (!first_request_)
      header_deadline_ = std::chrono::steady_clock::now() + server_.options_.header_timeout;
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(server_.options_.body_limit_bytes);
    stream_.expires_at(header_deadline_);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    if (parser_->is_done()) return Handle();
    const auto& header = parser_->get();
    stream_.expires_after(server_.options_.body_timeout);
    if (header.version() >= 11 && EqualsIgnoreCase(header[bhttp::field::expect], "100-continue")) {
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](beast::error_code ec, size_t) {
                         if (ec) return self->Close();
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->OnReadError(ec);
                        self->Handle();
                      });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      return SendErrorAndClose(413, "Request body is too large");
    }
    if (ec == bhttp::error::header_limit) {
      return SendErrorAndClose(431, "Request header fields are too large");
    }
    if (ec == beast::error::timeout || ec == bhttp::error::end_of_stream ||
        ec == bhttp::error::partial_message || ec == net::error::eof ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::broken_pipe || ec == net::error::bad_descriptor) {
      // The client went away or was too slow; a timed-out tcp_stream is already closed.
      return Close();
    }
    // Anything else is a malformed request.
    SendErrorAndClose(400, "Bad request");
  }

  void SendErrorAndClose(int status, std::string_view message) {
    const auto& header = parser_->get();
    request_ = Request{};
    request_.method = ToMethod(header.method());
    log_method_ =
        header.method_string().empty() ? std::string("-") : std::string(header.method_string());
    const std::string_view target = header.target();
    request_.path = std::string(target.substr(0, target.find('?')));
    if (auto ua = header.find(bhttp::field::user_agent); ua != header.end()) {
      user_agent_ = std::string(ua->value());
    } else {
      user_agent_.clear();
    }
    version_ = header.version() == 10 ? 10 : 11;
    keep_alive_ = false;
    head_ = false;
    request_start_ = std::chrono::steady_clock::now();
    StartInFlight();
    Respond(Response::Error(status, message));
  }

  void Handle() {
    auto& message = parser_->get();
    request_ = Request{};
    request_.method = ToMethod(message.method());
    log_method_ =
        std::string(request_.method == Method::kOther ? std::string_view(message.method_string())
                                                      : MethodName(request_.method));
    request_.target = std::string(message.target());
    const size_t question = request_.target.find('?');
    if (question == std::string::npos) {
      request_.path = request_.target;
    } else {
      request_.path = request_.target.substr(0, question);
      request_.query = request_.target.substr(question + 1);
    }
    request_.headers.reserve(16);
    for (const auto& field : message) {
      request_.headers.push_back(
          Header{std::string(field.name_string()), std::string(field.value())});
    }
    request_.body = std::move(message.body());
    request_.remote_address = remote_address_;
    if (const std::string* ua = request_.FindHeader("User-Agent")) {
      user_agent_ = *ua;
    } else {
      user_agent_.clear();
    }
    keep_alive_ = message.keep_alive();
    version_ = message.version() == 10 ? 10 : 11;
    head_ = request_.method == Method::kHead;
    if (server_.stream_opener_ && MaybeStream(message)) return;
    parser_.reset();
    request_start_ = std::chrono::steady_clock::now();
    stream_.expires_never();
    StartInFlight();

    const Method method = request_.method;
    if (method == Method::kGet || method == Method::kHead || method == Method::kOptions) {
      // Reads run inline: they take microseconds and need no thread hop.
      Response response = server_.Invoke(request_);
      return Respond(std::move(response));
    }
    if (server_.non_blocking_ && server_.non_blocking_(request_)) return HandleNonBlocking();
    // Writes wait for durable commits; run them on the blocking pool and come back to the strand.
    // The strand has nothing else to do for this session meanwhile, so request_ is not shared.
    try {
      net::post(*server_.pool_, [self = shared_from_this(), executor = stream_.get_executor()]() {
        current_server = &self->server_;
        Response response = self->server_.Invoke(self->request_);
        try {
          net::post(executor, [self = std::move(self), response = std::move(response)]() mutable {
            self->Respond(std::move(response));
          });
        } catch (const std::exception& e) {
          spdlog::error("http: could not return a response to its connection: {}", e.what());
        }
      });
    } catch (const std::exception& e) {
      spdlog::error("http: could not schedule a request: {}", e.what());
      Respond(Response::Error(500, "Internal server error"));
    }
  }

  // A write whose handler never blocks runs here, on the strand. When it promises its answer
  // for later (Response::Later: a durable write is under way), no thread waits: the copies of
  // request_.resume it handed on keep the session alive until Resumed runs the task on the
  // strand, or until they are dropped (then the connection closes unanswered).
  //
  // Those copies are dropped on other threads (the database's flusher), possibly after the
  // server stopped, so they must never hold the last reference to the session: the first call
  // of resume moves the session into the task it posts, and copies dropped without a call
  // release it through a task posted to the strand (an io_context drops a task it never ran
  // when it is destroyed, before the rest of the server).
  class Promised {
   public:
    explicit Promised(std::shared_ptr<Session> session) : session_(std::move(session)) {}
    ~Promised() {
      if (!session_) return;
      try {
        auto executor = session_->executor();
        net::post(executor, [session = std::move(session_)] {});
      } catch (const std::exception& e) {
        spdlog::error("http: could not release a connection on its thread: {}", e.what());
      }
    }
    void Resume(std::function<Response()> task) {
      std::shared_ptr<Session> session;
      {
        std::lock_guard lock(mu_);
        session = std::move(session_);
      }
      if (!session) {
        spdlog::error("http: a request was resumed twice; the second task is dropped");
        return;
      }
      auto executor = session->executor();
      net::post(executor,
                [session = std::move(session), task = std::move(task)] { session->Resumed(task); });
    }

   private:
    std::mutex mu_;
    std::shared_ptr<Session> session_;
  };

  void HandleNonBlocking() {
    auto promised = std::make_shared<Promised>(shared_from_this());
    request_.resume = [promised](std::function<Response()> task) {
      promised->Resume(std::move(task));
    };
    Response response = server_.Invoke(request_);
    request_.resume = nullptr;  // else the session would own itself
    if (!response.later) return Respond(std::move(response));
    awaiting_ = true;
    server_.AwaitStarted();
  }

  void Resumed(const std::function<Response()>& task) {
    if (!awaiting_) {
      spdlog::error("http: {} {} was resumed without a pending answer; ignored", log_method_,
                    ForLog(request_.path, kLogPathMax));
      return;
    }
    awaiting_ = false;
    server_.AwaitDone();
    Respond(server_.InvokeTask(request_, task));  // (a task cannot answer Later again)
  }

  // Offers a streaming request to the stream opener; true when it was answered or handed off.
  bool MaybeStream(bhttp::request<bhttp::string_body>& message) {
    const bool websocket = beast::websocket::is_upgrade(message);
    if (!websocket) {
      if (request_.method != Method::kGet || request_.path == kStreamingHealth ||
          !request_.path.starts_with(kStreamingPrefix) ||
          request_.path.size() <= kStreamingPrefix.size() ||
          request_.path[kStreamingPrefix.size()] != '/') {
        return false;
      }
    }
    std::optional<StreamAccept> accept;
    try {
      accept = server_.stream_opener_(request_, websocket);
    } catch (const std::exception& e) {
      spdlog::error("http: stream opener for {} threw: {}", ForLog(request_.path, kLogPathMax),
                    e.what());
      accept = StreamAccept{Response::Error(500, "Internal server error"), {}, nullptr};
    }
    if (!accept) return false;
    request_start_ = std::chrono::steady_clock::now();
    if (accept->refusal || !accept->session) {
      parser_.reset();
      stream_.expires_never();
      StartInFlight();
      keep_alive_ = keep_alive_ && !websocket;
      Respond(accept->refusal ? std::move(*accept->refusal)
                              : Response::Error(500, "Internal server error"));
      return true;
    }
    if (server_.options_.access_log) {
      server_.WriteAccessLog(log_method_, request_.path, "streaming", websocket ? 101 : 200, 0,
                             std::chrono::microseconds(0), remote_address_, user_agent_);
    }
    // This session ends here; the connection lives on in its stream object.
    SetState(State::kClosing);
    handed_off_ = true;
    stream_.expires_never();
    server_.HandOffStream(websocket, std::move(stream_), std::move(accept->session),
                          parser_->release(), std::move(accept->subprotocol));
    parser_.reset();
    return true;
  }

  void StartInFlight() {
    counted_in_flight_ = true;
    server_.in_flight_.fetch_add(1);
  }

  // Sends `response` for request_ and either waits for the next request or closes.
  void Respond(Response response) {
    if (server_.stopping_.load()) keep_alive_ = false;
    if (response.later) {
      // Only a request the non-blocking test let through may be answered later (it has
      // Request::resume); anywhere else the promise could never be kept.
      spdlog::error("http: handler for {} {} answered Later without a way to resume", log_method_,
                    ForLog(request_.path, kLogPathMax));
      response = Response::Error(500, "Internal server error");
    }
    if (response.status < 100 || response.status > 999) {
      spdlog::error("http: handler returned invalid status {} for {} {}", response.status,
                    log_method_, ForLog(request_.path, kLogPathMax));
      response = Response::Error(500, "Internal server error");
    }
    status_ = response.status;
    const bool bodiless = status_ < 200 || status_ == 204 || status_ == 304;
    bytes_ = bodiless || head_ ? 0 : response.body.size();
    try {
      message_ = {};
      message_.version(version_);
      message_.result(static_cast<unsigned>(status_));
      if (!response.content_type.empty() && !HasLineBreak(response.content_type)) {
        message_.set(bhttp::field::content_type, response.content_type);
      }
      for (const Header& h : response.headers) {
        if (h.name.empty() || HasLineBreak(h.name) || HasLineBreak(h.value)) {
          spdlog::error("http: dropped an invalid response header on {} {}", log_method_,
                        ForLog(request_.path, kLogPathMax));
          continue;
        }
        if (EqualsIgnoreCase(h.name, "Content-Type")) {
          message_.set(bhttp::field::content_type, h.value);  // an explicit header wins
          continue;
        }
        if (IsServerOwnedHeader(h.name)) continue;
        message_.insert(h.name, h.value);
      }
      message_.set(bhttp::field::date, HttpDate());
      if (!keep_alive_) {
        message_.set(bhttp::field::connection, "close");
      } else if (version_ == 10) {
        message_.set(bhttp::field::connection, "keep-alive");
      }
      if (!bodiless) {
        // HEAD keeps the Content-Length of the GET it fell back to, without the body.
        message_.content_length(response.body.size());
        if (!head_) message_.body() = std::move(response.body);
      }
    } catch (const std::exception& e) {
      spdlog::error("http: could not build the response for {} {}: {}", log_method_,
                    ForLog(request_.path, kLogPathMax), e.what());
      message_ = {};
      message_.version(version_);
      message_.result(bhttp::status::internal_server_error);
      message_.set(bhttp::field::content_type, "application/json; charset=utf-8");
      message_.set(bhttp::field::connection, "close");
      message_.body() = R"({"error":"Internal server error"})";
      message_.prepare_payload();
      status_ = 500;
      bytes_ = message_.body().size();
      keep_alive_ = false;
    }
    stream_.expires_after(server_.options_.body_timeout);
    bhttp::async_write(
        stream_, message_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnWrite(ec); });
  }

  void OnWrite(beast::error_code ec) {
    const auto duration = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - request_start_);
    const std::string_view route = request_.route.empty() ? kUnmatchedRoute : request_.route;
    const std::string_view metric_method =
        request_.method == Method::kOther ? std::string_view("OTHER") : MethodName(request_.method);
    if (server_.metrics_ != nullptr)
      server_.metrics_->RecordRequest(metric_method, route, status_, duration);
    if (server_.options_.access_log) {
      server_.WriteAccessLog(log_method_, request_.path, route, status_, bytes_, duration,
                             remote_address_, user_agent_);
    }
    counted_in_flight_ = false;
    server_.in_flight_.fetch_sub(1);
    message_ = {};
    request_ = Request{};
    first_request_ = false;
    if (ec || !keep_alive_) return Close();
    WaitForRequest();
  }

  // Half-closes, then drains the client's remaining bytes for a moment before closing.
  void Close() {
    if (state_ == State::kClosing) return;
    SetState(State::kClosing);
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec || !stream_.socket().is_open()) {
      stream_.close();
      return;
    }
    buffer_.clear();
    stream_.expires_after(kLingerTimeout);
    Linger();
  }

  void Linger() {
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->lingered_ += n;
                              if (ec || self->lingered_ > kLingerMaxBytes) {
                                self->stream_.close();
                                return;
                              }
                              self->Linger();
                            });
  }

  void SetState(State state) {
    if (state_ == State::kActive && state != State::kActive) server_.ActiveDone();
    if (state_ != State::kActive && state == State::kActive) server_.active_.fetch_add(1);
    state_ = state;
  }

  Impl& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::string remote_address_;
  State state_ = State::kIdle;
  bool first_request_ = true;
  // The first request's head must arrive within header_timeout of the accept; later ones within
  // header_timeout of their first byte.
  std::chrono::steady_clock::time_point header_deadline_;
  size_t lingered_ = 0;
  bool handed_off_ = false;  // stream_ moved into a streaming connection

  // The request being served.
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Request request_;
  bhttp::response<bhttp::string_body> message_;
  std::string log_method_;
  std::string user_agent_;
  std::chrono::steady_clock::time_point request_start_;
  int status_ = 0;
  size_t bytes_ = 0;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool head_ = false;
  bool counted_in_flight_ = false;
  bool awaiting_ = false;  // the handler answered Response::Later() and its task has not run
};

// A WebSocket connection: reads text frames for the session, writes queued messages one at a
// time (Beast allows one read and one write in flight), answers pings, and pings an idle peer.
// Everything runs on the connection's strand (the one its Session had).
class HttpServer::Impl::WsConnection : public StreamConnection,
                                       public std::enable_shared_from_this<WsConnection> {
 public:
  WsConnection(Impl& server, beast::tcp_stream stream, std::shared_ptr<StreamSession> session)
      : server_(server), ws_(std::move(stream)), session_(std::move(session)) {}
  ~WsConnection() override { server_.UnregisterStream(this); }

  void Start(bhttp::request<bhttp::string_body> request, std::string subprotocol) {
    beast::websocket::stream_base::timeout timeouts;
    timeouts.handshake_timeout = std::chrono::seconds(30);
    timeouts.idle_timeout = std::chrono::seconds(60);  // a ping after 30 s of silence
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.set_option(beast::websocket::stream_base::decorator(
        [subprotocol = std::move(subprotocol)](beast::websocket::response_type& response) {
          response.set(bhttp::field::server, "stoa");
          if (!subprotocol.empty()) response.set(bhttp::field::sec_websocket_protocol, subprotocol);
        }));
    ws_.read_message_max(kWsReadLimit);
    ws_.text(true);
    upgrade_request_ = std::move(request);
    ws_.async_accept(upgrade_request_, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->Finish();
      self->open_ = true;
      self->session_->OnOpen(self);
      self->DoRead();
    });
  }

  void Send(std::string text) override {
    net::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
      if (self->closing_ || self->finished_) return;
      if (self->queue_.size() >= kMaxQueued) return self->Close();  // a reader that cannot keep up
      self->queue_.push_back(std::move(text));
      if (!self->writing_) self->DoWrite();
    });
  }

  void Close() override {
    net::post(ws_.get_executor(), [self = shared_from_this()] { self->BeginClose(); });
  }

 private:
  void DoRead() {
    ws_.async_read(read_buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Finish();
      if (self->ws_.got_text() && !self->closing_) {
        const auto data = self->read_buffer_.cdata();
        self->session_->OnMessage(
            std::string_view(static_cast<const char*>(data.data()), data.size()));
      }
      self->read_buffer_.consume(self->read_buffer_.size());
      self->DoRead();
    });
  }

  // The frame in flight lives in in_flight_, not in queue_, so that closing (which drops what
  // is queued) never frees the buffer Beast is still writing from.
  void DoWrite() {
    writing_ = true;
    in_flight_ = std::move(queue_.front());
    queue_.pop_front();
    ws_.async_write(net::buffer(in_flight_),
                    [self = shared_from_this()](beast::error_code ec, size_t) {
                      self->writing_ = false;
                      self->in_flight_.clear();
                      if (ec) return self->Finish();
                      if (self->closing_) return self->SendCloseFrame();
                      if (!self->queue_.empty()) self->DoWrite();
                    });
  }

  void BeginClose() {
    if (closing_ || finished_) return;
    closing_ = true;
    queue_.clear();
    if (!open_) {
      beast::get_lowest_layer(ws_).close();
      return;
    }
    if (!writing_) SendCloseFrame();  // else after the write in flight
  }

  void SendCloseFrame() {
    ws_.async_close(beast::websocket::close_code::normal,
                    [self = shared_from_this()](beast::error_code) {
                      // The read loop ends with the peer's close frame or the timeout.
                    });
  }

  void Finish() {
    if (finished_) return;
    finished_ = true;
    queue_.clear();
    if (open_) session_->OnClose();
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
  }

  Impl& server_;
  beast::websocket::stream<beast::tcp_stream> ws_;
  std::shared_ptr<StreamSession> session_;
  bhttp::request<bhttp::string_body> upgrade_request_;
  beast::flat_buffer read_buffer_;
  std::deque<std::string> queue_;  // waiting to be written
  std::string in_flight_;          // being written
  bool open_ = false;     // handshake done, session told
  bool writing_ = false;  // a data frame is in flight
  bool closing_ = false;
  bool finished_ = false;
};

// A Server-Sent Events response: the head and ":)" at once, then the session's messages as they
// come and a ":thump" comment every kSseHeartbeat; the body ends when the connection closes. It
// reads from the socket only to notice the client going away.
class HttpServer::Impl::SseConnection : public StreamConnection,
                                        public std::enable_shared_from_this<SseConnection> {
 public:
  SseConnection(Impl& server, beast::tcp_stream stream, std::shared_ptr<StreamSession> session)
      : server_(server),
        stream_(std::move(stream)),
        heartbeat_(stream_.get_executor()),
        session_(std::move(session)) {}
  ~SseConnection() override { server_.UnregisterStream(this); }

  void Start() {
    std::string head =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
        "Cache-Control: no-cache\r\nConnection: close\r\n"
        "X-Accel-Buffering: no\r\nDate: ";
    head.append(HttpDate()).append("\r\n\r\n:)\n");
    queue_.push_back(std::move(head));
    DoWrite();
    session_->OnOpen(shared_from_this());
    DoRead();
    Heartbeat();
  }

  void Send(std::string text) override {
    net::post(stream_.get_executor(),
              [self = shared_from_this(), text = std::move(text)]() mutable {
                self->Queue(std::move(text));
              });
  }

  void Close() override {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->Finish(); });
  }

 private:
  void Queue(std::string text) {
    if (finished_) return;
    if (queue_.size() >= kMaxQueued) return Finish();
    queue_.push_back(std::move(text));
    if (!writing_) DoWrite();
  }

  // As in WsConnection, the chunk in flight is kept out of queue_, which Finish clears.
  void DoWrite() {
    writing_ = true;
    in_flight_ = std::move(queue_.front());
    queue_.pop_front();
    stream_.expires_after(std::chrono::seconds(30));
    net::async_write(stream_, net::buffer(in_flight_),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->writing_ = false;
                       self->in_flight_.clear();
                       if (ec) return self->Finish();
                       if (!self->queue_.empty() && !self->finished_) self->DoWrite();
                     });
  }

  void DoRead() {
    stream_.socket().async_read_some(
        net::buffer(scratch_), [self = shared_from_this()](beast::error_code ec, size_t) {
          if (ec) return self->Finish();  // the client closed (or sent garbage we ignore)
          self->DoRead();
        });
  }

  void Heartbeat() {
    heartbeat_.expires_after(kSseHeartbeat);
    heartbeat_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->finished_) return;
      self->Queue(":thump\n");
      self->Heartbeat();
    });
  }

  void Finish() {
    if (finished_) return;
    finished_ = true;
    queue_.clear();
    heartbeat_.cancel();
    session_->OnClose();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  Impl& server_;
  beast::tcp_stream stream_;
  net::steady_timer heartbeat_;
  std::shared_ptr<StreamSession> session_;
  std::deque<std::string> queue_;  // waiting to be written
  std::string in_flight_;          // being written
  char scratch_[512];
  bool writing_ = false;
  bool finished_ = false;
};

void HttpServer::Impl::RegisterStream(StreamConnection* raw,
                                      std::weak_ptr<StreamConnection> connection) {
  std::lock_guard lock(mu_);
  streams_.emplace(raw, std::move(connection));
}

void HttpServer::Impl::HandOffStream(bool websocket, beast::tcp_stream stream,
                                     std::shared_ptr<StreamSession> session,
                                     bhttp::request<bhttp::string_body> upgrade,
                                     std::string subprotocol) {
  if (websocket) {
    auto connection = std::make_shared<WsConnection>(*this, std::move(stream), std::move(session));
    RegisterStream(connection.get(), connection);
    connection->Start(std::move(upgrade), std::move(subprotocol));
  } else {
    auto connection = std::make_shared<SseConnection>(*this, std::move(stream), std::move(session));
    RegisterStream(connection.get(), connection);
    connection->Start();
  }
}

void HttpServer::Impl::UnregisterStream(StreamConnection* raw) {
  std::lock_guard lock(mu_);
  streams_.erase(raw);
  if (streams_.empty()) cv_.notify_all();
}

Status HttpServer::Impl::Start() {
  std::lock_guard stop_lock(stop_mu_);
  {
    std::lock_guard lock(mu_);
    if (started_ || stopped_) return Internal("the HTTP server was already started");
  }
  beast::error_code ec;
  net::ip::address address = net::ip::make_address(options_.host, ec);
  if (ec) {
    tcp::resolver resolver(main_ioc());
    auto results = resolver.resolve(options_.host, "", ec);
    if (ec || results.empty()) {
      return Unavailable("cannot resolve listen host " + options_.host + ": " + ec.message());
    }
    address = results.begin()->endpoint().address();
  }
  const tcp::endpoint endpoint(address, options_.port);
  acceptor_.emplace(net::make_strand(main_ioc()));
  const std::string where = options_.host + ":" + std::to_string(options_.port);
  if (acceptor_->open(endpoint.protocol(), ec); ec) {
    return Unavailable("cannot open a socket for " + where + ": " + ec.message());
  }
  if (acceptor_->set_option(net::socket_base::reuse_address(true), ec); ec) {
    return Unavailable("cannot set SO_REUSEADDR for " + where + ": " + ec.message());
  }
  if (acceptor_->bind(endpoint, ec); ec) {
    const std::string reason = ec.message();  // close() below overwrites ec
    acceptor_->close(ec);
    return Unavailable("cannot bind " + where + ": " + reason);
  }
  if (acceptor_->listen(net::socket_base::max_listen_connections, ec); ec) {
    const std::string reason = ec.message();
    acceptor_->close(ec);
    return Unavailable("cannot listen on " + where + ": " + reason);
  }
  port_.store(acceptor_->local_endpoint(ec).port());

  access_log_ = spdlog::get("access");
  if (!access_log_) access_log_ = spdlog::default_logger();

  const int blocking = options_.blocking_threads > 0 ? options_.blocking_threads : 16 * io_threads_;
  try {
    for (auto& ioc : iocs_) work_.push_back(net::make_work_guard(*ioc));
    accept_backoff_.emplace(acceptor_->get_executor());
    pool_.emplace(static_cast<size_t>(blocking));
    DoAccept();
    threads_.reserve(static_cast<size_t>(io_threads_));
    for (int i = 0; i < io_threads_; ++i) {
      threads_.emplace_back([this, &ioc = *iocs_[static_cast<size_t>(i)]] {
        current_server = this;
        // An exception escaping a handler must not end the thread (and the process with it).
        while (true) {
          try {
            ioc.run();
            return;
          } catch (const std::exception& e) {
            spdlog::error("http: io thread caught: {}", e.what());
          } catch (...) {
            spdlog::error("http: io thread caught an unknown exception");
          }
        }
      });
    }
  } catch (const std::exception& e) {
    beast::error_code close_ec;
    acceptor_->close(close_ec);
    for (auto& ioc : iocs_) ioc->stop();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
    if (pool_) {
      pool_->stop();
      pool_->join();
      pool_.reset();
    }
    return Unavailable(std::string("cannot start the HTTP server: ") + e.what());
  }
  std::lock_guard lock(mu_);
  started_ = true;
  return Status::Ok();
}

void HttpServer::Impl::DoAccept() {
  net::io_context& ioc = *iocs_[next_ioc_++ % iocs_.size()];
  acceptor_->async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping_.load() || !acceptor_->is_open()) {
    socket.close(ec);
    return;
  }
  if (ec) {
    if (ec == net::error::operation_aborted) return;
    // Out of descriptors or similar: back off instead of spinning.
    spdlog::warn("http: accept failed: {}", ec.message());
    accept_backoff_->expires_after(kAcceptBackoff);
    accept_backoff_->async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && !stopping_.load()) DoAccept();
    });
    return;
  }
  beast::error_code option_ec;
  socket.set_option(tcp::no_delay(true), option_ec);
  auto session = std::make_shared<Session>(std::move(socket), *this);
  {
    std::lock_guard lock(mu_);
    sessions_.emplace(session.get(), session);
  }
  auto executor = session->executor();
  net::dispatch(executor, [session = std::move(session)] { session->Start(); });
  DoAccept();
}

Response HttpServer::Impl::Invoke(Request& request) {
  return InvokeTask(request, [&] { return handler_(request); });
}

Response HttpServer::Impl::InvokeTask(const Request& request,
                                      const std::function<Response()>& task) {
  try {
    return task();
  } catch (const std::exception& e) {
    spdlog::error("http: handler for {} {} threw: {}", MethodName(request.method),
                  ForLog(request.path, kLogPathMax), e.what());
  } catch (...) {
    spdlog::error("http: handler for {} {} threw a non-standard exception",
                  MethodName(request.method), ForLog(request.path, kLogPathMax));
  }
  return Response::Error(500, "Internal server error");
}

void HttpServer::Impl::AwaitDone() {
  if (awaiting_.fetch_sub(1) == 1 && stopping_.load()) {
    std::lock_guard lock(mu_);
    cv_.notify_all();
  }
}

void HttpServer::Impl::WriteAccessLog(std::string_view method, std::string_view path,
                                      std::string_view route, int status, size_t bytes,
                                      std::chrono::microseconds duration, std::string_view ip,
                                      std::string_view user_agent) {
  std::string line;
  line.reserve(256);
  line.append("{\"ts\":\"");
  AppendIso8601(line, SystemClock().Now());
  line.append("\",\"method\":");
  AppendJsonString(line, ForLog(method, 32));
  line.append(",\"path\":");
  AppendJsonString(line, ForLog(path, kLogPathMax));
  line.append(",\"route\":");
  AppendJsonString(line, route);
  line.append(",\"status\":").append(std::to_string(status));
  line.append(",\"bytes\":").append(std::to_string(bytes));
  line.append(",\"duration_us\":").append(std::to_string(duration.count()));
  line.append(",\"ip\":");
  AppendJsonString(line, ip);
  line.append(",\"ua\":");
  AppendJsonString(line, ForLog(user_agent, kLogUserAgentMax));
  line.push_back('}');
  try {
    access_log_->log(spdlog::level::info, spdlog::string_view_t(line.data(), line.size()));
  } catch (...) {
    // Logging must never take a connection down.
  }
}

void HttpServer::Impl::Unregister(Session* session) {
  std::lock_guard lock(mu_);
  sessions_.erase(session);
  if (sessions_.empty()) cv_.notify_all();
}

void HttpServer::Impl::ActiveDone() {
  if (active_.fetch_sub(1) == 1 && stopping_.load()) {
    std::lock_guard lock(mu_);
    cv_.notify_all();
  }
}

void HttpServer::Impl::Stop(std::chrono::milliseconds grace) {
  if (current_server == this) {
    spdlog::error("http: Stop() called from a server thread; ignored");
    return;
  }
  std::lock_guard stop_lock(stop_mu_);
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    stop_requested_ = true;
    cv_.notify_all();  // ends RunUntilSignal
    if (!started_) return;
  }
  stopping_.store(true);

  auto sessions_snapshot = [this] {
    std::vector<std::shared_ptr<Session>> out;
    std::lock_guard lock(mu_);
    out.reserve(sessions_.size());
    for (const auto& [raw, weak] : sessions_) {
      if (auto session = weak.lock()) out.push_back(std::move(session));
    }
    return out;
  };
  // Stop accepting, and close connections that wait for a request.
  try {
    net::post(acceptor_->get_executor(), [this] {
      beast::error_code ec;
      acceptor_->close(ec);
      accept_backoff_->cancel();
    });
    for (auto& session : sessions_snapshot()) {
      net::post(session->executor(), [session] { session->CloseIfIdle(); });
    }
    // Streams never finish by themselves: close them now.
    std::vector<std::shared_ptr<StreamConnection>> streams;
    {
      std::lock_guard lock(mu_);
      for (const auto& [raw, weak] : streams_) {
        if (auto c = weak.lock()) streams.push_back(std::move(c));
      }
    }
    for (auto& c : streams) c->Close();
  } catch (const std::exception& e) {
    spdlog::error("http: stop: {}", e.what());
  }

  {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, grace, [this] { return active_.load() == 0; });
  }
  // Whatever is still running after the grace period is cut off.
  try {
    for (auto& session : sessions_snapshot()) {
      net::post(session->executor(), [session] { session->ForceClose(); });
    }
  } catch (const std::exception& e) {
    spdlog::error("http: stop: {}", e.what());
  }
  // Handlers already running finish (threads cannot be interrupted); queued ones are dropped.
  pool_->stop();
  pool_->join();
  pool_.reset();  // drops work that never started, and the sessions it holds
  {
    // Answers promised by non-blocking handlers come back to the io threads, which must still
    // run for them; like the pool's handlers they wait for the database, which answers.
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return awaiting_.load() == 0; });
  }
  {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, kCloseWait, [this] { return sessions_.empty() && streams_.empty(); });
  }
  work_.clear();
  for (auto& ioc : iocs_) ioc->stop();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void HttpServer::Impl::RunUntilSignal() {
  {
    std::lock_guard lock(mu_);
    if (!started_ || stopped_) return;
  }
  net::signal_set signals(main_ioc());
  beast::error_code ec;
  signals.add(SIGINT, ec);
  signals.add(SIGTERM, ec);
  signals.async_wait([this](beast::error_code wait_ec, int signal_number) {
    if (wait_ec) return;
    spdlog::info("http: received signal {}, stopping", signal_number);
    std::lock_guard lock(mu_);
    stop_requested_ = true;
    cv_.notify_all();
  });
  // SIGHUP: reload (screening rules and model), as often as it comes.
  net::signal_set hangups(main_ioc());
  std::function<void(beast::error_code, int)> on_hangup;
  if (reload_handler_) {
    hangups.add(SIGHUP, ec);
    on_hangup = [this, &hangups, &on_hangup](beast::error_code wait_ec, int) {
      if (wait_ec) return;
      spdlog::info("http: received SIGHUP, reloading");
      reload_handler_();
      hangups.async_wait(on_hangup);
    };
    hangups.async_wait(on_hangup);
  }
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return stop_requested_; });
  }
  signals.cancel(ec);
  hangups.cancel(ec);
  Stop(std::chrono::milliseconds(10000));
}

HttpServer::HttpServer(ServerOptions options, RequestHandler handler, Metrics* metrics)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), metrics)) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::SetStreamOpener(StreamOpener opener) { impl_->SetStreamOpener(std::move(opener)); }
void HttpServer::SetNonBlockingTest(std::function<bool(const Request&)> test) {
  impl_->SetNonBlockingTest(std::move(test));
}
void HttpServer::SetReloadHandler(std::function<void()> handler) {
  impl_->SetReloadHandler(std::move(handler));
}

int64_t HttpServer::open_streams() const { return impl_->open_streams(); }

Status HttpServer::Start() { return impl_->Start(); }

uint16_t HttpServer::port() const { return impl_->port(); }

void HttpServer::Stop(std::chrono::milliseconds grace) { impl_->Stop(grace); }

void HttpServer::RunUntilSignal() { impl_->RunUntilSignal(); }

int64_t HttpServer::in_flight() const { return impl_->in_flight(); }

}  // namespace stoa::http
