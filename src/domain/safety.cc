// Names and parsing of the trust and safety enums; the snapshot's canonical bytes.
#include "domain/safety.h"

#include <array>

namespace stoa {
namespace {

struct CategoryEntry {
  Category category;
  std::string_view name;
};

constexpr std::array<CategoryEntry, 16> kCategories = {{
    {Category::kAnimalWelfare, "STATEMENT_CATEGORY_ANIMAL_WELFARE"},
    {Category::kConsumerInformation, "STATEMENT_CATEGORY_CONSUMER_INFORMATION"},
    {Category::kCyberViolence, "STATEMENT_CATEGORY_CYBER_VIOLENCE"},
    {Category::kCyberViolenceAgainstWomen, "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN"},
    {Category::kDataProtectionAndPrivacyViolations,
     "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS"},
    {Category::kIllegalOrHarmfulSpeech, "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"},
    {Category::kIntellectualPropertyInfringements,
     "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS"},
    {Category::kNegativeEffectsOnCivicDiscourseOrElections,
     "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS"},
    {Category::kNotSpecifiedNotice, "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE"},
    {Category::kOtherViolationTc, "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"},
    {Category::kProtectionOfMinors, "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"},
    {Category::kRiskForPublicSecurity, "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"},
    {Category::kScamsAndFraud, "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"},
    {Category::kSelfHarm, "STATEMENT_CATEGORY_SELF_HARM"},
    {Category::kUnsafeAndProhibitedProducts, "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS"},
    {Category::kViolence, "STATEMENT_CATEGORY_VIOLENCE"},
}};

constexpr std::array<Category, 16> kAllCategories = [] {
  std::array<Category, 16> out{};
  for (size_t i = 0; i < kCategories.size(); ++i) out[i] = kCategories[i].category;
  return out;
}();

void AppendNetstring(std::string& out, std::string_view value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += ',';
}

}  // namespace

std::string_view CategoryName(Category c) {
  for (const auto& e : kCategories) {
    if (e.category == c) return e.name;
  }
  return "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE";
}

std::optional<Category> ParseCategory(std::string_view name) {
  for (const auto& e : kCategories) {
    if (e.name == name) return e.category;
  }
  return std::nullopt;
}

std::span<const Category> AllCategories() { return kAllCategories; }

std::string_view NoticeSourceName(NoticeSource s) {
  switch (s) {
    case NoticeSource::kMember: return "member";
    case NoticeSource::kAnonymous: return "anonymous";
    case NoticeSource::kTrustedFlagger: return "trusted_flagger";
    case NoticeSource::kAuthority: return "authority";
    case NoticeSource::kHost: return "host";
    case NoticeSource::kAutomated: return "automated";
  }
  return "anonymous";
}

std::optional<NoticeSource> ParseNoticeSource(std::string_view name) {
  for (NoticeSource s : {NoticeSource::kMember, NoticeSource::kAnonymous,
                         NoticeSource::kTrustedFlagger, NoticeSource::kAuthority,
                         NoticeSource::kHost, NoticeSource::kAutomated}) {
    if (NoticeSourceName(s) == name) return s;
  }
  return std::nullopt;
}

std::string_view ReportCategoryName(ReportCategory c) {
  switch (c) {
    case ReportCategory::kSpam: return "spam";
    case ReportCategory::kLegal: return "legal";
    case ReportCategory::kViolation: return "violation";
    case ReportCategory::kOther: return "other";
  }
  return "other";
}

std::optional<ReportCategory> ParseReportCategory(std::string_view name) {
  for (ReportCategory c : {ReportCategory::kSpam, ReportCategory::kLegal,
                           ReportCategory::kViolation, ReportCategory::kOther}) {
    if (ReportCategoryName(c) == name) return c;
  }
  return std::nullopt;
}

std::string_view TargetTypeName(TargetType t) {
  return t == TargetType::kStatus ? "status" : "account";
}

std::optional<TargetType> ParseTargetType(std::string_view name) {
  if (name == "status") return TargetType::kStatus;
  if (name == "account") return TargetType::kAccount;
  return std::nullopt;
}

std::string_view CaseKindName(CaseKind k) { return k == CaseKind::kNotice ? "notice" : "appeal"; }

std::string_view CaseStateName(CaseState s) { return s == CaseState::kOpen ? "open" : "closed"; }

std::optional<CaseState> ParseCaseState(std::string_view name) {
  if (name == "open") return CaseState::kOpen;
  if (name == "closed") return CaseState::kClosed;
  return std::nullopt;
}

std::string SnapshotCanonicalBytes(const ContentSnapshot& s) {
  std::string out;
  AppendNetstring(out, TargetTypeName(s.target_type));
  AppendNetstring(out, std::to_string(s.target_id));
  AppendNetstring(out, std::to_string(s.author_id));
  AppendNetstring(out, s.text);
  AppendNetstring(out, s.spoiler_text);
  AppendNetstring(out, s.visibility ? VisibilityName(*s.visibility) : std::string_view());
  AppendNetstring(out, std::to_string(ToUnixMillis(s.content_created_at)));
  return out;
}

}  // namespace stoa
