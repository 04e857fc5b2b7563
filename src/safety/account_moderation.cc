#include "safety/account_moderation.h"

namespace stoa::safety {

std::string_view AccountActionName(AccountAction action) {
  switch (action) {
    case AccountAction::kNone: return "none";
    case AccountAction::kSensitive: return "sensitive";
    case AccountAction::kDisable: return "disable";
    case AccountAction::kSilence: return "silence";
    case AccountAction::kSuspend: return "suspend";
  }
  return "none";
}

std::optional<AccountAction> ParseAccountAction(std::string_view name) {
  for (AccountAction a : {AccountAction::kNone, AccountAction::kSensitive, AccountAction::kDisable,
                          AccountAction::kSilence, AccountAction::kSuspend}) {
    if (AccountActionName(a) == name) return a;
  }
  return std::nullopt;
}

AccountModeration::AccountModeration(social::Core& core) : core_(core) {}

Status AccountModeration::Apply(storage::Transaction& tx, Id account_id, AccountAction action,
                                std::optional<Timestamp> until, Timestamp now) {
  if (until && action != AccountAction::kSuspend) {
    return InvalidArgument("Validation failed: only a suspension can have an end");
  }
  if (until && *until <= now) {
    return InvalidArgument("Validation failed: the suspension must end in the future");
  }
  ASSIGN_OR_RETURN(Account account, tx.accounts().Get(account_id));
  switch (action) {
    case AccountAction::kNone:
      return Status::Ok();
    case AccountAction::kDisable: {
      auto user = tx.accounts().GetUser(account_id);
      if (!user.ok()) {
        if (user.status().code() == StatusCode::kNotFound) {
          return InvalidArgument("Validation failed: the account has no login to disable");
        }
        return user.status();
      }
      if (user->disabled) return Status::Ok();
      User u = std::move(user).value();
      u.disabled = true;
      return tx.accounts().UpdateUser(u);
    }
    case AccountAction::kSensitive:
      if (!account.sensitized_at) account.sensitized_at = now;
      break;
    case AccountAction::kSilence:
      if (!account.silenced_at) account.silenced_at = now;
      break;
    case AccountAction::kSuspend:
      // An expired suspension is a new one.
      if (!account.suspended_at || account.SuspensionExpired(now)) account.suspended_at = now;
      account.suspended_until = until;
      break;
  }
  return tx.accounts().UpdateProfile(account);
}

Status AccountModeration::Lift(storage::Transaction& tx, Id account_id, AccountAction action,
                               Timestamp /*now*/) {
  ASSIGN_OR_RETURN(Account account, tx.accounts().Get(account_id));
  switch (action) {
    case AccountAction::kNone:
      return Status::Ok();
    case AccountAction::kDisable: {
      auto user = tx.accounts().GetUser(account_id);
      if (!user.ok()) {
        return user.status().code() == StatusCode::kNotFound ? Status::Ok() : user.status();
      }
      if (!user->disabled) return Status::Ok();
      User u = std::move(user).value();
      u.disabled = false;
      return tx.accounts().UpdateUser(u);
    }
    case AccountAction::kSensitive:
      if (!account.sensitized_at) return Status::Ok();
      account.sensitized_at.reset();
      break;
    case AccountAction::kSilence:
      if (!account.silenced_at) return Status::Ok();
      account.silenced_at.reset();
      break;
    case AccountAction::kSuspend:
      if (!account.suspended_at) return Status::Ok();
      account.suspended_at.reset();
      account.suspended_until.reset();
      break;
  }
  return tx.accounts().UpdateProfile(account);
}

void AccountModeration::AfterCommit(Id account_id) {
  // The account object (posts render their author's state from it, timelines and search filter
  // on it), the login record, and what depends on them.
  core_.AccountChanged(account_id);
  core_.UserChanged(account_id);
  // Follower/following lists and viewers' graphs that include the account.
  core_.GraphChanged(account_id);
  // Its own home feed (rebuilt on next read). Other feeds keep its post ids: they are filtered
  // through the visibility policy on every read, so they hide and show again with the state.
  core_.home_feeds().Forget(account_id);
  // Cached token authentications (login refused or allowed again at once).
  core_.LoginStateChanged(account_id);
}

}  // namespace stoa::safety
