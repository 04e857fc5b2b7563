// Account moderation: the effects of a moderator's action on an account (Mastodon's "none",
// "sensitive", "disable", "silence" and "suspend") and their reversal. Used by the Mastodon admin
// API (/api/v1/admin/accounts/:id/action, unsuspend, ...) and by case decisions.
//
// The effects, enforced where the state is read:
//  - suspend: no login (every grant refused, existing tokens answer 403), no posting; the
//    account's posts and profile answer 404 to everyone but staff; it is gone from search,
//    followers/following lists, timelines and home feeds. With `until`, the suspension ends by
//    itself when the clock passes it (checked at read time; no job).
//  - silence: the account's posts stay out of public and hashtag timelines and search for those
//    who do not follow it.
//  - sensitive: every post of the account is rendered `sensitive: true`.
//  - disable: login blocked (grants refused, tokens answer 403); nothing else changes.
//  - none: no effect (a warning; the caller records the strike).
// Lift restores the state before the action. Apply and Lift only write inside `tx`; call
// AfterCommit once the transaction committed, to drop the in-memory state that depends on it.
#pragma once

#include <optional>

#include "common/clock.h"
#include "common/id.h"
#include "common/status.h"
#include "social/core.h"
#include "storage/storage.h"

namespace stoa::safety {

enum class AccountAction { kNone, kSensitive, kDisable, kSilence, kSuspend };

// "none", "sensitive", "disable", "silence", "suspend" (Mastodon's `type` values).
std::string_view AccountActionName(AccountAction action);
// The inverse of AccountActionName; nullopt for anything else.
std::optional<AccountAction> ParseAccountAction(std::string_view name);

class AccountModeration {
 public:
  explicit AccountModeration(social::Core& core);

  // Applies `action` to the account (kNotFound when it does not exist; kInvalidArgument for an
  // `until` not after `now` or given with another action than kSuspend; kDisable on an account
  // without a login is kInvalidArgument). Re-applying an action already in force keeps its
  // original time; a new `until` replaces the old one.
  Status Apply(storage::Transaction& tx, Id account_id, AccountAction action,
               std::optional<Timestamp> until, Timestamp now);
  // Reverses `action` (unsuspend, unsilence, unsensitive, enable). Lifting what is not in force
  // succeeds and changes nothing; kNone is a no-op.
  Status Lift(storage::Transaction& tx, Id account_id, AccountAction action, Timestamp now);
  // After the transaction of Apply/Lift committed: account and user caches, the account's home
  // feed and the feeds that hold its posts, follower lists, and the token authentication cache.
  void AfterCommit(Id account_id);

 private:
  social::Core& core_;
};

}  // namespace stoa::safety
