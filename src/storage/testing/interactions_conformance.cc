// What hangs off posts: favourites, bookmarks, boosts, edits, idempotency keys and hashtags.
#include "storage/testing/conformance.h"

namespace stoa::storage::conformance {
namespace {

using Ids = std::vector<Id>;

Ids PostIdsOf(const std::vector<PostEntry>& entries) {
  Ids out;
  for (const auto& e : entries) out.push_back(e.post_id);
  return out;
}

Ids ActorIdsOf(const std::vector<ActorEntry>& entries) {
  Ids out;
  for (const auto& e : entries) out.push_back(e.account_id);
  return out;
}

TEST_P(StorageConformanceTest, FavouritesAddListAndRemove) {
  const Id fan = CreateAccount("fan");
  const Id author = CreateAccount("author");
  std::vector<Post> posts;
  for (int i = 0; i < 6; ++i) posts.push_back(MakePost(author, "p" + std::to_string(i)));
  for (const auto& p : posts) InsertPost(p);

  // Favourited in an order unrelated to the posts' ids: the list pages by the favourite's id.
  Ids record_ids;
  Ids post_order;
  for (int i : {3, 0, 5, 1, 4}) {
    const Id record = NextId();
    MustWrite([&](Transaction& tx) {
      return tx.posts().AddFavourite(record, fan, posts[i].id, Now());
    });
    record_ids.push_back(record);
    post_order.push_back(posts[i].id);
  }
  const Status dup = Write([&](Transaction& tx) {
    return tx.posts().AddFavourite(NextId(), fan, posts[3].id, Now());
  });
  EXPECT_EQ(dup.code(), StatusCode::kAlreadyExists);

  auto r = Read();
  ExpectPaging(record_ids, [&](const PageQuery& page) {
    return RecordIds(r->posts().ListFavourites(fan, page));
  });
  EXPECT_EQ(PostIdsOf(r->posts().ListFavourites(fan, {})),
            Ids(post_order.rbegin(), post_order.rend()));
  const auto who = r->posts().ListFavouritedBy(posts[3].id, {});
  ASSERT_EQ(who.size(), 1u);
  EXPECT_EQ(who[0].account_id, fan);
  EXPECT_EQ(who[0].record_id, record_ids[0]);
  EXPECT_TRUE(r->posts().ListFavouritedBy(posts[2].id, {}).empty());
  EXPECT_TRUE(r->posts().ListFavourites(author, {}).empty());
  EXPECT_EQ(Sorted(r->posts().FavouritedAmong(
                fan, Ids{posts[0].id, posts[2].id, posts[3].id, 999})),
            Sorted(Ids{posts[0].id, posts[3].id}));
  EXPECT_TRUE(r->posts().FavouritedAmong(fan, Ids{}).empty());
  EXPECT_TRUE(r->posts().FavouritedAmong(author, Ids{posts[0].id}).empty());
  r.reset();

  std::optional<Id> removed;
  MustWrite([&](Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(removed, tx.posts().RemoveFavourite(fan, posts[0].id));
    return Status::Ok();
  });
  EXPECT_EQ(removed, record_ids[1]);
  MustWrite([&](Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(removed, tx.posts().RemoveFavourite(fan, posts[0].id));
    return Status::Ok();
  });
  EXPECT_EQ(removed, std::nullopt);
  EXPECT_TRUE(Read()->posts().FavouritedAmong(fan, Ids{posts[0].id}).empty());

  // A deleted post leaves the favourites list.
  MustWrite([&](Transaction& tx) { return tx.posts().MarkDeleted(posts[5].id, Now()); });
  EXPECT_EQ(PostIdsOf(Read()->posts().ListFavourites(fan, {})),
            (Ids{posts[4].id, posts[1].id, posts[3].id}));
  // Favouriting again after removal works and gets the new record id.
  const Id again = NextId();
  MustWrite([&](Transaction& tx) { return tx.posts().AddFavourite(again, fan, posts[0].id, Now()); });
  EXPECT_EQ(Read()->posts().ListFavourites(fan, {}).front().record_id, again);
}

TEST_P(StorageConformanceTest, FavouritedByPagesByRecord) {
  const Id author = CreateAccount("author");
  const Post p = MakePost(author, "popular");
  InsertPost(p);
  Ids records;
  Ids fans;
  for (int i = 0; i < 7; ++i) {
    const Id fan = CreateAccount("fan" + std::to_string(i));
    const Id record = NextId();
    MustWrite([&](Transaction& tx) { return tx.posts().AddFavourite(record, fan, p.id, Now()); });
    records.push_back(record);
    fans.push_back(fan);
  }
  auto r = Read();
  ExpectPaging(records, [&](const PageQuery& page) {
    return RecordIds(r->posts().ListFavouritedBy(p.id, page));
  });
  EXPECT_EQ(ActorIdsOf(r->posts().ListFavouritedBy(p.id, {})), Ids(fans.rbegin(), fans.rend()));
}

TEST_P(StorageConformanceTest, BookmarksAddListAndRemove) {
  const Id reader = CreateAccount("reader");
  const Id author = CreateAccount("author");
  std::vector<Post> posts;
  for (int i = 0; i < 5; ++i) posts.push_back(MakePost(author, "p" + std::to_string(i)));
  for (const auto& p : posts) InsertPost(p);
  Ids records;
  for (int i : {4, 2, 0, 3}) {
    const Id record = NextId();
    MustWrite([&](Transaction& tx) {
      return tx.posts().AddBookmark(record, reader, posts[i].id, Now());
    });
    records.push_back(record);
  }
  EXPECT_EQ(Write([&](Transaction& tx) {
              return tx.posts().AddBookmark(NextId(), reader, posts[4].id, Now());
            }).code(),
            StatusCode::kAlreadyExists);
  auto r = Read();
  ExpectPaging(records, [&](const PageQuery& page) {
    return RecordIds(r->posts().ListBookmarks(reader, page));
  });
  EXPECT_EQ(PostIdsOf(r->posts().ListBookmarks(reader, {})),
            (Ids{posts[3].id, posts[0].id, posts[2].id, posts[4].id}));
  EXPECT_EQ(Sorted(r->posts().BookmarkedAmong(reader, Ids{posts[0].id, posts[1].id, posts[2].id})),
            Sorted(Ids{posts[0].id, posts[2].id}));
  EXPECT_TRUE(r->posts().BookmarkedAmong(author, Ids{posts[0].id}).empty());
  EXPECT_TRUE(r->posts().ListBookmarks(author, {}).empty());
  r.reset();

  std::optional<Id> removed;
  MustWrite([&](Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(removed, tx.posts().RemoveBookmark(reader, posts[2].id));
    return Status::Ok();
  });
  EXPECT_EQ(removed, records[1]);
  MustWrite([&](Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(removed, tx.posts().RemoveBookmark(reader, posts[2].id));
    return Status::Ok();
  });
  EXPECT_EQ(removed, std::nullopt);
  MustWrite([&](Transaction& tx) { return tx.posts().MarkDeleted(posts[0].id, Now()); });
  EXPECT_EQ(PostIdsOf(Read()->posts().ListBookmarks(reader, {})),
            (Ids{posts[3].id, posts[4].id}));
}

TEST_P(StorageConformanceTest, ReblogsAreFoundListedAndDeletedWithTheOriginal) {
  const Id author = CreateAccount("author");
  const Post original = MakePost(author, "boost me");
  InsertPost(original);
  const Post other = MakePost(author, "not boosted");
  InsertPost(other);
  std::vector<Id> boosters;
  Ids boost_ids;
  for (int i = 0; i < 5; ++i) {
    const Id booster = CreateAccount("booster" + std::to_string(i));
    boosters.push_back(booster);
    boost_ids.push_back(InsertPost(MakeReblog(original, booster)));
  }
  auto r = Read();
  auto found = r->posts().FindReblog(boosters[2], original.id);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, boost_ids[2]);
  EXPECT_EQ(found->reblog_of_id, original.id);
  EXPECT_EQ(found->account_id, boosters[2]);
  EXPECT_FALSE(r->posts().FindReblog(author, original.id).has_value());
  EXPECT_FALSE(r->posts().FindReblog(boosters[2], other.id).has_value());
  ExpectPaging(boost_ids, [&](const PageQuery& page) {
    return RecordIds(r->posts().ListRebloggedBy(original.id, page));
  });
  EXPECT_EQ(ActorIdsOf(r->posts().ListRebloggedBy(original.id, {})),
            Ids(boosters.rbegin(), boosters.rend()));
  EXPECT_EQ(r->posts().RebloggedAmong(boosters[1], Ids{original.id, other.id}), Ids{original.id});
  EXPECT_TRUE(r->posts().RebloggedAmong(author, Ids{original.id}).empty());
  EXPECT_TRUE(r->posts().RebloggedAmong(boosters[1], Ids{}).empty());
  r.reset();

  // Unboosting is deleting the boost; boosting again is a new boost.
  MustWrite([&](Transaction& tx) { return tx.posts().MarkDeleted(boost_ids[1], Now()); });
  EXPECT_FALSE(Read()->posts().FindReblog(boosters[1], original.id).has_value());
  EXPECT_TRUE(Read()->posts().RebloggedAmong(boosters[1], Ids{original.id}).empty());
  const Id reboost = InsertPost(MakeReblog(original, boosters[1]));
  EXPECT_EQ(Read()->posts().FindReblog(boosters[1], original.id)->id, reboost);

  Result<std::vector<Id>> deleted = std::vector<Id>{};
  MustWrite([&](Transaction& tx) -> Status {
    deleted = tx.posts().DeleteReblogsOf(original.id, Now());
    return deleted.status();
  });
  ASSERT_TRUE(IsOk(deleted));
  EXPECT_EQ(Sorted(*deleted), Sorted(boosters));
  r = Read();
  EXPECT_TRUE(r->posts().ListRebloggedBy(original.id, {}).empty());
  for (Id b : boosters) EXPECT_FALSE(r->posts().FindReblog(b, original.id).has_value());
  EXPECT_TRUE(r->posts().Get(boost_ids[0])->deleted());
  EXPECT_FALSE(r->posts().Get(original.id)->deleted());
  r.reset();
  MustWrite([&](Transaction& tx) -> Status {
    deleted = tx.posts().DeleteReblogsOf(original.id, Now());
    return deleted.status();
  });
  EXPECT_TRUE(deleted->empty());
}

TEST_P(StorageConformanceTest, RecentInteractionsStopAtTheHorizon) {
  const Id me = CreateAccount("me");
  const Id author = CreateAccount("author");
  std::vector<Post> posts;
  for (int i = 0; i < 6; ++i) {
    posts.push_back(MakePost(author, "p" + std::to_string(i)));
    InsertPost(posts.back());
    Advance(std::chrono::minutes(1));
  }
  const Id horizon = posts[3].id;
  for (int i : {1, 3, 5}) {
    MustWrite([&](Transaction& tx) {
      return tx.posts().AddFavourite(NextId(), me, posts[i].id, Now());
    });
  }
  for (int i : {2, 4}) {
    MustWrite([&](Transaction& tx) {
      return tx.posts().AddBookmark(NextId(), me, posts[i].id, Now());
    });
  }
  Ids boosts;
  for (int i : {0, 3, 4, 5}) boosts.push_back(InsertPost(MakeReblog(posts[i], me)));
  MustWrite([&](Transaction& tx) { return tx.posts().MarkDeleted(boosts[3], Now()); });
  InsertPost(MakeReblog(posts[5], author));  // someone else's boost

  const Interactions got = Read()->posts().RecentInteractions(me, horizon);
  EXPECT_EQ(Sorted(got.favourited), Sorted(Ids{posts[3].id, posts[5].id}));
  EXPECT_EQ(Sorted(got.bookmarked), Ids{posts[4].id});
  EXPECT_EQ(Sorted(got.reblogged), Sorted(Ids{posts[3].id, posts[4].id}));
  const Interactions all = Read()->posts().RecentInteractions(me, 1);
  EXPECT_EQ(all.favourited.size(), 3u);
  EXPECT_EQ(all.bookmarked.size(), 2u);
  EXPECT_EQ(all.reblogged.size(), 3u);
  const Interactions none = Read()->posts().RecentInteractions(author, 1);
  EXPECT_TRUE(none.favourited.empty());
  EXPECT_TRUE(none.bookmarked.empty());
  EXPECT_EQ(none.reblogged, Ids{posts[5].id});
}

TEST_P(StorageConformanceTest, UpdateReplacesContentAndRecordsTheEdit) {
  const Id author = CreateAccount("author");
  const Id alice = CreateAccount("alice");
  const Id bob = CreateAccount("bob");
  Post p = MakePost(author, "hello @alice #one");
  p.mentions = {{alice, "alice"}};
  p.tags = {"one"};
  p.visibility = Visibility::kPrivate;
  p.replies_count = 4;
  InsertPost(p);
  const Post v1 = p;

  Advance(std::chrono::minutes(5));
  p.text = "hello @bob #two";
  p.content_html = "<p>v2</p>";
  p.spoiler_text = "now with cw";
  p.sensitive = true;
  p.language = "de";
  p.mentions = {{bob, "bob"}};
  p.tags = {"two"};
  p.edited_at = Now();
  const PostEdit e1{NextId(), p.id, v1.text, v1.content_html, v1.spoiler_text, v1.sensitive,
                    v1.created_at};
  MustWrite([&](Transaction& tx) { return tx.posts().Update(p, e1); });
  const Post v2 = p;

  Advance(std::chrono::minutes(5));
  p.text = "plain";
  p.content_html = "<p>plain</p>";
  p.spoiler_text.clear();
  p.sensitive = false;
  p.language.reset();
  p.mentions.clear();
  p.tags.clear();
  p.edited_at = Now();
  const PostEdit e2{NextId(), p.id, v2.text, v2.content_html, v2.spoiler_text, v2.sensitive,
                    *v2.edited_at};
  MustWrite([&](Transaction& tx) { return tx.posts().Update(p, e2); });

  auto r = Read();
  auto got = r->posts().Get(p.id);
  ASSERT_TRUE(IsOk(got));
  EXPECT_EQ(got->text, "plain");
  EXPECT_EQ(got->content_html, "<p>plain</p>");
  EXPECT_EQ(got->spoiler_text, "");
  EXPECT_FALSE(got->sensitive);
  EXPECT_EQ(got->language, std::nullopt);
  EXPECT_TRUE(got->mentions.empty());
  EXPECT_TRUE(got->tags.empty());
  EXPECT_EQ(got->edited_at, p.edited_at);
  EXPECT_EQ(got->created_at, v1.created_at);      // unchanged
  EXPECT_EQ(got->visibility, Visibility::kPrivate);
  EXPECT_EQ(got->replies_count, 4);

  const auto edits = r->posts().ListEdits(p.id);
  ASSERT_EQ(edits.size(), 2u);
  EXPECT_EQ(edits[0].id, e1.id);
  EXPECT_EQ(edits[0].post_id, p.id);
  EXPECT_EQ(edits[0].text, v1.text);
  EXPECT_EQ(edits[0].content_html, v1.content_html);
  EXPECT_EQ(edits[0].spoiler_text, "");
  EXPECT_FALSE(edits[0].sensitive);
  EXPECT_EQ(edits[0].created_at, v1.created_at);
  EXPECT_EQ(edits[1].id, e2.id);
  EXPECT_EQ(edits[1].text, v2.text);
  EXPECT_EQ(edits[1].spoiler_text, "now with cw");
  EXPECT_TRUE(edits[1].sensitive);
  EXPECT_EQ(edits[1].created_at, *v2.edited_at);
  EXPECT_TRUE(r->posts().ListEdits(999).empty());

  // Mentions were replaced: the mention that let alice see the private post is gone.
  AccountPostFilter f;
  f.max_visibility = Visibility::kUnlisted;
  f.mentioned_viewer = alice;
  EXPECT_TRUE(r->posts().ListByAccount(author, f, {}).empty());
}

TEST_P(StorageConformanceTest, UpdateOfAMissingPostIsNotFoundAndLeavesNoEdit) {
  const Id author = CreateAccount("author");
  Post ghost = MakePost(author, "never inserted");
  const PostEdit e{NextId(), ghost.id, "old", "<p>old</p>", "", false, ghost.created_at};
  EXPECT_EQ(Write([&](Transaction& tx) { return tx.posts().Update(ghost, e); }).code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(Read()->posts().ListEdits(ghost.id).empty());
  EXPECT_FALSE(Read()->posts().HasPendingSearch());
}

TEST_P(StorageConformanceTest, IdempotencyKeysHoldForTheirWindow) {
  const Id me = CreateAccount("me");
  const Id other = CreateAccount("other");
  const Id first = InsertPost(MakePost(me, "first"));
  const Timestamp t0 = Now();
  MustWrite([&](Transaction& tx) {
    return tx.posts().RememberIdempotencyKey(me, "key-1", first, t0);
  });
  auto r = Read();
  EXPECT_EQ(r->posts().FindIdempotent(me, "key-1", t0 - std::chrono::hours(1)), first);
  EXPECT_EQ(r->posts().FindIdempotent(me, "key-1", t0), first);
  EXPECT_EQ(r->posts().FindIdempotent(me, "key-1", t0 + std::chrono::milliseconds(1)),
            std::nullopt);
  EXPECT_EQ(r->posts().FindIdempotent(me, "KEY-1", t0 - std::chrono::hours(1)), std::nullopt);
  EXPECT_EQ(r->posts().FindIdempotent(me, "key-2", t0 - std::chrono::hours(1)), std::nullopt);
  EXPECT_EQ(r->posts().FindIdempotent(other, "key-1", t0 - std::chrono::hours(1)), std::nullopt);
  r.reset();

  // After the window the key can be used again.
  Advance(std::chrono::hours(2));
  const Id second = InsertPost(MakePost(me, "second"));
  const Timestamp t1 = Now();
  MustWrite([&](Transaction& tx) {
    return tx.posts().RememberIdempotencyKey(me, "key-1", second, t1);
  });
  EXPECT_EQ(Read()->posts().FindIdempotent(me, "key-1", t1 - std::chrono::hours(1)), second);
  MustWrite([&](Transaction& tx) {
    return tx.posts().RememberIdempotencyKey(other, "key-1", first, t1);
  });
  EXPECT_EQ(Read()->posts().FindIdempotent(other, "key-1", t1), first);
  EXPECT_EQ(Read()->posts().FindIdempotent(me, "key-1", t1), second);
}

TEST_P(StorageConformanceTest, TagsAreCreatedByPostsFoundSearchedAndCounted) {
  const Id a = CreateAccount("a");
  const Id b = CreateAccount("b");
  auto post = [&](Id author, std::vector<std::string> tags) {
    Post p = MakePost(author, "tagged");
    p.tags = std::move(tags);
    InsertPost(p);
    return p.id;
  };
  const Timestamp start = Now();
  post(a, {"catnip"});
  post(a, {"cats", "catnip"});
  post(b, {"cats"});
  Advance(std::chrono::hours(24));
  const Timestamp day2 = Now();
  post(a, {"cats"});
  post(a, {"cats"});
  post(b, {"cat"});
  post(b, {"dogs"});
  Advance(std::chrono::hours(24));
  const Timestamp day3 = Now();

  auto r = Read();
  auto cats = r->tags().FindByName("cats");
  ASSERT_TRUE(IsOk(cats));
  EXPECT_EQ(cats->name, "cats");
  EXPECT_NE(cats->id, kNoId);
  EXPECT_EQ(r->tags().FindByName("birds").status().code(), StatusCode::kNotFound);

  auto names = [&](std::string_view prefix, int limit, int offset) {
    std::vector<std::string> out;
    for (const auto& t : r->tags().Search(prefix, limit, offset)) out.push_back(t.name);
    return out;
  };
  using Names = std::vector<std::string>;
  EXPECT_EQ(names("cat", 10, 0), (Names{"cats", "catnip", "cat"}));  // most used first
  EXPECT_EQ(names("cat", 1, 1), Names{"catnip"});
  EXPECT_EQ(names("catn", 10, 0), Names{"catnip"});
  EXPECT_EQ(names("d", 10, 0), Names{"dogs"});
  EXPECT_EQ(names("x", 10, 0), Names{});

  const TagUsage day1_usage = r->tags().Usage(cats->id, start, day2);
  EXPECT_EQ(day1_usage.uses, 2);
  EXPECT_EQ(day1_usage.accounts, 2);
  const TagUsage day2_usage = r->tags().Usage(cats->id, day2, day3);
  EXPECT_EQ(day2_usage.uses, 2);
  EXPECT_EQ(day2_usage.accounts, 1);
  const TagUsage both = r->tags().Usage(cats->id, start, day3);
  EXPECT_EQ(both.uses, 4);
  EXPECT_EQ(both.accounts, 2);
  const TagUsage later = r->tags().Usage(cats->id, day3, day3 + std::chrono::hours(24));
  EXPECT_EQ(later.uses, 0);
  EXPECT_EQ(later.accounts, 0);
}

}  // namespace
}  // namespace stoa::storage::conformance
