#include "screen/rules_holder.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace stoa::screen {
namespace {

// A rules file with one rule matching `word`.
std::string RulesFor(std::string_view version, std::string_view word) {
  return "stoa-rules 1\nversion = " + std::string(version) + "\n[rule r." + std::string(word) +
         "]\ncategory = violence\nlanguages = any\nweight = 0.5\nmax_verdict = hold\npattern = \\b" +
         std::string(word) + "\\b\n";
}

class RulesHolderTest : public ::testing::Test {
 protected:
  void Write(const std::string& content) {
    std::ofstream out(path_, std::ios::trunc);
    out << content;
  }
  void TearDown() override { std::remove(path_.c_str()); }

  // One file per test and process: ctest runs these tests in parallel processes, all with the
  // same random seed, and one test's TearDown removed the file another was reading.
  std::string path_ = ::testing::TempDir() + "/rules_holder_test_" +
                      ::testing::UnitTest::GetInstance()->current_test_info()->name() + "_" +
                      std::to_string(::getpid()) + ".rules";
};

TEST_F(RulesHolderTest, StartsEmptyAndReloadSwaps) {
  RulesHolder holder;
  EXPECT_EQ(holder.Get(), nullptr);
  Write(RulesFor("v1", "alpha"));
  ASSERT_TRUE(holder.Reload(path_).ok());
  auto first = holder.Get();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->version(), "v1");
  EXPECT_EQ(holder.generation(), 1u);

  Write(RulesFor("v2", "bravo"));
  ASSERT_TRUE(holder.Reload(path_).ok());
  auto second = holder.Get();
  EXPECT_EQ(second->version(), "v2");
  EXPECT_EQ(holder.generation(), 2u);
  // The old set stays usable by whoever still holds it.
  auto old_hits = first->Match(Normalize("alpha"), "en");
  ASSERT_TRUE(old_hits.ok());
  EXPECT_EQ(old_hits->size(), 1u);
  auto new_hits = second->Match(Normalize("alpha"), "en");
  ASSERT_TRUE(new_hits.ok());
  EXPECT_TRUE(new_hits->empty());
}

TEST_F(RulesHolderTest, InvalidReloadKeepsTheOldSet) {
  Write(RulesFor("v1", "alpha"));
  auto initial = RuleSet::Load(path_);
  ASSERT_TRUE(initial.ok());
  RulesHolder holder(*initial);
  Write(RulesFor("v2", "bravo") + "weight = 7\n");
  Status s = holder.Reload(path_);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(path_ + ":9: duplicate \"weight\""), std::string::npos) << s.message();
  EXPECT_EQ(holder.Get()->version(), "v1");
  EXPECT_EQ(holder.generation(), 0u);
  Status missing = holder.Reload(path_ + ".absent");
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_EQ(holder.Get()->version(), "v1");
}

TEST_F(RulesHolderTest, ConcurrentMatchDuringReloads) {
  // Readers match continuously while the writer swaps between two sets (and tries an invalid
  // one). Every scan must succeed and see exactly one of the two sets: the hit names the rule of
  // the set whose version was read, never a mix and never a crash (scratch is grown per thread).
  Write(RulesFor("alpha", "alpha"));
  RulesHolder holder;
  ASSERT_TRUE(holder.Reload(path_).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<long> scans{0};
  const Normalized text = Normalize("alpha and bravo");
  auto reader = [&] {
    std::vector<RuleHit> hits;
    while (!stop.load()) {
      std::shared_ptr<const RuleSet> set = holder.Get();
      if (!set->Match(text.text, "en", &hits).ok() || hits.size() != 1 ||
          set->rule(hits[0].rule).name != "r." + set->version()) {
        failures.fetch_add(1);
      }
      scans.fetch_add(1);
    }
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i) readers.emplace_back(reader);
  for (int round = 0; round < 40; ++round) {
    const char* word = round % 2 == 0 ? "bravo" : "alpha";
    Write(RulesFor(word, word));
    EXPECT_TRUE(holder.Reload(path_).ok());
    Write("stoa-rules 1\nversion = broken\n[rule x]\n");
    EXPECT_FALSE(holder.Reload(path_).ok());
  }
  stop.store(true);
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(scans.load(), 0);
  EXPECT_EQ(holder.generation(), 41u);
  EXPECT_EQ(holder.Get()->version(), "alpha");
}

}  // namespace
}  // namespace stoa::screen
