#include "screen/rules.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "screen/normalize.h"

namespace stoa::screen {
namespace {

constexpr std::string_view kValid = R"(# a comment
stoa-rules 1
version = test-1

[rule de.threat.kill_you]
description = ich bringe dich um
category = threat
languages = de
weight = 0.8
max_verdict = hold
pattern = \bich (bring|mach)e? dich (um|kalt)\b
example = Ich bring dich um!
counterexample = ich bring dich nach hause

[rule en.threat.kill_you]
category = threat
languages = en
weight = 0.8
max_verdict = hold
pattern = \bi (will|am going to|wil) kill you\b
pattern = \byou('re| are) (dead|next)\b

[rule any.spam.link]
category = spam
languages = any
weight = 0.3
max_verdict = publish_and_flag
pattern = \bfree (money|crypto)\b

[rule de.violence.tod]
category = violence
language = de, en
weight = 0.5
max_verdict = publish_and_flag
pattern = \btod (den|allen)\b
)";

std::shared_ptr<const RuleSet> MustParse(std::string_view text) {
  auto r = RuleSet::Parse(text, "test.rules");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : nullptr;
}

TEST(RuleSetParse, ReadsEveryField) {
  auto set = MustParse(kValid);
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->version(), "test-1");
  ASSERT_EQ(set->rules().size(), 4u);
  const Rule& r = set->rule(0);
  EXPECT_EQ(r.name, "de.threat.kill_you");
  EXPECT_EQ(r.category, Category::kThreat);
  EXPECT_EQ(r.languages, kLanguageDe);
  EXPECT_DOUBLE_EQ(r.weight, 0.8);
  EXPECT_EQ(r.max_verdict, Verdict::kHold);
  EXPECT_EQ(r.description, "ich bringe dich um");
  EXPECT_EQ(r.line, 5);
  ASSERT_EQ(r.patterns.size(), 1u);
  EXPECT_EQ(set->rule(1).patterns.size(), 2u);
  EXPECT_EQ(set->rule(1).compiled_patterns[0], "\\bi (wil|am going to|wil) kil you\\b");
  EXPECT_EQ(set->rule(2).languages, kLanguageAny);
  EXPECT_EQ(set->rule(3).languages, kLanguageDe | kLanguageEn);
}

// Replaces the first occurrence of `from` in kValid.
std::string Edit(std::string_view from, std::string_view to) {
  std::string s(kValid);
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  s.replace(at, from.size(), to);
  return s;
}

struct ErrorCase {
  const char* name;
  std::string text;
  std::string expected;  // "test.rules:LINE: ..." prefix of one reported line
};

class RuleSetErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(RuleSetErrors, RefusedWithLineAndReason) {
  const ErrorCase& c = GetParam();
  auto r = RuleSet::Parse(c.text, "test.rules");
  ASSERT_FALSE(r.ok()) << c.name;
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find(c.expected), std::string::npos)
      << c.name << ": " << r.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    EachError, RuleSetErrors,
    ::testing::Values(
        ErrorCase{"unknown_category", Edit("category = threat", "category = violent"),
                  "test.rules:7: unknown category \"violent\""},
        ErrorCase{"duplicate_name", Edit("[rule en.threat.kill_you]", "[rule de.threat.kill_you]"),
                  "test.rules:15: duplicate rule name \"de.threat.kill_you\" (first defined on "
                  "line 5)"},
        ErrorCase{"weight_above_one", Edit("weight = 0.8", "weight = 1.5"),
                  "test.rules:9: bad weight \"1.5\""},
        ErrorCase{"weight_not_a_number", Edit("weight = 0.8", "weight = high"),
                  "test.rules:9: bad weight \"high\""},
        ErrorCase{"weight_trailing_garbage", Edit("weight = 0.8", "weight = 0.8x"),
                  "test.rules:9: bad weight"},
        ErrorCase{"weight_negative", Edit("weight = 0.8", "weight = -0.1"), "test.rules:9: bad weight"},
        ErrorCase{"unknown_verdict", Edit("max_verdict = hold", "max_verdict = ban"),
                  "test.rules:10: unknown max_verdict \"ban\""},
        ErrorCase{"publish_is_no_cap", Edit("max_verdict = hold", "max_verdict = publish"),
                  "test.rules:10: unknown max_verdict \"publish\""},
        ErrorCase{"unknown_language", Edit("languages = de", "languages = fr"),
                  "test.rules:8: unknown language \"fr\""},
        ErrorCase{"hyperscan_refuses", Edit("pattern = \\bich", "pattern = (\\bich"),
                  "test.rules:11: pattern refused by Hyperscan: Missing close parenthesis"},
        ErrorCase{"backreference", Edit("pattern = \\bich", "pattern = (a)\\1\\bich"),
                  "test.rules:11: pattern refused by Hyperscan"},
        ErrorCase{"matches_empty", Edit("pattern = \\bfree", "pattern = x*|\\bfree"),
                  "test.rules:28: pattern can match an empty text"},
        ErrorCase{"unnormalized_pattern", Edit("pattern = \\btod", "pattern = \\btöd"),
                  "test.rules:35: pattern: \"ö\" never occurs in normalized text; write \"oe\""},
        ErrorCase{"missing_field", Edit("weight = 0.3\n", ""), "test.rules:23: rule \"any.spam.link\" has no weight"},
        ErrorCase{"missing_pattern", Edit("pattern = \\bfree (money|crypto)\\b\n", ""),
                  "test.rules:23: rule \"any.spam.link\" has no pattern"},
        ErrorCase{"duplicate_field", Edit("weight = 0.3", "weight = 0.3\nweight = 0.4"),
                  "test.rules:27: duplicate \"weight\" in rule \"any.spam.link\""},
        ErrorCase{"unknown_key", Edit("weight = 0.3", "wieght = 0.3"),
                  "test.rules:26: unknown key \"wieght\""},
        ErrorCase{"not_key_value", Edit("weight = 0.3", "weight 0.3"),
                  "test.rules:26: expected \"key = value\""},
        ErrorCase{"bad_header", Edit("[rule any.spam.link]", "[rules any.spam.link]"),
                  "test.rules:23: expected a rule header"},
        ErrorCase{"bad_name", Edit("[rule any.spam.link]", "[rule Any Spam]"),
                  "test.rules:23: invalid rule name \"Any Spam\""},
        ErrorCase{"wrong_format_line", Edit("stoa-rules 1", "stoa-rules 2"),
                  "test.rules:2: the first line must be \"stoa-rules 1\""},
        ErrorCase{"missing_version", Edit("version = test-1\n", ""), "missing \"version = ...\" line"},
        ErrorCase{"key_before_rules", Edit("version = test-1", "version = test-1\nweight = 1"),
                  "test.rules:4: \"weight\" outside a rule"},
        ErrorCase{"example_not_matched", Edit("example = Ich bring dich um!", "example = Ich hol dich ab"),
                  "test.rules:12: example is not matched by rule \"de.threat.kill_you\" "
                  "(normalized: \"ich hol dich ab\")"},
        ErrorCase{"counterexample_matched",
                  Edit("counterexample = ich bring dich nach hause", "counterexample = ich mach dich kalt"),
                  "test.rules:13: counterexample is matched by rule \"de.threat.kill_you\" at \"ich "
                  "mach dich kalt\""},
        ErrorCase{"empty_file", std::string("# nothing\n\n"), "empty rules file"},
        ErrorCase{"no_rules", std::string("stoa-rules 1\nversion = 1\n"), "no rules"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(RuleSetParse, Defines) {
  auto set = MustParse(R"(stoa-rules 1
version = 1
define them = (?:them|em)
define kill_them = kill {{them}}
[rule x]
category = violence
languages = any
weight = 0.5
max_verdict = hold
pattern = \b{{ kill_them }} all\b
example = kill em all
)");
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->rule(0).patterns[0], "\\b{{ kill_them }} all\\b");
  EXPECT_EQ(set->rule(0).compiled_patterns[0], "\\b(?:kil (?:(?:them|em))) al\\b");
  const std::string bad_rule =
      "[rule x]\ncategory = violence\nlanguages = any\nweight = 0.5\nmax_verdict = hold\n";
  struct Bad {
    std::string text;
    std::string expected;
  };
  const Bad cases[] = {
      {"stoa-rules 1\nversion = 1\n" + bad_rule + "pattern = {{nope}}\n",
       "test.rules:8: pattern: unknown define {{nope}}"},
      {"stoa-rules 1\nversion = 1\ndefine a = x\ndefine a = y\n" + bad_rule + "pattern = y\n",
       "test.rules:4: duplicate define \"a\" (first on line 3)"},
      {"stoa-rules 1\nversion = 1\ndefine A = x\n" + bad_rule + "pattern = y\n",
       "test.rules:3: invalid define name \"A\""},
      {"stoa-rules 1\nversion = 1\ndefine a = {{b}}\n" + bad_rule + "pattern = y\n",
       "test.rules:3: define: unknown define {{b}}"},
      {"stoa-rules 1\nversion = 1\n" + bad_rule + "pattern = {{a\n",
       "test.rules:8: pattern: unterminated {{"},
  };
  for (const Bad& b : cases) {
    auto r = RuleSet::Parse(b.text, "test.rules");
    ASSERT_FALSE(r.ok()) << b.text;
    EXPECT_NE(r.status().message().find(b.expected), std::string::npos) << r.status().message();
  }
}

TEST(RuleSetParse, ReportsEveryErrorNotJustTheFirst) {
  std::string text = Edit("category = threat", "category = violent");
  const size_t at = text.find("weight = 0.3");
  text.replace(at, 12, "weight = 2");
  auto r = RuleSet::Parse(text, "test.rules");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("test.rules:7: unknown category"), std::string::npos);
  EXPECT_NE(r.status().message().find("test.rules:26: bad weight \"2\""), std::string::npos);
}

TEST(RuleSetParse, AcceptsCrlfAndIndentation) {
  std::string text;
  for (char c : kValid) {
    if (c == '\n') {
      text += "\r\n  ";
    } else {
      text += c;
    }
  }
  EXPECT_NE(MustParse(text), nullptr);
}

TEST(RuleSetLoad, ReadsAFileAndNamesItInErrors) {
  const std::string path = ::testing::TempDir() + "/rules_load_test.rules";
  {
    std::ofstream out(path);
    out << Edit("weight = 0.8", "weight = 9");
  }
  auto r = RuleSet::Load(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(path + ":9: bad weight"), std::string::npos)
      << r.status().message();
  auto missing = RuleSet::Load(path + ".absent");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  std::remove(path.c_str());
}

TEST(RuleSetMatch, HitsWithOffsetsAndCategoriesInOnePass) {
  auto set = MustParse(kValid);
  ASSERT_NE(set, nullptr);
  const std::string original = "FREE  money!!! Ich mach dich KALT. Tod allen.";
  Normalized n = Normalize(original);
  ASSERT_EQ(n.text, "fre money!!! ich mach dich kalt. tod alen.");
  auto hits = set->Match(n, "de");
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_EQ(hits->size(), 3u);
  EXPECT_EQ(set->rule((*hits)[0].rule).name, "any.spam.link");
  EXPECT_EQ((*hits)[0].category, Category::kSpam);
  EXPECT_EQ(n.text.substr((*hits)[0].start, (*hits)[0].end - (*hits)[0].start), "fre money");
  auto [b, e] = n.ToOriginal((*hits)[0].start, (*hits)[0].end);
  EXPECT_EQ(original.substr(b, e - b), "FREE  money");
  EXPECT_EQ(set->rule((*hits)[1].rule).name, "de.threat.kill_you");
  EXPECT_EQ(n.text.substr((*hits)[1].start, (*hits)[1].end - (*hits)[1].start), "ich mach dich kalt");
  auto [b2, e2] = n.ToOriginal((*hits)[1].start, (*hits)[1].end);
  EXPECT_EQ(original.substr(b2, e2 - b2), "Ich mach dich KALT");
  EXPECT_EQ(set->rule((*hits)[2].rule).name, "de.violence.tod");
  EXPECT_DOUBLE_EQ((*hits)[2].weight, 0.5);
}

TEST(RuleSetMatch, FiltersByLanguage) {
  auto set = MustParse(kValid);
  ASSERT_NE(set, nullptr);
  Normalized n = Normalize("ich bring dich um. I will kill you. free crypto");
  auto names = [&](std::string_view language) {
    std::vector<std::string> out;
    auto hits = set->Match(n, language);
    EXPECT_TRUE(hits.ok());
    for (const RuleHit& h : *hits) out.push_back(set->rule(h.rule).name);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names("de"), (V{"de.threat.kill_you", "any.spam.link"}));
  EXPECT_EQ(names("de-AT"), (V{"de.threat.kill_you", "any.spam.link"}));
  EXPECT_EQ(names("EN_gb"), (V{"en.threat.kill_you", "any.spam.link"}));
  EXPECT_EQ(names("fr"), (V{"any.spam.link"}));
  EXPECT_EQ(names(""), (V{"de.threat.kill_you", "en.threat.kill_you", "any.spam.link"}));
  EXPECT_EQ(names("not a tag"), (V{"de.threat.kill_you", "en.threat.kill_you", "any.spam.link"}));
}

TEST(RuleSetMatch, MergesOverlappingMatchesOfOneRule) {
  auto set = MustParse(R"(stoa-rules 1
version = 1
[rule x]
category = violence
languages = any
weight = 0.5
max_verdict = hold
pattern = kill \w+
)");
  ASSERT_NE(set, nullptr);
  Normalized n = Normalize("kill everyone, then kill more");
  auto hits = set->Match(n, "en");
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_EQ(n.text.substr((*hits)[0].start, (*hits)[0].end - (*hits)[0].start), "kil everyone");
  EXPECT_EQ(n.text.substr((*hits)[1].start, (*hits)[1].end - (*hits)[1].start), "kil more");
}

TEST(RuleSetMatch, StartIsWhereTheShortestMatchEndingThereBegins) {
  auto set = MustParse(R"(stoa-rules 1
version = 1
[rule start]
category = violence
languages = any
weight = 0.5
max_verdict = hold
pattern = (?:^|[.!?] |\bund )knallt sie ab\b
[rule multi]
category = threat
languages = any
weight = 0.5
max_verdict = hold
pattern = \bwe know where you live\b
pattern = \bwhere you live\b
)");
  ASSERT_NE(set, nullptr);
  Normalized n = Normalize("Ja. Und knallt sie ab! We know where you live.");
  ASSERT_EQ(n.text, "ja. und knalt sie ab! we know where you live.");
  auto hits = set->Match(n, "de");
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 2u);
  // The optional leading context ("und ") is not part of the span.
  EXPECT_EQ(n.text.substr((*hits)[0].start, (*hits)[0].end - (*hits)[0].start), "knalt sie ab");
  // Two patterns of one rule overlap: one hit covering both.
  EXPECT_EQ(set->rule((*hits)[1].rule).name, "multi");
  EXPECT_EQ(n.text.substr((*hits)[1].start, (*hits)[1].end - (*hits)[1].start),
            "we know where you live");
  // A match at the very start of the text.
  Normalized first = Normalize("Knallt sie ab");
  auto first_hits = set->Match(first, "de");
  ASSERT_TRUE(first_hits.ok());
  ASSERT_EQ(first_hits->size(), 1u);
  EXPECT_EQ((*first_hits)[0].start, 0u);
  EXPECT_EQ((*first_hits)[0].end, first.text.size());
}

TEST(RuleSetMatch, MatchedRulesSaysWhichRulesHitOnceEachByLanguage) {
  auto set = MustParse(kValid);
  ASSERT_NE(set, nullptr);
  const std::string text =
      Normalize("free money! ich bring dich um. tod den, tod allen. you are next").text;
  std::vector<uint32_t> rules;
  ASSERT_TRUE(set->MatchedRules(text, "", &rules).ok());
  EXPECT_EQ(rules, (std::vector<uint32_t>{0, 1, 2, 3}));
  ASSERT_TRUE(set->MatchedRules(text, "de", &rules).ok());
  EXPECT_EQ(rules, (std::vector<uint32_t>{0, 2, 3}));
  ASSERT_TRUE(set->MatchedRules("nothing here", "", &rules).ok());
  EXPECT_TRUE(rules.empty());
}

TEST(RuleSetMatch, OneThreadAlternatingBetweenManySetsGetsEachSetsHits) {
  // Sets of different sizes, so the thread's scratch grows between them; more sets than the
  // scratch remembers, in turn, twice.
  std::vector<std::shared_ptr<const RuleSet>> sets;
  for (int n = 1; n <= 10; ++n) {
    std::string text = "stoa-rules 1\nversion = s" + std::to_string(n) + "\n";
    for (int r = 0; r < n; ++r) {
      text += "[rule r" + std::to_string(r) + "]\ncategory = spam\nlanguages = any\nweight = 0.1\n"
              "max_verdict = publish_and_flag\npattern = \\bq" + std::string(1, static_cast<char>('a' + r)) +
              "[a-z]*(?: [a-z]+){0," + std::to_string(r + 1) + "}\\b\n";
    }
    sets.push_back(MustParse(text));
    ASSERT_NE(sets.back(), nullptr);
  }
  for (int round = 0; round < 2; ++round) {
    for (size_t i = 0; i < sets.size(); ++i) {
      std::vector<RuleHit> hits;
      ASSERT_TRUE(sets[i]->Match(Normalize("qax qdy and qjz at the end").text, "", &hits).ok());
      size_t expected = 1 + (i >= 3 ? 1 : 0) + (i >= 9 ? 1 : 0);
      EXPECT_EQ(hits.size(), expected) << "set " << i;
    }
  }
}

TEST(RuleSetScore, CombinesDistinctRulesPerCategory) {
  auto set = MustParse(R"(stoa-rules 1
version = 1
[rule a]
category = violence
languages = any
weight = 0.5
max_verdict = publish_and_flag
pattern = \balpha\b
[rule b]
category = violence
languages = any
weight = 0.5
max_verdict = hold
pattern = \bbravo\b
[rule c]
category = spam
languages = any
weight = 0.2
max_verdict = publish_and_flag
pattern = \bcharlie\b
)");
  ASSERT_NE(set, nullptr);
  auto score = [&](std::string_view text) {
    auto hits = set->Match(Normalize(text), "en");
    EXPECT_TRUE(hits.ok());
    return set->Score(*hits);
  };
  RuleScores none = score("alphabet soup");
  EXPECT_DOUBLE_EQ(none.Score(Category::kViolence), 0.0);
  RuleScores a_twice = score("alpha, then alpha");
  EXPECT_DOUBLE_EQ(a_twice.Score(Category::kViolence), 0.5);  // one rule counts once
  EXPECT_EQ(a_twice.MaxVerdict(Category::kViolence), Verdict::kPublishAndFlag);
  RuleScores both = score("alpha and bravo and charlie");
  EXPECT_DOUBLE_EQ(both.Score(Category::kViolence), 0.75);  // 1 - 0.5 * 0.5
  EXPECT_EQ(both.MaxVerdict(Category::kViolence), Verdict::kHold);
  EXPECT_DOUBLE_EQ(both.Score(Category::kSpam), 0.2);
  EXPECT_EQ(both.MaxVerdict(Category::kThreat), Verdict::kPublish);
  EXPECT_DOUBLE_EQ(both.Score(Category::kThreat), 0.0);
}

TEST(LanguagesForPost, Tags) {
  EXPECT_EQ(LanguagesForPost("de"), kLanguageDe);
  EXPECT_EQ(LanguagesForPost("DE-ch"), kLanguageDe);
  EXPECT_EQ(LanguagesForPost("en"), kLanguageEn);
  EXPECT_EQ(LanguagesForPost("fr"), kLanguageOther);
  EXPECT_EQ(LanguagesForPost("gsw"), kLanguageOther);
  EXPECT_EQ(LanguagesForPost(""), kLanguageAny);
  EXPECT_EQ(LanguagesForPost("x"), kLanguageAny);
  EXPECT_EQ(LanguagesForPost("d3"), kLanguageAny);
}

}  // namespace
}  // namespace stoa::screen
