// Screening chain: normalisation, the shipped rules (rules/stoa.rules) and the classifier over
// 500-byte posts of mixed German and English text, in posts per second on one core (one thread).
// Budget (DESIGN.md section 10): the whole chain >= 100,000 posts/s per core, i.e. < 10 us per
// post for everything; issue 4: under 20 us at p99 (BM_ChainLatency reports p50/p99/p999).
//
//   stoa_screen_bench [--rules FILE] [--model FILE] [benchmark flags]
//
// Without --model the classifier is the default model, trained here from screening/examples.csv
// with the parameters the build uses (src/app/CMakeLists.txt), so the bench needs no stoa binary.
//
// The posts are written for this benchmark: everyday text with umlauts, mentions, links, emoji
// and numbers. With with_hits:1, 14 of 64 posts (22%) start with something a rule catches
// (measuring the extra cost of locating hit starts); with with_hits:0 no rule hits.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "screen/classifier.h"
#include "screen/classifier_features.h"
#include "screen/classifier_holder.h"
#include "screen/classifier_trainer.h"
#include "screen/fingerprint.h"
#include "screen/labelled_csv.h"
#include "screen/normalize.h"
#include "screen/policy.h"
#include "screen/rules.h"
#include "screen/rules_holder.h"
#include "screen/screener.h"

namespace {

using stoa::screen::Classifier;
using stoa::screen::ClassifierHolder;
using stoa::screen::Normalize;
using stoa::screen::Normalized;
using stoa::screen::PolicySettings;
using stoa::screen::RuleHit;
using stoa::screen::RuleSet;
using stoa::screen::RulesHolder;
using stoa::screen::Screener;
using stoa::screen::Screening;

std::string g_rules_path = std::string(STOA_SOURCE_DIR) + "/rules/stoa.rules";
std::string g_model_path;  // empty: train the default model from screening/examples.csv
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

std::shared_ptr<const Classifier> g_classifier;

// The default model as the build trains it (src/app/CMakeLists.txt, stoa_default_model).
stoa::Result<std::shared_ptr<const Classifier>> TrainDefaultModel() {
  stoa::screen::LabelledCsvOptions csv;
  csv.text_column = "text";
  csv.label_column = "label";
  ASSIGN_OR_RETURN(stoa::screen::LabelledCsv data,
                   stoa::screen::ReadLabelledCsv(
                       std::string(STOA_SOURCE_DIR) + "/screening/examples.csv", csv));
  stoa::screen::TrainingOptions o;
  o.negative_labels = {"nothing"};
  ASSIGN_OR_RETURN(o.category_map,
                   stoa::screen::ParseCategoryMap(
                       "violence=violence,threat=threat,incitement=incitement,"
                       "glorification=glorification,terrorism=terrorism,spam=spam"));
  o.parameters.epoch = 100;
  o.parameters.lr = 0.5;
  o.parameters.dim = 32;
  o.parameters.minn = 3;
  o.parameters.maxn = 5;
  o.parameters.bucket = 20000;
  o.parameters.threads = 1;
  o.parameters.seed = 1;
  o.flag_threshold = 0.98f;
  o.hold_threshold = 0.99f;
  ASSIGN_OR_RETURN(auto lexicon, stoa::screen::ClassifierFeatures::Load(
                                     {std::string(STOA_SOURCE_DIR) + "/rules/lexicon.rules"}));
  o.features = lexicon->texts();
  ASSIGN_OR_RETURN(stoa::screen::ClassifierFile file,
                   stoa::screen::TrainClassifier(data.examples, o));
  return Classifier::FromFile(file);
}

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

void BM_Classify(benchmark::State& state) {
  const Classifier& classifier = *g_classifier;
  const std::vector<Post> posts = MakePosts(state.range(0) != 0);
  std::vector<std::string> normalized;
  for (const Post& p : posts) normalized.push_back(Normalize(p.text).text);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(classifier.Predict(normalized[i++ % normalized.size()]));
  }
  state.SetItemsProcessed(state.iterations());
}

// The whole chain as a post goes through it in the server (Screener::Screen): normalise, match
// the rules, classify, apply the policy (the configuration's default thresholds).
void BM_Chain(benchmark::State& state) {
  const RulesHolder rules(g_rules);
  const ClassifierHolder model(g_classifier);
  const Screener screener(rules, model, PolicySettings{});
  const std::vector<Post> posts = MakePosts(state.range(0) != 0);
  Screening out;
  size_t i = 0;
  for (auto _ : state) {
    const size_t k = i++ % posts.size();
    if (!screener.Screen(posts[k].text, posts[k].language, /*surge=*/false, &out).ok()) {
      state.SkipWithError("screening failed");
      break;
    }
    benchmark::DoNotOptimize(out.policy.verdict);
  }
  state.SetItemsProcessed(state.iterations());
}

// The chain's latency distribution: every post timed on its own (steady_clock, wall time, so on a
// shared machine the tail includes preemption); p50, p99 and p99.9 in microseconds as counters.
void BM_ChainLatency(benchmark::State& state) {
  const RulesHolder rules(g_rules);
  const ClassifierHolder model(g_classifier);
  const Screener screener(rules, model, PolicySettings{});
  const std::vector<Post> posts = MakePosts(state.range(0) != 0);
  Screening out;
  std::vector<double> micros;
  micros.reserve(1 << 20);
  size_t i = 0;
  for (auto _ : state) {
    const size_t k = i++ % posts.size();
    const auto start = std::chrono::steady_clock::now();
    if (!screener.Screen(posts[k].text, posts[k].language, /*surge=*/false, &out).ok()) {
      state.SkipWithError("screening failed");
      break;
    }
    benchmark::DoNotOptimize(out.policy.verdict);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    if (micros.size() < micros.capacity()) {
      micros.push_back(std::chrono::duration<double, std::micro>(elapsed).count());
    }
  }
  state.SetItemsProcessed(state.iterations());
  if (micros.empty()) return;
  std::sort(micros.begin(), micros.end());
  const auto at = [&](double q) {
    return micros[std::min(micros.size() - 1, static_cast<size_t>(q * static_cast<double>(micros.size())))];
  };
  state.counters["p50_us"] = at(0.50);
  state.counters["p99_us"] = at(0.99);
  state.counters["p999_us"] = at(0.999);
}

// The SimHash fingerprint of a normalised 500-byte post.
void BM_Fingerprint(benchmark::State& state) {
  const std::vector<Post> posts = MakePosts(false);
  std::vector<std::string> normalized;
  for (const Post& p : posts) normalized.push_back(Normalize(p.text).text);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(stoa::screen::FingerprintNormalized(normalized[i++ % normalized.size()]));
  }
  state.SetItemsProcessed(state.iterations());
}

// A near-duplicate query against range(0) stored fingerprints (random 64-bit values, as the
// fingerprints of unrelated posts are) with an index for distance range(1); the queries are the
// posts' fingerprints plus, every fourth query, one planted 2 bits from a stored entry (a hit).
void BM_NearDuplicateFind(benchmark::State& state) {
  const auto stored = static_cast<size_t>(state.range(0));
  stoa::screen::NearDuplicateIndex index(static_cast<int>(state.range(1)));
  std::mt19937_64 rng(7);
  std::vector<uint64_t> queries;
  for (size_t k = 0; k < stored; ++k) {
    const uint64_t h = rng();
    index.Add(h, k);
    if (k % 1000 == 0) queries.push_back(h ^ 0x0000100000000100ull);
  }
  for (const Post& p : MakePosts(false)) queries.push_back(stoa::screen::FingerprintText(p.text).simhash);
  std::shuffle(queries.begin(), queries.end(), rng);
  size_t i = 0;
  size_t found = 0;
  for (auto _ : state) {
    const auto m = index.FindNearest(queries[i++ % queries.size()]);
    found += m.has_value() ? 1 : 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["hits_%"] = benchmark::Counter(100.0 * static_cast<double>(found) / static_cast<double>(i));
}

// On a shared machine the fastest of several repetitions is the best estimate of what a post
// costs on an uncontended core: with --benchmark_repetitions=N, "_min" reports it (for the
// times; for items_per_second "_min" is the slowest repetition, use 1e9 / min time instead).
double Min(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

BENCHMARK(BM_Normalize)->ArgName("with_hits")->Arg(0)->Arg(1)->ComputeStatistics("min", Min);
BENCHMARK(BM_Match)->ArgName("with_hits")->Arg(0)->Arg(1)->ComputeStatistics("min", Min);
BENCHMARK(BM_NormalizeAndMatch)->ArgName("with_hits")->Arg(0)->Arg(1)->ComputeStatistics("min", Min);
BENCHMARK(BM_Classify)->ArgName("with_hits")->Arg(0)->Arg(1)->ComputeStatistics("min", Min);
BENCHMARK(BM_Chain)->ArgName("with_hits")->Arg(0)->Arg(1)->ComputeStatistics("min", Min);
BENCHMARK(BM_Fingerprint)->ComputeStatistics("min", Min);
BENCHMARK(BM_NearDuplicateFind)
    ->ArgNames({"stored", "distance"})
    ->Args({50000, 3})
    ->Args({50000, 7})
    ->Args({50000, 10})
    ->Args({200000, 10})
    ->ComputeStatistics("min", Min);
BENCHMARK(BM_ChainLatency)->ArgName("with_hits")->Arg(1)->ComputeStatistics("min", Min);

}  // namespace

int main(int argc, char** argv) {
  // Our own flag first; the rest goes to Google Benchmark.
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--rules") == 0 && i + 1 < argc) {
      g_rules_path = argv[++i];
    } else if (std::strcmp(argv[i], "--model") == 0 && i + 1 < argc) {
      g_model_path = argv[++i];
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
  {
    // The same with the compiled-rules cache: the first load compiles and writes it, the second
    // deserialises it (what a restart or a reload of unchanged rules costs).
    std::string dir = (std::filesystem::temp_directory_path() / "stoa-screen-bench-XXXXXX").string();
    if (::mkdtemp(dir.data()) != nullptr) {
      std::string times;
      for (int round = 0; round < 2; ++round) {
        const auto t0 = std::chrono::steady_clock::now();
        auto cached = RuleSet::Load(g_rules_path, dir);
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - t0).count();
        if (!cached.ok()) break;
        times += (round == 0 ? "first (compiled, cache written) " : ", second (") +
                 std::to_string(ms) + " ms" + (round == 0 ? "" : (*cached)->from_cache() ? ", from cache)" : ", NOT from cache)");
      }
      std::filesystem::remove_all(dir);
      benchmark::AddCustomContext("rules_load_with_cache", times);
    }
  }
  const auto model_start = std::chrono::steady_clock::now();
  auto classifier = g_model_path.empty() ? TrainDefaultModel() : Classifier::Load(g_model_path);
  const auto model_elapsed = std::chrono::steady_clock::now() - model_start;
  if (!classifier.ok()) {
    std::fprintf(stderr, "%s\n", classifier.status().message().c_str());
    return 1;
  }
  g_classifier = *classifier;
  const auto& p = g_classifier->metadata().parameters;
  benchmark::AddCustomContext(
      "model", (g_model_path.empty() ? std::string("default, trained from screening/examples.csv")
                                     : g_model_path) +
                   " (version " + g_classifier->version() + ", " +
                   std::to_string(g_classifier->metadata().labels.size()) + " labels, dim " +
                   std::to_string(p.dim) + ", word n-grams " + std::to_string(p.word_ngrams) +
                   ", char n-grams " + std::to_string(p.minn) + "-" + std::to_string(p.maxn) +
                   ", buckets " + std::to_string(p.bucket) + ")");
  benchmark::AddCustomContext(
      g_model_path.empty() ? "model_train_ms" : "model_load_ms",
      std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(model_elapsed).count()));
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
