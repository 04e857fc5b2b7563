// The application: the one place that chooses concrete backends and wires storage, services,
// the API and the HTTP server together. Used by `stoa serve`, the CLI commands and the tests.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/config.h"
#include "common/id.h"
#include "common/random.h"
#include "common/status.h"
#include "http/api/api.h"
#include "http/api/serializers.h"
#include "http/metrics.h"
#include "http/rate_limiter.h"
#include "http/router.h"
#include "http/server.h"
#include "safety/account_moderation.h"
#include "safety/appeal_service.h"
#include "safety/audit_log.h"
#include "safety/case_service.h"
#include "safety/decision_service.h"
#include "safety/notice_service.h"
#include "safety/role_changes.h"
#include "safety/screening_service.h"
#include "safety/screening_rescan.h"
#include "safety/status_moderation.h"
#include "safety/triage.h"
#include "safety/warning_presets.h"
#include "social/account_service.h"
#include "social/core.h"
#include "social/notification_service.h"
#include "social/oauth_service.h"
#include "social/post_service.h"
#include "social/relationship_service.h"
#include "social/search_service.h"
#include "social/timeline_service.h"
#include "storage/sqlite/sqlite_storage.h"

namespace stoa::app {

class App {
 public:
  // Opens (creating if needed) DIR/stoa.db, migrates it and builds every service. `clock` and
  // `random` must outlive the App. Fails with a message naming the problem.
  static Result<std::unique_ptr<App>> Open(const std::string& data_dir, Config config,
                                           const Clock& clock, Random& random);
  ~App();

  // Starts the HTTP server on `listen` ("HOST:PORT"; port 0 picks one).
  Status Start(const std::string& listen);
  uint16_t port() const;
  // Serves until SIGINT/SIGTERM, then drains and stops.
  void RunUntilSignal();
  void Stop();

  const Config& config() const { return config_; }
  social::Core& core() { return *core_; }
  http::api::HomePageCache& home_pages() { return *home_pages_; }
  storage::Storage& storage() { return *storage_; }
  // Fills the WAL file to its size limit when storage.preallocate_wal is on (Start does it;
  // benchmarks that do not serve call it themselves). Failing only logs a warning.
  void PreallocateWal();
  social::AccountService& accounts() { return *accounts_; }
  social::RelationshipService& relationships() { return *relationships_; }
  social::PostService& posts() { return *posts_; }
  social::TimelineService& timelines() { return *timelines_; }
  social::NotificationService& notifications() { return *notifications_; }
  social::SearchService& search() { return *search_; }
  social::OAuthService& oauth() { return *oauth_; }
  http::Router& router() { return router_; }
  safety::AuditLog& audit_log() { return *audit_log_; }
  safety::NoticeService& notices() { return *notice_service_; }
  safety::CaseService& cases() { return *case_service_; }
  safety::DecisionService& decisions() { return *decision_service_; }
  safety::AppealService& appeals() { return *appeal_service_; }
  safety::WarningPresets& warning_presets() { return *warning_presets_; }
  safety::RoleChanges& roles() { return *role_changes_; }
  http::Metrics& metrics() { return metrics_; }
  // Null when screening.enabled is off. Loaded (rules and model) by Start.
  safety::ScreeningService* screening() { return screening_.get(); }
  // Retroaction's background job (POST /api/v1/admin/screening/rescan); null with screening.
  safety::ScreeningRescan* rescan() { return rescan_.get(); }
  // SIGHUP: reloads the screening rules and model on a thread of its own (a reload compiles for
  // seconds); a reload already running makes this one a no-op. Logged either way.
  void ReloadScreeningInBackground();

 private:
  App(Config config, const Clock& clock, Random& random);

  Config config_;
  const Clock& clock_;
  Random& random_;
  std::unique_ptr<storage::sqlite::SqliteStorage> storage_;
  std::unique_ptr<IdGenerator> ids_;
  std::unique_ptr<social::Core> core_;
  std::unique_ptr<social::AccountService> accounts_;
  std::unique_ptr<social::RelationshipService> relationships_;
  std::unique_ptr<social::PostService> posts_;
  std::unique_ptr<social::TimelineService> timelines_;
  std::unique_ptr<social::NotificationService> notifications_;
  std::unique_ptr<social::SearchService> search_;
  std::unique_ptr<social::OAuthService> oauth_;
  // Trust and safety.
  std::unique_ptr<safety::AuditLog> audit_log_;
  std::unique_ptr<safety::Triage> triage_;
  std::unique_ptr<safety::Campaigns> campaigns_;  // before its users (destruction)
  std::unique_ptr<safety::NoticeService> notice_service_;
  std::unique_ptr<safety::CaseService> case_service_;
  std::unique_ptr<safety::AccountModeration> account_moderation_;
  std::unique_ptr<safety::RemovedContent> removed_content_;  // before its users (destruction)
  std::unique_ptr<safety::StatusModeration> status_moderation_;
  std::unique_ptr<safety::DecisionService> decision_service_;
  std::unique_ptr<safety::AppealService> appeal_service_;
  std::unique_ptr<safety::WarningPresets> warning_presets_;
  std::unique_ptr<safety::RoleChanges> role_changes_;
  std::unique_ptr<safety::ScreeningService> screening_;
  std::unique_ptr<safety::ScreeningRescan> rescan_;  // after screening_: stopped and gone first
  std::mutex reload_mu_;
  std::thread reload_thread_;  // guarded by reload_mu_
  bool reloading_ = false;     // guarded by reload_mu_
  http::Metrics metrics_;
  std::unique_ptr<http::RateLimiter> rate_limiter_;
  std::unique_ptr<http::api::RenderCache> render_cache_;
  std::unique_ptr<http::api::HomePageCache> home_pages_;
  std::unique_ptr<http::api::Api> api_;
  http::Router router_;
  std::unique_ptr<http::HttpServer> server_;
};

// The screening files in use: the configured ones, else the shipped rules and the build's default
// model (beside the executable, then where the build put them).
std::string ScreeningRulesPath(const Config& config);
std::string ScreeningModelPath(const Config& config);
// The shipped lexicon features for `stoa train` (rules/lexicon.rules beside the executable, else
// the checkout's).
std::string ShippedLexiconPath();

// Recomputes the audit log's hash chain and prints the outcome: "audit log OK: N entries checked,
// head H" on stdout, or on stderr the first broken entry and why. True when intact.
bool PrintAuditCheck(App& app);

// Parses "HOST:PORT" ("[::1]:8080" too); kInvalidArgument naming the value otherwise.
Result<std::pair<std::string, uint16_t>> ParseListen(const std::string& listen);

}  // namespace stoa::app
