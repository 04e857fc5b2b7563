// Screening's match stage over HTTP: once a decision removed a status, a re-upload of its text
// (by anyone, also in other case, spacing and punctuation) is refused with 422 naming the
// removal's date and counted on /metrics, on creation and on edit; unrelated posts pass; the
// fingerprints survive a restart (reloaded from the database); reversing the removal on appeal
// allows the text again. One word changed moves this post's fingerprint by 5 bits (measured):
// with the default distances (reject 7, flag 9) it is refused; with a reject distance of 3 (flag 7)
// it is published and flagged, the screening record and the automated notice naming the removed
// status.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/integration/moderation_fixture.h"
#include "tests/integration/screening_fixture.h"

namespace stoa::testing {
namespace {

// A post of a few sentences (the match stage ignores posts of a few words).
constexpr const char* kRemovedText =
    "Everyone who lives on Baker Street should know that the man at number twelve is a liar "
    "and a thief. He took the money from the school fund last winter and nobody did anything "
    "about it. I will keep posting his address until the whole town knows what he did.";
// The same words in other case, spacing and punctuation (normalised away: distance 0).
constexpr const char* kRespelled =
    "EVERYONE who lives on Baker  Street should know that the man at number twelve is a LIAR "
    "and a thief!!!   He took the money from the school fund last winter and nobody did "
    "anything about it... I will keep posting his address until the whole town knows what he did";
// One word changed ("liar" -> "crook") and other case and spacing: 5 bits away.
constexpr const char* kOneWordChanged =
    "EVERYONE who lives on Baker  Street should know that the man at number twelve is a CROOK "
    "and a thief.   He took the money from the school fund last winter and nobody did anything "
    "about it. I will keep posting his address until the whole town knows what he did!";
constexpr const char* kUnrelated =
    "The bakery on the corner has started selling rye bread again, and the queue on Saturday "
    "morning went all the way down to the bus stop. Worth the wait, the crust is excellent.";

std::string RulesPath() {
  static const std::string path = WriteRulesFile(
      "stoa-screening-match-it",
      RulesFileText("match.1", {WordRule("spam", "flagword", "0.3", "publish_and_flag")}));
  return path;
}

void ScreeningOn(Config& c) {
  // The classifier must not decide these tests: only very sure scores flag.
  EnableScreening(c, RulesPath(), {0.95, 0.97, 0.99});
}

class ScreeningMatchTest : public ModerationTest {
 protected:
  explicit ScreeningMatchTest(std::function<void(Config&)> tweak = ScreeningOn)
      : ModerationTest(std::move(tweak)) {}

  // Posts kRemovedText as the author; a report, and `mod` removes it. Returns the decision id.
  std::string PostAndRemove(std::string* status_id) {
    *status_id = PostStatus(author, kRemovedText).id;
    auto claimed = ReportedAndClaimed(*status_id, mod);
    auto r = Decide(mod, claimed,
                    R"("action":"remove_status","ground":"illegal","legal_provision":"§ 186 StGB")");
    EXPECT_EQ(r.status, 200) << r.body;
    return Str(r.json(), "id");
  }
  HttpResponse Post(const TestServer::User& u, const std::string& text) {
    return server.Post("/api/v1/statuses", R"({"status":)" + JsonString(text) + "}", u.token);
  }
  std::string Metric(const std::string& line_start) {
    const std::string body = server.Get("/metrics").body;
    const size_t at = body.find(line_start);
    if (at == std::string::npos) return "";
    const size_t end = body.find('\n', at);
    return body.substr(at + line_start.size(), end - at - line_start.size());
  }
};

TEST_F(ScreeningMatchTest, RemovedContentIsRefusedUntilTheRemovalIsReversed) {
  std::string removed_id;
  const std::string decision_id = PostAndRemove(&removed_id);
  EXPECT_EQ(server.app().storage().Read()->posts().ListRemovedFingerprints().size(), 1u);

  // A re-upload by someone else, and a light edit: 422 with the removal's date.
  auto again = Post(stranger, kRemovedText);
  EXPECT_EQ(again.status, 422) << again.body;
  EXPECT_NE(Str(again.json(), "error").find("matches content removed on 20"), std::string::npos)
      << again.body;
  auto respelled = Post(follower, kRespelled);
  EXPECT_EQ(respelled.status, 422) << respelled.body;
  // Unrelated text passes.
  auto unrelated = Post(stranger, kUnrelated);
  ASSERT_EQ(unrelated.status, 200) << unrelated.body;
  // An edit into the removed text is refused too, and the status keeps its text.
  const std::string unrelated_id = Str(unrelated.json(), "id");
  auto edit = server.Put("/api/v1/statuses/" + unrelated_id,
                         R"({"status":)" + JsonString(kRespelled) + "}", stranger.token);
  EXPECT_EQ(edit.status, 422) << edit.body;
  auto shown = server.Get("/api/v1/statuses/" + unrelated_id, stranger.token);
  EXPECT_NE(Str(shown.json(), "content").find("bakery"), std::string::npos);
  EXPECT_EQ(Metric("stoa_screening_duplicates_total{action=\"reject\"} "), "3");
  EXPECT_EQ(Metric("stoa_screening_duplicates_total{action=\"flag\"} "), "0");

  // After a restart the fingerprint is loaded from the database.
  server.Restart();
  EXPECT_EQ(Post(stranger, kRemovedText).status, 422);

  // The author appeals, another moderator reverses: the fingerprint is gone, the text allowed.
  auto appeal = server.Post("/api/v1/appeals",
                            R"({"decision_id":")" + decision_id +
                                R"(","text":"The money really was taken; this is not defamation."})",
                            author.token);
  ASSERT_EQ(appeal.status, 200) << appeal.body;
  auto claimed = Claim(mod2);
  ASSERT_FALSE(claimed.id.empty());
  auto reversed = Decide(mod2, claimed, R"("action":"reverse")");
  ASSERT_EQ(reversed.status, 200) << reversed.body;
  EXPECT_TRUE(server.app().storage().Read()->posts().ListRemovedFingerprints().empty());
  EXPECT_EQ(Post(stranger, kRemovedText).status, 200);
  EXPECT_EQ(Post(follower, kRespelled).status, 200);
  server.Restart();
  EXPECT_EQ(Post(reporter, kRemovedText).status, 200);
}

TEST_F(ScreeningMatchTest, ShortPostsAreNeverMatched) {
  // Too few letters to fingerprint: removing it stores nothing, posting it again is allowed.
  const std::string id = PostStatus(author, "you are a liar").id;
  auto claimed = ReportedAndClaimed(id, mod);
  auto r = Decide(mod, claimed,
                  R"("action":"remove_status","ground":"illegal","legal_provision":"§ 185 StGB")");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(server.app().storage().Read()->posts().ListRemovedFingerprints().empty());
  EXPECT_EQ(Post(stranger, "you are a liar").status, 200);
}

void RejectWithinThree(Config& c) {
  ScreeningOn(c);
  c.screening.duplicate_reject_distance = 3;
  c.screening.duplicate_flag_distance = 7;
}

class ScreeningMatchLenientTest : public ScreeningMatchTest {
 protected:
  ScreeningMatchLenientTest() : ScreeningMatchTest(RejectWithinThree) {}
};

TEST_F(ScreeningMatchLenientTest, AMatchWithinTheFlagDistanceIsFlaggedAndNamesTheRemovedStatus) {
  std::string removed_id;
  PostAndRemove(&removed_id);
  auto again = Post(stranger, kOneWordChanged);
  ASSERT_EQ(again.status, 200) << again.body;
  const std::string id = Str(again.json(), "id");
  EXPECT_EQ(server.Get("/api/v1/statuses/" + id, follower.token).status, 200);  // visible

  auto records = server.app().storage().Read()->posts().ListScreenings(*ParseId(id));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].verdict, "publish_and_flag");
  EXPECT_NE(records[0].reason.find("near-duplicate of status " + removed_id), std::string::npos)
      << records[0].reason;
  // The automated notice opened a case about it and names the removed status.
  std::string case_id;
  auto cases = server.Get("/api/v1/admin/cases", mod2.token);
  ASSERT_EQ(cases.status, 200) << cases.body;
  const json::value listed = cases.json();
  for (const auto& c : listed.as_array()) {
    if (Str(c, "target_id") == id) case_id = Str(c, "id");
  }
  ASSERT_FALSE(case_id.empty()) << cases.body;
  auto view = server.Get("/api/v1/admin/cases/" + case_id, mod2.token);
  ASSERT_EQ(view.status, 200) << view.body;
  EXPECT_NE(view.body.find(removed_id), std::string::npos) << view.body;
  EXPECT_EQ(Metric("stoa_screening_duplicates_total{action=\"flag\"} "), "1");
  EXPECT_EQ(Metric("stoa_screening_duplicates_total{action=\"reject\"} "), "0");
}

TEST_F(ScreeningMatchTest, WithTheDefaultsAOneWordEditIsRefused) {
  std::string removed_id;
  PostAndRemove(&removed_id);
  auto changed = Post(stranger, kOneWordChanged);
  EXPECT_EQ(changed.status, 422) << changed.body;
  EXPECT_EQ(Post(stranger, kUnrelated).status, 200);
  EXPECT_EQ(Metric("stoa_screening_duplicates_total{action=\"reject\"} "), "1");
}

}  // namespace
}  // namespace stoa::testing
