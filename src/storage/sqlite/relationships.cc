// SQLite: follows, follow requests, blocks, mutes, notes.
#include <algorithm>
#include <unordered_map>

#include "common/strings.h"
#include "storage/sqlite/repos.h"
#include "storage/sqlite/rows.h"

namespace stoa::storage::sqlite {
namespace {

#define FOLLOW_COLUMNS "id, account_id, target_account_id, show_reblogs, notify, languages, created_at"

constexpr char kGetFollow[] =
    "SELECT " FOLLOW_COLUMNS " FROM follows WHERE account_id = ?1 AND target_account_id = ?2";
constexpr char kGetFollowRequest[] =
    "SELECT " FOLLOW_COLUMNS " FROM follow_requests WHERE account_id = ?1 AND target_account_id = ?2";
constexpr char kIsBlocking[] =
    "SELECT 1 FROM blocks WHERE account_id = ?1 AND target_account_id = ?2";
constexpr char kGetMute[] =
    "SELECT id, account_id, target_account_id, hide_notifications, expires_at, created_at "
    "FROM mutes WHERE account_id = ?1 AND target_account_id = ?2 "
    "AND (expires_at IS NULL OR expires_at > ?3)";
constexpr char kActiveMutes[] =
    "SELECT id, account_id, target_account_id, hide_notifications, expires_at, created_at "
    "FROM mutes WHERE account_id = ?1 AND (expires_at IS NULL OR expires_at > ?2)";

constexpr char kDescribeFollowing[] =
    "SELECT target_account_id, show_reblogs, notify, languages FROM follows "
    "WHERE account_id = ?1 AND target_account_id IN (SELECT value FROM json_each(?2))";
constexpr char kDescribeFollowedBy[] =
    "SELECT account_id FROM follows WHERE target_account_id = ?1 "
    "AND account_id IN (SELECT value FROM json_each(?2))";
constexpr char kDescribeBlocking[] =
    "SELECT target_account_id FROM blocks WHERE account_id = ?1 "
    "AND target_account_id IN (SELECT value FROM json_each(?2))";
constexpr char kDescribeBlockedBy[] =
    "SELECT account_id FROM blocks WHERE target_account_id = ?1 "
    "AND account_id IN (SELECT value FROM json_each(?2))";
constexpr char kDescribeMuting[] =
    "SELECT target_account_id, hide_notifications, expires_at FROM mutes WHERE account_id = ?1 "
    "AND target_account_id IN (SELECT value FROM json_each(?2)) "
    "AND (expires_at IS NULL OR expires_at > ?3)";
constexpr char kDescribeRequested[] =
    "SELECT target_account_id FROM follow_requests WHERE account_id = ?1 "
    "AND target_account_id IN (SELECT value FROM json_each(?2))";
constexpr char kDescribeRequestedBy[] =
    "SELECT account_id FROM follow_requests WHERE target_account_id = ?1 "
    "AND account_id IN (SELECT value FROM json_each(?2))";
constexpr char kDescribeNotes[] =
    "SELECT target_account_id, comment FROM account_notes WHERE account_id = ?1 "
    "AND target_account_id IN (SELECT value FROM json_each(?2))";

constexpr char kFollowersDesc[] =
    "SELECT id, account_id FROM follows WHERE target_account_id = ?1 AND id > ?2 AND id < ?3 "
    "ORDER BY id DESC LIMIT ?4";
constexpr char kFollowersAsc[] =
    "SELECT id, account_id FROM follows WHERE target_account_id = ?1 AND id > ?2 AND id < ?3 "
    "ORDER BY id ASC LIMIT ?4";
constexpr char kFollowingDesc[] =
    "SELECT id, target_account_id FROM follows WHERE account_id = ?1 AND id > ?2 AND id < ?3 "
    "ORDER BY id DESC LIMIT ?4";
constexpr char kFollowingAsc[] =
    "SELECT id, target_account_id FROM follows WHERE account_id = ?1 AND id > ?2 AND id < ?3 "
    "ORDER BY id ASC LIMIT ?4";
constexpr char kRequestsDesc[] =
    "SELECT id, account_id FROM follow_requests WHERE target_account_id = ?1 AND id > ?2 "
    "AND id < ?3 ORDER BY id DESC LIMIT ?4";
constexpr char kRequestsAsc[] =
    "SELECT id, account_id FROM follow_requests WHERE target_account_id = ?1 AND id > ?2 "
    "AND id < ?3 ORDER BY id ASC LIMIT ?4";
constexpr char kBlocksDesc[] =
    "SELECT id, target_account_id FROM blocks WHERE account_id = ?1 AND id > ?2 AND id < ?3 "
    "ORDER BY id DESC LIMIT ?4";
constexpr char kBlocksAsc[] =
    "SELECT id, target_account_id FROM blocks WHERE account_id = ?1 AND id > ?2 AND id < ?3 "
    "ORDER BY id ASC LIMIT ?4";
constexpr char kMutesDesc[] =
    "SELECT id, target_account_id, expires_at FROM mutes WHERE account_id = ?1 AND id > ?2 "
    "AND id < ?3 AND (expires_at IS NULL OR expires_at > ?5) ORDER BY id DESC LIMIT ?4";
constexpr char kMutesAsc[] =
    "SELECT id, target_account_id, expires_at FROM mutes WHERE account_id = ?1 AND id > ?2 "
    "AND id < ?3 AND (expires_at IS NULL OR expires_at > ?5) ORDER BY id ASC LIMIT ?4";

constexpr char kFollowerIds[] = "SELECT account_id FROM follows WHERE target_account_id = ?1";
constexpr char kNotifyingFollowerIds[] =
    "SELECT account_id FROM follows WHERE target_account_id = ?1 AND notify = 1";
constexpr char kFollowing[] = "SELECT " FOLLOW_COLUMNS " FROM follows WHERE account_id = ?1";
constexpr char kBlockingIds[] = "SELECT target_account_id FROM blocks WHERE account_id = ?1";
constexpr char kBlockedByIds[] = "SELECT account_id FROM blocks WHERE target_account_id = ?1";
constexpr char kCountRequests[] =
    "SELECT count(*) FROM follow_requests WHERE target_account_id = ?1";

constexpr char kInsertFollow[] =
    "INSERT INTO follows (" FOLLOW_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr char kUpdateFollow[] =
    "UPDATE follows SET show_reblogs = ?3, notify = ?4, languages = ?5 "
    "WHERE account_id = ?1 AND target_account_id = ?2";
constexpr char kDeleteFollow[] =
    "DELETE FROM follows WHERE account_id = ?1 AND target_account_id = ?2 RETURNING " FOLLOW_COLUMNS;
constexpr char kInsertRequest[] =
    "INSERT INTO follow_requests (" FOLLOW_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr char kDeleteRequest[] =
    "DELETE FROM follow_requests WHERE account_id = ?1 AND target_account_id = ?2 "
    "RETURNING " FOLLOW_COLUMNS;
constexpr char kInsertBlock[] =
    "INSERT INTO blocks (id, account_id, target_account_id, created_at) VALUES (?1, ?2, ?3, ?4)";
constexpr char kDeleteBlock[] =
    "DELETE FROM blocks WHERE account_id = ?1 AND target_account_id = ?2";
constexpr char kUpsertMute[] =
    "INSERT INTO mutes (id, account_id, target_account_id, hide_notifications, expires_at, "
    "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (account_id, target_account_id) "
    "DO UPDATE SET hide_notifications = excluded.hide_notifications, "
    "expires_at = excluded.expires_at";
constexpr char kDeleteMute[] =
    "DELETE FROM mutes WHERE account_id = ?1 AND target_account_id = ?2";
constexpr char kUpsertNote[] =
    "INSERT INTO account_notes (account_id, target_account_id, comment) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (account_id, target_account_id) DO UPDATE SET comment = excluded.comment";
constexpr char kDeleteNote[] =
    "DELETE FROM account_notes WHERE account_id = ?1 AND target_account_id = ?2";

std::vector<std::string> DecodeLanguages(std::string_view text) {
  std::vector<std::string> out;
  for (auto part : Split(text, ',')) {
    if (!part.empty()) out.emplace_back(part);
  }
  return out;
}

std::string EncodeLanguages(const std::vector<std::string>& languages) {
  std::string out;
  for (const auto& l : languages) {
    if (!out.empty()) out.push_back(',');
    out += l;
  }
  return out;
}

Follow ReadFollow(const Statement& s) {
  Follow f;
  f.id = s.Int(0);
  f.account_id = s.Int(1);
  f.target_account_id = s.Int(2);
  f.show_reblogs = s.Int(3) != 0;
  f.notify = s.Int(4) != 0;
  f.languages = DecodeLanguages(s.Text(5));
  f.created_at = FromUnixMillis(s.Int(6));
  return f;
}

Mute ReadMute(const Statement& s) {
  Mute m;
  m.id = s.Int(0);
  m.account_id = s.Int(1);
  m.target_account_id = s.Int(2);
  m.hide_notifications = s.Int(3) != 0;
  if (!s.IsNull(4)) m.expires_at = FromUnixMillis(s.Int(4));
  m.created_at = FromUnixMillis(s.Int(5));
  return m;
}

std::optional<Follow> OneFollow(Connection* c, const char* sql, Id a, Id b) {
  StatementScope s(c->Prepare(sql));
  s->Bind(1, a).Bind(2, b);
  return ReadOptional(*s, ReadFollow);
}

std::vector<Id> IdColumn(Connection* c, const char* sql, Id key) {
  StatementScope s(c->Prepare(sql));
  s->Bind(1, key);
  return ReadIds(*s);
}

std::vector<AccountEntry> Paged(Connection* c, const char* desc, const char* asc, Id key,
                                const PageQuery& page, std::optional<Timestamp> now = {}) {
  StatementScope s(c->Prepare(page.ascending() ? asc : desc));
  s->Bind(1, key).Bind(2, page.lower()).Bind(3, page.upper()).Bind(4, page.limit);
  if (now) s->Bind(5, ToUnixMillis(*now));
  std::vector<AccountEntry> out = ReadAll(*s, [&now](const Statement& row) {
    AccountEntry e{row.Int(0), row.Int(1), std::nullopt};
    if (now && !row.IsNull(2)) e.expires_at = FromUnixMillis(row.Int(2));
    return e;
  });
  if (page.ascending()) std::reverse(out.begin(), out.end());
  return out;
}

Result<std::optional<Follow>> DeleteReturning(Connection* c, const char* sql, Id a, Id b) {
  StatementScope s(c->Prepare(sql));
  s->Bind(1, a).Bind(2, b);
  return ReadFirstAndFinish(*s, ReadFollow);
}

Status InsertFollowRow(Connection* c, const char* sql, const Follow& f) {
  StatementScope s(c->Prepare(sql));
  s->Bind(1, f.id)
      .Bind(2, f.account_id)
      .Bind(3, f.target_account_id)
      .Bind(4, f.show_reblogs)
      .Bind(5, f.notify)
      .Bind(6, EncodeLanguages(f.languages))
      .Bind(7, ToUnixMillis(f.created_at));
  return s->Run();
}

}  // namespace

std::optional<Follow> SqliteRelationships::GetFollow(Id a, Id b) const {
  return OneFollow(c_, kGetFollow, a, b);
}

std::optional<Follow> SqliteRelationships::GetFollowRequest(Id a, Id b) const {
  return OneFollow(c_, kGetFollowRequest, a, b);
}

bool SqliteRelationships::IsBlocking(Id a, Id b) const {
  StatementScope s(c_->Prepare(kIsBlocking));
  s->Bind(1, a).Bind(2, b);
  auto row = s->Step();
  return row.ok() && *row;
}

std::optional<Mute> SqliteRelationships::GetMute(Id a, Id b, Timestamp now) const {
  StatementScope s(c_->Prepare(kGetMute));
  s->Bind(1, a).Bind(2, b).Bind(3, ToUnixMillis(now));
  return ReadOptional(*s, ReadMute);
}

std::vector<Relationship> SqliteRelationships::Describe(Id viewer, std::span<const Id> targets,
                                                        Timestamp now) const {
  std::vector<Relationship> out;
  std::unordered_map<Id, size_t> index;
  for (Id t : targets) {
    if (index.count(t) != 0) continue;
    index[t] = out.size();
    Relationship r;
    r.account_id = viewer;
    r.target_account_id = t;
    out.push_back(std::move(r));
  }
  if (out.empty()) return out;
  const std::string ids = IdListJson(targets);
  auto each = [&](const char* sql, auto&& apply, bool with_now = false) {
    StatementScope s(c_->Prepare(sql));
    s->Bind(1, viewer).Bind(2, ids);
    if (with_now) s->Bind(3, ToUnixMillis(now));
    while (true) {
      auto row = s->Step();
      if (!row.ok() || !*row) break;
      auto it = index.find(s->Int(0));
      if (it != index.end()) apply(out[it->second], *s);
    }
  };
  each(kDescribeFollowing, [](Relationship& r, Statement& s) {
    r.following = true;
    r.showing_reblogs = s.Int(1) != 0;
    r.notifying = s.Int(2) != 0;
    r.languages = DecodeLanguages(s.Text(3));
  });
  each(kDescribeFollowedBy, [](Relationship& r, Statement&) { r.followed_by = true; });
  each(kDescribeBlocking, [](Relationship& r, Statement&) { r.blocking = true; });
  each(kDescribeBlockedBy, [](Relationship& r, Statement&) { r.blocked_by = true; });
  each(
      kDescribeMuting,
      [](Relationship& r, Statement& s) {
        r.muting = true;
        r.muting_notifications = s.Int(1) != 0;
        if (!s.IsNull(2)) r.muting_expires_at = FromUnixMillis(s.Int(2));
      },
      true);
  each(kDescribeRequested, [](Relationship& r, Statement&) { r.requested = true; });
  each(kDescribeRequestedBy, [](Relationship& r, Statement&) { r.requested_by = true; });
  each(kDescribeNotes, [](Relationship& r, Statement& s) { r.note = s.String(1); });
  return out;
}

std::vector<AccountEntry> SqliteRelationships::ListFollowers(Id target, const PageQuery& p) const {
  return Paged(c_, kFollowersDesc, kFollowersAsc, target, p);
}
std::vector<AccountEntry> SqliteRelationships::ListFollowing(Id account, const PageQuery& p) const {
  return Paged(c_, kFollowingDesc, kFollowingAsc, account, p);
}
std::vector<AccountEntry> SqliteRelationships::ListFollowRequests(Id target,
                                                                  const PageQuery& p) const {
  return Paged(c_, kRequestsDesc, kRequestsAsc, target, p);
}
std::vector<AccountEntry> SqliteRelationships::ListBlocks(Id account, const PageQuery& p) const {
  return Paged(c_, kBlocksDesc, kBlocksAsc, account, p);
}
std::vector<AccountEntry> SqliteRelationships::ListMutes(Id account, const PageQuery& p,
                                                         Timestamp now) const {
  return Paged(c_, kMutesDesc, kMutesAsc, account, p, now);
}

std::vector<Id> SqliteRelationships::FollowerIds(Id target) const {
  return IdColumn(c_, kFollowerIds, target);
}

std::vector<Id> SqliteRelationships::NotifyingFollowerIds(Id target) const {
  return IdColumn(c_, kNotifyingFollowerIds, target);
}

std::vector<Follow> SqliteRelationships::Following(Id account) const {
  return ReadAllByKey(*c_, kFollowing, account, ReadFollow);
}

std::vector<Id> SqliteRelationships::BlockingIds(Id account) const {
  return IdColumn(c_, kBlockingIds, account);
}
std::vector<Id> SqliteRelationships::BlockedByIds(Id account) const {
  return IdColumn(c_, kBlockedByIds, account);
}

std::vector<Mute> SqliteRelationships::ActiveMutes(Id account, Timestamp now) const {
  StatementScope s(c_->Prepare(kActiveMutes));
  s->Bind(1, account).Bind(2, ToUnixMillis(now));
  return ReadAll(*s, ReadMute);
}

int64_t SqliteRelationships::CountFollowRequests(Id target) const {
  StatementScope s(c_->Prepare(kCountRequests));
  s->Bind(1, target);
  return CountOf(*s);
}

Status SqliteRelationships::InsertFollow(const Follow& f) {
  return InsertFollowRow(c_, kInsertFollow, f);
}

Status SqliteRelationships::UpdateFollowOptions(const Follow& f) {
  StatementScope s(c_->Prepare(kUpdateFollow));
  s->Bind(1, f.account_id)
      .Bind(2, f.target_account_id)
      .Bind(3, f.show_reblogs)
      .Bind(4, f.notify)
      .Bind(5, EncodeLanguages(f.languages));
  return s->Run();
}

Result<std::optional<Follow>> SqliteRelationships::DeleteFollow(Id a, Id b) {
  return DeleteReturning(c_, kDeleteFollow, a, b);
}

Status SqliteRelationships::InsertFollowRequest(const Follow& f) {
  return InsertFollowRow(c_, kInsertRequest, f);
}

Result<std::optional<Follow>> SqliteRelationships::DeleteFollowRequest(Id a, Id b) {
  return DeleteReturning(c_, kDeleteRequest, a, b);
}

Status SqliteRelationships::InsertBlock(Id record_id, Id a, Id b, Timestamp at) {
  StatementScope s(c_->Prepare(kInsertBlock));
  s->Bind(1, record_id).Bind(2, a).Bind(3, b).Bind(4, ToUnixMillis(at));
  return s->Run();
}

Result<bool> SqliteRelationships::DeleteBlock(Id a, Id b) {
  StatementScope s(c_->Prepare(kDeleteBlock));
  s->Bind(1, a).Bind(2, b);
  return RunReportingChange(*c_, *s);
}

Status SqliteRelationships::UpsertMute(const Mute& m) {
  StatementScope s(c_->Prepare(kUpsertMute));
  s->Bind(1, m.id)
      .Bind(2, m.account_id)
      .Bind(3, m.target_account_id)
      .Bind(4, m.hide_notifications);
  if (m.expires_at) {
    s->Bind(5, ToUnixMillis(*m.expires_at));
  } else {
    s->BindNull(5);
  }
  s->Bind(6, ToUnixMillis(m.created_at));
  return s->Run();
}

Result<bool> SqliteRelationships::DeleteMute(Id a, Id b) {
  StatementScope s(c_->Prepare(kDeleteMute));
  s->Bind(1, a).Bind(2, b);
  return RunReportingChange(*c_, *s);
}

Status SqliteRelationships::SetNote(Id a, Id b, std::string_view comment) {
  if (comment.empty()) {
    StatementScope s(c_->Prepare(kDeleteNote));
    s->Bind(1, a).Bind(2, b);
    return s->Run();
  }
  StatementScope s(c_->Prepare(kUpsertNote));
  s->Bind(1, a).Bind(2, b).Bind(3, comment);
  return s->Run();
}

}  // namespace stoa::storage::sqlite
