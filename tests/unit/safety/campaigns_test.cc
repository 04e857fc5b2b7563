// The campaign index's bookkeeping over a real SQLite store (safety/campaigns.h): which status of
// an open case a fingerprint finds (distance, other accounts only, the window), copies listed but
// not matched on, folding near-identical statuses into one entry, a status taken out of a case by
// a moderator, forgetting a closed case, a status listed again, the rebuild once forgotten
// entries pile up, and loading the open cases' fingerprints at start.
#include "safety/campaigns.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "storage/sqlite/sqlite_storage.h"

namespace stoa::safety {
namespace {

constexpr uint64_t kBase = 0x0123456789ABCDEFull;

// `bits` low bits of kBase flipped.
uint64_t Flip(int bits) { return kBase ^ ((uint64_t{1} << bits) - 1); }

// Fingerprints far apart from each other and from kBase (Fibonacci hashing of i).
uint64_t Spread(size_t i) { return (uint64_t{i} + 1) * 0x9E3779B97F4A7C15ull; }

class CampaignsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("stoa-campaigns-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    storage::sqlite::DatabaseOptions options;
    options.synchronous = "normal";
    auto opened = storage::sqlite::SqliteStorage::Open((dir_ / "stoa.db").string(), options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    storage_ = std::move(opened).value();
    campaigns_ = std::make_unique<Campaigns>(*storage_, CampaignSettings{});
  }
  void TearDown() override {
    campaigns_.reset();
    storage_.reset();
    std::filesystem::remove_all(dir_);
  }

  // An open notice case about status `target`.
  Id OpenCase(Id target) {
    Case c;
    c.id = next_id_++;
    c.target_type = TargetType::kStatus;
    c.target_id = target;
    c.account_id = 1;
    c.category = Category::kViolence;
    c.deadline_at = now_ + std::chrono::hours(24);
    c.created_at = now_;
    c.updated_at = now_;
    EXPECT_TRUE(storage_->Write([&](storage::Transaction& tx) { return tx.cases().Insert(c); }).ok());
    return c.id;
  }
  void CloseCase(Id case_id) {
    Status st = storage_->Write([&](storage::Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(Case c, tx.cases().Get(case_id));
      c.state = CaseState::kClosed;
      c.closed_at = now_;
      return tx.cases().Update(c);
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  // Lists status `status_id` by `author` in the case, with fingerprint `simhash`.
  void Add(Id case_id, Id status_id, Id author, uint64_t simhash, uint32_t shingles = 40,
           Campaigns::Listing listing = Campaigns::Listing::kOwnMerit) {
    Post p;
    p.id = status_id;
    p.account_id = author;
    const screen::Fingerprint f{simhash, shingles};
    Status st = storage_->Write([&](storage::Transaction& tx) {
      return campaigns_->Add(tx, case_id, p, f, now_, listing);
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  void AddCopy(Id case_id, Id status_id, Id author, uint64_t simhash) {
    Add(case_id, status_id, author, simhash, 40, Campaigns::Listing::kCopy);
  }
  std::optional<Campaigns::Candidate> Find(uint64_t simhash, Id author) {
    return campaigns_->Find(screen::Fingerprint{simhash, 40}, author, now_);
  }

  std::filesystem::path dir_;
  std::unique_ptr<storage::sqlite::SqliteStorage> storage_;
  std::unique_ptr<Campaigns> campaigns_;
  Timestamp now_ = FromUnixMillis(1767225600000);
  Id next_id_ = 1000;
};

TEST_F(CampaignsTest, FindsTheNearestStatusOfAnotherAccountWithinDistanceAndWindow) {
  const Id a = OpenCase(10);
  Add(a, 10, /*author=*/1, kBase);
  const Id b = OpenCase(20);
  Add(b, 20, /*author=*/2, Flip(5));

  struct Row {
    uint64_t simhash;
    Id author;
    Id expected_status;  // kNoId: none
    int expected_distance;
  };
  const Row rows[] = {
      {kBase, 3, 10, 0},        // the same fingerprint as 10
      {Flip(6), 3, 20, 1},      // 1 bit from 20, 6 from 10
      {kBase, 1, 20, 5},        // the author's own status (10) is skipped: 20 is 5 bits away
      {Flip(5), 2, 10, 5},      // likewise for 20's author
      {Flip(8), 1, 20, 3},      // 8 bits from 10 (over 7), 3 from 20
      {Flip(8), 2, kNoId, 0},   // only its own status is near enough
      {~kBase, 3, kNoId, 0},    // far from everything
  };
  for (size_t i = 0; i < std::size(rows); ++i) {
    auto c = Find(rows[i].simhash, rows[i].author);
    if (rows[i].expected_status == kNoId) {
      EXPECT_FALSE(c.has_value()) << i;
      continue;
    }
    ASSERT_TRUE(c.has_value()) << i;
    EXPECT_EQ(c->status_id, rows[i].expected_status) << i;
    EXPECT_EQ(c->case_id, rows[i].expected_status == 10 ? a : b) << i;
    EXPECT_EQ(c->distance, rows[i].expected_distance) << i;
  }
  // Too few shingles never match (neither stored nor asked).
  EXPECT_FALSE(campaigns_->Find(screen::Fingerprint{kBase, 15}, 3, now_).has_value());
  Add(a, 11, 4, ~kBase, /*shingles=*/10);
  EXPECT_FALSE(Find(~kBase, 3).has_value());
  EXPECT_EQ(campaigns_->size(), 2u);
  // The window: eight days on, nothing was added recently enough.
  now_ += std::chrono::hours(24 * 8);
  EXPECT_FALSE(Find(kBase, 3).has_value());
}

TEST_F(CampaignsTest, ACopyIsListedButNotMatchedOnSoACaseDoesNotDrift) {
  const Id a = OpenCase(10);
  Add(a, 10, 1, kBase);
  AddCopy(a, 11, 2, Flip(5));  // flagged only for being 5 bits from status 10
  EXPECT_EQ(campaigns_->size(), 1u);
  EXPECT_EQ(storage_->Read()->cases().ListStatuses(a, 10).size(), 2u);
  // 5 bits from the copy, 10 from status 10: no match (through copies a case would take in any
  // text one step at a time).
  EXPECT_FALSE(Find(Flip(10), 3).has_value());
  // Near status 10 itself: found, also for the copy's author.
  auto c = Find(Flip(3), 2);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->status_id, 10);
  // A restart loads the listed fingerprints only.
  Campaigns fresh(*storage_, CampaignSettings{});
  ASSERT_TRUE(fresh.Load().ok());
  EXPECT_EQ(fresh.size(), 1u);
  EXPECT_FALSE(fresh.Find(screen::Fingerprint{Flip(10), 40}, 3, now_).has_value());
}

TEST_F(CampaignsTest, NearIdenticalStatusesOfACaseFoldIntoOneEntry) {
  const Id a = OpenCase(10);
  // A thousand copies, each flagged on its own, by a thousand accounts, a minute apart: one
  // index entry (within kFoldDistance = 2 bits of the first), so a look-up stays one entry.
  const int n = 1000;
  for (int i = 0; i < n; ++i) {
    Add(a, static_cast<Id>(10 + i), static_cast<Id>(100 + i), i % 3 == 0 ? kBase : Flip(i % 3));
    now_ += std::chrono::minutes(1);
  }
  EXPECT_EQ(campaigns_->size(), static_cast<size_t>(n));
  EXPECT_EQ(campaigns_->entries(), 1u);
  // The newest status by another account: for anyone, the last one; for its author, the one
  // before.
  auto c = Find(kBase, 3);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->status_id, static_cast<Id>(10 + n - 1));
  EXPECT_EQ(c->account_id, static_cast<Id>(100 + n - 1));
  c = Find(kBase, 100 + n - 1);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->status_id, static_cast<Id>(10 + n - 2));
  // Another case's copy does not fold into case a's entry; a variant 3 bits away neither.
  const Id b = OpenCase(5000);
  Add(b, 5000, 7, kBase);
  Add(a, 5001, 8, Flip(3));
  EXPECT_EQ(campaigns_->entries(), 3u);
  EXPECT_EQ(campaigns_->size(), static_cast<size_t>(n + 2));
  // Among equally near entries the newest wins: case b's.
  EXPECT_EQ(Find(kBase, 3)->case_id, b);
  // Loading folds the same way.
  Campaigns fresh(*storage_, CampaignSettings{});
  ASSERT_TRUE(fresh.Load().ok());
  EXPECT_EQ(fresh.entries(), 3u);
  EXPECT_EQ(fresh.size(), static_cast<size_t>(n + 2));
  c = fresh.Find(screen::Fingerprint{Flip(1), 40}, 7, now_);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->case_id, a);
  EXPECT_EQ(c->distance, 1);
  // The window applies to the newest authors an entry remembers: a week after the last status,
  // nothing.
  now_ += std::chrono::hours(24 * 7) + std::chrono::minutes(1);
  EXPECT_FALSE(Find(kBase, 3).has_value());
  // Forgetting case a drops both its entries and all its statuses.
  campaigns_->Forget(a);
  EXPECT_EQ(campaigns_->entries(), 1u);
  EXPECT_EQ(campaigns_->size(), 1u);
}

TEST_F(CampaignsTest, AnEntryRemembersTheTwoNewestAuthors) {
  const Id a = OpenCase(10);
  Add(a, 10, 1, kBase);
  now_ += std::chrono::minutes(1);
  Add(a, 11, 1, kBase);  // author 1 again: still one author
  EXPECT_FALSE(Find(kBase, 1).has_value());
  EXPECT_EQ(Find(kBase, 2)->status_id, 11);
  now_ += std::chrono::minutes(1);
  Add(a, 12, 2, kBase);
  now_ += std::chrono::minutes(1);
  Add(a, 13, 3, kBase);  // the two newest: 3 (13) and 2 (12)
  EXPECT_EQ(Find(kBase, 3)->status_id, 12);
  EXPECT_EQ(Find(kBase, 2)->status_id, 13);
  EXPECT_EQ(Find(kBase, 1)->status_id, 13);
  now_ += std::chrono::minutes(1);
  Add(a, 14, 2, kBase);  // 2 again, now the newest: 2 (14) and 3 (13)
  EXPECT_EQ(Find(kBase, 2)->status_id, 13);
  EXPECT_EQ(Find(kBase, 3)->status_id, 14);
  EXPECT_EQ(campaigns_->entries(), 1u);
  EXPECT_EQ(campaigns_->size(), 5u);
}

TEST_F(CampaignsTest, ForgettingACaseAndListingAStatusAgain) {
  const Id a = OpenCase(10);
  Add(a, 10, 1, kBase);
  Add(a, 11, 2, ~kBase);
  EXPECT_EQ(campaigns_->size(), 2u);
  campaigns_->Forget(a);
  EXPECT_EQ(campaigns_->size(), 0u);
  EXPECT_EQ(campaigns_->dead_entries(), 2u);
  EXPECT_FALSE(Find(kBase, 3).has_value());
  // Forgetting an unknown case changes nothing.
  campaigns_->Forget(999);
  EXPECT_EQ(campaigns_->dead_entries(), 2u);

  // Status 10 in a new case, with another fingerprint: only the new one matches.
  const Id b = OpenCase(30);
  Add(b, 10, 1, ~kBase);
  EXPECT_FALSE(Find(kBase, 3).has_value());
  auto c = Find(~kBase, 3);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->case_id, b);
  // Listed again in another open case: the newer case is found first, and stays when the older
  // one is forgotten.
  const Id d = OpenCase(40);
  Add(d, 10, 1, ~kBase);
  EXPECT_EQ(Find(~kBase, 3)->case_id, d);
  campaigns_->Forget(b);
  EXPECT_EQ(Find(~kBase, 3)->case_id, d);
  EXPECT_EQ(campaigns_->size(), 1u);
}

// A moderator takes a wrongly grouped status out of a case (Remove): it is no longer listed nor
// matched on, also when it was folded into an entry with the statuses that stay; the rest of
// the case still attracts copies.
TEST_F(CampaignsTest, RemovingAStatusFromACaseStopsMatchingOnItOnly) {
  const Id a = OpenCase(10);
  Add(a, 10, 1, kBase);
  Add(a, 11, 2, Flip(1));  // folded into status 10's entry, which remembers authors 2 and 1
  Add(a, 12, 3, ~kBase);   // an entry of its own
  ASSERT_EQ(campaigns_->entries(), 2u);
  // Author 1 finds status 11 (the newest other author of the folded entry).
  ASSERT_EQ(Find(kBase, 1)->status_id, 11);

  auto remove = [&](Id case_id, Id status_id) {
    return storage_->Write(
        [&](storage::Transaction& tx) { return campaigns_->Remove(tx, case_id, status_id); });
  };
  ASSERT_TRUE(remove(a, 11).ok());
  auto listed = storage_->Read()->cases().ListStatuses(a, 10);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].status_id, 10);
  EXPECT_EQ(listed[1].status_id, 12);
  EXPECT_EQ(campaigns_->size(), 2u);
  // Status 11 is found by no one: author 1 only had it to match (10 is their own).
  EXPECT_FALSE(Find(kBase, 1).has_value());
  auto c = Find(kBase, 4);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->status_id, 10);
  ASSERT_TRUE(Find(~kBase, 4).has_value());
  EXPECT_EQ(Find(~kBase, 4)->status_id, 12);

  // Removing the only status of an entry drops the entry.
  ASSERT_TRUE(remove(a, 12).ok());
  EXPECT_FALSE(Find(~kBase, 4).has_value());
  EXPECT_EQ(campaigns_->size(), 1u);
  // A status the case does not list: kNotFound, nothing changes.
  EXPECT_EQ(remove(a, 11).code(), StatusCode::kNotFound);
  EXPECT_EQ(remove(a + 1000, 10).code(), StatusCode::kNotFound);
  EXPECT_EQ(Find(kBase, 4)->status_id, 10);

  // A forgotten (closed) case is not made matchable again by a removal.
  const Id b = OpenCase(20);
  Add(b, 20, 5, Flip(9));
  Add(b, 21, 6, Spread(3));
  CloseCase(b);
  campaigns_->Forget(b);
  ASSERT_TRUE(remove(b, 21).ok());
  EXPECT_FALSE(Find(Flip(9), 4).has_value());
  // A restart agrees with the index.
  Campaigns fresh(*storage_, CampaignSettings{});
  ASSERT_TRUE(fresh.Load().ok());
  EXPECT_EQ(fresh.size(), campaigns_->size());
  EXPECT_FALSE(fresh.Find(screen::Fingerprint{kBase, 40}, 1, now_).has_value());
}

TEST_F(CampaignsTest, ForgottenEntriesAreDroppedOnceTheyOutnumberTheLiveOnes) {
  const Id keep = OpenCase(1);
  Add(keep, 1, 1, kBase);
  const size_t n = Campaigns::kCompactAfter + 1;
  const Id churn = OpenCase(2);
  for (size_t i = 0; i < n; ++i) {
    Add(churn, static_cast<Id>(100 + i), 2, Spread(i));
  }
  EXPECT_EQ(campaigns_->size(), n + 1);
  EXPECT_EQ(campaigns_->entries(), n + 1);
  campaigns_->Forget(churn);
  // n dead entries > 1 live one and >= kCompactAfter: rebuilt.
  EXPECT_EQ(campaigns_->dead_entries(), 0u);
  EXPECT_EQ(campaigns_->size(), 1u);
  auto c = Find(kBase, 5);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->status_id, 1);
  // A forgotten status is not found any more (author 1's own status 1 is skipped).
  EXPECT_FALSE(Find(Spread(7), 1).has_value());
}

TEST_F(CampaignsTest, LoadsTheFingerprintsOfOpenCasesOnly) {
  const Id open = OpenCase(10);
  Add(open, 10, 1, kBase);
  Add(open, 11, 2, Flip(2));
  const Id closed = OpenCase(20);
  Add(closed, 20, 3, ~kBase);
  CloseCase(closed);
  Campaigns fresh(*storage_, CampaignSettings{});
  ASSERT_TRUE(fresh.Load().ok());
  EXPECT_EQ(fresh.size(), 2u);
  auto c = fresh.Find(screen::Fingerprint{kBase, 40}, 1, now_);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->status_id, 11);
  EXPECT_EQ(c->account_id, 2);
  EXPECT_FALSE(fresh.Find(screen::Fingerprint{~kBase, 40}, 1, now_).has_value());

  // Campaigns off: nothing is loaded or found, but cases still list their statuses.
  CampaignSettings off;
  off.distance = -1;
  Campaigns none(*storage_, off);
  ASSERT_TRUE(none.Load().ok());
  EXPECT_EQ(none.size(), 0u);
  Post p;
  p.id = 12;
  p.account_id = 4;
  ASSERT_TRUE(storage_
                  ->Write([&](storage::Transaction& tx) {
                    return none.Add(tx, open, p, screen::Fingerprint{kBase, 40}, now_);
                  })
                  .ok());
  EXPECT_FALSE(none.Find(screen::Fingerprint{kBase, 40}, 3, now_).has_value());
  EXPECT_EQ(storage_->Read()->cases().ListStatuses(open, 10).size(), 3u);
}

}  // namespace
}  // namespace stoa::safety
