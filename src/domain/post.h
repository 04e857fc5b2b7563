// A status (a post): called Post in code to keep it apart from the error type Status.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/cache_residency.h"
#include "common/clock.h"
#include "common/id.h"
#include "common/text_memo.h"
#include "domain/visibility.h"

namespace stoa {

struct PostMention {
  Id account_id = kNoId;
  std::string username;
};

struct Post {
  Id id = kNoId;
  Id account_id = kNoId;
  std::string text;          // the source text as written
  std::string content_html;  // rendered by the server (escaped, linked)
  std::string spoiler_text;  // content warning; "" when none
  bool sensitive = false;
  Visibility visibility = Visibility::kPublic;
  std::optional<std::string> language;
  Id in_reply_to_id = kNoId;
  Id in_reply_to_account_id = kNoId;
  Id reblog_of_id = kNoId;     // a boost: the boosted post; its own text is empty
  Id thread_root_id = kNoId;   // first post of the thread (itself when not a reply)
  Id application_id = kNoId;   // the OAuth app that posted it
  Timestamp created_at;
  std::optional<Timestamp> edited_at;
  std::optional<Timestamp> deleted_at;  // deleted by its author (kept for evidence, never shown)
  std::vector<PostMention> mentions;
  std::vector<std::string> tags;  // normalised hashtag names
  int64_t replies_count = 0;
  int64_t reblogs_count = 0;
  int64_t favourites_count = 0;
  // Moderation state set by decisions (safety/status_moderation.h); the author's own
  // `sensitive` and `spoiler_text` stay as written so that a reversal restores them.
  bool moderation_sensitive = false;       // shown sensitive, with moderation_spoiler_text
  std::string moderation_spoiler_text;     // the content warning moderators added
  std::optional<Timestamp> moderation_restricted_at;  // out of public timelines and search
  std::optional<Timestamp> moderation_removed_at;     // gone for everyone but staff
  // Held by screening (docs/screening.md): visible to its author (and staff on a direct fetch)
  // only, until a moderator's decision on its case releases it.
  std::optional<Timestamp> held_at;
  // A cache slot for the API's rendering of this (immutable) value; not part of the value.
  TextMemo rendered;
  // Whether this value is still the current one in Core's object cache; not part of the value.
  CacheResidency residency;

  bool is_reblog() const { return reblog_of_id != kNoId; }
  bool is_reply() const { return in_reply_to_id != kNoId; }
  bool deleted() const { return deleted_at.has_value(); }
  bool removed() const { return moderation_removed_at.has_value(); }
  bool restricted() const { return moderation_restricted_at.has_value(); }
  bool held() const { return held_at.has_value(); }
  // What clients are shown: the author's flag and warning, or the moderators' when added.
  bool shown_sensitive() const { return sensitive || moderation_sensitive; }
  const std::string& shown_spoiler_text() const {
    return spoiler_text.empty() && moderation_sensitive ? moderation_spoiler_text : spoiler_text;
  }
  bool Mentions(Id account) const {
    for (const auto& m : mentions) {
      if (m.account_id == account) return true;
    }
    return false;
  }
};

// One earlier version of an edited post.
struct PostEdit {
  Id id = kNoId;
  Id post_id = kNoId;
  std::string text;
  std::string content_html;
  std::string spoiler_text;
  bool sensitive = false;
  Timestamp created_at;
};

}  // namespace stoa
