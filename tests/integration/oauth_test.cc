// Applications, OAuth 2 and registration over HTTP: app creation, the authorization-code flow with
// PKCE through the HTML login-and-consent page, the out-of-band code, client credentials, the
// optional password grant, HTTP Basic client authentication, revocation, the RFC 8414 metadata,
// userinfo, and POST /api/v1/accounts with its validation details and rate limit.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <regex>

#include "common/crypto.h"
#include "common/strings.h"
#include "domain/scope.h"
#include "tests/integration/test_server.h"

namespace stoa::testing {
namespace {

namespace json = boost::json;

constexpr char kRedirect[] = "https://app.example/callback";
constexpr char kOob[] = "urn:ietf:wg:oauth:2.0:oob";

std::string Str(const json::value& v, const char* key) {
  const auto* o = v.if_object();
  if (o == nullptr || !o->contains(key) || !o->at(key).is_string()) return "";
  return std::string(o->at(key).as_string());
}

json::value Arr(std::initializer_list<json::value_ref> items) {
  return json::value(json::array(items));
}

std::string HtmlUnescape(std::string s) {
  const std::pair<const char*, const char*> kEntities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}};
  for (const auto& [from, to] : kEntities) {
    for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += std::strlen(to)) {
      s.replace(pos, std::strlen(from), to);
    }
  }
  return s;
}

std::string FormEncode(const std::map<std::string, std::string>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += "&";
    out += UrlEncode(k) + "=" + UrlEncode(v);
  }
  return out;
}

// The query parameter `key` of a URL, percent-decoded; "" when absent.
std::string QueryParam(const std::string& url, const std::string& key) {
  const auto q = url.find('?');
  if (q == std::string::npos) return "";
  for (auto part : Split(std::string_view(url).substr(q + 1), '&')) {
    const auto eq = part.find('=');
    if (eq == std::string_view::npos || part.substr(0, eq) != key) continue;
    std::string out;
    UrlDecode(part.substr(eq + 1), out, true);
    return out;
  }
  return "";
}

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(n >> s) & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t n = uint8_t(in[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += "=";
  }
  return out;
}

std::string PkceChallenge(const std::string& verifier) {
  return Base64UrlEncode(Sha256Raw(verifier));
}

// The page's form as it is sent: hidden inputs by name, plus the CSRF cookie.
struct ParsedForm {
  std::map<std::string, std::string> fields;
  std::string cookie;  // "stoa_csrf=..."
};

ParsedForm ParseForm(const HttpResponse& page) {
  ParsedForm form;
  static const std::regex kHidden(R"re(<input type="hidden" name="([^"]+)" value="([^"]*)">)re");
  for (std::sregex_iterator it(page.body.begin(), page.body.end(), kHidden), end; it != end; ++it) {
    form.fields[(*it)[1]] = HtmlUnescape((*it)[2]);
  }
  const std::string set_cookie = page.header("set-cookie");
  form.cookie = set_cookie.substr(0, set_cookie.find(';'));
  return form;
}

// Checks the security headers every HTML page must carry.
void ExpectPageHeaders(const HttpResponse& r, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(r.header("content-type"), "text/html; charset=utf-8");
  const std::string csp = r.header("content-security-policy");
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("form-action 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("script-src"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_EQ(r.header("x-frame-options"), "DENY");
  EXPECT_EQ(r.header("referrer-policy"), "no-referrer");
  EXPECT_EQ(r.header("cache-control"), "no-store");
}

struct ClientApp {
  std::string id, client_id, client_secret;
};

class OAuthTest : public ::testing::Test {
 protected:
  explicit OAuthTest(std::function<void(Config&)> tweak = nullptr, const Clock* clock = nullptr)
      : server(std::move(tweak), clock) {}

  void SetUp() override { alice = server.CreateUser("alice"); }

  ClientApp CreateApp(const std::string& redirect = kRedirect,
                      const std::string& scopes = "read write follow",
                      const std::string& name = "Test App") {
    json::object body{{"client_name", name}, {"redirect_uris", redirect}, {"scopes", scopes}};
    auto r = server.Post("/api/v1/apps", json::serialize(body));
    EXPECT_EQ(r.status, 200) << r.body;
    return ClientApp{Str(r.json(), "id"), Str(r.json(), "client_id"),
                     Str(r.json(), "client_secret")};
  }

  HttpResponse AuthorizePage(const ClientApp& app, const std::string& redirect = kRedirect,
                             const std::string& scope = "read write", const std::string& state = "",
                             const std::string& challenge = "") {
    std::string target =
        "/oauth/authorize?response_type=code&client_id=" + UrlEncode(app.client_id) +
        "&redirect_uri=" + UrlEncode(redirect) + "&scope=" + UrlEncode(scope);
    if (!state.empty()) target += "&state=" + UrlEncode(state);
    if (!challenge.empty())
      target += "&code_challenge=" + challenge + "&code_challenge_method=S256";
    return server.Get(target);
  }

  HttpResponse SubmitForm(const std::map<std::string, std::string>& fields,
                          const std::string& cookie) {
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Content-Type", "application/x-www-form-urlencoded"}};
    if (!cookie.empty()) headers.emplace_back("Cookie", cookie);
    return server.Send("POST", "/oauth/authorize", FormEncode(fields), headers);
  }

  // GET the page, fill in the login and press `decision`.
  HttpResponse Authorize(const ClientApp& app, const std::string& login,
                         const std::string& password, const std::string& redirect = kRedirect,
                         const std::string& state = "", const std::string& challenge = "",
                         const std::string& decision = "approve") {
    auto page = AuthorizePage(app, redirect, "read write", state, challenge);
    EXPECT_EQ(page.status, 200) << page.body;
    ParsedForm form = ParseForm(page);
    form.fields["login"] = login;
    form.fields["password"] = password;
    form.fields["decision"] = decision;
    return SubmitForm(form.fields, form.cookie);
  }

  // The code of a successful authorization, taken from the redirect.
  std::string AuthorizeCode(const ClientApp& app, const std::string& challenge = "",
                            const std::string& redirect = kRedirect) {
    auto r = Authorize(app, "alice@example.org", "password-alice", redirect, "s1", challenge);
    EXPECT_EQ(r.status, 302) << r.body;
    return QueryParam(r.header("location"), "code");
  }

  HttpResponse Exchange(const ClientApp& app, const std::string& code, const std::string& verifier,
                        const std::string& redirect = kRedirect) {
    json::object body{{"grant_type", "authorization_code"},
                      {"client_id", app.client_id},
                      {"client_secret", app.client_secret},
                      {"code", code},
                      {"redirect_uri", redirect}};
    if (!verifier.empty()) body["code_verifier"] = verifier;
    return server.Post("/oauth/token", json::serialize(body));
  }

  HttpResponse ClientCredentials(const ClientApp& app, const std::string& scope = "") {
    json::object body{{"grant_type", "client_credentials"},
                      {"client_id", app.client_id},
                      {"client_secret", app.client_secret}};
    if (!scope.empty()) body["scope"] = scope;
    return server.Post("/oauth/token", json::serialize(body));
  }

  std::string AppToken(const ClientApp& app, const std::string& scope = "read write") {
    auto r = ClientCredentials(app, scope);
    EXPECT_EQ(r.status, 200) << r.body;
    return Str(r.json(), "access_token");
  }

  int64_t CountRows(const std::string& table) {
    sqlite3* db = nullptr;
    int64_t n = -1;
    if (sqlite3_open_v2((server.data_dir() + "/stoa.db").c_str(), &db, SQLITE_OPEN_READONLY,
                        nullptr) == SQLITE_OK) {
      sqlite3_stmt* stmt = nullptr;
      const std::string sql = "SELECT COUNT(*) FROM " + table;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
          sqlite3_step(stmt) == SQLITE_ROW) {
        n = sqlite3_column_int64(stmt, 0);
      }
      sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return n;
  }

  TestServer server;
  TestServer::User alice;
};

// ---------------------------------------------------------------------------------------------
// Applications

TEST_F(OAuthTest, CreateAppAcceptsEveryEncoding) {
  struct Case {
    std::string name, content_type, body, target;
    std::vector<std::string> uris;
  };
  const std::vector<Case> cases = {
      {"json string",
       "application/json",
       R"({"client_name":"J","redirect_uris":"https://a.example/cb","scopes":"read write","website":"https://a.example"})",
       "/api/v1/apps",
       {"https://a.example/cb"}},
      {"json array",
       "application/json",
       R"({"client_name":"J","redirect_uris":["https://a.example/cb","myapp://cb"],"scopes":"read write"})",
       "/api/v1/apps",
       {"https://a.example/cb", "myapp://cb"}},
      {"form newline-separated",
       "application/x-www-form-urlencoded",
       "client_name=F&redirect_uris=https%3A%2F%2Fa.example%2Fcb%0Aurn%3Aietf%3Awg%3Aoauth%3A2.0%"
       "3Aoob&scopes=read+write",
       "/api/v1/apps",
       {"https://a.example/cb", kOob}},
      {"form array",
       "application/x-www-form-urlencoded",
       "client_name=F&redirect_uris[]=https%3A%2F%2Fa.example%2Fcb&redirect_uris[]=myapp%3A%2F%"
       "2Fcb&scopes=read%20write",
       "/api/v1/apps",
       {"https://a.example/cb", "myapp://cb"}},
      {"query string",
       "",
       "",
       "/api/v1/apps?client_name=Q&redirect_uris=https%3A%2F%2Fa.example%2Fcb&scopes=read%20write",
       {"https://a.example/cb"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<std::pair<std::string, std::string>> headers;
    if (!c.content_type.empty()) headers.emplace_back("Content-Type", c.content_type);
    auto r = server.Send("POST", c.target, c.body, headers);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8");
    const json::value o_json = r.json();
    const auto& o = o_json.as_object();
    for (const char* key :
         {"id", "name", "website", "scopes", "redirect_uri", "redirect_uris", "client_id",
          "client_secret", "client_secret_expires_at", "vapid_key"}) {
      EXPECT_TRUE(o.contains(key)) << key;
    }
    EXPECT_TRUE(o.at("id").is_string());
    EXPECT_EQ(o.at("scopes"), Arr({"read", "write"}));
    json::array uris;
    std::string joined;
    for (const auto& u : c.uris) {
      uris.push_back(json::value(u));
      joined += (joined.empty() ? "" : "\n") + u;
    }
    EXPECT_EQ(o.at("redirect_uris"), uris);
    EXPECT_EQ(o.at("redirect_uri"), json::value(joined));
    EXPECT_EQ(o.at("client_secret_expires_at"), json::value(0));
    EXPECT_EQ(o.at("vapid_key"), json::value(""));
    EXPECT_EQ(Str(r.json(), "client_id").size(), 43u);
    EXPECT_EQ(Str(r.json(), "client_secret").size(), 43u);
  }
  // The website is null when none was given, its value otherwise.
  auto with = server.Post(
      "/api/v1/apps",
      R"({"client_name":"W","redirect_uris":"https://a.example/cb","website":"https://w.example"})");
  EXPECT_EQ(with.json().as_object().at("website"), json::value("https://w.example"));
  auto without =
      server.Post("/api/v1/apps", R"({"client_name":"W","redirect_uris":"https://a.example/cb"})");
  EXPECT_TRUE(without.json().as_object().at("website").is_null());
  // Scopes may come as an array too.
  auto array_scopes = server.Post(
      "/api/v1/apps",
      R"({"client_name":"W","redirect_uris":"https://a.example/cb","scopes":["read","write:statuses"]})");
  EXPECT_EQ(array_scopes.json().as_object().at("scopes"), Arr({"read", "write:statuses"}));
  // The default scope is read.
  EXPECT_EQ(without.json().as_object().at("scopes"), Arr({"read"}));
}

TEST_F(OAuthTest, CreateAppRejectsInvalidInputAndWritesNothing) {
  const int64_t before = CountRows("oauth_apps");
  ASSERT_GE(before, 0);
  struct Case {
    std::string name, body;
  };
  const std::vector<Case> cases = {
      {"missing name", R"({"redirect_uris":"https://a.example/cb"})"},
      {"blank name", R"({"client_name":"  ","redirect_uris":"https://a.example/cb"})"},
      {"missing redirect", R"({"client_name":"A"})"},
      {"empty redirect array", R"({"client_name":"A","redirect_uris":[]})"},
      {"relative redirect", R"({"client_name":"A","redirect_uris":"/callback"})"},
      {"javascript redirect", R"x({"client_name":"A","redirect_uris":"javascript:alert(1)"})x"},
      {"redirect with fragment", R"({"client_name":"A","redirect_uris":"https://a.example/cb#x"})"},
      {"unknown scope",
       R"({"client_name":"A","redirect_uris":"https://a.example/cb","scopes":"read bogus"})"},
      {"name too long", R"({"client_name":")" + std::string(61, 'n') +
                            R"(","redirect_uris":"https://a.example/cb"})"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = server.Post("/api/v1/apps", c.body);
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(r.error().rfind("Validation failed", 0), 0u) << r.body;
  }
  auto malformed = server.Post("/api/v1/apps", R"({"client_name":)");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_FALSE(malformed.error().empty());
  EXPECT_EQ(CountRows("oauth_apps"), before);
}

TEST_F(OAuthTest, VerifyCredentialsShowsTheTokensAppWithoutSecrets) {
  ClientApp app = CreateApp();
  const std::string token = AppToken(app);
  auto r = server.Get("/api/v1/apps/verify_credentials", token);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value o_json = r.json();
  const auto& o = o_json.as_object();
  EXPECT_EQ(o.at("id"), json::value(app.id));
  EXPECT_EQ(o.at("name"), json::value("Test App"));
  EXPECT_EQ(o.at("scopes"), Arr({"read", "write", "follow"}));
  EXPECT_EQ(o.at("redirect_uris"), Arr({kRedirect}));
  EXPECT_EQ(o.at("redirect_uri"), json::value(kRedirect));
  EXPECT_TRUE(o.at("website").is_null());
  EXPECT_FALSE(o.contains("client_secret"));
  EXPECT_EQ(r.body.find(app.client_secret), std::string::npos);

  // A user token of the same app works too; no token or a bad one does not.
  const std::string code = AuthorizeCode(app);
  auto user_token = Exchange(app, code, "");
  ASSERT_EQ(user_token.status, 200) << user_token.body;
  EXPECT_EQ(
      server.Get("/api/v1/apps/verify_credentials", Str(user_token.json(), "access_token")).status,
      200);
  EXPECT_EQ(server.Get("/api/v1/apps/verify_credentials").status, 401);
  auto bad = server.Get("/api/v1/apps/verify_credentials", "not-a-token");
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(bad.error(), "The access token is invalid");
}

// ---------------------------------------------------------------------------------------------
// The authorization-code flow

TEST_F(OAuthTest, AuthorizationCodeFlowWithPkce) {
  ClientApp app = CreateApp();
  const std::string verifier = "verifier-" + std::string(50, 'v');
  const std::string state = "st a&te=1/?";
  auto page = AuthorizePage(app, kRedirect, "read write", state, PkceChallenge(verifier));
  ASSERT_EQ(page.status, 200) << page.body;
  ExpectPageHeaders(page, "consent page");

  // The form contract other suites depend on.
  const std::string& html = page.body;
  EXPECT_NE(html.find(R"(<form method="post" action="/oauth/authorize">)"), std::string::npos);
  EXPECT_NE(html.find(R"(name="login")"), std::string::npos);
  EXPECT_NE(html.find(R"(<input type="password" id="password" name="password")"),
            std::string::npos);
  EXPECT_NE(html.find(R"(<button type="submit" name="decision" value="approve">)"),
            std::string::npos);
  EXPECT_NE(html.find(R"(<button type="submit" name="decision" value="deny")"), std::string::npos);
  EXPECT_NE(html.find("Test App"), std::string::npos);
  EXPECT_NE(html.find("Read all of your account"), std::string::npos);
  EXPECT_NE(html.find("Change all of your account"), std::string::npos);
  ParsedForm form = ParseForm(page);
  for (const char* field : {"client_id", "redirect_uri", "scope", "state", "response_type",
                            "code_challenge", "code_challenge_method", "authenticity_token"}) {
    EXPECT_TRUE(form.fields.count(field)) << field;
  }
  EXPECT_EQ(form.fields["client_id"], app.client_id);
  EXPECT_EQ(form.fields["redirect_uri"], kRedirect);
  EXPECT_EQ(form.fields["scope"], "read write");
  EXPECT_EQ(form.fields["state"], state);
  EXPECT_EQ(form.fields["response_type"], "code");
  EXPECT_EQ(form.fields["code_challenge_method"], "S256");
  const std::string set_cookie = page.header("set-cookie");
  EXPECT_EQ(form.cookie, "stoa_csrf=" + form.fields["authenticity_token"]);
  EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set_cookie.find("SameSite=Lax"), std::string::npos);
  EXPECT_NE(set_cookie.find("Path=/oauth"), std::string::npos);
  // Browsers check form-action on the redirect that answers the post: the registered target is
  // allowed, nothing else.
  EXPECT_NE(page.header("content-security-policy").find("form-action 'self' https://app.example;"),
            std::string::npos);

  form.fields["login"] = "alice@example.org";
  form.fields["password"] = "password-alice";
  form.fields["decision"] = "approve";
  auto redirect = SubmitForm(form.fields, form.cookie);
  ASSERT_EQ(redirect.status, 302) << redirect.body;
  const std::string location = redirect.header("location");
  EXPECT_EQ(location.rfind(std::string(kRedirect) + "?code=", 0), 0u) << location;
  EXPECT_EQ(QueryParam(location, "state"), state);
  EXPECT_NE(location.find("state=st%20a%26te%3D1%2F%3F"), std::string::npos) << location;
  const std::string code = QueryParam(location, "code");
  ASSERT_FALSE(code.empty());
  EXPECT_EQ(redirect.header("cache-control"), "no-store");

  auto token = Exchange(app, code, verifier);
  ASSERT_EQ(token.status, 200) << token.body;
  EXPECT_EQ(token.header("cache-control"), "no-store");
  const json::value t_json = token.json();
  const auto& t = t_json.as_object();
  EXPECT_EQ(t.at("token_type"), json::value("Bearer"));
  EXPECT_EQ(t.at("scope"), json::value("read write"));
  EXPECT_TRUE(t.at("created_at").is_int64());
  EXPECT_GT(t.at("created_at").as_int64(), 1700000000);
  EXPECT_LT(t.at("created_at").as_int64(), 4000000000);
  const std::string access_token = Str(token.json(), "access_token");

  auto me = server.Get("/oauth/userinfo", access_token);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(Str(me.json(), "preferred_username"), "alice");
  // The token acts for alice on user endpoints and carries only what was granted.
  EXPECT_EQ(server.Get("/api/v1/timelines/home", access_token).status, 200);

  // One use only.
  auto again = Exchange(app, code, verifier);
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(Str(again.json(), "error"), "invalid_grant");
  EXPECT_FALSE(Str(again.json(), "error_description").empty());
}

TEST_F(OAuthTest, CodeExchangeRefusesWrongVerifierRedirectClientAndMissingParameters) {
  ClientApp app = CreateApp(std::string(kRedirect) + "\nhttps://app.example/other");
  ClientApp other = CreateApp();
  const std::string verifier = std::string(64, 'x');
  struct Case {
    std::string name;
    std::function<HttpResponse(const std::string& code)> exchange;
    int status;
    std::string error;
    bool code_survives;  // a malformed request must not burn the code
  };
  const std::vector<Case> cases = {
      {"wrong verifier",
       [&](const std::string& code) { return Exchange(app, code, std::string(64, 'y')); }, 400,
       "invalid_grant", false},
      {"missing verifier", [&](const std::string& code) { return Exchange(app, code, ""); }, 400,
       "invalid_grant", false},
      {"other registered redirect",
       [&](const std::string& code) {
         return Exchange(app, code, verifier, "https://app.example/other");
       },
       400, "invalid_grant", false},
      {"another app's credentials",
       [&](const std::string& code) { return Exchange(other, code, verifier); }, 400,
       "invalid_grant", false},
      {"wrong secret",
       [&](const std::string& code) {
         return Exchange(ClientApp{app.id, app.client_id, "wrong"}, code, verifier);
       },
       401, "invalid_client", true},
      {"missing redirect_uri",
       [&](const std::string& code) {
         return server.Post("/oauth/token",
                            json::serialize(json::object{{"grant_type", "authorization_code"},
                                                         {"client_id", app.client_id},
                                                         {"client_secret", app.client_secret},
                                                         {"code", code},
                                                         {"code_verifier", verifier}}));
       },
       400, "invalid_request", true},
      {"unknown code", [&](const std::string&) { return Exchange(app, "no-such-code", verifier); },
       400, "invalid_grant", true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string code = AuthorizeCode(app, PkceChallenge(verifier));
    ASSERT_FALSE(code.empty());
    const int64_t tokens = CountRows("oauth_tokens");
    auto r = c.exchange(code);
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8");
    EXPECT_EQ(Str(r.json(), "error"), c.error) << r.body;
    EXPECT_FALSE(Str(r.json(), "error_description").empty());
    EXPECT_EQ(CountRows("oauth_tokens"), tokens);
    if (c.status == 401) {
      EXPECT_FALSE(r.header("www-authenticate").empty());
    }
    EXPECT_EQ(Exchange(app, code, verifier).status, c.code_survives ? 200 : 400);
  }
}

class OAuthFakeClockTest : public OAuthTest {
 protected:
  OAuthFakeClockTest() : OAuthTest(nullptr, &clock_) {}
  static FakeClock clock_;
};
FakeClock OAuthFakeClockTest::clock_;

TEST_F(OAuthFakeClockTest, ExpiredCodeIsRefused) {
  ClientApp app = CreateApp();
  const std::string fresh = AuthorizeCode(app);
  const std::string stale = AuthorizeCode(app);
  clock_.Advance(std::chrono::minutes(9));
  EXPECT_EQ(Exchange(app, fresh, "").status, 200);
  clock_.Advance(std::chrono::minutes(2));
  auto r = Exchange(app, stale, "");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(Str(r.json(), "error"), "invalid_grant");
}

TEST_F(OAuthTest, OutOfBandFlowShowsTheCode) {
  ClientApp app = CreateApp(kOob);
  auto page = AuthorizePage(app, kOob);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.header("content-security-policy").find("form-action 'self';"), std::string::npos);
  ParsedForm form = ParseForm(page);
  form.fields["login"] = "alice";  // a username works as well as the e-mail address
  form.fields["password"] = "password-alice";
  form.fields["decision"] = "approve";
  auto shown = SubmitForm(form.fields, form.cookie);
  ASSERT_EQ(shown.status, 200) << shown.body;
  ExpectPageHeaders(shown, "code page");
  EXPECT_TRUE(shown.header("location").empty());
  std::smatch m;
  ASSERT_TRUE(std::regex_search(shown.body, m,
                                std::regex(R"re(<code id="authorization-code">([^<]+)</code>)re")));
  auto token = Exchange(app, m[1], "", kOob);
  EXPECT_EQ(token.status, 200) << token.body;

  // Omitting redirect_uri picks the single registered one.
  ClientApp single = CreateApp(kOob);
  auto implicit = server.Get("/oauth/authorize?response_type=code&client_id=" + single.client_id);
  ASSERT_EQ(implicit.status, 200) << implicit.body;
  EXPECT_EQ(ParseForm(implicit).fields["redirect_uri"], kOob);
  EXPECT_EQ(ParseForm(implicit).fields["scope"], "read");
}

TEST_F(OAuthTest, DenyRedirectsWithAccessDenied) {
  struct Case {
    std::string name, registered, expected_prefix;
  };
  const std::vector<Case> cases = {
      {"plain", kRedirect, std::string(kRedirect) + "?error=access_denied"},
      {"with query", "https://app.example/cb?x=1",
       "https://app.example/cb?x=1&error=access_denied"},
      {"custom scheme", "myapp://oauth", "myapp://oauth?error=access_denied"},
  };
  const int64_t codes = CountRows("oauth_codes");
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ClientApp app = CreateApp(c.registered);
    auto r = Authorize(app, "", "", c.registered, "xyz", "", "deny");
    ASSERT_EQ(r.status, 302) << r.body;
    const std::string location = r.header("location");
    EXPECT_EQ(location.rfind(c.expected_prefix, 0), 0u) << location;
    EXPECT_EQ(QueryParam(location, "state"), "xyz");
    EXPECT_TRUE(QueryParam(location, "code").empty());
  }
  EXPECT_EQ(CountRows("oauth_codes"), codes);
  // Out of band, denial is a page.
  ClientApp oob = CreateApp(kOob);
  auto page = Authorize(oob, "", "", kOob, "", "", "deny");
  EXPECT_EQ(page.status, 200);
  EXPECT_TRUE(page.header("location").empty());
  EXPECT_NE(page.body.find("Access denied"), std::string::npos);
}

TEST_F(OAuthTest, CsrfTokenMustMatchTheCookie) {
  ClientApp app = CreateApp();
  auto page = AuthorizePage(app);
  ParsedForm form = ParseForm(page);
  form.fields["login"] = "alice@example.org";
  form.fields["password"] = "password-alice";
  form.fields["decision"] = "approve";
  const int64_t codes = CountRows("oauth_codes");
  struct Case {
    std::string name, field, cookie;
  };
  const std::string token = form.fields["authenticity_token"];
  const std::vector<Case> cases = {
      {"no cookie", token, ""},
      {"no field", "", form.cookie},
      {"different cookie", token, "stoa_csrf=" + std::string(43, 'A')},
      {"different field", std::string(43, 'A'), form.cookie},
      {"prefix of the token", token.substr(0, 20), form.cookie},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto fields = form.fields;
    if (c.field.empty()) {
      fields.erase("authenticity_token");
    } else {
      fields["authenticity_token"] = c.field;
    }
    auto r = SubmitForm(fields, c.cookie);
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_TRUE(r.header("location").empty());
    ExpectPageHeaders(r, c.name);
  }
  EXPECT_EQ(CountRows("oauth_codes"), codes);
  // The untouched form still works (the cookie among others).
  auto ok = SubmitForm(form.fields, "theme=dark; " + form.cookie + "; other=1");
  EXPECT_EQ(ok.status, 302) << ok.body;
}

TEST_F(OAuthTest, WrongCredentialsShowTheFormAgainWithoutRevealingAccounts) {
  ClientApp app = CreateApp();
  auto wrong_password = Authorize(app, "alice@example.org", "not-her-password");
  auto unknown_user = Authorize(app, "nobody@example.org", "whatever-password");
  auto empty_password = Authorize(app, "alice", "");
  for (const auto* r : {&wrong_password, &unknown_user, &empty_password}) {
    EXPECT_EQ(r->status, 401) << r->body;
    ExpectPageHeaders(*r, "401 page");
    EXPECT_NE(r->body.find("Invalid e-mail address or password."), std::string::npos);
    EXPECT_NE(r->body.find(R"(<form method="post" action="/oauth/authorize">)"), std::string::npos);
    // The form can be posted again: the token still matches the cookie.
    EXPECT_FALSE(ParseForm(*r).fields["authenticity_token"].empty());
    EXPECT_TRUE(r->header("location").empty());
  }
  EXPECT_NE(wrong_password.body.find(R"(value="alice@example.org")"), std::string::npos);
  EXPECT_EQ(wrong_password.body.find("not-her-password"), std::string::npos);

  // Disabled logins get a 403 page, but only with the right password.
  auto user = [&] {
    auto read = server.app().storage().Read();
    return *read->accounts().GetUser(alice.id);
  }();
  user.disabled = true;
  ASSERT_TRUE(server.app()
                  .storage()
                  .Write([&](storage::Transaction& tx) { return tx.accounts().UpdateUser(user); })
                  .ok());
  auto disabled = Authorize(app, "alice@example.org", "password-alice");
  EXPECT_EQ(disabled.status, 403) << disabled.body;
  EXPECT_NE(disabled.body.find("Your login is currently disabled"), std::string::npos);
  EXPECT_EQ(Authorize(app, "alice@example.org", "bad-password").status, 401);
}

TEST_F(OAuthTest, InvalidAuthorizationRequestsGetAnErrorPageAndNeverRedirect) {
  ClientApp app = CreateApp(kRedirect, "read");
  const std::string base = "/oauth/authorize?client_id=" + app.client_id;
  const std::string redirect = "&redirect_uri=" + UrlEncode(kRedirect);
  struct Case {
    std::string name, target;
  };
  const std::vector<Case> cases = {
      {"unknown client", "/oauth/authorize?response_type=code&client_id=nope" + redirect},
      {"missing client", "/oauth/authorize?response_type=code" + redirect},
      {"unregistered redirect",
       base + "&response_type=code&redirect_uri=" + UrlEncode("https://evil.example/cb")},
      {"scope beyond the app's", base + "&response_type=code" + redirect + "&scope=read%20write"},
      {"unknown scope", base + "&response_type=code" + redirect + "&scope=bogus"},
      {"token response type", base + "&response_type=token" + redirect},
      {"missing response type", base + redirect},
      {"plain PKCE",
       base + "&response_type=code" + redirect + "&code_challenge=abc&code_challenge_method=plain"},
      {"invalid UTF-8", base + "&response_type=code" + redirect + "&state=%FF"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = server.Get(c.target);
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_TRUE(r.header("location").empty());
    EXPECT_EQ(r.body.find("evil.example"), std::string::npos);
    EXPECT_EQ(r.body.find("<form"), std::string::npos);
    ExpectPageHeaders(r, c.name);
  }
  // A forged post (valid CSRF pair, unregistered redirect) is refused the same way.
  auto page = AuthorizePage(app, kRedirect, "read");
  ParsedForm form = ParseForm(page);
  form.fields["redirect_uri"] = "https://evil.example/cb";
  form.fields["login"] = "alice";
  form.fields["password"] = "password-alice";
  form.fields["decision"] = "approve";
  auto forged = SubmitForm(form.fields, form.cookie);
  EXPECT_EQ(forged.status, 400);
  EXPECT_TRUE(forged.header("location").empty());
}

// ---------------------------------------------------------------------------------------------
// The token endpoint's other grants, client authentication and revocation

TEST_F(OAuthTest, ClientCredentialsGivesAnAppOnlyTokenWithinTheAppsScopes) {
  ClientApp app = CreateApp(kRedirect, "read write:accounts");
  struct Case {
    std::string scope;
    int status;
    std::string error_or_scope;
  };
  const std::vector<Case> cases = {
      {"", 200, "read"},
      {"read", 200, "read"},
      {"read:statuses write:accounts", 200, "read:statuses write:accounts"},
      {"write", 400, "invalid_scope"},
      {"read follow", 400, "invalid_scope"},
      {"bogus", 400, "invalid_scope"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.scope);
    auto r = ClientCredentials(app, c.scope);
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_EQ(Str(r.json(), c.status == 200 ? "scope" : "error"), c.error_or_scope);
  }
  const std::string token = AppToken(app, "read");
  auto user_only = server.Get("/api/v1/accounts/verify_credentials", token);
  EXPECT_EQ(user_only.status, 422) << user_only.body;
  EXPECT_EQ(user_only.error(), "This method requires an authenticated user");
  EXPECT_EQ(server.Get("/api/v1/timelines/home", token).status, 422);
  EXPECT_EQ(server.Get("/oauth/userinfo", token).status, 422);
  // Public endpoints accept it.
  EXPECT_EQ(server.Get("/api/v1/timelines/public", token).status, 200);
}

TEST_F(OAuthTest, TokenEndpointAcceptsHttpBasicFormQueryAndJson) {
  ClientApp app = CreateApp();
  const std::string basic = "Basic " + Base64(app.client_id + ":" + app.client_secret);
  struct Case {
    std::string name, target, body, content_type, authorization;
    int status;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"basic", "/oauth/token", "grant_type=client_credentials",
       "application/x-www-form-urlencoded", basic, 200, ""},
      {"basic json", "/oauth/token", R"({"grant_type":"client_credentials","scope":"read"})",
       "application/json", basic, 200, ""},
      {"form body", "/oauth/token",
       "grant_type=client_credentials&client_id=" + app.client_id +
           "&client_secret=" + app.client_secret,
       "application/x-www-form-urlencoded", "", 200, ""},
      {"query",
       "/oauth/token?grant_type=client_credentials&client_id=" + app.client_id +
           "&client_secret=" + app.client_secret,
       "", "", "", 200, ""},
      {"basic wrong secret", "/oauth/token", "grant_type=client_credentials",
       "application/x-www-form-urlencoded", "Basic " + Base64(app.client_id + ":nope"), 401,
       "invalid_client"},
      {"basic malformed", "/oauth/token", "grant_type=client_credentials",
       "application/x-www-form-urlencoded", "Basic !!!", 400, "invalid_request"},
      {"no client", "/oauth/token", "grant_type=client_credentials",
       "application/x-www-form-urlencoded", "", 401, "invalid_client"},
      {"unknown client", "/oauth/token",
       R"({"grant_type":"client_credentials","client_id":"x","client_secret":"y"})",
       "application/json", "", 401, "invalid_client"},
      {"refresh_token", "/oauth/token", R"({"grant_type":"refresh_token","refresh_token":"x"})",
       "application/json", basic, 400, "unsupported_grant_type"},
      {"password disabled", "/oauth/token",
       R"({"grant_type":"password","username":"alice@example.org","password":"password-alice"})",
       "application/json", basic, 400, "unsupported_grant_type"},
      {"missing grant_type", "/oauth/token", "{}", "application/json", basic, 400,
       "invalid_request"},
      {"malformed json", "/oauth/token", R"({"grant_type":)", "application/json", basic, 400,
       "invalid_request"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<std::pair<std::string, std::string>> headers;
    if (!c.content_type.empty()) headers.emplace_back("Content-Type", c.content_type);
    if (!c.authorization.empty()) headers.emplace_back("Authorization", c.authorization);
    auto r = server.Send("POST", c.target, c.body, headers);
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8");
    EXPECT_EQ(r.header("cache-control"), "no-store");
    if (c.status == 200) {
      EXPECT_EQ(Str(r.json(), "token_type"), "Bearer");
      EXPECT_EQ(Str(r.json(), "access_token").size(), 43u);
    } else {
      EXPECT_EQ(Str(r.json(), "error"), c.error) << r.body;
      EXPECT_FALSE(Str(r.json(), "error_description").empty());
    }
    if (c.status == 401) {
      EXPECT_NE(r.header("www-authenticate").find("invalid_client"), std::string::npos);
    }
  }
}

TEST_F(OAuthTest, RevokeEndsTheTokenAndOnlyItsOwnAppMayRevoke) {
  ClientApp app = CreateApp();
  ClientApp other = CreateApp();
  const std::string token = Str(Exchange(app, AuthorizeCode(app), "").json(), "access_token");
  ASSERT_FALSE(token.empty());
  ASSERT_EQ(server.Get("/api/v1/timelines/home", token).status, 200);

  auto foreign = server.Post("/oauth/revoke",
                             json::serialize(json::object{{"client_id", other.client_id},
                                                          {"client_secret", other.client_secret},
                                                          {"token", token}}));
  EXPECT_EQ(foreign.status, 403) << foreign.body;
  EXPECT_EQ(Str(foreign.json(), "error"), "unauthorized_client");
  EXPECT_EQ(server.Get("/api/v1/timelines/home", token).status, 200);

  auto wrong_secret =
      server.Post("/oauth/revoke",
                  json::serialize(json::object{
                      {"client_id", app.client_id}, {"client_secret", "nope"}, {"token", token}}));
  EXPECT_EQ(wrong_secret.status, 401);
  EXPECT_EQ(Str(wrong_secret.json(), "error"), "invalid_client");
  auto missing = server.Post("/oauth/revoke",
                             json::serialize(json::object{{"client_id", app.client_id},
                                                          {"client_secret", app.client_secret}}));
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(Str(missing.json(), "error"), "invalid_request");
  EXPECT_EQ(server.Get("/api/v1/timelines/home", token).status, 200);

  auto revoked = server.Post(
      "/oauth/revoke",
      json::serialize(json::object{
          {"client_id", app.client_id}, {"client_secret", app.client_secret}, {"token", token}}));
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(revoked.body, "{}");
  auto after = server.Get("/api/v1/timelines/home", token);
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(after.error(), "The access token is invalid");
  EXPECT_NE(after.header("www-authenticate").find("Bearer realm=\"Doorkeeper\""),
            std::string::npos);
  EXPECT_NE(after.header("www-authenticate").find("invalid_token"), std::string::npos);

  // Unknown (and already revoked) tokens revoke fine (RFC 7009); HTTP Basic works here too.
  auto unknown =
      server.Send("POST", "/oauth/revoke", "token=never-issued",
                  {{"Content-Type", "application/x-www-form-urlencoded"},
                   {"Authorization", "Basic " + Base64(app.client_id + ":" + app.client_secret)}});
  EXPECT_EQ(unknown.status, 200) << unknown.body;
  EXPECT_EQ(unknown.body, "{}");
}

class OAuthPasswordGrantTest : public OAuthTest {
 protected:
  OAuthPasswordGrantTest()
      : OAuthTest([](Config& c) {
          c.oauth.password_grant = true;
          c.instance.base_url = "https://stoa.example";
        }) {}
};

TEST_F(OAuthPasswordGrantTest, PasswordGrantWorksWhenEnabled) {
  ClientApp app = CreateApp(kRedirect, "read write");
  auto grant = [&](const std::string& username, const std::string& password,
                   const std::string& scope) {
    json::object body{{"grant_type", "password"},
                      {"client_id", app.client_id},
                      {"client_secret", app.client_secret},
                      {"username", username},
                      {"password", password}};
    if (!scope.empty()) body["scope"] = scope;
    return server.Post("/oauth/token", json::serialize(body));
  };
  auto ok = grant("alice@example.org", "password-alice", "read write");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Str(ok.json(), "scope"), "read write");
  EXPECT_EQ(server.Get("/api/v1/timelines/home", Str(ok.json(), "access_token")).status, 200);
  auto wrong = grant("alice@example.org", "nope-nope", "");
  EXPECT_EQ(wrong.status, 400);
  EXPECT_EQ(Str(wrong.json(), "error"), "invalid_grant");
  auto too_wide = grant("alice@example.org", "password-alice", "admin:read");
  EXPECT_EQ(Str(too_wide.json(), "error"), "invalid_scope");

  auto meta = server.Get("/.well-known/oauth-authorization-server");
  EXPECT_EQ(meta.json().as_object().at("grant_types_supported"),
            Arr({"authorization_code", "client_credentials", "password"}));
  EXPECT_EQ(Str(meta.json(), "issuer"), "https://stoa.example/");
  EXPECT_EQ(Str(meta.json(), "token_endpoint"), "https://stoa.example/oauth/token");
  // Behind https the CSRF cookie is Secure.
  auto page = AuthorizePage(app, kRedirect, "read");
  EXPECT_NE(page.header("set-cookie").find("; Secure"), std::string::npos);
}

TEST_F(OAuthTest, AuthorizationServerMetadata) {
  auto r = server.Get("/.well-known/oauth-authorization-server");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8");
  const json::value o_json = r.json();
  const auto& o = o_json.as_object();
  const std::string base = server.app().config().instance.base_url;
  EXPECT_EQ(o.at("issuer"), json::value(base + "/"));
  EXPECT_EQ(o.at("authorization_endpoint"), json::value(base + "/oauth/authorize"));
  EXPECT_EQ(o.at("token_endpoint"), json::value(base + "/oauth/token"));
  EXPECT_EQ(o.at("revocation_endpoint"), json::value(base + "/oauth/revoke"));
  EXPECT_EQ(o.at("app_registration_endpoint"), json::value(base + "/api/v1/apps"));
  EXPECT_EQ(o.at("userinfo_endpoint"), json::value(base + "/oauth/userinfo"));
  EXPECT_EQ(o.at("response_types_supported"), Arr({"code"}));
  EXPECT_EQ(o.at("code_challenge_methods_supported"), Arr({"S256"}));
  EXPECT_EQ(o.at("grant_types_supported"), Arr({"authorization_code", "client_credentials"}));
  EXPECT_EQ(o.at("token_endpoint_auth_methods_supported"),
            Arr({"client_secret_basic", "client_secret_post"}));
  const auto& scopes = o.at("scopes_supported").as_array();
  EXPECT_EQ(scopes.size(), KnownScopes().size());
  for (const char* s :
       {"read", "write", "follow", "push", "profile", "admin:read", "write:statuses"}) {
    EXPECT_NE(std::find(scopes.begin(), scopes.end(), json::value(s)), scopes.end()) << s;
  }
}

TEST_F(OAuthTest, UserInfoNeedsProfileOrReadAccounts) {
  const std::string profile = server.Token(alice.id, "profile");
  auto r = server.Get("/oauth/userinfo", profile);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string base = server.app().config().instance.base_url;
  EXPECT_EQ(Str(r.json(), "iss"), base + "/");
  EXPECT_EQ(Str(r.json(), "sub"), base + "/users/alice");
  EXPECT_EQ(Str(r.json(), "profile"), base + "/@alice");
  EXPECT_EQ(Str(r.json(), "preferred_username"), "alice");
  EXPECT_FALSE(Str(r.json(), "name").empty());
  EXPECT_EQ(Str(r.json(), "picture").rfind("http", 0), 0u);
  EXPECT_EQ(server.Get("/oauth/userinfo", server.Token(alice.id, "read:accounts")).status, 200);
  auto narrow = server.Get("/oauth/userinfo", server.Token(alice.id, "read:statuses"));
  EXPECT_EQ(narrow.status, 403);
  EXPECT_EQ(narrow.error(), "This action is outside the authorized scopes");
  EXPECT_EQ(server.Get("/oauth/userinfo").status, 401);
}

// ---------------------------------------------------------------------------------------------
// Registration

std::string Multipart(const std::map<std::string, std::string>& fields,
                      const std::string& boundary) {
  std::string out;
  for (const auto& [k, v] : fields) {
    out += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n" + v +
           "\r\n";
  }
  return out + "--" + boundary + "--\r\n";
}

TEST_F(OAuthTest, RegistrationReturnsAWorkingTokenInEveryEncoding) {
  ClientApp app = CreateApp(kRedirect, "read write follow");
  const std::string app_token = AppToken(app, "read write");
  struct Case {
    std::string name, content_type, body;
  };
  const std::vector<Case> cases = {
      {"json", "application/json",
       R"({"username":"bob","email":"bob@example.org","password":"secret-password","agreement":true,"locale":"en"})"},
      {"form", "application/x-www-form-urlencoded",
       "username=carol&email=carol%40example.org&password=secret-password&agreement=1&locale=de&"
       "reason=hi"},
      {"multipart", "multipart/form-data; boundary=XyZ",
       Multipart({{"username", "dave"},
                  {"email", "dave@example.org"},
                  {"password", "secret-password"},
                  {"agreement", "true"},
                  {"locale", "en"}},
                 "XyZ")},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = server.Send("POST", "/api/v1/accounts", c.body, {{"Content-Type", c.content_type}},
                         app_token);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Str(r.json(), "token_type"), "Bearer");
    EXPECT_EQ(Str(r.json(), "scope"), "read write");
    EXPECT_TRUE(r.json().as_object().at("created_at").is_int64());
    const std::string token = Str(r.json(), "access_token");
    auto me = server.Get("/oauth/userinfo", token);
    ASSERT_EQ(me.status, 200) << me.body;
    EXPECT_EQ(Str(me.json(), "preferred_username"), c.name == "json"   ? "bob"
                                                    : c.name == "form" ? "carol"
                                                                       : "dave");
    EXPECT_EQ(server.Get("/api/v1/timelines/home", token).status, 200);
  }
  // The new account can sign in through the consent page too.
  auto redirect = Authorize(app, "bob@example.org", "secret-password");
  EXPECT_EQ(redirect.status, 302) << redirect.body;
}

TEST_F(OAuthTest, RegistrationValidationErrorsCarryDetails) {
  ClientApp app = CreateApp();
  const std::string app_token = AppToken(app, "write:accounts");
  auto count_accounts = [&] {
    auto read = server.app().storage().Read();
    return read->accounts().Count();
  };
  const int64_t before = count_accounts();
  struct Case {
    std::string name;
    json::object body;
    std::string field, code;
  };
  const json::object valid{{"username", "newbie"},
                           {"email", "newbie@example.org"},
                           {"password", "secret-password"},
                           {"agreement", "true"},
                           {"locale", "en"}};
  auto with = [&](std::initializer_list<std::pair<std::string, json::value>> changes) {
    json::object o = valid;
    for (const auto& [k, v] : changes) {
      if (v.is_null()) {
        o.erase(k);
      } else {
        o[k] = v;
      }
    }
    return o;
  };
  const std::vector<Case> cases = {
      {"username blank", with({{"username", ""}}), "username", "ERR_BLANK"},
      {"username missing", with({{"username", nullptr}}), "username", "ERR_BLANK"},
      {"username invalid", with({{"username", "no spaces"}}), "username", "ERR_INVALID"},
      {"username too long", with({{"username", json::string(std::string(31, 'u'))}}), "username",
       "ERR_TOO_LONG"},
      {"username reserved", with({{"username", "admin"}}), "username", "ERR_RESERVED"},
      {"username taken", with({{"username", "alice"}}), "username", "ERR_TAKEN"},
      {"username taken any case", with({{"username", "ALICE"}}), "username", "ERR_TAKEN"},
      {"email blank", with({{"email", ""}}), "email", "ERR_BLANK"},
      {"email invalid", with({{"email", "not-an-address"}}), "email", "ERR_INVALID"},
      {"email taken any case", with({{"email", "Alice@Example.ORG"}}), "email", "ERR_TAKEN"},
      {"password blank", with({{"password", ""}}), "password", "ERR_BLANK"},
      {"password too short", with({{"password", "short"}}), "password", "ERR_TOO_SHORT"},
      {"password too long", with({{"password", json::string(std::string(73, 'p'))}}), "password",
       "ERR_TOO_LONG"},
      {"agreement false", with({{"agreement", false}}), "agreement", "ERR_ACCEPTED"},
      {"agreement \"0\"", with({{"agreement", "0"}}), "agreement", "ERR_ACCEPTED"},
      {"agreement missing", with({{"agreement", nullptr}}), "agreement", "ERR_ACCEPTED"},
      {"locale invalid", with({{"locale", "<script>"}}), "locale", "ERR_INCLUSION"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = server.Post("/api/v1/accounts", json::serialize(c.body), app_token);
    ASSERT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(r.error().rfind("Validation failed: ", 0), 0u) << r.body;
    const json::value details_json = r.json();
    const auto& details = details_json.as_object().at("details").as_object();
    ASSERT_TRUE(details.contains(c.field)) << r.body;
    const auto& first = details.at(c.field).as_array().at(0).as_object();
    EXPECT_EQ(first.at("error"), json::value(c.code));
    EXPECT_FALSE(first.at("description").as_string().empty());
  }
  // Several problems at once are all reported.
  auto many =
      server.Post("/api/v1/accounts", R"({"username":"","email":"x","password":"p"})", app_token);
  ASSERT_EQ(many.status, 422);
  const json::value details_json = many.json();
  const auto& details = details_json.as_object().at("details").as_object();
  for (const char* field : {"username", "email", "password", "agreement"})
    EXPECT_TRUE(details.contains(field)) << field;
  EXPECT_EQ(count_accounts(), before);

  // Authorization: a token with write:accounts is required.
  EXPECT_EQ(server.Post("/api/v1/accounts", json::serialize(valid)).status, 401);
  auto read_only = server.Post("/api/v1/accounts", json::serialize(valid), AppToken(app, "read"));
  EXPECT_EQ(read_only.status, 403);
  EXPECT_EQ(read_only.error(), "This action is outside the authorized scopes");
  EXPECT_EQ(count_accounts(), before);
}

class OAuthClosedRegistrationsTest : public OAuthTest {
 protected:
  OAuthClosedRegistrationsTest()
      : OAuthTest([](Config& c) { c.instance.registrations = Registrations::kClosed; }) {}
};

TEST_F(OAuthClosedRegistrationsTest, ClosedRegistrationsAre403) {
  ClientApp app = CreateApp();
  auto r = server.Post(
      "/api/v1/accounts",
      R"({"username":"bob","email":"bob@example.org","password":"secret-password","agreement":true,"locale":"en"})",
      AppToken(app, "write"));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_FALSE(r.error().empty());
  auto read = server.app().storage().Read();
  EXPECT_FALSE(read->accounts().FindByUsername("bob").ok());
}

class OAuthApprovalTest : public OAuthTest {
 protected:
  OAuthApprovalTest()
      : OAuthTest([](Config& c) {
          c.instance.registrations = Registrations::kApproval;
          c.oauth.password_grant = true;
        }) {}
};

TEST_F(OAuthApprovalTest, PendingAccountsCannotUseTheirLogin) {
  ClientApp app = CreateApp();
  auto r = server.Post(
      "/api/v1/accounts",
      R"({"username":"bob","email":"bob@example.org","password":"secret-password","agreement":true,"locale":"en","reason":"I like it"})",
      AppToken(app, "read write"));
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string token = Str(r.json(), "access_token");
  for (const char* path :
       {"/api/v1/accounts/verify_credentials", "/api/v1/timelines/home", "/oauth/userinfo"}) {
    SCOPED_TRACE(path);
    auto pending = server.Get(path, token);
    EXPECT_EQ(pending.status, 403) << pending.body;
    EXPECT_EQ(pending.error(), "Your login is currently pending approval");
  }
  auto page = Authorize(app, "bob@example.org", "secret-password");
  EXPECT_EQ(page.status, 403) << page.body;
  EXPECT_NE(page.body.find("pending approval"), std::string::npos);
  EXPECT_TRUE(page.header("location").empty());
  auto grant =
      server.Post("/oauth/token", json::serialize(json::object{{"grant_type", "password"},
                                                               {"client_id", app.client_id},
                                                               {"client_secret", app.client_secret},
                                                               {"username", "bob@example.org"},
                                                               {"password", "secret-password"}}));
  EXPECT_EQ(grant.status, 400);
  EXPECT_EQ(Str(grant.json(), "error"), "invalid_grant");
}

class OAuthRateLimitTest : public OAuthTest {
 protected:
  OAuthRateLimitTest() : OAuthTest([](Config& c) { c.rate_limits.enabled = true; }) {}
};

TEST_F(OAuthRateLimitTest, RegistrationsAreLimitedPerIp) {
  ClientApp app = CreateApp();
  const std::string app_token = AppToken(app, "write:accounts");
  // Five attempts in the window, valid or not; the sixth is refused.
  for (int i = 0; i < 5; ++i) {
    const std::string name = "user" + std::to_string(i);
    auto r =
        server.Post("/api/v1/accounts",
                    i == 0 ? R"({"username":"bad name"})"
                           : R"({"username":")" + name + R"(","email":")" + name +
                                 R"(@example.org","password":"secret-password","agreement":true})",
                    app_token);
    EXPECT_EQ(r.status, i == 0 ? 422 : 200) << r.body;
    EXPECT_EQ(r.header("x-ratelimit-limit"), "5");
    EXPECT_EQ(r.header("x-ratelimit-remaining"), std::to_string(4 - i));
  }
  auto limited = server.Post(
      "/api/v1/accounts",
      R"({"username":"late","email":"late@example.org","password":"secret-password","agreement":true})",
      app_token);
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(limited.error(), "Too many requests");
  EXPECT_EQ(limited.header("x-ratelimit-limit"), "5");
  EXPECT_EQ(limited.header("x-ratelimit-remaining"), "0");
  EXPECT_EQ(limited.header("x-ratelimit-reset").size(), 27u) << limited.header("x-ratelimit-reset");
  auto read = server.app().storage().Read();
  EXPECT_FALSE(read->accounts().FindByUsername("late").ok());
}

TEST_F(OAuthRateLimitTest, LoginAttemptsAreLimited) {
  ClientApp app = CreateApp();
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(Authorize(app, "alice", "wrong-password").status, 401) << i;
  }
  auto limited = Authorize(app, "alice", "password-alice");
  EXPECT_EQ(limited.status, 429) << limited.body;
  ExpectPageHeaders(limited, "429 page");
  EXPECT_FALSE(limited.header("retry-after").empty());
  EXPECT_TRUE(limited.header("location").empty());
}

// ---------------------------------------------------------------------------------------------
// Escaping

TEST_F(OAuthTest, EveryPageEscapesHostileValues) {
  const std::string hostile = "<script>alert(1)</script>";
  auto created = server.Post(
      "/api/v1/apps",
      json::serialize(json::object{{"client_name", hostile},
                                   {"redirect_uris", std::string(kRedirect) + " " + kOob},
                                   {"website", "javascript:alert(\"x\")"},
                                   {"scopes", "read write"}}));
  ASSERT_EQ(created.status, 200) << created.body;
  ClientApp app{Str(created.json(), "id"), Str(created.json(), "client_id"),
                Str(created.json(), "client_secret")};
  const std::string state = "\"><script>alert(2)</script>";

  std::vector<std::pair<std::string, HttpResponse>> pages;
  pages.emplace_back("consent", AuthorizePage(app, kRedirect, "read", state));
  pages.emplace_back("consent oob", AuthorizePage(app, kOob, "read", state));
  pages.emplace_back("wrong password",
                     Authorize(app, "<b>alice</b>", "wrong-password", kRedirect, state));
  pages.emplace_back("oob code", Authorize(app, "alice", "password-alice", kOob, state));
  pages.emplace_back("oob deny", Authorize(app, "", "", kOob, state, "", "deny"));
  pages.emplace_back("bad csrf", SubmitForm({{"client_id", app.client_id}, {"state", state}}, ""));
  pages.emplace_back("invalid request",
                     server.Get("/oauth/authorize?client_id=" + UrlEncode(hostile)));
  pages.emplace_back("bad redirect",
                     server.Get("/oauth/authorize?response_type=code&client_id=" + app.client_id +
                                "&redirect_uri=" + UrlEncode(hostile)));
  for (const auto& [name, r] : pages) {
    SCOPED_TRACE(name);
    EXPECT_NE(r.status, 0);
    ExpectPageHeaders(r, name);
    EXPECT_EQ(r.body.find("<script"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("<b>"), std::string::npos);
    EXPECT_EQ(r.body.find("href=\"javascript"), std::string::npos);
    EXPECT_EQ(r.body.find("style="), std::string::npos);  // no inline styles: CSP allows none
  }
  EXPECT_NE(pages[0].second.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(ParseForm(pages[0].second).fields["state"], state);

  auto css = server.Get("/web/style.css");
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.header("content-type"), "text/css; charset=utf-8");
}

}  // namespace
}  // namespace stoa::testing
