// StreamHub: routing by key, weak listeners, the home audience, public-only fan-out to public
// and hashtag keys, and revocation by account and by token.
#include "social/stream_hub.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace stoa::social {
namespace {

class Recorder : public StreamListener {
 public:
  Recorder(Id account, Id token) : account_(account), token_(token) {}
  void OnEvent(const std::string& key, const StreamEvent& event) override {
    events.push_back({key, event.kind});
  }
  void OnRevoked() override { ++revoked; }
  Id account_id() const override { return account_; }
  Id token_id() const override { return token_; }

  std::vector<std::pair<std::string, StreamEvent::Kind>> events;
  int revoked = 0;

 private:
  Id account_;
  Id token_;
};

std::shared_ptr<Post> MakePost(Id author, Visibility visibility, std::vector<std::string> tags) {
  auto p = std::make_shared<Post>();
  p->id = 100;
  p->account_id = author;
  p->visibility = visibility;
  p->tags = std::move(tags);
  return p;
}

TEST(StreamHubTest, PostsReachHomeAudiencePublicAndHashtagKeys) {
  StreamHub hub;
  auto follower = std::make_shared<Recorder>(2, 20);
  auto stranger = std::make_shared<Recorder>(3, 30);
  auto watcher = std::make_shared<Recorder>(4, 40);
  hub.Add(StreamHub::UserKey(2), follower);
  hub.Add(StreamHub::UserKey(3), stranger);
  hub.Add(std::string(StreamHub::kPublicKey), watcher);
  hub.Add(StreamHub::HashtagKey("cats"), watcher);

  hub.PublishPost(MakePost(1, Visibility::kPublic, {"cats"}), {1, 2}, false);
  ASSERT_EQ(follower->events.size(), 1u);
  EXPECT_EQ(follower->events[0].first, "user:2");
  EXPECT_TRUE(stranger->events.empty());
  ASSERT_EQ(watcher->events.size(), 2u);  // public and the hashtag

  // Private posts never go to public or hashtag keys.
  hub.PublishPost(MakePost(1, Visibility::kPrivate, {"cats"}), {1, 2}, true);
  EXPECT_EQ(follower->events.size(), 2u);
  EXPECT_EQ(follower->events[1].second, StreamEvent::Kind::kStatusUpdate);
  EXPECT_EQ(watcher->events.size(), 2u);

  hub.PublishDelete(*MakePost(1, Visibility::kPublic, {}), {2});
  EXPECT_EQ(follower->events.back().second, StreamEvent::Kind::kDelete);
  EXPECT_EQ(watcher->events.back().second, StreamEvent::Kind::kDelete);
}

TEST(StreamHubTest, ListenersAreWeakAndRemovable) {
  StreamHub hub;
  auto a = std::make_shared<Recorder>(2, 20);
  hub.Add(StreamHub::UserKey(2), a);
  hub.Add(StreamHub::UserKey(2), a);  // once only
  EXPECT_EQ(hub.listener_count(), 1u);
  Notification n;
  n.id = 7;
  n.account_id = 2;
  hub.PublishNotification(2, n);
  EXPECT_EQ(a->events.size(), 1u);
  hub.RemoveAll(a.get());
  EXPECT_TRUE(hub.empty());
  hub.PublishNotification(2, n);
  EXPECT_EQ(a->events.size(), 1u);

  {
    auto gone = std::make_shared<Recorder>(5, 50);
    hub.Add(StreamHub::UserKey(5), gone);
  }
  EXPECT_EQ(hub.listener_count(), 0u);  // expired listeners are not counted or called
  hub.PublishNotification(5, n);
}

TEST(StreamHubTest, RevocationByAccountAndByToken) {
  StreamHub hub;
  auto phone = std::make_shared<Recorder>(2, 20);
  auto laptop = std::make_shared<Recorder>(2, 21);
  auto other = std::make_shared<Recorder>(3, 30);
  hub.Add(std::string(StreamHub::kPublicKey), phone);
  hub.Add(StreamHub::UserKey(2), phone);
  hub.Add(StreamHub::HashtagKey("x"), laptop);
  hub.Add(std::string(StreamHub::kPublicKey), other);

  hub.RevokeToken(21);
  EXPECT_EQ(laptop->revoked, 1);
  EXPECT_EQ(phone->revoked, 0);

  hub.RevokeAccount(2);
  EXPECT_EQ(phone->revoked, 1);  // once, although listening under two keys
  EXPECT_EQ(laptop->revoked, 2);
  EXPECT_EQ(other->revoked, 0);
}

}  // namespace
}  // namespace stoa::social
