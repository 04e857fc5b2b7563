#include "storage/testing/conformance.h"

#include <stdlib.h>

#include <filesystem>
#include <limits>
#include <set>
#include <sstream>

namespace stoa::storage::conformance {

std::string StorageFactoryName(const ::testing::TestParamInfo<StorageFactory>& info) {
  return info.param.name;
}

void PrintTo(const StorageFactory& factory, std::ostream* os) { *os << factory.name; }

::testing::AssertionResult IsOk(const Status& status) {
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << status.ToString();
}

std::vector<Id> ModelPage(std::vector<Id> all, const PageQuery& page) {
  std::sort(all.begin(), all.end(), std::greater<>());
  std::vector<Id> in_range;
  for (Id id : all) {
    if (id > page.lower() && id < page.upper()) in_range.push_back(id);
  }
  const size_t limit = static_cast<size_t>(std::max(page.limit, 0));
  if (in_range.size() <= limit) return in_range;
  if (page.ascending()) {
    // The `limit` items right above min_id: the oldest ones in range, still newest first.
    return std::vector<Id>(in_range.end() - static_cast<std::ptrdiff_t>(limit), in_range.end());
  }
  in_range.resize(limit);
  return in_range;
}

std::vector<PageQuery> PageQueriesFor(const std::vector<Id>& all_in) {
  std::vector<Id> all = all_in;
  std::sort(all.begin(), all.end(), std::greater<>());
  std::vector<PageQuery> out;
  auto add = [&](Id max_id, Id since_id, Id min_id, int limit) {
    PageQuery p;
    p.max_id = max_id;
    p.since_id = since_id;
    p.min_id = min_id;
    p.limit = limit;
    out.push_back(p);
  };
  add(kNoId, kNoId, kNoId, 20);
  add(kNoId, kNoId, kNoId, 1);
  if (all.empty()) return out;
  const int n = static_cast<int>(all.size());
  add(kNoId, kNoId, kNoId, 2);
  add(kNoId, kNoId, kNoId, n);
  add(kNoId, kNoId, kNoId, n + 5);
  std::set<int> positions = {0, 1, n / 2, n - 1};
  for (int k : positions) {
    if (k >= n) continue;
    const Id at = all[k];
    add(at, kNoId, kNoId, 3);          // older than an item
    add(at + 1, kNoId, kNoId, 3);      // a bound that is no item's id
    add(kNoId, at, kNoId, 3);          // newest items above an item
    add(kNoId, at - 1, kNoId, 100);
    add(kNoId, kNoId, at, 3);          // the items right above an item
    add(kNoId, kNoId, at - 1, 2);
  }
  add(all[0], all[n - 1], kNoId, 100);  // both ends exclusive
  add(all[0], all[n - 1], kNoId, 1);
  add(all[0], kNoId, all[n - 1], 1);
  add(all[0], kNoId, all[n - 1], 100);
  add(all[n - 1], kNoId, kNoId, 20);    // nothing older than the oldest
  add(kNoId, all[0], kNoId, 20);        // nothing newer than the newest
  add(kNoId, kNoId, all[0], 20);
  add(all[n - 1], all[0], kNoId, 20);   // an empty range
  return out;
}

std::string Describe(const PageQuery& page) {
  std::ostringstream os;
  os << "max_id=" << page.max_id << " since_id=" << page.since_id << " min_id=" << page.min_id
     << " limit=" << page.limit;
  return os.str();
}

void StorageConformanceTest::SetUp() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "stoa-conformance-XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  temp_dir_ = pattern;
  storage_ = GetParam().open(temp_dir_);
  ASSERT_NE(storage_, nullptr) << "the " << GetParam().name << " factory failed";
}

void StorageConformanceTest::TearDown() {
  storage_.reset();
  if (!temp_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(temp_dir_, ec);
  }
}

Timestamp StorageConformanceTest::Now() const {
  std::lock_guard lock(clock_mu_);
  return FromUnixMillis(now_ms_);
}

void StorageConformanceTest::Advance(Duration d) {
  std::lock_guard lock(clock_mu_);
  now_ms_ += d.count();
}

Id StorageConformanceTest::NextId() {
  std::lock_guard lock(clock_mu_);
  last_id_ = std::max(IdAtTime(FromUnixMillis(now_ms_)), last_id_ + 1);
  return last_id_;
}

Account StorageConformanceTest::MakeAccount(std::string_view username) {
  Account a;
  a.id = NextId();
  a.username = std::string(username);
  a.display_name = "Display " + std::string(username);
  a.created_at = Now();
  a.updated_at = Now();
  return a;
}

User StorageConformanceTest::MakeUser(const Account& account) {
  User u;
  u.account_id = account.id;
  u.email = account.username + "@example.test";
  u.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
  u.created_at = account.created_at;
  return u;
}

Post StorageConformanceTest::MakePost(Id author, std::string_view text, Visibility visibility) {
  Post p;
  p.id = NextId();
  p.account_id = author;
  p.text = std::string(text);
  p.content_html = "<p>" + std::string(text) + "</p>";
  p.visibility = visibility;
  p.language = "en";
  p.thread_root_id = p.id;
  p.created_at = Now();
  return p;
}

Post StorageConformanceTest::MakeReply(const Post& parent, Id author, std::string_view text) {
  Post p = MakePost(author, text, parent.visibility);
  p.in_reply_to_id = parent.id;
  p.in_reply_to_account_id = parent.account_id;
  p.thread_root_id = parent.thread_root_id;
  return p;
}

Post StorageConformanceTest::MakeReblog(const Post& original, Id booster) {
  Post p = MakePost(booster, "", Visibility::kPublic);
  p.content_html.clear();
  p.language.reset();
  p.reblog_of_id = original.id;
  return p;
}

Follow StorageConformanceTest::MakeFollow(Id account_id, Id target_id) {
  Follow f;
  f.id = NextId();
  f.account_id = account_id;
  f.target_account_id = target_id;
  f.created_at = Now();
  return f;
}

Notification StorageConformanceTest::MakeNotification(Id recipient, Id from, NotificationType type,
                                                      Id status_id, Id activity_id) {
  Notification n;
  n.id = NextId();
  n.account_id = recipient;
  n.from_account_id = from;
  n.type = type;
  n.status_id = status_id;
  n.activity_id = activity_id;
  n.created_at = Now();
  return n;
}

Id StorageConformanceTest::CreateAccount(std::string_view username) {
  const Account a = MakeAccount(username);
  const User u = MakeUser(a);
  EXPECT_TRUE(IsOk(Write([&](Transaction& tx) { return tx.accounts().Create(a, u); })))
      << "creating " << username;
  return a.id;
}

Id StorageConformanceTest::InsertPost(const Post& post) {
  EXPECT_TRUE(IsOk(Write([&](Transaction& tx) { return tx.posts().Insert(post); })))
      << "inserting post " << post.id;
  return post.id;
}

void StorageConformanceTest::MustWrite(std::function<Status(Transaction&)> fn) {
  EXPECT_TRUE(IsOk(Write(std::move(fn))));
}

void StorageConformanceTest::IndexAll() {
  for (int round = 0; round < 1000; ++round) {
    int applied = 0;
    EXPECT_TRUE(IsOk(Write([&](Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(applied, tx.posts().IndexPendingSearch(100));
      return Status::Ok();
    })));
    if (applied == 0) return;
  }
  ADD_FAILURE() << "the search queue never drained";
}

void StorageConformanceTest::ExpectPaging(
    const std::vector<Id>& all, const std::function<std::vector<Id>(const PageQuery&)>& list) {
  for (const PageQuery& page : PageQueriesFor(all)) {
    EXPECT_EQ(list(page), ModelPage(all, page)) << Describe(page);
  }
  std::vector<Id> newest_first = all;
  std::sort(newest_first.begin(), newest_first.end(), std::greater<>());

  // Older pages, as a client follows the Link header's "next".
  std::vector<Id> walked;
  PageQuery page;
  page.limit = 2;
  for (size_t guard = 0; guard <= all.size() + 1; ++guard) {
    const std::vector<Id> got = list(page);
    if (got.empty()) break;
    walked.insert(walked.end(), got.begin(), got.end());
    page.max_id = got.back();
  }
  EXPECT_EQ(walked, newest_first) << "walking max_id";

  // Newer pages from the bottom, as a client follows "prev".
  std::vector<Id> upwards;
  page = PageQuery{};
  page.limit = 2;
  page.min_id = 1;
  for (size_t guard = 0; guard <= all.size() + 1; ++guard) {
    const std::vector<Id> got = list(page);
    if (got.empty()) break;
    upwards.insert(upwards.end(), got.rbegin(), got.rend());
    page.min_id = got.front();
  }
  std::reverse(upwards.begin(), upwards.end());
  EXPECT_EQ(upwards, newest_first) << "walking min_id";
}

}  // namespace stoa::storage::conformance
