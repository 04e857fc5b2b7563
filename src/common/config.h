// Server configuration: defaults, an optional TOML file, then STOA_* environment overrides.
// Every key is documented in docs/configuration.md and in stoa.example.toml.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace stoa {

enum class Registrations { kOpen, kApproval, kClosed };

struct RateLimit {
  int limit = 0;          // requests allowed per window
  int window_seconds = 0;
};

struct Config {
  struct Server {
    std::string listen = "127.0.0.1:8080";
    int threads = 0;                  // io threads; 0 = one per core
    int blocking_threads = 0;         // threads for handlers that write and block; 0 = 16 per core
    int64_t body_limit_bytes = 2 * 1024 * 1024;
    int header_timeout_seconds = 10;
    int body_timeout_seconds = 30;
    int idle_timeout_seconds = 75;
    bool access_log = true;
  } server;

  struct Instance {
    std::string base_url = "http://127.0.0.1:8080";
    std::string name = "stoa";
    std::string description = "A stoa instance: microblogging with trust and safety built in.";
    std::string contact_email = "admin@localhost";
    Registrations registrations = Registrations::kOpen;
    int max_status_chars = 500;
    int max_bio_chars = 500;
    int max_profile_fields = 4;
    std::vector<std::string> languages = {"en", "de"};
  } instance;

  struct OAuth {
    bool password_grant = false;
  } oauth;

  struct RateLimits {
    bool enabled = true;
    RateLimit per_token{300, 300};
    RateLimit per_ip{300, 300};
    RateLimit registrations_per_ip{5, 1800};
    RateLimit deletes_per_account{30, 1800};
    // POST /api/v1/notices without an account or key, per IP; and per priority notifier key.
    RateLimit anonymous_notices_per_ip{10, 3600};
    RateLimit priority_notices_per_key{100000, 3600};
  } rate_limits;

  struct Storage {
    int reader_connections = 0;      // 0 = as many as threads need
    std::string synchronous = "full";  // full (durable on power loss) or normal
    int busy_timeout_ms = 5000;
    // Small on purpose: a reader's cache is dropped whenever a write commits (WAL), and SQLite
    // scans the writer's whole cache at every commit; the OS page cache holds the file anyway.
    int64_t cache_size_kib = 2048;
    int wal_autocheckpoint_pages = 10000;  // checkpoint the WAL into the database this often
    // `stoa serve` fills the WAL file up front to the size it is cut back to (twice the
    // checkpoint interval): a sync after overwriting is cheaper than after appending.
    bool preallocate_wal = true;
  } storage;

  struct Timelines {
    int home_max_items = 800;
    int home_cache_accounts = 20000;  // home feeds kept in memory
    int status_cache_entries = 200000;
    // Rendered first pages of home timelines (http/api/home_page_cache.h), one per viewer; a
    // few kilobytes each. 0 turns the cache off.
    int home_page_cache_entries = 20000;
  } timelines;

  struct Security {
    std::string password_hash_cost = "interactive";  // minimal | interactive | moderate
  } security;

  // Trust and safety: triage deadlines and score weights (safety/triage.h), case leases.
  struct Safety {
    int lease_minutes = 15;
    int deadline_threat_to_life_minutes = 60;
    int deadline_manifestly_illegal_hours = 24;
    int deadline_illegal_hours = 168;
    int deadline_terms_hours = 168;
    int deadline_spam_hours = 72;
    int priority_deadline_percent = 50;
    int score_priority_bonus = 300;
    int score_per_notifier = 10;
    int score_notifier_cap = 50;
    int score_reach_weight = 20;
    int score_reach_cap = 400;
    // Triage weights of notifiers (safety/triage.h): brigading damping of member notifiers who
    // follow the case's earlier member notifiers (or are followed by them), a bonus for an
    // independent member joining a damped case, and the track record of each notifier.
    int brigading_damping_percent = 75;
    int brigading_bridge_bonus_percent = 50;
    int brigading_sample = 50;
    int record_min_decided = 3;
    int record_weight_percent = 50;
    int record_floor_percent = 25;
    int record_cap_percent = 200;
    // Decisions and appeals (safety/decision_service.h): the appeal window (DSA Art. 20), the
    // Art. 23 thresholds (warnings first, then a suspension for a period) and bulk decisions.
    int appeal_window_days = 183;
    int strike_window_days = 365;
    int strike_warning_threshold = 2;
    int strike_suspension_threshold = 3;
    int strike_suspension_days = 30;
    int unfounded_window_days = 180;
    int unfounded_warning_threshold = 3;
    int unfounded_suspension_threshold = 5;
    int unfounded_suspension_days = 30;
    int max_bulk_decisions = 1000;
  } safety;

  // Screening (docs/screening.md, "In the server"): the chain every status and edit passes.
  struct ScreeningThresholds {
    double flag = 0.5;
    double hold = 0.8;
    double reject = 2.0;  // above 1: off
  };
  struct Screening {
    bool enabled = true;
    std::string rules;  // rules file; "": the shipped rules/stoa.rules
    std::string model;  // classifier model; "": default.model beside the stoa executable
    // Per screening category (violence, threat, incitement, glorification, terrorism, spam).
    std::map<std::string, ScreeningThresholds> thresholds = {
        {"violence", {}},      {"threat", {}},    {"incitement", {}},
        {"glorification", {}}, {"terrorism", {}}, {"spam", {0.6, 2.0, 2.0}}};
    // Surge mode: when the open backlog has at least this many cases, or its oldest open case is
    // at least this old (0: that trigger is off), every hold threshold drops by surge_hold_drop.
    int64_t surge_open_cases = 1000;
    int surge_oldest_open_minutes = 24 * 60;
    double surge_hold_drop = 0.2;
    // The strictest verdict the classifier alone may cause: publish_and_flag, hold or reject.
    // Flag by default: the build's default model, trained on the project's own examples, ranks
    // real posts poorly (about 6 % of what it flags is violence-related, BENCHMARKS.md); raise it
    // for a model trained on the platform's own decisions (stoa export-labels, stoa train).
    std::string classifier_max_verdict = "publish_and_flag";
    int surge_check_seconds = 10;  // how often the backlog is looked at (0: for every post)
    // The match stage: a post within this many bits (of 64) of the fingerprint of a status removed
    // by a decision is rejected; within duplicate_flag_distance it is at least publish_and_flag
    // (-1: that check is off; at most 15).
    int duplicate_reject_distance = 7;  // a light edit (one word) of a removed post: 3-9 bits
    int duplicate_flag_distance = 9;
    // Campaigns (docs/screening.md): a flagged, held or reported post within this many bits of a
    // post by another account in an open case, added to it at most campaign_window_days ago,
    // joins that case; an unflagged one is flagged and joins it (-1: no campaigns; at most 15).
    int campaign_distance = 7;
    int campaign_window_days = 7;
  } screening;

  struct Log {
    std::string level = "info";
  } log;
};

// Parses `toml_path` (empty: none) over the defaults, then applies environment overrides from
// `env` (name -> value; pass the process environment). Fails with a message naming the key.
Result<Config> LoadConfig(const std::string& toml_path, const std::map<std::string, std::string>& env);
// The process environment as a map.
std::map<std::string, std::string> ProcessEnvironment();
std::string_view RegistrationsName(Registrations r);

}  // namespace stoa
