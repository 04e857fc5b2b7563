#include "social/post_service.h"

#include <algorithm>
#include <unordered_map>

#include "common/strings.h"
#include "social/notify.h"

namespace stoa::social {
namespace {

constexpr Duration kIdempotencyWindow = std::chrono::hours(1);
constexpr int kThreadLimit = 4096;
constexpr size_t kAnonymousAncestors = 40;
constexpr size_t kAnonymousDescendants = 60;

Post WithCounts(const Post& p, int64_t replies, int64_t reblogs, int64_t favourites) {
  Post copy = p;
  copy.replies_count = std::max<int64_t>(0, copy.replies_count + replies);
  copy.reblogs_count = std::max<int64_t>(0, copy.reblogs_count + reblogs);
  copy.favourites_count = std::max<int64_t>(0, copy.favourites_count + favourites);
  return copy;
}

}  // namespace

std::optional<std::string> NormalizeLanguage(std::string_view language) {
  std::string lower = AsciiLower(Trim(language));
  if (lower.size() < 2 || lower.size() > 3) return std::nullopt;
  for (char c : lower) {
    if (c < 'a' || c > 'z') return std::nullopt;
  }
  return lower;
}

Status ValidatePostText(const Core& core, std::string_view text, std::string_view spoiler_text,
                        bool allow_empty_text) {
  if (!allow_empty_text && Trim(text).empty()) {
    return InvalidArgument("Validation failed: Text can't be blank");
  }
  const size_t length = ContentRenderer::CountedLength(text) + Utf8Length(spoiler_text);
  const size_t limit = static_cast<size_t>(core.settings().max_status_chars);
  if (length > limit) {
    return InvalidArgument("Validation failed: Text character limit of " + std::to_string(limit) +
                           " exceeded");
  }
  return Status::Ok();
}

bool PostService::Visible(const Viewer& viewer, const Post& post, Surface surface) {
  AccountPtr keep_author;
  const Account* author = core_.PeekAccount(post.account_id, viewer.memo, keep_author);
  // The clock only matters for mutes with an end; most viewers have no mutes at all.
  const Timestamp now = viewer.graph && !viewer.graph->mutes.empty() ? core_.Now() : Timestamp{};
  if (!author || !CanSee(viewer, post, *author, surface, now)) return false;
  if (!post.is_reblog()) return true;
  PostPtr original = core_.LoadPost(post.reblog_of_id, viewer.memo);
  if (!original) return false;
  AccountPtr keep_original_author;
  const Account* original_author =
      core_.PeekAccount(original->account_id, viewer.memo, keep_original_author);
  return original_author && CanSee(viewer, *original, *original_author, surface, now);
}

Result<PostPtr> PostService::GetVisible(const Viewer& viewer, Id post_id, Surface surface) {
  PostPtr post = core_.LoadPost(post_id, viewer.memo);
  if (!post || !Visible(viewer, *post, surface)) return NotFound();
  return post;
}

std::vector<PostPtr> PostService::GetVisibleMany(const Viewer& viewer, std::span<const Id> ids,
                                                 Surface surface) {
  auto posts = core_.LoadPosts(ids, viewer.memo);
  std::vector<PostPtr> out;
  out.reserve(ids.size());
  for (Id id : ids) {
    auto it = posts.find(id);
    if (it != posts.end() && Visible(viewer, *it->second, surface)) out.push_back(it->second);
  }
  return out;
}

// A post on its way to the database: what Create prepared before the write and what the write
// left for the steps after it.
struct PostService::PendingCreate {
  Viewer author_viewer;
  NewPost in;
  AccountPtr author;
  PostPtr parent;
  std::shared_ptr<Post> post;
  std::unique_ptr<ScreeningOutcome> screened;
  std::shared_ptr<const FollowerList> followers;
  PostPtr existing;           // the post an Idempotency-Key made earlier: nothing to write
  Id stored_id = kNoId;       // differs from post->id when an idempotency key matched concurrently
  AccountPtr counted_author;  // the author as this write left it
};

Result<PostPtr> PostService::Create(const Viewer& author_viewer, const NewPost& in) {
  ASSIGN_OR_RETURN(std::shared_ptr<PendingCreate> pending, PrepareCreate(author_viewer, in));
  if (pending->existing) return pending->existing;
  RETURN_IF_ERROR(
      core_.storage().Write([&](storage::Transaction& tx) { return StoreCreated(tx, *pending); }));
  return FinishCreate(*pending);
}

std::optional<Result<PostPtr>> PostService::CreateAsync(const Viewer& author_viewer,
                                                        const NewPost& in,
                                                        storage::Storage::Resume resume,
                                                        std::function<void(Result<PostPtr>)> done) {
  auto prepared = PrepareCreate(author_viewer, in);
  if (!prepared.ok()) return Result<PostPtr>(prepared.status());
  std::shared_ptr<PendingCreate> pending = std::move(prepared).value();
  if (pending->existing) return Result<PostPtr>(pending->existing);
  core_.storage().WriteAsync(
      [this, pending](storage::Transaction& tx) { return StoreCreated(tx, *pending); },
      std::move(resume),
      [this, pending, done = std::move(done)](Status st) {
        if (!st.ok()) return done(Result<PostPtr>(st));
        done(FinishCreate(*pending));
      });
  return std::nullopt;
}

Result<std::shared_ptr<PostService::PendingCreate>> PostService::PrepareCreate(
    const Viewer& author_viewer, const NewPost& in) {
  auto pending = std::make_shared<PendingCreate>();
  pending->author_viewer = author_viewer;
  pending->in = in;
  const Id author_id = author_viewer.account_id;
  pending->author = core_.LoadAccount(author_id);
  if (!pending->author) return NotFound();
  RETURN_IF_ERROR(ValidatePostText(core_, in.text, in.spoiler_text, false));

  UserPtr user = core_.LoadUser(author_id);
  if (!user) return NotFound();

  if (!in.idempotency_key.empty()) {
    auto read = core_.storage().Read();
    if (auto existing = read->posts().FindIdempotent(author_id, in.idempotency_key,
                                                     core_.Now() - kIdempotencyWindow)) {
      if (PostPtr p = core_.LoadPost(*existing)) {
        pending->existing = std::move(p);
        return pending;
      }
    }
  }

  PostPtr& parent = pending->parent;
  if (in.in_reply_to_id != kNoId) {
    parent = core_.LoadPost(in.in_reply_to_id);
    if (!parent || parent->is_reblog() || !Visible(author_viewer, *parent, Surface::kDirect)) {
      return NotFound();
    }
  }

  const RenderedContent rendered = core_.renderer().Render(in.text, core_.Resolver());
  auto post = std::make_shared<Post>();
  post->id = core_.ids().Next();
  post->account_id = author_id;
  post->text = in.text;
  post->content_html = rendered.html;
  post->spoiler_text = in.spoiler_text;
  post->sensitive = in.sensitive.value_or(user->default_sensitive) || !in.spoiler_text.empty();
  post->visibility = in.visibility.value_or(user->default_visibility);
  if (in.language) {
    post->language = NormalizeLanguage(*in.language);
  } else {
    post->language = user->default_language;
  }
  if (parent) {
    post->in_reply_to_id = parent->id;
    post->in_reply_to_account_id = parent->account_id;
    post->thread_root_id = parent->thread_root_id != kNoId ? parent->thread_root_id : parent->id;
  } else {
    post->thread_root_id = post->id;
  }
  post->application_id = in.application_id;
  post->created_at = core_.Now();
  for (const auto& m : rendered.mentions) {
    post->mentions.push_back(PostMention{m.account_id, m.username});
  }
  post->tags = rendered.tags;

  // Screening: before anything is stored; no I/O (rules and model are in memory).
  if (screening_ != nullptr) {
    pending->screened = screening_->Screen(*post, false);
    if (pending->screened->action == ScreeningOutcome::Action::kReject) {
      return InvalidArgument(pending->screened->reason);
    }
    if (pending->screened->action == ScreeningOutcome::Action::kHold) {
      post->held_at = post->created_at;
    }
    screening_->Prepare(*pending->screened);
  }

  pending->followers = core_.LoadFollowers(author_id);
  pending->post = std::move(post);
  return pending;
}

Status PostService::StoreCreated(storage::Transaction& tx, PendingCreate& pending) {
  const Post& post = *pending.post;
  const NewPost& in = pending.in;
  const Id author_id = post.account_id;
  // The job may run more than once (Storage::Write): every output is set afresh.
  pending.stored_id = post.id;
  pending.counted_author.reset();
  if (!in.idempotency_key.empty()) {
    if (auto existing = tx.posts().FindIdempotent(author_id, in.idempotency_key,
                                                  core_.Now() - kIdempotencyWindow)) {
      pending.stored_id = *existing;
      return Status::Ok();
    }
  }
  RETURN_IF_ERROR(tx.posts().Insert(post));
  {
    // Counted and read back on the writer's hot pages, and put in the cache in commit order:
    // neither the answer nor the author's next post goes to the database for the account.
    ASSIGN_OR_RETURN(Account counted, tx.accounts().RecordStatus(
                                          author_id, post.visibility == Visibility::kDirect ? 0 : 1,
                                          post.created_at));
    pending.counted_author = std::make_shared<const Account>(std::move(counted));
    tx.AfterCommitInOrder([this, fresh = pending.counted_author] { core_.AccountWritten(fresh); });
  }
  if (pending.parent) RETURN_IF_ERROR(tx.posts().AdjustCounts(pending.parent->id, 1, 0, 0));
  // A held post notifies nobody until it is released (ReleaseInTx).
  if (!post.held()) RETURN_IF_ERROR(NotifyNew(tx, post, pending.followers->notify));
  if (pending.screened) RETURN_IF_ERROR(screening_->Record(tx, post, false, *pending.screened));
  if (!in.idempotency_key.empty()) {
    RETURN_IF_ERROR(
        tx.posts().RememberIdempotencyKey(author_id, in.idempotency_key, post.id, post.created_at));
  }
  return Status::Ok();
}

Result<PostPtr> PostService::FinishCreate(PendingCreate& pending) {
  const std::shared_ptr<Post>& post = pending.post;
  const Id author_id = post->account_id;
  if (pending.stored_id != post->id) {
    if (PostPtr p = core_.LoadPost(pending.stored_id)) return p;
    return Internal("idempotent post vanished");
  }
  if (pending.counted_author && pending.author_viewer.memo != nullptr) {
    auto& memo = pending.author_viewer.memo->accounts;
    if (auto it = memo.find(author_id); it != memo.end()) {
      it->second = pending.counted_author;
    } else {
      memo.emplace(author_id, pending.counted_author);
    }
  }
  if (pending.parent) core_.PostChanged(pending.parent->id);
  core_.search_indexer().Notify();
  PostPtr result = post;
  if (post->held()) {
    core_.home_feeds().Push(author_id, post->id);  // its author sees it; nobody else yet
  } else {
    FanOut(*post, *pending.author);
    PublishLive(result, false);
  }
  return result;
}

Status PostService::NotifyNew(storage::Transaction& tx, const Post& post,
                              std::span<const Id> notify_followers) {
  for (const auto& m : post.mentions) {
    // A private post notifies only mentioned accounts that may see it (all mentioned may).
    RETURN_IF_ERROR(Notify(core_, tx, m.account_id, post.account_id, NotificationType::kMention,
                           post.id, post.id));
  }
  if (post.visibility != Visibility::kDirect) {
    for (Id follower : notify_followers) {
      if (post.Mentions(follower)) continue;
      RETURN_IF_ERROR(Notify(core_, tx, follower, post.account_id, NotificationType::kStatus,
                             post.id, post.id));
    }
  }
  return Status::Ok();
}

Result<bool> PostService::ReleaseInTx(storage::Transaction& tx, Id post_id) {
  ASSIGN_OR_RETURN(Post post, tx.posts().Get(post_id));
  if (!post.held()) return false;
  const bool since_creation = *post.held_at == post.created_at;
  RETURN_IF_ERROR(tx.posts().SetHeld(post_id, std::nullopt));
  if (since_creation && !post.deleted() && !post.removed()) {
    // Read in the writer's transaction (no reader session while it is open).
    const std::vector<Id> notify = tx.relationships().NotifyingFollowerIds(post.account_id);
    RETURN_IF_ERROR(NotifyNew(tx, post, notify));
  }
  return true;
}

void PostService::AfterRelease(Id post_id) {
  core_.PostChanged(post_id);
  core_.search_indexer().Notify();
  PostPtr post = core_.LoadPost(post_id);
  if (!post || post->deleted() || post->removed() || post->held()) return;
  AccountPtr author = core_.LoadAccount(post->account_id);
  if (!author) return;
  FanOut(*post, *author);
  PublishLive(post, false);
}

std::vector<Id> PostService::HomeAudience(const Post& post) {
  std::vector<Id> out = {post.account_id};
  if (post.visibility == Visibility::kDirect) {
    for (const auto& m : post.mentions) out.push_back(m.account_id);
    return out;
  }
  const auto followers = core_.LoadFollowers(post.account_id);
  out.insert(out.end(), followers->all.begin(), followers->all.end());
  return out;
}

void PostService::PublishLive(const PostPtr& post, bool edited) {
  StreamHub& hub = core_.streams();
  if (hub.empty()) return;
  hub.PublishPost(post, HomeAudience(*post), edited);
}

void PostService::PublishDeleted(const Post& post) {
  StreamHub& hub = core_.streams();
  if (hub.empty()) return;
  hub.PublishDelete(post, HomeAudience(post));
}

void PostService::FanOut(const Post& post, const Account& author) {
  HomeFeeds& feeds = core_.home_feeds();
  feeds.Push(author.id, post.id);
  if (post.visibility == Visibility::kDirect) {
    for (const auto& m : post.mentions) feeds.Push(m.account_id, post.id);
    return;
  }
  const auto followers = core_.LoadFollowers(author.id);
  // A boost is skipped where the boosted post is already in the feed.
  feeds.PushMany(followers->all, post.id, post.is_reblog() ? post.reblog_of_id : kNoId);
}

Result<PostPtr> PostService::Edit(const Viewer& viewer, Id post_id, const PostChanges& changes) {
  PostPtr old = core_.LoadPost(post_id);
  if (!old || old->deleted() || old->account_id != viewer.account_id || old->is_reblog()) {
    return NotFound();
  }
  auto updated = std::make_shared<Post>(*old);
  if (changes.text) updated->text = *changes.text;
  if (changes.spoiler_text) updated->spoiler_text = *changes.spoiler_text;
  if (changes.sensitive) updated->sensitive = *changes.sensitive;
  if (!updated->spoiler_text.empty()) updated->sensitive = true;
  if (changes.language) updated->language = NormalizeLanguage(*changes.language);
  RETURN_IF_ERROR(ValidatePostText(core_, updated->text, updated->spoiler_text, false));
  const RenderedContent rendered = core_.renderer().Render(updated->text, core_.Resolver());
  updated->content_html = rendered.html;
  updated->mentions.clear();
  for (const auto& m : rendered.mentions) {
    updated->mentions.push_back(PostMention{m.account_id, m.username});
  }
  updated->tags = rendered.tags;
  updated->edited_at = core_.Now();

  // Every edit is screened again; a hold keeps (or puts) the post out of sight until a moderator
  // decides; an edit never releases a held post by itself.
  std::unique_ptr<ScreeningOutcome> screened;
  if (screening_ != nullptr) {
    screened = screening_->Screen(*updated, true);
    if (screened->action == ScreeningOutcome::Action::kReject) {
      return InvalidArgument(screened->reason);
    }
    if (screened->action == ScreeningOutcome::Action::kHold && !updated->held()) {
      updated->held_at = updated->edited_at;
    }
    screening_->Prepare(*screened);
  }

  PostEdit previous;
  previous.id = core_.ids().Next();
  previous.post_id = old->id;
  previous.text = old->text;
  previous.content_html = old->content_html;
  previous.spoiler_text = old->spoiler_text;
  previous.sensitive = old->sensitive;
  previous.created_at = old->edited_at.value_or(old->created_at);

  Status st = core_.storage().Write([&](storage::Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.posts().Update(*updated, previous));
    if (screened) RETURN_IF_ERROR(screening_->Record(tx, *updated, true, *screened));
    if (updated->held()) return Status::Ok();  // nobody else hears of a held post
    for (const auto& m : updated->mentions) {
      if (!old->Mentions(m.account_id)) {
        RETURN_IF_ERROR(Notify(core_, tx, m.account_id, viewer.account_id,
                               NotificationType::kMention, updated->id, updated->id));
      }
    }
    // Everyone who boosted it learns that it changed.
    storage::PageQuery all;
    all.limit = 1000;
    for (const auto& entry : tx.posts().ListRebloggedBy(updated->id, all)) {
      RETURN_IF_ERROR(Notify(core_, tx, entry.account_id, viewer.account_id,
                             NotificationType::kUpdate, updated->id, kNoId));
    }
    return Status::Ok();
  });
  RETURN_IF_ERROR(st);
  core_.PostChanged(post_id);
  core_.search_indexer().Notify();
  if (!updated->held()) PublishLive(updated, true);
  return PostPtr(updated);
}

Result<PostPtr> PostService::Delete(const Viewer& viewer, Id post_id) {
  PostPtr post = core_.LoadPost(post_id);
  if (!post || post->deleted() || post->account_id != viewer.account_id || post->is_reblog()) {
    return NotFound();
  }
  const Timestamp now = core_.Now();
  std::vector<Id> reblogger_ids;
  Status st = core_.storage().Write([&](storage::Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.posts().MarkDeleted(post->id, now));
    RETURN_IF_ERROR(tx.accounts().AdjustCounts(
        post->account_id, post->visibility == Visibility::kDirect ? 0 : -1, 0, 0));
    if (post->in_reply_to_id != kNoId) {
      RETURN_IF_ERROR(tx.posts().AdjustCounts(post->in_reply_to_id, -1, 0, 0));
    }
    ASSIGN_OR_RETURN(reblogger_ids, tx.posts().DeleteReblogsOf(post->id, now));
    for (Id account : reblogger_ids) RETURN_IF_ERROR(tx.accounts().AdjustCounts(account, -1, 0, 0));
    return tx.notifications().DeleteForStatus(post->id);
  });
  RETURN_IF_ERROR(st);
  core_.PostChanged(post->id);
  core_.AccountChanged(post->account_id);
  core_.search_indexer().Notify();
  if (post->in_reply_to_id != kNoId) core_.PostChanged(post->in_reply_to_id);
  for (Id account : reblogger_ids) core_.AccountChanged(account);
  PublishDeleted(*post);
  return post;
}

Result<PostPtr> PostService::Interact(const Viewer& viewer, Id post_id, Interaction kind,
                                      std::optional<Visibility> reblog_visibility) {
  ASSIGN_OR_RETURN(InteractionSteps steps,
                   PrepareInteraction(viewer, post_id, kind, reblog_visibility));
  if (steps.write) RETURN_IF_ERROR(core_.storage().Write(steps.write));
  return steps.finish();
}

std::optional<Result<PostPtr>> PostService::InteractAsync(
    const Viewer& viewer, Id post_id, Interaction kind, std::optional<Visibility> reblog_visibility,
    storage::Storage::Resume resume, std::function<void(Result<PostPtr>)> done) {
  auto steps = PrepareInteraction(viewer, post_id, kind, reblog_visibility);
  if (!steps.ok()) return Result<PostPtr>(steps.status());
  if (!steps->write) return steps->finish();
  core_.storage().WriteAsync(
      std::move(steps->write), std::move(resume),
      [finish = std::move(steps->finish), done = std::move(done)](Status st) {
        if (!st.ok()) return done(Result<PostPtr>(st));
        done(finish());
      });
  return std::nullopt;
}

Result<PostService::InteractionSteps> PostService::PrepareInteraction(
    const Viewer& viewer, Id post_id, Interaction kind,
    std::optional<Visibility> reblog_visibility) {
  switch (kind) {
    case Interaction::kReblog:
      return PrepareReblog(viewer, post_id, reblog_visibility);
    case Interaction::kUnreblog:
      return PrepareUnreblog(viewer, post_id);
    case Interaction::kFavourite:
      return PrepareFavourite(viewer, post_id, true);
    case Interaction::kUnfavourite:
      return PrepareFavourite(viewer, post_id, false);
    case Interaction::kBookmark:
      return PrepareBookmark(viewer, post_id, true);
    case Interaction::kUnbookmark:
      return PrepareBookmark(viewer, post_id, false);
  }
  return InvalidArgument("unknown interaction");
}

Result<PostPtr> PostService::InteractionTarget(const Viewer& viewer, Id post_id) {
  ASSIGN_OR_RETURN(PostPtr target, GetVisible(viewer, post_id));
  if (target->is_reblog()) return GetVisible(viewer, target->reblog_of_id);
  return target;
}

// The steps' state lives in shared_ptrs: with InteractAsync the write runs on the storage's
// thread and the rest on another, after this function returned. The write may run more than
// once (a batch retried), so it resets what it reports.
Result<PostService::InteractionSteps> PostService::PrepareReblog(
    const Viewer& viewer, Id post_id, std::optional<Visibility> visibility) {
  ASSIGN_OR_RETURN(PostPtr target, InteractionTarget(viewer, post_id));
  const Id account_id = viewer.account_id;
  const bool own = target->account_id == account_id;
  if (target->visibility == Visibility::kDirect ||
      (target->visibility == Visibility::kPrivate && !own)) {
    return PermissionDenied("This action is not allowed");
  }
  Visibility v = visibility.value_or(Visibility::kPublic);
  if (v == Visibility::kDirect) {
    return InvalidArgument("Validation failed: Visibility is not included in the list");
  }
  if (target->visibility == Visibility::kPrivate) v = Visibility::kPrivate;
  {
    auto read = core_.storage().Read();
    if (auto existing = read->posts().FindReblog(account_id, target->id)) {
      PostPtr boost = std::make_shared<Post>(std::move(*existing));
      return InteractionSteps{nullptr, [boost]() -> Result<PostPtr> { return boost; }};
    }
  }
  auto wrapper = std::make_shared<Post>();
  wrapper->id = core_.ids().Next();
  wrapper->account_id = account_id;
  wrapper->visibility = v;
  wrapper->reblog_of_id = target->id;
  wrapper->thread_root_id = wrapper->id;
  wrapper->created_at = core_.Now();
  auto existing_id = std::make_shared<Id>(kNoId);  // a boost made meanwhile
  InteractionSteps steps;
  steps.write = [this, target, wrapper, existing_id](storage::Transaction& tx) -> Status {
    *existing_id = kNoId;
    if (auto existing = tx.posts().FindReblog(wrapper->account_id, target->id)) {
      *existing_id = existing->id;
      return Status::Ok();
    }
    RETURN_IF_ERROR(tx.posts().Insert(*wrapper));
    RETURN_IF_ERROR(tx.posts().AdjustCounts(target->id, 0, 1, 0));
    RETURN_IF_ERROR(tx.accounts().AdjustCounts(wrapper->account_id, 1, 0, 0));
    return Notify(core_, tx, target->account_id, wrapper->account_id, NotificationType::kReblog,
                  target->id, wrapper->id);
  };
  steps.finish = [this, target, wrapper, existing_id]() -> Result<PostPtr> {
    if (*existing_id != kNoId) {
      if (PostPtr p = core_.LoadPost(*existing_id)) return p;
      return NotFound();
    }
    core_.PostChanged(target->id);
    core_.AccountChanged(wrapper->account_id);
    core_.InteractionsChanged(wrapper->account_id);
    if (AccountPtr me = core_.LoadAccount(wrapper->account_id)) FanOut(*wrapper, *me);
    PublishLive(wrapper, false);
    return PostPtr(wrapper);
  };
  return steps;
}

Result<PostService::InteractionSteps> PostService::PrepareUnreblog(const Viewer& viewer,
                                                                   Id post_id) {
  ASSIGN_OR_RETURN(PostPtr target, InteractionTarget(viewer, post_id));
  const Id account_id = viewer.account_id;
  auto wrapper_id = std::make_shared<Id>(kNoId);  // the boost removed; kNoId when there was none
  InteractionSteps steps;
  steps.write = [this, target, account_id, wrapper_id](storage::Transaction& tx) -> Status {
    *wrapper_id = kNoId;
    auto existing = tx.posts().FindReblog(account_id, target->id);
    if (!existing) return Status::Ok();
    RETURN_IF_ERROR(tx.posts().MarkDeleted(existing->id, core_.Now()));
    RETURN_IF_ERROR(tx.posts().AdjustCounts(target->id, 0, -1, 0));
    RETURN_IF_ERROR(tx.accounts().AdjustCounts(account_id, -1, 0, 0));
    RETURN_IF_ERROR(tx.notifications().DeleteForActivity(NotificationType::kReblog, existing->id));
    *wrapper_id = existing->id;
    return Status::Ok();
  };
  steps.finish = [this, target, account_id, wrapper_id]() -> Result<PostPtr> {
    if (*wrapper_id == kNoId) return target;
    core_.InteractionsChanged(account_id);
    core_.PostChanged(*wrapper_id);
    core_.PostChanged(target->id);
    core_.AccountChanged(account_id);
    if (PostPtr wrapper = core_.LoadPost(*wrapper_id)) PublishDeleted(*wrapper);
    if (PostPtr fresh = core_.LoadPost(target->id)) return fresh;
    return target;
  };
  return steps;
}

Result<PostService::InteractionSteps> PostService::PrepareFavourite(const Viewer& viewer,
                                                                    Id post_id, bool on) {
  ASSIGN_OR_RETURN(PostPtr target, InteractionTarget(viewer, post_id));
  const Id account_id = viewer.account_id;
  const Id record_id = core_.ids().Next();
  auto changed = std::make_shared<bool>(false);
  InteractionSteps steps;
  steps.write = [this, target, account_id, record_id, on,
                 changed](storage::Transaction& tx) -> Status {
    *changed = false;
    if (on) {
      Status added = tx.posts().AddFavourite(record_id, account_id, target->id, core_.Now());
      if (added.code() == StatusCode::kAlreadyExists) return Status::Ok();
      RETURN_IF_ERROR(added);
      RETURN_IF_ERROR(tx.posts().AdjustCounts(target->id, 0, 0, 1));
      RETURN_IF_ERROR(Notify(core_, tx, target->account_id, account_id,
                             NotificationType::kFavourite, target->id, record_id));
    } else {
      ASSIGN_OR_RETURN(std::optional<Id> removed,
                       tx.posts().RemoveFavourite(account_id, target->id));
      if (!removed) return Status::Ok();
      RETURN_IF_ERROR(tx.posts().AdjustCounts(target->id, 0, 0, -1));
      RETURN_IF_ERROR(tx.notifications().DeleteForActivity(NotificationType::kFavourite, *removed));
    }
    *changed = true;
    return Status::Ok();
  };
  steps.finish = [this, target, account_id, on, changed]() -> Result<PostPtr> {
    if (!*changed) return target;
    core_.PostChanged(target->id);
    core_.InteractionsChanged(account_id);
    return PostPtr(std::make_shared<Post>(WithCounts(*target, 0, 0, on ? 1 : -1)));
  };
  return steps;
}

Result<PostService::InteractionSteps> PostService::PrepareBookmark(const Viewer& viewer, Id post_id,
                                                                   bool on) {
  ASSIGN_OR_RETURN(PostPtr target, InteractionTarget(viewer, post_id));
  const Id account_id = viewer.account_id;
  const Id record_id = core_.ids().Next();
  InteractionSteps steps;
  steps.write = [this, target, account_id, record_id, on](storage::Transaction& tx) -> Status {
    if (on) {
      Status added = tx.posts().AddBookmark(record_id, account_id, target->id, core_.Now());
      return added.code() == StatusCode::kAlreadyExists ? Status::Ok() : added;
    }
    return tx.posts().RemoveBookmark(account_id, target->id).status();
  };
  steps.finish = [this, target, account_id]() -> Result<PostPtr> {
    core_.InteractionsChanged(account_id);
    return target;
  };
  return steps;
}

Result<Thread> PostService::Context(const Viewer& viewer, Id post_id) {
  ASSIGN_OR_RETURN(PostPtr post, GetVisible(viewer, post_id));
  Thread thread;
  if (post->is_reblog()) return thread;
  std::vector<Post> all;
  {
    auto read = core_.storage().Read();
    all = read->posts().ListThread(post->thread_root_id, kThreadLimit);
  }
  std::unordered_map<Id, const Post*> by_id;
  std::unordered_map<Id, std::vector<const Post*>> children;
  for (const auto& p : all) {
    by_id[p.id] = &p;
    if (p.in_reply_to_id != kNoId) children[p.in_reply_to_id].push_back(&p);
  }
  auto visible = [&](const Post& p) { return Visible(viewer, p, Surface::kThread); };
  // Ancestors: follow in_reply_to upwards; a missing or invisible link ends the chain.
  std::vector<PostPtr> up;
  for (Id cur = post->in_reply_to_id; cur != kNoId;) {
    auto it = by_id.find(cur);
    if (it == by_id.end() || !visible(*it->second)) break;
    up.push_back(std::make_shared<Post>(*it->second));
    cur = it->second->in_reply_to_id;
  }
  std::reverse(up.begin(), up.end());
  const size_t max_up = viewer.anonymous() ? kAnonymousAncestors : kThreadLimit;
  if (up.size() > max_up) up.erase(up.begin(), up.end() - max_up);
  thread.ancestors = std::move(up);
  // Descendants: depth first; an invisible post hides its subtree.
  const size_t max_down = viewer.anonymous() ? kAnonymousDescendants : kThreadLimit;
  std::vector<const Post*> stack;
  auto push_children = [&](Id parent) {
    auto it = children.find(parent);
    if (it == children.end()) return;
    for (auto c = it->second.rbegin(); c != it->second.rend(); ++c) stack.push_back(*c);
  };
  push_children(post->id);
  while (!stack.empty() && thread.descendants.size() < max_down) {
    const Post* p = stack.back();
    stack.pop_back();
    if (!visible(*p)) continue;
    thread.descendants.push_back(std::make_shared<Post>(*p));
    push_children(p->id);
  }
  return thread;
}

Result<std::vector<PostEdit>> PostService::History(const Viewer& viewer, Id post_id) {
  ASSIGN_OR_RETURN(PostPtr post, GetVisible(viewer, post_id));
  std::vector<PostEdit> versions;
  {
    auto read = core_.storage().Read();
    versions = read->posts().ListEdits(post->id);
  }
  PostEdit current;
  current.id = post->id;
  current.post_id = post->id;
  current.text = post->text;
  current.content_html = post->content_html;
  current.spoiler_text = post->spoiler_text;
  current.sensitive = post->sensitive;
  current.created_at = post->edited_at.value_or(post->created_at);
  versions.push_back(std::move(current));
  return versions;
}

Result<AccountPage> PostService::Actors(const Viewer& viewer, Id post_id,
                                        std::vector<storage::ActorEntry> entries) {
  (void)post_id;
  std::vector<Id> ids;
  for (const auto& e : entries) ids.push_back(e.account_id);
  auto accounts = core_.LoadAccounts(ids);
  AccountPage page;
  for (const auto& e : entries) {
    auto it = accounts.find(e.account_id);
    if (it == accounts.end() || it->second->suspended()) continue;
    if (!viewer.anonymous() && viewer.graph && viewer.graph->BlocksEitherWay(e.account_id))
      continue;
    page.accounts.push_back(it->second);
    page.record_ids.push_back(e.record_id);
  }
  return page;
}

Result<AccountPage> PostService::RebloggedBy(const Viewer& viewer, Id post_id,
                                             const storage::PageQuery& page) {
  ASSIGN_OR_RETURN(PostPtr post, GetVisible(viewer, post_id));
  std::vector<storage::ActorEntry> entries;
  {
    auto read = core_.storage().Read();
    entries = read->posts().ListRebloggedBy(post->id, page);
  }
  return Actors(viewer, post_id, std::move(entries));
}

Result<AccountPage> PostService::FavouritedBy(const Viewer& viewer, Id post_id,
                                              const storage::PageQuery& page) {
  ASSIGN_OR_RETURN(PostPtr post, GetVisible(viewer, post_id));
  std::vector<storage::ActorEntry> entries;
  {
    auto read = core_.storage().Read();
    entries = read->posts().ListFavouritedBy(post->id, page);
  }
  return Actors(viewer, post_id, std::move(entries));
}

}  // namespace stoa::social
