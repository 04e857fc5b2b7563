// OAuth applications, tokens and authorization codes; instance rules.
#include <atomic>
#include <latch>
#include <thread>

#include "storage/testing/conformance.h"

namespace stoa::storage::conformance {
namespace {


ScopeSet Scopes(std::string_view text) {
  auto parsed = ScopeSet::Parse(text);
  EXPECT_TRUE(IsOk(parsed)) << text;
  return parsed.ok() ? *parsed : ScopeSet();
}

OAuthApp MakeApp(Id id, std::string client_id, Timestamp at) {
  OAuthApp app;
  app.id = id;
  app.name = "Test App";
  app.website = "https://app.example";
  app.redirect_uris = {"https://app.example/callback", std::string(kOutOfBandRedirect)};
  app.scopes = Scopes("read write:statuses follow");
  app.client_id = std::move(client_id);
  app.client_secret_hash = "secret-hash";
  app.created_at = at;
  return app;
}

AccessToken MakeToken(Id id, std::string hash, Id app_id, Id account_id, Timestamp at) {
  AccessToken t;
  t.id = id;
  t.token_hash = std::move(hash);
  t.app_id = app_id;
  t.account_id = account_id;
  t.scopes = Scopes("read write");
  t.created_at = at;
  return t;
}

TEST_P(StorageConformanceTest, AppsRoundTripByIdAndClientId) {
  const OAuthApp app = MakeApp(NextId(), "client-abc", Now());
  const OAuthApp minimal = [&] {
    OAuthApp a = MakeApp(NextId(), "client-min", Now());
    a.website.clear();
    a.redirect_uris = {std::string(kOutOfBandRedirect)};
    a.scopes = Scopes("read");
    return a;
  }();
  MustWrite([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.oauth().InsertApp(app));
    return tx.oauth().InsertApp(minimal);
  });
  auto r = Read();
  for (const OAuthApp* want : {&app, &minimal}) {
    for (auto got : {r->oauth().GetApp(want->id), r->oauth().FindAppByClientId(want->client_id)}) {
      ASSERT_TRUE(IsOk(got));
      EXPECT_EQ(got->id, want->id);
      EXPECT_EQ(got->name, want->name);
      EXPECT_EQ(got->website, want->website);
      EXPECT_EQ(got->redirect_uris, want->redirect_uris);
      EXPECT_EQ(got->scopes.ToString(), want->scopes.ToString());
      EXPECT_EQ(got->client_id, want->client_id);
      EXPECT_EQ(got->client_secret_hash, want->client_secret_hash);
      EXPECT_EQ(got->created_at, want->created_at);
    }
  }
  EXPECT_EQ(r->oauth().GetApp(999).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r->oauth().FindAppByClientId("client-ABC").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r->oauth().FindAppByClientId("").status().code(), StatusCode::kNotFound);
}

TEST_P(StorageConformanceTest, TokensAreFoundByHashUntilRevoked) {
  const Id me = CreateAccount("me");
  const Id app = NextId();
  MustWrite([&](Transaction& tx) { return tx.oauth().InsertApp(MakeApp(app, "cid", Now())); });
  const AccessToken user_token = MakeToken(NextId(), "hash-user", app, me, Now());
  const AccessToken app_token = MakeToken(NextId(), "hash-app", app, kNoId, Now());
  const AccessToken cli_token = MakeToken(NextId(), "hash-cli", kNoId, me, Now());
  MustWrite([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.oauth().InsertToken(user_token));
    RETURN_IF_ERROR(tx.oauth().InsertToken(app_token));
    return tx.oauth().InsertToken(cli_token);
  });
  auto r = Read();
  for (const AccessToken* want : {&user_token, &app_token, &cli_token}) {
    for (auto got : {r->oauth().FindToken(want->token_hash), r->oauth().GetToken(want->id)}) {
      ASSERT_TRUE(IsOk(got));
      EXPECT_EQ(got->id, want->id);
      EXPECT_EQ(got->token_hash, want->token_hash);
      EXPECT_EQ(got->app_id, want->app_id);
      EXPECT_EQ(got->account_id, want->account_id);
      EXPECT_EQ(got->scopes.ToString(), "read write");
      EXPECT_EQ(got->created_at, want->created_at);
      EXPECT_EQ(got->revoked_at, std::nullopt);
    }
  }
  EXPECT_EQ(r->oauth().FindToken("HASH-USER").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r->oauth().GetToken(999).status().code(), StatusCode::kNotFound);
  r.reset();

  const Timestamp revoked_at = Now() + std::chrono::seconds(30);
  MustWrite([&](Transaction& tx) { return tx.oauth().RevokeToken(user_token.id, revoked_at); });
  EXPECT_EQ(Read()->oauth().FindToken("hash-user").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Read()->oauth().GetToken(user_token.id)->revoked_at, revoked_at);
  // Revoking again keeps the first time.
  MustWrite([&](Transaction& tx) {
    return tx.oauth().RevokeToken(user_token.id, revoked_at + std::chrono::hours(1));
  });
  EXPECT_EQ(Read()->oauth().GetToken(user_token.id)->revoked_at, revoked_at);
  EXPECT_TRUE(IsOk(Read()->oauth().FindToken("hash-app")));
}

TEST_P(StorageConformanceTest, RevokeAccountTokensRevokesAndReturnsTheActiveOnes) {
  const Id me = CreateAccount("me");
  const Id other = CreateAccount("other");
  const Timestamp t = Now();
  MustWrite([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.oauth().InsertToken(MakeToken(NextId(), "mine-1", kNoId, me, t)));
    RETURN_IF_ERROR(tx.oauth().InsertToken(MakeToken(NextId(), "mine-2", kNoId, me, t)));
    AccessToken old = MakeToken(NextId(), "mine-old", kNoId, me, t);
    old.revoked_at = t;
    RETURN_IF_ERROR(tx.oauth().InsertToken(old));
    RETURN_IF_ERROR(tx.oauth().InsertToken(MakeToken(NextId(), "theirs", kNoId, other, t)));
    return tx.oauth().InsertToken(MakeToken(NextId(), "app-only", kNoId, kNoId, t));
  });
  EXPECT_EQ(Read()->oauth().FindToken("mine-old").status().code(), StatusCode::kNotFound);
  Result<std::vector<std::string>> hashes = std::vector<std::string>{};
  MustWrite([&](Transaction& tx) -> Status {
    hashes = tx.oauth().RevokeAccountTokens(me, t + std::chrono::minutes(1));
    return hashes.status();
  });
  ASSERT_TRUE(IsOk(hashes));
  EXPECT_EQ(Sorted(*hashes), (std::vector<std::string>{"mine-1", "mine-2"}));
  auto r = Read();
  EXPECT_EQ(r->oauth().FindToken("mine-1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r->oauth().FindToken("mine-2").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(IsOk(r->oauth().FindToken("theirs")));
  EXPECT_TRUE(IsOk(r->oauth().FindToken("app-only")));
  r.reset();
  MustWrite([&](Transaction& tx) -> Status {
    hashes = tx.oauth().RevokeAccountTokens(me, t + std::chrono::minutes(2));
    return hashes.status();
  });
  EXPECT_TRUE(hashes->empty());
}

TEST_P(StorageConformanceTest, AuthorizationCodesAreConsumedOnceBeforeExpiry) {
  const Id me = CreateAccount("me");
  const Timestamp now = Now();
  auto code = [&](std::string hash, Timestamp expires) {
    AuthorizationCode c;
    c.code_hash = std::move(hash);
    c.app_id = 77;
    c.account_id = me;
    c.redirect_uri = "https://app.example/callback";
    c.scopes = Scopes("read write:statuses");
    c.code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    c.expires_at = expires;
    return c;
  };
  const AuthorizationCode fresh = code("fresh", now + std::chrono::minutes(10));
  const AuthorizationCode no_pkce = [&] {
    AuthorizationCode c = code("no-pkce", now + std::chrono::minutes(10));
    c.code_challenge.clear();
    return c;
  }();
  const AuthorizationCode edge = code("edge", now + std::chrono::milliseconds(1));
  const AuthorizationCode expired = code("expired", now);
  MustWrite([&](Transaction& tx) -> Status {
    for (const AuthorizationCode* c : {&fresh, &no_pkce, &edge, &expired}) {
      RETURN_IF_ERROR(tx.oauth().InsertCode(*c));
    }
    return Status::Ok();
  });
  auto consume = [&](std::string_view hash, Timestamp at) {
    Result<AuthorizationCode> got = NotFound("not run");
    const Status st = Write([&](Transaction& tx) -> Status {
      got = tx.oauth().ConsumeCode(hash, at);
      return Status::Ok();  // the outcome is in `got`; the write itself commits
    });
    EXPECT_TRUE(IsOk(st));
    return got;
  };
  auto got = consume("fresh", now);
  ASSERT_TRUE(IsOk(got));
  EXPECT_EQ(got->code_hash, "fresh");
  EXPECT_EQ(got->app_id, 77);
  EXPECT_EQ(got->account_id, me);
  EXPECT_EQ(got->redirect_uri, fresh.redirect_uri);
  EXPECT_EQ(got->scopes.ToString(), "read write:statuses");
  EXPECT_EQ(got->code_challenge, fresh.code_challenge);
  EXPECT_EQ(got->expires_at, fresh.expires_at);
  EXPECT_EQ(consume("fresh", now).status().code(), StatusCode::kNotFound);  // used
  EXPECT_EQ(consume("no-pkce", now)->code_challenge, "");
  EXPECT_EQ(consume("expired", now).status().code(), StatusCode::kNotFound);  // expires exactly now
  EXPECT_EQ(consume("edge", now + std::chrono::milliseconds(1)).status().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(IsOk(consume("edge", now)));
  EXPECT_EQ(consume("unknown", now).status().code(), StatusCode::kNotFound);
}

TEST_P(StorageConformanceTest, ACodeRacedByManyWritersIsConsumedExactlyOnce) {
  const Id me = CreateAccount("me");
  AuthorizationCode c;
  c.code_hash = "contested";
  c.app_id = 1;
  c.account_id = me;
  c.redirect_uri = std::string(kOutOfBandRedirect);
  c.scopes = Scopes("read");
  c.expires_at = Now() + std::chrono::minutes(10);
  MustWrite([&](Transaction& tx) { return tx.oauth().InsertCode(c); });
  constexpr int kThreads = 8;
  std::latch start(kThreads);
  std::atomic<int> winners{0};
  std::atomic<int> losers{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      const Status st = Write([&](Transaction& tx) -> Status {
        return tx.oauth().ConsumeCode("contested", Now()).status();
      });
      if (st.ok()) {
        winners.fetch_add(1);
      } else if (st.code() == StatusCode::kNotFound) {
        losers.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(winners.load(), 1);
  EXPECT_EQ(losers.load(), kThreads - 1);
}

TEST_P(StorageConformanceTest, RulesAreListedByPositionAndSoftDeleted) {
  const Timestamp t = Now();
  const InstanceRule r1{NextId(), "Be kind", "really", 2, t};
  const InstanceRule r2{NextId(), "No spam", "", 1, t};
  const InstanceRule r3{NextId(), "No ads", "", 1, t};
  MustWrite([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.rules().Insert(r1));
    RETURN_IF_ERROR(tx.rules().Insert(r2));
    return tx.rules().Insert(r3);
  });
  auto ids = [&] {
    std::vector<Id> out;
    for (const auto& rule : Read()->rules().List()) out.push_back(rule.id);
    return out;
  };
  EXPECT_EQ(ids(), (std::vector<Id>{r2.id, r3.id, r1.id}));
  auto got = Read()->rules().Get(r1.id);
  ASSERT_TRUE(IsOk(got));
  EXPECT_EQ(got->text, "Be kind");
  EXPECT_EQ(got->hint, "really");
  EXPECT_EQ(got->position, 2);
  EXPECT_EQ(got->created_at, t);
  EXPECT_EQ(Read()->rules().Get(999).status().code(), StatusCode::kNotFound);

  InstanceRule moved = r1;
  moved.text = "Be very kind";
  moved.hint = "";
  moved.position = 0;
  MustWrite([&](Transaction& tx) { return tx.rules().Update(moved); });
  EXPECT_EQ(ids(), (std::vector<Id>{r1.id, r2.id, r3.id}));
  EXPECT_EQ(Read()->rules().Get(r1.id)->text, "Be very kind");
  EXPECT_EQ(Read()->rules().Get(r1.id)->hint, "");

  MustWrite([&](Transaction& tx) { return tx.rules().Delete(r2.id, Now()); });
  EXPECT_EQ(ids(), (std::vector<Id>{r1.id, r3.id}));
  EXPECT_EQ(Read()->rules().Get(r2.id).status().code(), StatusCode::kNotFound);
  InstanceRule deleted = r2;
  deleted.text = "resurrected?";
  EXPECT_EQ(Write([&](Transaction& tx) { return tx.rules().Update(deleted); }).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(Write([&](Transaction& tx) { return tx.rules().Delete(r2.id, Now()); }).code(),
            StatusCode::kNotFound);
  InstanceRule missing{999, "x", "", 0, t};
  EXPECT_EQ(Write([&](Transaction& tx) { return tx.rules().Update(missing); }).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(Write([&](Transaction& tx) { return tx.rules().Delete(999, Now()); }).code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(Read()->rules().List().size() == 2u);
}

}  // namespace
}  // namespace stoa::storage::conformance
