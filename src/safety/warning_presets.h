// Warning presets: texts moderators start an account warning from (Mastodon's
// AccountWarningPreset: a title and a text). Admins keep them; moderators read them and name one
// in an account action (`warning_preset_id`), whose text then goes before their own. Every change
// is an audit entry in the same transaction.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "domain/decision.h"
#include "safety/audit_log.h"
#include "social/core.h"

namespace stoa::safety {

class WarningPresets {
 public:
  WarningPresets(social::Core& core, AuditLog& audit) : core_(core), audit_(audit) {}

  static constexpr size_t kMaxTitleChars = 200;
  static constexpr size_t kMaxTextChars = 2000;

  // Oldest first.
  std::vector<WarningPreset> List();
  Result<WarningPreset> Get(Id id);
  // kInvalidArgument for a blank or too long title or text (nothing written).
  Result<WarningPreset> Create(Id actor_id, const std::string& title, const std::string& text);
  // Changes the given fields (an empty one keeps its value); kNotFound when unknown.
  Result<WarningPreset> Update(Id actor_id, Id id, const std::string& title,
                               const std::string& text);
  // kNotFound when unknown.
  Status Delete(Id actor_id, Id id);

 private:
  Status Audit(storage::Transaction& tx, Id actor_id, std::string action, const WarningPreset& p);

  social::Core& core_;
  AuditLog& audit_;
};

}  // namespace stoa::safety
