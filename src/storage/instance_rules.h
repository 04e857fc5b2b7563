// The instance's rules.
#pragma once

#include <vector>

#include "common/status.h"
#include "domain/instance_rule.h"

namespace stoa::storage {

class InstanceRules {
 public:
  virtual ~InstanceRules() = default;

  // Active rules by position.
  virtual std::vector<InstanceRule> List() const = 0;
  virtual Result<InstanceRule> Get(Id id) const = 0;

  virtual Status Insert(const InstanceRule& rule) = 0;
  virtual Status Update(const InstanceRule& rule) = 0;
  // Soft delete: reports that cite the rule keep it.
  virtual Status Delete(Id id, Timestamp at) = 0;
};

}  // namespace stoa::storage
