// Notifications (v1, and v2 "grouped" with every notification in its own group), the
// notification policy and requests stoa does not filter into, and the read markers.
#include <algorithm>
#include <unordered_set>

#include "common/strings.h"
#include "common/time_format.h"
#include "http/api/api.h"
#include "http/api/serializers.h"

namespace stoa::http::api {
namespace {

constexpr int kNotificationsDefault = 40;
constexpr int kNotificationsMax = 80;
constexpr int kUnreadCountDefault = 100;
constexpr int kUnreadCountMax = 1000;
constexpr std::string_view kUngroupedPrefix = "ungrouped-";
constexpr std::string_view kTimelines[] = {"home", "notifications"};

// The filter of a list request (types[], exclude_types[], account_id). nullopt when nothing can
// match: types[] named only types stoa does not know (Mastodon intersects types[] with the known
// types, so unknown names are ignored and an all-unknown list matches nothing), or account_id is
// not an id.
std::optional<storage::NotificationFilter> FilterOf(const Call& c) {
  storage::NotificationFilter filter;
  const std::vector<std::string> types = c.params.StringArray("types");
  for (const auto& name : types) {
    if (auto t = ParseNotificationType(name)) filter.types.push_back(*t);
  }
  if (!types.empty() && filter.types.empty()) return std::nullopt;
  for (const auto& name : c.params.StringArray("exclude_types")) {
    if (auto t = ParseNotificationType(name)) filter.exclude_types.push_back(*t);
  }
  if (auto account = c.params.String("account_id"); account && !account->empty()) {
    auto id = ParseId(*account);
    if (!id) return std::nullopt;
    filter.from_account_id = *id;
  }
  return filter;
}

// One page of notifications with the Link header set; an error for bad paging parameters.
Result<std::vector<social::NotificationView>> LoadPage(Call& c) {
  ASSIGN_OR_RETURN(storage::PageQuery page, c.Page(kNotificationsDefault, kNotificationsMax));
  const auto filter = FilterOf(c);
  if (!filter) return std::vector<social::NotificationView>();
  auto list = c.s.notifications.List(c.viewer, *filter, page);
  if (!list.empty()) {
    c.SetLink(list.front().notification.id, list.back().notification.id, page.limit,
              {"types", "exclude_types", "account_id", "grouped_types", "expand_accounts"});
  }
  return list;
}

Response Index(Call& c) {
  auto list = LoadPage(c);
  if (!list.ok()) return ErrorResponse(list.status());
  return Ok(NotificationListJson(c.s.core, c.viewer, c.s.render_cache, *list));
}

Response Show(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  auto view = c.s.notifications.Get(c.viewer, *id);
  if (!view.ok()) return ErrorResponse(view.status());
  return Ok(NotificationJson(c.s.core, c.viewer, c.s.render_cache, *view));
}

Response Dismiss(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  if (Status st = c.s.notifications.Dismiss(c.viewer, *id); !st.ok()) return ErrorResponse(st);
  return Empty();
}

// The pre-3.0 form, POST /api/v1/notifications/dismiss with `id` in the body; still sent by some
// clients.
Response DismissLegacy(Call& c) {
  auto id = ParseId(c.Str("id"));
  if (!id) return ErrorResponse(NotFound());
  if (Status st = c.s.notifications.Dismiss(c.viewer, *id); !st.ok()) return ErrorResponse(st);
  return Empty();
}

Response Clear(Call& c) {
  if (Status st = c.s.notifications.Clear(c.viewer); !st.ok()) return ErrorResponse(st);
  return Empty();
}

Response UnreadCount(Call& c) {
  auto page = c.Page(kUnreadCountDefault, kUnreadCountMax);
  if (!page.ok()) return ErrorResponse(page.status());
  const auto filter = FilterOf(c);
  const int64_t count = filter ? c.s.notifications.UnreadCount(c.viewer, *filter, page->limit) : 0;
  JsonWriter w;
  w.BeginObject().Field("count", count).EndObject();
  return Ok(w.Take());
}

// --- v2: grouped notifications. stoa does not group, so every notification is its own group
// ("ungrouped-<id>"), which is what Mastodon itself returns for types it never groups.

void WriteGroup(JsonWriter& w, const social::NotificationView& n) {
  const Notification& note = n.notification;
  w.BeginObject();
  w.Field("group_key", std::string(kUngroupedPrefix) + IdToString(note.id));
  w.Field("notifications_count", 1);
  w.Field("type", NotificationTypeName(note.type));
  w.Key("most_recent_notification_id").IdString(note.id);
  w.Key("page_min_id").IdString(note.id);
  w.Key("page_max_id").IdString(note.id);
  w.Field("latest_page_notification_at", FormatIso8601(note.created_at));
  w.Key("sample_account_ids").BeginArray().IdString(note.from_account_id).EndArray();
  if (n.status) w.Key("status_id").IdString(n.status->id);
  w.EndObject();
}

std::string GroupedJson(Call& c, const std::vector<social::NotificationView>& list) {
  std::vector<social::AccountPtr> accounts;
  std::vector<social::PostPtr> posts;
  std::unordered_set<Id> seen_accounts, seen_posts;
  for (const auto& n : list) {
    if (seen_accounts.insert(n.from->id).second) accounts.push_back(n.from);
    if (n.status && seen_posts.insert(n.status->id).second) posts.push_back(n.status);
  }
  StatusWriter statuses(c.s.core, c.viewer, c.s.render_cache);
  statuses.Prefetch(posts);
  JsonWriter w;
  w.BeginObject();
  w.Key("accounts").BeginArray();
  for (const auto& a : accounts) WriteAccount(w, c.s.core, *a);
  w.EndArray();
  // With expand_accounts=partial_avatars Mastodon moves all but each group's first sample account
  // here; single-account groups leave it empty.
  if (c.Str("expand_accounts") == "partial_avatars")
    w.Key("partial_accounts").BeginArray().EndArray();
  w.Key("statuses").BeginArray();
  for (const auto& p : posts) statuses.Write(w, p);
  w.EndArray();
  w.Key("notification_groups").BeginArray();
  for (const auto& n : list) WriteGroup(w, n);
  w.EndArray();
  w.EndObject();
  return w.Take();
}

Response IndexV2(Call& c) {
  auto list = LoadPage(c);
  if (!list.ok()) return ErrorResponse(list.status());
  return Ok(GroupedJson(c, *list));
}

// "ungrouped-<id>" -> id; kNotFound for any other key.
Result<Id> GroupId(const Call& c) {
  std::string_view key = c.path.Get("group_key");
  if (!key.starts_with(kUngroupedPrefix)) return NotFound();
  auto id = ParseId(key.substr(kUngroupedPrefix.size()));
  if (!id) return NotFound();
  return *id;
}

Response ShowGroup(Call& c) {
  auto id = GroupId(c);
  if (!id.ok()) return ErrorResponse(id.status());
  auto view = c.s.notifications.Get(c.viewer, *id);
  if (!view.ok()) return ErrorResponse(view.status());
  return Ok(GroupedJson(c, {*view}));
}

Response GroupAccounts(Call& c) {
  auto id = GroupId(c);
  if (!id.ok()) return ErrorResponse(id.status());
  auto view = c.s.notifications.Get(c.viewer, *id);
  if (!view.ok()) return ErrorResponse(view.status());
  return Ok(AccountListJson(c.s.core, {view->from}));
}

Response DismissGroup(Call& c) {
  auto id = GroupId(c);
  if (!id.ok()) return ErrorResponse(id.status());
  if (Status st = c.s.notifications.Dismiss(c.viewer, *id); !st.ok()) return ErrorResponse(st);
  return Empty();
}

// --- Filtering policy (4.3+): stoa never diverts notifications into requests, so the policy
// accepts everything and there are no requests.

void WritePolicySummary(JsonWriter& w) {
  w.Key("summary")
      .BeginObject()
      .Field("pending_requests_count", 0)
      .Field("pending_notifications_count", 0)
      .EndObject();
}

Response PolicyV1(Call&) {
  JsonWriter w;
  w.BeginObject()
      .Field("filter_not_following", false)
      .Field("filter_not_followers", false)
      .Field("filter_new_accounts", false)
      .Field("filter_private_mentions", false);
  WritePolicySummary(w);
  w.EndObject();
  return Ok(w.Take());
}

Response PolicyV2(Call&) {
  JsonWriter w;
  w.BeginObject();
  for (const char* key : {"for_not_following", "for_not_followers", "for_new_accounts",
                          "for_private_mentions", "for_limited_accounts"}) {
    w.Field(key, "accept");
  }
  WritePolicySummary(w);
  w.EndObject();
  return Ok(w.Take());
}

Response NoRequests(Call&) { return Ok("[]"); }

Response NoRequest(Call&) { return ErrorResponse(NotFound()); }

// --- Markers.

Response GetMarkers(Call& c) {
  const std::vector<std::string> wanted = c.params.StringArray("timeline");
  JsonWriter w;
  w.BeginObject();
  for (std::string_view timeline : kTimelines) {
    if (std::find(wanted.begin(), wanted.end(), timeline) == wanted.end()) continue;
    if (auto marker = c.s.notifications.GetMarker(c.viewer, timeline)) {
      w.Key(timeline);
      WriteMarker(w, *marker);
    }
  }
  w.EndObject();
  return Ok(w.Take());
}

// home[last_read_id] and notifications[last_read_id], as nested JSON objects or form fields.
// Every given marker is validated before any is written.
Response SetMarkers(Call& c) {
  std::vector<std::pair<std::string_view, Id>> updates;
  for (std::string_view timeline : kTimelines) {
    const ParamValue* v = c.params.Find(timeline);
    if (v == nullptr || v->is_null()) continue;
    const ParamValue* last = v->is_object() ? v->Find("last_read_id") : nullptr;
    if (last == nullptr || !last->is_string() || Trim(last->str()).empty()) {
      return ErrorResponse(InvalidArgument("Validation failed: Last read can't be blank"));
    }
    auto id = ParseId(Trim(last->str()));
    if (!id) return ErrorResponse(InvalidArgument("Validation failed: Last read is invalid"));
    updates.emplace_back(timeline, *id);
  }
  JsonWriter w;
  w.BeginObject();
  for (const auto& [timeline, id] : updates) {
    auto marker = c.s.notifications.SetMarker(c.viewer, timeline, id);
    if (!marker.ok()) return ErrorResponse(marker.status());
    w.Key(timeline);
    WriteMarker(w, *marker);
  }
  w.EndObject();
  return Ok(w.Take());
}

}  // namespace

void RegisterNotificationRoutes(Api& api, Router& r) {
  using A = Access;
  const std::string read = "read:notifications";
  const std::string write = "write:notifications";
  api.Route(r, Method::kGet, "/api/v1/notifications", A::kUser, read, Index);
  api.Route(r, Method::kGet, "/api/v1/notifications/unread_count", A::kUser, read, UnreadCount);
  api.Route(r, Method::kGet, "/api/v1/notifications/policy", A::kUser, read, PolicyV1);
  api.Route(r, Method::kGet, "/api/v1/notifications/requests", A::kUser, read, NoRequests);
  api.Route(r, Method::kGet, "/api/v1/notifications/requests/:id", A::kUser, read, NoRequest);
  api.Route(r, Method::kGet, "/api/v1/notifications/:id", A::kUser, read, Show);
  api.Route(r, Method::kPost, "/api/v1/notifications/clear", A::kUser, write, Clear);
  api.Route(r, Method::kPost, "/api/v1/notifications/dismiss", A::kUser, write, DismissLegacy);
  api.Route(r, Method::kPost, "/api/v1/notifications/:id/dismiss", A::kUser, write, Dismiss);

  api.Route(r, Method::kGet, "/api/v2/notifications", A::kUser, read, IndexV2);
  api.Route(r, Method::kGet, "/api/v2/notifications/unread_count", A::kUser, read, UnreadCount);
  api.Route(r, Method::kGet, "/api/v2/notifications/policy", A::kUser, read, PolicyV2);
  api.Route(r, Method::kGet, "/api/v2/notifications/:group_key", A::kUser, read, ShowGroup);
  api.Route(r, Method::kGet, "/api/v2/notifications/:group_key/accounts", A::kUser, read,
            GroupAccounts);
  api.Route(r, Method::kPost, "/api/v2/notifications/:group_key/dismiss", A::kUser, write,
            DismissGroup);

  api.Route(r, Method::kGet, "/api/v1/markers", A::kUser, "read:statuses", GetMarkers);
  api.Route(r, Method::kPost, "/api/v1/markers", A::kUser, "write:statuses", SetMarkers);
}

}  // namespace stoa::http::api
