// Shared set-up for the decision and appeal tests: an instance with a fake clock, an author, a
// follower, a stranger, a reporter, two moderators and an admin; helpers to post, report, claim,
// decide and look at a status from every surface over HTTP.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/clock.h"
#include "tests/integration/test_server.h"

namespace stoa::testing {

namespace json = boost::json;

inline std::string Str(const json::value& v, const char* key) {
  const auto& o = v.as_object();
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return "";
  return std::string(it->value().as_string());
}

inline std::string JsonString(const std::string& s) { return json::serialize(json::value(s)); }

// Ids of a JSON array of statuses (or of notifications' types with `key`).
inline std::vector<std::string> Ids(const json::value& v, const char* key = "id") {
  std::vector<std::string> out;
  if (!v.is_array()) return out;
  for (const auto& e : v.as_array()) out.push_back(Str(e, key));
  return out;
}

inline bool Has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

class ModerationTest : public ::testing::Test {
 protected:
  static constexpr const char* kStaffScopes = "read write follow admin:read admin:write";

  // `tweak` adjusts the configuration before the server starts.
  explicit ModerationTest(std::function<void(Config&)> tweak = nullptr)
      : server(std::move(tweak), &clock) {}

  void SetUp() override {
    author = server.CreateUser("author");
    follower = server.CreateUser("follower");
    stranger = server.CreateUser("stranger");
    reporter = server.CreateUser("reporter");
    mod = server.CreateUser("mod", Role::kModerator, kStaffScopes);
    mod2 = server.CreateUser("mod2", Role::kModerator, kStaffScopes);
    admin = server.CreateUser("boss", Role::kAdmin, kStaffScopes);
    auto r = server.Post("/api/v1/accounts/" + IdToString(author.id) + "/follow", "{}",
                         follower.token);
    EXPECT_EQ(r.status, 200) << r.body;
  }

  struct Posted {
    std::string id;
    std::string url;
  };
  Posted PostStatus(const TestServer::User& u, const std::string& text,
                    const std::string& extra = "") {
    auto r = server.Post("/api/v1/statuses", R"({"status":)" + JsonString(text) + extra + "}",
                         u.token);
    EXPECT_EQ(r.status, 200) << r.body;
    return {Str(r.json(), "id"), Str(r.json(), "url")};
  }

  void Report(const TestServer::User& who, const std::string& status_id) {
    auto r = server.Post("/api/v1/reports",
                         R"({"account_id":")" + IdToString(author.id) + R"(","status_ids":[")" +
                             status_id + R"("],"comment":"Please look at this","category":"other"})",
                         who.token);
    ASSERT_EQ(r.status, 200) << r.body;
  }

  struct Claimed {
    std::string id;
    std::string version;
    json::value body;
  };
  Claimed Claim(const TestServer::User& m) {
    auto r = server.Post("/api/v1/admin/cases/next", "{}", m.token);
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return {};
    json::value body = r.json();
    return {Str(body, "id"),
            std::to_string(body.as_object().at("version").to_number<int64_t>()), body};
  }

  // A status reported by `reporter`, claimed by `m`.
  Claimed ReportedAndClaimed(const std::string& status_id, const TestServer::User& m) {
    Report(reporter, status_id);
    return Claim(m);
  }

  HttpResponse Decide(const TestServer::User& m, const Claimed& c, const std::string& fields) {
    return server.Post("/api/v1/admin/cases/" + c.id + "/decision",
                       R"({"version":)" + c.version + R"(,"facts":"The post threatens a named person.","reasons":"Threats are not allowed here.")" +
                           (fields.empty() ? "" : "," + fields) + "}",
                       m.token);
  }

  // Where a status shows up for `viewer`.
  struct Surfaces {
    bool public_timeline = false;
    bool tag_timeline = false;
    bool search = false;
    bool home = false;  // the viewer's home timeline
    bool context = false;  // in the thread of its parent
    bool account = false;  // in the author's account statuses
    int direct = 0;        // HTTP status of GET /api/v1/statuses/:id
  };
  Surfaces Look(const std::string& id, const std::string& parent_id, const std::string& word,
                const TestServer::User& viewer) {
    Surfaces s;
    s.public_timeline = Has(Ids(server.Get("/api/v1/timelines/public?limit=40", viewer.token).json()), id);
    s.tag_timeline = Has(Ids(server.Get("/api/v1/timelines/tag/" + word + "?limit=40", viewer.token).json()), id);
    auto search = server.Get("/api/v2/search?type=statuses&q=" + word, viewer.token);
    if (search.status == 200) {
      const json::value body = search.json();
      s.search = Has(Ids(body.as_object().at("statuses")), id);
    }
    s.home = Has(Ids(server.Get("/api/v1/timelines/home?limit=40", viewer.token).json()), id);
    if (!parent_id.empty()) {
      auto context = server.Get("/api/v1/statuses/" + parent_id + "/context", viewer.token);
      if (context.status == 200) {
        const json::value body = context.json();
        s.context = Has(Ids(body.as_object().at("descendants")), id);
      }
    }
    s.account = Has(Ids(server.Get("/api/v1/accounts/" + IdToString(author.id) + "/statuses?limit=40",
                                   viewer.token)
                            .json()),
                    id);
    s.direct = server.Get("/api/v1/statuses/" + id, viewer.token).status;
    return s;
  }

  std::vector<json::value> Notifications(const TestServer::User& who) {
    std::vector<json::value> out;
    auto r = server.Get("/api/v1/notifications?limit=40", who.token);
    EXPECT_EQ(r.status, 200) << r.body;
    json::value body = r.json();
    if (body.is_array()) {
      for (const auto& n : body.as_array()) out.push_back(n);
    }
    return out;
  }
  std::vector<json::value> NotificationsOfType(const TestServer::User& who, const std::string& type) {
    std::vector<json::value> out;
    for (auto& n : Notifications(who)) {
      if (Str(n, "type") == type) out.push_back(n);
    }
    return out;
  }

  FakeClock clock{FromUnixMillis(1767225600000)};  // 2026-01-01
  TestServer server;
  TestServer::User author, follower, stranger, reporter, mod, mod2, admin;
};

}  // namespace stoa::testing
