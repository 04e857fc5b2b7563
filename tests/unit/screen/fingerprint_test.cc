// Near-duplicate fingerprints: re-uploads and light edits of a post stay within the default
// distance, unrelated posts do not; the index finds exactly what a brute-force scan finds.
#include "screen/fingerprint.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "screen/normalize.h"

namespace stoa::screen {
namespace {

const std::string kPost =
    "Die Leute aus dem Asylheim in der Bahnhofstrasse gehoeren alle vertrieben, morgen um acht "
    "treffen wir uns vor dem Eingang und dann zeigen wir denen was wir von ihnen halten. Bringt "
    "alle mit die ihr kennt!";
const std::string kEnglishPost =
    "Everyone from the shelter on Station Road should be driven out, tomorrow at eight we meet in "
    "front of the entrance and show them what we think of them. Bring everyone you know!";

int Distance(std::string_view a, std::string_view b) {
  return HammingDistance(FingerprintText(a).simhash, FingerprintText(b).simhash);
}

TEST(Fingerprint, ReUploadsAndFormattingTricksGiveTheSameFingerprint) {
  EXPECT_EQ(FingerprintText(kPost), FingerprintText(kPost));
  EXPECT_GE(FingerprintText(kPost).shingles, kMinFingerprintShingles);
  std::string upper = kPost;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](char c) { return std::toupper(c); });
  std::string no_punctuation;
  for (char c : kPost) {
    if (c != ',' && c != '.' && c != '!') no_punctuation += c;
  }
  std::string spaced;
  for (char c : kPost) spaced += c == ' ' ? std::string("   ") : std::string(1, c);
  for (const std::string& variant :
       {upper, no_punctuation, spaced, "  " + kPost + "\n\n",
        // umlauts spelled out or not, look-alikes and elongation are normalised away
        std::string("Die Leute aus dem Asylheim in der Bahnhofstraße gehören alle vertrieben, morgen "
                    "um acht treffen wir uns vor dem Eingang und dann zeigen wir denen was wir von "
                    "ihnen halten. Bringt alle mit die ihr kennt!!!!!!")}) {
    EXPECT_EQ(Distance(kPost, variant), 0) << variant;
  }
}

TEST(Fingerprint, LightEditsStayWithinTheDefaultDistance) {
  const std::vector<std::pair<std::string, std::string>> edits = {
      // one word changed
      {kPost, std::string(kPost).replace(kPost.find("morgen"), 6, "heute")},
      {kEnglishPost, std::string(kEnglishPost).replace(kEnglishPost.find("tomorrow"), 8, "tonight")},
      // a word added, a word dropped
      {kPost, std::string(kPost).replace(kPost.find("alle vertrieben"), 15, "alle sofort vertrieben")},
      {kEnglishPost, std::string(kEnglishPost).replace(kEnglishPost.find(" Bring everyone you know!"), 25, "")},
      // leetspeak and zero-width characters
      {kPost, std::string(kPost).replace(kPost.find("vertrieben"), 10, "v3rtr1eb3n")},
      {kEnglishPost, std::string(kEnglishPost).replace(kEnglishPost.find("driven out"), 10,
                                                       "d\u200Br\u200Bi\u200Bv\u200Be\u200Bn out")},
      // spaced letters and a hashtag
      {kEnglishPost, std::string(kEnglishPost).replace(kEnglishPost.find("shelter"), 7, "s h e l t e r") + " #stationroad"},
  };
  for (const auto& [original, edited] : edits) {
    const int d = Distance(original, edited);
    EXPECT_LE(d, kDefaultNearDuplicateDistance) << edited;
    EXPECT_GT(d, -1);
  }
}

const std::vector<std::string>& UnrelatedPosts() {
  static const std::vector<std::string> posts = {
      kPost, kEnglishPost,
      "Heute waren wir mit den Kindern im Park, das Wetter war herrlich und die Sonne schien den ganzen Tag.",
      "Der neue Fahrplan der Bahn ist eine Katastrophe, mein Zug hatte wieder 25 Minuten Verspaetung heute frueh.",
      "Kennt jemand ein gutes Buch ueber die Geschichte Hamburgs? Am liebsten etwas mit vielen alten Fotos.",
      "Die Mannschaft hat 3:1 gewonnen, endlich wieder ein Heimsieg nach fuenf Spielen ohne Sieg im Stadion!",
      "Ich finde, der Stadtrat sollte mehr Geld fuer Radwege ausgeben, die Strassen sind fuer Kinder gefaehrlich.",
      "Spent the afternoon at the farmers market, the peaches are finally in season and they taste amazing.",
      "Does anyone know a good plumber in the east end? Our kitchen sink has been leaking for days now.",
      "The council meeting ran until 10pm again; the bike lane proposal passed seven to two in the end.",
      "New recipe: roasted cauliflower with tahini, lemon and a pinch of smoked paprika, served with rice.",
      "Weather forecast says rain all weekend, so it is board games and soup at our place with the neighbours.",
      "Wer die Politiker in Berlin weiter waehlt, ist selbst schuld, die machen doch eh was sie wollen.",
      "Earn 500 dollars per day from home, no experience needed, send me a message for the details now!",
      "Die Polizei hat gestern in der Innenstadt einen Mann festgenommen, der mehrere Passanten bedroht hatte.",
      "Reading a great piece on the history of the printing press and how it changed European politics.",
  };
  return posts;
}

TEST(Fingerprint, UnrelatedPostsAreFarApart) {
  const auto& posts = UnrelatedPosts();
  int closest = 64;
  for (size_t i = 0; i < posts.size(); ++i) {
    for (size_t j = i + 1; j < posts.size(); ++j) closest = std::min(closest, Distance(posts[i], posts[j]));
  }
  EXPECT_GT(closest, kDefaultNearDuplicateDistance + 2);
}

TEST(Fingerprint, ShortTextsHaveFewShingles) {
  EXPECT_EQ(FingerprintText("").shingles, 0u);
  EXPECT_EQ(FingerprintText("!!! ...").shingles, 0u);
  EXPECT_EQ(FingerprintText("ok").shingles, 1u);
  EXPECT_LT(FingerprintText("ganz kurz").shingles, kMinFingerprintShingles);
  // The same normalised text gives the same fingerprint either way.
  EXPECT_EQ(FingerprintText("K1LL them"), FingerprintNormalized(NormalizeText("K1LL them")));
}

TEST(NearDuplicateIndex, FindsReUploadsAndEditsButNotUnrelatedPosts) {
  NearDuplicateIndex index;
  const auto& posts = UnrelatedPosts();
  index.Add(FingerprintText(kPost).simhash, 1);
  for (size_t i = 2; i < posts.size(); ++i) index.Add(FingerprintText(posts[i]).simhash, 100 + i);
  auto again = index.FindNearest(FingerprintText(kPost).simhash);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->id, 1u);
  EXPECT_EQ(again->distance, 0);
  auto edited = index.FindNearest(
      FingerprintText(std::string(kPost).replace(kPost.find("morgen"), 6, "heute")).simhash);
  ASSERT_TRUE(edited.has_value());
  EXPECT_EQ(edited->id, 1u);
  EXPECT_FALSE(index.FindNearest(FingerprintText(kEnglishPost).simhash).has_value());
  EXPECT_FALSE(index.FindNearest(
      FingerprintText("Morgen treffen wir uns am Eingang vom Stadtpark zum Picknick, bringt alle "
                      "etwas zu essen mit und gute Laune!").simhash).has_value());
}

// Every index configuration finds exactly the entries a scan finds, once each, including ones
// planted at every distance up to and just beyond its limit.
TEST(NearDuplicateIndex, FindsExactlyWhatABruteForceScanFinds) {
  std::mt19937_64 rng(42);
  // Small indexes (at most kScanUpTo entries) compare every entry; larger ones probe the tables.
  for (const auto& [random_entries, query_count] : {std::pair{100, 10}, std::pair{3000, 40}})
  for (int k : {0, 1, 3, 4, 5, 8, 10, 15}) {
    NearDuplicateIndex index(k);
    EXPECT_EQ(index.max_distance(), k);
    std::vector<uint64_t> stored;
    const auto flip = [&](uint64_t x, int bits) {
      std::vector<int> positions(64);
      for (int i = 0; i < 64; ++i) positions[i] = i;
      std::shuffle(positions.begin(), positions.end(), rng);
      for (int i = 0; i < bits; ++i) x ^= uint64_t{1} << positions[i];
      return x;
    };
    std::vector<uint64_t> queries;
    for (int q = 0; q < query_count; ++q) queries.push_back(rng());
    for (int i = 0; i < random_entries; ++i) stored.push_back(rng());
    for (uint64_t q : queries) {
      for (int d = 0; d <= k + 2; ++d) stored.push_back(flip(q, d));
    }
    stored.push_back(stored[5]);  // a duplicate entry
    for (size_t i = 0; i < stored.size(); ++i) index.Add(stored[i], i);
    EXPECT_EQ(index.size(), stored.size());
    EXPECT_EQ(stored.size() <= NearDuplicateIndex::kScanUpTo, random_entries == 100);
    for (uint64_t q : queries) {
      std::vector<uint64_t> expected;
      int best = 65;
      for (size_t i = 0; i < stored.size(); ++i) {
        const int d = HammingDistance(stored[i], q);
        if (d <= k) {
          expected.push_back(i);
          best = std::min(best, d);
        }
      }
      std::vector<uint64_t> actual;
      for (const auto& m : index.FindAll(q)) {
        actual.push_back(m.id);
        EXPECT_EQ(m.distance, HammingDistance(m.simhash, q));
      }
      EXPECT_EQ(actual, expected) << "k " << k;
      auto nearest = index.FindNearest(q);
      ASSERT_TRUE(nearest.has_value());
      EXPECT_EQ(nearest->distance, best);
    }
  }
}

TEST(NearDuplicateIndex, RemoveTakesEntriesOut) {
  NearDuplicateIndex index(3);
  index.Add(0x1234, 7);
  index.Add(0x1235, 8);
  index.Add(0x1234, 7);
  EXPECT_EQ(index.Remove(7), 2u);
  EXPECT_EQ(index.Remove(7), 0u);
  EXPECT_EQ(index.size(), 1u);
  auto m = index.FindNearest(0x1234);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->id, 8u);
  EXPECT_EQ(m->distance, 1);
  EXPECT_EQ(index.FindAll(0x1234).size(), 1u);
}

}  // namespace
}  // namespace stoa::screen
