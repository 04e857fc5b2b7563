// Rendered first pages of home timelines: what a client gets when it opens or refreshes its home
// timeline without a cursor, kept per viewer so that a repeated read copies the page instead of
// filtering and assembling it again.
//
// A page is only served while everything it was made from is unchanged, and that is checked on
// every read, not assumed for some time:
//  - the viewer's in-memory feed is at the same version (HomeFeeds::Version: any post pushed,
//    the feed reloaded or dropped);
//  - the viewer's graph (follows, blocks, mutes) and interactions (favourites, boosts, bookmarks)
//    are the objects the page was made from, still current in Core's caches;
//  - every post the page looked at (shown or filtered out, and boosted originals) and every
//    account it read is still the current object in Core's caches (CacheResidency): an edit, a
//    deletion, a new count, a moderation decision or a profile change replaces the object, and
//    an object evicted from its cache counts as changed;
//  - the viewer's role and the page size are the same.
// Pages that depend on the clock are not kept: a viewer with a mute that ends, or a page with an
// account under suspension (which may end). Neither are pages read past the feed's end from the
// database.
//
// The page is kept as the glue the writer produced between the objects' memoised JSON texts
// plus pointers to those texts (owned by the objects the page keeps anyway), so that a page
// costs a few kilobytes rather than a copy of its 30 kB. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/id.h"
#include "domain/role.h"
#include "social/core.h"
#include "social/object_cache.h"
#include "social/timeline_service.h"
#include "social/viewer.h"

namespace stoa::http::api {

// What StatusWriter::List put into a page (StatusWriter::Record): where it copied objects'
// memoised JSON, and the interactions it read.
struct PageRecord {
  struct Fragment {
    size_t offset;          // in the page
    std::string_view text;  // owned by an object of the page's dependencies
  };
  std::vector<Fragment> fragments;  // in page order
  std::vector<social::PostPtr> posts;
  std::vector<social::AccountPtr> accounts;
  std::shared_ptr<const social::ViewerInteractions> interactions;
  bool complete = true;  // false when a text's owner is not among posts and accounts
};

class HomePageCache {
 public:
  // At most `capacity` pages (one per viewer); 0 disables the cache.
  explicit HomePageCache(size_t capacity) : pages_(capacity), enabled_(capacity > 0) {}

  bool enabled() const { return enabled_; }

  struct Hit {
    std::string body;
    Id newest = kNoId;  // for the Link header; kNoId when the page is empty
    Id oldest = kNoId;
  };
  // The viewer's first page of `limit` statuses, if one is kept and still current.
  std::optional<Hit> Find(social::Core& core, const social::Viewer& viewer, int limit);

  // Keeps a page just rendered for `viewer` (after TimelineService::Home with `trace` and
  // StatusWriter::List with `record`), unless it depends on something not tracked.
  void Store(const social::Viewer& viewer, int limit, const social::HomeTrace& trace,
             PageRecord record, const std::vector<social::PostPtr>& page, std::string_view body);

  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }
  uint64_t stored() const { return stored_.load(std::memory_order_relaxed); }
  size_t size() { return pages_.size(); }

 private:
  struct Page {
    Role role = Role::kMember;
    int limit = 0;
    uint64_t feed_version = 0;
    std::shared_ptr<const social::ViewerGraph> graph;
    std::shared_ptr<const social::ViewerInteractions> interactions;
    std::vector<social::PostPtr> posts;        // examined, shown and boosted originals
    std::vector<social::AccountPtr> accounts;  // every account read
    // The body: alternately glue (from `glue`) and a fragment, as (pointer, length) pieces.
    std::string glue;
    struct Piece {
      const char* data;
      size_t size;
    };
    std::vector<Piece> pieces;
    size_t body_size = 0;
    Id newest = kNoId;
    Id oldest = kNoId;
  };

  // Every object the page was made from is still current in Core's caches.
  static bool Resident(const Page& page);
  // Resident, and made for this viewer's feed version, graph, role and page size.
  static bool Current(const Page& page, social::Core& core, const social::Viewer& viewer,
                      int limit);

  social::ObjectCache<Page> pages_;
  const bool enabled_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
  std::atomic<uint64_t> stored_{0};
};

}  // namespace stoa::http::api
