// Shared pieces of the Mastodon admin API (admin_account_routes.cc, admin_report_routes.cc):
// the Admin::Account entity, the admin lists' Link header, and the role rule for acting on
// another staff member.
#pragma once

#include <initializer_list>
#include <string_view>

#include "common/json_writer.h"
#include "domain/account.h"
#include "http/api/api.h"
#include "social/core.h"

namespace stoa::http::api {

// Admin lists page 100 by default, at most 200 (Mastodon).
constexpr int kAdminPageDefault = 100;
constexpr int kAdminPageMax = 200;

// The account as readers see it at `now` (a timed suspension that has ended is gone).
Account EffectiveAccount(const Account& account, Timestamp now);

// Admin::Account: {id, username, domain, created_at, email, ip, ips, locale, invite_request,
// role, confirmed, approved, disabled, sensitized, silenced, suspended, account}. `user` may be
// null (no login): the login fields are then empty/false.
void WriteAdminAccount(JsonWriter& w, social::Core& core, const Account& account, const User* user,
                       Timestamp now);

// The Link header of an admin list page (items newest first, ids `newest`..`oldest`): "prev"
// always, "next" only when the page is full (Mastodon omits it when size < limit); nothing for
// an empty page. `keep` names the filter parameters repeated in the links.
void SetAdminLink(Call& c, Id newest, Id oldest, int limit, size_t count,
                  std::initializer_list<std::string_view> keep);

// Staff may act on accounts below their own role only (a moderator on members, an admin on
// moderators and members, an owner on everyone but owners), never on themselves.
bool MayActOn(Role actor, Id actor_id, Role target, Id target_id);

}  // namespace stoa::http::api
