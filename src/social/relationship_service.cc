#include "social/relationship_service.h"

#include "common/strings.h"
#include "social/notify.h"

namespace stoa::social {

void RelationshipService::Changed(Id a, Id b) {
  core_.GraphChanged(a);
  core_.GraphChanged(b);
  core_.AccountChanged(a);
  core_.AccountChanged(b);
}

Result<AccountPtr> RelationshipService::Target(const Viewer& viewer, Id target_id) {
  AccountPtr target = core_.LoadAccount(target_id);
  if (!target || target->suspended() || target_id == viewer.account_id) return NotFound();
  return target;
}

std::vector<Relationship> RelationshipService::Describe(const Viewer& viewer,
                                                        std::span<const Id> target_ids) {
  auto read = core_.storage().Read();
  return read->relationships().Describe(viewer.account_id, target_ids, core_.Now());
}

Relationship RelationshipService::DescribeOne(const Viewer& viewer, Id target_id) {
  const Id ids[] = {target_id};
  auto all = Describe(viewer, ids);
  return all.empty() ? Relationship{} : all.front();
}

Result<Relationship> RelationshipService::Follow(const Viewer& viewer, Id target_id,
                                                 const FollowOptions& options) {
  ASSIGN_OR_RETURN(AccountPtr target, Target(viewer, target_id));
  const Id me = viewer.account_id;
  const Id record_id = core_.ids().Next();
  bool created_follow = false;
  Status st = core_.storage().Write([&](storage::Transaction& tx) -> Status {
    created_follow = false;
    auto& rel = tx.relationships();
    if (rel.IsBlocking(target_id, me) || rel.IsBlocking(me, target_id)) {
      return PermissionDenied("This action is not allowed");
    }
    auto apply = [&](stoa::Follow f) {
      if (options.reblogs) f.show_reblogs = *options.reblogs;
      if (options.notify) f.notify = *options.notify;
      if (options.languages) f.languages = *options.languages;
      return f;
    };
    if (auto existing = rel.GetFollow(me, target_id)) {
      return rel.UpdateFollowOptions(apply(*existing));
    }
    if (rel.GetFollowRequest(me, target_id)) return Status::Ok();
    stoa::Follow f;
    f.id = record_id;
    f.account_id = me;
    f.target_account_id = target_id;
    f.created_at = core_.Now();
    f = apply(f);
    if (target->locked) {
      RETURN_IF_ERROR(rel.InsertFollowRequest(f));
      return Notify(core_, tx, target_id, me, NotificationType::kFollowRequest, kNoId, record_id);
    }
    RETURN_IF_ERROR(rel.InsertFollow(f));
    RETURN_IF_ERROR(tx.accounts().AdjustCounts(me, 0, 0, 1));
    RETURN_IF_ERROR(tx.accounts().AdjustCounts(target_id, 0, 1, 0));
    created_follow = true;
    return Notify(core_, tx, target_id, me, NotificationType::kFollow, kNoId, record_id);
  });
  RETURN_IF_ERROR(st);
  Changed(me, target_id);
  // The new followee's posts belong in the home feed: rebuild it on the next read.
  if (created_follow) core_.home_feeds().Forget(me);
  return DescribeOne(viewer, target_id);
}

Result<Relationship> RelationshipService::Unfollow(const Viewer& viewer, Id target_id) {
  AccountPtr target = core_.LoadAccount(target_id);
  if (!target) return NotFound();
  const Id me = viewer.account_id;
  Status st = core_.storage().Write([&](storage::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(auto removed, tx.relationships().DeleteFollow(me, target_id));
    if (removed) {
      RETURN_IF_ERROR(tx.accounts().AdjustCounts(me, 0, 0, -1));
      RETURN_IF_ERROR(tx.accounts().AdjustCounts(target_id, 0, -1, 0));
      RETURN_IF_ERROR(tx.notifications().DeleteForActivity(NotificationType::kFollow, removed->id));
    }
    ASSIGN_OR_RETURN(auto request, tx.relationships().DeleteFollowRequest(me, target_id));
    if (request) {
      RETURN_IF_ERROR(
          tx.notifications().DeleteForActivity(NotificationType::kFollowRequest, request->id));
    }
    return Status::Ok();
  });
  RETURN_IF_ERROR(st);
  Changed(me, target_id);
  return DescribeOne(viewer, target_id);
}

Result<Relationship> RelationshipService::RemoveFromFollowers(const Viewer& viewer,
                                                              Id follower_id) {
  AccountPtr follower = core_.LoadAccount(follower_id);
  if (!follower) return NotFound();
  const Id me = viewer.account_id;
  Status st = core_.storage().Write([&](storage::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(auto removed, tx.relationships().DeleteFollow(follower_id, me));
    if (!removed) return Status::Ok();
    RETURN_IF_ERROR(tx.accounts().AdjustCounts(follower_id, 0, 0, -1));
    RETURN_IF_ERROR(tx.accounts().AdjustCounts(me, 0, -1, 0));
    return tx.notifications().DeleteForActivity(NotificationType::kFollow, removed->id);
  });
  RETURN_IF_ERROR(st);
  Changed(me, follower_id);
  return DescribeOne(viewer, follower_id);
}

Result<Relationship> RelationshipService::AuthorizeFollowRequest(const Viewer& viewer,
                                                                 Id requester_id) {
  const Id me = viewer.account_id;
  Status st = core_.storage().Write([&](storage::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(auto request, tx.relationships().DeleteFollowRequest(requester_id, me));
    if (!request) return NotFound();
    RETURN_IF_ERROR(
        tx.notifications().DeleteForActivity(NotificationType::kFollowRequest, request->id));
    if (tx.relationships().GetFollow(requester_id, me)) return Status::Ok();
    RETURN_IF_ERROR(tx.relationships().InsertFollow(*request));
    RETURN_IF_ERROR(tx.accounts().AdjustCounts(requester_id, 0, 0, 1));
    RETURN_IF_ERROR(tx.accounts().AdjustCounts(me, 0, 1, 0));
    return Status::Ok();
  });
  RETURN_IF_ERROR(st);
  Changed(me, requester_id);
  core_.home_feeds().Forget(requester_id);
  return DescribeOne(viewer, requester_id);
}

Result<Relationship> RelationshipService::RejectFollowRequest(const Viewer& viewer,
                                                              Id requester_id) {
  const Id me = viewer.account_id;
  Status st = core_.storage().Write([&](storage::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(auto request, tx.relationships().DeleteFollowRequest(requester_id, me));
    if (!request) return NotFound();
    return tx.notifications().DeleteForActivity(NotificationType::kFollowRequest, request->id);
  });
  RETURN_IF_ERROR(st);
  Changed(me, requester_id);
  return DescribeOne(viewer, requester_id);
}

Result<Relationship> RelationshipService::Block(const Viewer& viewer, Id target_id) {
  ASSIGN_OR_RETURN(AccountPtr target, Target(viewer, target_id));
  const Id me = viewer.account_id;
  const Id record_id = core_.ids().Next();
  Status st = core_.storage().Write([&](storage::Transaction& tx) -> Status {
    auto& rel = tx.relationships();
    if (rel.IsBlocking(me, target_id)) return Status::Ok();
    RETURN_IF_ERROR(rel.InsertBlock(record_id, me, target_id, core_.Now()));
    // A block severs follows and requests both ways.
    for (auto [from, to] : {std::pair{me, target_id}, std::pair{target_id, me}}) {
      ASSIGN_OR_RETURN(auto follow, rel.DeleteFollow(from, to));
      if (follow) {
        RETURN_IF_ERROR(tx.accounts().AdjustCounts(from, 0, 0, -1));
        RETURN_IF_ERROR(tx.accounts().AdjustCounts(to, 0, -1, 0));
      }
      ASSIGN_OR_RETURN(auto request, rel.DeleteFollowRequest(from, to));
      (void)request;
    }
    return tx.notifications().DeleteBetween(me, target_id);
  });
  RETURN_IF_ERROR(st);
  Changed(me, target_id);
  return DescribeOne(viewer, target_id);
}

Result<Relationship> RelationshipService::Unblock(const Viewer& viewer, Id target_id) {
  AccountPtr target = core_.LoadAccount(target_id);
  if (!target) return NotFound();
  const Id me = viewer.account_id;
  Status st = core_.storage().Write([&](storage::Transaction& tx) -> Status {
    return tx.relationships().DeleteBlock(me, target_id).status();
  });
  RETURN_IF_ERROR(st);
  Changed(me, target_id);
  return DescribeOne(viewer, target_id);
}

Result<Relationship> RelationshipService::Mute(const Viewer& viewer, Id target_id,
                                               bool notifications, int64_t duration_seconds) {
  ASSIGN_OR_RETURN(AccountPtr target, Target(viewer, target_id));
  if (duration_seconds < 0) return BadRequest("duration must not be negative");
  stoa::Mute mute;
  mute.id = core_.ids().Next();
  mute.account_id = viewer.account_id;
  mute.target_account_id = target_id;
  mute.hide_notifications = notifications;
  mute.created_at = core_.Now();
  if (duration_seconds > 0) mute.expires_at = mute.created_at + std::chrono::seconds(duration_seconds);
  RETURN_IF_ERROR(core_.storage().Write(
      [&](storage::Transaction& tx) { return tx.relationships().UpsertMute(mute); }));
  Changed(viewer.account_id, target_id);
  return DescribeOne(viewer, target_id);
}

Result<Relationship> RelationshipService::Unmute(const Viewer& viewer, Id target_id) {
  AccountPtr target = core_.LoadAccount(target_id);
  if (!target) return NotFound();
  RETURN_IF_ERROR(core_.storage().Write([&](storage::Transaction& tx) {
    return tx.relationships().DeleteMute(viewer.account_id, target_id).status();
  }));
  Changed(viewer.account_id, target_id);
  return DescribeOne(viewer, target_id);
}

Result<Relationship> RelationshipService::SetNote(const Viewer& viewer, Id target_id,
                                                  const std::string& comment) {
  AccountPtr target = core_.LoadAccount(target_id);
  if (!target) return NotFound();
  if (Utf8Length(comment) > 2000) {
    return InvalidArgument("Validation failed: Comment is too long (maximum is 2000 characters)");
  }
  RETURN_IF_ERROR(core_.storage().Write([&](storage::Transaction& tx) {
    return tx.relationships().SetNote(viewer.account_id, target_id, comment);
  }));
  return DescribeOne(viewer, target_id);
}

AccountList RelationshipService::ToList(const Viewer& viewer,
                                        const std::vector<storage::AccountEntry>& entries,
                                        bool filter_blocks) {
  std::vector<Id> ids;
  for (const auto& e : entries) ids.push_back(e.account_id);
  auto accounts = core_.LoadAccounts(ids);
  AccountList list;
  for (const auto& e : entries) {
    auto it = accounts.find(e.account_id);
    if (it == accounts.end() || it->second->suspended()) continue;
    if (filter_blocks && viewer.graph && viewer.graph->BlocksEitherWay(e.account_id)) continue;
    list.accounts.push_back(it->second);
    list.record_ids.push_back(e.record_id);
    list.expires_at.push_back(e.expires_at);
  }
  return list;
}

Result<AccountList> RelationshipService::Followers(const Viewer& viewer, Id account_id,
                                                   const storage::PageQuery& page) {
  return Collection(viewer, account_id, page, /*followers=*/true);
}

Result<AccountList> RelationshipService::Following(const Viewer& viewer, Id account_id,
                                                   const storage::PageQuery& page) {
  return Collection(viewer, account_id, page, /*followers=*/false);
}

Result<AccountList> RelationshipService::Collection(const Viewer& viewer, Id account_id,
                                                    const storage::PageQuery& page,
                                                    bool followers) {
  AccountPtr account = core_.LoadAccount(account_id);
  if (!account) return NotFound();
  const bool own = viewer.account_id == account_id;
  if (account->suspended()) return AccountList{};
  if (!own && (account->hide_collections ||
               (viewer.graph && viewer.graph->blocked_by.count(account_id) != 0))) {
    return AccountList{};
  }
  auto read = core_.storage().Read();
  return ToList(viewer,
                followers ? read->relationships().ListFollowers(account_id, page)
                          : read->relationships().ListFollowing(account_id, page),
                true);
}

AccountList RelationshipService::FollowRequests(const Viewer& viewer,
                                                const storage::PageQuery& page) {
  auto read = core_.storage().Read();
  return ToList(viewer, read->relationships().ListFollowRequests(viewer.account_id, page), false);
}

AccountList RelationshipService::Blocks(const Viewer& viewer, const storage::PageQuery& page) {
  auto read = core_.storage().Read();
  return ToList(viewer, read->relationships().ListBlocks(viewer.account_id, page), false);
}

AccountList RelationshipService::Mutes(const Viewer& viewer, const storage::PageQuery& page) {
  auto read = core_.storage().Read();
  return ToList(viewer, read->relationships().ListMutes(viewer.account_id, page, core_.Now()),
                false);
}

}  // namespace stoa::social
