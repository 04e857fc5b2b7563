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
  return tx.notifications().Insert(n);
}

}  // namespace stoa::social
