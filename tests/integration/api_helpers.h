// Helpers shared by the integration tests of the Mastodon API: a user's id as the API spells it,
// readers of its answers (the ids of a JSON array, the rel="next" Link to follow), and an account
// suspended behind the API's back.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/integration/test_server.h"

namespace stoa::testing {

inline std::string IdOf(const TestServer::User& u) { return std::to_string(u.id); }

// The "id" of every element of the JSON array `r` answered ({} when the body is no array).
inline std::vector<std::string> Ids(const HttpResponse& r) {
  std::vector<std::string> ids;
  const boost::json::value body = r.json();
  if (!body.is_array()) return ids;
  for (const auto& e : body.as_array()) ids.emplace_back(e.as_object().at("id").as_string());
  return ids;
}

// The path and query of the Link header's rel="next" ("" when none). Links carry the configured
// base URL, which is not the test server's port, so only the path is reused (as masto does).
inline std::string NextPath(const HttpResponse& r) {
  const std::string link = r.header("link");
  const auto rel = link.find(">; rel=\"next\"");
  if (rel == std::string::npos) return "";
  const auto open = link.rfind('<', rel);
  const std::string url = link.substr(open + 1, rel - open - 1);
  const auto path = url.find("/api/");
  return path == std::string::npos ? "" : url.substr(path);
}

// Suspends account `id` by writing the profile straight to storage (no moderation action, no
// audit entry, no case), as data suspended elsewhere would look; fails the test on storage errors.
inline void SuspendInStorage(TestServer& server, Id id) {
  auto account = server.app().accounts().Get(id);
  ASSERT_TRUE(account.ok());
  Account a = **account;
  a.suspended_at = server.app().core().Now();
  ASSERT_TRUE(server.app()
                  .storage()
                  .Write([&](storage::Transaction& tx) { return tx.accounts().UpdateProfile(a); })
                  .ok());
  server.app().core().AccountChanged(id);
}

}  // namespace stoa::testing
