// Screening chain, first two stages: normalisation and the shipped rules (rules/stoa.rules) over
// 500-byte posts of mixed German and English text, in posts per second on one core (one thread).
// Budget (DESIGN.md section 10): the whole chain >= 100,000 posts/s per core, i.e. < 10 us per
// post for everything, classifier included; the normalise + rules share is what this measures.
//
//   stoa_screen_bench [--rules FILE] [benchmark flags]
//
// The posts are written for this benchmark: everyday text with umlauts, mentions, links, emoji
// and numbers. With with_hits:1, 14 of 64 posts (22%) start with something a rule catches
// (measuring the extra cost of locating hit starts); with with_hits:0 no rule hits.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "screen/normalize.h"
#include "screen/rules.h"

namespace {

using stoa::screen::Normalize;
using stoa::screen::Normalized;
using stoa::screen::RuleHit;
using stoa::screen::RuleSet;

std::string g_rules_path = std::string(STOA_SOURCE_DIR) + "/rules/stoa.rules";
constexpr size_t kPostBytes = 500;

const char* const kGermanSentences[] = {
    "Heute waren wir mit den Kindern im Park, das Wetter war herrlich und die Sonne schien.",
    "Danach sind wir noch in die Stadt gefahren, um ein paar Sachen für die Schule zu kaufen.",
    "Die Preise sind mittlerweile unverschämt hoch geworden, aber was soll man machen?",
    "@anna_k hast du am Samstag Zeit? Wir wollten um 14:30 Uhr an der Elbe grillen 🔥",
    "Der neue Fahrplan der Bahn ist eine Katastrophe, mein Zug hatte wieder 25 Minuten Verspätung.",
    "Kennt jemand ein gutes Buch über die Geschichte Hamburgs? https://example.org/buecher",
    "Die Mannschaft hat 3:1 gewonnen, endlich wieder ein Heimsieg!!! #fussball #bundesliga",
    "Straßenbau in der Müllerstraße: Umleitung über die Schillerallee bis Ende Oktober.",
    "Ich finde, der Stadtrat sollte mehr Geld für Radwege ausgeben, die Straßen sind gefährlich.",
    "Gestern Abend im Theater: großartige Inszenierung, tolle Schauspieler, volles Haus 👏",
};
const char* const kEnglishSentences[] = {
    "Spent the afternoon at the farmers market, the peaches are finally in season.",
    "Does anyone know a good plumber in the east end? Our kitchen sink has been leaking for days.",
    "The council meeting ran until 10pm again; the bike lane proposal passed 7 to 2.",
    "@sam_r congrats on the new job!!! 🎉 Drinks on Friday? I'll book a table for 8.",
    "Reading a great piece on the history of the printing press: https://example.com/print",
    "This commute is killing me, three delays in one week and the trains are packed.",
    "Our team won 2-1 in extra time, what a match. The keeper saved a penalty in the 89th minute.",
    "New recipe: roasted cauliflower with tahini, lemon and a pinch of smoked paprika.",
    "The museum is free on Sundays, highly recommend the new photography exhibition.",
    "Weather forecast says rain all weekend, so it's board games and soup at our place.",
};
// Mixed into about one post in ten; each is caught by at least one shipped rule.
const char* const kGermanViolations[] = {
    "Die gehören alle an die Wand gestellt!",
    "Ich bring dich um, du weißt genau wer gemeint ist.",
    "Verdiene 3000 Euro pro Woche von zu Hause!",
};
const char* const kEnglishViolations[] = {
    "k i l l them all",
    "We know where you live.",
    "Earn $500 per day from home, DM me for details",
};

struct Post {
  std::string text;
  const char* language;
};

// 64 posts of about 500 bytes, cut at a character boundary, alternately German and English.
std::vector<Post> MakePosts(bool with_violations) {
  std::vector<Post> posts;
  for (size_t p = 0; p < 64; ++p) {
    const bool german = p % 2 == 0;
    std::string post;
    if (with_violations && p % 10 < 2) {
      post += german ? kGermanViolations[(p / 10) % std::size(kGermanViolations)]
                     : kEnglishViolations[(p / 10) % std::size(kEnglishViolations)];
      post += ' ';
    }
    for (size_t k = 0; post.size() < kPostBytes; ++k) {
      const char* s = german ? kGermanSentences[(p * 3 + k) % std::size(kGermanSentences)]
                             : kEnglishSentences[(p * 7 + k) % std::size(kEnglishSentences)];
      post += s;
      post += ' ';
    }
    size_t cut = kPostBytes;
    while (cut > 0 && (static_cast<unsigned char>(post[cut]) & 0xC0) == 0x80) --cut;
    post.resize(cut);
    posts.push_back(Post{std::move(post), german ? "de" : "en"});
  }
  return posts;
}

std::shared_ptr<const RuleSet> g_rules;

const RuleSet& Rules() { return *g_rules; }

void BM_Normalize(benchmark::State& state) {
  const std::vector<Post> posts = MakePosts(state.range(0) != 0);
  Normalized out;
  size_t i = 0;
  for (auto _ : state) {
    Normalize(posts[i++ % posts.size()].text, &out);
    benchmark::DoNotOptimize(out.text.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kPostBytes));
}

void BM_Match(benchmark::State& state) {
  const RuleSet& rules = Rules();
  const std::vector<Post> posts = MakePosts(state.range(0) != 0);
  std::vector<Normalized> normalized;
  for (const Post& p : posts) normalized.push_back(Normalize(p.text));
  std::vector<RuleHit> hits;
  size_t i = 0;
  size_t hit_posts = 0;
  for (auto _ : state) {
    const size_t k = i++ % normalized.size();
    if (!rules.Match(normalized[k].text, posts[k].language, &hits).ok()) {
      state.SkipWithError("match failed");
      break;
    }
    hit_posts += hits.empty() ? 0 : 1;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["posts_with_hits_%"] =
      benchmark::Counter(100.0 * static_cast<double>(hit_posts) / static_cast<double>(i));
}

void BM_NormalizeAndMatch(benchmark::State& state) {
  const RuleSet& rules = Rules();
  const std::vector<Post> posts = MakePosts(state.range(0) != 0);
  Normalized out;
  std::vector<RuleHit> hits;
  size_t i = 0;
  for (auto _ : state) {
    const size_t k = i++ % posts.size();
    Normalize(posts[k].text, &out);
    if (!rules.Match(out.text, posts[k].language, &hits).ok()) {
      state.SkipWithError("match failed");
      break;
    }
    benchmark::DoNotOptimize(hits.data());
  }
  state.SetItemsProcessed(state.iterations());
}

// On a shared machine the fastest of several repetitions is the best estimate of what a post
// costs on an uncontended core: with --benchmark_repetitions=N, "_min" reports it (for the
// times; for items_per_second "_min" is the slowest repetition, use 1e9 / min time instead).
double Min(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

BENCHMARK(BM_Normalize)->ArgName("with_hits")->Arg(0)->Arg(1)->ComputeStatistics("min", Min);
BENCHMARK(BM_Match)->ArgName("with_hits")->Arg(0)->Arg(1)->ComputeStatistics("min", Min);
BENCHMARK(BM_NormalizeAndMatch)->ArgName("with_hits")->Arg(0)->Arg(1)->ComputeStatistics("min", Min);

}  // namespace

int main(int argc, char** argv) {
  // Our own flag first; the rest goes to Google Benchmark.
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--rules") == 0 && i + 1 < argc) {
      g_rules_path = argv[++i];
    } else {
      args.push_back(argv[i]);
    }
  }
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  // Loading (parsing, compiling, checking every example) is timed once and reported with the
  // context: it is what a server start or a reload costs.
  const auto start = std::chrono::steady_clock::now();
  auto rules = RuleSet::Load(g_rules_path);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  if (!rules.ok()) {
    std::fprintf(stderr, "%s\n", rules.status().message().c_str());
    return 1;
  }
  g_rules = *rules;
  benchmark::AddCustomContext("rules", g_rules_path + " (" + std::to_string(g_rules->rules().size()) +
                                           " rules, version " + g_rules->version() + ")");
  benchmark::AddCustomContext(
      "rules_load_ms",
      std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()));
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
