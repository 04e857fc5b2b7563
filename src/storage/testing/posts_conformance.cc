// Posts: storing and loading, account timelines, the home-feed merge, threads, the public and tag
// timelines.
#include <random>

#include "storage/testing/conformance.h"

namespace stoa::storage::conformance {
namespace {


void ExpectSamePost(const Post& got, const Post& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.account_id, want.account_id);
  EXPECT_EQ(got.text, want.text);
  EXPECT_EQ(got.content_html, want.content_html);
  EXPECT_EQ(got.spoiler_text, want.spoiler_text);
  EXPECT_EQ(got.sensitive, want.sensitive);
  EXPECT_EQ(got.visibility, want.visibility);
  EXPECT_EQ(got.language, want.language);
  EXPECT_EQ(got.in_reply_to_id, want.in_reply_to_id);
  EXPECT_EQ(got.in_reply_to_account_id, want.in_reply_to_account_id);
  EXPECT_EQ(got.reblog_of_id, want.reblog_of_id);
  EXPECT_EQ(got.thread_root_id, want.thread_root_id);
  EXPECT_EQ(got.application_id, want.application_id);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.edited_at, want.edited_at);
  EXPECT_EQ(got.deleted_at, want.deleted_at);
  ASSERT_EQ(got.mentions.size(), want.mentions.size());
  for (size_t i = 0; i < want.mentions.size(); ++i) {
    EXPECT_EQ(got.mentions[i].account_id, want.mentions[i].account_id);
    EXPECT_EQ(got.mentions[i].username, want.mentions[i].username);
  }
  EXPECT_EQ(got.tags, want.tags);
  EXPECT_EQ(got.replies_count, want.replies_count);
  EXPECT_EQ(got.reblogs_count, want.reblogs_count);
  EXPECT_EQ(got.favourites_count, want.favourites_count);
}

std::vector<Id> PostIds(const std::vector<Post>& posts) {
  std::vector<Id> out;
  for (const auto& p : posts) out.push_back(p.id);
  return out;
}

TEST_P(StorageConformanceTest, PostRoundTripsEveryField) {
  const Id author = CreateAccount("author");
  const Id friend_id = CreateAccount("friend");
  const Post parent = MakePost(friend_id, "parent");
  InsertPost(parent);
  Post p = MakeReply(parent, author, "hi @friend #Tag & <b>");
  p.content_html = "<p>hi <a>@friend</a> #tag &amp; &lt;b&gt;</p>";
  p.spoiler_text = "cw";
  p.sensitive = true;
  p.visibility = Visibility::kPrivate;
  p.language = "fr";
  p.application_id = 4242;
  p.edited_at = Now() + std::chrono::seconds(1);
  p.mentions = {{friend_id, "friend"}};
  p.tags = {"tag", "zweite"};
  p.replies_count = 1;
  p.reblogs_count = 2;
  p.favourites_count = 3;
  InsertPost(p);

  Post bare = MakePost(author, "");
  bare.language.reset();
  bare.content_html.clear();
  InsertPost(bare);

  auto r = Read();
  auto got = r->posts().Get(p.id);
  ASSERT_TRUE(IsOk(got));
  ExpectSamePost(*got, p);
  EXPECT_TRUE(got->is_reply());
  ExpectSamePost(*r->posts().Get(bare.id), bare);
  EXPECT_EQ(r->posts().Get(999).status().code(), StatusCode::kNotFound);
}

// Screening (migration 0011): the hold travels with the post through Insert, Update and SetHeld;
// screening records come back per status, oldest first, every field kept.
TEST_P(StorageConformanceTest, HeldPostsAndScreeningRecords) {
  const Id author = CreateAccount("author");
  Post held = MakePost(author, "held");
  held.held_at = Now();
  InsertPost(held);
  Post plain = MakePost(author, "plain");
  InsertPost(plain);
  EXPECT_EQ(Read()->posts().Get(held.id)->held_at, held.held_at);
  EXPECT_FALSE(Read()->posts().Get(plain.id)->held());

  // An edit can put a post on hold; SetHeld clears it.
  Post edited = *Read()->posts().Get(plain.id);
  edited.text = "edited";
  edited.edited_at = Now() + std::chrono::seconds(1);
  edited.held_at = edited.edited_at;
  PostEdit previous;
  previous.id = NextId();
  previous.post_id = plain.id;
  previous.text = "plain";
  previous.created_at = plain.created_at;
  MustWrite([&](Transaction& tx) { return tx.posts().Update(edited, previous); });
  EXPECT_EQ(Read()->posts().Get(plain.id)->held_at, edited.held_at);
  MustWrite([&](Transaction& tx) { return tx.posts().SetHeld(plain.id, std::nullopt); });
  EXPECT_FALSE(Read()->posts().Get(plain.id)->held());
  EXPECT_FALSE(Read()->posts().GetMany(std::vector<Id>{plain.id})[0].held());
  EXPECT_EQ(Write([&](Transaction& tx) { return tx.posts().SetHeld(999, Now()); }).code(),
            StatusCode::kNotFound);

  ScreeningRecord first;
  first.id = NextId();
  first.status_id = held.id;
  first.created_at = Now();
  first.verdict = "hold";
  first.reason = "threat: rule x (score 0.90)";
  first.rule_names = {"en.threat.x", "any.spam.y"};
  first.signals_json = R"({"verdict":"hold"})";
  first.rules_version = "r1";
  first.model_version = "m1";
  ScreeningRecord second = first;
  second.id = NextId();
  second.created_at = Now() + std::chrono::seconds(2);
  second.edit = true;
  second.verdict = "publish";
  second.reason.clear();
  second.rule_names.clear();
  MustWrite([&](Transaction& tx) {
    RETURN_IF_ERROR(tx.posts().InsertScreening(first));
    return tx.posts().InsertScreening(second);
  });
  auto records = Read()->posts().ListScreenings(held.id);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].id, first.id);
  EXPECT_EQ(records[0].status_id, held.id);
  EXPECT_EQ(records[0].created_at, first.created_at);
  EXPECT_FALSE(records[0].edit);
  EXPECT_EQ(records[0].verdict, "hold");
  EXPECT_EQ(records[0].reason, first.reason);
  EXPECT_EQ(records[0].rule_names, first.rule_names);
  EXPECT_EQ(records[0].signals_json, first.signals_json);
  EXPECT_EQ(records[0].rules_version, "r1");
  EXPECT_EQ(records[0].model_version, "m1");
  EXPECT_TRUE(records[1].edit);
  EXPECT_EQ(records[1].verdict, "publish");
  EXPECT_TRUE(records[1].rule_names.empty());
  EXPECT_TRUE(Read()->posts().ListScreenings(plain.id).empty());
}

// Retroactive screening's keyset scan: only published statuses (no deleted, removed, held posts
// or boosts), oldest first, both bounds exclusive, pages that continue after the last id; the
// count covers the same set.
TEST_P(StorageConformanceTest, PublishedRange) {
  const Id author = CreateAccount("author");
  std::vector<Id> published;
  for (int i = 0; i < 5; ++i) published.push_back(InsertPost(MakePost(author, "post")));
  Post deleted = MakePost(author, "deleted");
  deleted.deleted_at = Now();
  InsertPost(deleted);
  Post held = MakePost(author, "held");
  held.held_at = Now();
  InsertPost(held);
  const Id removed = InsertPost(MakePost(author, "removed"));
  MustWrite([&](Transaction& tx) {
    StatusModeration m;
    m.removed_at = Now();
    return tx.decisions().SetStatusModeration(removed, m);
  });
  Post original = *Read()->posts().Get(published[0]);
  InsertPost(MakeReblog(original, author));
  Post reply = MakeReply(original, author, "a reply");
  const Id reply_id = InsertPost(reply);
  published.push_back(reply_id);

  auto r = Read();
  const Id top = r->posts().MaxId() + 1;
  EXPECT_EQ(PostIds(r->posts().ListPublishedRange(0, top, 100)), published);
  EXPECT_EQ(r->posts().CountPublishedRange(0, top), static_cast<int64_t>(published.size()));
  // Keyset pages of two.
  std::vector<Id> walked;
  Id after = 0;
  while (true) {
    auto page = r->posts().ListPublishedRange(after, top, 2);
    for (const Post& p : page) walked.push_back(p.id);
    if (page.size() < 2) break;
    after = page.back().id;
  }
  EXPECT_EQ(walked, published);
  // Both bounds are exclusive.
  auto inner = r->posts().ListPublishedRange(published[0], published[2], 100);
  ASSERT_EQ(inner.size(), 1u);
  EXPECT_EQ(inner[0].id, published[1]);
  EXPECT_EQ(inner[0].text, "post");
  EXPECT_EQ(r->posts().CountPublishedRange(published[0], published[2]), 1);
  EXPECT_TRUE(r->posts().ListPublishedRange(top, top + 1000, 100).empty());
  EXPECT_EQ(r->posts().CountPublishedRange(top, top + 1000), 0);
}

// Retroactive screening runs (migration 0014): every field survives, Put replaces the row, the
// latest started run is the one with the largest id.
TEST_P(StorageConformanceTest, ScreeningRescans) {
  EXPECT_FALSE(Read()->posts().LastRescan().has_value());
  ScreeningRescanJob a;
  a.id = NextId();
  a.started_by = 42;
  a.state = "running";
  a.since = Now() - std::chrono::hours(48);
  a.started_at = Now();
  a.rules_version = "r1";
  a.model_version = "m1";
  MustWrite([&](Transaction& tx) { return tx.posts().PutRescan(a); });
  auto got = Read()->posts().LastRescan();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->id, a.id);
  EXPECT_EQ(got->started_by, 42);
  EXPECT_EQ(got->state, "running");
  EXPECT_EQ(got->since, a.since);
  EXPECT_FALSE(got->until.has_value());
  EXPECT_FALSE(got->finished_at.has_value());
  EXPECT_EQ(got->rules_version, "r1");
  EXPECT_EQ(got->model_version, "m1");

  a.state = "failed";
  a.until = Now() - std::chrono::hours(1);
  a.last_id = 77;
  a.scanned = 10;
  a.total = 12;
  a.flagged = 3;
  a.cases_opened = 2;
  a.cases_joined = 1;
  a.skipped = 4;
  a.error = "disk full";
  a.finished_at = Now() + std::chrono::seconds(5);
  MustWrite([&](Transaction& tx) { return tx.posts().PutRescan(a); });
  got = Read()->posts().LastRescan();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->state, "failed");
  EXPECT_EQ(got->until, a.until);
  EXPECT_EQ(got->last_id, 77);
  EXPECT_EQ(got->scanned, 10);
  EXPECT_EQ(got->total, 12);
  EXPECT_EQ(got->flagged, 3);
  EXPECT_EQ(got->cases_opened, 2);
  EXPECT_EQ(got->cases_joined, 1);
  EXPECT_EQ(got->skipped, 4);
  EXPECT_EQ(got->error, "disk full");
  EXPECT_EQ(got->finished_at, a.finished_at);

  ScreeningRescanJob b = a;
  b.id = NextId();
  b.state = "done";
  MustWrite([&](Transaction& tx) { return tx.posts().PutRescan(b); });
  EXPECT_EQ(Read()->posts().LastRescan()->id, b.id);
}

// Fingerprints of removed statuses (migration 0012): all 64 bits survive (the top bit too), Put
// replaces, Delete removes (and is no error for one that is not there), List is by status id.
TEST_P(StorageConformanceTest, RemovedFingerprints) {
  EXPECT_TRUE(Read()->posts().ListRemovedFingerprints().empty());
  RemovedFingerprint a;
  a.status_id = 20;
  a.simhash = 0xF00DFACE12345678ull;
  a.shingles = 194;
  a.removed_at = Now();
  a.category = "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY";
  RemovedFingerprint b;
  b.status_id = 10;
  b.simhash = 1;
  b.shingles = 16;
  b.removed_at = Now() + std::chrono::seconds(5);
  MustWrite([&](Transaction& tx) {
    RETURN_IF_ERROR(tx.posts().PutRemovedFingerprint(a));
    return tx.posts().PutRemovedFingerprint(b);
  });
  auto got = Read()->posts().GetRemovedFingerprint(20);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->simhash, a.simhash);
  EXPECT_EQ(got->shingles, 194u);
  EXPECT_EQ(got->removed_at, a.removed_at);
  EXPECT_EQ(got->category, "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY");
  EXPECT_FALSE(Read()->posts().GetRemovedFingerprint(30).has_value());
  auto all = Read()->posts().ListRemovedFingerprints();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].status_id, 10);
  EXPECT_EQ(all[1].status_id, 20);
  EXPECT_EQ(all[0].category, "");

  a.simhash = 42;
  MustWrite([&](Transaction& tx) { return tx.posts().PutRemovedFingerprint(a); });
  EXPECT_EQ(Read()->posts().GetRemovedFingerprint(20)->simhash, 42u);
  MustWrite([&](Transaction& tx) {
    RETURN_IF_ERROR(tx.posts().DeleteRemovedFingerprint(10));
    return tx.posts().DeleteRemovedFingerprint(99);
  });
  all = Read()->posts().ListRemovedFingerprints();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].status_id, 20);
}

TEST_P(StorageConformanceTest, ThreadRootDefaultsToThePostItself) {
  const Id author = CreateAccount("author");
  Post p = MakePost(author, "root");
  p.thread_root_id = kNoId;
  InsertPost(p);
  EXPECT_EQ(Read()->posts().Get(p.id)->thread_root_id, p.id);
}

TEST_P(StorageConformanceTest, DeletedPostsAreReturnedFlaggedByGetAndGetMany) {
  const Id author = CreateAccount("author");
  const Post a = MakePost(author, "a");
  const Post b = MakePost(author, "b");
  InsertPost(a);
  InsertPost(b);
  const Timestamp at = Now() + std::chrono::seconds(9);
  MustWrite([&](Transaction& tx) { return tx.posts().MarkDeleted(a.id, at); });
  auto r = Read();
  auto got = r->posts().Get(a.id);
  ASSERT_TRUE(IsOk(got));
  EXPECT_TRUE(got->deleted());
  EXPECT_EQ(got->deleted_at, at);
  EXPECT_EQ(got->text, "a");  // kept for evidence
  auto many = r->posts().GetMany(std::vector<Id>{b.id, a.id, 999});
  ASSERT_EQ(many.size(), 2u);
  for (const auto& p : many) EXPECT_EQ(p.deleted(), p.id == a.id) << p.id;
  EXPECT_EQ(r->posts().GetMany(std::vector<Id>{a.id}).size(), 1u);
  EXPECT_TRUE(r->posts().GetMany(std::vector<Id>{}).empty());
  EXPECT_TRUE(r->posts().GetMany(std::vector<Id>{999}).empty());
  EXPECT_EQ(Write([&](Transaction& tx) { return tx.posts().MarkDeleted(999, at); }).code(),
            StatusCode::kNotFound);
}

TEST_P(StorageConformanceTest, CountAndMaxId) {
  EXPECT_EQ(Read()->posts().Count(), 0);
  EXPECT_EQ(Read()->posts().MaxId(), kNoId);
  const Id author = CreateAccount("author");
  const Post a = MakePost(author, "a");
  const Post b = MakePost(author, "b", Visibility::kDirect);
  const Post boost = MakeReblog(a, author);
  const Post c = MakePost(author, "c");
  for (const Post* p : {&a, &b, &boost, &c}) InsertPost(*p);
  MustWrite([&](Transaction& tx) { return tx.posts().MarkDeleted(c.id, Now()); });
  auto r = Read();
  EXPECT_EQ(r->posts().Count(), 2);  // not deleted, not boosts
  EXPECT_GE(r->posts().MaxId(), boost.id);
}

TEST_P(StorageConformanceTest, PostCountersNeverGoBelowZero) {
  const Id author = CreateAccount("author");
  const Post p = MakePost(author, "counted");
  InsertPost(p);
  MustWrite([&](Transaction& tx) { return tx.posts().AdjustCounts(p.id, 2, 3, 4); });
  auto got = Read()->posts().Get(p.id);
  EXPECT_EQ(got->replies_count, 2);
  EXPECT_EQ(got->reblogs_count, 3);
  EXPECT_EQ(got->favourites_count, 4);
  MustWrite([&](Transaction& tx) { return tx.posts().AdjustCounts(p.id, -1, -10, 0); });
  got = Read()->posts().Get(p.id);
  EXPECT_EQ(got->replies_count, 1);
  EXPECT_EQ(got->reblogs_count, 0);
  EXPECT_EQ(got->favourites_count, 4);
  MustWrite([&](Transaction& tx) { return tx.posts().AdjustCounts(p.id, -5, 1, -5); });
  got = Read()->posts().Get(p.id);
  EXPECT_EQ(got->replies_count, 0);
  EXPECT_EQ(got->reblogs_count, 1);
  EXPECT_EQ(got->favourites_count, 0);
}

// One author's posts of every kind, and a brute-force statement of each AccountPostFilter.
struct AccountPostsWorld {
  Id author = kNoId;
  Id other = kNoId;
  Id viewer = kNoId;
  std::vector<Post> posts;  // inserted, including deleted ones and other authors'
};

bool Matches(const Post& p, Id author, const AccountPostFilter& f) {
  if (p.account_id != author || p.deleted()) return false;
  if (f.exclude_replies && p.is_reply() && p.in_reply_to_account_id != p.account_id) return false;
  if (f.exclude_reblogs && p.is_reblog()) return false;
  if (p.visibility > f.max_visibility &&
      !(f.mentioned_viewer != kNoId && p.Mentions(f.mentioned_viewer))) {
    return false;
  }
  if (!f.tagged.empty() &&
      std::find(p.tags.begin(), p.tags.end(), f.tagged) == p.tags.end()) {
    return false;
  }
  return true;
}

TEST_P(StorageConformanceTest, ListByAccountAppliesEveryFilterAndPages) {
  AccountPostsWorld w;
  w.author = CreateAccount("author");
  w.other = CreateAccount("other");
  w.viewer = CreateAccount("viewer");
  const Post others = MakePost(w.other, "someone else's");
  InsertPost(others);
  w.posts.push_back(others);
  const Visibility kinds[] = {Visibility::kPublic, Visibility::kUnlisted, Visibility::kPrivate,
                              Visibility::kDirect};
  std::mt19937 rng(7);
  for (int i = 0; i < 48; ++i) {
    Post p = MakePost(w.author, "post " + std::to_string(i), kinds[i % 4]);
    switch ((i / 4) % 4) {
      case 1: p = MakeReply(others, w.author, "reply " + std::to_string(i)); break;
      case 2: p = MakeReply(w.posts.back(), w.author, "self " + std::to_string(i)); break;
      case 3: {
        // One reblog per original: an account reblogs a given status at most once.
        const Post original = MakePost(w.other, "original " + std::to_string(i));
        InsertPost(original);
        w.posts.push_back(original);
        p = MakeReblog(original, w.author);
        break;
      }
      default: break;
    }
    p.visibility = p.is_reblog() ? Visibility::kPublic : kinds[i % 4];
    if (!p.is_reblog() && rng() % 3 == 0) p.tags = {"cats"};
    if (!p.is_reblog() && rng() % 4 == 0) p.mentions = {{w.viewer, "viewer"}};
    InsertPost(p);
    if (i % 11 == 5) {
      MustWrite([&](Transaction& tx) { return tx.posts().MarkDeleted(p.id, Now()); });
      p.deleted_at = Now();
    }
    w.posts.push_back(p);
  }

  auto r = Read();
  for (int replies = 0; replies < 2; ++replies) {
    for (int reblogs = 0; reblogs < 2; ++reblogs) {
      for (Visibility max : kinds) {
        for (Id mentioned : {kNoId, w.viewer}) {
          for (std::string tagged : {"", "cats", "dogs"}) {
            AccountPostFilter f;
            f.exclude_replies = replies == 1;
            f.exclude_reblogs = reblogs == 1;
            f.max_visibility = max;
            f.mentioned_viewer = mentioned;
            f.tagged = tagged;
            std::vector<Id> want;
            for (const auto& p : w.posts) {
              if (Matches(p, w.author, f)) want.push_back(p.id);
            }
            SCOPED_TRACE(::testing::Message()
                         << "replies=" << replies << " reblogs=" << reblogs
                         << " max=" << static_cast<int>(max) << " mentioned=" << mentioned
                         << " tagged=" << tagged);
            for (const PageQuery& page : PageQueriesFor(want)) {
              EXPECT_EQ(r->posts().ListByAccount(w.author, f, page), ModelPage(want, page))
                  << Describe(page);
            }
          }
        }
      }
    }
  }
  AccountPostFilter all;
  all.max_visibility = Visibility::kDirect;
  std::vector<Id> every;
  for (const auto& p : w.posts) {
    if (Matches(p, w.author, all)) every.push_back(p.id);
  }
  ExpectPaging(every, [&](const PageQuery& page) {
    return r->posts().ListByAccount(w.author, all, page);
  });
  EXPECT_TRUE(r->posts().ListByAccount(w.viewer, all, {}).empty());
}

TEST_P(StorageConformanceTest, RecentByAuthorsIsAnExactMerge) {
  std::vector<Id> authors;
  for (int i = 0; i < 9; ++i) authors.push_back(CreateAccount("author" + std::to_string(i)));
  std::mt19937 rng(42);
  struct Row {
    Id id;
    Id author;
    bool deleted;
  };
  std::vector<Row> rows;
  std::vector<Post> batch;
  for (int i = 0; i < 600; ++i) {
    // Skewed: author 0 posts a lot, author 8 never.
    const size_t who = std::min<size_t>(rng() % 10 < 4 ? 0 : rng() % 8, 7);
    Post p = MakePost(authors[who], "p" + std::to_string(i));
    if (rng() % 5 == 0) p = MakeReblog(p, authors[who]);
    batch.push_back(p);
    rows.push_back({p.id, p.account_id, rng() % 9 == 0});
    if (rng() % 3 == 0) Advance(std::chrono::milliseconds(rng() % 2000));
  }
  MustWrite([&](Transaction& tx) -> Status {
    for (size_t i = 0; i < batch.size(); ++i) {
      RETURN_IF_ERROR(tx.posts().Insert(batch[i]));
      if (rows[i].deleted) RETURN_IF_ERROR(tx.posts().MarkDeleted(rows[i].id, Now()));
    }
    return Status::Ok();
  });

  auto brute = [&](const std::vector<Id>& who, Id before, int limit) {
    std::vector<Id> out;
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
      if (it->deleted || it->id >= before) continue;
      if (std::find(who.begin(), who.end(), it->author) == who.end()) continue;
      out.push_back(it->id);
    }
    std::sort(out.begin(), out.end(), std::greater<>());
    if (out.size() > static_cast<size_t>(limit)) out.resize(limit);
    return out;
  };
  auto r = Read();
  const Id top = std::numeric_limits<Id>::max();
  for (int trial = 0; trial < 120; ++trial) {
    std::vector<Id> who;
    for (Id a : authors) {
      if (rng() % 2 == 0) who.push_back(a);
    }
    std::shuffle(who.begin(), who.end(), rng);
    const Id before = trial % 3 == 0 ? top : rows[rng() % rows.size()].id;
    const int block = 1 + static_cast<int>(rng() % 40);
    const int limit = 1 + static_cast<int>(rng() % 120);
    EXPECT_EQ(r->posts().RecentByAuthors(who, before, block, limit), brute(who, before, limit))
        << "trial " << trial << " authors=" << who.size() << " block=" << block
        << " limit=" << limit;
  }
  EXPECT_TRUE(r->posts().RecentByAuthors({}, top, 10, 20).empty());
  EXPECT_EQ(r->posts().RecentByAuthors(authors, top, 1, 1000), brute(authors, top, 1000));
  EXPECT_TRUE(r->posts().RecentByAuthors(std::vector<Id>{authors[8]}, top, 10, 20).empty());

  // Paging the merge by its last id visits everything once.
  std::vector<Id> walked;
  Id cursor = top;
  for (int guard = 0; guard < 1000; ++guard) {
    auto page = r->posts().RecentByAuthors(authors, cursor, 7, 33);
    if (page.empty()) break;
    walked.insert(walked.end(), page.begin(), page.end());
    cursor = page.back();
  }
  EXPECT_EQ(walked, brute(authors, top, 100000));
}

TEST_P(StorageConformanceTest, ListThreadIsOldestFirstWithoutDeletedOrOtherThreads) {
  const Id a = CreateAccount("a");
  const Id b = CreateAccount("b");
  const Post root = MakePost(a, "root");
  InsertPost(root);
  const Post r1 = MakeReply(root, b, "r1");
  InsertPost(r1);
  const Post other_root = MakePost(b, "another thread");
  InsertPost(other_root);
  const Post r2 = MakeReply(r1, a, "r2");
  InsertPost(r2);
  const Post r3 = MakeReply(root, a, "r3, deleted");
  InsertPost(r3);
  MustWrite([&](Transaction& tx) { return tx.posts().MarkDeleted(r3.id, Now()); });
  const Post r4 = MakeReply(r2, b, "r4");
  InsertPost(r4);
  InsertPost(MakeReply(other_root, a, "elsewhere"));

  auto r = Read();
  const auto thread = r->posts().ListThread(root.id, 100);
  EXPECT_EQ(PostIds(thread), (std::vector<Id>{root.id, r1.id, r2.id, r4.id}));
  ASSERT_EQ(thread.size(), 4u);
  ExpectSamePost(thread[2], r2);
  EXPECT_EQ(PostIds(r->posts().ListThread(root.id, 2)), (std::vector<Id>{root.id, r1.id}));
  EXPECT_TRUE(r->posts().ListThread(999, 10).empty());
}

TEST_P(StorageConformanceTest, PublicTimelineHasPublicOriginalsAndSelfReplies) {
  const Id a = CreateAccount("a");
  const Id b = CreateAccount("b");
  std::vector<Id> want;
  auto add = [&](const Post& p, bool listed) {
    InsertPost(p);
    if (listed) want.push_back(p.id);
  };
  const Post p1 = MakePost(a, "public");
  add(p1, true);
  add(MakePost(a, "unlisted", Visibility::kUnlisted), false);
  add(MakePost(a, "private", Visibility::kPrivate), false);
  add(MakePost(a, "direct", Visibility::kDirect), false);
  add(MakeReblog(p1, b), false);
  add(MakeReply(p1, b, "reply to someone else"), false);
  add(MakeReply(p1, a, "self reply"), true);
  const Post doomed = MakePost(b, "deleted");
  add(doomed, false);
  MustWrite([&](Transaction& tx) { return tx.posts().MarkDeleted(doomed.id, Now()); });
  for (int i = 0; i < 9; ++i) add(MakePost(i % 2 ? a : b, "more " + std::to_string(i)), true);
  auto r = Read();
  ExpectPaging(want, [&](const PageQuery& page) { return r->posts().ListPublic(page); });
}

TEST_P(StorageConformanceTest, TagTimelineHasPublicTaggedPostsAndFollowsEdits) {
  const Id a = CreateAccount("a");
  const Id b = CreateAccount("b");
  std::vector<Id> want;
  auto tagged = [&](Id author, Visibility v, std::vector<std::string> tags) {
    Post p = MakePost(author, "tagged", v);
    p.tags = std::move(tags);
    InsertPost(p);
    return p;
  };
  for (int i = 0; i < 7; ++i) want.push_back(tagged(i % 2 ? a : b, Visibility::kPublic, {"cats"}).id);
  want.push_back(tagged(a, Visibility::kPublic, {"dogs", "cats"}).id);
  tagged(a, Visibility::kUnlisted, {"cats"});
  tagged(a, Visibility::kPrivate, {"cats"});
  tagged(a, Visibility::kDirect, {"cats"});
  tagged(a, Visibility::kPublic, {"dogs"});
  const Post deleted = tagged(b, Visibility::kPublic, {"cats"});
  MustWrite([&](Transaction& tx) { return tx.posts().MarkDeleted(deleted.id, Now()); });
  const Post reply = MakeReply(deleted, a, "reply #cats");
  Post tagged_reply = reply;
  tagged_reply.tags = {"cats"};
  InsertPost(tagged_reply);
  want.push_back(tagged_reply.id);

  auto r = Read();
  ExpectPaging(want, [&](const PageQuery& page) { return r->posts().ListTagged("cats", page); });
  EXPECT_TRUE(r->posts().ListTagged("birds", {}).empty());
  r.reset();

  // Edits replace the tags.
  Post edited = tagged(a, Visibility::kPublic, {"dogs"});
  Post previous_version = edited;
  edited.tags = {"cats"};
  edited.edited_at = Now();
  PostEdit prev{NextId(), edited.id, previous_version.text, previous_version.content_html, "",
                false, previous_version.created_at};
  MustWrite([&](Transaction& tx) { return tx.posts().Update(edited, prev); });
  want.push_back(edited.id);
  const Post untagged_later = Read()->posts().Get(want[0]).value();
  Post untag = untagged_later;
  untag.tags.clear();
  untag.edited_at = Now();
  PostEdit prev2{NextId(), untag.id, untag.text, untag.content_html, "", false, untag.created_at};
  MustWrite([&](Transaction& tx) { return tx.posts().Update(untag, prev2); });
  want.erase(want.begin());
  r = Read();
  ExpectPaging(want, [&](const PageQuery& page) { return r->posts().ListTagged("cats", page); });
  EXPECT_EQ(r->posts().Get(untag.id)->tags, std::vector<std::string>{});
  EXPECT_EQ(r->posts().ListTagged("dogs", {}).size(), 2u);  // the edited post left #dogs
}

}  // namespace
}  // namespace stoa::storage::conformance
