// A moderator's decision on a case, the statement of reasons it owes the affected member (DSA
// Art. 17, in the shape of the DSA Transparency Database, reference/compliance.md section 2), and
// an appeal against a decision (DSA Art. 20).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/id.h"

namespace stoa {

// What a decision does. kUphold and kReverse are only taken on appeal cases.
enum class DecisionAction {
  kNoAction,            // dismiss
  kMarkSensitive,       // the status gets a content warning
  kRestrictVisibility,  // the status leaves public and hashtag timelines and search
  kRemoveStatus,        // the status is gone for everyone but staff
  kSilenceAccount,
  kSuspendAccount,  // until a date, or indefinitely
  kDisableLogin,
  kUphold,   // an appeal is rejected: the appealed decision stands
  kReverse,  // an appeal succeeds: the appealed decision's effect is undone
  // Mastodon's account actions that have no status counterpart:
  kWarn,                  // "none": a warning to the account's member, no effect, no strike
  kMarkAccountSensitive,  // "sensitive": every status of the account is shown sensitive
};

// "no_action", "mark_sensitive", ... as in the API.
std::string_view DecisionActionName(DecisionAction action);
std::optional<DecisionAction> ParseDecisionAction(std::string_view name);
// True for the actions that restrict a status (they need a status target).
bool IsStatusAction(DecisionAction action);
// True for the actions that restrict the author's account.
bool IsAccountAction(DecisionAction action);
// True for an action with an effect that restricts the member (a strike; Art. 17 applies).
bool IsRestrictive(DecisionAction action);

enum class DecisionGround {
  kNone,     // only for no_action, uphold and reverse
  kIllegal,  // illegal content: a legal provision (e.g. "§ 241 StGB")
  kTerms,    // incompatible with the terms: an instance rule
};
std::string_view DecisionGroundName(DecisionGround ground);  // "", "illegal", "terms"
std::optional<DecisionGround> ParseDecisionGround(std::string_view name);

// Whether a decision was taken by automated means (DSA Art. 17(3)(c)).
enum class AutomatedDecision { kNotAutomated, kPartially, kFully };
std::string_view AutomatedDecisionName(AutomatedDecision a);  // "not_automated", "partially", "fully"
std::optional<AutomatedDecision> ParseAutomatedDecision(std::string_view name);

// An Art. 18 referral to law enforcement (threat to life or safety).
struct Referral {
  std::string authority;  // e.g. "LKA Berlin" or "Europol"
  Timestamp at;
  std::string reference;  // the authority's file number; "" when none yet
};

// A text moderators can start a warning from (Mastodon's AccountWarningPreset).
struct WarningPreset {
  Id id = kNoId;
  std::string title;
  std::string text;
  Timestamp created_at;
  Timestamp updated_at;
};

struct Decision {
  Id id = kNoId;
  Id case_id = kNoId;
  DecisionAction action = DecisionAction::kNoAction;
  DecisionGround ground = DecisionGround::kNone;
  std::string legal_provision;  // with kIllegal
  Id rule_id = kNoId;           // with kTerms
  std::string facts;
  std::string reasons;
  std::optional<Timestamp> until;              // end of a suspension; nullopt: indefinite
  std::vector<std::string> territorial_scope;  // ISO 3166-1 alpha-2 codes, upper case
  bool automated_detection = false;
  AutomatedDecision automated_decision = AutomatedDecision::kNotAutomated;
  Id moderator_id = kNoId;
  std::optional<Referral> referral;
  // What the case was about: the account affected, and the status (kNoId for account cases).
  Id target_account_id = kNoId;
  Id target_status_id = kNoId;
  std::string category;  // STATEMENT_CATEGORY_* of the case ("" when unknown)
  Id appeal_of = kNoId;  // for kUphold / kReverse: the decision appealed
  Id statement_id = kNoId;  // the statement of reasons (kNoId when none is owed)
  std::optional<Timestamp> reversed_at;  // set when an appeal reversed this decision
  Id reversed_by = kNoId;                // the kReverse decision
  Timestamp created_at;
};

// The DSA Art. 17 statement of reasons for one decision, with the Transparency Database field
// names and enumerated values. No personal data is placed in the Transparency Database fields;
// `account_id` and `redress` are for the member and are not exported.
struct StatementOfReasons {
  Id id = kNoId;
  Id decision_id = kNoId;
  Id account_id = kNoId;  // the member it is addressed to
  std::string puid;       // unique, never reused: "<host>-sor-<id>"
  // 17(3)(a): the measure, its territorial scope and duration.
  std::vector<std::string> decision_visibility;  // DECISION_VISIBILITY_*
  std::string decision_visibility_other;
  std::string decision_monetary;  // unused by stoa ("" = none)
  std::string decision_provision;  // DECISION_PROVISION_*
  std::string decision_account;    // DECISION_ACCOUNT_*
  std::string account_type = "ACCOUNT_TYPE_PRIVATE";
  std::vector<std::string> territorial_scope;
  std::string end_date_visibility_restriction;  // YYYY-MM-DD or "" (indefinite / none)
  std::string end_date_monetary_restriction;
  std::string end_date_service_restriction;
  std::string end_date_account_restriction;
  // 17(3)(b): facts and circumstances, and whether on a notice or own initiative.
  std::string decision_facts;
  std::string source_type;  // SOURCE_ARTICLE_16, SOURCE_TRUSTED_FLAGGER, SOURCE_TYPE_OTHER_NOTIFICATION, SOURCE_VOLUNTARY
  std::string source_identity;  // only for trusted flaggers (their public name)
  // 17(3)(c): automation.
  std::string automated_detection;  // "Yes" / "No"
  std::string automated_decision;   // AUTOMATED_DECISION_*
  // 17(3)(d)/(e): the ground and its explanation.
  std::string decision_ground;  // DECISION_GROUND_ILLEGAL_CONTENT / _INCOMPATIBLE_CONTENT
  std::string decision_ground_reference_url;
  std::string illegal_content_legal_ground;
  std::string illegal_content_explanation;
  std::string incompatible_content_ground;
  std::string incompatible_content_explanation;
  std::string incompatible_content_illegal;  // "Yes" / "No" / ""
  std::vector<std::string> content_type = {"CONTENT_TYPE_TEXT"};
  std::string category;  // STATEMENT_CATEGORY_*
  std::vector<std::string> category_specification;
  std::string content_language;  // upper-case ISO 639-1 or ""
  std::string content_date;      // YYYY-MM-DD
  std::string application_date;  // YYYY-MM-DD
  // 17(3)(f): redress (internal complaint, out-of-court settlement, court). Not exported.
  std::string redress;
  Timestamp created_at;
};

// The Transparency Database JSON object of `s` (only its fields, no personal data; empty optional
// fields are left out).
std::string StatementTransparencyJson(const StatementOfReasons& s);

// Who appeals: the member the decision restricted, or a notifier against "no action".
enum class AppellantRole { kAffected, kNotifier };
std::string_view AppellantRoleName(AppellantRole role);  // "affected", "notifier"
std::optional<AppellantRole> ParseAppellantRole(std::string_view name);

enum class AppealState { kPending, kUpheld, kReversed };
std::string_view AppealStateName(AppealState state);  // "pending", "upheld", "reversed"
std::optional<AppealState> ParseAppealState(std::string_view name);

struct Appeal {
  Id id = kNoId;
  Id decision_id = kNoId;  // the decision appealed
  Id appellant_id = kNoId;  // the appellant's account
  AppellantRole role = AppellantRole::kAffected;
  std::string text;
  Id case_id = kNoId;  // the appeal case
  AppealState state = AppealState::kPending;
  Id resolution_id = kNoId;  // the uphold / reverse decision
  Timestamp filed_at;
  std::optional<Timestamp> resolved_at;
};

// Art. 23 measures against misuse: a warning first, then a suspension for a period.
enum class MisuseSubject { kAccount, kNotifier };  // repeated illegal content / unfounded notices
enum class MisuseMeasureKind { kWarning, kSuspension };
std::string_view MisuseSubjectName(MisuseSubject s);          // "account", "notifier"
std::string_view MisuseMeasureKindName(MisuseMeasureKind k);  // "warning", "suspension"

struct MisuseMeasure {
  Id id = kNoId;
  MisuseSubject subject = MisuseSubject::kAccount;
  std::string subject_key;  // the account id in decimal, or the notifier's key
  MisuseMeasureKind kind = MisuseMeasureKind::kWarning;
  Id decision_id = kNoId;  // the decision that crossed the threshold
  int64_t count = 0;       // strikes / unfounded notices counted in the window
  Timestamp starts_at;
  std::optional<Timestamp> ends_at;  // suspensions only
};

}  // namespace stoa
