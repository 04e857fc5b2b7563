// Durable write throughput through Database::Write (group commit, synchronous=FULL) with 1, 8, 64
// and 256 concurrent writer threads.
//
//   stoa_sqlite_write_bench [--benchmark_filter=...]
//
// The database lives in a fresh directory under $STOA_BENCH_DIR (default: the current directory),
// so run it from a directory on the disk whose fsync you want to measure;
// STOA_BENCH_SYNCHRONOUS=normal shows what durability costs (not durable on power loss).
// items_per_second is acknowledged (durable) writes per second; jobs_per_batch is the mean
// group-commit size; writer_cpu_us_per_job is the writer thread's CPU time per write (Linux only).
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include "storage/sqlite/database.h"

namespace stoa::storage::sqlite {
namespace {

constexpr const char kCreateRows[] =
    "CREATE TABLE bench_rows(id INTEGER PRIMARY KEY, writer INTEGER NOT NULL, body TEXT NOT NULL)";
constexpr const char kInsertRow[] = "INSERT INTO bench_rows(writer, body) VALUES(?, ?)";

// Roughly what creating a status writes in one transaction: the status, its counters, a mention,
// a tag, a notification and the author's counter (the fan-out to followers is in memory).
constexpr const char kCreateStatusLike[] =
    "CREATE TABLE b_accounts(id INTEGER PRIMARY KEY, statuses INTEGER NOT NULL DEFAULT 0);"
    "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 999)"
    "  INSERT INTO b_accounts(id) SELECT i FROM n;"
    "CREATE TABLE b_statuses(id INTEGER PRIMARY KEY, account INTEGER NOT NULL, text TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL);"
    "CREATE INDEX b_statuses_account ON b_statuses(account, id);"
    "CREATE TABLE b_status_stats(status INTEGER PRIMARY KEY, replies INTEGER, boosts INTEGER);"
    "CREATE TABLE b_mentions(status INTEGER, account INTEGER, PRIMARY KEY(status, account));"
    "CREATE TABLE b_status_tags(status INTEGER, tag TEXT, PRIMARY KEY(status, tag)) WITHOUT ROWID;"
    "CREATE TABLE b_notifications(id INTEGER PRIMARY KEY, account INTEGER NOT NULL,"
    "  status INTEGER NOT NULL);"
    "CREATE INDEX b_notifications_account ON b_notifications(account, id)";
constexpr const char kInsertStatus[] =
    "INSERT INTO b_statuses(account, text, created_at) VALUES(?, ?, ?)";
constexpr const char kInsertStats[] = "INSERT INTO b_status_stats VALUES(?, 0, 0)";
constexpr const char kInsertMention[] = "INSERT INTO b_mentions VALUES(?, ?)";
constexpr const char kInsertTag[] = "INSERT INTO b_status_tags VALUES(?, 'stoa')";
constexpr const char kInsertNotification[] =
    "INSERT INTO b_notifications(account, status) VALUES(?, ?)";
constexpr const char kCountStatus[] = "UPDATE b_accounts SET statuses = statuses + 1 WHERE id = ?";

const std::string kBody(120, 'x');

struct Fixture {
  std::string dir;
  std::unique_ptr<Database> db;
  WriterStats start;
  double start_cpu = 0;
};

// Set up by thread 0 before the timed loop; the library starts no thread's loop before all are
// ready and lets no thread leave it before all are done.
Fixture* fixture = nullptr;

// CPU seconds used so far by the writer thread (found by its name), or -1. On a machine shared
// with other work this shows what each write costs the writer, whatever the wall clock says.
double WriterCpuSeconds() {
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    if (!std::getline(comm, name) || name != "stoa-db-writer") continue;
    std::ifstream stat(task.path() / "stat");
    std::string line;
    std::getline(stat, line);
    // Fields after the parenthesised name: state is field 3, utime 14, stime 15.
    std::istringstream fields(line.substr(line.rfind(')') + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
      if (i >= 14) ticks += std::stod(field);
    }
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  return -1;
}

void SetUp(benchmark::State& state) {
  const char* base = std::getenv("STOA_BENCH_DIR");
  std::string pattern = std::string(base != nullptr ? base : ".") + "/stoa-sqlite-bench-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  DatabaseOptions options;
  if (const char* sync = std::getenv("STOA_BENCH_SYNCHRONOUS")) options.synchronous = sync;
  auto db = Database::Open(pattern + "/bench.db", options);
  if (!db.ok()) {
    state.SkipWithError(db.status().ToString().c_str());
    return;
  }
  auto migrated = (*db)->Migrate({{1, "rows", kCreateRows}, {2, "status_like", kCreateStatusLike}});
  if (!migrated.ok()) {
    state.SkipWithError(migrated.status().ToString().c_str());
    return;
  }
  fixture = new Fixture{pattern, std::move(db).value(), {}};
  fixture->start = fixture->db->writer_stats();
  fixture->start_cpu = WriterCpuSeconds();
}

void TearDown(benchmark::State& state) {
  const WriterStats end = fixture->db->writer_stats();
  const int64_t batches = end.batches - fixture->start.batches;
  const int64_t jobs = end.jobs - fixture->start.jobs;
  if (batches > 0) {
    state.counters["jobs_per_batch"] = static_cast<double>(jobs) / static_cast<double>(batches);
  }
  const double cpu = WriterCpuSeconds();
  if (cpu >= 0 && jobs > 0) {
    state.counters["writer_cpu_us_per_job"] =
        (cpu - fixture->start_cpu) * 1e6 / static_cast<double>(jobs);
  }
  fixture->db.reset();
  std::filesystem::remove_all(fixture->dir);
  delete fixture;
  fixture = nullptr;
}

template <typename MakeJob>
void RunWriters(benchmark::State& state, MakeJob make_job) {
  if (state.thread_index() == 0) SetUp(state);
  const int64_t writer = state.thread_index();
  int64_t seq = 0;
  for (auto _ : state) {
    Status st = fixture->db->Write(make_job(writer, seq++));
    if (!st.ok()) {
      state.SkipWithError(st.ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) TearDown(state);
}

void BM_DurableSingleRowInsert(benchmark::State& state) {
  RunWriters(state, [](int64_t writer, int64_t) {
    return [writer](Connection& c) {
      return c.Prepare(kInsertRow).Bind(1, writer).Bind(2, kBody).Run();
    };
  });
}

void BM_DurableStatusLikeWrite(benchmark::State& state) {
  RunWriters(state, [](int64_t writer, int64_t seq) {
    return [writer, seq](Connection& c) -> Status {
      const int64_t account = writer % 1000;
      const int64_t mentioned = (writer + 1) % 1000;
      RETURN_IF_ERROR(c.Prepare(kInsertStatus).Bind(1, account).Bind(2, kBody).Bind(3, seq).Run());
      const int64_t status = c.LastInsertRowId();
      RETURN_IF_ERROR(c.Prepare(kInsertStats).Bind(1, status).Run());
      RETURN_IF_ERROR(c.Prepare(kInsertMention).Bind(1, status).Bind(2, mentioned).Run());
      RETURN_IF_ERROR(c.Prepare(kInsertTag).Bind(1, status).Run());
      RETURN_IF_ERROR(c.Prepare(kInsertNotification).Bind(1, mentioned).Bind(2, status).Run());
      RETURN_IF_ERROR(c.Prepare(kCountStatus).Bind(1, account).Run());
      return Status::Ok();
    };
  });
}

BENCHMARK(BM_DurableSingleRowInsert)
    ->Threads(1)
    ->Threads(8)
    ->Threads(64)
    ->Threads(256)
    ->UseRealTime()
    ->MinTime(2.0);
BENCHMARK(BM_DurableStatusLikeWrite)
    ->Threads(1)
    ->Threads(8)
    ->Threads(64)
    ->Threads(256)
    ->UseRealTime()
    ->MinTime(2.0);

}  // namespace
}  // namespace stoa::storage::sqlite

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);  // no migration chatter between the result lines
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
