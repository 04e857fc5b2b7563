// The streaming API over real sockets: WebSocket (token by subprotocol, header or query;
// subscribe and unsubscribe frames; update, notification, delete events with string payloads)
// and the event-stream fallback.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "safety/account_moderation.h"
#include "tests/integration/test_server.h"

namespace stoa::testing {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

// A WebSocket client with timeouts on every read (async operations run for a bounded time).
class WsClient {
 public:
  struct Options {
    std::string target = "/api/v1/streaming";
    std::string subprotocol;    // the token, masto's way
    std::string authorization;  // "Bearer ..."
    int receive_buffer = 0;     // SO_RCVBUF when > 0: a reader with little room
  };

  // Connects and performs the handshake; the HTTP status of a refusal is in refused_status().
  WsClient(uint16_t port, const Options& options) : ws_(ioc_) {
    tcp::socket& socket = beast::get_lowest_layer(ws_);
    socket.open(tcp::v4());
    // Set before connecting, so that the window offered to the server is small from the start.
    if (options.receive_buffer > 0) {
      socket.set_option(net::socket_base::receive_buffer_size(options.receive_buffer));
    }
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    ws_.set_option(beast::websocket::stream_base::decorator(
        [options](beast::websocket::request_type& req) {
          if (!options.subprotocol.empty()) {
            req.set(beast::http::field::sec_websocket_protocol, options.subprotocol);
          }
          if (!options.authorization.empty()) {
            req.set(beast::http::field::authorization, options.authorization);
          }
        }));
    beast::error_code ec;
    ws_.handshake(response_, "127.0.0.1", options.target, ec);
    open_ = !ec;
  }

  bool open() const { return open_; }
  unsigned status() const { return response_.result_int(); }
  std::string response_header(beast::http::field f) const {
    auto it = response_.find(f);
    return it == response_.end() ? "" : std::string(it->value());
  }

  void Send(const std::string& text) { ws_.write(net::buffer(text)); }

  // The next text frame, or nullopt after `timeout` (or when the connection closed).
  std::optional<std::string> Next(std::chrono::milliseconds timeout = 3000ms) {
    std::optional<std::string> out;
    const bool was_closed = closed_;
    bool done = false;
    buffer_.clear();
    ws_.async_read(buffer_, [&](beast::error_code ec, size_t) {
      done = true;
      if (ec) {
        closed_ = true;
        return;
      }
      out = beast::buffers_to_string(buffer_.data());
    });
    ioc_.restart();
    ioc_.run_for(timeout);
    if (!done) {
      // Abandon the read: close the socket so the pending operation completes.
      // (a timeout is not a close by the server: closed() stays as it was)
      beast::get_lowest_layer(ws_).close();
      ioc_.restart();
      ioc_.run();
      closed_ = was_closed;
    }
    return out;
  }

  bool closed() const { return closed_; }

 private:
  net::io_context ioc_;
  beast::websocket::stream<tcp::socket> ws_;
  beast::websocket::response_type response_;
  beast::flat_buffer buffer_;
  bool open_ = false;
  bool closed_ = false;
};

struct Frame {
  std::vector<std::string> stream;
  std::string event;
  std::string payload;  // the raw string payload
  boost::json::value entity() const { return boost::json::parse(payload); }
};

Frame ParseFrame(const std::string& text) {
  auto v = boost::json::parse(text).as_object();
  Frame f;
  for (const auto& s : v.at("stream").as_array()) f.stream.emplace_back(s.as_string());
  f.event = std::string(v.at("event").as_string());
  // The payload must be a string (JSON inside JSON), as clients expect.
  f.payload = std::string(v.at("payload").as_string());
  return f;
}

class StreamingTest : public ::testing::Test {
 protected:
  TestServer server;
  TestServer::User alice = server.CreateUser("alice");
  TestServer::User bob = server.CreateUser("bob");
  TestServer::User carol = server.CreateUser("carol");

  std::string PostStatus(const TestServer::User& u, const std::string& text,
                         const std::string& visibility = "public") {
    boost::json::object body{{"status", text}, {"visibility", visibility}};
    auto r = server.Post("/api/v1/statuses", boost::json::serialize(body), u.token);
    EXPECT_EQ(r.status, 200) << r.body;
    return std::string(r.json().at("id").as_string());
  }
  void Follow(const TestServer::User& from, const TestServer::User& to) {
    auto r = server.Post("/api/v1/accounts/" + std::to_string(to.id) + "/follow", "{}", from.token);
    ASSERT_EQ(r.status, 200) << r.body;
  }
  WsClient Connect(const std::string& query, const std::string& token) {
    WsClient::Options o;
    o.target = "/api/v1/streaming" + query;
    o.subprotocol = token;
    return WsClient(server.port(), o);
  }
};

TEST_F(StreamingTest, UserStreamCarriesFollowedPostsNotificationsAndDeletes) {
  Follow(alice, bob);
  WsClient ws = Connect("?stream=user", alice.token);
  ASSERT_TRUE(ws.open());
  EXPECT_EQ(ws.status(), 101u);
  // The subprotocol carrying the token is echoed, or browsers abort the handshake.
  EXPECT_EQ(ws.response_header(beast::http::field::sec_websocket_protocol), alice.token);

  PostStatus(carol, "not followed: must not arrive");
  const std::string bobs = PostStatus(bob, "hello followers");
  auto text = ws.Next();
  ASSERT_TRUE(text);
  Frame f = ParseFrame(*text);
  EXPECT_EQ(f.stream, std::vector<std::string>{"user"});
  EXPECT_EQ(f.event, "update");
  EXPECT_EQ(f.entity().at("id").as_string(), bobs);
  EXPECT_EQ(f.entity().at("account").at("username").as_string(), "bob");

  // A mention: the post (bob is followed) and the notification.
  const std::string mention = PostStatus(bob, "@alice look");
  std::set<std::string> events;
  for (int i = 0; i < 2; ++i) {
    auto t = ws.Next();
    ASSERT_TRUE(t);
    Frame m = ParseFrame(*t);
    events.insert(m.event);
    if (m.event == "notification") {
      EXPECT_EQ(m.entity().at("type").as_string(), "mention");
      EXPECT_EQ(m.entity().at("status").at("id").as_string(), mention);
    }
  }
  EXPECT_EQ(events, (std::set<std::string>{"update", "notification"}));

  ASSERT_EQ(server.Delete("/api/v1/statuses/" + bobs, bob.token).status, 200);
  auto d = ws.Next();
  ASSERT_TRUE(d);
  Frame del = ParseFrame(*d);
  EXPECT_EQ(del.event, "delete");
  EXPECT_EQ(del.payload, bobs);  // the bare id
}

TEST_F(StreamingTest, SubscribeAndUnsubscribeFramesWithQueryToken) {
  WsClient::Options o;
  o.target = "/api/v1/streaming?access_token=" + alice.token;  // megalodon's way
  WsClient ws(server.port(), o);
  ASSERT_TRUE(ws.open());
  ws.Send(R"({"type":"subscribe","stream":"hashtag","tag":"Cats"})");
  ws.Send(R"({"type":"subscribe","stream":"public:local"})");
  // Give the server the time to read both frames before posting.
  ws.Send(R"({"type":"subscribe","stream":"no such stream"})");
  auto err = ws.Next();
  ASSERT_TRUE(err);
  auto error = boost::json::parse(*err).as_object();
  EXPECT_EQ(error.at("error").as_string(), "Unknown stream type");
  EXPECT_EQ(error.at("status").as_int64(), 400);

  PostStatus(carol, "unlisted #cats stays off public streams", "unlisted");
  PostStatus(carol, "private #cats too", "private");
  const std::string tagged = PostStatus(carol, "public #cats");
  std::set<std::string> streams;
  for (int i = 0; i < 2; ++i) {
    auto t = ws.Next();
    ASSERT_TRUE(t);
    Frame f = ParseFrame(*t);
    EXPECT_EQ(f.event, "update");
    EXPECT_EQ(f.entity().at("id").as_string(), tagged);
    std::string joined;
    for (const auto& s : f.stream) joined += s + "|";
    streams.insert(joined);
  }
  // Hashtag frames name the tag as the client gave it.
  EXPECT_EQ(streams, (std::set<std::string>{"hashtag|Cats|", "public:local|"}));

  ws.Send(R"({"type":"unsubscribe","stream":"hashtag","tag":"Cats"})");
  ws.Send(R"({"type":"subscribe","stream":"no such stream"})");  // a barrier: answered in order
  ASSERT_TRUE(ws.Next());
  const std::string second = PostStatus(carol, "again #cats");
  auto t = ws.Next();
  ASSERT_TRUE(t);
  Frame f = ParseFrame(*t);
  EXPECT_EQ(f.stream, std::vector<std::string>{"public:local"});
  EXPECT_EQ(f.entity().at("id").as_string(), second);
  EXPECT_FALSE(ws.Next(500ms)) << "no hashtag frame after unsubscribing";
}

TEST_F(StreamingTest, BlocksHideAuthorsFromPublicStreams) {
  ASSERT_EQ(server.Post("/api/v1/accounts/" + std::to_string(carol.id) + "/block", "{}",
                        alice.token).status, 200);
  WsClient ws = Connect("?stream=public", alice.token);
  ASSERT_TRUE(ws.open());
  PostStatus(carol, "blocked author");
  const std::string visible = PostStatus(bob, "visible author");
  auto t = ws.Next();
  ASSERT_TRUE(t);
  EXPECT_EQ(ParseFrame(*t).entity().at("id").as_string(), visible);
}

TEST_F(StreamingTest, RefusalsAreHttpErrorsBeforeTheUpgrade) {
  {
    WsClient ws = Connect("?stream=user", "not-a-token");
    EXPECT_FALSE(ws.open());
    EXPECT_EQ(ws.status(), 401u);
  }
  {
    WsClient ws(server.port(), WsClient::Options{});  // no token at all
    EXPECT_FALSE(ws.open());
    EXPECT_EQ(ws.status(), 401u);
  }
  {
    WsClient ws = Connect("?stream=bogus", alice.token);
    EXPECT_FALSE(ws.open());
    EXPECT_EQ(ws.status(), 400u);
  }
  {
    WsClient ws = Connect("?stream=list&list=1", alice.token);
    EXPECT_FALSE(ws.open());
    EXPECT_EQ(ws.status(), 404u);
  }
  {
    // A token without read scopes may not stream.
    const std::string write_only = server.Token(alice.id, "write");
    WsClient ws = Connect("?stream=user", write_only);
    EXPECT_FALSE(ws.open());
    EXPECT_EQ(ws.status(), 403u);
  }
  auto health = server.Get("/api/v1/streaming/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "OK");
}

TEST_F(StreamingTest, SuspendingTheAccountClosesItsStreams) {
  WsClient ws = Connect("?stream=public", alice.token);
  ASSERT_TRUE(ws.open());
  WsClient other = Connect("?stream=public", bob.token);
  ASSERT_TRUE(other.open());
  social::Core& core = server.app().core();
  safety::AccountModeration moderation(core);
  ASSERT_TRUE(core.storage()
                  .Write([&](storage::Transaction& tx) {
                    return moderation.Apply(tx, alice.id, safety::AccountAction::kSuspend,
                                            std::nullopt, core.Now());
                  })
                  .ok());
  moderation.AfterCommit(alice.id);
  EXPECT_FALSE(ws.Next(2000ms));
  EXPECT_TRUE(ws.closed()) << "the suspended account's stream was closed by the server";
  // Others keep streaming.
  const std::string id = PostStatus(carol, "still flowing");
  auto t = other.Next();
  ASSERT_TRUE(t);
  EXPECT_EQ(ParseFrame(*t).entity().at("id").as_string(), id);
}

// A client that sends but does not read: the server's write stalls, its queue fills with the
// answers to the client's frames, and it closes the stream while a frame is still in flight.
// When the client reads again, that write completes; closing must not have freed its buffer
// (it did once: the queue was cleared under the frame being written, a double free).
TEST_F(StreamingTest, AReaderThatCannotKeepUpIsClosedWhileAWriteIsInFlight) {
  WsClient::Options o;
  o.target = "/api/v1/streaming?stream=public";
  o.subprotocol = alice.token;
  o.receive_buffer = 4096;
  WsClient ws(server.port(), o);
  ASSERT_TRUE(ws.open());
  // Each frame earns an error frame back. Enough of them to fill both sockets' buffers and
  // then the server's queue (kMaxQueued) many times over.
  for (int i = 0; i < 20000; ++i) ws.Send("not json");
  std::this_thread::sleep_for(300ms);  // the server reads them all and gives up on the reader
  int frames = 0;
  while (ws.Next(3000ms)) ++frames;
  EXPECT_TRUE(ws.closed()) << "the server closed the stream after " << frames << " frames";
  EXPECT_LT(frames, 20000);
  // The server is unharmed: others still stream.
  WsClient other = Connect("?stream=public", bob.token);
  ASSERT_TRUE(other.open());
  const std::string id = PostStatus(carol, "after the slow reader");
  auto t = other.Next();
  ASSERT_TRUE(t);
  EXPECT_EQ(ParseFrame(*t).entity().at("id").as_string(), id);
}

TEST_F(StreamingTest, EventStreamFallback) {
  net::io_context ioc;
  tcp::socket socket(ioc);
  tcp::resolver resolver(ioc);
  net::connect(socket, resolver.resolve("127.0.0.1", std::to_string(server.port())));
  const std::string request = "GET /api/v1/streaming/public/local HTTP/1.1\r\nHost: x\r\n"
                              "Authorization: Bearer " + alice.token + "\r\n\r\n";
  net::write(socket, net::buffer(request));
  net::streambuf buf;
  net::read_until(socket, buf, ":)\n");
  std::string head(net::buffers_begin(buf.data()), net::buffers_end(buf.data()));
  EXPECT_NE(head.find("HTTP/1.1 200"), std::string::npos) << head;
  EXPECT_NE(head.find("Content-Type: text/event-stream"), std::string::npos) << head;
  buf.consume(buf.size());

  const std::string id = PostStatus(bob, "over sse");
  net::read_until(socket, buf, "\n\n");
  std::string event(net::buffers_begin(buf.data()), net::buffers_end(buf.data()));
  ASSERT_TRUE(event.starts_with("event: update\ndata: ")) << event;
  const std::string data = event.substr(std::string("event: update\ndata: ").size());
  auto status = boost::json::parse(data.substr(0, data.find('\n')));
  EXPECT_EQ(status.at("id").as_string(), id);
}

}  // namespace
}  // namespace stoa::testing
