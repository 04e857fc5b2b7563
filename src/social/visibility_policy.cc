#include "social/visibility_policy.h"

namespace stoa::social {

bool CanSee(const Viewer& viewer, const Post& post, const Account& author, Surface surface,
            Timestamp now) {
  if (post.deleted() || author.suspended()) return false;
  if (viewer.account_id == post.account_id) return true;
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
