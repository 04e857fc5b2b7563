// Decision value types: action and ground names, and the statement of reasons as the
// Transparency Database takes it (every field name and enumerated value from
// reference/compliance.md section 2.2; empty optional fields left out).
#include "domain/decision.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <set>

namespace stoa {
namespace {

TEST(DecisionTest, ActionNamesRoundTrip) {
  const std::pair<DecisionAction, const char*> names[] = {
      {DecisionAction::kNoAction, "no_action"},
      {DecisionAction::kMarkSensitive, "mark_sensitive"},
      {DecisionAction::kRestrictVisibility, "restrict_visibility"},
      {DecisionAction::kRemoveStatus, "remove_status"},
      {DecisionAction::kSilenceAccount, "silence_account"},
      {DecisionAction::kSuspendAccount, "suspend_account"},
      {DecisionAction::kDisableLogin, "disable_login"},
      {DecisionAction::kUphold, "uphold"},
      {DecisionAction::kReverse, "reverse"},
  };
  for (const auto& [action, name] : names) {
    EXPECT_EQ(DecisionActionName(action), name);
    EXPECT_EQ(ParseDecisionAction(name), action);
  }
  EXPECT_FALSE(ParseDecisionAction("delete").has_value());
  EXPECT_FALSE(ParseDecisionAction("").has_value());
  EXPECT_TRUE(IsStatusAction(DecisionAction::kRemoveStatus));
  EXPECT_FALSE(IsStatusAction(DecisionAction::kSuspendAccount));
  EXPECT_TRUE(IsAccountAction(DecisionAction::kDisableLogin));
  EXPECT_FALSE(IsRestrictive(DecisionAction::kNoAction));
  EXPECT_FALSE(IsRestrictive(DecisionAction::kUphold));
  EXPECT_TRUE(IsRestrictive(DecisionAction::kMarkSensitive));
  EXPECT_EQ(ParseDecisionGround(""), DecisionGround::kNone);
  EXPECT_EQ(ParseDecisionGround("illegal"), DecisionGround::kIllegal);
  EXPECT_EQ(ParseDecisionGround("terms"), DecisionGround::kTerms);
  EXPECT_FALSE(ParseDecisionGround("moral").has_value());
}

StatementOfReasons FullStatement() {
  StatementOfReasons s;
  s.puid = "example-org-sor-42";
  s.decision_visibility = {"DECISION_VISIBILITY_CONTENT_REMOVED"};
  s.decision_account = "DECISION_ACCOUNT_SUSPENDED";
  s.end_date_account_restriction = "2026-08-01";
  s.territorial_scope = {"DE", "AT"};
  s.decision_facts = "Reported via notice; reviewed by a moderator.";
  s.source_type = "SOURCE_ARTICLE_16";
  s.automated_detection = "No";
  s.automated_decision = "AUTOMATED_DECISION_NOT_AUTOMATED";
  s.decision_ground = "DECISION_GROUND_ILLEGAL_CONTENT";
  s.illegal_content_legal_ground = "§ 111 StGB";
  s.illegal_content_explanation = "Public call to commit violent offences.";
  s.category = "STATEMENT_CATEGORY_VIOLENCE";
  s.content_language = "DE";
  s.content_date = "2026-07-01";
  s.application_date = "2026-07-02";
  s.redress = "Appeal within 6 months.";
  s.account_id = 12345;
  return s;
}

TEST(DecisionTest, StatementHasOnlyTransparencyDatabaseFieldsAndValues) {
  const std::set<std::string> fields = {
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
  const std::set<std::string> required = {"decision_ground", "content_type", "category",
                                          "content_date", "application_date", "decision_facts",
                                          "source_type", "automated_detection",
                                          "automated_decision", "puid"};
  auto parsed = boost::json::parse(StatementTransparencyJson(FullStatement())).as_object();
  for (const auto& [key, value] : parsed) {
    EXPECT_TRUE(fields.count(std::string(key))) << "not a Transparency Database field: " << key;
  }
  for (const auto& key : required) EXPECT_TRUE(parsed.contains(key)) << key;
  EXPECT_TRUE(parsed.contains("decision_visibility"));
  EXPECT_EQ(parsed.at("automated_detection").as_string(), "No");
  EXPECT_EQ(parsed.at("content_type").as_array().at(0).as_string(), "CONTENT_TYPE_TEXT");
  // Personal data and the member-facing redress text are not sent.
  EXPECT_FALSE(parsed.contains("redress"));
  EXPECT_FALSE(parsed.contains("account_id"));
  // Empty optional fields are left out.
  EXPECT_FALSE(parsed.contains("incompatible_content_ground"));
  EXPECT_FALSE(parsed.contains("end_date_visibility_restriction"));
}

TEST(DecisionTest, SourceIdentityIsLeftOutForOwnInitiative) {
  StatementOfReasons s = FullStatement();
  s.source_type = "SOURCE_TRUSTED_FLAGGER";
  s.source_identity = "Flaggers e.V.";
  EXPECT_TRUE(boost::json::parse(StatementTransparencyJson(s)).as_object().contains("source_identity"));
  s.source_type = "SOURCE_VOLUNTARY";
  EXPECT_FALSE(
      boost::json::parse(StatementTransparencyJson(s)).as_object().contains("source_identity"));
}

}  // namespace
}  // namespace stoa
