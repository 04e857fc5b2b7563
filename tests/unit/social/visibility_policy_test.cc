#include "social/visibility_policy.h"

#include <gtest/gtest.h>

namespace stoa::social {
namespace {

constexpr Id kAuthor = 1, kFollower = 2, kStranger = 3, kMentioned = 4, kBlocked = 5, kMuter = 6;

Viewer MakeViewer(Id id) {
  Viewer v;
  v.account_id = id;
  auto g = std::make_shared<ViewerGraph>();
  if (id == kFollower || id == kMuter) g->following.insert(kAuthor);
  if (id == kBlocked) g->blocked_by.insert(kAuthor);
  if (id == kMuter) g->mutes.emplace(kAuthor, Mute{});
  g->following.Seal();
  g->blocked_by.Seal();
  v.graph = g;
  return v;
}

TEST(VisibilityPolicyTest, WhoSeesWhat) {
  Account author;
  author.id = kAuthor;
  const Timestamp now = FromUnixMillis(1000);
  struct Case {
    Visibility visibility;
    Id viewer;
    Surface surface;
    bool visible;
  };
  const Case cases[] = {
      {Visibility::kPublic, kNoId, Surface::kDirect, true},
      {Visibility::kUnlisted, kNoId, Surface::kDirect, true},
      {Visibility::kPrivate, kNoId, Surface::kDirect, false},
      {Visibility::kPrivate, kStranger, Surface::kDirect, false},
      {Visibility::kPrivate, kFollower, Surface::kDirect, true},
      {Visibility::kPrivate, kMentioned, Surface::kDirect, true},
      {Visibility::kDirect, kFollower, Surface::kDirect, false},
      {Visibility::kDirect, kMentioned, Surface::kDirect, true},
      {Visibility::kDirect, kAuthor, Surface::kDirect, true},
      {Visibility::kPublic, kBlocked, Surface::kDirect, false},
      {Visibility::kPublic, kMuter, Surface::kDirect, true},
      {Visibility::kPublic, kMuter, Surface::kTimeline, false},
      {Visibility::kPublic, kMuter, Surface::kThread, false},
  };
  for (const auto& c : cases) {
    Post post;
    post.id = 10;
    post.account_id = kAuthor;
    post.visibility = c.visibility;
    post.mentions.push_back({kMentioned, "m"});
    const Viewer viewer = c.viewer == kNoId ? Viewer{} : MakeViewer(c.viewer);
    EXPECT_EQ(CanSee(viewer, post, author, c.surface, now), c.visible)
        << VisibilityName(c.visibility) << " viewer " << c.viewer;
  }
}

TEST(VisibilityPolicyTest, DeletedPostsAndSuspendedAuthorsAreInvisibleEvenToTheAuthor) {
  Account author;
  author.id = kAuthor;
  Post post;
  post.account_id = kAuthor;
  post.deleted_at = FromUnixMillis(1);
  EXPECT_FALSE(CanSee(MakeViewer(kAuthor), post, author, Surface::kDirect, FromUnixMillis(2)));
  post.deleted_at.reset();
  author.suspended_at = FromUnixMillis(1);
  EXPECT_FALSE(CanSee(MakeViewer(kAuthor), post, author, Surface::kDirect, FromUnixMillis(2)));
}

TEST(VisibilityPolicyTest, ExpiredMutesNoLongerHide) {
  Account author;
  author.id = kAuthor;
  Post post;
  post.account_id = kAuthor;
  Viewer v;
  v.account_id = kMuter;
  auto g = std::make_shared<ViewerGraph>();
  Mute m;
  m.expires_at = FromUnixMillis(500);
  g->mutes.emplace(kAuthor, m);
  v.graph = g;
  EXPECT_FALSE(CanSee(v, post, author, Surface::kTimeline, FromUnixMillis(400)));
  EXPECT_TRUE(CanSee(v, post, author, Surface::kTimeline, FromUnixMillis(600)));
}

}  // namespace
}  // namespace stoa::social
