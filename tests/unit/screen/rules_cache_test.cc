// The compiled-rules cache (RuleSet::Load/Parse with a cache directory): a hit gives the same
// matches as compiling; a missing, damaged, foreign or unwritable cache falls back to compiling.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "screen/rules.h"
#include "screen/rules_holder.h"

namespace stoa::screen {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kRules = R"(stoa-rules 1
version = cache-test.1

define gap2 = (?:\S+ ){0,2}

[rule de.violence.wall]
category = violence
languages = de
weight = 0.7
max_verdict = hold
pattern = \ban die wand (?:stellen|gestellt)\b
example = Die gehoeren an die Wand gestellt
counterexample = Das Bild haengt an der Wand

[rule en.threat.kill_you]
category = threat
languages = en
weight = 0.8
max_verdict = hold
pattern = \bi (?:will|wil|gonna) {{gap2}}kill you\b
pattern = \bwe know where you live\b
example = I will kill you
counterexample = this will kill your mood

[rule any.spam.money]
category = spam
languages = any
weight = 0.4
max_verdict = publish_and_flag
pattern = \bearn \$?\d+ (?:per|a) (?:day|week)\b
)";

const std::vector<std::string>& Texts() {
  static const std::vector<std::string> texts = {
      "Die gehören alle an die Wand gestellt!", "I will really kill you", "We know where you live.",
      "earn $500 per day from home", "nothing to see here", "I will kill you and we know where you live",
      "K1ll? I w i l l kill you", "an die Wand stellen, an die Wand gestellt", ""};
  return texts;
}

struct Hit {
  uint32_t rule, start, end;
  bool operator==(const Hit&) const = default;
};

std::vector<std::vector<Hit>> AllHits(const RuleSet& rules) {
  std::vector<std::vector<Hit>> out;
  for (const std::string& text : Texts()) {
    for (const char* language : {"de", "en", ""}) {
      auto hits = rules.Match(Normalize(text), language);
      EXPECT_TRUE(hits.ok());
      std::vector<Hit> h;
      for (const RuleHit& r : *hits) h.push_back({r.rule, r.start, r.end});
      out.push_back(std::move(h));
    }
  }
  return out;
}

class RulesCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "stoa-rules-cache-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::shared_ptr<const RuleSet> Parse(std::string_view text) {
    auto rules = RuleSet::Parse(text, "test.rules", dir_.string());
    EXPECT_TRUE(rules.ok()) << rules.status().message();
    return rules.ok() ? *rules : nullptr;
  }
  std::string CacheFile() const { return (dir_ / "test.rules.hsdb").string(); }
  std::string ReadCache() const {
    std::ifstream in(CacheFile(), std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  void WriteCache(const std::string& bytes) const {
    std::ofstream out(CacheFile(), std::ios::binary | std::ios::trunc);
    out << bytes;
  }

  fs::path dir_;
};

TEST_F(RulesCacheTest, ASecondLoadUsesTheCacheAndMatchesTheSame) {
  auto uncached = RuleSet::Parse(kRules, "test.rules");
  ASSERT_TRUE(uncached.ok());
  EXPECT_FALSE((*uncached)->from_cache());
  const auto expected = AllHits(**uncached);
  ASSERT_FALSE(expected[0].empty());  // the texts do hit

  auto first = Parse(kRules);
  ASSERT_NE(first, nullptr);
  EXPECT_FALSE(first->from_cache());
  EXPECT_NE(first->cache_note().find("cached in"), std::string::npos) << first->cache_note();
  ASSERT_TRUE(fs::exists(CacheFile()));
  EXPECT_EQ(fs::directory_iterator(dir_)->path().filename(), "test.rules.hsdb");  // nothing else

  auto second = Parse(kRules);
  ASSERT_NE(second, nullptr);
  EXPECT_TRUE(second->from_cache()) << second->cache_note();
  EXPECT_EQ(AllHits(*first), expected);
  EXPECT_EQ(AllHits(*second), expected);
  EXPECT_EQ(second->version(), "cache-test.1");
  EXPECT_EQ(second->rules().size(), 3u);
}

TEST_F(RulesCacheTest, OtherRulesUnderTheSameNameAreCompiledNotTakenFromTheCache) {
  ASSERT_NE(Parse(kRules), nullptr);
  std::string changed(kRules);
  changed.replace(changed.find("(?:stellen|gestellt)"), 20, "(?:stelen|hangen)");
  changed.replace(changed.find("example = Die gehoeren an die Wand gestellt"), 43,
                  "example = Die gehoeren an die Wand hangen");
  auto other = Parse(changed);
  ASSERT_NE(other, nullptr);
  EXPECT_FALSE(other->from_cache());
  EXPECT_NE(other->cache_note().find("other rules"), std::string::npos) << other->cache_note();
  auto hits = other->Match(Normalize("an die Wand gestellt"), "de");
  ASSERT_TRUE(hits.ok());
  EXPECT_TRUE(hits->empty());  // the old database would have matched
  // The cache now holds the new rules.
  auto again = Parse(changed);
  EXPECT_TRUE(again->from_cache());
}

TEST_F(RulesCacheTest, ADamagedCacheFallsBackToCompilingAndIsReplaced) {
  ASSERT_NE(Parse(kRules), nullptr);
  const std::string good = ReadCache();
  const auto expected = AllHits(*Parse(kRules));
  std::string flipped = good;
  flipped[flipped.size() - 10] = static_cast<char>(flipped[flipped.size() - 10] ^ 0x5a);
  for (const std::string& bad : {flipped, good.substr(0, good.size() / 2), std::string("garbage"),
                                 std::string()}) {
    WriteCache(bad);
    auto rules = Parse(kRules);
    ASSERT_NE(rules, nullptr);
    EXPECT_FALSE(rules->from_cache());
    EXPECT_EQ(AllHits(*rules), expected);
    EXPECT_EQ(ReadCache(), good);  // rewritten
  }
}

TEST_F(RulesCacheTest, AnUnusableCacheDirectoryDoesNotStopLoading) {
  auto rules = RuleSet::Parse(kRules, "test.rules", (dir_ / "missing").string());
  ASSERT_TRUE(rules.ok()) << rules.status().message();
  EXPECT_FALSE((*rules)->from_cache());
  EXPECT_NE((*rules)->cache_note().find("not written"), std::string::npos) << (*rules)->cache_note();
}

TEST_F(RulesCacheTest, InvalidRulesAreRefusedAndNotCached) {
  std::string bad(kRules);
  bad.replace(bad.find("category = spam"), 15, "category = spum");
  auto rules = RuleSet::Parse(bad, "test.rules", dir_.string());
  EXPECT_FALSE(rules.ok());
  EXPECT_FALSE(fs::exists(CacheFile()));
  // A failing example is refused even when the database itself would compile.
  std::string failing(kRules);
  failing.replace(failing.find("example = I will kill you"), 25, "example = I will hug you");
  EXPECT_FALSE(RuleSet::Parse(failing, "test.rules", dir_.string()).ok());
  EXPECT_FALSE(fs::exists(CacheFile()));
}

TEST_F(RulesCacheTest, HolderReloadsThroughTheCache) {
  const std::string path = (dir_ / "test.rules").string();
  {
    std::ofstream out(path);
    out << kRules;
  }
  const std::string cache = (dir_ / "cache").string();
  fs::create_directory(cache);
  RulesHolder holder;
  ASSERT_TRUE(holder.Reload(path, cache).ok());
  EXPECT_FALSE(holder.Get()->from_cache());
  ASSERT_TRUE(holder.Reload(path, cache).ok());
  EXPECT_TRUE(holder.Get()->from_cache());
  EXPECT_EQ(holder.generation(), 2u);
}

}  // namespace
}  // namespace stoa::screen
