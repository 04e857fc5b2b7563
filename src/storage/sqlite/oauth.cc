// SQLite: OAuth applications, tokens and authorization codes.
#include "common/strings.h"
#include "storage/sqlite/repos.h"

namespace stoa::storage::sqlite {
namespace {

#define APP_COLUMNS "id, name, website, redirect_uris, scopes, client_id, client_secret_hash, created_at"
#define TOKEN_COLUMNS "id, token_hash, app_id, account_id, scopes, created_at, revoked_at"
#define CODE_COLUMNS \
  "code_hash, app_id, account_id, redirect_uri, scopes, code_challenge, expires_at, used_at"

constexpr char kGetApp[] = "SELECT " APP_COLUMNS " FROM oauth_apps WHERE id = ?1";
constexpr char kFindApp[] = "SELECT " APP_COLUMNS " FROM oauth_apps WHERE client_id = ?1";
constexpr char kInsertApp[] =
    "INSERT INTO oauth_apps (" APP_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr char kFindToken[] =
    "SELECT " TOKEN_COLUMNS " FROM oauth_tokens WHERE token_hash = ?1 AND revoked_at IS NULL";
constexpr char kGetToken[] = "SELECT " TOKEN_COLUMNS " FROM oauth_tokens WHERE id = ?1";
constexpr char kInsertToken[] =
    "INSERT INTO oauth_tokens (" TOKEN_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr char kRevokeToken[] =
    "UPDATE oauth_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL";
constexpr char kRevokeAccountTokens[] =
    "UPDATE oauth_tokens SET revoked_at = ?2 WHERE account_id = ?1 AND revoked_at IS NULL "
    "RETURNING token_hash";
constexpr char kInsertCode[] =
    "INSERT INTO oauth_codes (" CODE_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr char kConsumeCode[] =
    "UPDATE oauth_codes SET used_at = ?2 WHERE code_hash = ?1 AND used_at IS NULL "
    "AND expires_at > ?2 RETURNING " CODE_COLUMNS;

ScopeSet ParseStoredScopes(std::string_view text) {
  auto parsed = ScopeSet::Parse(text);
  return parsed.ok() ? *parsed : ScopeSet();
}

OAuthApp ReadApp(const Statement& s) {
  OAuthApp a;
  a.id = s.Int(0);
  a.name = s.String(1);
  a.website = s.String(2);
  for (auto uri : Split(s.Text(3), '\n')) {
    if (!uri.empty()) a.redirect_uris.emplace_back(uri);
  }
  a.scopes = ParseStoredScopes(s.Text(4));
  a.client_id = s.String(5);
  a.client_secret_hash = s.String(6);
  a.created_at = FromUnixMillis(s.Int(7));
  return a;
}

AccessToken ReadToken(const Statement& s) {
  AccessToken t;
  t.id = s.Int(0);
  t.token_hash = s.String(1);
  t.app_id = s.OptionalInt(2).value_or(kNoId);
  t.account_id = s.OptionalInt(3).value_or(kNoId);
  t.scopes = ParseStoredScopes(s.Text(4));
  t.created_at = FromUnixMillis(s.Int(5));
  if (!s.IsNull(6)) t.revoked_at = FromUnixMillis(s.Int(6));
  return t;
}

AuthorizationCode ReadCode(const Statement& s) {
  AuthorizationCode c;
  c.code_hash = s.String(0);
  c.app_id = s.Int(1);
  c.account_id = s.Int(2);
  c.redirect_uri = s.String(3);
  c.scopes = ParseStoredScopes(s.Text(4));
  c.code_challenge = s.String(5);
  c.expires_at = FromUnixMillis(s.Int(6));
  if (!s.IsNull(7)) c.used_at = FromUnixMillis(s.Int(7));
  return c;
}

std::optional<int64_t> OptId(Id id) {
  if (id == kNoId) return std::nullopt;
  return id;
}

}  // namespace

Result<OAuthApp> SqliteOAuth::GetApp(Id id) const {
  StatementScope s(c_->Prepare(kGetApp));
  s->Bind(1, id);
  ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return NotFound();
  return ReadApp(*s);
}

Result<OAuthApp> SqliteOAuth::FindAppByClientId(std::string_view client_id) const {
  StatementScope s(c_->Prepare(kFindApp));
  s->Bind(1, client_id);
  ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return NotFound();
  return ReadApp(*s);
}

Result<AccessToken> SqliteOAuth::FindToken(std::string_view token_hash) const {
  StatementScope s(c_->Prepare(kFindToken));
  s->Bind(1, token_hash);
  ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return NotFound();
  return ReadToken(*s);
}

Result<AccessToken> SqliteOAuth::GetToken(Id id) const {
  StatementScope s(c_->Prepare(kGetToken));
  s->Bind(1, id);
  ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return NotFound();
  return ReadToken(*s);
}

Status SqliteOAuth::InsertApp(const OAuthApp& a) {
  std::string uris;
  for (const auto& u : a.redirect_uris) {
    if (!uris.empty()) uris.push_back('\n');
    uris += u;
  }
  StatementScope s(c_->Prepare(kInsertApp));
  s->Bind(1, a.id)
      .Bind(2, a.name)
      .Bind(3, a.website)
      .Bind(4, uris)
      .Bind(5, a.scopes.ToString())
      .Bind(6, a.client_id)
      .Bind(7, a.client_secret_hash)
      .Bind(8, ToUnixMillis(a.created_at));
  return s->Run();
}

Status SqliteOAuth::InsertToken(const AccessToken& t) {
  StatementScope s(c_->Prepare(kInsertToken));
  s->Bind(1, t.id)
      .Bind(2, t.token_hash)
      .Bind(3, OptId(t.app_id))
      .Bind(4, OptId(t.account_id))
      .Bind(5, t.scopes.ToString())
      .Bind(6, ToUnixMillis(t.created_at));
  if (t.revoked_at) {
    s->Bind(7, ToUnixMillis(*t.revoked_at));
  } else {
    s->BindNull(7);
  }
  return s->Run();
}

Status SqliteOAuth::RevokeToken(Id id, Timestamp at) {
  StatementScope s(c_->Prepare(kRevokeToken));
  s->Bind(1, id).Bind(2, ToUnixMillis(at));
  return s->Run();
}

Result<std::vector<std::string>> SqliteOAuth::RevokeAccountTokens(Id account_id, Timestamp at) {
  StatementScope s(c_->Prepare(kRevokeAccountTokens));
  s->Bind(1, account_id).Bind(2, ToUnixMillis(at));
  std::vector<std::string> hashes;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) break;
    hashes.push_back(s->String(0));
  }
  return hashes;
}

Status SqliteOAuth::InsertCode(const AuthorizationCode& c) {
  StatementScope s(c_->Prepare(kInsertCode));
  s->Bind(1, c.code_hash)
      .Bind(2, c.app_id)
      .Bind(3, c.account_id)
      .Bind(4, c.redirect_uri)
      .Bind(5, c.scopes.ToString())
      .Bind(6, c.code_challenge)
      .Bind(7, ToUnixMillis(c.expires_at));
  if (c.used_at) {
    s->Bind(8, ToUnixMillis(*c.used_at));
  } else {
    s->BindNull(8);
  }
  return s->Run();
}

Result<AuthorizationCode> SqliteOAuth::ConsumeCode(std::string_view code_hash, Timestamp now) {
  StatementScope s(c_->Prepare(kConsumeCode));
  s->Bind(1, code_hash).Bind(2, ToUnixMillis(now));
  ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return NotFound("The provided authorization grant is invalid, expired or revoked");
  AuthorizationCode code = ReadCode(*s);
  while (true) {
    ASSIGN_OR_RETURN(bool more, s->Step());
    if (!more) break;
  }
  return code;
}

}  // namespace stoa::storage::sqlite
