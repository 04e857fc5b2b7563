// Cases and the moderators' queue: claiming the head under a lease, renewing, releasing,
// admins' assignments, notes; and the entry points the decisions and appeals use to close a held
// case or open an appeal case.
//
// Holding: a case is held by the moderator it is assigned to while its lease runs
// (Case::HeldBy). Every change bumps the case's version; callers that pass the version they saw
// get 409 "stale version" when it moved on. Claims, renewals, releases and assignments are
// audit-log entries written in the same transaction.
//
// Two moderators can never hold one case: claims run in the single writer's transactions and the
// claim is a conditional UPDATE of an unassigned case (storage::Cases::ClaimHead).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "domain/safety.h"
#include "safety/audit_log.h"
#include "safety/campaigns.h"
#include "safety/triage.h"
#include "social/core.h"
#include "storage/storage.h"

namespace stoa::safety {

// Who sent a notice of a case, for telling them the outcome.
struct CaseNotifier {
  Id notice_id = kNoId;
  std::string reference;
  NoticeSource source = NoticeSource::kAnonymous;
  Id account_id = kNoId;  // members: notify in the app
  std::string email;      // "" when none was given
};

class CaseService {
 public:
  // `lease`: how long a claim or an assignment holds (config safety.lease_minutes).
  CaseService(social::Core& core, const Triage& triage, Duration lease, AuditLog& audit)
      : core_(core), triage_(triage), lease_(lease), audit_(audit) {}

  Duration lease() const { return lease_; }

  // Claims the head of the queue for `moderator_id` (expired leases are returned to the queue
  // first). kNotFound "No case is waiting for you" when nothing is claimable by the caller.
  Result<Case> ClaimNext(Id moderator_id);
  // Extends the caller's lease to now + lease. kPermissionDenied "This case is not held by you";
  // kConflict "stale version" when `version` is given and is not the case's.
  Result<Case> Renew(Id case_id, Id moderator_id, std::optional<int64_t> version);
  // Gives the case back to the queue.
  Result<Case> Release(Id case_id, Id moderator_id, std::optional<int64_t> version);
  // An admin gives an open case to a named moderator (taking it from whoever held it).
  // kInvalidArgument when the assignee is not staff or is excluded from the case.
  Result<Case> Assign(Id case_id, Id assignee_id, Id admin_id, std::optional<int64_t> version);

  Result<CaseNote> AddNote(Id case_id, Id author_id, std::string_view text);

  // A moderator takes status `status_id` out of open notice case `case_id` (a campaign member
  // grouped there by mistake; docs/screening.md, "Campaigns"): off the case's list and, with
  // campaigns set, out of their index (Campaigns::Remove), so the case's decision does not cover
  // it and nothing joins the case through it. In one transaction: the case's version + 1 and the
  // audit entry "case.remove_status" (`reason` as its reasons; the status, its author and the
  // new version in its details). The status's notices stay in the case's record.
  // Errors: kNotFound for an unknown case or a status it does not list; kConflict "The case is
  // decided" when it is closed, "stale version" when `version` is given and is not the case's,
  // "This case is held by another moderator" unless the actor holds it, nobody does or
  // `override_holder` (admins), and when the status is held by screening (it waits for a
  // decision: the case's releases it); kInvalidArgument for a blank reason or one over
  // kMaxNoteChars, the status that opened the case (its target) and the case's last status.
  Result<Case> RemoveStatus(Id case_id, Id status_id, Id actor_id, bool override_holder,
                            std::string_view reason, std::optional<int64_t> version);

  // Campaigns (set once at start-up, may stay null): RemoveStatus keeps their index in line.
  void SetCampaigns(Campaigns* campaigns) { campaigns_ = campaigns; }

  // For the decisions helper: inside the decision's transaction, checks that the caller holds the
  // case at `version` (kConflict "stale version" / kPermissionDenied "This case is not held by
  // you" otherwise) and closes it (version + 1, lease ended, closed_at = now).
  Result<Case> CloseHeldCase(storage::Transaction& tx, Id case_id, Id moderator_id,
                             int64_t version, Timestamp now);
  // For appeals: opens an appeal case about the decision (target = the decision's target), which
  // `excluded_moderator_id` can never claim nor be assigned. Deadline: the illegal-content class
  // (7 days by default) from now.
  Result<Case> OpenAppealCase(storage::Transaction& tx, Id decision_id, TargetType target_type,
                              Id target_id, Category category, Id excluded_moderator_id,
                              Timestamp now);
  // For the decisions helper: everyone with a notice in the case.
  std::vector<CaseNotifier> Notifiers(storage::Transaction& tx, Id case_id);
  // Sets the outcome of every undecided notice item of the case.
  Status SetNoticeOutcome(storage::Transaction& tx, Id case_id, Id decision_id,
                          std::string_view outcome, Timestamp now);

  static constexpr int kMaxNoticesPerCase = 100000;
  static constexpr size_t kMaxNoteChars = 5000;

 private:
  Result<Case> Change(Id case_id, Id actor_id, std::optional<int64_t> version,
                      std::string_view action, std::string details_json,
                      const std::function<Status(Case&, Timestamp)>& change);

  social::Core& core_;
  const Triage& triage_;
  Duration lease_;
  AuditLog& audit_;
  Campaigns* campaigns_ = nullptr;
};

}  // namespace stoa::safety
