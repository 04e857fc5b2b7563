// Who is asking: the authenticated account (or nobody) and its social graph, which visibility,
// blocks and mutes depend on.
#pragma once

#include <memory>
#include <optional>
#include <unordered_map>
#include <algorithm>
#include <vector>

#include "common/cache_residency.h"
#include "common/clock.h"
#include "common/id.h"
#include "domain/relationship.h"
#include "domain/role.h"

namespace stoa::social {

// A set of ids as a sorted vector: lookups are a binary search in contiguous memory, which for
// the hundreds of entries of a social graph is several times faster than a node-based hash set
// (measured in bench/: the home timeline checks it for every post).
class IdSet {
 public:
  void insert(Id id) { ids_.push_back(id); }
  // Call once after the inserts.
  void Seal() {
    std::sort(ids_.begin(), ids_.end());
    ids_.erase(std::unique(ids_.begin(), ids_.end()), ids_.end());
  }
  size_t count(Id id) const { return std::binary_search(ids_.begin(), ids_.end(), id) ? 1 : 0; }
  size_t size() const { return ids_.size(); }
  bool empty() const { return ids_.empty(); }
  std::vector<Id>::const_iterator begin() const { return ids_.begin(); }
  std::vector<Id>::const_iterator end() const { return ids_.end(); }

 private:
  std::vector<Id> ids_;
};

// A snapshot of one account's outgoing and incoming edges that matter for filtering. Immutable
// once built; rebuilt after any change of the account's follows, blocks or mutes.
struct ViewerGraph {
  IdSet following;
  IdSet hide_reblogs_of;  // followed with show_reblogs=false
  IdSet blocking;
  IdSet blocked_by;
  std::unordered_map<Id, Mute> mutes;  // including ones that may have expired since loading
  // Whether this graph is still the current one in Core's cache (common/cache_residency.h).
  CacheResidency residency;

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

struct RequestMemo;

struct Viewer {
  Id account_id = kNoId;  // kNoId: anonymous (or an app-only token)
  Role role = Role::kMember;
  std::shared_ptr<const ViewerGraph> graph;  // empty graph for anonymous viewers
  // Objects this (read-only) request has loaded already, or null. Owned by the request.
  RequestMemo* memo = nullptr;

  bool anonymous() const { return account_id == kNoId; }
  bool IsStaff() const { return !anonymous() && AtLeast(role, Role::kModerator); }
};

}  // namespace stoa::social
