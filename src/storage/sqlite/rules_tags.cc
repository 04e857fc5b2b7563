// SQLite: instance rules and hashtags.
#include "storage/sqlite/repos.h"

namespace stoa::storage::sqlite {
namespace {

constexpr char kListRules[] =
    "SELECT id, text, hint, position, created_at FROM instance_rules WHERE deleted_at IS NULL "
    "ORDER BY position, id";
constexpr char kGetRule[] =
    "SELECT id, text, hint, position, created_at FROM instance_rules WHERE id = ?1 "
    "AND deleted_at IS NULL";
constexpr char kInsertRule[] =
    "INSERT INTO instance_rules (id, text, hint, position, created_at) VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr char kUpdateRule[] =
    "UPDATE instance_rules SET text = ?2, hint = ?3, position = ?4 WHERE id = ?1 "
    "AND deleted_at IS NULL";
constexpr char kDeleteRule[] =
    "UPDATE instance_rules SET deleted_at = ?2 WHERE id = ?1 AND deleted_at IS NULL";

constexpr char kFindTag[] = "SELECT id, name, display_name, created_at FROM tags WHERE name = ?1";
constexpr char kSearchTags[] =
    "SELECT t.id, t.name, t.display_name, t.created_at FROM tags t "
    "WHERE t.name >= ?1 AND t.name < ?1 || x'f4' "
    "ORDER BY (SELECT count(*) FROM status_tags st WHERE st.tag_id = t.id) DESC, t.name "
    "LIMIT ?2 OFFSET ?3";
constexpr char kTagUsage[] =
    "SELECT count(*), count(DISTINCT account_id) FROM status_tags WHERE tag_id = ?1 "
    "AND status_id >= ?2 AND status_id < ?3";

InstanceRule ReadRule(const Statement& s) {
  return InstanceRule{s.Int(0), s.String(1), s.String(2), static_cast<int>(s.Int(3)),
                      FromUnixMillis(s.Int(4))};
}

Tag ReadTag(const Statement& s) {
  return Tag{s.Int(0), s.String(1), s.String(2), FromUnixMillis(s.Int(3))};
}

}  // namespace

std::vector<InstanceRule> SqliteInstanceRules::List() const {
  StatementScope s(c_->Prepare(kListRules));
  std::vector<InstanceRule> out;
  while (true) {
    auto row = s->Step();
    if (!row.ok() || !*row) break;
    out.push_back(ReadRule(*s));
  }
  return out;
}

Result<InstanceRule> SqliteInstanceRules::Get(Id id) const {
  StatementScope s(c_->Prepare(kGetRule));
  s->Bind(1, id);
  ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return NotFound();
  return ReadRule(*s);
}

Status SqliteInstanceRules::Insert(const InstanceRule& r) {
  StatementScope s(c_->Prepare(kInsertRule));
  s->Bind(1, r.id).Bind(2, r.text).Bind(3, r.hint).Bind(4, r.position).Bind(5,
                                                                           ToUnixMillis(r.created_at));
  return s->Run();
}

Status SqliteInstanceRules::Update(const InstanceRule& r) {
  StatementScope s(c_->Prepare(kUpdateRule));
  s->Bind(1, r.id).Bind(2, r.text).Bind(3, r.hint).Bind(4, r.position);
  RETURN_IF_ERROR(s->Run());
  return c_->Changes() == 0 ? NotFound() : Status::Ok();
}

Status SqliteInstanceRules::Delete(Id id, Timestamp at) {
  StatementScope s(c_->Prepare(kDeleteRule));
  s->Bind(1, id).Bind(2, ToUnixMillis(at));
  RETURN_IF_ERROR(s->Run());
  return c_->Changes() == 0 ? NotFound() : Status::Ok();
}

Result<Tag> SqliteTags::FindByName(std::string_view name) const {
  StatementScope s(c_->Prepare(kFindTag));
  s->Bind(1, name);
  ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return NotFound();
  return ReadTag(*s);
}

std::vector<Tag> SqliteTags::Search(std::string_view prefix, int limit, int offset) const {
  StatementScope s(c_->Prepare(kSearchTags));
  s->Bind(1, prefix).Bind(2, limit).Bind(3, offset);
  std::vector<Tag> out;
  while (true) {
    auto row = s->Step();
    if (!row.ok() || !*row) break;
    out.push_back(ReadTag(*s));
  }
  return out;
}

TagUsage SqliteTags::Usage(Id tag_id, Timestamp from, Timestamp to) const {
  StatementScope s(c_->Prepare(kTagUsage));
  s->Bind(1, tag_id).Bind(2, IdAtTime(from)).Bind(3, IdAtTime(to));
  auto row = s->Step();
  if (!row.ok() || !*row) return {};
  return TagUsage{s->Int(0), s->Int(1)};
}

}  // namespace stoa::storage::sqlite
