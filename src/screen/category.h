// The screening categories: what a rule hit or a classifier label says a post may be. stoa's own
// short names; the safety module maps each to a DSA Transparency Database category and a default
// legal provision when it opens a case (violence, threat, incitement and glorification ->
// STATEMENT_CATEGORY_VIOLENCE, terrorism -> STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY, spam ->
// STATEMENT_CATEGORY_SCAMS_AND_FRAUD).
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace stoa::screen {

enum class Category {
  kViolence,       // calls to violence (StGB section 111)
  kThreat,         // threats against a person (section 241)
  kIncitement,     // incitement to hatred against groups (section 130)
  kGlorification,  // approval or glorification of violent crimes (sections 131, 140)
  kTerrorism,      // terrorist content, support of terrorist organisations (sections 89a, 129a)
  kSpam,           // spam signals (links, repetition, scams)
};
inline constexpr size_t kCategoryCount = 6;

inline constexpr std::array<Category, kCategoryCount> kAllCategories = {
    Category::kViolence,      Category::kThreat,    Category::kIncitement,
    Category::kGlorification, Category::kTerrorism, Category::kSpam};

inline constexpr std::string_view CategoryName(Category c) {
  switch (c) {
    case Category::kViolence: return "violence";
    case Category::kThreat: return "threat";
    case Category::kIncitement: return "incitement";
    case Category::kGlorification: return "glorification";
    case Category::kTerrorism: return "terrorism";
    case Category::kSpam: return "spam";
  }
  return "violence";
}

inline constexpr std::optional<Category> ParseCategory(std::string_view name) {
  for (Category c : kAllCategories) {
    if (CategoryName(c) == name) return c;
  }
  return std::nullopt;
}

}  // namespace stoa::screen
