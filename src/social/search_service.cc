#include "social/search_service.h"

#include "common/strings.h"
#include "common/time_format.h"
#include "social/account_service.h"

namespace stoa::social {
namespace {

constexpr int kHistoryDays = 7;

}  // namespace

TagView SearchService::WithHistory(storage::ReadSession& read, Tag tag) {
  TagView view{std::move(tag), {}};
  const Timestamp today = StartOfDay(core_.Now());
  for (int d = 0; d < kHistoryDays; ++d) {
    const Timestamp from = today - std::chrono::days(d);
    view.history.emplace_back(from, read.tags().Usage(view.tag.id, from, from + std::chrono::days(1)));
  }
  return view;
}

Result<TagView> SearchService::GetTag(std::string_view name) {
  const std::string normalized = NormalizeTag(name);
  auto read = core_.storage().Read();
  ASSIGN_OR_RETURN(Tag tag, read->tags().FindByName(normalized));
  return WithHistory(*read, std::move(tag));
}

Result<SearchResults> SearchService::Search(const Viewer& viewer, const SearchQuery& query) {
  SearchResults results;
  std::string_view q = Trim(query.q);
  if (q.empty()) return results;
  const bool all = query.type.empty();
  if (!all && query.type != "accounts" && query.type != "hashtags" && query.type != "statuses") {
    return BadRequest("type must be one of accounts, hashtags, statuses");
  }

  // A link to something on this instance resolves to it.
  const std::string& base = core_.settings().base_url;
  if (q.starts_with(base + "/@")) {
    std::string_view rest = q.substr(base.size() + 2);
    const auto slash = rest.find('/');
    AccountService accounts(core_, Registrations::kClosed);
    auto account = accounts.Lookup(rest.substr(0, slash));
    if (account.ok()) {
      if (slash == std::string_view::npos) {
        if (all || query.type == "accounts") results.accounts.push_back(*account);
      } else if (auto id = ParseId(rest.substr(slash + 1)); id && (all || query.type == "statuses")) {
        auto post = posts_.GetVisible(viewer, *id);
        if (post.ok() && (*post)->account_id == (*account)->id) results.statuses.push_back(*post);
      }
    }
    return results;
  }

  if (all || query.type == "accounts") {
    AccountService accounts(core_, Registrations::kClosed);
    results.accounts = accounts.Search(viewer, q, query.limit, query.offset, query.following);
  }
  if (all || query.type == "hashtags") {
    std::string_view tag = q;
    if (!tag.empty() && tag.front() == '#') tag.remove_prefix(1);
    const std::string prefix = NormalizeTag(tag);
    if (!prefix.empty()) {
      auto read = core_.storage().Read();
      for (auto& t : read->tags().Search(prefix, query.limit, query.offset)) {
        results.hashtags.push_back(WithHistory(*read, std::move(t)));
      }
    }
  }
  if (all || query.type == "statuses") {
    // Matches the viewer may not see, or by other authors than account_id, are dropped after
    // loading; scan further (older) windows so that they do not empty the page, a bounded number
    // of times.
    constexpr int kMaxWindows = 5;
    // Posts written before this search are indexed before it runs (read-your-writes).
    RETURN_IF_ERROR(core_.search_indexer().Flush());
    storage::PageQuery window = query.page;
    window.limit = query.limit * 2 + 10;
    int offset = query.offset;
    for (int round = 0; round < kMaxWindows; ++round) {
      std::vector<Id> ids;
      {
        auto read = core_.storage().Read();
        ids = read->posts().SearchText(q, viewer.account_id, window, offset);
      }
      for (auto& p : posts_.GetVisibleMany(viewer, ids, Surface::kSearch)) {
        if (static_cast<int>(results.statuses.size()) >= query.limit) break;
        if (query.account_id != kNoId && p->account_id != query.account_id) continue;
        results.statuses.push_back(std::move(p));
      }
      if (static_cast<int>(results.statuses.size()) >= query.limit ||
          static_cast<int>(ids.size()) < window.limit) {
        break;
      }
      window.max_id = ids.back();
      offset = 0;
    }
  }
  return results;
}

}  // namespace stoa::social
