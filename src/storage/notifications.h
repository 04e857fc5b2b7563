// Notifications and read markers.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "domain/notification.h"
#include "storage/page.h"

namespace stoa::storage {

struct NotificationFilter {
  std::vector<NotificationType> types;          // empty: all
  std::vector<NotificationType> exclude_types;
  Id from_account_id = kNoId;                    // kNoId: any
};

struct Marker {
  std::string timeline;  // "home" or "notifications"
  Id last_read_id = kNoId;
  int64_t version = 0;
  Timestamp updated_at;
};

class Notifications {
 public:
  virtual ~Notifications() = default;

  // Newest first.
  virtual std::vector<Notification> List(Id account_id, const NotificationFilter& filter,
                                         const PageQuery& page) const = 0;
  // kNotFound unless it exists and belongs to `account_id`.
  virtual Result<Notification> Get(Id account_id, Id id) const = 0;
  // Notifications newer than `after_id`, counted up to `limit`.
  virtual int64_t CountAfter(Id account_id, Id after_id, const NotificationFilter& filter,
                             int limit) const = 0;
  virtual std::optional<Marker> GetMarker(Id account_id, std::string_view timeline) const = 0;

  virtual Status Insert(const Notification& n) = 0;
  // Result: whether one was removed.
  virtual Result<bool> Dismiss(Id account_id, Id id) = 0;
  virtual Status Clear(Id account_id) = 0;
  // Removes notifications caused by an activity that was undone (unfavourite, unfollow...).
  virtual Status DeleteForActivity(NotificationType type, Id activity_id) = 0;
  // Removes notifications about a post (the post was deleted).
  virtual Status DeleteForStatus(Id status_id) = 0;
  // Removes notifications between two accounts (after a block), both directions.
  virtual Status DeleteBetween(Id account_id, Id other_id) = 0;
  // Sets the marker, bumping its version.
  virtual Result<Marker> SetMarker(Id account_id, std::string_view timeline, Id last_read_id,
                                   Timestamp at) = 0;
};

}  // namespace stoa::storage
