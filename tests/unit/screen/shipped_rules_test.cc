// The shipped rules (rules/stoa.rules) parse, and catch hand-written calls to violence, threats
// and spam in German and English, including evasions, while leaving hand-written harmless posts
// alone: news about violence, condemnation, idioms. Every text here is written for this test.
#include <gtest/gtest.h>

#include <string>

#include "screen/rules.h"

namespace stoa::screen {
namespace {

const std::string kRulesPath = std::string(STOA_SOURCE_DIR) + "/rules/stoa.rules";

std::shared_ptr<const RuleSet> Shipped() {
  static std::shared_ptr<const RuleSet> rules = [] {
    auto r = RuleSet::Load(kRulesPath);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : nullptr;
  }();
  return rules;
}

struct Post {
  std::string_view language;
  std::string_view text;
  Category category;  // the category expected among the hits (positives only)
};

// Names of the rules hitting `text`.
std::string HitNames(const RuleSet& rules, std::string_view language, std::string_view text) {
  Normalized n = Normalize(text);
  auto hits = rules.Match(n, language);
  EXPECT_TRUE(hits.ok());
  std::string names;
  for (const RuleHit& h : *hits) {
    names += (names.empty() ? "" : ", ") + rules.rule(h.rule).name + " [" +
             n.text.substr(h.start, h.end - h.start) + "]";
  }
  return names;
}

TEST(ShippedRules, Parse) {
  auto rules = Shipped();
  ASSERT_NE(rules, nullptr);
  EXPECT_GT(rules->rules().size(), 40u);
  EXPECT_FALSE(rules->version().empty());
  // Both languages and every category are covered.
  for (Category c : kAllCategories) {
    bool de = false;
    bool en = false;
    for (const Rule& r : rules->rules()) {
      if (r.category != c) continue;
      de |= (r.languages & kLanguageDe) != 0;
      en |= (r.languages & kLanguageEn) != 0;
    }
    EXPECT_TRUE(de && en) << CategoryName(c);
  }
  // No shipped rule rejects on its own: a human decides.
  for (const Rule& r : rules->rules()) EXPECT_NE(r.max_verdict, Verdict::kReject) << r.name;
}

const Post kPositives[] = {
    // German calls to violence.
    {"de", "Die ganzen Verräter sollte man alle an die Wand stellen!", Category::kViolence},
    {"de", "Solche Typen gehören aufgehängt, und zwar öffentlich.", Category::kViolence},
    {"de", "Knallt das Pack endlich ab!", Category::kViolence},
    {"de", "Morgen ist Demo. Bringt sie alle um!", Category::kViolence},
    {"de", "Erschießt sie doch einfach alle.", Category::kViolence},
    {"de", "Tod allen Volksverrätern!", Category::kViolence},
    {"de", "Die Bande muss man vergasen", Category::kViolence},
    {"de", "Lasst die doch absaufen im Mittelmeer", Category::kViolence},
    {"de", "Zündet die Unterkunft heute Nacht an!", Category::kViolence},
    {"de", "An die Laterne mit dem Kerl", Category::kViolence},
    {"de", "Greift endlich zu den Waffen", Category::kViolence},
    // German threats.
    {"de", "Ich bring dich um, du Ratte.", Category::kThreat},
    {"de", "Wir wissen wo du wohnst, Herr Bürgermeister.", Category::kThreat},
    {"de", "Ich werde dich finden und abstechen.", Category::kThreat},
    {"de", "Du bist so gut wie tot.", Category::kThreat},
    // German incitement, glorification, terrorism.
    {"de", "Alle Flüchtlinge sollte man erschießen", Category::kIncitement},
    {"de", "Die Invasoren sind Parasiten", Category::kIncitement},
    {"de", "Gut so, dass die Moschee abgebrannt ist.", Category::kGlorification},
    {"de", "Tarrant war ein Held", Category::kGlorification},
    {"de", "Schließt euch dem Kalifat an, Brüder", Category::kTerrorism},
    // German evasions.
    {"de", "1ch br1ng d1ch um", Category::kThreat},
    {"de", "Ich b r i n g dich um", Category::kThreat},
    {"de", "ICH BRING DICH UMMMM!!!", Category::kThreat},
    {"de", "Ich bring dich u\u200Bm", Category::kThreat},
    {"de", "Е\u0433schießt sie alle", Category::kViolence},  // Cyrillic Е, г: "Erschiesst"
    {"de", "\uFF25\uFF52\uFF53\uFF43\uFF48\uFF49\uFF45\uFF53\uFF53\uFF54 sie", Category::kViolence},
    {"de", "erschiesst sie!!!", Category::kViolence},
    {"de", "Man sollte die alle e r s c h i e ß e n", Category::kViolence},
    // English calls to violence.
    {"en", "Kill them all and let god sort them out", Category::kViolence},
    {"en", "They should all be hanged for treason.", Category::kViolence},
    {"en", "Someone needs to shoot him before he speaks again", Category::kViolence},
    {"en", "Burn down the refugee homes tonight", Category::kViolence},
    {"en", "string them up from the nearest lamppost", Category::kViolence},
    // English threats.
    {"en", "I will kill you, mark my words", Category::kThreat},
    {"en", "We know where you live. Sleep well.", Category::kThreat},
    {"en", "You're a dead man walking", Category::kThreat},
    // English incitement, glorification, terrorism.
    {"en", "gas the kikes", Category::kIncitement},
    {"en", "Immigrants are vermin and should be treated like it", Category::kIncitement},
    {"en", "Breivik is a hero", Category::kGlorification},
    {"en", "Join the islamic state today", Category::kTerrorism},
    {"en", "how to build a pressure cooker bomb", Category::kTerrorism},
    // English evasions.
    {"en", "i w1ll k1ll y0u", Category::kThreat},
    {"en", "I will k.i.l.l you", Category::kThreat},
    {"en", "I will kiiiiiiill you", Category::kThreat},
    {"en", "I w\u0456ll k\u0456ll you", Category::kThreat},  // Cyrillic і
    {"en", "I\u2019ll kill you", Category::kThreat},          // typographic apostrophe
    {"en", "KILL THEM ALL", Category::kViolence},
    // Spam.
    {"en", "Make $900 per day from home, DM me for details", Category::kSpam},
    {"de", "Verdiene 5000 € pro Monat!!! Schreib mir auf Telegram", Category::kSpam},
    {"en", "Bitcoin giveaway: send 1 BTC, get 2 BTC back", Category::kSpam},
    {"en", "FREE iPhone!!! bit.ly/xyz123", Category::kSpam},
};

TEST(ShippedRules, CatchHandWrittenPositives) {
  auto rules = Shipped();
  ASSERT_NE(rules, nullptr);
  for (const Post& p : kPositives) {
    Normalized n = Normalize(p.text);
    auto hits = rules->Match(n, p.language);
    ASSERT_TRUE(hits.ok());
    bool found = false;
    for (const RuleHit& h : *hits) found |= h.category == p.category;
    EXPECT_TRUE(found) << "missed (" << CategoryName(p.category) << "): \"" << p.text
                       << "\" normalized: \"" << n.text
                       << "\" hits: " << HitNames(*rules, p.language, p.text);
  }
}

const Post kHarmless[] = {
    // News about violence.
    {"de", "Polizei erschießt Messerangreifer in Hamburg", Category::kViolence},
    {"de", "Der Täter soll seine Frau erschossen haben, teilte die Staatsanwaltschaft mit.",
     Category::kViolence},
    {"de", "Bei dem Anschlag wurden zwölf Menschen getötet.", Category::kViolence},
    {"de", "Im Holocaust wurden Millionen Juden ermordet.", Category::kViolence},
    {"de", "Ein Mann bringt seine Nachbarin um – das Gericht verurteilt ihn zu lebenslanger Haft.",
     Category::kViolence},
    {"en", "Police shot the attacker after he stabbed two people.", Category::kViolence},
    {"en", "Three journalists were killed in the attack, the agency said.", Category::kViolence},
    {"en", "The government designated the group a terrorist organisation.", Category::kViolence},
    // Condemnation and negation.
    {"de", "Gewalt ist nie eine Lösung. Ich würde niemals jemandem etwas antun.", Category::kViolence},
    {"en", "I would never hurt anyone.", Category::kViolence},
    {"en", "Violence against refugees is never acceptable.", Category::kViolence},
    // Idioms.
    {"de", "Ich lach mich tot!", Category::kViolence},
    {"de", "Der Chef bringt mich noch um den Verstand.", Category::kViolence},
    {"de", "Die Hitze bringt mich um.", Category::kViolence},
    {"de", "Ich bring dich morgen zum Bahnhof.", Category::kViolence},
    {"de", "Bringt die Kinder um acht ins Bett.", Category::kViolence},
    {"de", "Hängt die Wäsche auf, bevor es regnet.", Category::kViolence},
    {"de", "Macht das Licht aus, wenn ihr geht.", Category::kViolence},
    {"de", "Stell das Sofa an die Wand gegenüber.", Category::kViolence},
    {"de", "Gib mal Gas, wir kommen zu spät.", Category::kViolence},
    {"de", "Den Kuchen in den Ofen schieben und 40 Minuten backen.", Category::kViolence},
    {"de", "Pass gut auf dich auf!", Category::kViolence},
    {"de", "Du bist dran mit Würfeln.", Category::kViolence},
    {"de", "Die Lichterkette an den Baum hängen.", Category::kViolence},
    {"en", "I could kill for a coffee right now.", Category::kViolence},
    {"en", "This commute is killing me.", Category::kViolence},
    {"en", "You killed it on stage last night!", Category::kViolence},
    {"en", "I'm going to kill this process and restart the server.", Category::kViolence},
    {"en", "We shot the whole video in one take.", Category::kViolence},
    {"en", "Put the turkey in the oven at 180 degrees.", Category::kViolence},
    {"en", "We hung the lights on the tree.", Category::kViolence},
    {"en", "We will find you a seat near the front.", Category::kViolence},
    {"en", "The American Civil War ended in 1865.", Category::kViolence},
    // Ordinary text with numbers and words near the rules' vocabulary.
    {"de", "Um 10:30 Uhr beginnt das Spiel, 3:1 für Bayern, Mannschaft in Bestform.",
     Category::kViolence},
    {"de", "Der Niederschlag war heute stark, die Tiere im Zoo blieben drinnen.", Category::kViolence},
    {"en", "I earn less than last year, but I'm happy.", Category::kViolence},
    {"en", "Bitcoin fell ten percent today.", Category::kViolence},
    {"en", "Free entry to the museum on Sundays.", Category::kViolence},
};

TEST(ShippedRules, LeaveHandWrittenHarmlessPostsAlone) {
  auto rules = Shipped();
  ASSERT_NE(rules, nullptr);
  for (const Post& p : kHarmless) {
    EXPECT_EQ(HitNames(*rules, p.language, p.text), "") << "false alarm: \"" << p.text << "\"";
  }
}

TEST(ShippedRules, LanguageFiltering) {
  auto rules = Shipped();
  ASSERT_NE(rules, nullptr);
  // A German threat is not matched by English rules when the post says it is English, and the
  // other way round; an untagged post gets both.
  EXPECT_EQ(HitNames(*rules, "en", "Ich bring dich um!"), "");
  EXPECT_NE(HitNames(*rules, "", "Ich bring dich um!"), "");
  EXPECT_EQ(HitNames(*rules, "de", "I will kill you"), "");
  EXPECT_NE(HitNames(*rules, "", "I will kill you"), "");
  // Spam rules apply to every language.
  EXPECT_NE(HitNames(*rules, "fr", "Make $900 per day"), "");
}

}  // namespace
}  // namespace stoa::screen
