// Posting and everything done to one post: create, edit, delete, boost, favourite, bookmark,
// and reading a post with its thread, history and who interacted with it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "social/core.h"
#include "social/screening.h"
#include "social/visibility_policy.h"
#include "storage/page.h"

namespace stoa::social {

struct NewPost {
  std::string text;
  std::string spoiler_text;
  std::optional<bool> sensitive;
  std::optional<Visibility> visibility;  // default: the author's preference
  std::optional<std::string> language;
  Id in_reply_to_id = kNoId;
  Id application_id = kNoId;
  std::string idempotency_key;  // "" for none
};

struct PostChanges {
  std::optional<std::string> text;
  std::optional<std::string> spoiler_text;
  std::optional<bool> sensitive;
  std::optional<std::string> language;
};

struct Thread {
  std::vector<PostPtr> ancestors;    // oldest first
  std::vector<PostPtr> descendants;  // depth first, in reply order
};

// (record id, account) pairs, for "who boosted / favourited" lists paged by record id.
struct AccountPage {
  std::vector<AccountPtr> accounts;
  std::vector<Id> record_ids;
};

// What a member does to a post (POST /api/v1/statuses/:id/<action>).
enum class Interaction { kReblog, kUnreblog, kFavourite, kUnfavourite, kBookmark, kUnbookmark };

class PostService {
 public:
  explicit PostService(Core& core) : core_(core) {}

  // The screening chain every new post and edit passes (null: none; set once at start-up, before
  // requests are served). With it, Create and Edit refuse a rejected post (kInvalidArgument with
  // the reason, nothing stored), store a held post visible to its author only (no fan-out,
  // notifications or live events until a moderator's decision releases it), and record every
  // screening in the post's write transaction.
  void SetScreening(PostScreening* screening) { screening_ = screening; }

  // A moderator's decision released the held post `post_id` (inside the decision's transaction):
  // clears held_at and, for a post held since its creation that is neither removed nor deleted,
  // notifies the mentioned accounts and followers as its creation would have. Result: whether it
  // was held. Call AfterRelease after the commit.
  Result<bool> ReleaseInTx(storage::Transaction& tx, Id post_id);
  // After the commit of a release: fresh caches, the post in its audience's home feeds and on
  // their live streams.
  void AfterRelease(Id post_id);

  // Validates, renders, stores (with notifications and counts) and fans out a new post.
  // Errors: kInvalidArgument ("Validation failed: ..."), kNotFound for an invisible reply target.
  // With a memo on `author`, the author's account as the write left it (new counts) is put
  // there, for rendering the answer without reading it back from the database.
  Result<PostPtr> Create(const Viewer& author, const NewPost& post);
  // Create without holding the calling thread during the durable write (for a handler on an
  // event loop). Returns the result at once when it is known without writing: an error, or the
  // post an Idempotency-Key made before. Otherwise returns nullopt and writes: the storage calls
  // `resume` with a task to run elsewhere (Storage::WriteAsync), which finishes the creation
  // (fan-out, caches, live events) and calls `done` with what Create would have returned. The
  // memo on `author`, when there is one, must outlive that task.
  std::optional<Result<PostPtr>> CreateAsync(const Viewer& author, const NewPost& post,
                                             storage::Storage::Resume resume,
                                             std::function<void(Result<PostPtr>)> done);
  // Edits the author's own post; kNotFound for others' posts.
  Result<PostPtr> Edit(const Viewer& author, Id post_id, const PostChanges& changes);
  // Deletes the author's own post (and its boosts); returns it as it was (with its text).
  Result<PostPtr> Delete(const Viewer& author, Id post_id);

  // Boosts (with `reblog_visibility`, public by default), favourites or bookmarks a post, or
  // undoes that. A boost answers with the boost (the wrapper post; boosting twice returns the
  // existing one), the rest with the post itself (for a boost given as `post_id`, the boosted
  // post) with the counts the write left.
  Result<PostPtr> Interact(const Viewer& viewer, Id post_id, Interaction kind,
                           std::optional<Visibility> reblog_visibility = std::nullopt);
  // Interact without holding the calling thread during the durable write, as CreateAsync: returns
  // the result at once when it is known without writing (an error, an existing boost), else
  // nullopt, and `done` gets the result from the task the storage hands to `resume`.
  std::optional<Result<PostPtr>> InteractAsync(const Viewer& viewer, Id post_id, Interaction kind,
                                               std::optional<Visibility> reblog_visibility,
                                               storage::Storage::Resume resume,
                                               std::function<void(Result<PostPtr>)> done);

  // The post if the viewer may see it on `surface`, else kNotFound. For a boost, the boosted post
  // must be visible too.
  Result<PostPtr> GetVisible(const Viewer& viewer, Id post_id, Surface surface = Surface::kDirect);
  // The visible posts among `ids`, in the order given (invisible and unknown ones skipped).
  std::vector<PostPtr> GetVisibleMany(const Viewer& viewer, std::span<const Id> ids,
                                      Surface surface);
  // True when `post` (and for a boost, the boosted post) may be shown to `viewer` on `surface`.
  bool Visible(const Viewer& viewer, const Post& post, Surface surface);
  Result<Thread> Context(const Viewer& viewer, Id post_id);
  // Earlier versions plus the current one, oldest first, as edits.
  Result<std::vector<PostEdit>> History(const Viewer& viewer, Id post_id);
  Result<AccountPage> RebloggedBy(const Viewer& viewer, Id post_id, const storage::PageQuery& page);
  Result<AccountPage> FavouritedBy(const Viewer& viewer, Id post_id,
                                   const storage::PageQuery& page);

 private:
  struct PendingCreate;
  // Create's steps: before the write (checks, rendering, screening), the write's job, after it.
  Result<std::shared_ptr<PendingCreate>> PrepareCreate(const Viewer& author, const NewPost& in);
  Status StoreCreated(storage::Transaction& tx, PendingCreate& pending);
  Result<PostPtr> FinishCreate(PendingCreate& pending);
  // An interaction in two steps after its checks and reads: the write's job, and what follows
  // its durable commit (caches, fan-out, live events) with the answer. An interaction whose
  // answer is known without writing has no write.
  struct InteractionSteps {
    std::function<Status(storage::Transaction&)> write;
    std::function<Result<PostPtr>()> finish;
  };
  Result<InteractionSteps> PrepareInteraction(const Viewer& viewer, Id post_id, Interaction kind,
                                              std::optional<Visibility> reblog_visibility);
  Result<InteractionSteps> PrepareReblog(const Viewer& viewer, Id post_id,
                                         std::optional<Visibility> visibility);
  Result<InteractionSteps> PrepareUnreblog(const Viewer& viewer, Id post_id);
  Result<InteractionSteps> PrepareFavourite(const Viewer& viewer, Id post_id, bool on);
  Result<InteractionSteps> PrepareBookmark(const Viewer& viewer, Id post_id, bool on);
  // The post an interaction acts on: the visible post, or for a boost the boosted one.
  Result<PostPtr> InteractionTarget(const Viewer& viewer, Id post_id);
  // Pushes a new post into the home feeds of its author and the followers that may see it.
  void FanOut(const Post& post, const Account& author);
  // The accounts whose home feed a post reaches: its author, and its followers or (direct) the
  // mentioned accounts.
  std::vector<Id> HomeAudience(const Post& post);
  // Live events for streaming listeners (nothing to do when nobody listens).
  void PublishLive(const PostPtr& post, bool edited);
  void PublishDeleted(const Post& post);
  Result<AccountPage> Actors(const Viewer& viewer, Id post_id,
                             std::vector<storage::ActorEntry> entries);

  // The accounts notified of a new post (mentions; followers with notifications on).
  Status NotifyNew(storage::Transaction& tx, const Post& post, std::span<const Id> notify_followers);

  Core& core_;
  PostScreening* screening_ = nullptr;
};

// "Validation failed: ..." checks shared by create and edit.
Status ValidatePostText(const Core& core, std::string_view text, std::string_view spoiler_text,
                        bool allow_empty_text);
// ISO 639-1/2 code in lower case, or nullopt when `language` is not one.
std::optional<std::string> NormalizeLanguage(std::string_view language);

}  // namespace stoa::social
