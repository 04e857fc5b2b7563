#include "safety/screening_feedback.h"

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "common/csv.h"
#include "common/json_writer.h"

namespace stoa::safety {
namespace {

constexpr int kExportBatch = 500;
constexpr std::string_view kCategoryPrefix = "STATEMENT_CATEGORY_";

std::string LabelForCategory(std::string_view category) {
  if (category == "STATEMENT_CATEGORY_VIOLENCE") return "violence";
  if (category == "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY") return "terrorism";
  if (category == "STATEMENT_CATEGORY_SCAMS_AND_FRAUD") return "spam";
  if (category.substr(0, kCategoryPrefix.size()) == kCategoryPrefix) {
    category.remove_prefix(kCategoryPrefix.size());
  }
  std::string out;
  for (char ch : category) out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out.empty() ? std::string("violence") : out;
}

}  // namespace

std::string LabelForCase(const storage::DecidedStatusCase& c) {
  if (c.action == "no_action" || c.reversed) return "nothing";
  if (!c.screening_category.empty()) return c.screening_category;
  return LabelForCategory(c.category);
}

Result<int64_t> ExportLabels(social::Core& core, const std::string& path) {
  // Written beside the target and renamed, so an error leaves no partial file.
  const std::string tmp = path + ".tmp";
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  if (!out) return InvalidArgument("cannot write " + path);
  std::string buf;
  AppendCsvRow(buf, {"text", "label", "case_id", "status_id", "action"});
  int64_t rows = 0;
  {
    auto read = core.storage().Read();
    const storage::TransparencyQueries& q = read->transparency();
    Id after = kNoId;
    while (true) {
      const auto batch = q.ListDecidedStatusCases(after, kExportBatch);
      for (const storage::DecidedStatusCase& c : batch) {
        const std::string text = c.spoiler_text.empty() ? c.text : c.spoiler_text + "\n" + c.text;
        const std::string label = LabelForCase(c);
        const std::string case_id = std::to_string(c.case_id);
        const std::string status_id = std::to_string(c.status_id);
        AppendCsvRow(buf, {text, label, case_id, status_id, c.action});
        ++rows;
      }
      out << buf;
      buf.clear();
      if (batch.size() < static_cast<size_t>(kExportBatch)) break;
      after = batch.back().case_id;
    }
  }
  out.close();
  std::error_code ec;
  if (!out) {
    std::filesystem::remove(tmp, ec);
    return Internal("cannot write " + path);
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return Internal("cannot write " + path + ": " + ec.message());
  }
  return rows;
}

std::string RulesReportJson(social::Core& core, const screen::RuleSet& rules) {
  std::map<std::string, int64_t> hits;
  std::map<std::string, storage::RuleDecisions> decisions;
  {
    auto read = core.storage().Read();
    hits = read->transparency().CountRuleHits();
    for (storage::RuleDecisions& d : read->transparency().TallyRuleDecisions()) {
      decisions[d.rule] = std::move(d);
    }
  }
  JsonWriter w;
  w.BeginObject().Field("rules_version", rules.version());
  w.Key("rules").BeginArray();
  const auto write = [&](const std::string& name, std::optional<std::string_view> category,
                         bool loaded) {
    const auto h = hits.find(name);
    const auto d = decisions.find(name);
    const int64_t upheld = d == decisions.end() ? 0 : d->second.upheld;
    const int64_t dismissed = d == decisions.end() ? 0 : d->second.dismissed;
    w.BeginObject().Field("name", name);
    if (category) {
      w.Field("category", *category);
    } else {
      w.NullField("category");
    }
    w.Field("loaded", loaded);
    w.Field("hits", h == hits.end() ? int64_t{0} : h->second);
    w.Field("upheld", upheld).Field("dismissed", dismissed);
    if (upheld + dismissed == 0) {
      w.NullField("precision");
    } else {
      w.Field("precision", static_cast<double>(upheld) / static_cast<double>(upheld + dismissed));
    }
    w.EndObject();
  };
  std::set<std::string> seen;
  for (const screen::Rule& r : rules.rules()) {
    seen.insert(r.name);
    write(r.name, screen::CategoryName(r.category), true);
  }
  // Rules since removed from the file keep their record.
  std::set<std::string> gone;
  for (const auto& [name, n] : hits) {
    if (!seen.count(name)) gone.insert(name);
  }
  for (const auto& [name, d] : decisions) {
    if (!seen.count(name)) gone.insert(name);
  }
  for (const std::string& name : gone) write(name, std::nullopt, false);
  w.EndArray().EndObject();
  return w.Take();
}

}  // namespace stoa::safety
