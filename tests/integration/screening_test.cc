// Screening in the server, over HTTP: every status and edit passes the chain before anyone but
// its author sees it. Held posts stay with their author until a moderator decides; rejected posts
// are refused and not stored; flagged posts open a case with an automated notice; edits are
// screened again; reloads keep the old rules when the new file is invalid; the rule tester's dry
// run is for moderators and up. The server runs with a small rules file of its own (fast to
// compile, verdicts chosen per word) and the build's default model.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "screen/classifier.h"
#include "screen/classifier_features.h"
#include "screen/classifier_trainer.h"
#include "tests/integration/moderation_fixture.h"
#include "tests/integration/screening_fixture.h"

namespace stoa::testing {
namespace {

std::string RulesText(const std::string& version, const std::string& extra = "") {
  return RulesFileText(version, {WordRule("spam", "flagword", "0.3", "publish_and_flag"),
                                 WordRule("threat", "holdword", "0.9", "hold"),
                                 WordRule("threat", "surgeword", "0.65", "hold"),
                                 WordRule("violence", "rejectword", "1", "reject")}) +
         extra;
}

std::string RulesPath() {
  static const std::string path = WriteRulesFile("stoa-screening-it", RulesText("it.1"));
  return path;
}

void ScreeningOn(Config& c) {
  // The classifier scores are real but must not decide these tests: only very sure scores flag.
  // The rules' weights: holdword 0.9 holds, surgeword 0.65 flags (holds in surge), rejectword 1.
  EnableScreening(c, RulesPath(), {0.85, 0.88, 0.95});
  c.screening.surge_hold_drop = 0.3;
}

class ScreeningTest : public ModerationTest {
 protected:
  ScreeningTest() : ModerationTest(ScreeningOn) {}
  // ScreeningOn, then `more`.
  explicit ScreeningTest(std::function<void(Config&)> more)
      : ModerationTest([more](Config& c) {
          ScreeningOn(c);
          more(c);
        }) {}
  void SetUp() override {
    std::ofstream(RulesPath(), std::ios::trunc) << RulesText("it.1");
    ModerationTest::SetUp();
  }

  json::value ShowCase(const std::string& id) {
    auto r = server.Get("/api/v1/admin/cases/" + id, mod.token);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }
  std::vector<json::value> Cases() {
    std::vector<json::value> out;
    auto r = server.Get("/api/v1/admin/cases", mod.token);
    EXPECT_EQ(r.status, 200) << r.body;
    const json::value body = r.json();
    if (!body.is_array()) return out;
    for (const auto& c : body.as_array()) out.push_back(c);
    return out;
  }
  // The case about status `id` (must be exactly one).
  std::string CaseAbout(const std::string& id) {
    std::string found;
    for (const auto& c : Cases()) {
      if (Str(c, "target_id") == id) found = Str(c, "id");
    }
    EXPECT_FALSE(found.empty()) << "no case about " << id;
    return found;
  }
  HttpResponse TestText(const std::string& token, const std::string& text,
                        const std::string& language = "en") {
    return server.Post("/api/v1/admin/screening/test",
                       R"({"text":)" + JsonString(text) + R"(,"language":")" + language + "\"}",
                       token);
  }
};

TEST_F(ScreeningTest, HarmlessPostIsPublishedAndRecorded) {
  auto r = server.Post("/api/v1/statuses", R"({"status":"Lovely weather in the park today #sunny"})",
                       author.token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(r.json().as_object().contains("held"));
  const std::string id = Str(r.json(), "id");
  EXPECT_EQ(Look(id, "", "sunny", stranger).direct, 200);
  EXPECT_TRUE(Cases().empty());
  auto records = server.app().storage().Read()->posts().ListScreenings(*ParseId(id));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].verdict, "publish");
  EXPECT_EQ(records[0].rules_version, "it.1");
  EXPECT_FALSE(records[0].model_version.empty());
  EXPECT_NE(records[0].signals_json.find("\"categories\""), std::string::npos);
}

TEST_F(ScreeningTest, MetricsCountEachScreeningInTheDurationHistogram) {
  for (int i = 0; i < 3; ++i) {
    auto r = server.Post("/api/v1/statuses",
                         R"({"status":"Tea in the garden, number )" + std::to_string(i) + R"("})",
                         author.token);
    ASSERT_EQ(r.status, 200) << r.body;
  }
  const std::string body = server.Get("/metrics").body;
  EXPECT_NE(body.find("# TYPE stoa_screening_duration_seconds histogram"), std::string::npos);
  EXPECT_NE(body.find("\nstoa_screening_duration_seconds_count 3\n"), std::string::npos) << body;
  EXPECT_NE(body.find("\nstoa_screening_duration_seconds_bucket{le=\"+Inf\"} 3\n"),
            std::string::npos);
  EXPECT_NE(body.find("stoa_screening_duration_seconds_bucket{le=\"5e-06\"}"), std::string::npos);
}

TEST_F(ScreeningTest, HeldPostIsVisibleToItsAuthorOnlyUntilAModeratorDecides) {
  // The follower wants a notification for every post of the author.
  auto notify = server.Post("/api/v1/accounts/" + IdToString(author.id) + "/follow",
                            R"({"notify":true})", follower.token);
  ASSERT_EQ(notify.status, 200) << notify.body;
  auto r = server.Post("/api/v1/statuses",
                       R"({"status":"holdword at the #harbour tonight @stranger"})", author.token);
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value posted = r.json();
  EXPECT_TRUE(posted.as_object().at("held").as_bool());
  EXPECT_FALSE(Str(posted, "held_at").empty());
  const std::string id = Str(posted, "id");

  for (const auto* viewer : {&follower, &stranger}) {
    const Surfaces s = Look(id, "", "harbour", *viewer);
    EXPECT_FALSE(s.public_timeline);
    EXPECT_FALSE(s.tag_timeline);
    EXPECT_FALSE(s.search);
    EXPECT_FALSE(s.home);
    EXPECT_FALSE(s.account);
    EXPECT_EQ(s.direct, 404);
  }
  EXPECT_EQ(server.Get("/api/v1/statuses/" + id).status, 404);  // anonymous
  EXPECT_TRUE(NotificationsOfType(stranger, "mention").empty());
  EXPECT_TRUE(NotificationsOfType(follower, "status").empty());
  // Its author sees it, marked held.
  const Surfaces own = Look(id, "", "harbour", author);
  EXPECT_EQ(own.direct, 200);
  EXPECT_TRUE(own.home);
  EXPECT_TRUE(own.account);
  EXPECT_TRUE(server.Get("/api/v1/statuses/" + id, author.token).json().as_object().at("held").as_bool());

  // An automated notice opened a case; the case view shows the screening record.
  const std::string case_id = CaseAbout(id);
  json::value view = ShowCase(case_id);
  const auto& notices = view.as_object().at("notices").as_array();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(Str(notices[0], "source"), "automated");
  EXPECT_EQ(notices[0].as_object().at("automated_score").to_number<int64_t>(), 90);
  const auto& screenings = view.as_object().at("screenings").as_array();
  ASSERT_EQ(screenings.size(), 1u);
  EXPECT_EQ(Str(screenings[0], "verdict"), "hold");
  EXPECT_EQ(Str(screenings[0], "rules_version"), "it.1");
  EXPECT_EQ(screenings[0].as_object().at("rules").as_array()[0].as_string(), "any.threat.holdword");
  EXPECT_NE(Str(screenings[0], "reason").find("any.threat.holdword"), std::string::npos);
  EXPECT_TRUE(screenings[0].as_object().at("signals").as_object().contains("rule_hits"));

  // A moderator decides: no action releases it to everyone, with the notifications it held back.
  Claimed claimed = Claim(mod);
  ASSERT_EQ(claimed.id, case_id);
  auto decided = Decide(mod, claimed, R"("action":"no_action")");
  ASSERT_EQ(decided.status, 200) << decided.body;
  const Surfaces after = Look(id, "", "harbour", follower);
  EXPECT_EQ(after.direct, 200);
  EXPECT_TRUE(after.public_timeline);
  EXPECT_TRUE(after.tag_timeline);
  EXPECT_TRUE(after.home);
  EXPECT_TRUE(after.account);
  EXPECT_FALSE(server.Get("/api/v1/statuses/" + id, author.token).json().as_object().contains("held"));
  EXPECT_EQ(NotificationsOfType(stranger, "mention").size(), 1u);
  EXPECT_EQ(NotificationsOfType(follower, "status").size(), 1u);
}

TEST_F(ScreeningTest, RemovingAHeldPostKeepsItHiddenAndTheStatementSaysDetectionWasAutomated) {
  const std::string id = PostStatus(author, "holdword again").id;
  const std::string case_id = CaseAbout(id);
  Claimed claimed = Claim(mod);
  ASSERT_EQ(claimed.id, case_id);
  auto decided = Decide(mod, claimed,
                        R"("action":"remove_status","ground":"illegal","legal_provision":"StGB 241")");
  ASSERT_EQ(decided.status, 200) << decided.body;
  EXPECT_TRUE(decided.json().as_object().at("automated_detection").as_bool());
  EXPECT_EQ(Look(id, "", "holdword", follower).direct, 404);
  auto statement_id = Str(decided.json(), "statement_id");
  ASSERT_FALSE(statement_id.empty()) << decided.body;
  auto statement = server.Get("/api/v1/statements/" + statement_id, author.token);
  ASSERT_EQ(statement.status, 200) << statement.body;
  EXPECT_NE(statement.body.find("\"automated_detection\":\"Yes\""), std::string::npos)
      << statement.body;
}

TEST_F(ScreeningTest, RejectedPostIsRefusedAndNotStored) {
  const int64_t before = server.app().storage().Read()->posts().Count();
  auto r = server.Post("/api/v1/statuses", R"({"status":"r e j e c t w o r d now"})", author.token);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.error().find("rejected by screening"), std::string::npos) << r.body;
  EXPECT_NE(r.error().find("any.violence.rejectword"), std::string::npos) << r.body;
  EXPECT_EQ(server.app().storage().Read()->posts().Count(), before);
  EXPECT_TRUE(Cases().empty());
  EXPECT_TRUE(Ids(server.Get("/api/v1/accounts/" + IdToString(author.id) + "/statuses",
                             author.token).json())
                  .empty());
}

TEST_F(ScreeningTest, FlaggedPostIsPublishedAndOpensACaseWithAnAutomatedNotice) {
  auto r = server.Post("/api/v1/statuses", R"({"status":"cheap flagword deals #offers"})",
                       author.token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(r.json().as_object().contains("held"));
  const std::string id = Str(r.json(), "id");
  const Surfaces s = Look(id, "", "offers", stranger);
  EXPECT_EQ(s.direct, 200);
  EXPECT_TRUE(s.public_timeline);
  const std::string case_id = CaseAbout(id);
  json::value view = ShowCase(case_id);
  EXPECT_EQ(Str(view, "category"), "STATEMENT_CATEGORY_SCAMS_AND_FRAUD") << view;
  const auto& notices = view.as_object().at("notices").as_array();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(Str(notices[0], "source"), "automated");
  EXPECT_EQ(Str(view.as_object().at("screenings").as_array()[0], "verdict"), "publish_and_flag");
  // A second flagged post joins its own case (one case per target); the same post edited into
  // another flag joins the open case.
  auto edit = server.Put("/api/v1/statuses/" + id, R"({"status":"cheap flagword deals, edited"})",
                         author.token);
  ASSERT_EQ(edit.status, 200) << edit.body;
  EXPECT_EQ(Cases().size(), 1u);
  view = ShowCase(case_id);
  EXPECT_EQ(view.as_object().at("notices").as_array().size(), 2u);
  const auto& screenings = view.as_object().at("screenings").as_array();
  ASSERT_EQ(screenings.size(), 2u);
  EXPECT_FALSE(screenings[0].as_object().at("edit").as_bool());
  EXPECT_TRUE(screenings[1].as_object().at("edit").as_bool());
}

// Posting prepares the record's rule names and signals before its write (Prepare, on the
// request's thread); Record without Prepare (retroactive screening) builds the same ones.
TEST_F(ScreeningTest, PreparedRecordEqualsTheOneRecordBuildsItself) {
  auto r = server.Post("/api/v1/statuses", R"({"status":"cheap flagword deals #offers"})",
                       author.token);
  ASSERT_EQ(r.status, 200) << r.body;
  const Id id = *ParseId(Str(r.json(), "id"));
  auto& storage = server.app().storage();
  auto stored = storage.Read()->posts().Get(id);
  ASSERT_TRUE(stored.ok());
  safety::ScreeningService* screening = server.app().screening();
  ASSERT_NE(screening, nullptr);
  auto outcome = screening->Screen(*stored, false);
  ASSERT_TRUE(storage
                  .Write([&](storage::Transaction& tx) {
                    return screening->Record(tx, *stored, false, *outcome);
                  })
                  .ok());
  auto records = storage.Read()->posts().ListScreenings(id);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].verdict, "publish_and_flag");
  EXPECT_FALSE(records[0].rule_names.empty());
  EXPECT_EQ(records[0].rule_names, records[1].rule_names);
  EXPECT_EQ(records[0].signals_json, records[1].signals_json);
  EXPECT_EQ(records[0].verdict, records[1].verdict);
}

TEST_F(ScreeningTest, EditsAreScreenedAgain) {
  const std::string id = PostStatus(author, "A quiet walk by the #river").id;
  EXPECT_EQ(Look(id, "", "river", stranger).direct, 200);
  // Edited into a rejected text: refused, the post unchanged.
  auto rejected = server.Put("/api/v1/statuses/" + id, R"({"status":"rejectword by the river"})",
                             author.token);
  EXPECT_EQ(rejected.status, 422) << rejected.body;
  EXPECT_NE(Str(server.Get("/api/v1/statuses/" + id, stranger.token).json(), "content").find("quiet"),
            std::string::npos);
  // Edited into a held text: out of sight for everyone but its author.
  auto held = server.Put("/api/v1/statuses/" + id, R"({"status":"holdword by the #river"})",
                         author.token);
  ASSERT_EQ(held.status, 200) << held.body;
  EXPECT_TRUE(held.json().as_object().at("held").as_bool());
  const Surfaces s = Look(id, "", "river", follower);
  EXPECT_EQ(s.direct, 404);
  EXPECT_FALSE(s.home);
  EXPECT_FALSE(s.public_timeline);
  EXPECT_EQ(Look(id, "", "river", author).direct, 200);
  // Edited back into a harmless text: still held (an edit never releases a hold).
  auto harmless = server.Put("/api/v1/statuses/" + id, R"({"status":"A quiet walk"})", author.token);
  ASSERT_EQ(harmless.status, 200) << harmless.body;
  EXPECT_TRUE(harmless.json().as_object().at("held").as_bool());
  EXPECT_EQ(Look(id, "", "river", follower).direct, 404);
  auto records = server.app().storage().Read()->posts().ListScreenings(*ParseId(id));
  ASSERT_EQ(records.size(), 3u);  // creation, the held edit, the harmless edit (the rejected: none)
  EXPECT_EQ(records[1].verdict, "hold");
  EXPECT_EQ(records[2].verdict, "publish");
}

TEST_F(ScreeningTest, TestEndpointIsADryRunForModeratorsAndUp) {
  EXPECT_EQ(TestText("", "holdword").status, 401);
  auto member = TestText(stranger.token, "holdword");
  EXPECT_EQ(member.status, 403) << member.body;
  auto r = TestText(mod.token, "They said: H O L D W O R D today");
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value body = r.json();
  EXPECT_EQ(Str(body, "verdict"), "hold");
  EXPECT_EQ(Str(body, "normalized"), "they said: holdword today");
  const auto& categories = body.as_object().at("categories").as_object();
  EXPECT_EQ(categories.size(), 6u);
  for (const auto& [name, score] : categories) {
    EXPECT_GE(score.to_number<double>(), 0.0) << name;
    EXPECT_LE(score.to_number<double>(), 1.0) << name;
  }
  const auto& hits = body.as_object().at("rule_hits").as_array();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(Str(hits[0], "rule"), "any.threat.holdword");
  EXPECT_EQ(Str(hits[0], "category"), "threat");
  EXPECT_EQ(hits[0].as_object().at("start").to_number<int64_t>(), 11);
  EXPECT_EQ(hits[0].as_object().at("end").to_number<int64_t>(), 19);
  EXPECT_EQ(Str(TestText(admin.token, "rejectword").json(), "verdict"), "reject");
  EXPECT_EQ(Str(TestText(mod.token, "nice day").json(), "verdict"), "publish");
  // Nothing stored.
  EXPECT_EQ(server.app().storage().Read()->posts().Count(), 0);
  EXPECT_TRUE(Cases().empty());
  EXPECT_EQ(server.Post("/api/v1/admin/screening/test", "{}", mod.token).status, 422);
}

TEST_F(ScreeningTest, ReloadSwapsRulesAndABadFileKeepsTheOldOnes) {
  EXPECT_EQ(server.Post("/api/v1/admin/screening/reload", "{}").status, 401);
  EXPECT_EQ(server.Post("/api/v1/admin/screening/reload", "{}", stranger.token).status, 403);
  EXPECT_EQ(server.Post("/api/v1/admin/screening/reload", "{}", mod.token).status, 403);

  // A broken file: 422 with the line and the reason; the old rules stay.
  std::ofstream(RulesPath(), std::ios::trunc)
      << RulesText("it.2", "\n[rule any.violence.broken]\ncategory = violent\nlanguages = any\n"
                           "weight = 0.5\nmax_verdict = hold\npattern = \\bbroken\\b\n");
  auto bad = server.Post("/api/v1/admin/screening/reload", "{}", admin.token);
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_NE(bad.error().find(".rules:"), std::string::npos) << bad.body;
  EXPECT_NE(bad.error().find("unknown category \"violent\""), std::string::npos) << bad.body;
  EXPECT_EQ(Str(TestText(mod.token, "holdword").json(), "verdict"), "hold");
  auto state = server.Get("/api/v1/admin/screening", mod.token);
  ASSERT_EQ(state.status, 200) << state.body;
  EXPECT_EQ(Str(state.json().as_object().at("rules"), "version"), "it.1");
  {
    // The model in use says how sure it must be (the build's default model: 0.98 / 0.99).
    const boost::json::value body = state.json();
    const auto& model = body.as_object().at("model").as_object();
    const auto loaded = server.app().screening()->model().Get();
    ASSERT_TRUE(loaded);
    EXPECT_FLOAT_EQ(static_cast<float>(model.at("flag_threshold").to_number<double>()),
                    loaded->metadata().flag_threshold);
    EXPECT_FLOAT_EQ(static_cast<float>(model.at("hold_threshold").to_number<double>()),
                    loaded->metadata().hold_threshold);
    // ... and which lexicon features it reads (the build's model: rules/lexicon.rules).
    ASSERT_TRUE(model.contains("features")) << state.body;
    EXPECT_EQ(model.at("features").as_object().at("rules").to_number<int64_t>(), 17);
    EXPECT_EQ(loaded->features()->rule_count(), 17u);
  }
  EXPECT_EQ(state.json().as_object().at("counts").as_object().at("failed_reloads").to_number<int64_t>(), 1);
  // "broken" is no rule: a post with it is published.
  auto plain = server.Post("/api/v1/statuses", R"({"status":"broken things"})", author.token);
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_FALSE(plain.json().as_object().contains("held"));

  // A good file: swapped in.
  std::ofstream(RulesPath(), std::ios::trunc)
      << RulesText("it.3", "\n[rule any.violence.newword]\ncategory = violence\nlanguages = any\n"
                           "weight = 0.9\nmax_verdict = hold\npattern = \\bnewword\\b\n");
  auto good = server.Post("/api/v1/admin/screening/reload", "{}", admin.token);
  ASSERT_EQ(good.status, 200) << good.body;
  EXPECT_EQ(Str(good.json().as_object().at("rules"), "version"), "it.3");
  EXPECT_EQ(Str(TestText(mod.token, "newword").json(), "verdict"), "hold");
  auto r = server.Post("/api/v1/statuses", R"({"status":"newword"})", author.token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json().as_object().at("held").as_bool());
  // The records name the rules version in force.
  auto records =
      server.app().storage().Read()->posts().ListScreenings(*ParseId(Str(r.json(), "id")));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].rules_version, "it.3");
  // A configuration change: the good reload is in the audit log (with who, and the versions);
  // the refused one is not.
  std::vector<AuditEntry> reloads;
  for (const AuditEntry& e : server.app().storage().Read()->audit().ListBySeq(0, 10000)) {
    if (e.action == "config.change" && e.target_id == "screening") reloads.push_back(e);
  }
  ASSERT_EQ(reloads.size(), 1u);
  EXPECT_EQ(reloads[0].actor_id, admin.id);
  EXPECT_EQ(reloads[0].target_type, "config");
  EXPECT_NE(reloads[0].details_json.find(R"("rules_version":"it.3")"), std::string::npos)
      << reloads[0].details_json;
  EXPECT_NE(reloads[0].details_json.find(R"("via":"api")"), std::string::npos)
      << reloads[0].details_json;
}

class SurgeTest : public ModerationTest {
 protected:
  SurgeTest()
      : ModerationTest([](Config& c) {
          ScreeningOn(c);
          c.screening.surge_open_cases = 2;
          c.screening.surge_check_seconds = 0;
          // Surge never lowers hold below flag: threat flags from 0.5 here.
          c.screening.thresholds["threat"] = Config::ScreeningThresholds{0.5, 0.88, 0.95};
        }) {}
  void SetUp() override {
    std::ofstream(RulesPath(), std::ios::trunc) << RulesText("it.1");
    ModerationTest::SetUp();
  }
};

TEST_F(SurgeTest, ABacklogLowersTheHoldThresholdUntilItRecovers) {
  // Weight 0.65: below the hold threshold 0.88, so flagged.
  auto calm = server.Post("/api/v1/statuses", R"({"status":"surgeword one"})", author.token);
  ASSERT_EQ(calm.status, 200) << calm.body;
  EXPECT_FALSE(calm.json().as_object().contains("held"));
  auto state = server.Get("/api/v1/admin/screening", mod.token).json();
  EXPECT_FALSE(state.as_object().at("surge").as_object().at("active").as_bool());
  EXPECT_NE(server.Get("/metrics").body.find("stoa_screening_surge 0"), std::string::npos);

  // Two open cases: surge. The hold threshold is 0.58, and the same rule holds.
  auto second = server.Post("/api/v1/statuses", R"({"status":"flagword two"})", author.token);
  ASSERT_EQ(second.status, 200) << second.body;
  state = server.Get("/api/v1/admin/screening", mod.token).json();
  EXPECT_TRUE(state.as_object().at("surge").as_object().at("active").as_bool());
  EXPECT_EQ(state.as_object().at("surge").as_object().at("open_cases").to_number<int64_t>(), 2);
  EXPECT_NE(server.Get("/metrics").body.find("stoa_screening_surge 1"), std::string::npos);
  auto surged = server.Post("/api/v1/statuses", R"({"status":"surgeword three"})", author.token);
  ASSERT_EQ(surged.status, 200) << surged.body;
  EXPECT_TRUE(surged.json().as_object().at("held").as_bool());
  auto test = server.Post("/api/v1/admin/screening/test", R"({"text":"surgeword"})", mod.token);
  EXPECT_EQ(Str(test.json(), "verdict"), "hold");
  EXPECT_TRUE(test.json().as_object().at("surge").as_bool());

  // Moderators decide two cases: the backlog recovers and surge mode ends by itself.
  for (int i = 0; i < 2; ++i) {
    Claimed c = Claim(mod);
    auto d = Decide(mod, c, R"("action":"no_action")");
    ASSERT_EQ(d.status, 200) << d.body;
  }
  state = server.Get("/api/v1/admin/screening", mod.token).json();
  EXPECT_FALSE(state.as_object().at("surge").as_object().at("active").as_bool());
  auto calm_again = server.Post("/api/v1/statuses", R"({"status":"surgeword four"})", author.token);
  ASSERT_EQ(calm_again.status, 200) << calm_again.body;
  EXPECT_FALSE(calm_again.json().as_object().contains("held"));
}

// A model whose thresholds were tuned by cross-validation brings its own scale: a score far below
// the configuration's flag threshold (0.85 here) flags the post when it reaches the model's.
constexpr std::string_view kTunedProbe = "smash the garden tea";

// Trains a small model once, gives it tuned thresholds just under the probe's score (as if
// cross-validation had chosen them) and writes it; the probe's score is returned in `probe_score`.
std::string TunedModelPath(float* probe_score) {
  static float score = 0;
  static const std::string path = [] {
    std::vector<screen::LabelledText> examples;
    for (int copy = 0; copy < 3; ++copy) {
      for (const char* t :
           {"smash them crush them", "destroy their homes now", "crush the enemy"}) {
        examples.push_back({t, "attack"});
      }
      for (const char* t : {"lovely tea in the garden", "we read a quiet book", "sunny park day",
                            "the garden flowers bloom", "tea and cake together"}) {
        examples.push_back({t, "calm"});
      }
    }
    screen::TrainingOptions options;
    options.negative_labels = {"calm"};
    options.parameters.threads = 1;
    options.parameters.seed = 5;
    options.parameters.epoch = 20;
    options.parameters.bucket = 10000;
    auto file = screen::TrainClassifier(examples, options);
    EXPECT_TRUE(file.ok()) << file.status().message();
    auto model = screen::Classifier::FromFile(*file);
    EXPECT_TRUE(model.ok());
    score = (*model)->Predict(screen::NormalizeForClassifier(kTunedProbe)).Max();
    screen::ClassifierMetadata metadata = file->metadata;
    metadata.flag_threshold = score * 0.9f;
    metadata.hold_threshold = 0.99f;
    metadata.tuning = {3, 0.85, 0.5, {0.2, 0.9, 0.3}, {0.6, 0.4, 0.02}};
    auto tuned = screen::MakeClassifierFile(metadata, file->model_bytes);
    EXPECT_TRUE(tuned.ok()) << tuned.status().message();
    const std::string out =
        ::testing::TempDir() + "/stoa-tuned-" + std::to_string(::getpid()) + ".model";
    EXPECT_TRUE(screen::WriteClassifierFile(out, *tuned).ok());
    return out;
  }();
  if (probe_score != nullptr) *probe_score = score;
  return path;
}

class TunedModelTest : public ScreeningTest {
 protected:
  TunedModelTest()
      : ScreeningTest([](Config& c) { c.screening.model = TunedModelPath(nullptr); }) {}
};

TEST_F(TunedModelTest, TheModelsTunedThresholdsDecideTheClassifierSignal) {
  float score = 0;
  TunedModelPath(&score);
  // The probe is far below the configuration's flag threshold, and above 0.
  ASSERT_GT(score, 0.001f);
  ASSERT_LT(score, 0.85f * 0.9f);

  auto state = server.Get("/api/v1/admin/screening", mod.token);
  ASSERT_EQ(state.status, 200) << state.body;
  const boost::json::value body = state.json();
  const auto& model = body.as_object().at("model").as_object();
  EXPECT_EQ(Str(model, "thresholds"), "tuned");
  EXPECT_NEAR(model.at("flag_threshold").to_number<double>(), score * 0.9, 1e-6);
  const auto& tuning = model.at("tuning").as_object();
  EXPECT_EQ(tuning.at("folds").to_number<int64_t>(), 3);
  EXPECT_DOUBLE_EQ(tuning.at("average_precision").to_number<double>(), 0.5);
  EXPECT_DOUBLE_EQ(tuning.at("flag").as_object().at("share").to_number<double>(), 0.3);

  auto probe = server.Post("/api/v1/admin/screening/test",
                           R"({"text":)" + JsonString(std::string(kTunedProbe)) + "}", mod.token);
  ASSERT_EQ(probe.status, 200) << probe.body;
  EXPECT_EQ(Str(probe.json(), "verdict"), "publish_and_flag") << probe.body;
  // Posted, it opens a case like any flag.
  auto posted =
      server.Post("/api/v1/statuses", R"({"status":)" + JsonString(std::string(kTunedProbe)) + "}",
                  author.token);
  ASSERT_EQ(posted.status, 200) << posted.body;
  CaseAbout(Str(posted.json(), "id"));
}

}  // namespace
}  // namespace stoa::testing
