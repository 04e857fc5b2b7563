// Retroaction (docs/screening.md, "Retroaction"): the current rules and model over statuses that
// are already published, for a new rule, a new model or a newly removed post's fingerprint. Used
// by `stoa screen --since` (Run, on the calling thread) and by POST /api/v1/admin/screening/rescan
// (Start, on a thread of its own).
//
// The statuses of [since, until) are read in id order, a batch at a time (Posts::
// ListPublishedRange: deleted, removed and held statuses and boosts are not read); statuses of
// suspended accounts are skipped. Each batch is screened with no transaction open (the chain is
// pure), then its hits are written in one write transaction of their own together with the run's
// progress (Posts::PutRescan), so status creation keeps flowing between batches and the stored
// progress never runs ahead of what has been written. Batches without hits store their progress
// at most once a second.
//
// A hit (verdict publish_and_flag or stricter) is stored like a flag at creation
// (ScreeningService::Record): a screening record with the status and an automated notice that
// opens or joins the case about it, scored by the verdict's reason like at creation. A
// retroactive hold or reject does NOT hide or delete the status: it was public already, and taking
// it down without a human decision would be an unreviewed removal; the case carries the urgency.
// A status that already has a screening record with a stricter verdict than publish for its
// current text, by the same rules and model versions (or with the very same finding), is skipped:
// running a rescan twice adds no second notice.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/status.h"
#include "domain/screening_rescan.h"
#include "safety/screening_service.h"
#include "social/core.h"

namespace stoa::safety {

struct RescanOptions {
  static constexpr int kDefaultBatch = 200;
  static constexpr int kMaxBatch = 5000;
  static constexpr int64_t kMaxPauseMs = 60000;

  Timestamp since;                  // inclusive
  std::optional<Timestamp> until;   // exclusive; none: up to the newest status at the start
  int batch_size = kDefaultBatch;   // statuses read, screened and written per transaction
  std::chrono::milliseconds pause{0};  // wait between batches (spares the writer further)
  Id started_by = kNoId;            // the admin; kNoId for the CLI

  // kInvalidArgument naming the field: since after until, batch size or pause out of range.
  Status Validate() const;
};

// How one status of a batch ended.
enum class RescreenResult {
  kOpened,   // its notice opened a case about the status
  kJoined,   // its notice joined an open case (about the status, or a campaign)
  kSkipped,  // changed since it was read, author suspended, or already flagged by this chain
};

class ScreeningRescan {
 public:
  // `screening` must be loaded (rules and model) before Run or Start.
  ScreeningRescan(social::Core& core, ScreeningService& screening);
  ~ScreeningRescan();  // Stop()

  // At server start: a run still stored as 'running' belonged to a process that died; it is
  // marked 'interrupted' (finished now).
  Status RecoverInterrupted();

  // Runs a rescan on the calling thread; `progress` (may be empty) is called after each written
  // batch. The stored run is returned whatever its end (done, or failed with `error`); the status
  // is not OK only when the options are invalid or the run could not be stored at all.
  Result<ScreeningRescanJob> Run(const RescanOptions& options,
                                 const std::function<void(const ScreeningRescanJob&)>& progress);

  // Starts a rescan on a thread of its own and returns the job as it starts (state running).
  // kConflict while one runs; kInvalidArgument for bad options; kUnavailable once stopping.
  Result<ScreeningRescanJob> Start(const RescanOptions& options);
  // The running job, else the latest stored one (also from an earlier process); none when no
  // rescan ever ran.
  std::optional<ScreeningRescanJob> Current();
  // Stops a running job after its current batch (state 'stopped', stored) and waits for its
  // thread; later Starts are refused. For server shutdown.
  void Stop();

  // One screened status inside the batch's write transaction: `read` is the status as it was
  // screened and `outcome` what Screen found (a hit: flag or stricter, adjusted by
  // PrepareOutcome). Re-reads the status and its author in `tx`; stores the record and the notice
  // through ScreeningService::Record.
  Result<RescreenResult> Rescreen(storage::Transaction& tx, const Post& read,
                                  const social::ScreeningOutcome& outcome,
                                  const std::string& rules_version,
                                  const std::string& model_version);

  // The job as the API shows it: {"id","state","since","until","scanned","total","flagged",
  // "cases":{"opened","joined"},"skipped","rules_version","model_version","error","started_at",
  // "finished_at"} (times ISO 8601; until and finished_at null when not set).
  static std::string JobJson(const ScreeningRescanJob& job);

 private:
  // Turns what Screen found at creation terms into a retroactive finding: the reason says so, and
  // a reject is stored with its notice like a hold (the status stays published either way).
  static void PrepareOutcome(social::ScreeningOutcome& outcome);
  // The loop of Run and of the job thread. `job` is already stored.
  ScreeningRescanJob Execute(ScreeningRescanJob job, const RescanOptions& options,
                             const std::function<void(const ScreeningRescanJob&)>& progress);
  ScreeningRescanJob NewJob(const RescanOptions& options);
  // Waits `d` unless Stop is called meanwhile; false when stopping.
  bool Pause(std::chrono::milliseconds d);
  bool stopping();

  social::Core& core_;
  ScreeningService& screening_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;                        // guarded by mu_
  bool running_ = false;                     // guarded by mu_ (a job thread is working)
  std::optional<ScreeningRescanJob> current_;  // guarded by mu_: the job thread's latest state
  std::thread thread_;                       // guarded by mu_
};

}  // namespace stoa::safety
