// Live events for the streaming API: who listens to which stream, and what happened. The hub
// knows nothing of WebSockets or JSON; a listener (src/http/api/streaming.cc) checks what its
// viewer may see and renders the event. Thread-safe.
//
// Keys: a listener registers under keys, and services publish to keys:
//   user:<account id>   the account's home timeline updates and its notifications
//   public:local        public posts (stoa has no remote posts, so public = public:local)
//   hashtag:<name>      public posts with the (normalised) tag
// Events are published after the write that caused them committed, on the writer's caller
// thread; listeners must queue and return (StreamListener::OnEvent must not block).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/id.h"
#include "domain/notification.h"
#include "domain/post.h"

namespace stoa::social {

struct StreamEvent {
  enum class Kind { kUpdate, kStatusUpdate, kDelete, kNotification };
  Kind kind = Kind::kUpdate;
  std::shared_ptr<const Post> post;  // update, status.update
  Id deleted_id = kNoId;             // delete
  std::optional<Notification> notification;
};

class StreamListener {
 public:
  virtual ~StreamListener() = default;
  // `key` is the hub key the event was published to.
  virtual void OnEvent(const std::string& key, const StreamEvent& event) = 0;
  // The account's access ended (token revoked, account suspended or disabled): close.
  virtual void OnRevoked() = 0;
  virtual Id account_id() const = 0;
  virtual Id token_id() const = 0;
};

class StreamHub {
 public:
  static std::string UserKey(Id account_id) { return "user:" + std::to_string(account_id); }
  static std::string HashtagKey(std::string_view normalized_tag) {
    return "hashtag:" + std::string(normalized_tag);
  }
  static constexpr std::string_view kPublicKey = "public:local";

  // The listener is held weakly: one that goes away is dropped at the next publish.
  void Add(const std::string& key, const std::shared_ptr<StreamListener>& listener);
  void Remove(const std::string& key, const StreamListener* listener);
  // Removes the listener from every key.
  void RemoveAll(const StreamListener* listener);

  // Cheap checks, so that writers skip building events nobody listens to.
  bool HasListeners(const std::string& key) const;
  bool empty() const;

  void Publish(const std::string& key, const StreamEvent& event);
  // A new or edited post: to the home streams of `home_accounts` (who got it in their feed),
  // and for public posts to the public and hashtag streams.
  void PublishPost(const std::shared_ptr<const Post>& post, const std::vector<Id>& home_accounts,
                   bool edited);
  // A deleted post: its id to everyone who may have been shown it.
  void PublishDelete(const Post& post, const std::vector<Id>& home_accounts);
  void PublishNotification(Id recipient, const Notification& notification);
  // Ends the streams of an account (all of its tokens), or of one token.
  void RevokeAccount(Id account_id);
  void RevokeToken(Id token_id);

  size_t listener_count() const;

 private:
  std::vector<std::shared_ptr<StreamListener>> ListenersOf(const std::string& key) const;
  void RevokeWhere(const std::function<bool(const StreamListener&)>& match);

  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::vector<std::weak_ptr<StreamListener>>> by_key_;
};

}  // namespace stoa::social
