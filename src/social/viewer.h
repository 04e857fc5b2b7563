// Who is asking: the authenticated account (or nobody) and its social graph, which visibility,
// blocks and mutes depend on.
#pragma once

#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "common/clock.h"
#include "common/id.h"
#include "domain/relationship.h"
#include "domain/role.h"

namespace stoa::social {

// A snapshot of one account's outgoing and incoming edges that matter for filtering. Immutable
// once built; rebuilt after any change of the account's follows, blocks or mutes.
struct ViewerGraph {
  std::unordered_set<Id> following;
  std::unordered_set<Id> hide_reblogs_of;  // followed with show_reblogs=false
  std::unordered_set<Id> blocking;
  std::unordered_set<Id> blocked_by;
  std::unordered_map<Id, Mute> mutes;  // including ones that may have expired since loading

  bool Follows(Id id) const { return following.count(id) != 0; }
  bool BlocksEitherWay(Id id) const { return blocking.count(id) != 0 || blocked_by.count(id) != 0; }
  bool Mutes(Id id, Timestamp now) const {
    auto it = mutes.find(id);
    return it != mutes.end() && (!it->second.expires_at || *it->second.expires_at > now);
  }
  bool MutesNotifications(Id id, Timestamp now) const {
    auto it = mutes.find(id);
    return it != mutes.end() && it->second.hide_notifications &&
           (!it->second.expires_at || *it->second.expires_at > now);
  }
};

struct Viewer {
  Id account_id = kNoId;  // kNoId: anonymous (or an app-only token)
  Role role = Role::kMember;
  std::shared_ptr<const ViewerGraph> graph;  // empty graph for anonymous viewers

  bool anonymous() const { return account_id == kNoId; }
  bool IsStaff() const { return !anonymous() && AtLeast(role, Role::kModerator); }
};

}  // namespace stoa::social
