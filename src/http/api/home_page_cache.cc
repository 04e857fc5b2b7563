#include "http/api/home_page_cache.h"

#include <algorithm>
#include <utility>

namespace stoa::http::api {
namespace {

// Pointers to the same object once: a page's authors repeat.
template <typename T>
void Dedup(std::vector<std::shared_ptr<const T>>& v) {
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.get() < b.get(); });
  v.erase(std::unique(v.begin(), v.end(),
                      [](const auto& a, const auto& b) { return a.get() == b.get(); }),
          v.end());
}

}  // namespace

bool HomePageCache::Resident(const Page& page) {
  if (!page.graph->residency.resident() || !page.interactions->residency.resident()) return false;
  // The objects are seldom in the CPU cache: start loading every flag before reading the first.
  for (const auto& p : page.posts) __builtin_prefetch(&p->residency);
  for (const auto& a : page.accounts) __builtin_prefetch(&a->residency);
  for (const auto& p : page.posts) {
    if (!p->residency.resident()) return false;
  }
  for (const auto& a : page.accounts) {
    if (!a->residency.resident()) return false;
  }
  return true;
}

bool HomePageCache::Current(const Page& page, social::Core& core, const social::Viewer& viewer,
                            int limit) {
  if (page.role != viewer.role || page.limit != limit) return false;
  if (page.graph.get() != viewer.graph.get()) return false;
  if (core.home_feeds().Version(viewer.account_id) != page.feed_version) return false;
  return Resident(page);
}

std::optional<HomePageCache::Hit> HomePageCache::Find(social::Core& core,
                                                      const social::Viewer& viewer, int limit) {
  if (!enabled_ || viewer.anonymous() || !viewer.graph) return std::nullopt;
  std::shared_ptr<const Page> page = pages_.Find(viewer.account_id);
  if (!page || !Current(*page, core, viewer, limit)) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  for (const auto& piece : page->pieces) __builtin_prefetch(piece.data);
  Hit hit;
  hit.body.reserve(page->body_size);
  for (const auto& piece : page->pieces) hit.body.append(piece.data, piece.size);
  hit.newest = page->newest;
  hit.oldest = page->oldest;
  hits_.fetch_add(1, std::memory_order_relaxed);
  return hit;
}

void HomePageCache::Store(const social::Viewer& viewer, int limit, const social::HomeTrace& trace,
                          PageRecord record, const std::vector<social::PostPtr>& page,
                          std::string_view body) {
  if (!enabled_ || viewer.anonymous() || !viewer.graph || viewer.memo == nullptr) return;
  if (!trace.from_feed || trace.feed_version == 0 || !record.interactions || !record.complete) {
    return;
  }
  // The clock: a mute that ends changes the page without any write.
  for (const auto& [id, mute] : viewer.graph->mutes) {
    if (mute.expires_at) return;
  }
  auto entry = std::make_shared<Page>();
  entry->role = viewer.role;
  entry->limit = limit;
  entry->feed_version = trace.feed_version;
  entry->graph = viewer.graph;
  entry->interactions = std::move(record.interactions);
  // Everything the page read: the posts Home examined, the request's memo (boosted originals,
  // every author and boosted author that filtering and rendering looked up) and the owners of
  // the texts the page points into.
  entry->posts = trace.examined;
  for (const auto& [id, post] : viewer.memo->posts) entry->posts.push_back(post);
  for (auto& post : record.posts) entry->posts.push_back(std::move(post));
  for (const auto& [id, account] : viewer.memo->accounts) entry->accounts.push_back(account);
  for (auto& account : record.accounts) entry->accounts.push_back(std::move(account));
  Dedup(entry->posts);
  Dedup(entry->accounts);
  // A suspension may end with the clock (Account::suspended_until).
  for (const auto& account : entry->accounts) {
    if (account->suspended()) return;
  }
  // Something changed while the page was made: it would never be served.
  if (!Resident(*entry)) return;
  // The glue first (so that it does not move again), then the pieces.
  size_t at = 0;
  std::vector<std::pair<size_t, size_t>> glue_ranges;  // in body
  for (const auto& f : record.fragments) {
    if (f.offset < at || f.offset + f.text.size() > body.size()) return;  // not this body's
    entry->glue.append(body.substr(at, f.offset - at));
    glue_ranges.emplace_back(at, f.offset - at);
    at = f.offset + f.text.size();
  }
  entry->glue.append(body.substr(at));
  glue_ranges.emplace_back(at, body.size() - at);
  size_t glue_at = 0;
  for (size_t i = 0; i < glue_ranges.size(); ++i) {
    const size_t n = glue_ranges[i].second;
    if (n > 0) entry->pieces.push_back({entry->glue.data() + glue_at, n});
    glue_at += n;
    if (i < record.fragments.size()) {
      const auto& text = record.fragments[i].text;
      if (!text.empty()) entry->pieces.push_back({text.data(), text.size()});
    }
  }
  entry->body_size = body.size();
  if (!page.empty()) {
    entry->newest = page.front()->id;
    entry->oldest = page.back()->id;
  }
  pages_.Put(viewer.account_id, std::move(entry));
  stored_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace stoa::http::api
