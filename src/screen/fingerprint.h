// Near-duplicate fingerprints (the "match" stage of DESIGN.md section 6): a 64-bit SimHash of a
// post's normalised text, and an in-memory index that answers "is a stored fingerprint within
// Hamming distance k" for tens of thousands of fingerprints in microseconds. Pure: no storage;
// the caller decides what is stored (fingerprints of removed statuses) and what a hit means.
//
// Features: the normalised text (normalize.h: case, look-alikes, leetspeak, letter runs and spaced
// letters already folded) reduced to its letters and digits (punctuation, whitespace, emoji and
// other symbols dropped, so "k-i-l-l", "kill!!!" and "ki ll" agree), cut into overlapping 4-byte
// shingles, each counted as often as it occurs. SimHash: bit i of the fingerprint is set when more
// than half of the shingles' 64-bit hashes have bit i set. Re-uploads give the same fingerprint;
// changing a word of a post changes a few shingles and so flips a few bits (more in short posts);
// unrelated posts differ in about 32 bits. Measured distances: tests/unit/screen/fingerprint_test.cc.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace stoa::screen {

struct Fingerprint {
  uint64_t simhash = 0;
  // How many shingles went into it. Few shingles (a post of a few words) make fingerprints that
  // unrelated short posts share by chance: callers should not match on fingerprints with fewer
  // than kMinFingerprintShingles.
  uint32_t shingles = 0;

  bool operator==(const Fingerprint&) const = default;
};

// Below this many shingles (about 20 letters) a fingerprint says too little to match on.
inline constexpr uint32_t kMinFingerprintShingles = 16;
// The distance up to which two fingerprints are treated as the same content by default: covers
// re-uploads and light edits of posts of a few sentences (fingerprint_test.cc) while unrelated
// posts stay far above it (random 64-bit values are within 7 bits with probability ~4e-11), and
// the index answers it with 16-bit blocks (below). Measured on GermEval 2026 posts (BENCHMARKS.md):
// one word changed in a post of 120-250 characters stays within 8 bits in 3 of 4 cases, in a post
// of 250-600 characters in 9 of 10; in posts under 60 characters one word is too much of the post.
inline constexpr int kDefaultNearDuplicateDistance = 10;

// The fingerprint of a text as it was posted (normalises it first).
Fingerprint FingerprintText(std::string_view original);
// The fingerprint of text already normalised (Normalized::text), for callers that have it.
Fingerprint FingerprintNormalized(std::string_view normalized);

// Bits in which a and b differ. (Counted inline: without -mpopcnt, __builtin_popcountll is a
// library call that dominated the index's queries.)
inline int HammingDistance(uint64_t a, uint64_t b) {
  uint64_t x = a ^ b;
  x -= (x >> 1) & 0x5555555555555555ull;
  x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
  return static_cast<int>((x * 0x0101010101010101ull) >> 56);
}

// Fingerprints with a caller-chosen id (e.g. a status id), searchable by Hamming distance up to
// `max_distance` (0..15, fixed per index; a caller with several thresholds, say reject at 3 and
// flag at 10, uses the largest and compares Match::distance). Pigeonhole: the 64 bits are cut into
// B blocks; two fingerprints within max_distance bits have a block in which they differ in at
// most r bits, when B * (r + 1) > max_distance. A query looks up, per block, its own block value
// and (r = 1) every value one bit away, and checks the distance of the fingerprints stored there.
// Up to distance 3: r = 0 and max_distance + 1 blocks (4 blocks of 16 bits for 3); distances 4-7:
// r = 1 and 4 blocks of 16 bits (17 lookups each); from 8 on r = 1 and max_distance / 2 + 1
// blocks (6 blocks of 10-11 bits for 10: 12 lookups each, each value shared by about n / 2000
// unrelated fingerprints that must be checked).
// BENCHMARKS.md has query times for tens of thousands of fingerprints.
//
// Not synchronised: concurrent Find calls are safe; Add and Remove need the caller's lock.
class NearDuplicateIndex {
 public:
  explicit NearDuplicateIndex(int max_distance = kDefaultNearDuplicateDistance);

  int max_distance() const { return max_distance_; }

  // Up to this many entries (live or not) a look-up compares every entry instead of probing the
  // tables: cheaper for small indexes (a probe of a 16-bit block is likely a cache miss, and
  // distance 7 makes 68 of them).
  static constexpr size_t kScanUpTo = 512;
  size_t size() const { return live_; }

  // Stores `simhash` under `id` (ids need not be unique; each Add is one entry).
  void Add(uint64_t simhash, uint64_t id);
  // Removes every entry with this id; returns how many.
  size_t Remove(uint64_t id);

  struct Match {
    uint64_t id;
    uint64_t simhash;
    int distance;
  };
  // The stored entry nearest to `simhash` within max_distance (the earliest added among equals),
  // or nullopt.
  std::optional<Match> FindNearest(uint64_t simhash) const;
  // Every stored entry within max_distance, in the order they were added.
  std::vector<Match> FindAll(uint64_t simhash) const;

 private:
  struct Entry {
    uint64_t simhash;
    uint64_t id;
    bool live;
  };
  // What a block's table lists per block value: the fingerprint itself (so candidates are checked
  // without touching entries_) and the entry.
  struct Item {
    uint64_t simhash;
    uint32_t index;
  };
  template <typename Visit>
  void ForEachCandidate(uint64_t simhash, Visit&& visit) const;
  uint64_t BlockKey(size_t block, uint64_t simhash) const;

  int max_distance_;
  int probe_radius_;             // r: bits flipped per block when probing (0 to 3)
  std::vector<uint8_t> width_;   // per block: bits
  std::vector<uint8_t> shift_;   // per block: lowest bit
  std::vector<uint64_t> mask_;   // per block: mask after shifting
  // Per block: block value -> indexes into entries_.
  // Blocks of 16 bits (every index for distance 3 and up) are kept in compressed-row form: the
  // entries sorted by block value in one array, with the start of each value's run in another,
  // so a lookup reads two neighbouring offsets and one contiguous run. Entries added since the
  // last rebuild wait in pending_ (checked one by one; rebuilt every kRebuildAfter additions).
  // Wider blocks (distances 0-2, one lookup per block) use hash maps.
  static constexpr int kDirectBits = 16;
  static constexpr size_t kRebuildAfter = 256;
  struct Table {
    std::vector<uint32_t> offsets;  // direct: value v's run is items[offsets[v], offsets[v + 1])
    std::vector<Item> items;
    std::unordered_map<uint64_t, std::vector<Item>> map;  // wide blocks
  };
  void Rebuild();
  bool direct_ = false;
  std::vector<Item> pending_;
  std::vector<Table> tables_;
  std::vector<Entry> entries_;
  size_t live_ = 0;
};

}  // namespace stoa::screen
