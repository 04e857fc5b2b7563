// Notices: POST /api/v1/reports (members, exactly as Mastodon), POST /api/v1/notices (anyone: DSA
// Art. 16, JSON or form; priority notifiers with their key), GET /api/v1/notices/:reference
// (the notifier's view of its notice), GET /api/v1/admin/outbox (admins).
#include "common/strings.h"
#include "common/time_format.h"
#include "http/api/api.h"
#include "http/api/serializers.h"
#include "safety/notice_service.h"

namespace stoa::http::api {
namespace {

Response Unavailable503() { return ErrorResponse(Unavailable("Trust and safety is not configured")); }

// Mastodon's Report entity.
void WriteReport(JsonWriter& w, Call& c, const Notice& n) {
  std::optional<Timestamp> decided_at;
  for (const auto& item : n.items) {
    if (item.decided_at && (!decided_at || *item.decided_at > *decided_at)) decided_at = item.decided_at;
  }
  const bool decided = n.decided();
  w.BeginObject();
  w.Key("id").IdString(n.id);
  w.Field("action_taken", decided);
  if (decided && decided_at) {
    w.Field("action_taken_at", FormatIso8601(*decided_at));
  } else {
    w.NullField("action_taken_at");
  }
  w.Field("category", ReportCategoryName(n.report_category.value_or(ReportCategory::kOther)));
  w.Field("comment", n.explanation);
  w.Field("forwarded", n.forward);
  w.Field("created_at", FormatIso8601(n.received_at));
  w.Key("status_ids").BeginArray();
  for (const auto& item : n.items) {
    if (item.target_type == TargetType::kStatus) w.IdString(item.target_id);
  }
  w.EndArray();
  if (n.rule_ids.empty()) {
    w.NullField("rule_ids");
  } else {
    w.Key("rule_ids").BeginArray();
    for (Id id : n.rule_ids) w.IdString(id);
    w.EndArray();
  }
  w.Key("target_account");
  if (auto account = c.s.core.LoadAccount(n.target_account_id)) {
    WriteAccount(w, c.s.core, *account);
  } else {
    w.Null();
  }
  w.EndObject();
}

Result<std::vector<Id>> IdArray(const Call& c, std::string_view key, std::string_view label) {
  std::vector<Id> out;
  for (const auto& text : c.params.StringArray(key)) {
    if (text.empty()) continue;
    auto id = ParseId(text);
    if (!id) return InvalidArgument("Validation failed: " + std::string(label) + " contains an invalid id");
    out.push_back(*id);
  }
  return out;
}

Response CreateReport(Call& c) {
  if (c.s.notices == nullptr) return Unavailable503();
  safety::ReportInput in;
  const std::string account = c.Str("account_id");
  if (account.empty()) return ErrorResponse(InvalidArgument("Validation failed: Account can't be blank"));
  auto account_id = ParseId(account);
  if (!account_id) return ErrorResponse(NotFound());
  in.account_id = *account_id;
  auto status_ids = IdArray(c, "status_ids", "Status ids");
  if (!status_ids.ok()) return ErrorResponse(status_ids.status());
  in.status_ids = std::move(status_ids).value();
  auto rule_ids = IdArray(c, "rule_ids", "Rule ids");
  if (!rule_ids.ok()) return ErrorResponse(rule_ids.status());
  in.rule_ids = std::move(rule_ids).value();
  in.comment = c.Str("comment");
  in.category = c.Str("category");
  in.forward = c.params.Bool("forward").value_or(false);
  auto submitted = c.s.notices->Report(c.viewer, in);
  if (!submitted.ok()) return ErrorResponse(submitted.status());
  JsonWriter w;
  WriteReport(w, c, submitted->notice);
  return Ok(w.Take());
}

Response CreateNotice(Call& c) {
  if (c.s.notices == nullptr) return Unavailable503();
  safety::NoticeSender sender;
  sender.ip = c.request.remote_address;
  std::optional<PriorityNotifier> notifier;
  if (!c.notifier_key.empty()) {
    auto found = c.s.notices->AuthenticateKey(c.notifier_key);
    if (!found.ok()) {
      // Unknown keys count against the address like any anonymous request.
      if (Status st = c.Throttle("ip:" + c.request.remote_address, c.s.config.rate_limits.per_ip);
          !st.ok()) {
        return ErrorResponse(st);
      }
      return ErrorResponse(found.status());
    }
    notifier = std::move(found).value();
    sender.notifier = &*notifier;
  } else if (c.has_user()) {
    sender.member = &c.viewer;
  } else if (Status st = c.Throttle("notice-ip:" + c.request.remote_address,
                                    c.s.config.rate_limits.anonymous_notices_per_ip);
             !st.ok()) {
    return ErrorResponse(st);
  }
  safety::NoticeInput in;
  in.explanation = c.Str("explanation");
  in.locations = c.params.StringArray("locations");
  if (in.locations.empty()) {
    if (auto one = c.params.String("locations"); one && !one->empty()) in.locations.push_back(*one);
  }
  in.category = c.Str("category");
  in.legal_provision = c.Str("legal_provision");
  in.name = c.Str("name");
  in.email = c.Str("email");
  if (c.params.Has("good_faith")) in.good_faith = c.params.Bool("good_faith").value_or(false);
  in.threat_to_life = c.params.Bool("threat_to_life").value_or(false);
  auto submitted = c.s.notices->Submit(sender, in);
  if (!submitted.ok()) return ErrorResponse(submitted.status());
  JsonWriter w;
  w.BeginObject()
      .Field("reference", submitted->notice.reference)
      .Field("secret", submitted->secret)
      .Field("received_at", FormatIso8601(submitted->notice.received_at))
      .Field("state", "received")
      .Field("source", NoticeSourceName(submitted->notice.source))
      .EndObject();
  return Ok(w.Take());
}

Response ShowNotice(Call& c) {
  if (c.s.notices == nullptr) return Unavailable503();
  auto n = c.s.notices->Lookup(c.Str("reference"), c.Str("secret"));
  if (!n.ok()) return ErrorResponse(n.status());
  const bool decided = n->decided();
  JsonWriter w;
  w.BeginObject()
      .Field("reference", n->reference)
      .Field("received_at", FormatIso8601(n->received_at))
      .Field("state", decided ? "decided" : "received")
      .Field("category", CategoryName(n->category))
      .Field("source", NoticeSourceName(n->source));
  if (n->items.size() == 1 && decided) {
    w.Field("outcome", n->items[0].outcome);
  } else {
    w.NullField("outcome");
  }
  w.Key("items").BeginArray();
  for (const auto& item : n->items) {
    w.BeginObject()
        .Field("location", item.location)
        .Field("target_type", TargetTypeName(item.target_type))
        .Field("state", item.outcome.empty() ? "received" : "decided");
    if (item.outcome.empty()) {
      w.NullField("outcome").NullField("decided_at");
    } else {
      w.Field("outcome", item.outcome);
      if (item.decided_at) {
        w.Field("decided_at", FormatIso8601(*item.decided_at));
      } else {
        w.NullField("decided_at");
      }
    }
    w.EndObject();
  }
  w.EndArray().EndObject();
  return Ok(w.Take());
}

Response ListOutbox(Call& c) {
  auto page = c.Page(40, 200);
  if (!page.ok()) return ErrorResponse(page.status());
  const bool unsent = c.params.Bool("unsent").value_or(false);
  const auto messages = c.s.core.storage().Read()->outbox().List(*page, unsent);
  JsonWriter w;
  w.BeginArray();
  for (const auto& m : messages) {
    w.BeginObject();
    w.Key("id").IdString(m.id);
    w.Field("kind", m.kind).Field("to", m.to_email).Field("subject", m.subject).Field("body", m.body);
    if (m.notice_id != kNoId) {
      w.Key("notice_id").IdString(m.notice_id);
    } else {
      w.NullField("notice_id");
    }
    w.Field("created_at", FormatIso8601(m.created_at));
    if (m.sent_at) {
      w.Field("sent_at", FormatIso8601(*m.sent_at));
    } else {
      w.NullField("sent_at");
    }
    w.EndObject();
  }
  w.EndArray();
  if (!messages.empty()) c.SetLink(messages.front().id, messages.back().id, page->limit, {"unsent"});
  return Ok(w.Take());
}

}  // namespace

void RegisterReportRoutes(Api& api, Router& router) {
  api.Route(router, Method::kPost, "/api/v1/reports", Access::kUser, "write:reports", CreateReport);
  api.Route(router, Method::kPost, "/api/v1/notices", Access::kPublic, "", CreateNotice);
  api.Route(router, Method::kGet, "/api/v1/notices/:reference", Access::kPublic, "", ShowNotice);
  api.Route(router, Method::kGet, "/api/v1/admin/outbox", Access::kAdmin, "admin:read", ListOutbox);
}

}  // namespace stoa::http::api
