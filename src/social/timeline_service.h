// Timelines: home (in-memory feeds with database fallback), public (local) and hashtag.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "social/core.h"
#include "social/post_service.h"
#include "storage/page.h"

namespace stoa::social {

struct TagQuery {
  std::string tag;               // as given; normalised here
  std::vector<std::string> any;  // also posts with any of these
  std::vector<std::string> all;  // posts must also have all of these
  std::vector<std::string> none; // and none of these
};

// What a home page was made from, for a cache of rendered pages (http/api/home_page_cache.h):
// every post the page looked at, shown or filtered out, and the feed's version.
struct HomeTrace {
  std::vector<PostPtr> examined;
  uint64_t feed_version = 0;
  // True when the page came from the in-memory feed alone, at one version of it (not from the
  // database past the feed's end, and not across a change of the feed).
  bool from_feed = true;
};

class TimelineService {
 public:
  explicit TimelineService(Core& core) : core_(core), posts_(core) {}

  // The viewer's home timeline, newest first, honouring max_id / since_id / min_id / limit.
  // `trace`, when given, receives what the page was made from.
  std::vector<PostPtr> Home(const Viewer& viewer, const storage::PageQuery& page,
                            HomeTrace* trace = nullptr);
  // Public posts of this instance (not replies to others, not boosts). `remote` or `only_media`
  // match nothing here (no federation, no media).
  std::vector<PostPtr> Public(const Viewer& viewer, const storage::PageQuery& page, bool remote,
                              bool only_media);
  std::vector<PostPtr> Tag(const Viewer& viewer, const TagQuery& query,
                           const storage::PageQuery& page);

  // True when `post` belongs in `viewer`'s home timeline now (follow state, replies, boosts,
  // visibility, blocks and mutes).
  bool ShowInHome(const Viewer& viewer, const Post& post);

 private:
  // The accounts whose posts fill the viewer's home feed: followed accounts and the viewer.
  std::vector<Id> FeedAuthors(const Viewer& viewer);

  Core& core_;
  PostService posts_;
};

}  // namespace stoa::social
