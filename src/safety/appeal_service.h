// Appeals against decisions (DSA Art. 20, internal complaint handling): the member a decision
// restricted may appeal it, and a member whose notice ended in "no action" may appeal that,
// within the appeal window (6 months by default, from the decision). Filing opens an appeal case
// that the moderator who decided can never take; it is decided with uphold or reverse through
// the DecisionService (which informs both sides).
#pragma once

#include <string>

#include "common/status.h"
#include "domain/decision.h"
#include "safety/audit_log.h"
#include "safety/case_service.h"
#include "social/core.h"
#include "social/viewer.h"

namespace stoa::safety {

class AppealService {
 public:
  // `window_days`: how long after a decision it may be appealed.
  AppealService(social::Core& core, CaseService& cases, AuditLog& audit, int window_days)
      : core_(core), cases_(cases), audit_(audit), window_days_(window_days) {}

  // Files an appeal and opens its case, in one transaction. Errors (nothing is written):
  // kNotFound for an unknown decision or one the member has nothing to do with; kInvalidArgument
  // for an empty or too long text, an appeal out of time, against a decision the member may not
  // appeal (a notifier against a restriction, the author against "no action", an appeal
  // decision, a reversed decision); kAlreadyExists when the member appealed it already.
  Result<Appeal> File(const social::Viewer& appellant, Id decision_id, const std::string& text);
  // The appeal, for its appellant and staff (kNotFound for everyone else).
  Result<Appeal> Get(const social::Viewer& viewer, Id id);

  static constexpr size_t kMaxTextLength = 5000;

 private:
  social::Core& core_;
  CaseService& cases_;
  AuditLog& audit_;
  const int window_days_;
};

}  // namespace stoa::safety
