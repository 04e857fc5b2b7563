#include "app/rescan_command.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "app/app.h"
#include "app/data_dir_lock.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/random.h"
#include "common/time_format.h"
#include "safety/screening_rescan.h"
#include "safety/transparency.h"

namespace stoa::app {
namespace {

constexpr int kFailure = 1;
constexpr int kUsageError = 2;

int Report(int code, const std::string& message) {
  std::fprintf(stderr, "stoa: %s\n", message.c_str());
  return code;
}

}  // namespace

RescanCommand::RescanCommand(CLI::App& cli) {
  screen_ = cli.add_subcommand(
      "screen",
      "Screen already published statuses again with the current rules and model; hits open or "
      "join cases (retroaction)");
  screen_->add_option("--data", o_.data, "Data directory (the SQLite database is DIR/stoa.db)")
      ->required();
  screen_->add_option("--config", o_.config, "TOML configuration file")->check(CLI::ExistingFile);
  screen_->add_option("--since", o_.since,
                      "Statuses created from this date (YYYY-MM-DD, UTC) or ISO 8601 time")
      ->required();
  screen_->add_option("--until", o_.until, "... until this date or time (exclusive; default: now)");
  screen_->add_option("--rules", o_.rules, "Rules file (overrides screening.rules)")
      ->check(CLI::ExistingFile);
  screen_->add_option("--model", o_.model, "Classifier model (overrides screening.model)")
      ->check(CLI::ExistingFile);
  screen_->add_option("--batch-size", o_.batch_size,
                      "Statuses per batch (each batch is one write transaction)")
      ->capture_default_str();
}

std::optional<int> RescanCommand::Run() const {
  if (screen_->parsed()) return Screen();
  return std::nullopt;
}

int RescanCommand::Screen() const {
  safety::RescanOptions options;
  auto since = safety::ParsePeriodBound(o_.since);
  if (!since) return Report(kUsageError, "--since must be a date (YYYY-MM-DD) or an ISO 8601 time");
  options.since = *since;
  if (!o_.until.empty()) {
    auto until = safety::ParsePeriodBound(o_.until);
    if (!until) {
      return Report(kUsageError, "--until must be a date (YYYY-MM-DD) or an ISO 8601 time");
    }
    options.until = *until;
  }
  options.batch_size = o_.batch_size;
  if (Status st = options.Validate(); !st.ok()) {
    std::string message = st.message();
    if (message.rfind("until", 0) == 0) message = "--until must be after --since";
    if (message.rfind("batch_size", 0) == 0) message = "--batch-size" + message.substr(10);
    return Report(kUsageError, message);
  }
  if (!std::filesystem::exists(std::filesystem::path(o_.data) / "stoa.db")) {
    return Report(kUsageError, "no database at " + o_.data + "/stoa.db");
  }

  // A running server would not see the cases this opens (its caches); it rescans itself.
  auto lock = DataDirLock::Acquire(o_.data);
  if (!lock.ok()) {
    return Report(kFailure, lock.status().message() +
                                "; ask it instead: POST /api/v1/admin/screening/rescan");
  }
  auto config = LoadConfig(o_.config, ProcessEnvironment());
  if (!config.ok()) return Report(kFailure, config.status().message());
  spdlog::set_level(spdlog::level::from_str(config->log.level));
  // The command asks for screening whatever screening.enabled says for the server.
  config->screening.enabled = true;
  if (!o_.rules.empty()) config->screening.rules = o_.rules;
  if (!o_.model.empty()) config->screening.model = o_.model;
  SystemClock clock;
  SecureRandom random;
  auto app = App::Open(o_.data, std::move(config).value(), clock, random);
  if (!app.ok()) return Report(kFailure, app.status().message());
  safety::ScreeningService* screening = (*app)->screening();
  if (screening == nullptr) return Report(kFailure, "screening could not be set up");
  if (Status st = screening->Load(); !st.ok()) {
    return Report(kFailure, "screening: " + st.message());
  }
  std::printf("screening statuses since %s%s with rules %s (version %s) and model %s (version %s)\n",
              FormatIso8601(options.since).c_str(),
              options.until ? (" until " + FormatIso8601(*options.until)).c_str() : "",
              screening->settings().rules_path.c_str(), screening->rules().Get()->version().c_str(),
              screening->settings().model_path.c_str(), screening->model().Get()->version().c_str());
  std::fflush(stdout);

  // Progress at most once a second.
  auto last_print = std::chrono::steady_clock::now();
  const auto progress = [&](const ScreeningRescanJob& job) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_print < std::chrono::seconds(1)) return;
    last_print = now;
    std::printf("  %lld of %lld statuses, %lld flagged\n", static_cast<long long>(job.scanned),
                static_cast<long long>(job.total), static_cast<long long>(job.flagged));
    std::fflush(stdout);
  };
  safety::ScreeningRescan rescan((*app)->core(), *screening);
  auto job = rescan.Run(options, progress);
  if (!job.ok()) return Report(kFailure, job.status().message());
  if (job->state != "done") {
    return Report(kFailure, "rescan " + job->state + " after " + std::to_string(job->scanned) +
                                " statuses: " + job->error);
  }
  std::printf("scanned %lld statuses: %lld flagged, %lld cases opened, %lld joined, %lld skipped "
              "(rescan %s)\n",
              static_cast<long long>(job->scanned), static_cast<long long>(job->flagged),
              static_cast<long long>(job->cases_opened), static_cast<long long>(job->cases_joined),
              static_cast<long long>(job->skipped), IdToString(job->id).c_str());
  return 0;
}

}  // namespace stoa::app
