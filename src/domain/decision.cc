#include "domain/decision.h"

#include <array>
#include <utility>

#include "common/json_writer.h"

namespace stoa {
namespace {

constexpr std::array<std::pair<DecisionAction, std::string_view>, 11> kActionNames = {{
    {DecisionAction::kNoAction, "no_action"},
    {DecisionAction::kMarkSensitive, "mark_sensitive"},
    {DecisionAction::kRestrictVisibility, "restrict_visibility"},
    {DecisionAction::kRemoveStatus, "remove_status"},
    {DecisionAction::kSilenceAccount, "silence_account"},
    {DecisionAction::kSuspendAccount, "suspend_account"},
    {DecisionAction::kDisableLogin, "disable_login"},
    {DecisionAction::kUphold, "uphold"},
    {DecisionAction::kReverse, "reverse"},
    {DecisionAction::kWarn, "warn"},
    {DecisionAction::kMarkAccountSensitive, "mark_account_sensitive"},
}};

void StringArray(JsonWriter& w, std::string_view key, const std::vector<std::string>& values) {
  w.Key(key).BeginArray();
  for (const auto& v : values) w.String(v);
  w.EndArray();
}

// Optional Transparency Database fields are left out when empty.
void Optional(JsonWriter& w, std::string_view key, const std::string& value) {
  if (!value.empty()) w.Field(key, value);
}

}  // namespace

std::string_view DecisionActionName(DecisionAction action) {
  for (const auto& [a, name] : kActionNames) {
    if (a == action) return name;
  }
  return "";
}

std::optional<DecisionAction> ParseDecisionAction(std::string_view name) {
  for (const auto& [a, n] : kActionNames) {
    if (n == name) return a;
  }
  return std::nullopt;
}

bool IsStatusAction(DecisionAction action) {
  return action == DecisionAction::kMarkSensitive ||
         action == DecisionAction::kRestrictVisibility || action == DecisionAction::kRemoveStatus;
}

bool IsAccountAction(DecisionAction action) {
  return action == DecisionAction::kSilenceAccount || action == DecisionAction::kSuspendAccount ||
         action == DecisionAction::kDisableLogin || action == DecisionAction::kMarkAccountSensitive;
}

bool IsRestrictive(DecisionAction action) { return IsStatusAction(action) || IsAccountAction(action); }

std::string_view DecisionGroundName(DecisionGround ground) {
  switch (ground) {
    case DecisionGround::kNone: return "";
    case DecisionGround::kIllegal: return "illegal";
    case DecisionGround::kTerms: return "terms";
  }
  return "";
}

std::optional<DecisionGround> ParseDecisionGround(std::string_view name) {
  if (name.empty()) return DecisionGround::kNone;
  if (name == "illegal") return DecisionGround::kIllegal;
  if (name == "terms") return DecisionGround::kTerms;
  return std::nullopt;
}

std::string_view AutomatedDecisionName(AutomatedDecision a) {
  switch (a) {
    case AutomatedDecision::kNotAutomated: return "not_automated";
    case AutomatedDecision::kPartially: return "partially";
    case AutomatedDecision::kFully: return "fully";
  }
  return "not_automated";
}

std::optional<AutomatedDecision> ParseAutomatedDecision(std::string_view name) {
  if (name == "not_automated") return AutomatedDecision::kNotAutomated;
  if (name == "partially") return AutomatedDecision::kPartially;
  if (name == "fully") return AutomatedDecision::kFully;
  return std::nullopt;
}

std::string StatementTransparencyJson(const StatementOfReasons& s) {
  JsonWriter w;
  w.BeginObject();
  if (!s.decision_visibility.empty()) StringArray(w, "decision_visibility", s.decision_visibility);
  Optional(w, "decision_visibility_other", s.decision_visibility_other);
  Optional(w, "decision_monetary", s.decision_monetary);
  Optional(w, "decision_provision", s.decision_provision);
  Optional(w, "decision_account", s.decision_account);
  Optional(w, "account_type", s.account_type);
  w.Field("decision_ground", s.decision_ground);
  Optional(w, "decision_ground_reference_url", s.decision_ground_reference_url);
  Optional(w, "illegal_content_legal_ground", s.illegal_content_legal_ground);
  Optional(w, "illegal_content_explanation", s.illegal_content_explanation);
  Optional(w, "incompatible_content_ground", s.incompatible_content_ground);
  Optional(w, "incompatible_content_explanation", s.incompatible_content_explanation);
  Optional(w, "incompatible_content_illegal", s.incompatible_content_illegal);
  StringArray(w, "content_type", s.content_type);
  w.Field("category", s.category);
  if (!s.category_specification.empty()) {
    StringArray(w, "category_specification", s.category_specification);
  }
  StringArray(w, "territorial_scope", s.territorial_scope);
  Optional(w, "content_language", s.content_language);
  w.Field("content_date", s.content_date);
  w.Field("application_date", s.application_date);
  Optional(w, "end_date_visibility_restriction", s.end_date_visibility_restriction);
  Optional(w, "end_date_monetary_restriction", s.end_date_monetary_restriction);
  Optional(w, "end_date_service_restriction", s.end_date_service_restriction);
  Optional(w, "end_date_account_restriction", s.end_date_account_restriction);
  w.Field("decision_facts", s.decision_facts);
  w.Field("source_type", s.source_type);
  if (s.source_type != "SOURCE_VOLUNTARY") Optional(w, "source_identity", s.source_identity);
  w.Field("automated_detection", s.automated_detection);
  w.Field("automated_decision", s.automated_decision);
  w.Field("puid", s.puid);
  w.EndObject();
  return w.Take();
}

std::string_view AppellantRoleName(AppellantRole role) {
  return role == AppellantRole::kAffected ? "affected" : "notifier";
}

std::optional<AppellantRole> ParseAppellantRole(std::string_view name) {
  if (name == "affected") return AppellantRole::kAffected;
  if (name == "notifier") return AppellantRole::kNotifier;
  return std::nullopt;
}

std::string_view AppealStateName(AppealState state) {
  switch (state) {
    case AppealState::kPending: return "pending";
    case AppealState::kUpheld: return "upheld";
    case AppealState::kReversed: return "reversed";
  }
  return "pending";
}

std::optional<AppealState> ParseAppealState(std::string_view name) {
  if (name == "pending") return AppealState::kPending;
  if (name == "upheld") return AppealState::kUpheld;
  if (name == "reversed") return AppealState::kReversed;
  return std::nullopt;
}

std::string_view MisuseSubjectName(MisuseSubject s) {
  return s == MisuseSubject::kAccount ? "account" : "notifier";
}

std::string_view MisuseMeasureKindName(MisuseMeasureKind k) {
  return k == MisuseMeasureKind::kWarning ? "warning" : "suspension";
}

}  // namespace stoa
