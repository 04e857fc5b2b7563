// Search v2: accounts, hashtags and posts, with visibility respected.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "domain/tag.h"
#include "social/core.h"
#include "social/post_service.h"
#include "storage/page.h"
#include "storage/tags.h"

namespace stoa::social {

struct SearchQuery {
  std::string q;
  std::string type;  // "", "accounts", "hashtags" or "statuses"
  bool following = false;
  Id account_id = kNoId;  // statuses by this account only
  int limit = 20;
  int offset = 0;
  storage::PageQuery page;  // statuses: max_id / min_id
};

struct TagView {
  Tag tag;
  std::vector<std::pair<Timestamp, storage::TagUsage>> history;  // newest day first, 7 days
};

struct SearchResults {
  std::vector<AccountPtr> accounts;
  std::vector<PostPtr> statuses;
  std::vector<TagView> hashtags;
};

class SearchService {
 public:
  explicit SearchService(Core& core) : core_(core), posts_(core) {}

  // A local profile or post URL in `q` resolves to that account or post.
  Result<SearchResults> Search(const Viewer& viewer, const SearchQuery& query);
  // The tag and its usage over the last 7 days; kNotFound when never used.
  Result<TagView> GetTag(std::string_view name);

 private:
  TagView WithHistory(storage::ReadSession& read, Tag tag);

  Core& core_;
  PostService posts_;
};

}  // namespace stoa::social
