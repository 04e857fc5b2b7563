// Time-ordered 64-bit ids: the upper 48 bits are milliseconds since the Unix epoch, the lower 16 a
// sequence. Newer ids sort after older ones, so pagination is an index range scan. On the wire
// ids are decimal strings.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace stoa {

using Id = int64_t;
inline constexpr Id kNoId = 0;

// Thread-safe, strictly increasing within one process even if the clock steps back.
class IdGenerator {
 public:
  explicit IdGenerator(const Clock& clock) : clock_(clock) {}
  Id Next();
  // Ensures future ids are greater than `id` (call with the largest id already stored).
  void ObserveExisting(Id id);
  // Where the sequence starts in each new millisecond (0 by default). The command line's writes
  // (stoa admin ...) run in processes of their own beside a running server; starting their
  // sequences at kCommandLineSequence keeps their ids apart from the server's, which would need
  // 32,768 ids in one millisecond to reach them.
  static constexpr int64_t kCommandLineSequence = 0x8000;
  void StartSequencesAt(int64_t sequence) { first_sequence_.store(sequence & 0xffff); }

 private:
  const Clock& clock_;
  std::atomic<int64_t> last_{0};
  std::atomic<int64_t> first_sequence_{0};
};

// The smallest id that could have been generated at `t` (for time-based range queries).
inline Id IdAtTime(Timestamp t) { return ToUnixMillis(t) << 16; }
inline Timestamp TimeOfId(Id id) { return FromUnixMillis(id >> 16); }

std::string IdToString(Id id);
// Parses a decimal id; nullopt when it is not a positive 63-bit integer.
std::optional<Id> ParseId(std::string_view text);

}  // namespace stoa
