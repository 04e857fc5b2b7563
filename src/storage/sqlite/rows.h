// Reading result rows into domain types, for the SQLite repositories: NULL-able columns, and
// stepping a statement through its rows with the one reader of each type. Internal to
// storage/sqlite.
#pragma once

#include <optional>
#include <vector>

#include "common/clock.h"
#include "common/id.h"
#include "common/status.h"
#include "storage/sqlite/connection.h"

namespace stoa::storage::sqlite {

// A nullable time column (Unix milliseconds).
inline std::optional<Timestamp> OptionalTime(const Statement& s, int col) {
  if (s.IsNull(col)) return std::nullopt;
  return FromUnixMillis(s.Int(col));
}

// Binding: NULL for nullopt / kNoId.
inline std::optional<int64_t> OptionalMillis(const std::optional<Timestamp>& t) {
  if (!t) return std::nullopt;
  return ToUnixMillis(*t);
}
inline std::optional<int64_t> OptionalId(Id id) {
  if (id == kNoId) return std::nullopt;
  return id;
}

// Every remaining row of `s` read with `read(const Statement&)`. Lists stop at the first error,
// as a list query has no way to report one (the stores' list methods return what they read).
template <typename ReadFn>
auto ReadAll(Statement& s, ReadFn read) -> std::vector<decltype(read(s))> {
  std::vector<decltype(read(s))> out;
  while (true) {
    auto row = s.Step();
    if (!row.ok() || !*row) break;
    out.push_back(read(s));
  }
  return out;
}

// The first row of `s` read with `read`; kNotFound when there is none, the error of a failed
// step.
template <typename ReadFn>
auto ReadOne(Statement& s, ReadFn read) -> Result<decltype(read(s))> {
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return NotFound();
  return read(s);
}

}  // namespace stoa::storage::sqlite
