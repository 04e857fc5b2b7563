// Relationships over HTTP: follow (with options), locked accounts and follow requests, unfollow,
// remove_from_followers, blocks, mutes (with duration), notes, the relationships lookup, the
// followers / following / blocks / mutes / follow_requests lists with Link paging, the counts,
// and the bad inputs (each leaves nothing behind).
#include <gtest/gtest.h>

#include <set>

#include "tests/integration/api_helpers.h"
#include "tests/integration/test_server.h"

namespace stoa::testing {
namespace {

namespace json = boost::json;

std::string Str(const json::value& v, const char* key) {
  return std::string(v.as_object().at(key).as_string());
}

bool Flag(const HttpResponse& r, const char* key) { return r.json().as_object().at(key).as_bool(); }

class RelationshipsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    alice = server.CreateUser("alice");
    bob = server.CreateUser("bob");
    carol = server.CreateUser("carol");
  }

  HttpResponse Act(const TestServer::User& who, const TestServer::User& target,
                   const std::string& verb, const std::string& body = "{}") {
    return server.Post("/api/v1/accounts/" + IdOf(target) + "/" + verb, body, who.token);
  }

  std::string PostStatus(const TestServer::User& u, const std::string& body) {
    auto r = server.Post("/api/v1/statuses", body, u.token);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json().is_object() ? Str(r.json(), "id") : "";
  }

  // followers_count / following_count as the API shows them.
  std::pair<int64_t, int64_t> Counts(const TestServer::User& u) {
    auto r = server.Get("/api/v1/accounts/" + IdOf(u));
    const json::object a = r.json().as_object();
    return {a.at("followers_count").as_int64(), a.at("following_count").as_int64()};
  }

  // Everything stored about relationships, to assert that failed requests wrote nothing.
  std::string GraphSnapshot() {
    auto read = server.app().storage().Read();
    const auto& rel = read->relationships();
    std::string out;
    for (const auto& u : {alice, bob, carol}) {
      out += IdOf(u) + ":";
      for (Id id : rel.FollowerIds(u.id)) out += "f" + std::to_string(id) + ",";
      for (Id id : rel.BlockingIds(u.id)) out += "b" + std::to_string(id) + ",";
      for (const auto& m : rel.ActiveMutes(u.id, server.app().core().Now())) {
        out += "m" + std::to_string(m.target_account_id) + ",";
      }
      out += "r" + std::to_string(rel.CountFollowRequests(u.id)) + ";";
      for (const auto& f : rel.Following(u.id)) {
        out += "o" + std::to_string(f.target_account_id) + (f.show_reblogs ? "R" : "r") +
               (f.notify ? "N" : "n") + std::to_string(f.languages.size()) + ",";
      }
    }
    return out;
  }

  std::string AppToken() { return server.Token(kNoId, "read write follow"); }

  TestServer server;
  TestServer::User alice, bob, carol;
};

// --- follow / unfollow -------------------------------------------------------------------------

TEST_F(RelationshipsTest, FollowAndUnfollowKeepCountsRight) {
  auto r = Act(alice, bob, "follow");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8");
  const auto rel = r.json().as_object();
  for (const char* key : {"id", "following", "showing_reblogs", "notifying", "languages",
                          "followed_by", "blocking", "blocked_by", "muting", "muting_notifications",
                          "requested", "requested_by", "domain_blocking", "endorsed", "note"}) {
    EXPECT_TRUE(rel.contains(key)) << key;
  }
  EXPECT_EQ(rel.at("id").as_string(), IdOf(bob));
  EXPECT_TRUE(rel.at("following").as_bool());
  EXPECT_TRUE(rel.at("showing_reblogs").as_bool());
  EXPECT_FALSE(rel.at("requested").as_bool());
  EXPECT_TRUE(rel.at("languages").is_null());
  EXPECT_EQ(Counts(alice), (std::pair<int64_t, int64_t>{0, 1}));
  EXPECT_EQ(Counts(bob), (std::pair<int64_t, int64_t>{1, 0}));
  // Following again is idempotent.
  ASSERT_EQ(Act(alice, bob, "follow").status, 200);
  EXPECT_EQ(Counts(bob), (std::pair<int64_t, int64_t>{1, 0}));
  // The other side sees followed_by.
  auto back = server.Get("/api/v1/accounts/relationships?id[]=" + IdOf(alice), bob.token);
  EXPECT_TRUE(back.json().as_array()[0].as_object().at("followed_by").as_bool());

  auto un = Act(alice, bob, "unfollow");
  ASSERT_EQ(un.status, 200) << un.body;
  EXPECT_FALSE(Flag(un, "following"));
  EXPECT_EQ(Counts(alice), (std::pair<int64_t, int64_t>{0, 0}));
  EXPECT_EQ(Counts(bob), (std::pair<int64_t, int64_t>{0, 0}));
  // Unfollowing again is idempotent.
  EXPECT_EQ(Act(alice, bob, "unfollow").status, 200);
  EXPECT_EQ(Counts(bob), (std::pair<int64_t, int64_t>{0, 0}));
}

TEST_F(RelationshipsTest, FollowOptions) {
  auto r = Act(alice, bob, "follow", R"({"reblogs":false,"notify":true,"languages":["en","DE"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(Flag(r, "showing_reblogs"));
  EXPECT_TRUE(Flag(r, "notifying"));
  const json::array langs = r.json().as_object().at("languages").as_array();
  ASSERT_EQ(langs.size(), 2u);
  EXPECT_EQ(langs[0].as_string(), "en");
  EXPECT_EQ(langs[1].as_string(), "de");
  // Following again changes only the options given.
  auto again =
      server.Form("POST", "/api/v1/accounts/" + IdOf(bob) + "/follow", "reblogs=true", alice.token);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_TRUE(Flag(again, "showing_reblogs"));
  EXPECT_TRUE(Flag(again, "notifying"));
  EXPECT_EQ(again.json().as_object().at("languages").as_array().size(), 2u);
  EXPECT_EQ(Counts(bob).first, 1);
  // An unknown language is refused and changes nothing.
  const std::string before = GraphSnapshot();
  auto bad = Act(alice, bob, "follow", R"({"reblogs":false,"languages":["klingon!"]})");
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(GraphSnapshot(), before);
}

TEST_F(RelationshipsTest, FollowBadInputsWriteNothing) {
  ASSERT_EQ(Act(carol, alice, "block").status, 200);  // carol blocks alice
  const auto dave = server.CreateUser("dave");
  SuspendInStorage(server, dave.id);
  const std::string before = GraphSnapshot();
  struct Case {
    std::string name, target, token;
    int status;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"unknown", "999999", alice.token, 404, "Record not found"},
      {"malformed", "bob", alice.token, 404, "Record not found"},
      {"self", IdOf(alice), alice.token, 404, "Record not found"},
      {"suspended", IdOf(dave), alice.token, 404, "Record not found"},
      {"blocked by target", IdOf(carol), alice.token, 403, "This action is not allowed"},
      {"blocking target", IdOf(alice), carol.token, 403, "This action is not allowed"},
      {"read-only token", IdOf(bob), server.Token(alice.id, "read"), 403,
       "This action is outside the authorized scopes"},
      {"write:blocks token", IdOf(bob), server.Token(alice.id, "write:blocks"), 403,
       "This action is outside the authorized scopes"},
      {"missing token", IdOf(bob), "", 401, "The access token is invalid"},
      {"app token", IdOf(bob), AppToken(), 422, "This method requires an authenticated user"},
  };
  for (const auto& c : cases) {
    auto r = server.Post("/api/v1/accounts/" + c.target + "/follow", "{}", c.token);
    EXPECT_EQ(r.status, c.status) << c.name << ": " << r.body;
    EXPECT_EQ(r.error(), c.error) << c.name;
    EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8") << c.name;
  }
  EXPECT_EQ(GraphSnapshot(), before);
  // The deprecated `follow` scope and write:follows both work.
  EXPECT_EQ(
      server
          .Post("/api/v1/accounts/" + IdOf(bob) + "/follow", "{}", server.Token(alice.id, "follow"))
          .status,
      200);
  EXPECT_EQ(server
                .Post("/api/v1/accounts/" + IdOf(bob) + "/follow", "{}",
                      server.Token(carol.id, "write:follows"))
                .status,
            200);
}

TEST_F(RelationshipsTest, EveryActionAnswers404ForUnknownAndMalformedIds) {
  const std::string before = GraphSnapshot();
  for (const std::string verb : {"follow", "unfollow", "remove_from_followers", "block", "unblock",
                                 "mute", "unmute", "note"}) {
    for (const std::string id : {"999999", "x1", "0"}) {
      auto r = server.Post("/api/v1/accounts/" + id + "/" + verb, "{}", alice.token);
      EXPECT_EQ(r.status, 404) << verb << " " << id << ": " << r.body;
      EXPECT_EQ(r.error(), "Record not found") << verb;
    }
  }
  for (const std::string verb : {"authorize", "reject"}) {
    auto r = server.Post("/api/v1/follow_requests/999999/" + verb, "{}", alice.token);
    EXPECT_EQ(r.status, 404) << verb;
    // bob never asked to follow alice.
    EXPECT_EQ(
        server.Post("/api/v1/follow_requests/" + IdOf(bob) + "/" + verb, "{}", alice.token).status,
        404);
  }
  EXPECT_EQ(GraphSnapshot(), before);
}

// --- locked accounts and follow requests -------------------------------------------------------

TEST_F(RelationshipsTest, LockedAccountFollowRequestAuthorize) {
  ASSERT_EQ(
      server.Patch("/api/v1/accounts/update_credentials", R"({"locked":true})", bob.token).status,
      200);
  auto r = Act(alice, bob, "follow");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(Flag(r, "requested"));
  EXPECT_FALSE(Flag(r, "following"));
  EXPECT_EQ(Counts(bob).first, 0);
  // bob sees the request: in the list, on the relationship and in his credentials.
  auto requests = server.Get("/api/v1/follow_requests", bob.token);
  ASSERT_EQ(requests.status, 200) << requests.body;
  EXPECT_EQ(Ids(requests), std::vector<std::string>{IdOf(alice)});
  EXPECT_FALSE(requests.header("link").empty());
  auto rel = server.Get("/api/v1/accounts/relationships?id[]=" + IdOf(alice), bob.token);
  EXPECT_TRUE(rel.json().as_array()[0].as_object().at("requested_by").as_bool());
  EXPECT_EQ(server.Get("/api/v1/accounts/verify_credentials", bob.token)
                .json()
                .as_object()
                .at("source")
                .as_object()
                .at("follow_requests_count")
                .as_int64(),
            1);
  // A notification of type follow_request reached bob.
  auto notes = server.Get("/api/v1/notifications", bob.token);
  if (notes.status == 200 && notes.json().is_array() && !notes.json().as_array().empty()) {
    EXPECT_EQ(Str(notes.json().as_array()[0], "type"), "follow_request");
  }
  // Requesting again does not duplicate.
  ASSERT_EQ(Act(alice, bob, "follow").status, 200);
  EXPECT_EQ(Ids(server.Get("/api/v1/follow_requests", bob.token)).size(), 1u);
  // Scope and user checks on the list and on authorize.
  EXPECT_EQ(server.Get("/api/v1/follow_requests", server.Token(bob.id, "write")).status, 403);
  EXPECT_EQ(server
                .Post("/api/v1/follow_requests/" + IdOf(alice) + "/authorize", "{}",
                      server.Token(bob.id, "read"))
                .status,
            403);
  EXPECT_EQ(server.Get("/api/v1/follow_requests").status, 401);
  // alice cannot authorize her own request.
  EXPECT_EQ(
      server.Post("/api/v1/follow_requests/" + IdOf(bob) + "/authorize", "{}", alice.token).status,
      404);

  auto ok = server.Post("/api/v1/follow_requests/" + IdOf(alice) + "/authorize", "{}", bob.token);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Str(ok.json(), "id"), IdOf(alice));
  EXPECT_TRUE(Flag(ok, "followed_by"));
  EXPECT_FALSE(Flag(ok, "requested_by"));
  auto mine = server.Get("/api/v1/accounts/relationships?id[]=" + IdOf(bob), alice.token);
  EXPECT_TRUE(mine.json().as_array()[0].as_object().at("following").as_bool());
  EXPECT_FALSE(mine.json().as_array()[0].as_object().at("requested").as_bool());
  EXPECT_EQ(Counts(bob), (std::pair<int64_t, int64_t>{1, 0}));
  EXPECT_EQ(Counts(alice), (std::pair<int64_t, int64_t>{0, 1}));
  auto empty = server.Get("/api/v1/follow_requests", bob.token);
  EXPECT_TRUE(empty.json().as_array().empty());
  EXPECT_TRUE(empty.header("link").empty());
  // Authorizing twice: the request is gone.
  EXPECT_EQ(
      server.Post("/api/v1/follow_requests/" + IdOf(alice) + "/authorize", "{}", bob.token).status,
      404);
  // alice now sees bob's private posts.
  const std::string priv = PostStatus(bob, R"({"status":"followers only","visibility":"private"})");
  EXPECT_EQ(Ids(server.Get("/api/v1/accounts/" + IdOf(bob) + "/statuses", alice.token)),
            std::vector<std::string>{priv});
}

TEST_F(RelationshipsTest, LockedAccountFollowRequestRejectAndWithdraw) {
  ASSERT_EQ(
      server.Patch("/api/v1/accounts/update_credentials", R"({"locked":true})", bob.token).status,
      200);
  ASSERT_TRUE(Flag(Act(alice, bob, "follow"), "requested"));
  ASSERT_TRUE(Flag(Act(carol, bob, "follow"), "requested"));
  auto rejected =
      server.Post("/api/v1/follow_requests/" + IdOf(alice) + "/reject", "{}", bob.token);
  ASSERT_EQ(rejected.status, 200) << rejected.body;
  EXPECT_FALSE(Flag(rejected, "followed_by"));
  EXPECT_FALSE(Flag(rejected, "requested_by"));
  auto mine = server.Get("/api/v1/accounts/relationships?id[]=" + IdOf(bob), alice.token);
  EXPECT_FALSE(mine.json().as_array()[0].as_object().at("requested").as_bool());
  EXPECT_FALSE(mine.json().as_array()[0].as_object().at("following").as_bool());
  EXPECT_EQ(Ids(server.Get("/api/v1/follow_requests", bob.token)),
            std::vector<std::string>{IdOf(carol)});
  // Unfollow withdraws a pending request.
  auto withdrawn = Act(carol, bob, "unfollow");
  EXPECT_FALSE(Flag(withdrawn, "requested"));
  EXPECT_TRUE(server.Get("/api/v1/follow_requests", bob.token).json().as_array().empty());
  EXPECT_EQ(Counts(bob), (std::pair<int64_t, int64_t>{0, 0}));
}

TEST_F(RelationshipsTest, FollowRequestsPageByLink) {
  ASSERT_EQ(
      server.Patch("/api/v1/accounts/update_credentials", R"({"locked":true})", bob.token).status,
      200);
  std::set<std::string> expected;
  for (int i = 0; i < 5; ++i) {
    auto u = server.CreateUser("requester" + std::to_string(i));
    ASSERT_TRUE(Flag(Act(u, bob, "follow"), "requested"));
    expected.insert(IdOf(u));
  }
  std::set<std::string> seen;
  std::string next = "/api/v1/follow_requests?limit=2";
  int pages = 0;
  while (!next.empty() && pages++ < 10) {
    auto r = server.Get(next, bob.token);
    ASSERT_EQ(r.status, 200) << r.body;
    for (const auto& id : Ids(r)) EXPECT_TRUE(seen.insert(id).second) << "duplicate " << id;
    next = NextPath(r);
  }
  EXPECT_EQ(seen, expected);
}

// --- remove_from_followers ---------------------------------------------------------------------

TEST_F(RelationshipsTest, RemoveFromFollowers) {
  ASSERT_EQ(Act(alice, bob, "follow").status, 200);
  auto r = Act(bob, alice, "remove_from_followers");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(r.json(), "id"), IdOf(alice));
  EXPECT_FALSE(Flag(r, "followed_by"));
  EXPECT_EQ(Counts(bob), (std::pair<int64_t, int64_t>{0, 0}));
  EXPECT_EQ(Counts(alice), (std::pair<int64_t, int64_t>{0, 0}));
  // Removing someone who does not follow is harmless.
  EXPECT_EQ(Act(bob, carol, "remove_from_followers").status, 200);
  EXPECT_EQ(server
                .Post("/api/v1/accounts/" + IdOf(alice) + "/remove_from_followers", "{}",
                      server.Token(bob.id, "write:blocks"))
                .status,
            403);
}

// --- blocks --------------------------------------------------------------------------------------

TEST_F(RelationshipsTest, BlockSeversFollowsAndHidesPostsBothWays) {
  ASSERT_EQ(Act(alice, bob, "follow").status, 200);
  ASSERT_EQ(Act(bob, alice, "follow").status, 200);
  const std::string bobs = PostStatus(bob, R"({"status":"bob speaks"})");
  const std::string alices = PostStatus(alice, R"({"status":"alice speaks"})");
  auto home = server.Get("/api/v1/timelines/home", alice.token);
  ASSERT_EQ(home.status, 200) << home.body;
  EXPECT_EQ(Ids(home), (std::vector<std::string>{alices, bobs}));

  auto r = Act(alice, bob, "block");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(Flag(r, "blocking"));
  EXPECT_FALSE(Flag(r, "following"));
  EXPECT_FALSE(Flag(r, "followed_by"));
  EXPECT_EQ(Counts(alice), (std::pair<int64_t, int64_t>{0, 0}));
  EXPECT_EQ(Counts(bob), (std::pair<int64_t, int64_t>{0, 0}));
  // bob sees blocked_by.
  auto theirs = server.Get("/api/v1/accounts/relationships?id[]=" + IdOf(alice), bob.token);
  EXPECT_TRUE(theirs.json().as_array()[0].as_object().at("blocked_by").as_bool());

  // The blocked account's posts leave the blocker's home timeline...
  EXPECT_EQ(Ids(server.Get("/api/v1/timelines/home", alice.token)),
            std::vector<std::string>{alices});
  // ...and account statuses hide in both directions.
  EXPECT_TRUE(server.Get("/api/v1/accounts/" + IdOf(bob) + "/statuses", alice.token)
                  .json()
                  .as_array()
                  .empty());
  EXPECT_TRUE(server.Get("/api/v1/accounts/" + IdOf(alice) + "/statuses", bob.token)
                  .json()
                  .as_array()
                  .empty());
  // Others still see both.
  EXPECT_EQ(Ids(server.Get("/api/v1/accounts/" + IdOf(bob) + "/statuses", carol.token)),
            std::vector<std::string>{bobs});
  // Neither can follow the other while the block stands.
  EXPECT_EQ(Act(bob, alice, "follow").status, 403);
  EXPECT_EQ(Act(alice, bob, "follow").status, 403);
  // Blocking twice is idempotent.
  EXPECT_EQ(Act(alice, bob, "block").status, 200);

  auto blocks = server.Get("/api/v1/blocks", alice.token);
  ASSERT_EQ(blocks.status, 200) << blocks.body;
  EXPECT_EQ(Ids(blocks), std::vector<std::string>{IdOf(bob)});
  EXPECT_FALSE(blocks.header("link").empty());
  EXPECT_EQ(server.Get("/api/v1/blocks", server.Token(alice.id, "read:mutes")).status, 403);
  EXPECT_EQ(server.Get("/api/v1/blocks", server.Token(alice.id, "read:blocks")).status, 200);
  EXPECT_EQ(server
                .Post("/api/v1/accounts/" + IdOf(carol) + "/block", "{}",
                      server.Token(alice.id, "write:follows"))
                .status,
            403);

  auto un = Act(alice, bob, "unblock");
  ASSERT_EQ(un.status, 200) << un.body;
  EXPECT_FALSE(Flag(un, "blocking"));
  EXPECT_TRUE(server.Get("/api/v1/blocks", alice.token).json().as_array().empty());
  EXPECT_EQ(Ids(server.Get("/api/v1/accounts/" + IdOf(bob) + "/statuses", alice.token)),
            std::vector<std::string>{bobs});
  // Follows do not come back by themselves.
  EXPECT_EQ(Counts(alice), (std::pair<int64_t, int64_t>{0, 0}));
}

TEST_F(RelationshipsTest, BlockedAccountHidesFromCollections) {
  ASSERT_EQ(Act(bob, alice, "follow").status, 200);
  ASSERT_EQ(Act(carol, alice, "follow").status, 200);
  ASSERT_EQ(Act(carol, bob, "block").status, 200);
  // carol does not see bob among alice's followers; others do.
  EXPECT_EQ(Ids(server.Get("/api/v1/accounts/" + IdOf(alice) + "/followers", carol.token)),
            std::vector<std::string>{IdOf(carol)});
  EXPECT_EQ(Ids(server.Get("/api/v1/accounts/" + IdOf(alice) + "/followers")).size(), 2u);
  // bob sees no followers / following of carol, who blocks him.
  EXPECT_TRUE(server.Get("/api/v1/accounts/" + IdOf(carol) + "/following", bob.token)
                  .json()
                  .as_array()
                  .empty());
}

TEST_F(RelationshipsTest, SuspendedAccountsLeaveCollections) {
  ASSERT_EQ(Act(alice, bob, "follow").status, 200);
  ASSERT_EQ(Act(carol, bob, "follow").status, 200);
  ASSERT_EQ(Act(bob, alice, "follow").status, 200);
  SuspendInStorage(server, carol.id);
  EXPECT_EQ(Ids(server.Get("/api/v1/accounts/" + IdOf(bob) + "/followers")),
            std::vector<std::string>{IdOf(alice)});
  SuspendInStorage(server, bob.id);
  for (const std::string list : {"followers", "following"}) {
    auto r = server.Get("/api/v1/accounts/" + IdOf(bob) + "/" + list, alice.token);
    EXPECT_EQ(r.status, 200) << list;
    EXPECT_EQ(r.body, "[]") << list;
  }
  // A suspended account cannot be followed, blocked or muted.
  EXPECT_EQ(Act(alice, carol, "follow").status, 404);
  EXPECT_EQ(Act(alice, carol, "block").status, 404);
  EXPECT_EQ(Act(alice, carol, "mute").status, 404);
}

// --- mutes ---------------------------------------------------------------------------------------

TEST_F(RelationshipsTest, MuteWithDurationAndNotifications) {
  ASSERT_EQ(Act(alice, bob, "follow").status, 200);
  const std::string bobs = PostStatus(bob, R"({"status":"noise"})");
  auto r = Act(alice, bob, "mute", R"({"duration":3600,"notifications":false})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(Flag(r, "muting"));
  EXPECT_FALSE(Flag(r, "muting_notifications"));
  EXPECT_TRUE(Flag(r, "following"));  // muting keeps the follow
  const std::string expires(r.json().as_object().at("muting_expires_at").as_string());
  EXPECT_EQ(expires.size(), 24u);
  // Muted posts leave the home timeline.
  EXPECT_TRUE(Ids(server.Get("/api/v1/timelines/home", alice.token)).empty());

  auto mutes = server.Get("/api/v1/mutes", alice.token);
  ASSERT_EQ(mutes.status, 200) << mutes.body;
  ASSERT_EQ(mutes.json().as_array().size(), 1u);
  const auto muted = mutes.json().as_array()[0].as_object();
  EXPECT_EQ(muted.at("id").as_string(), IdOf(bob));
  EXPECT_EQ(muted.at("username").as_string(), "bob");
  EXPECT_EQ(muted.at("mute_expires_at").as_string(), expires);
  EXPECT_FALSE(mutes.header("link").empty());

  // Muting again without a duration makes it permanent, with notifications hidden by default.
  auto forever = Act(alice, bob, "mute");
  EXPECT_TRUE(forever.json().as_object().at("muting_expires_at").is_null());
  EXPECT_TRUE(Flag(forever, "muting_notifications"));
  EXPECT_TRUE(server.Get("/api/v1/mutes", alice.token)
                  .json()
                  .as_array()[0]
                  .as_object()
                  .at("mute_expires_at")
                  .is_null());
  // Form-encoded duration 0 means forever too.
  auto form =
      server.Form("POST", "/api/v1/accounts/" + IdOf(carol) + "/mute", "duration=0", alice.token);
  EXPECT_TRUE(form.json().as_object().at("muting_expires_at").is_null());

  auto un = Act(alice, bob, "unmute");
  ASSERT_EQ(un.status, 200);
  EXPECT_FALSE(Flag(un, "muting"));
  EXPECT_EQ(Ids(server.Get("/api/v1/timelines/home", alice.token)), std::vector<std::string>{bobs});
  EXPECT_EQ(Ids(server.Get("/api/v1/mutes", alice.token)), std::vector<std::string>{IdOf(carol)});
}

TEST_F(RelationshipsTest, MuteBadInputsWriteNothing) {
  const std::string before = GraphSnapshot();
  struct Case {
    std::string name, target, body, token;
    int status;
  };
  const std::vector<Case> cases = {
      {"negative duration", IdOf(bob), R"({"duration":-5})", alice.token, 400},
      {"non-numeric duration", IdOf(bob), R"({"duration":"soon"})", alice.token, 400},
      {"absurd duration", IdOf(bob), R"({"duration":99999999999999})", alice.token, 400},
      {"self", IdOf(alice), "{}", alice.token, 404},
      {"wrong scope", IdOf(bob), "{}", server.Token(alice.id, "write:blocks"), 403},
      {"missing token", IdOf(bob), "{}", "", 401},
      {"malformed json", IdOf(bob), R"({"duration":)", alice.token, 400},
  };
  for (const auto& c : cases) {
    auto r = server.Post("/api/v1/accounts/" + c.target + "/mute", c.body, c.token);
    EXPECT_EQ(r.status, c.status) << c.name << ": " << r.body;
    EXPECT_FALSE(r.error().empty()) << c.name;
  }
  EXPECT_EQ(GraphSnapshot(), before);
  EXPECT_EQ(server.Get("/api/v1/mutes", server.Token(alice.id, "read:blocks")).status, 403);
}

// --- notes ---------------------------------------------------------------------------------------

TEST_F(RelationshipsTest, PrivateNote) {
  auto r = Act(alice, bob, "note", R"({"comment":"met at <conf> & liked it"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(r.json(), "note"), "met at <conf> & liked it");
  // Only alice sees it.
  auto bobs_view = server.Get("/api/v1/accounts/relationships?id[]=" + IdOf(alice), bob.token);
  EXPECT_EQ(Str(bobs_view.json().as_array()[0], "note"), "");
  // Too long: refused, the old note stays.
  auto long_note = Act(alice, bob, "note", R"({"comment":")" + std::string(2001, 'x') + "\"}");
  EXPECT_EQ(long_note.status, 422) << long_note.body;
  auto mine = server.Get("/api/v1/accounts/relationships?id[]=" + IdOf(bob), alice.token);
  EXPECT_EQ(Str(mine.json().as_array()[0], "note"), "met at <conf> & liked it");
  // The limit counts characters, not bytes.
  std::string wide;
  for (int i = 0; i < 2000; ++i) wide += "é";
  EXPECT_EQ(Act(alice, bob, "note", R"({"comment":")" + wide + "\"}").status, 200);
  // An empty comment removes the note.
  EXPECT_EQ(Str(Act(alice, bob, "note", R"({"comment":""})").json(), "note"), "");
  EXPECT_EQ(server
                .Post("/api/v1/accounts/" + IdOf(bob) + "/note", R"({"comment":"x"})",
                      server.Token(alice.id, "write:follows"))
                .status,
            403);
}

// --- the relationships lookup --------------------------------------------------------------------

TEST_F(RelationshipsTest, RelationshipsForSeveralIds) {
  const auto dave = server.CreateUser("dave");
  SuspendInStorage(server, dave.id);
  ASSERT_EQ(Act(alice, bob, "follow").status, 200);
  ASSERT_EQ(Act(carol, alice, "follow").status, 200);
  ASSERT_EQ(Act(alice, carol, "mute").status, 200);
  auto r =
      server.Get("/api/v1/accounts/relationships?id[]=" + IdOf(carol) + "&id%5B%5D=" + IdOf(bob) +
                     "&id[]=999999&id[]=junk&id[]=" + IdOf(dave) + "&id[]=" + IdOf(bob),
                 alice.token);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(Ids(r), (std::vector<std::string>{IdOf(carol), IdOf(bob)}));
  const json::array arr = r.json().as_array();
  EXPECT_TRUE(arr[0].as_object().at("followed_by").as_bool());
  EXPECT_TRUE(arr[0].as_object().at("muting").as_bool());
  EXPECT_FALSE(arr[0].as_object().at("following").as_bool());
  EXPECT_TRUE(arr[1].as_object().at("following").as_bool());
  EXPECT_FALSE(arr[1].as_object().at("followed_by").as_bool());
  // Suspended accounts only on request.
  auto with = server.Get(
      "/api/v1/accounts/relationships?id[]=" + IdOf(dave) + "&with_suspended=true", alice.token);
  EXPECT_EQ(Ids(with), std::vector<std::string>{IdOf(dave)});
  // A single id without brackets works too.
  EXPECT_EQ(Ids(server.Get("/api/v1/accounts/relationships?id=" + IdOf(bob), alice.token)),
            std::vector<std::string>{IdOf(bob)});
  EXPECT_EQ(server.Get("/api/v1/accounts/relationships", alice.token).body, "[]");

  EXPECT_EQ(server.Get("/api/v1/accounts/relationships?id[]=" + IdOf(bob)).status, 401);
  EXPECT_EQ(server.Get("/api/v1/accounts/relationships?id[]=" + IdOf(bob), AppToken()).status, 422);
  EXPECT_EQ(server
                .Get("/api/v1/accounts/relationships?id[]=" + IdOf(bob),
                     server.Token(alice.id, "read:accounts"))
                .status,
            403);
  EXPECT_EQ(server
                .Get("/api/v1/accounts/relationships?id[]=" + IdOf(bob),
                     server.Token(alice.id, "read:follows"))
                .status,
            200);
}

// --- followers and following ---------------------------------------------------------------------

TEST_F(RelationshipsTest, FollowersPageByLinkToTheEnd) {
  std::set<std::string> expected;
  for (int i = 0; i < 45; ++i) {
    auto u = server.CreateUser("fan" + std::to_string(i), Role::kMember, "write:follows");
    ASSERT_EQ(Act(u, alice, "follow").status, 200);
    expected.insert(IdOf(u));
  }
  EXPECT_EQ(Counts(alice).first, 45);
  const std::string base = "/api/v1/accounts/" + IdOf(alice) + "/followers";

  // Default page size is 40.
  auto first = server.Get(base);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json().as_array().size(), 40u);
  // Over the maximum is clamped (to 80: all 45 fit).
  EXPECT_EQ(server.Get(base + "?limit=500").json().as_array().size(), 45u);

  std::set<std::string> seen;
  std::vector<std::string> order;
  std::string next = base + "?limit=10";
  int pages = 0;
  while (!next.empty() && pages < 20) {
    auto r = server.Get(next);
    ASSERT_EQ(r.status, 200) << next << ": " << r.body;
    ++pages;
    const auto ids = Ids(r);
    if (ids.empty()) {
      EXPECT_TRUE(r.header("link").empty());
      break;
    }
    const std::string link = r.header("link");
    EXPECT_NE(link.find("rel=\"next\""), std::string::npos) << link;
    EXPECT_NE(link.find("rel=\"prev\""), std::string::npos) << link;
    EXPECT_NE(link.find("limit=10"), std::string::npos) << link;
    EXPECT_EQ(link.rfind("<http", 0), 0u) << link;
    for (const auto& id : ids) {
      EXPECT_TRUE(seen.insert(id).second) << "duplicate " << id;
      order.push_back(id);
    }
    next = NextPath(r);
  }
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(pages, 6);  // 5 full or partial pages, then the empty one
  // Newest follow first.
  EXPECT_EQ(order.front(), *std::max_element(expected.begin(), expected.end(),
                                             [](const std::string& a, const std::string& b) {
                                               return std::stoll(a) < std::stoll(b);
                                             }));
  // The prev link of the first page leads to nothing newer.
  auto top = server.Get(base + "?limit=10");
  const std::string link = top.header("link");
  const auto prev_end = link.find(">; rel=\"prev\"");
  ASSERT_NE(prev_end, std::string::npos);
  const auto prev_start = link.rfind('<', prev_end);
  const std::string prev_url = link.substr(prev_start + 1, prev_end - prev_start - 1);
  EXPECT_TRUE(server.Get(prev_url.substr(prev_url.find("/api/"))).json().as_array().empty());

  EXPECT_EQ(server.Get(base + "?limit=-1").status, 400);
  EXPECT_EQ(server.Get(base + "?limit=-1").error().empty(), false);
  EXPECT_EQ(server.Get(base + "?max_id=nope").status, 400);
}

TEST_F(RelationshipsTest, FollowingListAndHiddenCollections) {
  ASSERT_EQ(Act(alice, bob, "follow").status, 200);
  ASSERT_EQ(Act(alice, carol, "follow").status, 200);
  ASSERT_EQ(Act(bob, alice, "follow").status, 200);
  const std::string following = "/api/v1/accounts/" + IdOf(alice) + "/following";
  const std::string followers = "/api/v1/accounts/" + IdOf(alice) + "/followers";
  EXPECT_EQ(Ids(server.Get(following)), (std::vector<std::string>{IdOf(carol), IdOf(bob)}));
  EXPECT_EQ(Ids(server.Get(followers)), std::vector<std::string>{IdOf(bob)});

  ASSERT_EQ(
      server
          .Patch("/api/v1/accounts/update_credentials", R"({"hide_collections":true})", alice.token)
          .status,
      200);
  for (const std::string& path : {following, followers}) {
    auto anon = server.Get(path);
    EXPECT_EQ(anon.status, 200);
    EXPECT_EQ(anon.body, "[]") << path;
    EXPECT_TRUE(anon.header("link").empty());
    EXPECT_EQ(server.Get(path, bob.token).body, "[]") << path;
    EXPECT_FALSE(server.Get(path, alice.token).json().as_array().empty()) << path;
  }
  // Counts stay visible.
  EXPECT_EQ(Counts(alice), (std::pair<int64_t, int64_t>{1, 2}));
}

}  // namespace
}  // namespace stoa::testing
