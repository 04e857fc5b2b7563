// Id-range pagination shared by every list: max_id / since_id / min_id as Mastodon defines them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

#include "common/id.h"

namespace stoa::storage {

struct PageQuery {
  Id max_id = kNoId;    // items with id < max_id
  Id since_id = kNoId;  // the newest items with id > since_id
  Id min_id = kNoId;    // the items immediately after min_id (oldest first, then reversed)
  int limit = 20;

  // Exclusive bounds for the SQL range.
  Id lower() const { return std::max(since_id, min_id); }
  Id upper() const { return max_id != kNoId ? max_id : std::numeric_limits<Id>::max(); }
  // True when the query scans upwards from min_id (results are still returned newest first).
  bool ascending() const { return min_id != kNoId; }
};

}  // namespace stoa::storage
