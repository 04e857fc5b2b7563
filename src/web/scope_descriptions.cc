#include "web/scope_descriptions.h"

#include <array>
#include <utility>

namespace stoa::web {
namespace {

using Entry = std::pair<std::string_view, std::string_view>;

constexpr std::array kDescriptions = {
    Entry{"read", "Read all of your account's data"},
    Entry{"write", "Change all of your account's data"},
    Entry{"follow", "Manage whom you follow, block and mute"},
    Entry{"push", "Receive your push notifications"},
    Entry{"profile", "Read only your basic profile information"},
    Entry{"read:accounts", "See your account information"},
    Entry{"read:blocks", "See whom you block"},
    Entry{"read:bookmarks", "See your bookmarks"},
    Entry{"read:favourites", "See your favourites"},
    Entry{"read:filters", "See your filters"},
    Entry{"read:follows", "See whom you follow"},
    Entry{"read:lists", "See your lists"},
    Entry{"read:mutes", "See whom you mute"},
    Entry{"read:notifications", "See your notifications"},
    Entry{"read:search", "Search on your behalf"},
    Entry{"read:statuses", "See all posts you can see"},
    Entry{"write:accounts", "Change your profile"},
    Entry{"write:blocks", "Block and unblock accounts"},
    Entry{"write:bookmarks", "Bookmark posts"},
    Entry{"write:conversations", "Mute and delete conversations"},
    Entry{"write:favourites", "Favourite posts"},
    Entry{"write:filters", "Create and change filters"},
    Entry{"write:follows", "Follow and unfollow accounts"},
    Entry{"write:lists", "Create and change lists"},
    Entry{"write:media", "Upload media files"},
    Entry{"write:mutes", "Mute and unmute accounts and conversations"},
    Entry{"write:notifications", "Clear your notifications"},
    Entry{"write:reports", "Report other accounts"},
    Entry{"write:statuses", "Publish and delete posts"},
    Entry{"admin:read", "Read moderation data of the whole server"},
    Entry{"admin:write", "Take moderation actions on the whole server"},
    Entry{"admin:read:accounts", "Read sensitive information of all accounts"},
    Entry{"admin:read:reports", "Read sensitive information of all reports and reported accounts"},
    Entry{"admin:read:domain_allows", "Read the allowed domains"},
    Entry{"admin:read:domain_blocks", "Read the blocked domains"},
    Entry{"admin:read:ip_blocks", "Read the blocked IP addresses"},
    Entry{"admin:read:email_domain_blocks", "Read the blocked e-mail domains"},
    Entry{"admin:read:canonical_email_blocks", "Read the blocked e-mail addresses"},
    Entry{"admin:write:accounts", "Take moderation actions on accounts"},
    Entry{"admin:write:reports", "Take moderation actions on reports"},
    Entry{"admin:write:domain_allows", "Change the allowed domains"},
    Entry{"admin:write:domain_blocks", "Change the blocked domains"},
    Entry{"admin:write:ip_blocks", "Change the blocked IP addresses"},
    Entry{"admin:write:email_domain_blocks", "Change the blocked e-mail domains"},
    Entry{"admin:write:canonical_email_blocks", "Change the blocked e-mail addresses"},
};

}  // namespace

std::string ScopeDescription(std::string_view scope) {
  for (const auto& [name, description] : kDescriptions) {
    if (name == scope) return std::string(description);
  }
  return std::string(scope);
}

}  // namespace stoa::web
