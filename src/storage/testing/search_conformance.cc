// Full-text search over posts, through the search queue and watermark (IndexPendingSearch).
#include "storage/testing/conformance.h"

namespace stoa::storage::conformance {
namespace {


std::vector<Id> Search(ReadSession& r, std::string_view query, Id viewer, PageQuery page = {},
                       int offset = 0) {
  return r.posts().SearchText(query, viewer, page, offset);
}

PostEdit EditOf(const Post& before, Id edit_id) {
  return PostEdit{edit_id,      before.id, before.text, before.content_html, before.spoiler_text,
                  before.sensitive, before.edited_at.value_or(before.created_at)};
}

TEST_P(StorageConformanceTest, NewPostsWaitInTheSearchQueueUntilIndexed) {
  const Id author = CreateAccount("author");
  EXPECT_FALSE(Read()->posts().HasPendingSearch());
  int applied = -1;
  MustWrite([&](Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(applied, tx.posts().IndexPendingSearch(10));
    return Status::Ok();
  });
  EXPECT_EQ(applied, 0);

  std::vector<Id> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(InsertPost(MakePost(author, "queued words")));
  EXPECT_TRUE(Read()->posts().HasPendingSearch());
  std::vector<int> batches;
  for (int round = 0; round < 10; ++round) {
    MustWrite([&](Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(applied, tx.posts().IndexPendingSearch(2));
      return Status::Ok();
    });
    batches.push_back(applied);
    if (applied == 0) break;
  }
  EXPECT_EQ(batches, (std::vector<int>{2, 2, 1, 0}));
  auto r = Read();
  EXPECT_FALSE(r->posts().HasPendingSearch());
  std::sort(ids.begin(), ids.end(), std::greater<>());
  EXPECT_EQ(Search(*r, "queued", kNoId), ids);
}

TEST_P(StorageConformanceTest, SearchShowsPublicOwnAndMentioningPostsOnly) {
  const Id author = CreateAccount("author");
  const Id viewer = CreateAccount("viewer");
  const Id stranger = CreateAccount("stranger");
  const Id pub = InsertPost(MakePost(author, "apple banana"));
  const Id unlisted = InsertPost(MakePost(author, "apple cherry", Visibility::kUnlisted));
  const Id own_private = InsertPost(MakePost(viewer, "my apple", Visibility::kPrivate));
  Post dm = MakePost(author, "apple for @viewer", Visibility::kDirect);
  dm.mentions = {{viewer, "viewer"}};
  const Id direct = InsertPost(dm);
  const Id others_private = InsertPost(MakePost(author, "apple secret", Visibility::kPrivate));
  const Post doomed = MakePost(author, "apple deleted");
  InsertPost(doomed);
  MustWrite([&](Transaction& tx) { return tx.posts().MarkDeleted(doomed.id, Now()); });
  IndexAll();

  auto r = Read();
  using Ids = std::vector<Id>;
  EXPECT_EQ(Search(*r, "apple", viewer), (Ids{direct, own_private, pub}));
  EXPECT_EQ(Search(*r, "apple", stranger), (Ids{pub}));
  EXPECT_EQ(Search(*r, "apple", kNoId), (Ids{pub}));
  EXPECT_EQ(Search(*r, "apple", author), (Ids{others_private, direct, unlisted, pub}));
  EXPECT_EQ(Search(*r, "APPLE Banana", viewer), (Ids{pub}));  // every word, any case
  EXPECT_EQ(Search(*r, "banana apple", viewer), (Ids{pub}));
  EXPECT_EQ(Search(*r, "apple durian", viewer), Ids{});
  EXPECT_EQ(Search(*r, "", viewer), Ids{});
  EXPECT_EQ(Search(*r, "  ", viewer), Ids{});
  // Query syntax is plain text.
  EXPECT_EQ(Search(*r, "apple OR", viewer), Ids{});
  EXPECT_EQ(Search(*r, "\"apple\"", viewer), (Ids{direct, own_private, pub}));
  EXPECT_EQ(Search(*r, "apple NOT banana", viewer), Ids{});
  EXPECT_EQ(Search(*r, "NEAR(apple", viewer), Ids{});
  EXPECT_EQ(Search(*r, "text:apple", viewer), Ids{});
}

TEST_P(StorageConformanceTest, SearchPagesByIdAndOffset) {
  const Id author = CreateAccount("author");
  std::vector<Id> ids;
  for (int i = 0; i < 9; ++i) ids.push_back(InsertPost(MakePost(author, "paged word")));
  InsertPost(MakePost(author, "unrelated"));
  IndexAll();
  std::sort(ids.begin(), ids.end(), std::greater<>());
  auto r = Read();
  PageQuery page;
  page.limit = 4;
  EXPECT_EQ(Search(*r, "paged", kNoId, page), std::vector<Id>(ids.begin(), ids.begin() + 4));
  EXPECT_EQ(Search(*r, "paged", kNoId, page, 3), std::vector<Id>(ids.begin() + 3, ids.begin() + 7));
  EXPECT_EQ(Search(*r, "paged", kNoId, page, 8), std::vector<Id>(ids.begin() + 8, ids.end()));
  page.max_id = ids[2];
  EXPECT_EQ(Search(*r, "paged", kNoId, page), std::vector<Id>(ids.begin() + 3, ids.begin() + 7));
  page = PageQuery{};
  page.since_id = ids[3];
  EXPECT_EQ(Search(*r, "paged", kNoId, page), std::vector<Id>(ids.begin(), ids.begin() + 3));
}

TEST_P(StorageConformanceTest, SearchFollowsEditsAndDeletes) {
  const Id author = CreateAccount("author");
  const Id other = CreateAccount("other");
  // Indexed, then edited.
  Post edited = MakePost(author, "original wording");
  InsertPost(edited);
  // Edited twice before the indexer ran.
  Post twice = MakePost(author, "first draft");
  InsertPost(twice);
  // Indexed, then deleted; and deleted before it was ever indexed.
  const Post gone = MakePost(author, "vanishing words");
  InsertPost(gone);
  const Post never = MakePost(author, "ephemeral words");
  InsertPost(never);
  // Untouched neighbours sharing the words.
  const Id keep = InsertPost(MakePost(other, "original vanishing ephemeral draft"));
  IndexAll();

  auto apply_edit = [&](Post& p, std::string text) {
    const PostEdit previous = EditOf(p, NextId());
    p.text = std::move(text);
    p.content_html = "<p>" + p.text + "</p>";
    p.edited_at = Now();
    MustWrite([&](Transaction& tx) { return tx.posts().Update(p, previous); });
  };
  apply_edit(edited, "revised phrasing");
  MustWrite([&](Transaction& tx) { return tx.posts().MarkDeleted(gone.id, Now()); });
  apply_edit(twice, "second draft");
  apply_edit(twice, "final version");
  EXPECT_TRUE(Read()->posts().HasPendingSearch());
  IndexAll();
  MustWrite([&](Transaction& tx) { return tx.posts().MarkDeleted(never.id, Now()); });
  IndexAll();
  EXPECT_FALSE(Read()->posts().HasPendingSearch());

  auto r = Read();
  using Ids = std::vector<Id>;
  EXPECT_EQ(Search(*r, "revised", kNoId), Ids{edited.id});
  EXPECT_EQ(Search(*r, "phrasing revised", kNoId), Ids{edited.id});
  EXPECT_EQ(Search(*r, "original", kNoId), Ids{keep});
  EXPECT_EQ(Search(*r, "wording", kNoId), Ids{});
  EXPECT_EQ(Search(*r, "final", kNoId), Ids{twice.id});
  EXPECT_EQ(Search(*r, "second", kNoId), Ids{});
  EXPECT_EQ(Search(*r, "first", kNoId), Ids{});
  EXPECT_EQ(Search(*r, "draft", kNoId), Ids{keep});
  EXPECT_EQ(Search(*r, "vanishing", kNoId), Ids{keep});
  EXPECT_EQ(Search(*r, "ephemeral", kNoId), Ids{keep});
  EXPECT_EQ(Search(*r, "words", kNoId), Ids{});
  r.reset();

  // Editing the post again after all that still swaps the words correctly.
  apply_edit(edited, "third take");
  IndexAll();
  EXPECT_EQ(Search(*Read(), "revised", kNoId), Ids{});
  EXPECT_EQ(Search(*Read(), "take", kNoId), Ids{edited.id});
}

// A post's id is taken before its write; a post that commits after one with a higher id was
// indexed still reaches the index.
TEST_P(StorageConformanceTest, PostCommittedAfterAHigherIdWasIndexedIsIndexed) {
  const Id author = CreateAccount("author");
  const Post late = MakePost(author, "latecomer words");
  const Post early = MakePost(author, "early words");
  ASSERT_LT(late.id, early.id);
  InsertPost(early);
  IndexAll();
  EXPECT_FALSE(Read()->posts().HasPendingSearch());
  InsertPost(late);
  EXPECT_TRUE(Read()->posts().HasPendingSearch());
  IndexAll();
  EXPECT_FALSE(Read()->posts().HasPendingSearch());
  using Ids = std::vector<Id>;
  EXPECT_EQ(Search(*Read(), "latecomer", kNoId), Ids{late.id});
  EXPECT_EQ(Search(*Read(), "words", kNoId), (Ids{early.id, late.id}));
  // And it is edited and deleted like any indexed post.
  Post edited = late;
  const PostEdit previous = EditOf(late, NextId());
  edited.text = "belated phrase";
  edited.edited_at = Now();
  MustWrite([&](Transaction& tx) { return tx.posts().Update(edited, previous); });
  IndexAll();
  EXPECT_EQ(Search(*Read(), "latecomer", kNoId), Ids{});
  EXPECT_EQ(Search(*Read(), "belated", kNoId), Ids{late.id});
  MustWrite([&](Transaction& tx) { return tx.posts().MarkDeleted(late.id, Now()); });
  IndexAll();
  EXPECT_EQ(Search(*Read(), "belated", kNoId), Ids{});
  EXPECT_EQ(Search(*Read(), "words", kNoId), Ids{early.id});
}

// Posts edited or deleted before the indexer first saw them are indexed as they are then, also
// when the indexer applies one change at a time.
TEST_P(StorageConformanceTest, PostsChangedBeforeTheirFirstIndexingAreIndexedAsTheyAreThen) {
  const Id author = CreateAccount("author");
  const Id indexed = InsertPost(MakePost(author, "settled common"));
  IndexAll();
  Post twice = MakePost(author, "first draft common");
  InsertPost(twice);
  const Post gone = MakePost(author, "vanishing common");
  InsertPost(gone);
  const Post empty = MakePost(author, "");
  InsertPost(empty);
  const Id plain = InsertPost(MakePost(author, "plain common"));
  for (std::string text : {"second draft common", "final version common"}) {
    const PostEdit previous = EditOf(twice, NextId());
    twice.text = std::move(text);
    twice.edited_at = Now();
    MustWrite([&](Transaction& tx) { return tx.posts().Update(twice, previous); });
  }
  MustWrite([&](Transaction& tx) { return tx.posts().MarkDeleted(gone.id, Now()); });
  Post filled = empty;
  filled.text = "filled common";
  filled.edited_at = Now();
  MustWrite([&](Transaction& tx) { return tx.posts().Update(filled, EditOf(empty, NextId())); });
  EXPECT_TRUE(Read()->posts().HasPendingSearch());
  for (int round = 0; round < 50; ++round) {
    int applied = 0;
    MustWrite([&](Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(applied, tx.posts().IndexPendingSearch(1));
      return Status::Ok();
    });
    if (applied == 0) break;
  }
  EXPECT_FALSE(Read()->posts().HasPendingSearch());
  auto r = Read();
  using Ids = std::vector<Id>;
  EXPECT_EQ(Search(*r, "common", kNoId), (Ids{plain, empty.id, twice.id, indexed}));
  EXPECT_EQ(Search(*r, "final", kNoId), Ids{twice.id});
  EXPECT_EQ(Search(*r, "draft", kNoId), Ids{});
  EXPECT_EQ(Search(*r, "vanishing", kNoId), Ids{});
  EXPECT_EQ(Search(*r, "filled", kNoId), Ids{empty.id});
  r.reset();
  // Later changes swap the words of what the index holds.
  const PostEdit previous = EditOf(twice, NextId());
  twice.text = "last word";
  twice.edited_at = Now();
  MustWrite([&](Transaction& tx) { return tx.posts().Update(twice, previous); });
  MustWrite([&](Transaction& tx) { return tx.posts().MarkDeleted(plain, Now()); });
  IndexAll();
  EXPECT_EQ(Search(*Read(), "common", kNoId), (Ids{empty.id, indexed}));
  EXPECT_EQ(Search(*Read(), "last", kNoId), Ids{twice.id});
}

TEST_P(StorageConformanceTest, SearchIgnoresDiacriticsAndCase) {
  const Id author = CreateAccount("author");
  const Id id = InsertPost(MakePost(author, "Crème Brûlée ÉCOLE"));
  IndexAll();
  auto r = Read();
  EXPECT_EQ(Search(*r, "creme brulee", kNoId), std::vector<Id>{id});
  EXPECT_EQ(Search(*r, "école", kNoId), std::vector<Id>{id});
}

}  // namespace
}  // namespace stoa::storage::conformance
