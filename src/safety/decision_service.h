// Deciding cases: one transaction holds the effect, the statement of reasons (DSA Art. 17), each
// notifier's outcome (a notification for members, an outbox message for email notifiers, the
// notice state for the status endpoint), the author's `moderation_warning` notification, the
// Art. 23 counters and measures, the audit entry and the closing of the case.
//
// Actions on notice cases: no_action, mark_sensitive, restrict_visibility, remove_status (status
// cases), silence_account, suspend_account, disable_login (status or account cases: the account
// is the status's author). On appeal cases: uphold or reverse (a reversal undoes the appealed
// decision's effect; reversing a no_action decision applies a `replacement_action`).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "domain/decision.h"
#include "domain/safety.h"
#include "safety/account_moderation.h"
#include "safety/audit_log.h"
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

  // Staff only (kNotFound for others).
  Result<Decision> Get(const social::Viewer& viewer, Id id);
  // The statement of reasons: for the member it is addressed to and for staff; kNotFound for
  // everyone else.
  Result<StatementOfReasons> GetStatement(const social::Viewer& viewer, Id id);

  const DecisionSettings& settings() const { return settings_; }

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
  void AfterCommit(const Effects& effects);

  social::Core& core_;
  CaseService& cases_;
  AuditLog& audit_;
  AccountModeration& accounts_;
  StatusModeration& statuses_;
  const DecisionSettings settings_;
};

// The outcome told to notifiers ("removed", "no action" ...), for notices and notifications.
std::string NotifierOutcome(const Decision& d);

}  // namespace stoa::safety
