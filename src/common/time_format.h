// ISO 8601 formatting and parsing in UTC.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace stoa {

// "2022-08-25T09:56:16.763Z"
std::string FormatIso8601(Timestamp t);
// Appends the same form to `out` without allocating a temporary.
void AppendIso8601(std::string& out, Timestamp t);
// "2022-08-25"
std::string FormatDate(Timestamp t);
// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM]"; nullopt when malformed.
std::optional<Timestamp> ParseIso8601(std::string_view text);
// Midnight (UTC) of the day containing `t`.
Timestamp StartOfDay(Timestamp t);

}  // namespace stoa
