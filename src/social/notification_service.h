// Reading and dismissing notifications, and the read markers.
#pragma once

#include <vector>

#include "common/status.h"
#include "social/core.h"
#include "social/post_service.h"
#include "storage/notifications.h"
#include "storage/page.h"

namespace stoa::social {

struct NotificationView {
  Notification notification;
  AccountPtr from;
  PostPtr status;  // null when the type carries none
};

class NotificationService {
 public:
  explicit NotificationService(Core& core) : core_(core), posts_(core) {}

  // Newest first. Notifications from accounts the viewer blocks or mutes (with notifications),
  // from suspended accounts, or about posts the viewer can no longer see are left out; further
  // rows are scanned (a bounded number of windows) so that they do not shorten the page.
  std::vector<NotificationView> List(const Viewer& viewer, const storage::NotificationFilter& filter,
                                     const storage::PageQuery& page);
  Result<NotificationView> Get(const Viewer& viewer, Id id);
  Status Dismiss(const Viewer& viewer, Id id);
  Status Clear(const Viewer& viewer);
  // Notifications after the "notifications" marker that List would show, counted up to `limit`.
  int64_t UnreadCount(const Viewer& viewer, const storage::NotificationFilter& filter, int limit);

  std::optional<storage::Marker> GetMarker(const Viewer& viewer, std::string_view timeline);
  Result<storage::Marker> SetMarker(const Viewer& viewer, std::string_view timeline,
                                    Id last_read_id);

 private:
  // Builds the view, or nullopt when it must not be shown.
  std::optional<NotificationView> View(const Viewer& viewer, const Notification& n,
                                       const IdMap<AccountPtr>& accounts,
                                       const IdMap<PostPtr>& posts);

  Core& core_;
  PostService posts_;
};

}  // namespace stoa::social
