// A hashtag.
#pragma once

#include <string>

#include "common/clock.h"
#include "common/id.h"

namespace stoa {

struct Tag {
  Id id = kNoId;
  std::string name;          // normalised (NFKC + case folded)
  std::string display_name;  // as first written
  Timestamp created_at;
};

}  // namespace stoa
