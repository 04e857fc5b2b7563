// A lazily computed text attached to an immutable object, e.g. the API's JSON for a post: the
// first reader renders it, later readers get the same bytes without locks or reference counts.
// Copies of the owning object start with an empty memo (a changed object is a new object), so it
// never outlives the value it was computed from. Thread-safe.
#pragma once

#include <atomic>
#include <string>
#include <utility>

namespace stoa {

class TextMemo {
 public:
  TextMemo() = default;
  TextMemo(const TextMemo&) {}
  TextMemo& operator=(const TextMemo&) {
    delete text_.exchange(nullptr);
    return *this;
  }
  ~TextMemo() { delete text_.load(); }

  // The memoised text, computing it with `make()` (returning std::string) on first use. Two
  // threads may both compute it once; one result wins and the other is discarded.
  template <typename Make>
  const std::string& Get(Make&& make) const {
    if (const std::string* text = text_.load(std::memory_order_acquire)) return *text;
    auto* fresh = new std::string(make());
    const std::string* expected = nullptr;
    if (text_.compare_exchange_strong(expected, fresh, std::memory_order_acq_rel)) return *fresh;
    delete fresh;
    return *expected;
  }

 private:
  mutable std::atomic<const std::string*> text_{nullptr};
};

}  // namespace stoa
