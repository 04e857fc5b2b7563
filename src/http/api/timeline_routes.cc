// Timelines (home, public, tag, list) and the bookmark and favourite lists.
#include "http/api/api.h"
#include "http/api/serializers.h"

namespace stoa::http::api {
namespace {

constexpr int kStatusesDefault = 20;
constexpr int kStatusesMax = 40;

// `record`, when given, receives what the writer copied and read (for HomePageCache).
Response StatusPage(Call& c, const std::vector<social::PostPtr>& posts, int limit,
                    std::initializer_list<std::string_view> keep = {},
                    PageRecord* record = nullptr) {
  if (!posts.empty()) c.SetLink(posts.front()->id, posts.back()->id, limit, keep);
  StatusWriter writer(c.s.core, c.viewer, c.s.render_cache);
  writer.Record(record);
  return Ok(writer.List(posts));
}

Response Home(Call& c) {
  auto page = c.Page(kStatusesDefault, kStatusesMax);
  if (!page.ok()) return ErrorResponse(page.status());
  // The first page (no cursor) is what clients open and refresh: kept rendered per viewer.
  HomePageCache* cache = c.s.home_pages;
  if (cache == nullptr || !cache->enabled() || page->max_id != kNoId || page->since_id != kNoId ||
      page->min_id != kNoId) {
    return StatusPage(c, c.s.timelines.Home(c.viewer, *page), page->limit);
  }
  if (auto hit = cache->Find(c.s.core, c.viewer, page->limit)) {
    if (hit->newest != kNoId) c.SetLink(hit->newest, hit->oldest, page->limit);
    return Ok(std::move(hit->body));
  }
  social::HomeTrace trace;
  auto posts = c.s.timelines.Home(c.viewer, *page, &trace);
  PageRecord record;
  Response response = StatusPage(c, posts, page->limit, {}, &record);
  cache->Store(c.viewer, page->limit, trace, std::move(record), posts, response.body);
  return response;
}

Response Public(Call& c) {
  auto page = c.Page(kStatusesDefault, kStatusesMax);
  if (!page.ok()) return ErrorResponse(page.status());
  const bool remote = c.params.Bool("remote").value_or(false);
  const bool only_media = c.params.Bool("only_media").value_or(false);
  return StatusPage(c, c.s.timelines.Public(c.viewer, *page, remote, only_media), page->limit,
                    {"local", "remote", "only_media"});
}

Response Tag(Call& c) {
  auto page = c.Page(kStatusesDefault, kStatusesMax);
  if (!page.ok()) return ErrorResponse(page.status());
  social::TagQuery q;
  q.tag = std::string(c.path.Get("hashtag"));
  q.any = c.params.StringArray("any");
  q.all = c.params.StringArray("all");
  q.none = c.params.StringArray("none");
  if (c.params.Bool("remote").value_or(false) || c.params.Bool("only_media").value_or(false)) {
    return StatusPage(c, {}, page->limit);
  }
  return StatusPage(c, c.s.timelines.Tag(c.viewer, q, *page), page->limit,
                    {"any", "all", "none", "local", "remote", "only_media"});
}

Response List(Call& c) {
  // Lists are not implemented yet: no list exists, so every list id is unknown.
  (void)c;
  return ErrorResponse(NotFound());
}

// Bookmarks and favourites page by the bookmark/favourite record id, as Mastodon does.
template <bool kBookmarks>
Response Saved(Call& c) {
  auto page = c.Page(kStatusesDefault, kStatusesMax);
  if (!page.ok()) return ErrorResponse(page.status());
  std::vector<storage::PostEntry> entries;
  {
    auto read = c.s.core.storage().Read();
    entries = kBookmarks ? read->posts().ListBookmarks(c.viewer.account_id, *page)
                         : read->posts().ListFavourites(c.viewer.account_id, *page);
  }
  std::vector<Id> ids;
  for (const auto& e : entries) ids.push_back(e.post_id);
  auto posts = c.s.posts.GetVisibleMany(c.viewer, ids, social::Surface::kDirect);
  if (!entries.empty()) c.SetLink(entries.front().record_id, entries.back().record_id, page->limit);
  StatusWriter writer(c.s.core, c.viewer, c.s.render_cache);
  return Ok(writer.List(posts));
}

}  // namespace

void RegisterTimelineRoutes(Api& api, Router& r) {
  using A = Access;
  api.Route(r, Method::kGet, "/api/v1/timelines/home", A::kUser, "read:statuses", Home);
  api.Route(r, Method::kGet, "/api/v1/timelines/public", A::kPublic, "read:statuses", Public);
  api.Route(r, Method::kGet, "/api/v1/timelines/tag/:hashtag", A::kPublic, "read:statuses", Tag);
  api.Route(r, Method::kGet, "/api/v1/timelines/list/:id", A::kUser, "read:lists", List);
  api.Route(r, Method::kGet, "/api/v1/bookmarks", A::kUser, "read:bookmarks", Saved<true>);
  api.Route(r, Method::kGet, "/api/v1/favourites", A::kUser, "read:favourites", Saved<false>);
}

}  // namespace stoa::http::api
