// Notifications and read markers.
#include <random>

#include "storage/testing/conformance.h"

namespace stoa::storage::conformance {
namespace {

using Ids = std::vector<Id>;

Ids NotificationIds(const std::vector<Notification>& ns) {
  Ids out;
  for (const auto& n : ns) out.push_back(n.id);
  return out;
}

bool Matches(const Notification& n, const NotificationFilter& f) {
  auto has = [](const std::vector<NotificationType>& v, NotificationType t) {
    return std::find(v.begin(), v.end(), t) != v.end();
  };
  if (!f.types.empty() && !has(f.types, n.type)) return false;
  if (has(f.exclude_types, n.type)) return false;
  if (f.from_account_id != kNoId && n.from_account_id != f.from_account_id) return false;
  return true;
}

TEST_P(StorageConformanceTest, NotificationRoundTripAndOwnership) {
  const Id me = CreateAccount("me");
  const Id actor = CreateAccount("actor");
  const Notification with_status =
      MakeNotification(me, actor, NotificationType::kFavourite, 1234, 5678);
  const Notification bare = MakeNotification(me, actor, NotificationType::kFollow);
  const Notification admin = MakeNotification(me, actor, NotificationType::kAdminSignUp);
  MustWrite([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.notifications().Insert(with_status));
    RETURN_IF_ERROR(tx.notifications().Insert(bare));
    return tx.notifications().Insert(admin);
  });
  auto r = Read();
  for (const Notification* want : {&with_status, &bare, &admin}) {
    auto got = r->notifications().Get(me, want->id);
    ASSERT_TRUE(IsOk(got));
    EXPECT_EQ(got->id, want->id);
    EXPECT_EQ(got->account_id, me);
    EXPECT_EQ(got->from_account_id, actor);
    EXPECT_EQ(got->type, want->type);
    EXPECT_EQ(got->status_id, want->status_id);
    EXPECT_EQ(got->activity_id, want->activity_id);
    EXPECT_EQ(got->created_at, want->created_at);
  }
  EXPECT_EQ(r->notifications().Get(actor, bare.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r->notifications().Get(me, 999).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(NotificationIds(r->notifications().List(me, {}, {})),
            (Ids{admin.id, bare.id, with_status.id}));
  EXPECT_TRUE(r->notifications().List(actor, {}, {}).empty());
}

TEST_P(StorageConformanceTest, NotificationListsFilterAndPage) {
  const Id me = CreateAccount("me");
  const Id someone_else = CreateAccount("someone_else");
  Ids actors;
  for (int i = 0; i < 3; ++i) actors.push_back(CreateAccount("actor" + std::to_string(i)));
  const NotificationType kinds[] = {NotificationType::kMention, NotificationType::kStatus,
                                    NotificationType::kReblog,  NotificationType::kFollow,
                                    NotificationType::kFavourite, NotificationType::kUpdate,
                                    NotificationType::kFollowRequest};
  std::mt19937 rng(3);
  std::vector<Notification> mine;
  MustWrite([&](Transaction& tx) -> Status {
    for (int i = 0; i < 60; ++i) {
      const Notification n = MakeNotification(me, actors[rng() % actors.size()],
                                              kinds[rng() % std::size(kinds)], NextId());
      RETURN_IF_ERROR(tx.notifications().Insert(n));
      mine.push_back(n);
      RETURN_IF_ERROR(tx.notifications().Insert(
          MakeNotification(someone_else, actors[0], NotificationType::kMention, NextId())));
    }
    return Status::Ok();
  });

  using T = NotificationType;
  std::vector<NotificationFilter> filters = {
      {},
      {{T::kMention}, {}, kNoId},
      {{T::kFavourite, T::kReblog}, {}, kNoId},
      {{}, {T::kMention}, kNoId},
      {{}, {T::kFollow, T::kFollowRequest, T::kStatus}, kNoId},
      {{T::kFavourite, T::kReblog, T::kMention}, {T::kMention}, kNoId},
      {{}, {}, actors[1]},
      {{T::kFollow}, {}, actors[2]},
      {{}, {T::kUpdate}, actors[0]},
      {{T::kPoll}, {}, kNoId},
      {{}, {}, someone_else},
  };
  auto r = Read();
  for (size_t fi = 0; fi < filters.size(); ++fi) {
    const NotificationFilter& f = filters[fi];
    Ids want;
    for (const auto& n : mine) {
      if (Matches(n, f)) want.push_back(n.id);
    }
    SCOPED_TRACE(::testing::Message() << "filter " << fi);
    ExpectPaging(want, [&](const PageQuery& page) {
      return NotificationIds(r->notifications().List(me, f, page));
    });
    // CountAfter counts what List would show above an id, up to a limit.
    for (const Id after : {kNoId, mine[10].id, mine[45].id, mine.back().id}) {
      int64_t above = 0;
      for (Id id : want) above += id > after ? 1 : 0;
      for (const int limit : {1, 5, 1000}) {
        EXPECT_EQ(r->notifications().CountAfter(me, after, f, limit),
                  std::min<int64_t>(above, limit))
            << "after " << after << " limit " << limit;
      }
    }
  }
}

TEST_P(StorageConformanceTest, DismissAndClearTouchOnlyTheOwnersNotifications) {
  const Id me = CreateAccount("me");
  const Id you = CreateAccount("you");
  const Notification mine1 = MakeNotification(me, you, NotificationType::kFollow);
  const Notification mine2 = MakeNotification(me, you, NotificationType::kMention, 42);
  const Notification yours = MakeNotification(you, me, NotificationType::kFollow);
  MustWrite([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.notifications().Insert(mine1));
    RETURN_IF_ERROR(tx.notifications().Insert(mine2));
    return tx.notifications().Insert(yours);
  });
  auto dismiss = [&](Id account, Id id) {
    bool removed = false;
    MustWrite([&](Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(removed, tx.notifications().Dismiss(account, id));
      return Status::Ok();
    });
    return removed;
  };
  EXPECT_FALSE(dismiss(me, yours.id));  // someone else's
  EXPECT_TRUE(IsOk(Read()->notifications().Get(you, yours.id)));
  EXPECT_TRUE(dismiss(me, mine1.id));
  EXPECT_FALSE(dismiss(me, mine1.id));
  EXPECT_FALSE(dismiss(me, 999));
  EXPECT_EQ(NotificationIds(Read()->notifications().List(me, {}, {})), Ids{mine2.id});

  MustWrite([&](Transaction& tx) { return tx.notifications().Clear(me); });
  EXPECT_TRUE(Read()->notifications().List(me, {}, {}).empty());
  EXPECT_EQ(NotificationIds(Read()->notifications().List(you, {}, {})), Ids{yours.id});
  MustWrite([&](Transaction& tx) { return tx.notifications().Clear(me); });  // nothing left: fine
}

TEST_P(StorageConformanceTest, NotificationsAreDeletedWithWhatCausedThem) {
  const Id me = CreateAccount("me");
  const Id a = CreateAccount("a");
  const Id b = CreateAccount("b");
  const Id c = CreateAccount("c");
  const Id fav_record = NextId();
  const Id post = NextId();
  const Id other_post = NextId();
  using T = NotificationType;
  const Notification fav = MakeNotification(me, a, T::kFavourite, post, fav_record);
  const Notification same_activity_other_type = MakeNotification(me, a, T::kReblog, post, fav_record);
  const Notification mention = MakeNotification(me, b, T::kMention, post, post);
  const Notification mention_b = MakeNotification(b, me, T::kMention, other_post, other_post);
  const Notification follow_ab = MakeNotification(b, a, T::kFollow, kNoId, NextId());
  const Notification follow_ba = MakeNotification(a, b, T::kFollow, kNoId, NextId());
  const Notification follow_ca = MakeNotification(a, c, T::kFollow, kNoId, NextId());
  const Notification follow_ac = MakeNotification(c, a, T::kFollow, kNoId, NextId());
  MustWrite([&](Transaction& tx) -> Status {
    for (const Notification* n : {&fav, &same_activity_other_type, &mention, &mention_b,
                                  &follow_ab, &follow_ba, &follow_ca, &follow_ac}) {
      RETURN_IF_ERROR(tx.notifications().Insert(*n));
    }
    return Status::Ok();
  });
  auto ids_of = [&](Id account) { return NotificationIds(Read()->notifications().List(account, {}, {})); };

  MustWrite([&](Transaction& tx) {
    return tx.notifications().DeleteForActivity(T::kFavourite, fav_record);
  });
  EXPECT_EQ(ids_of(me), (Ids{mention.id, same_activity_other_type.id}));

  MustWrite([&](Transaction& tx) { return tx.notifications().DeleteForStatus(post); });
  EXPECT_TRUE(ids_of(me).empty());
  EXPECT_EQ(ids_of(b), (Ids{follow_ab.id, mention_b.id}));

  MustWrite([&](Transaction& tx) { return tx.notifications().DeleteBetween(a, b); });
  EXPECT_EQ(ids_of(b), Ids{mention_b.id});
  EXPECT_EQ(ids_of(a), Ids{follow_ca.id});
  EXPECT_EQ(ids_of(c), Ids{follow_ac.id});
}

TEST_P(StorageConformanceTest, MarkersStartAtVersionZeroAndBumpOnEachSet) {
  const Id me = CreateAccount("me");
  const Id you = CreateAccount("you");
  EXPECT_FALSE(Read()->notifications().GetMarker(me, "home").has_value());
  auto set = [&](Id account, std::string_view timeline, Id last_read) {
    Result<Marker> m = Marker{};
    MustWrite([&](Transaction& tx) -> Status {
      m = tx.notifications().SetMarker(account, timeline, last_read, Now());
      return m.status();
    });
    EXPECT_TRUE(IsOk(m));
    return m.ok() ? *m : Marker{};
  };
  const Marker first = set(me, "home", 100);
  EXPECT_EQ(first.timeline, "home");
  EXPECT_EQ(first.last_read_id, 100);
  EXPECT_EQ(first.version, 0);
  EXPECT_EQ(first.updated_at, Now());

  Advance(std::chrono::minutes(1));
  const Marker second = set(me, "home", 90);  // clients may move a marker back
  EXPECT_EQ(second.last_read_id, 90);
  EXPECT_EQ(second.version, 1);
  EXPECT_EQ(second.updated_at, Now());
  const Marker third = set(me, "home", 200);
  EXPECT_EQ(third.version, 2);

  const Marker notifications = set(me, "notifications", 7);
  EXPECT_EQ(notifications.version, 0);
  const Marker yours = set(you, "home", 1);
  EXPECT_EQ(yours.version, 0);

  auto r = Read();
  auto got = r->notifications().GetMarker(me, "home");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->timeline, "home");
  EXPECT_EQ(got->last_read_id, 200);
  EXPECT_EQ(got->version, 2);
  EXPECT_EQ(got->updated_at, third.updated_at);
  EXPECT_EQ(r->notifications().GetMarker(me, "notifications")->last_read_id, 7);
  EXPECT_EQ(r->notifications().GetMarker(you, "home")->last_read_id, 1);
  EXPECT_FALSE(r->notifications().GetMarker(you, "notifications").has_value());
}

}  // namespace
}  // namespace stoa::storage::conformance
