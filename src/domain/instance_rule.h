// A rule of the instance that members agree to and reports cite.
#pragma once

#include <string>

#include "common/clock.h"
#include "common/id.h"

namespace stoa {

struct InstanceRule {
  Id id = kNoId;
  std::string text;
  std::string hint;
  int position = 0;
  Timestamp created_at;
};

}  // namespace stoa
