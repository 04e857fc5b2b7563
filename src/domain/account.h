// A member's public profile, and the private login record behind a local account.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/cache_residency.h"
#include "common/clock.h"
#include "common/id.h"
#include "common/text_memo.h"
#include "domain/role.h"
#include "domain/visibility.h"

namespace stoa {

struct ProfileField {
  std::string name;        // plain text
  std::string value;       // plain text as written
  std::string value_html;  // rendered (links), escaped
  std::optional<Timestamp> verified_at;
};

struct Account {
  Id id = kNoId;
  std::string username;  // unique case-insensitively, [A-Za-z0-9_]{1,30}
  std::string display_name;
  std::string note;       // source text
  std::string note_html;  // rendered
  std::vector<ProfileField> fields;
  bool locked = false;  // follows need approval
  bool bot = false;
  bool discoverable = true;
  bool indexable = true;
  bool hide_collections = false;
  Timestamp created_at;
  Timestamp updated_at;
  std::optional<Timestamp> last_status_at;
  int64_t statuses_count = 0;
  int64_t followers_count = 0;
  int64_t following_count = 0;
  // Moderation state (set by trust and safety decisions).
  std::optional<Timestamp> suspended_at;
  std::optional<Timestamp> silenced_at;
  std::optional<Timestamp> sensitized_at;
  // A suspension with an end: it is over once the clock passes this (checked where accounts are
  // loaded: Core's loaders, authentication), without a job. Unset: indefinite.
  std::optional<Timestamp> suspended_until;
  // A cache slot for the API's rendering of this (immutable) value; not part of the value.
  TextMemo rendered;
  // Whether this value is still the current one in Core's object cache; not part of the value.
  CacheResidency residency;

  bool suspended() const { return suspended_at.has_value(); }
  bool silenced() const { return silenced_at.has_value(); }
  bool sensitized() const { return sensitized_at.has_value(); }
  // True when a suspension is recorded but its `suspended_until` has passed at `now`.
  bool SuspensionExpired(Timestamp now) const {
    return suspended_at.has_value() && suspended_until.has_value() && *suspended_until <= now;
  }
  // Suspended at `now` (an expired suspension no longer counts).
  bool SuspendedAt(Timestamp now) const { return suspended() && !SuspensionExpired(now); }
};

// The login behind a local account. Never serialised to other members.
struct User {
  Id account_id = kNoId;
  std::string email;
  std::string password_hash;  // argon2id encoded
  Role role = Role::kMember;
  bool approved = true;   // false while registration awaits approval
  bool confirmed = true;  // e-mail confirmation (stoa confirms on sign-up; no mailer yet)
  bool disabled = false;  // login disabled by a moderator
  std::string locale = "en";
  std::string sign_up_ip;
  std::string sign_up_reason;
  Visibility default_visibility = Visibility::kPublic;
  bool default_sensitive = false;
  std::optional<std::string> default_language;
  Timestamp created_at;
};

// Username rules: 1-30 of [A-Za-z0-9_]; nothing else (no dots, so URLs stay simple).
bool IsValidUsername(std::string_view username);

}  // namespace stoa
