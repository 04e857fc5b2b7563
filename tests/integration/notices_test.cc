// Notices over HTTP: members' Mastodon reports, DSA Art. 16 notices from anyone (JSON and form),
// priority notifiers with keys, snapshots as evidence, merging into one case per target, the
// notifier's status view, receipts in the outbox, per-IP limits; every bad input answers 422 (or
// 401/403/404) and creates nothing.
#include <gtest/gtest.h>

#include "common/crypto.h"
#include "tests/integration/test_server.h"

namespace stoa::testing {
namespace {

namespace json = boost::json;

std::string Str(const json::value& v, const char* key) {
  return std::string(v.as_object().at(key).as_string());
}

std::string JsonString(const std::string& s) { return json::serialize(json::value(s)); }

class NoticesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    alice = server.CreateUser("alice");
    bob = server.CreateUser("bob");
    carol = server.CreateUser("carol");
    mod = server.CreateUser("mod", Role::kModerator, "read write admin:read admin:write");
    admin = server.CreateUser("boss", Role::kAdmin, "read write admin:read admin:write");
  }

  // Posts and returns {id, url}.
  std::pair<std::string, std::string> PostStatus(const TestServer::User& u, const std::string& text,
                                                 const std::string& visibility = "public") {
    auto r = server.Post("/api/v1/statuses",
                         R"({"status":)" + JsonString(text) + R"(,"visibility":")" + visibility +
                             R"("})",
                         u.token);
    EXPECT_EQ(r.status, 200) << r.body;
    return {Str(r.json(), "id"), Str(r.json(), "url")};
  }

  std::string NoticeBody(const std::string& location, const std::string& extra = "") {
    return R"({"explanation":"This calls for violence","locations":[)" + JsonString(location) +
           R"(],"category":"STATEMENT_CATEGORY_VIOLENCE","good_faith":true)" + extra + "}";
  }

  int64_t CountNotices() {
    return server.app().storage().Read()->notices().CountReceived(FromUnixMillis(0),
                                                                   FromUnixMillis(int64_t{1} << 45));
  }
  int64_t CountOpenCases() { return server.app().storage().Read()->cases().CountOpen(); }
  std::optional<Case> CaseFor(TargetType type, const std::string& id) {
    return server.app().storage().Read()->cases().FindOpenForTarget(type, *ParseId(id));
  }
  int64_t CountOutbox() {
    storage::PageQuery page;
    page.limit = 1000;
    return static_cast<int64_t>(server.app().storage().Read()->outbox().List(page, false).size());
  }

  TestServer server;
  TestServer::User alice, bob, carol, mod, admin;
};

TEST_F(NoticesTest, MemberReportIsMastodonsReportEntity) {
  std::string rule_id;
  {
    InstanceRule rule{server.app().core().ids().Next(), "No threats", "", 0, server.app().core().Now()};
    ASSERT_TRUE(server.app().storage().Write([&](storage::Transaction& tx) {
      return tx.rules().Insert(rule);
    }).ok());
    rule_id = IdToString(rule.id);
  }
  auto [status_id, url] = PostStatus(alice, "I will hurt you");
  auto r = server.Post("/api/v1/reports",
                       R"({"account_id":")" + IdToString(alice.id) + R"(","status_ids":[")" +
                           status_id + R"("],"comment":"threat","category":"violation","rule_ids":[")" +
                           rule_id + R"("],"forward":true})",
                       bob.token);
  ASSERT_EQ(r.status, 200) << r.body;
  auto o = r.json().as_object();
  EXPECT_TRUE(o.at("id").is_string());
  EXPECT_EQ(o.at("action_taken").as_bool(), false);
  EXPECT_TRUE(o.at("action_taken_at").is_null());
  EXPECT_EQ(o.at("category").as_string(), "violation");
  EXPECT_EQ(o.at("comment").as_string(), "threat");
  EXPECT_EQ(o.at("forwarded").as_bool(), true);
  EXPECT_TRUE(o.at("created_at").is_string());
  ASSERT_EQ(o.at("status_ids").as_array().size(), 1u);
  EXPECT_EQ(o.at("status_ids").as_array()[0].as_string(), status_id);
  ASSERT_EQ(o.at("rule_ids").as_array().size(), 1u);
  EXPECT_EQ(o.at("rule_ids").as_array()[0].as_string(), rule_id);
  EXPECT_EQ(o.at("target_account").as_object().at("username").as_string(), "alice");

  auto c = CaseFor(TargetType::kStatus, status_id);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->notices_count, 1);
  EXPECT_EQ(c->distinct_notifiers, 1);
  EXPECT_EQ(c->account_id, alice.id);
  EXPECT_EQ(c->category, Category::kOtherViolationTc);
  EXPECT_EQ(c->sources, SourceBit(NoticeSource::kMember));

  // Without statuses the report is about the account; the default category is "other".
  auto about_account = server.Post("/api/v1/reports",
                                   R"({"account_id":")" + IdToString(alice.id) + R"("})", carol.token);
  ASSERT_EQ(about_account.status, 200) << about_account.body;
  EXPECT_EQ(about_account.json().at("category").as_string(), "other");
  EXPECT_TRUE(about_account.json().at("rule_ids").is_null());
  EXPECT_TRUE(CaseFor(TargetType::kAccount, IdToString(alice.id)).has_value());
}

TEST_F(NoticesTest, BadReportsAnswerWithErrorsAndCreateNothing) {
  auto [status_id, url] = PostStatus(alice, "hello");
  auto [carols, carols_url] = PostStatus(carol, "carol's post");
  auto [secret_id, secret_url] = PostStatus(alice, "followers only", "private");
  const std::string account = IdToString(alice.id);
  struct Case {
    const char* name;
    std::string body;
    int status;
  };
  const std::vector<Case> cases = {
      {"comment over 1000 characters",
       R"({"account_id":")" + account + R"(","comment":")" + std::string(1001, 'x') + R"("})", 422},
      {"a status of another account",
       R"({"account_id":")" + account + R"(","status_ids":[")" + carols + R"("]})", 422},
      {"an unknown status", R"({"account_id":")" + account + R"(","status_ids":["12345"]})", 422},
      {"a status id that is no id", R"({"account_id":")" + account + R"(","status_ids":["x"]})", 422},
      {"a status the reporter cannot see",
       R"({"account_id":")" + account + R"(","status_ids":[")" + secret_id + R"("]})", 422},
      {"an unknown rule", R"({"account_id":")" + account + R"(","rule_ids":["999"]})", 422},
      {"an unknown category", R"({"account_id":")" + account + R"(","category":"rude"})", 422},
      {"an unknown account", R"({"account_id":"424242"})", 404},
      {"no account", R"({"comment":"x"})", 422},
  };
  for (const auto& c : cases) {
    auto r = server.Post("/api/v1/reports", c.body, bob.token);
    EXPECT_EQ(r.status, c.status) << c.name << ": " << r.body;
    EXPECT_FALSE(r.error().empty()) << c.name;
  }
  // Without a token, and with an app-only token.
  EXPECT_EQ(server.Post("/api/v1/reports", R"({"account_id":")" + account + R"("})").status, 401);
  EXPECT_EQ(CountNotices(), 0);
  EXPECT_EQ(CountOpenCases(), 0);
  // Exactly 1000 characters are fine (counted in characters, not bytes).
  std::string comment;
  for (int i = 0; i < 1000; ++i) comment += "\xC3\xA9";
  auto ok = server.Post("/api/v1/reports",
                        R"({"account_id":")" + account + R"(","comment":")" + comment + R"("})",
                        bob.token);
  EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST_F(NoticesTest, ReportAndAnonymousNoticeMergeIntoOneCase) {
  auto [status_id, url] = PostStatus(alice, "Let's storm the town hall with weapons");
  auto report = server.Post("/api/v1/reports",
                            R"({"account_id":")" + IdToString(alice.id) + R"(","status_ids":[")" +
                                status_id + R"("],"category":"legal"})",
                            bob.token);
  ASSERT_EQ(report.status, 200) << report.body;
  auto notice = server.Post("/api/v1/notices", NoticeBody(url));
  ASSERT_EQ(notice.status, 200) << notice.body;
  auto receipt = notice.json().as_object();
  EXPECT_FALSE(receipt.at("reference").as_string().empty());
  EXPECT_FALSE(receipt.at("secret").as_string().empty());
  EXPECT_TRUE(receipt.at("received_at").is_string());
  EXPECT_EQ(receipt.at("state").as_string(), "received");
  EXPECT_EQ(receipt.at("source").as_string(), "anonymous");

  EXPECT_EQ(CountOpenCases(), 1);
  auto c = CaseFor(TargetType::kStatus, status_id);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->notices_count, 2);
  EXPECT_EQ(c->distinct_notifiers, 2);
  // The violence notice made it manifestly illegal: 24 hours from its arrival at the latest.
  EXPECT_EQ(c->category, Category::kViolence);
  EXPECT_LE(c->deadline_at, server.app().core().Now() + std::chrono::hours(24));
  EXPECT_EQ(c->sources, SourceBit(NoticeSource::kMember) | SourceBit(NoticeSource::kAnonymous));
}

TEST_F(NoticesTest, FiveHundredNoticesOnOnePostAreOneCase) {
  auto [status_id, url] = PostStatus(alice, "spam spam spam");
  const std::string& base = server.app().config().instance.base_url;
  ASSERT_EQ(url.rfind(base, 0), 0u);
  for (int i = 0; i < 500; ++i) {
    safety::NoticeSender sender;
    sender.ip = "10.0.0." + std::to_string(i % 7);
    safety::NoticeInput in;
    in.explanation = "fraud";
    in.locations = {url};
    in.category = "STATEMENT_CATEGORY_SCAMS_AND_FRAUD";
    in.good_faith = true;
    in.email = "n" + std::to_string(i % 250) + "@example.org";  // 250 people, twice each
    auto submitted = server.app().notices().Submit(sender, in);
    ASSERT_TRUE(submitted.ok()) << submitted.status().ToString();
  }
  EXPECT_EQ(CountOpenCases(), 1);
  auto c = CaseFor(TargetType::kStatus, status_id);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->notices_count, 500);
  EXPECT_EQ(c->distinct_notifiers, 250);
  EXPECT_EQ(c->version, 500);  // created, then 499 joins
  EXPECT_EQ(CountOutbox(), 500);  // a receipt each
}

TEST_F(NoticesTest, BadNoticesAnswer422AndCreateNothing) {
  auto [status_id, url] = PostStatus(alice, "hello");
  auto [private_id, private_url] = PostStatus(alice, "for followers", "private");
  const std::string loc = JsonString(url);
  struct Case {
    const char* name;
    std::string body;
  };
  const std::vector<Case> cases = {
      {"no explanation", R"({"locations":[)" + loc + R"(],"good_faith":true})"},
      {"blank explanation", R"({"explanation":"  ","locations":[)" + loc + R"(],"good_faith":true})"},
      {"no locations", R"({"explanation":"x","good_faith":true})"},
      {"empty locations", R"({"explanation":"x","locations":[],"good_faith":true})"},
      {"no good faith", R"({"explanation":"x","locations":[)" + loc + R"(]})"},
      {"good faith false", R"({"explanation":"x","locations":[)" + loc + R"(],"good_faith":false})"},
      {"unknown category",
       R"({"explanation":"x","locations":[)" + loc + R"(],"good_faith":true,"category":"STATEMENT_CATEGORY_RUDE"})"},
      {"another server",
       R"({"explanation":"x","locations":["https://elsewhere.example/@a/1"],"good_faith":true})"},
      {"unknown account",
       R"({"explanation":"x","locations":[")" + server.app().config().instance.base_url +
           R"(/@nobody"],"good_faith":true})"},
      {"unknown status",
       R"({"explanation":"x","locations":[")" + server.app().config().instance.base_url +
           R"(/@alice/123456"],"good_faith":true})"},
      {"a status of someone else under alice's name",
       R"({"explanation":"x","locations":[")" + server.app().config().instance.base_url +
           "/@bob/" + status_id + R"("],"good_faith":true})"},
      {"a private status the notifier cannot see",
       R"({"explanation":"x","locations":[)" + JsonString(private_url) + R"(],"good_faith":true})"},
      {"one good and one bad location",
       R"({"explanation":"x","locations":[)" + loc + R"(,"https://elsewhere.example/x"],"good_faith":true})"},
      {"bad email",
       R"({"explanation":"x","locations":[)" + loc + R"(],"good_faith":true,"email":"not an email"})"},
  };
  for (const auto& c : cases) {
    auto r = server.Post("/api/v1/notices", c.body);
    EXPECT_EQ(r.status, 422) << c.name << ": " << r.body;
    EXPECT_FALSE(r.error().empty()) << c.name;
  }
  EXPECT_EQ(CountNotices(), 0);
  EXPECT_EQ(CountOpenCases(), 0);
  EXPECT_EQ(CountOutbox(), 0);
}

TEST_F(NoticesTest, FormNoticeWithEmailGetsAReceiptInTheOutbox) {
  auto [status_id, url] = PostStatus(alice, "defamatory text");
  const std::string account_url = server.app().config().instance.base_url + "/@alice";
  auto r = server.Form("POST", "/api/v1/notices",
                       "explanation=It+is+defamation&locations[]=" + url + "&locations[]=" +
                           account_url +
                           "&category=STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"
                           "&legal_provision=StGB+186&name=Erika&email=erika%40example.org"
                           "&good_faith=true");
  ASSERT_EQ(r.status, 200) << r.body;
  // Two items: the status and the account, each its own case.
  EXPECT_TRUE(CaseFor(TargetType::kStatus, status_id).has_value());
  EXPECT_TRUE(CaseFor(TargetType::kAccount, IdToString(alice.id)).has_value());

  auto outbox = server.Get("/api/v1/admin/outbox", admin.token);
  ASSERT_EQ(outbox.status, 200) << outbox.body;
  ASSERT_EQ(outbox.json().as_array().size(), 1u);
  auto m = outbox.json().as_array()[0].as_object();
  EXPECT_EQ(m.at("to").as_string(), "erika@example.org");
  EXPECT_EQ(m.at("kind").as_string(), "notice_receipt");
  EXPECT_NE(std::string(m.at("body").as_string()).find(Str(r.json(), "reference")),
            std::string::npos);
  EXPECT_TRUE(m.at("sent_at").is_null());
  // The secret is never stored in clear, so it is not in the mail either.
  EXPECT_EQ(std::string(m.at("body").as_string()).find(Str(r.json(), "secret")), std::string::npos);
  // Only admins read the outbox.
  EXPECT_EQ(server.Get("/api/v1/admin/outbox", mod.token).status, 403);
  EXPECT_EQ(server.Get("/api/v1/admin/outbox", bob.token).status, 403);
  EXPECT_EQ(server.Get("/api/v1/admin/outbox").status, 401);
}

TEST_F(NoticesTest, NotifierSeesStateAndOutcomeWithTheSecretOnly) {
  auto [status_id, url] = PostStatus(alice, "bad");
  auto r = server.Post("/api/v1/notices", NoticeBody(url));
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string ref = Str(r.json(), "reference");
  const std::string secret = Str(r.json(), "secret");
  auto view = server.Get("/api/v1/notices/" + ref + "?secret=" + secret);
  ASSERT_EQ(view.status, 200) << view.body;
  EXPECT_EQ(view.json().at("state").as_string(), "received");
  EXPECT_TRUE(view.json().at("outcome").is_null());
  EXPECT_EQ(view.json().at("items").as_array().size(), 1u);
  EXPECT_EQ(server.Get("/api/v1/notices/" + ref + "?secret=wrong").status, 404);
  EXPECT_EQ(server.Get("/api/v1/notices/" + ref).status, 404);
  EXPECT_EQ(server.Get("/api/v1/notices/nope?secret=" + secret).status, 404);

  auto c = CaseFor(TargetType::kStatus, status_id);
  ASSERT_TRUE(c.has_value());
  ASSERT_TRUE(server.app().storage().Write([&](storage::Transaction& tx) {
    return server.app().cases().SetNoticeOutcome(tx, c->id, 4242, "removed",
                                                 server.app().core().Now());
  }).ok());
  auto decided = server.Get("/api/v1/notices/" + ref + "?secret=" + secret);
  ASSERT_EQ(decided.status, 200);
  EXPECT_EQ(decided.json().at("state").as_string(), "decided");
  EXPECT_EQ(decided.json().at("outcome").as_string(), "removed");
}

TEST_F(NoticesTest, SnapshotKeepsTheEvidenceAfterDeletion) {
  auto [status_id, url] = PostStatus(alice, "evidence text");
  ASSERT_EQ(server.Post("/api/v1/notices", NoticeBody(url)).status, 200);
  ASSERT_EQ(server.Delete("/api/v1/statuses/" + status_id, alice.token).status, 200);
  auto c = CaseFor(TargetType::kStatus, status_id);
  ASSERT_TRUE(c.has_value());
  auto view = server.Get("/api/v1/admin/cases/" + IdToString(c->id), mod.token);
  ASSERT_EQ(view.status, 200) << view.body;
  auto o = view.json().as_object();
  auto snap = o.at("snapshot").as_object();
  EXPECT_EQ(snap.at("text").as_string(), "evidence text");
  EXPECT_EQ(snap.at("visibility").as_string(), "public");
  EXPECT_EQ(snap.at("author_id").as_string(), IdToString(alice.id));
  // The hash is the SHA-256 of the snapshot's canonical bytes.
  ContentSnapshot expected;
  expected.target_type = TargetType::kStatus;
  expected.target_id = *ParseId(status_id);
  expected.author_id = alice.id;
  expected.text = "evidence text";
  expected.visibility = Visibility::kPublic;
  auto post = server.app().storage().Read()->posts().Get(*ParseId(status_id));
  ASSERT_TRUE(post.ok());
  expected.content_created_at = post->created_at;
  EXPECT_EQ(snap.at("sha256").as_string(), Sha256Hex(SnapshotCanonicalBytes(expected)));
  EXPECT_TRUE(o.at("target").as_object().at("status").is_null());
  EXPECT_TRUE(o.at("target").as_object().at("status_deleted_at").is_string());
  EXPECT_EQ(o.at("notices").as_array().size(), 1u);
}

TEST_F(NoticesTest, PriorityNotifiersAreMarkedPrioritisedAndKeyed) {
  auto added = server.app().notices().AddNotifier(NoticeSource::kTrustedFlagger, "Flaggers e.V.", kNoId);
  ASSERT_TRUE(added.ok());
  const std::string key = added->second;
  EXPECT_EQ(key.rfind("stoa_pn_", 0), 0u);
  auto [plain_id, plain_url] = PostStatus(alice, "calls to violence one");
  auto [flagged_id, flagged_url] = PostStatus(alice, "calls to violence two");
  ASSERT_EQ(server.Post("/api/v1/notices", NoticeBody(plain_url)).status, 200);
  auto r = server.Send("POST", "/api/v1/notices", NoticeBody(flagged_url),
                       {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + key}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("source").as_string(), "trusted_flagger");
  auto plain = CaseFor(TargetType::kStatus, plain_id);
  auto flagged = CaseFor(TargetType::kStatus, flagged_id);
  ASSERT_TRUE(plain && flagged);
  EXPECT_TRUE(flagged->priority());
  EXPECT_EQ(flagged->priority_notices, 1);
  EXPECT_FALSE(plain->priority());
  EXPECT_GT(flagged->score, plain->score);
  EXPECT_LT(flagged->deadline_at, plain->deadline_at);
  // Priority first in the queue, and filterable by source.
  auto list = server.Get("/api/v1/admin/cases?source=trusted_flagger", mod.token);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json().as_array().size(), 1u);
  EXPECT_EQ(list.json().as_array()[0].at("target_id").as_string(), flagged_id);
  EXPECT_EQ(list.json().as_array()[0].at("priority").as_bool(), true);

  // Unknown and revoked keys are refused; nothing is created.
  const int64_t before = CountNotices();
  auto bogus = server.Send("POST", "/api/v1/notices", NoticeBody(plain_url),
                           {{"Content-Type", "application/json"},
                            {"Authorization", "Bearer stoa_pn_bogus"}});
  EXPECT_EQ(bogus.status, 401);
  ASSERT_TRUE(server.app().notices().RevokeNotifier(added->first.id, kNoId).ok());
  auto revoked = server.Send("POST", "/api/v1/notices", NoticeBody(plain_url),
                             {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + key}});
  EXPECT_EQ(revoked.status, 401);
  EXPECT_EQ(CountNotices(), before);
  // The key is stored only as its hash.
  auto stored = server.app().storage().Read()->notifiers().Get(added->first.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->key_hash, Sha256Hex(key));
  // Both key changes are audit entries.
  storage::AuditFilter filter;
  filter.target_type = "notifier";
  filter.target_id = IdToString(added->first.id);
  auto entries = server.app().storage().Read()->audit().List(filter, storage::PageQuery{});
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].action, "notifier.revoke");
  EXPECT_EQ(entries[1].action, "notifier.add");
  EXPECT_EQ(entries[1].details_json.find(key), std::string::npos);  // never the key itself
}

TEST_F(NoticesTest, AutomatedNoticesJoinCasesLikeAnyOther) {
  auto [status_id, url] = PostStatus(alice, "a detected call to violence");
  ASSERT_EQ(server.Post("/api/v1/notices", NoticeBody(url)).status, 200);
  Notice automated;
  ASSERT_TRUE(server.app().storage().Write([&](storage::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(automated, server.app().notices().SubmitAutomated(
                                    tx, TargetType::kStatus, *ParseId(status_id), Category::kViolence,
                                    90, R"({"rule":"violence.de.1"})"));
    return Status::Ok();
  }).ok());
  EXPECT_EQ(automated.source, NoticeSource::kAutomated);
  auto c = CaseFor(TargetType::kStatus, status_id);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->notices_count, 2);
  EXPECT_EQ(c->distinct_notifiers, 2);
  EXPECT_NE(c->sources & SourceBit(NoticeSource::kAutomated), 0u);
  auto stored = server.app().storage().Read()->notices().Get(automated.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->score, 90);
  EXPECT_EQ(stored->details_json, R"({"rule":"violence.de.1"})");
  EXPECT_EQ(stored->items.at(0).snapshot.text, "a detected call to violence");
  // An unknown target is refused inside the caller's transaction.
  Status bad = server.app().storage().Write([&](storage::Transaction& tx) {
    return server.app().notices().SubmitAutomated(tx, TargetType::kStatus, 424242, Category::kViolence,
                                                  50, "").status();
  });
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
}

TEST_F(NoticesTest, SuspendedNotifiersCannotSendNotices) {
  auto [status_id, url] = PostStatus(alice, "x");
  MisuseMeasure m;
  m.id = server.app().core().ids().Next();
  m.subject = MisuseSubject::kNotifier;
  m.subject_key = "account:" + IdToString(bob.id);
  m.kind = MisuseMeasureKind::kSuspension;
  m.starts_at = server.app().core().Now() - std::chrono::hours(1);
  m.ends_at = server.app().core().Now() + std::chrono::hours(24);
  ASSERT_TRUE(server.app().storage().Write([&](storage::Transaction& tx) {
    return tx.decisions().InsertMeasure(m);
  }).ok());
  auto report = server.Post("/api/v1/reports",
                            R"({"account_id":")" + IdToString(alice.id) + R"(","status_ids":[")" +
                                status_id + R"("]})",
                            bob.token);
  EXPECT_EQ(report.status, 403) << report.body;
  EXPECT_EQ(server.Post("/api/v1/notices", NoticeBody(url), bob.token).status, 403);
  EXPECT_EQ(CountNotices(), 0);
  // Others are not affected.
  EXPECT_EQ(server.Post("/api/v1/notices", NoticeBody(url), carol.token).status, 200);
}

TEST(NoticesLimitTest, AnonymousNoticesAreLimitedPerIpButPriorityNotifiersAreNot) {
  TestServer server([](Config& c) {
    c.rate_limits.enabled = true;
    c.rate_limits.per_ip = RateLimit{1000, 300};
    c.rate_limits.per_token = RateLimit{1000, 300};
    c.rate_limits.anonymous_notices_per_ip = RateLimit{2, 3600};
    c.rate_limits.priority_notices_per_key = RateLimit{1000, 3600};
  });
  auto alice = server.CreateUser("alice");
  auto posted = server.Post("/api/v1/statuses", R"({"status":"x"})", alice.token);
  ASSERT_EQ(posted.status, 200);
  const std::string url(posted.json().at("url").as_string());
  const std::string body = R"({"explanation":"x","locations":[)" + JsonString(url) +
                           R"(],"good_faith":true})";
  EXPECT_EQ(server.Post("/api/v1/notices", body).status, 200);
  EXPECT_EQ(server.Post("/api/v1/notices", body).status, 200);
  auto third = server.Post("/api/v1/notices", body);
  EXPECT_EQ(third.status, 429) << third.body;
  auto key = server.app().notices().AddNotifier(NoticeSource::kAuthority, "Police", kNoId);
  ASSERT_TRUE(key.ok());
  for (int i = 0; i < 5; ++i) {
    auto r = server.Send("POST", "/api/v1/notices", body,
                         {{"Content-Type", "application/json"},
                          {"Authorization", "Bearer " + key->second}});
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json().at("source").as_string(), "authority");
  }
  // Members are not held to the anonymous limit either.
  EXPECT_EQ(server.Post("/api/v1/notices", body, alice.token).status, 200);
}

}  // namespace
}  // namespace stoa::testing
