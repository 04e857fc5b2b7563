// Campaigns over HTTP (docs/screening.md, "Campaigns"): near-duplicate posts from several
// accounts end up in one case, whether the chain flagged each copy or only its first; one
// decision on that case removes every copy, each author getting a moderation_warning with a
// statement of reasons of their own; one author's successful appeal restores only their post;
// unrelated posts and copies outside the window open cases of their own; the campaign index is
// reloaded from the database after a restart; the Mastodon admin API neither closes a campaign
// by an action on one of its accounts nor lets a resolved one attract copies (a reopened one
// does again); a moderator takes a wrongly grouped status out of a campaign. And: a post flagged
// only for matching removed content is filed under the removing decision's category.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "common/strings.h"
#include "screen/fingerprint.h"
#include "tests/integration/moderation_fixture.h"
#include "tests/integration/screening_fixture.h"

namespace stoa::testing {
namespace {

// The campaign's text: the rule below flags it ("floodword").
constexpr const char* kCampaignText =
    "Everybody meet at the town hall on Friday night and bring floodword with you. The council "
    "has ignored us for the last time, and this time we are not going home until every one of "
    "them has paid for what they did to the harbour district and its families.";
// The same words in other case, spacing and punctuation: distance 0.
constexpr const char* kCampaignRespelled =
    "EVERYBODY meet at the Town Hall on friday night   and bring floodword with you!!! The "
    "council has ignored us for the last time, and this time we are NOT going home until every "
    "one of them has paid for what they did to the harbour district and its families";
// Misspelt so that the rule misses it ("floodwood"): the chain lets it through; only the campaign
// catches it (3 bits away; a whole word replaced moves this post 10-11 bits, beyond the default
// distance of 7).
constexpr const char* kCampaignUnflagged =
    "Everybody meet at the town hall on Friday night and bring floodwood with you. The council "
    "has ignored us for the last time, and this time we are not going home until every one of "
    "them has paid for what they did to the harbour district and its families.";
constexpr const char* kUnrelatedFlagged =
    "The floodword festival by the river starts on Saturday with a parade at noon, food stalls "
    "along the promenade and a concert in the park when it gets dark. Bring the children.";

std::string RulesPath() {
  static const std::string path = WriteRulesFile(
      "stoa-screening-campaign-it",
      RulesFileText("campaign.1", {WordRule("threat", "floodword", "0.9", "publish_and_flag"),
                                   WordRule("threat", "holdflood", "0.96", "hold")}));
  return path;
}

void ScreeningOn(Config& c) {
  // The classifier must not decide these tests: only very sure scores flag; the rule (0.9) does.
  EnableScreening(c, RulesPath(), {0.85, 0.95, 0.99});
}

class ScreeningCampaignTest : public ModerationTest {
 protected:
  explicit ScreeningCampaignTest(std::function<void(Config&)> tweak = ScreeningOn)
      : ModerationTest(std::move(tweak)) {}

  std::string Post(const TestServer::User& u, const std::string& text) {
    auto r = server.Post("/api/v1/statuses", R"({"status":)" + JsonString(text) + "}", u.token);
    EXPECT_EQ(r.status, 200) << r.body;
    return Str(r.json(), "id");
  }
  std::string Verdict(const std::string& status_id) {
    auto records = server.app().storage().Read()->posts().ListScreenings(*ParseId(status_id));
    return records.empty() ? "" : records.back().verdict;
  }
  // The open cases (as a moderator lists them) about any of `status_ids`, by target.
  std::vector<json::value> OpenCases() {
    auto r = server.Get("/api/v1/admin/cases?limit=200", mod.token);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<json::value> out;
    const json::value body = r.json();
    for (const auto& c : body.as_array()) out.push_back(c);
    return out;
  }
  json::value ShowCase(const std::string& id) {
    auto r = server.Get("/api/v1/admin/cases/" + id, mod.token);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }
  std::vector<std::string> CaseStatuses(const std::string& case_id) {
    std::vector<std::string> out;
    const json::value c = ShowCase(case_id);
    for (const auto& s : c.at("statuses").as_array()) out.push_back(Str(s, "id"));
    return out;
  }
  // The case whose statuses include `status_id` ("" when none).
  std::string CaseOf(const std::string& status_id) {
    for (const auto& c : OpenCases()) {
      const std::string id = Str(c, "id");
      if (Has(CaseStatuses(id), status_id)) return id;
    }
    return "";
  }

  // A campaign of three accounts' posts in one case: the rule's hit that opens it, a respelt
  // copy the rule flags too, and a copy only the campaign catches. Check with
  // ASSERT_NO_FATAL_FAILURE.
  struct ThreePostCampaign {
    TestServer::User a, b, c;  // their authors
    std::string first, quoted, copy, case_id;
  };
  void MakeThreePostCampaign(ThreePostCampaign& out) {
    out.a = server.CreateUser("groupera");
    out.b = server.CreateUser("grouperb");
    out.c = server.CreateUser("grouperc");
    out.first = Post(out.a, kCampaignText);
    out.quoted = Post(out.b, kCampaignRespelled);  // flagged itself, folded with `first`
    out.copy = Post(out.c, kCampaignUnflagged);    // flagged only as a copy
    out.case_id = CaseOf(out.first);
    ASSERT_FALSE(out.case_id.empty());
    ASSERT_EQ(CaseStatuses(out.case_id),
              (std::vector<std::string>{out.first, out.quoted, out.copy}));
  }
};

TEST_F(ScreeningCampaignTest, FiveAccountsCopiesAreOneCaseOneDecisionAndAppealsStayPersonal) {
  // The copies are within the campaign distance (7 bits) of the first post.
  const screen::Fingerprint first = screen::FingerprintText(kCampaignText);
  ASSERT_EQ(screen::HammingDistance(first.simhash,
                                    screen::FingerprintText(kCampaignRespelled).simhash),
            0);
  ASSERT_LE(screen::HammingDistance(first.simhash,
                                    screen::FingerprintText(kCampaignUnflagged).simhash),
            7);
  ASSERT_GT(screen::HammingDistance(first.simhash,
                                    screen::FingerprintText(kUnrelatedFlagged).simhash),
            15);

  std::vector<TestServer::User> authors;
  for (int i = 1; i <= 5; ++i) authors.push_back(server.CreateUser("campaigner" + std::to_string(i)));
  std::vector<std::string> posts;
  posts.push_back(Post(authors[0], kCampaignText));      // flagged by the rule: opens the case
  posts.push_back(Post(authors[1], kCampaignText));      // flagged, a copy: joins it
  posts.push_back(Post(authors[2], kCampaignUnflagged)); // not flagged by the chain: the campaign
  // The campaign index is loaded from the database after a restart.
  server.Restart();
  posts.push_back(Post(authors[3], kCampaignRespelled));  // flagged, respelled copy
  posts.push_back(Post(authors[4], kCampaignUnflagged));  // unflagged again
  EXPECT_EQ(Verdict(posts[0]), "publish_and_flag");
  EXPECT_EQ(Verdict(posts[2]), "publish_and_flag");
  auto records = server.app().storage().Read()->posts().ListScreenings(*ParseId(posts[2]));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_NE(records[0].reason.find("near-duplicate of status " + posts[0]), std::string::npos)
      << records[0].reason;
  // Copies stay visible while the case is open (flagged, not held).
  EXPECT_EQ(server.Get("/api/v1/statuses/" + posts[4], stranger.token).status, 200);

  // An unrelated flagged post opens a case of its own.
  const std::string unrelated = Post(authors[1], kUnrelatedFlagged);

  // One case lists all five statuses; the unrelated post is in another one.
  const std::string campaign = CaseOf(posts[0]);
  ASSERT_FALSE(campaign.empty());
  const std::vector<std::string> members = CaseStatuses(campaign);
  EXPECT_EQ(members.size(), 5u);
  for (const auto& id : posts) EXPECT_TRUE(Has(members, id)) << id;
  // The two copies flagged only as near-duplicates are listed without their fingerprint (not
  // matched on, so the case cannot drift from copy to copy); the posts flagged for what they say
  // are listed with it.
  for (const CaseStatus& m :
       server.app().storage().Read()->cases().ListStatuses(*ParseId(campaign), 10)) {
    const std::string id = IdToString(m.status_id);
    EXPECT_EQ(m.shingles == 0, id == posts[2] || id == posts[4]) << id;
  }
  const json::value view = ShowCase(campaign);
  EXPECT_TRUE(view.at("campaign").as_bool());
  EXPECT_EQ(Str(view, "target_id"), posts[0]);
  EXPECT_EQ(Str(view.at("statuses").as_array()[1], "account_id"), IdToString(authors[1].id));
  const std::string other = CaseOf(unrelated);
  ASSERT_FALSE(other.empty());
  EXPECT_NE(other, campaign);
  EXPECT_EQ(CaseStatuses(other), std::vector<std::string>{unrelated});
  EXPECT_FALSE(ShowCase(other).at("campaign").as_bool());
  int cases_about_copies = 0;
  for (const auto& c : OpenCases()) {
    if (Has(posts, Str(c, "target_id"))) ++cases_about_copies;
  }
  EXPECT_EQ(cases_about_copies, 1);

  // Two moderators claim the two cases; the campaign's holder removes it with one decision.
  Claimed first_claim = Claim(mod);
  Claimed second_claim = Claim(mod2);
  const bool mod_has_it = first_claim.id == campaign;
  const Claimed& campaign_claim = mod_has_it ? first_claim : second_claim;
  const Claimed& other_claim = mod_has_it ? second_claim : first_claim;
  const TestServer::User& decider = mod_has_it ? mod : mod2;
  const TestServer::User& other_mod = mod_has_it ? mod2 : mod;
  ASSERT_EQ(campaign_claim.id, campaign);
  ASSERT_EQ(other_claim.id, other);
  auto decided = Decide(decider, campaign_claim,
                        R"("action":"remove_status","ground":"illegal","legal_provision":"§ 111 StGB")");
  ASSERT_EQ(decided.status, 200) << decided.body;
  ASSERT_EQ(Decide(other_mod, other_claim, R"("action":"no_action")").status, 200);

  // Every copy is gone for everyone else; each author has a warning of their own.
  std::set<std::string> statements;
  std::vector<std::string> decisions;
  for (size_t i = 0; i < posts.size(); ++i) {
    EXPECT_EQ(server.Get("/api/v1/statuses/" + posts[i], stranger.token).status, 404) << i;
    EXPECT_EQ(server.Get("/api/v1/statuses/" + posts[i]).status, 404) << i;
    auto warnings = NotificationsOfType(authors[i], "moderation_warning");
    ASSERT_EQ(warnings.size(), 1u) << i;
    const json::value& w = warnings[0].at("moderation_warning");
    EXPECT_EQ(Str(w, "action"), "delete_statuses") << i;
    ASSERT_EQ(w.at("status_ids").as_array().size(), 1u);
    EXPECT_EQ(std::string(w.at("status_ids").as_array()[0].as_string()), posts[i]);
    const std::string statement = Str(w, "statement_id");
    ASSERT_FALSE(statement.empty()) << i;
    statements.insert(statement);
    decisions.push_back(Str(w, "id"));
    // The statement is the author's: readable by them, not by another author.
    EXPECT_EQ(server.Get("/api/v1/statements/" + statement, authors[i].token).status, 200);
    EXPECT_EQ(server.Get("/api/v1/statements/" + statement,
                         authors[(i + 1) % authors.size()].token)
                  .status,
              404);
  }
  EXPECT_EQ(statements.size(), 5u);
  EXPECT_EQ(std::set<std::string>(decisions.begin(), decisions.end()).size(), 5u);
  // Five decisions on the case, each with its own audit entry.
  auto read = server.app().storage().Read();
  EXPECT_EQ(read->decisions().ListForCase(*ParseId(campaign)).size(), 5u);
  std::set<std::string> audited;
  storage::AuditFilter filter;
  filter.action = "decision.create";
  filter.target_type = "case";
  filter.target_id = campaign;
  storage::PageQuery page;
  page.limit = 100;
  for (const auto& e : read->audit().List(filter, page)) audited.insert(e.details_json);
  EXPECT_EQ(audited.size(), 5u);
  // A removed copy cannot be posted again (its fingerprint is stored like any removal).
  auto again = server.Post("/api/v1/statuses",
                           R"({"status":)" + JsonString(kCampaignText) + "}", follower.token);
  EXPECT_EQ(again.status, 422) << again.body;

  // The third author appeals; the other moderator reverses: only their post is back.
  auto appeal = server.Post("/api/v1/appeals",
                            R"({"decision_id":")" + decisions[2] +
                                R"(","text":"I only wanted people to bring wood for the fire."})",
                            authors[2].token);
  ASSERT_EQ(appeal.status, 200) << appeal.body;
  Claimed appeal_claim = Claim(other_mod);
  ASSERT_FALSE(appeal_claim.id.empty());
  auto reversed = Decide(other_mod, appeal_claim, R"("action":"reverse")");
  ASSERT_EQ(reversed.status, 200) << reversed.body;
  for (size_t i = 0; i < posts.size(); ++i) {
    EXPECT_EQ(server.Get("/api/v1/statuses/" + posts[i], stranger.token).status, i == 2 ? 200 : 404)
        << i;
  }
}

TEST_F(ScreeningCampaignTest, CopiesOutsideTheWindowOrByTheSameAccountOpenTheirOwnCase) {
  const std::string first = Post(author, kCampaignText);
  // The same account again: not a campaign (its own case).
  const std::string own = Post(author, kCampaignRespelled);
  EXPECT_NE(CaseOf(own), CaseOf(first));
  // Eight days later (window 7 days) another account's copy starts a case of its own, and an
  // unflagged copy is not flagged.
  clock.Advance(std::chrono::hours(24 * 8));
  const std::string late = Post(stranger, kCampaignText);
  const std::string late_unflagged = Post(follower, kCampaignUnflagged);
  EXPECT_NE(CaseOf(late), CaseOf(first));
  EXPECT_EQ(CaseStatuses(CaseOf(first)), std::vector<std::string>{first});
  EXPECT_EQ(Verdict(late_unflagged), "publish_and_flag");  // near the late copy, added just now
  EXPECT_NE(server.Get("/metrics").body.find("\nstoa_screening_campaign_flags_total 1\n"),
            std::string::npos);
  EXPECT_EQ(CaseOf(late_unflagged), CaseOf(late));
}

TEST_F(ScreeningCampaignTest, AReportedCopyJoinsTheCampaign) {
  // A copy the chain let through before there was a case to join: no case yet.
  const std::string early = Post(stranger, kCampaignUnflagged);
  EXPECT_EQ(Verdict(early), "publish");
  // The flagged original opens the case.
  const std::string first = Post(author, kCampaignText);
  const std::string case_id = CaseOf(first);
  ASSERT_FALSE(case_id.empty());
  EXPECT_EQ(CaseOf(early), "");
  // A member reports the early copy: the report joins the campaign instead of opening a case.
  auto r = server.Post("/api/v1/reports",
                       R"({"account_id":")" + IdToString(stranger.id) + R"(","status_ids":[")" +
                           early + R"("],"comment":"Same call as the other one","category":"other"})",
                       reporter.token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(CaseOf(early), case_id);
  EXPECT_EQ(CaseStatuses(case_id), (std::vector<std::string>{first, early}));
  // Reporting it again joins the same case (it is listed there).
  r = server.Post("/api/v1/reports",
                  R"({"account_id":")" + IdToString(stranger.id) + R"(","status_ids":[")" + early +
                      R"("],"comment":"Still there","category":"other"})",
                  follower.token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(ShowCase(case_id).at("notices_count").to_number<int64_t>(), 3);
  EXPECT_EQ(CaseStatuses(case_id).size(), 2u);
}

TEST_F(ScreeningCampaignTest, AnAccountActionOnACampaignReachesEveryAuthorOnce) {
  const TestServer::User a = server.CreateUser("floodera");
  const TestServer::User b = server.CreateUser("flooderb");
  const std::string first = Post(a, kCampaignText);
  const std::string copy = Post(b, kCampaignRespelled);
  const std::string second_copy = Post(b, kCampaignUnflagged);  // b again: joins through a's post
  const std::string case_id = CaseOf(first);
  ASSERT_FALSE(case_id.empty());
  EXPECT_EQ(CaseStatuses(case_id), (std::vector<std::string>{first, copy, second_copy}));
  Claimed claimed = Claim(mod);
  ASSERT_EQ(claimed.id, case_id);
  auto decided = Decide(mod, claimed,
                        R"("action":"silence_account","ground":"illegal","legal_provision":"§ 111 StGB")");
  ASSERT_EQ(decided.status, 200) << decided.body;
  // Each author is limited, and warned once (one decision per author for account actions).
  for (const auto* u : {&a, &b}) {
    auto account = server.Get("/api/v1/admin/accounts/" + IdToString(u->id), mod.token);
    ASSERT_EQ(account.status, 200) << account.body;
    EXPECT_TRUE(account.json().at("silenced").as_bool()) << u->username;
    auto warnings = NotificationsOfType(*u, "moderation_warning");
    ASSERT_EQ(warnings.size(), 1u) << u->username;
    EXPECT_EQ(Str(warnings[0].at("moderation_warning"), "action"), "silence");
  }
  EXPECT_EQ(server.app().storage().Read()->decisions().ListForCase(*ParseId(case_id)).size(), 2u);
  // The posts themselves stay (an account action removes none).
  EXPECT_EQ(server.Get("/api/v1/statuses/" + copy, b.token).status, 200);
}

TEST_F(ScreeningCampaignTest, TheMastodonAdminApiKeepsACampaignWhole) {
  const TestServer::User a = server.CreateUser("campaignera");
  const TestServer::User b = server.CreateUser("campaignerb");
  const std::string first = Post(a, kCampaignText);
  const std::string copy = Post(b, kCampaignRespelled);
  const std::string case_id = CaseOf(first);
  ASSERT_FALSE(case_id.empty());
  ASSERT_EQ(CaseStatuses(case_id), (std::vector<std::string>{first, copy}));
  const std::string action = "/api/v1/admin/accounts/" + IdToString(a.id) + "/action";
  // An action on the report's account would close the report with b's copy undecided: refused.
  auto r = server.Post(action, R"({"type":"silence","report_id":")" + case_id + R"("})",
                       mod.token);
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(Str(r.json(), "error").find("is a campaign"), std::string::npos) << r.body;
  EXPECT_NE(Str(r.json(), "error").find("/api/v1/admin/cases/" + case_id + "/decision"),
            std::string::npos);
  auto account = server.Get("/api/v1/admin/accounts/" + IdToString(a.id), mod.token);
  EXPECT_FALSE(account.json().at("silenced").as_bool());
  // Without the report the action is taken, and the campaign stays open for its decision.
  r = server.Post(action, R"({"type":"silence"})", mod.token);
  ASSERT_EQ(r.status, 200) << r.body;
  auto report = server.Get("/api/v1/admin/reports/" + case_id, mod.token);
  ASSERT_EQ(report.status, 200) << report.body;
  EXPECT_FALSE(report.json().at("action_taken").as_bool());
  // Resolving the report (no action) closes the campaign as a whole: it attracts no more copies.
  r = server.Post("/api/v1/admin/reports/" + case_id + "/resolve", "{}", mod.token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json().at("action_taken").as_bool());
  const std::string later = Post(stranger, kCampaignUnflagged);
  EXPECT_EQ(Verdict(later), "publish");
  // Reopened, it attracts copies again.
  r = server.Post("/api/v1/admin/reports/" + case_id + "/reopen", "{}", mod.token);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string reopened = Post(follower, kCampaignUnflagged);
  EXPECT_EQ(Verdict(reopened), "publish_and_flag");
  EXPECT_EQ(CaseOf(reopened), case_id);
}

TEST_F(ScreeningCampaignTest, AHeldCopyJoinsTheCampaignAndTheDecisionReleasesIt) {
  const TestServer::User b = server.CreateUser("holder");
  const std::string first = Post(author, kCampaignText);
  // The rule holds this copy ("holdflood" instead of "floodword": 6 bits away): only its author
  // sees it, and it joins the first post's case.
  const std::string held = Post(b, std::string(kCampaignText).replace(
                                       std::string(kCampaignText).find("floodword"), 9, "holdflood"));
  EXPECT_EQ(Verdict(held), "hold");
  EXPECT_EQ(server.Get("/api/v1/statuses/" + held, stranger.token).status, 404);
  const std::string case_id = CaseOf(first);
  ASSERT_FALSE(case_id.empty());
  EXPECT_EQ(CaseStatuses(case_id), (std::vector<std::string>{first, held}));
  // No action on the campaign releases the held copy to everyone.
  Claimed claimed = Claim(mod);
  ASSERT_EQ(claimed.id, case_id);
  ASSERT_EQ(Decide(mod, claimed, R"("action":"no_action")").status, 200);
  EXPECT_EQ(server.Get("/api/v1/statuses/" + held, stranger.token).status, 200);
  EXPECT_TRUE(NotificationsOfType(b, "moderation_warning").empty());
}

// A moderator takes a wrongly grouped status out of a campaign (DELETE
// /api/v1/admin/cases/:id/statuses/:status_id): it leaves the case's list and the campaign index
// (nothing joins through it), the audit log names the moderator and the reason, and the case's
// decision no longer covers it; the status that opened the case, unknown ones, held ones, cases
// another moderator holds and decided cases are refused; members are not allowed.
TEST_F(ScreeningCampaignTest, AModeratorTakesAWronglyGroupedStatusOutOfACampaign) {
  ThreePostCampaign campaign;
  ASSERT_NO_FATAL_FAILURE(MakeThreePostCampaign(campaign));
  const auto& [a, b, c, first, quoted, copy, case_id] = campaign;
  const std::string unrelated = Post(b, kUnrelatedFlagged);
  const std::string other_case = CaseOf(unrelated);
  ASSERT_FALSE(other_case.empty());
  const int64_t version = ShowCase(case_id).at("version").to_number<int64_t>();

  const std::string path = "/api/v1/admin/cases/" + case_id + "/statuses/";
  const std::string why = "?reason=" + UrlEncode("A quote by a journalist, not a copy");
  struct Refusal {
    const char* what;
    std::string target;
    const TestServer::User* who;
    int status;
  };
  const Refusal refusals[] = {
      {"a member", path + quoted + why, &stranger, 403},
      {"no reason", path + quoted, &mod, 422},
      {"the status that opened the case", path + first + why, &mod, 422},
      {"a status the case does not list", path + unrelated + why, &mod, 404},
      {"an unknown status", path + "12345" + why, &mod, 404},
      {"an unknown case", "/api/v1/admin/cases/12345/statuses/" + quoted + why, &mod, 404},
      {"a stale version", path + quoted + why + "&version=" + std::to_string(version - 1), &mod,
       409},
  };
  for (const Refusal& r : refusals) {
    auto got = server.Delete(r.target, r.who->token);
    EXPECT_EQ(got.status, r.status) << r.what << ": " << got.body;
    EXPECT_FALSE(got.error().empty()) << r.what;
  }
  EXPECT_EQ(CaseStatuses(case_id), (std::vector<std::string>{first, quoted, copy}));
  EXPECT_EQ(ShowCase(case_id).at("version").to_number<int64_t>(), version);

  // Taken out: the answer is the case view without it, one version on.
  auto removed =
      server.Delete(path + quoted + why + "&version=" + std::to_string(version), mod.token);
  ASSERT_EQ(removed.status, 200) << removed.body;
  const json::value view = removed.json();
  EXPECT_EQ(Str(view, "id"), case_id);
  EXPECT_EQ(view.at("version").to_number<int64_t>(), version + 1);
  std::vector<std::string> listed;
  for (const auto& m : view.at("statuses").as_array()) listed.push_back(Str(m, "id"));
  EXPECT_EQ(listed, (std::vector<std::string>{first, copy}));
  EXPECT_EQ(CaseOf(quoted), "");
  // Again: no longer listed.
  EXPECT_EQ(server.Delete(path + quoted + why, mod.token).status, 404);
  // The audit log: who, why, which status.
  {
    auto read = server.app().storage().Read();
    storage::AuditFilter filter;
    filter.action = "case.remove_status";
    filter.target_type = "case";
    filter.target_id = case_id;
    storage::PageQuery page;
    page.limit = 10;
    auto entries = read->audit().List(filter, page);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].actor_id, mod.id);
    EXPECT_EQ(entries[0].reasons, "A quote by a journalist, not a copy");
    EXPECT_NE(entries[0].details_json.find("\"status_id\":\"" + quoted + "\""), std::string::npos)
        << entries[0].details_json;
    EXPECT_NE(entries[0].details_json.find("\"account_id\":\"" + IdToString(b.id) + "\""),
              std::string::npos);
  }
  // Not matched on any more: `first`'s author had only `quoted` (by another account) to match
  // in the case, so their own copy now opens no campaign; other accounts' copies still join.
  const std::string own = Post(a, kCampaignUnflagged);
  EXPECT_EQ(Verdict(own), "publish");
  const std::string later = Post(follower, kCampaignUnflagged);
  EXPECT_EQ(Verdict(later), "publish_and_flag");
  EXPECT_EQ(CaseOf(later), case_id);
  // A held member stays: it waits for the decision, which releases it.
  const std::string held =
      Post(server.CreateUser("grouperd"),
           std::string(kCampaignText)
               .replace(std::string(kCampaignText).find("floodword"), 9, "holdflood"));
  ASSERT_EQ(Verdict(held), "hold");
  ASSERT_EQ(CaseOf(held), case_id);
  auto refused = server.Delete(path + held + why, mod.token);
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_NE(refused.error().find("held"), std::string::npos) << refused.body;

  // Held by a moderator: another moderator is refused, an admin is not.
  auto assigned = server.Post("/api/v1/admin/cases/" + case_id + "/assign",
                              R"({"account_id":")" + IdToString(mod.id) + R"("})", admin.token);
  ASSERT_EQ(assigned.status, 200) << assigned.body;
  Claimed claimed{case_id, "", assigned.json()};
  auto busy = server.Delete(path + later + why, mod2.token);
  EXPECT_EQ(busy.status, 409) << busy.body;
  ASSERT_EQ(server.Delete(path + later + why, admin.token).status, 200);
  claimed.version = std::to_string(ShowCase(case_id).at("version").to_number<int64_t>());

  // The decision covers the statuses still listed only.
  ASSERT_EQ(Decide(mod, claimed,
                   R"("action":"remove_status","ground":"illegal","legal_provision":"§ 111 StGB")")
                .status,
            200);
  for (const std::string& gone : {first, copy, held}) {
    EXPECT_EQ(server.Get("/api/v1/statuses/" + gone, stranger.token).status, 404) << gone;
  }
  for (const std::string& kept : {quoted, later}) {
    EXPECT_EQ(server.Get("/api/v1/statuses/" + kept, stranger.token).status, 200) << kept;
  }
  EXPECT_TRUE(NotificationsOfType(b, "moderation_warning").empty());
  // Decided: nothing leaves it any more.
  auto closed = server.Delete(path + copy + why, mod.token);
  EXPECT_EQ(closed.status, 409) << closed.body;
  EXPECT_EQ(CaseStatuses(case_id).size(), 3u);
}

// A status taken out of a campaign is never taken back (migration 0017): not by an edit that
// screening finds near the case (before or after a restart), not by a later report, which opens
// a case of its own.
TEST_F(ScreeningCampaignTest, AStatusTakenOutOfACampaignIsNeverTakenBack) {
  ThreePostCampaign campaign;
  ASSERT_NO_FATAL_FAILURE(MakeThreePostCampaign(campaign));
  const auto& [a, b, c, first, quoted, copy, case_id] = campaign;
  ASSERT_EQ(Verdict(copy), "publish_and_flag");
  const std::string why = "?reason=" + UrlEncode("Satire of the campaign, not a copy");
  ASSERT_EQ(
      server.Delete("/api/v1/admin/cases/" + case_id + "/statuses/" + copy + why, mod.token).status,
      200);

  // An edit that stays near the campaign: screened again, not a copy of that case any more.
  const auto edit = [&](const std::string& text) {
    auto r =
        server.Put("/api/v1/statuses/" + copy, R"({"status":)" + JsonString(text) + "}", c.token);
    ASSERT_EQ(r.status, 200) << r.body;
  };
  const std::string edited = std::string(kCampaignUnflagged) + " Really.";
  ASSERT_LE(screen::HammingDistance(screen::FingerprintText(kCampaignText).simhash,
                                    screen::FingerprintText(edited).simhash),
            7);
  edit(edited);
  EXPECT_EQ(Verdict(copy), "publish");
  EXPECT_FALSE(Has(CaseStatuses(case_id), copy));
  // After a restart the campaign index is loaded with the case's exclusions.
  server.Restart();
  edit(kCampaignUnflagged);
  EXPECT_EQ(Verdict(copy), "publish");
  EXPECT_FALSE(Has(CaseStatuses(case_id), copy));

  // A member's report of it: a case of its own.
  auto report = server.Post("/api/v1/reports",
                            R"({"account_id":")" + IdToString(c.id) + R"(","status_ids":[")" +
                                copy + R"("],"comment":"the same campaign","category":"other"})",
                            reporter.token);
  ASSERT_EQ(report.status, 200) << report.body;
  const std::string own_case = CaseOf(copy);
  EXPECT_FALSE(own_case.empty()) << "the report opened no case";
  EXPECT_NE(own_case, case_id) << "the status taken out joined the campaign again";
  EXPECT_EQ(CaseStatuses(case_id), (std::vector<std::string>{first, quoted}));
  // Other accounts' copies are still flagged as copies.
  const std::string later = Post(follower, kCampaignUnflagged);
  EXPECT_EQ(Verdict(later), "publish_and_flag");
}

// Fingerprint-only flags: the removed post's case was about a member's report (category
// STATEMENT_CATEGORY_OTHER_VIOLATION_TC); a light edit of it by someone else is flagged (reject
// distance 3, flag 7) and its case is filed under that category, not under violence.
constexpr const char* kRemovedText =
    "Everyone who lives on Baker Street should know that the man at number twelve is a liar "
    "and a thief. He took the money from the school fund last winter and nobody did anything "
    "about it. I will keep posting his address until the whole town knows what he did.";
constexpr const char* kOneWordChanged =
    "EVERYONE who lives on Baker  Street should know that the man at number twelve is a CROOK "
    "and a thief.   He took the money from the school fund last winter and nobody did anything "
    "about it. I will keep posting his address until the whole town knows what he did!";

void LenientMatch(Config& c) {
  ScreeningOn(c);
  c.screening.duplicate_reject_distance = 3;
  c.screening.duplicate_flag_distance = 7;
}

class ScreeningRemovedCategoryTest : public ScreeningCampaignTest {
 protected:
  ScreeningRemovedCategoryTest() : ScreeningCampaignTest(LenientMatch) {}
};

TEST_F(ScreeningRemovedCategoryTest, AFingerprintOnlyFlagHasTheRemovedCasesCategory) {
  const std::string removed = PostStatus(author, kRemovedText).id;
  auto claimed = ReportedAndClaimed(removed, mod);
  ASSERT_EQ(Str(claimed.body, "category"), "STATEMENT_CATEGORY_OTHER_VIOLATION_TC");
  auto r = Decide(mod, claimed,
                  R"("action":"remove_status","ground":"illegal","legal_provision":"§ 186 StGB")");
  ASSERT_EQ(r.status, 200) << r.body;
  auto stored = server.app().storage().Read()->posts().GetRemovedFingerprint(*ParseId(removed));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->category, "STATEMENT_CATEGORY_OTHER_VIOLATION_TC");

  // Also after a restart (the category is loaded with the fingerprint).
  server.Restart();
  const std::string copy = Post(stranger, kOneWordChanged);
  EXPECT_EQ(Verdict(copy), "publish_and_flag");
  const std::string case_id = CaseOf(copy);
  ASSERT_FALSE(case_id.empty());
  const json::value view = ShowCase(case_id);
  EXPECT_EQ(Str(view, "category"), "STATEMENT_CATEGORY_OTHER_VIOLATION_TC") << view;
}

}  // namespace
}  // namespace stoa::testing
