#include "common/text_memo.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace stoa {
namespace {

TEST(TextMemoTest, ComputesOnceAndKeepsTheBytes) {
  TextMemo memo;
  int calls = 0;
  auto make = [&] {
    ++calls;
    return std::string("{\"id\":\"1\"}");
  };
  const std::string_view first = memo.Get(make);
  const std::string_view second = memo.Get(make);
  EXPECT_EQ(first, "{\"id\":\"1\"}");
  EXPECT_EQ(first.data(), second.data());  // the same bytes, not a copy
  EXPECT_EQ(calls, 1);
}

TEST(TextMemoTest, KeepsEmptyAndLongTextsWhole) {
  TextMemo empty;
  EXPECT_EQ(empty.Get([] { return std::string(); }), "");
  const std::string long_text(100000, 'x');
  TextMemo memo;
  EXPECT_EQ(memo.Get([&] { return long_text; }), long_text);
  memo.Prefetch(4096);  // a hint only: the text stays as it was
  empty.Prefetch(4096);
  EXPECT_EQ(memo.Get([] { return std::string("other"); }), long_text);
}

TEST(TextMemoTest, ACopyOfTheOwnerStartsEmpty) {
  TextMemo memo;
  memo.Get([] { return std::string("old"); });
  TextMemo copy(memo);
  EXPECT_EQ(copy.Get([] { return std::string("new"); }), "new");
  copy = memo;  // assignment forgets the copy's own text too
  EXPECT_EQ(copy.Get([] { return std::string("newer"); }), "newer");
  EXPECT_EQ(memo.Get([] { return std::string("unused"); }), "old");
  TextMemo never_computed;
  never_computed.Prefetch(64);  // nothing to load: no-op
}

TEST(TextMemoTest, ConcurrentReadersAllSeeOneText) {
  TextMemo memo;
  std::atomic<int> calls{0};
  std::vector<std::string_view> seen(8);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < seen.size(); ++t) {
    threads.emplace_back([&, t] {
      seen[t] = memo.Get([&] {
        ++calls;
        return "text " + std::to_string(t);
      });
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_GE(calls.load(), 1);
  for (const auto& v : seen) EXPECT_EQ(v.data(), seen[0].data());
}

}  // namespace
}  // namespace stoa
