// JSON of decisions, statements of reasons and appeals, and the moderation payloads of
// notifications (`moderation_warning`: Mastodon's AccountWarning; `notice_outcome`: stoa's).
#pragma once

#include "common/json_writer.h"
#include "domain/decision.h"
#include "domain/notification.h"
#include "social/core.h"

namespace stoa::http::api {

void WriteDecision(JsonWriter& w, const Decision& d);
// The statement: id, decision_id, created_at, redress and every Transparency Database field.
std::string StatementJson(const StatementOfReasons& s);
void WriteAppeal(JsonWriter& w, const Appeal& a, const Decision* resolution);

// For a kModerationWarning or kNoticeOutcome notification, writes its payload member
// ("moderation_warning" or "notice_outcome"); nothing for other types or a missing decision.
void WriteModerationPayload(JsonWriter& w, social::Core& core, const Notification& n);

}  // namespace stoa::http::api
