// Hashtags.
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "domain/tag.h"

namespace stoa::storage {

struct TagUsage {
  int64_t uses = 0;
  int64_t accounts = 0;
};

class Tags {
 public:
  virtual ~Tags() = default;

  // `name` is normalised. kNotFound when absent.
  virtual Result<Tag> FindByName(std::string_view name) const = 0;
  // Tags whose normalised name starts with `prefix`, most used first.
  virtual std::vector<Tag> Search(std::string_view prefix, int limit, int offset) const = 0;
  // Posts and distinct authors using the tag in [from, to) (for the Tag history).
  virtual TagUsage Usage(Id tag_id, Timestamp from, Timestamp to) const = 0;
};

}  // namespace stoa::storage
