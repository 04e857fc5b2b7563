// Whether an immutable object is still the current value of its ObjectCache entry, for caches
// built on top of such objects (the home page cache) that must learn cheaply whether anything
// they were made from has changed since, without looking every object up again.
//
// An object starts untracked. ObjectCache marks it resident when it stores it, and gone, for
// good, when it drops it for any reason: a change (Invalidate, Put of a newer value), eviction or
// Clear. "Resident" therefore proves the object is still the one a fresh load would return;
// "untracked" or "gone" prove nothing, so a dependant must treat both as changed. Copies of the
// owning object start untracked (a changed object is a new object). Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>

namespace stoa {

class CacheResidency {
 public:
  CacheResidency() = default;
  CacheResidency(const CacheResidency&) noexcept {}
  CacheResidency& operator=(const CacheResidency&) noexcept { return *this; }

  // True while the object is its cache entry's value.
  bool resident() const { return state_.load(std::memory_order_acquire) == kResident; }

  // Untracked -> resident; an object that was dropped once never becomes resident again.
  void MarkResident() const {
    uint8_t expected = kUntracked;
    state_.compare_exchange_strong(expected, kResident, std::memory_order_acq_rel);
  }
  void MarkGone() const { state_.store(kGone, std::memory_order_release); }

 private:
  static constexpr uint8_t kUntracked = 0;
  static constexpr uint8_t kResident = 1;
  static constexpr uint8_t kGone = 2;
  mutable std::atomic<uint8_t> state_{kUntracked};
};

}  // namespace stoa
