// Campaigns (issue 4, "Match"; docs/screening.md, "Campaigns"): near-duplicate posts from many
// accounts are grouped into one case, so that one decision covers them all.
//
// Every notice case about a status lists its statuses (storage::Cases::AddStatus, migration 0015):
// the target, and each near-duplicate post by another account that joined it. The notice service
// asks here, without I/O, whether a status about to open a case of its own is within `distance`
// bits of a status of an open case, by another account, added within `window`, and if so joins
// that case instead. Screening asks the same question for posts the chain would publish
// unflagged, and flags them (the copies the classifier misses).
//
// What is matched on: only statuses that are in a case on their own merit (flagged or held by
// the chain, reported, or the target a case was opened for). A copy flagged only for being near
// one of them is listed in the case (the decision covers it) without its fingerprint, so a case
// cannot drift from copy to copy: every member is within `distance` of a status that was flagged
// for what it says. Statuses on their own merit within kFoldDistance bits of an indexed status of
// the same case are folded into it: the index keeps one entry, which remembers the two most
// recent distinct authors among the statuses folded into it (enough to answer "by another
// account, within the window"). A campaign of a thousand identical flagged copies is one entry,
// so a look-up costs the number of distinct variants near it, not the campaign's size. Folding
// measures distance to the entry, so a post up to kFoldDistance bits beyond `distance` from a
// folded status may go unmatched (it is still screened on its own).
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

  // Loads the fingerprinted statuses of every open notice case (replacing what is in memory),
  // folded as when they were added. Call once before serving.
  Status Load();

  // The fingerprint a status is matched by: of the text it is screened by (social::ScreenedText),
  // as screening computes it from the normalised text.
  static screen::Fingerprint FingerprintOf(const Post& post);

  struct Candidate {
    Id case_id = kNoId;
    Id status_id = kNoId;   // the near-duplicate status of that case
    Id account_id = kNoId;  // its author
    int distance = 0;       // bits from the index entry it was found through
  };
  // The status of an open case nearest to `f` within the distance, by an account other than
  // `author`, added at or after `now - window`; nullopt when there is none, when campaigns are
  // off or `f` has too few shingles to match on. Cases that `status_id` was taken out of (Remove)
  // are passed over. No I/O.
  std::optional<Candidate> Find(const screen::Fingerprint& f, Id author, Timestamp now,
                                Id status_id = kNoId) const;

  // How a status comes to be listed in a case.
  enum class Listing {
    kOwnMerit,  // the case's target, or flagged, held or reported itself: matched on
    kCopy,      // flagged only for being near a status of the case: listed, not matched on
  };
  // Inside `tx`: lists `post` as a status of case `case_id` (added at `now`; with its fingerprint
  // `f` when listed on its own merit) and, when it can be matched on, adds it to the index
  // (folded into an entry of the same case within kFoldDistance bits, if there is one).
  Status Add(storage::Transaction& tx, Id case_id, const Post& post,
             const screen::Fingerprint& f, Timestamp now, Listing listing = Listing::kOwnMerit);
  // Inside `tx`: takes `status_id` off the list of open case `case_id` (a moderator's
  // correction: it was wrongly grouped) and out of the index, so that nothing joins the case
  // through it any more. The index keeps no entry per status (statuses fold into entries), so the
  // case's entries are made again from what `tx` reads it still lists, under the index's lock
  // (the single writer runs every Add in between, so none is lost; a transaction that rolls back
  // leaves the status unmatched until the next start). The status never joins the case again
  // (storage::Cases::ExcludeStatus; Find passes over the case for it). kNotFound when the case
  // does not list the status.
  Status Remove(storage::Transaction& tx, Id case_id, Id status_id);
  // Forgets every status of case `case_id` (closed, or found not to be open).
  void Forget(Id case_id);
  // Adds the fingerprinted statuses of case `case_id` again (reopened), as Load would.
  void Restore(Id case_id);

  // Statuses matched on (index entries and the statuses folded into them), live index entries,
  // and index entries left behind by forgotten statuses (dropped when they outnumber the live
  // ones).
  size_t size() const;
  size_t entries() const;
  size_t dead_entries() const;

  // A status on its own merit this close to an indexed status of the same case is folded into it.
  static constexpr int kFoldDistance = 2;
  // Restore and Remove read at most this many statuses of a case (as many as a decision covers).
  static constexpr int kMaxRestored = 10000;

  // Forgotten entries are dropped (the index rebuilt from the live statuses) once there are more
  // of them than live ones and at least this many.
  static constexpr size_t kCompactAfter = 1024;

 private:
  // One status (a member of the case) by one author, added at a time.
  struct Author {
    Id account_id = kNoId;
    Id status_id = kNoId;
    Timestamp added_at{};
  };
  // An index entry: its case and fingerprint (the first status's), and the two most recent
  // distinct authors among the statuses it stands for, newest first.
  struct Entry {
    Id case_id = kNoId;
    uint64_t simhash = 0;
    Author recent[2];
    size_t statuses = 0;
  };
  static void Remember(Entry& e, const Author& a);
  void AddLocked(Id case_id, uint64_t simhash, const Author& a);
  // Drops the index entries of case `case_id` (dead until compacted); whether it had any.
  bool DropLocked(Id case_id);
  void CompactLocked();

  storage::Storage& storage_;
  const CampaignSettings settings_;

  mutable std::shared_mutex mu_;
  // Guarded by mu_: the index (ids from next_entry_, in the order entries were made), the entries
  // by id, and each case's entry ids. Forgetting a case only drops its entries from entries_ (the
  // index's own removal scans every entry): Find skips index entries not in entries_, and
  // CompactLocked rebuilds the index when such dead entries pile up.
  screen::NearDuplicateIndex index_;
  std::unordered_map<uint64_t, Entry> entries_;
  std::unordered_map<Id, std::vector<uint64_t>> cases_;
  // Each case's statuses taken out of it by a moderator (Remove), loaded with the open cases.
  std::unordered_map<Id, std::vector<Id>> excluded_;
  uint64_t next_entry_ = 1;
  size_t statuses_ = 0;
  size_t dead_ = 0;
};

}  // namespace stoa::safety
