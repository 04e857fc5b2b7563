// Screening's feedback from moderators' decisions (docs/screening.md, "Feedback"): every decided
// case about a status as labelled text in the input format of `stoa train`, and each rule's hits
// and the decisions on the cases its hits opened (its precision).
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "screen/rules.h"
#include "social/core.h"
#include "storage/transparency_store.h"

namespace stoa::safety {

// The label of a decided case: "nothing" when the decision found no violation (no_action) or an
// appeal reversed it; otherwise the screening category an automated notice of the case named,
// or else the case's Transparency Database category as a screening category (violence,
// terrorism, spam) or, for the other categories, its name in lower case without the
// STATEMENT_CATEGORY_ prefix.
std::string LabelForCase(const storage::DecidedStatusCase& c);

// Writes every decided status case to `path` as CSV (header: text,label,case_id,status_id,action;
// text is the reported snapshot's content warning, a line feed and its text); returns the rows
// written. Nothing is left at `path` on error.
Result<int64_t> ExportLabels(social::Core& core, const std::string& path);

// {"rules_version":..., "rules":[{"name","category","hits","upheld","dismissed","precision"}]}
// for GET /api/v1/admin/screening/rules: every rule of `rules` in file order (precision null
// when no decision counts yet), then rules that are no longer in the file but have records.
std::string RulesReportJson(social::Core& core, const screen::RuleSet& rules);

}  // namespace stoa::safety
