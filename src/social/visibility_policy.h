// Who may see what: the single place that decides whether a post is visible to a viewer. Pure.
#pragma once

#include "common/clock.h"
#include "domain/account.h"
#include "domain/post.h"
#include "social/viewer.h"

namespace stoa::social {

// Where a post is being shown; mutes hide posts from timelines, threads and search but not from
// a direct fetch by id, nor from notifications (where the mute's `notifications` flag decides).
// kTimeline is a home timeline; kPublicTimeline the public (local) and hashtag timelines.
enum class Surface { kDirect, kTimeline, kThread, kSearch, kNotification, kPublicTimeline };

// True when `viewer` may see `post` (by `author`) on `surface`. For a boost, call it for the boost
// and for the boosted post; both must pass. Rules:
//  - deleted posts are invisible; posts of suspended authors too (to their author as well),
//    except to staff on a direct fetch;
//  - posts of silenced authors are left out of timelines and search for viewers who do not
//    follow the author (staff excepted);
//  - a status removed by a moderator is invisible everywhere, except to staff on a direct
//    fetch; one restricted by a moderator is left out of public and hashtag timelines and search
//    (staff excepted);
//  - a status held by screening is visible to its author only (and to staff on a direct fetch);
//  - blocks hide in both directions; mutes hide everywhere except a direct fetch and
//    notifications;
//  - the author sees all of their own posts;
//  - public and unlisted: everyone; private: followers and mentioned accounts; direct: mentioned.
bool CanSee(const Viewer& viewer, const Post& post, const Account& author, Surface surface,
            Timestamp now);

}  // namespace stoa::social
