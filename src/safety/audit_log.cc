// The audit log: append inside the caller's transaction, verify by recomputing the chain.
#include "safety/audit_log.h"

#include <boost/json.hpp>

#include "common/strings.h"

namespace stoa::safety {
namespace {

constexpr size_t kMaxName = 64;
constexpr size_t kMaxTargetId = 200;
constexpr size_t kMaxText = 10000;
constexpr size_t kMaxDetails = 20000;
constexpr int kVerifyBatch = 1000;

bool IsName(std::string_view s, bool allow_dot) {
  if (s.empty() || s.size() > kMaxName) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                    (allow_dot && c == '.');
    if (!ok) return false;
  }
  return true;
}

bool IsHexHash(std::string_view s) {
  if (s.size() != kAuditGenesisHash.size()) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

Status ValidateAuditDraft(const AuditDraft& d) {
  if (!IsName(d.action, /*allow_dot=*/true)) {
    return InvalidArgument("audit action must be 1-64 characters of a-z, 0-9, '_' and '.'");
  }
  if (!IsName(d.target_type, /*allow_dot=*/false)) {
    return InvalidArgument("audit target_type must be 1-64 characters of a-z, 0-9 and '_'");
  }
  if (d.target_id.empty() || d.target_id.size() > kMaxTargetId || !IsValidUtf8(d.target_id)) {
    return InvalidArgument("audit target_id must be 1-200 bytes of UTF-8");
  }
  if (d.ground.size() > kMaxText || d.reasons.size() > kMaxText || !IsValidUtf8(d.ground) ||
      !IsValidUtf8(d.reasons)) {
    return InvalidArgument("audit ground and reasons must be UTF-8 of at most 10000 bytes");
  }
  if (!d.details_json.empty()) {
    if (d.details_json.size() > kMaxDetails || !IsValidUtf8(d.details_json)) {
      return InvalidArgument("audit details must be UTF-8 JSON of at most 20000 bytes");
    }
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(d.details_json, ec);
    if (ec || !v.is_object()) return InvalidArgument("audit details must be a JSON object");
  }
  return Status::Ok();
}

AuditLog::AuditLog(social::Core& core) : core_(core) {}

Result<AuditEntry> AuditLog::Append(storage::Transaction& tx, const AuditDraft& draft) {
  RETURN_IF_ERROR(ValidateAuditDraft(draft));
  const std::optional<AuditEntry> head = tx.audit().Head();
  AuditEntry e;
  e.seq = head ? head->seq + 1 : 1;
  e.id = core_.ids().Next();
  e.created_at = core_.Now();
  e.actor_id = draft.actor_id;
  e.action = draft.action;
  e.target_type = draft.target_type;
  e.target_id = draft.target_id;
  e.ground = draft.ground;
  e.reasons = draft.reasons;
  e.details_json = draft.details_json;
  e.prev_hash = head ? head->hash : std::string(kAuditGenesisHash);
  e.hash = AuditEntryHash(e);
  RETURN_IF_ERROR(tx.audit().Append(e));
  return e;
}

AuditLog::VerifyResult AuditLog::Verify(storage::ReadSession& read) {
  VerifyResult result{true, 0, std::nullopt, "", std::string(kAuditGenesisHash)};
  std::string prev_hash(kAuditGenesisHash);
  int64_t prev_seq = 0;
  auto broken = [&](const AuditEntry& e, std::string why) {
    result.ok = false;
    result.first_broken_seq = e.seq;
    result.reason = std::move(why);
    return result;
  };
  while (true) {
    const std::vector<AuditEntry> batch = read.audit().ListBySeq(prev_seq, kVerifyBatch);
    if (batch.empty()) break;
    for (const AuditEntry& e : batch) {
      ++result.entries;
      if (e.seq != prev_seq + 1) {
        // The entry with the expected seq is missing (deleted) or seq was rewritten.
        return broken(e, "seq " + std::to_string(e.seq) + " follows seq " +
                             std::to_string(prev_seq) + " (expected " +
                             std::to_string(prev_seq + 1) + ")");
      }
      if (e.prev_hash != prev_hash) {
        return broken(e, "prev_hash " + e.prev_hash + " is not the previous entry's hash " +
                             prev_hash);
      }
      if (!IsHexHash(e.hash)) return broken(e, "stored hash is not 64 lower-case hex digits");
      const std::string computed = AuditEntryHash(e);
      if (computed != e.hash) {
        return broken(e, "stored hash " + e.hash + " does not match the entry's content (" +
                             computed + ")");
      }
      prev_hash = e.hash;
      prev_seq = e.seq;
      result.head_hash = e.hash;
    }
  }
  return result;
}

}  // namespace stoa::safety
