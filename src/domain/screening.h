// A screening record: what the screening chain (src/screen) found about one version of a status
// and the verdict it led to. Stored with the status (creation and every edit).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/id.h"

namespace stoa {

struct ScreeningRecord {
  Id id = kNoId;
  Id status_id = kNoId;
  Timestamp created_at;
  bool edit = false;             // an edit was screened (else the creation)
  std::string verdict;           // publish | publish_and_flag | hold
  std::string reason;            // the policy's summary ("" for publish)
  std::vector<std::string> rule_names;  // the rules that hit
  std::string signals_json;      // screen::Screening::SignalsJson
  std::string rules_version;     // "" when no rules were loaded
  std::string model_version;     // "" when no model was loaded
};

// The fingerprint of a status removed by a moderation decision (migration 0012): re-uploads and
// light edits of it are matched by screening (screen/fingerprint.h).
struct RemovedFingerprint {
  Id status_id = kNoId;
  uint64_t simhash = 0;
  uint32_t shingles = 0;
  Timestamp removed_at;
  // The removing decision's category (STATEMENT_CATEGORY_*; "" when unknown, e.g. stored before
  // migration 0015): a post flagged only for matching this fingerprint is filed under it.
  std::string category;
};

}  // namespace stoa
