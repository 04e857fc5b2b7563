// The audit log for staff: GET /api/v1/admin/audit_log (admins and owners), paged by entry id and
// filtered by action, actor, and target.
#include "common/json_writer.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "http/api/api.h"
#include "storage/audit_store.h"

namespace stoa::http::api {
namespace {

constexpr int kAuditDefault = 40;
constexpr int kAuditMax = 200;

// The filters of a listing; kInvalidArgument names a malformed one.
Result<storage::AuditFilter> FilterOf(const Call& c) {
  storage::AuditFilter f;
  f.action = c.Str("action");
  f.target_type = c.Str("target_type");
  f.target_id = c.Str("target_id");
  if (!f.target_id.empty() && f.target_type.empty()) {
    return InvalidArgument("target_id needs target_type");
  }
  if (const std::string actor = c.Str("actor_id"); !actor.empty()) {
    // "0" selects the system's entries (background jobs, the operator's CLI).
    if (actor == "0") {
      f.actor_id = kNoId;
    } else {
      auto id = ParseId(actor);
      if (!id) return InvalidArgument("actor_id must be an account id, or 0 for the system");
      f.actor_id = *id;
    }
  }
  return f;
}

void WriteEntry(JsonWriter& w, const AuditEntry& e) {
  w.BeginObject();
  w.Key("id").IdString(e.id);
  w.Field("seq", e.seq);
  w.Field("created_at", FormatIso8601(e.created_at));
  if (e.actor_id == kNoId) {
    w.NullField("actor_id");
  } else {
    w.Key("actor_id").IdString(e.actor_id);
  }
  w.Field("action", e.action);
  w.Field("target_type", e.target_type);
  w.Field("target_id", e.target_id);
  w.Field("ground", e.ground);
  w.Field("reasons", e.reasons);
  // Stored as a JSON object (checked on append); shown as one.
  w.Key("details");
  if (e.details_json.empty()) {
    w.Raw("{}");
  } else {
    w.Raw(e.details_json);
  }
  w.Field("prev_hash", e.prev_hash);
  w.Field("hash", e.hash);
  w.EndObject();
}

Response Index(Call& c) {
  auto page = c.Page(kAuditDefault, kAuditMax);
  if (!page.ok()) return ErrorResponse(page.status());
  auto filter = FilterOf(c);
  if (!filter.ok()) return ErrorResponse(filter.status());
  std::vector<AuditEntry> entries;
  {
    auto read = c.s.core.storage().Read();
    entries = read->audit().List(*filter, *page);
  }
  if (!entries.empty()) {
    c.SetLink(entries.front().id, entries.back().id, page->limit,
              {"action", "actor_id", "target_type", "target_id"});
  }
  JsonWriter w;
  w.BeginArray();
  for (const AuditEntry& e : entries) WriteEntry(w, e);
  w.EndArray();
  return Ok(w.Take());
}

}  // namespace

void RegisterAuditRoutes(Api& api, Router& r) {
  api.Route(r, Method::kGet, "/api/v1/admin/audit_log", Access::kAdmin, "admin:read", Index);
}

}  // namespace stoa::http::api
