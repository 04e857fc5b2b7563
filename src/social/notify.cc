#include "social/notify.h"

namespace stoa::social {

Status Notify(Core& core, storage::Transaction& tx, Id recipient, Id actor, NotificationType type,
              Id status_id, Id activity_id) {
  if (recipient == actor || recipient == kNoId) return Status::Ok();
  if (tx.relationships().IsBlocking(recipient, actor)) return Status::Ok();
  Notification n;
  n.id = core.ids().Next();
  n.account_id = recipient;
  n.from_account_id = actor;
  n.type = type;
  n.status_id = status_id;
  n.activity_id = activity_id;
  n.created_at = core.Now();
  RETURN_IF_ERROR(tx.notifications().Insert(n));
  // Live delivery once the notification is durable, only when the recipient is listening.
  if (core.streams().HasListeners(StreamHub::UserKey(recipient))) {
    tx.AfterCommit([&core, n] { core.streams().PublishNotification(n.account_id, n); });
  }
  return Status::Ok();
}

}  // namespace stoa::social
