// The audit log use case: appends hash-chained entries inside the caller's transaction and
// verifies the whole chain (domain/audit.h documents the canonical bytes and the hash).
//
// Every effect writes its audit entry in the same transaction as the effect itself: call Append
// from inside Storage::Write, with the Transaction you are writing the effect with. If the
// transaction rolls back, so does the entry.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/id.h"
#include "common/status.h"
#include "domain/audit.h"
#include "social/core.h"
#include "storage/storage.h"

namespace stoa::safety {

// What the caller says about an action; seq, id, time and hashes are filled in by Append.
struct AuditDraft {
  Id actor_id;  // kNoId for the system
  std::string action;       // [a-z0-9_.]+, e.g. "case.claim", "decision.create", "role.change"
  std::string target_type;  // [a-z0-9_]+, e.g. "case", "account", "status", "config"
  std::string target_id;    // non-empty, e.g. an id as a decimal string or "instance_rules"
  std::string ground;       // "" when none
  std::string reasons;      // "" when none
  std::string details_json;  // "" or a JSON object (stored verbatim)
};

// Thread-safe (it holds no state of its own beyond the Core).
class AuditLog {
 public:
  explicit AuditLog(social::Core& core);

  // Appends an entry that extends the head read inside `tx`. The single writer serialises
  // transactions, so the chain cannot fork; the store refuses an entry that does not extend the
  // head. kInvalidArgument for a malformed draft (action, target, or details that are not a JSON
  // object); storage errors as they come.
  Result<AuditEntry> Append(storage::Transaction& tx, const AuditDraft& draft);

  struct VerifyResult {
    bool ok;
    int64_t entries;  // entries checked (up to and including a broken one)
    std::optional<int64_t> first_broken_seq;
    std::string reason;     // why the first broken entry is broken; "" when ok
    std::string head_hash;  // the last entry's stored hash (the genesis hash for an empty log)
  };
  // Recomputes the chain from seq 1: each entry's seq follows the previous one, its prev_hash is
  // the previous entry's hash (the genesis hash for seq 1), and its hash is AuditEntryHash of its
  // fields. Stops at the first broken entry.
  VerifyResult Verify(storage::ReadSession& read);

 private:
  social::Core& core_;
};

// Checks a draft without writing anything (the same checks as Append).
Status ValidateAuditDraft(const AuditDraft& draft);

}  // namespace stoa::safety
