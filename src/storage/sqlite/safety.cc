// SQLite: notices and their items, cases and the moderators' queue, case notes, priority notifiers
// and the outbox.
#include <algorithm>

#include "storage/sqlite/repos.h"
#include "storage/sqlite/rows.h"

namespace stoa::storage::sqlite {
namespace {

// ---- cases ----

#define CASE_COLUMNS                                                                          \
  "id, kind, state, target_type, target_id, account_id, category, urgency, score, "           \
  "deadline_at, assigned_to, lease_until, version, notices_count, distinct_notifiers, "       \
  "priority_notices, sources, threat_to_life, appeal_of, excluded_moderator_id, created_at, " \
  "updated_at, closed_at, notifier_weight"
// The queue order; every list of cases follows it.
#define QUEUE_ORDER " ORDER BY deadline_at, score DESC, id "

constexpr char kGetCase[] = "SELECT " CASE_COLUMNS " FROM cases WHERE id = ?1";
// A case's statuses (migration 0015).
constexpr char kAddCaseStatus[] =
    "INSERT OR IGNORE INTO case_statuses (case_id, status_id, account_id, simhash, shingles, "
    "added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
#define CASE_STATUS_COLUMNS "m.case_id, m.status_id, m.account_id, m.simhash, m.shingles, m.added_at"
constexpr char kListCaseStatuses[] = "SELECT " CASE_STATUS_COLUMNS
                                     " FROM case_statuses m WHERE m.case_id = ?1 "
                                     "ORDER BY m.status_id != (SELECT target_id FROM cases "
                                     "WHERE id = ?1), m.added_at, m.status_id LIMIT ?2";
constexpr char kRemoveCaseStatus[] =
    "DELETE FROM case_statuses WHERE case_id = ?1 AND status_id = ?2";
constexpr char kExcludeCaseStatus[] =
    "INSERT OR IGNORE INTO case_status_exclusions (case_id, status_id) VALUES (?1, ?2)";
constexpr char kIsExcluded[] =
    "SELECT 1 FROM case_status_exclusions WHERE case_id = ?1 AND status_id = ?2";
constexpr char kListOpenCaseExclusions[] =
    "SELECT x.case_id, x.status_id FROM cases c JOIN case_status_exclusions x ON x.case_id = c.id "
    "WHERE c.state = 0 AND c.kind = 0 ORDER BY x.case_id, x.status_id";
// The status's few cases by primary key, then their state: "+state" and "+kind" keep the planner
// from walking every open case through cases_open_created (state = 0) and testing each against
// the list, which it chose on a database of 17,000 open cases (safety bench: 3x slower notices).
constexpr char kFindOpenWithStatus[] =
    "SELECT " CASE_COLUMNS
    " FROM cases WHERE id IN (SELECT case_id FROM case_statuses WHERE status_id = ?1) "
    "AND +state = 0 AND +kind = 0 ORDER BY id LIMIT 1";
constexpr char kListOpenCaseStatuses[] =
    "SELECT " CASE_STATUS_COLUMNS
    " FROM cases c JOIN case_statuses m ON m.case_id = c.id "
    "WHERE c.state = 0 AND c.kind = 0 AND m.simhash IS NOT NULL ORDER BY m.added_at, m.status_id";
constexpr char kFindOpenForTarget[] = "SELECT " CASE_COLUMNS
                                      " FROM cases WHERE target_type = ?1 AND target_id = ?2 "
                                      "AND state = 0 AND kind = 0";
// ?1 state, ?2 category ('' any), ?3 source bit (0 any), ?4 assignee (0 any), ?5 now,
// ?6 deadline before (0 none), ?7 kind (-1 any), ?8 after deadline, ?9 after score, ?10 after id
// (0: from the start), ?11 limit, ?12 account (0 any), ?13 with notices only (0 any).
constexpr char kListCases[] =
    "SELECT " CASE_COLUMNS
    " FROM cases WHERE state = ?1 "
    "AND (?2 = '' OR category = ?2) "
    "AND (?12 = 0 OR account_id = ?12) "
    "AND (?3 = 0 OR (sources & ?3) != 0) "
    "AND (?4 = 0 OR (assigned_to = ?4 AND lease_until > ?5)) "
    "AND (?6 = 0 OR deadline_at < ?6) "
    "AND (?7 < 0 OR kind = ?7) "
    "AND (?13 = 0 OR notices_count > 0) "
    "AND (?10 = 0 OR deadline_at > ?8 OR (deadline_at = ?8 AND (score < ?9 OR "
    "(score = ?9 AND id > ?10)))) " QUEUE_ORDER "LIMIT ?11";
constexpr char kListForAccount[] =
    "SELECT " CASE_COLUMNS " FROM cases WHERE account_id = ?1 ORDER BY id DESC LIMIT ?2";
// The open-case counters (migration 0009), kept here as cases open, close, reopen or change
// category: per category, and per UTC day of creation (created_at / 86400000).
constexpr char kCountOpen[] = "SELECT coalesce(sum(open), 0) FROM case_open_counts";
constexpr char kAddOpenCategory[] =
    "INSERT INTO case_open_counts (category, open) VALUES (?1, ?2) "
    "ON CONFLICT (category) DO UPDATE SET open = open + excluded.open";
constexpr char kAddOpenDay[] =
    "INSERT INTO case_open_days (day, open) VALUES (?1, ?2) "
    "ON CONFLICT (day) DO UPDATE SET open = open + excluded.open";
// What the counters depend on, before a change.
constexpr char kCountedFields[] = "SELECT state, category, created_at FROM cases WHERE id = ?1";
constexpr int64_t kDayMillis = 24 * 3600 * 1000;
constexpr char kInsertCase[] = "INSERT INTO cases (" CASE_COLUMNS
                               ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                               "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)";
constexpr char kUpdateCase[] =
    "UPDATE cases SET kind = ?2, state = ?3, target_type = ?4, target_id = ?5, account_id = ?6, "
    "category = ?7, urgency = ?8, score = ?9, deadline_at = ?10, assigned_to = ?11, "
    "lease_until = ?12, version = ?13 + 1, notices_count = ?14, distinct_notifiers = ?15, "
    "priority_notices = ?16, sources = ?17, threat_to_life = ?18, appeal_of = ?19, "
    "excluded_moderator_id = ?20, created_at = ?21, updated_at = ?22, closed_at = ?23, "
    "notifier_weight = ?24 WHERE id = ?1 AND version = ?13";
// Only the columns a notice changes: SQLite then leaves alone every index whose columns (and
// partial-index conditions) are not assigned (cases_open_target, cases_leases, cases_account).
constexpr char kUpdateTriage[] =
    "UPDATE cases SET category = ?2, urgency = ?3, score = ?4, deadline_at = ?5, "
    "notices_count = ?6, distinct_notifiers = ?7, priority_notices = ?8, sources = ?9, "
    "threat_to_life = ?10, updated_at = ?11, notifier_weight = ?13, version = ?12 + 1 "
    "WHERE id = ?1 AND version = ?12";
constexpr char kCaseExists[] = "SELECT 1 FROM cases WHERE id = ?1";
constexpr char kAddNotifier[] =
    "INSERT OR IGNORE INTO case_notifiers (case_id, notifier_key) VALUES (?1, ?2)";
// ?1 case, ?2 the joining member's account id, ?3 its notifier key, ?4 at most this many others.
// The other members come from the case's "account:<id>" keys (a range of the primary key); a link
// is a follow either way (follows_pair).
constexpr char kMemberNotifierLinks[] =
    "SELECT count(*), coalesce(sum(EXISTS (SELECT 1 FROM follows WHERE account_id = ?2 AND "
    "target_account_id = m.id) OR EXISTS (SELECT 1 FROM follows WHERE account_id = m.id AND "
    "target_account_id = ?2)), 0) FROM (SELECT CAST(substr(notifier_key, 9) AS INTEGER) AS id "
    "FROM case_notifiers WHERE case_id = ?1 AND notifier_key > 'account:' AND "
    "notifier_key < 'account;' AND notifier_key != ?3 LIMIT ?4) AS m";
// INDEXED BY: without it the planner may walk every open case through cases_queue (state = 0).
constexpr char kExpireLeases[] =
    "UPDATE cases INDEXED BY cases_leases SET assigned_to = NULL, lease_until = NULL, version = "
    "version + 1, "
    "updated_at = ?1 WHERE state = 0 AND assigned_to IS NOT NULL AND lease_until <= ?1";
// The first claimable case in queue order that the moderator is not excluded from. Appeal cases
// excluding the caller are the only rows skipped, so this reads O(log n + skipped) rows.
constexpr char kHead[] =
    "SELECT id FROM cases INDEXED BY cases_claimable WHERE state = 0 AND assigned_to IS NULL "
    "AND (excluded_moderator_id IS NULL OR excluded_moderator_id != ?1)" QUEUE_ORDER "LIMIT 1";
// The claim itself: conditional, so a case someone else holds can never be taken.
constexpr char kClaim[] =
    "UPDATE cases SET assigned_to = ?2, lease_until = ?3, version = version + 1, updated_at = ?4 "
    "WHERE id = ?1 AND state = 0 AND assigned_to IS NULL "
    "AND (excluded_moderator_id IS NULL OR excluded_moderator_id != ?2) "
    "RETURNING " CASE_COLUMNS;

constexpr char kListNotes[] =
    "SELECT id, case_id, author_id, text, created_at FROM case_notes WHERE case_id = ?1 "
    "ORDER BY id";
constexpr char kInsertNote[] =
    "INSERT INTO case_notes (id, case_id, author_id, text, created_at) VALUES (?1, ?2, ?3, ?4, ?5)";

// ---- notices ----

#define NOTICE_COLUMNS                                                                         \
  "id, reference, secret_hash, source, reporter_account_id, notifier_id, notifier_key, name, " \
  "email, explanation, category, report_category, legal_provision, rule_ids_json, forward, "   \
  "good_faith, threat_to_life, score, details_json, target_account_id, received_at"
#define ITEM_COLUMNS                                                                      \
  "id, notice_id, target_type, target_id, location, case_id, snapshot_author_id, "        \
  "snapshot_text, snapshot_spoiler_text, snapshot_visibility, snapshot_content_created, " \
  "snapshot_taken_at, snapshot_sha256, decision_id, outcome, decided_at"

constexpr char kGetNotice[] = "SELECT " NOTICE_COLUMNS " FROM notices WHERE id = ?1";
constexpr char kFindNoticeByReference[] =
    "SELECT " NOTICE_COLUMNS " FROM notices WHERE reference = ?1";
constexpr char kItemsOfNotice[] =
    "SELECT " ITEM_COLUMNS " FROM notice_items WHERE notice_id = ?1 ORDER BY id";
constexpr char kItemsOfCase[] =
    "SELECT " ITEM_COLUMNS " FROM notice_items WHERE case_id = ?1 ORDER BY id LIMIT ?2";
constexpr char kNoticesByReporter[] = "SELECT " NOTICE_COLUMNS
                                      " FROM notices WHERE reporter_account_id = ?1 AND id > ?2 "
                                      "AND id < ?3 ORDER BY id DESC LIMIT ?4";
constexpr char kNoticesByReporterAsc[] = "SELECT " NOTICE_COLUMNS
                                         " FROM notices WHERE reporter_account_id = ?1 AND id > ?2 "
                                         "AND id < ?3 ORDER BY id ASC LIMIT ?4";
constexpr char kCountNotices[] = "SELECT count(*) FROM notices WHERE id >= ?1 AND id < ?2";
constexpr char kCountNotice[] = "UPDATE safety_totals SET value = value + 1 WHERE name = 'notices'";
constexpr char kInsertNotice[] = "INSERT INTO notices (" NOTICE_COLUMNS
                                 ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                                 "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)";
constexpr char kInsertItem[] = "INSERT INTO notice_items (" ITEM_COLUMNS
                               ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                               "?11, ?12, ?13, ?14, ?15, ?16)";
constexpr char kSetCaseOutcome[] =
    "UPDATE notice_items SET decision_id = ?2, outcome = ?3, decided_at = ?4 "
    "WHERE case_id = ?1 AND outcome = ''";

// ---- notifiers and outbox ----

#define NOTIFIER_COLUMNS "id, kind, name, key_hash, created_at, revoked_at"
constexpr char kGetNotifier[] = "SELECT " NOTIFIER_COLUMNS " FROM priority_notifiers WHERE id = ?1";
constexpr char kFindNotifierByKey[] = "SELECT " NOTIFIER_COLUMNS
                                      " FROM priority_notifiers WHERE key_hash = ?1 "
                                      "AND revoked_at IS NULL";
constexpr char kListNotifiers[] = "SELECT " NOTIFIER_COLUMNS " FROM priority_notifiers ORDER BY id";
constexpr char kInsertNotifier[] =
    "INSERT INTO priority_notifiers (" NOTIFIER_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr char kRevokeNotifier[] =
    "UPDATE priority_notifiers SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL";

#define OUTBOX_COLUMNS "id, kind, to_email, subject, body, notice_id, created_at, sent_at"
constexpr char kListOutbox[] =
    "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE id > ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3";
constexpr char kListOutboxAsc[] =
    "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE id > ?1 AND id < ?2 ORDER BY id ASC LIMIT ?3";
constexpr char kListUnsent[] = "SELECT " OUTBOX_COLUMNS
                               " FROM outbox INDEXED BY outbox_unsent WHERE sent_at IS NULL "
                               "AND id > ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3";
constexpr char kListUnsentAsc[] = "SELECT " OUTBOX_COLUMNS
                                  " FROM outbox INDEXED BY outbox_unsent WHERE sent_at IS NULL "
                                  "AND id > ?1 AND id < ?2 ORDER BY id ASC LIMIT ?3";
constexpr char kInsertOutbox[] =
    "INSERT INTO outbox (" OUTBOX_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr char kMarkSent[] = "UPDATE outbox SET sent_at = ?2 WHERE id = ?1 AND sent_at IS NULL";

Case ReadCase(const Statement& s) {
  Case c;
  c.id = s.Int(0);
  c.kind = s.Int(1) == 1 ? CaseKind::kAppeal : CaseKind::kNotice;
  c.state = s.Int(2) == 1 ? CaseState::kClosed : CaseState::kOpen;
  c.target_type = s.Int(3) == 1 ? TargetType::kAccount : TargetType::kStatus;
  c.target_id = s.Int(4);
  c.account_id = s.Int(5);
  c.category = ParseCategory(s.Text(6)).value_or(Category::kNotSpecifiedNotice);
  c.urgency = static_cast<int>(s.Int(7));
  c.score = s.Int(8);
  c.deadline_at = FromUnixMillis(s.Int(9));
  c.assigned_to = s.OptionalInt(10).value_or(kNoId);
  c.lease_until = OptionalTime(s, 11);
  c.version = s.Int(12);
  c.notices_count = s.Int(13);
  c.distinct_notifiers = s.Int(14);
  c.priority_notices = s.Int(15);
  c.sources = static_cast<uint32_t>(s.Int(16));
  c.threat_to_life = s.Int(17) != 0;
  c.appeal_of = s.OptionalInt(18).value_or(kNoId);
  c.excluded_moderator_id = s.OptionalInt(19).value_or(kNoId);
  c.created_at = FromUnixMillis(s.Int(20));
  c.updated_at = FromUnixMillis(s.Int(21));
  c.closed_at = OptionalTime(s, 22);
  c.notifier_weight = s.Int(23);
  return c;
}

// Binds ?1..?24 in CASE_COLUMNS order.
void BindCase(Statement& s, const Case& c) {
  s.Bind(1, c.id)
      .Bind(2, c.kind == CaseKind::kAppeal ? 1 : 0)
      .Bind(3, c.state == CaseState::kClosed ? 1 : 0)
      .Bind(4, c.target_type == TargetType::kAccount ? 1 : 0)
      .Bind(5, c.target_id)
      .Bind(6, c.account_id)
      .Bind(7, CategoryName(c.category))
      .Bind(8, c.urgency)
      .Bind(9, c.score)
      .Bind(10, ToUnixMillis(c.deadline_at))
      .Bind(11, OptionalId(c.assigned_to))
      .Bind(12, OptionalMillis(c.lease_until))
      .Bind(13, c.version)
      .Bind(14, c.notices_count)
      .Bind(15, c.distinct_notifiers)
      .Bind(16, c.priority_notices)
      .Bind(17, static_cast<int64_t>(c.sources))
      .Bind(18, c.threat_to_life)
      .Bind(19, OptionalId(c.appeal_of))
      .Bind(20, OptionalId(c.excluded_moderator_id))
      .Bind(21, ToUnixMillis(c.created_at))
      .Bind(22, ToUnixMillis(c.updated_at))
      .Bind(23, OptionalMillis(c.closed_at))
      .Bind(24, c.notifier_weight);
}

std::string RuleIdsJson(const std::vector<Id>& ids) { return IdListJson(ids); }

std::vector<Id> ParseIdArray(std::string_view json) {
  // The stored form is exactly IdListJson's "[1,2,3]".
  std::vector<Id> out;
  int64_t value = 0;
  bool in_number = false;
  for (char ch : json) {
    if (ch >= '0' && ch <= '9') {
      value = value * 10 + (ch - '0');
      in_number = true;
    } else if (in_number) {
      out.push_back(value);
      value = 0;
      in_number = false;
    }
  }
  return out;
}

Notice ReadNotice(const Statement& s) {
  Notice n;
  n.id = s.Int(0);
  n.reference = s.String(1);
  n.secret_hash = s.String(2);
  n.source = ParseNoticeSource(s.Text(3)).value_or(NoticeSource::kAnonymous);
  n.reporter_account_id = s.OptionalInt(4).value_or(kNoId);
  n.notifier_id = s.OptionalInt(5).value_or(kNoId);
  n.notifier_key = s.String(6);
  n.name = s.String(7);
  n.email = s.String(8);
  n.explanation = s.String(9);
  n.category = ParseCategory(s.Text(10)).value_or(Category::kNotSpecifiedNotice);
  if (!s.IsNull(11)) n.report_category = ParseReportCategory(s.Text(11));
  n.legal_provision = s.String(12);
  n.rule_ids = ParseIdArray(s.Text(13));
  n.forward = s.Int(14) != 0;
  n.good_faith = s.Int(15) != 0;
  n.threat_to_life = s.Int(16) != 0;
  n.score = static_cast<int>(s.Int(17));
  n.details_json = s.String(18);
  n.target_account_id = s.Int(19);
  n.received_at = FromUnixMillis(s.Int(20));
  return n;
}

NoticeItem ReadItem(const Statement& s) {
  NoticeItem item;
  item.id = s.Int(0);
  item.notice_id = s.Int(1);
  item.target_type = s.Int(2) == 1 ? TargetType::kAccount : TargetType::kStatus;
  item.target_id = s.Int(3);
  item.location = s.String(4);
  item.case_id = s.Int(5);
  item.snapshot.target_type = item.target_type;
  item.snapshot.target_id = item.target_id;
  item.snapshot.author_id = s.Int(6);
  item.snapshot.text = s.String(7);
  item.snapshot.spoiler_text = s.String(8);
  if (!s.IsNull(9)) item.snapshot.visibility = ParseVisibility(s.Text(9));
  item.snapshot.content_created_at = FromUnixMillis(s.Int(10));
  item.snapshot.taken_at = FromUnixMillis(s.Int(11));
  item.snapshot.sha256 = s.String(12);
  item.decision_id = s.OptionalInt(13).value_or(kNoId);
  item.outcome = s.String(14);
  item.decided_at = OptionalTime(s, 15);
  return item;
}

std::vector<NoticeItem> ReadItems(Connection* c, const char* sql, Id key, int limit) {
  StatementScope s(c->Prepare(sql));
  s->Bind(1, key);
  if (limit > 0) s->Bind(2, limit);
  return ReadAll(*s, ReadItem);
}

// The fields of a case the open counters depend on.
struct Counted {
  bool open = false;
  std::string category;
  int64_t day = 0;
};

Counted CountedOf(const Case& c) {
  return Counted{c.state == CaseState::kOpen, std::string(CategoryName(c.category)),
                 ToUnixMillis(c.created_at) / kDayMillis};
}

Result<Counted> ReadCounted(Connection* c, Id id) {
  StatementScope s(c->Prepare(kCountedFields));
  s->Bind(1, id);
  return ReadOne(*s, [](const Statement& row) {
    return Counted{row.Int(0) == 0, row.String(1), row.Int(2) / kDayMillis};
  });
}

Status AddOpen(Connection* c, const Counted& k, int delta) {
  if (!k.open) return Status::Ok();
  {
    StatementScope s(c->Prepare(kAddOpenCategory));
    s->Bind(1, k.category).Bind(2, delta);
    RETURN_IF_ERROR(s->Run());
  }
  StatementScope s(c->Prepare(kAddOpenDay));
  s->Bind(1, k.day).Bind(2, delta);
  return s->Run();
}

// Moves a case's count from `before` to `after` (nothing when they are the same).
Status MoveOpen(Connection* c, const Counted& before, const Counted& after) {
  if (before.open == after.open && before.category == after.category && before.day == after.day) {
    return Status::Ok();
  }
  RETURN_IF_ERROR(AddOpen(c, before, -1));
  return AddOpen(c, after, 1);
}

CaseNote ReadNote(const Statement& s) {
  return CaseNote{s.Int(0), s.Int(1), s.Int(2), s.String(3), FromUnixMillis(s.Int(4))};
}

PriorityNotifier ReadNotifier(const Statement& s) {
  PriorityNotifier n;
  n.id = s.Int(0);
  n.kind = ParseNoticeSource(s.Text(1)).value_or(NoticeSource::kTrustedFlagger);
  n.name = s.String(2);
  n.key_hash = s.String(3);
  n.created_at = FromUnixMillis(s.Int(4));
  n.revoked_at = OptionalTime(s, 5);
  return n;
}

OutboxMessage ReadOutbox(const Statement& s) {
  OutboxMessage m;
  m.id = s.Int(0);
  m.kind = s.String(1);
  m.to_email = s.String(2);
  m.subject = s.String(3);
  m.body = s.String(4);
  m.notice_id = s.OptionalInt(5).value_or(kNoId);
  m.created_at = FromUnixMillis(s.Int(6));
  m.sent_at = OptionalTime(s, 7);
  return m;
}

}  // namespace

// ---- SqliteCases ----

Result<Case> SqliteCases::Get(Id id) const { return ReadOneByKey(*c_, kGetCase, id, ReadCase); }

std::optional<Case> SqliteCases::FindOpenForTarget(TargetType type, Id target_id) const {
  StatementScope s(c_->Prepare(kFindOpenForTarget));
  s->Bind(1, type == TargetType::kAccount ? 1 : 0).Bind(2, target_id);
  return ReadOptional(*s, ReadCase);
}

std::vector<Case> SqliteCases::List(const CaseFilter& f, int limit) const {
  int64_t after_deadline = 0;
  int64_t after_score = 0;
  Id after_id = kNoId;
  if (f.after_id != kNoId) {
    auto after = Get(f.after_id);
    if (!after.ok()) return {};
    after_deadline = ToUnixMillis(after->deadline_at);
    after_score = after->score;
    after_id = after->id;
  }
  StatementScope s(c_->Prepare(kListCases));
  s->Bind(1, f.state.value_or(CaseState::kOpen) == CaseState::kClosed ? 1 : 0)
      .Bind(2, f.category ? CategoryName(*f.category) : std::string_view())
      .Bind(3, f.source ? static_cast<int64_t>(SourceBit(*f.source)) : int64_t{0})
      .Bind(4, f.assigned_to)
      .Bind(5, ToUnixMillis(f.now))
      .Bind(6, f.deadline_before ? ToUnixMillis(*f.deadline_before) : int64_t{0})
      .Bind(7, f.kind ? (*f.kind == CaseKind::kAppeal ? 1 : 0) : -1)
      .Bind(8, after_deadline)
      .Bind(9, after_score)
      .Bind(10, after_id)
      .Bind(11, limit)
      .Bind(12, f.account_id)
      .Bind(13, f.with_notices);
  return ReadAll(*s, ReadCase);
}

std::vector<Case> SqliteCases::ListForAccount(Id account_id, int limit) const {
  StatementScope s(c_->Prepare(kListForAccount));
  s->Bind(1, account_id).Bind(2, limit);
  return ReadAll(*s, ReadCase);
}

int64_t SqliteCases::CountOpen() const {
  auto v = QueryInt(*c_, kCountOpen);
  return v.ok() ? v->value_or(0) : 0;
}

Status SqliteCases::Insert(const Case& c) {
  {
    StatementScope s(c_->Prepare(kInsertCase));
    BindCase(*s, c);
    RETURN_IF_ERROR(s->Run());
  }
  return AddOpen(c_, CountedOf(c), 1);
}

Status SqliteCases::Update(const Case& c) {
  auto before = ReadCounted(c_, c.id);
  if (!before.ok() && before.status().code() != StatusCode::kNotFound) return before.status();
  {
    StatementScope s(c_->Prepare(kUpdateCase));
    BindCase(*s, c);
    RETURN_IF_ERROR(s->Run());
  }
  if (c_->Changes() == 1) return before.ok() ? MoveOpen(c_, *before, CountedOf(c)) : Status::Ok();
  return ConflictOrNotFound(*c_, kCaseExists, c.id, "stale version");
}

Status SqliteCases::UpdateTriage(const Case& c) {
  auto before = ReadCounted(c_, c.id);
  if (!before.ok() && before.status().code() != StatusCode::kNotFound) return before.status();
  {
    StatementScope s(c_->Prepare(kUpdateTriage));
    s->Bind(1, c.id)
        .Bind(2, CategoryName(c.category))
        .Bind(3, c.urgency)
        .Bind(4, c.score)
        .Bind(5, ToUnixMillis(c.deadline_at))
        .Bind(6, c.notices_count)
        .Bind(7, c.distinct_notifiers)
        .Bind(8, c.priority_notices)
        .Bind(9, static_cast<int64_t>(c.sources))
        .Bind(10, c.threat_to_life)
        .Bind(11, ToUnixMillis(c.updated_at))
        .Bind(12, c.version)
        .Bind(13, c.notifier_weight);
    RETURN_IF_ERROR(s->Run());
  }
  if (c_->Changes() == 1) {
    if (!before.ok()) return Status::Ok();
    // Only the category can move the case between counters (state and creation stay).
    Counted after = *before;
    after.category = std::string(CategoryName(c.category));
    return MoveOpen(c_, *before, after);
  }
  return ConflictOrNotFound(*c_, kCaseExists, c.id, "stale version");
}

Result<bool> SqliteCases::AddNotifier(Id case_id, std::string_view notifier_key) {
  StatementScope s(c_->Prepare(kAddNotifier));
  s->Bind(1, case_id).Bind(2, notifier_key);
  RETURN_IF_ERROR(s->Run());
  return c_->Changes() == 1;
}

Cases::NotifierLinks SqliteCases::MemberNotifierLinks(Id case_id, Id account_id, int limit) const {
  StatementScope s(c_->Prepare(kMemberNotifierLinks));
  s->Bind(1, case_id)
      .Bind(2, account_id)
      .Bind(3, "account:" + IdToString(account_id))
      .Bind(4, limit);
  auto links = ReadOne(*s, [](const Statement& row) {
    return NotifierLinks{row.Int(0), row.Int(1)};
  });
  return links.ok() ? *links : NotifierLinks{};
}

Result<int64_t> SqliteCases::ExpireLeases(Timestamp now) {
  StatementScope s(c_->Prepare(kExpireLeases));
  s->Bind(1, ToUnixMillis(now));
  RETURN_IF_ERROR(s->Run());
  return c_->Changes();
}

Result<std::optional<Case>> SqliteCases::ClaimHead(Id moderator_id, Timestamp lease_until,
                                                   Timestamp now) {
  Id head = kNoId;
  {
    StatementScope s(c_->Prepare(kHead));
    s->Bind(1, moderator_id);
    ASSIGN_OR_RETURN(bool row, s->Step());
    if (!row) return std::optional<Case>();
    head = s->Int(0);
  }
  StatementScope s(c_->Prepare(kClaim));
  s->Bind(1, head)
      .Bind(2, moderator_id)
      .Bind(3, ToUnixMillis(lease_until))
      .Bind(4, ToUnixMillis(now));
  ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return Internal("the queue head could not be claimed");
  Case claimed = ReadCase(*s);
  // Finish the statement so the UPDATE completes before the scope resets it.
  auto done = s->Step();
  if (!done.ok()) return done.status();
  return std::optional<Case>(std::move(claimed));
}

std::vector<CaseNote> SqliteCases::ListNotes(Id case_id) const {
  return ReadAllByKey(*c_, kListNotes, case_id, ReadNote);
}

Status SqliteCases::InsertNote(const CaseNote& n) {
  StatementScope s(c_->Prepare(kInsertNote));
  s->Bind(1, n.id)
      .Bind(2, n.case_id)
      .Bind(3, n.author_id)
      .Bind(4, n.text)
      .Bind(5, ToUnixMillis(n.created_at));
  return s->Run();
}

namespace {

CaseStatus ReadCaseStatus(const Statement& s) {
  CaseStatus m;
  m.case_id = s.Int(0);
  m.status_id = s.Int(1);
  m.account_id = s.Int(2);
  if (!s.IsNull(3)) {
    m.simhash = static_cast<uint64_t>(s.Int(3));
    m.shingles = static_cast<uint32_t>(s.Int(4));
  }
  m.added_at = FromUnixMillis(s.Int(5));
  return m;
}

}  // namespace

Status SqliteCases::AddStatus(const CaseStatus& m) {
  StatementScope s(c_->Prepare(kAddCaseStatus));
  s->Bind(1, m.case_id).Bind(2, m.status_id).Bind(3, m.account_id);
  if (m.shingles > 0) {
    s->Bind(4, static_cast<int64_t>(m.simhash));
  } else {
    s->BindNull(4);
  }
  s->Bind(5, static_cast<int64_t>(m.shingles)).Bind(6, ToUnixMillis(m.added_at));
  return s->Run();
}

std::vector<CaseStatus> SqliteCases::ListStatuses(Id case_id, int limit) const {
  StatementScope s(c_->Prepare(kListCaseStatuses));
  s->Bind(1, case_id).Bind(2, limit);
  return ReadAll(*s, ReadCaseStatus);
}

Status SqliteCases::RemoveStatus(Id case_id, Id status_id) {
  StatementScope s(c_->Prepare(kRemoveCaseStatus));
  s->Bind(1, case_id).Bind(2, status_id);
  return RunChangingRow(*c_, *s);
}

Status SqliteCases::ExcludeStatus(Id case_id, Id status_id) {
  StatementScope s(c_->Prepare(kExcludeCaseStatus));
  s->Bind(1, case_id).Bind(2, status_id);
  return s->Run();
}

Result<bool> SqliteCases::IsExcluded(Id case_id, Id status_id) const {
  StatementScope s(c_->Prepare(kIsExcluded));
  s->Bind(1, case_id).Bind(2, status_id);
  return s->Step();
}

std::vector<std::pair<Id, Id>> SqliteCases::ListOpenCaseExclusions() const {
  StatementScope s(c_->Prepare(kListOpenCaseExclusions));
  return ReadAll(*s,
                 [](const Statement& row) { return std::pair<Id, Id>(row.Int(0), row.Int(1)); });
}

std::optional<Case> SqliteCases::FindOpenWithStatus(Id status_id) const {
  StatementScope s(c_->Prepare(kFindOpenWithStatus));
  s->Bind(1, status_id);
  return ReadOptional(*s, ReadCase);
}

std::vector<CaseStatus> SqliteCases::ListOpenCaseStatuses() const {
  StatementScope s(c_->Prepare(kListOpenCaseStatuses));
  return ReadAll(*s, ReadCaseStatus);
}

// ---- SqliteNotices ----

Result<Notice> SqliteNotices::Get(Id id) const {
  ASSIGN_OR_RETURN(Notice n, ReadOneByKey(*c_, kGetNotice, id, ReadNotice));
  n.items = ReadItems(c_, kItemsOfNotice, n.id, 0);
  return n;
}

Result<Notice> SqliteNotices::FindByReference(std::string_view reference) const {
  ASSIGN_OR_RETURN(Notice n, ReadOneByKey(*c_, kFindNoticeByReference, reference, ReadNotice));
  n.items = ReadItems(c_, kItemsOfNotice, n.id, 0);
  return n;
}

std::vector<Notice> SqliteNotices::ListForCase(Id case_id, int limit) const {
  std::vector<NoticeItem> items = ReadItems(c_, kItemsOfCase, case_id, limit);
  std::vector<Notice> out;
  for (auto& item : items) {
    if (!out.empty() && out.back().id == item.notice_id) {
      out.back().items.push_back(std::move(item));
      continue;
    }
    auto n = ReadOneByKey(*c_, kGetNotice, item.notice_id, ReadNotice);
    if (!n.ok()) continue;
    n->items.push_back(std::move(item));
    out.push_back(std::move(n).value());
  }
  return out;
}

std::vector<Notice> SqliteNotices::ListByReporter(Id account_id, const PageQuery& page) const {
  std::vector<Notice> out;
  {
    StatementScope s(c_->Prepare(page.ascending() ? kNoticesByReporterAsc : kNoticesByReporter));
    s->Bind(1, account_id).Bind(2, page.lower()).Bind(3, page.upper()).Bind(4, page.limit);
    out = ReadAll(*s, ReadNotice);
  }
  if (page.ascending()) std::reverse(out.begin(), out.end());
  for (auto& n : out) n.items = ReadItems(c_, kItemsOfNotice, n.id, 0);
  return out;
}

int64_t SqliteNotices::CountReceived(Timestamp from, Timestamp to) const {
  StatementScope s(c_->Prepare(kCountNotices));
  s->Bind(1, IdAtTime(from)).Bind(2, IdAtTime(to));
  return CountOf(*s);
}

Status SqliteNotices::Insert(const Notice& n) {
  {
    StatementScope s(c_->Prepare(kInsertNotice));
    s->Bind(1, n.id)
        .Bind(2, n.reference)
        .Bind(3, n.secret_hash)
        .Bind(4, NoticeSourceName(n.source))
        .Bind(5, OptionalId(n.reporter_account_id))
        .Bind(6, OptionalId(n.notifier_id))
        .Bind(7, n.notifier_key)
        .Bind(8, n.name)
        .Bind(9, n.email)
        .Bind(10, n.explanation)
        .Bind(11, CategoryName(n.category));
    if (n.report_category) {
      s->Bind(12, ReportCategoryName(*n.report_category));
    } else {
      s->BindNull(12);
    }
    s->Bind(13, n.legal_provision)
        .Bind(14, RuleIdsJson(n.rule_ids))
        .Bind(15, n.forward)
        .Bind(16, n.good_faith)
        .Bind(17, n.threat_to_life)
        .Bind(18, n.score)
        .Bind(19, n.details_json)
        .Bind(20, n.target_account_id)
        .Bind(21, ToUnixMillis(n.received_at));
    RETURN_IF_ERROR(s->Run());
  }
  {
    StatementScope s(c_->Prepare(kCountNotice));
    RETURN_IF_ERROR(s->Run());
  }
  for (const NoticeItem& item : n.items) {
    StatementScope s(c_->Prepare(kInsertItem));
    s->Bind(1, item.id)
        .Bind(2, n.id)
        .Bind(3, item.target_type == TargetType::kAccount ? 1 : 0)
        .Bind(4, item.target_id)
        .Bind(5, item.location)
        .Bind(6, item.case_id)
        .Bind(7, item.snapshot.author_id)
        .Bind(8, item.snapshot.text)
        .Bind(9, item.snapshot.spoiler_text);
    if (item.snapshot.visibility) {
      s->Bind(10, VisibilityName(*item.snapshot.visibility));
    } else {
      s->BindNull(10);
    }
    s->Bind(11, ToUnixMillis(item.snapshot.content_created_at))
        .Bind(12, ToUnixMillis(item.snapshot.taken_at))
        .Bind(13, item.snapshot.sha256)
        .Bind(14, OptionalId(item.decision_id))
        .Bind(15, item.outcome)
        .Bind(16, OptionalMillis(item.decided_at));
    RETURN_IF_ERROR(s->Run());
  }
  return Status::Ok();
}

Status SqliteNotices::SetCaseOutcome(Id case_id, Id decision_id, std::string_view outcome,
                                     Timestamp at) {
  StatementScope s(c_->Prepare(kSetCaseOutcome));
  s->Bind(1, case_id).Bind(2, decision_id).Bind(3, outcome).Bind(4, ToUnixMillis(at));
  return s->Run();
}

// ---- SqliteNotifiers ----

Result<PriorityNotifier> SqliteNotifiers::Get(Id id) const {
  return ReadOneByKey(*c_, kGetNotifier, id, ReadNotifier);
}

Result<PriorityNotifier> SqliteNotifiers::FindByKeyHash(std::string_view key_hash) const {
  return ReadOneByKey(*c_, kFindNotifierByKey, key_hash, ReadNotifier);
}

std::vector<PriorityNotifier> SqliteNotifiers::List() const {
  StatementScope s(c_->Prepare(kListNotifiers));
  return ReadAll(*s, ReadNotifier);
}

Status SqliteNotifiers::Insert(const PriorityNotifier& n) {
  StatementScope s(c_->Prepare(kInsertNotifier));
  s->Bind(1, n.id)
      .Bind(2, NoticeSourceName(n.kind))
      .Bind(3, n.name)
      .Bind(4, n.key_hash)
      .Bind(5, ToUnixMillis(n.created_at))
      .Bind(6, OptionalMillis(n.revoked_at));
  return s->Run();
}

Status SqliteNotifiers::Revoke(Id id, Timestamp at) {
  StatementScope s(c_->Prepare(kRevokeNotifier));
  s->Bind(1, id).Bind(2, ToUnixMillis(at));
  return RunChangingRow(*c_, *s);
}

// ---- SqliteOutbox ----

std::vector<OutboxMessage> SqliteOutbox::List(const PageQuery& page, bool unsent_only) const {
  const char* sql = unsent_only ? (page.ascending() ? kListUnsentAsc : kListUnsent)
                                : (page.ascending() ? kListOutboxAsc : kListOutbox);
  StatementScope s(c_->Prepare(sql));
  s->Bind(1, page.lower()).Bind(2, page.upper()).Bind(3, page.limit);
  std::vector<OutboxMessage> out = ReadAll(*s, ReadOutbox);
  if (page.ascending()) std::reverse(out.begin(), out.end());
  return out;
}

Status SqliteOutbox::Insert(const OutboxMessage& m) {
  StatementScope s(c_->Prepare(kInsertOutbox));
  s->Bind(1, m.id)
      .Bind(2, m.kind)
      .Bind(3, m.to_email)
      .Bind(4, m.subject)
      .Bind(5, m.body)
      .Bind(6, OptionalId(m.notice_id))
      .Bind(7, ToUnixMillis(m.created_at))
      .Bind(8, OptionalMillis(m.sent_at));
  return s->Run();
}

Status SqliteOutbox::MarkSent(Id id, Timestamp at) {
  StatementScope s(c_->Prepare(kMarkSent));
  s->Bind(1, id).Bind(2, ToUnixMillis(at));
  return RunChangingRow(*c_, *s);
}

}  // namespace stoa::storage::sqlite
