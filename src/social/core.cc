#include "social/core.h"

#include <algorithm>

#include "common/strings.h"

namespace stoa::social {
namespace {

// Memo first, then the shared cache, then one database query for everything still missing.
template <typename T, typename Fetch>
IdMap<std::shared_ptr<const T>> LoadBatch(std::span<const Id> ids,
                                          IdMap<std::shared_ptr<const T>>* memo,
                                          ObjectCache<T>& cache, Fetch&& fetch) {
  using Ptr = std::shared_ptr<const T>;
  std::vector<Id> wanted(ids.begin(), ids.end());
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  std::vector<std::pair<Id, Ptr>> found;
  found.reserve(wanted.size());
  std::vector<Id> missing_ids;
  std::vector<uint64_t> missing_epochs;  // fill epoch per missing id
  std::vector<Id> lookup;                // not in the memo
  lookup.reserve(wanted.size());
  for (Id id : wanted) {
    if (memo != nullptr) {
      if (auto it = memo->find(id); it != memo->end()) {
        found.emplace_back(id, it->second);
        continue;
      }
    }
    lookup.push_back(id);
  }
  const bool all_from_memo = memo != nullptr && lookup.empty();
  std::vector<Ptr> hits(lookup.size());
  cache.FindMany(lookup, hits);
  for (size_t i = 0; i < lookup.size(); ++i) {
    if (hits[i]) {
      found.emplace_back(lookup[i], std::move(hits[i]));
    } else {
      missing_ids.push_back(lookup[i]);
      missing_epochs.push_back(cache.BeginFill(lookup[i]));
    }
  }
  if (!missing_ids.empty()) {
    for (auto& object : fetch(missing_ids)) {
      const Id id = object.id;
      auto ptr = std::make_shared<const T>(std::move(object));
      auto pos = std::lower_bound(missing_ids.begin(), missing_ids.end(), id);
      if (pos != missing_ids.end() && *pos == id) {
        cache.Fill(id, ptr, missing_epochs[pos - missing_ids.begin()]);
      }
      found.emplace_back(id, std::move(ptr));
    }
  }
  auto out = IdMap<Ptr>::FromDistinct(std::move(found));  // `wanted` has no duplicates
  if (memo != nullptr && !all_from_memo) memo->Merge(out);
  return out;
}

// An account whose timed suspension has passed at `now` is served as not suspended: the loaders
// hand out (and cache) a copy without the suspension, so every reader sees it lifted.
AccountPtr WithoutExpiredSuspension(AccountPtr a, Timestamp now) {
  if (!a || !a->SuspensionExpired(now)) return a;
  auto lifted = std::make_shared<Account>(*a);
  lifted->suspended_at.reset();
  lifted->suspended_until.reset();
  return lifted;
}

}  // namespace

std::string HostOf(std::string_view base_url) {
  auto scheme = base_url.find("://");
  std::string_view rest = scheme == std::string_view::npos ? base_url : base_url.substr(scheme + 3);
  auto slash = rest.find('/');
  return std::string(rest.substr(0, slash));
}

Core::Core(storage::Storage& storage, const Clock& clock, IdGenerator& ids, Random& random,
           SocialSettings settings)
    : storage_(storage),
      clock_(clock),
      ids_(ids),
      random_(random),
      settings_(std::move(settings)),
      host_(HostOf(settings_.base_url)),
      renderer_(settings_.base_url, host_),
      hasher_(settings_.password_cost),
      accounts_(settings_.object_cache_entries / 4),
      posts_(settings_.object_cache_entries),
      graphs_(settings_.home_cache_accounts),
      apps_(4096),
      users_(settings_.home_cache_accounts),
      followers_(settings_.home_cache_accounts),
      interactions_(settings_.home_cache_accounts),
      home_feeds_(settings_.home_max_items, settings_.home_cache_accounts),
      search_indexer_(storage) {}

UserPtr Core::LoadUser(Id account_id) {
  if (auto hit = users_.Find(account_id)) return hit;
  const uint64_t epoch = users_.BeginFill(account_id);
  auto read = storage_.Read();
  auto user = read->accounts().GetUser(account_id);
  if (!user.ok()) return nullptr;
  auto ptr = std::make_shared<const User>(std::move(user).value());
  users_.Fill(account_id, ptr, epoch);
  return ptr;
}

std::shared_ptr<const ViewerInteractions> Core::LoadInteractions(Id account_id) {
  // Timelines show recent posts; interactions with older ones are asked of the database.
  constexpr auto kWindow = std::chrono::hours(24 * 14);
  if (auto hit = interactions_.Find(account_id)) return hit;
  const uint64_t epoch = interactions_.BeginFill(account_id);
  auto result = std::make_shared<ViewerInteractions>();
  result->horizon = IdAtTime(Now() - kWindow);
  {
    auto read = storage_.Read();
    auto recent = read->posts().RecentInteractions(account_id, result->horizon);
    for (Id id : recent.favourited) result->favourited.insert(id);
    for (Id id : recent.bookmarked) result->bookmarked.insert(id);
    for (Id id : recent.reblogged) result->reblogged.insert(id);
    result->favourited.Seal();
    result->bookmarked.Seal();
    result->reblogged.Seal();
  }
  std::shared_ptr<const ViewerInteractions> ptr = std::move(result);
  interactions_.Fill(account_id, ptr, epoch);
  return ptr;
}

std::shared_ptr<const FollowerList> Core::LoadFollowers(Id account_id) {
  if (auto hit = followers_.Find(account_id)) return hit;
  const uint64_t epoch = followers_.BeginFill(account_id);
  auto read = storage_.Read();
  auto list = std::make_shared<FollowerList>();
  list->all = read->relationships().FollowerIds(account_id);
  list->notify = read->relationships().NotifyingFollowerIds(account_id);
  std::shared_ptr<const FollowerList> result = std::move(list);
  followers_.Fill(account_id, result, epoch);
  return result;
}

AccountPtr Core::LoadAccount(Id id, RequestMemo* memo) {
  if (memo != nullptr) {
    if (auto it = memo->accounts.find(id); it != memo->accounts.end()) return it->second;
    AccountPtr loaded = LoadAccount(id);
    if (loaded) memo->accounts.emplace(id, loaded);
    return loaded;
  }
  if (auto hit = accounts_.Find(id)) {
    // Only a suspension with an end date needs the clock (most accounts have none).
    if (!hit->suspended_until || !hit->SuspensionExpired(Now())) return hit;
    accounts_.Invalidate(id);  // cached while suspended; reload and lift below
  }
  const uint64_t epoch = accounts_.BeginFill(id);
  auto read = storage_.Read();
  auto account = read->accounts().Get(id);
  if (!account.ok()) return nullptr;
  AccountPtr ptr =
      WithoutExpiredSuspension(std::make_shared<const Account>(std::move(account).value()), Now());
  accounts_.Fill(id, ptr, epoch);
  return ptr;
}

void Core::MemoAccounts(std::span<const Id> ids, RequestMemo& memo) {
  std::vector<Id> missing;
  for (Id id : ids) {
    if (memo.accounts.find(id) == memo.accounts.end()) missing.push_back(id);
  }
  if (missing.empty()) return;
  memo.accounts.Merge(LoadAccounts(missing, nullptr));
}

const Account* Core::PeekAccount(Id id, RequestMemo* memo, AccountPtr& keep) {
  if (memo != nullptr) {
    if (auto it = memo->accounts.find(id); it != memo->accounts.end()) return it->second.get();
  }
  keep = LoadAccount(id, memo);
  return keep.get();
}

IdMap<AccountPtr> Core::LoadAccounts(std::span<const Id> ids, RequestMemo* memo) {
  IdMap<AccountPtr> out = LoadBatch<Account>(ids, memo != nullptr ? &memo->accounts : nullptr,
                                             accounts_, [this](std::span<const Id> missing) {
                                               auto read = storage_.Read();
                                               return read->accounts().GetMany(missing);
                                             });
  const Timestamp now = Now();
  for (auto& [id, account] : out) {
    if (!account->SuspensionExpired(now)) continue;
    accounts_.Invalidate(id);
    account = WithoutExpiredSuspension(account, now);
    const uint64_t epoch = accounts_.BeginFill(id);
    accounts_.Fill(id, account, epoch);
    if (memo != nullptr) {
      if (auto it = memo->accounts.find(id); it != memo->accounts.end()) it->second = account;
    }
  }
  return out;
}

PostPtr Core::LoadPost(Id id, RequestMemo* memo) {
  if (memo != nullptr) {
    if (auto it = memo->posts.find(id); it != memo->posts.end()) return it->second;
    PostPtr loaded = LoadPost(id);
    if (loaded) memo->posts.emplace(id, loaded);
    return loaded;
  }
  if (auto hit = posts_.Find(id)) return hit;
  const uint64_t epoch = posts_.BeginFill(id);
  auto read = storage_.Read();
  auto post = read->posts().Get(id);
  if (!post.ok()) return nullptr;
  auto ptr = std::make_shared<const Post>(std::move(post).value());
  posts_.Fill(id, ptr, epoch);
  return ptr;
}

IdMap<PostPtr> Core::LoadPosts(std::span<const Id> ids, RequestMemo* memo) {
  return LoadBatch<Post>(ids, memo != nullptr ? &memo->posts : nullptr, posts_,
                         [this](std::span<const Id> missing) {
                           auto read = storage_.Read();
                           return read->posts().GetMany(missing);
                         });
}

std::shared_ptr<const OAuthApp> Core::LoadApp(Id id) {
  if (id == kNoId) return nullptr;
  if (auto hit = apps_.Find(id)) return hit;
  const uint64_t epoch = apps_.BeginFill(id);
  auto read = storage_.Read();
  auto app = read->oauth().GetApp(id);
  if (!app.ok()) return nullptr;
  auto ptr = std::make_shared<const OAuthApp>(std::move(app).value());
  apps_.Fill(id, ptr, epoch);
  return ptr;
}

std::shared_ptr<const ViewerGraph> Core::LoadGraph(Id account_id) {
  if (auto hit = graphs_.Find(account_id)) return hit;
  const uint64_t epoch = graphs_.BeginFill(account_id);
  auto read = storage_.Read();
  const auto& rel = read->relationships();
  auto graph = std::make_shared<ViewerGraph>();
  for (const auto& f : rel.Following(account_id)) {
    graph->following.insert(f.target_account_id);
    if (!f.show_reblogs) graph->hide_reblogs_of.insert(f.target_account_id);
  }
  for (Id id : rel.BlockingIds(account_id)) graph->blocking.insert(id);
  for (Id id : rel.BlockedByIds(account_id)) graph->blocked_by.insert(id);
  for (auto& m : rel.ActiveMutes(account_id, Now())) graph->mutes.emplace(m.target_account_id, m);
  graph->following.Seal();
  graph->hide_reblogs_of.Seal();
  graph->blocking.Seal();
  graph->blocked_by.Seal();
  std::shared_ptr<const ViewerGraph> result = std::move(graph);
  graphs_.Fill(account_id, result, epoch);
  return result;
}

Viewer Core::MakeViewer(Id account_id, Role role) {
  Viewer v;
  v.account_id = account_id;
  v.role = role;
  if (account_id != kNoId) v.graph = LoadGraph(account_id);
  return v;
}

MentionResolver Core::Resolver() {
  return [this](std::string_view username) -> std::optional<MentionTarget> {
    if (!IsValidUsername(username)) return std::nullopt;
    auto read = storage_.Read();
    auto account = read->accounts().FindByUsername(username);
    if (!account.ok() || account->suspended()) return std::nullopt;
    return MentionTarget{account->id, account->username, ProfileUrl(account->username)};
  };
}

std::string Core::ProfileUrl(std::string_view username) const {
  return settings_.base_url + "/@" + std::string(username);
}

std::string Core::PostUrl(std::string_view username, Id post_id) const {
  return settings_.base_url + "/@" + std::string(username) + "/" + IdToString(post_id);
}

std::string Core::PostUri(std::string_view username, Id post_id) const {
  return settings_.base_url + "/users/" + std::string(username) + "/statuses/" +
         IdToString(post_id);
}

std::string Core::TagUrl(std::string_view tag) const {
  return settings_.base_url + "/tags/" + UrlEncode(tag);
}

}  // namespace stoa::social
