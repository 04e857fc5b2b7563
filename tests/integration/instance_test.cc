// Instance information over HTTP: /api/v1/instance and /api/v2/instance with every field, rules,
// the smaller instance endpoints, nodeinfo (megalodon's detector), WebFinger and host-meta,
// preferences, the stubs common clients call, and JSON 404s for unknown API paths.
#include <gtest/gtest.h>

#include "common/strings.h"
#include "tests/integration/test_server.h"

namespace stoa::testing {
namespace {

namespace json = boost::json;

constexpr char kJson[] = "application/json; charset=utf-8";

const json::object& Obj(const json::object& o, const char* key) { return o.at(key).as_object(); }
const json::object& Obj(const json::value& v, const char* key) { return Obj(v.as_object(), key); }

// Every key of `keys` is present in `o`.
void ExpectKeys(const json::object& o, std::initializer_list<const char*> keys,
                const std::string& where) {
  for (const char* key : keys) EXPECT_TRUE(o.contains(key)) << where << " lacks " << key;
}

class InstanceTest : public ::testing::Test {
 protected:
  void AddRule(TestServer& s, const std::string& text, const std::string& hint, int position) {
    InstanceRule rule;
    rule.id = s.app().core().ids().Next();
    rule.text = text;
    rule.hint = hint;
    rule.position = position;
    rule.created_at = s.app().core().Now();
    Status st =
        s.app().storage().Write([&](storage::Transaction& tx) { return tx.rules().Insert(rule); });
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
};

TEST_F(InstanceTest, V1InstanceHasEveryField) {
  TestServer server([](Config& c) {
    c.instance.base_url = "https://social.example";
    c.instance.name = "Example <Social>";
    c.instance.description = "A test instance";
    c.instance.contact_email = "admins@social.example";
    c.instance.max_status_chars = 1000;
    c.instance.languages = {"en", "fr"};
  });
  auto founder = server.CreateUser("founder", Role::kOwner);
  auto admin = server.CreateUser("later_owner", Role::kOwner);
  auto member = server.CreateUser("member");
  ASSERT_EQ(server.Post("/api/v1/statuses", R"({"status":"hello"})", member.token).status, 200);
  ASSERT_EQ(server.Post("/api/v1/statuses", R"({"status":"again"})", member.token).status, 200);

  auto r = server.Get("/api/v1/instance");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), kJson);
  const json::value body = r.json();
  const auto& o = body.as_object();
  ExpectKeys(o,
             {"uri", "title", "short_description", "description", "email", "version", "urls",
              "stats", "thumbnail", "languages", "registrations", "approval_required",
              "invites_enabled", "configuration", "contact_account", "rules"},
             "v1");
  EXPECT_EQ(o.at("uri").as_string(), "social.example");
  EXPECT_EQ(o.at("title").as_string(), "Example <Social>");
  EXPECT_EQ(o.at("short_description").as_string(), "A test instance");
  EXPECT_EQ(o.at("email").as_string(), "admins@social.example");
  EXPECT_EQ(o.at("version").as_string(), "4.3.0 (compatible; stoa 0.1.0)");
  EXPECT_EQ(Obj(body, "urls").at("streaming_api").as_string(), "wss://social.example");
  const auto& stats = Obj(body, "stats");
  EXPECT_EQ(stats.at("user_count").as_int64(), 3);
  EXPECT_EQ(stats.at("status_count").as_int64(), 2);
  EXPECT_EQ(stats.at("domain_count").as_int64(), 0);
  EXPECT_TRUE(o.at("thumbnail").is_null());
  EXPECT_EQ(o.at("languages"), json::parse(R"(["en","fr"])"));
  EXPECT_TRUE(o.at("registrations").as_bool());
  EXPECT_FALSE(o.at("approval_required").as_bool());
  EXPECT_FALSE(o.at("invites_enabled").as_bool());
  const auto& config = Obj(body, "configuration");
  ExpectKeys(config, {"accounts", "statuses", "media_attachments", "polls"}, "v1 configuration");
  EXPECT_EQ(config.at("statuses").as_object().at("max_characters").as_int64(), 1000);
  EXPECT_EQ(config.at("statuses").as_object().at("max_media_attachments").as_int64(), 0);
  EXPECT_EQ(config.at("statuses").as_object().at("characters_reserved_per_url").as_int64(), 23);
  ExpectKeys(config.at("accounts").as_object(), {"max_featured_tags", "max_pinned_statuses"},
             "accounts");
  ExpectKeys(config.at("media_attachments").as_object(),
             {"supported_mime_types", "image_size_limit", "image_matrix_limit", "video_size_limit",
              "video_frame_rate_limit", "video_matrix_limit"},
             "media_attachments");
  ExpectKeys(config.at("polls").as_object(),
             {"max_options", "max_characters_per_option", "min_expiration", "max_expiration"},
             "polls");
  // The contact is the first owner.
  ASSERT_TRUE(o.at("contact_account").is_object());
  EXPECT_EQ(Obj(body, "contact_account").at("username").as_string(), "founder");
  EXPECT_EQ(Obj(body, "contact_account").at("id").as_string(), IdToString(founder.id));
  EXPECT_TRUE(o.at("rules").as_array().empty());
  (void)admin;
}

TEST_F(InstanceTest, V2InstanceHasEveryField) {
  TestServer server;
  auto member = server.CreateUser("member");
  auto r = server.Get("/api/v2/instance", member.token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), kJson);
  const json::value body = r.json();
  const auto& o = body.as_object();
  ExpectKeys(
      o,
      {"domain", "title", "version", "source_url", "description", "usage", "thumbnail", "icon",
       "languages", "configuration", "registrations", "api_versions", "contact", "rules"},
      "v2");
  EXPECT_EQ(o.at("domain").as_string(), "127.0.0.1:8080");
  EXPECT_EQ(o.at("title").as_string(), "stoa");
  EXPECT_EQ(o.at("version").as_string(), "4.3.0 (compatible; stoa 0.1.0)");
  EXPECT_TRUE(o.at("source_url").is_string());
  // The member just registered, so it counts as active.
  EXPECT_EQ(Obj(Obj(body, "usage"), "users").at("active_month").as_int64(), 1);
  EXPECT_TRUE(Obj(body, "thumbnail").at("url").is_string());
  EXPECT_TRUE(o.at("icon").as_array().empty());
  EXPECT_TRUE(o.at("languages").is_array());

  const auto& config = Obj(body, "configuration");
  ExpectKeys(config,
             {"urls", "vapid", "accounts", "statuses", "media_attachments", "polls", "translation",
              "limited_federation", "timelines_access"},
             "v2 configuration");
  const auto& urls = config.at("urls").as_object();
  ExpectKeys(urls, {"streaming", "status", "about", "privacy_policy", "terms_of_service"}, "urls");
  EXPECT_EQ(urls.at("streaming").as_string(), "ws://127.0.0.1:8080");
  EXPECT_TRUE(urls.at("status").is_null());
  EXPECT_TRUE(urls.at("privacy_policy").is_null());
  EXPECT_TRUE(urls.at("terms_of_service").is_null());
  EXPECT_EQ(config.at("vapid").as_object().at("public_key").as_string(), "");
  EXPECT_EQ(config.at("statuses").as_object().at("max_characters").as_int64(), 500);
  ExpectKeys(config.at("media_attachments").as_object(),
             {"supported_mime_types", "description_limit", "image_size_limit", "image_matrix_limit",
              "video_size_limit", "video_frame_rate_limit", "video_matrix_limit"},
             "media_attachments");
  EXPECT_FALSE(config.at("translation").as_object().at("enabled").as_bool());
  EXPECT_FALSE(config.at("limited_federation").as_bool());
  ExpectKeys(config.at("timelines_access").as_object(),
             {"live_feeds", "hashtag_feeds", "trending_link_feeds"}, "timelines_access");

  const auto& registrations = Obj(body, "registrations");
  ExpectKeys(registrations,
             {"enabled", "approval_required", "message", "min_age", "reason_required", "url"},
             "registrations");
  EXPECT_TRUE(registrations.at("enabled").as_bool());
  EXPECT_TRUE(registrations.at("message").is_null());
  EXPECT_FALSE(registrations.at("reason_required").as_bool());
  EXPECT_EQ(Obj(body, "api_versions").at("mastodon").as_int64(), 2);
  EXPECT_EQ(Obj(body, "contact").at("email").as_string(), "admin@localhost");
  // No owner: no contact account.
  EXPECT_TRUE(Obj(body, "contact").at("account").is_null());
}

TEST_F(InstanceTest, RegistrationModesShowEverywhere) {
  struct Case {
    Registrations mode;
    bool enabled, approval, open;
  };
  const std::vector<Case> cases = {
      {Registrations::kOpen, true, false, true},
      {Registrations::kApproval, true, true, false},
      {Registrations::kClosed, false, false, false},
  };
  for (const auto& c : cases) {
    TestServer server([&](Config& config) { config.instance.registrations = c.mode; });
    SCOPED_TRACE(std::string(RegistrationsName(c.mode)));
    auto v1 = server.Get("/api/v1/instance").json();
    EXPECT_EQ(v1.as_object().at("registrations").as_bool(), c.enabled);
    EXPECT_EQ(v1.as_object().at("approval_required").as_bool(), c.approval);
    auto v2 = server.Get("/api/v2/instance").json();
    EXPECT_EQ(Obj(v2, "registrations").at("enabled").as_bool(), c.enabled);
    EXPECT_EQ(Obj(v2, "registrations").at("approval_required").as_bool(), c.approval);
    auto nodeinfo = server.Get("/nodeinfo/2.0").json();
    EXPECT_EQ(nodeinfo.as_object().at("openRegistrations").as_bool(), c.open);
  }
}

TEST_F(InstanceTest, RulesAddedInStorageAppearEverywhere) {
  TestServer server;
  auto empty = server.Get("/api/v1/instance/rules");
  ASSERT_EQ(empty.status, 200);
  EXPECT_EQ(empty.body, "[]");

  AddRule(server, "No <script> harassment", "Includes \"dogpiling\"", 2);
  AddRule(server, "Be kind", "", 1);
  auto r = server.Get("/api/v1/instance/rules");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), kJson);
  const json::value body = r.json();
  const auto& rules = body.as_array();
  ASSERT_EQ(rules.size(), 2u);
  // By position; every field; text escaped only as JSON.
  EXPECT_EQ(rules[0].as_object().at("text").as_string(), "Be kind");
  EXPECT_EQ(rules[1].as_object().at("text").as_string(), "No <script> harassment");
  EXPECT_EQ(rules[1].as_object().at("hint").as_string(), "Includes \"dogpiling\"");
  for (const auto& rule : rules) {
    EXPECT_TRUE(rule.as_object().at("id").is_string());
    EXPECT_TRUE(rule.as_object().at("translations").is_object());
  }
  EXPECT_EQ(server.Get("/api/v2/instance").json().as_object().at("rules"), body);
  EXPECT_EQ(server.Get("/api/v1/instance").json().as_object().at("rules"), body);

  // A removed rule disappears (reports keep it; the list does not).
  const Id first = *ParseId(rules[0].as_object().at("id").as_string());
  ASSERT_TRUE(server.app()
                  .storage()
                  .Write([&](storage::Transaction& tx) {
                    return tx.rules().Delete(first, server.app().core().Now());
                  })
                  .ok());
  auto after = server.Get("/api/v1/instance/rules").json().as_array();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].as_object().at("text").as_string(), "No <script> harassment");
}

TEST_F(InstanceTest, SmallerInstanceEndpoints) {
  TestServer server([](Config& c) { c.instance.description = "Fish & <chips>"; });
  struct Case {
    std::string path;
    int status;
    std::string body;  // "" = not compared
  };
  const std::vector<Case> cases = {
      {"/api/v1/instance/peers", 200, "[]"},
      {"/api/v1/instance/activity", 200, "[]"},
      {"/api/v1/instance/domain_blocks", 200, "[]"},
      {"/api/v1/instance/translation_languages", 200, "{}"},
      {"/api/v1/instance/privacy_policy", 404, R"({"error":"Record not found"})"},
      {"/api/v1/instance/terms_of_service", 404, R"({"error":"Record not found"})"},
      {"/api/v1/instance/terms_of_service/2025-01-01", 404, R"({"error":"Record not found"})"},
      {"/api/v1/instance/extended_description", 200, ""},
      {"/api/v1/instance/languages", 200, ""},
      {"/api/v1/instance/rules", 200, "[]"},
  };
  for (const auto& c : cases) {
    auto r = server.Get(c.path);
    EXPECT_EQ(r.status, c.status) << c.path;
    EXPECT_EQ(r.header("content-type"), kJson) << c.path;
    if (!c.body.empty()) {
      EXPECT_EQ(r.body, c.body) << c.path;
    }
  }
  auto extended = server.Get("/api/v1/instance/extended_description").json().as_object();
  EXPECT_EQ(std::string(extended.at("updated_at").as_string()).size(), 24u);
  EXPECT_EQ(extended.at("content").as_string(), "<p>Fish &amp; &lt;chips&gt;</p>");

  auto languages = server.Get("/api/v1/instance/languages").json().as_array();
  EXPECT_GT(languages.size(), 100u);
  bool has_english = false;
  for (const auto& l : languages) {
    ExpectKeys(l.as_object(), {"code", "name"}, "language");
    if (l.as_object().at("code") == "en") has_english = l.as_object().at("name") == "English";
  }
  EXPECT_TRUE(has_english);
}

TEST_F(InstanceTest, NodeInfoSatisfiesMegalodonsDetector) {
  TestServer server;
  server.CreateUser("someone");
  auto links = server.Get("/.well-known/nodeinfo");
  ASSERT_EQ(links.status, 200);
  EXPECT_EQ(links.header("content-type"), kJson);
  const json::value links_body = links.json();
  const auto& link = links_body.as_object().at("links").as_array().at(0).as_object();
  EXPECT_EQ(link.at("rel").as_string(), "http://nodeinfo.diaspora.software/ns/schema/2.0");
  EXPECT_EQ(link.at("href").as_string(), "http://127.0.0.1:8080/nodeinfo/2.0");

  auto r = server.Get("/nodeinfo/2.0");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type").rfind("application/json", 0), 0u) << r.header("content-type");
  const json::value body = r.json();
  const auto& o = body.as_object();
  ExpectKeys(
      o, {"version", "software", "protocols", "services", "usage", "openRegistrations", "metadata"},
      "nodeinfo");
  EXPECT_EQ(o.at("version").as_string(), "2.0");
  EXPECT_EQ(Obj(body, "software").at("name").as_string(), "stoa");
  EXPECT_EQ(Obj(body, "software").at("version").as_string(), "0.1.0");
  EXPECT_TRUE(o.at("protocols").as_array().empty());  // no federation
  EXPECT_TRUE(Obj(body, "services").at("inbound").as_array().empty());
  EXPECT_TRUE(Obj(body, "services").at("outbound").as_array().empty());
  const auto& users = Obj(Obj(body, "usage"), "users");
  EXPECT_EQ(users.at("total").as_int64(), 1);
  EXPECT_EQ(users.at("activeMonth").as_int64(), 1);
  EXPECT_EQ(users.at("activeHalfyear").as_int64(), 1);
  EXPECT_EQ(Obj(body, "usage").at("localPosts").as_int64(), 0);
  EXPECT_TRUE(o.at("openRegistrations").as_bool());
  EXPECT_EQ(Obj(body, "metadata").at("nodeName").as_string(), "stoa");
  EXPECT_EQ(Obj(Obj(body, "metadata"), "upstream").at("name").as_string(), "mastodon");
}

TEST_F(InstanceTest, WebFingerFindsLocalAccounts) {
  TestServer server;
  server.CreateUser("alice");
  struct Case {
    std::string resource;
    int status;
  };
  const std::vector<Case> cases = {
      {"acct:alice@127.0.0.1:8080", 200},
      {"acct:ALICE@127.0.0.1:8080", 200},
      {"alice@127.0.0.1:8080", 200},
      {"http://127.0.0.1:8080/@alice", 200},
      {"acct:bob@127.0.0.1:8080", 404},
      {"acct:alice@elsewhere.example", 404},
      {"acct:alice", 404},
      {"acct:../etc@127.0.0.1:8080", 404},
      {"", 400},
  };
  for (const auto& c : cases) {
    auto r = server.Get("/.well-known/webfinger?resource=" + UrlEncode(c.resource));
    EXPECT_EQ(r.status, c.status) << c.resource << ": " << r.body;
    if (c.status == 200) {
      EXPECT_EQ(r.header("content-type"), "application/jrd+json; charset=utf-8");
      const json::value body = r.json();
      const auto& o = body.as_object();
      EXPECT_EQ(o.at("subject").as_string(), "acct:alice@127.0.0.1:8080");
      EXPECT_EQ(o.at("aliases").as_array().at(0).as_string(), "http://127.0.0.1:8080/@alice");
      const auto& l = o.at("links").as_array().at(0).as_object();
      EXPECT_EQ(l.at("rel").as_string(), "http://webfinger.net/rel/profile-page");
      EXPECT_EQ(l.at("href").as_string(), "http://127.0.0.1:8080/@alice");
    } else {
      EXPECT_EQ(r.header("content-type"), kJson) << c.resource;
      EXPECT_FALSE(r.error().empty()) << c.resource;
    }
  }
  EXPECT_EQ(server.Get("/.well-known/webfinger").status, 400);

  auto host_meta = server.Get("/.well-known/host-meta");
  ASSERT_EQ(host_meta.status, 200);
  EXPECT_EQ(host_meta.header("content-type"), "application/xrd+xml; charset=utf-8");
  EXPECT_NE(host_meta.body.find(
                "template=\"http://127.0.0.1:8080/.well-known/webfinger?resource={uri}\""),
            std::string::npos)
      << host_meta.body;
}

TEST_F(InstanceTest, PreferencesShowTheUsersDefaults) {
  TestServer server;
  auto alice = server.CreateUser("alice");
  auto r = server.Get("/api/v1/preferences", alice.token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json(), json::parse(R"({"posting:default:visibility":"public",
      "posting:default:sensitive":false,"posting:default:language":null,
      "reading:expand:media":"default","reading:expand:spoilers":false,
      "reading:autoplay:gifs":false})"));

  social::ProfileChanges changes;
  changes.default_visibility = Visibility::kPrivate;
  changes.default_sensitive = true;
  changes.default_language = "de";
  auto viewer = server.app().core().MakeViewer(alice.id, Role::kMember);
  ASSERT_TRUE(server.app().accounts().UpdateProfile(viewer, changes).ok());
  auto after =
      server.Get("/api/v1/preferences", server.Token(alice.id, "read:accounts")).json().as_object();
  EXPECT_EQ(after.at("posting:default:visibility").as_string(), "private");
  EXPECT_TRUE(after.at("posting:default:sensitive").as_bool());
  EXPECT_EQ(after.at("posting:default:language").as_string(), "de");

  EXPECT_EQ(server.Get("/api/v1/preferences", server.Token(alice.id, "read:statuses")).status, 403);
  EXPECT_EQ(server.Get("/api/v1/preferences", server.Token(kNoId, "read")).status, 422);
  EXPECT_EQ(server.Get("/api/v1/preferences").status, 401);
}

TEST_F(InstanceTest, StubsAnswerEmptyJsonWithTheRightScopes) {
  TestServer server;
  auto alice = server.CreateUser("alice");
  const std::string app_only = server.Token(kNoId, "read write push");
  const std::string narrow = server.Token(alice.id, "write:statuses");  // no read scope at all
  struct Case {
    std::string method, path;
    bool needs_user;
    std::string body;
    int status = 200;
  };
  const std::vector<Case> cases = {
      {"GET", "/api/v1/custom_emojis", false, "[]"},
      {"GET", "/api/v1/trends", false, "[]"},
      {"GET", "/api/v1/trends/tags", false, "[]"},
      {"GET", "/api/v1/trends/statuses", false, "[]"},
      {"GET", "/api/v1/trends/links", false, "[]"},
      {"GET", "/api/v1/filters", true, "[]"},
      {"GET", "/api/v2/filters", true, "[]"},
      {"GET", "/api/v1/lists", true, "[]"},
      {"GET", "/api/v1/lists/123", true, R"({"error":"Record not found"})", 404},
      {"GET", "/api/v1/announcements", true, "[]"},
      {"GET", "/api/v1/conversations", true, "[]"},
      {"GET", "/api/v1/suggestions", true, "[]"},
      {"GET", "/api/v2/suggestions", true, "[]"},
      {"GET", "/api/v1/domain_blocks", true, "[]"},
      {"GET", "/api/v1/scheduled_statuses", true, "[]"},
      {"GET", "/api/v1/featured_tags", true, "[]"},
      {"GET", "/api/v1/featured_tags/suggestions", true, "[]"},
      {"GET", "/api/v1/endorsements", true, "[]"},
      {"GET", "/api/v1/followed_tags", true, "[]"},
      {"GET", "/api/v1/push/subscription", true, R"({"error":"Record not found"})", 404},
      {"DELETE", "/api/v1/push/subscription", true, "{}"},
  };
  for (const auto& c : cases) {
    auto r = server.Send(c.method, c.path, "", {}, alice.token);
    EXPECT_EQ(r.status, c.status) << c.path;
    EXPECT_EQ(r.header("content-type"), kJson) << c.path;
    EXPECT_EQ(r.body, c.body) << c.path;
    if (c.needs_user) {
      EXPECT_EQ(server.Send(c.method, c.path, "", {}, app_only).status, 422) << c.path;
      EXPECT_EQ(server.Send(c.method, c.path, "", {}, "").status, 401) << c.path;
      auto wrong = server.Send(c.method, c.path, "", {}, narrow);
      EXPECT_EQ(wrong.status, 403) << c.path;
      EXPECT_EQ(wrong.error(), "This action is outside the authorized scopes") << c.path;
    } else {
      EXPECT_EQ(server.Send(c.method, c.path, "", {}, "").status, c.status) << c.path;
    }
  }
}

TEST_F(InstanceTest, UnknownApiPathsAnswerJson404) {
  TestServer server;
  for (const std::string path :
       {"/api/v1/whatever", "/api/v2/nothing/here", "/api/v1/instance/nope", "/nodeinfo/2.1"}) {
    auto r = server.Get(path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.header("content-type"), kJson) << path;
    EXPECT_FALSE(r.error().empty()) << path << ": " << r.body;
  }
  // A known path with another method is not an HTML page either.
  auto r = server.Post("/api/v1/instance", "{}");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("content-type"), kJson);
}

TEST_F(InstanceTest, HealthMetricsAndDefaultImagesStillWork) {
  TestServer server;
  auto health = server.Get("/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, R"({"status":"ok"})");
  auto metrics = server.Get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.header("content-type").rfind("text/plain", 0), 0u);
  // The storage's figures, the WAL's restarts by reason among them.
  for (const char* series :
       {"stoa_sqlite_write_queue_depth ", "stoa_sqlite_checkpoints_total ",
        "stoa_sqlite_wal_restarts_total{reason=\"caught_up\"} ",
        "stoa_sqlite_wal_restarts_total{reason=\"forced\"} 0"}) {
    EXPECT_NE(metrics.body.find(series), std::string::npos) << series << "\n" << metrics.body;
  }
  for (const std::string path :
       {"/avatars/original/missing.png", "/headers/original/missing.png"}) {
    auto png = server.Get(path);
    EXPECT_EQ(png.status, 200) << path;
    EXPECT_EQ(png.header("content-type"), "image/png");
    EXPECT_EQ(png.body.substr(1, 3), "PNG");
  }
}

}  // namespace
}  // namespace stoa::testing
