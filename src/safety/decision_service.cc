#include "safety/decision_service.h"

#include <algorithm>
#include <array>
#include <set>

#include "common/json_writer.h"
#include "common/strings.h"
#include "common/time_format.h"

namespace stoa::safety {
namespace {

// Transparency Database limits (reference/compliance.md section 2.2).
constexpr size_t kMaxFacts = 5000;
constexpr size_t kMaxReasons = 2000;
constexpr size_t kMaxProvision = 500;
constexpr size_t kMaxAuthority = 500;
constexpr int kMaxNoticesPerCase = 100000;
constexpr int kMaxOpenReportsPerAction = 1000;
constexpr int kMaxDecisionsLifted = 200;

// territorial_scope values the Transparency Database accepts: the EEA (EU27 + IS, LI, NO).
constexpr std::array<std::string_view, 30> kEeaCodes = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
    "IS", "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK"};

Status Invalid(const std::string& message) { return InvalidArgument("Validation failed: " + message); }

std::optional<AccountAction> AccountActionFor(DecisionAction a) {
  switch (a) {
    case DecisionAction::kSilenceAccount: return AccountAction::kSilence;
    case DecisionAction::kSuspendAccount: return AccountAction::kSuspend;
    case DecisionAction::kDisableLogin: return AccountAction::kDisable;
    case DecisionAction::kMarkAccountSensitive: return AccountAction::kSensitive;
    default: return std::nullopt;
  }
}

// The decision action of a Mastodon account action.
DecisionAction DecisionActionFor(AccountAction a) {
  switch (a) {
    case AccountAction::kNone: return DecisionAction::kWarn;
    case AccountAction::kSensitive: return DecisionAction::kMarkAccountSensitive;
    case AccountAction::kDisable: return DecisionAction::kDisableLogin;
    case AccountAction::kSilence: return DecisionAction::kSilenceAccount;
    case AccountAction::kSuspend: return DecisionAction::kSuspendAccount;
  }
  return DecisionAction::kWarn;
}

// What a notifier is told, and the member in the action's email.
std::string_view AccountOutcomeText(AccountAction a) {
  switch (a) {
    case AccountAction::kNone: return "a warning";
    case AccountAction::kSensitive: return "the account's posts are marked sensitive";
    case AccountAction::kDisable: return "the login is disabled";
    case AccountAction::kSilence: return "the account is limited";
    case AccountAction::kSuspend: return "the account is suspended";
  }
  return "a moderation action";
}

// The request's pure checks (those that need no storage).
struct Parsed {
  DecisionAction action = DecisionAction::kNoAction;
  DecisionGround ground = DecisionGround::kNone;
  std::optional<DecisionAction> replacement;
  std::vector<std::string> scope;
};

Result<Parsed> Parse(const DecisionRequest& r, Timestamp now) {
  Parsed p;
  auto action = ParseDecisionAction(r.action);
  if (!action) return Invalid("action is not one of no_action, mark_sensitive, restrict_visibility, "
                              "remove_status, silence_account, suspend_account, disable_login, "
                              "uphold, reverse");
  p.action = *action;
  auto ground = ParseDecisionGround(r.ground);
  if (!ground) return Invalid("ground must be illegal or terms");
  p.ground = *ground;
  if (r.facts.empty()) return Invalid("facts can't be blank");
  if (r.reasons.empty()) return Invalid("reasons can't be blank");
  if (Utf8Length(r.facts) > kMaxFacts) return Invalid("facts are too long (at most 5000 characters)");
  if (Utf8Length(r.reasons) > kMaxReasons) {
    return Invalid("reasons are too long (at most 2000 characters)");
  }
  if (Utf8Length(r.legal_provision) > kMaxProvision) return Invalid("legal_provision is too long");
  if (Utf8Length(r.referral_authority) > kMaxAuthority ||
      Utf8Length(r.referral_reference) > kMaxAuthority) {
    return Invalid("referral is too long");
  }
  if (r.referral_authority.empty() && !r.referral_reference.empty()) {
    return Invalid("referral_reference needs a referral_authority");
  }
  if (!r.replacement_action.empty()) {
    auto replacement = ParseDecisionAction(r.replacement_action);
    if (!replacement || !IsRestrictive(*replacement)) {
      return Invalid("replacement_action must be a restrictive action");
    }
    if (p.action != DecisionAction::kReverse) return Invalid("replacement_action is only for reverse");
    p.replacement = *replacement;
  }
  if (r.until) {
    const DecisionAction effect = p.replacement.value_or(p.action);
    if (effect != DecisionAction::kSuspendAccount) {
      return Invalid("until is only for suspend_account");
    }
    if (*r.until <= now) return Invalid("until must be in the future");
  }
  if (r.manifestly_unfounded && p.action != DecisionAction::kNoAction) {
    return Invalid("manifestly_unfounded is only for no_action");
  }
  if (r.territorial_scope.empty()) {
    p.scope.assign(kEeaCodes.begin(), kEeaCodes.end());
  } else {
    for (const auto& code : r.territorial_scope) {
      std::string upper = code;
      std::transform(upper.begin(), upper.end(), upper.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
      if (std::find(kEeaCodes.begin(), kEeaCodes.end(), upper) == kEeaCodes.end()) {
        return Invalid("territorial_scope: " + code + " is not an EEA country code");
      }
      if (std::find(p.scope.begin(), p.scope.end(), upper) == p.scope.end()) {
        p.scope.push_back(upper);
      }
    }
  }
  return p;
}

// The checks of the ground against the effect actually taken. `general_terms`: ground terms may
// name the instance's terms as a whole instead of one rule (Mastodon's account actions, whose
// clients send no rule).
Status CheckGround(storage::Transaction& tx, DecisionAction effect, DecisionGround ground,
                   const DecisionRequest& r, bool general_terms = false) {
  if (IsRestrictive(effect)) {
    if (ground == DecisionGround::kNone) {
      return Invalid("ground is required for " + std::string(DecisionActionName(effect)));
    }
  } else if (ground != DecisionGround::kNone && effect != DecisionAction::kNoAction &&
             effect != DecisionAction::kWarn) {
    return Invalid("uphold and reverse take no ground");
  }
  if (ground == DecisionGround::kIllegal && r.legal_provision.empty()) {
    return Invalid("legal_provision is required with ground illegal");
  }
  if (ground == DecisionGround::kTerms) {
    if (r.rule_id == kNoId && general_terms) return Status::Ok();
    if (r.rule_id == kNoId) return Invalid("rule_id is required with ground terms");
    auto rule = tx.rules().Get(r.rule_id);
    if (!rule.ok()) {
      if (rule.status().code() == StatusCode::kNotFound) {
        return Invalid("rule_id is not a rule of this instance");
      }
      return rule.status();
    }
  }
  return Status::Ok();
}

std::string SourceType(const Case& c) {
  if (c.sources & SourceBit(NoticeSource::kTrustedFlagger)) return "SOURCE_TRUSTED_FLAGGER";
  if (c.sources & (SourceBit(NoticeSource::kMember) | SourceBit(NoticeSource::kAnonymous))) {
    return "SOURCE_ARTICLE_16";
  }
  if (c.sources & (SourceBit(NoticeSource::kAuthority) | SourceBit(NoticeSource::kHost))) {
    return "SOURCE_TYPE_OTHER_NOTIFICATION";
  }
  return "SOURCE_VOLUNTARY";
}

std::string Puid(std::string_view host, Id id) {
  std::string out;
  for (char ch : host) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
    out.push_back(ok ? ch : '-');
  }
  return out + "-sor-" + IdToString(id);
}

// `campaign_of`: for the decision on a campaign member, the decision on the case's target.
std::string DecisionDetails(const Decision& d, DecisionAction effect, Id campaign_of = kNoId) {
  JsonWriter w;
  w.BeginObject();
  w.Key("decision_id").IdString(d.id);
  if (campaign_of != kNoId) w.Key("campaign_of").IdString(campaign_of);
  w.Field("action", DecisionActionName(d.action));
  if (effect != d.action) w.Field("effect", DecisionActionName(effect));
  if (d.statement_id != kNoId) w.Key("statement_id").IdString(d.statement_id);
  w.Key("target_account_id").IdString(d.target_account_id);
  if (d.target_status_id != kNoId) w.Key("target_status_id").IdString(d.target_status_id);
  if (d.appeal_of != kNoId) w.Key("appeal_of").IdString(d.appeal_of);
  if (d.until) w.Field("until", FormatIso8601(*d.until));
  if (d.referral) {
    w.Key("referral").BeginObject();
    w.Field("authority", d.referral->authority);
    w.Field("reference", d.referral->reference);
    w.EndObject();
  }
  w.EndObject();
  return w.Take();
}

}  // namespace

DecisionSettings DecisionSettings::FromConfig(const Config::Safety& c) {
  DecisionSettings s;
  s.appeal_window_days = c.appeal_window_days;
  s.strike_window_days = c.strike_window_days;
  s.strike_warning_threshold = c.strike_warning_threshold;
  s.strike_suspension_threshold = c.strike_suspension_threshold;
  s.strike_suspension_days = c.strike_suspension_days;
  s.unfounded_window_days = c.unfounded_window_days;
  s.unfounded_warning_threshold = c.unfounded_warning_threshold;
  s.unfounded_suspension_threshold = c.unfounded_suspension_threshold;
  s.unfounded_suspension_days = c.unfounded_suspension_days;
  s.max_bulk_cases = c.max_bulk_decisions;
  return s;
}

struct DecisionService::Effects {
  std::set<Id> statuses;
  std::set<Id> accounts;
  std::set<Id> released;  // statuses released from a screening hold
  std::set<Id> closed_cases;
};

std::string NotifierOutcome(const Decision& d) {
  switch (d.action) {
    case DecisionAction::kNoAction: return "no_action";
    case DecisionAction::kMarkSensitive: return "marked_sensitive";
    case DecisionAction::kRestrictVisibility: return "visibility_restricted";
    case DecisionAction::kRemoveStatus: return "removed";
    case DecisionAction::kSilenceAccount: return "account_silenced";
    case DecisionAction::kSuspendAccount: return "account_suspended";
    case DecisionAction::kDisableLogin: return "login_disabled";
    case DecisionAction::kUphold: return "appeal_rejected";
    case DecisionAction::kReverse: return "appeal_accepted";
    case DecisionAction::kWarn: return "warned";
    case DecisionAction::kMarkAccountSensitive: return "account_marked_sensitive";
  }
  return "decided";
}

DecisionService::DecisionService(social::Core& core, CaseService& cases, AuditLog& audit,
                                 AccountModeration& accounts, StatusModeration& statuses,
                                 DecisionSettings settings)
    : core_(core),
      cases_(cases),
      audit_(audit),
      accounts_(accounts),
      statuses_(statuses),
      settings_(std::move(settings)) {}

Result<Decision> DecisionService::Decide(const social::Viewer& moderator, const CaseRef& ref,
                                         const DecisionRequest& request) {
  std::vector<Decision> out;
  ASSIGN_OR_RETURN(out, DecideMany(moderator, std::span<const CaseRef>(&ref, 1), request));
  return out.front();
}

Result<std::vector<Decision>> DecisionService::DecideMany(const social::Viewer& moderator,
                                                          std::span<const CaseRef> refs,
                                                          const DecisionRequest& request) {
  if (!moderator.IsStaff()) return PermissionDenied("This action is not allowed");
  if (refs.empty()) return Invalid("case_ids can't be empty");
  if (refs.size() > static_cast<size_t>(settings_.max_bulk_cases)) {
    return Invalid("at most " + std::to_string(settings_.max_bulk_cases) + " cases at once");
  }
  std::set<Id> seen;
  for (const auto& ref : refs) {
    if (!seen.insert(ref.case_id).second) {
      return Invalid("case " + IdToString(ref.case_id) + " is listed twice");
    }
  }
  const Timestamp now = core_.Now();
  RETURN_IF_ERROR(Parse(request, now).status());
  std::vector<Decision> out;
  Effects effects;
  Status st = core_.storage().Write([&](storage::Transaction& tx) -> Status {
    out.clear();
    effects = Effects{};
    for (const auto& ref : refs) {
      auto d = DecideInTx(tx, moderator.account_id, ref, request, now, effects);
      if (!d.ok()) {
        if (refs.size() == 1) return d.status();
        return Status(d.status().code(),
                      "case " + IdToString(ref.case_id) + ": " + d.status().message());
      }
      out.push_back(std::move(d).value());
    }
    return Status::Ok();
  });
  RETURN_IF_ERROR(st);
  AfterCommit(effects);
  return out;
}

Result<Decision> DecisionService::DecideInTx(storage::Transaction& tx, Id moderator_id,
                                             const CaseRef& ref, const DecisionRequest& request,
                                             Timestamp now, Effects& effects) {
  ASSIGN_OR_RETURN(Parsed p, Parse(request, now));
  ASSIGN_OR_RETURN(Case c, cases_.CloseHeldCase(tx, ref.case_id, moderator_id, ref.version, now));
  effects.closed_cases.insert(c.id);
  const bool appeal_case = c.kind == CaseKind::kAppeal;
  const bool appeal_action =
      p.action == DecisionAction::kUphold || p.action == DecisionAction::kReverse;
  if (appeal_case && !appeal_action) return Invalid("an appeal case is decided with uphold or reverse");
  if (!appeal_case && appeal_action) return Invalid("uphold and reverse are for appeal cases");

  Decision d;
  d.id = core_.ids().Next();
  d.case_id = c.id;
  d.action = p.action;
  d.ground = p.ground;
  d.legal_provision = p.ground == DecisionGround::kIllegal ? request.legal_provision : "";
  d.rule_id = p.ground == DecisionGround::kTerms ? request.rule_id : kNoId;
  d.facts = request.facts;
  d.reasons = request.reasons;
  d.until = request.until;
  d.territorial_scope = p.scope;
  d.automated_detection =
      request.automated_detection || (c.sources & SourceBit(NoticeSource::kAutomated)) != 0;
  d.automated_decision = request.automated_decision;
  d.moderator_id = moderator_id;
  if (!request.referral_authority.empty()) {
    d.referral = Referral{request.referral_authority, now, request.referral_reference};
  }
  d.category = std::string(CategoryName(c.category));
  d.created_at = now;
  if (c.target_type == TargetType::kStatus) {
    d.target_status_id = c.target_id;
    d.target_account_id = c.account_id;
    if (d.target_account_id == kNoId) {
      ASSIGN_OR_RETURN(Post post, tx.posts().Get(c.target_id));
      d.target_account_id = post.account_id;
    }
  } else {
    d.target_account_id = c.account_id != kNoId ? c.account_id : c.target_id;
  }

  DecisionAction effect = p.action;
  std::optional<Decision> original;
  if (appeal_case) {
    ASSIGN_OR_RETURN(original, tx.decisions().Get(c.appeal_of));
    d.appeal_of = original->id;
    d.target_account_id = original->target_account_id;
    d.target_status_id = original->target_status_id;
    d.category = original->category;
    if (original->reversed_at) return Conflict("The appealed decision was already reversed");
    effect = DecisionAction::kNoAction;
    if (p.action == DecisionAction::kReverse) {
      if (original->action == DecisionAction::kNoAction) {
        if (!p.replacement) {
          return Invalid("replacement_action is required to reverse a no_action decision");
        }
        effect = *p.replacement;
      } else {
        if (p.replacement) return Invalid("replacement_action is only for reversing no_action");
        RETURN_IF_ERROR(LiftEffect(tx, *original, now, effects));
      }
      RETURN_IF_ERROR(tx.decisions().MarkReversed(original->id, d.id, now));
    } else if (p.replacement) {
      return Invalid("replacement_action is only for reverse");
    }
  }
  if (appeal_case && !IsRestrictive(effect)) {
    if (p.ground != DecisionGround::kNone) return Invalid("uphold and reverse take no ground");
  } else {
    RETURN_IF_ERROR(CheckGround(tx, effect, p.ground, request));
  }
  if (IsStatusAction(effect) && d.target_status_id == kNoId) {
    return Invalid(std::string(DecisionActionName(effect)) + " is only for cases about a status");
  }

  RETURN_IF_ERROR(ApplyEffect(tx, d, effect, now, effects));
  // A decision on a case about a status that screening held ends the hold (docs/screening.md).
  if (!appeal_case && c.target_type == TargetType::kStatus && d.target_status_id != kNoId) {
    ASSIGN_OR_RETURN(bool released, statuses_.Release(tx, d.target_status_id));
    if (released) effects.released.insert(d.target_status_id);
  }
  RETURN_IF_ERROR(Record(tx, c, d, effect, now, effects));

  if (!appeal_case) {
    RETURN_IF_ERROR(InformNotifiers(tx, c, d, now));
    const bool unfounded = p.action == DecisionAction::kNoAction && request.manifestly_unfounded;
    if (unfounded) RETURN_IF_ERROR(CountUnfounded(tx, c, d, now));
    RETURN_IF_ERROR(RecordForNotifiers(
        tx, c.id, NotifierRecord{1, IsRestrictive(effect) ? 1 : 0, unfounded ? 1 : 0}));
  }
  if (IsRestrictive(effect) || effect == DecisionAction::kWarn) {
    RETURN_IF_ERROR(
        NotifyOutcome(tx, d.target_account_id, NotificationType::kModerationWarning, d.id, now));
  }
  if (appeal_case) {
    if (p.action == DecisionAction::kReverse && IsRestrictive(original->action)) {
      RETURN_IF_ERROR(tx.decisions().RemoveStrike(original->target_account_id, original->id));
    }
    // The original notifiers' track record follows the reversal: their notice was upheld after
    // all (a no_action reversed into a restriction), or not (a restriction lifted).
    // A campaign member's decision (campaign_of in its audit entry) does not count: the case's
    // notifiers were counted once, for the decision on its target.
    bool counted = true;
    if (auto original_case = tx.cases().Get(original->case_id); original_case.ok()) {
      counted = original_case->target_type != TargetType::kStatus ||
                original_case->target_id == original->target_status_id;
    }
    if (p.action == DecisionAction::kReverse && counted) {
      const int64_t upheld = IsRestrictive(original->action) ? -1 : IsRestrictive(effect) ? 1 : 0;
      if (upheld != 0) {
        RETURN_IF_ERROR(RecordForNotifiers(tx, original->case_id, NotifierRecord{0, upheld, 0}));
      }
    }
    ASSIGN_OR_RETURN(Appeal appeal, tx.decisions().FindAppealByCase(c.id));
    RETURN_IF_ERROR(tx.decisions().ResolveAppeal(
        appeal.id,
        p.action == DecisionAction::kReverse ? AppealState::kReversed : AppealState::kUpheld, d.id,
        now));
    // Both sides learn the reasoned outcome: the appellant, and the other side of the original
    // decision (its notifiers when the author appealed; the author when a notifier did and the
    // decision changed for them).
    if (appeal.role == AppellantRole::kAffected) {
      RETURN_IF_ERROR(
          NotifyOutcome(tx, appeal.appellant_id, NotificationType::kModerationWarning, d.id, now));
      Case original_case = c;
      original_case.id = original->case_id;
      RETURN_IF_ERROR(InformNotifiers(tx, original_case, d, now));
    } else {
      RETURN_IF_ERROR(
          NotifyOutcome(tx, appeal.appellant_id, NotificationType::kNoticeOutcome, d.id, now));
    }
  }

  const char* audited = p.action == DecisionAction::kReverse  ? "decision.reverse"
                        : p.action == DecisionAction::kUphold ? "decision.uphold"
                                                              : "decision.create";
  RETURN_IF_ERROR(
      audit_.Append(tx, DecisionAudit(c, d, audited, DecisionDetails(d, effect))).status());
  if (!appeal_case && c.target_type == TargetType::kStatus) {
    RETURN_IF_ERROR(DecideCampaignMembers(tx, c, d, effect, now, effects));
  }
  return d;
}

Status DecisionService::DecideCampaignMembers(storage::Transaction& tx, const Case& c,
                                              const Decision& d, DecisionAction effect,
                                              Timestamp now, Effects& effects) {
  const bool account_effect = AccountActionFor(effect).has_value();
  std::set<Id> authors{d.target_account_id};
  for (const CaseStatus& m : tx.cases().ListStatuses(c.id, kMaxCampaignStatuses)) {
    if (m.status_id == d.target_status_id) continue;
    // Account actions: once per author.
    if (account_effect && !authors.insert(m.account_id).second) continue;
    auto post = tx.posts().Get(m.status_id);
    if (!post.ok()) {
      if (post.status().code() == StatusCode::kNotFound) continue;
      return post.status();
    }
    // A copy its author deleted has nothing left to act on (its snapshot stays in the notice).
    if (post->deleted() && !account_effect) continue;

    Decision md = d;
    md.id = core_.ids().Next();
    md.target_status_id = m.status_id;
    md.target_account_id = post->account_id;
    md.statement_id = kNoId;
    if (!post->deleted()) RETURN_IF_ERROR(ApplyEffect(tx, md, effect, now, effects));
    ASSIGN_OR_RETURN(bool released, statuses_.Release(tx, m.status_id));
    if (released) effects.released.insert(m.status_id);
    // Each author gets a statement of reasons of their own (DSA Art. 17), about their post.
    RETURN_IF_ERROR(Record(tx, c, md, effect, now, effects));
    if (IsRestrictive(effect) || effect == DecisionAction::kWarn) {
      RETURN_IF_ERROR(NotifyOutcome(tx, md.target_account_id,
                                    NotificationType::kModerationWarning, md.id, now));
    }
    RETURN_IF_ERROR(
        audit_
            .Append(tx, DecisionAudit(c, md, "decision.create", DecisionDetails(md, effect, d.id)))
            .status());
  }
  return Status::Ok();
}

Status DecisionService::Record(storage::Transaction& tx, const Case& c, Decision& d,
                               DecisionAction effect, Timestamp now, Effects& effects) {
  if (IsRestrictive(effect)) {
    ASSIGN_OR_RETURN(StatementOfReasons s, BuildStatement(tx, d, effect, c, now));
    d.statement_id = s.id;
    RETURN_IF_ERROR(tx.decisions().InsertStatement(s));
    RETURN_IF_ERROR(CountStrike(tx, d, now, effects));
  }
  return tx.decisions().Insert(d);
}

AuditDraft DecisionService::DecisionAudit(const Case& c, const Decision& d, std::string action,
                                          std::string details_json) {
  AuditDraft draft;
  draft.actor_id = d.moderator_id;
  draft.action = std::move(action);
  draft.target_type = "case";
  draft.target_id = IdToString(c.id);
  draft.ground = d.ground == DecisionGround::kIllegal ? d.legal_provision
                 : d.ground == DecisionGround::kTerms ? "rule " + IdToString(d.rule_id)
                                                      : "";
  draft.reasons = d.reasons;
  draft.details_json = std::move(details_json);
  return draft;
}

Status DecisionService::ApplyEffect(storage::Transaction& tx, const Decision& d,
                                    DecisionAction action, Timestamp now, Effects& effects) {
  if (IsStatusAction(action)) {
    RETURN_IF_ERROR(statuses_.Apply(tx, d.target_status_id, action, now, d.category));
    effects.statuses.insert(d.target_status_id);
  } else if (auto account_action = AccountActionFor(action)) {
    RETURN_IF_ERROR(accounts_.Apply(tx, d.target_account_id, *account_action,
                                    action == DecisionAction::kSuspendAccount ? d.until
                                                                              : std::nullopt,
                                    now));
    effects.accounts.insert(d.target_account_id);
  }
  return Status::Ok();
}

Status DecisionService::LiftEffect(storage::Transaction& tx, const Decision& original,
                                   Timestamp now, Effects& effects) {
  if (IsStatusAction(original.action)) {
    RETURN_IF_ERROR(statuses_.Lift(tx, original.target_status_id, original.action));
    effects.statuses.insert(original.target_status_id);
  } else if (auto account_action = AccountActionFor(original.action)) {
    RETURN_IF_ERROR(accounts_.Lift(tx, original.target_account_id, *account_action, now));
    effects.accounts.insert(original.target_account_id);
  }
  return Status::Ok();
}

Result<StatementOfReasons> DecisionService::BuildStatement(storage::Transaction& tx,
                                                           const Decision& d,
                                                           DecisionAction effect, const Case& c,
                                                           Timestamp now) {
  StatementOfReasons s;
  s.id = core_.ids().Next();
  s.decision_id = d.id;
  s.account_id = d.target_account_id;
  s.puid = Puid(core_.host(), s.id);
  const std::string until = d.until ? FormatDate(*d.until) : "";
  switch (effect) {
    case DecisionAction::kMarkSensitive:
      s.decision_visibility = {"DECISION_VISIBILITY_CONTENT_LABELLED"};
      break;
    case DecisionAction::kRestrictVisibility:
      s.decision_visibility = {"DECISION_VISIBILITY_CONTENT_DEMOTED"};
      break;
    case DecisionAction::kRemoveStatus:
      s.decision_visibility = {"DECISION_VISIBILITY_CONTENT_REMOVED"};
      break;
    case DecisionAction::kMarkAccountSensitive:
      // Every post of the account carries a content warning.
      s.decision_visibility = {"DECISION_VISIBILITY_CONTENT_LABELLED"};
      break;
    case DecisionAction::kSilenceAccount:
      // The account's posts stay visible to followers only: a partial suspension of the service.
      s.decision_provision = "DECISION_PROVISION_PARTIAL_SUSPENSION";
      break;
    case DecisionAction::kDisableLogin:
      s.decision_provision = "DECISION_PROVISION_TOTAL_SUSPENSION";
      break;
    case DecisionAction::kSuspendAccount:
      s.decision_account = "DECISION_ACCOUNT_SUSPENDED";
      s.end_date_account_restriction = until;
      break;
    default:
      break;
  }
  s.territorial_scope = d.territorial_scope;
  s.decision_facts = d.facts;
  s.source_type = SourceType(c);
  if (s.source_type == "SOURCE_TRUSTED_FLAGGER") {
    // The trusted flagger's public name (an organisation), never a person's.
    for (const auto& n : tx.notices().ListForCase(c.id, kMaxNoticesPerCase)) {
      if (n.source != NoticeSource::kTrustedFlagger || n.notifier_id == kNoId) continue;
      if (auto flagger = tx.notifiers().Get(n.notifier_id); flagger.ok()) {
        s.source_identity = flagger->name;
        break;
      }
    }
  }
  s.automated_detection = d.automated_detection ? "Yes" : "No";
  switch (d.automated_decision) {
    case AutomatedDecision::kNotAutomated:
      s.automated_decision = "AUTOMATED_DECISION_NOT_AUTOMATED";
      break;
    case AutomatedDecision::kPartially:
      s.automated_decision = "AUTOMATED_DECISION_PARTIALLY";
      break;
    case AutomatedDecision::kFully:
      s.automated_decision = "AUTOMATED_DECISION_FULLY";
      break;
  }
  if (d.ground == DecisionGround::kIllegal) {
    s.decision_ground = "DECISION_GROUND_ILLEGAL_CONTENT";
    s.illegal_content_legal_ground = d.legal_provision;
    s.illegal_content_explanation = d.reasons;
  } else if (d.rule_id == kNoId) {
    // The instance's terms as a whole (an account action from a Mastodon client names no rule).
    s.decision_ground = "DECISION_GROUND_INCOMPATIBLE_CONTENT";
    s.incompatible_content_ground = "The terms of service of " + std::string(core_.host());
    s.incompatible_content_explanation = d.reasons;
    s.decision_ground_reference_url = core_.settings().base_url + "/about";
  } else {
    s.decision_ground = "DECISION_GROUND_INCOMPATIBLE_CONTENT";
    ASSIGN_OR_RETURN(InstanceRule rule, tx.rules().Get(d.rule_id));
    s.incompatible_content_ground = "Rule " + IdToString(rule.id) + ": " + rule.text;
    if (Utf8Length(s.incompatible_content_ground) > kMaxProvision) {
      s.incompatible_content_ground =
          std::string(Utf8Prefix(s.incompatible_content_ground, kMaxProvision));
    }
    s.incompatible_content_explanation = d.reasons;
    s.decision_ground_reference_url = core_.settings().base_url + "/about#rule-" + IdToString(rule.id);
  }
  s.category = d.category.empty() ? "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE" : d.category;
  if (d.target_status_id != kNoId) {
    ASSIGN_OR_RETURN(Post post, tx.posts().Get(d.target_status_id));
    s.content_date = FormatDate(post.created_at);
    if (post.language) {
      s.content_language = *post.language;
      std::transform(s.content_language.begin(), s.content_language.end(),
                     s.content_language.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
      if (s.content_language.size() != 2) s.content_language.clear();
    }
  } else {
    ASSIGN_OR_RETURN(Account account, tx.accounts().Get(d.target_account_id));
    s.content_date = FormatDate(account.created_at);
  }
  s.application_date = FormatDate(now);
  s.redress = settings_.redress;
  s.created_at = now;
  return s;
}

Status DecisionService::InformNotifiers(storage::Transaction& tx, const Case& c, const Decision& d,
                                        Timestamp now) {
  const std::string outcome = NotifierOutcome(d);
  if (d.action != DecisionAction::kUphold && d.action != DecisionAction::kReverse) {
    RETURN_IF_ERROR(cases_.SetNoticeOutcome(tx, c.id, d.id, outcome, now));
  }
  std::set<Id> told_accounts;
  std::set<std::string> told_emails;
  for (const CaseNotifier& n : cases_.Notifiers(tx, c.id)) {
    if (n.account_id != kNoId) {
      if (n.account_id == d.target_account_id) continue;  // not about oneself
      if (!told_accounts.insert(n.account_id).second) continue;
      RETURN_IF_ERROR(
          NotifyOutcome(tx, n.account_id, NotificationType::kNoticeOutcome, d.id, now));
    } else if (!n.email.empty()) {
      if (!told_emails.insert(n.email).second) continue;
      OutboxMessage m;
      m.id = core_.ids().Next();
      m.kind = "notice_outcome";
      m.to_email = n.email;
      m.subject = "Decision on your notice " + n.reference;
      m.body = "Your notice " + n.reference + " has been decided: " + outcome +
               ".\n\nReasons: " + d.reasons +
               "\n\nYou can see its state with your reference and secret at "
               "GET /api/v1/notices/" + n.reference +
               ". If you disagree with a decision to take no action you may complain about it "
               "within 6 months, turn to a certified out-of-court dispute settlement body (DSA "
               "Art. 21) or to a court.";
      m.notice_id = n.notice_id;
      m.created_at = now;
      RETURN_IF_ERROR(tx.outbox().Insert(m));
    }
  }
  return Status::Ok();
}

Status DecisionService::NotifyOutcome(storage::Transaction& tx, Id account_id,
                                      NotificationType type, Id decision_id, Timestamp now) {
  if (account_id == kNoId) return Status::Ok();
  Notification n;
  n.id = core_.ids().Next();
  n.account_id = account_id;
  // As in Mastodon, a moderation warning comes "from" the account it concerns; the recipient.
  n.from_account_id = account_id;
  n.type = type;
  n.activity_id = decision_id;
  n.created_at = now;
  return tx.notifications().Insert(n);
}

Status DecisionService::CountStrike(storage::Transaction& tx, const Decision& d, Timestamp now,
                                    Effects& effects) {
  RETURN_IF_ERROR(tx.decisions().AddStrike(d.target_account_id, d.id, now));
  const Timestamp since = now - std::chrono::hours(24) * settings_.strike_window_days;
  const int64_t strikes = tx.decisions().CountStrikes(d.target_account_id, since);
  const std::string key = IdToString(d.target_account_id);
  MisuseMeasure m;
  m.subject = MisuseSubject::kAccount;
  m.subject_key = key;
  m.decision_id = d.id;
  m.count = strikes;
  m.starts_at = now;
  if (settings_.strike_suspension_threshold > 0 &&
      strikes >= settings_.strike_suspension_threshold) {
    // Art. 23(1): after a prior warning only.
    const auto measures = tx.decisions().ListMeasures(MisuseSubject::kAccount, key);
    const bool warned = std::any_of(measures.begin(), measures.end(), [](const MisuseMeasure& x) {
      return x.kind == MisuseMeasureKind::kWarning;
    });
    if (warned && d.action != DecisionAction::kSuspendAccount) {
      m.id = core_.ids().Next();
      m.kind = MisuseMeasureKind::kSuspension;
      m.ends_at = now + std::chrono::hours(24) * settings_.strike_suspension_days;
      RETURN_IF_ERROR(tx.decisions().InsertMeasure(m));
      RETURN_IF_ERROR(accounts_.Apply(tx, d.target_account_id, AccountAction::kSuspend, m.ends_at,
                                      now));
      effects.accounts.insert(d.target_account_id);
      AuditDraft draft;
      draft.actor_id = d.moderator_id;
      draft.action = "misuse.suspend_account";
      draft.target_type = "account";
      draft.target_id = key;
      draft.reasons = std::to_string(strikes) + " strikes within " +
                      std::to_string(settings_.strike_window_days) + " days";
      draft.details_json = "{\"decision_id\":\"" + IdToString(d.id) + "\"}";
      return audit_.Append(tx, draft).status();
    }
    if (warned) return Status::Ok();
  }
  if (settings_.strike_warning_threshold > 0 && strikes >= settings_.strike_warning_threshold) {
    m.id = core_.ids().Next();
    m.kind = MisuseMeasureKind::kWarning;
    RETURN_IF_ERROR(tx.decisions().InsertMeasure(m));
  }
  return Status::Ok();
}

Status DecisionService::CountUnfounded(storage::Transaction& tx, const Case& c, const Decision& d,
                                       Timestamp now) {
  const Timestamp since = now - std::chrono::hours(24) * settings_.unfounded_window_days;
  std::set<std::string> keys;
  for (const auto& n : tx.notices().ListForCase(c.id, kMaxNoticesPerCase)) {
    if (!n.notifier_key.empty() && n.source != NoticeSource::kAutomated) keys.insert(n.notifier_key);
  }
  for (const auto& key : keys) {
    RETURN_IF_ERROR(tx.decisions().AddUnfounded(key, d.id, now));
    const int64_t count = tx.decisions().CountUnfounded(key, since);
    const auto measures = tx.decisions().ListMeasures(MisuseSubject::kNotifier, key);
    const bool warned = std::any_of(measures.begin(), measures.end(), [](const MisuseMeasure& x) {
      return x.kind == MisuseMeasureKind::kWarning;
    });
    MisuseMeasure m;
    m.subject = MisuseSubject::kNotifier;
    m.subject_key = key;
    m.decision_id = d.id;
    m.count = count;
    m.starts_at = now;
    if (warned && settings_.unfounded_suspension_threshold > 0 &&
        count >= settings_.unfounded_suspension_threshold &&
        !tx.decisions().NotifierSuspendedUntil(key, now)) {
      m.id = core_.ids().Next();
      m.kind = MisuseMeasureKind::kSuspension;
      m.ends_at = now + std::chrono::hours(24) * settings_.unfounded_suspension_days;
      RETURN_IF_ERROR(tx.decisions().InsertMeasure(m));
      AuditDraft draft;
      draft.actor_id = d.moderator_id;
      draft.action = "misuse.suspend_notifier";
      draft.target_type = "notifier";
      draft.target_id = key;
      draft.reasons = std::to_string(count) + " manifestly unfounded notices within " +
                      std::to_string(settings_.unfounded_window_days) + " days";
      draft.details_json = "{\"decision_id\":\"" + IdToString(d.id) + "\"}";
      RETURN_IF_ERROR(audit_.Append(tx, draft).status());
    } else if (!warned && settings_.unfounded_warning_threshold > 0 &&
               count >= settings_.unfounded_warning_threshold) {
      m.id = core_.ids().Next();
      m.kind = MisuseMeasureKind::kWarning;
      RETURN_IF_ERROR(tx.decisions().InsertMeasure(m));
    }
  }
  return Status::Ok();
}

Status DecisionService::RecordForNotifiers(storage::Transaction& tx, Id case_id,
                                           const NotifierRecord& delta) {
  std::set<std::string> keys;
  for (const auto& n : tx.notices().ListForCase(case_id, kMaxNoticesPerCase)) {
    if (!n.notifier_key.empty() && n.source != NoticeSource::kAutomated) keys.insert(n.notifier_key);
  }
  for (const auto& key : keys) RETURN_IF_ERROR(tx.decisions().AddToNotifierRecord(key, delta));
  return Status::Ok();
}

size_t DecisionService::OtherAuthors(storage::Transaction& tx, const Case& c, Id account_id) {
  if (c.target_type != TargetType::kStatus) return 0;
  std::set<Id> authors;
  for (const CaseStatus& m : tx.cases().ListStatuses(c.id, kMaxCampaignStatuses)) {
    authors.insert(m.account_id);
  }
  authors.erase(account_id);
  return authors.size();
}

Status DecisionService::ResolveCase(storage::Transaction& tx, Case c, Id moderator_id,
                                    const Decision& d, Timestamp now) {
  if (c.state != CaseState::kOpen) return Status::Ok();
  const Id holder = c.HolderAt(now);
  if (holder != kNoId && holder != moderator_id) {
    return Conflict("Report " + IdToString(c.id) + " is being handled by another moderator");
  }
  c.state = CaseState::kClosed;
  c.closed_at = now;
  c.updated_at = now;
  c.assigned_to = moderator_id;
  c.lease_until.reset();
  RETURN_IF_ERROR(tx.cases().Update(c));
  RETURN_IF_ERROR(InformNotifiers(tx, c, d, now));
  RETURN_IF_ERROR(RecordForNotifiers(tx, c.id,
                                     NotifierRecord{1, IsRestrictive(d.action) ? 1 : 0, 0}));
  AuditDraft draft;
  draft.actor_id = moderator_id;
  draft.action = "report.resolve";
  draft.target_type = "case";
  draft.target_id = IdToString(c.id);
  JsonWriter w;
  w.BeginObject().Field("outcome", NotifierOutcome(d));
  w.Key("decision_id").IdString(d.id);
  w.EndObject();
  draft.details_json = w.Take();
  return audit_.Append(tx, draft).status();
}

Result<AccountActionResult> DecisionService::ActOnAccount(const social::Viewer& moderator,
                                                          Id account_id,
                                                          const AccountActionRequest& in) {
  if (!moderator.IsStaff()) return PermissionDenied("This action is not allowed");
  const Timestamp now = core_.Now();
  const DecisionAction action = DecisionActionFor(in.type);
  AccountActionResult out;
  Effects effects;
  Status st = core_.storage().Write([&](storage::Transaction& tx) -> Status {
    out = AccountActionResult{};
    effects = Effects{};
    ASSIGN_OR_RETURN(Account account, tx.accounts().Get(account_id));
    std::optional<Case> report;
    if (in.report_id != kNoId) {
      ASSIGN_OR_RETURN(report, tx.cases().Get(in.report_id));
      // A report has notices: the moderators' own cases are not reports.
      if (report->kind != CaseKind::kNotice || report->notices_count == 0) return NotFound();
      if (report->account_id != account_id) {
        return Invalid("the report is not about this account");
      }
      // A campaign (campaigns.h) lists copies by other accounts too; an action on this account
      // would close the report with their copies undecided.
      if (report->state == CaseState::kOpen) {
        if (const size_t others = OtherAuthors(tx, *report, account_id); others > 0) {
          return Conflict("Report " + IdToString(report->id) + " is a campaign: it also lists " +
                          "statuses by " + std::to_string(others) + " other account" +
                          (others == 1 ? "" : "s") +
                          "; decide it with POST /api/v1/admin/cases/" + IdToString(report->id) +
                          "/decision (the moderation console), which covers every copy");
        }
      }
    }
    std::string text = in.text;
    if (in.warning_preset_id != kNoId) {
      ASSIGN_OR_RETURN(WarningPreset preset, tx.decisions().GetWarningPreset(in.warning_preset_id));
      text = text.empty() ? preset.text : preset.text + "\n\n" + text;
    }

    // The decision request the case decisions validate, with what a Mastodon client leaves out.
    DecisionRequest r;
    r.action = std::string(DecisionActionName(action));
    r.ground = in.ground;
    r.legal_provision = in.legal_provision;
    r.rule_id = in.rule_id;
    r.until = in.until;
    r.territorial_scope = in.territorial_scope;
    std::vector<Notice> report_notices;
    if (report) report_notices = tx.notices().ListForCase(report->id, kMaxNoticesPerCase);
    if (r.ground.empty() && action != DecisionAction::kWarn) {
      r.ground = std::string(DecisionGroundName(DecisionGround::kTerms));
      if (r.rule_id == kNoId) {
        for (const auto& n : report_notices) {
          if (!n.rule_ids.empty()) {
            r.rule_id = n.rule_ids.front();
            break;
          }
        }
      }
    }
    r.reasons = text.empty() ? "The moderators decided: " + std::string(AccountOutcomeText(in.type)) +
                                   "."
                             : text;
    if (!in.facts.empty()) {
      r.facts = in.facts;
    } else {
      r.facts = "The account @" + account.username + " (" + std::string(AccountOutcomeText(in.type)) +
                (report ? "), on report " + IdToString(report->id) + " (" +
                              std::to_string(report->notices_count) + " notices)."
                        : "), on the moderators' own initiative.");
    }
    ASSIGN_OR_RETURN(Parsed p, Parse(r, now));
    RETURN_IF_ERROR(CheckGround(tx, action, p.ground, r, /*general_terms=*/true));

    // The case the decision belongs to: the report's, or one of the moderators' own initiative.
    Case c;
    if (report) {
      c = *report;
    } else {
      c.id = core_.ids().Next();
      c.kind = CaseKind::kNotice;
      c.state = CaseState::kClosed;
      c.target_type = TargetType::kAccount;
      c.target_id = account_id;
      c.account_id = account_id;
      c.urgency = static_cast<int>(p.ground == DecisionGround::kIllegal ? Urgency::kIllegal
                                                                         : Urgency::kTerms);
      c.created_at = c.updated_at = now;
      c.deadline_at = now;
      c.closed_at = now;
      c.assigned_to = moderator.account_id;
    }
    if (!in.category.empty()) {
      auto category = ParseCategory(in.category);
      if (!category) return Invalid("category is not a STATEMENT_CATEGORY_* value");
      c.category = *category;
    } else if (!report) {
      c.category = p.ground == DecisionGround::kIllegal ? Category::kIllegalOrHarmfulSpeech
                                                        : Category::kOtherViolationTc;
    }
    if (!report) RETURN_IF_ERROR(tx.cases().Insert(c));

    Decision d;
    d.id = core_.ids().Next();
    d.case_id = c.id;
    d.action = action;
    d.ground = p.ground;
    d.legal_provision = p.ground == DecisionGround::kIllegal ? r.legal_provision : "";
    d.rule_id = p.ground == DecisionGround::kTerms ? r.rule_id : kNoId;
    d.facts = r.facts;
    d.reasons = r.reasons;
    d.until = r.until;
    d.territorial_scope = p.scope;
    d.automated_detection = (c.sources & SourceBit(NoticeSource::kAutomated)) != 0;
    d.moderator_id = moderator.account_id;
    d.target_account_id = account_id;
    d.category = std::string(CategoryName(c.category));
    d.created_at = now;

    RETURN_IF_ERROR(ApplyEffect(tx, d, action, now, effects));
    RETURN_IF_ERROR(Record(tx, c, d, action, now, effects));
    RETURN_IF_ERROR(
        NotifyOutcome(tx, account_id, NotificationType::kModerationWarning, d.id, now));

    // Mastodon: "none" resolves the given report only; every other action every open report
    // about the account (a report another moderator holds stays with them).
    if (report) {
      RETURN_IF_ERROR(ResolveCase(tx, *report, moderator.account_id, d, now));
      if (report->state == CaseState::kOpen) {
        out.closed_cases.push_back(report->id);
        effects.closed_cases.insert(report->id);
      }
    }
    if (in.type != AccountAction::kNone) {
      for (auto& k : tx.cases().ListForAccount(account_id, kMaxOpenReportsPerAction)) {
        if (k.state != CaseState::kOpen || k.kind != CaseKind::kNotice || k.id == c.id) continue;
        const Id holder = k.HolderAt(now);
        if (holder != kNoId && holder != moderator.account_id) continue;
        if (OtherAuthors(tx, k, account_id) > 0) continue;  // a campaign: stays for its decision
        RETURN_IF_ERROR(ResolveCase(tx, k, moderator.account_id, d, now));
        out.closed_cases.push_back(k.id);
        effects.closed_cases.insert(k.id);
      }
    }

    if (in.send_email) {
      auto user = tx.accounts().GetUser(account_id);
      if (user.ok() && !user->email.empty()) {
        OutboxMessage m;
        m.id = core_.ids().Next();
        m.kind = "account_warning";
        m.to_email = user->email;
        m.subject = "A moderator took action on your account @" + account.username;
        m.body = "Action: " + std::string(AccountOutcomeText(in.type)) + "\n" +
                 (d.until ? "Until: " + FormatIso8601(*d.until) + "\n" : std::string()) + "\n" +
                 d.reasons + "\n" +
                 (d.statement_id != kNoId
                      ? "\nThe statement of reasons: " + core_.settings().base_url +
                            "/api/v1/statements/" + IdToString(d.statement_id) + "\n" +
                            settings_.redress + "\n"
                      : std::string());
        m.created_at = now;
        RETURN_IF_ERROR(tx.outbox().Insert(m));
      }
    }

    AuditDraft draft;
    draft.actor_id = moderator.account_id;
    draft.action = "account." + std::string(AccountActionName(in.type));
    draft.target_type = "account";
    draft.target_id = IdToString(account_id);
    draft.ground = d.ground == DecisionGround::kIllegal ? d.legal_provision
                   : d.ground == DecisionGround::kTerms
                       ? (d.rule_id != kNoId ? "rule " + IdToString(d.rule_id) : "terms")
                       : "";
    draft.reasons = d.reasons;
    JsonWriter w;
    w.BeginObject().Field("type", AccountActionName(in.type));
    w.Key("decision_id").IdString(d.id);
    if (d.statement_id != kNoId) w.Key("statement_id").IdString(d.statement_id);
    w.Key("case_id").IdString(c.id);
    w.Field("report_id", report ? IdToString(report->id) : std::string());
    w.Field("until", d.until ? FormatIso8601(*d.until) : std::string());
    w.Field("send_email_notification", in.send_email ? "true" : "false");
    if (in.warning_preset_id != kNoId) w.Key("warning_preset_id").IdString(in.warning_preset_id);
    w.EndObject();
    draft.details_json = w.Take();
    RETURN_IF_ERROR(audit_.Append(tx, draft).status());
    out.decision = d;
    return Status::Ok();
  });
  RETURN_IF_ERROR(st);
  effects.accounts.insert(account_id);
  AfterCommit(effects);
  return out;
}

Result<std::vector<Decision>> DecisionService::LiftOnAccount(const social::Viewer& moderator,
                                                             Id account_id, AccountAction lifted,
                                                             const std::string& text) {
  if (!moderator.IsStaff()) return PermissionDenied("This action is not allowed");
  if (lifted == AccountAction::kNone) return Invalid("nothing to lift");
  if (Utf8Length(text) > kMaxReasons) return Invalid("text is too long (at most 2000 characters)");
  const Timestamp now = core_.Now();
  const DecisionAction imposed = DecisionActionFor(lifted);
  std::vector<Decision> out;
  Effects effects;
  Status st = core_.storage().Write([&](storage::Transaction& tx) -> Status {
    out.clear();
    effects = Effects{};
    ASSIGN_OR_RETURN(Account account, tx.accounts().Get(account_id));
    RETURN_IF_ERROR(accounts_.Lift(tx, account_id, lifted, now));
    // Every decision still in force that imposed this effect.
    storage::PageQuery page;
    page.limit = kMaxDecisionsLifted;
    for (const Decision& original : tx.decisions().ListForAccount(account_id, page)) {
      if (original.reversed_at || original.action != imposed) continue;
      Decision r;
      r.id = core_.ids().Next();
      r.case_id = original.case_id;
      r.action = DecisionAction::kReverse;
      r.facts = "The moderators lifted the measure of decision " + IdToString(original.id) + " (" +
                std::string(DecisionActionName(original.action)) + ") on @" + account.username +
                ".";
      r.reasons = text.empty() ? std::string("The measure no longer applies.") : text;
      r.territorial_scope = original.territorial_scope;
      r.moderator_id = moderator.account_id;
      r.target_account_id = account_id;
      r.target_status_id = original.target_status_id;
      r.category = original.category;
      r.appeal_of = original.id;
      r.created_at = now;
      RETURN_IF_ERROR(tx.decisions().MarkReversed(original.id, r.id, now));
      RETURN_IF_ERROR(tx.decisions().RemoveStrike(account_id, original.id));
      RETURN_IF_ERROR(tx.decisions().Insert(r));
      RETURN_IF_ERROR(
          NotifyOutcome(tx, account_id, NotificationType::kModerationWarning, r.id, now));
      out.push_back(std::move(r));
    }
    AuditDraft draft;
    draft.actor_id = moderator.account_id;
    switch (lifted) {
      case AccountAction::kDisable: draft.action = "account.enable"; break;
      case AccountAction::kSilence: draft.action = "account.unsilence"; break;
      case AccountAction::kSuspend: draft.action = "account.unsuspend"; break;
      case AccountAction::kSensitive: draft.action = "account.unsensitive"; break;
      case AccountAction::kNone: break;
    }
    draft.target_type = "account";
    draft.target_id = IdToString(account_id);
    draft.reasons = text;
    JsonWriter w;
    w.BeginObject().Key("reversed_decisions").BeginArray();
    for (const auto& r : out) w.IdString(r.appeal_of);
    w.EndArray().Key("reversal_decisions").BeginArray();
    for (const auto& r : out) w.IdString(r.id);
    w.EndArray().EndObject();
    draft.details_json = w.Take();
    return audit_.Append(tx, draft).status();
  });
  RETURN_IF_ERROR(st);
  effects.accounts.insert(account_id);
  AfterCommit(effects);
  return out;
}

void DecisionService::AfterCommit(const Effects& effects) {
  for (Id id : effects.statuses) statuses_.AfterCommit(id);
  for (Id id : effects.accounts) accounts_.AfterCommit(id);
  for (Id id : effects.released) statuses_.AfterRelease(id);
  if (campaigns_ != nullptr) {
    for (Id id : effects.closed_cases) campaigns_->Forget(id);
  }
}

Result<Decision> DecisionService::Get(const social::Viewer& viewer, Id id) {
  if (!viewer.IsStaff()) return NotFound();
  auto read = core_.storage().Read();
  return read->decisions().Get(id);
}

Result<StatementOfReasons> DecisionService::GetStatement(const social::Viewer& viewer, Id id) {
  if (viewer.anonymous()) return NotFound();
  auto read = core_.storage().Read();
  ASSIGN_OR_RETURN(StatementOfReasons s, read->decisions().GetStatement(id));
  if (s.account_id != viewer.account_id && !viewer.IsStaff()) return NotFound();
  return s;
}

}  // namespace stoa::safety
