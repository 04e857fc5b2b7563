// Seeds a benchmark database straight through the storage layer (much faster than the API):
// N accounts, each following F others, and S statuses spread over 30 days, with hashtags and
// mentions rendered as the server would. Writes one access token per sampled account to a file.
//
// Usage: stoa_bench_seed --data DIR --accounts 10000 --follows 100 --statuses 1000000
//                        --tokens FILE --token-accounts 2000 [--seed 42]
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <vector>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/id.h"
#include "common/random.h"
#include "social/content_renderer.h"
#include "storage/sqlite/sqlite_storage.h"

namespace stoa::bench {
namespace {

constexpr const char* kWords[] = {
    "the", "city", "council", "voted", "on", "bike", "lanes", "tonight", "garden", "tomatoes",
    "market", "bread", "sunrise", "ridge", "photo", "train", "late", "again", "coffee", "good",
    "morning", "news", "weather", "rain", "library", "books", "music", "concert", "river", "walk"};
constexpr const char* kTags[] = {"news", "gardening", "cycling", "photography", "music",
                                 "books", "weather", "food", "hiking", "coffee"};

int Run(int argc, char** argv) {
  std::string data, tokens_path;
  int accounts = 10000, follows = 100, token_accounts = 2000;
  int64_t statuses = 1000000;
  uint64_t seed = 42;
  CLI::App cli{"Seed a stoa benchmark database"};
  cli.add_option("--data", data)->required();
  cli.add_option("--accounts", accounts);
  cli.add_option("--follows", follows);
  cli.add_option("--statuses", statuses);
  cli.add_option("--tokens", tokens_path)->required();
  cli.add_option("--token-accounts", token_accounts);
  cli.add_option("--seed", seed);
  CLI11_PARSE(cli, argc, argv);

  storage::sqlite::DatabaseOptions options;
  options.synchronous = "normal";  // seeding only; the server runs with FULL
  auto opened = storage::sqlite::SqliteStorage::Open(data + "/stoa.db", options);
  if (!opened.ok()) {
    std::fprintf(stderr, "seed: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  storage::Storage& store = **opened;
  SeededRandom random(seed);
  // Statuses spread over the 30 days before now.
  const Timestamp end = SystemClock().Now();
  FakeClock clock(end - std::chrono::hours(24 * 30) - std::chrono::minutes(5));
  IdGenerator ids(clock);
  const std::string base_url = "http://127.0.0.1:8080";
  social::ContentRenderer renderer(base_url, "127.0.0.1:8080");
  PasswordHasher hasher(PasswordHasher::Cost::kMinimal);
  const std::string password_hash = *hasher.Hash("benchmark-password");

  std::vector<Id> account_ids(accounts);
  std::vector<std::string> usernames(accounts);
  constexpr int kBatch = 2000;
  for (int start = 0; start < accounts; start += kBatch) {
    Status st = store.Write([&](storage::Transaction& tx) -> Status {
      for (int i = start; i < std::min(accounts, start + kBatch); ++i) {
        Account a;
        a.id = ids.Next();
        a.username = "user" + std::to_string(i);
        a.display_name = "User " + std::to_string(i);
        a.note = "Benchmark account number " + std::to_string(i);
        a.note_html = "<p>" + a.note + "</p>";
        a.created_at = a.updated_at = clock.Now();
        User u;
        u.account_id = a.id;
        u.email = a.username + "@bench.invalid";
        u.password_hash = password_hash;
        u.created_at = a.created_at;
        RETURN_IF_ERROR(tx.accounts().Create(a, u));
        account_ids[i] = a.id;
        usernames[i] = a.username;
      }
      return Status::Ok();
    });
    if (!st.ok()) {
      std::fprintf(stderr, "seed accounts: %s\n", st.ToString().c_str());
      return 1;
    }
  }
  std::fprintf(stderr, "seeded %d accounts\n", accounts);

  // Follows: each account follows `follows` distinct others.
  std::vector<int64_t> followers(accounts, 0);
  for (int start = 0; start < accounts; start += 500) {
    Status st = store.Write([&](storage::Transaction& tx) -> Status {
      for (int i = start; i < std::min(accounts, start + 500); ++i) {
        std::vector<int> chosen;
        while (static_cast<int>(chosen.size()) < std::min(follows, accounts - 1)) {
          const int j = static_cast<int>(random.Uniform(accounts));
          if (j == i || std::find(chosen.begin(), chosen.end(), j) != chosen.end()) continue;
          chosen.push_back(j);
          Follow f;
          f.id = ids.Next();
          f.account_id = account_ids[i];
          f.target_account_id = account_ids[j];
          f.created_at = clock.Now();
          RETURN_IF_ERROR(tx.relationships().InsertFollow(f));
          ++followers[j];
        }
        RETURN_IF_ERROR(tx.accounts().AdjustCounts(account_ids[i], 0, 0, static_cast<int64_t>(chosen.size())));
      }
      return Status::Ok();
    });
    if (!st.ok()) {
      std::fprintf(stderr, "seed follows: %s\n", st.ToString().c_str());
      return 1;
    }
  }
  Status counts = store.Write([&](storage::Transaction& tx) -> Status {
    for (int i = 0; i < accounts; ++i) {
      RETURN_IF_ERROR(tx.accounts().AdjustCounts(account_ids[i], 0, followers[i], 0));
    }
    return Status::Ok();
  });
  if (!counts.ok()) return 1;
  std::fprintf(stderr, "seeded %lld follows\n", static_cast<long long>(accounts) * follows);

  // Statuses, evenly over 30 days.
  const auto step = std::chrono::duration_cast<Duration>(std::chrono::hours(24 * 30)) / std::max<int64_t>(1, statuses);
  std::vector<int64_t> posted(accounts, 0);
  auto no_mentions = [](std::string_view) -> std::optional<social::MentionTarget> { return std::nullopt; };
  for (int64_t start = 0; start < statuses; start += kBatch) {
    Status st = store.Write([&](storage::Transaction& tx) -> Status {
      for (int64_t n = start; n < std::min(statuses, start + kBatch); ++n) {
        clock.Advance(step.count() > 0 ? step : Duration(1));
        const int author = static_cast<int>(random.Uniform(accounts));
        std::string text;
        const int words = 8 + static_cast<int>(random.Uniform(20));
        for (int w = 0; w < words; ++w) {
          if (w) text += ' ';
          text += kWords[random.Uniform(std::size(kWords))];
        }
        if (random.Uniform(3) == 0) text += std::string(" #") + kTags[random.Uniform(std::size(kTags))];
        Post p;
        p.id = ids.Next();
        p.account_id = account_ids[author];
        p.text = text;
        auto rendered = renderer.Render(text, no_mentions);
        p.content_html = rendered.html;
        p.tags = rendered.tags;
        p.thread_root_id = p.id;
        p.created_at = clock.Now();
        RETURN_IF_ERROR(tx.posts().Insert(p));
        ++posted[author];
      }
      return Status::Ok();
    });
    if (!st.ok()) {
      std::fprintf(stderr, "seed statuses: %s\n", st.ToString().c_str());
      return 1;
    }
    if ((start / kBatch) % 50 == 0) std::fprintf(stderr, "  %lld statuses\n", static_cast<long long>(start));
  }
  Status status_counts = store.Write([&](storage::Transaction& tx) -> Status {
    for (int i = 0; i < accounts; ++i) {
      RETURN_IF_ERROR(tx.accounts().RecordStatus(account_ids[i], posted[i], clock.Now()).status());
    }
    return Status::Ok();
  });
  if (!status_counts.ok()) return 1;
  std::fprintf(stderr, "seeded %lld statuses\n", static_cast<long long>(statuses));
  // Index them for search now, in large batches, so the server starts with an empty queue.
  while (true) {
    int applied = 0;
    Status st = store.Write([&](storage::Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(applied, tx.posts().IndexPendingSearch(20000));
      return Status::Ok();
    });
    if (!st.ok()) {
      std::fprintf(stderr, "seed search index: %s\n", st.ToString().c_str());
      return 1;
    }
    if (applied == 0) break;
  }
  std::fprintf(stderr, "indexed for search\n");

  // Tokens for a sample of accounts (the load generator picks among them).
  SecureRandom secure;
  std::ofstream out(tokens_path, std::ios::trunc);
  Status tokens = store.Write([&](storage::Transaction& tx) -> Status {
    for (int i = 0; i < std::min(token_accounts, accounts); ++i) {
      const int who = static_cast<int>((static_cast<int64_t>(i) * accounts) / std::min(token_accounts, accounts));
      const std::string token = RandomToken(secure);
      AccessToken t;
      t.id = ids.Next();
      t.token_hash = Sha256Hex(token);
      t.account_id = account_ids[who];
      t.scopes = *ScopeSet::Parse("read write follow");
      t.created_at = clock.Now();
      RETURN_IF_ERROR(tx.oauth().InsertToken(t));
      out << token << '\n';
    }
    return Status::Ok();
  });
  if (!tokens.ok()) return 1;
  std::fprintf(stderr, "wrote %d tokens to %s\n", std::min(token_accounts, accounts), tokens_path.c_str());
  return 0;
}

}  // namespace
}  // namespace stoa::bench

int main(int argc, char** argv) { return stoa::bench::Run(argc, argv); }
