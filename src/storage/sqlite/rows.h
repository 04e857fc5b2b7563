// Reading result rows into domain types, for the SQLite repositories: NULL-able columns,
// stepping a statement through its rows with the one reader of each type, and the few ways of
// running a write that the repositories share. Internal to storage/sqlite.
#pragma once

#include <optional>
#include <string>
#include <utility>
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

// The first row of `s` read with `read`; nullopt when there is none or the step fails (for
// look-ups whose callers treat both as "not there").
template <typename ReadFn>
auto ReadOptional(Statement& s, ReadFn read) -> std::optional<decltype(read(s))> {
  auto row = s.Step();
  if (!row.ok() || !*row) return std::nullopt;
  return read(s);
}

// Column 0 of the first row of `s`, a count(*); 0 when there is no row or the step fails.
inline int64_t CountOf(Statement& s) {
  return ReadOptional(s, [](const Statement& row) { return row.Int(0); }).value_or(0);
}

// Column 0 of every remaining row of `s` as ids; stops at the first error, like ReadAll.
inline std::vector<Id> ReadIds(Statement& s) {
  return ReadAll(s, [](const Statement& row) -> Id { return row.Int(0); });
}

// Every remaining row of `s` read with `read`, or the error of the first failed step. For
// statements whose rows must all be seen (a batch to act on, the rows a DELETE ... RETURNING
// removed), where a partial list would be wrong.
template <typename ReadFn>
auto ReadAllOrError(Statement& s, ReadFn read) -> Result<std::vector<decltype(read(s))>> {
  std::vector<decltype(read(s))> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(read(s));
  }
  return out;
}

// The first row of `s` read with `read` (nullopt when there is none), after stepping `s` to
// completion so a writing statement with RETURNING finishes before its scope resets it. The error
// of any failed step.
template <typename ReadFn>
auto ReadFirstAndFinish(Statement& s, ReadFn read) -> Result<std::optional<decltype(read(s))>> {
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<decltype(read(s))>();
  auto first = read(s);
  while (true) {
    ASSIGN_OR_RETURN(bool more, s.Step());
    if (!more) break;
  }
  return std::optional<decltype(read(s))>(std::move(first));
}

// The first row of `sql` with `key` bound to ?1, read with `read`; as ReadOne.
template <typename Key, typename ReadFn>
auto ReadOneByKey(Connection& c, const char* sql, const Key& key, ReadFn read) {
  StatementScope s(c.Prepare(sql));
  s->Bind(1, key);
  return ReadOne(*s, read);
}

// Every row of `sql` with `key` bound to ?1, read with `read`; as ReadAll.
template <typename Key, typename ReadFn>
auto ReadAllByKey(Connection& c, const char* sql, const Key& key, ReadFn read) {
  StatementScope s(c.Prepare(sql));
  s->Bind(1, key);
  return ReadAll(*s, read);
}

// Runs `sql` (a named constant) with `id` bound to ?1.
inline Status RunWithId(Connection& c, const char* sql, Id id) {
  StatementScope s(c.Prepare(sql));
  s->Bind(1, id);
  return s->Run();
}

// Runs the bound statement `s` of connection `c`: kNotFound when it changed no row (an UPDATE or
// DELETE of a row that is not there), else the error of the run.
inline Status RunChangingRow(Connection& c, Statement& s) {
  RETURN_IF_ERROR(s.Run());
  return c.Changes() == 0 ? NotFound() : Status::Ok();
}

// Runs the bound statement `s` of connection `c`: whether it changed a row (a DELETE that found
// something to delete), or the error of the run.
inline Result<bool> RunReportingChange(Connection& c, Statement& s) {
  RETURN_IF_ERROR(s.Run());
  return c.Changes() > 0;
}

// For a conditional UPDATE of row `id` that changed nothing: kConflict with `conflict` when
// `exists_sql` (SELECT 1 ... WHERE id = ?1) finds the row, so the condition failed; kNotFound
// when the row is not there.
inline Status ConflictOrNotFound(Connection& c, const char* exists_sql, Id id,
                                 std::string conflict) {
  StatementScope exists(c.Prepare(exists_sql));
  exists->Bind(1, id);
  ASSIGN_OR_RETURN(bool row, exists->Step());
  return row ? Conflict(std::move(conflict)) : NotFound();
}

}  // namespace stoa::storage::sqlite
