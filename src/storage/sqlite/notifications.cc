// SQLite: notifications and markers.
#include <algorithm>

#include "storage/sqlite/repos.h"
#include "storage/sqlite/rows.h"

namespace stoa::storage::sqlite {
namespace {

#define NOTIFICATION_COLUMNS "id, account_id, from_account_id, type, status_id, activity_id, created_at"
// ?1 account, ?2 lower, ?3 upper, ?4 limit, ?5 has-types flag, ?6 types json,
// ?7 has-exclusions flag, ?8 excluded json, ?9 from account (0 = any)
#define NOTIFICATION_FILTER                                                     \
  "WHERE account_id = ?1 AND id > ?2 AND id < ?3 "                              \
  "AND (?5 = 0 OR type IN (SELECT value FROM json_each(?6))) "                  \
  "AND (?7 = 0 OR type NOT IN (SELECT value FROM json_each(?8))) "              \
  "AND (?9 = 0 OR from_account_id = ?9) "

constexpr char kListDesc[] = "SELECT " NOTIFICATION_COLUMNS " FROM notifications "
    NOTIFICATION_FILTER "ORDER BY id DESC LIMIT ?4";
constexpr char kListAsc[] = "SELECT " NOTIFICATION_COLUMNS " FROM notifications "
    NOTIFICATION_FILTER "ORDER BY id ASC LIMIT ?4";
constexpr char kCountAfter[] =
    "SELECT count(*) FROM (SELECT 1 FROM notifications " NOTIFICATION_FILTER "LIMIT ?4)";
constexpr char kGet[] =
    "SELECT " NOTIFICATION_COLUMNS " FROM notifications WHERE id = ?2 AND account_id = ?1";
constexpr char kInsert[] =
    "INSERT INTO notifications (" NOTIFICATION_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr char kDismiss[] = "DELETE FROM notifications WHERE id = ?2 AND account_id = ?1";
constexpr char kClear[] = "DELETE FROM notifications WHERE account_id = ?1";
constexpr char kDeleteForActivity[] =
    "DELETE FROM notifications WHERE activity_id = ?2 AND type = ?1";
constexpr char kDeleteForStatus[] = "DELETE FROM notifications WHERE status_id = ?1";
constexpr char kDeleteBetween[] =
    "DELETE FROM notifications WHERE (account_id = ?1 AND from_account_id = ?2) "
    "OR (account_id = ?2 AND from_account_id = ?1)";
constexpr char kGetMarker[] =
    "SELECT timeline, last_read_id, version, updated_at FROM markers "
    "WHERE account_id = ?1 AND timeline = ?2";
constexpr char kSetMarker[] =
    "INSERT INTO markers (account_id, timeline, last_read_id, version, updated_at) "
    "VALUES (?1, ?2, ?3, 0, ?4) ON CONFLICT (account_id, timeline) DO UPDATE SET "
    "last_read_id = excluded.last_read_id, version = version + 1, updated_at = excluded.updated_at "
    "RETURNING timeline, last_read_id, version, updated_at";

std::string TypesJson(const std::vector<NotificationType>& types) {
  std::string out = "[";
  for (size_t i = 0; i < types.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.push_back('"');
    out += NotificationTypeName(types[i]);
    out.push_back('"');
  }
  out.push_back(']');
  return out;
}

void BindFilter(Statement& s, Id account_id, const NotificationFilter& f, Id lower, Id upper,
                int limit) {
  s.Bind(1, account_id)
      .Bind(2, lower)
      .Bind(3, upper)
      .Bind(4, limit)
      .Bind(5, !f.types.empty())
      .Bind(6, TypesJson(f.types))
      .Bind(7, !f.exclude_types.empty())
      .Bind(8, TypesJson(f.exclude_types))
      .Bind(9, f.from_account_id);
}

Notification ReadNotification(const Statement& s) {
  Notification n;
  n.id = s.Int(0);
  n.account_id = s.Int(1);
  n.from_account_id = s.Int(2);
  n.type = ParseNotificationType(s.Text(3)).value_or(NotificationType::kMention);
  n.status_id = s.OptionalInt(4).value_or(kNoId);
  n.activity_id = s.OptionalInt(5).value_or(kNoId);
  n.created_at = FromUnixMillis(s.Int(6));
  return n;
}

Marker ReadMarker(const Statement& s) {
  return Marker{s.String(0), s.Int(1), s.Int(2), FromUnixMillis(s.Int(3))};
}

}  // namespace

std::vector<Notification> SqliteNotifications::List(Id account_id, const NotificationFilter& f,
                                                     const PageQuery& page) const {
  StatementScope s(c_->Prepare(page.ascending() ? kListAsc : kListDesc));
  BindFilter(*s, account_id, f, page.lower(), page.upper(), page.limit);
  std::vector<Notification> out = ReadAll(*s, ReadNotification);
  if (page.ascending()) std::reverse(out.begin(), out.end());
  return out;
}

Result<Notification> SqliteNotifications::Get(Id account_id, Id id) const {
  StatementScope s(c_->Prepare(kGet));
  s->Bind(1, account_id).Bind(2, id);
  return ReadOne(*s, ReadNotification);
}

int64_t SqliteNotifications::CountAfter(Id account_id, Id after_id, const NotificationFilter& f,
                                        int limit) const {
  StatementScope s(c_->Prepare(kCountAfter));
  BindFilter(*s, account_id, f, after_id, std::numeric_limits<Id>::max(), limit);
  return CountOf(*s);
}

std::optional<Marker> SqliteNotifications::GetMarker(Id account_id,
                                                     std::string_view timeline) const {
  StatementScope s(c_->Prepare(kGetMarker));
  s->Bind(1, account_id).Bind(2, timeline);
  return ReadOptional(*s, ReadMarker);
}

Status SqliteNotifications::Insert(const Notification& n) {
  StatementScope s(c_->Prepare(kInsert));
  s->Bind(1, n.id)
      .Bind(2, n.account_id)
      .Bind(3, n.from_account_id)
      .Bind(4, NotificationTypeName(n.type))
      .Bind(5, OptionalId(n.status_id))
      .Bind(6, OptionalId(n.activity_id))
      .Bind(7, ToUnixMillis(n.created_at));
  return s->Run();
}

Result<bool> SqliteNotifications::Dismiss(Id account_id, Id id) {
  StatementScope s(c_->Prepare(kDismiss));
  s->Bind(1, account_id).Bind(2, id);
  return RunReportingChange(*c_, *s);
}

Status SqliteNotifications::Clear(Id account_id) { return RunWithId(*c_, kClear, account_id); }

Status SqliteNotifications::DeleteForActivity(NotificationType type, Id activity_id) {
  StatementScope s(c_->Prepare(kDeleteForActivity));
  s->Bind(1, NotificationTypeName(type)).Bind(2, activity_id);
  return s->Run();
}

Status SqliteNotifications::DeleteForStatus(Id status_id) {
  return RunWithId(*c_, kDeleteForStatus, status_id);
}

Status SqliteNotifications::DeleteBetween(Id a, Id b) {
  StatementScope s(c_->Prepare(kDeleteBetween));
  s->Bind(1, a).Bind(2, b);
  return s->Run();
}

Result<Marker> SqliteNotifications::SetMarker(Id account_id, std::string_view timeline,
                                              Id last_read_id, Timestamp at) {
  StatementScope s(c_->Prepare(kSetMarker));
  s->Bind(1, account_id).Bind(2, timeline).Bind(3, last_read_id).Bind(4, ToUnixMillis(at));
  ASSIGN_OR_RETURN(std::optional<Marker> m, ReadFirstAndFinish(*s, ReadMarker));
  if (!m) return Internal("marker upsert returned nothing");
  return std::move(*m);
}

}  // namespace stoa::storage::sqlite
