// Search v2 (accounts, hashtags, statuses), hashtags and followed hashtags.
#include <charconv>

#include "common/strings.h"
#include "http/api/api.h"
#include "http/api/serializers.h"

namespace stoa::http::api {
namespace {

constexpr int kSearchDefault = 20;
constexpr int kSearchMax = 40;

// Mastodon answers these two with a plain 401 (no token problem, so no WWW-Authenticate).
Response AuthenticationNeeded(std::string_view message) { return Response::Error(401, message); }

Result<int> OffsetParam(const Call& c) {
  const std::string text(Trim(c.Str("offset")));
  if (text.empty()) return 0;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return BadRequest("offset must be an integer");
  }
  if (v < 0) return BadRequest("offset must not be negative");
  // Deep offsets are pointless for search and expensive for FTS; clamp like a page size.
  constexpr int64_t kMaxOffset = 10000;
  return static_cast<int>(std::min(v, kMaxOffset));
}

Response Search(Call& c) {
  const std::string q = c.Str("q");
  if (Trim(q).empty())
    return ErrorResponse(BadRequest("param is missing or the value is empty: q"));
  if (!c.has_user()) {
    if (!Trim(c.Str("offset")).empty()) {
      return AuthenticationNeeded(
          "Search queries pagination is not supported without authentication");
    }
    if (c.params.Bool("resolve").value_or(false)) {
      return AuthenticationNeeded(
          "Search queries that resolve remote resources are not supported without authentication");
    }
  }
  social::SearchQuery query;
  query.q = q;
  query.type = c.Str("type");
  if (!query.type.empty() && query.type != "accounts" && query.type != "hashtags" &&
      query.type != "statuses") {
    return ErrorResponse(BadRequest("type must be one of accounts, hashtags, statuses"));
  }
  auto page = c.Page(kSearchDefault, kSearchMax);
  if (!page.ok()) return ErrorResponse(page.status());
  query.limit = page->limit;
  query.page = *page;
  auto offset = OffsetParam(c);
  if (!offset.ok()) return ErrorResponse(offset.status());
  query.offset = *offset;
  query.following = c.params.Bool("following").value_or(false) && c.has_user();
  if (auto account = c.params.String("account_id"); account && !account->empty()) {
    auto id = ParseId(*account);
    if (!id) return ErrorResponse(BadRequest("account_id must be an id"));
    query.account_id = *id;
  }

  auto results = c.s.search.Search(c.viewer, query);
  if (!results.ok()) return ErrorResponse(results.status());
  StatusWriter statuses(c.s.core, c.viewer, c.s.render_cache);
  statuses.Prefetch(results->statuses);
  JsonWriter w;
  w.BeginObject();
  w.Key("accounts").BeginArray();
  for (const auto& a : results->accounts) WriteAccount(w, c.s.core, *a);
  w.EndArray();
  w.Key("statuses").BeginArray();
  for (const auto& p : results->statuses) statuses.Write(w, p);
  w.EndArray();
  w.Key("hashtags").BeginArray();
  for (const auto& t : results->hashtags) WriteTag(w, c.s.core, t);
  w.EndArray();
  w.EndObject();
  return Ok(w.Take());
}

Response ShowTag(Call& c) {
  std::string_view name = c.path.Get("name");
  if (!name.empty() && name.front() == '#') name.remove_prefix(1);
  auto tag = c.s.search.GetTag(name);
  if (!tag.ok()) return ErrorResponse(tag.status());
  JsonWriter w;
  WriteTag(w, c.s.core, *tag);
  return Ok(w.Take());
}

// Following hashtags is not supported yet: nobody follows any.
Response FollowedTags(Call&) { return Ok("[]"); }

}  // namespace

void RegisterSearchRoutes(Api& api, Router& r) {
  using A = Access;
  api.Route(r, Method::kGet, "/api/v2/search", A::kPublic, "read:search", Search);
  api.Route(r, Method::kGet, "/api/v1/tags/:name", A::kPublic, "", ShowTag);
  api.Route(r, Method::kGet, "/api/v1/followed_tags", A::kUser, "read:follows", FollowedTags);
}

}  // namespace stoa::http::api
