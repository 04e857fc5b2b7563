// Posts (statuses) and what hangs off them: mentions, tags, edits, favourites, bookmarks and
// idempotency keys.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "domain/post.h"
#include "domain/screening.h"
#include "domain/screening_rescan.h"
#include "domain/visibility.h"
#include "storage/page.h"

namespace stoa::storage {

struct AccountPostFilter {
  bool exclude_replies = false;  // replies to others (self-replies stay, as in Mastodon)
  bool exclude_reblogs = false;
  // The most private visibility the viewer may see in general: kUnlisted for strangers, kPrivate
  // for followers, kDirect for the author.
  Visibility max_visibility = Visibility::kUnlisted;
  // Posts mentioning this account are included whatever their visibility (kNoId: none).
  Id mentioned_viewer = kNoId;
  std::string tagged;  // normalised tag name, or "" for all
};

// (record id, account id): who favourited or boosted, paged by the record's id.
struct ActorEntry {
  Id record_id = kNoId;
  Id account_id = kNoId;
};
// (record id, post id): what an account favourited or bookmarked, paged by the record's id.
struct PostEntry {
  Id record_id = kNoId;
  Id post_id = kNoId;
};

// The posts (ids >= some horizon) an account favourited, bookmarked or boosted.
struct Interactions {
  std::vector<Id> favourited;
  std::vector<Id> bookmarked;
  std::vector<Id> reblogged;
};

class Posts {
 public:
  virtual ~Posts() = default;

  // Deleted posts are returned too (deleted_at set); callers decide. kNotFound when absent.
  virtual Result<Post> Get(Id id) const = 0;
  virtual std::vector<Post> GetMany(std::span<const Id> ids) const = 0;
  // Not deleted posts of `account_id`, newest first.
  virtual std::vector<Id> ListByAccount(Id account_id, const AccountPostFilter& filter,
                                        const PageQuery& page) const = 0;
  // Ids of the newest `limit` not-deleted posts by any of `authors` with id < `before`, newest
  // first (an exact merge). Each author's posts are read in blocks of `block` ids, so the work is
  // about limit + authors x block index entries.
  virtual std::vector<Id> RecentByAuthors(std::span<const Id> authors, Id before, int block,
                                          int limit) const = 0;
  // Every not-deleted post in the thread with this root, oldest first, at most `limit`.
  virtual std::vector<Post> ListThread(Id thread_root_id, int limit) const = 0;
  // Public local timeline: public, not a reblog, not deleted; newest first.
  virtual std::vector<Id> ListPublic(const PageQuery& page) const = 0;
  virtual std::vector<Id> ListTagged(std::string_view tag, const PageQuery& page) const = 0;
  // Full-text search over post text, newest first: public posts, the viewer's own, and posts
  // mentioning the viewer (kNoId: public only). Every word of `query` must occur.
  virtual std::vector<Id> SearchText(std::string_view query, Id viewer_id, const PageQuery& page,
                                     int offset) const = 0;
  // The viewer's boost of `post_id`, if any (not deleted).
  virtual std::optional<Post> FindReblog(Id account_id, Id post_id) const = 0;
  virtual std::vector<ActorEntry> ListRebloggedBy(Id post_id, const PageQuery& page) const = 0;
  virtual std::vector<ActorEntry> ListFavouritedBy(Id post_id, const PageQuery& page) const = 0;
  virtual std::vector<PostEntry> ListFavourites(Id account_id, const PageQuery& page) const = 0;
  virtual std::vector<PostEntry> ListBookmarks(Id account_id, const PageQuery& page) const = 0;
  // Of `post_ids`, those the account favourited / bookmarked / boosted.
  virtual std::vector<Id> FavouritedAmong(Id account_id, std::span<const Id> post_ids) const = 0;
  virtual std::vector<Id> BookmarkedAmong(Id account_id, std::span<const Id> post_ids) const = 0;
  virtual std::vector<Id> RebloggedAmong(Id account_id, std::span<const Id> post_ids) const = 0;
  // The account's favourites, bookmarks and boosts of posts with id >= `min_post_id`.
  virtual Interactions RecentInteractions(Id account_id, Id min_post_id) const = 0;
  // Earlier versions, oldest first.
  virtual std::vector<PostEdit> ListEdits(Id post_id) const = 0;
  // The post created under this idempotency key since `since`, if any.
  virtual std::optional<Id> FindIdempotent(Id account_id, std::string_view key,
                                           Timestamp since) const = 0;
  virtual int64_t Count() const = 0;
  virtual Id MaxId() const = 0;
  // Retroactive screening's keyset scan: published statuses (not deleted, removed or held, and
  // not boosts) with after < id < before, oldest first, at most `limit`. The next page starts
  // after the last id returned; a short page is the last.
  virtual std::vector<Post> ListPublishedRange(Id after, Id before, int limit) const = 0;
  // How many statuses ListPublishedRange would walk over in (after, before).
  virtual int64_t CountPublishedRange(Id after, Id before) const = 0;
  // True when posts wait to be (re)indexed for search.
  virtual bool HasPendingSearch() const = 0;

  // Inserts the post, its mentions and tags (creating tags as needed); its text waits for the
  // search index (see IndexPendingSearch).
  virtual Status Insert(const Post& post) = 0;
  // Replaces text, content, spoiler, sensitivity, language, mentions, tags and edited_at, and
  // records `previous` as an edit.
  virtual Status Update(const Post& post, const PostEdit& previous) = 0;
  // Marks the post deleted and queues its removal from the search index.
  virtual Status MarkDeleted(Id id, Timestamp at) = 0;
  // Applies up to `max` waiting search-index changes (new, edited and deleted posts) to the
  // full-text index; returns how many were applied (0: nothing was pending; less than `max`:
  // nothing is left). Restart-safe: what waits is stored, and applying it commits with the write.
  virtual Result<int> IndexPendingSearch(int max) = 0;
  // Marks every boost of `post_id` deleted; returns the boosting accounts.
  virtual Result<std::vector<Id>> DeleteReblogsOf(Id post_id, Timestamp at) = 0;
  virtual Status AdjustCounts(Id id, int64_t replies, int64_t reblogs, int64_t favourites) = 0;
  // kAlreadyExists when already favourited / bookmarked.
  virtual Status AddFavourite(Id record_id, Id account_id, Id post_id, Timestamp at) = 0;
  // The removed record's id, or nullopt when there was none.
  virtual Result<std::optional<Id>> RemoveFavourite(Id account_id, Id post_id) = 0;
  virtual Status AddBookmark(Id record_id, Id account_id, Id post_id, Timestamp at) = 0;
  virtual Result<std::optional<Id>> RemoveBookmark(Id account_id, Id post_id) = 0;
  virtual Status RememberIdempotencyKey(Id account_id, std::string_view key, Id post_id,
                                        Timestamp at) = 0;

  // Screening (migration 0011). Insert and Update write held_at too; SetHeld sets or clears it
  // alone (kNotFound when there is no such post).
  virtual Status SetHeld(Id id, std::optional<Timestamp> held_at) = 0;
  virtual Status InsertScreening(const ScreeningRecord& record) = 0;
  // The status's screening records, oldest first.
  virtual std::vector<ScreeningRecord> ListScreenings(Id status_id) const = 0;
  // Fingerprints of removed statuses (migration 0012). Put replaces the status's fingerprint;
  // Delete of one that is not there is no error.
  virtual Status PutRemovedFingerprint(const RemovedFingerprint& fingerprint) = 0;
  virtual Status DeleteRemovedFingerprint(Id status_id) = 0;
  virtual std::optional<RemovedFingerprint> GetRemovedFingerprint(Id status_id) const = 0;
  // Every stored fingerprint, by status id.
  virtual std::vector<RemovedFingerprint> ListRemovedFingerprints() const = 0;
  // Retroactive screening runs (migration 0014). Put inserts the run or replaces its row.
  virtual Status PutRescan(const ScreeningRescanJob& job) = 0;
  // The latest started run (the largest id), if any.
  virtual std::optional<ScreeningRescanJob> LastRescan() const = 0;
};

}  // namespace stoa::storage
