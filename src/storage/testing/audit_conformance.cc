// The audit log store: append-only, chained entries, listed by filters and paged by id.
#include "storage/testing/conformance.h"

namespace stoa::storage::conformance {
namespace {

struct DraftSpec {
  Id actor;
  const char* action;
  const char* target_type;
  const char* target_id;
};

// A correctly chained entry after `head` (nullopt: the first entry).
AuditEntry Chained(const std::optional<AuditEntry>& head, Id id, Timestamp at,
                   const DraftSpec& spec) {
  AuditEntry e;
  e.seq = head ? head->seq + 1 : 1;
  e.id = id;
  e.created_at = at;
  e.actor_id = spec.actor;
  e.action = spec.action;
  e.target_type = spec.target_type;
  e.target_id = spec.target_id;
  e.ground = "terms";
  e.reasons = "Reasons for " + std::string(spec.action);
  e.details_json = R"({"n":1})";
  e.prev_hash = head ? head->hash : std::string(kAuditGenesisHash);
  e.hash = AuditEntryHash(e);
  return e;
}

std::vector<Id> EntryIds(const std::vector<AuditEntry>& entries) {
  std::vector<Id> out;
  for (const auto& e : entries) out.push_back(e.id);
  return out;
}

void ExpectSameEntry(const AuditEntry& got, const AuditEntry& want) {
  EXPECT_EQ(got.seq, want.seq);
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.actor_id, want.actor_id);
  EXPECT_EQ(got.action, want.action);
  EXPECT_EQ(got.target_type, want.target_type);
  EXPECT_EQ(got.target_id, want.target_id);
  EXPECT_EQ(got.ground, want.ground);
  EXPECT_EQ(got.reasons, want.reasons);
  EXPECT_EQ(got.details_json, want.details_json);
  EXPECT_EQ(got.prev_hash, want.prev_hash);
  EXPECT_EQ(got.hash, want.hash);
}

TEST_P(StorageConformanceTest, AuditEntriesRoundTripInSeqOrder) {
  EXPECT_FALSE(Read()->audit().Head().has_value());
  std::vector<AuditEntry> written;
  const DraftSpec specs[] = {{7, "case.claim", "case", "100"},
                             {kNoId, "screening.reload", "config", "screening"},
                             {8, "decision.create", "case", "100"}};
  for (const DraftSpec& spec : specs) {
    std::optional<AuditEntry> head;
    if (!written.empty()) head = written.back();
    const AuditEntry e = Chained(head, NextId(), Now(), spec);
    MustWrite([&](Transaction& tx) { return tx.audit().Append(e); });
    written.push_back(e);
    Advance(std::chrono::seconds(1));
  }
  auto r = Read();
  ASSERT_TRUE(r->audit().Head().has_value());
  ExpectSameEntry(*r->audit().Head(), written.back());
  for (const AuditEntry& e : written) {
    auto got = r->audit().Get(e.id);
    ASSERT_TRUE(IsOk(got));
    ExpectSameEntry(*got, e);
  }
  EXPECT_EQ(r->audit().Get(12345).status().code(), StatusCode::kNotFound);
  const std::vector<AuditEntry> all = r->audit().ListBySeq(0, 10);
  ASSERT_EQ(all.size(), 3u);
  for (size_t i = 0; i < all.size(); ++i) ExpectSameEntry(all[i], written[i]);
  const std::vector<AuditEntry> tail = r->audit().ListBySeq(1, 1);
  ASSERT_EQ(tail.size(), 1u);
  EXPECT_EQ(tail[0].seq, 2);
  EXPECT_TRUE(r->audit().ListBySeq(3, 10).empty());
}

TEST_P(StorageConformanceTest, AuditAppendRefusesEntriesThatDoNotExtendTheHead) {
  const AuditEntry first = Chained(std::nullopt, NextId(), Now(), {1, "case.claim", "case", "1"});
  MustWrite([&](Transaction& tx) { return tx.audit().Append(first); });

  struct Case {
    const char* name;
    std::function<void(AuditEntry&)> spoil;
  };
  const Case cases[] = {
      {"seq repeated", [](AuditEntry& e) { e.seq = 1; }},
      {"seq skipped", [](AuditEntry& e) { e.seq = 3; }},
      {"prev_hash of genesis", [](AuditEntry& e) { e.prev_hash = std::string(kAuditGenesisHash); }},
      {"prev_hash altered", [](AuditEntry& e) { e.prev_hash[0] = e.prev_hash[0] == 'a' ? 'b' : 'a'; }},
      {"id reused", [&](AuditEntry& e) { e.id = first.id; }},
  };
  for (const Case& c : cases) {
    AuditEntry bad = Chained(first, NextId(), Now(), {2, "case.release", "case", "1"});
    c.spoil(bad);
    Status st = Write([&](Transaction& tx) { return tx.audit().Append(bad); });
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << c.name << ": " << st.ToString();
  }
  auto r = Read();
  ASSERT_TRUE(r->audit().Head().has_value());
  EXPECT_EQ(r->audit().Head()->id, first.id);
  EXPECT_EQ(r->audit().ListBySeq(0, 10).size(), 1u);

  // A rolled-back transaction leaves no entry behind.
  const AuditEntry second = Chained(first, NextId(), Now(), {2, "case.release", "case", "1"});
  Status st = Write([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.audit().Append(second));
    return Internal("the effect failed");
  });
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_EQ(Read()->audit().Head()->id, first.id);
  MustWrite([&](Transaction& tx) { return tx.audit().Append(second); });
  EXPECT_EQ(Read()->audit().Head()->seq, 2);
}

TEST_P(StorageConformanceTest, AuditListFiltersAndPages) {
  const DraftSpec specs[] = {
      {1, "case.claim", "case", "10"},      {2, "case.claim", "case", "11"},
      {1, "decision.create", "case", "10"}, {kNoId, "config.change", "config", "rules"},
      {3, "role.change", "account", "1"},   {1, "case.release", "case", "11"},
      {2, "decision.create", "case", "11"}, {3, "role.change", "account", "2"},
  };
  std::vector<AuditEntry> written;
  for (const DraftSpec& spec : specs) {
    std::optional<AuditEntry> head;
    if (!written.empty()) head = written.back();
    written.push_back(Chained(head, NextId(), Now(), spec));
    MustWrite([&](Transaction& tx) { return tx.audit().Append(written.back()); });
  }
  struct FilterCase {
    const char* name;
    AuditFilter filter;
  };
  const FilterCase filters[] = {
      {"none", {}},
      {"action", {"decision.create", std::nullopt, "", ""}},
      {"actor", {"", Id{1}, "", ""}},
      {"system actor", {"", kNoId, "", ""}},
      {"target", {"", std::nullopt, "case", "11"}},
      {"target type", {"", std::nullopt, "account", ""}},
      {"action and actor", {"case.claim", Id{2}, "", ""}},
      {"actor and target", {"", Id{1}, "case", "10"}},
      {"nothing matches", {"case.assign", std::nullopt, "", ""}},
  };
  auto r = Read();
  for (const FilterCase& fc : filters) {
    SCOPED_TRACE(fc.name);
    std::vector<Id> expected;
    for (const AuditEntry& e : written) {
      const AuditFilter& f = fc.filter;
      if (!f.action.empty() && e.action != f.action) continue;
      if (f.actor_id && e.actor_id != *f.actor_id) continue;
      if (!f.target_type.empty() && e.target_type != f.target_type) continue;
      if (!f.target_id.empty() && e.target_id != f.target_id) continue;
      expected.push_back(e.id);
    }
    ExpectPaging(expected, [&](const PageQuery& page) {
      return EntryIds(r->audit().List(fc.filter, page));
    });
  }
}

}  // namespace
}  // namespace stoa::storage::conformance
