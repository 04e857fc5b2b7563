// The audit log's entry and its hash chain. Every claim, release, decision, reversal, role change,
// notifier key change and configuration change is one entry; each entry's hash covers the
// previous entry's hash and its own canonical bytes, so changing, removing or reordering any
// entry breaks every hash after it.
//
// Canonical bytes (version 1) of an entry: the concatenation of these eleven netstrings, in this
// order, with nothing between or around them:
//
//   "stoa-audit-v1"   a constant tag (the encoding's version)
//   seq               decimal, no sign or leading zeros (1, 2, 3 ...)
//   id                decimal entry id
//   created_at        decimal milliseconds since the Unix epoch (UTC)
//   actor_id          decimal account id; 0 for the system
//   action            e.g. "case.claim"
//   target_type       e.g. "case", "account", "status", "config"
//   target_id         e.g. "109876543210" or "instance_rules"
//   ground            "" when none
//   reasons           "" when none
//   details_json      the JSON text exactly as stored ("" or an object)
//
// A netstring is the decimal byte length of the UTF-8 value, ':', the bytes, ','
// (e.g. "case.claim" -> "10:case.claim,"), so no value can be confused with a separator.
//
//   hash = lower-case hex SHA-256( prev_hash || canonical bytes )
//
// where prev_hash is the previous entry's hash as its 64 ASCII hex characters, and for the first
// entry (seq 1) the genesis value of 64 '0' characters.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/id.h"

namespace stoa {

inline constexpr std::string_view kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

struct AuditEntry {
  int64_t seq = 0;  // 1, 2, 3 ... without gaps
  Id id = kNoId;
  Timestamp created_at;
  Id actor_id = kNoId;  // kNoId: the system (a background job, the CLI without a user)
  std::string action;
  std::string target_type;
  std::string target_id;
  std::string ground;
  std::string reasons;
  std::string details_json;
  std::string prev_hash;  // 64 hex characters
  std::string hash;       // 64 hex characters
};

// The canonical bytes described above (prev_hash and hash are not part of them).
std::string AuditCanonicalBytes(const AuditEntry& entry);
// SHA-256(prev_hash || AuditCanonicalBytes(entry)) as lower-case hex; uses entry.prev_hash.
std::string AuditEntryHash(const AuditEntry& entry);

}  // namespace stoa
