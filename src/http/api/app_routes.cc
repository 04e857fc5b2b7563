// Applications, OAuth 2 endpoints and registration: /api/v1/apps, /oauth/token, /oauth/revoke,
// /oauth/userinfo, /.well-known/oauth-authorization-server and POST /api/v1/accounts.
// (The browser pages of /oauth/authorize live in src/web/oauth_pages.cc.)
#include <algorithm>
#include <functional>
#include <tuple>

#include "common/crypto.h"
#include "common/json_writer.h"
#include "common/strings.h"
#include "http/api/api.h"
#include "http/api/serializers.h"

namespace stoa::http::api {
namespace {

// Password-grant attempts per IP; the same budget as the login form of /oauth/authorize.
constexpr RateLimit kLoginAttemptsPerIp{10, 300};

// ---------------------------------------------------------------------------------------------
// Applications

void WriteApplicationFields(JsonWriter& w, const OAuthApp& app) {
  w.Key("id").IdString(app.id);
  w.Field("name", app.name);
  if (app.website.empty()) {
    w.NullField("website");
  } else {
    w.Field("website", app.website);
  }
  w.Key("scopes").BeginArray();
  for (const auto& s : app.scopes.scopes()) w.String(s);
  w.EndArray();
  std::string joined;
  for (const auto& uri : app.redirect_uris) {
    if (!joined.empty()) joined.push_back('\n');
    joined += uri;
  }
  w.Field("redirect_uri", joined);
  w.Key("redirect_uris").BeginArray();
  for (const auto& uri : app.redirect_uris) w.String(uri);
  w.EndArray();
}

// redirect_uris arrives as one string (newline or space separated) or as an array of strings.
std::vector<std::string> RedirectUris(const Call& c) {
  std::vector<std::string> uris;
  for (const auto& item : c.params.StringArray("redirect_uris")) {
    for (auto part : SplitWhitespace(item)) uris.emplace_back(part);
  }
  return uris;
}

Response CreateApp(Call& c) {
  social::NewApp in;
  in.name = c.Str("client_name");
  in.redirect_uris = RedirectUris(c);
  // Space separated as Mastodon documents it; some clients send an array.
  std::string scopes;
  for (const auto& s : c.params.StringArray("scopes")) scopes += s + " ";
  if (!Trim(scopes).empty()) in.scopes = std::string(Trim(scopes));
  in.website = std::string(Trim(c.Str("website")));
  auto created = c.s.oauth.CreateApp(in);
  if (!created.ok()) return ErrorResponse(created.status());
  JsonWriter w;
  w.BeginObject();
  WriteApplicationFields(w, created->app);
  w.Field("client_id", created->app.client_id);
  w.Field("client_secret", created->client_secret);
  w.Field("client_secret_expires_at", 0);
  w.Field("vapid_key", "");
  w.EndObject();
  return Ok(w.Take());
}

Response VerifyApp(Call& c) {
  // Tokens minted by the CLI belong to no application.
  if (c.auth->app_id == kNoId) return ErrorResponse(NotFound());
  Result<OAuthApp> app = NotFound();
  {
    auto read = c.s.core.storage().Read();
    app = read->oauth().GetApp(c.auth->app_id);
  }
  if (!app.ok()) return ErrorResponse(app.status());
  JsonWriter w;
  w.BeginObject();
  WriteApplicationFields(w, *app);
  w.Field("vapid_key", "");
  w.EndObject();
  return Ok(w.Take());
}

// ---------------------------------------------------------------------------------------------
// OAuth endpoints (RFC 6749 / 7009 / 8414). They do not go through Api::Route: the Authorization
// header carries HTTP Basic client credentials here, not a bearer token, and errors take the
// RFC 6749 shape {"error": code, "error_description": text}.

Response OAuthErrorResponse(const Status& status) {
  int http_status = 400;
  std::string error, description;
  switch (status.code()) {
    case StatusCode::kUnauthenticated:
    case StatusCode::kPermissionDenied:
    case StatusCode::kBadRequest:
    case StatusCode::kInvalidArgument:
      std::tie(error, description) = social::SplitOAuthError(status);
      http_status = status.code() == StatusCode::kUnauthenticated    ? 401
                    : status.code() == StatusCode::kPermissionDenied ? 403
                                                                     : 400;
      break;
    case StatusCode::kResourceExhausted:
      return ErrorResponse(status);
    case StatusCode::kUnavailable:
      http_status = 503;
      error = "temporarily_unavailable";
      description = "The authorization server is temporarily unable to handle the request.";
      break;
    default:
      http_status = 500;
      error = "server_error";
      description = "The authorization server encountered an unexpected condition.";
      break;
  }
  JsonWriter w;
  w.BeginObject().Field("error", error).Field("error_description", description).EndObject();
  Response r = Response::Json(http_status, w.Take());
  if (http_status == 401) {
    r.SetHeader("WWW-Authenticate", "Bearer realm=\"Doorkeeper\", error=\"" + error +
                                        "\", error_description=\"" + description + "\"");
  }
  return r;
}

Status InvalidRequest(std::string_view description) {
  return BadRequest("invalid_request: " + std::string(description));
}

struct ClientCredentials {
  std::string id;
  std::string secret;
};

// From HTTP Basic (preferred, RFC 6749 2.3.1) or from the parameters.
Result<ClientCredentials> ClientFrom(const Call& c) {
  if (const std::string* h = c.request.FindHeader("Authorization")) {
    std::string_view v = Trim(*h);
    if (v.size() > 6 && EqualsIgnoreCase(v.substr(0, 6), "Basic ")) {
      std::string decoded;
      if (!Base64Decode(Trim(v.substr(6)), decoded))
        return InvalidRequest("Malformed HTTP Basic credentials.");
      const auto colon = decoded.find(':');
      if (colon == std::string::npos) return InvalidRequest("Malformed HTTP Basic credentials.");
      ClientCredentials out;
      // Both parts are form-encoded (RFC 6749 2.3.1).
      if (!UrlDecode(std::string_view(decoded).substr(0, colon), out.id, false) ||
          !UrlDecode(std::string_view(decoded).substr(colon + 1), out.secret, false)) {
        return InvalidRequest("Malformed HTTP Basic credentials.");
      }
      return out;
    }
  }
  return ClientCredentials{c.Str("client_id"), c.Str("client_secret")};
}

using OAuthHandler = std::function<Response(Call&)>;

// Parameters, a per-IP rate limit and the no-store headers of RFC 6749 5.1 around an endpoint.
void OAuthRoute(Api& api, Router& router, Method method, std::string_view pattern,
                OAuthHandler handler) {
  router.Add(method, pattern,
             [&api, handler = std::move(handler)](Request& request, const PathParams& path) {
               Response r;
               auto params = Params::Parse(request);
               if (!params.ok()) {
                 r = OAuthErrorResponse(InvalidRequest(params.status().message()));
               } else {
                 Call call(request, path, std::move(params).value(), api.services());
                 Status limited = call.Throttle("ip:" + request.remote_address,
                                                api.services().config.rate_limits.per_ip);
                 r = limited.ok() ? handler(call) : ErrorResponse(limited);
                 call.AddHeaders(r);
               }
               r.SetHeader("Cache-Control", "no-store");
               r.SetHeader("Pragma", "no-cache");
               return r;
             });
}

Response TokenResponse(const Result<social::IssuedToken>& token) {
  if (!token.ok()) return OAuthErrorResponse(token.status());
  JsonWriter w;
  WriteToken(w, *token);
  return Ok(w.Take());
}

Response Token(Call& c) {
  const std::string grant = c.Str("grant_type");
  auto client = ClientFrom(c);
  if (!client.ok()) return OAuthErrorResponse(client.status());
  if (grant == "authorization_code") {
    // Checked before the code is consumed, so that a malformed request does not burn it.
    if (c.Str("code").empty())
      return OAuthErrorResponse(InvalidRequest("Missing required parameter: code."));
    if (c.Str("redirect_uri").empty()) {
      return OAuthErrorResponse(InvalidRequest("Missing required parameter: redirect_uri."));
    }
    return TokenResponse(c.s.oauth.ExchangeCode(client->id, client->secret, c.Str("code"),
                                                c.Str("redirect_uri"), c.Str("code_verifier")));
  }
  if (grant == "client_credentials") {
    return TokenResponse(c.s.oauth.ClientCredentials(client->id, client->secret, c.Str("scope")));
  }
  if (grant == "password" && c.s.config.oauth.password_grant) {
    if (Status st = c.Throttle("login-ip:" + c.request.remote_address, kLoginAttemptsPerIp);
        !st.ok()) {
      return ErrorResponse(st);
    }
    return TokenResponse(c.s.oauth.PasswordGrant(client->id, client->secret, c.Str("username"),
                                                 c.Str("password"), c.Str("scope")));
  }
  if (grant.empty())
    return OAuthErrorResponse(InvalidRequest("Missing required parameter: grant_type."));
  return OAuthErrorResponse(BadRequest(
      "unsupported_grant_type: The authorization grant type is not supported by the authorization "
      "server."));
}

Response Revoke(Call& c) {
  auto client = ClientFrom(c);
  if (!client.ok()) return OAuthErrorResponse(client.status());
  const std::string token = c.Str("token");
  if (token.empty())
    return OAuthErrorResponse(InvalidRequest("Missing required parameter: token."));
  Status st = c.s.oauth.Revoke(client->id, client->secret, token);
  if (!st.ok()) return OAuthErrorResponse(st);
  return Empty();
}

Response Metadata(Call& c) {
  const std::string& base = c.s.config.instance.base_url;
  JsonWriter w;
  w.BeginObject();
  w.Field("issuer", base + "/");
  w.Field("authorization_endpoint", base + "/oauth/authorize");
  w.Field("token_endpoint", base + "/oauth/token");
  w.Field("app_registration_endpoint", base + "/api/v1/apps");
  w.Field("revocation_endpoint", base + "/oauth/revoke");
  w.Field("userinfo_endpoint", base + "/oauth/userinfo");
  w.Key("scopes_supported").BeginArray();
  for (std::string_view s : KnownScopes()) w.String(s);
  w.EndArray();
  w.Key("response_types_supported").BeginArray().String("code").EndArray();
  w.Key("response_modes_supported").BeginArray().String("query").EndArray();
  w.Key("grant_types_supported")
      .BeginArray()
      .String("authorization_code")
      .String("client_credentials");
  if (c.s.config.oauth.password_grant) w.String("password");
  w.EndArray();
  w.Key("token_endpoint_auth_methods_supported")
      .BeginArray()
      .String("client_secret_basic")
      .String("client_secret_post")
      .EndArray();
  w.Key("code_challenge_methods_supported").BeginArray().String("S256").EndArray();
  w.EndObject();
  return Ok(w.Take());
}

Response UserInfo(Call& c) {
  if (!c.auth->scopes.Grants("profile") && !c.auth->scopes.Grants("read:accounts")) {
    return ErrorResponse(PermissionDenied("This action is outside the authorized scopes"));
  }
  social::AccountPtr account = c.s.core.LoadAccount(c.viewer.account_id);
  if (!account) return ErrorResponse(NotFound());
  const std::string& base = c.s.config.instance.base_url;
  JsonWriter w;
  w.BeginObject();
  w.Field("iss", base + "/");
  w.Field("sub", c.s.core.settings().base_url + "/users/" + account->username);
  w.Field("name", account->display_name.empty() ? account->username : account->display_name);
  w.Field("preferred_username", account->username);
  w.Field("profile", c.s.core.ProfileUrl(account->username));
  w.Field("picture", AvatarUrl(c.s.core));
  w.EndObject();
  return Ok(w.Take());
}

// ---------------------------------------------------------------------------------------------
// Registration

Response RegistrationError(const Status& status, const std::vector<social::FieldError>& errors) {
  if (status.code() != StatusCode::kInvalidArgument || errors.empty()) return ErrorResponse(status);
  JsonWriter w;
  w.BeginObject().Field("error", status.message()).Key("details").BeginObject();
  std::vector<std::string_view> fields;
  for (const auto& e : errors) {
    if (std::find(fields.begin(), fields.end(), e.field) == fields.end()) fields.push_back(e.field);
  }
  for (std::string_view field : fields) {
    w.Key(field).BeginArray();
    for (const auto& e : errors) {
      if (e.field != field) continue;
      w.BeginObject().Field("error", e.code).Field("description", e.description).EndObject();
    }
    w.EndArray();
  }
  w.EndObject().EndObject();
  return Response::Json(422, w.Take());
}

Response Register(Call& c) {
  // Every attempt counts, valid or not, as rack-attack counts them in Mastodon.
  if (Status st = c.Throttle("reg:" + c.request.remote_address,
                             c.s.config.rate_limits.registrations_per_ip);
      !st.ok()) {
    return ErrorResponse(st);
  }
  social::Registration r;
  r.username = c.Str("username");
  r.email = std::string(Trim(c.Str("email")));
  r.password = c.Str("password");
  r.agreement = c.params.Bool("agreement").value_or(false);
  if (auto locale = c.params.String("locale"); locale && !locale->empty()) r.locale = *locale;
  r.reason = c.Str("reason");
  r.ip = c.request.remote_address;
  std::vector<social::FieldError> errors;
  auto account = c.s.accounts.Register(r, &errors);
  if (!account.ok()) return RegistrationError(account.status(), errors);
  // The new user's token carries the registering token's scopes (never more than its app's).
  return TokenResponse(c.s.oauth.IssueToken(c.auth->app_id, (*account)->id, c.auth->scopes));
}

}  // namespace

void RegisterAppRoutes(Api& api, Router& r) {
  using A = Access;
  api.Route(r, Method::kPost, "/api/v1/apps", A::kPublic, "", CreateApp);
  api.Route(r, Method::kGet, "/api/v1/apps/verify_credentials", A::kToken, "", VerifyApp);
  api.Route(r, Method::kPost, "/api/v1/accounts", A::kToken, "write:accounts", Register);
  api.Route(r, Method::kGet, "/oauth/userinfo", A::kUser, "", UserInfo);
  api.Route(r, Method::kPost, "/oauth/userinfo", A::kUser, "", UserInfo);
  api.Route(r, Method::kGet, "/.well-known/oauth-authorization-server", A::kPublic, "", Metadata);
  OAuthRoute(api, r, Method::kPost, "/oauth/token", Token);
  OAuthRoute(api, r, Method::kPost, "/oauth/revoke", Revoke);
}

}  // namespace stoa::http::api
