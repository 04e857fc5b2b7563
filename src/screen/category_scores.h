// A score in [0, 1] per screening category: what a stage (classifier, rules) says about a post.
#pragma once

#include <algorithm>
#include <array>

#include "screen/category.h"

namespace stoa::screen {

struct CategoryScores {
  std::array<float, kCategoryCount> values{};  // indexed by Category; 0 when a stage has no opinion

  float operator[](Category c) const { return values[static_cast<size_t>(c)]; }
  float& operator[](Category c) { return values[static_cast<size_t>(c)]; }

  // The highest score over all categories.
  float Max() const { return *std::max_element(values.begin(), values.end()); }

  bool operator==(const CategoryScores&) const = default;
};

}  // namespace stoa::screen
