// Names, parsing and small invariants of the domain value types.
#include <algorithm>

#include "common/strings.h"
#include "domain/account.h"
#include "domain/notification.h"
#include "domain/role.h"
#include "domain/scope.h"
#include "domain/visibility.h"

namespace stoa {

std::string_view VisibilityName(Visibility v) {
  switch (v) {
    case Visibility::kPublic: return "public";
    case Visibility::kUnlisted: return "unlisted";
    case Visibility::kPrivate: return "private";
    case Visibility::kDirect: return "direct";
  }
  return "public";
}

std::optional<Visibility> ParseVisibility(std::string_view name) {
  if (name == "public") return Visibility::kPublic;
  if (name == "unlisted") return Visibility::kUnlisted;
  if (name == "private") return Visibility::kPrivate;
  if (name == "direct") return Visibility::kDirect;
  return std::nullopt;
}

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kMember: return "member";
    case Role::kModerator: return "moderator";
    case Role::kAdmin: return "admin";
    case Role::kOwner: return "owner";
  }
  return "member";
}

std::optional<Role> ParseRole(std::string_view name) {
  if (name == "member") return Role::kMember;
  if (name == "moderator") return Role::kModerator;
  if (name == "admin") return Role::kAdmin;
  if (name == "owner") return Role::kOwner;
  return std::nullopt;
}

RoleInfo DescribeRole(Role r) {
  // Permission bits as Mastodon's UserRole::FLAGS.
  constexpr uint64_t kAdministrator = 0x1, kViewAuditLog = 0x4, kViewDashboard = 0x8,
                     kManageReports = 0x10, kManageSettings = 0x40, kManageBlocks = 0x80,
                     kManageTaxonomies = 0x100, kManageAppeals = 0x200, kManageUsers = 0x400,
                     kManageRules = 0x1000, kManageRoles = 0x20000, kManageUserAccess = 0x40000,
                     kDeleteUserData = 0x80000;
  constexpr uint64_t kModerator = kViewAuditLog | kViewDashboard | kManageReports |
                                  kManageTaxonomies | kManageAppeals | kManageUsers;
  constexpr uint64_t kAdmin = kModerator | kManageSettings | kManageBlocks | kManageRules |
                              kManageUserAccess | kDeleteUserData;
  switch (r) {
    case Role::kMember: return {-99, "", 0, "", false};
    case Role::kModerator: return {1, "Moderator", kModerator, "", true};
    case Role::kAdmin: return {2, "Admin", kAdmin, "", true};
    case Role::kOwner: return {3, "Owner", kAdmin | kAdministrator | kManageRoles, "", true};
  }
  return {-99, "", 0, "", false};
}

const std::vector<std::string_view>& KnownScopes() {
  static const std::vector<std::string_view> kScopes = {
      "read", "read:accounts", "read:blocks", "read:bookmarks", "read:favourites", "read:filters",
      "read:follows", "read:lists", "read:mutes", "read:notifications", "read:search",
      "read:statuses", "write", "write:accounts", "write:blocks", "write:bookmarks",
      "write:conversations", "write:favourites", "write:filters", "write:follows", "write:lists",
      "write:media", "write:mutes", "write:notifications", "write:reports", "write:statuses",
      "follow", "push", "profile", "admin:read", "admin:read:accounts", "admin:read:reports",
      "admin:read:domain_allows", "admin:read:domain_blocks", "admin:read:ip_blocks",
      "admin:read:email_domain_blocks", "admin:read:canonical_email_blocks", "admin:write",
      "admin:write:accounts", "admin:write:reports", "admin:write:domain_allows",
      "admin:write:domain_blocks", "admin:write:ip_blocks", "admin:write:email_domain_blocks",
      "admin:write:canonical_email_blocks"};
  return kScopes;
}

Result<ScopeSet> ScopeSet::Parse(std::string_view text) {
  ScopeSet set;
  const auto& known = KnownScopes();
  for (auto part : SplitWhitespace(text)) {
    if (std::find(known.begin(), known.end(), part) == known.end()) {
      return InvalidArgument("The requested scope is invalid, unknown, or malformed: " +
                             std::string(part));
    }
    if (std::find(set.scopes_.begin(), set.scopes_.end(), part) == set.scopes_.end()) {
      set.scopes_.emplace_back(part);
    }
  }
  return set;
}

bool ScopeSet::Grants(std::string_view required) const {
  for (const auto& s : scopes_) {
    if (s == required) return true;
    if (required.size() > s.size() && required.starts_with(s) && required[s.size()] == ':') {
      return true;
    }
    if (s == "follow" && (required == "read:follows" || required == "read:blocks" ||
                          required == "read:mutes" || required == "write:follows" ||
                          required == "write:blocks" || required == "write:mutes")) {
      return true;
    }
  }
  return false;
}

bool ScopeSet::Covers(const ScopeSet& other) const {
  for (const auto& s : other.scopes_) {
    if (!Grants(s)) return false;
  }
  return true;
}

std::string ScopeSet::ToString() const {
  std::string out;
  for (const auto& s : scopes_) {
    if (!out.empty()) out.push_back(' ');
    out += s;
  }
  return out;
}

std::string_view NotificationTypeName(NotificationType t) {
  switch (t) {
    case NotificationType::kMention: return "mention";
    case NotificationType::kStatus: return "status";
    case NotificationType::kReblog: return "reblog";
    case NotificationType::kFollow: return "follow";
    case NotificationType::kFollowRequest: return "follow_request";
    case NotificationType::kFavourite: return "favourite";
    case NotificationType::kPoll: return "poll";
    case NotificationType::kUpdate: return "update";
    case NotificationType::kAdminSignUp: return "admin.sign_up";
    case NotificationType::kAdminReport: return "admin.report";
    case NotificationType::kModerationWarning: return "moderation_warning";
    case NotificationType::kNoticeOutcome: return "notice_outcome";
  }
  return "mention";
}

std::optional<NotificationType> ParseNotificationType(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(NotificationType::kNoticeOutcome); ++i) {
    const auto t = static_cast<NotificationType>(i);
    if (NotificationTypeName(t) == name) return t;
  }
  return std::nullopt;
}

bool IsValidUsername(std::string_view username) {
  if (username.empty() || username.size() > 30) return false;
  return std::all_of(username.begin(), username.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace stoa
