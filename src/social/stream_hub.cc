#include "social/stream_hub.h"

#include <algorithm>
#include <mutex>
#include <unordered_set>

namespace stoa::social {

void StreamHub::Add(const std::string& key, const std::shared_ptr<StreamListener>& listener) {
  std::unique_lock lock(mu_);
  auto& list = by_key_[key];
  for (const auto& weak : list) {
    if (weak.lock().get() == listener.get()) return;
  }
  list.push_back(listener);
}

void StreamHub::Remove(const std::string& key, const StreamListener* listener) {
  std::unique_lock lock(mu_);
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return;
  auto& list = it->second;
  std::erase_if(list, [&](const std::weak_ptr<StreamListener>& weak) {
    auto l = weak.lock();
    return !l || l.get() == listener;
  });
  if (list.empty()) by_key_.erase(it);
}

void StreamHub::RemoveAll(const StreamListener* listener) {
  std::unique_lock lock(mu_);
  for (auto it = by_key_.begin(); it != by_key_.end();) {
    std::erase_if(it->second, [&](const std::weak_ptr<StreamListener>& weak) {
      auto l = weak.lock();
      return !l || l.get() == listener;
    });
    it = it->second.empty() ? by_key_.erase(it) : std::next(it);
  }
}

bool StreamHub::HasListeners(const std::string& key) const {
  std::shared_lock lock(mu_);
  return by_key_.count(key) != 0;
}

bool StreamHub::empty() const {
  std::shared_lock lock(mu_);
  return by_key_.empty();
}

size_t StreamHub::listener_count() const {
  std::shared_lock lock(mu_);
  std::unordered_set<const StreamListener*> distinct;
  for (const auto& [key, list] : by_key_) {
    for (const auto& weak : list) {
      if (auto l = weak.lock()) distinct.insert(l.get());
    }
  }
  return distinct.size();
}

std::vector<std::shared_ptr<StreamListener>> StreamHub::ListenersOf(const std::string& key) const {
  std::vector<std::shared_ptr<StreamListener>> out;
  std::shared_lock lock(mu_);
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return out;
  out.reserve(it->second.size());
  for (const auto& weak : it->second) {
    if (auto l = weak.lock()) out.push_back(std::move(l));
  }
  return out;
}

void StreamHub::Publish(const std::string& key, const StreamEvent& event) {
  // Listeners are called without the lock: they render and may take other locks.
  for (const auto& listener : ListenersOf(key)) listener->OnEvent(key, event);
}

void StreamHub::PublishPost(const std::shared_ptr<const Post>& post,
                            const std::vector<Id>& home_accounts, bool edited) {
  if (empty()) return;
  StreamEvent event;
  event.kind = edited ? StreamEvent::Kind::kStatusUpdate : StreamEvent::Kind::kUpdate;
  event.post = post;
  for (Id account : home_accounts) {
    const std::string key = UserKey(account);
    if (HasListeners(key)) Publish(key, event);
  }
  if (post->visibility != Visibility::kPublic || post->is_reblog()) return;
  Publish(std::string(kPublicKey), event);
  for (const std::string& tag : post->tags) Publish(HashtagKey(tag), event);
}

void StreamHub::PublishDelete(const Post& post, const std::vector<Id>& home_accounts) {
  if (empty()) return;
  StreamEvent event;
  event.kind = StreamEvent::Kind::kDelete;
  event.deleted_id = post.id;
  for (Id account : home_accounts) {
    const std::string key = UserKey(account);
    if (HasListeners(key)) Publish(key, event);
  }
  if (post.visibility != Visibility::kPublic || post.is_reblog()) return;
  Publish(std::string(kPublicKey), event);
  for (const std::string& tag : post.tags) Publish(HashtagKey(tag), event);
}

void StreamHub::PublishNotification(Id recipient, const Notification& notification) {
  const std::string key = UserKey(recipient);
  if (!HasListeners(key)) return;
  StreamEvent event;
  event.kind = StreamEvent::Kind::kNotification;
  event.notification = notification;
  Publish(key, event);
}

void StreamHub::RevokeWhere(const std::function<bool(const StreamListener&)>& match) {
  std::vector<std::shared_ptr<StreamListener>> hit;
  {
    std::shared_lock lock(mu_);
    for (const auto& [key, list] : by_key_) {
      for (const auto& weak : list) {
        auto l = weak.lock();
        if (l && match(*l) && std::find(hit.begin(), hit.end(), l) == hit.end()) {
          hit.push_back(std::move(l));
        }
      }
    }
  }
  for (const auto& listener : hit) listener->OnRevoked();
}

void StreamHub::RevokeAccount(Id account_id) {
  RevokeWhere([account_id](const StreamListener& l) { return l.account_id() == account_id; });
}

void StreamHub::RevokeToken(Id token_id) {
  RevokeWhere([token_id](const StreamListener& l) { return l.token_id() == token_id; });
}

}  // namespace stoa::social
