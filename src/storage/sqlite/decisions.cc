// SQLite: decisions, statements of reasons, appeals, Art. 23 counters and measures, and the
// moderation columns of statuses.
#include <algorithm>

#include <boost/json.hpp>

#include "common/strings.h"
#include "storage/sqlite/repos.h"
#include "storage/sqlite/rows.h"

namespace stoa::storage::sqlite {
namespace {

#define DECISION_COLUMNS                                                                       \
  "id, case_id, action, ground, legal_provision, rule_id, facts, reasons, until_at, "          \
  "territorial_scope, automated_detection, automated_decision, moderator_id, "                 \
  "referral_authority, referral_at, referral_reference, target_account_id, target_status_id, " \
  "category, appeal_of, statement_id, reversed_at, reversed_by, created_at"

constexpr char kInsertDecision[] =
    "INSERT INTO decisions (" DECISION_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
    "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)";
constexpr char kGetDecision[] = "SELECT " DECISION_COLUMNS " FROM decisions WHERE id = ?1";
constexpr char kDecisionsForCase[] =
    "SELECT " DECISION_COLUMNS " FROM decisions WHERE case_id = ?1 ORDER BY id";
constexpr char kDecisionsForAccountDesc[] =
    "SELECT " DECISION_COLUMNS
    " FROM decisions WHERE target_account_id = ?1 AND id > ?2 "
    "AND id < ?3 ORDER BY id DESC LIMIT ?4";
constexpr char kDecisionsForAccountAsc[] =
    "SELECT " DECISION_COLUMNS
    " FROM decisions WHERE target_account_id = ?1 AND id > ?2 "
    "AND id < ?3 ORDER BY id ASC LIMIT ?4";
constexpr char kDecisionsCreated[] = "SELECT " DECISION_COLUMNS
                                     " FROM decisions WHERE id >= ?1 AND id < ?2 AND id > ?3 "
                                     "ORDER BY id LIMIT ?4";
constexpr char kMarkReversed[] =
    "UPDATE decisions SET reversed_at = ?3, reversed_by = ?2 WHERE id = ?1 AND reversed_at IS NULL";
constexpr char kDecisionExists[] = "SELECT 1 FROM decisions WHERE id = ?1";

#define STATEMENT_COLUMNS "id, decision_id, account_id, puid, body, redress, created_at"
constexpr char kInsertStatement[] =
    "INSERT INTO statements (" STATEMENT_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr char kGetStatement[] = "SELECT " STATEMENT_COLUMNS " FROM statements WHERE id = ?1";
constexpr char kStatementsCreated[] = "SELECT " STATEMENT_COLUMNS
                                      " FROM statements WHERE id >= ?1 AND id < ?2 AND id > ?3 "
                                      "ORDER BY id LIMIT ?4";

#define APPEAL_COLUMNS                                                                   \
  "id, decision_id, appellant_id, role, text, case_id, state, resolution_id, filed_at, " \
  "resolved_at"
constexpr char kInsertAppeal[] =
    "INSERT INTO appeals (" APPEAL_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
constexpr char kGetAppeal[] = "SELECT " APPEAL_COLUMNS " FROM appeals WHERE id = ?1";
constexpr char kAppealByCase[] = "SELECT " APPEAL_COLUMNS " FROM appeals WHERE case_id = ?1";
constexpr char kAppealsForDecision[] =
    "SELECT " APPEAL_COLUMNS " FROM appeals WHERE decision_id = ?1 ORDER BY id";
constexpr char kResolveAppeal[] =
    "UPDATE appeals SET state = ?2, resolution_id = ?3, resolved_at = ?4 "
    "WHERE id = ?1 AND state = 'pending'";
constexpr char kAppealExists[] = "SELECT 1 FROM appeals WHERE id = ?1";

constexpr char kInsertStrike[] =
    "INSERT OR IGNORE INTO account_strikes (account_id, decision_id, created_at) "
    "VALUES (?1, ?2, ?3)";
constexpr char kDeleteStrike[] =
    "DELETE FROM account_strikes WHERE account_id = ?1 AND decision_id = ?2";
constexpr char kCountStrikes[] =
    "SELECT count(*) FROM account_strikes WHERE account_id = ?1 AND created_at >= ?2";
constexpr char kInsertUnfounded[] =
    "INSERT OR IGNORE INTO notifier_unfounded (notifier_key, decision_id, created_at) "
    "VALUES (?1, ?2, ?3)";
constexpr char kCountUnfounded[] =
    "SELECT count(*) FROM notifier_unfounded WHERE notifier_key = ?1 AND created_at >= ?2";

#define MEASURE_COLUMNS "id, subject, subject_key, kind, decision_id, count, starts_at, ends_at"
constexpr char kInsertMeasure[] =
    "INSERT INTO misuse_measures (" MEASURE_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
constexpr char kMeasures[] = "SELECT " MEASURE_COLUMNS
                             " FROM misuse_measures WHERE subject = ?1 AND subject_key = ?2 "
                             "ORDER BY id DESC";
// The latest-ending suspension in force: a NULL end (indefinite) sorts last and wins.
constexpr char kNotifierSuspension[] =
    "SELECT ends_at FROM misuse_measures WHERE subject = 'notifier' AND subject_key = ?1 "
    "AND kind = 'suspension' AND starts_at <= ?2 AND (ends_at IS NULL OR ends_at > ?2) "
    "ORDER BY ends_at IS NULL DESC, ends_at DESC LIMIT 1";
constexpr char kCountSuspensions[] =
    "SELECT count(*) FROM misuse_measures WHERE kind = 'suspension' AND subject = ?1 "
    "AND starts_at >= ?2 AND starts_at < ?3";

constexpr char kGetNotifierRecord[] =
    "SELECT decided, upheld, unfounded FROM notifier_records WHERE notifier_key = ?1";
constexpr char kAddToNotifierRecord[] =
    "INSERT INTO notifier_records (notifier_key, decided, upheld, unfounded) "
    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (notifier_key) DO UPDATE SET "
    "decided = decided + excluded.decided, upheld = upheld + excluded.upheld, "
    "unfounded = unfounded + excluded.unfounded";

#define PRESET_COLUMNS "id, title, text, created_at, updated_at"
constexpr char kListPresets[] = "SELECT " PRESET_COLUMNS " FROM warning_presets ORDER BY id";
constexpr char kGetPreset[] = "SELECT " PRESET_COLUMNS " FROM warning_presets WHERE id = ?1";
constexpr char kInsertPreset[] =
    "INSERT INTO warning_presets (" PRESET_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr char kUpdatePreset[] =
    "UPDATE warning_presets SET title = ?2, text = ?3, updated_at = ?4 WHERE id = ?1";
constexpr char kDeletePreset[] = "DELETE FROM warning_presets WHERE id = ?1";

constexpr char kGetStatusModeration[] =
    "SELECT moderation_sensitive, moderation_spoiler_text, moderation_restricted_at, "
    "moderation_removed_at FROM statuses WHERE id = ?1";
constexpr char kSetStatusModeration[] =
    "UPDATE statuses SET moderation_sensitive = ?2, moderation_spoiler_text = ?3, "
    "moderation_restricted_at = ?4, moderation_removed_at = ?5 WHERE id = ?1";

std::string JoinWords(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out.push_back(' ');
    out += w;
  }
  return out;
}

std::vector<std::string> SplitWords(std::string_view text) {
  std::vector<std::string> out;
  for (auto part : SplitWhitespace(text)) out.emplace_back(part);
  return out;
}

Decision ReadDecision(const Statement& s) {
  Decision d;
  d.id = s.Int(0);
  d.case_id = s.Int(1);
  d.action = ParseDecisionAction(s.Text(2)).value_or(DecisionAction::kNoAction);
  d.ground = ParseDecisionGround(s.Text(3)).value_or(DecisionGround::kNone);
  d.legal_provision = s.String(4);
  d.rule_id = s.OptionalInt(5).value_or(kNoId);
  d.facts = s.String(6);
  d.reasons = s.String(7);
  d.until = OptionalTime(s, 8);
  d.territorial_scope = SplitWords(s.Text(9));
  d.automated_detection = s.Int(10) != 0;
  d.automated_decision =
      ParseAutomatedDecision(s.Text(11)).value_or(AutomatedDecision::kNotAutomated);
  d.moderator_id = s.Int(12);
  if (!s.IsNull(13)) {
    d.referral = Referral{s.String(13), FromUnixMillis(s.OptionalInt(14).value_or(0)),
                          s.OptionalString(15).value_or("")};
  }
  d.target_account_id = s.Int(16);
  d.target_status_id = s.OptionalInt(17).value_or(kNoId);
  d.category = s.String(18);
  d.appeal_of = s.OptionalInt(19).value_or(kNoId);
  d.statement_id = s.OptionalInt(20).value_or(kNoId);
  d.reversed_at = OptionalTime(s, 21);
  d.reversed_by = s.OptionalInt(22).value_or(kNoId);
  d.created_at = FromUnixMillis(s.Int(23));
  return d;
}

std::string JsonString(const boost::json::object& o, std::string_view key) {
  if (auto* v = o.if_contains(key); v != nullptr && v->is_string()) {
    return std::string(v->as_string());
  }
  return "";
}

std::vector<std::string> JsonStrings(const boost::json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (auto* v = o.if_contains(key); v != nullptr && v->is_array()) {
    for (const auto& e : v->as_array()) {
      if (e.is_string()) out.emplace_back(e.as_string());
    }
  }
  return out;
}

// The statement's Transparency Database fields come back from its JSON body.
StatementOfReasons ReadStatement(const Statement& s) {
  StatementOfReasons r;
  r.id = s.Int(0);
  r.decision_id = s.Int(1);
  r.account_id = s.Int(2);
  r.puid = s.String(3);
  r.redress = s.String(5);
  r.created_at = FromUnixMillis(s.Int(6));
  boost::system::error_code ec;
  auto parsed = boost::json::parse(s.Text(4), ec);
  if (ec || !parsed.is_object()) return r;
  const auto& o = parsed.as_object();
  r.decision_visibility = JsonStrings(o, "decision_visibility");
  r.decision_visibility_other = JsonString(o, "decision_visibility_other");
  r.decision_monetary = JsonString(o, "decision_monetary");
  r.decision_provision = JsonString(o, "decision_provision");
  r.decision_account = JsonString(o, "decision_account");
  r.account_type = JsonString(o, "account_type");
  r.decision_ground = JsonString(o, "decision_ground");
  r.decision_ground_reference_url = JsonString(o, "decision_ground_reference_url");
  r.illegal_content_legal_ground = JsonString(o, "illegal_content_legal_ground");
  r.illegal_content_explanation = JsonString(o, "illegal_content_explanation");
  r.incompatible_content_ground = JsonString(o, "incompatible_content_ground");
  r.incompatible_content_explanation = JsonString(o, "incompatible_content_explanation");
  r.incompatible_content_illegal = JsonString(o, "incompatible_content_illegal");
  r.content_type = JsonStrings(o, "content_type");
  r.category = JsonString(o, "category");
  r.category_specification = JsonStrings(o, "category_specification");
  r.territorial_scope = JsonStrings(o, "territorial_scope");
  r.content_language = JsonString(o, "content_language");
  r.content_date = JsonString(o, "content_date");
  r.application_date = JsonString(o, "application_date");
  r.end_date_visibility_restriction = JsonString(o, "end_date_visibility_restriction");
  r.end_date_monetary_restriction = JsonString(o, "end_date_monetary_restriction");
  r.end_date_service_restriction = JsonString(o, "end_date_service_restriction");
  r.end_date_account_restriction = JsonString(o, "end_date_account_restriction");
  r.decision_facts = JsonString(o, "decision_facts");
  r.source_type = JsonString(o, "source_type");
  r.source_identity = JsonString(o, "source_identity");
  r.automated_detection = JsonString(o, "automated_detection");
  r.automated_decision = JsonString(o, "automated_decision");
  return r;
}

Appeal ReadAppeal(const Statement& s) {
  Appeal a;
  a.id = s.Int(0);
  a.decision_id = s.Int(1);
  a.appellant_id = s.Int(2);
  a.role = ParseAppellantRole(s.Text(3)).value_or(AppellantRole::kAffected);
  a.text = s.String(4);
  a.case_id = s.Int(5);
  a.state = ParseAppealState(s.Text(6)).value_or(AppealState::kPending);
  a.resolution_id = s.OptionalInt(7).value_or(kNoId);
  a.filed_at = FromUnixMillis(s.Int(8));
  a.resolved_at = OptionalTime(s, 9);
  return a;
}

MisuseMeasure ReadMeasure(const Statement& s) {
  MisuseMeasure m;
  m.id = s.Int(0);
  m.subject = s.Text(1) == "account" ? MisuseSubject::kAccount : MisuseSubject::kNotifier;
  m.subject_key = s.String(2);
  m.kind = s.Text(3) == "warning" ? MisuseMeasureKind::kWarning : MisuseMeasureKind::kSuspension;
  m.decision_id = s.Int(4);
  m.count = s.Int(5);
  m.starts_at = FromUnixMillis(s.Int(6));
  m.ends_at = OptionalTime(s, 7);
  return m;
}

StatusModeration ReadStatusModeration(const Statement& s) {
  StatusModeration m;
  m.sensitive = s.Int(0) != 0;
  m.spoiler_text = s.String(1);
  m.restricted_at = OptionalTime(s, 2);
  m.removed_at = OptionalTime(s, 3);
  return m;
}

WarningPreset ReadPreset(const Statement& s) {
  WarningPreset p;
  p.id = s.Int(0);
  p.title = s.String(1);
  p.text = s.String(2);
  p.created_at = FromUnixMillis(s.Int(3));
  p.updated_at = FromUnixMillis(s.Int(4));
  return p;
}

NotifierRecord ReadNotifierRecord(const Statement& s) {
  return NotifierRecord{s.Int(0), s.Int(1), s.Int(2)};
}

}  // namespace

Result<Decision> SqliteDecisions::Get(Id id) const {
  return ReadOneByKey(*c_, kGetDecision, id, ReadDecision);
}

std::vector<Decision> SqliteDecisions::ListForCase(Id case_id) const {
  return ReadAllByKey(*c_, kDecisionsForCase, case_id, ReadDecision);
}

std::vector<Decision> SqliteDecisions::ListForAccount(Id account_id, const PageQuery& page) const {
  StatementScope s(
      c_->Prepare(page.ascending() ? kDecisionsForAccountAsc : kDecisionsForAccountDesc));
  s->Bind(1, account_id).Bind(2, page.lower()).Bind(3, page.upper()).Bind(4, page.limit);
  auto out = ReadAll(*s, ReadDecision);
  if (page.ascending()) std::reverse(out.begin(), out.end());
  return out;
}

std::vector<Decision> SqliteDecisions::ListCreated(Timestamp from, Timestamp to, Id after_id,
                                                   int limit) const {
  StatementScope s(c_->Prepare(kDecisionsCreated));
  s->Bind(1, IdAtTime(from)).Bind(2, IdAtTime(to)).Bind(3, after_id).Bind(4, limit);
  return ReadAll(*s, ReadDecision);
}

Result<StatementOfReasons> SqliteDecisions::GetStatement(Id id) const {
  return ReadOneByKey(*c_, kGetStatement, id, ReadStatement);
}

std::vector<StatementOfReasons> SqliteDecisions::ListStatements(Timestamp from, Timestamp to,
                                                                Id after_id, int limit) const {
  StatementScope s(c_->Prepare(kStatementsCreated));
  s->Bind(1, IdAtTime(from)).Bind(2, IdAtTime(to)).Bind(3, after_id).Bind(4, limit);
  return ReadAll(*s, ReadStatement);
}

Result<Appeal> SqliteDecisions::GetAppeal(Id id) const {
  return ReadOneByKey(*c_, kGetAppeal, id, ReadAppeal);
}

Result<Appeal> SqliteDecisions::FindAppealByCase(Id case_id) const {
  return ReadOneByKey(*c_, kAppealByCase, case_id, ReadAppeal);
}

std::vector<Appeal> SqliteDecisions::ListAppeals(Id decision_id) const {
  return ReadAllByKey(*c_, kAppealsForDecision, decision_id, ReadAppeal);
}

int64_t SqliteDecisions::CountStrikes(Id account_id, Timestamp since) const {
  StatementScope s(c_->Prepare(kCountStrikes));
  s->Bind(1, account_id).Bind(2, ToUnixMillis(since));
  return CountOf(*s);
}

int64_t SqliteDecisions::CountUnfounded(std::string_view notifier_key, Timestamp since) const {
  StatementScope s(c_->Prepare(kCountUnfounded));
  s->Bind(1, notifier_key).Bind(2, ToUnixMillis(since));
  return CountOf(*s);
}

std::vector<MisuseMeasure> SqliteDecisions::ListMeasures(MisuseSubject subject,
                                                         std::string_view subject_key) const {
  StatementScope s(c_->Prepare(kMeasures));
  s->Bind(1, MisuseSubjectName(subject)).Bind(2, subject_key);
  return ReadAll(*s, ReadMeasure);
}

std::optional<Timestamp> SqliteDecisions::NotifierSuspendedUntil(std::string_view notifier_key,
                                                                 Timestamp now) const {
  StatementScope s(c_->Prepare(kNotifierSuspension));
  s->Bind(1, notifier_key).Bind(2, ToUnixMillis(now));
  auto row = s->Step();
  if (!row.ok() || !*row) return std::nullopt;
  if (s->IsNull(0)) return Timestamp::max();
  return FromUnixMillis(s->Int(0));
}

int64_t SqliteDecisions::CountSuspensions(MisuseSubject subject, Timestamp from,
                                          Timestamp to) const {
  StatementScope s(c_->Prepare(kCountSuspensions));
  s->Bind(1, MisuseSubjectName(subject)).Bind(2, ToUnixMillis(from)).Bind(3, ToUnixMillis(to));
  return CountOf(*s);
}

Result<StatusModeration> SqliteDecisions::GetStatusModeration(Id status_id) const {
  return ReadOneByKey(*c_, kGetStatusModeration, status_id, ReadStatusModeration);
}

NotifierRecord SqliteDecisions::GetNotifierRecord(std::string_view notifier_key) const {
  StatementScope s(c_->Prepare(kGetNotifierRecord));
  s->Bind(1, notifier_key);
  return ReadOptional(*s, ReadNotifierRecord).value_or(NotifierRecord{});
}

std::vector<WarningPreset> SqliteDecisions::ListWarningPresets() const {
  StatementScope s(c_->Prepare(kListPresets));
  return ReadAll(*s, ReadPreset);
}

Result<WarningPreset> SqliteDecisions::GetWarningPreset(Id id) const {
  return ReadOneByKey(*c_, kGetPreset, id, ReadPreset);
}

Status SqliteDecisions::Insert(const Decision& d) {
  StatementScope s(c_->Prepare(kInsertDecision));
  s->Bind(1, d.id)
      .Bind(2, d.case_id)
      .Bind(3, DecisionActionName(d.action))
      .Bind(4, DecisionGroundName(d.ground))
      .Bind(5, d.legal_provision)
      .Bind(6, OptionalId(d.rule_id))
      .Bind(7, d.facts)
      .Bind(8, d.reasons)
      .Bind(9, OptionalMillis(d.until))
      .Bind(10, JoinWords(d.territorial_scope))
      .Bind(11, d.automated_detection)
      .Bind(12, AutomatedDecisionName(d.automated_decision))
      .Bind(13, d.moderator_id);
  if (d.referral) {
    s->Bind(14, d.referral->authority)
        .Bind(15, ToUnixMillis(d.referral->at))
        .Bind(16, d.referral->reference);
  } else {
    s->BindNull(14).BindNull(15).BindNull(16);
  }
  s->Bind(17, d.target_account_id)
      .Bind(18, OptionalId(d.target_status_id))
      .Bind(19, d.category)
      .Bind(20, OptionalId(d.appeal_of))
      .Bind(21, OptionalId(d.statement_id))
      .Bind(22, OptionalMillis(d.reversed_at))
      .Bind(23, OptionalId(d.reversed_by))
      .Bind(24, ToUnixMillis(d.created_at));
  return s->Run();
}

Status SqliteDecisions::MarkReversed(Id id, Id reversed_by, Timestamp at) {
  StatementScope s(c_->Prepare(kMarkReversed));
  s->Bind(1, id).Bind(2, reversed_by).Bind(3, ToUnixMillis(at));
  RETURN_IF_ERROR(s->Run());
  if (c_->Changes() > 0) return Status::Ok();
  return ConflictOrNotFound(*c_, kDecisionExists, id, "the decision was already reversed");
}

Status SqliteDecisions::InsertStatement(const StatementOfReasons& r) {
  StatementScope s(c_->Prepare(kInsertStatement));
  s->Bind(1, r.id)
      .Bind(2, r.decision_id)
      .Bind(3, r.account_id)
      .Bind(4, r.puid)
      .Bind(5, StatementTransparencyJson(r))
      .Bind(6, r.redress)
      .Bind(7, ToUnixMillis(r.created_at));
  return s->Run();
}

Status SqliteDecisions::InsertAppeal(const Appeal& a) {
  StatementScope s(c_->Prepare(kInsertAppeal));
  s->Bind(1, a.id)
      .Bind(2, a.decision_id)
      .Bind(3, a.appellant_id)
      .Bind(4, AppellantRoleName(a.role))
      .Bind(5, a.text)
      .Bind(6, a.case_id)
      .Bind(7, AppealStateName(a.state))
      .Bind(8, OptionalId(a.resolution_id))
      .Bind(9, ToUnixMillis(a.filed_at))
      .Bind(10, OptionalMillis(a.resolved_at));
  return s->Run();
}

Status SqliteDecisions::ResolveAppeal(Id id, AppealState state, Id resolution_id, Timestamp at) {
  StatementScope s(c_->Prepare(kResolveAppeal));
  s->Bind(1, id).Bind(2, AppealStateName(state)).Bind(3, resolution_id).Bind(4, ToUnixMillis(at));
  RETURN_IF_ERROR(s->Run());
  if (c_->Changes() > 0) return Status::Ok();
  return ConflictOrNotFound(*c_, kAppealExists, id, "the appeal was already decided");
}

Status SqliteDecisions::AddStrike(Id account_id, Id decision_id, Timestamp at) {
  StatementScope s(c_->Prepare(kInsertStrike));
  s->Bind(1, account_id).Bind(2, decision_id).Bind(3, ToUnixMillis(at));
  return s->Run();
}

Status SqliteDecisions::RemoveStrike(Id account_id, Id decision_id) {
  StatementScope s(c_->Prepare(kDeleteStrike));
  s->Bind(1, account_id).Bind(2, decision_id);
  return s->Run();
}

Status SqliteDecisions::AddUnfounded(std::string_view notifier_key, Id decision_id, Timestamp at) {
  StatementScope s(c_->Prepare(kInsertUnfounded));
  s->Bind(1, notifier_key).Bind(2, decision_id).Bind(3, ToUnixMillis(at));
  return s->Run();
}

Status SqliteDecisions::InsertMeasure(const MisuseMeasure& m) {
  StatementScope s(c_->Prepare(kInsertMeasure));
  s->Bind(1, m.id)
      .Bind(2, MisuseSubjectName(m.subject))
      .Bind(3, m.subject_key)
      .Bind(4, MisuseMeasureKindName(m.kind))
      .Bind(5, m.decision_id)
      .Bind(6, m.count)
      .Bind(7, ToUnixMillis(m.starts_at))
      .Bind(8, OptionalMillis(m.ends_at));
  return s->Run();
}

Status SqliteDecisions::SetStatusModeration(Id status_id, const StatusModeration& m) {
  StatementScope s(c_->Prepare(kSetStatusModeration));
  s->Bind(1, status_id)
      .Bind(2, m.sensitive)
      .Bind(3, m.spoiler_text)
      .Bind(4, OptionalMillis(m.restricted_at))
      .Bind(5, OptionalMillis(m.removed_at));
  return RunChangingRow(*c_, *s);
}

Status SqliteDecisions::AddToNotifierRecord(std::string_view notifier_key,
                                            const NotifierRecord& delta) {
  StatementScope s(c_->Prepare(kAddToNotifierRecord));
  s->Bind(1, notifier_key).Bind(2, delta.decided).Bind(3, delta.upheld).Bind(4, delta.unfounded);
  return s->Run();
}

Status SqliteDecisions::InsertWarningPreset(const WarningPreset& p) {
  StatementScope s(c_->Prepare(kInsertPreset));
  s->Bind(1, p.id)
      .Bind(2, p.title)
      .Bind(3, p.text)
      .Bind(4, ToUnixMillis(p.created_at))
      .Bind(5, ToUnixMillis(p.updated_at));
  return s->Run();
}

Status SqliteDecisions::UpdateWarningPreset(const WarningPreset& p) {
  StatementScope s(c_->Prepare(kUpdatePreset));
  s->Bind(1, p.id).Bind(2, p.title).Bind(3, p.text).Bind(4, ToUnixMillis(p.updated_at));
  return RunChangingRow(*c_, *s);
}

Status SqliteDecisions::DeleteWarningPreset(Id id) {
  StatementScope s(c_->Prepare(kDeletePreset));
  s->Bind(1, id);
  return RunChangingRow(*c_, *s);
}

}  // namespace stoa::storage::sqlite
