// A retroactive screening run (docs/screening.md, "Retroaction"): the current rules and model
// over statuses published in [since, until), in id order and in batches. Stored (migration 0014)
// and updated with every batch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/id.h"

namespace stoa {

struct ScreeningRescanJob {
  Id id = kNoId;
  Id started_by = kNoId;       // the admin who started it; kNoId for `stoa screen`
  std::string state;           // running | done | stopped | interrupted | failed
  Timestamp since;             // inclusive
  std::optional<Timestamp> until;  // exclusive; none: up to the newest status when it started
  Id last_id = kNoId;          // the last status id of the last written batch
  int64_t scanned = 0;         // published statuses looked at (skipped ones included)
  int64_t total = 0;           // published statuses in the range when the run started
  int64_t flagged = 0;         // verdict publish_and_flag or stricter: a record and a notice
  int64_t cases_opened = 0;    // of those, notices that opened a case about the status
  int64_t cases_joined = 0;    // and notices that joined an open case
  int64_t skipped = 0;         // suspended authors, changed since read, already flagged
  std::string rules_version;
  std::string model_version;
  std::string error;           // why it failed ("" otherwise)
  Timestamp started_at;
  std::optional<Timestamp> finished_at;

  bool running() const { return state == "running"; }
};

}  // namespace stoa
