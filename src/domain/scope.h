// OAuth scopes as Mastodon defines them: hierarchical ("read" covers "read:statuses"), with the
// deprecated "follow" scope covering the follows, blocks and mutes sub-scopes of read and write.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace stoa {

class ScopeSet {
 public:
  ScopeSet() = default;
  // Parses a space-separated list. Unknown scopes are an error naming the scope.
  static Result<ScopeSet> Parse(std::string_view text);

  // True when this set grants `required` (e.g. "write:statuses" is granted by "write").
  bool Grants(std::string_view required) const;
  // True when every scope in `other` is covered by this set (a token's scopes must be a subset of
  // its application's).
  bool Covers(const ScopeSet& other) const;
  bool empty() const { return scopes_.empty(); }
  const std::vector<std::string>& scopes() const { return scopes_; }
  // Space-separated, in the order given.
  std::string ToString() const;

 private:
  std::vector<std::string> scopes_;
};

// Every scope name stoa accepts.
const std::vector<std::string_view>& KnownScopes();

}  // namespace stoa
