// The streaming API (Mastodon's /api/v1/streaming): WebSocket connections that subscribe to
// streams by query and by subscribe/unsubscribe frames, and event-stream (SSE) connections to
// /api/v1/streaming/<stream>. Events come from the social layer's StreamHub after the write that
// caused them committed; each client checks what its viewer may see (the same rules as the
// timelines and notification lists) and renders the entity for that viewer.
//
// Streams: user, user:notification, public, public:local, public:media, public:local:media,
// public:remote, public:remote:media, hashtag, hashtag:local. stoa has no remote posts and no
// media, so the :remote and :media streams are valid and stay quiet. list and direct answer an
// error frame: stoa has no lists and no conversations yet.
#include "http/api/streaming.h"

#include <mutex>
#include <set>
#include <tuple>

#include "common/json_writer.h"
#include "common/strings.h"
#include "http/api/serializers.h"
#include "http/params.h"
#include "social/content_renderer.h"
#include "social/notification_service.h"
#include "social/post_service.h"
#include "social/timeline_service.h"

namespace stoa::http::api {
namespace {

struct Subscription {
  std::string name;   // "user", "hashtag:local" ...
  std::string param;  // the tag as the client gave it, for hashtag streams
  std::string key;    // hub key
  bool operator<(const Subscription& o) const {
    return std::tie(name, param) < std::tie(o.name, o.param);
  }
};

// The hub key for a stream, or an error message for the client.
Result<Subscription> Resolve(std::string_view name, std::string_view tag, Id account_id) {
  Subscription s{std::string(name), {}, {}};
  if (name == "user" || name == "user:notification") {
    s.key = social::StreamHub::UserKey(account_id);
  } else if (name == "public" || name == "public:local") {
    s.key = std::string(social::StreamHub::kPublicKey);
  } else if (name == "public:media" || name == "public:local:media" || name == "public:remote" ||
             name == "public:remote:media") {
    s.key = "quiet:" + s.name;  // valid streams with nothing to deliver on this server
  } else if (name == "hashtag" || name == "hashtag:local") {
    const std::string normalized = social::NormalizeTag(tag);
    if (normalized.empty()) return InvalidArgument("Missing tag name parameter");
    s.param = std::string(tag);
    s.key = social::StreamHub::HashtagKey(normalized);
  } else if (name == "list") {
    return NotFound("No such list");
  } else {
    return InvalidArgument("Unknown stream type");
  }
  return s;
}

// The JSON of an error frame, as Mastodon sends it.
std::string ErrorFrame(const Status& status) {
  std::string out = "{\"error\":";
  AppendJsonString(out, status.message());
  out += ",\"status\":";
  out += std::to_string(status.code() == StatusCode::kNotFound ? 404 : 400);
  out += "}";
  return out;
}

class StreamClient final : public social::StreamListener,
                           public StreamSession,
                           public std::enable_shared_from_this<StreamClient> {
 public:
  StreamClient(Services& s, std::shared_ptr<const social::AuthInfo> auth, bool sse)
      : s_(s), auth_(std::move(auth)), sse_(sse) {}

  // Subscriptions asked for in the URL, applied once open.
  void AddInitial(Subscription sub) { initial_.push_back(std::move(sub)); }

  // StreamSession
  void OnOpen(std::shared_ptr<StreamConnection> connection) override {
    {
      std::lock_guard lock(mu_);
      connection_ = std::move(connection);
    }
    for (auto& sub : initial_) Subscribe(std::move(sub));
    initial_.clear();
  }

  void OnMessage(std::string_view text) override {
    Request frame;
    frame.method = Method::kPost;
    frame.headers.push_back(Header{"Content-Type", "application/json"});
    frame.body = std::string(text);
    auto params = Params::Parse(frame);
    if (!params.ok()) return SendRaw(ErrorFrame(InvalidArgument("Invalid message")));
    const std::string type = params->String("type").value_or("");
    const std::string stream = params->String("stream").value_or("");
    const std::string tag = params->String("tag").value_or("");
    if (type != "subscribe" && type != "unsubscribe") {
      return SendRaw(ErrorFrame(InvalidArgument("Unknown message type")));
    }
    auto sub = Resolve(stream, tag, auth_->account_id);
    if (!sub.ok()) return SendRaw(ErrorFrame(sub.status()));
    if (type == "subscribe") {
      if (Status allowed = CheckScope(sub->name); !allowed.ok()) {
        return SendRaw(ErrorFrame(allowed));
      }
      Subscribe(std::move(sub).value());
    } else {
      Unsubscribe(*sub);
    }
  }

  void OnClose() override {
    s_.core.streams().RemoveAll(this);
    std::lock_guard lock(mu_);
    subscriptions_.clear();
    connection_.reset();
  }

  // StreamListener
  Id account_id() const override { return auth_->account_id; }
  Id token_id() const override { return auth_->token_id; }

  void OnRevoked() override {
    std::shared_ptr<StreamConnection> c;
    {
      std::lock_guard lock(mu_);
      c = connection_;
    }
    if (c) c->Close();
  }

  void OnEvent(const std::string& key, const social::StreamEvent& event) override {
    // Which of this client's subscriptions the event is for.
    std::vector<Subscription> targets;
    {
      std::lock_guard lock(mu_);
      for (const auto& sub : subscriptions_) {
        if (sub.key != key) continue;
        if (sub.name == "user:notification" &&
            event.kind != social::StreamEvent::Kind::kNotification) {
          continue;
        }
        targets.push_back(sub);
      }
    }
    if (targets.empty()) return;
    const social::Viewer viewer = s_.core.MakeViewer(auth_->account_id, auth_->role);
    std::string event_name;
    std::string payload;
    switch (event.kind) {
      case social::StreamEvent::Kind::kUpdate:
      case social::StreamEvent::Kind::kStatusUpdate: {
        const bool home = key == social::StreamHub::UserKey(auth_->account_id);
        const bool visible = home ? s_.timelines.ShowInHome(viewer, *event.post)
                                  : s_.posts.Visible(viewer, *event.post,
                                                     social::Surface::kTimeline);
        if (!visible) return;
        StatusWriter writer(s_.core, viewer, s_.render_cache);
        writer.Prefetch({event.post});
        payload = writer.One(event.post);
        event_name =
            event.kind == social::StreamEvent::Kind::kUpdate ? "update" : "status.update";
        break;
      }
      case social::StreamEvent::Kind::kDelete:
        payload = std::to_string(event.deleted_id);
        event_name = "delete";
        break;
      case social::StreamEvent::Kind::kNotification: {
        if (!event.notification || !auth_->scopes.Grants("read:notifications")) return;
        auto view = s_.notifications.Get(viewer, event.notification->id);
        if (!view.ok()) return;  // filtered out (mute, block, invisible status)
        payload = NotificationJson(s_.core, viewer, s_.render_cache, *view);
        event_name = "notification";
        break;
      }
    }
    for (const auto& sub : targets) SendEvent(sub, event_name, payload);
  }

 private:
  Status CheckScope(std::string_view name) const {
    const char* needed = name == "user:notification" ? "read:notifications" : "read:statuses";
    if (!auth_->scopes.Grants(needed)) {
      return InvalidArgument("This stream requires the scope " + std::string(needed));
    }
    return Status::Ok();
  }

  void Subscribe(Subscription sub) {
    const std::string key = sub.key;
    {
      std::lock_guard lock(mu_);
      if (!connection_) return;
      subscriptions_.insert(std::move(sub));
    }
    s_.core.streams().Add(key, shared_from_this());
  }

  void Unsubscribe(const Subscription& sub) {
    bool key_still_used = false;
    {
      std::lock_guard lock(mu_);
      subscriptions_.erase(sub);
      for (const auto& other : subscriptions_) key_still_used |= other.key == sub.key;
    }
    if (!key_still_used) s_.core.streams().Remove(sub.key, this);
  }

  void SendEvent(const Subscription& sub, std::string_view event, const std::string& payload) {
    std::string out;
    if (sse_) {
      // One stream per connection: the event name and the entity as it is.
      out.reserve(payload.size() + event.size() + 16);
      out.append("event: ").append(event).append("\ndata: ").append(payload).append("\n\n");
    } else {
      out.reserve(payload.size() + payload.size() / 8 + 64);
      out.append("{\"stream\":[");
      AppendJsonString(out, sub.name);
      if (!sub.param.empty()) {
        out.push_back(',');
        AppendJsonString(out, sub.param);
      }
      out.append("],\"event\":");
      AppendJsonString(out, event);
      out.append(",\"payload\":");
      AppendJsonString(out, payload);  // a string holding the JSON, as Mastodon sends it
      out.push_back('}');
    }
    SendRaw(std::move(out));
  }

  void SendRaw(std::string text) {
    std::shared_ptr<StreamConnection> c;
    {
      std::lock_guard lock(mu_);
      c = connection_;
    }
    if (!c) return;
    if (sse_ && text.starts_with("{\"error\"")) {
      text = "event: error\ndata: " + text + "\n\n";
    }
    c->Send(std::move(text));
  }

  Services& s_;
  const std::shared_ptr<const social::AuthInfo> auth_;
  const bool sse_;
  std::vector<Subscription> initial_;  // touched before OnOpen only

  std::mutex mu_;
  std::shared_ptr<StreamConnection> connection_;  // null once closed
  std::set<Subscription> subscriptions_;
};

// The token from the places Mastodon accepts it: the Sec-WebSocket-Protocol header (masto's
// default; echoed back), the Authorization header, or the access_token query parameter.
struct TokenSource {
  std::optional<std::string> token;
  std::string subprotocol;
};

TokenSource FindToken(const Request& request, const Params& query, bool websocket) {
  TokenSource out;
  if (const std::string* h = request.FindHeader("Authorization")) {
    std::string_view v = Trim(*h);
    if (v.size() > 7 && EqualsIgnoreCase(v.substr(0, 7), "Bearer ")) {
      out.token = std::string(Trim(v.substr(7)));
    } else {
      out.token = std::string();
    }
    return out;
  }
  if (websocket) {
    if (const std::string* p = request.FindHeader("Sec-WebSocket-Protocol")) {
      // A list is allowed; the token is the first entry.
      std::string_view first = Trim(std::string_view(*p).substr(0, p->find(',')));
      if (!first.empty()) {
        out.token = std::string(first);
        out.subprotocol = std::string(first);
        return out;
      }
    }
  }
  if (auto t = query.String("access_token")) out.token = std::move(t);
  return out;
}

StreamAccept Refuse(const Status& status) {
  StreamAccept a;
  a.refusal = ErrorResponse(status);
  if (status.code() == StatusCode::kUnauthenticated) {
    a.refusal->SetHeader("X-Error-Message", std::string(status.message()));
  }
  return a;
}

}  // namespace

StreamOpener MakeStreamOpener(Services& s) {
  // A suspended or disabled account's streams end at once (Mastodon's forced close).
  s.core.OnLoginStateChanged([&s](Id account_id) {
    social::AccountPtr account = s.core.LoadAccount(account_id);
    social::UserPtr user = s.core.LoadUser(account_id);
    if (!account || account->suspended() || (user && user->disabled)) {
      s.core.streams().RevokeAccount(account_id);
    }
  });
  return [&s](Request& request, bool websocket) -> std::optional<StreamAccept> {
    std::string_view path = request.path;
    if (websocket) {
      if (path != "/api/v1/streaming" && path != "/api/v1/streaming/") return std::nullopt;
    }
    auto query = Params::ParseQuery(request.query);
    if (!query.ok()) return Refuse(query.status());

    // Which stream an event-stream URL names: /api/v1/streaming/public/local -> public:local.
    std::string sse_stream;
    if (!websocket) {
      constexpr std::string_view kPrefix = "/api/v1/streaming/";
      sse_stream = std::string(path.substr(kPrefix.size()));
      while (!sse_stream.empty() && sse_stream.back() == '/') sse_stream.pop_back();
      for (char& c : sse_stream) {
        if (c == '/') c = ':';
      }
    }

    TokenSource token = FindToken(request, *query, websocket);
    if (!token.token) return Refuse(Unauthenticated("Missing access token"));
    auto auth = s.oauth.Authenticate(*token.token);
    if (!auth.ok()) return Refuse(Unauthenticated("Invalid access token"));
    const auto& info = **auth;
    if (info.account_id == kNoId) {
      return Refuse(Unauthenticated("Streaming requires a user token"));
    }
    if (info.disabled || info.suspended || !info.approved) {
      return Refuse(PermissionDenied("Your login is currently disabled"));
    }
    if (!info.scopes.Grants("read:statuses") && !info.scopes.Grants("read:notifications")) {
      return Refuse(PermissionDenied("This action is outside the authorized scopes"));
    }

    auto client = std::make_shared<StreamClient>(s, *auth, !websocket);
    const std::string stream = websocket ? query->String("stream").value_or("") : sse_stream;
    if (!stream.empty()) {
      auto sub = Resolve(stream, query->String("tag").value_or(""), info.account_id);
      if (!sub.ok()) {
        // An unknown stream in the URL is refused before the upgrade, like Mastodon.
        return Refuse(sub.status().code() == StatusCode::kNotFound
                          ? sub.status()
                          : BadRequest(std::string(sub.status().message())));
      }
      const char* needed = sub->name == "user:notification" ? "read:notifications"
                                                            : "read:statuses";
      if (!info.scopes.Grants(needed)) {
        return Refuse(PermissionDenied("This action is outside the authorized scopes"));
      }
      client->AddInitial(std::move(sub).value());
    } else if (!websocket) {
      return Refuse(BadRequest("Unknown stream type"));
    }
    StreamAccept accept;
    accept.session = client;
    accept.subprotocol = token.subprotocol;
    return accept;
  };
}

}  // namespace stoa::http::api
