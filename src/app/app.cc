#include "app/app.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <thread>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "common/json_writer.h"
#include "http/api/streaming.h"
#include "safety/transparency.h"
#include "web/oauth_pages.h"

namespace stoa::app {

Result<std::pair<std::string, uint16_t>> ParseListen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return InvalidArgument("listen address must be HOST:PORT, got '" + listen + "'");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = -1;
  const std::string port_text = listen.substr(colon + 1);
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port < 0 || port > 65535) {
    return InvalidArgument("listen port must be 0-65535, got '" + port_text + "'");
  }
  return std::make_pair(host, static_cast<uint16_t>(port));
}

namespace {

// The directory of the running executable ("" when unknown).
std::filesystem::path ExecutableDir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : exe.parent_path();
}

// The first of `candidates` that exists, else the last one (so the error names a real guess).
std::string FirstExisting(const std::vector<std::filesystem::path>& candidates) {
  for (const auto& p : candidates) {
    std::error_code ec;
    if (!p.empty() && std::filesystem::exists(p, ec)) return p.string();
  }
  return candidates.back().string();
}

}  // namespace

std::string ScreeningRulesPath(const Config& config) {
  if (!config.screening.rules.empty()) return config.screening.rules;
  const auto dir = ExecutableDir();
  return FirstExisting({dir.empty() ? dir : dir / "rules" / "stoa.rules",
                        std::filesystem::path(STOA_SHIPPED_RULES)});
}

std::string ShippedLexiconPath() {
  const auto dir = ExecutableDir();
  return FirstExisting({dir.empty() ? dir : dir / "rules" / "lexicon.rules",
                        std::filesystem::path(STOA_SHIPPED_LEXICON)});
}

std::string ScreeningModelPath(const Config& config) {
  if (!config.screening.model.empty()) return config.screening.model;
  const auto dir = ExecutableDir();
  return FirstExisting({dir.empty() ? dir : dir / "default.model",
                        std::filesystem::path(STOA_BUILD_DEFAULT_MODEL)});
}

bool PrintAuditCheck(App& app) {
  auto read = app.storage().Read();
  const safety::AuditLog::VerifyResult r = app.audit_log().Verify(*read);
  if (!r.ok) {
    std::fprintf(stderr, "audit log BROKEN at seq %lld: %s (%lld entries checked)\n",
                 static_cast<long long>(r.first_broken_seq.value_or(0)), r.reason.c_str(),
                 static_cast<long long>(r.entries));
    return false;
  }
  std::printf("audit log OK: %lld entries checked, head %s\n", static_cast<long long>(r.entries),
              r.head_hash.c_str());
  return true;
}

App::App(Config config, const Clock& clock, Random& random)
    : config_(std::move(config)), clock_(clock), random_(random) {}

App::~App() { Stop(); }

// Trust-and-safety figures on /metrics. One snapshot (recomputed at most every 10 s) serves every
// series of a scrape; shared_ptr because the metric callbacks, which the Metrics object keeps,
// share it.
void RegisterSafetyMetrics(http::Metrics& metrics, social::Core& core) {
  auto t = std::make_shared<safety::Transparency>(core);
  metrics.AddCounter("stoa_notices_total", "Notices and reports received.",
                     [t] { return static_cast<double>(t->Metrics().notices_total); });
  metrics.AddGauge("stoa_cases_open", "Open cases (all categories without a label).",
                   [t] { return static_cast<double>(t->Metrics().cases_open); });
  for (Category c : AllCategories()) {
    const std::string name(CategoryName(c));
    metrics.AddGauge(
        "stoa_cases_open", "Open cases (all categories without a label).",
        [t, name] {
          const auto m = t->Metrics();
          auto it = m.cases_open_by_category.find(name);
          return it == m.cases_open_by_category.end() ? 0.0 : static_cast<double>(it->second);
        },
        "category=\"" + name + "\"");
  }
  metrics.AddGauge("stoa_case_oldest_open_age_seconds", "Age of the oldest open case.",
                   [t] { return t->Metrics().oldest_open_age_seconds; });
  metrics.AddCounter(
      "stoa_case_deadline_breaches_total",
      "Cases decided after their deadline, plus open cases past their deadline.",
      [t] { return static_cast<double>(t->Metrics().deadline_breaches_total); });
  metrics.AddHistogram(
      "stoa_case_time_to_action_seconds",
      "Time from a case's first notice to its decision (notice cases).", [t] {
        const storage::ActionTotals a = t->Metrics().actions;
        http::Metrics::HistogramValue v;
        const auto& bounds = storage::ActionBucketSeconds();
        for (size_t i = 0; i < bounds.size() && i < a.at_most.size(); ++i) {
          v.buckets.emplace_back(static_cast<double>(bounds[i]), static_cast<uint64_t>(a.at_most[i]));
        }
        v.sum = a.seconds_sum;
        v.count = static_cast<uint64_t>(a.decisions);
        return v;
      });
}

// Screening figures on /metrics: verdicts, time in the chain, surge mode, reloads.
void RegisterScreeningMetrics(http::Metrics& metrics, safety::ScreeningService& s) {
  for (screen::Verdict v : {screen::Verdict::kPublish, screen::Verdict::kPublishAndFlag,
                            screen::Verdict::kHold, screen::Verdict::kReject}) {
    metrics.AddCounter(
        "stoa_screenings_total", "Statuses and edits screened, by verdict.",
        [&s, v] { return static_cast<double>(s.count(v)); },
        "verdict=\"" + std::string(screen::VerdictName(v)) + "\"");
  }
  metrics.AddCounter("stoa_screening_seconds_total",
                     "Time spent in the screening chain (normalise, rules, classifier, policy).",
                     [&s] { return s.chain_seconds_total(); });
  metrics.AddHistogram("stoa_screening_duration_seconds",
                       "Time in the screening chain per status or edit (what it adds to "
                       "creating one).",
                       [&s] {
                         const auto counts = s.chain_histogram();
                         const auto& bounds = safety::ScreeningService::kChainBucketMicros;
                         http::Metrics::HistogramValue v;
                         for (size_t i = 0; i < bounds.size(); ++i) {
                           v.buckets.emplace_back(static_cast<double>(bounds[i]) / 1e6, counts[i]);
                         }
                         v.sum = s.chain_seconds_total();
                         v.count = counts.back();
                         return v;
                       });
  metrics.AddGauge("stoa_screening_surge",
                   "1 while surge mode lowers the hold thresholds (the open backlog is too large "
                   "or too old).",
                   [&s] { return s.Surge().active ? 1.0 : 0.0; });
  metrics.AddCounter("stoa_screening_reloads_total", "Successful reloads of rules and model.",
                     [&s] { return static_cast<double>(s.reloads()); });
  metrics.AddCounter("stoa_screening_reload_failures_total",
                     "Reloads refused because a new file was invalid (the old ones stay).",
                     [&s] { return static_cast<double>(s.failed_reloads()); });
  metrics.AddCounter("stoa_screening_duplicates_total",
                     "Posts and edits near the fingerprint of removed content, by action.",
                     [&s] { return static_cast<double>(s.duplicates_rejected()); },
                     "action=\"reject\"");
  metrics.AddCounter("stoa_screening_duplicates_total",
                     "Posts and edits near the fingerprint of removed content, by action.",
                     [&s] { return static_cast<double>(s.duplicates_flagged()); },
                     "action=\"flag\"");
  metrics.AddCounter("stoa_screening_campaign_flags_total",
                     "Posts the chain would have published unflagged, flagged because they are "
                     "near-duplicates of a post by another account in an open case (campaigns).",
                     [&s] { return static_cast<double>(s.campaign_flags()); });
}

Result<std::unique_ptr<App>> App::Open(const std::string& data_dir, Config config,
                                       const Clock& clock, Random& random) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Unavailable("cannot create data directory " + data_dir + ": " + ec.message());
  std::unique_ptr<App> app(new App(std::move(config), clock, random));
  const Config& c = app->config_;

  storage::sqlite::DatabaseOptions db;
  db.synchronous = c.storage.synchronous;
  db.busy_timeout_ms = c.storage.busy_timeout_ms;
  db.cache_size_kib = c.storage.cache_size_kib;
  db.wal_autocheckpoint_pages = c.storage.wal_autocheckpoint_pages;
  auto storage = storage::sqlite::SqliteStorage::Open(data_dir + "/stoa.db", db);
  if (!storage.ok()) return storage.status();
  app->storage_ = std::move(storage).value();

  app->ids_ = std::make_unique<IdGenerator>(clock);
  {
    auto read = app->storage_->Read();
    app->ids_->ObserveExisting(read->posts().MaxId());
  }

  social::SocialSettings settings;
  settings.base_url = c.instance.base_url;
  settings.max_status_chars = c.instance.max_status_chars;
  settings.max_bio_chars = c.instance.max_bio_chars;
  settings.max_profile_fields = c.instance.max_profile_fields;
  settings.home_max_items = static_cast<size_t>(c.timelines.home_max_items);
  settings.home_cache_accounts = static_cast<size_t>(c.timelines.home_cache_accounts);
  settings.object_cache_entries = static_cast<size_t>(c.timelines.status_cache_entries);
  settings.password_cost = c.security.password_hash_cost == "minimal"
                               ? PasswordHasher::Cost::kMinimal
                           : c.security.password_hash_cost == "moderate"
                               ? PasswordHasher::Cost::kModerate
                               : PasswordHasher::Cost::kInteractive;
  app->core_ = std::make_unique<social::Core>(*app->storage_, clock, *app->ids_, random, settings);
  app->accounts_ = std::make_unique<social::AccountService>(*app->core_, c.instance.registrations);
  app->relationships_ = std::make_unique<social::RelationshipService>(*app->core_);
  app->posts_ = std::make_unique<social::PostService>(*app->core_);
  app->timelines_ = std::make_unique<social::TimelineService>(*app->core_);
  app->notifications_ = std::make_unique<social::NotificationService>(*app->core_);
  app->search_ = std::make_unique<social::SearchService>(*app->core_);
  app->oauth_ = std::make_unique<social::OAuthService>(*app->core_, c.oauth.password_grant);
  app->rate_limiter_ = std::make_unique<http::RateLimiter>(clock);
  app->render_cache_ = std::make_unique<http::api::RenderCache>(settings.object_cache_entries);
  app->home_pages_ = std::make_unique<http::api::HomePageCache>(
      static_cast<size_t>(c.timelines.home_page_cache_entries));
  app->audit_log_ = std::make_unique<safety::AuditLog>(*app->core_);
  app->triage_ =
      std::make_unique<safety::Triage>(safety::TriageSettings::FromConfig(c.safety));
  app->notice_service_ = std::make_unique<safety::NoticeService>(*app->core_, *app->posts_,
                                                                 *app->triage_, *app->audit_log_);
  app->case_service_ = std::make_unique<safety::CaseService>(
      *app->core_, *app->triage_, std::chrono::minutes(c.safety.lease_minutes), *app->audit_log_);
  const safety::DecisionSettings decision_settings = safety::DecisionSettings::FromConfig(c.safety);
  app->account_moderation_ = std::make_unique<safety::AccountModeration>(*app->core_);
  app->status_moderation_ =
      std::make_unique<safety::StatusModeration>(*app->core_, decision_settings.content_warning);
  app->decision_service_ = std::make_unique<safety::DecisionService>(
      *app->core_, *app->case_service_, *app->audit_log_, *app->account_moderation_,
      *app->status_moderation_, decision_settings);
  app->appeal_service_ = std::make_unique<safety::AppealService>(
      *app->core_, *app->case_service_, *app->audit_log_, decision_settings.appeal_window_days);
  app->warning_presets_ = std::make_unique<safety::WarningPresets>(*app->core_, *app->audit_log_);
  app->role_changes_ = std::make_unique<safety::RoleChanges>(*app->core_, *app->audit_log_);
  // A decision on a case about a held status releases it through the posting service.
  app->status_moderation_->SetPosts(app->posts_.get());
  // Removals store the removed status's fingerprint; screening matches posts against them.
  app->removed_content_ = std::make_unique<safety::RemovedContent>(
      *app->storage_, std::clamp(std::max(c.screening.duplicate_reject_distance,
                                          c.screening.duplicate_flag_distance),
                                 0, 15));
  RETURN_IF_ERROR(app->removed_content_->Load());
  app->status_moderation_->SetRemovedContent(app->removed_content_.get());
  // Campaigns (docs/screening.md): cases list their statuses; with screening on, near-duplicates
  // by other accounts join the open case instead of opening their own.
  safety::CampaignSettings campaign_settings = safety::CampaignSettings::FromConfig(c.screening);
  if (!c.screening.enabled) campaign_settings.distance = -1;
  app->campaigns_ = std::make_unique<safety::Campaigns>(*app->storage_, campaign_settings);
  RETURN_IF_ERROR(app->campaigns_->Load());
  app->notice_service_->SetCampaigns(app->campaigns_.get());
  app->decision_service_->SetCampaigns(app->campaigns_.get());
  app->case_service_->SetCampaigns(app->campaigns_.get());
  if (c.screening.enabled) {
    // Created here, loaded by Start (only the server pays for compiling the rules).
    ASSIGN_OR_RETURN(safety::ScreeningSettings screening,
                     safety::ScreeningSettings::FromConfig(c.screening));
    screening.rules_path = ScreeningRulesPath(c);
    screening.model_path = ScreeningModelPath(c);
    // Compiled rules are cached in the data directory: a restart with unchanged rules loads
    // them in a fraction of the compile time.
    const std::string cache_dir = data_dir + "/screening-cache";
    std::filesystem::create_directories(cache_dir, ec);
    if (!ec) screening.rules_cache_dir = cache_dir;
    app->screening_ = std::make_unique<safety::ScreeningService>(
        *app->core_, *app->notice_service_, std::move(screening), app->removed_content_.get());
    app->screening_->SetCampaigns(app->campaigns_.get());
    app->screening_->SetAuditLog(app->audit_log_.get());
  }

  http::api::Services services{app->config_,        *app->core_,          *app->accounts_,
                               *app->relationships_, *app->posts_,         *app->timelines_,
                               *app->notifications_, *app->search_,        *app->oauth_,
                               *app->rate_limiter_,  *app->render_cache_, &app->metrics_};
  services.home_pages = app->home_pages_.get();
  services.notices = app->notice_service_.get();
  services.cases = app->case_service_.get();
  services.decisions = app->decision_service_.get();
  services.appeals = app->appeal_service_.get();
  services.warning_presets = app->warning_presets_.get();
  services.roles = app->role_changes_.get();
  services.screening = app->screening_.get();
  services.campaigns = app->campaigns_.get();
  if (app->screening_) {
    app->rescan_ = std::make_unique<safety::ScreeningRescan>(*app->core_, *app->screening_);
    services.rescan = app->rescan_.get();
  }
  app->api_ = std::make_unique<http::api::Api>(services);
  app->api_->Register(app->router_);
  web::RegisterOAuthPages(app->router_, *app->oauth_, app->config_, *app->rate_limiter_);

  storage::Storage* s = app->storage_.get();
  social::Core* core = app->core_.get();
  app->metrics_.AddGauge("stoa_sqlite_write_queue_depth",
                         "Write transactions waiting for the SQLite writer.",
                         [s] { return static_cast<double>(s->write_queue_depth()); });
  storage::sqlite::Database* sqlite_db = &app->storage_->database();
  app->metrics_.AddCounter("stoa_sqlite_checkpoints_total",
                           "PASSIVE checkpoints of the write-ahead log.",
                           [sqlite_db] { return static_cast<double>(sqlite_db->checkpoints()); });
  app->metrics_.AddCounter(
      "stoa_sqlite_wal_restarts_total",
      "Times the write-ahead log was started over, by why: after a checkpoint that copied nearly "
      "everything, or forced because long readers kept it 4 times over its threshold (each "
      "forced one holds writes until those readers finish, 1 s at most).",
      [sqlite_db] {
        return static_cast<double>(sqlite_db->wal_restarts() - sqlite_db->forced_wal_restarts());
      },
      "reason=\"caught_up\"");
  app->metrics_.AddCounter(
      "stoa_sqlite_wal_restarts_total",
      "Times the write-ahead log was started over, by why: after a checkpoint that copied nearly "
      "everything, or forced because long readers kept it 4 times over its threshold (each "
      "forced one holds writes until those readers finish, 1 s at most).",
      [sqlite_db] { return static_cast<double>(sqlite_db->forced_wal_restarts()); },
      "reason=\"forced\"");
  app->metrics_.AddCounter(
      "stoa_sqlite_wal_forced_restart_failures_total",
      "Forced restarts of the write-ahead log that gave up because a reader held an old snapshot "
      "longer than forced_restart_busy_ms (a backup or an export in one transaction); each held "
      "writes that long. Retried after 1 s, then 2, 4 ... 32 s.",
      [sqlite_db] { return static_cast<double>(sqlite_db->failed_forced_wal_restarts()); });
  app->metrics_.AddGauge("stoa_home_feeds_in_memory", "Home feeds held in memory.",
                         [core] { return static_cast<double>(core->home_feeds().accounts_in_memory()); });
  http::api::HomePageCache* pages = app->home_pages_.get();
  app->metrics_.AddCounter(
      "stoa_home_page_cache_total",
      "Home timeline first pages asked of the rendered page cache, by result.",
      [pages] { return static_cast<double>(pages->hits()); }, "result=\"hit\"");
  app->metrics_.AddCounter(
      "stoa_home_page_cache_total",
      "Home timeline first pages asked of the rendered page cache, by result.",
      [pages] { return static_cast<double>(pages->misses()); }, "result=\"miss\"");
  app->metrics_.AddGauge("stoa_home_page_cache_pages", "Rendered home pages held in memory.",
                         [pages] { return static_cast<double>(pages->size()); });
  RegisterSafetyMetrics(app->metrics_, *core);
  if (safety::ScreeningService* s = app->screening_.get()) RegisterScreeningMetrics(app->metrics_, *s);
  return app;
}

void App::PreallocateWal() {
  if (!config_.storage.preallocate_wal) return;
  storage::sqlite::Database& db = storage_->database();
  auto written = db.PreallocateWal(db.wal_size_limit_bytes());
  if (!written.ok()) {
    // Only the syncs get slower; serving goes on.
    spdlog::warn("storage: could not preallocate the write-ahead log: {}",
                 written.status().message());
  } else if (*written > 0) {
    spdlog::info("storage: write-ahead log preallocated to {} MiB",
                 db.wal_size_limit_bytes() >> 20);
  }
}

Status App::Start(const std::string& listen) {
  ASSIGN_OR_RETURN(auto address, ParseListen(listen));
  PreallocateWal();
  if (screening_ && posts_) {
    if (Status st = screening_->Load(); !st.ok()) {
      return Status(st.code(), "screening: " + st.message() +
                                   " (set screening.rules / screening.model, or pass --rules / "
                                   "--model, or screening.enabled = false)");
    }
    spdlog::info("screening: rules {} (version {}; {}), model {} (version {})",
                 screening_->settings().rules_path, screening_->rules().Get()->version(),
                 screening_->rules().Get()->cache_note(), screening_->settings().model_path,
                 screening_->model().Get()->version());
    posts_->SetScreening(screening_.get());
    // A rescan stored as running belonged to a server that died during it.
    if (Status st = rescan_->RecoverInterrupted(); !st.ok()) {
      spdlog::warn("screening: could not mark an interrupted rescan: {}", st.message());
    }
  }
  if (config_.server.access_log && !spdlog::get("access")) {
    // One JSON object per request on stderr, nothing else on the line.
    auto access = spdlog::stderr_logger_mt("access");
    access->set_pattern("%v");
    access->flush_on(spdlog::level::info);
  }
  http::ServerOptions options;
  options.host = address.first;
  options.port = address.second;
  options.io_threads = config_.server.threads;
  options.blocking_threads = config_.server.blocking_threads;
  options.body_limit_bytes = static_cast<size_t>(config_.server.body_limit_bytes);
  options.header_timeout = std::chrono::seconds(config_.server.header_timeout_seconds);
  options.body_timeout = std::chrono::seconds(config_.server.body_timeout_seconds);
  options.idle_timeout = std::chrono::seconds(config_.server.idle_timeout_seconds);
  options.access_log = config_.server.access_log;
  server_ = std::make_unique<http::HttpServer>(
      options, [this](http::Request& request) { return router_.Dispatch(request); }, &metrics_);
  server_->SetStreamOpener(http::api::MakeStreamOpener(api_->services()));
  server_->SetNonBlockingTest(
      [this](const http::Request& request) { return router_.IsNonBlocking(request); });
  if (screening_) server_->SetReloadHandler([this] { ReloadScreeningInBackground(); });
  RETURN_IF_ERROR(server_->Start());
  core_->search_indexer().Start();
  return Status::Ok();
}

uint16_t App::port() const { return server_ ? server_->port() : 0; }

void App::RunUntilSignal() {
  if (server_) server_->RunUntilSignal();
}

void App::ReloadScreeningInBackground() {
  if (!screening_) return;
  std::lock_guard lock(reload_mu_);
  if (reloading_) {
    spdlog::warn("screening: a reload is already running");
    return;
  }
  if (reload_thread_.joinable()) reload_thread_.join();
  reloading_ = true;
  reload_thread_ = std::thread([this] {
    Status st = screening_->Reload(kNoId, "SIGHUP");
    if (st.ok()) {
      spdlog::info("screening: reloaded rules (version {}) and model (version {})",
                   screening_->rules().Get()->version(), screening_->model().Get()->version());
    } else {
      spdlog::error("screening: reload refused, the old rules and model stay: {}", st.message());
    }
    std::lock_guard done(reload_mu_);
    reloading_ = false;
  });
}

void App::Stop() {
  // A running rescan ends after its current batch (stored as stopped) before the server stops.
  if (rescan_) rescan_->Stop();
  std::thread reload;
  {
    std::lock_guard lock(reload_mu_);
    reload = std::move(reload_thread_);
  }
  if (reload.joinable()) reload.join();
  if (server_) server_->Stop();
  if (core_) core_->search_indexer().Stop();
}

}  // namespace stoa::app
