#include "common/id.h"

#include <charconv>

namespace stoa {

Id IdGenerator::Next() {
  const int64_t candidate =
      (ToUnixMillis(clock_.Now()) << 16) | first_sequence_.load(std::memory_order_relaxed);
  int64_t last = last_.load(std::memory_order_relaxed);
  while (true) {
    const int64_t next = candidate > last ? candidate : last + 1;
    if (last_.compare_exchange_weak(last, next, std::memory_order_relaxed)) return next;
  }
}

void IdGenerator::ObserveExisting(Id id) {
  int64_t last = last_.load();
  while (id > last && !last_.compare_exchange_weak(last, id)) {
  }
}

std::string IdToString(Id id) { return std::to_string(id); }

std::optional<Id> ParseId(std::string_view text) {
  Id value = 0;
  if (text.empty() || text.size() > 19) return std::nullopt;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

}  // namespace stoa
