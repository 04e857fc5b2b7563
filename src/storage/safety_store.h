// Trust and safety storage: notices (with their items and snapshots), cases and the queue,
// moderators' notes, priority notifiers and the outbox.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "domain/safety.h"
#include "storage/page.h"

namespace stoa::storage {

class Notices {
 public:
  virtual ~Notices() = default;

  // With its items.
  virtual Result<Notice> Get(Id id) const = 0;
  virtual Result<Notice> FindByReference(std::string_view reference) const = 0;
  // The notices with an item in `case_id`, oldest first, each with only its items in that case;
  // at most `limit`.
  virtual std::vector<Notice> ListForCase(Id case_id, int limit) const = 0;
  // Members' reports (notices with reporter_account_id) newest first, with their items.
  virtual std::vector<Notice> ListByReporter(Id account_id, const PageQuery& page) const = 0;
  // Notices received in [from, to) (by id range).
  virtual int64_t CountReceived(Timestamp from, Timestamp to) const = 0;

  // Inserts the notice and its items (each item's case_id must be set).
  virtual Status Insert(const Notice& notice) = 0;
  // Records the decision and outcome on every undecided item of `case_id`.
  virtual Status SetCaseOutcome(Id case_id, Id decision_id, std::string_view outcome,
                                Timestamp at) = 0;
};

struct CaseFilter {
  std::optional<CaseState> state;
  std::optional<Category> category;
  std::optional<NoticeSource> source;  // cases with at least one notice from this source
  Id assigned_to = kNoId;              // kNoId: anyone; holders whose lease is still valid
  std::optional<Timestamp> deadline_before;
  std::optional<CaseKind> kind;
  Id account_id = kNoId;  // cases about this account or its statuses
  // Only cases with at least one notice (Mastodon's reports; not the cases of the moderators'
  // own initiative that the admin API's account actions open).
  bool with_notices = false;
  // Keyset paging in queue order: the cases after this one.
  Id after_id = kNoId;
  Timestamp now;  // for the assigned_to filter
};

class Cases {
 public:
  virtual ~Cases() = default;

  virtual Result<Case> Get(Id id) const = 0;
  // The open notice case about the target, if any.
  virtual std::optional<Case> FindOpenForTarget(TargetType type, Id target_id) const = 0;
  // Queue order: deadline_at ascending, then score descending, then id ascending.
  virtual std::vector<Case> List(const CaseFilter& filter, int limit) const = 0;
  // Cases about an account or its statuses (any state), newest first.
  virtual std::vector<Case> ListForAccount(Id account_id, int limit) const = 0;
  virtual int64_t CountOpen() const = 0;

  virtual Status Insert(const Case& c) = 0;
  // Writes every field of `c` when the stored version is still `c.version`, storing version + 1.
  // kConflict "stale version" when it is not; kNotFound when there is no such case.
  virtual Status Update(const Case& c) = 0;
  // A notice joining the case: writes only its counters and triage fields (category, urgency,
  // score, deadline_at, notices_count, distinct_notifiers, priority_notices, sources,
  // threat_to_life, updated_at) when the stored version is still `c.version`, storing version + 1;
  // every other field keeps its stored value. Errors as Update.
  virtual Status UpdateTriage(const Case& c) = 0;
  // Records that `notifier_key` has a notice in the case. Result: true when it is new there.
  virtual Result<bool> AddNotifier(Id case_id, std::string_view notifier_key) = 0;
  // Brigading signal for a member `account_id` joining the case as a notifier: among at most
  // `limit` other members with a notice in the case (notifier keys "account:<id>"), how many
  // there are and how many of them follow `account_id` or are followed by it.
  struct NotifierLinks {
    int64_t members = 0;
    int64_t linked = 0;
  };
  virtual NotifierLinks MemberNotifierLinks(Id case_id, Id account_id, int limit) const = 0;
  // Every open case whose lease ended at or before `now` becomes unassigned (version + 1).
  // Result: how many.
  virtual Result<int64_t> ExpireLeases(Timestamp now) = 0;
  // Gives the head of the queue among open, unassigned cases that `moderator_id` may claim to
  // them until `lease_until` (version + 1). Call ExpireLeases first. nullopt when none.
  virtual Result<std::optional<Case>> ClaimHead(Id moderator_id, Timestamp lease_until,
                                                Timestamp now) = 0;

  virtual std::vector<CaseNote> ListNotes(Id case_id) const = 0;
  virtual Status InsertNote(const CaseNote& note) = 0;

  // The statuses of a notice case (campaigns, migration 0015). Adding a status the case already
  // lists changes nothing.
  virtual Status AddStatus(const CaseStatus& status) = 0;
  // At most `limit`, in the order they were added (the target first).
  virtual std::vector<CaseStatus> ListStatuses(Id case_id, int limit) const = 0;
  // Takes `status_id` off the case's list (a moderator's correction of a campaign).
  // kNotFound when the case does not list it.
  virtual Status RemoveStatus(Id case_id, Id status_id) = 0;
  // Records that `status_id` was taken out of case `case_id` and must not join it again
  // (migration 0017). Recording it twice changes nothing.
  virtual Status ExcludeStatus(Id case_id, Id status_id) = 0;
  virtual Result<bool> IsExcluded(Id case_id, Id status_id) const = 0;
  // The (case, status) exclusions of every open notice case (loaded at start).
  virtual std::vector<std::pair<Id, Id>> ListOpenCaseExclusions() const = 0;
  // The open notice case that lists the status (its target or a campaign member), if any.
  virtual std::optional<Case> FindOpenWithStatus(Id status_id) const = 0;
  // The statuses with a fingerprint of every open notice case, oldest first (loaded at start).
  virtual std::vector<CaseStatus> ListOpenCaseStatuses() const = 0;
};

class Notifiers {
 public:
  virtual ~Notifiers() = default;
  virtual Result<PriorityNotifier> Get(Id id) const = 0;
  // Active (not revoked) notifier with this key hash.
  virtual Result<PriorityNotifier> FindByKeyHash(std::string_view key_hash) const = 0;
  // All, revoked included, oldest first.
  virtual std::vector<PriorityNotifier> List() const = 0;
  virtual Status Insert(const PriorityNotifier& n) = 0;
  // kNotFound when unknown or already revoked.
  virtual Status Revoke(Id id, Timestamp at) = 0;
};

class Outbox {
 public:
  virtual ~Outbox() = default;
  // Newest first.
  virtual std::vector<OutboxMessage> List(const PageQuery& page, bool unsent_only) const = 0;
  virtual Status Insert(const OutboxMessage& m) = 0;
  virtual Status MarkSent(Id id, Timestamp at) = 0;
};

}  // namespace stoa::storage
