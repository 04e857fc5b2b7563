// Turns the plain text a member writes into the HTML that the Mastodon API serves in `content`
// (and profile `note` / field values). Pure: no I/O; mentions are resolved through a callback.
//
// Output follows Mastodon's formatter so that clients render it as they do Mastodon's:
//  - paragraphs: text split on blank lines into <p>...</p>; single newlines become <br />
//  - URLs (http/https): <a href="URL" target="_blank" rel="nofollow noopener noreferrer"
//    translate="no"><span class="invisible">https://</span><span class="ellipsis">first 30
//    chars</span><span class="invisible">rest</span></a> (ellipsis only when longer than 30;
//    otherwise <span class="">...</span>), trailing punctuation not part of the link
//  - @mentions of local accounts: <span class="h-card" translate="no"><a href="PROFILE_URL"
//    class="u-url mention">@<span>username</span></a></span>; unknown usernames stay plain text
//  - #hashtags: <a href="BASE/tags/tag" class="mention hashtag" rel="tag">#<span>Tag</span></a>
//  - every other character of user text HTML-escaped; no user input reaches the HTML unescaped.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stoa::social {

struct MentionTarget {
  long long account_id = 0;
  std::string username;  // canonical case
  std::string url;       // profile URL, e.g. https://host/@alice
};

// Returns the local account for a mentioned username (matched case-insensitively), or nullopt.
// The text "@alice@host" refers to a local account when host equals the instance's host.
using MentionResolver = std::function<std::optional<MentionTarget>(std::string_view username)>;

struct ContentEntities {
  std::vector<std::string> mentioned_usernames;  // as written (without '@'), first occurrence order, unique (case-insensitive)
  std::vector<std::string> tags;                 // as written (without '#'), unique case-insensitively, first occurrence order
  std::vector<std::string> urls;
};

struct RenderedContent {
  std::string html;
  std::vector<MentionTarget> mentions;  // resolved mentions, unique, in order of appearance
  std::vector<std::string> tags;        // hashtag names in lower case (normalised), unique
};

class ContentRenderer {
 public:
  // `base_url` like "https://example.org" (no trailing slash); `local_host` its host part.
  ContentRenderer(std::string base_url, std::string local_host);

  // Finds mentions, hashtags and URLs without rendering (used to resolve mentions in one query).
  ContentEntities Extract(std::string_view text) const;
  // Renders `text` (valid UTF-8) to HTML.
  RenderedContent Render(std::string_view text, const MentionResolver& resolve) const;
  // Renders a profile field value or similar one-line text: links and escapes, no <p>.
  std::string RenderInline(std::string_view text, const MentionResolver& resolve) const;

  // The length Mastodon counts against the character limit: code points, but every URL counts as
  // 23 and "@user@remote.host" counts as "@user".
  static size_t CountedLength(std::string_view text);

 private:
  std::string base_url_;
  std::string local_host_;
};

// Normalises a hashtag name for storage and lookup: Unicode NFKC + case folding (utf8proc).
std::string NormalizeTag(std::string_view name);
// True when `name` is a valid hashtag name: letters, digits, underscore, middle dot (as Mastodon),
// at least one non-digit, at most 100 characters.
bool IsValidTagName(std::string_view name);

}  // namespace stoa::social
