// A small flat map keyed by id: the results of batch loads (a page of posts, their authors).
// Sorted vector with binary search: for the tens of entries of a page it beats a hash map in
// both allocations and lookups.
#pragma once

#include <algorithm>
#include <utility>
#include <vector>

#include "common/id.h"

namespace stoa::social {

template <typename T>
class IdMap {
 public:
  using value_type = std::pair<Id, T>;
  using iterator = typename std::vector<value_type>::iterator;
  using const_iterator = typename std::vector<value_type>::const_iterator;

  IdMap() = default;
  // From items with distinct ids, in any order (cheapest when already sorted).
  static IdMap FromDistinct(std::vector<value_type> items) {
    IdMap map;
    map.items_ = std::move(items);
    auto by_id = [](const value_type& a, const value_type& b) { return a.first < b.first; };
    if (!std::is_sorted(map.items_.begin(), map.items_.end(), by_id)) {
      std::sort(map.items_.begin(), map.items_.end(), by_id);
    }
    return map;
  }

  void reserve(size_t n) { items_.reserve(n); }
  // Inserts unless present (like std::map::emplace).
  void emplace(Id id, T value) {
    auto it = LowerBound(id);
    if (it != items_.end() && it->first == id) return;
    items_.insert(it, value_type(id, std::move(value)));
  }
  // Adds every item of `other` whose id is not present yet, in one merge (linear, where emplace
  // one by one is quadratic for a batch).
  void Merge(IdMap other) {
    if (other.empty()) return;
    if (items_.empty()) {
      items_ = std::move(other.items_);
      return;
    }
    std::vector<value_type> merged;
    merged.reserve(items_.size() + other.items_.size());
    auto a = items_.begin();
    auto b = other.items_.begin();
    while (a != items_.end() || b != other.items_.end()) {
      if (b == other.items_.end() || (a != items_.end() && a->first < b->first)) {
        merged.push_back(std::move(*a++));
      } else if (a == items_.end() || b->first < a->first) {
        merged.push_back(std::move(*b++));
      } else {
        merged.push_back(std::move(*a++));  // present already: keep ours
        ++b;
      }
    }
    items_ = std::move(merged);
  }
  iterator find(Id id) {
    auto it = LowerBound(id);
    return it != items_.end() && it->first == id ? it : items_.end();
  }
  const_iterator find(Id id) const {
    auto it = std::lower_bound(items_.begin(), items_.end(), id,
                               [](const value_type& v, Id key) { return v.first < key; });
    return it != items_.end() && it->first == id ? it : items_.end();
  }
  size_t count(Id id) const { return find(id) != items_.end() ? 1 : 0; }
  iterator begin() { return items_.begin(); }
  iterator end() { return items_.end(); }
  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }

 private:
  iterator LowerBound(Id id) {
    return std::lower_bound(items_.begin(), items_.end(), id,
                            [](const value_type& v, Id key) { return v.first < key; });
  }
  std::vector<value_type> items_;
};

}  // namespace stoa::social
