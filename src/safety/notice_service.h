// Notices: anyone can tell us. Members' Mastodon reports (POST /api/v1/reports), DSA Art. 16
// notices from anyone (POST /api/v1/notices), priority notifiers' notices (with an API key) and
// automated notices from screening all become one Notice with one item per reported status or
// account. Each item snapshots the content as it is now (so deleting it keeps the evidence) and
// joins the open case about its target, or opens one; triage sets the case's score and deadline.
// A notifier who gave an email gets a confirmation of receipt in the outbox.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "domain/safety.h"
#include "safety/audit_log.h"
#include "safety/campaigns.h"
#include "safety/triage.h"
#include "social/core.h"
#include "social/post_service.h"
#include "social/viewer.h"
#include "storage/storage.h"

namespace stoa::safety {

// POST /api/v1/reports, as Mastodon takes it.
struct ReportInput {
  Id account_id = kNoId;
  std::vector<Id> status_ids;
  std::string comment;
  std::string category;  // spam | legal | violation | other; "" = violation with rules, else other
  std::vector<Id> rule_ids;
  bool forward = false;
};

// POST /api/v1/notices (DSA Art. 16).
struct NoticeInput {
  std::string explanation;
  std::vector<std::string> locations;
  std::string category;  // STATEMENT_CATEGORY_*; "" = STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE
  std::string legal_provision;
  std::string name;
  std::string email;
  std::optional<bool> good_faith;
  bool threat_to_life = false;
};

// Who sends a notice: a member (viewer), a priority notifier (its key) or an anonymous visitor.
struct NoticeSender {
  const social::Viewer* member = nullptr;       // a signed-in member, or null
  const PriorityNotifier* notifier = nullptr;   // an authenticated priority notifier, or null
  std::string ip;                               // for anonymous notices' notifier identity
};

struct SubmittedNotice {
  Notice notice;
  std::string secret;  // only ever shown in this answer
};

class NoticeService {
 public:
  NoticeService(social::Core& core, social::PostService& posts, const Triage& triage,
                AuditLog& audit)
      : core_(core), posts_(posts), triage_(triage), audit_(audit) {}

  static constexpr size_t kMaxCommentChars = 1000;
  static constexpr size_t kMaxExplanationChars = 10000;
  static constexpr size_t kMaxLocations = 100;
  static constexpr size_t kMaxStatusIds = 100;

  Result<SubmittedNotice> Report(const social::Viewer& reporter, const ReportInput& in);
  Result<SubmittedNotice> Submit(const NoticeSender& sender, const NoticeInput& in);
  // For screening: an automated notice about one target inside the caller's transaction.
  // `score` is the detector's confidence (0..100); `details_json` "" or a JSON object.
  // `campaign`: the status was flagged only for being near this candidate (Campaigns::Find); it
  // joins that case if it is still open (else one found again, else its own) as a copy, not
  // matched on (Campaigns::Listing::kCopy). `fingerprint`: the status's, as screening computed
  // it (Campaigns::FingerprintOf's value), so that it is not computed again; nullopt: computed
  // here when campaigns need it.
  Result<Notice> SubmitAutomated(storage::Transaction& tx, TargetType target_type, Id target_id,
                                 Category category, int score, std::string_view details_json,
                                 const std::optional<Campaigns::Candidate>& campaign = {},
                                 const std::optional<screen::Fingerprint>& fingerprint = {});

  // Campaigns (campaigns.h; set once at start-up, before serving): every notice case about a
  // status lists its statuses there, and a status that would open a case of its own joins the
  // open case of a near-duplicate by another account instead. Without it neither happens.
  void SetCampaigns(Campaigns* campaigns) { campaigns_ = campaigns; }

  // The notice whose reference and secret these are; kNotFound otherwise (either wrong).
  Result<Notice> Lookup(std::string_view reference, std::string_view secret);
  // The member's own report (Mastodon's Report entity).
  Result<Notice> GetReport(Id reporter_id, Id notice_id);

  // Priority notifiers. Keys are "stoa_pn_" + 43 random characters; only their SHA-256 is kept.
  static constexpr std::string_view kKeyPrefix = "stoa_pn_";
  Result<std::pair<PriorityNotifier, std::string>> AddNotifier(NoticeSource kind,
                                                               std::string_view name, Id actor_id);
  Status RevokeNotifier(Id notifier_id, Id actor_id);
  std::vector<PriorityNotifier> ListNotifiers();
  // kUnauthenticated when the key is unknown or revoked.
  Result<PriorityNotifier> AuthenticateKey(std::string_view key);

 private:
  // A resolved item before it is stored. `post` (status targets) and `account` (the status's
  // author, or the account target) are the objects the notifier was shown, from the caches: the
  // snapshot is taken from them, so the single writer reads nothing per notice. Null for
  // automated notices, whose content may be written in the same transaction: they are read there.
  struct Target {
    TargetType type;
    Id id;
    std::string location;
    social::PostPtr post;
    social::AccountPtr account;
    std::optional<Campaigns::Candidate> campaign;  // SubmitAutomated's
    std::optional<screen::Fingerprint> fingerprint;  // SubmitAutomated's: the status's, or none
  };
  Result<Target> ResolveLocation(std::string_view url, const social::Viewer& viewer,
                                 bool any_visibility);
  // Snapshots each target, merges it into its case, stores the notice and the receipt.
  Status Store(storage::Transaction& tx, Notice& notice, const std::vector<Target>& targets,
               Timestamp now);
  std::string NewSecret(Notice& notice);
  // The open notice case a status with fingerprint `f` by `author` may join as a campaign member
  // (Campaigns::Find, checked against the case in `tx`), or nullopt.
  // `status_id` is the status that would join (never a case it was taken out of).
  Result<std::optional<Case>> FindCampaign(storage::Transaction& tx, const screen::Fingerprint& f,
                                           Id author, Id status_id, Timestamp now);
  // Case `case_id` as read in `tx` if it is an open notice case about a status (one a campaign
  // member may join); otherwise forgets it in the campaign index and returns nullopt. nullopt as
  // well when `status_id` was taken out of that case.
  Result<std::optional<Case>> OpenCampaignCase(storage::Transaction& tx, Id case_id, Id status_id);

  social::Core& core_;
  social::PostService& posts_;
  const Triage& triage_;
  AuditLog& audit_;
  Campaigns* campaigns_ = nullptr;
};

}  // namespace stoa::safety
