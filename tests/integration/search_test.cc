// Search v2 over HTTP: accounts, hashtags (with history) and statuses (visibility, blocks), tag
// lookups, the bad inputs, and FTS operators in user input.
#include <gtest/gtest.h>

#include <set>

#include "common/strings.h"
#include "tests/integration/test_server.h"

namespace stoa::testing {
namespace {

namespace json = boost::json;

std::string Str(const json::value& v, const char* key) {
  return std::string(v.as_object().at(key).as_string());
}

class SearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    alice = server.CreateUser("alice");
    bob = server.CreateUser("bob");
    carol = server.CreateUser("carol");
  }

  social::Viewer ViewerOf(const TestServer::User& u) {
    return server.app().core().MakeViewer(u.id, Role::kMember);
  }
  std::string PostStatus(const TestServer::User& u, const std::string& text,
                         const std::string& visibility = "public") {
    json::object body{{"status", text}, {"visibility", visibility}};
    auto r = server.Post("/api/v1/statuses", json::serialize(body), u.token);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? Str(r.json(), "id") : "";
  }
  // Runs a search and returns the body object (checks 200 and the shape).
  json::object Search(const std::string& query, const std::string& token = "") {
    auto r = server.Get("/api/v2/search?" + query, token);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8");
    auto v = r.json();
    if (!v.is_object()) return {};
    const auto& o = v.as_object();
    EXPECT_EQ(o.size(), 3u) << r.body;
    for (const char* key : {"accounts", "statuses", "hashtags"}) {
      EXPECT_TRUE(o.contains(key) && o.at(key).is_array()) << key << " in " << r.body;
    }
    return o;
  }
  std::vector<std::string> Field(const json::object& results, const char* list, const char* key) {
    std::vector<std::string> out;
    for (const auto& item : results.at(list).as_array()) out.push_back(Str(item, key));
    return out;
  }
  std::vector<std::string> StatusIds(const std::string& q, const std::string& token) {
    return Field(Search("type=statuses&q=" + UrlEncode(q), token), "statuses", "id");
  }

  TestServer server;
  TestServer::User alice, bob, carol;
};

TEST_F(SearchTest, AccountsByUsernamePrefixAndDisplayName) {
  auto alfred = server.CreateUser("alfred");
  social::ProfileChanges changes;
  changes.display_name = "Zebra Crossing";
  ASSERT_TRUE(server.app().accounts().UpdateProfile(ViewerOf(bob), changes).ok());

  struct Case {
    std::string q;
    std::set<std::string> usernames;
  };
  const std::vector<Case> cases = {
      {"al", {"alice", "alfred"}}, {"ALI", {"alice"}}, {"@alice", {"alice"}},
      {"zebra", {"bob"}},          {"cross", {"bob"}}, {"nobody_here", {}},
  };
  for (const auto& c : cases) {
    auto results = Search("type=accounts&q=" + UrlEncode(c.q));  // anonymous works too
    auto names = Field(results, "accounts", "username");
    EXPECT_EQ(std::set<std::string>(names.begin(), names.end()), c.usernames) << c.q;
    EXPECT_TRUE(results.at("statuses").as_array().empty());
    EXPECT_TRUE(results.at("hashtags").as_array().empty());
  }
  // An exact username match comes first.
  EXPECT_EQ(Field(Search("type=accounts&q=alice", alice.token), "accounts", "username").front(),
            "alice");
  // Entities are full accounts with string ids.
  auto results = Search("type=accounts&q=alfred");
  ASSERT_EQ(results.at("accounts").as_array().size(), 1u);
  const auto& a = results.at("accounts").as_array()[0].as_object();
  EXPECT_EQ(a.at("id").as_string(), IdToString(alfred.id));
  EXPECT_TRUE(a.contains("avatar") && a.contains("acct") && a.contains("followers_count"));

  // following=true keeps only accounts the viewer follows.
  social::FollowOptions options;
  ASSERT_TRUE(server.app().relationships().Follow(ViewerOf(carol), alfred.id, options).ok());
  auto followed =
      Field(Search("type=accounts&following=true&q=al", carol.token), "accounts", "username");
  EXPECT_EQ(followed, std::vector<std::string>{"alfred"});

  // Blocked accounts are not found, in either direction.
  ASSERT_TRUE(server.app().relationships().Block(ViewerOf(alfred), carol.id).ok());
  EXPECT_TRUE(Search("type=accounts&q=alfred", carol.token).at("accounts").as_array().empty());
  EXPECT_TRUE(Search("type=accounts&q=carol", alfred.token).at("accounts").as_array().empty());
}

TEST_F(SearchTest, HashtagsWithHistory) {
  PostStatus(alice, "first #StoaTalk");
  PostStatus(bob, "second #stoatalk");
  PostStatus(bob, "third #stoatalk and #stoabuild");
  PostStatus(alice, "unrelated #gardening");

  auto results = Search("type=hashtags&q=%23stoa");
  auto names = Field(results, "hashtags", "name");
  // Most used first.
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(AsciiLower(names[0]), "stoatalk");
  EXPECT_EQ(names[1], "stoabuild");
  const auto& tag = results.at("hashtags").as_array()[0].as_object();
  EXPECT_NE(std::string(tag.at("url").as_string()).find("/tags/stoatalk"), std::string::npos);
  const auto& history = tag.at("history").as_array();
  ASSERT_EQ(history.size(), 7u);
  const auto& today = history[0].as_object();
  EXPECT_EQ(today.at("uses").as_string(), "3");
  EXPECT_EQ(today.at("accounts").as_string(), "2");
  EXPECT_TRUE(today.at("day").is_string());
  EXPECT_EQ(history[1].as_object().at("uses").as_string(), "0");
  // Without the '#' too, and with mixed case.
  EXPECT_EQ(Field(Search("type=hashtags&q=StoaT"), "hashtags", "name"),
            std::vector<std::string>{names[0]});

  // GET /api/v1/tags/:name, case-insensitively; 404 for a tag never used.
  for (const std::string path : {"stoatalk", "STOATALK", "%23StoaTalk"}) {
    auto r = server.Get("/api/v1/tags/" + path);
    ASSERT_EQ(r.status, 200) << path << ": " << r.body;
    EXPECT_EQ(Str(r.json(), "name"), names[0]);
    EXPECT_EQ(r.json().as_object().at("history").as_array().size(), 7u);
    EXPECT_FALSE(r.json().as_object().at("following").as_bool());
  }
  auto missing = server.Get("/api/v1/tags/neverused");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.error(), "Record not found");
  EXPECT_EQ(missing.header("content-type"), "application/json; charset=utf-8");

  auto followed = server.Get("/api/v1/followed_tags", alice.token);
  ASSERT_EQ(followed.status, 200);
  EXPECT_EQ(followed.body, "[]");
  EXPECT_EQ(server.Get("/api/v1/followed_tags", server.Token(kNoId, "read")).status, 422);
}

TEST_F(SearchTest, StatusesRespectVisibility) {
  auto dave = server.CreateUser("dave");
  const std::string pub = PostStatus(alice, "pineapple for everyone");
  const std::string priv = PostStatus(alice, "pineapple for followers", "private");
  const std::string direct = PostStatus(alice, "pineapple secret for @bob", "direct");
  const std::string daves = PostStatus(dave, "pineapple from dave");
  // bob follows alice; carol does not.
  social::FollowOptions options;
  ASSERT_TRUE(server.app().relationships().Follow(ViewerOf(bob), alice.id, options).ok());
  // carol blocks dave.
  ASSERT_TRUE(server.app().relationships().Block(ViewerOf(carol), dave.id).ok());

  struct Case {
    std::string who;
    std::string token;
    std::set<std::string> found;
    std::set<std::string> not_found;
  };
  const std::vector<Case> cases = {
      {"anonymous", "", {pub, daves}, {priv, direct}},
      {"author", alice.token, {pub, priv, direct, daves}, {}},
      {"mentioned follower", bob.token, {pub, direct, daves}, {}},
      {"stranger who blocks dave", carol.token, {pub}, {priv, direct, daves}},
      {"dave, blocked by carol", dave.token, {pub, daves}, {priv, direct}},
  };
  for (const auto& c : cases) {
    auto ids = StatusIds("pineapple", c.token);
    std::set<std::string> got(ids.begin(), ids.end());
    for (const auto& id : c.found) EXPECT_TRUE(got.count(id)) << c.who << " should find " << id;
    for (const auto& id : c.not_found)
      EXPECT_FALSE(got.count(id)) << c.who << " must not find " << id;
  }
  // Every word must occur; results are full statuses, newest first.
  EXPECT_EQ(StatusIds("pineapple everyone", ""), std::vector<std::string>{pub});
  auto results = Search("type=statuses&q=pineapple", alice.token);
  const auto& statuses = results.at("statuses").as_array();
  ASSERT_GE(statuses.size(), 2u);
  EXPECT_GT(std::stoll(Str(statuses[0], "id")), std::stoll(Str(statuses[1], "id")));
  EXPECT_TRUE(statuses[0].as_object().contains("account"));
  EXPECT_TRUE(statuses[0].as_object().contains("content"));

  // account_id restricts statuses to one author.
  EXPECT_EQ(Field(Search("type=statuses&q=pineapple&account_id=" + IdToString(dave.id)), "statuses",
                  "id"),
            std::vector<std::string>{daves});
  // A deleted post is gone from search.
  ASSERT_EQ(server.Delete("/api/v1/statuses/" + pub, alice.token).status, 200);
  auto after = StatusIds("pineapple", "");
  EXPECT_EQ(std::set<std::string>(after.begin(), after.end()), std::set<std::string>{daves});
}

TEST_F(SearchTest, FilteredMatchesDoNotHideOlderResults) {
  // Visibility and account_id filter after matching: a page must still reach older matches.
  const std::string bobs = PostStatus(bob, "mango from bob");
  for (int i = 0; i < 20; ++i) PostStatus(alice, "mango " + std::to_string(i));
  for (int i = 0; i < 20; ++i) PostStatus(carol, "mango again " + std::to_string(i));
  EXPECT_EQ(Field(Search("type=statuses&limit=1&q=mango&account_id=" + IdToString(bob.id)),
                  "statuses", "id"),
            std::vector<std::string>{bobs});
  // dave blocks carol and mutes alice: their forty newer matches are skipped, bob's is found.
  auto dave = server.CreateUser("dave");
  ASSERT_TRUE(server.app().relationships().Block(ViewerOf(dave), carol.id).ok());
  ASSERT_TRUE(server.app().relationships().Mute(ViewerOf(dave), alice.id, true, 0).ok());
  EXPECT_EQ(Field(Search("type=statuses&limit=1&q=mango", dave.token), "statuses", "id"),
            std::vector<std::string>{bobs});
}

TEST_F(SearchTest, AllTypesAtOnceAndLimits) {
  for (int i = 0; i < 5; ++i) server.CreateUser("kiwi" + std::to_string(i));
  for (int i = 0; i < 5; ++i)
    PostStatus(alice, "kiwi number " + std::to_string(i) + " #kiwi" + std::to_string(i));
  auto all = Search("q=kiwi", alice.token);
  EXPECT_EQ(all.at("accounts").as_array().size(), 5u);
  EXPECT_EQ(all.at("statuses").as_array().size(), 5u);
  EXPECT_EQ(all.at("hashtags").as_array().size(), 5u);

  auto first = Field(Search("type=accounts&q=kiwi&limit=2", alice.token), "accounts", "id");
  auto second =
      Field(Search("type=accounts&q=kiwi&limit=2&offset=2", alice.token), "accounts", "id");
  ASSERT_EQ(first.size(), 2u);
  ASSERT_EQ(second.size(), 2u);
  EXPECT_TRUE(std::set<std::string>(first.begin(), first.end()).count(second[0]) == 0);
  EXPECT_EQ(Search("type=statuses&q=kiwi&limit=3", alice.token).at("statuses").as_array().size(),
            3u);
  // limit is clamped to 40, not rejected.
  EXPECT_EQ(Search("type=hashtags&q=kiwi&limit=500").at("hashtags").as_array().size(), 5u);
  // Statuses page by id.
  auto statuses = Field(Search("type=statuses&q=kiwi", alice.token), "statuses", "id");
  ASSERT_EQ(statuses.size(), 5u);
  auto older =
      Field(Search("type=statuses&q=kiwi&max_id=" + statuses[1], alice.token), "statuses", "id");
  EXPECT_EQ(older, (std::vector<std::string>{statuses[2], statuses[3], statuses[4]}));
}

TEST_F(SearchTest, BadInputs) {
  const std::string app_only = server.Token(kNoId, "read");
  struct Case {
    std::string name, query, token;
    int status;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"q missing", "type=accounts", "", 400, "param is missing or the value is empty: q"},
      {"q empty", "q=", alice.token, 400, "param is missing or the value is empty: q"},
      {"q blank", "q=%20%20", alice.token, 400, "param is missing or the value is empty: q"},
      {"bad type", "q=a&type=users", alice.token, 400,
       "type must be one of accounts, hashtags, statuses"},
      {"negative limit", "q=a&limit=-1", "", 400, "limit must not be negative"},
      {"negative offset", "q=a&type=accounts&offset=-1", alice.token, 400,
       "offset must not be negative"},
      {"bad offset", "q=a&type=accounts&offset=x", alice.token, 400, "offset must be an integer"},
      {"bad account_id", "q=a&account_id=zz", alice.token, 400, "account_id must be an id"},
      {"resolve anonymous", "q=alice&resolve=true", "", 401,
       "Search queries that resolve remote resources are not supported without authentication"},
      {"resolve app token", "q=alice&resolve=1", app_only, 401,
       "Search queries that resolve remote resources are not supported without authentication"},
      {"offset anonymous", "q=alice&type=accounts&offset=5", "", 401,
       "Search queries pagination is not supported without authentication"},
      {"bad token", "q=alice", "nope", 401, "The access token is invalid"},
  };
  for (const auto& c : cases) {
    auto r = server.Get("/api/v2/search?" + c.query, c.token);
    EXPECT_EQ(r.status, c.status) << c.name << ": " << r.body;
    EXPECT_EQ(r.error(), c.error) << c.name;
    EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8") << c.name;
  }
  // resolve=false and offset=0-with-a-user are fine; resolve with a user is accepted (nothing
  // remote exists to resolve).
  Search("q=alice&resolve=false");
  Search("q=alice&resolve=true", alice.token);
  Search("q=alice&type=accounts&offset=0", alice.token);

  // Scopes: read:search suffices, write alone does not.
  EXPECT_EQ(server.Get("/api/v2/search?q=alice", server.Token(alice.id, "read:search")).status,
            200);
  auto wrong = server.Get("/api/v2/search?q=alice", server.Token(alice.id, "write"));
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(wrong.error(), "This action is outside the authorized scopes");
}

TEST_F(SearchTest, FtsOperatorsInTheQueryAreLiteral) {
  const std::string post = PostStatus(alice, "quoted \"words\" and stars* NEAR(here)");
  const std::vector<std::string> queries = {
      "\"",          "\"\"",
      "*",           "**",
      "NEAR(",       "NEAR(a b)",
      "a\"b",        "AND",
      "OR",          "NOT",
      "a OR b",      "(",
      ")",           "{",
      "}",           "col:value",
      "text:x",      "^start",
      "-minus",      "+plus",
      "'",           "\\",
      "%",           "_",
      "a AND NOT b", "\"unterminated",
      "stars*",      "*stars",
      "NEAR(here)",  ":",
      "[]",
  };
  for (const auto& q : queries) {
    auto r = server.Get("/api/v2/search?q=" + UrlEncode(q), alice.token);
    EXPECT_EQ(r.status, 200) << q << ": " << r.body;
    EXPECT_TRUE(r.json().is_object()) << q;
  }
  // Quoting makes the words match as words.
  EXPECT_EQ(StatusIds("\"words\"", alice.token), std::vector<std::string>{post});
  EXPECT_EQ(StatusIds("NEAR(here)", alice.token), std::vector<std::string>{post});
  EXPECT_TRUE(StatusIds("OR", alice.token).empty());
}

}  // namespace
}  // namespace stoa::testing
