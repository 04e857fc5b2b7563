// /api/v1/statuses: create, read, edit, delete, context, boosts, favourites, bookmarks, history.
#include "common/strings.h"
#include "common/time_format.h"
#include "http/api/api.h"
#include "http/api/serializers.h"

namespace stoa::http::api {
namespace {

constexpr int kAccountsPageDefault = 40;
constexpr int kAccountsPageMax = 80;

Response StatusResponse(Call& c, const Result<social::PostPtr>& post, bool with_source = false) {
  if (!post.ok()) return ErrorResponse(post.status());
  StatusWriter writer(c.s.core, c.viewer, c.s.render_cache);
  return Ok(writer.One(*post, with_source));
}

Status RejectUnsupported(const Call& c) {
  if (!c.params.StringArray("media_ids").empty()) {
    return InvalidArgument("Validation failed: Media attachments are not supported by this server");
  }
  if (c.params.Has("poll")) {
    return InvalidArgument("Validation failed: Polls are not supported by this server");
  }
  if (c.params.Has("scheduled_at")) {
    return InvalidArgument("Validation failed: Scheduled posts are not supported by this server");
  }
  return Status::Ok();
}

Result<std::optional<Visibility>> VisibilityParam(const Call& c) {
  auto v = c.params.String("visibility");
  if (!v || v->empty()) return std::optional<Visibility>();
  auto parsed = ParseVisibility(*v);
  if (!parsed) return InvalidArgument("Validation failed: Visibility is not included in the list");
  return std::optional<Visibility>(*parsed);
}

// The answer of a non-blocking PostService write (CreateAsync, InteractAsync): `start(resume,
// done)` begins it and returns the result when it is known without writing. Otherwise the status
// is answered, rendered as StatusResponse does, on the connection's io thread once the write is
// durable and finished, without a thread waiting for the commit meanwhile.
template <typename Start>
Response AnswerPostWrite(const std::shared_ptr<Call>& call, Start start) {
  auto answer = std::make_shared<Response>();
  std::optional<Result<social::PostPtr>> now = start(
      [call, answer](std::function<void()> finish) {
        call->AnswerLater([answer, finish = std::move(finish)] {
          finish();
          return std::move(*answer);
        });
      },
      [call, answer](const Result<social::PostPtr>& written) {
        *answer = StatusResponse(*call, written);
      });
  if (now) return StatusResponse(*call, *now);
  return Response::Later();
}

// Non-blocking (Api::RouteNonBlocking): runs on the connection's io thread and answers once
// the post is durable, without a thread waiting for the commit meanwhile.
Response Create(const std::shared_ptr<Call>& call) {
  Call& c = *call;
  if (Status st = RejectUnsupported(c); !st.ok()) return ErrorResponse(st);
  social::NewPost post;
  post.text = c.Str("status");
  post.spoiler_text = c.Str("spoiler_text");
  post.sensitive = c.params.Bool("sensitive");
  auto visibility = VisibilityParam(c);
  if (!visibility.ok()) return ErrorResponse(visibility.status());
  post.visibility = *visibility;
  if (auto lang = c.params.String("language"); lang && !lang->empty()) post.language = *lang;
  if (auto reply = c.params.String("in_reply_to_id"); reply && !reply->empty()) {
    auto id = ParseId(*reply);
    if (!id) return ErrorResponse(NotFound());
    post.in_reply_to_id = *id;
  }
  post.application_id = c.auth->app_id;
  // The answer renders the author as the write left it (PostService::Create puts it here).
  c.viewer.memo = &c.memo;
  if (const std::string* key = c.request.FindHeader("Idempotency-Key")) {
    if (key->size() > 255) return ErrorResponse(BadRequest("Idempotency-Key is too long"));
    post.idempotency_key = *key;
  }
  return AnswerPostWrite(call, [&](auto resume, auto done) {
    return c.s.posts.CreateAsync(c.viewer, post, std::move(resume), std::move(done));
  });
}

Response Edit(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  if (Status st = RejectUnsupported(c); !st.ok()) return ErrorResponse(st);
  social::PostChanges changes;
  changes.text = c.params.String("status");
  changes.spoiler_text = c.params.String("spoiler_text");
  changes.sensitive = c.params.Bool("sensitive");
  changes.language = c.params.String("language");
  return StatusResponse(c, c.s.posts.Edit(c.viewer, *id, changes));
}

Response Show(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  return StatusResponse(c, c.s.posts.GetVisible(c.viewer, *id));
}

Response ShowMany(Call& c) {
  std::vector<Id> ids;
  for (const auto& s : c.params.StringArray("id")) {
    if (auto id = ParseId(s)) ids.push_back(*id);
    if (ids.size() >= 40) break;
  }
  StatusWriter writer(c.s.core, c.viewer, c.s.render_cache);
  return Ok(writer.List(c.s.posts.GetVisibleMany(c.viewer, ids, social::Surface::kDirect)));
}

Response Delete(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  if (Status st = c.Throttle("del:" + std::to_string(c.viewer.account_id),
                             c.s.config.rate_limits.deletes_per_account);
      !st.ok()) {
    return ErrorResponse(st);
  }
  return StatusResponse(c, c.s.posts.Delete(c.viewer, *id), true);
}

Response Context(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  auto thread = c.s.posts.Context(c.viewer, *id);
  if (!thread.ok()) return ErrorResponse(thread.status());
  StatusWriter writer(c.s.core, c.viewer, c.s.render_cache);
  std::vector<social::PostPtr> all = thread->ancestors;
  all.insert(all.end(), thread->descendants.begin(), thread->descendants.end());
  writer.Prefetch(all);
  JsonWriter w;
  w.BeginObject().Key("ancestors").BeginArray();
  for (const auto& p : thread->ancestors) writer.Write(w, p);
  w.EndArray().Key("descendants").BeginArray();
  for (const auto& p : thread->descendants) writer.Write(w, p);
  w.EndArray().EndObject();
  return Ok(w.Take());
}

// POST /api/v1/statuses/:id/<action> (reblog's `visibility` too); non-blocking like Create.
template <social::Interaction kKind>
Response Interact(const std::shared_ptr<Call>& call) {
  Call& c = *call;
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  std::optional<Visibility> visibility;
  if constexpr (kKind == social::Interaction::kReblog) {
    auto given = VisibilityParam(c);
    if (!given.ok()) return ErrorResponse(given.status());
    visibility = *given;
  }
  return AnswerPostWrite(call, [&](auto resume, auto done) {
    return c.s.posts.InteractAsync(c.viewer, *id, kKind, visibility, std::move(resume),
                                   std::move(done));
  });
}

Response NotSupported(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  auto post = c.s.posts.GetVisible(c.viewer, *id);
  if (!post.ok()) return ErrorResponse(post.status());
  return ErrorResponse(InvalidArgument("Validation failed: This action is not supported yet"));
}

Response Muting(Call& c) {
  // Conversation mutes are accepted and acknowledged but not yet stored (muted stays false).
  return NotSupported(c);
}

Response AccountsPage(Call& c, const Result<social::AccountPage>& page, int limit) {
  if (!page.ok()) return ErrorResponse(page.status());
  if (!page->record_ids.empty())
    c.SetLink(page->record_ids.front(), page->record_ids.back(), limit);
  return Ok(AccountListJson(c.s.core, page->accounts));
}

Response RebloggedBy(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  auto page = c.Page(kAccountsPageDefault, kAccountsPageMax);
  if (!page.ok()) return ErrorResponse(page.status());
  return AccountsPage(c, c.s.posts.RebloggedBy(c.viewer, *id, *page), page->limit);
}

Response FavouritedBy(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  auto page = c.Page(kAccountsPageDefault, kAccountsPageMax);
  if (!page.ok()) return ErrorResponse(page.status());
  return AccountsPage(c, c.s.posts.FavouritedBy(c.viewer, *id, *page), page->limit);
}

Response History(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  auto post = c.s.posts.GetVisible(c.viewer, *id);
  if (!post.ok()) return ErrorResponse(post.status());
  auto versions = c.s.posts.History(c.viewer, *id);
  if (!versions.ok()) return ErrorResponse(versions.status());
  social::AccountPtr author = c.s.core.LoadAccount((*post)->account_id);
  JsonWriter w;
  w.BeginArray();
  for (const auto& v : *versions) {
    w.BeginObject();
    w.Field("content", v.content_html);
    w.Field("spoiler_text", v.spoiler_text);
    w.Field("sensitive", v.sensitive);
    w.Field("created_at", FormatIso8601(v.created_at));
    w.Key("account");
    WriteAccount(w, c.s.core, *author);
    w.Key("poll").Null();
    w.Key("media_attachments").BeginArray().EndArray();
    w.Key("emojis").BeginArray().EndArray();
    w.EndObject();
  }
  w.EndArray();
  return Ok(w.Take());
}

Response Source(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  auto post = c.s.posts.GetVisible(c.viewer, *id);
  if (!post.ok()) return ErrorResponse(post.status());
  JsonWriter w;
  w.BeginObject();
  w.Key("id").IdString((*post)->id);
  w.Field("text", (*post)->text).Field("spoiler_text", (*post)->spoiler_text);
  w.EndObject();
  return Ok(w.Take());
}

}  // namespace

void RegisterStatusRoutes(Api& api, Router& r) {
  using A = Access;
  api.RouteNonBlocking(r, Method::kPost, "/api/v1/statuses", A::kUser, "write:statuses", Create);
  api.Route(r, Method::kGet, "/api/v1/statuses", A::kPublic, "read:statuses", ShowMany);
  api.Route(r, Method::kGet, "/api/v1/statuses/:id", A::kPublic, "read:statuses", Show);
  api.Route(r, Method::kPut, "/api/v1/statuses/:id", A::kUser, "write:statuses", Edit);
  api.Route(r, Method::kDelete, "/api/v1/statuses/:id", A::kUser, "write:statuses", Delete);
  api.Route(r, Method::kGet, "/api/v1/statuses/:id/context", A::kPublic, "read:statuses", Context);
  api.Route(r, Method::kGet, "/api/v1/statuses/:id/history", A::kPublic, "read:statuses", History);
  api.Route(r, Method::kGet, "/api/v1/statuses/:id/source", A::kUser, "read:statuses", Source);
  using I = social::Interaction;
  api.RouteNonBlocking(r, Method::kPost, "/api/v1/statuses/:id/reblog", A::kUser, "write:statuses",
                       Interact<I::kReblog>);
  api.RouteNonBlocking(r, Method::kPost, "/api/v1/statuses/:id/unreblog", A::kUser,
                       "write:statuses", Interact<I::kUnreblog>);
  api.RouteNonBlocking(r, Method::kPost, "/api/v1/statuses/:id/favourite", A::kUser,
                       "write:favourites", Interact<I::kFavourite>);
  api.RouteNonBlocking(r, Method::kPost, "/api/v1/statuses/:id/unfavourite", A::kUser,
                       "write:favourites", Interact<I::kUnfavourite>);
  api.RouteNonBlocking(r, Method::kPost, "/api/v1/statuses/:id/bookmark", A::kUser,
                       "write:bookmarks", Interact<I::kBookmark>);
  api.RouteNonBlocking(r, Method::kPost, "/api/v1/statuses/:id/unbookmark", A::kUser,
                       "write:bookmarks", Interact<I::kUnbookmark>);
  api.Route(r, Method::kPost, "/api/v1/statuses/:id/mute", A::kUser, "write:mutes", Muting);
  api.Route(r, Method::kPost, "/api/v1/statuses/:id/unmute", A::kUser, "write:mutes", Muting);
  api.Route(r, Method::kPost, "/api/v1/statuses/:id/pin", A::kUser, "write:accounts", NotSupported);
  api.Route(r, Method::kPost, "/api/v1/statuses/:id/unpin", A::kUser, "write:accounts",
            NotSupported);
  api.Route(r, Method::kGet, "/api/v1/statuses/:id/reblogged_by", A::kPublic, "", RebloggedBy);
  api.Route(r, Method::kGet, "/api/v1/statuses/:id/favourited_by", A::kPublic, "", FavouritedBy);
}

}  // namespace stoa::http::api
