// Notices and reports: validation, snapshots, merging into cases, receipts (notice_service.h).
#include "safety/notice_service.h"

#include <algorithm>
#include <unordered_set>

#include "common/crypto.h"
#include "common/json_writer.h"
#include "common/strings.h"
#include "common/time_format.h"

namespace stoa::safety {
namespace {

constexpr size_t kMaxNameChars = 200;
constexpr size_t kMaxProvisionChars = 500;
constexpr size_t kMaxEmailBytes = 320;

Status CheckText(std::string_view field, std::string_view value, size_t max_chars) {
  if (!IsValidUtf8(value)) {
    return InvalidArgument("Validation failed: " + std::string(field) + " is not valid UTF-8");
  }
  if (Utf8Length(value) > max_chars) {
    return InvalidArgument("Validation failed: " + std::string(field) +
                           " is too long (maximum is " + std::to_string(max_chars) +
                           " characters)");
  }
  return Status::Ok();
}

bool LooksLikeEmail(std::string_view e) {
  if (e.size() > kMaxEmailBytes) return false;
  const size_t at = e.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= e.size()) return false;
  if (e.find('@', at + 1) != std::string_view::npos) return false;
  for (char ch : e) {
    if (static_cast<unsigned char>(ch) <= ' ' || ch == '<' || ch == '>' || ch == ',') return false;
  }
  return e.substr(at + 1).find('.') != std::string_view::npos;
}

// "@username\ndisplay name\nnote": what an account says about itself.
std::string AccountText(const Account& a) {
  return "@" + a.username + "\n" + a.display_name + "\n" + a.note;
}

std::string ReceiptBody(const Notice& n, const social::Core& core) {
  std::string body = "We received your notice " + n.reference + " on " +
                     FormatIso8601(n.received_at) + ".\n\nReported:\n";
  for (const auto& item : n.items) {
    body += "- " + (item.location.empty() ? std::string(TargetTypeName(item.target_type)) + " " +
                                                IdToString(item.target_id)
                                          : item.location) +
            "\n";
  }
  body += "\nWe will tell you our decision. You can follow the state of your notice at " +
          core.settings().base_url + "/api/v1/notices/" + n.reference +
          "?secret=<the secret you received>.\n";
  return body;
}

}  // namespace

std::string NoticeService::NewSecret(Notice& notice) {
  notice.reference = RandomToken(core_.random(), 12);
  std::string secret = RandomToken(core_.random(), 24);
  notice.secret_hash = Sha256Hex(secret);
  return secret;
}

Result<SubmittedNotice> NoticeService::Report(const social::Viewer& reporter, const ReportInput& in) {
  if (reporter.anonymous()) return InvalidArgument("This method requires an authenticated user");
  auto account = core_.LoadAccount(in.account_id);
  if (!account) return NotFound();

  std::optional<ReportCategory> category;
  if (in.category.empty()) {
    category = in.rule_ids.empty() ? ReportCategory::kOther : ReportCategory::kViolation;
  } else {
    category = ParseReportCategory(in.category);
    if (!category) return InvalidArgument("Validation failed: Category is not included in the list");
  }
  RETURN_IF_ERROR(CheckText("Comment", in.comment, kMaxCommentChars));
  if (in.status_ids.size() > kMaxStatusIds) {
    return InvalidArgument("Validation failed: Status ids has too many statuses (maximum is 100)");
  }

  std::vector<Id> rule_ids;
  if (!in.rule_ids.empty()) {
    const auto rules = core_.storage().Read()->rules().List();
    for (Id id : in.rule_ids) {
      const bool known = std::any_of(rules.begin(), rules.end(),
                                     [&](const InstanceRule& r) { return r.id == id; });
      if (!known) return InvalidArgument("Validation failed: Rule ids contains an unknown rule");
      if (std::find(rule_ids.begin(), rule_ids.end(), id) == rule_ids.end()) rule_ids.push_back(id);
    }
  }

  std::vector<Target> targets;
  std::unordered_set<Id> seen;
  for (Id id : in.status_ids) {
    if (!seen.insert(id).second) continue;
    auto post = posts_.GetVisible(reporter, id);
    if (!post.ok() || (*post)->account_id != in.account_id || (*post)->is_reblog()) {
      return InvalidArgument(
          "Validation failed: Status ids must be statuses of the reported account that you can "
          "see");
    }
    targets.push_back(Target{TargetType::kStatus, id, "", std::move(post).value(), account});
  }
  if (targets.empty()) {
    targets.push_back(Target{TargetType::kAccount, in.account_id, "", nullptr, account});
  }

  Notice n;
  n.id = core_.ids().Next();
  SubmittedNotice out;
  out.secret = NewSecret(n);
  n.source = NoticeSource::kMember;
  n.reporter_account_id = reporter.account_id;
  n.notifier_key = "account:" + IdToString(reporter.account_id);
  n.explanation = in.comment;
  n.report_category = category;
  n.category = Triage::CategoryForReport(*category);
  n.rule_ids = std::move(rule_ids);
  n.forward = in.forward;
  n.target_account_id = in.account_id;
  const Timestamp now = core_.Now();
  n.received_at = now;
  RETURN_IF_ERROR(core_.storage().Write(
      [&](storage::Transaction& tx) { return Store(tx, n, targets, now); }));
  out.notice = std::move(n);
  return out;
}

Result<NoticeService::Target> NoticeService::ResolveLocation(std::string_view url,
                                                             const social::Viewer& viewer,
                                                             bool any_visibility) {
  const std::string unknown = "Validation failed: unknown location " + std::string(url);
  const std::string& base = core_.settings().base_url;
  std::string_view rest = Trim(url);
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (!rest.starts_with(base) || rest.size() <= base.size() || rest[base.size()] != '/') {
    return InvalidArgument(unknown + " (not a status or account on this server)");
  }
  rest.remove_prefix(base.size() + 1);
  // Forms: @user, @user/ID, users/user, users/user/statuses/ID.
  std::string_view username;
  std::optional<Id> status_id;
  auto parts = Split(rest, '/');
  if (parts.size() >= 1 && parts[0].starts_with("@") && parts.size() <= 2) {
    username = parts[0].substr(1);
    if (parts.size() == 2) {
      status_id = ParseId(parts[1]);
      if (!status_id) return InvalidArgument(unknown);
    }
  } else if (parts.size() >= 2 && parts[0] == "users" && (parts.size() == 2 || parts.size() == 4)) {
    username = parts[1];
    if (parts.size() == 4) {
      if (parts[2] != "statuses") return InvalidArgument(unknown);
      status_id = ParseId(parts[3]);
      if (!status_id) return InvalidArgument(unknown);
    }
  } else {
    return InvalidArgument(unknown);
  }
  if (!status_id) {
    auto found = core_.storage().Read()->accounts().FindByUsername(username);
    if (!found.ok()) return InvalidArgument(unknown);
    social::AccountPtr account = core_.LoadAccount(found->id);
    if (!account) return InvalidArgument(unknown);
    return Target{TargetType::kAccount, account->id, std::string(Trim(url)), nullptr, account};
  }
  // A status: both objects come from the caches; the URL's username must be its author's
  // (compared as the username index compares, case-insensitively).
  social::PostPtr post;
  if (any_visibility) {
    post = core_.LoadPost(*status_id);
    if (!post || post->deleted()) return InvalidArgument(unknown);
  } else {
    auto visible = posts_.GetVisible(viewer, *status_id);
    if (!visible.ok()) return InvalidArgument(unknown);
    post = std::move(visible).value();
  }
  if (post->is_reblog()) return InvalidArgument(unknown);
  social::AccountPtr author = core_.LoadAccount(post->account_id);
  if (!author || !EqualsIgnoreCase(author->username, username)) return InvalidArgument(unknown);
  return Target{TargetType::kStatus, *status_id, std::string(Trim(url)), std::move(post),
                std::move(author)};
}

Result<SubmittedNotice> NoticeService::Submit(const NoticeSender& sender, const NoticeInput& in) {
  const std::string_view explanation = Trim(in.explanation);
  if (explanation.empty()) {
    return InvalidArgument("Validation failed: Explanation can't be blank");
  }
  RETURN_IF_ERROR(CheckText("Explanation", explanation, kMaxExplanationChars));
  if (in.locations.empty()) {
    return InvalidArgument("Validation failed: Locations can't be blank (the URLs of the statuses "
                           "or accounts you report)");
  }
  if (in.locations.size() > kMaxLocations) {
    return InvalidArgument("Validation failed: Locations has too many entries (maximum is 100)");
  }
  if (!in.good_faith || !*in.good_faith) {
    return InvalidArgument(
        "Validation failed: good_faith must be true (your statement that the notice is accurate "
        "and complete)");
  }
  Category category = Category::kNotSpecifiedNotice;
  if (!in.category.empty()) {
    auto parsed = ParseCategory(in.category);
    if (!parsed) {
      return InvalidArgument("Validation failed: Category is not a STATEMENT_CATEGORY_* value");
    }
    category = *parsed;
  }
  RETURN_IF_ERROR(CheckText("Name", in.name, kMaxNameChars));
  RETURN_IF_ERROR(CheckText("Legal provision", in.legal_provision, kMaxProvisionChars));
  const std::string email(Trim(in.email));
  if (!email.empty() && !LooksLikeEmail(email)) {
    return InvalidArgument("Validation failed: Email is not an email address");
  }

  const social::Viewer anonymous;
  const social::Viewer& viewer = sender.member ? *sender.member : anonymous;
  std::vector<Target> targets;
  std::unordered_set<int64_t> seen;
  for (const auto& location : in.locations) {
    ASSIGN_OR_RETURN(Target t, ResolveLocation(location, viewer, sender.notifier != nullptr));
    const int64_t key = t.type == TargetType::kStatus ? t.id : -t.id;
    if (seen.insert(key).second) targets.push_back(std::move(t));
  }

  Notice n;
  n.id = core_.ids().Next();
  SubmittedNotice out;
  out.secret = NewSecret(n);
  if (sender.notifier) {
    n.source = sender.notifier->kind;
    n.notifier_id = sender.notifier->id;
    n.notifier_key = "notifier:" + IdToString(sender.notifier->id);
  } else if (sender.member && !sender.member->anonymous()) {
    n.source = NoticeSource::kMember;
    n.reporter_account_id = sender.member->account_id;
    n.notifier_key = "account:" + IdToString(sender.member->account_id);
  } else {
    n.source = NoticeSource::kAnonymous;
    n.notifier_key = email.empty() ? "ip:" + Sha256Hex(sender.ip)
                                   : "email:" + Sha256Hex(AsciiLower(email));
  }
  n.name = std::string(Trim(in.name));
  n.email = email;
  n.explanation = std::string(explanation);
  n.category = category;
  n.legal_provision = std::string(Trim(in.legal_provision));
  n.good_faith = true;
  n.threat_to_life = in.threat_to_life;
  const Timestamp now = core_.Now();
  n.received_at = now;
  RETURN_IF_ERROR(core_.storage().Write(
      [&](storage::Transaction& tx) { return Store(tx, n, targets, now); }));
  out.notice = std::move(n);
  return out;
}

Result<Notice> NoticeService::SubmitAutomated(
    storage::Transaction& tx, TargetType target_type, Id target_id, Category category, int score,
    std::string_view details_json, const std::optional<Campaigns::Candidate>& campaign,
    const std::optional<screen::Fingerprint>& fingerprint) {
  Notice n;
  n.id = core_.ids().Next();
  NewSecret(n);
  n.source = NoticeSource::kAutomated;
  n.notifier_key = "automated:screening";
  n.category = category;
  n.score = std::clamp(score, 0, 100);
  n.details_json = std::string(details_json);
  const Timestamp now = core_.Now();
  n.received_at = now;
  RETURN_IF_ERROR(Store(
      tx, n, {Target{target_type, target_id, "", nullptr, nullptr, campaign, fingerprint}}, now));
  return n;
}

namespace {

// The evidence and the reach of a status, from the post and its author.
void SnapshotStatus(const Post& post, const Account* author, ContentSnapshot& snap, Reach& reach) {
  snap.author_id = post.account_id;
  snap.text = post.text;
  snap.spoiler_text = post.spoiler_text;
  snap.visibility = post.visibility;
  snap.content_created_at = post.created_at;
  reach.reblogs = post.reblogs_count;
  reach.favourites = post.favourites_count;
  reach.replies = post.replies_count;
  if (author != nullptr) reach.author_followers = author->followers_count;
}

void SnapshotAccount(const Account& account, ContentSnapshot& snap, Reach& reach) {
  snap.author_id = account.id;
  snap.text = AccountText(account);
  snap.content_created_at = account.created_at;
  reach.author_followers = account.followers_count;
}

}  // namespace

Status NoticeService::Store(storage::Transaction& tx, Notice& n, const std::vector<Target>& targets,
                            Timestamp now) {
  // DSA Art. 23(2): a notifier suspended for repeated manifestly unfounded notices (after a
  // warning; safety/decision_service.h) is not heard until the suspension ends. Checked here, in
  // the writer's transaction, so a suspension that has just been decided cannot be missed.
  if (auto until = tx.decisions().NotifierSuspendedUntil(n.notifier_key, now)) {
    return PermissionDenied(
        "Your notices are not processed until " +
        (*until == Timestamp::max() ? std::string("further notice") : FormatIso8601(*until)) +
        ": too many of your notices were manifestly unfounded (DSA Art. 23)");
  }
  const NoticeSignals signals{n.category, n.report_category, n.threat_to_life, n.source, n.score};
  // How much this notifier weighs where it is new (triage.h): its track record, and for members
  // their links to the case's earlier member notifiers.
  NotifierSignals notifier;
  if (n.source != NoticeSource::kAutomated) {
    notifier.record = tx.decisions().GetNotifierRecord(n.notifier_key);
  }
  notifier.member = n.source == NoticeSource::kMember && n.reporter_account_id != kNoId;
  n.items.clear();
  for (const Target& t : targets) {
    NoticeItem item;
    item.id = core_.ids().Next();
    item.notice_id = n.id;
    item.target_type = t.type;
    item.target_id = t.id;
    item.location = t.location;
    ContentSnapshot& snap = item.snapshot;
    snap.target_type = t.type;
    snap.target_id = t.id;
    snap.taken_at = now;
    Reach reach;
    // The status itself, for campaigns: from the caches, or as read here.
    const Post* status = nullptr;
    std::optional<Post> read_status;
    if (t.type == TargetType::kStatus && t.post) {
      SnapshotStatus(*t.post, t.account.get(), snap, reach);
      status = t.post.get();
    } else if (t.type == TargetType::kStatus) {
      auto post = tx.posts().Get(t.id);
      if (!post.ok() || post->deleted()) {
        return InvalidArgument("Validation failed: the status " + IdToString(t.id) +
                               " does not exist");
      }
      auto author = tx.accounts().Get(post->account_id);
      SnapshotStatus(*post, author.ok() ? &*author : nullptr, snap, reach);
      read_status = std::move(post).value();
      status = &*read_status;
    } else if (t.account) {
      SnapshotAccount(*t.account, snap, reach);
    } else {
      ASSIGN_OR_RETURN(Account account, tx.accounts().Get(t.id));
      SnapshotAccount(account, snap, reach);
    }
    snap.sha256 = Sha256Hex(SnapshotCanonicalBytes(snap));
    if (n.target_account_id == kNoId) n.target_account_id = snap.author_id;

    // Join the open case about the target, or open one.
    std::optional<Case> open = tx.cases().FindOpenForTarget(t.type, t.id);
    // Campaigns (campaigns.h): a status listed in an open case (a campaign member) joins it; a
    // status without one joins the open case of a near-duplicate by another account: the one
    // screening found it near (a copy), or one found here.
    const bool campaigns = campaigns_ != nullptr && status != nullptr;
    const auto listing = t.campaign ? Campaigns::Listing::kCopy : Campaigns::Listing::kOwnMerit;
    bool new_member = false;
    // The status's fingerprint: screening's (a flagged post is fingerprinted once), else computed
    // once when first needed; a copy that joins the case screening found it near needs none.
    std::optional<screen::Fingerprint> fingerprint = t.fingerprint;
    const auto fingerprint_of_status = [&]() -> const screen::Fingerprint& {
      if (!fingerprint) fingerprint = Campaigns::FingerprintOf(*status);
      return *fingerprint;
    };
    if (!open && campaigns && campaigns_->enabled()) {
      open = tx.cases().FindOpenWithStatus(t.id);
      if (!open) {
        if (t.campaign) {
          ASSIGN_OR_RETURN(open, OpenCampaignCase(tx, t.campaign->case_id, t.id));
        }
        if (!open) {
          ASSIGN_OR_RETURN(
              open, FindCampaign(tx, fingerprint_of_status(), status->account_id, t.id, now));
        }
        new_member = open.has_value();
      }
    }
    const bool new_case = !open;
    Case c;
    if (open) {
      c = std::move(*open);
    } else {
      c.id = core_.ids().Next();
      c.kind = CaseKind::kNotice;
      c.target_type = t.type;
      c.target_id = t.id;
      c.account_id = snap.author_id;
      c.created_at = now;
      c.deadline_at = Timestamp::max();
    }
    c.notices_count += 1;
    if (IsPrioritySource(n.source)) c.priority_notices += 1;
    c.sources |= SourceBit(n.source);
    if (!open) {
      // The case must exist before its notifiers reference it.
      c.distinct_notifiers = 1;
      NotifierSignals first = notifier;
      first.earlier_members = 0;
      c.notifier_weight = triage_.NotifierWeight(first);
      triage_.Apply(c, signals, now, reach);
      c.updated_at = now;
      RETURN_IF_ERROR(tx.cases().Insert(c));
      RETURN_IF_ERROR(tx.cases().AddNotifier(c.id, n.notifier_key).status());
    } else {
      ASSIGN_OR_RETURN(bool new_notifier, tx.cases().AddNotifier(c.id, n.notifier_key));
      if (new_notifier) {
        NotifierSignals joining = notifier;
        if (joining.member && triage_.settings().brigading_sample > 0) {
          const auto links = tx.cases().MemberNotifierLinks(c.id, n.reporter_account_id,
                                                            triage_.settings().brigading_sample);
          joining.earlier_members = links.members;
          joining.linked_members = links.linked;
          joining.case_damped = c.notifier_weight < c.distinct_notifiers * 1000;
        }
        c.distinct_notifiers += 1;
        c.notifier_weight += triage_.NotifierWeight(joining);
      }
      triage_.Apply(c, signals, now, reach);
      c.updated_at = now;
      // Only the counters and the triage fields change: the narrow update leaves the indexes on
      // the target, the account and the leases alone.
      RETURN_IF_ERROR(tx.cases().UpdateTriage(c));
    }
    if (campaigns && (new_case || new_member)) {
      // The case lists its target (and each member) with the fingerprint it is matched by (the
      // one computed above when the status looked for a campaign to join); a copy is listed
      // without one, so none is computed for it.
      const bool matched_on = listing == Campaigns::Listing::kOwnMerit && campaigns_->enabled();
      RETURN_IF_ERROR(campaigns_->Add(tx, c.id, *status,
                                      matched_on ? fingerprint_of_status() : screen::Fingerprint{},
                                      now, listing));
    }
    item.case_id = c.id;
    n.items.push_back(std::move(item));
  }
  RETURN_IF_ERROR(tx.notices().Insert(n));
  if (!n.email.empty()) {
    OutboxMessage m;
    m.id = core_.ids().Next();
    m.kind = "notice_receipt";
    m.to_email = n.email;
    m.subject = "We received your notice " + n.reference;
    m.body = ReceiptBody(n, core_);
    m.notice_id = n.id;
    m.created_at = now;
    RETURN_IF_ERROR(tx.outbox().Insert(m));
  }
  return Status::Ok();
}

Result<std::optional<Case>> NoticeService::FindCampaign(storage::Transaction& tx,
                                                        const screen::Fingerprint& f, Id author,
                                                        Id status_id, Timestamp now) {
  // The index may name a case that was closed outside the decisions or never committed: such a
  // case is forgotten and the next candidate tried (a few times at most; each try forgets one).
  constexpr int kTries = 4;
  for (int i = 0; i < kTries; ++i) {
    auto candidate = campaigns_->Find(f, author, now, status_id);
    if (!candidate) return std::optional<Case>();
    ASSIGN_OR_RETURN(auto c, OpenCampaignCase(tx, candidate->case_id, status_id));
    if (c) return c;
  }
  return std::optional<Case>();
}

Result<std::optional<Case>> NoticeService::OpenCampaignCase(storage::Transaction& tx, Id case_id,
                                                            Id status_id) {
  // Taken out of that case by a moderator: it never joins it again (the index passes over it
  // too; this is the database's word, for a removal that committed after screening looked).
  ASSIGN_OR_RETURN(bool excluded, tx.cases().IsExcluded(case_id, status_id));
  if (excluded) return std::optional<Case>();
  auto c = tx.cases().Get(case_id);
  if (c.ok() && c->state == CaseState::kOpen && c->kind == CaseKind::kNotice &&
      c->target_type == TargetType::kStatus) {
    return std::optional<Case>(std::move(c).value());
  }
  if (!c.ok() && c.status().code() != StatusCode::kNotFound) return c.status();
  campaigns_->Forget(case_id);
  return std::optional<Case>();
}

Result<Notice> NoticeService::Lookup(std::string_view reference, std::string_view secret) {
  if (reference.empty() || secret.empty()) return NotFound();
  auto n = core_.storage().Read()->notices().FindByReference(reference);
  if (!n.ok()) return NotFound();
  if (!ConstantTimeEquals(Sha256Hex(secret), n->secret_hash)) return NotFound();
  return n;
}

Result<Notice> NoticeService::GetReport(Id reporter_id, Id notice_id) {
  auto n = core_.storage().Read()->notices().Get(notice_id);
  if (!n.ok() || n->reporter_account_id != reporter_id || !n->report_category) return NotFound();
  return n;
}

Result<std::pair<PriorityNotifier, std::string>> NoticeService::AddNotifier(NoticeSource kind,
                                                                            std::string_view name,
                                                                            Id actor_id) {
  if (!IsPrioritySource(kind)) {
    return InvalidArgument("kind must be trusted_flagger, authority or host");
  }
  const std::string_view trimmed = Trim(name);
  if (trimmed.empty()) return InvalidArgument("name can't be blank");
  RETURN_IF_ERROR(CheckText("Name", trimmed, kMaxNameChars));
  PriorityNotifier n;
  n.id = core_.ids().Next();
  n.kind = kind;
  n.name = std::string(trimmed);
  std::string key = std::string(kKeyPrefix) + RandomToken(core_.random(), 32);
  n.key_hash = Sha256Hex(key);
  n.created_at = core_.Now();
  RETURN_IF_ERROR(core_.storage().Write([&](storage::Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.notifiers().Insert(n));
    AuditDraft d;
    d.actor_id = actor_id;
    d.action = "notifier.add";
    d.target_type = "notifier";
    d.target_id = IdToString(n.id);
    JsonWriter w;
    w.BeginObject().Field("kind", NoticeSourceName(kind)).Field("name", n.name).EndObject();
    d.details_json = w.Take();
    return audit_.Append(tx, d).status();
  }));
  return std::make_pair(std::move(n), std::move(key));
}

Status NoticeService::RevokeNotifier(Id notifier_id, Id actor_id) {
  return core_.storage().Write([&](storage::Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.notifiers().Revoke(notifier_id, core_.Now()));
    AuditDraft d;
    d.actor_id = actor_id;
    d.action = "notifier.revoke";
    d.target_type = "notifier";
    d.target_id = IdToString(notifier_id);
    return audit_.Append(tx, d).status();
  });
}

std::vector<PriorityNotifier> NoticeService::ListNotifiers() {
  return core_.storage().Read()->notifiers().List();
}

Result<PriorityNotifier> NoticeService::AuthenticateKey(std::string_view key) {
  if (!key.starts_with(kKeyPrefix)) return Unauthenticated("The access token is invalid");
  auto n = core_.storage().Read()->notifiers().FindByKeyHash(Sha256Hex(key));
  if (!n.ok()) return Unauthenticated("The access token is invalid");
  return n;
}

}  // namespace stoa::safety
