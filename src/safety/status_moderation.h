// The status effects of decisions, and their reversal:
//  - mark_sensitive: the status is shown sensitive with a content warning (the moderators'
//    warning when the author gave none); the author's own flag and warning are kept;
//  - restrict_visibility: the status leaves the public and hashtag timelines and search;
//  - remove_status: the status is gone from every timeline (home feeds included), search result,
//    thread, account listing, notification and direct fetch, for everyone but staff (who may
//    still open it directly).
// The state lives in the status's moderation columns (storage::StatusModeration); the visibility
// policy (social/visibility_policy.h) and the serializers enforce it where posts are read, so the
// in-memory home feeds need no rewrite: their entries are filtered when shown.
#pragma once

#include <string>

#include "common/clock.h"
#include "common/id.h"
#include "common/status.h"
#include "domain/decision.h"
#include "safety/removed_content.h"
#include "social/core.h"
#include "social/post_service.h"
#include "storage/storage.h"

namespace stoa::safety {

class StatusModeration {
 public:
  // `content_warning` is the warning shown on statuses marked sensitive whose author gave none.
  StatusModeration(social::Core& core, std::string content_warning)
      : core_(core), content_warning_(std::move(content_warning)) {}

  // Applies a status action (IsStatusAction) inside `tx`. kNotFound when the status does not
  // exist or was deleted by its author; kInvalidArgument for an action that is not a status
  // action. Applying an effect already in force keeps its original time. `category` (the
  // decision's STATEMENT_CATEGORY_*) is kept with a removed status's fingerprint.
  Status Apply(storage::Transaction& tx, Id status_id, DecisionAction action, Timestamp now,
               std::string_view category = {});
  // Undoes a status action inside `tx` (the other effects stay). Lifting what is not in force
  // changes nothing. kNotFound when the status does not exist.
  Status Lift(storage::Transaction& tx, Id status_id, DecisionAction action);
  // After the transaction committed: drops the cached copy of the status so every reader sees
  // the new state.
  // Also brings the removed-content index in line with the database.
  void AfterCommit(Id status_id) {
    core_.PostChanged(status_id);
    if (removed_ != nullptr) removed_->Sync(status_id);
  }

  // Where removals store the removed status's fingerprint (set once at start-up; without it
  // removals store none). remove_status remembers it, lifting the removal forgets it.
  void SetRemovedContent(RemovedContent* removed) { removed_ = removed; }

  // The posting service that releases statuses held by screening (set once at start-up; without
  // it Release only clears the hold).
  void SetPosts(social::PostService* posts) { posts_ = posts; }
  // A moderator's decision on a case about a status releases it from a screening hold (whatever
  // the action: a removal keeps it hidden by the removal itself, so a reversal later shows it).
  // Result: whether it was held. Call AfterRelease after the commit.
  Result<bool> Release(storage::Transaction& tx, Id status_id);
  void AfterRelease(Id status_id);

 private:
  social::Core& core_;
  social::PostService* posts_ = nullptr;
  RemovedContent* removed_ = nullptr;
  const std::string content_warning_;
};

}  // namespace stoa::safety
