#include "social/core.h"

#include <algorithm>

#include "common/strings.h"

namespace stoa::social {

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
    result->favourited.insert(recent.favourited.begin(), recent.favourited.end());
    result->bookmarked.insert(recent.bookmarked.begin(), recent.bookmarked.end());
    result->reblogged.insert(recent.reblogged.begin(), recent.reblogged.end());
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

AccountPtr Core::LoadAccount(Id id) {
  if (auto hit = accounts_.Find(id)) return hit;
  const uint64_t epoch = accounts_.BeginFill(id);
  auto read = storage_.Read();
  auto account = read->accounts().Get(id);
  if (!account.ok()) return nullptr;
  auto ptr = std::make_shared<const Account>(std::move(account).value());
  accounts_.Fill(id, ptr, epoch);
  return ptr;
}

IdMap<AccountPtr> Core::LoadAccounts(std::span<const Id> ids) {
  IdMap<AccountPtr> out;
  out.reserve(ids.size());
  IdMap<uint64_t> missing;  // id -> fill epoch
  for (Id id : ids) {
    if (out.count(id) != 0 || missing.count(id) != 0) continue;
    if (auto hit = accounts_.Find(id)) {
      out.emplace(id, std::move(hit));
    } else {
      missing.emplace(id, accounts_.BeginFill(id));
    }
  }
  if (missing.empty()) return out;
  std::vector<Id> missing_ids;
  for (const auto& [id, epoch] : missing) missing_ids.push_back(id);
  auto read = storage_.Read();
  for (auto& account : read->accounts().GetMany(missing_ids)) {
    const Id id = account.id;
    auto ptr = std::make_shared<const Account>(std::move(account));
    accounts_.Fill(id, ptr, missing.find(id)->second);
    out.emplace(id, std::move(ptr));
  }
  return out;
}

PostPtr Core::LoadPost(Id id) {
  if (auto hit = posts_.Find(id)) return hit;
  const uint64_t epoch = posts_.BeginFill(id);
  auto read = storage_.Read();
  auto post = read->posts().Get(id);
  if (!post.ok()) return nullptr;
  auto ptr = std::make_shared<const Post>(std::move(post).value());
  posts_.Fill(id, ptr, epoch);
  return ptr;
}

IdMap<PostPtr> Core::LoadPosts(std::span<const Id> ids) {
  IdMap<PostPtr> out;
  out.reserve(ids.size());
  IdMap<uint64_t> missing;  // id -> fill epoch
  for (Id id : ids) {
    if (out.count(id) != 0 || missing.count(id) != 0) continue;
    if (auto hit = posts_.Find(id)) {
      out.emplace(id, std::move(hit));
    } else {
      missing.emplace(id, posts_.BeginFill(id));
    }
  }
  if (missing.empty()) return out;
  std::vector<Id> missing_ids;
  for (const auto& [id, epoch] : missing) missing_ids.push_back(id);
  auto read = storage_.Read();
  for (auto& post : read->posts().GetMany(missing_ids)) {
    const Id id = post.id;
    auto ptr = std::make_shared<const Post>(std::move(post));
    posts_.Fill(id, ptr, missing.find(id)->second);
    out.emplace(id, std::move(ptr));
  }
  return out;
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
