// Full-text search over posts, through the search queue (IndexPendingSearch).
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
