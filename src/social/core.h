// The state every social use case shares: storage, clock, ids, settings, the content renderer and
// the in-memory caches, with cache-first loaders. Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/id.h"
#include "common/random.h"
#include "domain/account.h"
#include "domain/oauth.h"
#include "domain/post.h"
#include "social/content_renderer.h"
#include "social/home_feeds.h"
#include "social/id_map.h"
#include "social/object_cache.h"
#include "social/search_indexer.h"
#include "social/stream_hub.h"
#include "social/viewer.h"
#include "storage/storage.h"

namespace stoa::social {

using AccountPtr = std::shared_ptr<const Account>;
using PostPtr = std::shared_ptr<const Post>;
using UserPtr = std::shared_ptr<const User>;

// What one read-only request has loaded already: repeated lookups of a post or account within the
// request (filtering, then rendering) are answered here without touching the shared caches, whose
// locks and reference counts are contended between cores. Single-threaded; never used by
// requests that write (it would return objects from before their own write).
struct RequestMemo {
  IdMap<AccountPtr> accounts;
  IdMap<PostPtr> posts;
};

// What a viewer favourited, bookmarked and boosted among posts with id >= horizon (older posts
// are looked up in the database when shown).
struct ViewerInteractions {
  Id horizon = kNoId;
  IdSet favourited;
  IdSet bookmarked;
  IdSet reblogged;
  // Whether these are still the current ones in Core's cache (common/cache_residency.h).
  CacheResidency residency;
};

// An account's followers, for fan-out and "notify me of posts".
struct FollowerList {
  std::vector<Id> all;
  std::vector<Id> notify;  // followers who follow with notify=true
};

struct SocialSettings {
  std::string base_url = "http://127.0.0.1:8080";  // no trailing slash
  int max_status_chars = 500;
  int max_bio_chars = 500;
  int max_profile_fields = 4;
  size_t home_max_items = 800;
  size_t home_cache_accounts = 10000;
  size_t object_cache_entries = 200000;
  PasswordHasher::Cost password_cost = PasswordHasher::Cost::kInteractive;
};

// The host part of a base URL ("https://example.org:8443/x" -> "example.org:8443").
std::string HostOf(std::string_view base_url);

class Core {
 public:
  Core(storage::Storage& storage, const Clock& clock, IdGenerator& ids, Random& random,
       SocialSettings settings);

  storage::Storage& storage() { return storage_; }
  const Clock& clock() const { return clock_; }
  Timestamp Now() const { return clock_.Now(); }
  IdGenerator& ids() { return ids_; }
  Random& random() { return random_; }
  const SocialSettings& settings() const { return settings_; }
  const std::string& host() const { return host_; }
  const ContentRenderer& renderer() const { return renderer_; }
  const PasswordHasher& password_hasher() const { return hasher_; }
  HomeFeeds& home_feeds() { return home_feeds_; }
  SearchIndexer& search_indexer() { return search_indexer_; }
  StreamHub& streams() { return streams_; }

  // Cache-first loaders. Missing ids are simply absent from the results.
  // With a `memo`, results are looked up in and added to it.
  AccountPtr LoadAccount(Id id, RequestMemo* memo = nullptr);
  IdMap<AccountPtr> LoadAccounts(std::span<const Id> ids, RequestMemo* memo = nullptr);
  // Makes sure every account of `ids` that exists is in `memo` (read it there): unlike
  // LoadAccounts it hands out no copies, so a page whose authors are memoised already costs no
  // reference-count traffic on the shared cached objects.
  void MemoAccounts(std::span<const Id> ids, RequestMemo& memo);
  // The account, read in `memo` without copying its pointer when it is there; otherwise loaded
  // like LoadAccount and held by `keep`. Valid while the memo (or `keep`) lives.
  const Account* PeekAccount(Id id, RequestMemo* memo, AccountPtr& keep);
  PostPtr LoadPost(Id id, RequestMemo* memo = nullptr);
  IdMap<PostPtr> LoadPosts(std::span<const Id> ids, RequestMemo* memo = nullptr);
  std::shared_ptr<const OAuthApp> LoadApp(Id id);
  std::shared_ptr<const ViewerGraph> LoadGraph(Id account_id);
  UserPtr LoadUser(Id account_id);
  std::shared_ptr<const ViewerInteractions> LoadInteractions(Id account_id);
  std::shared_ptr<const FollowerList> LoadFollowers(Id account_id);

  // A viewer for an authenticated account (with its graph) or an anonymous one.
  Viewer MakeViewer(Id account_id, Role role);

  // Call after a committed change.
  void AccountChanged(Id id) { accounts_.Invalidate(id); }
  // The account as a committed write left it, read inside that write's transaction. Only from a
  // Transaction::AfterCommitInOrder hook, so that a newer state is never overwritten by an older.
  void AccountWritten(AccountPtr account) {
    const Id id = account->id;
    accounts_.Put(id, std::move(account));
  }
  void PostChanged(Id id) { posts_.Invalidate(id); }
  // A follow, block or mute involving `account_id` changed (its graph and follower list).
  void GraphChanged(Id account_id) {
    graphs_.Invalidate(account_id);
    followers_.Invalidate(account_id);
  }
  void UserChanged(Id account_id) { users_.Invalidate(account_id); }
  // The account's login state changed (suspended, disabled, role): listeners (the token cache of
  // OAuthService) forget what they hold about it. Register listeners before serving.
  void OnLoginStateChanged(std::function<void(Id)> listener) {
    login_listeners_.push_back(std::move(listener));
  }
  void LoginStateChanged(Id account_id) {
    for (const auto& listener : login_listeners_) listener(account_id);
  }
  // The account favourited, bookmarked or boosted something, or undid it.
  void InteractionsChanged(Id account_id) { interactions_.Invalidate(account_id); }

  // Resolves @mentions for the renderer (local accounts only).
  MentionResolver Resolver();
  std::string ProfileUrl(std::string_view username) const;
  std::string PostUrl(std::string_view username, Id post_id) const;
  std::string PostUri(std::string_view username, Id post_id) const;
  std::string TagUrl(std::string_view tag) const;

 private:
  storage::Storage& storage_;
  const Clock& clock_;
  IdGenerator& ids_;
  Random& random_;
  const SocialSettings settings_;
  const std::string host_;
  const ContentRenderer renderer_;
  const PasswordHasher hasher_;

  ObjectCache<Account> accounts_;
  ObjectCache<Post> posts_;
  ObjectCache<ViewerGraph> graphs_;
  ObjectCache<OAuthApp> apps_;
  ObjectCache<User> users_;
  ObjectCache<FollowerList> followers_;
  ObjectCache<ViewerInteractions> interactions_;
  HomeFeeds home_feeds_;
  SearchIndexer search_indexer_;
  StreamHub streams_;
  std::vector<std::function<void(Id)>> login_listeners_;
};

}  // namespace stoa::social
