// Notifications over HTTP: every type with its shape, filters, paging, dismiss and clear, unread
// counts with markers, hiding (blocks, mutes, someone else's), the grouped v2 API, and the auth
// failures (app-only token, wrong scope).
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>

#include "tests/integration/test_server.h"

namespace stoa::testing {
namespace {

namespace json = boost::json;

std::string Str(const json::value& v, const char* key) {
  return std::string(v.as_object().at(key).as_string());
}

// "/path?query" of the rel="<rel>" link, "" when there is none.
std::string LinkTarget(const std::string& link, const std::string& rel) {
  std::smatch m;
  const std::regex re("<https?://[^/>]+([^>]*)>; rel=\"" + rel + "\"");
  return std::regex_search(link, m, re) ? m[1].str() : "";
}

class NotificationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    alice = server.CreateUser("alice");
    bob = server.CreateUser("bob");
    carol = server.CreateUser("carol");
  }

  social::Viewer ViewerOf(const TestServer::User& u) {
    return server.app().core().MakeViewer(u.id, Role::kMember);
  }
  void Follow(const TestServer::User& from, const TestServer::User& to, bool notify = false) {
    social::FollowOptions options;
    options.notify = notify;
    auto r = server.app().relationships().Follow(ViewerOf(from), to.id, options);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  std::string PostStatus(const TestServer::User& u, const std::string& text,
                         const std::string& visibility = "public") {
    json::object body{{"status", text}, {"visibility", visibility}};
    auto r = server.Post("/api/v1/statuses", json::serialize(body), u.token);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? Str(r.json(), "id") : "";
  }
  // The notifications alice (or `u`) sees at `query`, as parsed JSON.
  json::array List(const TestServer::User& u, const std::string& query = "") {
    auto r = server.Get("/api/v1/notifications" + query, u.token);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8");
    auto v = r.json();
    return v.is_array() ? v.as_array() : json::array();
  }
  std::vector<std::string> Types(const json::array& list) {
    std::vector<std::string> out;
    for (const auto& n : list) out.push_back(Str(n, "type"));
    return out;
  }
  std::vector<std::string> Ids(const json::array& list) {
    std::vector<std::string> out;
    for (const auto& n : list) out.push_back(Str(n, "id"));
    return out;
  }
  int64_t UnreadCount(const TestServer::User& u, const std::string& query = "") {
    auto r = server.Get("/api/v1/notifications/unread_count" + query, u.token);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json().as_object().at("count").as_int64();
  }
  int64_t StoredCount(const TestServer::User& u) {
    auto read = server.app().storage().Read();
    storage::PageQuery page;
    page.limit = 1000;
    return static_cast<int64_t>(read->notifications().List(u.id, {}, page).size());
  }

  TestServer server;
  TestServer::User alice, bob, carol;
};

TEST_F(NotificationsTest, EveryTypeAppearsWithTheRightShape) {
  // follow: bob follows alice while she is unlocked.
  Follow(bob, alice);
  // follow_request: alice locks her account, then carol asks.
  social::ProfileChanges lock;
  lock.locked = true;
  ASSERT_TRUE(server.app().accounts().UpdateProfile(ViewerOf(alice), lock).ok());
  Follow(carol, alice);
  // status: alice follows bob with notify=true, then bob posts.
  Follow(alice, bob, /*notify=*/true);
  const std::string bobs_post = PostStatus(bob, "a post for my followers");
  // mention.
  const std::string mention = PostStatus(bob, "hello @alice");
  // favourite and reblog of alice's post.
  const std::string alices_post = PostStatus(alice, "my own post");
  ASSERT_EQ(server.Post("/api/v1/statuses/" + alices_post + "/favourite", "{}", bob.token).status,
            200);
  ASSERT_EQ(server.Post("/api/v1/statuses/" + alices_post + "/reblog", "{}", bob.token).status,
            200);
  // update: alice boosted bob's post, which bob then edits.
  ASSERT_EQ(server.Post("/api/v1/statuses/" + bobs_post + "/reblog", "{}", alice.token).status,
            200);
  ASSERT_EQ(
      server.Put("/api/v1/statuses/" + bobs_post, R"({"status":"edited text"})", bob.token).status,
      200);

  const json::array list = List(alice);
  struct Expect {
    std::string type;
    std::string from;
    std::string status_id;  // "" when the type carries no status
  };
  const std::vector<Expect> expected = {
      {"update", IdToString(bob.id), bobs_post},
      {"reblog", IdToString(bob.id), alices_post},
      {"favourite", IdToString(bob.id), alices_post},
      {"mention", IdToString(bob.id), mention},
      {"status", IdToString(bob.id), bobs_post},
      {"follow_request", IdToString(carol.id), ""},
      {"follow", IdToString(bob.id), ""},
  };
  ASSERT_EQ(list.size(), expected.size()) << json::serialize(list);
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& n = list[i].as_object();
    const auto& e = expected[i];
    SCOPED_TRACE(e.type);
    EXPECT_EQ(n.at("type").as_string(), e.type);
    ASSERT_TRUE(n.at("id").is_string());
    EXPECT_EQ(n.at("group_key").as_string(), "ungrouped-" + std::string(n.at("id").as_string()));
    const std::string created(n.at("created_at").as_string());
    EXPECT_EQ(created.size(), 24u);
    EXPECT_EQ(n.at("account").as_object().at("id").as_string(), e.from);
    if (e.status_id.empty()) {
      EXPECT_FALSE(n.contains("status"));
    } else {
      ASSERT_TRUE(n.contains("status"));
      EXPECT_EQ(n.at("status").as_object().at("id").as_string(), e.status_id);
    }
  }
  // The edited post is shown as it is now.
  EXPECT_NE(std::string(list[0].as_object().at("status").as_object().at("content").as_string())
                .find("edited text"),
            std::string::npos);

  // GET one by id gives the same entity.
  auto one = server.Get("/api/v1/notifications/" + Str(list[3], "id"), alice.token);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.json(), list[3]);
}

TEST_F(NotificationsTest, TypesAndExcludeTypesFilter) {
  Follow(bob, alice);
  PostStatus(bob, "hi @alice");
  const std::string post = PostStatus(alice, "favourite me");
  ASSERT_EQ(server.Post("/api/v1/statuses/" + post + "/favourite", "{}", carol.token).status, 200);

  struct Case {
    std::string query;
    std::vector<std::string> types;
  };
  const std::vector<Case> cases = {
      {"", {"favourite", "mention", "follow"}},
      {"?types[]=mention", {"mention"}},
      {"?types%5B%5D=mention&types%5B%5D=favourite", {"favourite", "mention"}},
      {"?exclude_types[]=follow", {"favourite", "mention"}},
      {"?exclude_types[]=follow&exclude_types[]=mention", {"favourite"}},
      {"?types[]=mention&exclude_types[]=mention", {}},
      // Unknown names in types[] are ignored, as Mastodon does; only unknown ones match nothing.
      {"?types[]=mention&types[]=no_such_type", {"mention"}},
      {"?types[]=no_such_type", {}},
      {"?exclude_types[]=no_such_type", {"favourite", "mention", "follow"}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Types(List(alice, c.query)), c.types) << c.query;
  }
  // unread_count honours the same filters.
  EXPECT_EQ(UnreadCount(alice, "?types[]=mention"), 1);
  EXPECT_EQ(UnreadCount(alice, "?exclude_types[]=mention"), 2);
}

TEST_F(NotificationsTest, AccountIdFilter) {
  PostStatus(bob, "hi @alice");
  PostStatus(carol, "hello @alice");
  PostStatus(carol, "again @alice");
  auto from_carol = List(alice, "?account_id=" + IdToString(carol.id));
  ASSERT_EQ(from_carol.size(), 2u);
  for (const auto& n : from_carol) {
    EXPECT_EQ(n.as_object().at("account").as_object().at("id").as_string(), IdToString(carol.id));
  }
  EXPECT_EQ(List(alice, "?account_id=" + IdToString(bob.id)).size(), 1u);
  EXPECT_EQ(List(alice, "?account_id=12345").size(), 0u);
  EXPECT_EQ(List(alice, "?account_id=not-an-id").size(), 0u);
}

TEST_F(NotificationsTest, PagingFollowsTheLinkHeader) {
  for (int i = 0; i < 5; ++i) PostStatus(bob, "ping " + std::to_string(i) + " @alice");
  PostStatus(carol, "not a mention");
  Follow(carol, alice);  // a follow, filtered out below

  std::vector<std::string> seen;
  std::string target = "/api/v1/notifications?types[]=mention&limit=2";
  int pages = 0;
  while (!target.empty() && pages < 10) {
    auto r = server.Get(target, alice.token);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto page = r.json().as_array();
    ++pages;
    if (page.empty()) {
      EXPECT_EQ(r.header("link"), "") << "no Link on an empty page";
      break;
    }
    EXPECT_LE(page.size(), 2u);
    for (const auto& n : page) {
      EXPECT_EQ(Str(n, "type"), "mention");
      seen.push_back(Str(n, "id"));
    }
    const std::string link = r.header("link");
    ASSERT_FALSE(link.empty());
    // Links are absolute, repeat the filter and the limit, and page by the edge ids.
    EXPECT_NE(link.find("<http"), std::string::npos) << link;
    EXPECT_NE(link.find("types%5B%5D=mention"), std::string::npos) << link;
    EXPECT_NE(link.find("limit=2"), std::string::npos) << link;
    EXPECT_NE(link.find("max_id=" + Str(page.back(), "id")), std::string::npos) << link;
    EXPECT_NE(link.find("min_id=" + Str(page.front(), "id")), std::string::npos) << link;
    target = LinkTarget(link, "next");
  }
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 5u);
  EXPECT_TRUE(std::is_sorted(
      seen.begin(), seen.end(),
      [](const std::string& a, const std::string& b) { return std::stoll(a) > std::stoll(b); }));

  // min_id gives the items right after it, still newest first; since_id the newest after it.
  auto after = List(alice, "?types[]=mention&limit=2&min_id=" + seen[4]);
  EXPECT_EQ(Ids(after), (std::vector<std::string>{seen[2], seen[3]}));
  auto since = List(alice, "?types[]=mention&limit=2&since_id=" + seen[4]);
  EXPECT_EQ(Ids(since), (std::vector<std::string>{seen[0], seen[1]}));

  // Limits: clamped to 80, negative or malformed is 400.
  EXPECT_EQ(List(alice, "?limit=1000").size(), 6u);
  for (const std::string q : {"?limit=-1", "?limit=abc", "?max_id=xyz"}) {
    auto r = server.Get("/api/v1/notifications" + q, alice.token);
    EXPECT_EQ(r.status, 400) << q;
    EXPECT_FALSE(r.error().empty()) << q;
  }
}

TEST_F(NotificationsTest, DismissAndClear) {
  PostStatus(bob, "one @alice");
  PostStatus(bob, "two @alice");
  PostStatus(bob, "three @alice");
  auto ids = Ids(List(alice));
  ASSERT_EQ(ids.size(), 3u);

  auto dismissed = server.Post("/api/v1/notifications/" + ids[0] + "/dismiss", "{}", alice.token);
  ASSERT_EQ(dismissed.status, 200) << dismissed.body;
  EXPECT_EQ(dismissed.body, "{}");
  EXPECT_EQ(server.Get("/api/v1/notifications/" + ids[0], alice.token).status, 404);
  EXPECT_EQ(server.Post("/api/v1/notifications/" + ids[0] + "/dismiss", "{}", alice.token).status,
            404);
  EXPECT_EQ(Ids(List(alice)), (std::vector<std::string>{ids[1], ids[2]}));

  // The legacy form with the id in the body.
  auto legacy = server.Form("POST", "/api/v1/notifications/dismiss", "id=" + ids[1], alice.token);
  ASSERT_EQ(legacy.status, 200) << legacy.body;
  EXPECT_EQ(Ids(List(alice)), (std::vector<std::string>{ids[2]}));

  PostStatus(carol, "hi @bob");  // bob's notifications are not touched by alice's clear
  auto cleared = server.Post("/api/v1/notifications/clear", "{}", alice.token);
  ASSERT_EQ(cleared.status, 200);
  EXPECT_EQ(cleared.body, "{}");
  EXPECT_TRUE(List(alice).empty());
  EXPECT_EQ(StoredCount(alice), 0);
  EXPECT_EQ(List(bob).size(), 1u);
}

TEST_F(NotificationsTest, UnreadCountFollowsTheNotificationsMarker) {
  EXPECT_EQ(UnreadCount(alice), 0);
  for (int i = 0; i < 4; ++i) PostStatus(bob, "n" + std::to_string(i) + " @alice");
  auto ids = Ids(List(alice));  // newest first
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(UnreadCount(alice), 4);
  EXPECT_EQ(UnreadCount(alice, "?limit=2"), 2);
  EXPECT_EQ(server.Get("/api/v1/notifications/unread_count?limit=-3", alice.token).status, 400);

  // No marker yet: an empty object.
  auto none = server.Get("/api/v1/markers?timeline[]=home&timeline[]=notifications", alice.token);
  ASSERT_EQ(none.status, 200);
  EXPECT_EQ(none.body, "{}");

  // JSON nested objects.
  auto set = server.Post("/api/v1/markers",
                         R"({"notifications":{"last_read_id":")" + ids[2] + R"("}})", alice.token);
  ASSERT_EQ(set.status, 200) << set.body;
  const auto marker = set.json().as_object().at("notifications").as_object();
  EXPECT_EQ(marker.at("last_read_id").as_string(), ids[2]);
  EXPECT_EQ(marker.at("version").as_int64(), 0);
  EXPECT_EQ(std::string(marker.at("updated_at").as_string()).size(), 24u);
  EXPECT_FALSE(set.json().as_object().contains("home"));
  EXPECT_EQ(UnreadCount(alice), 2);
  EXPECT_EQ(server.Get("/api/v2/notifications/unread_count", alice.token)
                .json()
                .as_object()
                .at("count")
                .as_int64(),
            2);

  // Form encoding, both timelines at once; the version goes up.
  auto form = server.Form("POST", "/api/v1/markers",
                          "home[last_read_id]=" + ids[0] + "&notifications[last_read_id]=" + ids[0],
                          alice.token);
  ASSERT_EQ(form.status, 200) << form.body;
  EXPECT_EQ(form.json().as_object().at("notifications").as_object().at("version").as_int64(), 1);
  EXPECT_EQ(form.json().as_object().at("home").as_object().at("last_read_id").as_string(), ids[0]);
  EXPECT_EQ(UnreadCount(alice), 0);

  auto both = server.Get("/api/v1/markers?timeline[]=home&timeline[]=notifications", alice.token);
  ASSERT_EQ(both.status, 200);
  EXPECT_TRUE(both.json().as_object().contains("home"));
  EXPECT_TRUE(both.json().as_object().contains("notifications"));
  auto only_home = server.Get("/api/v1/markers?timeline[]=home", alice.token);
  EXPECT_FALSE(only_home.json().as_object().contains("notifications"));
  EXPECT_EQ(server.Get("/api/v1/markers", alice.token).body, "{}");
  // Markers are per user.
  EXPECT_EQ(server.Get("/api/v1/markers?timeline[]=home", bob.token).body, "{}");

  // Bad input writes nothing, not even the valid half.
  struct Case {
    std::string name, body;
  };
  const std::vector<Case> bad = {
      {"missing last_read_id",
       R"({"home":{"last_read_id":")" + ids[3] + R"("},"notifications":{}})"},
      {"blank", R"({"notifications":{"last_read_id":""}})"},
      {"not an id",
       R"({"home":{"last_read_id":")" + ids[3] + R"("},"notifications":{"last_read_id":"abc"}})"},
      {"scalar", R"({"notifications":"12"})"},
  };
  for (const auto& c : bad) {
    auto r = server.Post("/api/v1/markers", c.body, alice.token);
    EXPECT_EQ(r.status, 422) << c.name << ": " << r.body;
    EXPECT_FALSE(r.error().empty()) << c.name;
  }
  auto after = server.Get("/api/v1/markers?timeline[]=home&timeline[]=notifications", alice.token);
  EXPECT_EQ(after.json(), both.json());
  // Nothing to set: an empty object.
  EXPECT_EQ(server.Post("/api/v1/markers", "{}", alice.token).body, "{}");

  // Markers need read:statuses / write:statuses.
  const std::string notifications_only =
      server.Token(alice.id, "read:notifications write:notifications");
  EXPECT_EQ(server.Get("/api/v1/markers?timeline[]=home", notifications_only).status, 403);
  EXPECT_EQ(
      server.Post("/api/v1/markers", R"({"home":{"last_read_id":"1"}})", notifications_only).status,
      403);
}

TEST_F(NotificationsTest, BlockedAndMutedAccountsAreHidden) {
  PostStatus(bob, "from bob @alice");
  PostStatus(carol, "from carol @alice");
  auto dave = server.CreateUser("dave");
  PostStatus(dave, "from dave @alice");
  auto before = List(alice);
  ASSERT_EQ(before.size(), 3u);
  std::string carols_id;
  for (const auto& n : before) {
    if (n.as_object().at("account").as_object().at("id").as_string() == IdToString(carol.id)) {
      carols_id = Str(n, "id");
    }
  }

  // A mute with notifications hides them; a mute without does not.
  ASSERT_TRUE(server.app().relationships().Mute(ViewerOf(alice), carol.id, true, 0).ok());
  ASSERT_TRUE(server.app().relationships().Mute(ViewerOf(alice), dave.id, false, 0).ok());
  // Blocking hides (and removes) everything between the two.
  ASSERT_TRUE(server.app().relationships().Block(ViewerOf(alice), bob.id).ok());

  auto list = List(alice);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].as_object().at("account").as_object().at("id").as_string(),
            IdToString(dave.id));
  EXPECT_EQ(UnreadCount(alice), 1);
  EXPECT_EQ(server.Get("/api/v1/notifications/" + carols_id, alice.token).status, 404);
  EXPECT_EQ(List(alice, "?account_id=" + IdToString(carol.id)).size(), 0u);

  // New mentions from the muted account stay hidden too.
  PostStatus(carol, "still here @alice");
  EXPECT_EQ(List(alice).size(), 1u);

  // Unmuting shows them again.
  ASSERT_TRUE(server.app().relationships().Unmute(ViewerOf(alice), carol.id).ok());
  EXPECT_EQ(List(alice).size(), 3u);
}

TEST_F(NotificationsTest, HiddenNotificationsDoNotCutAPageShort) {
  PostStatus(bob, "older, visible @alice");
  for (int i = 0; i < 6; ++i) PostStatus(carol, "spam " + std::to_string(i) + " @alice");
  ASSERT_TRUE(server.app().relationships().Mute(ViewerOf(alice), carol.id, true, 0).ok());
  // The newest six are hidden; a page of two still reaches bob's.
  auto page = List(alice, "?limit=2");
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].as_object().at("account").as_object().at("id").as_string(), IdToString(bob.id));
  EXPECT_EQ(UnreadCount(alice), 1);
}

TEST_F(NotificationsTest, SomeoneElsesNotificationIsNotFound) {
  PostStatus(alice, "hi @bob");
  auto bobs = List(bob);
  ASSERT_EQ(bobs.size(), 1u);
  const std::string id = Str(bobs[0], "id");
  struct Case {
    std::string method, target;
  };
  const std::vector<Case> cases = {
      {"GET", "/api/v1/notifications/" + id},
      {"POST", "/api/v1/notifications/" + id + "/dismiss"},
      {"GET", "/api/v2/notifications/ungrouped-" + id},
      {"POST", "/api/v2/notifications/ungrouped-" + id + "/dismiss"},
      {"GET", "/api/v1/notifications/99999"},
      {"GET", "/api/v1/notifications/not-an-id"},
      {"GET", "/api/v2/notifications/some-other-group"},
  };
  for (const auto& c : cases) {
    auto r = server.Send(c.method, c.target, c.method == "POST" ? "{}" : "",
                         {{"Content-Type", "application/json"}}, carol.token);
    EXPECT_EQ(r.status, 404) << c.method << " " << c.target;
    EXPECT_EQ(r.error(), "Record not found") << c.target;
    EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8");
  }
  EXPECT_EQ(List(bob).size(), 1u);
  EXPECT_EQ(StoredCount(bob), 1);
}

TEST_F(NotificationsTest, AuthFailures) {
  const std::string app_only = server.Token(kNoId, "read write");
  const std::string read_statuses = server.Token(alice.id, "read:statuses write:statuses");
  const std::string read_notifications = server.Token(alice.id, "read:notifications");
  struct Case {
    std::string name, method, target, token;
    int status;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"no token", "GET", "/api/v1/notifications", "", 401, "The access token is invalid"},
      {"bad token", "GET", "/api/v1/notifications", "nope", 401, "The access token is invalid"},
      {"app token list", "GET", "/api/v1/notifications", app_only, 422,
       "This method requires an authenticated user"},
      {"app token count", "GET", "/api/v1/notifications/unread_count", app_only, 422,
       "This method requires an authenticated user"},
      {"app token v2", "GET", "/api/v2/notifications", app_only, 422,
       "This method requires an authenticated user"},
      {"app token markers", "GET", "/api/v1/markers", app_only, 422,
       "This method requires an authenticated user"},
      {"wrong scope list", "GET", "/api/v1/notifications", read_statuses, 403,
       "This action is outside the authorized scopes"},
      {"wrong scope clear", "POST", "/api/v1/notifications/clear", read_notifications, 403,
       "This action is outside the authorized scopes"},
      {"wrong scope v2", "GET", "/api/v2/notifications", read_statuses, 403,
       "This action is outside the authorized scopes"},
  };
  for (const auto& c : cases) {
    auto r = server.Send(c.method, c.target, c.method == "POST" ? "{}" : "",
                         {{"Content-Type", "application/json"}}, c.token);
    EXPECT_EQ(r.status, c.status) << c.name << ": " << r.body;
    EXPECT_EQ(r.error(), c.error) << c.name;
  }
  // The narrow scope is enough.
  EXPECT_EQ(server.Get("/api/v1/notifications", read_notifications).status, 200);
}

TEST_F(NotificationsTest, UndoingAnActionRemovesItsNotification) {
  const std::string post = PostStatus(alice, "like me");
  ASSERT_EQ(server.Post("/api/v1/statuses/" + post + "/favourite", "{}", bob.token).status, 200);
  ASSERT_EQ(server.Post("/api/v1/statuses/" + post + "/reblog", "{}", bob.token).status, 200);
  EXPECT_EQ(Types(List(alice)), (std::vector<std::string>{"reblog", "favourite"}));
  ASSERT_EQ(server.Post("/api/v1/statuses/" + post + "/unfavourite", "{}", bob.token).status, 200);
  EXPECT_EQ(Types(List(alice)), (std::vector<std::string>{"reblog"}));
  ASSERT_EQ(server.Post("/api/v1/statuses/" + post + "/unreblog", "{}", bob.token).status, 200);
  EXPECT_TRUE(List(alice).empty());
  EXPECT_EQ(StoredCount(alice), 0);
}

TEST_F(NotificationsTest, GroupedV2ListsEachNotificationInItsOwnGroup) {
  Follow(bob, alice);
  const std::string post = PostStatus(alice, "mine");
  ASSERT_EQ(server.Post("/api/v1/statuses/" + post + "/favourite", "{}", bob.token).status, 200);
  ASSERT_EQ(server.Post("/api/v1/statuses/" + post + "/favourite", "{}", carol.token).status, 200);
  const auto v1 = List(alice);
  ASSERT_EQ(v1.size(), 3u);

  auto r = server.Get("/api/v2/notifications?limit=2", alice.token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8");
  const auto body = r.json().as_object();
  const auto& groups = body.at("notification_groups").as_array();
  ASSERT_EQ(groups.size(), 2u);
  for (size_t i = 0; i < groups.size(); ++i) {
    const auto& g = groups[i].as_object();
    const std::string id = Str(v1[i], "id");
    EXPECT_EQ(g.at("group_key").as_string(), "ungrouped-" + id);
    EXPECT_EQ(g.at("notifications_count").as_int64(), 1);
    EXPECT_EQ(g.at("type").as_string(), "favourite");
    EXPECT_EQ(g.at("most_recent_notification_id").as_string(), id);
    EXPECT_EQ(g.at("page_min_id").as_string(), id);
    EXPECT_EQ(g.at("page_max_id").as_string(), id);
    EXPECT_EQ(g.at("latest_page_notification_at"), v1[i].as_object().at("created_at"));
    ASSERT_EQ(g.at("sample_account_ids").as_array().size(), 1u);
    EXPECT_EQ(g.at("sample_account_ids").as_array()[0],
              v1[i].as_object().at("account").as_object().at("id"));
    EXPECT_EQ(g.at("status_id").as_string(), post);
  }
  // Accounts and statuses are listed once each.
  EXPECT_EQ(body.at("accounts").as_array().size(), 2u);
  ASSERT_EQ(body.at("statuses").as_array().size(), 1u);
  EXPECT_EQ(Str(body.at("statuses").as_array()[0], "id"), post);
  EXPECT_FALSE(body.contains("partial_accounts"));

  // Paging continues to the follow, which has no status_id.
  const std::string next = LinkTarget(r.header("link"), "next");
  ASSERT_FALSE(next.empty()) << r.header("link");
  auto second = server.Get(next, alice.token);
  ASSERT_EQ(second.status, 200);
  const json::value second_body = second.json();
  const auto& rest = second_body.as_object().at("notification_groups").as_array();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].as_object().at("type").as_string(), "follow");
  EXPECT_FALSE(rest[0].as_object().contains("status_id"));
  EXPECT_TRUE(second_body.as_object().at("statuses").as_array().empty());

  // Filters, partial avatars, one group, its accounts, dismissing it.
  auto follows = server.Get("/api/v2/notifications?types[]=follow&expand_accounts=partial_avatars",
                            alice.token);
  ASSERT_EQ(follows.status, 200);
  EXPECT_EQ(follows.json().as_object().at("notification_groups").as_array().size(), 1u);
  EXPECT_TRUE(follows.json().as_object().at("partial_accounts").as_array().empty());
  const std::string key = "ungrouped-" + Str(v1[0], "id");
  auto one = server.Get("/api/v2/notifications/" + key, alice.token);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.json().as_object().at("notification_groups").as_array()[0], groups[0]);
  auto accounts = server.Get("/api/v2/notifications/" + key + "/accounts", alice.token);
  ASSERT_EQ(accounts.status, 200);
  EXPECT_EQ(accounts.json().as_array().size(), 1u);
  auto dismissed = server.Post("/api/v2/notifications/" + key + "/dismiss", "{}", alice.token);
  ASSERT_EQ(dismissed.status, 200);
  EXPECT_EQ(dismissed.body, "{}");
  EXPECT_EQ(List(alice).size(), 2u);
  auto count = server.Get("/api/v2/notifications/unread_count", alice.token);
  EXPECT_EQ(count.json().as_object().at("count").as_int64(), 2);
}

TEST_F(NotificationsTest, PolicyAndRequestsSayNothingIsFiltered) {
  auto v2 = server.Get("/api/v2/notifications/policy", alice.token);
  ASSERT_EQ(v2.status, 200);
  EXPECT_EQ(v2.json().as_object().at("for_not_following").as_string(), "accept");
  EXPECT_EQ(v2.json().as_object().at("summary").as_object().at("pending_requests_count").as_int64(),
            0);
  auto v1 = server.Get("/api/v1/notifications/policy", alice.token);
  ASSERT_EQ(v1.status, 200);
  EXPECT_FALSE(v1.json().as_object().at("filter_not_following").as_bool());
  auto requests = server.Get("/api/v1/notifications/requests", alice.token);
  ASSERT_EQ(requests.status, 200);
  EXPECT_EQ(requests.body, "[]");
}

}  // namespace
}  // namespace stoa::testing
