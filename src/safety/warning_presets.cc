// Warning presets (warning_presets.h).
#include "safety/warning_presets.h"

#include "common/json_writer.h"
#include "common/strings.h"

namespace stoa::safety {
namespace {

Status CheckField(std::string_view name, std::string_view value, size_t max_chars) {
  if (Trim(value).empty())
    return InvalidArgument("Validation failed: " + std::string(name) + " can't be blank");
  if (!IsValidUtf8(value)) {
    return InvalidArgument("Validation failed: " + std::string(name) + " is not valid UTF-8");
  }
  if (Utf8Length(value) > max_chars) {
    return InvalidArgument("Validation failed: " + std::string(name) + " is too long (maximum is " +
                           std::to_string(max_chars) + " characters)");
  }
  return Status::Ok();
}

}  // namespace

std::vector<WarningPreset> WarningPresets::List() {
  return core_.storage().Read()->decisions().ListWarningPresets();
}

Result<WarningPreset> WarningPresets::Get(Id id) {
  return core_.storage().Read()->decisions().GetWarningPreset(id);
}

Status WarningPresets::Audit(storage::Transaction& tx, Id actor_id, std::string action,
                             const WarningPreset& p) {
  AuditDraft d;
  d.actor_id = actor_id;
  d.action = std::move(action);
  d.target_type = "warning_preset";
  d.target_id = IdToString(p.id);
  JsonWriter w;
  w.BeginObject().Field("title", p.title).Field("text", p.text).EndObject();
  d.details_json = w.Take();
  return audit_.Append(tx, d).status();
}

Result<WarningPreset> WarningPresets::Create(Id actor_id, const std::string& title,
                                             const std::string& text) {
  RETURN_IF_ERROR(CheckField("Title", title, kMaxTitleChars));
  RETURN_IF_ERROR(CheckField("Text", text, kMaxTextChars));
  WarningPreset p;
  p.id = core_.ids().Next();
  p.title = std::string(Trim(title));
  p.text = std::string(Trim(text));
  p.created_at = p.updated_at = core_.Now();
  RETURN_IF_ERROR(core_.storage().Write([&](storage::Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.decisions().InsertWarningPreset(p));
    return Audit(tx, actor_id, "warning_preset.create", p);
  }));
  return p;
}

Result<WarningPreset> WarningPresets::Update(Id actor_id, Id id, const std::string& title,
                                             const std::string& text) {
  if (!title.empty()) RETURN_IF_ERROR(CheckField("Title", title, kMaxTitleChars));
  if (!text.empty()) RETURN_IF_ERROR(CheckField("Text", text, kMaxTextChars));
  WarningPreset p;
  RETURN_IF_ERROR(core_.storage().Write([&](storage::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(p, tx.decisions().GetWarningPreset(id));
    if (!title.empty()) p.title = std::string(Trim(title));
    if (!text.empty()) p.text = std::string(Trim(text));
    p.updated_at = core_.Now();
    RETURN_IF_ERROR(tx.decisions().UpdateWarningPreset(p));
    return Audit(tx, actor_id, "warning_preset.update", p);
  }));
  return p;
}

Status WarningPresets::Delete(Id actor_id, Id id) {
  return core_.storage().Write([&](storage::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(WarningPreset p, tx.decisions().GetWarningPreset(id));
    RETURN_IF_ERROR(tx.decisions().DeleteWarningPreset(id));
    return Audit(tx, actor_id, "warning_preset.delete", p);
  });
}

}  // namespace stoa::safety
