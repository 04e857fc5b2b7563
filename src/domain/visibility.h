// Who may see a post, as the Mastodon API names it.
#pragma once

#include <optional>
#include <string_view>

namespace stoa {

enum class Visibility {
  kPublic = 0,    // everyone, in public timelines
  kUnlisted = 1,  // everyone, but not in public timelines or hashtag timelines
  kPrivate = 2,   // followers (and mentioned accounts) only
  kDirect = 3,    // mentioned accounts only
};

std::string_view VisibilityName(Visibility v);
std::optional<Visibility> ParseVisibility(std::string_view name);

}  // namespace stoa
