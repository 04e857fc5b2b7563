// A lazily computed text attached to an immutable object, e.g. the API's JSON for a post: the
// first reader renders it, later readers get the same bytes without locks or reference counts.
// Copies of the owning object start with an empty memo (a changed object is a new object), so it
// never outlives the value it was computed from. Thread-safe.
//
// The text lives in one allocation with its length in front (not a std::string, whose bytes are a
// second allocation behind the first): a warm home timeline copies forty such texts that are
// usually not in the CPU cache, and each pointer followed is a cache miss the next cannot overlap.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstring>
#include <new>
#include <string>
#include <string_view>

namespace stoa {

class TextMemo {
 public:
  TextMemo() = default;
  TextMemo(const TextMemo&) {}
  TextMemo& operator=(const TextMemo&) {
    Free(text_.exchange(nullptr));
    return *this;
  }
  ~TextMemo() { Free(text_.load()); }

  // The memoised text, computing it with `make()` (returning std::string) on first use. Two
  // threads may both compute it once; one result wins and the other is discarded. The view stays
  // valid as long as the memo (its owning object).
  template <typename Make>
  std::string_view Get(Make&& make) const {
    if (const Block* text = text_.load(std::memory_order_acquire)) return View(text);
    const Block* fresh = Allocate(make());
    const Block* expected = nullptr;
    if (text_.compare_exchange_strong(expected, fresh, std::memory_order_acq_rel)) {
      return View(fresh);
    }
    Free(fresh);
    return View(expected);
  }

  // Asks the CPU to start loading the text (at most `max_bytes` of it) into its cache, when it
  // has been computed; a no-op otherwise. For loops that copy many memos one after the other.
  void Prefetch(size_t max_bytes) const {
    const Block* text = text_.load(std::memory_order_acquire);
    if (text == nullptr) return;
    const char* p = reinterpret_cast<const char*>(text);
    const char* end = Data(text) + std::min(text->size, max_bytes);
    for (; p < end; p += kCacheLine) __builtin_prefetch(p);
  }

 private:
  static constexpr size_t kCacheLine = 64;
  struct Block {
    size_t size;  // the text's bytes follow
  };
  static const char* Data(const Block* block) {
    return reinterpret_cast<const char*>(block) + sizeof(Block);
  }

  static const Block* Allocate(const std::string& s) {
    // (At least one byte of text room: GCC's bounds check misjudges a copy into none.)
    auto* raw = static_cast<char*>(::operator new(sizeof(Block) + std::max<size_t>(s.size(), 1)));
    std::memcpy(raw + sizeof(Block), s.data(), s.size());
    return new (raw) Block{s.size()};
  }
  static void Free(const Block* block) { ::operator delete(const_cast<Block*>(block)); }
  static std::string_view View(const Block* block) { return {Data(block), block->size}; }

  mutable std::atomic<const Block*> text_{nullptr};
};

}  // namespace stoa
