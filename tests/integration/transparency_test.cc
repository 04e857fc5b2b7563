// The transparency report over HTTP (JSON and CSV), the statements-of-reasons export in the DSA
// Transparency Database shape (every field checked against reference/compliance.md section 2),
// and the trust-and-safety series on /metrics, after a real notice -> case -> decision -> appeal
// flow with a fake clock.
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "common/time_format.h"
#include "tests/integration/moderation_fixture.h"
#include "tests/integration/run_stoa.h"

namespace stoa::testing {
namespace {

int64_t Int(const json::value& v, std::initializer_list<const char*> path) {
  const json::value* cur = &v;
  for (const char* key : path) cur = &cur->as_object().at(key);
  return cur->is_null() ? -1 : cur->to_number<int64_t>();
}

int64_t CountIn(const json::value& v, const char* section, const char* map, const char* key) {
  const auto& m = v.as_object().at(section).as_object().at(map).as_object();
  auto it = m.find(key);
  return it == m.end() ? 0 : it->value().to_number<int64_t>();
}

// The Transparency Database's statement fields and enumerations (compliance.md section 2.2, 2.4,
// 2.5: the schema of 1 Jul 2025).
struct TdbSchema {
  std::set<std::string> fields = {
      "decision_visibility", "decision_visibility_other", "decision_monetary",
      "decision_monetary_other", "decision_provision", "decision_account", "account_type",
      "decision_ground", "decision_ground_reference_url", "illegal_content_legal_ground",
      "illegal_content_explanation", "incompatible_content_ground",
      "incompatible_content_explanation", "incompatible_content_illegal", "content_type",
      "content_type_other", "category", "category_addition", "category_specification",
      "category_specification_other", "territorial_scope", "content_language", "content_date",
      "application_date", "end_date_visibility_restriction", "end_date_monetary_restriction",
      "end_date_service_restriction", "end_date_account_restriction", "decision_facts",
      "source_type", "source_identity", "automated_detection", "automated_decision", "puid",
      "content_id"};
  std::set<std::string> required = {"decision_ground", "content_type", "category", "content_date",
                                    "application_date", "decision_facts", "source_type",
                                    "automated_detection", "automated_decision", "puid"};
  std::map<std::string, std::set<std::string>> enums = {
      {"decision_visibility",
       {"DECISION_VISIBILITY_CONTENT_REMOVED", "DECISION_VISIBILITY_CONTENT_DISABLED",
        "DECISION_VISIBILITY_CONTENT_DEMOTED", "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
        "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
        "DECISION_VISIBILITY_CONTENT_LABELLED", "DECISION_VISIBILITY_OTHER"}},
      {"decision_monetary",
       {"DECISION_MONETARY_SUSPENSION", "DECISION_MONETARY_TERMINATION", "DECISION_MONETARY_OTHER"}},
      {"decision_provision",
       {"DECISION_PROVISION_PARTIAL_SUSPENSION", "DECISION_PROVISION_TOTAL_SUSPENSION",
        "DECISION_PROVISION_PARTIAL_TERMINATION", "DECISION_PROVISION_TOTAL_TERMINATION"}},
      {"decision_account", {"DECISION_ACCOUNT_SUSPENDED", "DECISION_ACCOUNT_TERMINATED"}},
      {"account_type", {"ACCOUNT_TYPE_BUSINESS", "ACCOUNT_TYPE_PRIVATE"}},
      {"decision_ground", {"DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT"}},
      {"incompatible_content_illegal", {"Yes", "No"}},
      {"content_type",
       {"CONTENT_TYPE_APP", "CONTENT_TYPE_AUDIO", "CONTENT_TYPE_IMAGE", "CONTENT_TYPE_PRODUCT",
        "CONTENT_TYPE_SYNTHETIC_MEDIA", "CONTENT_TYPE_TEXT", "CONTENT_TYPE_VIDEO",
        "CONTENT_TYPE_OTHER"}},
      {"category",
       {"STATEMENT_CATEGORY_ANIMAL_WELFARE", "STATEMENT_CATEGORY_CONSUMER_INFORMATION",
        "STATEMENT_CATEGORY_CYBER_VIOLENCE", "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
        "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
        "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
        "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
        "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
        "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE", "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
        "STATEMENT_CATEGORY_PROTECTION_OF_MINORS", "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
        "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", "STATEMENT_CATEGORY_SELF_HARM",
        "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS", "STATEMENT_CATEGORY_VIOLENCE"}},
      {"territorial_scope",
       {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
        "IS", "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK"}},
      {"source_type",
       {"SOURCE_ARTICLE_16", "SOURCE_TRUSTED_FLAGGER", "SOURCE_TYPE_OTHER_NOTIFICATION",
        "SOURCE_VOLUNTARY"}},
      {"automated_detection", {"Yes", "No"}},
      {"automated_decision",
       {"AUTOMATED_DECISION_FULLY", "AUTOMATED_DECISION_PARTIALLY",
        "AUTOMATED_DECISION_NOT_AUTOMATED"}},
  };
  std::set<std::string> dates = {"content_date", "application_date",
                                 "end_date_visibility_restriction", "end_date_monetary_restriction",
                                 "end_date_service_restriction", "end_date_account_restriction"};
  std::map<std::string, size_t> max_length = {
      {"decision_visibility_other", 500}, {"decision_monetary_other", 500},
      {"decision_ground_reference_url", 500}, {"illegal_content_legal_ground", 500},
      {"illegal_content_explanation", 2000}, {"incompatible_content_ground", 500},
      {"incompatible_content_explanation", 2000}, {"content_type_other", 500},
      {"category_specification_other", 500}, {"decision_facts", 5000},
      {"source_identity", 500}, {"puid", 500}};
};

// Every problem of one exported statement, as readable lines ("" when it is valid).
std::string ValidateStatement(const json::object& s, const TdbSchema& schema) {
  std::ostringstream problems;
  static const std::regex kDate(R"(^\d{4}-\d{2}-\d{2}$)");
  static const std::regex kPuid(R"(^[a-zA-Z0-9\-_]+$)");
  static const std::regex kLanguage(R"(^[A-Z]{2}$)");
  for (const auto& [key, value] : s) {
    const std::string k(key);
    if (!schema.fields.count(k)) problems << "unknown field " << k << "\n";
    auto e = schema.enums.find(k);
    if (e != schema.enums.end()) {
      std::vector<std::string> values;
      if (value.is_array()) {
        for (const auto& v : value.as_array()) values.emplace_back(v.as_string());
        if (values.empty() && k != "territorial_scope") problems << k << " is an empty array\n";
      } else if (value.is_string()) {
        values.emplace_back(value.as_string());
      } else {
        problems << k << " is neither a string nor an array\n";
      }
      for (const auto& v : values) {
        if (!e->second.count(v)) problems << k << " has the value " << v << "\n";
      }
    }
    if (schema.dates.count(k)) {
      const std::string d(value.as_string());
      if (!std::regex_match(d, kDate) || d > "2038-01-01") problems << k << " = " << d << "\n";
    }
    auto m = schema.max_length.find(k);
    if (m != schema.max_length.end() && value.as_string().size() > m->second) {
      problems << k << " is longer than " << m->second << "\n";
    }
  }
  for (const auto& k : schema.required) {
    if (!s.contains(k)) problems << "missing " << k << "\n";
  }
  const bool any_decision = s.contains("decision_visibility") || s.contains("decision_monetary") ||
                            s.contains("decision_provision") || s.contains("decision_account");
  if (!any_decision) problems << "none of the decision_* fields\n";
  if (s.contains("puid") && !std::regex_match(std::string(s.at("puid").as_string()), kPuid)) {
    problems << "puid has characters outside [a-zA-Z0-9-_]\n";
  }
  if (s.contains("content_language") &&
      !std::regex_match(std::string(s.at("content_language").as_string()), kLanguage)) {
    problems << "content_language is not upper-case ISO 639-1\n";
  }
  if (s.contains("decision_ground")) {
    const std::string g(s.at("decision_ground").as_string());
    if (g == "DECISION_GROUND_ILLEGAL_CONTENT" &&
        (!s.contains("illegal_content_legal_ground") || !s.contains("illegal_content_explanation"))) {
      problems << "illegal content without its legal ground and explanation\n";
    }
    if (g == "DECISION_GROUND_INCOMPATIBLE_CONTENT" &&
        (!s.contains("incompatible_content_ground") ||
         !s.contains("incompatible_content_explanation"))) {
      problems << "incompatible content without its ground and explanation\n";
    }
  }
  return problems.str();
}

class TransparencyTest : public ModerationTest {
 protected:
  std::string Period() const { return "from=2025-12-01&to=2026-02-01"; }

  json::value GetReport(const std::string& query) {
    auto r = server.Get("/api/v1/transparency?" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }

  void Notice(const std::string& url) {
    auto r = server.Post("/api/v1/notices",
                         R"({"explanation":"This calls for violence","locations":[)" +
                             JsonString(url) +
                             R"(],"category":"STATEMENT_CATEGORY_VIOLENCE","good_faith":true})");
    ASSERT_EQ(r.status, 200) << r.body;
  }

  std::string HeadHash() {
    auto read = server.app().storage().Read();
    auto head = read->audit().Head();
    return head ? head->hash : std::string(kAuditGenesisHash);
  }
};

TEST_F(TransparencyTest, EmptyPeriodIsAllZerosWithTheAuditHead) {
  const json::value r = GetReport(Period());
  EXPECT_EQ(Int(r, {"notices", "total"}), 0);
  EXPECT_EQ(Int(r, {"actions", "total"}), 0);
  EXPECT_EQ(Int(r, {"backlog", "open_cases"}), 0);
  EXPECT_EQ(Int(r, {"time_to_action", "median_seconds"}), -1);  // null
  EXPECT_EQ(Int(r, {"appeals", "total"}), 0);
  EXPECT_EQ(r.at("audit_log").at("head_hash").as_string(), HeadHash());
  EXPECT_EQ(r.at("from").as_string(), "2025-12-01T00:00:00.000Z");
}

TEST_F(TransparencyTest, CountsTheFlowAndExportsValidStatements) {
  const Posted a = PostStatus(author, "first threat");
  const Posted b = PostStatus(author, "second post");
  const Posted c = PostStatus(author, "third post");
  Report(reporter, a.id);
  Notice(a.url);  // merges into the same case as the report
  Report(reporter, b.id);
  Report(stranger, c.id);
  const Timestamp t0 = clock.Now();

  // Case 1 (status a) decided after 2 hours, case 2 (status b) after 30 hours; c stays open.
  clock.Advance(std::chrono::hours(2));
  auto first = Claim(mod);
  ASSERT_FALSE(first.id.empty());
  auto removed = Decide(mod, first,
                        R"("action":"remove_status","ground":"illegal","legal_provision":"§ 241 StGB")");
  ASSERT_EQ(removed.status, 200) << removed.body;
  const std::string decision_id = Str(removed.json(), "id");
  clock.Advance(std::chrono::hours(28));
  auto second = Claim(mod);
  ASSERT_FALSE(second.id.empty());
  auto dismissed = Decide(mod, second, R"("action":"no_action")");
  ASSERT_EQ(dismissed.status, 200) << dismissed.body;
  auto deadline_of = [](const Claimed& c) {
    return *ParseIso8601(std::string(c.body.as_object().at("deadline_at").as_string()));
  };
  const int expected_late = (t0 + std::chrono::hours(2) > deadline_of(first) ? 1 : 0) +
                            (t0 + std::chrono::hours(30) > deadline_of(second) ? 1 : 0);

  // The author appeals the removal; a second moderator reverses it an hour later.
  auto appeal = server.Post("/api/v1/appeals",
                            R"({"decision_id":")" + decision_id + R"(","text":"It was a quote"})",
                            author.token);
  ASSERT_EQ(appeal.status, 200) << appeal.body;
  clock.Advance(std::chrono::hours(1));
  // The open notice case may come first in the queue: mod2 keeps it (still open) and claims on.
  auto appeal_case = Claim(mod2);
  if (Str(appeal_case.body, "appeal_of").empty()) appeal_case = Claim(mod2);
  ASSERT_EQ(Str(appeal_case.body, "appeal_of"), decision_id);
  ASSERT_EQ(Decide(mod2, appeal_case, R"("action":"reverse")").status, 200);

  const json::value r = GetReport(Period());
  EXPECT_EQ(Int(r, {"notices", "total"}), 4);
  EXPECT_EQ(CountIn(r, "notices", "by_source", "member"), 3);
  EXPECT_EQ(CountIn(r, "notices", "by_source", "anonymous"), 1);
  EXPECT_EQ(CountIn(r, "notices", "by_category", "STATEMENT_CATEGORY_VIOLENCE"), 1);
  int64_t by_category = 0;
  for (const auto& [k, v] : r.at("notices").at("by_category").as_object()) by_category += v.to_number<int64_t>();
  EXPECT_EQ(by_category, 4);
  EXPECT_EQ(Int(r, {"notices", "from_trusted_flaggers"}), 0);
  EXPECT_EQ(Int(r, {"actions", "total"}), 2);  // the reversal is counted under appeals
  EXPECT_EQ(CountIn(r, "actions", "by_type", "remove_status"), 1);
  EXPECT_EQ(CountIn(r, "actions", "by_type", "no_action"), 1);
  EXPECT_EQ(CountIn(r, "actions", "by_ground", "illegal"), 1);
  EXPECT_EQ(CountIn(r, "actions", "by_ground", "none"), 1);
  EXPECT_EQ(CountIn(r, "actions", "by_type_and_ground", "remove_status/illegal"), 1);
  EXPECT_EQ(CountIn(r, "actions", "by_automation", "not_automated"), 2);
  EXPECT_EQ(Int(r, {"actions", "human"}), 2);
  EXPECT_EQ(Int(r, {"time_to_action", "median_seconds"}), (2 + 30) * 3600 / 2);
  EXPECT_EQ(Int(r, {"time_to_action", "buckets", "within_24h"}), 1);
  EXPECT_EQ(Int(r, {"time_to_action", "buckets", "within_48h"}), 1);
  EXPECT_EQ(Int(r, {"time_to_action", "buckets", "within_7d"}), 0);
  EXPECT_EQ(Int(r, {"time_to_action", "buckets", "later"}), 0);
  EXPECT_EQ(Int(r, {"deadline_breaches", "decided_late"}), expected_late);
  EXPECT_EQ(Int(r, {"backlog", "open_cases"}), 1);
  EXPECT_EQ(Int(r, {"backlog", "age_seconds", "max"}), 31 * 3600);
  EXPECT_EQ(Int(r, {"backlog", "age_seconds", "p50"}), 31 * 3600);
  EXPECT_EQ(Int(r, {"appeals", "total"}), 1);
  EXPECT_EQ(Int(r, {"appeals", "reversed"}), 1);
  EXPECT_EQ(Int(r, {"appeals", "decided"}), 1);
  EXPECT_EQ(Int(r, {"appeals", "median_decision_seconds"}), 3600);
  EXPECT_EQ(Int(r, {"art23_suspensions", "accounts"}), 0);
  const std::string head = HeadHash();
  EXPECT_NE(head, std::string(kAuditGenesisHash));  // the decisions were audited
  EXPECT_EQ(r.at("audit_log").at("head_hash").as_string(), head);

  // A period before anything happened counts nothing (the backlog is "now" whatever the period).
  const json::value before = GetReport("from=2025-01-01&to=2025-06-01");
  EXPECT_EQ(Int(before, {"notices", "total"}), 0);
  EXPECT_EQ(Int(before, {"actions", "total"}), 0);
  EXPECT_EQ(Int(before, {"backlog", "open_cases"}), 1);

  // CSV, by parameter and by Accept.
  auto csv = server.Get("/api/v1/transparency?" + Period() + "&format=csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body.rfind("section,key,value\n", 0), 0u);
  for (const std::string& line : std::vector<std::string>{"notices,total,4\n", "notices_by_source,member,3\n", "actions_by_type,remove_status,1\n",
        "time_to_action,within_48h,1\n", "appeals,reversed,1\n", "backlog,open_cases,1\n",
        "audit_log,head_hash," + head + "\n"}) {
    EXPECT_NE(csv.body.find(line), std::string::npos) << line;
  }
  auto accept = server.Send("GET", "/api/v1/transparency?" + Period(), "", {{"Accept", "text/csv"}});
  EXPECT_EQ(accept.status, 200);
  EXPECT_EQ(accept.body, csv.body);

  // The export: every statement of reasons of the period, valid against the Transparency
  // Database schema, with no personal data.
  const std::string out = server.data_dir() + "/sor.json";
  const CommandResult exported_run = RunStoa("transparency export --data " + server.data_dir() +
                                             " --from 2025-12-01 --to 2026-02-01 --out " + out);
  ASSERT_EQ(exported_run.exit_code, 0) << exported_run.output;
  std::ifstream file(out);
  std::stringstream text;
  text << file.rdbuf();
  const json::value exported = json::parse(text.str());
  ASSERT_TRUE(exported.is_array());
  // The removal owes a statement; whether no_action and the reversal do is the decision
  // service's rule, and every one exported must be valid.
  ASSERT_GE(exported.as_array().size(), 1u) << text.str();
  const TdbSchema schema;
  std::set<std::string> puids;
  bool saw_removal = false;
  for (const auto& s : exported.as_array()) {
    const auto& o = s.as_object();
    EXPECT_EQ(ValidateStatement(o, schema), "") << json::serialize(s);
    EXPECT_TRUE(puids.insert(std::string(o.at("puid").as_string())).second) << "puid reused";
    if (o.contains("decision_visibility")) {
      for (const auto& v : o.at("decision_visibility").as_array()) {
        if (v.as_string() == "DECISION_VISIBILITY_CONTENT_REMOVED") saw_removal = true;
      }
    }
  }
  EXPECT_TRUE(saw_removal) << text.str();
  for (const std::string& personal : std::vector<std::string>{author.username, reporter.username, stranger.username,
                                     author.username + "@example.org", IdToString(author.id),
                                     "reporter@example.org"}) {
    EXPECT_EQ(text.str().find(personal), std::string::npos) << "personal data: " << personal;
  }
  // An empty period exports an empty array; bad arguments exit 2 and write nothing.
  const std::string empty = server.data_dir() + "/empty.json";
  const CommandResult empty_run = RunStoa("transparency export --data " + server.data_dir() +
                                          " --from 2025-01-01 --to 2025-02-01 --out " + empty);
  ASSERT_EQ(empty_run.exit_code, 0) << empty_run.output;
  std::ifstream empty_file(empty);
  std::string empty_text((std::istreambuf_iterator<char>(empty_file)), {});
  EXPECT_EQ(empty_text, "[]\n");
  for (const std::string bad :
       {"--from 2026-02-01 --to 2026-01-01", "--from yesterday --to 2026-01-01", "--from 2026-01-01"}) {
    const CommandResult refused = RunStoa("transparency export --data " + server.data_dir() + " " +
                                          bad + " --out " + server.data_dir() + "/bad.json");
    EXPECT_EQ(refused.exit_code, 2) << bad << ": " << refused.output;
  }
  EXPECT_FALSE(std::ifstream(server.data_dir() + "/bad.json").good());

  // /metrics (the snapshot is at most 10 s old: move the clock past it).
  clock.Advance(std::chrono::seconds(11));
  auto metrics = server.Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  for (const std::string line :
       {"stoa_notices_total 4\n", "stoa_cases_open 1\n",
        "stoa_case_time_to_action_seconds_count 2\n",
        "stoa_case_time_to_action_seconds_bucket{le=\"3600\"} 0\n",
        "stoa_case_time_to_action_seconds_bucket{le=\"86400\"} 1\n",
        "stoa_case_time_to_action_seconds_bucket{le=\"172800\"} 2\n",
        "stoa_case_time_to_action_seconds_bucket{le=\"+Inf\"} 2\n",
        "# TYPE stoa_case_time_to_action_seconds histogram\n",
        "stoa_case_oldest_open_age_seconds 111611\n"}) {
    EXPECT_NE(metrics.body.find(line), std::string::npos) << line << "\n" << metrics.body;
  }
  EXPECT_NE(metrics.body.find("stoa_cases_open{category=\"STATEMENT_CATEGORY_VIOLENCE\"} 0\n"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("stoa_case_deadline_breaches_total "), std::string::npos);
}

TEST_F(TransparencyTest, BadPeriodsAndFormatsAre422) {
  for (const std::string query :
       {"from=yesterday", "to=2026-13-45", "from=2026-02-01&to=2026-01-01",
        "from=2026-01-01&to=2026-01-01", "format=xml"}) {
    auto r = server.Get("/api/v1/transparency?" + query);
    EXPECT_EQ(r.status, 422) << query << ": " << r.body;
    EXPECT_FALSE(r.error().empty()) << query;
  }
}

}  // namespace
}  // namespace stoa::testing
