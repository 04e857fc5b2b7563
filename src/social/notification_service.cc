#include "social/notification_service.h"

#include <algorithm>

namespace stoa::social {

std::optional<NotificationView> NotificationService::View(
    const Viewer& viewer, const Notification& n, const IdMap<AccountPtr>& accounts,
    const IdMap<PostPtr>& posts) {
  auto from = accounts.find(n.from_account_id);
  if (from == accounts.end() || from->second->suspended()) return std::nullopt;
  if (viewer.graph) {
    if (viewer.graph->BlocksEitherWay(n.from_account_id)) return std::nullopt;
    if (viewer.graph->MutesNotifications(n.from_account_id, core_.Now())) return std::nullopt;
  }
  NotificationView view{n, from->second, nullptr};
  if (n.status_id != kNoId) {
    auto post = posts.find(n.status_id);
    if (post == posts.end() || !posts_.Visible(viewer, *post->second, Surface::kNotification)) {
      return std::nullopt;
    }
    view.status = post->second;
  }
  return view;
}

std::vector<NotificationView> NotificationService::List(const Viewer& viewer,
                                                        const storage::NotificationFilter& filter,
                                                        const storage::PageQuery& page) {
  // Hidden notifications (blocked or muted actors, posts the viewer can no longer see) are only
  // known after loading, so keep scanning further windows until the page is full or the rows run
  // out; otherwise a burst of hidden ones would end a client's paging early. Bounded, so one
  // request cannot scan a whole history.
  constexpr int kMaxWindows = 8;
  const bool ascending = page.ascending();
  std::vector<NotificationView> out;  // oldest first when ascending, newest first otherwise
  storage::PageQuery window = page;
  for (int round = 0; round < kMaxWindows; ++round) {
    std::vector<Notification> rows;  // newest first
    {
      auto read = core_.storage().Read();
      rows = read->notifications().List(viewer.account_id, filter, window);
    }
    std::vector<Id> account_ids, post_ids;
    for (const auto& n : rows) {
      account_ids.push_back(n.from_account_id);
      if (n.status_id != kNoId) post_ids.push_back(n.status_id);
    }
    auto accounts = core_.LoadAccounts(account_ids);
    auto posts = core_.LoadPosts(post_ids);
    std::vector<NotificationView> views;
    for (const auto& n : rows) {
      if (auto v = View(viewer, n, accounts, posts)) views.push_back(std::move(*v));
    }
    if (ascending) std::reverse(views.begin(), views.end());
    for (auto& v : views) out.push_back(std::move(v));
    if (static_cast<int>(rows.size()) < window.limit ||
        static_cast<int>(out.size()) >= page.limit) {
      break;
    }
    if (ascending) {
      window.min_id = rows.front().id;
    } else {
      window.max_id = rows.back().id;
    }
  }
  if (static_cast<int>(out.size()) > page.limit) out.resize(static_cast<size_t>(page.limit));
  if (ascending) std::reverse(out.begin(), out.end());
  return out;
}

Result<NotificationView> NotificationService::Get(const Viewer& viewer, Id id) {
  Notification n;
  {
    auto read = core_.storage().Read();
    ASSIGN_OR_RETURN(n, read->notifications().Get(viewer.account_id, id));
  }
  const Id account_ids[] = {n.from_account_id};
  auto accounts = core_.LoadAccounts(account_ids);
  IdMap<PostPtr> posts;
  if (n.status_id != kNoId) {
    const Id post_ids[] = {n.status_id};
    posts = core_.LoadPosts(post_ids);
  }
  auto view = View(viewer, n, accounts, posts);
  if (!view) return NotFound();
  return std::move(*view);
}

Status NotificationService::Dismiss(const Viewer& viewer, Id id) {
  bool removed = false;
  RETURN_IF_ERROR(core_.storage().Write([&](storage::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(removed, tx.notifications().Dismiss(viewer.account_id, id));
    return Status::Ok();
  }));
  return removed ? Status::Ok() : NotFound();
}

Status NotificationService::Clear(const Viewer& viewer) {
  return core_.storage().Write(
      [&](storage::Transaction& tx) { return tx.notifications().Clear(viewer.account_id); });
}

int64_t NotificationService::UnreadCount(const Viewer& viewer,
                                         const storage::NotificationFilter& filter, int limit) {
  storage::PageQuery page;
  {
    auto read = core_.storage().Read();
    const auto marker = read->notifications().GetMarker(viewer.account_id, "notifications");
    if (marker) page.min_id = marker->last_read_id;
  }
  page.limit = limit;
  // Counts what List would show, so hidden notifications never inflate the badge.
  return static_cast<int64_t>(List(viewer, filter, page).size());
}

std::optional<storage::Marker> NotificationService::GetMarker(const Viewer& viewer,
                                                              std::string_view timeline) {
  auto read = core_.storage().Read();
  return read->notifications().GetMarker(viewer.account_id, timeline);
}

Result<storage::Marker> NotificationService::SetMarker(const Viewer& viewer,
                                                       std::string_view timeline,
                                                       Id last_read_id) {
  if (timeline != "home" && timeline != "notifications") {
    return InvalidArgument("Validation failed: Timeline is not included in the list");
  }
  std::optional<storage::Marker> marker;
  RETURN_IF_ERROR(core_.storage().Write([&](storage::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(auto m, tx.notifications().SetMarker(viewer.account_id, timeline,
                                                          last_read_id, core_.Now()));
    marker = std::move(m);
    return Status::Ok();
  }));
  return std::move(*marker);
}

}  // namespace stoa::social
