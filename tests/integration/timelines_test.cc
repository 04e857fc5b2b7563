// Timelines over HTTP: home (in-memory feed, database fallback, restarts), public and hashtag,
// with paging, visibility, blocks and mutes.
#include <gtest/gtest.h>

#include <set>

#include "tests/integration/api_helpers.h"
#include "tests/integration/test_server.h"

namespace stoa::testing {
namespace {

namespace json = boost::json;

class TimelinesTest : public ::testing::Test {
 protected:
  explicit TimelinesTest(std::function<void(Config&)> tweak = nullptr) : server(std::move(tweak)) {}
  void SetUp() override {
    alice = server.CreateUser("alice");
    bob = server.CreateUser("bob");
    carol = server.CreateUser("carol");
  }
  void Follow(const TestServer::User& who, const TestServer::User& whom, bool reblogs = true) {
    social::FollowOptions options;
    options.reblogs = reblogs;
    auto r = server.app().relationships().Follow(server.app().core().MakeViewer(who.id, Role::kMember),
                                                 whom.id, options);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  std::string Post(const TestServer::User& u, const std::string& body) {
    auto r = server.Post("/api/v1/statuses", body, u.token);
    EXPECT_EQ(r.status, 200) << r.body;
    return std::string(r.json().as_object().at("id").as_string());
  }
  std::string Text(const std::string& text) { return R"({"status":")" + text + "\"}"; }

  TestServer server;
  TestServer::User alice, bob, carol;
};

TEST_F(TimelinesTest, HomeShowsOwnAndFollowedPostsNewestFirst) {
  Follow(alice, bob);
  const std::string a1 = Post(alice, Text("mine"));
  const std::string b1 = Post(bob, Text("followed"));
  Post(carol, Text("stranger"));
  auto r = server.Get("/api/v1/timelines/home", alice.token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Ids(r), (std::vector<std::string>{b1, a1}));
}

TEST_F(TimelinesTest, HomeNeedsAUserToken) {
  EXPECT_EQ(server.Get("/api/v1/timelines/home").status, 401);
  EXPECT_EQ(server.Get("/api/v1/timelines/home", "bogus").status, 401);
  EXPECT_EQ(server.Get("/api/v1/timelines/home", server.Token(alice.id, "write")).status, 403);
}

TEST_F(TimelinesTest, PagingParametersAndLinkHeaders) {
  Follow(alice, bob);
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) ids.push_back(Post(bob, Text("p" + std::to_string(i))));
  // ids are ascending; the timeline is newest first.
  auto first = server.Get("/api/v1/timelines/home?limit=3", alice.token);
  EXPECT_EQ(Ids(first), (std::vector<std::string>{ids[6], ids[5], ids[4]}));
  EXPECT_NE(first.header("link").find("rel=\"prev\""), std::string::npos);
  auto max = server.Get("/api/v1/timelines/home?limit=2&max_id=" + ids[4], alice.token);
  EXPECT_EQ(Ids(max), (std::vector<std::string>{ids[3], ids[2]}));
  auto since = server.Get("/api/v1/timelines/home?limit=2&since_id=" + ids[1], alice.token);
  EXPECT_EQ(Ids(since), (std::vector<std::string>{ids[6], ids[5]}));
  auto min = server.Get("/api/v1/timelines/home?limit=2&min_id=" + ids[1], alice.token);
  EXPECT_EQ(Ids(min), (std::vector<std::string>{ids[3], ids[2]}));
  auto both = server.Get("/api/v1/timelines/home?max_id=" + ids[5] + "&min_id=" + ids[2], alice.token);
  EXPECT_EQ(Ids(both), (std::vector<std::string>{ids[4], ids[3]}));
  auto empty = server.Get("/api/v1/timelines/home?since_id=" + ids[6], alice.token);
  EXPECT_EQ(Ids(empty).size(), 0u);
  EXPECT_EQ(empty.header("link"), "");
  EXPECT_EQ(server.Get("/api/v1/timelines/home?limit=-1", alice.token).status, 400);
  EXPECT_EQ(server.Get("/api/v1/timelines/home?max_id=abc", alice.token).status, 400);
}

TEST_F(TimelinesTest, LimitIsClampedToForty) {
  Follow(alice, bob);
  for (int i = 0; i < 45; ++i) Post(bob, Text("n" + std::to_string(i)));
  EXPECT_EQ(Ids(server.Get("/api/v1/timelines/home?limit=100", alice.token)).size(), 40u);
  EXPECT_EQ(Ids(server.Get("/api/v1/timelines/home", alice.token)).size(), 20u);
}

TEST_F(TimelinesTest, RepliesAndBoostsFollowMastodonRules) {
  Follow(alice, bob);
  const std::string c1 = Post(carol, Text("carol speaks"));
  const std::string b_own = Post(bob, Text("bob speaks"));
  const std::string reply_to_stranger =
      Post(bob, R"({"status":"@carol hi","in_reply_to_id":")" + c1 + "\"}");
  const std::string self_reply = Post(bob, R"({"status":"more","in_reply_to_id":")" + b_own + "\"}");
  auto ids = Ids(server.Get("/api/v1/timelines/home", alice.token));
  EXPECT_EQ(std::count(ids.begin(), ids.end(), reply_to_stranger), 0);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), self_reply), 1);
  // A boost by a followed account shows the boosted post.
  auto boost = server.Post("/api/v1/statuses/" + c1 + "/reblog", "", bob.token);
  ASSERT_EQ(boost.status, 200);
  const std::string boost_id(boost.json().as_object().at("id").as_string());
  ids = Ids(server.Get("/api/v1/timelines/home", alice.token));
  EXPECT_EQ(ids.front(), boost_id);
  // Following with reblogs=false hides the boosts.
  Follow(alice, bob, /*reblogs=*/false);
  ids = Ids(server.Get("/api/v1/timelines/home", alice.token));
  EXPECT_EQ(std::count(ids.begin(), ids.end(), boost_id), 0);
}

TEST_F(TimelinesTest, DirectPostsReachOnlyMentionedAccounts) {
  Follow(alice, bob);
  Follow(carol, bob);
  const std::string dm = Post(bob, R"({"status":"@alice psst","visibility":"direct"})");
  auto alice_ids = Ids(server.Get("/api/v1/timelines/home", alice.token));
  auto carol_ids = Ids(server.Get("/api/v1/timelines/home", carol.token));
  EXPECT_EQ(std::count(alice_ids.begin(), alice_ids.end(), dm), 1);
  EXPECT_EQ(std::count(carol_ids.begin(), carol_ids.end(), dm), 0);
}

TEST_F(TimelinesTest, DeletedUnfollowedBlockedAndMutedPostsDisappear) {
  Follow(alice, bob);
  Follow(alice, carol);
  const std::string b1 = Post(bob, Text("bob"));
  const std::string c1 = Post(carol, Text("carol"));
  const std::string gone = Post(bob, Text("soon gone"));
  ASSERT_EQ(server.Delete("/api/v1/statuses/" + gone, bob.token).status, 200);
  auto ids = Ids(server.Get("/api/v1/timelines/home", alice.token));
  EXPECT_EQ(std::count(ids.begin(), ids.end(), gone), 0);
  auto viewer = server.app().core().MakeViewer(alice.id, Role::kMember);
  ASSERT_TRUE(server.app().relationships().Mute(viewer, carol.id, true, 0).ok());
  ids = Ids(server.Get("/api/v1/timelines/home", alice.token));
  EXPECT_EQ(std::count(ids.begin(), ids.end(), c1), 0);
  viewer = server.app().core().MakeViewer(alice.id, Role::kMember);
  ASSERT_TRUE(server.app().relationships().Block(viewer, bob.id).ok());
  ids = Ids(server.Get("/api/v1/timelines/home", alice.token));
  EXPECT_EQ(std::count(ids.begin(), ids.end(), b1), 0);
  // The public timeline hides them from alice too, but not from others.
  auto pub = Ids(server.Get("/api/v1/timelines/public", alice.token));
  EXPECT_EQ(std::count(pub.begin(), pub.end(), b1), 0);
  auto anon = Ids(server.Get("/api/v1/timelines/public"));
  EXPECT_EQ(std::count(anon.begin(), anon.end(), b1), 1);
}

TEST_F(TimelinesTest, PublicTimelineShowsOnlyPublicTopLevelPosts) {
  const std::string pub = Post(alice, Text("public"));
  Post(alice, R"({"status":"unlisted","visibility":"unlisted"})");
  Post(alice, R"({"status":"private","visibility":"private"})");
  Post(alice, R"({"status":"@bob direct","visibility":"direct"})");
  Post(bob, R"({"status":"reply","in_reply_to_id":")" + pub + "\"}");
  auto ids = Ids(server.Get("/api/v1/timelines/public?local=true"));
  EXPECT_EQ(ids, (std::vector<std::string>{pub}));
  EXPECT_EQ(Ids(server.Get("/api/v1/timelines/public?remote=true")).size(), 0u);
}

TEST_F(TimelinesTest, TagTimelineIsCaseInsensitiveWithAnyAllNone) {
  const std::string a = Post(alice, Text("#Cats are great"));
  const std::string b = Post(bob, Text("#cats and #dogs"));
  const std::string c = Post(carol, Text("#dogs only"));
  Post(carol, R"({"status":"#cats private","visibility":"private"})");
  EXPECT_EQ(Ids(server.Get("/api/v1/timelines/tag/CATS")), (std::vector<std::string>{b, a}));
  EXPECT_EQ(Ids(server.Get("/api/v1/timelines/tag/cats?any[]=dogs")),
            (std::vector<std::string>{c, b, a}));
  EXPECT_EQ(Ids(server.Get("/api/v1/timelines/tag/cats?all[]=dogs")), (std::vector<std::string>{b}));
  EXPECT_EQ(Ids(server.Get("/api/v1/timelines/tag/cats?none[]=dogs")), (std::vector<std::string>{a}));
  EXPECT_EQ(Ids(server.Get("/api/v1/timelines/tag/unknowntag")).size(), 0u);
}

// A small in-memory feed forces the database fallback when paging deep.
class SmallFeedTest : public TimelinesTest {
 protected:
  SmallFeedTest()
      : TimelinesTest([](Config& c) { c.timelines.home_max_items = 40; }) {}
};

TEST_F(SmallFeedTest, PagingFollowsLinksToTheEndPastTheInMemoryFeed) {
  Follow(alice, bob);
  Follow(alice, carol);
  std::set<std::string> expected;
  for (int i = 0; i < 60; ++i) {
    expected.insert(Post(i % 3 == 0 ? carol : bob, Text("post " + std::to_string(i))));
  }
  std::vector<std::string> seen;
  std::string next = "/api/v1/timelines/home?limit=20";
  for (int pages = 0; !next.empty() && pages < 20; ++pages) {
    auto r = server.Get(next, alice.token);
    ASSERT_EQ(r.status, 200);
    auto ids = Ids(r);
    if (ids.empty()) {
      EXPECT_EQ(r.header("link"), "");
      break;
    }
    seen.insert(seen.end(), ids.begin(), ids.end());
    next = NextPath(r);
  }
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), expected);
  EXPECT_EQ(seen.size(), expected.size());  // no duplicates
  EXPECT_TRUE(std::is_sorted(seen.rbegin(), seen.rend(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  }));
}

TEST_F(TimelinesTest, HomeIsCompleteAndCorrectAfterARestart) {
  Follow(alice, bob);
  for (int i = 0; i < 30; ++i) Post(i % 2 ? bob : alice, Text("before " + std::to_string(i)));
  auto before = Ids(server.Get("/api/v1/timelines/home?limit=40", alice.token));
  ASSERT_EQ(before.size(), 30u);
  server.Restart();
  auto after = Ids(server.Get("/api/v1/timelines/home?limit=40", alice.token));
  EXPECT_EQ(after, before);
  // Fan-out keeps working after the restart, and posts made while the feed was cold show up.
  const std::string fresh = Post(bob, Text("after restart"));
  after = Ids(server.Get("/api/v1/timelines/home?limit=1", alice.token));
  EXPECT_EQ(after, (std::vector<std::string>{fresh}));
}

TEST_F(TimelinesTest, FollowingMergesTheNewAccountsPosts) {
  const std::string old = Post(carol, Text("from before the follow"));
  EXPECT_EQ(Ids(server.Get("/api/v1/timelines/home", alice.token)).size(), 0u);
  Follow(alice, carol);
  EXPECT_EQ(Ids(server.Get("/api/v1/timelines/home", alice.token)), (std::vector<std::string>{old}));
}

}  // namespace
}  // namespace stoa::testing
