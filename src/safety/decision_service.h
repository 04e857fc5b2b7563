// Deciding cases: one transaction holds the effect, the statement of reasons (DSA Art. 17), each
// notifier's outcome (a notification for members, an outbox message for email notifiers, the
// notice state for the status endpoint), the author's `moderation_warning` notification, the
// Art. 23 counters and measures, the audit entry and the closing of the case.
//
// Actions on notice cases: no_action, warn (a warning, no effect), mark_sensitive,
// restrict_visibility, remove_status (status cases), mark_account_sensitive, silence_account,
// suspend_account, disable_login (status or account cases: the account is the status's author).
// On appeal cases: uphold or reverse (a reversal undoes the appealed decision's effect; reversing
// a no_action decision applies a `replacement_action`).
//
// Mastodon's admin API acts on accounts directly (ActOnAccount, LiftOnAccount): the same
// decisions, statements of reasons, notifications and audit entries, on the report's case or on a
// case of the moderators' own initiative opened and closed for the purpose.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/config.h"
#include "common/status.h"
#include "domain/decision.h"
#include "domain/safety.h"
#include "safety/account_moderation.h"
#include "safety/audit_log.h"
#include "safety/campaigns.h"
#include "safety/case_service.h"
#include "safety/status_moderation.h"
#include "social/core.h"
#include "social/viewer.h"

namespace stoa::safety {

struct DecisionSettings {
  // Shown on statuses marked sensitive whose author gave no content warning.
  std::string content_warning = "Marked as sensitive by the moderators";
  // DSA Art. 17(3)(f) / 20 / 21: the redress options, sent with every statement of reasons.
  std::string redress =
      "You can appeal this decision within 6 months through this server's internal complaint "
      "system (POST /api/v1/appeals), free of charge; you may also turn to a certified "
      "out-of-court dispute settlement body (DSA Art. 21) or to a court.";
  // DSA Art. 20(1): how long after a decision the author may appeal.
  int appeal_window_days = 183;
  // Art. 23(1): strikes (restrictive decisions) counted in a sliding window; a warning at
  // `strike_warning_threshold`, a suspension of `strike_suspension_days` at the suspension one.
  int strike_window_days = 365;
  int strike_warning_threshold = 2;
  int strike_suspension_threshold = 3;
  int strike_suspension_days = 30;
  // Art. 23(2): manifestly unfounded notices per notifier, likewise.
  int unfounded_window_days = 180;
  int unfounded_warning_threshold = 3;
  int unfounded_suspension_threshold = 5;
  int unfounded_suspension_days = 30;
  int max_bulk_cases = 1000;

  // The [safety] configuration's values (the texts keep their defaults).
  static DecisionSettings FromConfig(const Config::Safety& config);
};

// What a moderator decides (validated by the service).
struct DecisionRequest {
  std::string action;  // DecisionActionName values
  std::string ground;  // "illegal", "terms", or "" (no_action, uphold, reverse)
  std::string facts;
  std::string reasons;
  std::string legal_provision;
  Id rule_id = kNoId;
  std::optional<Timestamp> until;  // suspend_account only
  std::vector<std::string> territorial_scope;  // ISO 3166-1 alpha-2; empty: the EEA
  bool automated_detection = false;
  AutomatedDecision automated_decision = AutomatedDecision::kNotAutomated;
  // With no_action: the notices were manifestly unfounded (counted per notifier, Art. 23(2)).
  bool manifestly_unfounded = false;
  // Art. 18: the authority the case was referred to ("" for none) and its file reference.
  std::string referral_authority;
  std::string referral_reference;
  // With reverse of a no_action decision: the action taken instead (with ground and its
  // provision or rule).
  std::string replacement_action;
};

// Mastodon's POST /api/v1/admin/accounts/:id/action, with stoa's additions.
struct AccountActionRequest {
  AccountAction type = AccountAction::kNone;
  Id report_id = kNoId;          // a case about the account (Mastodon's report), or kNoId
  Id warning_preset_id = kNoId;  // its text goes before `text`
  std::string text;              // the warning to the member: the statement's explanation
  std::optional<Timestamp> until;  // suspend only
  bool send_email = false;
  // The ground (DSA Art. 17(3)(d)/(e)); Mastodon clients send none: then "terms", with the
  // report's first rule when it names one, else the instance's terms as a whole.
  std::string ground;  // "", "illegal", "terms"
  std::string legal_provision;
  Id rule_id = kNoId;
  std::string facts;     // "": described from the account, the report and the action
  std::string category;  // STATEMENT_CATEGORY_*; "": the report's, else by the ground
  std::vector<std::string> territorial_scope;
};

// What an account action did, for the caller's in-memory refresh and the answer.
struct AccountActionResult {
  Decision decision;
  std::vector<Id> closed_cases;  // the reports it resolved
};

// A case and the version the moderator saw.
struct CaseRef {
  Id case_id = kNoId;
  int64_t version = 0;
};

class DecisionService {
 public:
  // Every reference must outlive the service.
  DecisionService(social::Core& core, CaseService& cases, AuditLog& audit,
                  AccountModeration& accounts, StatusModeration& statuses,
                  DecisionSettings settings);

  // Decides a case the moderator holds. Errors: kInvalidArgument (422) for bad input, kNotFound
  // for an unknown case, the case service's error for a case not held by the moderator or a
  // stale version (409); nothing is written on error.
  Result<Decision> Decide(const social::Viewer& moderator, const CaseRef& ref,
                          const DecisionRequest& request);
  // The same decision on up to max_bulk_cases held cases, each with its own statement and audit
  // entry, in one transaction: all or nothing (the error names the case that failed).
  Result<std::vector<Decision>> DecideMany(const social::Viewer& moderator,
                                           std::span<const CaseRef> refs,
                                           const DecisionRequest& request);

  // Mastodon's account action, in one transaction: the effect, a decision (action warn,
  // mark_account_sensitive, disable_login, silence_account or suspend_account) with its
  // statement of reasons for every restriction, a strike, the member's moderation_warning
  // notification (and an email in the outbox with `send_email`), the reports it resolves (the
  // given one for `none`, every open report about the account otherwise; each notifier gets the
  // outcome) and the audit entry "account.<type>". Errors (nothing written): kNotFound for an
  // unknown account, report or preset; kInvalidArgument for a report about another account, bad
  // ground, text or until; kConflict when the report is held by another moderator. The caller
  // checks that the moderator may act on the account.
  Result<AccountActionResult> ActOnAccount(const social::Viewer& moderator, Id account_id,
                                           const AccountActionRequest& request);
  // Mastodon's enable, unsilence, unsuspend, unsensitive: lifts the effect and reverses every
  // decision still in force that imposed it (a `reverse` decision each, strikes removed, the
  // member told with a moderation_warning), with the audit entry "account.<un-action>"; nothing
  // to lift changes nothing but the audit entry. Result: the reversal decisions.
  Result<std::vector<Decision>> LiftOnAccount(const social::Viewer& moderator, Id account_id,
                                              AccountAction lifted, const std::string& text);

  // Staff only (kNotFound for others).
  Result<Decision> Get(const social::Viewer& viewer, Id id);
  // The statement of reasons: for the member it is addressed to and for staff; kNotFound for
  // everyone else.
  Result<StatementOfReasons> GetStatement(const social::Viewer& viewer, Id id);

  const DecisionSettings& settings() const { return settings_; }

  // Campaigns (campaigns.h; set once at start-up, may stay null): a decided case's statuses are
  // forgotten after the commit. The fan-out over a campaign case's statuses (below) needs only
  // the stored list and happens without it too.
  void SetCampaigns(Campaigns* campaigns) { campaigns_ = campaigns; }

  // At most this many statuses of one campaign case are decided with it.
  static constexpr int kMaxCampaignStatuses = 10000;

  // Sends the reasoned outcome of an appeal decision to `account_id` inside `tx` (used by the
  // decision itself and by the appeal service).
  Status NotifyOutcome(storage::Transaction& tx, Id account_id, NotificationType type,
                       Id decision_id, Timestamp now);

 private:
  struct Effects;  // what to refresh in memory after the commit
  Result<Decision> DecideInTx(storage::Transaction& tx, Id moderator_id, const CaseRef& ref,
                              const DecisionRequest& request, Timestamp now, Effects& effects);
  Status ApplyEffect(storage::Transaction& tx, const Decision& d, DecisionAction action,
                     Timestamp now, Effects& effects);
  // A campaign case (campaigns.h): the decision `d` on its target, taken for each other status
  // the case lists: a decision of its own per status (per author for account actions), with its
  // effect, hold release, statement of reasons, strike, moderation_warning and audit entry.
  Status DecideCampaignMembers(storage::Transaction& tx, const Case& c, const Decision& d,
                               DecisionAction effect, Timestamp now, Effects& effects);
  // Stores decision `d` on case `c`: with a restrictive effect first its statement of reasons
  // (d.statement_id set) and the strike it counts.
  Status Record(storage::Transaction& tx, const Case& c, Decision& d, DecisionAction effect,
                Timestamp now, Effects& effects);
  // The audit entry of decision `d` on case `c` (actor: its moderator).
  static AuditDraft DecisionAudit(const Case& c, const Decision& d, std::string action,
                                  std::string details_json);
  Status LiftEffect(storage::Transaction& tx, const Decision& original, Timestamp now,
                    Effects& effects);
  Result<StatementOfReasons> BuildStatement(storage::Transaction& tx, const Decision& d,
                                            DecisionAction effect, const Case& c, Timestamp now);
  Status InformNotifiers(storage::Transaction& tx, const Case& c, const Decision& d,
                         Timestamp now);
  Status CountStrike(storage::Transaction& tx, const Decision& d, Timestamp now,
                     Effects& effects);
  Status CountUnfounded(storage::Transaction& tx, const Case& c, const Decision& d,
                        Timestamp now);
  // The notifiers' track record: each notifier of notice case `case_id` gets `delta`.
  Status RecordForNotifiers(storage::Transaction& tx, Id case_id, const NotifierRecord& delta);
  // How many accounts other than `account_id` wrote statuses case `c` lists (a campaign's).
  static size_t OtherAuthors(storage::Transaction& tx, const Case& c, Id account_id);
  // Closes an open notice case the moderator resolves outside the queue (the admin API); its
  // notifiers get the decision's outcome and a track-record entry. kConflict when another
  // moderator holds it.
  Status ResolveCase(storage::Transaction& tx, Case c, Id moderator_id, const Decision& d,
                     Timestamp now);
  void AfterCommit(const Effects& effects);

  social::Core& core_;
  CaseService& cases_;
  AuditLog& audit_;
  AccountModeration& accounts_;
  StatusModeration& statuses_;
  const DecisionSettings settings_;
  Campaigns* campaigns_ = nullptr;
};

// The outcome told to notifiers ("removed", "no action" ...), for notices and notifications.
std::string NotifierOutcome(const Decision& d);

}  // namespace stoa::safety
