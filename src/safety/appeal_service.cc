#include "safety/appeal_service.h"

#include "common/json_writer.h"
#include "common/strings.h"

namespace stoa::safety {
namespace {

constexpr int kMaxNoticesPerCase = 100000;

Status Invalid(const std::string& message) { return InvalidArgument("Validation failed: " + message); }

}  // namespace

Result<Appeal> AppealService::File(const social::Viewer& appellant, Id decision_id,
                                   const std::string& text) {
  if (appellant.anonymous()) return NotFound();
  const std::string_view trimmed = Trim(text);
  if (trimmed.empty()) return Invalid("text can't be blank");
  if (Utf8Length(trimmed) > kMaxTextLength) {
    return Invalid("text is too long (at most " + std::to_string(kMaxTextLength) + " characters)");
  }
  const Timestamp now = core_.Now();
  Appeal appeal;
  Status st = core_.storage().Write([&](storage::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(Decision d, tx.decisions().Get(decision_id));
    // Who is asking: the member the decision restricted, or a member who sent a notice in the
    // decided case.
    const bool is_author = d.target_account_id == appellant.account_id;
    bool is_notifier = false;
    if (!is_author) {
      for (const auto& n : tx.notices().ListForCase(d.case_id, kMaxNoticesPerCase)) {
        if (n.reporter_account_id == appellant.account_id) {
          is_notifier = true;
          break;
        }
      }
    }
    if (!is_author && !is_notifier) return NotFound();
    if (d.action == DecisionAction::kUphold || d.action == DecisionAction::kReverse) {
      return Invalid("an appeal decision cannot be appealed again here");
    }
    if (d.reversed_at) return Invalid("the decision was already reversed");
    if (is_author && !IsRestrictive(d.action)) {
      return Invalid("only a decision that restricted you can be appealed by you");
    }
    if (is_notifier && d.action != DecisionAction::kNoAction) {
      return Invalid("notifiers can appeal a decision to take no action only");
    }
    if (now > d.created_at + std::chrono::hours(24) * window_days_) {
      return Invalid("the time to appeal this decision (" + std::to_string(window_days_) +
                     " days) has passed");
    }
    for (const auto& earlier : tx.decisions().ListAppeals(d.id)) {
      if (earlier.appellant_id == appellant.account_id) {
        return AlreadyExists("Validation failed: you already appealed this decision");
      }
    }
    const TargetType target_type =
        d.target_status_id != kNoId ? TargetType::kStatus : TargetType::kAccount;
    const Id target_id = d.target_status_id != kNoId ? d.target_status_id : d.target_account_id;
    const Category category = ParseCategory(d.category).value_or(Category::kNotSpecifiedNotice);
    ASSIGN_OR_RETURN(Case c, cases_.OpenAppealCase(tx, d.id, target_type, target_id, category,
                                                   d.moderator_id, now));
    appeal.id = core_.ids().Next();
    appeal.decision_id = d.id;
    appeal.appellant_id = appellant.account_id;
    appeal.role = is_author ? AppellantRole::kAffected : AppellantRole::kNotifier;
    appeal.text = std::string(trimmed);
    appeal.case_id = c.id;
    appeal.state = AppealState::kPending;
    appeal.filed_at = now;
    RETURN_IF_ERROR(tx.decisions().InsertAppeal(appeal));
    AuditDraft draft;
    draft.actor_id = appellant.account_id;
    draft.action = "appeal.file";
    draft.target_type = "decision";
    draft.target_id = IdToString(d.id);
    JsonWriter w;
    w.BeginObject();
    w.Key("appeal_id").IdString(appeal.id);
    w.Key("case_id").IdString(c.id);
    w.Field("role", AppellantRoleName(appeal.role));
    w.EndObject();
    draft.details_json = w.Take();
    return audit_.Append(tx, draft).status();
  });
  RETURN_IF_ERROR(st);
  return appeal;
}

Result<Appeal> AppealService::Get(const social::Viewer& viewer, Id id) {
  if (viewer.anonymous()) return NotFound();
  auto read = core_.storage().Read();
  ASSIGN_OR_RETURN(Appeal a, read->decisions().GetAppeal(id));
  if (a.appellant_id != viewer.account_id && !viewer.IsStaff()) return NotFound();
  return a;
}

}  // namespace stoa::safety
