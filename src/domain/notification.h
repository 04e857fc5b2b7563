// Notifications a member receives.
#pragma once

#include <optional>
#include <string_view>

#include "common/clock.h"
#include "common/id.h"

namespace stoa {

enum class NotificationType {
  kMention,
  kStatus,  // a post by an account the recipient follows with notify=true
  kReblog,
  kFollow,
  kFollowRequest,
  kFavourite,
  kPoll,
  kUpdate,  // a post the recipient boosted was edited
  kAdminSignUp,
  kAdminReport,
  kModerationWarning,
  // stoa: the outcome of a member's report or appeal (activity_id: the decision). Clients that
  // do not know the type drop it; the notice status endpoint carries the same outcome.
  kNoticeOutcome,
};

std::string_view NotificationTypeName(NotificationType t);
std::optional<NotificationType> ParseNotificationType(std::string_view name);

struct Notification {
  Id id = kNoId;
  Id account_id = kNoId;       // recipient
  Id from_account_id = kNoId;  // actor
  NotificationType type = NotificationType::kMention;
  Id status_id = kNoId;        // for mention, status, reblog, favourite, update
  Id activity_id = kNoId;      // the follow/favourite/status that caused it (removed with it)
  Timestamp created_at;
};

}  // namespace stoa
