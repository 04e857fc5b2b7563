// Creating notifications inside a write transaction, with the rules every service shares.
#pragma once

#include "common/status.h"
#include "domain/notification.h"
#include "social/core.h"
#include "storage/storage.h"

namespace stoa::social {

// Inserts a notification for `recipient` unless it would be pointless or unwanted: the recipient
// is the actor, or the recipient blocks the actor. Mutes are applied when notifications are read
// (a mute can end). Ids come from `core`.
Status Notify(Core& core, storage::Transaction& tx, Id recipient, Id actor, NotificationType type,
              Id status_id, Id activity_id);

}  // namespace stoa::social
