#include "social/oauth_service.h"

#include "common/strings.h"

namespace stoa::social {
namespace {

constexpr Duration kCodeLifetime = std::chrono::minutes(10);
// Cached authentications are re-read at least this often, so role and state changes made by
// other means (the CLI, another process) take effect quickly.
constexpr Duration kAuthCacheTtl = std::chrono::seconds(30);
constexpr size_t kAuthCacheMax = 100000;

Status OAuthError(StatusCode code, std::string_view error, std::string_view description) {
  return Status(code, std::string(error) + ": " + std::string(description));
}

Status InvalidClient() {
  return OAuthError(StatusCode::kUnauthenticated, "invalid_client",
                    "Client authentication failed due to unknown client, no client authentication "
                    "included, or unsupported authentication method.");
}

Status InvalidGrant() {
  return OAuthError(StatusCode::kBadRequest, "invalid_grant",
                    "The provided authorization grant is invalid, expired, revoked, does not "
                    "match the redirection URI used in the authorization request, or was issued "
                    "to another client.");
}

Status InvalidScope() {
  return OAuthError(StatusCode::kBadRequest, "invalid_scope",
                    "The requested scope is invalid, unknown, or malformed.");
}

bool IsAllowedRedirect(std::string_view uri) {
  if (uri == kOutOfBandRedirect) return true;
  // Any absolute URI with a scheme (apps use custom schemes such as myapp://callback), but never
  // javascript: or data:, and no fragments (RFC 6749 3.1.2).
  const auto colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  const std::string scheme = AsciiLower(uri.substr(0, colon));
  if (scheme == "javascript" || scheme == "data" || scheme == "vbscript") return false;
  if (uri.find('#') != std::string_view::npos) return false;
  return std::all_of(uri.begin(), uri.end(), [](char c) { return c > 0x20 && c != 0x7f; });
}

}  // namespace

std::pair<std::string, std::string> SplitOAuthError(const Status& status) {
  const std::string& m = status.message();
  const auto sep = m.find(": ");
  if (sep == std::string::npos) return {"invalid_request", m};
  return {m.substr(0, sep), m.substr(sep + 2)};
}

Result<CreatedApp> OAuthService::CreateApp(const NewApp& in) {
  if (Trim(in.name).empty()) return InvalidArgument("Validation failed: Application name can't be blank");
  if (Utf8Length(in.name) > 60) {
    return InvalidArgument("Validation failed: Application name is too long (maximum is 60 characters)");
  }
  if (in.redirect_uris.empty()) {
    return InvalidArgument("Validation failed: Redirect URI can't be blank");
  }
  for (const auto& uri : in.redirect_uris) {
    if (!IsAllowedRedirect(uri) || uri.size() > 2000) {
      return InvalidArgument("Validation failed: Redirect URI must be an absolute URI.");
    }
  }
  if (in.website.size() > 2000) return InvalidArgument("Validation failed: Website is too long");
  auto scopes = ScopeSet::Parse(in.scopes.empty() ? "read" : in.scopes);
  if (!scopes.ok()) return InvalidArgument("Validation failed: Scopes " + scopes.status().message());
  if (scopes->empty()) scopes = ScopeSet::Parse("read");
  CreatedApp created;
  created.app.id = core_.ids().Next();
  created.app.name = std::string(Trim(in.name));
  created.app.website = in.website;
  created.app.redirect_uris = in.redirect_uris;
  created.app.scopes = *scopes;
  created.app.client_id = RandomToken(core_.random());
  created.client_secret = RandomToken(core_.random());
  created.app.client_secret_hash = Sha256Hex(created.client_secret);
  created.app.created_at = core_.Now();
  RETURN_IF_ERROR(core_.storage().Write(
      [&](storage::Transaction& tx) { return tx.oauth().InsertApp(created.app); }));
  return created;
}

Result<OAuthApp> OAuthService::CheckClient(std::string_view client_id,
                                           std::string_view client_secret) {
  if (client_id.empty()) return InvalidClient();
  auto read = core_.storage().Read();
  auto app = read->oauth().FindAppByClientId(client_id);
  if (!app.ok()) return InvalidClient();
  if (!ConstantTimeEquals(Sha256Hex(client_secret), app->client_secret_hash)) return InvalidClient();
  return std::move(app).value();
}

Result<std::pair<OAuthApp, ScopeSet>> OAuthService::ValidateAuthorize(const AuthorizeRequest& r) {
  if (r.client_id.empty()) {
    return OAuthError(StatusCode::kBadRequest, "invalid_request", "Missing client_id.");
  }
  OAuthApp app;
  {
    auto read = core_.storage().Read();
    auto found = read->oauth().FindAppByClientId(r.client_id);
    if (!found.ok()) return InvalidClient();
    app = std::move(found).value();
  }
  const std::string redirect = r.redirect_uri.empty() && app.redirect_uris.size() == 1
                                   ? app.redirect_uris.front()
                                   : r.redirect_uri;
  if (std::find(app.redirect_uris.begin(), app.redirect_uris.end(), redirect) ==
      app.redirect_uris.end()) {
    return OAuthError(StatusCode::kBadRequest, "invalid_redirect_uri",
                      "The redirect uri included is not valid.");
  }
  if (r.response_type != "code") {
    return OAuthError(StatusCode::kBadRequest, "unsupported_response_type",
                      "The authorization server does not support this response type.");
  }
  if (!r.code_challenge.empty() && r.code_challenge_method != "S256") {
    return OAuthError(StatusCode::kBadRequest, "invalid_request",
                      "Only the S256 code challenge method is supported.");
  }
  auto scopes = ScopeSet::Parse(r.scope.empty() ? "read" : r.scope);
  if (!scopes.ok() || scopes->empty() || !app.scopes.Covers(*scopes)) return InvalidScope();
  return std::make_pair(std::move(app), std::move(scopes).value());
}

Result<Id> OAuthService::Login(std::string_view login, std::string_view password) {
  const Status wrong = Unauthenticated("Invalid e-mail address or password.");
  Result<User> user = NotFound();
  {
    auto read = core_.storage().Read();
    if (login.find('@') != std::string_view::npos) {
      user = read->accounts().FindUserByEmail(login);
    } else {
      auto account = read->accounts().FindByUsername(login);
      if (account.ok()) user = read->accounts().GetUser(account->id);
    }
  }
  if (!user.ok()) {
    // Spend the same time as a real check so that response times do not reveal accounts.
    static const std::string kDummy = *core_.password_hasher().Hash("timing-equaliser");
    core_.password_hasher().Verify(kDummy, password);
    return wrong;
  }
  if (!core_.password_hasher().Verify(user->password_hash, password)) return wrong;
  if (user->disabled) return PermissionDenied("Your login is currently disabled");
  AccountPtr account = core_.LoadAccount(user->account_id);
  if (!account || account->suspended()) return PermissionDenied("Your login is currently disabled");
  if (!user->approved) return PermissionDenied("Your login is currently pending approval");
  return user->account_id;
}

Result<std::string> OAuthService::IssueCode(const AuthorizeRequest& r, Id account_id) {
  ASSIGN_OR_RETURN(auto validated, ValidateAuthorize(r));
  const std::string code = RandomToken(core_.random());
  AuthorizationCode record;
  record.code_hash = Sha256Hex(code);
  record.app_id = validated.first.id;
  record.account_id = account_id;
  record.redirect_uri = r.redirect_uri.empty() ? validated.first.redirect_uris.front() : r.redirect_uri;
  record.scopes = validated.second;
  record.code_challenge = r.code_challenge;
  record.expires_at = core_.Now() + kCodeLifetime;
  RETURN_IF_ERROR(core_.storage().Write(
      [&](storage::Transaction& tx) { return tx.oauth().InsertCode(record); }));
  return code;
}

Result<IssuedToken> OAuthService::IssueToken(Id app_id, Id account_id, const ScopeSet& scopes) {
  IssuedToken issued;
  issued.access_token = RandomToken(core_.random());
  issued.scopes = scopes;
  issued.created_at = core_.Now();
  AccessToken token;
  token.id = core_.ids().Next();
  token.token_hash = Sha256Hex(issued.access_token);
  token.app_id = app_id;
  token.account_id = account_id;
  token.scopes = scopes;
  token.created_at = issued.created_at;
  RETURN_IF_ERROR(core_.storage().Write(
      [&](storage::Transaction& tx) { return tx.oauth().InsertToken(token); }));
  return issued;
}

Result<IssuedToken> OAuthService::ExchangeCode(std::string_view client_id,
                                               std::string_view client_secret,
                                               std::string_view code,
                                               std::string_view redirect_uri,
                                               std::string_view code_verifier) {
  ASSIGN_OR_RETURN(OAuthApp app, CheckClient(client_id, client_secret));
  if (code.empty()) {
    return OAuthError(StatusCode::kBadRequest, "invalid_request", "Missing required parameter: code.");
  }
  AuthorizationCode record;
  Status st = core_.storage().Write([&](storage::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(record, tx.oauth().ConsumeCode(Sha256Hex(code), core_.Now()));
    return Status::Ok();
  });
  if (st.code() == StatusCode::kNotFound) return InvalidGrant();
  RETURN_IF_ERROR(st);
  if (record.app_id != app.id) return InvalidGrant();
  if (!redirect_uri.empty() && redirect_uri != record.redirect_uri) return InvalidGrant();
  if (!record.code_challenge.empty()) {
    if (code_verifier.empty()) return InvalidGrant();
    if (!ConstantTimeEquals(Base64UrlEncode(Sha256Raw(code_verifier)), record.code_challenge)) {
      return InvalidGrant();
    }
  }
  AccountPtr account = core_.LoadAccount(record.account_id);
  if (!account || account->suspended()) return InvalidGrant();
  return IssueToken(app.id, record.account_id, record.scopes);
}

Result<IssuedToken> OAuthService::ClientCredentials(std::string_view client_id,
                                                    std::string_view client_secret,
                                                    std::string_view scope) {
  ASSIGN_OR_RETURN(OAuthApp app, CheckClient(client_id, client_secret));
  auto scopes = ScopeSet::Parse(scope.empty() ? "read" : scope);
  if (!scopes.ok() || scopes->empty() || !app.scopes.Covers(*scopes)) return InvalidScope();
  return IssueToken(app.id, kNoId, *scopes);
}

Result<IssuedToken> OAuthService::PasswordGrant(std::string_view client_id,
                                                std::string_view client_secret,
                                                std::string_view username,
                                                std::string_view password,
                                                std::string_view scope) {
  if (!password_grant_) {
    return OAuthError(StatusCode::kBadRequest, "unsupported_grant_type",
                      "The authorization grant type is not supported by the authorization server.");
  }
  ASSIGN_OR_RETURN(OAuthApp app, CheckClient(client_id, client_secret));
  auto scopes = ScopeSet::Parse(scope.empty() ? "read" : scope);
  if (!scopes.ok() || scopes->empty() || !app.scopes.Covers(*scopes)) return InvalidScope();
  auto account_id = Login(username, password);
  if (!account_id.ok()) return InvalidGrant();
  return IssueToken(app.id, *account_id, *scopes);
}

Status OAuthService::Revoke(std::string_view client_id, std::string_view client_secret,
                            std::string_view token) {
  ASSIGN_OR_RETURN(OAuthApp app, CheckClient(client_id, client_secret));
  const std::string hash = Sha256Hex(token);
  AccessToken found;
  {
    auto read = core_.storage().Read();
    auto t = read->oauth().FindToken(hash);
    if (!t.ok()) return Status::Ok();
    found = std::move(t).value();
  }
  if (found.app_id != app.id) {
    return OAuthError(StatusCode::kPermissionDenied, "unauthorized_client",
                      "You are not authorized to revoke this token");
  }
  RETURN_IF_ERROR(core_.storage().Write(
      [&](storage::Transaction& tx) { return tx.oauth().RevokeToken(found.id, core_.Now()); }));
  {
    std::lock_guard lock(auth_mu_);
    auth_cache_.erase(std::string(token));
  }
  core_.streams().RevokeToken(found.id);  // live streams of the token end now
  return Status::Ok();
}

Result<std::shared_ptr<const AuthInfo>> OAuthService::Authenticate(std::string_view bearer_token) {
  const Status invalid = Unauthenticated("The access token is invalid");
  if (bearer_token.empty() || bearer_token.size() > 512) return invalid;
  const Timestamp now = core_.Now();
  std::string key(bearer_token);
  {
    std::lock_guard lock(auth_mu_);
    auto it = auth_cache_.find(key);
    if (it != auth_cache_.end() && now - it->second.loaded_at < kAuthCacheTtl) return it->second.info;
  }
  // Only the database knows tokens, and only by their hash.
  const std::string hash = Sha256Hex(bearer_token);
  AuthInfo info;
  {
    auto read = core_.storage().Read();
    auto token = read->oauth().FindToken(hash);
    if (!token.ok()) return invalid;
    info.token_id = token->id;
    info.app_id = token->app_id;
    info.account_id = token->account_id;
    info.scopes = token->scopes;
    if (info.account_id != kNoId) {
      auto user = read->accounts().GetUser(info.account_id);
      auto account = read->accounts().Get(info.account_id);
      if (!user.ok() || !account.ok()) return invalid;
      info.role = user->role;
      info.disabled = user->disabled;
      info.approved = user->approved;
      info.suspended = account->SuspendedAt(now);
    }
  }
  auto shared = std::make_shared<const AuthInfo>(std::move(info));
  std::lock_guard lock(auth_mu_);
  if (auth_cache_.size() >= kAuthCacheMax) auth_cache_.clear();
  auth_cache_[std::move(key)] = CachedAuth{shared, now};
  return shared;
}

void OAuthService::ForgetAccount(Id account_id) {
  std::lock_guard lock(auth_mu_);
  for (auto it = auth_cache_.begin(); it != auth_cache_.end();) {
    it = it->second.info->account_id == account_id ? auth_cache_.erase(it) : std::next(it);
  }
}

}  // namespace stoa::social
