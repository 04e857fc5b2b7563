// The cache of rendered home pages (http/api/home_page_cache.h) over HTTP: a repeated read is
// served from it, and after every kind of change a page can depend on, the next read is exactly
// what a fresh render gives. The fresh render is the same page asked with a cursor
// (max_id = the largest id), which the cache never serves.
//
// Pages are kept only when the in-memory feed alone fills them (not when a short feed goes on
// into the database), so the followed author first writes more posts than a page of kLimit
// needs.
#include <gtest/gtest.h>

#include <string>

#include "http/api/home_page_cache.h"
#include "tests/integration/moderation_fixture.h"

namespace stoa::testing {
namespace {

constexpr const char* kFresh = "max_id=9223372036854775807";
constexpr int kLimit = 5;

class HomePageCacheTest : public ModerationTest {
 protected:
  explicit HomePageCacheTest(std::function<void(Config&)> tweak = nullptr)
      : ModerationTest(std::move(tweak)) {}

  void SetUp() override {
    ModerationTest::SetUp();
    for (int i = 0; i < 2 * kLimit + 2; ++i) PostStatus(author, "filler " + std::to_string(i));
  }

  uint64_t Hits() { return server.app().home_pages().hits(); }

  // The viewer's first home page of kLimit statuses (or as `query` says), checked against a
  // fresh render of the same page, Link header included.
  json::value Home(const TestServer::User& viewer, std::string query = "") {
    if (query.empty()) query = "limit=" + std::to_string(kLimit);
    const std::string path = "/api/v1/timelines/home?" + query;
    auto cached = server.Get(path, viewer.token);
    auto fresh = server.Get(path + "&" + kFresh, viewer.token);
    EXPECT_EQ(cached.status, 200) << cached.body;
    EXPECT_EQ(cached.body, fresh.body) << "a kept page differs from a fresh render";
    EXPECT_EQ(cached.header("link"), fresh.header("link"));
    return cached.json();
  }

  // Reads the page twice: the second read must come from the cache.
  void Prime(const TestServer::User& viewer) {
    Home(viewer);
    const uint64_t before = Hits();
    Home(viewer);
    EXPECT_EQ(Hits(), before + 1) << "the repeated read was not served from the cache";
  }

  json::object StatusIn(const json::value& page, const std::string& id) {
    for (const auto& s : page.as_array()) {
      if (Str(s, "id") == id) return s.as_object();
    }
    ADD_FAILURE() << "status " << id << " is not on the page";
    return {};
  }
  static int64_t Count(const json::object& status, const char* key) {
    return status.at(key).to_number<int64_t>();
  }
  std::string Path(const std::string& id, const std::string& action) {
    return "/api/v1/statuses/" + id + "/" + action;
  }
};

TEST_F(HomePageCacheTest, RepeatedReadsComeFromTheCacheAndEqualAFreshRender) {
  Prime(follower);
  EXPECT_EQ(Home(follower).as_array().size(), size_t{kLimit});
  // Each page size is a page of its own.
  EXPECT_EQ(Home(follower, "limit=2").as_array().size(), 2u);
  const uint64_t before = Hits();
  EXPECT_EQ(Home(follower, "limit=2").as_array().size(), 2u);
  EXPECT_EQ(Hits(), before + 1);
  EXPECT_EQ(Home(follower).as_array().size(), size_t{kLimit});
  // A short feed goes on into the database: such pages are not kept, and are right.
  const uint64_t short_feed = Hits();
  EXPECT_EQ(Home(follower, "limit=40").as_array().size(), size_t{2 * kLimit + 2});
  EXPECT_EQ(Home(follower, "limit=40").as_array().size(), size_t{2 * kLimit + 2});
  EXPECT_EQ(Hits(), short_feed);
  // Cursors are never served from the cache.
  const uint64_t with_cursor = Hits();
  server.Get("/api/v1/timelines/home?since_id=1", follower.token);
  server.Get("/api/v1/timelines/home?min_id=1", follower.token);
  EXPECT_EQ(Hits(), with_cursor);
  auto metrics = server.Get("/metrics");
  EXPECT_NE(metrics.body.find("stoa_home_page_cache_total{result=\"hit\"}"), std::string::npos);
}

TEST_F(HomePageCacheTest, NewPostsInteractionsEditsAndProfilesReachAKeptPage) {
  const std::string first = PostStatus(author, "first").id;

  Prime(follower);
  const std::string second = PostStatus(author, "second").id;  // the feed changes
  auto ids = Ids(Home(follower));
  EXPECT_EQ(std::vector<std::string>(ids.begin(), ids.begin() + 2),
            (std::vector<std::string>{second, first}));

  Prime(follower);
  ASSERT_EQ(server.Post(Path(first, "favourite"), "{}", follower.token).status, 200);
  auto page = Home(follower);  // the viewer's interactions change
  EXPECT_TRUE(StatusIn(page, first).at("favourited").as_bool());
  EXPECT_EQ(Count(StatusIn(page, first), "favourites_count"), 1);

  Prime(follower);
  ASSERT_EQ(server.Post(Path(first, "favourite"), "{}", stranger.token).status, 200);
  EXPECT_EQ(Count(StatusIn(Home(follower), first), "favourites_count"), 2);  // the post changes

  Prime(follower);
  ASSERT_EQ(server.Post(Path(second, "bookmark"), "{}", follower.token).status, 200);
  EXPECT_TRUE(StatusIn(Home(follower), second).at("bookmarked").as_bool());

  Prime(follower);
  ASSERT_EQ(server.Put("/api/v1/statuses/" + second, R"({"status":"second, edited"})", author.token)
                .status,
            200);
  EXPECT_NE(Str(StatusIn(Home(follower), second), "content").find("edited"), std::string::npos);

  Prime(follower);
  ASSERT_EQ(server
                .Patch("/api/v1/accounts/update_credentials", R"({"display_name":"Renamed"})",
                       author.token)
                .status,
            200);
  EXPECT_EQ(Str(StatusIn(Home(follower), first).at("account"), "display_name"), "Renamed");

  // A boost by the followed author of a stranger's post, then a change of that original.
  const std::string original = PostStatus(stranger, "worth sharing").id;
  Prime(follower);
  auto boost = server.Post(Path(original, "reblog"), "{}", author.token);
  ASSERT_EQ(boost.status, 200) << boost.body;
  const std::string boost_id = Str(boost.json(), "id");
  EXPECT_EQ(Ids(Home(follower)).front(), boost_id);
  Prime(follower);
  ASSERT_EQ(server.Post(Path(original, "favourite"), "{}", reporter.token).status, 200);
  EXPECT_EQ(Count(StatusIn(Home(follower), boost_id).at("reblog").as_object(), "favourites_count"),
            1);
  Prime(follower);
  ASSERT_EQ(server.Delete("/api/v1/statuses/" + original, stranger.token).status, 200);
  EXPECT_FALSE(Has(Ids(Home(follower)), boost_id)) << "a boost of a deleted post stays hidden";

  Prime(follower);
  ASSERT_EQ(server.Delete("/api/v1/statuses/" + first, author.token).status, 200);
  EXPECT_FALSE(Has(Ids(Home(follower)), first));
  EXPECT_TRUE(Has(Ids(Home(follower)), second));
}

TEST_F(HomePageCacheTest, MutesBlocksUnfollowsAndModerationReachAKeptPage) {
  const std::string post = PostStatus(author, "hello followers").id;
  const std::string author_path = "/api/v1/accounts/" + IdToString(author.id);

  Prime(follower);
  ASSERT_EQ(server.Post(author_path + "/mute", "{}", follower.token).status, 200);
  EXPECT_TRUE(Home(follower).as_array().empty());
  ASSERT_EQ(server.Post(author_path + "/unmute", "{}", follower.token).status, 200);
  EXPECT_EQ(Ids(Home(follower)).front(), post);

  // Blocked by the author: the graph of the viewer changes through someone else's action.
  Prime(follower);
  const std::string follower_path = "/api/v1/accounts/" + IdToString(follower.id);
  ASSERT_EQ(server.Post(follower_path + "/block", "{}", author.token).status, 200);
  EXPECT_TRUE(Home(follower).as_array().empty());
  ASSERT_EQ(server.Post(follower_path + "/unblock", "{}", author.token).status, 200);
  ASSERT_EQ(server.Post(author_path + "/follow", "{}", follower.token).status, 200);
  EXPECT_EQ(Ids(Home(follower)).front(), post);

  Prime(follower);
  ASSERT_EQ(server.Post(author_path + "/unfollow", "{}", follower.token).status, 200);
  EXPECT_TRUE(Home(follower).as_array().empty());
  ASSERT_EQ(server.Post(author_path + "/follow", "{}", follower.token).status, 200);
  EXPECT_EQ(Ids(Home(follower)).front(), post);

  // A moderator removes the post: it leaves the kept page at once.
  const std::string kept = PostStatus(author, "this one stays").id;
  Prime(follower);
  auto claimed = ReportedAndClaimed(post, mod);
  ASSERT_EQ(Decide(mod, claimed,
                   R"("action":"remove_status","ground":"illegal","legal_provision":"§ 241 StGB")")
                .status,
            200);
  EXPECT_EQ(Ids(Home(follower)).front(), kept);
  EXPECT_FALSE(Has(Ids(Home(follower)), post));

  // The author is suspended: all of their posts leave it.
  Prime(follower);
  auto suspend = server.Post("/api/v1/admin/accounts/" + IdToString(author.id) + "/action",
                             R"({"type":"suspend","text":"threats"})", mod.token);
  ASSERT_EQ(suspend.status, 200) << suspend.body;
  EXPECT_TRUE(Home(follower).as_array().empty());
}

TEST_F(HomePageCacheTest, AMuteThatEndsIsNeverKeptAndEndsWithTheClock) {
  const std::string post = PostStatus(author, "back soon").id;
  const std::string author_path = "/api/v1/accounts/" + IdToString(author.id);
  ASSERT_EQ(server.Post(author_path + "/mute", R"({"duration":60})", follower.token).status, 200);
  const uint64_t stored = server.app().home_pages().stored();
  EXPECT_TRUE(Home(follower).as_array().empty());
  EXPECT_TRUE(Home(follower).as_array().empty());
  EXPECT_EQ(server.app().home_pages().stored(), stored)
      << "a page that ends with the clock was kept";
  clock.Advance(std::chrono::seconds(61));
  EXPECT_EQ(Ids(Home(follower)).front(), post);
}

class HomePageCacheOffTest : public HomePageCacheTest {
 protected:
  HomePageCacheOffTest()
      : HomePageCacheTest([](Config& c) { c.timelines.home_page_cache_entries = 0; }) {}
};

TEST_F(HomePageCacheOffTest, ZeroEntriesTurnsItOff) {
  PostStatus(author, "uncached");
  Home(follower);
  Home(follower);
  EXPECT_EQ(Hits(), 0u);
  EXPECT_EQ(server.app().home_pages().size(), 0u);
}

}  // namespace
}  // namespace stoa::testing
