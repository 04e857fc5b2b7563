#include "safety/status_moderation.h"

namespace stoa::safety {

Status StatusModeration::Apply(storage::Transaction& tx, Id status_id, DecisionAction action,
                               Timestamp now, std::string_view category) {
  if (!IsStatusAction(action)) {
    return InvalidArgument("Validation failed: " + std::string(DecisionActionName(action)) +
                           " is not an action on a status");
  }
  ASSIGN_OR_RETURN(Post post, tx.posts().Get(status_id));
  if (post.deleted()) return NotFound("The status was deleted by its author");
  ASSIGN_OR_RETURN(storage::StatusModeration m, tx.decisions().GetStatusModeration(status_id));
  switch (action) {
    case DecisionAction::kMarkSensitive:
      m.sensitive = true;
      if (m.spoiler_text.empty()) m.spoiler_text = content_warning_;
      break;
    case DecisionAction::kRestrictVisibility:
      if (!m.restricted_at) m.restricted_at = now;
      break;
    case DecisionAction::kRemoveStatus:
      if (!m.removed_at) m.removed_at = now;
      if (removed_ != nullptr) RETURN_IF_ERROR(removed_->Remember(tx, post, *m.removed_at, category));
      break;
    default:
      break;
  }
  return tx.decisions().SetStatusModeration(status_id, m);
}

Status StatusModeration::Lift(storage::Transaction& tx, Id status_id, DecisionAction action) {
  ASSIGN_OR_RETURN(storage::StatusModeration m, tx.decisions().GetStatusModeration(status_id));
  switch (action) {
    case DecisionAction::kMarkSensitive:
      m.sensitive = false;
      m.spoiler_text.clear();
      break;
    case DecisionAction::kRestrictVisibility:
      m.restricted_at.reset();
      break;
    case DecisionAction::kRemoveStatus:
      m.removed_at.reset();
      if (removed_ != nullptr) RETURN_IF_ERROR(removed_->Forget(tx, status_id));
      break;
    default:
      return Status::Ok();
  }
  return tx.decisions().SetStatusModeration(status_id, m);
}

Result<bool> StatusModeration::Release(storage::Transaction& tx, Id status_id) {
  if (posts_ != nullptr) return posts_->ReleaseInTx(tx, status_id);
  auto post = tx.posts().Get(status_id);
  if (!post.ok() || !post->held()) return false;
  RETURN_IF_ERROR(tx.posts().SetHeld(status_id, std::nullopt));
  return true;
}

void StatusModeration::AfterRelease(Id status_id) {
  if (posts_ != nullptr) {
    posts_->AfterRelease(status_id);
  } else {
    core_.PostChanged(status_id);
  }
}

}  // namespace stoa::safety
