#include "social/timeline_service.h"

#include <algorithm>
#include <deque>
#include <limits>

#include "social/visibility_policy.h"

namespace stoa::social {
namespace {

constexpr size_t kBatch = 64;
constexpr int kAuthorBlock = 16;       // posts read per followed account at a time when merging
constexpr size_t kMaxScanned = 20000;  // bounds the work of one request over a filtered feed

}  // namespace

std::vector<Id> TimelineService::FeedAuthors(const Viewer& viewer) {
  std::vector<Id> authors(viewer.graph->following.begin(), viewer.graph->following.end());
  authors.push_back(viewer.account_id);
  return authors;
}

bool TimelineService::ShowInHome(const Viewer& viewer, const Post& post) {
  const ViewerGraph& g = *viewer.graph;
  const bool own = post.account_id == viewer.account_id;
  if (!own && !g.Follows(post.account_id)) {
    // Direct posts reach the mentioned accounts' feeds even from accounts they do not follow.
    if (!(post.visibility == Visibility::kDirect && post.Mentions(viewer.account_id))) return false;
  }
  if (!own && post.is_reply() && post.in_reply_to_account_id != post.account_id &&
      post.in_reply_to_account_id != viewer.account_id && !g.Follows(post.in_reply_to_account_id)) {
    return false;
  }
  if (post.is_reblog() && !own && g.hide_reblogs_of.count(post.account_id) != 0) return false;
  return posts_.Visible(viewer, post, Surface::kTimeline);
}

std::vector<PostPtr> TimelineService::Home(const Viewer& viewer, const storage::PageQuery& page,
                                           HomeTrace* trace) {
  std::vector<PostPtr> out;
  if (viewer.anonymous() || !viewer.graph) return out;
  const size_t limit = static_cast<size_t>(page.limit);
  const Id lower = page.lower();
  const bool keep_oldest = page.ascending();  // min_id: the items right after min_id
  std::deque<PostPtr> window;                 // for min_id: the last `limit` seen
  // The followed accounts are only needed to rebuild the feed or to read past its end.
  std::vector<Id> authors;
  auto feed_authors = [&]() -> const std::vector<Id>& {
    if (authors.empty()) authors = FeedAuthors(viewer);
    return authors;
  };
  const size_t max_items = core_.settings().home_max_items;
  HomeFeeds::Loader loader = [&](Id) {
    auto read = core_.storage().Read();
    return read->posts().RecentByAuthors(feed_authors(), std::numeric_limits<Id>::max(),
                                         kAuthorBlock, static_cast<int>(max_items));
  };

  Id cursor = page.upper();
  bool from_feed = true;
  size_t scanned = 0;
  while (scanned < kMaxScanned) {
    std::vector<Id> batch;
    const bool feed_batch = from_feed;
    if (from_feed) {
      // The first read asks for a little more than a page: most posts pass the filters.
      const size_t want = scanned == 0 ? std::min(kBatch, limit + limit / 4 + 4) : kBatch;
      uint64_t version = 0;
      batch = core_.home_feeds().Read(viewer.account_id, cursor, want, loader, &version);
      if (trace != nullptr) {
        if (scanned == 0) trace->feed_version = version;
        if (version != trace->feed_version) trace->from_feed = false;
      }
      if (batch.size() < want) from_feed = false;  // the feed ends here; continue from the DB
    } else {
      if (trace != nullptr) trace->from_feed = false;
      auto read = core_.storage().Read();
      batch = read->posts().RecentByAuthors(feed_authors(), cursor, kAuthorBlock,
                                            static_cast<int>(kBatch));
    }
    if (batch.empty()) {
      if (feed_batch) continue;  // nothing more in memory: go on with the database
      break;
    }
    scanned += batch.size();
    bool reached_lower = false;
    // The page's posts are handed on, not memoised: every copy of a cached object's pointer is
    // an atomic increment on a line the other workers read too (measured: a tenth of a warm
    // home request on the 10,000-account seed went to reference counts).
    auto posts = core_.LoadPosts(batch, nullptr);
    if (viewer.memo != nullptr) {
      // The authors in one batch (ShowInHome and the serializer then find them in the memo).
      std::vector<Id> author_ids;
      author_ids.reserve(posts.size());
      for (const auto& [id, post] : posts) author_ids.push_back(post->account_id);
      core_.MemoAccounts(author_ids, *viewer.memo);
    }
    for (Id id : batch) {
      if (id <= lower) {
        reached_lower = true;
        break;
      }
      auto it = posts.find(id);
      if (it == posts.end()) {
        if (trace != nullptr) trace->from_feed = false;  // gone from the database: not a value
        continue;
      }
      if (trace != nullptr) trace->examined.push_back(it->second);
      if (!ShowInHome(viewer, *it->second)) continue;
      if (keep_oldest) {
        window.push_back(std::move(it->second));
        if (window.size() > limit) window.pop_front();
      } else {
        out.push_back(std::move(it->second));
        if (out.size() == limit) return out;
      }
    }
    cursor = batch.back();
    if (reached_lower) break;
  }
  if (keep_oldest) out.assign(window.begin(), window.end());
  return out;
}

std::vector<PostPtr> TimelineService::Public(const Viewer& viewer, const storage::PageQuery& page,
                                             bool remote, bool only_media) {
  if (remote || only_media) return {};
  std::vector<PostPtr> out;
  storage::PageQuery q = page;
  for (int round = 0; round < 8 && out.size() < static_cast<size_t>(page.limit); ++round) {
    std::vector<Id> ids;
    {
      auto read = core_.storage().Read();
      ids = read->posts().ListPublic(q);
    }
    if (ids.empty()) break;
    for (auto& p : posts_.GetVisibleMany(viewer, ids, Surface::kPublicTimeline)) {
      if (out.size() < static_cast<size_t>(page.limit)) out.push_back(std::move(p));
    }
    if (ids.size() < static_cast<size_t>(q.limit)) break;
    // Filtered posts left the page short: continue past the last one.
    if (q.ascending()) {
      q.min_id = ids.front();
    } else {
      q.max_id = ids.back();
    }
  }
  std::sort(out.begin(), out.end(),
            [](const PostPtr& a, const PostPtr& b) { return a->id > b->id; });
  return out;
}

std::vector<PostPtr> TimelineService::Tag(const Viewer& viewer, const TagQuery& query,
                                          const storage::PageQuery& page) {
  std::vector<std::string> wanted = {NormalizeTag(query.tag)};
  for (const auto& t : query.any) wanted.push_back(NormalizeTag(t));
  std::vector<std::string> all, none;
  for (const auto& t : query.all) all.push_back(NormalizeTag(t));
  for (const auto& t : query.none) none.push_back(NormalizeTag(t));
  std::vector<Id> ids;
  {
    auto read = core_.storage().Read();
    for (const auto& tag : wanted) {
      if (tag.empty()) continue;
      auto part = read->posts().ListTagged(tag, page);
      ids.insert(ids.end(), part.begin(), part.end());
    }
  }
  std::sort(ids.begin(), ids.end(), std::greater<>());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (page.ascending() && ids.size() > static_cast<size_t>(page.limit)) {
    ids.erase(ids.begin(), ids.end() - page.limit);
  }
  std::vector<PostPtr> out;
  auto has = [](const Post& p, const std::string& tag) {
    return std::find(p.tags.begin(), p.tags.end(), tag) != p.tags.end();
  };
  for (auto& p : posts_.GetVisibleMany(viewer, ids, Surface::kPublicTimeline)) {
    if (out.size() >= static_cast<size_t>(page.limit)) break;
    if (!std::all_of(all.begin(), all.end(), [&](const auto& t) { return has(*p, t); })) continue;
    if (std::any_of(none.begin(), none.end(), [&](const auto& t) { return has(*p, t); })) continue;
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace stoa::social
