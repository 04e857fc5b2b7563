// The moderation state of a status as the visibility policy and the serializers see it: who sees
// a removed or restricted status on which surface, and the content warning of mark_sensitive.
#include <gtest/gtest.h>

#include "social/visibility_policy.h"

namespace stoa::social {
namespace {

constexpr Id kAuthor = 1, kFollower = 2, kStranger = 3, kModerator = 4;

Viewer MakeViewer(Id id) {
  Viewer v;
  v.account_id = id;
  v.role = id == kModerator ? Role::kModerator : Role::kMember;
  auto g = std::make_shared<ViewerGraph>();
  if (id == kFollower) g->following.insert(kAuthor);
  g->following.Seal();
  v.graph = g;
  return v;
}

enum class State { kNone, kRestricted, kRemoved };

TEST(StatusModerationTest, WhoSeesAModeratedStatusWhere) {
  Account author;
  author.id = kAuthor;
  const Timestamp now = FromUnixMillis(5000);
  struct Case {
    State state;
    Id viewer;  // kNoId: anonymous
    Surface surface;
    bool visible;
  };
  const Case cases[] = {
      // Restricted: out of public and hashtag timelines and search, for everyone but staff.
      {State::kRestricted, kStranger, Surface::kPublicTimeline, false},
      {State::kRestricted, kNoId, Surface::kPublicTimeline, false},
      {State::kRestricted, kStranger, Surface::kSearch, false},
      {State::kRestricted, kAuthor, Surface::kPublicTimeline, false},
      {State::kRestricted, kFollower, Surface::kTimeline, true},  // home
      {State::kRestricted, kStranger, Surface::kThread, true},
      {State::kRestricted, kStranger, Surface::kDirect, true},
      {State::kRestricted, kNoId, Surface::kDirect, true},
      {State::kRestricted, kModerator, Surface::kPublicTimeline, true},
      {State::kRestricted, kModerator, Surface::kSearch, true},
      // Removed: gone everywhere; staff may open it directly.
      {State::kRemoved, kStranger, Surface::kDirect, false},
      {State::kRemoved, kNoId, Surface::kDirect, false},
      {State::kRemoved, kAuthor, Surface::kDirect, false},
      {State::kRemoved, kAuthor, Surface::kTimeline, false},
      {State::kRemoved, kFollower, Surface::kTimeline, false},
      {State::kRemoved, kFollower, Surface::kThread, false},
      {State::kRemoved, kFollower, Surface::kNotification, false},
      {State::kRemoved, kStranger, Surface::kSearch, false},
      {State::kRemoved, kModerator, Surface::kDirect, true},
      {State::kRemoved, kModerator, Surface::kTimeline, false},
      {State::kRemoved, kModerator, Surface::kPublicTimeline, false},
      // Untouched: visible (the control rows).
      {State::kNone, kStranger, Surface::kPublicTimeline, true},
      {State::kNone, kStranger, Surface::kSearch, true},
      {State::kNone, kAuthor, Surface::kDirect, true},
  };
  for (const auto& c : cases) {
    Post post;
    post.id = 100;
    post.account_id = kAuthor;
    post.visibility = Visibility::kPublic;
    if (c.state == State::kRestricted) post.moderation_restricted_at = now;
    if (c.state == State::kRemoved) post.moderation_removed_at = now;
    const Viewer viewer = c.viewer == kNoId ? Viewer{} : MakeViewer(c.viewer);
    EXPECT_EQ(CanSee(viewer, post, author, c.surface, now), c.visible)
        << "state " << static_cast<int>(c.state) << " viewer " << c.viewer << " surface "
        << static_cast<int>(c.surface);
  }
}

TEST(StatusModerationTest, MarkSensitiveAddsAWarningOverTheAuthorsOwn) {
  struct Case {
    bool author_sensitive;
    std::string author_warning;
    bool moderated;
    bool shown_sensitive;
    std::string shown_warning;
  };
  const Case cases[] = {
      {false, "", false, false, ""},
      {false, "", true, true, "Marked by moderators"},
      {true, "", true, true, "Marked by moderators"},
      {true, "spoilers", true, true, "spoilers"},  // the author's own warning stays
      {true, "spoilers", false, true, "spoilers"},
  };
  for (const auto& c : cases) {
    Post p;
    p.sensitive = c.author_sensitive;
    p.spoiler_text = c.author_warning;
    p.moderation_sensitive = c.moderated;
    p.moderation_spoiler_text = c.moderated ? "Marked by moderators" : "";
    EXPECT_EQ(p.shown_sensitive(), c.shown_sensitive);
    EXPECT_EQ(p.shown_spoiler_text(), c.shown_warning);
  }
}

}  // namespace
}  // namespace stoa::social
