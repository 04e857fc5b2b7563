#include "common/id.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

namespace stoa {
namespace {

TEST(IdGeneratorTest, IdsAreTimeOrderedAndStrictlyIncreasing) {
  FakeClock clock;
  IdGenerator ids(clock);
  const Id a = ids.Next();
  const Id b = ids.Next();
  EXPECT_LT(a, b);
  clock.Advance(std::chrono::milliseconds(5));
  const Id c = ids.Next();
  EXPECT_LT(b, c);
  EXPECT_EQ(TimeOfId(c), clock.Now());
}

TEST(IdGeneratorTest, ClockSteppingBackStillIncreases) {
  FakeClock clock;
  IdGenerator ids(clock);
  const Id a = ids.Next();
  clock.Advance(std::chrono::milliseconds(-1000));
  EXPECT_GT(ids.Next(), a);
}

TEST(IdGeneratorTest, ObserveExistingKeepsNewIdsAbove) {
  FakeClock clock;
  IdGenerator ids(clock);
  const Id future = IdAtTime(clock.Now() + std::chrono::hours(1));
  ids.ObserveExisting(future);
  EXPECT_GT(ids.Next(), future);
}

TEST(IdGeneratorTest, ConcurrentCallersNeverShareAnId) {
  SystemClock clock;
  IdGenerator ids(clock);
  std::vector<std::vector<Id>> got(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) got[t].push_back(ids.Next());
    });
  }
  for (auto& th : threads) th.join();
  std::set<Id> all;
  for (auto& v : got) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), 40000u);
}

// The server and a command-line process writing beside it, in the same milliseconds.
TEST(IdGeneratorTest, CommandLineSequencesStayApartFromTheServers) {
  FakeClock clock;
  IdGenerator server(clock), command(clock);
  command.StartSequencesAt(IdGenerator::kCommandLineSequence);
  std::set<Id> all;
  for (int ms = 0; ms < 5; ++ms) {
    for (int i = 0; i < 1000; ++i) {
      for (IdGenerator* g : {&server, &command}) {
        const Id id = g->Next();
        EXPECT_EQ(TimeOfId(id), clock.Now());
        EXPECT_TRUE(all.insert(id).second) << "id " << id << " made twice";
      }
    }
    clock.Advance(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(all.size(), 10000u);
  // Each still starts at or after the millisecond's first id (time-range queries rely on it).
  EXPECT_GE(command.Next(), IdAtTime(clock.Now()));
}

TEST(ParseIdTest, AcceptsOnlyPositiveDecimalIds) {
  struct Case {
    const char* text;
    std::optional<Id> want;
  };
  const Case cases[] = {
      {"1", 1},          {"109876543210", 109876543210}, {"0", std::nullopt},
      {"-5", std::nullopt}, {"12a", std::nullopt},       {"", std::nullopt},
      {"99999999999999999999", std::nullopt},            {" 1", std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(ParseId(c.text), c.want) << c.text;
}

}  // namespace
}  // namespace stoa
