#include "social/content_renderer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "common/strings.h"

namespace stoa::social {
namespace {

constexpr char kBaseUrl[] = "https://example.org";
constexpr char kHost[] = "example.org";

// Local accounts known to the fake resolver, keyed by lower-case username.
const std::map<std::string, MentionTarget>& Accounts() {
  static const auto* accounts = new std::map<std::string, MentionTarget>{
      {"alice", {1, "alice", "https://example.org/@alice"}},
      {"bob", {2, "Bob", "https://example.org/@Bob"}},
      {"d.j-x", {3, "d.j-x", "https://example.org/@d.j-x"}},
  };
  return *accounts;
}

std::optional<MentionTarget> Resolve(std::string_view username) {
  const auto it = Accounts().find(AsciiLower(username));
  if (it == Accounts().end()) return std::nullopt;
  return it->second;
}

// Expected markup, built the way the header documents it.
std::string Mention(const std::string& username) {
  const MentionTarget& target = Accounts().at(AsciiLower(username));
  return "<span class=\"h-card\" translate=\"no\"><a href=\"" + target.url +
         "\" class=\"u-url mention\">@<span>" + target.username + "</span></a></span>";
}

std::string Tag(const std::string& href_name, const std::string& text) {
  return "<a href=\"https://example.org/tags/" + href_name +
         "\" class=\"mention hashtag\" rel=\"tag\">#<span>" + text + "</span></a>";
}

std::string Link(const std::string& href, const std::string& prefix, const std::string& display,
                 const std::string& hidden) {
  return "<a href=\"" + href +
         "\" target=\"_blank\" rel=\"nofollow noopener noreferrer\" translate=\"no\">"
         "<span class=\"invisible\">" +
         prefix + "</span><span class=\"" + (hidden.empty() ? "" : "ellipsis") + "\">" + display +
         "</span><span class=\"invisible\">" + hidden + "</span></a>";
}

struct RenderCase {
  std::string name;
  std::string text;
  std::string html;
};

void ExpectRenders(const std::vector<RenderCase>& cases) {
  const ContentRenderer renderer(kBaseUrl, kHost);
  for (const auto& c : cases) {
    EXPECT_EQ(renderer.Render(c.text, Resolve).html, c.html) << c.name << ": " << c.text;
  }
}

TEST(ContentRendererTest, RendersPlainTextAndEscapesMarkup) {
  ExpectRenders({
      {"plain", "Hello, world", "<p>Hello, world</p>"},
      {"empty", "", ""},
      {"only whitespace", " \n\r\n\t ", ""},
      {"trimmed", "  hi there \n", "<p>hi there</p>"},
      {"markup characters", R"(5 > 3 & "q" 'x' <b>)",
       "<p>5 &gt; 3 &amp; &quot;q&quot; &#39;x&#39; &lt;b&gt;</p>"},
      {"script", "<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"},
      {"javascript url not linked", "javascript:alert(document.cookie)",
       "<p>javascript:alert(document.cookie)</p>"},
      {"html link not linked", R"x(<a href="javascript:alert(1)">x</a>)x",
       "<p>&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;</p>"},
      {"data url not linked", "data:text/html,<b>x</b>",
       "<p>data:text/html,&lt;b&gt;x&lt;/b&gt;</p>"},
      {"unicode", "Grüße 🎉 שלום 日本語 e\xCC\x81", "<p>Grüße 🎉 שלום 日本語 e\xCC\x81</p>"},
      {"nul kept", std::string("a\0b", 3), std::string("<p>a\0b</p>", 10)},
  });
}

TEST(ContentRendererTest, SplitsParagraphsAndLineBreaks) {
  ExpectRenders({
      {"line break", "one\ntwo", "<p>one<br />two</p>"},
      {"paragraphs", "one\n\ntwo", "<p>one</p><p>two</p>"},
      {"many blank lines", "one\n\n\n\ntwo\nthree", "<p>one</p><p>two<br />three</p>"},
      {"crlf", "one\r\ntwo\r\n\r\nthree", "<p>one<br />two</p><p>three</p>"},
      {"lone cr", "one\rtwo", "<p>one<br />two</p>"},
      {"space between newlines is no paragraph", "one\n \ntwo", "<p>one<br /> <br />two</p>"},
      {"links across lines", "#a\n@alice\n\nhttps://x.org",
       "<p>" + Tag("a", "a") + "<br />" + Mention("alice") + "</p><p>" +
           Link("https://x.org", "https://", "x.org", "") + "</p>"},
  });
}

TEST(ContentRendererTest, PinsExactMastodonMarkup) {
  const ContentRenderer renderer(kBaseUrl, kHost);
  EXPECT_EQ(renderer.Render("@alice #Stoa https://example.com", Resolve).html,
            "<p><span class=\"h-card\" translate=\"no\"><a href=\"https://example.org/@alice\" "
            "class=\"u-url mention\">@<span>alice</span></a></span> <a "
            "href=\"https://example.org/tags/stoa\" class=\"mention hashtag\" "
            "rel=\"tag\">#<span>Stoa</span></a> <a href=\"https://example.com\" target=\"_blank\" "
            "rel=\"nofollow noopener noreferrer\" translate=\"no\"><span "
            "class=\"invisible\">https://</span><span class=\"\">example.com</span><span "
            "class=\"invisible\"></span></a></p>");
}

TEST(ContentRendererTest, LinksMentions) {
  ExpectRenders({
      {"resolved", "hi @alice!", "<p>hi " + Mention("alice") + "!</p>"},
      {"canonical case shown", "@BOB hi", "<p>" + Mention("bob") + " hi</p>"},
      {"unresolved stays text", "hi @nobody", "<p>hi @nobody</p>"},
      {"local host form", "@alice@example.org", "<p>" + Mention("alice") + "</p>"},
      {"local host any case", "@alice@Example.ORG", "<p>" + Mention("alice") + "</p>"},
      {"remote stays text even if name is local", "@alice@elsewhere.org",
       "<p>@alice@elsewhere.org</p>"},
      {"email is no mention", "mail alice@example.org", "<p>mail alice@example.org</p>"},
      {"after punctuation", "(@alice), \"@alice\"",
       "<p>(" + Mention("alice") + "), &quot;" + Mention("alice") + "&quot;</p>"},
      {"trailing dot not in name", "cc @alice.", "<p>cc " + Mention("alice") + ".</p>"},
      {"dots and dashes inside", "@d.j-x", "<p>" + Mention("d.j-x") + "</p>"},
      {"after slash is no mention", "a/@alice", "<p>a/@alice</p>"},
      {"after equals is no mention", "x=@alice", "<p>x=@alice</p>"},
      {"after unicode letter is no mention", "é@alice", "<p>é@alice</p>"},
      {"latin accent after is no mention", "@alicé", "<p>@alicé</p>"},
      {"followed by url scheme", "@alice://x", "<p>@alice://x</p>"},
      {"one-letter domain is no mention", "@alice@x", "<p>@alice@x</p>"},
      {"bare at sign", "@ @. @-a", "<p>@ @. @-a</p>"},
      {"escaped when unresolved", "@nobody@<b>", "<p>@nobody@&lt;b&gt;</p>"},
  });
}

TEST(ContentRendererTest, ListsResolvedMentionsOnce) {
  const ContentRenderer renderer(kBaseUrl, kHost);
  int calls = 0;
  const MentionResolver counting = [&calls](std::string_view username) {
    ++calls;
    return Resolve(username);
  };
  const RenderedContent content = renderer.Render(
      "@alice @Alice @alice@example.org @bob @nobody @bob@elsewhere.org @nobody", counting);
  ASSERT_EQ(content.mentions.size(), 2u);
  EXPECT_EQ(content.mentions[0].account_id, 1);
  EXPECT_EQ(content.mentions[1].account_id, 2);
  EXPECT_EQ(content.mentions[1].username, "Bob");
  EXPECT_EQ(calls, 3);  // alice, bob, nobody: once each, and never for the remote bob
}

TEST(ContentRendererTest, EmptyResolverResolvesNothing) {
  const ContentRenderer renderer(kBaseUrl, kHost);
  const RenderedContent content = renderer.Render("@alice", MentionResolver());
  EXPECT_EQ(content.html, "<p>@alice</p>");
  EXPECT_TRUE(content.mentions.empty());
}

TEST(ContentRendererTest, LinksHashtags) {
  ExpectRenders({
      {"simple", "#stoa", "<p>" + Tag("stoa", "stoa") + "</p>"},
      {"case kept in text", "love #Stoa", "<p>love " + Tag("stoa", "Stoa") + "</p>"},
      {"umlaut", "#Zürich", "<p>" + Tag("z%C3%BCrich", "Zürich") + "</p>"},
      {"combining mark composed in href", "#Zu\xCC\x88rich",
       "<p>" + Tag("z%C3%BCrich", "Zu\xCC\x88rich") + "</p>"},
      {"cjk", "#日本", "<p>" + Tag("%E6%97%A5%E6%9C%AC", "日本") + "</p>"},
      {"cjk without space before", "今日は#猫", "<p>今日は" + Tag("%E7%8C%AB", "猫") + "</p>"},
      {"hebrew", "#שלום", "<p>" + Tag("%D7%A9%D7%9C%D7%95%D7%9D", "שלום") + "</p>"},
      {"digits only is no tag", "#123 #1a", "<p>#123 " + Tag("1a", "1a") + "</p>"},
      {"underscore", "#_123", "<p>" + Tag("_123", "_123") + "</p>"},
      {"middle dot inside", "#l·l", "<p>" + Tag("l%C2%B7l", "l·l") + "</p>"},
      {"middle dot not at the end", "#ab·", "<p>" + Tag("ab", "ab") + "·</p>"},
      {"trailing punctuation", "#tag, #tag! (#tag).",
       "<p>" + Tag("tag", "tag") + ", " + Tag("tag", "tag") + "! (" + Tag("tag", "tag") + ").</p>"},
      {"emoji ends tag", "#tag🎉", "<p>" + Tag("tag", "tag") + "🎉</p>"},
      {"after word is no tag", "a#tag _#tag", "<p>a#tag _#tag</p>"},
      {"after slash or paren is no tag", "/#tag )#tag", "<p>/#tag )#tag</p>"},
      {"double hash", "##tag", "<p>#" + Tag("tag", "tag") + "</p>"},
      {"url fragment is no tag", "https://x.org/a-#frag",
       "<p>" + Link("https://x.org/a-#frag", "https://", "x.org/a-#frag", "") + "</p>"},
      {"full width folded in href", "#ＳＴＯＡ", "<p>" + Tag("stoa", "ＳＴＯＡ") + "</p>"},
      {"tag glued to url", "#tokyohttps://x.org",
       "<p>" + Tag("tokyo", "tokyo") + "https://x.org</p>"},
  });
}

TEST(ContentRendererTest, RejectsOverlongTags) {
  ExpectRenders({
      {"100 characters", "#" + std::string(100, 'a'),
       "<p>" + Tag(std::string(100, 'a'), std::string(100, 'a')) + "</p>"},
      {"101 characters", "#" + std::string(101, 'a'), "<p>#" + std::string(101, 'a') + "</p>"},
  });
}

TEST(ContentRendererTest, ListsNormalisedTagsOnce) {
  const ContentRenderer renderer(kBaseUrl, kHost);
  const RenderedContent content = renderer.Render("#Stoa #stoa #STOA #ＳＴＯＡ #Zürich", Resolve);
  EXPECT_EQ(content.tags, (std::vector<std::string>{"stoa", "zürich"}));
  EXPECT_NE(content.html.find("#<span>STOA</span>"), std::string::npos);
}

TEST(ContentRendererTest, LinksUrls) {
  const std::string long_url = "https://example.com/a/very/long/path/that/goes/on?and=on";
  ExpectRenders({
      {"short", "see https://example.com/a ok",
       "<p>see " + Link("https://example.com/a", "https://", "example.com/a", "") + " ok</p>"},
      {"http", "http://example.com",
       "<p>" + Link("http://example.com", "http://", "example.com", "") + "</p>"},
      {"long gets ellipsis", long_url,
       "<p>" + Link(long_url, "https://", "example.com/a/very/long/path/t", "hat/goes/on?and=on") +
           "</p>"},
      {"exactly 30 characters", "https://abcdefghijklmnopqrstuvwxy.com",
       "<p>" +
           Link("https://abcdefghijklmnopqrstuvwxy.com", "https://",
                "abcdefghijklmnopqrstuvwxy.com", "") +
           "</p>"},
      {"www hidden", "https://www.example.com/x",
       "<p>" + Link("https://www.example.com/x", "https://www.", "example.com/x", "") + "</p>"},
      {"trailing punctuation", "Look: https://example.com/a. And https://example.com/b!?",
       "<p>Look: " + Link("https://example.com/a", "https://", "example.com/a", "") + ". And " +
           Link("https://example.com/b", "https://", "example.com/b", "") + "!?</p>"},
      {"quotes around", "'https://example.com/a'",
       "<p>&#39;" + Link("https://example.com/a", "https://", "example.com/a", "") + "&#39;</p>"},
      {"unbalanced paren", "(see https://example.com/a)",
       "<p>(see " + Link("https://example.com/a", "https://", "example.com/a", "") + ")</p>"},
      {"balanced paren kept", "https://en.wikipedia.org/wiki/Stoa_(x).",
       "<p>" +
           Link("https://en.wikipedia.org/wiki/Stoa_(x)", "https://",
                "en.wikipedia.org/wiki/Stoa_(x)", "") +
           ".</p>"},
      {"markdown style", "[x](https://x.org/a) [https://x.org/b]",
       "<p>[x](" + Link("https://x.org/a", "https://", "x.org/a", "") + ") [" +
           Link("https://x.org/b", "https://", "x.org/b", "") + "]</p>"},
      {"trailing ellipsis", "more at https://x.org\xE2\x80\xA6",
       "<p>more at " + Link("https://x.org", "https://", "x.org", "") + "\xE2\x80\xA6</p>"},
      {"ends at angle bracket", "https://example.com/<script>",
       "<p>" + Link("https://example.com/", "https://", "example.com/", "") + "&lt;script&gt;</p>"},
      {"query escaped in href", "https://x.org/?a=1&b=2",
       "<p>" + Link("https://x.org/?a=1&amp;b=2", "https://", "x.org/?a=1&amp;b=2", "") + "</p>"},
      {"port and ip", "http://127.0.0.1:8080/p",
       "<p>" + Link("http://127.0.0.1:8080/p", "http://", "127.0.0.1:8080/p", "") + "</p>"},
      {"mention inside url is part of it", "https://example.org/@alice",
       "<p>" + Link("https://example.org/@alice", "https://", "example.org/@alice", "") + "</p>"},
      {"after cjk text", "見てhttps://x.org",
       "<p>見て" + Link("https://x.org", "https://", "x.org", "") + "</p>"},
      {"ftp not linked", "ftp://example.com", "<p>ftp://example.com</p>"},
      {"scheme alone not linked", "https:// and http://", "<p>https:// and http://</p>"},
      {"glued to a word not linked", "xhttps://example.com", "<p>xhttps://example.com</p>"},
      {"invalid host not linked", "https://exa\"mple.com https://-x.org https://a..b",
       "<p>https://exa&quot;mple.com https://-x.org https://a..b</p>"},
      {"userinfo not linked", "https://user@evil.example", "<p>https://user@evil.example</p>"},
      {"bad port not linked", "https://x.org:port/", "<p>https://x.org:port/</p>"},
  });
}

TEST(ContentRendererTest, EscapesAttributeInjectionInUrl) {
  const ContentRenderer renderer(kBaseUrl, kHost);
  const std::string html =
      renderer.Render(R"x(https://example.com/"onmouseover="alert(1)" x)x", Resolve).html;
  EXPECT_EQ(html, "<p>" +
                      Link("https://example.com/&quot;onmouseover=&quot;alert(1)", "https://",
                           "example.com/&quot;onmouseover=&quot;aler", "t(1)") +
                      "&quot; x</p>");
  EXPECT_EQ(html.find("\"onmouseover"), std::string::npos);
}

TEST(ContentRendererTest, RendersInlineWithoutParagraphs) {
  const ContentRenderer renderer(kBaseUrl, kHost);
  struct Case {
    std::string text;
    std::string html;
  };
  const Case cases[] = {
      {"", ""},
      {"a\nb\r\n\r\nc", "a b  c"},
      {"  <b>@alice</b> ", "&lt;b&gt;" + Mention("alice") + "&lt;/b&gt;"},
      {"https://x.org #tag",
       Link("https://x.org", "https://", "x.org", "") + " " + Tag("tag", "tag")},
  };
  for (const auto& c : cases) EXPECT_EQ(renderer.RenderInline(c.text, Resolve), c.html) << c.text;
}

TEST(ContentRendererTest, ExtractsEntitiesWithoutResolving) {
  const ContentRenderer renderer(kBaseUrl, kHost);
  const ContentEntities entities = renderer.Extract(
      "@alice @Alice @nobody @bob@elsewhere.org @carol@Example.org a@b.com #Tag #tag #日本 #123 "
      "https://x.org/a https://x.org/a (https://y.org/b).");
  EXPECT_EQ(entities.mentioned_usernames, (std::vector<std::string>{"alice", "nobody", "carol"}));
  EXPECT_EQ(entities.tags, (std::vector<std::string>{"Tag", "日本"}));
  EXPECT_EQ(entities.urls, (std::vector<std::string>{"https://x.org/a", "https://y.org/b"}));
  const ContentEntities none = renderer.Extract("");
  EXPECT_TRUE(none.mentioned_usernames.empty() && none.tags.empty() && none.urls.empty());
}

TEST(ContentRendererTest, CountsLengthAsMastodon) {
  struct Case {
    std::string text;
    size_t length;
  };
  const Case cases[] = {
      {"", 0},
      {"hello", 5},
      {"héllo 🎉", 7},
      {"e\xCC\x81", 2},  // code points, not graphemes
      {"https://example.com/" + std::string(200, 'a'), 23},
      {"see https://a.org and http://b.org.", 4 + 23 + 5 + 23 + 1},
      {"https://x.org", 23},
      {"ftp://x.org", 11},
      {"@alice hi", 9},
      {"@bob@elsewhere.org hi", 4 + 3},
      {"@alice@example.org", 6},
      {"mail a@b.com", 12},
      {"#tag https://x.org @x@y.z", 5 + 23 + 1 + 2},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ContentRenderer::CountedLength(c.text), c.length) << c.text;
  }
}

TEST(NormalizeTagTest, FoldsWidthAndCase) {
  struct Case {
    std::string name;
    std::string normalized;
  };
  const Case cases[] = {
      {"stoa", "stoa"},
      {"STOA", "stoa"},
      {"ＳＴＯＡ", "stoa"},
      {"Zürich", "zürich"},
      {"Zu\xCC\x88rich", "zürich"},
      {"Straße", "strasse"},
      {"日本", "日本"},
      {"ΣΟΦΙΑ", "σοφια"},
      {"", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(NormalizeTag(c.name), c.normalized) << c.name;
}

TEST(IsValidTagNameTest, FollowsMastodonRules) {
  struct Case {
    std::string name;
    bool valid;
  };
  const Case cases[] = {
      {"stoa", true},
      {"Zürich", true},
      {"Zu\xCC\x88rich", true},
      {"日本", true},
      {"foo_bar", true},
      {"_123", true},
      {"1a", true},
      {"l·l", true},
      {std::string(100, 'a'), true},
      {"", false},
      {"123", false},
      {"١٢٣", false},  // Arabic-Indic digits are digits too
      {std::string(101, 'a'), false},
      {"foo bar", false},
      {"foo-bar", false},
      {"foo.bar", false},
      {"·foo", false},
      {"foo·", false},
      {"tag🎉", false},
      {std::string("a\0b", 3), false},
      {"\xFF", false},  // malformed input never validates
  };
  for (const auto& c : cases) EXPECT_EQ(IsValidTagName(c.name), c.valid) << c.name;
}

// Every '<' in the output must open one of the renderer's own tags, every href must be http(s),
// and no quote or '>' may appear outside them: whatever the input, no user markup gets through.
void ExpectOnlyOwnMarkup(const std::string& html, const std::string& input) {
  static const std::regex kOwnTag(
      R"re(^<(p|/p|br /|/a|/span|span|span class="(invisible|ellipsis|)"|)re"
      R"re(span class="h-card" translate="no"|)re"
      R"re(a href="https?://[^"<>]*"( [a-z]+="[^"<>]*")*)>)re");
  size_t i = 0;
  while (i < html.size()) {
    if (html[i] == '<') {
      std::smatch match;
      const std::string rest = html.substr(i, 400);
      ASSERT_TRUE(std::regex_search(rest, match, kOwnTag)) << input << "\n" << html;
      i += match.length(0);
      continue;
    }
    ASSERT_TRUE(html[i] != '>' && html[i] != '"' && html[i] != '\'') << input << "\n" << html;
    ++i;
  }
}

TEST(ContentRendererTest, RandomInputsNeverLeakMarkup) {
  const std::vector<std::string> pieces = {"<",
                                           ">",
                                           "&",
                                           "\"",
                                           "'",
                                           " ",
                                           "\n",
                                           "\r\n",
                                           "\n\n",
                                           "@",
                                           "#",
                                           "alice",
                                           "@alice",
                                           "@bob@",
                                           "x.org",
                                           ".",
                                           ")",
                                           "(",
                                           "https://",
                                           "http://",
                                           "javascript:",
                                           "www.",
                                           "é",
                                           "日本",
                                           "🎉",
                                           "\xCC\x81",
                                           "·",
                                           "/",
                                           ":",
                                           "=",
                                           "?",
                                           "onclick=",
                                           "<script>",
                                           "@example.org",
                                           "#tag",
                                           std::string(1, '\0'),
                                           "\xE2\x80\xA6",
                                           "_",
                                           "-",
                                           "123"};
  const ContentRenderer renderer(kBaseUrl, kHost);
  std::mt19937 random(20240611);
  for (int round = 0; round < 3000; ++round) {
    std::string input;
    const int count = static_cast<int>(random() % 16);
    for (int k = 0; k < count; ++k) input += pieces[random() % pieces.size()];
    ASSERT_NO_FATAL_FAILURE(ExpectOnlyOwnMarkup(renderer.Render(input, Resolve).html, input));
    ASSERT_NO_FATAL_FAILURE(ExpectOnlyOwnMarkup(renderer.RenderInline(input, Resolve), input));
    ContentRenderer::CountedLength(input);
    renderer.Extract(input);
  }
}

TEST(ContentRendererTest, LargeInputsTakeLinearTime) {
  constexpr size_t kSize = 100 * 1024;
  const auto repeat = [](const std::string& piece) {
    std::string text;
    while (text.size() < kSize) text += piece;
    return text;
  };
  const std::vector<std::string> inputs = {
      repeat("a"),
      repeat("http://"),
      repeat("http://:"),
      "https://x.org/" + repeat(")"),
      repeat("http://:.") + repeat("."),
      repeat("@a"),
      repeat("@a@a.b"),
      repeat("@alice "),
      repeat("#a "),
      repeat("#"),
      "#" + repeat("a"),
      "@" + repeat("a."),
      repeat("((((]]]]"),
      repeat("a\n"),
      repeat("x\n\n"),
      repeat("日本#日本 "),
      repeat("e\xCC\x81"),
  };
  const ContentRenderer renderer(kBaseUrl, kHost);
  for (size_t i = 0; i < inputs.size(); ++i) {
    const auto start = std::chrono::steady_clock::now();
    const RenderedContent content = renderer.Render(inputs[i], Resolve);
    ContentRenderer::CountedLength(inputs[i]);
    renderer.Extract(inputs[i]);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    // Linear work is a few milliseconds; quadratic work on 100 KB would take many seconds.
    EXPECT_LT(elapsed, std::chrono::seconds(2)) << "input " << i;
    EXPECT_FALSE(content.html.empty()) << "input " << i;
  }
}

}  // namespace
}  // namespace stoa::social
