// The screening chain in the server (docs/screening.md, "In the server"): every status and edit
// is screened before anyone but its author can see it (social::PostScreening), the record of
// each screening is stored with the status, and flagged or held posts open or join a case through
// an automated notice. Also: surge mode from the open backlog, the dry run of the rule tester,
// and the atomic reload of rules and model (admin endpoint and SIGHUP).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/config.h"
#include "common/status.h"
#include "safety/audit_log.h"
#include "safety/campaigns.h"
#include "safety/notice_service.h"
#include "safety/removed_content.h"
#include "safety/transparency.h"
#include "screen/classifier_holder.h"
#include "screen/policy.h"
#include "screen/rules_holder.h"
#include "screen/screener.h"
#include "social/core.h"
#include "social/screening.h"

namespace stoa::safety {

struct ScreeningSettings {
  std::string rules_path;  // resolved by the application (config, --rules or the shipped file)
  std::string model_path;  // likewise (config, --model or default.model beside the binary)
  // Where the compiled rules are cached between starts and reloads (an existing directory; ""
  // for none): screen/rules_cache.h.
  std::string rules_cache_dir;
  screen::PolicySettings policy;
  int64_t surge_open_cases = 0;                 // 0: off
  std::chrono::seconds surge_oldest_open{0};    // 0: off
  std::chrono::seconds surge_check{10};
  // The match stage: a post within duplicate_reject_distance bits of a removed status's
  // fingerprint is rejected; within duplicate_flag_distance (when larger) it is at least
  // publish_and_flag. -1: that check is off.
  int duplicate_reject_distance = 7;
  int duplicate_flag_distance = 9;

  // The [screening] configuration's thresholds and surge settings (paths are left empty);
  // kInvalidArgument when a category is unknown or thresholds are out of order.
  static Result<ScreeningSettings> FromConfig(const Config::Screening& config);
};

// The open backlog as surge mode sees it.
struct SurgeState {
  bool active = false;
  int64_t open_cases = 0;
  double oldest_open_age_seconds = 0;
};

// Screening's automated notices: which Transparency Database category a screening category
// maps to (category.h).
Category StatementCategoryFor(screen::Category c);

class ScreeningService final : public social::PostScreening {
 public:
  // `removed` (may be null: no match stage) answers whether a post is near removed content.
  ScreeningService(social::Core& core, NoticeService& notices, ScreeningSettings settings,
                   const RemovedContent* removed = nullptr);

  // Loads the rules and the model named in the settings; the error names the file (and, for
  // rules, every bad line). Call once before serving.
  Status Load();
  // Loads both files again and, only when both are valid, swaps them in (each with one atomic
  // store; posts being screened finish with what they started with). On error nothing changes
  // and the error names the file, line and reason. With an audit log set, the swap is recorded
  // first as a "config.change" entry (target config/screening: both files and versions, `via`,
  // the actor; kNoId for a signal); when that entry cannot be written nothing is swapped.
  Status Reload(Id actor_id = kNoId, std::string_view via = "api");
  // Where reloads are recorded (may stay unset: tools that only screen).
  void SetAuditLog(AuditLog* audit) { audit_ = audit; }
  AuditLog* audit_log() const { return audit_; }

  // social::PostScreening.
  std::unique_ptr<social::ScreeningOutcome> Screen(const Post& post, bool edit) override;
  void Prepare(social::ScreeningOutcome& outcome) override;
  Status Record(storage::Transaction& tx, const Post& post, bool edit,
                const social::ScreeningOutcome& outcome) override;

  // Campaigns (campaigns.h; set once at start-up, may stay null): a post the chain would publish
  // unflagged that is a near-duplicate of a post by another account in an open case is flagged,
  // and its automated notice joins that case.
  void SetCampaigns(const Campaigns* campaigns) { campaigns_ = campaigns; }
  uint64_t campaign_flags() const { return campaign_flags_.load(); }

  // The dry run of the rule tester: the chain over `text`, nothing stored.
  Status Test(std::string_view text, std::string_view language, screen::Screening* out);

  // The backlog and whether surge mode is on; looked at most every surge_check.
  SurgeState Surge();

  // {"enabled":true,"rules":{...},"model":{...},"thresholds":{...},"surge":{...},"counts":{...}}
  // for GET /api/v1/admin/screening.
  std::string StateJson();

  const ScreeningSettings& settings() const { return settings_; }
  const screen::RulesHolder& rules() const { return rules_; }
  const screen::ClassifierHolder& model() const { return model_; }
  // Screenings by verdict (index: screen::Verdict), reloads, and the time spent in the chain.
  uint64_t count(screen::Verdict v) const { return counts_[static_cast<size_t>(v)].load(); }
  uint64_t reloads() const { return reloads_.load(); }
  uint64_t failed_reloads() const { return failed_reloads_.load(); }
  double chain_seconds_total() const { return static_cast<double>(chain_nanos_.load()) / 1e9; }
  // The chain's time per screening as a histogram (for /metrics, whose p99 is what screening
  // adds to a status's creation): the upper bounds in microseconds, and how many screenings took
  // at most each bound (cumulative; the last count is every screening).
  static constexpr std::array<int64_t, 12> kChainBucketMicros = {5,  10,  15,  20,  30,   50,
                                                                 75, 100, 200, 500, 1000, 5000};
  std::array<uint64_t, kChainBucketMicros.size() + 1> chain_histogram() const;
  uint64_t screened_total() const;
  // Posts and edits that matched removed content, rejected and (only) flagged for it.
  uint64_t duplicates_rejected() const { return duplicates_rejected_.load(); }
  uint64_t duplicates_flagged() const { return duplicates_flagged_.load(); }

 private:
  SurgeState RefreshSurge();

  social::Core& core_;
  NoticeService& notices_;
  const ScreeningSettings settings_;
  const RemovedContent* removed_;
  const Campaigns* campaigns_ = nullptr;
  AuditLog* audit_ = nullptr;
  screen::RulesHolder rules_;
  screen::ClassifierHolder model_;
  screen::Screener screener_;
  Transparency backlog_;
  std::mutex reload_mu_;  // one reload at a time

  std::mutex surge_mu_;
  SurgeState surge_;                          // guarded by surge_mu_
  std::atomic<bool> surge_active_{false};
  std::atomic<int64_t> surge_next_check_ms_{0};

  std::array<std::atomic<uint64_t>, 4> counts_{};
  std::atomic<uint64_t> chain_nanos_{0};
  // Screenings per bucket of kChainBucketMicros (not cumulative); the last: above every bound.
  std::array<std::atomic<uint64_t>, kChainBucketMicros.size() + 1> chain_buckets_{};
  std::atomic<uint64_t> reloads_{0};
  std::atomic<uint64_t> failed_reloads_{0};
  std::atomic<uint64_t> notices_refused_{0};
  std::atomic<uint64_t> duplicates_rejected_{0};
  std::atomic<uint64_t> duplicates_flagged_{0};
  std::atomic<uint64_t> campaign_flags_{0};  // flagged only for joining a campaign
};

}  // namespace stoa::safety
