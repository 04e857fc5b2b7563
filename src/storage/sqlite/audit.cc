// SQLite: the append-only audit log (migration 0007; its triggers refuse updates, deletes and
// inserts that do not extend the head of the chain).
#include <algorithm>

#include "storage/sqlite/repos.h"
#include "storage/sqlite/rows.h"

namespace stoa::storage::sqlite {
namespace {

#define AUDIT_COLUMNS                                                                           \
  "seq, id, created_at, actor_id, action, target_type, target_id, ground, reasons, details_json, " \
  "prev_hash, hash"

constexpr char kHead[] = "SELECT " AUDIT_COLUMNS
    " FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)";
constexpr char kGet[] = "SELECT " AUDIT_COLUMNS " FROM audit_log WHERE id = ?1";
constexpr char kListBySeq[] =
    "SELECT " AUDIT_COLUMNS " FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2";
constexpr char kAppend[] = "INSERT INTO audit_log (" AUDIT_COLUMNS
                           ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

// Listing: ?1 lower id (exclusive), ?2 upper id (exclusive), ?3 limit, ?4 action ('' = any),
// ?5 actor (NULL = any), ?6 target type ('' = any), ?7 target id ('' = any). One statement per
// leading filter, each walking the index of its equality in id order.
#define AUDIT_REST                                                                  \
  "id > ?1 AND id < ?2 AND (?4 = '' OR action = ?4) AND (?5 IS NULL OR actor_id = ?5) " \
  "AND (?6 = '' OR target_type = ?6) AND (?7 = '' OR target_id = ?7) "

#define AUDIT_LIST(index, lead, order)                                             \
  "SELECT " AUDIT_COLUMNS " FROM audit_log INDEXED BY " index " WHERE " lead AUDIT_REST \
  "ORDER BY id " order " LIMIT ?3"

constexpr char kListAllDesc[] = AUDIT_LIST("audit_log_id", "", "DESC");
constexpr char kListAllAsc[] = AUDIT_LIST("audit_log_id", "", "ASC");
constexpr char kListActionDesc[] = AUDIT_LIST("audit_log_action", "action = ?4 AND ", "DESC");
constexpr char kListActionAsc[] = AUDIT_LIST("audit_log_action", "action = ?4 AND ", "ASC");
constexpr char kListActorDesc[] = AUDIT_LIST("audit_log_actor", "actor_id = ?5 AND ", "DESC");
constexpr char kListActorAsc[] = AUDIT_LIST("audit_log_actor", "actor_id = ?5 AND ", "ASC");
constexpr char kListTargetDesc[] =
    AUDIT_LIST("audit_log_target", "target_type = ?6 AND target_id = ?7 AND ", "DESC");
constexpr char kListTargetAsc[] =
    AUDIT_LIST("audit_log_target", "target_type = ?6 AND target_id = ?7 AND ", "ASC");
// A target type alone: the entries of that type, whichever target (e.g. every role change).
constexpr char kListTargetTypeDesc[] =
    AUDIT_LIST("audit_log_target", "target_type = ?6 AND ", "DESC");
constexpr char kListTargetTypeAsc[] =
    AUDIT_LIST("audit_log_target", "target_type = ?6 AND ", "ASC");

AuditEntry ReadEntry(const Statement& s) {
  AuditEntry e;
  e.seq = s.Int(0);
  e.id = s.Int(1);
  e.created_at = FromUnixMillis(s.Int(2));
  e.actor_id = s.Int(3);
  e.action = s.String(4);
  e.target_type = s.String(5);
  e.target_id = s.String(6);
  e.ground = s.String(7);
  e.reasons = s.String(8);
  e.details_json = s.String(9);
  e.prev_hash = s.String(10);
  e.hash = s.String(11);
  return e;
}

const char* ListStatement(const AuditFilter& f, bool ascending) {
  if (!f.target_type.empty() && !f.target_id.empty()) {
    return ascending ? kListTargetAsc : kListTargetDesc;
  }
  if (f.actor_id.has_value()) return ascending ? kListActorAsc : kListActorDesc;
  if (!f.action.empty()) return ascending ? kListActionAsc : kListActionDesc;
  if (!f.target_type.empty()) return ascending ? kListTargetTypeAsc : kListTargetTypeDesc;
  return ascending ? kListAllAsc : kListAllDesc;
}

}  // namespace

std::optional<AuditEntry> SqliteAuditStore::Head() const {
  StatementScope s(c_->Prepare(kHead));
  return ReadOptional(*s, ReadEntry);
}

std::vector<AuditEntry> SqliteAuditStore::List(const AuditFilter& f, const PageQuery& page) const {
  StatementScope s(c_->Prepare(ListStatement(f, page.ascending())));
  s->Bind(1, page.lower()).Bind(2, page.upper()).Bind(3, page.limit).Bind(4, f.action);
  s->Bind(5, f.actor_id).Bind(6, f.target_type).Bind(7, f.target_id);
  std::vector<AuditEntry> out = ReadAll(*s, ReadEntry);
  if (page.ascending()) std::reverse(out.begin(), out.end());
  return out;
}

std::vector<AuditEntry> SqliteAuditStore::ListBySeq(int64_t after_seq, int limit) const {
  StatementScope s(c_->Prepare(kListBySeq));
  s->Bind(1, after_seq).Bind(2, limit);
  return ReadAll(*s, ReadEntry);
}

Result<AuditEntry> SqliteAuditStore::Get(Id id) const {
  return ReadOneByKey(*c_, kGet, id, ReadEntry);
}

Status SqliteAuditStore::Append(const AuditEntry& e) {
  StatementScope s(c_->Prepare(kAppend));
  s->Bind(1, e.seq)
      .Bind(2, e.id)
      .Bind(3, ToUnixMillis(e.created_at))
      .Bind(4, e.actor_id)
      .Bind(5, e.action)
      .Bind(6, e.target_type)
      .Bind(7, e.target_id)
      .Bind(8, e.ground)
      .Bind(9, e.reasons)
      .Bind(10, e.details_json)
      .Bind(11, e.prev_hash)
      .Bind(12, e.hash);
  Status st = s->Run();
  // The chain trigger aborts with SQLITE_CONSTRAINT_TRIGGER (kInvalidArgument); a duplicate seq
  // or id is the same mistake: the entry does not extend the head.
  if (st.code() == StatusCode::kAlreadyExists) return InvalidArgument(st.message());
  return st;
}

}  // namespace stoa::storage::sqlite
