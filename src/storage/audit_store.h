// The append-only, hash-chained audit log (domain/audit.h describes the chain).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/audit.h"
#include "storage/page.h"

namespace stoa::storage {

// Filters of the audit log listing; empty / nullopt fields match everything.
struct AuditFilter {
  std::string action;
  std::optional<Id> actor_id;  // kNoId selects the system's entries
  std::string target_type;
  std::string target_id;  // only together with target_type
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;

  // The entry with the highest seq; nullopt when the log is empty.
  virtual std::optional<AuditEntry> Head() const = 0;
  // The entries matching `filter`, paged by entry id, newest first.
  virtual std::vector<AuditEntry> List(const AuditFilter& filter, const PageQuery& page) const = 0;
  // Up to `limit` entries with seq > after_seq, in seq order (for verifying the chain in batches).
  virtual std::vector<AuditEntry> ListBySeq(int64_t after_seq, int limit) const = 0;
  virtual Result<AuditEntry> Get(Id id) const = 0;

  // Appends `entry`. The backend refuses (kInvalidArgument) an entry whose seq is not the head's
  // seq + 1 or whose prev_hash is not the head's hash (the genesis hash for seq 1), so the chain
  // cannot fork. Entries can never be changed or deleted.
  virtual Status Append(const AuditEntry& entry) = 0;
};

}  // namespace stoa::storage
