// The screening hook of posting: every new status and every edit passes the screening chain
// before anyone but its author can see it (docs/screening.md, "In the server"). social defines
// the interface; the implementation (safety/screening_service.h) runs src/screen's chain and opens
// cases, which social must not depend on.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "domain/post.h"
#include "storage/storage.h"

namespace stoa::social {

// The text a post is screened by: its content warning, a line feed and its text (the text alone
// when it has no warning). The match stage and campaigns fingerprint the same text.
inline std::string ScreenedText(const Post& post) {
  if (post.spoiler_text.empty()) return post.text;
  return post.spoiler_text + "\n" + post.text;
}

// What the chain decided about one version of a post. Implementations derive from it to carry
// the signals to Record.
struct ScreeningOutcome {
  enum class Action {
    kPublish,  // visible as usual
    kFlag,     // visible; an automated notice opens or joins a case
    kHold,     // stored, visible to its author only until a moderator decides
    kReject,   // refused with `reason`; nothing is stored
  };
  Action action = Action::kPublish;
  std::string reason;  // why (for reject: the 422's message)
  virtual ~ScreeningOutcome() = default;
};

class PostScreening {
 public:
  virtual ~PostScreening() = default;
  // Screens a post about to be stored (`post` holds its text, content warning and language).
  // No I/O: the rules and the model are in memory. Never null.
  virtual std::unique_ptr<ScreeningOutcome> Screen(const Post& post, bool edit) = 0;
  // Optional, before the write transaction: builds what Record will store about `outcome` that
  // depends on the outcome alone, so the database's single writer only copies it. Record builds
  // whatever was not prepared.
  virtual void Prepare(ScreeningOutcome& outcome) { (void)outcome; }
  // Inside the transaction that stores `post` (already written, held_at set for a hold): stores
  // the screening record and, for flag and hold, the automated notice.
  virtual Status Record(storage::Transaction& tx, const Post& post, bool edit,
                        const ScreeningOutcome& outcome) = 0;
};

}  // namespace stoa::social
