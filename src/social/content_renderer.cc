#include "social/content_renderer.h"

#include <utf8proc.h>

#include <cstdlib>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "common/strings.h"

namespace stoa::social {
namespace {

constexpr size_t kMaxTagLength = 100;            // code points, as IsValidTagName documents
constexpr size_t kUrlCountedLength = 23;         // Mastodon's StatusLengthValidator placeholder
constexpr size_t kMaxMentionDomainLength = 253;  // Mastodon's Extractor::MAX_DOMAIN_LENGTH
constexpr size_t kUrlDisplayLength = 30;         // code points shown before the ellipsis
constexpr size_t kMaxPortDigits = 5;
constexpr char32_t kReplacementChar = 0xFFFD;

// ---- UTF-8 and character classes -----------------------------------------------------------

struct CodePoint {
  char32_t value = 0;
  size_t size = 1;
};

// Decodes the code point starting at byte `i` (< s.size()). Input is valid UTF-8 by contract;
// anything else decodes as U+FFFD one byte at a time so that no read leaves `s`.
CodePoint DecodeAt(std::string_view s, size_t i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  if (lead < 0x80) return {lead, 1};
  const size_t n = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  if (n == 1 || i + n > s.size()) return {kReplacementChar, 1};
  char32_t value = lead & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return {kReplacementChar, 1};
    value = (value << 6) | (b & 0x3F);
  }
  return {value, n};
}

// The code point that ends just before byte `i` (> 0).
CodePoint DecodeBefore(std::string_view s, size_t i) {
  size_t start = i - 1;
  while (start > 0 && i - start < 4 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) {
    --start;
  }
  const CodePoint cp = DecodeAt(s, start);
  if (start + cp.size != i) return {kReplacementChar, 1};
  return cp;
}

bool IsAsciiAlnum(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Unicode \p{Word} as Ruby's [[:word:]]: letters, marks, decimal digits, connector punctuation.
bool IsWordChar(char32_t c) {
  if (c < 0x80) return IsAsciiAlnum(c) || c == '_';
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_PC:
      return true;
    default:
      return false;
  }
}

bool IsDecimalDigit(char32_t c) {
  if (c < 0x80) return c >= '0' && c <= '9';
  return utf8proc_category(static_cast<utf8proc_int32_t>(c)) == UTF8PROC_CATEGORY_ND;
}

// Mastodon's HASHTAG_SEPARATORS besides '_': middle dot, katakana middle dot, zero-width
// non-joiner. Allowed inside a tag, never at its start or end.
bool IsTagSeparator(char32_t c) { return c == 0x00B7 || c == 0x30FB || c == 0x200C; }

// The Unicode White_Space property.
bool IsWhiteSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

// twitter-text's latin_accents: a mention directly followed by one of these is not a mention
// (it would cut "@josé" to "@jos").
bool IsLatinAccent(char32_t c) {
  return (c >= 0xC0 && c <= 0xD6) || (c >= 0xD8 && c <= 0xF6) || (c >= 0xF8 && c <= 0x24F) ||
         c == 0x253 || c == 0x254 || c == 0x256 || c == 0x257 || c == 0x259 || c == 0x25B ||
         c == 0x263 || c == 0x268 || c == 0x26F || c == 0x272 || c == 0x289 || c == 0x28B ||
         c == 0x2BB || (c >= 0x300 && c <= 0x36F) || (c >= 0x1E00 && c <= 0x1EFF);
}

bool IsUsernameChar(char c) {
  return IsAsciiAlnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

bool StartsWithIgnoreCase(std::string_view s, size_t at, std::string_view prefix) {
  return s.size() - at >= prefix.size() && EqualsIgnoreCase(s.substr(at, prefix.size()), prefix);
}

// Length of "http://" or "https://" at the start of `s`, or 0.
size_t SchemeLength(std::string_view s, size_t at) {
  if (StartsWithIgnoreCase(s, at, "https://")) return 8;
  if (StartsWithIgnoreCase(s, at, "http://")) return 7;
  return 0;
}

// ---- Entity scanning --------------------------------------------------------------------------

enum class EntityKind { kUrl, kMention, kHashtag };

struct Entity {
  EntityKind kind = EntityKind::kUrl;
  size_t begin = 0;  // byte offsets of the whole entity, '@' / '#' included
  size_t end = 0;
  std::string_view name;    // the URL, the mentioned username, or the tag name
  std::string_view domain;  // a mention's domain; empty when written without one
};

// Finds URLs, mentions and hashtags left to right; an entity that starts first wins and hides
// whatever overlaps it (Mastodon's remove_overlapping_entities). Every byte is examined a bounded
// number of times, so a scan is linear in the text.
class EntityScanner {
 public:
  explicit EntityScanner(std::string_view text) : text_(text) {}

  // Stores the next entity in `entity`; false when there is none.
  bool Next(Entity& entity) {
    while (pos_ < text_.size()) {
      const size_t at = pos_;
      bool found = false;
      switch (text_[at]) {
        case '@':
          found = MatchMention(at, entity);
          break;
        case '#':
          found = MatchHashtag(at, entity);
          break;
        case 'h':
        case 'H':
          found = MatchUrl(at, entity);
          break;
        default:
          break;
      }
      if (found) {
        pos_ = entity.end;
        return true;
      }
      // Byte steps are safe: the bytes we dispatch on are ASCII, never UTF-8 continuations.
      ++pos_;
    }
    return false;
  }

 private:
  bool MatchUrl(size_t at, Entity& entity) {
    const size_t scheme = SchemeLength(text_, at);
    if (scheme == 0 || at < url_blocked_until_) return false;
    if (at > 0) {
      // twitter-text's valid_url_preceding_chars.
      const char32_t prev = DecodeBefore(text_, at).value;
      if (IsAsciiAlnum(prev) || prev == '@' || prev == '$' || prev == '#') return false;
    }
    size_t end = at + scheme;
    while (end < text_.size()) {
      const CodePoint cp = DecodeAt(text_, end);
      if (IsWhiteSpace(cp.value) || cp.value < 0x20 || cp.value == 0x7F || cp.value == '<' ||
          cp.value == '>') {
        break;
      }
      end += cp.size;
    }
    // Any later candidate inside this run would end at the same place; looking at it again could
    // make the scan quadratic ("http://http://..."), so one attempt per run.
    url_blocked_until_ = end;
    end = StripTrailingPunctuation(at + scheme, end);
    const size_t authority_end = ParseAuthority(at + scheme, end);
    if (authority_end == 0) return false;
    if (authority_end < end) {
      const char next = text_[authority_end];
      if (next != '/' && next != '?' && next != '#') return false;
    }
    entity = {EntityKind::kUrl, at, end, text_.substr(at, end - at), {}};
    return true;
  }

  // Drops trailing punctuation and unbalanced closing brackets from [begin, end) as twitter-text
  // does, so "(see https://x.org/a)." links "https://x.org/a".
  size_t StripTrailingPunctuation(size_t begin, size_t end) const {
    long parens = 0;    // '(' minus ')'
    long brackets = 0;  // '[' minus ']'
    for (size_t i = begin; i < end; ++i) {
      switch (text_[i]) {
        case '(':
          ++parens;
          break;
        case ')':
          --parens;
          break;
        case '[':
          ++brackets;
          break;
        case ']':
          --brackets;
          break;
        default:
          break;
      }
    }
    constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026
    while (end > begin) {
      const char last = text_[end - 1];
      if (std::string_view(".,:;!?'\"").find(last) != std::string_view::npos) {
        --end;
      } else if (last == ')' && parens < 0) {
        ++parens;
        --end;
      } else if (last == ']' && brackets < 0) {
        ++brackets;
        --end;
      } else if (end - begin >= kEllipsis.size() &&
                 text_.substr(end - kEllipsis.size(), kEllipsis.size()) == kEllipsis) {
        end -= kEllipsis.size();
      } else {
        break;
      }
    }
    return end;
  }

  // Parses host[:port] at `begin`; returns where it ends, or 0 when the host is malformed.
  // Hosts are dot-separated labels of letters, digits, '-' and '_' (IDN letters allowed), with
  // no empty label and no label starting or ending with '-'.
  size_t ParseAuthority(size_t begin, size_t end) const {
    size_t i = begin;
    size_t label_begin = begin;
    char32_t prev = 0;
    while (i < end) {
      const CodePoint cp = DecodeAt(text_, i);
      if (cp.value == '.') {
        if (i == label_begin || prev == '-') return 0;
      } else if (cp.value == '-') {
        if (i == label_begin) return 0;
      } else if (!IsWordChar(cp.value)) {
        break;
      }
      prev = cp.value;
      i += cp.size;
      if (cp.value == '.') label_begin = i;
    }
    if (i == label_begin || prev == '-') return 0;
    if (i < end && text_[i] == ':') {
      const size_t digits = ++i;
      while (i < end && i - digits < kMaxPortDigits && text_[i] >= '0' && text_[i] <= '9') ++i;
      if (i == digits) return 0;
    }
    return i;
  }

  // Account::MENTION_RE: @user or @user@domain, not after a word character, '/' or '='.
  bool MatchMention(size_t at, Entity& entity) const {
    if (at > 0) {
      const char32_t prev = DecodeBefore(text_, at).value;
      if (prev == '=' || prev == '/' || IsWordChar(prev)) return false;
    }
    const size_t user_begin = at + 1;
    if (user_begin >= text_.size() || text_[user_begin] == '.' || text_[user_begin] == '-') {
      return false;
    }
    size_t end = user_begin;
    while (end < text_.size() && IsUsernameChar(text_[end])) ++end;
    while (end > user_begin && (text_[end - 1] == '.' || text_[end - 1] == '-')) --end;
    if (end == user_begin) return false;
    const std::string_view username = text_.substr(user_begin, end - user_begin);

    std::string_view domain;
    if (end < text_.size() && text_[end] == '@') {
      const size_t domain_begin = end + 1;
      size_t domain_end = domain_begin;
      size_t last_word_end = domain_begin;  // just past the last word character
      size_t code_points = 0;
      size_t code_points_to_last_word = 0;
      while (domain_end < text_.size()) {
        const CodePoint cp = DecodeAt(text_, domain_end);
        const bool word = IsWordChar(cp.value);
        if (!word && cp.value != '.' && cp.value != '-') break;
        domain_end += cp.size;
        ++code_points;
        if (word) {
          last_word_end = domain_end;
          code_points_to_last_word = code_points;
        }
      }
      // The domain must end with a word character and span at least two characters.
      if (code_points_to_last_word >= 2) {
        domain = text_.substr(domain_begin, last_word_end - domain_begin);
        end = last_word_end;
      }
    }
    if (domain.size() > kMaxMentionDomainLength) return false;
    // twitter-text's end_mention_match.
    if (end < text_.size()) {
      const char32_t next = DecodeAt(text_, end).value;
      if (next == '@' || next == 0xFF20 || IsLatinAccent(next)) return false;
      if (text_.substr(end, 3) == "://") return false;
    }
    entity = {EntityKind::kMention, at, end, username, domain};
    return true;
  }

  // Tag::HASHTAG_RE: '#' not after an ASCII word character, '/' or ')'. Ruby's \w there is
  // ASCII-only, which lets CJK writers tag without a space ("今日は#猫").
  bool MatchHashtag(size_t at, Entity& entity) const {
    if (at > 0) {
      const auto prev = static_cast<unsigned char>(text_[at - 1]);
      if (IsAsciiAlnum(prev) || prev == '_' || prev == '/' || prev == ')') return false;
    }
    const size_t name_begin = at + 1;
    size_t end = name_begin;
    while (end < text_.size()) {
      const CodePoint cp = DecodeAt(text_, end);
      if (!IsWordChar(cp.value) && !IsTagSeparator(cp.value)) break;
      end += cp.size;
    }
    // "#tokyohttps://..." is the tag "tokyo" followed by a URL.
    if (text_.substr(end, 3) == "://") {
      for (std::string_view scheme : {"https", "http"}) {
        if (end - name_begin > scheme.size() &&
            StartsWithIgnoreCase(text_, end - scheme.size(), scheme)) {
          end -= scheme.size();
          break;
        }
      }
    }
    while (end > name_begin && IsTagSeparator(DecodeBefore(text_, end).value)) {
      end -= DecodeBefore(text_, end).size;
    }
    const std::string_view name = text_.substr(name_begin, end - name_begin);
    if (!IsValidTagName(name)) return false;
    entity = {EntityKind::kHashtag, at, end, name, {}};
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
  size_t url_blocked_until_ = 0;
};

// ---- Rendering --------------------------------------------------------------------------------

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Trims surrounding whitespace and turns "\r\n" and lone "\r" into "\n" (as Rails'
// simple_format). Returns a view of `text` or of `storage`.
std::string_view PrepareText(std::string_view text, std::string& storage) {
  while (!text.empty() && IsAsciiSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsAsciiSpace(text.back())) text.remove_suffix(1);
  if (text.find('\r') == std::string_view::npos) return text;
  storage.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r') {
      storage.push_back(text[i]);
      continue;
    }
    storage.push_back('\n');
    if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
  }
  return storage;
}

class HtmlBuilder {
 public:
  HtmlBuilder(std::string_view base_url, std::string_view local_host,
              const MentionResolver& resolve, bool multiline, RenderedContent& out)
      : base_url_(base_url),
        local_host_(local_host),
        resolve_(resolve),
        multiline_(multiline),
        out_(out) {}

  void Build(std::string_view text) {
    EntityScanner scanner(text);
    Entity entity;
    size_t done = 0;
    while (scanner.Next(entity)) {
      AppendText(text.substr(done, entity.begin - done));
      const std::string_view raw = text.substr(entity.begin, entity.end - entity.begin);
      switch (entity.kind) {
        case EntityKind::kUrl:
          AppendUrl(entity.name);
          break;
        case EntityKind::kMention:
          AppendMention(entity, raw);
          break;
        case EntityKind::kHashtag:
          AppendHashtag(entity.name);
          break;
      }
      done = entity.end;
    }
    AppendText(text.substr(done));
  }

 private:
  // Escapes plain text. Entities never contain '\n', so all line structure passes through here:
  // two or more newlines close a paragraph, one becomes <br /> (a space when not multiline).
  void AppendText(std::string_view text) {
    std::string& html = out_.html;
    size_t i = 0;
    while (i < text.size()) {
      const size_t newline = text.find('\n', i);
      if (newline == std::string_view::npos) {
        AppendHtmlEscaped(html, text.substr(i));
        return;
      }
      AppendHtmlEscaped(html, text.substr(i, newline - i));
      size_t run_end = newline;
      while (run_end < text.size() && text[run_end] == '\n') ++run_end;
      if (!multiline_) {
        html.append(run_end - newline, ' ');
      } else if (run_end - newline >= 2) {
        html += "</p><p>";
      } else {
        html += "<br />";
      }
      i = run_end;
    }
  }

  void AppendUrl(std::string_view url) {
    size_t prefix = SchemeLength(url, 0);
    if (StartsWithIgnoreCase(url, prefix, "www.")) prefix += 4;
    const std::string_view rest = url.substr(prefix);
    const std::string_view display = Utf8Prefix(rest, kUrlDisplayLength);
    const std::string_view hidden = rest.substr(display.size());
    std::string& html = out_.html;
    html += "<a href=\"";
    AppendHtmlEscaped(html, url);
    html +=
        "\" target=\"_blank\" rel=\"nofollow noopener noreferrer\" translate=\"no\">"
        "<span class=\"invisible\">";
    AppendHtmlEscaped(html, url.substr(0, prefix));
    html += hidden.empty() ? "</span><span class=\"\">" : "</span><span class=\"ellipsis\">";
    AppendHtmlEscaped(html, display);
    html += "</span><span class=\"invisible\">";
    AppendHtmlEscaped(html, hidden);
    html += "</span></a>";
  }

  void AppendMention(const Entity& entity, std::string_view raw) {
    const bool local = entity.domain.empty() || EqualsIgnoreCase(entity.domain, local_host_);
    const std::optional<MentionTarget>* target = local ? &Resolve(entity.name) : nullptr;
    if (target == nullptr || !target->has_value()) {
      AppendHtmlEscaped(out_.html, raw);
      return;
    }
    const MentionTarget& account = **target;
    std::string& html = out_.html;
    html += "<span class=\"h-card\" translate=\"no\"><a href=\"";
    AppendHtmlEscaped(html, account.url);
    html += "\" class=\"u-url mention\">@<span>";
    AppendHtmlEscaped(html, account.username);
    html += "</span></a></span>";
    if (seen_accounts_.insert(account.account_id).second) out_.mentions.push_back(account);
  }

  void AppendHashtag(std::string_view name) {
    std::string normalized = NormalizeTag(name);
    std::string& html = out_.html;
    html += "<a href=\"";
    AppendHtmlEscaped(html, base_url_);
    html += "/tags/";
    AppendHtmlEscaped(html, UrlEncode(normalized));
    html += "\" class=\"mention hashtag\" rel=\"tag\">#<span>";
    AppendHtmlEscaped(html, name);
    html += "</span></a>";
    if (seen_tags_.insert(normalized).second) out_.tags.push_back(std::move(normalized));
  }

  // Asks the resolver once per distinct username: the resolver may hit storage and a text can
  // repeat a mention thousands of times.
  const std::optional<MentionTarget>& Resolve(std::string_view username) {
    std::string key = AsciiLower(username);
    auto it = resolved_.find(key);
    if (it == resolved_.end()) {
      std::optional<MentionTarget> target;
      if (resolve_) target = resolve_(username);
      it = resolved_.emplace(std::move(key), std::move(target)).first;
    }
    return it->second;
  }

  std::string_view base_url_;
  std::string_view local_host_;
  const MentionResolver& resolve_;
  bool multiline_;
  RenderedContent& out_;
  std::unordered_map<std::string, std::optional<MentionTarget>> resolved_;
  std::unordered_set<long long> seen_accounts_;
  std::unordered_set<std::string> seen_tags_;
};

}  // namespace

ContentRenderer::ContentRenderer(std::string base_url, std::string local_host)
    : base_url_(std::move(base_url)), local_host_(std::move(local_host)) {}

ContentEntities ContentRenderer::Extract(std::string_view text) const {
  std::string storage;
  const std::string_view body = PrepareText(text, storage);
  ContentEntities entities;
  std::unordered_set<std::string> seen_users;
  std::unordered_set<std::string> seen_tags;
  std::unordered_set<std::string_view> seen_urls;
  EntityScanner scanner(body);
  Entity entity;
  while (scanner.Next(entity)) {
    switch (entity.kind) {
      case EntityKind::kUrl:
        if (seen_urls.insert(entity.name).second) entities.urls.emplace_back(entity.name);
        break;
      case EntityKind::kMention:
        // Only local accounts can be resolved; remote-looking mentions stay text.
        if (!entity.domain.empty() && !EqualsIgnoreCase(entity.domain, local_host_)) break;
        if (seen_users.insert(AsciiLower(entity.name)).second) {
          entities.mentioned_usernames.emplace_back(entity.name);
        }
        break;
      case EntityKind::kHashtag:
        if (seen_tags.insert(NormalizeTag(entity.name)).second) {
          entities.tags.emplace_back(entity.name);
        }
        break;
    }
  }
  return entities;
}

RenderedContent ContentRenderer::Render(std::string_view text,
                                        const MentionResolver& resolve) const {
  RenderedContent content;
  std::string storage;
  const std::string_view body = PrepareText(text, storage);
  if (body.empty()) return content;
  content.html.reserve(body.size() + body.size() / 4 + 8);
  content.html += "<p>";
  HtmlBuilder(base_url_, local_host_, resolve, /*multiline=*/true, content).Build(body);
  content.html += "</p>";
  return content;
}

std::string ContentRenderer::RenderInline(std::string_view text,
                                          const MentionResolver& resolve) const {
  RenderedContent content;
  std::string storage;
  const std::string_view body = PrepareText(text, storage);
  content.html.reserve(body.size() + body.size() / 4);
  HtmlBuilder(base_url_, local_host_, resolve, /*multiline=*/false, content).Build(body);
  return std::move(content.html);
}

size_t ContentRenderer::CountedLength(std::string_view text) {
  size_t length = 0;
  size_t done = 0;
  EntityScanner scanner(text);
  Entity entity;
  while (scanner.Next(entity)) {
    length += Utf8Length(text.substr(done, entity.begin - done));
    if (entity.kind == EntityKind::kUrl) {
      length += kUrlCountedLength;
    } else if (entity.kind == EntityKind::kMention && !entity.domain.empty()) {
      length += 1 + Utf8Length(entity.name);  // "@user@domain" counts as "@user"
    } else {
      length += Utf8Length(text.substr(entity.begin, entity.end - entity.begin));
    }
    done = entity.end;
  }
  return length + Utf8Length(text.substr(done));
}

std::string NormalizeTag(std::string_view name) {
  if (name.empty()) return {};
  utf8proc_uint8_t* mapped = nullptr;
  const auto options = static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                                                      UTF8PROC_CASEFOLD | UTF8PROC_STABLE);
  const utf8proc_ssize_t size =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(name.data()),
                   static_cast<utf8proc_ssize_t>(name.size()), &mapped, options);
  // utf8proc fails only on malformed input, which callers have rejected; fold ASCII at least.
  if (size < 0) return AsciiLower(name);
  std::string normalized(reinterpret_cast<const char*>(mapped), static_cast<size_t>(size));
  std::free(mapped);
  return normalized;
}

bool IsValidTagName(std::string_view name) {
  if (name.empty()) return false;
  size_t code_points = 0;
  bool has_non_digit = false;
  bool last_is_word = false;
  for (size_t i = 0; i < name.size();) {
    const CodePoint cp = DecodeAt(name, i);
    if (++code_points > kMaxTagLength) return false;
    last_is_word = IsWordChar(cp.value);
    if (!last_is_word && (code_points == 1 || !IsTagSeparator(cp.value))) return false;
    if (!IsDecimalDigit(cp.value)) has_non_digit = true;
    i += cp.size;
  }
  return last_is_word && has_non_digit;
}

}  // namespace stoa::social
