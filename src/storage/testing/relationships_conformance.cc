// Follows, follow requests, blocks, mutes and notes.
#include "storage/testing/conformance.h"

namespace stoa::storage::conformance {
namespace {

using Ids = std::vector<Id>;

Ids AccountIdsOf(const std::vector<AccountEntry>& entries) {
  Ids out;
  for (const auto& e : entries) out.push_back(e.account_id);
  return out;
}

void ExpectSameFollow(const Follow& got, const Follow& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.account_id, want.account_id);
  EXPECT_EQ(got.target_account_id, want.target_account_id);
  EXPECT_EQ(got.show_reblogs, want.show_reblogs);
  EXPECT_EQ(got.notify, want.notify);
  EXPECT_EQ(got.languages, want.languages);
  EXPECT_EQ(got.created_at, want.created_at);
}

TEST_P(StorageConformanceTest, FollowsInsertUpdateAndDelete) {
  const Id a = CreateAccount("a");
  const Id b = CreateAccount("b");
  Follow f = MakeFollow(a, b);
  f.show_reblogs = false;
  f.notify = true;
  f.languages = {"en", "de"};
  MustWrite([&](Transaction& tx) { return tx.relationships().InsertFollow(f); });
  auto got = Read()->relationships().GetFollow(a, b);
  ASSERT_TRUE(got.has_value());
  ExpectSameFollow(*got, f);
  EXPECT_FALSE(Read()->relationships().GetFollow(b, a).has_value());

  const Follow dup = MakeFollow(a, b);
  EXPECT_EQ(Write([&](Transaction& tx) { return tx.relationships().InsertFollow(dup); }).code(),
            StatusCode::kAlreadyExists);

  f.show_reblogs = true;
  f.notify = false;
  f.languages.clear();
  MustWrite([&](Transaction& tx) { return tx.relationships().UpdateFollowOptions(f); });
  ExpectSameFollow(*Read()->relationships().GetFollow(a, b), f);

  std::optional<Follow> removed;
  MustWrite([&](Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(removed, tx.relationships().DeleteFollow(a, b));
    return Status::Ok();
  });
  ASSERT_TRUE(removed.has_value());
  ExpectSameFollow(*removed, f);
  EXPECT_FALSE(Read()->relationships().GetFollow(a, b).has_value());
  MustWrite([&](Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(removed, tx.relationships().DeleteFollow(a, b));
    return Status::Ok();
  });
  EXPECT_FALSE(removed.has_value());
}

TEST_P(StorageConformanceTest, FollowListsPageByTheFollowRecord) {
  const Id star = CreateAccount("star");
  Ids fans;
  Ids records;
  Ids notifying;
  for (int i = 0; i < 8; ++i) {
    const Id fan = CreateAccount("fan" + std::to_string(i));
    Follow f = MakeFollow(fan, star);
    f.notify = i % 3 == 0;
    MustWrite([&](Transaction& tx) { return tx.relationships().InsertFollow(f); });
    fans.push_back(fan);
    records.push_back(f.id);
    if (f.notify) notifying.push_back(fan);
  }
  // The star follows some of them back, in another order.
  Ids star_records;
  Ids star_follows;
  for (int i : {5, 1, 6}) {
    const Follow f = MakeFollow(star, fans[i]);
    MustWrite([&](Transaction& tx) { return tx.relationships().InsertFollow(f); });
    star_records.push_back(f.id);
    star_follows.push_back(fans[i]);
  }
  auto r = Read();
  ExpectPaging(records, [&](const PageQuery& page) {
    return RecordIds(r->relationships().ListFollowers(star, page));
  });
  EXPECT_EQ(AccountIdsOf(r->relationships().ListFollowers(star, {})),
            Ids(fans.rbegin(), fans.rend()));
  ExpectPaging(star_records, [&](const PageQuery& page) {
    return RecordIds(r->relationships().ListFollowing(star, page));
  });
  EXPECT_EQ(AccountIdsOf(r->relationships().ListFollowing(star, {})),
            Ids(star_follows.rbegin(), star_follows.rend()));
  EXPECT_EQ(Sorted(r->relationships().FollowerIds(star)), Sorted(fans));
  EXPECT_EQ(Sorted(r->relationships().NotifyingFollowerIds(star)), Sorted(notifying));
  EXPECT_TRUE(r->relationships().FollowerIds(fans[0]).empty());
  EXPECT_EQ(r->relationships().FollowerIds(fans[5]), Ids{star});
  Ids following;
  for (const auto& f : r->relationships().Following(star)) {
    EXPECT_EQ(f.account_id, star);
    following.push_back(f.target_account_id);
  }
  EXPECT_EQ(Sorted(following), Sorted(star_follows));
  EXPECT_TRUE(r->relationships().ListFollowers(fans[0], {}).empty());
  r.reset();

  MustWrite([&](Transaction& tx) -> Status {
    return tx.relationships().DeleteFollow(fans[0], star).status();
  });
  EXPECT_EQ(Read()->relationships().FollowerIds(star).size(), fans.size() - 1);
}

TEST_P(StorageConformanceTest, FollowRequestsInsertListCountAndDelete) {
  const Id locked = CreateAccount("locked");
  Ids requesters;
  Ids records;
  for (int i = 0; i < 5; ++i) {
    const Id who = CreateAccount("req" + std::to_string(i));
    Follow req = MakeFollow(who, locked);
    req.notify = i == 2;
    req.languages = {"fr"};
    MustWrite([&](Transaction& tx) { return tx.relationships().InsertFollowRequest(req); });
    requesters.push_back(who);
    records.push_back(req.id);
  }
  auto r = Read();
  EXPECT_EQ(r->relationships().CountFollowRequests(locked), 5);
  EXPECT_EQ(r->relationships().CountFollowRequests(requesters[0]), 0);
  ExpectPaging(records, [&](const PageQuery& page) {
    return RecordIds(r->relationships().ListFollowRequests(locked, page));
  });
  EXPECT_EQ(AccountIdsOf(r->relationships().ListFollowRequests(locked, {})),
            Ids(requesters.rbegin(), requesters.rend()));
  auto req = r->relationships().GetFollowRequest(requesters[2], locked);
  ASSERT_TRUE(req.has_value());
  EXPECT_EQ(req->id, records[2]);
  EXPECT_TRUE(req->notify);
  EXPECT_EQ(req->languages, std::vector<std::string>{"fr"});
  EXPECT_FALSE(r->relationships().GetFollowRequest(locked, requesters[2]).has_value());
  EXPECT_FALSE(r->relationships().GetFollow(requesters[2], locked).has_value());
  r.reset();

  std::optional<Follow> removed;
  MustWrite([&](Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(removed, tx.relationships().DeleteFollowRequest(requesters[2], locked));
    return Status::Ok();
  });
  ASSERT_TRUE(removed.has_value());
  EXPECT_EQ(removed->id, records[2]);
  EXPECT_TRUE(removed->notify);
  MustWrite([&](Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(removed, tx.relationships().DeleteFollowRequest(requesters[2], locked));
    return Status::Ok();
  });
  EXPECT_FALSE(removed.has_value());
  EXPECT_EQ(Read()->relationships().CountFollowRequests(locked), 4);
}

TEST_P(StorageConformanceTest, BlocksInsertListAndDelete) {
  const Id me = CreateAccount("me");
  Ids targets;
  Ids records;
  for (int i = 0; i < 6; ++i) {
    const Id t = CreateAccount("t" + std::to_string(i));
    const Id record = NextId();
    MustWrite([&](Transaction& tx) {
      return tx.relationships().InsertBlock(record, me, t, Now());
    });
    targets.push_back(t);
    records.push_back(record);
  }
  const Id blocker = CreateAccount("blocker");
  MustWrite([&](Transaction& tx) {
    return tx.relationships().InsertBlock(NextId(), blocker, me, Now());
  });
  auto r = Read();
  EXPECT_TRUE(r->relationships().IsBlocking(me, targets[3]));
  EXPECT_FALSE(r->relationships().IsBlocking(targets[3], me));
  EXPECT_TRUE(r->relationships().IsBlocking(blocker, me));
  ExpectPaging(records, [&](const PageQuery& page) {
    return RecordIds(r->relationships().ListBlocks(me, page));
  });
  EXPECT_EQ(AccountIdsOf(r->relationships().ListBlocks(me, {})),
            Ids(targets.rbegin(), targets.rend()));
  EXPECT_EQ(Sorted(r->relationships().BlockingIds(me)), Sorted(targets));
  EXPECT_EQ(r->relationships().BlockedByIds(me), Ids{blocker});
  EXPECT_EQ(r->relationships().BlockedByIds(targets[0]), Ids{me});
  EXPECT_TRUE(r->relationships().BlockingIds(targets[0]).empty());
  r.reset();

  bool removed = false;
  MustWrite([&](Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(removed, tx.relationships().DeleteBlock(me, targets[3]));
    return Status::Ok();
  });
  EXPECT_TRUE(removed);
  MustWrite([&](Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(removed, tx.relationships().DeleteBlock(me, targets[3]));
    return Status::Ok();
  });
  EXPECT_FALSE(removed);
  EXPECT_FALSE(Read()->relationships().IsBlocking(me, targets[3]));
  EXPECT_EQ(Read()->relationships().BlockingIds(me).size(), targets.size() - 1);
}

TEST_P(StorageConformanceTest, MutesExpireAtNow) {
  const Id me = CreateAccount("me");
  const Id forever = CreateAccount("forever");
  const Id brief = CreateAccount("brief");
  const Id ended = CreateAccount("ended");
  const Timestamp now = Now();
  Mute m1{NextId(), me, forever, true, std::nullopt, now};
  Mute m2{NextId(), me, brief, false, now + std::chrono::milliseconds(1), now};
  Mute m3{NextId(), me, ended, true, now, now - std::chrono::hours(1)};
  MustWrite([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.relationships().UpsertMute(m1));
    RETURN_IF_ERROR(tx.relationships().UpsertMute(m2));
    return tx.relationships().UpsertMute(m3);
  });
  auto r = Read();
  auto got = r->relationships().GetMute(me, forever, now);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->id, m1.id);
  EXPECT_TRUE(got->hide_notifications);
  EXPECT_EQ(got->expires_at, std::nullopt);
  EXPECT_EQ(got->created_at, now);
  got = r->relationships().GetMute(me, brief, now);
  ASSERT_TRUE(got.has_value());
  EXPECT_FALSE(got->hide_notifications);
  EXPECT_EQ(got->expires_at, m2.expires_at);
  EXPECT_FALSE(r->relationships().GetMute(me, brief, now + std::chrono::milliseconds(1)).has_value());
  EXPECT_FALSE(r->relationships().GetMute(me, ended, now).has_value());  // expired exactly now
  EXPECT_TRUE(r->relationships().GetMute(me, ended, now - std::chrono::milliseconds(1)).has_value());
  EXPECT_FALSE(r->relationships().GetMute(forever, me, now).has_value());

  Ids active;
  for (const auto& m : r->relationships().ActiveMutes(me, now)) active.push_back(m.target_account_id);
  EXPECT_EQ(Sorted(active), Sorted(Ids{forever, brief}));
  EXPECT_EQ(r->relationships().ActiveMutes(me, now + std::chrono::hours(1)).size(), 1u);

  const auto listed = r->relationships().ListMutes(me, {}, now);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].record_id, m2.id);
  EXPECT_EQ(listed[0].account_id, brief);
  EXPECT_EQ(listed[0].expires_at, m2.expires_at);
  EXPECT_EQ(listed[1].account_id, forever);
  EXPECT_EQ(listed[1].expires_at, std::nullopt);
  EXPECT_EQ(r->relationships().ListMutes(me, {}, now - std::chrono::hours(2)).size(), 3u);
  r.reset();

  // Muting again replaces the options and the expiry.
  Mute renewed{NextId(), me, ended, false, now + std::chrono::hours(1), now};
  MustWrite([&](Transaction& tx) { return tx.relationships().UpsertMute(renewed); });
  got = Read()->relationships().GetMute(me, ended, now);
  ASSERT_TRUE(got.has_value());
  EXPECT_FALSE(got->hide_notifications);
  EXPECT_EQ(got->expires_at, renewed.expires_at);
  Mute permanent{NextId(), me, brief, true, std::nullopt, now};
  MustWrite([&](Transaction& tx) { return tx.relationships().UpsertMute(permanent); });
  got = Read()->relationships().GetMute(me, brief, now + std::chrono::hours(100));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->expires_at, std::nullopt);
  EXPECT_TRUE(got->hide_notifications);

  bool removed = false;
  MustWrite([&](Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(removed, tx.relationships().DeleteMute(me, forever));
    return Status::Ok();
  });
  EXPECT_TRUE(removed);
  MustWrite([&](Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(removed, tx.relationships().DeleteMute(me, forever));
    return Status::Ok();
  });
  EXPECT_FALSE(removed);
  EXPECT_FALSE(Read()->relationships().GetMute(me, forever, now).has_value());
}

TEST_P(StorageConformanceTest, MuteListPages) {
  const Id me = CreateAccount("me");
  Ids records;
  for (int i = 0; i < 6; ++i) {
    const Id t = CreateAccount("t" + std::to_string(i));
    Mute m{NextId(), me, t, true, std::nullopt, Now()};
    MustWrite([&](Transaction& tx) { return tx.relationships().UpsertMute(m); });
    records.push_back(m.id);
  }
  auto r = Read();
  ExpectPaging(records, [&](const PageQuery& page) {
    return RecordIds(r->relationships().ListMutes(me, page, Now()));
  });
}

TEST_P(StorageConformanceTest, DescribeAnswersInTargetOrder) {
  const Id me = CreateAccount("me");
  const Id followed = CreateAccount("followed");
  const Id follower = CreateAccount("follower");
  const Id blocked = CreateAccount("blocked");
  const Id blocker = CreateAccount("blocker");
  const Id muted = CreateAccount("muted");
  const Id expired = CreateAccount("expired");
  const Id requested = CreateAccount("requested");
  const Id requester = CreateAccount("requester");
  const Id noted = CreateAccount("noted");
  const Id stranger = CreateAccount("stranger");
  const Timestamp now = Now();
  Follow f = MakeFollow(me, followed);
  f.show_reblogs = false;
  f.notify = true;
  f.languages = {"en"};
  MustWrite([&](Transaction& tx) -> Status {
    auto& rel = tx.relationships();
    RETURN_IF_ERROR(rel.InsertFollow(f));
    RETURN_IF_ERROR(rel.InsertFollow(MakeFollow(follower, me)));
    RETURN_IF_ERROR(rel.InsertFollow(MakeFollow(followed, me)));  // mutual
    RETURN_IF_ERROR(rel.InsertBlock(NextId(), me, blocked, now));
    RETURN_IF_ERROR(rel.InsertBlock(NextId(), blocker, me, now));
    RETURN_IF_ERROR(rel.UpsertMute(Mute{NextId(), me, muted, false, now + std::chrono::hours(1), now}));
    RETURN_IF_ERROR(rel.UpsertMute(Mute{NextId(), me, expired, true, now, now}));
    RETURN_IF_ERROR(rel.InsertFollowRequest(MakeFollow(me, requested)));
    RETURN_IF_ERROR(rel.InsertFollowRequest(MakeFollow(requester, me)));
    RETURN_IF_ERROR(rel.SetNote(me, noted, "met at a conference"));
    return rel.SetNote(noted, me, "their note about me");
  });

  const Ids targets = {stranger, requester, noted, followed, muted, blocker, expired,
                       follower, blocked,   requested, 999};
  const auto rels = Read()->relationships().Describe(me, targets, now);
  ASSERT_EQ(rels.size(), targets.size());
  for (size_t i = 0; i < targets.size(); ++i) {
    const Relationship& rel = rels[i];
    const Id t = targets[i];
    SCOPED_TRACE(::testing::Message() << "target " << i);
    EXPECT_EQ(rel.account_id, me);
    EXPECT_EQ(rel.target_account_id, t);
    EXPECT_EQ(rel.following, t == followed);
    EXPECT_EQ(rel.followed_by, t == follower || t == followed);
    EXPECT_EQ(rel.blocking, t == blocked);
    EXPECT_EQ(rel.blocked_by, t == blocker);
    EXPECT_EQ(rel.muting, t == muted);
    EXPECT_EQ(rel.requested, t == requested);
    EXPECT_EQ(rel.requested_by, t == requester);
    EXPECT_EQ(rel.note, t == noted ? "met at a conference" : "");
    if (t == followed) {
      EXPECT_FALSE(rel.showing_reblogs);
      EXPECT_TRUE(rel.notifying);
      EXPECT_EQ(rel.languages, std::vector<std::string>{"en"});
    } else {
      EXPECT_FALSE(rel.notifying);
    }
    if (t == muted) {
      EXPECT_FALSE(rel.muting_notifications);
      EXPECT_EQ(rel.muting_expires_at, now + std::chrono::hours(1));
    } else {
      EXPECT_EQ(rel.muting_expires_at, std::nullopt);
    }
  }
  EXPECT_TRUE(Read()->relationships().Describe(me, Ids{}, now).empty());

  // An empty note removes it.
  MustWrite([&](Transaction& tx) { return tx.relationships().SetNote(me, noted, ""); });
  EXPECT_EQ(Read()->relationships().Describe(me, Ids{noted}, now)[0].note, "");
  MustWrite([&](Transaction& tx) { return tx.relationships().SetNote(me, noted, "second"); });
  MustWrite([&](Transaction& tx) { return tx.relationships().SetNote(me, noted, "third"); });
  EXPECT_EQ(Read()->relationships().Describe(me, Ids{noted}, now)[0].note, "third");
}

}  // namespace
}  // namespace stoa::storage::conformance
