// Campaigns (issue 4, "Match"; docs/screening.md, "Campaigns"): near-duplicate posts from many
// accounts are grouped into one case, so that one decision covers them all.
//
// Every notice case about a status lists its statuses (storage::Cases::AddStatus, migration 0015):
// the target, and each near-duplicate post by another account that joined it. The fingerprints of
// the statuses of open cases are kept here, in a screen::NearDuplicateIndex loaded at start; the
// notice service asks it, without I/O, whether a status about to open a case of its own is within
// `distance` bits of a status of an open case, by another account, added within `window`, and if
// so joins that case instead. Screening asks the same question for posts the chain would publish
// unflagged, and flags them (the copies the classifier misses).
//
// The index is a filter, the database the truth: statuses are added to it inside the transaction
// that lists them (so a transaction that rolls back can leave an entry behind), and a case closed
// outside the decisions (or by a failed batch) can leave its statuses here. Whoever joins a case
// through a candidate reads the case in its own transaction and drops candidates whose case is
// not open (Forget). Decisions forget a closed case's statuses after their commit.
//
// Thread safety: every method may be called from any thread (one shared_mutex).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/config.h"
#include "common/id.h"
#include "common/status.h"
#include "domain/post.h"
#include "domain/safety.h"
#include "screen/fingerprint.h"
#include "storage/storage.h"

namespace stoa::safety {

struct CampaignSettings {
  // A status within this many bits (of 64) of a status of an open case joins that case; -1: no
  // campaigns. At most 15 (screen::NearDuplicateIndex).
  int distance = 7;
  // Only statuses added to their case at most this long ago attract new members.
  std::chrono::seconds window = std::chrono::hours(24 * 7);

  // screening.campaign_distance and screening.campaign_window_days.
  static CampaignSettings FromConfig(const Config::Screening& config);
};

class Campaigns {
 public:
  Campaigns(storage::Storage& storage, CampaignSettings settings);

  const CampaignSettings& settings() const { return settings_; }
  bool enabled() const { return settings_.distance >= 0; }

  // Loads the fingerprinted statuses of every open notice case (replacing what is in memory).
  // Call once before serving.
  Status Load();

  // The fingerprint a status is matched by (its content warning and text, as screened).
  static screen::Fingerprint FingerprintOf(const Post& post);

  struct Candidate {
    Id case_id = kNoId;
    Id status_id = kNoId;   // the near-duplicate status of that case
    Id account_id = kNoId;  // its author
    int distance = 0;
  };
  // The status of an open case nearest to `f` within the distance, by an account other than
  // `author`, added at or after `now - window`; nullopt when there is none, when campaigns are
  // off or `f` has too few shingles to match on. No I/O.
  std::optional<Candidate> Find(const screen::Fingerprint& f, Id author, Timestamp now) const;

  // Inside `tx`: lists `post` as a status of case `case_id` (added at `now`, with its fingerprint
  // `f`) and, when it can be matched on, adds it to the index.
  Status Add(storage::Transaction& tx, Id case_id, const Post& post,
             const screen::Fingerprint& f, Timestamp now);
  // Forgets every status of case `case_id` (closed, or found not to be open).
  void Forget(Id case_id);

  // Statuses in the index, and index entries left behind by forgotten statuses (dropped when
  // they outnumber the live ones).
  size_t size() const;
  size_t dead_entries() const;

  // Forgotten entries are dropped (the index rebuilt from the live statuses) once there are more
  // of them than live ones and at least this many.
  static constexpr size_t kCompactAfter = 1024;

 private:
  struct Member {
    Id case_id;
    Id account_id;
    uint64_t simhash;
    Timestamp added_at;
  };
  void AddLocked(Id status_id, const Member& m);
  void CompactLocked();

  storage::Storage& storage_;
  const CampaignSettings settings_;

  mutable std::shared_mutex mu_;
  // Guarded by mu_: the index (entry id = status id), each status's case, author, fingerprint and
  // time, and each case's statuses. Forgetting a status only drops it from members_ (the index's
  // own removal scans every entry): Find skips entries whose status or fingerprint is not in
  // members_, and CompactLocked rebuilds the index when such dead entries pile up.
  screen::NearDuplicateIndex index_;
  std::unordered_map<Id, Member> members_;
  std::unordered_map<Id, std::vector<Id>> cases_;
  size_t dead_ = 0;
};

}  // namespace stoa::safety
