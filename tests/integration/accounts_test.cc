// Accounts over HTTP: credentials (verify and update, in JSON, urlencoded and multipart bodies),
// reading accounts by id, by id[], by acct, search, an account's statuses with their filters and
// visibility, the empty collections, and the bad inputs (each leaves nothing behind).
#include <gtest/gtest.h>

#include <set>

#include "tests/integration/api_helpers.h"
#include "tests/integration/test_server.h"

namespace stoa::testing {
namespace {

namespace json = boost::json;

using Headers = std::vector<std::pair<std::string, std::string>>;

const std::string kJson = "application/json";
const std::string kForm = "application/x-www-form-urlencoded";
const std::string kBoundary = "----stoa-accounts-test-boundary";
const std::string kMultipart = "multipart/form-data; boundary=" + kBoundary;

std::string Str(const json::value& v, const char* key) {
  return std::string(v.as_object().at(key).as_string());
}

struct Part {
  std::string name, value, filename;  // a file part when filename is set
};

std::string Multipart(const std::vector<Part>& parts) {
  std::string body;
  for (const auto& p : parts) {
    body += "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + p.name + "\"";
    if (!p.filename.empty()) {
      body += "; filename=\"" + p.filename + "\"\r\nContent-Type: image/png";
    }
    body += "\r\n\r\n" + p.value + "\r\n";
  }
  return body + "--" + kBoundary + "--\r\n";
}

class AccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    alice = server.CreateUser("alice");
    bob = server.CreateUser("bob");
  }

  std::string PostStatus(const TestServer::User& u, const std::string& body) {
    auto r = server.Post("/api/v1/statuses", body, u.token);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json().is_object() ? Str(r.json(), "id") : "";
  }

  HttpResponse Credentials(const TestServer::User& u) {
    return server.Get("/api/v1/accounts/verify_credentials", u.token);
  }

  std::string AppToken() { return server.Token(kNoId, "read write follow"); }

  TestServer server;
  TestServer::User alice, bob;
};

// --- verify_credentials ------------------------------------------------------------------------

TEST_F(AccountsTest, VerifyCredentialsReturnsTheCredentialAccount) {
  auto r = Credentials(alice);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8");
  const auto a = r.json().as_object();
  for (const char* key : {"id",
                          "username",
                          "acct",
                          "display_name",
                          "locked",
                          "bot",
                          "discoverable",
                          "indexable",
                          "group",
                          "created_at",
                          "note",
                          "url",
                          "uri",
                          "avatar",
                          "avatar_static",
                          "header",
                          "header_static",
                          "followers_count",
                          "following_count",
                          "statuses_count",
                          "last_status_at",
                          "hide_collections",
                          "emojis",
                          "fields",
                          "source",
                          "role"}) {
    EXPECT_TRUE(a.contains(key)) << key;
  }
  EXPECT_EQ(a.at("id").as_string(), IdOf(alice));
  EXPECT_EQ(a.at("acct").as_string(), "alice");
  EXPECT_TRUE(a.at("last_status_at").is_null());
  EXPECT_FALSE(a.at("avatar").as_string().empty());
  const auto source = a.at("source").as_object();
  for (const char* key :
       {"privacy", "sensitive", "language", "note", "fields", "follow_requests_count",
        "hide_collections", "discoverable", "indexable", "attribution_domains", "quote_policy"}) {
    EXPECT_TRUE(source.contains(key)) << key;
  }
  EXPECT_EQ(source.at("privacy").as_string(), "public");
  EXPECT_EQ(source.at("follow_requests_count").as_int64(), 0);
  const auto role = a.at("role").as_object();
  EXPECT_EQ(role.at("name").as_string(), "");
  EXPECT_TRUE(role.at("permissions").is_string());
}

TEST_F(AccountsTest, VerifyCredentialsCountsFollowRequests) {
  ASSERT_EQ(
      server.Patch("/api/v1/accounts/update_credentials", R"({"locked":true})", alice.token).status,
      200);
  ASSERT_EQ(server.Post("/api/v1/accounts/" + IdOf(alice) + "/follow", "{}", bob.token).status,
            200);
  auto r = Credentials(alice);
  EXPECT_EQ(r.json().as_object().at("source").as_object().at("follow_requests_count").as_int64(),
            1);
}

TEST_F(AccountsTest, VerifyCredentialsAuthorisation) {
  struct Case {
    std::string name, token;
    int status;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"read:accounts", server.Token(alice.id, "read:accounts"), 200, ""},
      {"read", server.Token(alice.id, "read"), 200, ""},
      {"profile", server.Token(alice.id, "profile"), 200, ""},
      {"write only", server.Token(alice.id, "write"), 403,
       "This action is outside the authorized scopes"},
      {"read:statuses", server.Token(alice.id, "read:statuses"), 403,
       "This action is outside the authorized scopes"},
      {"missing token", "", 401, "The access token is invalid"},
      {"bad token", "not-a-token", 401, "The access token is invalid"},
      {"app token", AppToken(), 422, "This method requires an authenticated user"},
  };
  for (const auto& c : cases) {
    auto r = server.Get("/api/v1/accounts/verify_credentials", c.token);
    EXPECT_EQ(r.status, c.status) << c.name << ": " << r.body;
    EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8") << c.name;
    if (!c.error.empty()) {
      EXPECT_EQ(r.error(), c.error) << c.name;
    }
    if (c.status == 401) {
      EXPECT_FALSE(r.header("www-authenticate").empty()) << c.name;
    }
  }
}

// --- update_credentials ------------------------------------------------------------------------

TEST_F(AccountsTest, UpdateCredentialsWithJson) {
  auto r = server.Patch("/api/v1/accounts/update_credentials", R"({
      "display_name": "Alice <b>A</b>",
      "note": "I like <script>alert(1)</script> and #cats",
      "locked": true, "bot": "1", "discoverable": false, "hide_collections": true,
      "indexable": "false",
      "fields_attributes": [{"name": "Site", "value": "https://example.org"},
                            {"name": "Pronouns", "value": "she/her"}],
      "source": {"privacy": "unlisted", "sensitive": true, "language": "de"}})",
                        alice.token);
  ASSERT_EQ(r.status, 200) << r.body;
  auto a = r.json().as_object();
  EXPECT_EQ(a.at("display_name").as_string(), "Alice <b>A</b>");  // plain text, escaped by JSON
  const std::string note(a.at("note").as_string());
  EXPECT_EQ(note.find("<script>"), std::string::npos) << note;
  EXPECT_NE(note.find("&lt;script&gt;"), std::string::npos) << note;
  EXPECT_TRUE(a.at("locked").as_bool());
  EXPECT_TRUE(a.at("bot").as_bool());
  EXPECT_FALSE(a.at("discoverable").as_bool());
  EXPECT_TRUE(a.at("hide_collections").as_bool());
  EXPECT_FALSE(a.at("indexable").as_bool());
  const auto& fields = a.at("fields").as_array();
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(Str(fields[0], "name"), "Site");
  EXPECT_NE(Str(fields[0], "value").find("<a "), std::string::npos);
  EXPECT_TRUE(fields[0].as_object().at("verified_at").is_null());
  const auto source = a.at("source").as_object();
  EXPECT_EQ(source.at("privacy").as_string(), "unlisted");
  EXPECT_TRUE(source.at("sensitive").as_bool());
  EXPECT_EQ(source.at("language").as_string(), "de");
  EXPECT_EQ(source.at("note").as_string(), "I like <script>alert(1)</script> and #cats");
  EXPECT_EQ(Str(source.at("fields").as_array()[0], "value"), "https://example.org");

  // The change is durable and public.
  auto shown = server.Get("/api/v1/accounts/" + IdOf(alice));
  EXPECT_EQ(shown.json().as_object().at("display_name"), a.at("display_name"));
  EXPECT_EQ(shown.json().as_object().at("fields"), a.at("fields"));
  EXPECT_FALSE(shown.json().as_object().contains("source"));
  // The default privacy applies to new posts.
  auto post = server.Post("/api/v1/statuses", R"({"status":"default visibility"})", alice.token);
  EXPECT_EQ(post.json().as_object().at("visibility").as_string(), "unlisted");
}

TEST_F(AccountsTest, UpdateCredentialsWithUrlencodedRailsFields) {
  auto r = server.Form("PATCH", "/api/v1/accounts/update_credentials",
                       "display_name=Alice+Form&fields_attributes%5B0%5D%5Bname%5D=One"
                       "&fields_attributes%5B0%5D%5Bvalue%5D=1&fields_attributes[1][name]=Two"
                       "&fields_attributes[1][value]=2&source%5Bprivacy%5D=private&bot=true",
                       alice.token);
  ASSERT_EQ(r.status, 200) << r.body;
  auto a = r.json().as_object();
  EXPECT_EQ(a.at("display_name").as_string(), "Alice Form");
  ASSERT_EQ(a.at("fields").as_array().size(), 2u);
  EXPECT_EQ(Str(a.at("fields").as_array()[1], "name"), "Two");
  EXPECT_EQ(a.at("source").as_object().at("privacy").as_string(), "private");
  EXPECT_TRUE(a.at("bot").as_bool());
}

TEST_F(AccountsTest, UpdateCredentialsWithMultipartAsMastoSendsIt) {
  const std::string body = Multipart({{"display_name", "Ålice ✨", ""},
                                      {"note", "multipart note", ""},
                                      {"locked", "true", ""},
                                      {"fields_attributes[0][name]", "A", ""},
                                      {"fields_attributes[0][value]", "a", ""},
                                      {"fields_attributes[1][name]", "", ""},
                                      {"fields_attributes[1][value]", "", ""},
                                      {"source[sensitive]", "true", ""}});
  auto r = server.Send("PATCH", "/api/v1/accounts/update_credentials", body,
                       {{"Content-Type", kMultipart}}, alice.token);
  ASSERT_EQ(r.status, 200) << r.body;
  auto a = r.json().as_object();
  EXPECT_EQ(a.at("display_name").as_string(), "Ålice ✨");
  EXPECT_TRUE(a.at("locked").as_bool());
  // Blank slots (as clients send for unused rows) are dropped.
  ASSERT_EQ(a.at("fields").as_array().size(), 1u);
  EXPECT_TRUE(a.at("source").as_object().at("sensitive").as_bool());
  // PUT is accepted too (Rails routes both).
  auto put = server.Put("/api/v1/accounts/update_credentials", R"({"bot":true})", alice.token);
  EXPECT_EQ(put.status, 200) << put.body;
}

TEST_F(AccountsTest, UpdateCredentialsChangesOnlyWhatIsGiven) {
  ASSERT_EQ(
      server
          .Patch(
              "/api/v1/accounts/update_credentials",
              R"({"display_name":"Keep me","note":"keep","fields_attributes":[{"name":"k","value":"v"}]})",
              alice.token)
          .status,
      200);
  auto r = server.Patch("/api/v1/accounts/update_credentials", R"({"bot":true})", alice.token);
  ASSERT_EQ(r.status, 200);
  auto a = r.json().as_object();
  EXPECT_EQ(a.at("display_name").as_string(), "Keep me");
  EXPECT_EQ(a.at("source").as_object().at("note").as_string(), "keep");
  EXPECT_EQ(a.at("fields").as_array().size(), 1u);
  // An empty list clears the fields; an empty display name is allowed.
  auto cleared = server.Patch("/api/v1/accounts/update_credentials",
                              R"({"fields_attributes":[],"display_name":""})", alice.token);
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_TRUE(cleared.json().as_object().at("fields").as_array().empty());
  EXPECT_EQ(cleared.json().as_object().at("display_name").as_string(), "");
  // Thirty characters of any script fit.
  auto wide = server.Patch("/api/v1/accounts/update_credentials",
                           R"({"display_name":"ÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄ"})", alice.token);
  EXPECT_EQ(wide.status, 200) << wide.body;
}

TEST_F(AccountsTest, UpdateCredentialsBadInputsChangeNothing) {
  ASSERT_EQ(server
                .Patch("/api/v1/accounts/update_credentials",
                       R"({"display_name":"Before","note":"before"})", alice.token)
                .status,
            200);
  const std::string before = Credentials(alice).body;
  struct Case {
    std::string name, content_type, body, token;
    int status;
  };
  auto field = [](const std::string& name, const std::string& value) {
    return R"({"name":")" + name + R"(","value":")" + value + "\"}";
  };
  std::string five_fields = R"({"fields_attributes":[)";
  for (int i = 0; i < 5; ++i) five_fields += (i ? "," : "") + field("n" + std::to_string(i), "v");
  five_fields += "]}";
  std::string flood = R"({"fields_attributes":{)";
  for (int i = 0; i < 2000; ++i) {
    flood += (i ? "," : "") + std::string("\"") + std::to_string(i) + "\":" + field("n", "v");
  }
  flood += "}}";
  const std::string read_token = server.Token(alice.id, "read");
  const std::vector<Case> cases = {
      {"display name too long", kJson, R"({"display_name":")" + std::string(31, 'x') + "\"}",
       alice.token, 422},
      {"note too long", kJson, R"({"note":")" + std::string(501, 'x') + "\"}", alice.token, 422},
      {"too many fields", kJson, five_fields, alice.token, 422},
      {"field flood", kJson, flood, alice.token, 422},
      {"field name too long", kJson,
       R"({"fields_attributes":[)" + field(std::string(256, 'n'), "v") + "]}", alice.token, 422},
      {"field value too long", kJson,
       R"({"fields_attributes":[)" + field("n", std::string(256, 'v')) + "]}", alice.token, 422},
      {"fields not a list", kJson, R"({"fields_attributes":"nope","display_name":"x"})",
       alice.token, 422},
      {"bad privacy", kJson, R"({"source":{"privacy":"secret"},"display_name":"x"})", alice.token,
       422},
      {"direct privacy", kJson, R"({"source":{"privacy":"direct"}})", alice.token, 422},
      {"bad language", kJson, R"({"source":{"language":"not a language"}})", alice.token, 422},
      {"invalid utf-8", kJson, "{\"display_name\":\"\xff\xfe\"}", alice.token, 400},
      {"invalid utf-8 form", kForm, "display_name=%FF%FE", alice.token, 400},
      {"malformed json", kJson, R"({"display_name":)", alice.token, 400},
      {"avatar upload", kMultipart,
       Multipart({{"display_name", "x", ""}, {"avatar", "\x89PNG", "a.png"}}), alice.token, 422},
      {"header upload", kMultipart, Multipart({{"header", "\x89PNG", "h.png"}}), alice.token, 422},
      {"missing token", kJson, R"({"display_name":"x"})", "", 401},
      {"read-only token", kJson, R"({"display_name":"x"})", read_token, 403},
      {"app token", kJson, R"({"display_name":"x"})", AppToken(), 422},
  };
  for (const auto& c : cases) {
    auto r = server.Send("PATCH", "/api/v1/accounts/update_credentials", c.body,
                         {{"Content-Type", c.content_type}}, c.token);
    EXPECT_EQ(r.status, c.status) << c.name << ": " << r.body;
    EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8") << c.name;
    EXPECT_FALSE(r.error().empty()) << c.name << ": " << r.body;
    EXPECT_EQ(Credentials(alice).body, before) << c.name;
  }
  auto avatar = server.Send("PATCH", "/api/v1/accounts/update_credentials",
                            Multipart({{"avatar", "\x89PNG", "a.png"}}),
                            {{"Content-Type", kMultipart}}, alice.token);
  EXPECT_NE(avatar.error().find("not supported"), std::string::npos) << avatar.body;
}

TEST_F(AccountsTest, UpdateCredentialsOversizedBodyIsRejected) {
  const std::string before = Credentials(alice).body;
  auto r = server.Patch("/api/v1/accounts/update_credentials",
                        "{\"note\":\"" + std::string(3 * 1024 * 1024, 'a') + "\"}", alice.token);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(Credentials(alice).body, before);
}

// --- reading accounts --------------------------------------------------------------------------

TEST_F(AccountsTest, GetAccountByIdIsPublic) {
  auto r = server.Get("/api/v1/accounts/" + IdOf(bob));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(r.json(), "username"), "bob");
  EXPECT_FALSE(r.json().as_object().contains("source"));
  EXPECT_FALSE(r.json().as_object().contains("suspended"));
  EXPECT_EQ(server.Get("/api/v1/accounts/" + IdOf(bob), alice.token).status, 200);
  // A token is checked even on a public endpoint: it must be valid and carry a read scope.
  EXPECT_EQ(server.Get("/api/v1/accounts/" + IdOf(bob), "bogus").status, 401);
  EXPECT_EQ(server.Get("/api/v1/accounts/" + IdOf(bob), server.Token(alice.id, "write")).status,
            403);
}

TEST_F(AccountsTest, UnknownAndMalformedAccountIdsAre404) {
  for (const std::string path :
       {"/api/v1/accounts/999999", "/api/v1/accounts/not-an-id", "/api/v1/accounts/-5",
        "/api/v1/accounts/99999999999999999999999", "/api/v1/accounts/999999/statuses",
        "/api/v1/accounts/999999/followers", "/api/v1/accounts/999999/following",
        "/api/v1/accounts/abc/statuses", "/api/v1/accounts/999999/featured_tags"}) {
    auto r = server.Get(path, alice.token);
    EXPECT_EQ(r.status, 404) << path << ": " << r.body;
    EXPECT_EQ(r.error(), "Record not found") << path;
    EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8") << path;
  }
}

TEST_F(AccountsTest, SuspendedAccountIsShownAsSuspended) {
  const auto carol = server.CreateUser("carol");
  SuspendInStorage(server, carol.id);
  auto r = server.Get("/api/v1/accounts/" + IdOf(carol));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json().as_object().at("suspended").as_bool());
  auto statuses = server.Get("/api/v1/accounts/" + IdOf(carol) + "/statuses");
  EXPECT_EQ(statuses.status, 200);
  EXPECT_TRUE(statuses.json().as_array().empty());
}

TEST_F(AccountsTest, GetManyAccountsByIdArray) {
  const auto carol = server.CreateUser("carol");
  // Rails-style brackets, URL-encoded brackets (megalodon), unknown and malformed ids.
  auto r = server.Get("/api/v1/accounts?id[]=" + IdOf(carol) + "&id%5B%5D=" + IdOf(alice) +
                      "&id[]=999999&id[]=zzz&id[]=" + IdOf(carol));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Ids(r), (std::vector<std::string>{IdOf(carol), IdOf(alice)}));
  EXPECT_TRUE(server.Get("/api/v1/accounts").json().as_array().empty());
  std::string many = "/api/v1/accounts?";
  for (int i = 0; i < 41; ++i) many += "id[]=" + std::to_string(1000 + i) + "&";
  auto too_many = server.Get(many);
  EXPECT_EQ(too_many.status, 422) << too_many.body;
  EXPECT_FALSE(too_many.error().empty());
}

TEST_F(AccountsTest, LookupByAcct) {
  struct Case {
    std::string acct;
    int status;
  };
  const std::vector<Case> cases = {
      {"bob", 200},
      {"BOB", 200},
      {"%40bob", 200},
      {"bob%40127.0.0.1%3A8080", 200},
      {"bob%40elsewhere.example", 404},
      {"nobody", 404},
      {"bad%20name", 404},
  };
  for (const auto& c : cases) {
    auto r = server.Get("/api/v1/accounts/lookup?acct=" + c.acct);
    EXPECT_EQ(r.status, c.status) << c.acct << ": " << r.body;
    if (c.status == 200) {
      EXPECT_EQ(Str(r.json(), "id"), IdOf(bob)) << c.acct;
    }
    if (c.status == 404) {
      EXPECT_EQ(r.error(), "Record not found") << c.acct;
    }
  }
  auto missing = server.Get("/api/v1/accounts/lookup");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.error(), "param is missing or the value is empty: acct");
}

TEST_F(AccountsTest, SearchAccounts) {
  const auto alfred = server.CreateUser("alfred");
  const auto carol = server.CreateUser("carol");
  auto r = server.Get("/api/v1/accounts/search?q=al", carol.token);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto ids = Ids(r);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()),
            (std::set<std::string>{IdOf(alice), IdOf(alfred)}));
  EXPECT_EQ(Ids(server.Get("/api/v1/accounts/search?q=%40bob", carol.token)),
            std::vector<std::string>{IdOf(bob)});
  EXPECT_EQ(
      server.Get("/api/v1/accounts/search?q=al&limit=1", carol.token).json().as_array().size(), 1u);
  EXPECT_EQ(
      server.Get("/api/v1/accounts/search?q=al&offset=1", carol.token).json().as_array().size(),
      1u);
  EXPECT_TRUE(server.Get("/api/v1/accounts/search?q=zzz", carol.token).json().as_array().empty());
  // following=true keeps only accounts the viewer follows.
  EXPECT_TRUE(server.Get("/api/v1/accounts/search?q=al&following=true", carol.token)
                  .json()
                  .as_array()
                  .empty());
  ASSERT_EQ(server.Post("/api/v1/accounts/" + IdOf(alfred) + "/follow", "{}", carol.token).status,
            200);
  EXPECT_EQ(
      Ids(server.Get("/api/v1/accounts/search?q=al&following=true&resolve=true", carol.token)),
      std::vector<std::string>{IdOf(alfred)});
  // Blocked accounts are left out.
  ASSERT_EQ(server.Post("/api/v1/accounts/" + IdOf(alice) + "/block", "{}", carol.token).status,
            200);
  EXPECT_EQ(Ids(server.Get("/api/v1/accounts/search?q=alice", carol.token)),
            std::vector<std::string>{});

  struct Case {
    std::string name, target, token;
    int status;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"missing q", "/api/v1/accounts/search", carol.token, 400,
       "param is missing or the value is empty: q"},
      {"empty q", "/api/v1/accounts/search?q=", carol.token, 400,
       "param is missing or the value is empty: q"},
      {"negative limit", "/api/v1/accounts/search?q=al&limit=-1", carol.token, 400, ""},
      {"bad limit", "/api/v1/accounts/search?q=al&limit=many", carol.token, 400, ""},
      {"negative offset", "/api/v1/accounts/search?q=al&offset=-3", carol.token, 400, ""},
      {"anonymous", "/api/v1/accounts/search?q=al", "", 401, "The access token is invalid"},
      {"app token", "/api/v1/accounts/search?q=al", AppToken(), 422,
       "This method requires an authenticated user"},
      {"wrong scope", "/api/v1/accounts/search?q=al", server.Token(carol.id, "read:statuses"), 403,
       "This action is outside the authorized scopes"},
  };
  for (const auto& c : cases) {
    auto res = server.Get(c.target, c.token);
    EXPECT_EQ(res.status, c.status) << c.name << ": " << res.body;
    if (c.error.empty()) {
      EXPECT_FALSE(res.error().empty()) << c.name;
    } else {
      EXPECT_EQ(res.error(), c.error) << c.name;
    }
  }
}

// --- an account's statuses ---------------------------------------------------------------------

TEST_F(AccountsTest, AccountStatusesFilters) {
  const std::string root = PostStatus(alice, R"({"status":"root #Cats"})");
  const std::string self_reply =
      PostStatus(alice, R"({"status":"thread","in_reply_to_id":")" + root + "\"}");
  const std::string bobs = PostStatus(bob, R"({"status":"bob's"})");
  const std::string reply_to_bob =
      PostStatus(alice, R"({"status":"@bob hi","in_reply_to_id":")" + bobs + "\"}");
  auto boost = server.Post("/api/v1/statuses/" + bobs + "/reblog", "", alice.token);
  ASSERT_EQ(boost.status, 200);
  const std::string boost_id = Str(boost.json(), "id");
  const std::string base = "/api/v1/accounts/" + IdOf(alice) + "/statuses";

  auto all = server.Get(base);
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(Ids(all), (std::vector<std::string>{boost_id, reply_to_bob, self_reply, root}));
  EXPECT_EQ(Ids(server.Get(base + "?exclude_replies=true")),
            (std::vector<std::string>{boost_id, self_reply, root}));
  EXPECT_EQ(Ids(server.Get(base + "?exclude_reblogs=1")),
            (std::vector<std::string>{reply_to_bob, self_reply, root}));
  EXPECT_EQ(Ids(server.Get(base + "?tagged=cats")), std::vector<std::string>{root});
  EXPECT_EQ(Ids(server.Get(base + "?tagged=%23CATS")), std::vector<std::string>{root});
  EXPECT_TRUE(server.Get(base + "?tagged=dogs").json().as_array().empty());
  EXPECT_TRUE(server.Get(base + "?tagged=%21%21").json().as_array().empty());
  // No media and no pins exist on this server yet.
  EXPECT_TRUE(server.Get(base + "?only_media=true").json().as_array().empty());
  EXPECT_TRUE(server.Get(base + "?pinned=true").json().as_array().empty());
  EXPECT_EQ(server.Get(base + "?pinned=false").json().as_array().size(), 4u);
}

TEST_F(AccountsTest, AccountStatusesPageWithLinksThatRepeatTheFilters) {
  std::vector<std::string> posted;
  for (int i = 0; i < 7; ++i)
    posted.push_back(PostStatus(bob, R"({"status":"post )" + std::to_string(i) + "\"}"));
  const std::string base = "/api/v1/accounts/" + IdOf(bob) + "/statuses";
  std::vector<std::string> seen;
  std::string next = base + "?limit=3&exclude_replies=true";
  int pages = 0;
  while (!next.empty() && pages < 10) {
    auto r = server.Get(next);
    ASSERT_EQ(r.status, 200) << r.body;
    ++pages;
    const auto ids = Ids(r);
    if (ids.empty()) {
      EXPECT_TRUE(r.header("link").empty()) << "no Link on an empty page";
      break;
    }
    EXPECT_LE(ids.size(), 3u);
    const std::string link = r.header("link");
    EXPECT_NE(link.find("exclude_replies=true"), std::string::npos) << link;
    EXPECT_NE(link.find("limit=3"), std::string::npos) << link;
    EXPECT_NE(link.find("rel=\"prev\""), std::string::npos) << link;
    EXPECT_EQ(link.rfind("<http", 0), 0u) << "absolute: " << link;
    seen.insert(seen.end(), ids.begin(), ids.end());
    next = NextPath(r);
  }
  std::vector<std::string> expected(posted.rbegin(), posted.rend());
  EXPECT_EQ(seen, expected);
  // since_id / min_id.
  EXPECT_EQ(Ids(server.Get(base + "?since_id=" + posted[4])),
            (std::vector<std::string>{posted[6], posted[5]}));
  EXPECT_EQ(Ids(server.Get(base + "?min_id=" + posted[1] + "&limit=2")),
            (std::vector<std::string>{posted[3], posted[2]}));
  EXPECT_EQ(Ids(server.Get(base + "?max_id=" + posted[2])),
            (std::vector<std::string>{posted[1], posted[0]}));
  // Bad paging parameters.
  EXPECT_EQ(server.Get(base + "?limit=-1").status, 400);
  EXPECT_EQ(server.Get(base + "?max_id=abc").status, 400);
  // The limit is clamped to 40.
  EXPECT_EQ(server.Get(base + "?limit=1000").status, 200);
}

TEST_F(AccountsTest, AccountStatusesRespectVisibility) {
  const auto carol = server.CreateUser("carol");
  const std::string pub = PostStatus(alice, R"({"status":"public"})");
  const std::string unlisted =
      PostStatus(alice, R"({"status":"unlisted","visibility":"unlisted"})");
  const std::string priv = PostStatus(alice, R"({"status":"private","visibility":"private"})");
  const std::string dm_bob = PostStatus(alice, R"({"status":"@bob psst","visibility":"direct"})");
  const std::string dm_self =
      PostStatus(alice, R"({"status":"note to self","visibility":"direct"})");
  const std::string base = "/api/v1/accounts/" + IdOf(alice) + "/statuses";

  EXPECT_EQ(Ids(server.Get(base)), (std::vector<std::string>{unlisted, pub}));
  EXPECT_EQ(Ids(server.Get(base, carol.token)), (std::vector<std::string>{unlisted, pub}));
  // The mentioned account sees the direct post meant for it, not the private one.
  EXPECT_EQ(Ids(server.Get(base, bob.token)), (std::vector<std::string>{dm_bob, unlisted, pub}));
  // The author sees everything, her own direct posts included.
  EXPECT_EQ(Ids(server.Get(base, alice.token)),
            (std::vector<std::string>{dm_self, dm_bob, priv, unlisted, pub}));
  // Following makes the private post visible.
  ASSERT_EQ(server.Post("/api/v1/accounts/" + IdOf(alice) + "/follow", "{}", carol.token).status,
            200);
  EXPECT_EQ(Ids(server.Get(base, carol.token)), (std::vector<std::string>{priv, unlisted, pub}));
  // And unfollowing hides it again.
  ASSERT_EQ(server.Post("/api/v1/accounts/" + IdOf(alice) + "/unfollow", "{}", carol.token).status,
            200);
  EXPECT_EQ(Ids(server.Get(base, carol.token)), (std::vector<std::string>{unlisted, pub}));
}

// --- collections stoa does not have yet --------------------------------------------------------

TEST_F(AccountsTest, UnimplementedCollectionsAnswerEmptyJson) {
  struct Case {
    std::string target, token, body;
  };
  const std::vector<Case> cases = {
      {"/api/v1/accounts/" + IdOf(bob) + "/featured_tags", "", "[]"},
      {"/api/v1/accounts/" + IdOf(bob) + "/identity_proofs", "", "[]"},
      {"/api/v1/accounts/" + IdOf(bob) + "/lists", alice.token, "[]"},
      {"/api/v1/endorsements", alice.token, "[]"},
      {"/api/v1/accounts/familiar_followers", alice.token, "[]"},
      {"/api/v1/accounts/familiar_followers?id[]=" + IdOf(bob) + "&id[]=999999&id[]=" + IdOf(alice),
       alice.token,
       "[{\"id\":\"" + IdOf(bob) + "\",\"accounts\":[]},{\"id\":\"" + IdOf(alice) +
           "\",\"accounts\":[]}]"},
  };
  for (const auto& c : cases) {
    auto r = server.Get(c.target, c.token);
    EXPECT_EQ(r.status, 200) << c.target << ": " << r.body;
    EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8") << c.target;
    EXPECT_EQ(r.body, c.body) << c.target;
    EXPECT_TRUE(r.header("link").empty()) << c.target;
  }
  EXPECT_EQ(server.Get("/api/v1/endorsements").status, 401);
  EXPECT_EQ(server.Get("/api/v1/accounts/" + IdOf(bob) + "/lists").status, 401);
  EXPECT_EQ(server.Get("/api/v1/accounts/999999/lists", alice.token).status, 404);
  EXPECT_EQ(server.Get("/api/v1/accounts/familiar_followers", AppToken()).status, 422);
}

}  // namespace
}  // namespace stoa::testing
