// Trust-and-safety budgets (DESIGN section 10, issue 3):
//  1. notices: N notices (default 26,000) sent through the HTTP API by C keep-alive clients, a
//     third of them about targets that were already reported, are all confirmed (200 with a
//     reference), merged and queued with deadlines; prints the wall time (budget: 10 s).
//  2. claims: with M open cases (default 1,000,000) in the queue, K moderators' claims of the queue
//     head (CaseService::ClaimNext: lease expiry, head, conditional claim, audit entry, commit);
//     prints p50/p99/max latency (budget: p99 < 1 ms).
// Usage: stoa_safety_bench [--notices N] [--clients C] [--cases M] [--claims K]
//                          [--synchronous full|normal] [--dir DIR] [--preallocate-wal 0|1]
// With --dir the data stays; a later run with the same --dir and at least M open cases there
// skips the seeding (minutes for 1,000,000 cases) and claims the next unclaimed heads.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "app/app.h"
#include "common/clock.h"
#include "common/random.h"
#include "common/time_format.h"

namespace stoa::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// A minimal HTTP/1.1 keep-alive client for POSTs with a JSON body.
class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      std::fprintf(stderr, "connect failed\n");
      std::exit(1);
    }
  }
  ~Client() { close(fd_); }

  // Returns the status code and puts the body in `body`.
  int Post(const std::string& path, const std::string& json, std::string& body) {
    std::string req = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      "Content-Length: " + std::to_string(json.size()) + "\r\n\r\n" + json;
    size_t sent = 0;
    while (sent < req.size()) {
      const ssize_t n = send(fd_, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return -1;
      sent += static_cast<size_t>(n);
    }
    size_t header_end;
    while ((header_end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return -1;
    }
    const int status = std::atoi(buf_.c_str() + 9);
    size_t length = 0;
    std::string headers = buf_.substr(0, header_end);
    for (auto& ch : headers) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (auto p = headers.find("content-length:"); p != std::string::npos) {
      length = std::strtoul(headers.c_str() + p + 15, nullptr, 10);
    }
    while (buf_.size() < header_end + 4 + length) {
      if (!Fill()) return -1;
    }
    body = buf_.substr(header_end + 4, length);
    buf_.erase(0, header_end + 4 + length);
    return status;
  }

 private:
  bool Fill() {
    char tmp[16384];
    const ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }
  int fd_;
  std::string buf_;
};

struct Args {
  int notices = 26000;
  int clients = 16;
  int cases = 1000000;
  int claims = 2000;
  std::string synchronous = "full";
  std::string dir;
  bool preallocate_wal = true;
};

Account MakeAccount(Id id, const std::string& name, Timestamp now) {
  Account a;
  a.id = id;
  a.username = name;
  a.display_name = name;
  a.created_at = now;
  a.updated_at = now;
  return a;
}

std::unique_ptr<app::App> OpenApp(const std::string& dir, const Args& args, const stoa::Clock& clock,
                                  Random& random) {
  auto config = LoadConfig("", {});
  Config c = *config;
  c.rate_limits.enabled = false;
  c.server.access_log = false;
  c.log.level = "warn";
  c.storage.synchronous = args.synchronous;
  c.storage.preallocate_wal = args.preallocate_wal;
  c.security.password_hash_cost = "minimal";
  auto app = app::App::Open(dir, c, clock, random);
  if (!app.ok()) {
    std::fprintf(stderr, "open: %s\n", app.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(app).value();
}

int NoticesBench(const Args& args, const std::string& dir) {
  SystemClock clock;
  SecureRandom random;
  auto app = OpenApp(dir, args, clock, random);
  // Targets: two thirds of the notices are about distinct posts, a third repeat one of them.
  const int targets = args.notices - args.notices / 3;
  const int authors = 100;
  std::vector<std::string> urls;
  urls.reserve(targets);
  auto& core = app->core();
  Status st = app->storage().Write([&](storage::Transaction& tx) -> Status {
    std::vector<Id> author_ids;
    for (int i = 0; i < authors; ++i) {
      Account a = MakeAccount(core.ids().Next(), "author" + std::to_string(i), core.Now());
      User u;
      u.account_id = a.id;
      u.email = a.username + "@example.org";
      u.password_hash = "x";
      RETURN_IF_ERROR(tx.accounts().Create(a, u));
      author_ids.push_back(a.id);
    }
    for (int i = 0; i < targets; ++i) {
      Post p;
      p.id = core.ids().Next();
      p.account_id = author_ids[i % authors];
      p.text = "reported post " + std::to_string(i);
      p.content_html = "<p>" + p.text + "</p>";
      p.thread_root_id = p.id;
      p.created_at = core.Now();
      RETURN_IF_ERROR(tx.posts().Insert(p));
      urls.push_back(core.PostUrl("author" + std::to_string(i % authors), p.id));
    }
    return Status::Ok();
  });
  if (!st.ok()) {
    std::fprintf(stderr, "seed: %s\n", st.ToString().c_str());
    return 1;
  }
  if (Status s = app->Start("127.0.0.1:0"); !s.ok()) {
    std::fprintf(stderr, "start: %s\n", s.ToString().c_str());
    return 1;
  }
  const uint16_t port = app->port();
  std::vector<std::string> bodies;
  bodies.reserve(args.notices);
  for (int i = 0; i < args.notices; ++i) {
    // Notice i < targets reports post i; the rest repeat earlier posts.
    const std::string& url = urls[i < targets ? i : (i * 7919) % targets];
    bodies.push_back(R"({"explanation":"illegal content","locations":[")" + url +
                     R"("],"category":"STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH","good_faith":true,)"
                     R"("email":"n)" + std::to_string(i) + R"(@example.org"})");
  }
  std::atomic<int> next{0}, ok{0}, failed{0};
  auto* sqlite = dynamic_cast<storage::sqlite::SqliteStorage*>(&app->storage());
  const storage::sqlite::WriterStats before = sqlite->database().writer_stats();
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < args.clients; ++t) {
    threads.emplace_back([&] {
      Client client(port);
      std::string body;
      while (true) {
        const int i = next.fetch_add(1);
        if (i >= args.notices) break;
        const int status = client.Post("/api/v1/notices", bodies[i], body);
        if (status == 200 && body.find("\"reference\"") != std::string::npos) {
          ok.fetch_add(1);
        } else {
          failed.fetch_add(1);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = Seconds(Clock::now() - start);
  const storage::sqlite::WriterStats after = sqlite->database().writer_stats();
  const int64_t commits = after.batches - before.batches;
  const int64_t jobs = after.jobs - before.jobs;
  auto read = app->storage().Read();
  const int64_t open_cases = read->cases().CountOpen();
  const int64_t stored = read->notices().CountReceived(FromUnixMillis(0), core.Now() + std::chrono::hours(1));
  storage::CaseFilter all;
  all.now = core.Now();
  const auto head = read->cases().List(all, 1);
  std::printf("notices: %d sent by %d clients in %.2f s (%.0f/s): %d confirmed, %d failed; "
              "%lld stored, %lld open cases (expected %d), queue head deadline %s\n",
              args.notices, args.clients, elapsed, args.notices / elapsed, ok.load(), failed.load(),
              static_cast<long long>(stored), static_cast<long long>(open_cases), targets,
              head.empty() ? "none" : FormatIso8601(head[0].deadline_at).c_str());
  std::printf("notices: %lld write transactions in %lld group commits (%.1f per commit)\n",
              static_cast<long long>(jobs), static_cast<long long>(commits),
              commits > 0 ? static_cast<double>(jobs) / static_cast<double>(commits) : 0.0);
  app->Stop();
  return failed.load() == 0 && open_cases == targets ? 0 : 1;
}

// The floor of a durable commit on this disk: fdatasync() after a 4 KiB write to a file in
// `dir` (what SQLite does to the WAL at every commit with synchronous=FULL), `n` times.
void ProbeSync(const std::string& dir, int n) {
  const std::string path = dir + "/sync-probe";
  const int fd = ::open(path.c_str(), O_CREAT | O_RDWR | O_TRUNC, 0644);
  if (fd < 0) return;
  std::vector<char> page(4096, 'x');
  std::vector<double> micros;
  for (int i = 0; i < n; ++i) {
    if (::pwrite(fd, page.data(), page.size(), static_cast<off_t>(i % 64) * 4096) < 0) break;
    const auto t0 = Clock::now();
    if (::fdatasync(fd) != 0) break;
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  ::close(fd);
  ::unlink(path.c_str());
  if (micros.empty()) return;
  std::sort(micros.begin(), micros.end());
  auto pct = [&](double p) { return micros[static_cast<size_t>(p * (micros.size() - 1))]; };
  std::printf("disk: fdatasync after a 4 KiB write, %zu times: p50 %.0f us, p99 %.0f us, max %.0f us\n",
              micros.size(), pct(0.5), pct(0.99), micros.back());
}

int ClaimsBench(const Args& args, const std::string& dir) {
  SystemClock clock;
  SecureRandom random;
  auto app = OpenApp(dir, args, clock, random);
  auto& core = app->core();
  const auto seed_start = Clock::now();
  // With --dir, a directory an earlier run seeded is used again as it is (seeding 1,000,000 cases
  // takes minutes); the cases that run claimed stay claimed, so the head is the next unclaimed.
  const int64_t already = app->storage().Read()->cases().CountOpen();
  const bool reuse = !args.dir.empty() && already >= args.cases;
  if (reuse) std::printf("claims: reusing %lld open cases in %s\n", static_cast<long long>(already), dir.c_str());
  constexpr int kBatch = 2000;  // batches of the size the server commits, so the WAL starts over
  for (int done = 0; !reuse && done < args.cases;) {
    const int n = std::min(kBatch, args.cases - done);
    Status st = app->storage().Write([&](storage::Transaction& tx) -> Status {
      const Timestamp now = core.Now();
      for (int i = 0; i < n; ++i) {
        Case c;
        c.id = core.ids().Next();
        c.target_type = TargetType::kStatus;
        c.target_id = done + i + 1;
        c.account_id = 1 + (done + i) % 1000;
        c.category = Category::kIllegalOrHarmfulSpeech;
        c.urgency = 2;
        c.score = 300 + (done + i) % 97;
        // Deadlines spread over a week, so the head is not simply the oldest row.
        c.deadline_at = now + std::chrono::minutes(((done + i) * 7919LL) % (7 * 24 * 60));
        c.notices_count = 1;
        c.distinct_notifiers = 1;
        c.sources = SourceBit(NoticeSource::kAnonymous);
        c.created_at = now;
        c.updated_at = now;
        RETURN_IF_ERROR(tx.cases().Insert(c));
      }
      return Status::Ok();
    });
    if (!st.ok()) {
      std::fprintf(stderr, "seed cases: %s\n", st.ToString().c_str());
      return 1;
    }
    done += n;
  }
  if (!reuse) std::printf("claims: seeded %d open cases in %.1f s\n", args.cases, Seconds(Clock::now() - seed_start));
  app->PreallocateWal();  // as `stoa serve` does
  {
    struct stat wal{};
    if (::stat((dir + "/stoa.db-wal").c_str(), &wal) == 0) {
      std::printf("claims: the WAL holds %.1f MiB before the claims\n", wal.st_size / 1048576.0);
    }
  }
  ProbeSync(dir, 500);
  std::vector<double> micros;
  micros.reserve(args.claims);
  Timestamp last_deadline = Timestamp::min();
  bool ordered = true;
  for (int i = 0; i < args.claims; ++i) {
    const Id moderator = 1000 + i % 50;
    const auto t0 = Clock::now();
    auto claimed = app->cases().ClaimNext(moderator);
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    if (!claimed.ok()) {
      std::fprintf(stderr, "claim %d: %s\n", i, claimed.status().ToString().c_str());
      return 1;
    }
    if (claimed->deadline_at < last_deadline) ordered = false;
    last_deadline = claimed->deadline_at;
  }
  std::sort(micros.begin(), micros.end());
  auto pct = [&](double p) { return micros[static_cast<size_t>(p * (micros.size() - 1))]; };
  std::printf("claims: %d claims of the queue head among %d open cases (synchronous=%s): "
              "p50 %.0f us, p99 %.0f us, max %.0f us; claimed in queue order: %s\n",
              args.claims, args.cases, args.synchronous.c_str(), pct(0.5), pct(0.99), micros.back(),
              ordered ? "yes" : "NO");
  ProbeSync(dir, 500);
  return ordered ? 0 : 1;
}

int Run(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--notices") args.notices = std::atoi(value.c_str());
    else if (flag == "--clients") args.clients = std::atoi(value.c_str());
    else if (flag == "--cases") args.cases = std::atoi(value.c_str());
    else if (flag == "--claims") args.claims = std::atoi(value.c_str());
    else if (flag == "--synchronous") args.synchronous = value;
    else if (flag == "--dir") args.dir = value;
    else if (flag == "--preallocate-wal") args.preallocate_wal = value != "0";
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  const std::string base = args.dir.empty() ? std::filesystem::temp_directory_path().string() +
                                                  "/stoa-safety-bench-" + std::to_string(::getpid())
                                            : args.dir;
  int rc = 0;
  if (args.notices > 0) rc |= NoticesBench(args, base + "/notices");
  if (args.cases > 0) rc |= ClaimsBench(args, base + "/claims");
  if (args.dir.empty()) std::filesystem::remove_all(base);
  return rc;
}

}  // namespace
}  // namespace stoa::bench

int main(int argc, char** argv) { return stoa::bench::Run(argc, argv); }
