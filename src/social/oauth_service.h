// OAuth 2 as Mastodon (Doorkeeper) does it: applications, the authorization-code grant with PKCE,
// client credentials, the optional password grant, revocation, and bearer-token authentication.
//
// Errors follow RFC 6749: the Status message is "<error>: <description>", e.g.
// "invalid_grant: The provided authorization grant is invalid, expired, revoked, ...";
// SplitOAuthError separates the two for the HTTP layer.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "domain/oauth.h"
#include "social/core.h"

namespace stoa::social {

struct NewApp {
  std::string name;
  std::vector<std::string> redirect_uris;
  std::string scopes = "read";
  std::string website;
};

struct CreatedApp {
  OAuthApp app;
  std::string client_secret;  // shown once
};

struct IssuedToken {
  std::string access_token;  // shown once
  ScopeSet scopes;
  Timestamp created_at;
};

// What a bearer token proves. Cached in memory; revocation and account changes invalidate it.
struct AuthInfo {
  Id token_id = kNoId;
  Id app_id = kNoId;
  Id account_id = kNoId;  // kNoId for app-only tokens
  ScopeSet scopes;
  Role role = Role::kMember;
  bool disabled = false;   // login disabled by a moderator
  bool approved = true;    // registration approved
  bool suspended = false;
};

struct AuthorizeRequest {
  std::string client_id;
  std::string redirect_uri;
  std::string scope;  // "" = the default "read"
  std::string code_challenge;
  std::string code_challenge_method;
  std::string response_type = "code";
};

std::pair<std::string, std::string> SplitOAuthError(const Status& status);

class OAuthService {
 public:
  OAuthService(Core& core, bool password_grant) : core_(core), password_grant_(password_grant) {
    core_.OnLoginStateChanged([this](Id account_id) { ForgetAccount(account_id); });
  }

  Result<CreatedApp> CreateApp(const NewApp& app);
  // Validates an authorization request (client, redirect URI, scopes, PKCE method); returns the
  // app and the scopes granted.
  Result<std::pair<OAuthApp, ScopeSet>> ValidateAuthorize(const AuthorizeRequest& request);
  // Checks a login (e-mail or username, and password); kUnauthenticated when wrong,
  // kPermissionDenied (with Mastodon's text) when the login is disabled, suspended or pending
  // approval (checked only after the password matched, so nothing is revealed without it).
  Result<Id> Login(std::string_view login, std::string_view password);
  // Issues a one-use authorization code valid for 10 minutes.
  Result<std::string> IssueCode(const AuthorizeRequest& request, Id account_id);
  Result<IssuedToken> ExchangeCode(std::string_view client_id, std::string_view client_secret,
                                   std::string_view code, std::string_view redirect_uri,
                                   std::string_view code_verifier);
  Result<IssuedToken> ClientCredentials(std::string_view client_id,
                                        std::string_view client_secret, std::string_view scope);
  Result<IssuedToken> PasswordGrant(std::string_view client_id, std::string_view client_secret,
                                    std::string_view username, std::string_view password,
                                    std::string_view scope);
  // Revokes `token` if it belongs to the client. Unknown tokens succeed (RFC 7009).
  Status Revoke(std::string_view client_id, std::string_view client_secret, std::string_view token);
  // Mints a token directly (registration, CLI).
  Result<IssuedToken> IssueToken(Id app_id, Id account_id, const ScopeSet& scopes);

  // The token's grants; kUnauthenticated ("The access token is invalid") when unknown/revoked.
  Result<std::shared_ptr<const AuthInfo>> Authenticate(std::string_view bearer_token);
  // Forget cached authentications of an account (role change, suspension, password change).
  void ForgetAccount(Id account_id);

 private:
  Result<OAuthApp> CheckClient(std::string_view client_id, std::string_view client_secret);

  Core& core_;
  const bool password_grant_;

  struct CachedAuth {
    std::shared_ptr<const AuthInfo> info;
    Timestamp loaded_at;
  };
  std::mutex auth_mu_;
  // Bearer token -> info; guarded by auth_mu_. Keyed by the token itself, not its SHA-256 as in
  // the database: the token is in this process's memory during every request anyway, and hashing
  // it was 7 % of a home-timeline request. Entries live kAuthCacheTtl.
  std::unordered_map<std::string, CachedAuth> auth_cache_;
};

}  // namespace stoa::social
