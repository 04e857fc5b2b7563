#include "screen/fingerprint.h"

#include <algorithm>
#include <cassert>

#include "screen/normalize.h"

namespace stoa::screen {
namespace {

constexpr size_t kShingleBytes = 4;
constexpr uint64_t kLowBitOfEachByte = 0x0101010101010101ull;

// splitmix64's finaliser: spreads a shingle's bytes over all 64 bits.
inline uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

inline bool Kept(unsigned char c) {
  return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Counts, per bit position, how many of the added hashes have that bit set. Bit-sliced: lane j
// holds eight byte-wide counters for bits j, j+8, ..., j+56, so adding a hash is 8 shifts, masks
// and additions instead of 64; the byte counters are emptied into wide ones every 255 hashes.
class BitCounter {
 public:
  void Add(uint64_t h) {
    for (int j = 0; j < 8; ++j) lanes_[j] += (h >> j) & kLowBitOfEachByte;
    if (++pending_ == 255) Drain();
    ++total_;
  }
  uint64_t Majority() {
    Drain();
    uint64_t out = 0;
    for (int bit = 0; bit < 64; ++bit) {
      if (2 * counts_[bit] > total_) out |= uint64_t{1} << bit;
    }
    return out;
  }
  uint32_t total() const { return total_; }

 private:
  void Drain() {
    for (int j = 0; j < 8; ++j) {
      for (int b = 0; b < 8; ++b) counts_[8 * b + j] += (lanes_[j] >> (8 * b)) & 0xff;
      lanes_[j] = 0;
    }
    pending_ = 0;
  }
  uint64_t lanes_[8] = {};
  uint32_t counts_[64] = {};
  uint32_t pending_ = 0;
  uint32_t total_ = 0;
};

}  // namespace

Fingerprint FingerprintNormalized(std::string_view normalized) {
  BitCounter counter;
  uint64_t window = 0;
  size_t kept = 0;
  for (char ch : normalized) {
    const auto c = static_cast<unsigned char>(ch);
    if (!Kept(c)) continue;
    window = (window << 8) | c;
    if (++kept >= kShingleBytes) counter.Add(Mix(window & 0xFFFFFFFFull));
  }
  // Shorter than one shingle: what there is, as one feature.
  if (kept > 0 && kept < kShingleBytes) counter.Add(Mix(window | (uint64_t{kept} << 56)));
  Fingerprint f;
  f.shingles = counter.total();
  f.simhash = f.shingles == 0 ? 0 : counter.Majority();
  return f;
}

Fingerprint FingerprintText(std::string_view original) {
  return FingerprintNormalized(NormalizeText(original));
}

NearDuplicateIndex::NearDuplicateIndex(int max_distance)
    : max_distance_(std::clamp(max_distance, 0, 15)), probe_radius_(max_distance_ >= 4 ? 1 : 0) {
  // B blocks with B * (r + 1) > max_distance, as even as 64 bits allow: up to distance 3 one block
  // more than the distance, probed exactly; from 4 on probed within one bit, 4 blocks of 16 bits
  // up to distance 7, then max_distance / 2 + 1 narrower blocks.
  const int blocks = max_distance_ <= 3 ? max_distance_ + 1 : std::max(4, max_distance_ / 2 + 1);
  int bit = 0;
  for (int b = 0; b < blocks; ++b) {
    const int width = 64 / blocks + (b < 64 % blocks ? 1 : 0);
    width_.push_back(static_cast<uint8_t>(width));
    shift_.push_back(static_cast<uint8_t>(bit));
    mask_.push_back(width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1);
    bit += width;
  }
  assert(bit == 64);
  tables_.resize(static_cast<size_t>(blocks));
  direct_ = width_[0] <= kDirectBits;
  if (direct_) Rebuild();
}

uint64_t NearDuplicateIndex::BlockKey(size_t block, uint64_t simhash) const {
  return (simhash >> shift_[block]) & mask_[block];
}

void NearDuplicateIndex::Rebuild() {
  for (size_t b = 0; b < tables_.size(); ++b) {
    Table& t = tables_[b];
    const size_t values = size_t{1} << width_[b];
    std::vector<uint32_t> offsets(values + 1, 0);
    for (uint32_t index = 0; index < entries_.size(); ++index) {
      if (entries_[index].live) ++offsets[BlockKey(b, entries_[index].simhash) + 1];
    }
    for (size_t v = 0; v < values; ++v) offsets[v + 1] += offsets[v];
    std::vector<Item> items(offsets[values]);
    std::vector<uint32_t> next(offsets.begin(), offsets.end() - 1);
    for (uint32_t index = 0; index < entries_.size(); ++index) {
      const Entry& e = entries_[index];
      if (e.live) items[next[BlockKey(b, e.simhash)]++] = Item{e.simhash, index};
    }
    t.offsets = std::move(offsets);
    t.items = std::move(items);
  }
  pending_.clear();
}

void NearDuplicateIndex::Add(uint64_t simhash, uint64_t id) {
  const auto index = static_cast<uint32_t>(entries_.size());
  entries_.push_back({simhash, id, true});
  ++live_;
  if (direct_) {
    pending_.push_back(Item{simhash, index});
    if (pending_.size() >= kRebuildAfter) Rebuild();
    return;
  }
  for (size_t b = 0; b < tables_.size(); ++b) {
    tables_[b].map[BlockKey(b, simhash)].push_back(Item{simhash, index});
  }
}

size_t NearDuplicateIndex::Remove(uint64_t id) {
  size_t removed = 0;
  for (uint32_t index = 0; index < entries_.size(); ++index) {
    Entry& e = entries_[index];
    if (!e.live || e.id != id) continue;
    e.live = false;  // direct tables skip it until the next rebuild drops it
    ++removed;
    if (direct_) continue;
    for (size_t b = 0; b < tables_.size(); ++b) {
      const uint64_t key = BlockKey(b, e.simhash);
      auto it = tables_[b].map.find(key);
      if (it == tables_[b].map.end()) continue;
      auto& list = it->second;
      list.erase(std::remove_if(list.begin(), list.end(),
                                [&](const Item& item) { return item.index == index; }),
                 list.end());
      if (list.empty()) tables_[b].map.erase(it);
    }
  }
  live_ -= removed;
  return removed;
}

// Calls visit(entry index, distance) once for each live entry within max_distance: an entry is
// visited from the first block in which it is within the probe radius of the query.
template <typename Visit>
void NearDuplicateIndex::ForEachCandidate(uint64_t simhash, Visit&& visit) const {
  if (entries_.size() <= kScanUpTo) {
    for (uint32_t i = 0; i < entries_.size(); ++i) {
      const int distance = HammingDistance(entries_[i].simhash, simhash);
      if (distance <= max_distance_ && entries_[i].live) visit(i, distance);
    }
    return;
  }
  for (size_t b = 0; b < tables_.size(); ++b) {
    const uint64_t key = BlockKey(b, simhash);
    const Table& t = tables_[b];
    const auto probe = [&](uint64_t value) {
      const Item* begin;
      const Item* end;
      if (direct_) {
        begin = t.items.data() + t.offsets[value];
        end = t.items.data() + t.offsets[value + 1];
      } else {
        auto it = t.map.find(value);
        if (it == t.map.end()) return;
        begin = it->second.data();
        end = begin + it->second.size();
      }
      for (const Item* item = begin; item != end; ++item) {
        const int distance = HammingDistance(item->simhash, simhash);
        if (distance > max_distance_ || !entries_[item->index].live) continue;
        bool seen = false;
        for (size_t earlier = 0; earlier < b && !seen; ++earlier) {
          seen = HammingDistance(BlockKey(earlier, item->simhash), BlockKey(earlier, simhash)) <=
                 probe_radius_;
        }
        if (!seen) visit(item->index, distance);
      }
    };
    // Every value within probe_radius_ bits of the query's block value, once each.
    const int w = width_[b];
    probe(key);
    for (int i = 0; i < w && probe_radius_ >= 1; ++i) {
      const uint64_t ki = key ^ (uint64_t{1} << i);
      probe(ki);
      for (int j = i + 1; j < w && probe_radius_ >= 2; ++j) {
        const uint64_t kj = ki ^ (uint64_t{1} << j);
        probe(kj);
        for (int l = j + 1; l < w && probe_radius_ >= 3; ++l) probe(kj ^ (uint64_t{1} << l));
      }
    }
  }
  // Added since the last rebuild: not in the tables yet.
  for (const Item& item : pending_) {
    const int distance = HammingDistance(item.simhash, simhash);
    if (distance <= max_distance_ && entries_[item.index].live) visit(item.index, distance);
  }
}

std::optional<NearDuplicateIndex::Match> NearDuplicateIndex::FindNearest(uint64_t simhash) const {
  std::optional<Match> best;
  uint32_t best_index = 0;
  ForEachCandidate(simhash, [&](uint32_t index, int distance) {
    if (!best || distance < best->distance || (distance == best->distance && index < best_index)) {
      best = Match{entries_[index].id, entries_[index].simhash, distance};
      best_index = index;
    }
  });
  return best;
}

std::vector<NearDuplicateIndex::Match> NearDuplicateIndex::FindAll(uint64_t simhash) const {
  std::vector<std::pair<uint32_t, int>> found;
  ForEachCandidate(simhash, [&](uint32_t index, int distance) { found.emplace_back(index, distance); });
  std::sort(found.begin(), found.end());
  std::vector<Match> out;
  out.reserve(found.size());
  for (const auto& [index, distance] : found) {
    out.push_back(Match{entries_[index].id, entries_[index].simhash, distance});
  }
  return out;
}

}  // namespace stoa::screen
