// OAuth 2 applications, access tokens and authorization codes. Secrets are stored hashed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/id.h"
#include "domain/scope.h"

namespace stoa {

inline constexpr std::string_view kOutOfBandRedirect = "urn:ietf:wg:oauth:2.0:oob";

struct OAuthApp {
  Id id = kNoId;
  std::string name;
  std::string website;  // "" when none
  std::vector<std::string> redirect_uris;
  ScopeSet scopes;
  std::string client_id;
  std::string client_secret_hash;  // SHA-256 hex of the secret
  Timestamp created_at;
};

struct AccessToken {
  Id id = kNoId;
  std::string token_hash;  // SHA-256 hex of the bearer token
  Id app_id = kNoId;       // kNoId for tokens minted by the CLI
  Id account_id = kNoId;   // kNoId for app-only (client_credentials) tokens
  ScopeSet scopes;
  Timestamp created_at;
  std::optional<Timestamp> revoked_at;
};

struct AuthorizationCode {
  std::string code_hash;
  Id app_id = kNoId;
  Id account_id = kNoId;
  std::string redirect_uri;
  ScopeSet scopes;
  std::string code_challenge;  // PKCE S256 challenge, "" when none
  Timestamp expires_at;
  std::optional<Timestamp> used_at;
};

}  // namespace stoa
