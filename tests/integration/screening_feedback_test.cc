// Screening's feedback (docs/screening.md, "Feedback"), over HTTP and through the real binary:
// `stoa export-labels` writes every decided status case as labelled CSV that `stoa train` reads
// (the upheld category, or `nothing` when dismissed), and GET /api/v1/admin/screening/rules lists
// each rule's hits, the decisions on the cases they opened and its precision (moderators and up).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "common/csv.h"
#include "tests/integration/moderation_fixture.h"
#include "tests/integration/run_stoa.h"
#include "tests/integration/screening_fixture.h"

namespace stoa::testing {
namespace {

namespace fs = std::filesystem;

std::string FeedbackRulesPath() {
  static const std::string path =
      WriteRulesFile("stoa-screening-feedback",
                     RulesFileText("fb.1", {WordRule("spam", "flagword", "0.3", "publish_and_flag"),
                                            WordRule("threat", "holdword", "0.9", "hold"),
                                            WordRule("violence", "quietword", "0.9", "hold")}));
  return path;
}

void ScreeningOn(Config& c) {
  // Only the rules decide here: the classifier flags only when very sure.
  EnableScreening(c, FeedbackRulesPath(), {0.85, 0.88, 0.95});
}

std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  CsvReader reader(in, CsvOptions{','});
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  while (true) {
    auto more = reader.Next(row);
    EXPECT_TRUE(more.ok()) << more.status().message();
    if (!more.ok() || !*more) break;
    rows.push_back(row);
  }
  return rows;
}

class ScreeningFeedbackTest : public ModerationTest {
 protected:
  ScreeningFeedbackTest() : ModerationTest(ScreeningOn) {}

  // Posts `text` (which screening holds or flags), claims its case and decides with `fields`.
  std::string PostAndDecide(const std::string& text, const std::string& fields) {
    const std::string id = PostStatus(author, text).id;
    Claimed claimed = Claim(mod);
    EXPECT_FALSE(claimed.id.empty());
    auto d = Decide(mod, claimed, fields);
    EXPECT_EQ(d.status, 200) << d.body;
    return id;
  }

  std::map<std::string, json::value> RulesReport() {
    auto r = server.Get("/api/v1/admin/screening/rules", mod.token);
    EXPECT_EQ(r.status, 200) << r.body;
    std::map<std::string, json::value> out;
    if (r.status != 200) return out;
    const json::value body = r.json();
    EXPECT_EQ(Str(body, "rules_version"), "fb.1");
    for (const auto& rule : body.as_object().at("rules").as_array()) {
      out[Str(rule, "name")] = rule;
    }
    return out;
  }

  static constexpr const char* kRemove =
      R"("action":"remove_status","ground":"illegal","legal_provision":"StGB 241")";
};

int64_t Int(const json::value& v, const char* key) {
  return v.as_object().at(key).to_number<int64_t>();
}

TEST_F(ScreeningFeedbackTest, ExportLabelsWritesEveryDecidedCaseAsTrainingData) {
  const std::string upheld = PostAndDecide("holdword at the harbour", kRemove);
  const std::string dismissed = PostAndDecide("holdword, said the sailor", R"("action":"no_action")");
  // An open case (not decided) is not exported; neither is a harmless post.
  const std::string open = PostStatus(author, "quietword in the hall").id;
  PostStatus(author, "Lovely weather today");

  const std::string out = server.data_dir() + "/labels.csv";
  auto r = RunStoa("export-labels --data " + server.data_dir() + " --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("wrote 2 decided cases"), std::string::npos) << r.output;
  const auto rows = ReadCsv(out);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"text", "label", "case_id", "status_id", "action"}));
  std::map<std::string, std::vector<std::string>> by_status;
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 5u);
    by_status[rows[i][3]] = rows[i];
  }
  ASSERT_TRUE(by_status.count(upheld));
  EXPECT_EQ(by_status[upheld][0], "holdword at the harbour");
  EXPECT_EQ(by_status[upheld][1], "threat");  // the screening category the decision upheld
  EXPECT_EQ(by_status[upheld][4], "remove_status");
  ASSERT_TRUE(by_status.count(dismissed));
  EXPECT_EQ(by_status[dismissed][0], "holdword, said the sailor");
  EXPECT_EQ(by_status[dismissed][1], "nothing");
  EXPECT_EQ(by_status[dismissed][4], "no_action");
  EXPECT_FALSE(by_status.count(open));

  // The file is the input of `stoa train` as it is.
  const std::string model = server.data_dir() + "/feedback.model";
  auto trained = RunStoa("train --data " + out + " --text-column text --label-column label "
                         "--out " + model + " --epoch 2 --dim 8 --bucket 1000 --threads 1");
  EXPECT_EQ(trained.exit_code, 0) << trained.output;
  EXPECT_NE(trained.output.find("trained on 2 examples"), std::string::npos) << trained.output;
}

TEST_F(ScreeningFeedbackTest, ExportLabelsArgumentErrors) {
  auto missing_out = RunStoa("export-labels --data " + server.data_dir());
  EXPECT_EQ(missing_out.exit_code, 2) << missing_out.output;
  const std::string empty_dir = server.data_dir() + "/nothing-here";
  fs::create_directories(empty_dir);
  auto no_db = RunStoa("export-labels --data " + empty_dir + " --out " + empty_dir + "/x.csv");
  EXPECT_EQ(no_db.exit_code, 2) << no_db.output;
  EXPECT_FALSE(fs::exists(empty_dir + "/x.csv"));
  auto unwritable = RunStoa("export-labels --data " + server.data_dir() +
                            " --out /nonexistent-dir/labels.csv");
  EXPECT_EQ(unwritable.exit_code, 1) << unwritable.output;
}

TEST_F(ScreeningFeedbackTest, RulesReportCountsHitsDecisionsAndPrecision) {
  PostAndDecide("holdword one", kRemove);
  PostAndDecide("holdword two", kRemove);
  PostAndDecide("holdword three", R"("action":"no_action")");
  PostStatus(author, "flagword here");  // flagged, its case still open
  PostStatus(author, "flagword there");

  auto report = RulesReport();
  ASSERT_EQ(report.size(), 3u);
  const json::value& hold = report["any.threat.holdword"];
  EXPECT_EQ(Str(hold, "category"), "threat");
  EXPECT_EQ(Int(hold, "hits"), 3);
  EXPECT_EQ(Int(hold, "upheld"), 2);
  EXPECT_EQ(Int(hold, "dismissed"), 1);
  EXPECT_NEAR(hold.as_object().at("precision").to_number<double>(), 2.0 / 3.0, 1e-9);
  const json::value& flag = report["any.spam.flagword"];
  EXPECT_EQ(Str(flag, "category"), "spam");
  EXPECT_EQ(Int(flag, "hits"), 2);
  EXPECT_EQ(Int(flag, "upheld"), 0);
  EXPECT_EQ(Int(flag, "dismissed"), 0);
  EXPECT_TRUE(flag.as_object().at("precision").is_null());
  const json::value& quiet = report["any.violence.quietword"];
  EXPECT_EQ(Int(quiet, "hits"), 0);
  EXPECT_TRUE(quiet.as_object().at("precision").is_null());
}

TEST_F(ScreeningFeedbackTest, RulesReportIsForModeratorsAndUp) {
  EXPECT_EQ(server.Get("/api/v1/admin/screening/rules").status, 401);
  auto member = server.Get("/api/v1/admin/screening/rules", author.token);
  EXPECT_EQ(member.status, 403) << member.body;
  EXPECT_NE(member.body.find("\"error\""), std::string::npos);
  EXPECT_EQ(server.Get("/api/v1/admin/screening/rules", admin.token).status, 200);
}

}  // namespace
}  // namespace stoa::testing
