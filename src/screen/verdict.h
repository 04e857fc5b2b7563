// The closed set of screening verdicts, from mildest to strictest (the order is used: a verdict
// "at most X" compares with <=). The policy stage turns signals into one of these; a rule's
// max_verdict caps what a hit of that rule alone may cause.
#pragma once

#include <optional>
#include <string_view>

namespace stoa::screen {

enum class Verdict {
  kPublish,         // visible to everyone, nothing opened
  kPublishAndFlag,  // visible; an automated notice opens or joins a case
  kHold,            // visible to its author only until a moderator decides
  kReject,          // refused (422 with the reason)
};

inline constexpr std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kPublish: return "publish";
    case Verdict::kPublishAndFlag: return "publish_and_flag";
    case Verdict::kHold: return "hold";
    case Verdict::kReject: return "reject";
  }
  return "publish";
}

inline constexpr std::optional<Verdict> ParseVerdict(std::string_view name) {
  for (Verdict v : {Verdict::kPublish, Verdict::kPublishAndFlag, Verdict::kHold, Verdict::kReject}) {
    if (VerdictName(v) == name) return v;
  }
  return std::nullopt;
}

}  // namespace stoa::screen
