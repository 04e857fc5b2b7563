#include "http/api/decision_json.h"

#include <vector>

#include "common/time_format.h"
#include "http/api/serializers.h"

namespace stoa::http::api {
namespace {

// Mastodon's AccountWarning `action` values.
std::string_view WarningAction(DecisionAction a) {
  switch (a) {
    case DecisionAction::kMarkSensitive: return "mark_statuses_as_sensitive";
    case DecisionAction::kRemoveStatus: return "delete_statuses";
    case DecisionAction::kSilenceAccount: return "silence";
    case DecisionAction::kSuspendAccount: return "suspend";
    case DecisionAction::kDisableLogin: return "disable";
    case DecisionAction::kMarkAccountSensitive: return "sensitive";
    default: return "none";  // warn, no_action, and the outcomes of appeals
  }
}

std::string_view MastodonAppealState(AppealState s) {
  switch (s) {
    case AppealState::kPending: return "pending";
    case AppealState::kUpheld: return "rejected";
    case AppealState::kReversed: return "approved";
  }
  return "pending";
}

// An Art. 23 measure this decision triggered for `subject_key`, as {kind, count, ends_at}.
void WriteMisuse(JsonWriter& w, const std::vector<MisuseMeasure>& measures, Id decision_id) {
  for (const auto& m : measures) {
    if (m.decision_id != decision_id) continue;
    w.Key("misuse").BeginObject();
    w.Field("kind", MisuseMeasureKindName(m.kind));
    w.Field("count", m.count);
    WriteOptionalTime(w, "ends_at", m.ends_at);
    w.EndObject();
    return;
  }
}

}  // namespace

void WriteDecision(JsonWriter& w, const Decision& d) {
  w.BeginObject();
  w.Key("id").IdString(d.id);
  w.Key("case_id").IdString(d.case_id);
  w.Field("action", DecisionActionName(d.action));
  if (d.ground == DecisionGround::kNone) {
    w.NullField("ground");
  } else {
    w.Field("ground", DecisionGroundName(d.ground));
  }
  if (d.legal_provision.empty()) {
    w.NullField("legal_provision");
  } else {
    w.Field("legal_provision", d.legal_provision);
  }
  WriteOptionalId(w, "rule_id", d.rule_id);
  w.Field("facts", d.facts);
  w.Field("reasons", d.reasons);
  WriteOptionalTime(w, "until", d.until);
  w.Key("territorial_scope").BeginArray();
  for (const auto& code : d.territorial_scope) w.String(code);
  w.EndArray();
  w.Field("automated_detection", d.automated_detection);
  w.Field("automated_decision", AutomatedDecisionName(d.automated_decision));
  w.Key("moderator_id").IdString(d.moderator_id);
  if (d.referral) {
    w.Key("referral").BeginObject();
    w.Field("authority", d.referral->authority);
    w.Field("at", FormatIso8601(d.referral->at));
    w.Field("reference", d.referral->reference);
    w.EndObject();
  } else {
    w.NullField("referral");
  }
  w.Field("target_type", d.target_status_id != kNoId ? "status" : "account");
  w.Key("target_account_id").IdString(d.target_account_id);
  WriteOptionalId(w, "target_status_id", d.target_status_id);
  w.Field("category", d.category);
  WriteOptionalId(w, "appeal_of", d.appeal_of);
  WriteOptionalId(w, "statement_id", d.statement_id);
  WriteOptionalTime(w, "reversed_at", d.reversed_at);
  WriteOptionalId(w, "reversed_by", d.reversed_by);
  w.Field("created_at", FormatIso8601(d.created_at));
  w.EndObject();
}

std::string StatementJson(const StatementOfReasons& s) {
  JsonWriter w;
  w.BeginObject();
  w.Key("id").IdString(s.id);
  w.Key("decision_id").IdString(s.decision_id);
  w.Key("account_id").IdString(s.account_id);
  w.Field("created_at", FormatIso8601(s.created_at));
  w.Field("redress", s.redress);
  std::string out = w.Take();
  // Then every Transparency Database field, from the same function the export uses.
  const std::string tdb = StatementTransparencyJson(s);
  if (tdb.size() > 2) {
    out += ',';
    out.append(tdb, 1, std::string::npos);
  } else {
    out += '}';
  }
  return out;
}

void WriteAppeal(JsonWriter& w, const Appeal& a, const Decision* resolution) {
  w.BeginObject();
  w.Key("id").IdString(a.id);
  w.Key("decision_id").IdString(a.decision_id);
  w.Field("role", AppellantRoleName(a.role));
  w.Field("text", a.text);
  w.Field("state", AppealStateName(a.state));
  w.Field("created_at", FormatIso8601(a.filed_at));
  WriteOptionalTime(w, "resolved_at", a.resolved_at);
  if (resolution != nullptr) {
    w.Key("resolution").BeginObject();
    w.Key("decision_id").IdString(resolution->id);
    w.Field("action", DecisionActionName(resolution->action));
    w.Field("facts", resolution->facts);
    w.Field("reasons", resolution->reasons);
    WriteOptionalId(w, "statement_id", resolution->statement_id);
    w.Field("created_at", FormatIso8601(resolution->created_at));
    w.EndObject();
  } else {
    w.NullField("resolution");
  }
  w.EndObject();
}

void WriteModerationPayload(JsonWriter& w, social::Core& core, const Notification& n) {
  if (n.type != NotificationType::kModerationWarning && n.type != NotificationType::kNoticeOutcome) {
    return;
  }
  auto read = core.storage().Read();
  auto d = read->decisions().Get(n.activity_id);
  if (!d.ok()) return;
  // The appeal this decision resolves (uphold / reverse), or the recipient's appeal against it.
  std::optional<Appeal> appeal;
  if (d->action == DecisionAction::kUphold || d->action == DecisionAction::kReverse) {
    if (auto a = read->decisions().FindAppealByCase(d->case_id); a.ok()) appeal = *a;
  } else {
    for (auto& a : read->decisions().ListAppeals(d->id)) {
      if (a.appellant_id == n.account_id) appeal = a;
    }
  }
  // For an appeal's outcome, the decision appealed says what was at stake.
  std::optional<Decision> appealed;
  if (d->appeal_of != kNoId) {
    if (auto o = read->decisions().Get(d->appeal_of); o.ok()) appealed = *o;
  }
  if (n.type == NotificationType::kModerationWarning) {
    w.Key("moderation_warning").BeginObject();
    w.Key("id").IdString(d->id);
    const DecisionAction shown = d->action == DecisionAction::kUphold && appealed
                                     ? appealed->action
                                     : d->action;
    w.Field("action", WarningAction(shown));
    w.Field("text", d->facts + "\n\n" + d->reasons);
    const Id status_id =
        d->target_status_id != kNoId ? d->target_status_id : kNoId;
    if (status_id != kNoId) {
      w.Key("status_ids").BeginArray().IdString(status_id).EndArray();
    } else {
      w.NullField("status_ids");
    }
    w.Key("target_account");
    if (auto account = core.LoadAccount(d->target_account_id)) {
      WriteAccount(w, core, *account);
    } else {
      w.Null();
    }
    if (appeal) {
      w.Key("appeal").BeginObject();
      w.Field("text", appeal->text);
      w.Field("state", MastodonAppealState(appeal->state));
      w.EndObject();
    } else {
      w.NullField("appeal");
    }
    w.Field("created_at", FormatIso8601(d->created_at));
    // stoa's additions: the decision's own action and its statement of reasons.
    w.Field("decision_action", DecisionActionName(d->action));
    WriteOptionalId(w, "statement_id", d->statement_id);
    // DSA Art. 23: the warning (or suspension) this decision's strike led to.
    WriteMisuse(w,
                read->decisions().ListMeasures(MisuseSubject::kAccount,
                                               IdToString(d->target_account_id)),
                d->id);
    w.EndObject();
  } else {
    w.Key("notice_outcome").BeginObject();
    w.Key("decision_id").IdString(d->id);
    w.Field("action", DecisionActionName(d->action));
    w.Field("reasons", d->reasons);
    w.Field("target_type", d->target_status_id != kNoId ? "status" : "account");
    if (appeal && appeal->appellant_id == n.account_id) {
      w.Key("appeal_id").IdString(appeal->id);
      w.Field("appeal_state", AppealStateName(appeal->state));
    }
    // DSA Art. 23(2): a warning about (or suspension of) the recipient's notices.
    WriteMisuse(w,
                read->decisions().ListMeasures(MisuseSubject::kNotifier,
                                               "account:" + IdToString(n.account_id)),
                d->id);
    w.Field("created_at", FormatIso8601(d->created_at));
    w.EndObject();
  }
}

}  // namespace stoa::http::api
