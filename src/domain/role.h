// Staff roles, ordered by power: each role can do what the ones below it can.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace stoa {

enum class Role { kMember = 0, kModerator = 1, kAdmin = 2, kOwner = 3 };

std::string_view RoleName(Role r);
std::optional<Role> ParseRole(std::string_view name);
inline bool AtLeast(Role have, Role need) { return static_cast<int>(have) >= static_cast<int>(need); }

// Mastodon's role entity: numeric id, display name, permission bitmask (as a decimal string on
// the wire), colour and whether it shows as a badge.
struct RoleInfo {
  int id;
  std::string_view name;
  uint64_t permissions;
  std::string_view color;
  bool highlighted;
};
RoleInfo DescribeRole(Role r);

}  // namespace stoa
