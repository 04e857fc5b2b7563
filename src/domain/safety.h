// Trust and safety value types: notices (anyone's report about a status or an account), the cases
// they merge into, content snapshots kept as evidence, moderators' notes on cases, priority
// notifiers (trusted flaggers, authorities, the host's abuse desk) and the outbox of messages to
// notifiers who gave an email.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/id.h"
#include "domain/visibility.h"

namespace stoa {

// The category taxonomy of the DSA Transparency Database (16 values, schema of 1 Jul 2025). On
// the wire always the full "STATEMENT_CATEGORY_*" name.
enum class Category {
  kAnimalWelfare,
  kConsumerInformation,
  kCyberViolence,
  kCyberViolenceAgainstWomen,
  kDataProtectionAndPrivacyViolations,
  kIllegalOrHarmfulSpeech,
  kIntellectualPropertyInfringements,
  kNegativeEffectsOnCivicDiscourseOrElections,
  kNotSpecifiedNotice,
  kOtherViolationTc,
  kProtectionOfMinors,
  kRiskForPublicSecurity,
  kScamsAndFraud,
  kSelfHarm,
  kUnsafeAndProhibitedProducts,
  kViolence,
};
using StatementCategory = Category;

// "STATEMENT_CATEGORY_VIOLENCE" ...
std::string_view CategoryName(Category c);
// Accepts exactly the names CategoryName returns.
std::optional<Category> ParseCategory(std::string_view name);
// Every category, in enum order.
std::span<const Category> AllCategories();

// Who sent a notice. Trusted flaggers, authorities and the host are "priority" sources.
enum class NoticeSource { kMember, kAnonymous, kTrustedFlagger, kAuthority, kHost, kAutomated };
std::string_view NoticeSourceName(NoticeSource s);  // "member", "anonymous", "trusted_flagger" ...
std::optional<NoticeSource> ParseNoticeSource(std::string_view name);
inline bool IsPrioritySource(NoticeSource s) {
  return s == NoticeSource::kTrustedFlagger || s == NoticeSource::kAuthority ||
         s == NoticeSource::kHost;
}
// One bit per source, for a case's set of sources.
inline uint32_t SourceBit(NoticeSource s) { return 1u << static_cast<int>(s); }

// Mastodon's report categories (POST /api/v1/reports).
enum class ReportCategory { kSpam, kLegal, kViolation, kOther };
std::string_view ReportCategoryName(ReportCategory c);
std::optional<ReportCategory> ParseReportCategory(std::string_view name);

enum class TargetType { kStatus, kAccount };
std::string_view TargetTypeName(TargetType t);  // "status", "account"
std::optional<TargetType> ParseTargetType(std::string_view name);

enum class CaseKind { kNotice, kAppeal };
std::string_view CaseKindName(CaseKind k);  // "notice", "appeal"

enum class CaseState { kOpen, kClosed };
std::string_view CaseStateName(CaseState s);  // "open", "closed"
std::optional<CaseState> ParseCaseState(std::string_view name);

// The evidence taken when a notice arrives: what the reported content was at that moment, so the
// author deleting or editing it does not destroy it. For a status: its text, content warning,
// visibility, author and creation time. For an account: "@username\ndisplay name\nnote" as text,
// the account's creation time, no visibility.
struct ContentSnapshot {
  TargetType target_type = TargetType::kStatus;
  Id target_id = kNoId;
  Id author_id = kNoId;  // the status's author, or the account itself
  std::string text;
  std::string spoiler_text;
  std::optional<Visibility> visibility;  // statuses only
  Timestamp content_created_at;
  Timestamp taken_at;
  // Lower-case hex SHA-256 of SnapshotCanonicalBytes(*this).
  std::string sha256;
};
// Netstrings of target type, target id, author id, text, spoiler text, visibility ("" for
// accounts) and content creation time in Unix milliseconds.
std::string SnapshotCanonicalBytes(const ContentSnapshot& s);

// One reported item of a notice: a status or an account, and the case it joined.
struct NoticeItem {
  Id id = kNoId;
  Id notice_id = kNoId;
  TargetType target_type = TargetType::kStatus;
  Id target_id = kNoId;
  std::string location;  // the URL the notifier gave ("" for reports and automated notices)
  Id case_id = kNoId;
  ContentSnapshot snapshot;
  // Set by the decision on the case: the decision and a short outcome for the notifier.
  Id decision_id = kNoId;
  std::string outcome;  // "" until decided
  std::optional<Timestamp> decided_at;
};

// A notice (DSA Art. 16) or a Mastodon report: one submission about one or more items.
struct Notice {
  Id id = kNoId;
  // Public handle and the hash of the secret that lets the notifier read its state (anonymous
  // notices); members' reports and automated notices have them too.
  std::string reference;
  std::string secret_hash;
  NoticeSource source = NoticeSource::kAnonymous;
  Id reporter_account_id = kNoId;  // members
  Id notifier_id = kNoId;          // priority notifiers (PriorityNotifier::id)
  // Identifies the notifier for the distinct-notifiers count: "account:<id>", "notifier:<id>",
  // "email:<sha256>", "ip:<sha256>" or "automated:<stage>".
  std::string notifier_key;
  std::string name;   // optional
  std::string email;  // optional
  std::string explanation;  // the notice's explanation, or the report's comment
  Category category = Category::kNotSpecifiedNotice;
  std::optional<ReportCategory> report_category;  // reports only
  std::string legal_provision;
  std::vector<Id> rule_ids;
  bool forward = false;
  bool good_faith = false;
  bool threat_to_life = false;  // the notifier says life or safety is at risk
  int score = 0;                // automated notices: confidence 0..100
  std::string details_json;     // automated notices: what fired ("" or a JSON object)
  Id target_account_id = kNoId;  // the account the report is about (author of the items)
  Timestamp received_at;
  std::vector<NoticeItem> items;

  // "received" until every item has an outcome, then "decided".
  bool decided() const {
    for (const auto& item : items) {
      if (item.outcome.empty()) return false;
    }
    return !items.empty();
  }
};

// A unit of moderators' work: every notice about one target (a status or an account) while it is
// open, or an appeal against one decision.
struct Case {
  Id id = kNoId;
  CaseKind kind = CaseKind::kNotice;
  CaseState state = CaseState::kOpen;
  TargetType target_type = TargetType::kStatus;
  Id target_id = kNoId;
  Id account_id = kNoId;  // the target's author (or the account itself): for their history
  Category category = Category::kNotSpecifiedNotice;
  int urgency = 0;        // triage class: 0 is the most urgent (see safety/triage.h)
  int64_t score = 0;
  Timestamp deadline_at;
  Id assigned_to = kNoId;
  std::optional<Timestamp> lease_until;
  int64_t version = 1;  // bumped by every change
  int64_t notices_count = 0;
  int64_t distinct_notifiers = 0;
  // The distinct notifiers weighted by their track record and by brigading damping, in
  // thousandths (safety/triage.h): what the score counts.
  int64_t notifier_weight = 0;
  int64_t priority_notices = 0;  // notices from trusted flaggers, authorities and the host
  uint32_t sources = 0;          // SourceBit()s of the notices' sources
  bool threat_to_life = false;
  Id appeal_of = kNoId;              // appeal cases: the decision appealed
  Id excluded_moderator_id = kNoId;  // appeal cases: who made that decision; can never claim it
  Timestamp created_at;
  Timestamp updated_at;
  std::optional<Timestamp> closed_at;

  // Held by `moderator` at `now` (an expired lease holds nothing).
  bool HeldBy(Id moderator, Timestamp now) const {
    return state == CaseState::kOpen && assigned_to != kNoId && assigned_to == moderator &&
           lease_until && *lease_until > now;
  }
  // The holder at `now`, kNoId when unassigned or the lease has expired.
  Id HolderAt(Timestamp now) const {
    return state == CaseState::kOpen && assigned_to != kNoId && lease_until && *lease_until > now
               ? assigned_to
               : kNoId;
  }
  bool priority() const { return priority_notices > 0; }
};

// A status of a notice case about statuses (migration 0015): the case's target, or a near-duplicate
// by another account that joined it (a campaign case: one decision covers every such status, each
// author gets a statement of their own; docs/screening.md, "Campaigns").
struct CaseStatus {
  Id case_id = kNoId;
  Id status_id = kNoId;
  Id account_id = kNoId;  // the status's author
  // The status's fingerprint (screen/fingerprint.h) when it was added; shingles == 0: none (too
  // short to match on, or listed before migration 0015).
  uint64_t simhash = 0;
  uint32_t shingles = 0;
  Timestamp added_at;
};

struct CaseNote {
  Id id = kNoId;
  Id case_id = kNoId;
  Id author_id = kNoId;
  std::string text;
  Timestamp created_at;
};

// An organisation whose notices get priority: a trusted flagger (DSA Art. 22), an authority or the
// host's abuse desk. It authenticates with an API key of which only the SHA-256 is stored.
struct PriorityNotifier {
  Id id = kNoId;
  NoticeSource kind = NoticeSource::kTrustedFlagger;  // kTrustedFlagger, kAuthority or kHost
  std::string name;
  std::string key_hash;  // lower-case hex SHA-256 of the key
  Timestamp created_at;
  std::optional<Timestamp> revoked_at;
};

// A notifier's track record (by notifier key): the notice cases decided in which it had a notice,
// how many ended in a restriction, and how many were found manifestly unfounded (DSA Art. 23(2)).
struct NotifierRecord {
  int64_t decided = 0;
  int64_t upheld = 0;
  int64_t unfounded = 0;
};

// A message for a notifier's email address, waiting for a mail sender to drain it.
struct OutboxMessage {
  Id id = kNoId;
  std::string kind;  // "notice_receipt", "notice_outcome" ...
  std::string to_email;
  std::string subject;
  std::string body;
  Id notice_id = kNoId;
  Timestamp created_at;
  std::optional<Timestamp> sent_at;
};

}  // namespace stoa
