// OAuth applications, access tokens and authorization codes.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "domain/oauth.h"

namespace stoa::storage {

class OAuthStore {
 public:
  virtual ~OAuthStore() = default;

  virtual Result<OAuthApp> GetApp(Id id) const = 0;
  virtual Result<OAuthApp> FindAppByClientId(std::string_view client_id) const = 0;
  // Not revoked; kNotFound otherwise.
  virtual Result<AccessToken> FindToken(std::string_view token_hash) const = 0;
  virtual Result<AccessToken> GetToken(Id id) const = 0;

  virtual Status InsertApp(const OAuthApp& app) = 0;
  virtual Status InsertToken(const AccessToken& token) = 0;
  virtual Status RevokeToken(Id id, Timestamp at) = 0;
  // Revokes every token of an account (suspension, password change). Returns their hashes.
  virtual Result<std::vector<std::string>> RevokeAccountTokens(Id account_id, Timestamp at) = 0;
  virtual Status InsertCode(const AuthorizationCode& code) = 0;
  // Marks an unused, unexpired code used and returns it; kNotFound otherwise. One use only.
  virtual Result<AuthorizationCode> ConsumeCode(std::string_view code_hash, Timestamp now) = 0;
};

}  // namespace stoa::storage
