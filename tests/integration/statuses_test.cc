// Statuses over HTTP: posting, reading, editing, deleting, boosts, favourites, bookmarks,
// threads, visibility, and the bad inputs (each leaves nothing behind).
#include <gtest/gtest.h>

#include "tests/integration/test_server.h"

namespace stoa::testing {
namespace {

namespace json = boost::json;

std::string Str(const json::value& v, const char* key) {
  return std::string(v.as_object().at(key).as_string());
}

class StatusesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    alice = server.CreateUser("alice");
    bob = server.CreateUser("bob");
  }
  std::string PostStatus(const TestServer::User& u, const std::string& body) {
    auto r = server.Post("/api/v1/statuses", body, u.token);
    EXPECT_EQ(r.status, 200) << r.body;
    return Str(r.json(), "id");
  }
  int64_t CountPosts() {
    auto read = server.app().storage().Read();
    return read->posts().Count();
  }

  TestServer server;
  TestServer::User alice, bob;
};

TEST_F(StatusesTest, CreateRendersContentAndReadsBack) {
  auto r = server.Post("/api/v1/statuses",
                       R"({"status":"Hello <b>world</b> #Stoa @bob https://example.org/x","language":"en"})",
                       alice.token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8");
  auto s = r.json().as_object();
  EXPECT_TRUE(s.at("id").is_string());
  EXPECT_EQ(s.at("visibility").as_string(), "public");
  EXPECT_EQ(s.at("language").as_string(), "en");
  const std::string content(s.at("content").as_string());
  EXPECT_NE(content.find("Hello &lt;b&gt;world&lt;/b&gt;"), std::string::npos) << content;
  EXPECT_EQ(content.find("<b>"), std::string::npos);
  EXPECT_NE(content.find("class=\"mention hashtag\""), std::string::npos);
  EXPECT_NE(content.find("class=\"u-url mention\""), std::string::npos);
  EXPECT_EQ(s.at("mentions").as_array().size(), 1u);
  EXPECT_EQ(s.at("tags").as_array().at(0).as_object().at("name").as_string(), "stoa");
  EXPECT_EQ(s.at("account").as_object().at("username").as_string(), "alice");
  // Timestamps are ISO 8601 UTC with milliseconds.
  const std::string created(s.at("created_at").as_string());
  EXPECT_EQ(created.size(), 24u);
  EXPECT_EQ(created.back(), 'Z');

  auto got = server.Get("/api/v1/statuses/" + Str(r.json(), "id"));
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.json().as_object().at("content"), s.at("content"));
  // Anonymous viewers get no viewer-relative fields.
  EXPECT_FALSE(got.json().as_object().contains("favourited"));
}

TEST_F(StatusesTest, FormAndJsonAndQueryEncodingsAllWork) {
  auto form = server.Form("POST", "/api/v1/statuses", "status=from+a+form&visibility=unlisted",
                          alice.token);
  ASSERT_EQ(form.status, 200) << form.body;
  EXPECT_EQ(form.json().as_object().at("visibility").as_string(), "unlisted");
  auto query = server.Send("POST", "/api/v1/statuses?status=from%20the%20query", "", {}, alice.token);
  ASSERT_EQ(query.status, 200) << query.body;
  EXPECT_NE(Str(query.json(), "content").find("from the query"), std::string::npos);
}

TEST_F(StatusesTest, BadInputsGetClearErrorsAndWriteNothing) {
  const int64_t before = CountPosts();
  struct Case {
    std::string name, method, target, body, content_type, token;
    int status;
  };
  const std::string long_text(501, 'x');
  const std::vector<Case> cases = {
      {"malformed json", "POST", "/api/v1/statuses", "{\"status\":", "application/json", alice.token, 400},
      {"invalid utf-8", "POST", "/api/v1/statuses", "{\"status\":\"\xff\xfe\"}", "application/json", alice.token, 400},
      {"blank", "POST", "/api/v1/statuses", R"({"status":"   "})", "application/json", alice.token, 422},
      {"too long", "POST", "/api/v1/statuses", "{\"status\":\"" + long_text + "\"}", "application/json", alice.token, 422},
      {"bad visibility", "POST", "/api/v1/statuses", R"({"status":"x","visibility":"secret"})", "application/json", alice.token, 422},
      {"unknown reply", "POST", "/api/v1/statuses", R"({"status":"x","in_reply_to_id":"12345"})", "application/json", alice.token, 404},
      {"media", "POST", "/api/v1/statuses", R"({"status":"x","media_ids":["1"]})", "application/json", alice.token, 422},
      {"missing token", "POST", "/api/v1/statuses", R"({"status":"x"})", "application/json", "", 401},
      {"bad token", "POST", "/api/v1/statuses", R"({"status":"x"})", "application/json", "nope", 401},
  };
  for (const auto& c : cases) {
    std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", c.content_type}};
    auto r = server.Send(c.method, c.target, c.body, headers, c.token);
    EXPECT_EQ(r.status, c.status) << c.name << ": " << r.body;
    EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8") << c.name;
    EXPECT_FALSE(r.error().empty()) << c.name << ": " << r.body;
  }
  EXPECT_EQ(CountPosts(), before);
}

TEST_F(StatusesTest, WrongScopeIsForbidden) {
  const std::string read_only = server.Token(alice.id, "read");
  auto r = server.Post("/api/v1/statuses", R"({"status":"x"})", read_only);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.error(), "This action is outside the authorized scopes");
  const std::string write_statuses = server.Token(alice.id, "write:statuses");
  EXPECT_EQ(server.Post("/api/v1/statuses", R"({"status":"x"})", write_statuses).status, 200);
}

TEST_F(StatusesTest, OversizedBodyIsRejected) {
  std::string body = "{\"status\":\"" + std::string(3 * 1024 * 1024, 'a') + "\"}";
  auto r = server.Post("/api/v1/statuses", body, alice.token);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(CountPosts(), 0);
}

TEST_F(StatusesTest, DeleteReturnsSourceAndOnlyForTheAuthor) {
  const std::string id = PostStatus(alice, R"({"status":"delete me #gone"})");
  auto other = server.Delete("/api/v1/statuses/" + id, bob.token);
  EXPECT_EQ(other.status, 404);
  auto r = server.Delete("/api/v1/statuses/" + id, alice.token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(r.json(), "text"), "delete me #gone");
  EXPECT_EQ(server.Get("/api/v1/statuses/" + id).status, 404);
  EXPECT_EQ(server.Delete("/api/v1/statuses/" + id, alice.token).status, 404);
}

TEST_F(StatusesTest, EditKeepsHistory) {
  const std::string id = PostStatus(alice, R"({"status":"first"})");
  auto other = server.Put("/api/v1/statuses/" + id, R"({"status":"hijack"})", bob.token);
  EXPECT_EQ(other.status, 404);
  auto r = server.Put("/api/v1/statuses/" + id, R"({"status":"second"})", alice.token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(r.json().as_object().at("edited_at").is_null());
  auto history = server.Get("/api/v1/statuses/" + id + "/history");
  ASSERT_EQ(history.status, 200);
  ASSERT_EQ(history.json().as_array().size(), 2u);
  EXPECT_NE(Str(history.json().as_array()[0], "content").find("first"), std::string::npos);
  auto source = server.Get("/api/v1/statuses/" + id + "/source", alice.token);
  EXPECT_EQ(Str(source.json(), "text"), "second");
}

TEST_F(StatusesTest, PrivateAndDirectPostsAreInvisibleToOthers) {
  const std::string priv = PostStatus(alice, R"({"status":"followers only","visibility":"private"})");
  const std::string direct = PostStatus(alice, R"({"status":"@bob secret","visibility":"direct"})");
  const auto carol = server.CreateUser("carol");
  EXPECT_EQ(server.Get("/api/v1/statuses/" + priv).status, 404);
  EXPECT_EQ(server.Get("/api/v1/statuses/" + priv, carol.token).status, 404);
  EXPECT_EQ(server.Get("/api/v1/statuses/" + direct, carol.token).status, 404);
  EXPECT_EQ(server.Get("/api/v1/statuses/" + direct, bob.token).status, 200);
  EXPECT_EQ(server.Get("/api/v1/statuses/" + priv, alice.token).status, 200);
  // Following makes the private post visible.
  ASSERT_EQ(server.Post("/api/v1/accounts/" + std::to_string(alice.id) + "/follow", "{}", carol.token).status, 200);
  EXPECT_EQ(server.Get("/api/v1/statuses/" + priv, carol.token).status, 200);
  // Invisible posts cannot be favourited, boosted or replied to.
  EXPECT_EQ(server.Post("/api/v1/statuses/" + direct + "/favourite", "{}", carol.token).status, 404);
  EXPECT_EQ(server.Post("/api/v1/statuses",
                        R"({"status":"reply","in_reply_to_id":")" + direct + "\"}", carol.token).status,
            404);
}

TEST_F(StatusesTest, FavouriteBoostBookmarkRoundTrip) {
  const std::string id = PostStatus(alice, R"({"status":"like me"})");
  auto fav = server.Post("/api/v1/statuses/" + id + "/favourite", "", bob.token);
  ASSERT_EQ(fav.status, 200) << fav.body;
  EXPECT_EQ(fav.json().as_object().at("favourited").as_bool(), true);
  EXPECT_EQ(fav.json().as_object().at("favourites_count").as_int64(), 1);
  // Favouriting twice is idempotent.
  EXPECT_EQ(server.Post("/api/v1/statuses/" + id + "/favourite", "", bob.token)
                .json().as_object().at("favourites_count").as_int64(), 1);
  auto boost = server.Post("/api/v1/statuses/" + id + "/reblog", "", bob.token);
  ASSERT_EQ(boost.status, 200) << boost.body;
  EXPECT_EQ(boost.json().as_object().at("reblog").as_object().at("id").as_string(), id);
  EXPECT_EQ(boost.json().as_object().at("reblog").as_object().at("reblogged").as_bool(), true);
  auto by = server.Get("/api/v1/statuses/" + id + "/reblogged_by");
  ASSERT_EQ(by.json().as_array().size(), 1u);
  auto favd = server.Get("/api/v1/statuses/" + id + "/favourited_by");
  ASSERT_EQ(favd.json().as_array().size(), 1u);
  EXPECT_EQ(server.Post("/api/v1/statuses/" + id + "/bookmark", "", bob.token).status, 200);
  auto marks = server.Get("/api/v1/bookmarks", bob.token);
  ASSERT_EQ(marks.json().as_array().size(), 1u);
  EXPECT_EQ(server.Get("/api/v1/favourites", bob.token).json().as_array().size(), 1u);
  auto unboost = server.Post("/api/v1/statuses/" + id + "/unreblog", "", bob.token);
  EXPECT_EQ(unboost.json().as_object().at("reblogs_count").as_int64(), 0);
  auto unfav = server.Post("/api/v1/statuses/" + id + "/unfavourite", "", bob.token);
  EXPECT_EQ(unfav.json().as_object().at("favourites_count").as_int64(), 0);
  EXPECT_EQ(server.Post("/api/v1/statuses/" + id + "/unbookmark", "", bob.token).status, 200);
  EXPECT_EQ(server.Get("/api/v1/bookmarks", bob.token).json().as_array().size(), 0u);
}

TEST_F(StatusesTest, ContextListsAncestorsAndDescendants) {
  const std::string root = PostStatus(alice, R"({"status":"root"})");
  const std::string reply = PostStatus(bob, R"({"status":"reply","in_reply_to_id":")" + root + "\"}");
  const std::string nested = PostStatus(alice, R"({"status":"nested","in_reply_to_id":")" + reply + "\"}");
  auto ctx = server.Get("/api/v1/statuses/" + reply + "/context");
  ASSERT_EQ(ctx.status, 200);
  auto o = ctx.json().as_object();
  ASSERT_EQ(o.at("ancestors").as_array().size(), 1u);
  EXPECT_EQ(o.at("ancestors").as_array()[0].as_object().at("id").as_string(), root);
  ASSERT_EQ(o.at("descendants").as_array().size(), 1u);
  EXPECT_EQ(o.at("descendants").as_array()[0].as_object().at("id").as_string(), nested);
  auto rootPost = server.Get("/api/v1/statuses/" + root);
  EXPECT_EQ(rootPost.json().as_object().at("replies_count").as_int64(), 1);
}

TEST_F(StatusesTest, IdempotencyKeyReturnsTheSamePost) {
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", "application/json"}, {"Idempotency-Key", "abc-123"}};
  auto a = server.Send("POST", "/api/v1/statuses", R"({"status":"once"})", headers, alice.token);
  auto b = server.Send("POST", "/api/v1/statuses", R"({"status":"once"})", headers, alice.token);
  ASSERT_EQ(a.status, 200);
  ASSERT_EQ(b.status, 200);
  EXPECT_EQ(Str(a.json(), "id"), Str(b.json(), "id"));
  EXPECT_EQ(CountPosts(), 1);
}

// Status creation answers from the connection's thread once the post is durable
// (Api::RouteNonBlocking); the answer still carries the route's headers, and the rate limit
// still counts it.
TEST(StatusesRateLimitTest, CreationCarriesTheRouteHeadersAndIsLimitedPerToken) {
  TestServer server([](Config& c) {
    c.rate_limits.enabled = true;
    c.rate_limits.per_token = RateLimit{3, 300};
  });
  auto alice = server.CreateUser("alice");
  for (int i = 0; i < 3; ++i) {
    auto r = server.Post("/api/v1/statuses", R"({"status":"post )" + std::to_string(i) + "\"}",
                         alice.token);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("x-ratelimit-limit"), "3");
    EXPECT_EQ(r.header("x-ratelimit-remaining"), std::to_string(2 - i));
    EXPECT_EQ(r.header("cache-control"), "no-cache, no-store, max-age=0, must-revalidate");
    EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8");
  }
  auto limited = server.Post("/api/v1/statuses", R"({"status":"one too many"})", alice.token);
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(limited.error(), "Too many requests");
  EXPECT_EQ(limited.header("x-ratelimit-remaining"), "0");
  EXPECT_EQ(server.app().storage().Read()->posts().Count(), 3);
}

// Boosts, favourites and bookmarks, and undoing them, answer like creation from the connection's
// thread once durable: each route is non-blocking, each answer carries the route's headers and
// the counts the write left, and the rate limit counts them.
TEST(StatusesRateLimitTest, InteractionsAnswerLaterWithTheRouteHeaders) {
  TestServer server([](Config& c) {
    c.rate_limits.enabled = true;
    c.rate_limits.per_token = RateLimit{7, 300};
  });
  auto alice = server.CreateUser("alice");
  auto bob = server.CreateUser("bob");
  auto made = server.Post("/api/v1/statuses", R"({"status":"boost me"})", alice.token);
  ASSERT_EQ(made.status, 200) << made.body;
  const std::string id = Str(made.json(), "id");
  const std::string base = "/api/v1/statuses/" + id;
  for (const char* action :
       {"reblog", "unreblog", "favourite", "unfavourite", "bookmark", "unbookmark"}) {
    http::Request request;
    request.method = http::Method::kPost;
    request.path = base + "/" + action;
    EXPECT_TRUE(server.app().router().IsNonBlocking(request)) << action;
  }

  struct Step {
    const char* action;
    int64_t reblogs, favourites;
    bool reblogged, favourited, bookmarked;
  };
  const Step steps[] = {{"favourite", 0, 1, false, true, false},
                        {"favourite", 0, 1, false, true, false},  // again: no second write
                        {"reblog", 1, 1, true, true, false},
                        {"bookmark", 1, 1, true, true, true},
                        {"unfavourite", 1, 0, true, false, true},
                        {"unbookmark", 1, 0, true, false, false},
                        {"unreblog", 0, 0, false, false, false}};
  int remaining = 7;
  for (const Step& step : steps) {
    auto r = server.Post(base + "/" + step.action, "{}", bob.token);
    ASSERT_EQ(r.status, 200) << step.action << ": " << r.body;
    EXPECT_EQ(r.header("x-ratelimit-remaining"), std::to_string(--remaining)) << step.action;
    EXPECT_EQ(r.header("cache-control"), "no-cache, no-store, max-age=0, must-revalidate");
    // A boost answers with its wrapper; the rest with the post itself.
    const json::value body = r.json();
    const json::object& post =
        std::string(step.action) == "reblog" ? body.at("reblog").as_object() : body.as_object();
    EXPECT_EQ(post.at("id").as_string(), id) << step.action;
    EXPECT_EQ(post.at("reblogs_count").as_int64(), step.reblogs) << step.action;
    EXPECT_EQ(post.at("favourites_count").as_int64(), step.favourites) << step.action;
    EXPECT_EQ(post.at("reblogged").as_bool(), step.reblogged) << step.action;
    EXPECT_EQ(post.at("favourited").as_bool(), step.favourited) << step.action;
    EXPECT_EQ(post.at("bookmarked").as_bool(), step.bookmarked) << step.action;
  }
  auto limited = server.Post(base + "/favourite", "{}", bob.token);
  EXPECT_EQ(limited.status, 429) << limited.body;
  // Errors known before any write answer at once: an unknown post, a direct one.
  auto carol = server.CreateUser("carol");
  EXPECT_EQ(server.Post("/api/v1/statuses/999999/favourite", "{}", carol.token).status, 404);
  auto direct = server.Post("/api/v1/statuses", R"({"status":"@carol hi","visibility":"direct"})",
                            alice.token);
  ASSERT_EQ(direct.status, 200) << direct.body;
  auto boosted =
      server.Post("/api/v1/statuses/" + Str(direct.json(), "id") + "/reblog", "{}", carol.token);
  EXPECT_EQ(boosted.status, 403) << boosted.body;
  auto favourites = server.Get("/api/v1/notifications?types[]=favourite", alice.token);
  ASSERT_EQ(favourites.status, 200);
  EXPECT_EQ(favourites.json().as_array().size(), 0u) << "the unfavourite removed its notification";
}

TEST_F(StatusesTest, UnknownAndMalformedIdsAre404) {
  EXPECT_EQ(server.Get("/api/v1/statuses/999999").status, 404);
  EXPECT_EQ(server.Get("/api/v1/statuses/not-an-id").status, 404);
  EXPECT_EQ(server.Get("/api/v1/statuses/999999").error(), "Record not found");
}

TEST_F(StatusesTest, StatusesByIdArraySkipsInvisible) {
  const std::string a = PostStatus(alice, R"({"status":"a"})");
  const std::string p = PostStatus(alice, R"({"status":"p","visibility":"private"})");
  auto r = server.Get("/api/v1/statuses?id[]=" + a + "&id%5B%5D=" + p);
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.json().as_array().size(), 1u);
}

}  // namespace
}  // namespace stoa::testing
