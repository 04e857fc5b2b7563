// Follows, follow requests, blocks and mutes between two accounts.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/id.h"

namespace stoa {

struct Follow {
  Id id = kNoId;  // the follow record's own id (pagination of followers/following)
  Id account_id = kNoId;
  Id target_account_id = kNoId;
  bool show_reblogs = true;
  bool notify = false;
  std::vector<std::string> languages;  // empty: all
  Timestamp created_at;
};

struct Mute {
  Id id = kNoId;
  Id account_id = kNoId;
  Id target_account_id = kNoId;
  bool hide_notifications = true;
  std::optional<Timestamp> expires_at;
  Timestamp created_at;
};

// The relationship of `account_id` (the viewer) towards `target_account_id`, as the API shows it.
struct Relationship {
  Id account_id = kNoId;
  Id target_account_id = kNoId;
  bool following = false;
  bool showing_reblogs = false;
  bool notifying = false;
  std::vector<std::string> languages;
  bool followed_by = false;
  bool blocking = false;
  bool blocked_by = false;
  bool muting = false;
  bool muting_notifications = false;
  std::optional<Timestamp> muting_expires_at;
  bool requested = false;
  bool requested_by = false;
  std::string note;
};

}  // namespace stoa
