// Screening's match stage in the server (docs/screening.md, "Removed content"): the fingerprint
// of every status removed by a moderation decision is stored in the decision's transaction
// (migration 0012) and kept in an in-memory NearDuplicateIndex (screen/fingerprint.h), loaded
// from the database at start. Screening asks it, without I/O, whether a new post or an edit is
// near removed content; lifting the removal (appeal reversal) forgets the fingerprint.
#pragma once

#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"
#include "common/id.h"
#include "common/status.h"
#include "domain/post.h"
#include "screen/fingerprint.h"
#include "storage/storage.h"

namespace stoa::safety {

class RemovedContent {
 public:
  // `max_distance` (0..15): the largest Hamming distance any caller will ask about.
  RemovedContent(storage::Storage& storage, int max_distance);

  // Loads every stored fingerprint (replacing what is in memory). Call once before serving.
  Status Load();

  // Inside the removing decision's transaction: stores the fingerprint of `post` (of the text it
  // was screened by, social::ScreenedText), removed at
  // `removed_at` by a decision of `category` (STATEMENT_CATEGORY_*; "" when unknown). Posts too
  // short to match on (screen::kMinFingerprintShingles) store nothing.
  Status Remember(storage::Transaction& tx, const Post& post, Timestamp removed_at,
                  std::string_view category = {});
  // Inside the transaction that lifts the removal: deletes the status's fingerprint.
  Status Forget(storage::Transaction& tx, Id status_id);
  // After the transaction committed (or failed): brings the in-memory index in line with what
  // is stored for the status (one read; decisions are rare, posts never pay it).
  void Sync(Id status_id);

  struct Match {
    Id status_id = kNoId;
    int distance = 0;
    Timestamp removed_at;
    std::string category;  // the removing decision's STATEMENT_CATEGORY_*, "" when unknown
  };
  // The removed status nearest to `f` within `max_distance` (at most the constructor's), or
  // nullopt; fingerprints with too few shingles never match. No I/O.
  std::optional<Match> Nearest(const screen::Fingerprint& f, int max_distance) const;

  int max_distance() const { return index_.max_distance(); }
  size_t size() const;

 private:
  void AddLocked(const RemovedFingerprint& f);

  storage::Storage& storage_;
  mutable std::shared_mutex mu_;
  screen::NearDuplicateIndex index_;                // guarded by mu_
  struct Removal {
    Timestamp removed_at;
    std::string category;
  };
  std::unordered_map<Id, Removal> removed_at_;      // guarded by mu_: status -> removal
};

}  // namespace stoa::safety
