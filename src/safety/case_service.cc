// Cases and the moderators' queue (see case_service.h).
#include "safety/case_service.h"

#include "common/json_writer.h"
#include "common/strings.h"

namespace stoa::safety {
namespace {

AuditDraft CaseDraft(Id actor, std::string_view action, const Case& c, std::string details) {
  AuditDraft d;
  d.actor_id = actor;
  d.action = std::string(action);
  d.target_type = "case";
  d.target_id = IdToString(c.id);
  d.details_json = std::move(details);
  return d;
}

std::string VersionDetails(const Case& c, Id assignee = kNoId) {
  JsonWriter w;
  w.BeginObject().Field("version", c.version);
  if (assignee != kNoId) w.Key("assigned_to").IdString(assignee);
  if (c.lease_until) w.Field("lease_until", ToUnixMillis(*c.lease_until));
  w.EndObject();
  return w.Take();
}

Status CheckVersion(const Case& c, std::optional<int64_t> version) {
  if (version && *version != c.version) return Conflict("stale version");
  return Status::Ok();
}

}  // namespace

Result<Case> CaseService::ClaimNext(Id moderator_id) {
  std::optional<Case> claimed;
  const Timestamp now = core_.Now();
  RETURN_IF_ERROR(core_.storage().Write([&](storage::Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.cases().ExpireLeases(now).status());
    ASSIGN_OR_RETURN(claimed, tx.cases().ClaimHead(moderator_id, now + lease_, now));
    if (!claimed) return Status::Ok();
    return audit_.Append(tx, CaseDraft(moderator_id, "case.claim", *claimed,
                                       VersionDetails(*claimed, moderator_id)))
        .status();
  }));
  if (!claimed) return NotFound("No case is waiting for you");
  return *claimed;
}

Result<Case> CaseService::Change(Id case_id, Id actor_id, std::optional<int64_t> version,
                                 std::string_view action, std::string details_json,
                                 const std::function<Status(Case&, Timestamp)>& change) {
  Case out;
  const Timestamp now = core_.Now();
  RETURN_IF_ERROR(core_.storage().Write([&](storage::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(Case c, tx.cases().Get(case_id));
    RETURN_IF_ERROR(CheckVersion(c, version));
    RETURN_IF_ERROR(change(c, now));
    c.updated_at = now;
    RETURN_IF_ERROR(tx.cases().Update(c));
    c.version += 1;
    out = c;
    std::string details = details_json.empty() ? VersionDetails(c, c.assigned_to) : details_json;
    return audit_.Append(tx, CaseDraft(actor_id, action, c, std::move(details))).status();
  }));
  return out;
}

Result<Case> CaseService::Renew(Id case_id, Id moderator_id, std::optional<int64_t> version) {
  return Change(case_id, moderator_id, version, "case.renew", "",
                [&](Case& c, Timestamp now) -> Status {
                  if (!c.HeldBy(moderator_id, now)) {
                    return PermissionDenied("This case is not held by you");
                  }
                  c.lease_until = now + lease_;
                  return Status::Ok();
                });
}

Result<Case> CaseService::Release(Id case_id, Id moderator_id, std::optional<int64_t> version) {
  return Change(case_id, moderator_id, version, "case.release", "",
                [&](Case& c, Timestamp now) -> Status {
                  if (!c.HeldBy(moderator_id, now)) {
                    return PermissionDenied("This case is not held by you");
                  }
                  c.assigned_to = kNoId;
                  c.lease_until.reset();
                  return Status::Ok();
                });
}

Result<Case> CaseService::Assign(Id case_id, Id assignee_id, Id admin_id,
                                 std::optional<int64_t> version) {
  auto user = core_.storage().Read()->accounts().GetUser(assignee_id);
  if (!user.ok() || !AtLeast(user->role, Role::kModerator) || user->disabled) {
    return InvalidArgument("Validation failed: the assignee must be a moderator");
  }
  return Change(case_id, admin_id, version, "case.assign", "",
                [&](Case& c, Timestamp now) -> Status {
                  if (c.state != CaseState::kOpen) {
                    return InvalidArgument("Validation failed: the case is closed");
                  }
                  if (c.excluded_moderator_id == assignee_id) {
                    return InvalidArgument(
                        "Validation failed: the moderator who made the appealed decision cannot "
                        "take the appeal");
                  }
                  c.assigned_to = assignee_id;
                  c.lease_until = now + lease_;
                  return Status::Ok();
                });
}

Result<CaseNote> CaseService::AddNote(Id case_id, Id author_id, std::string_view text) {
  const std::string_view trimmed = Trim(text);
  if (trimmed.empty()) return InvalidArgument("Validation failed: Text can't be blank");
  if (!IsValidUtf8(trimmed)) return InvalidArgument("Validation failed: Text is not valid UTF-8");
  if (Utf8Length(trimmed) > kMaxNoteChars) {
    return InvalidArgument("Validation failed: Text is too long (maximum is 5000 characters)");
  }
  CaseNote note;
  note.id = core_.ids().Next();
  note.case_id = case_id;
  note.author_id = author_id;
  note.text = std::string(trimmed);
  note.created_at = core_.Now();
  RETURN_IF_ERROR(core_.storage().Write([&](storage::Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.cases().Get(case_id).status());
    return tx.cases().InsertNote(note);
  }));
  return note;
}

Result<Case> CaseService::RemoveStatus(Id case_id, Id status_id, Id actor_id, bool override_holder,
                                       std::string_view reason, std::optional<int64_t> version) {
  const std::string_view trimmed = Trim(reason);
  if (trimmed.empty()) return InvalidArgument("Validation failed: Reason can't be blank");
  if (!IsValidUtf8(trimmed)) return InvalidArgument("Validation failed: Reason is not valid UTF-8");
  if (Utf8Length(trimmed) > kMaxNoteChars) {
    return InvalidArgument("Validation failed: Reason is too long (maximum is 5000 characters)");
  }
  Case out;
  const Timestamp now = core_.Now();
  RETURN_IF_ERROR(core_.storage().Write([&](storage::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(Case c, tx.cases().Get(case_id));
    if (c.kind != CaseKind::kNotice || c.target_type != TargetType::kStatus) return NotFound();
    if (c.state != CaseState::kOpen) return Conflict("The case is decided");
    RETURN_IF_ERROR(CheckVersion(c, version));
    const Id holder = c.HolderAt(now);
    if (holder != kNoId && holder != actor_id && !override_holder) {
      return Conflict("This case is held by another moderator");
    }
    if (status_id == c.target_id) {
      return InvalidArgument(
          "Validation failed: the status that opened the case cannot be removed from it");
    }
    const std::vector<CaseStatus> first = tx.cases().ListStatuses(case_id, 2);
    const bool listed_only = first.size() == 1 && first.front().status_id == status_id;
    if (listed_only) {
      return InvalidArgument("Validation failed: the last status of a case cannot be removed");
    }
    Id author = kNoId;
    if (auto post = tx.posts().Get(status_id); post.ok()) {
      if (post->held()) {
        // (A held status this case does not list is simply not found.)
        auto listing = tx.cases().FindOpenWithStatus(status_id);
        if (!listing || listing->id != case_id) return NotFound();
        return Conflict(
            "The status is held by screening: it waits for the case's decision, which releases "
            "it");
      }
      author = post->account_id;
    }
    c.updated_at = now;
    RETURN_IF_ERROR(tx.cases().Update(c));
    c.version += 1;
    out = c;
    JsonWriter w;
    w.BeginObject().Key("status_id").IdString(status_id);
    if (author != kNoId) w.Key("account_id").IdString(author);
    w.Field("version", c.version).EndObject();
    AuditDraft d = CaseDraft(actor_id, "case.remove_status", c, w.Take());
    d.reasons = std::string(trimmed);
    RETURN_IF_ERROR(audit_.Append(tx, d).status());
    // Last: the index changes under its lock (a failure before here leaves it untouched).
    if (campaigns_ != nullptr) return campaigns_->Remove(tx, case_id, status_id);
    return tx.cases().RemoveStatus(case_id, status_id);
  }));
  return out;
}

Result<Case> CaseService::CloseHeldCase(storage::Transaction& tx, Id case_id, Id moderator_id,
                                        int64_t version, Timestamp now) {
  ASSIGN_OR_RETURN(Case c, tx.cases().Get(case_id));
  if (c.state != CaseState::kOpen) return Conflict("stale version");
  if (c.version != version) return Conflict("stale version");
  if (!c.HeldBy(moderator_id, now)) return PermissionDenied("This case is not held by you");
  c.state = CaseState::kClosed;
  c.closed_at = now;
  c.lease_until.reset();
  c.updated_at = now;
  RETURN_IF_ERROR(tx.cases().Update(c));
  c.version += 1;
  return c;
}

Result<Case> CaseService::OpenAppealCase(storage::Transaction& tx, Id decision_id,
                                         TargetType target_type, Id target_id, Category category,
                                         Id excluded_moderator_id, Timestamp now) {
  Case c;
  c.id = core_.ids().Next();
  c.kind = CaseKind::kAppeal;
  c.target_type = target_type;
  c.target_id = target_id;
  if (target_type == TargetType::kStatus) {
    ASSIGN_OR_RETURN(Post post, tx.posts().Get(target_id));
    c.account_id = post.account_id;
  } else {
    c.account_id = target_id;
  }
  c.category = category;
  c.urgency = static_cast<int>(Urgency::kIllegal);
  c.appeal_of = decision_id;
  c.excluded_moderator_id = excluded_moderator_id;
  c.created_at = now;
  c.updated_at = now;
  // Appeals (DSA Art. 20) are decided "in a timely manner": the illegal-content class.
  c.score = Triage::Severity(Urgency::kIllegal);
  c.deadline_at = triage_.Deadline(now, Urgency::kIllegal, false, c.score);
  RETURN_IF_ERROR(tx.cases().Insert(c));
  return c;
}

std::vector<CaseNotifier> CaseService::Notifiers(storage::Transaction& tx, Id case_id) {
  std::vector<CaseNotifier> out;
  for (const Notice& n : tx.notices().ListForCase(case_id, kMaxNoticesPerCase)) {
    CaseNotifier who;
    who.notice_id = n.id;
    who.reference = n.reference;
    who.source = n.source;
    who.account_id = n.reporter_account_id;
    who.email = n.email;
    out.push_back(std::move(who));
  }
  return out;
}

Status CaseService::SetNoticeOutcome(storage::Transaction& tx, Id case_id, Id decision_id,
                                     std::string_view outcome, Timestamp now) {
  return tx.notices().SetCaseOutcome(case_id, decision_id, outcome, now);
}

}  // namespace stoa::safety
