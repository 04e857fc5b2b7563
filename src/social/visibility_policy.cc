#include "social/visibility_policy.h"

namespace stoa::social {

bool CanSee(const Viewer& viewer, const Post& post, const Account& author, Surface surface,
            Timestamp now) {
  if (post.deleted()) return false;
  // A suspended author's posts: staff may still open one directly (to review it), nobody else.
  if (author.suspended() && !(surface == Surface::kDirect && viewer.IsStaff())) return false;
  // Moderation decisions on the status itself (safety/status_moderation.h).
  if (post.removed() && !(surface == Surface::kDirect && viewer.IsStaff())) return false;
  if (post.restricted() && !viewer.IsStaff() &&
      (surface == Surface::kPublicTimeline || surface == Surface::kSearch)) {
    return false;
  }
  // Held by screening: its author sees it everywhere, staff on a direct fetch, nobody else.
  if (post.held() && viewer.account_id != post.account_id &&
      !(surface == Surface::kDirect && viewer.IsStaff())) {
    return false;
  }
  if (viewer.account_id == post.account_id) return true;
  // A silenced (limited) author's posts stay out of timelines and search for non-followers.
  if (author.silenced() && (surface == Surface::kTimeline || surface == Surface::kPublicTimeline ||
                            surface == Surface::kSearch) &&
      !viewer.IsStaff() && !(viewer.graph && viewer.graph->Follows(post.account_id))) {
    return false;
  }
  if (!viewer.anonymous() && viewer.graph) {
    const ViewerGraph& g = *viewer.graph;
    if (g.BlocksEitherWay(post.account_id)) return false;
    // A mute's own `notifications` flag decides about notifications (NotificationService), so
    // a mute without it keeps mentions and their posts visible there, as in Mastodon.
    if (surface != Surface::kDirect && surface != Surface::kNotification &&
        g.Mutes(post.account_id, now)) {
      return false;
    }
  }
  switch (post.visibility) {
    case Visibility::kPublic:
    case Visibility::kUnlisted:
      return true;
    case Visibility::kPrivate:
      if (viewer.anonymous()) return false;
      return (viewer.graph && viewer.graph->Follows(post.account_id)) ||
             post.Mentions(viewer.account_id);
    case Visibility::kDirect:
      return !viewer.anonymous() && post.Mentions(viewer.account_id);
  }
  return false;
}

}  // namespace stoa::social
