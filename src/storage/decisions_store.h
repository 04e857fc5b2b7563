// Decisions, their statements of reasons, appeals, the DSA Art. 23 counters (strikes per account,
// manifestly unfounded notices per notifier, and the measures taken on them) and the moderation
// state of statuses.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "domain/decision.h"
#include "domain/safety.h"
#include "storage/page.h"

namespace stoa::storage {

// A status's moderation state (the status effects of decisions; see safety/status_moderation.h).
struct StatusModeration {
  bool sensitive = false;
  std::string spoiler_text;  // the content warning added with `sensitive`
  std::optional<Timestamp> restricted_at;
  std::optional<Timestamp> removed_at;
};

class Decisions {
 public:
  virtual ~Decisions() = default;

  virtual Result<Decision> Get(Id id) const = 0;
  // Decisions on a case, oldest first.
  virtual std::vector<Decision> ListForCase(Id case_id) const = 0;
  // Decisions affecting an account (its history), newest first, paged by decision id.
  virtual std::vector<Decision> ListForAccount(Id account_id, const PageQuery& page) const = 0;
  // Decisions taken in [from, to) (by id range: ids are time-ordered), oldest first, after
  // `after_id`, at most `limit`.
  virtual std::vector<Decision> ListCreated(Timestamp from, Timestamp to, Id after_id,
                                            int limit) const = 0;

  virtual Result<StatementOfReasons> GetStatement(Id id) const = 0;
  // Statements created in [from, to), oldest first, after `after_id`, at most `limit`.
  virtual std::vector<StatementOfReasons> ListStatements(Timestamp from, Timestamp to, Id after_id,
                                                         int limit) const = 0;

  virtual Result<Appeal> GetAppeal(Id id) const = 0;
  // The appeal whose case is `case_id`.
  virtual Result<Appeal> FindAppealByCase(Id case_id) const = 0;
  // Appeals against a decision, oldest first.
  virtual std::vector<Appeal> ListAppeals(Id decision_id) const = 0;

  // Strikes of the account (restrictive decisions not reversed) at or after `since`.
  virtual int64_t CountStrikes(Id account_id, Timestamp since) const = 0;
  // Manifestly unfounded notices counted for the notifier at or after `since`.
  virtual int64_t CountUnfounded(std::string_view notifier_key, Timestamp since) const = 0;
  // Measures against misuse of a subject, newest first.
  virtual std::vector<MisuseMeasure> ListMeasures(MisuseSubject subject,
                                                  std::string_view subject_key) const = 0;
  // The end of the notifier's notice suspension in force at `now` (nullopt: none; a suspension
  // without an end is returned as Timestamp::max()).
  virtual std::optional<Timestamp> NotifierSuspendedUntil(std::string_view notifier_key,
                                                          Timestamp now) const = 0;
  // Art. 23 measures taken in [from, to), by subject.
  virtual int64_t CountSuspensions(MisuseSubject subject, Timestamp from, Timestamp to) const = 0;

  virtual Result<StatusModeration> GetStatusModeration(Id status_id) const = 0;
  // The notifier's track record (zeros for a notifier never decided on).
  virtual NotifierRecord GetNotifierRecord(std::string_view notifier_key) const = 0;

  // Warning presets, oldest first.
  virtual std::vector<WarningPreset> ListWarningPresets() const = 0;
  virtual Result<WarningPreset> GetWarningPreset(Id id) const = 0;

  // Inserts a decision (statement_id may already be set).
  virtual Status Insert(const Decision& d) = 0;
  // Marks a decision reversed by `reversed_by` at `at`; kNotFound when absent, kConflict when it
  // was already reversed.
  virtual Status MarkReversed(Id id, Id reversed_by, Timestamp at) = 0;
  // kAlreadyExists when the puid was used before.
  virtual Status InsertStatement(const StatementOfReasons& s) = 0;
  // kAlreadyExists when the appellant already appealed this decision.
  virtual Status InsertAppeal(const Appeal& a) = 0;
  // Sets state, resolution and resolved_at of a pending appeal; kConflict when not pending.
  virtual Status ResolveAppeal(Id id, AppealState state, Id resolution_id, Timestamp at) = 0;
  virtual Status AddStrike(Id account_id, Id decision_id, Timestamp at) = 0;
  // Removes the strike of a reversed decision (nothing when there is none).
  virtual Status RemoveStrike(Id account_id, Id decision_id) = 0;
  virtual Status AddUnfounded(std::string_view notifier_key, Id decision_id, Timestamp at) = 0;
  virtual Status InsertMeasure(const MisuseMeasure& m) = 0;
  // kNotFound when the status does not exist.
  virtual Status SetStatusModeration(Id status_id, const StatusModeration& m) = 0;
  // Adds the deltas to the notifier's track record (creating it at zero first).
  virtual Status AddToNotifierRecord(std::string_view notifier_key, const NotifierRecord& delta) = 0;

  virtual Status InsertWarningPreset(const WarningPreset& p) = 0;
  // Replaces title, text and updated_at; kNotFound when absent.
  virtual Status UpdateWarningPreset(const WarningPreset& p) = 0;
  // kNotFound when absent.
  virtual Status DeleteWarningPreset(Id id) = 0;
};

}  // namespace stoa::storage
