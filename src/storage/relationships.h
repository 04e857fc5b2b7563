// Follows, follow requests, blocks, mutes and private notes between accounts.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "domain/relationship.h"
#include "storage/page.h"

namespace stoa::storage {

// (record id, account id) pairs for paged account lists (followers, blocks...).
struct AccountEntry {
  Id record_id = kNoId;
  Id account_id = kNoId;
  std::optional<Timestamp> expires_at;  // mutes only
};

class Relationships {
 public:
  virtual ~Relationships() = default;

  virtual std::optional<Follow> GetFollow(Id account_id, Id target_id) const = 0;
  virtual std::optional<Follow> GetFollowRequest(Id account_id, Id target_id) const = 0;
  virtual bool IsBlocking(Id account_id, Id target_id) const = 0;
  // The mute, ignoring mutes that expired before `now`.
  virtual std::optional<Mute> GetMute(Id account_id, Id target_id, Timestamp now) const = 0;
  // The viewer's relationship to each target, in the order of `target_ids`.
  virtual std::vector<Relationship> Describe(Id viewer_id, std::span<const Id> target_ids,
                                             Timestamp now) const = 0;

  // Paged by the follow record's id, newest first.
  virtual std::vector<AccountEntry> ListFollowers(Id target_id, const PageQuery& page) const = 0;
  virtual std::vector<AccountEntry> ListFollowing(Id account_id, const PageQuery& page) const = 0;
  virtual std::vector<AccountEntry> ListFollowRequests(Id target_id, const PageQuery& page) const = 0;
  virtual std::vector<AccountEntry> ListBlocks(Id account_id, const PageQuery& page) const = 0;
  virtual std::vector<AccountEntry> ListMutes(Id account_id, const PageQuery& page,
                                              Timestamp now) const = 0;
  // Every follower / followee id (for fan-out and feed regeneration).
  virtual std::vector<Id> FollowerIds(Id target_id) const = 0;
  // Followers who asked to be notified of every post (follow with notify=true).
  virtual std::vector<Id> NotifyingFollowerIds(Id target_id) const = 0;
  virtual std::vector<Follow> Following(Id account_id) const = 0;
  // Accounts `account_id` blocks, and accounts that block it.
  virtual std::vector<Id> BlockingIds(Id account_id) const = 0;
  virtual std::vector<Id> BlockedByIds(Id account_id) const = 0;
  // Active mutes of `account_id` at `now`.
  virtual std::vector<Mute> ActiveMutes(Id account_id, Timestamp now) const = 0;
  virtual int64_t CountFollowRequests(Id target_id) const = 0;

  // kAlreadyExists when the follow exists.
  virtual Status InsertFollow(const Follow& follow) = 0;
  virtual Status UpdateFollowOptions(const Follow& follow) = 0;
  // The removed follow, or nullopt.
  virtual Result<std::optional<Follow>> DeleteFollow(Id account_id, Id target_id) = 0;
  virtual Status InsertFollowRequest(const Follow& request) = 0;
  virtual Result<std::optional<Follow>> DeleteFollowRequest(Id account_id, Id target_id) = 0;
  virtual Status InsertBlock(Id record_id, Id account_id, Id target_id, Timestamp at) = 0;
  virtual Result<bool> DeleteBlock(Id account_id, Id target_id) = 0;
  // Inserts or replaces the mute of (account, target).
  virtual Status UpsertMute(const Mute& mute) = 0;
  virtual Result<bool> DeleteMute(Id account_id, Id target_id) = 0;
  // An empty comment removes the note.
  virtual Status SetNote(Id account_id, Id target_id, std::string_view comment) = 0;
};

}  // namespace stoa::storage
