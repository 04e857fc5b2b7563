// Follows, follow requests, blocks, mutes and notes between accounts.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/relationship.h"
#include "social/core.h"
#include "storage/page.h"

namespace stoa::social {

struct FollowOptions {
  std::optional<bool> reblogs;
  std::optional<bool> notify;
  std::optional<std::vector<std::string>> languages;
};

// Accounts with the record ids that page them (follow ids, block ids ...).
struct AccountList {
  std::vector<AccountPtr> accounts;
  std::vector<Id> record_ids;
  std::vector<std::optional<Timestamp>> expires_at;  // mutes only
};

class RelationshipService {
 public:
  explicit RelationshipService(Core& core) : core_(core) {}

  // Follows `target_id`, or requests to when the target is locked; updates the options of an
  // existing follow. kNotFound for unknown, suspended or self; kPermissionDenied when a block
  // stands between the two.
  Result<Relationship> Follow(const Viewer& viewer, Id target_id, const FollowOptions& options);
  // Ends a follow or withdraws a request. Idempotent.
  Result<Relationship> Unfollow(const Viewer& viewer, Id target_id);
  Result<Relationship> RemoveFromFollowers(const Viewer& viewer, Id follower_id);
  // kNotFound when there is no such request.
  Result<Relationship> AuthorizeFollowRequest(const Viewer& viewer, Id requester_id);
  Result<Relationship> RejectFollowRequest(const Viewer& viewer, Id requester_id);
  // Blocking ends follows and requests in both directions and removes notifications between them.
  Result<Relationship> Block(const Viewer& viewer, Id target_id);
  Result<Relationship> Unblock(const Viewer& viewer, Id target_id);
  // `duration_seconds` 0 means forever.
  Result<Relationship> Mute(const Viewer& viewer, Id target_id, bool notifications,
                            int64_t duration_seconds);
  Result<Relationship> Unmute(const Viewer& viewer, Id target_id);
  Result<Relationship> SetNote(const Viewer& viewer, Id target_id, const std::string& comment);

  std::vector<Relationship> Describe(const Viewer& viewer, std::span<const Id> target_ids);
  Relationship DescribeOne(const Viewer& viewer, Id target_id);

  // Collections; an account that hides them (or blocks the viewer) shows an empty list to others,
  // and a suspended account shows an empty list to everyone.
  Result<AccountList> Followers(const Viewer& viewer, Id account_id, const storage::PageQuery& page);
  Result<AccountList> Following(const Viewer& viewer, Id account_id, const storage::PageQuery& page);
  AccountList FollowRequests(const Viewer& viewer, const storage::PageQuery& page);
  AccountList Blocks(const Viewer& viewer, const storage::PageQuery& page);
  AccountList Mutes(const Viewer& viewer, const storage::PageQuery& page);

 private:
  // Followers (or, without `followers`, followed accounts) of `account_id` as `viewer` may see
  // them: none for a suspended account, or one that hides its collections or blocks the viewer
  // (its own owner sees them anyway).
  Result<AccountList> Collection(const Viewer& viewer, Id account_id,
                                 const storage::PageQuery& page, bool followers);
  Result<AccountPtr> Target(const Viewer& viewer, Id target_id);
  AccountList ToList(const Viewer& viewer, const std::vector<storage::AccountEntry>& entries,
                     bool filter_blocks);
  void Changed(Id a, Id b);

  Core& core_;
};

}  // namespace stoa::social
