// The audit log's canonical encoding and hash (the format is documented in audit.h).
#include "domain/audit.h"

#include "common/crypto.h"

namespace stoa {
namespace {

void AppendNetstring(std::string& out, std::string_view value) {
  out += std::to_string(value.size());
  out.push_back(':');
  out.append(value);
  out.push_back(',');
}

}  // namespace

std::string AuditCanonicalBytes(const AuditEntry& e) {
  std::string out;
  out.reserve(128 + e.action.size() + e.target_type.size() + e.target_id.size() +
              e.ground.size() + e.reasons.size() + e.details_json.size());
  AppendNetstring(out, "stoa-audit-v1");
  AppendNetstring(out, std::to_string(e.seq));
  AppendNetstring(out, std::to_string(e.id));
  AppendNetstring(out, std::to_string(ToUnixMillis(e.created_at)));
  AppendNetstring(out, std::to_string(e.actor_id));
  AppendNetstring(out, e.action);
  AppendNetstring(out, e.target_type);
  AppendNetstring(out, e.target_id);
  AppendNetstring(out, e.ground);
  AppendNetstring(out, e.reasons);
  AppendNetstring(out, e.details_json);
  return out;
}

std::string AuditEntryHash(const AuditEntry& e) {
  std::string input = e.prev_hash;
  input += AuditCanonicalBytes(e);
  return Sha256Hex(input);
}

}  // namespace stoa
