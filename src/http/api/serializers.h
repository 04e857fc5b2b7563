// JSON shapes of the Mastodon API entities (reference/mastodon-api.md section 3), kept apart from
// the domain types. Every listed field is always emitted.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/json_writer.h"
#include "domain/account.h"
#include "domain/instance_rule.h"
#include "domain/relationship.h"
#include "http/api/home_page_cache.h"
#include "social/core.h"
#include "social/notification_service.h"
#include "social/oauth_service.h"
#include "social/search_service.h"
#include "storage/notifications.h"

namespace stoa::http::api {

// URL helpers shared by the serializers.
std::string AvatarUrl(const social::Core& core);
std::string HeaderUrl(const social::Core& core);

// `key` with the time in ISO 8601 (UTC, milliseconds), or null without one.
void WriteOptionalTime(JsonWriter& w, std::string_view key, const std::optional<Timestamp>& t);
// `key` with the id as a string, or null for kNoId.
void WriteOptionalId(JsonWriter& w, std::string_view key, Id id);

void WriteAccount(JsonWriter& w, social::Core& core, const Account& a);
void WriteCredentialAccount(JsonWriter& w, social::Core& core, const Account& a, const User& u,
                            int64_t follow_requests_count);
std::string AccountJson(social::Core& core, const Account& a);
std::string AccountListJson(social::Core& core, const std::vector<social::AccountPtr>& accounts);
void WriteRelationship(JsonWriter& w, const Relationship& r);
void WriteRole(JsonWriter& w, Role role);
void WriteRule(JsonWriter& w, const InstanceRule& rule);
void WriteTag(JsonWriter& w, social::Core& core, const social::TagView& tag);
void WriteMarker(JsonWriter& w, const storage::Marker& m);
void WriteToken(JsonWriter& w, const social::IssuedToken& token);

// The viewer-independent JSON of accounts and posts, rendered once per object: domain objects
// are immutable and replaced on every change, so the JSON is memoised on the object itself
// (Account::rendered, Post::rendered) and is valid exactly as long as the object. Thread-safe.
class RenderCache {
 public:
  explicit RenderCache(size_t capacity) { (void)capacity; }
  RenderCache(const RenderCache&) = delete;
  RenderCache& operator=(const RenderCache&) = delete;

  // The Account entity's JSON. Valid while `account` lives.
  std::string_view Account(social::Core& core, const Account& account);
  // A Status entity's opening brace and viewer-independent fields, without its account, reblog
  // and viewer-relative fields and without the closing brace. Valid while `post` lives.
  std::string_view PostPrefix(social::Core& core, const Post& post, std::string_view username);
};

// Renders posts as Status entities for one viewer: loads authors, boosted posts and the viewer's
// favourites / boosts / bookmarks for the whole batch at once, and reuses cached fragments.
class StatusWriter {
 public:
  StatusWriter(social::Core& core, const social::Viewer& viewer, RenderCache& cache)
      : core_(core), viewer_(viewer), cache_(cache) {}

  // Must be called with every post before Write (boosted originals are added automatically).
  void Prefetch(const std::vector<social::PostPtr>& posts);
  // Writes one Status. `with_source` adds `text` (delete-and-redraft).
  void Write(JsonWriter& w, const social::PostPtr& post, bool with_source = false);
  std::string One(const social::PostPtr& post, bool with_source = false);
  std::string List(const std::vector<social::PostPtr>& posts);
  // Makes List report into `record` what it copied and read (for HomePageCache). Before Prefetch.
  void Record(PageRecord* record) { record_ = record; }

 private:
  // Appends an object's memoised JSON, telling record_ where.
  void AppendFragment(std::string& out, std::string_view text);
  void Append(std::string& out, const social::PostPtr& post, bool with_source);
  // Starts loading the post's cached JSON and its author's into the CPU cache (see List).
  void PrefetchFragments(const Post& post);
  // The author as Prefetch left it (in accounts_ or the viewer's memo), without loading; or null.
  const Account* LoadedAuthor(Id account_id) const;
  // The same, as the pointer that owns it (null when not loaded).
  const social::AccountPtr* LoadedAuthorPtr(Id account_id) const;

  social::Core& core_;
  const social::Viewer& viewer_;
  RenderCache& cache_;
  social::IdMap<social::AccountPtr> accounts_;
  social::IdMap<social::PostPtr> originals_;
  social::IdSet favourited_, reblogged_, bookmarked_;
  std::string scratch_;
  PageRecord* record_ = nullptr;
};

// Notifications with their accounts and statuses.
std::string NotificationListJson(social::Core& core, const social::Viewer& viewer,
                                 RenderCache& cache,
                                 const std::vector<social::NotificationView>& list);
std::string NotificationJson(social::Core& core, const social::Viewer& viewer, RenderCache& cache,
                             const social::NotificationView& n);

}  // namespace stoa::http::api
