// Accounts and users.
#include "storage/testing/conformance.h"

namespace stoa::storage::conformance {
namespace {


void ExpectSameAccount(const Account& got, const Account& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.username, want.username);
  EXPECT_EQ(got.display_name, want.display_name);
  EXPECT_EQ(got.note, want.note);
  EXPECT_EQ(got.note_html, want.note_html);
  ASSERT_EQ(got.fields.size(), want.fields.size());
  for (size_t i = 0; i < want.fields.size(); ++i) {
    EXPECT_EQ(got.fields[i].name, want.fields[i].name) << i;
    EXPECT_EQ(got.fields[i].value, want.fields[i].value) << i;
    EXPECT_EQ(got.fields[i].value_html, want.fields[i].value_html) << i;
    EXPECT_EQ(got.fields[i].verified_at, want.fields[i].verified_at) << i;
  }
  EXPECT_EQ(got.locked, want.locked);
  EXPECT_EQ(got.bot, want.bot);
  EXPECT_EQ(got.discoverable, want.discoverable);
  EXPECT_EQ(got.indexable, want.indexable);
  EXPECT_EQ(got.hide_collections, want.hide_collections);
  EXPECT_EQ(got.created_at, want.created_at);
  EXPECT_EQ(got.updated_at, want.updated_at);
  EXPECT_EQ(got.last_status_at, want.last_status_at);
  EXPECT_EQ(got.statuses_count, want.statuses_count);
  EXPECT_EQ(got.followers_count, want.followers_count);
  EXPECT_EQ(got.following_count, want.following_count);
  EXPECT_EQ(got.suspended_at, want.suspended_at);
  EXPECT_EQ(got.silenced_at, want.silenced_at);
  EXPECT_EQ(got.sensitized_at, want.sensitized_at);
  EXPECT_EQ(got.suspended_until, want.suspended_until);
}

void ExpectSameUser(const User& got, const User& want) {
  EXPECT_EQ(got.account_id, want.account_id);
  EXPECT_EQ(got.email, want.email);
  EXPECT_EQ(got.password_hash, want.password_hash);
  EXPECT_EQ(got.role, want.role);
  EXPECT_EQ(got.approved, want.approved);
  EXPECT_EQ(got.confirmed, want.confirmed);
  EXPECT_EQ(got.disabled, want.disabled);
  EXPECT_EQ(got.locale, want.locale);
  EXPECT_EQ(got.sign_up_ip, want.sign_up_ip);
  EXPECT_EQ(got.sign_up_reason, want.sign_up_reason);
  EXPECT_EQ(got.default_visibility, want.default_visibility);
  EXPECT_EQ(got.default_sensitive, want.default_sensitive);
  EXPECT_EQ(got.default_language, want.default_language);
  EXPECT_EQ(got.created_at, want.created_at);
}

std::vector<std::string> Usernames(const std::vector<Account>& accounts) {
  std::vector<std::string> out;
  for (const auto& a : accounts) out.push_back(a.username);
  return out;
}

TEST_P(StorageConformanceTest, AccountAndUserRoundTripEveryField) {
  Account a = MakeAccount("Alice_1");
  a.display_name = "Alice Ünicode <b>";
  a.note = "hello\nworld";
  a.note_html = "<p>hello<br>world</p>";
  a.fields = {{"Site", "https://a.example", "<a href=\"https://a.example\">a.example</a>",
               Now() - std::chrono::hours(1)},
              {"Pronouns", "she/her", "she/her", std::nullopt}};
  a.locked = true;
  a.bot = true;
  a.discoverable = false;
  a.indexable = false;
  a.hide_collections = true;
  a.updated_at = Now() + std::chrono::seconds(5);
  a.last_status_at = Now() - std::chrono::minutes(3);
  a.statuses_count = 7;
  a.followers_count = 8;
  a.following_count = 9;
  a.silenced_at = Now() - std::chrono::minutes(1);
  a.sensitized_at = Now() - std::chrono::minutes(2);
  a.suspended_at = Now() - std::chrono::minutes(4);
  a.suspended_until = Now() + std::chrono::hours(4);
  User u = MakeUser(a);
  u.role = Role::kModerator;
  u.approved = false;
  u.confirmed = false;
  u.disabled = true;
  u.locale = "de";
  u.sign_up_ip = "192.0.2.1";
  u.sign_up_reason = "because";
  u.default_visibility = Visibility::kPrivate;
  u.default_sensitive = true;
  u.default_language = "de";
  MustWrite([&](Transaction& tx) { return tx.accounts().Create(a, u); });

  auto r = Read();
  auto got = r->accounts().Get(a.id);
  ASSERT_TRUE(IsOk(got));
  ExpectSameAccount(*got, a);
  auto user = r->accounts().GetUser(a.id);
  ASSERT_TRUE(IsOk(user));
  ExpectSameUser(*user, u);
}

TEST_P(StorageConformanceTest, MissingAccountsAndUsersAreNotFound) {
  CreateAccount("someone");
  auto r = Read();
  EXPECT_EQ(r->accounts().Get(12345).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r->accounts().GetUser(12345).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r->accounts().FindByUsername("nobody").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r->accounts().FindByUsername("someon").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r->accounts().FindUserByEmail("nobody@example.test").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(r->accounts().FindOldestWithRole(Role::kOwner).status().code(),
            StatusCode::kNotFound);
}

TEST_P(StorageConformanceTest, UsernameAndEmailLookupsIgnoreCase) {
  const Id id = CreateAccount("MixedCase");
  auto r = Read();
  for (const char* name : {"MixedCase", "mixedcase", "MIXEDCASE"}) {
    auto got = r->accounts().FindByUsername(name);
    ASSERT_TRUE(IsOk(got)) << name;
    EXPECT_EQ(got->id, id);
    EXPECT_EQ(got->username, "MixedCase");  // stored as written
  }
  auto user = r->accounts().FindUserByEmail("MIXEDCASE@Example.TEST");
  ASSERT_TRUE(IsOk(user));
  EXPECT_EQ(user->account_id, id);
}

TEST_P(StorageConformanceTest, CreateRejectsATakenUsernameOrEmailWhateverTheCase) {
  const Id first = CreateAccount("alice");
  struct Case {
    std::string username;
    std::string email;
    std::string field;
  };
  const Case cases[] = {
      {"alice", "other1@example.test", "username"},
      {"ALICE", "other2@example.test", "username"},
      {"bob", "alice@example.test", "email"},
      {"bob", "Alice@EXAMPLE.test", "email"},
  };
  for (const auto& c : cases) {
    Account a = MakeAccount(c.username);
    User u = MakeUser(a);
    u.email = c.email;
    const Status st = Write([&](Transaction& tx) { return tx.accounts().Create(a, u); });
    EXPECT_EQ(st.code(), StatusCode::kAlreadyExists) << c.username << " " << c.email;
    EXPECT_NE(st.message().find(c.field), std::string::npos) << st.ToString();
    EXPECT_EQ(Read()->accounts().Get(a.id).status().code(), StatusCode::kNotFound);
  }
  auto r = Read();
  EXPECT_EQ(r->accounts().Count(), 1);
  EXPECT_EQ(r->accounts().FindByUsername("alice")->id, first);
  EXPECT_EQ(r->accounts().FindUserByEmail("alice@example.test")->account_id, first);
}

TEST_P(StorageConformanceTest, GetManyReturnsTheExistingOnes) {
  const Id a = CreateAccount("a");
  const Id b = CreateAccount("b");
  const Id c = CreateAccount("c");
  auto r = Read();
  auto ids = [&](std::vector<Id> want) {
    std::vector<Id> out;
    for (const auto& acc : r->accounts().GetMany(want)) out.push_back(acc.id);
    return Sorted(out);
  };
  EXPECT_EQ(ids({}), std::vector<Id>{});
  EXPECT_EQ(ids({b}), std::vector<Id>{b});
  EXPECT_EQ(ids({999}), std::vector<Id>{});
  EXPECT_EQ(ids({c, 999, a}), Sorted(std::vector<Id>{a, c}));
  EXPECT_EQ(ids({a, b, c}), Sorted(std::vector<Id>{a, b, c}));
  const auto many = r->accounts().GetMany(std::vector<Id>{b, c});
  for (const auto& acc : many) EXPECT_EQ(acc.display_name, "Display " + acc.username);
}

TEST_P(StorageConformanceTest, FindOldestWithRoleSkipsSuspendedAccounts) {
  Account first = MakeAccount("first_owner");
  User first_user = MakeUser(first);
  first_user.role = Role::kOwner;
  Account second = MakeAccount("second_owner");
  User second_user = MakeUser(second);
  second_user.role = Role::kOwner;
  Account admin = MakeAccount("an_admin");
  User admin_user = MakeUser(admin);
  admin_user.role = Role::kAdmin;
  MustWrite([&](Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.accounts().Create(second, second_user));  // inserted first, newer id
    RETURN_IF_ERROR(tx.accounts().Create(first, first_user));
    return tx.accounts().Create(admin, admin_user);
  });
  EXPECT_EQ(Read()->accounts().FindOldestWithRole(Role::kOwner)->id, first.id);
  EXPECT_EQ(Read()->accounts().FindOldestWithRole(Role::kAdmin)->id, admin.id);
  EXPECT_EQ(Read()->accounts().FindOldestWithRole(Role::kModerator).status().code(),
            StatusCode::kNotFound);

  first.suspended_at = Now();
  MustWrite([&](Transaction& tx) { return tx.accounts().UpdateProfile(first); });
  EXPECT_EQ(Read()->accounts().FindOldestWithRole(Role::kOwner)->id, second.id);
}

TEST_P(StorageConformanceTest, UpdateProfileWritesTheProfileFields) {
  Account a = MakeAccount("profile");
  MustWrite([&](Transaction& tx) { return tx.accounts().Create(a, MakeUser(a)); });
  a.display_name = "New Name";
  a.note = "new note";
  a.note_html = "<p>new note</p>";
  a.fields = {{"k", "v", "v", std::nullopt}};
  a.locked = true;
  a.bot = true;
  a.discoverable = false;
  a.indexable = false;
  a.hide_collections = true;
  a.updated_at = Now() + std::chrono::minutes(1);
  a.suspended_at = Now();
  a.silenced_at = Now();
  a.sensitized_at = Now();
  MustWrite([&](Transaction& tx) { return tx.accounts().UpdateProfile(a); });
  auto got = Read()->accounts().Get(a.id);
  ASSERT_TRUE(IsOk(got));
  ExpectSameAccount(*got, a);

  // Lifting the moderation state clears it.
  a.suspended_at.reset();
  a.silenced_at.reset();
  a.sensitized_at.reset();
  MustWrite([&](Transaction& tx) { return tx.accounts().UpdateProfile(a); });
  ExpectSameAccount(*Read()->accounts().Get(a.id), a);

  Account missing = MakeAccount("missing");
  EXPECT_EQ(Write([&](Transaction& tx) { return tx.accounts().UpdateProfile(missing); }).code(),
            StatusCode::kNotFound);
}

TEST_P(StorageConformanceTest, UpdateUserWritesTheLoginRecord) {
  const Account a = MakeAccount("login");
  User u = MakeUser(a);
  MustWrite([&](Transaction& tx) { return tx.accounts().Create(a, u); });
  u.email = "new@example.test";
  u.password_hash = "$argon2id$new";
  u.role = Role::kAdmin;
  u.approved = false;
  u.confirmed = false;
  u.disabled = true;
  u.locale = "fr";
  u.default_visibility = Visibility::kUnlisted;
  u.default_sensitive = true;
  u.default_language = "fr";
  MustWrite([&](Transaction& tx) { return tx.accounts().UpdateUser(u); });
  auto r = Read();
  ExpectSameUser(*r->accounts().GetUser(a.id), u);
  EXPECT_EQ(r->accounts().FindUserByEmail("new@example.test")->account_id, a.id);
  EXPECT_EQ(r->accounts().FindUserByEmail("login@example.test").status().code(),
            StatusCode::kNotFound);

  u.default_language.reset();
  MustWrite([&](Transaction& tx) { return tx.accounts().UpdateUser(u); });
  EXPECT_EQ(Read()->accounts().GetUser(a.id)->default_language, std::nullopt);

  User missing = u;
  missing.account_id = 999;
  EXPECT_EQ(Write([&](Transaction& tx) { return tx.accounts().UpdateUser(missing); }).code(),
            StatusCode::kNotFound);
}

TEST_P(StorageConformanceTest, AccountCountersMoveAndNeverGoBelowZero) {
  const Id id = CreateAccount("counted");
  MustWrite([&](Transaction& tx) { return tx.accounts().AdjustCounts(id, 3, 2, 1); });
  auto a = Read()->accounts().Get(id);
  EXPECT_EQ(a->statuses_count, 3);
  EXPECT_EQ(a->followers_count, 2);
  EXPECT_EQ(a->following_count, 1);
  MustWrite([&](Transaction& tx) { return tx.accounts().AdjustCounts(id, -1, 0, -1); });
  a = Read()->accounts().Get(id);
  EXPECT_EQ(a->statuses_count, 2);
  EXPECT_EQ(a->followers_count, 2);
  EXPECT_EQ(a->following_count, 0);
  MustWrite([&](Transaction& tx) { return tx.accounts().AdjustCounts(id, -5, -5, -5); });
  a = Read()->accounts().Get(id);
  EXPECT_EQ(a->statuses_count, 0);
  EXPECT_EQ(a->followers_count, 0);
  EXPECT_EQ(a->following_count, 0);
  MustWrite([&](Transaction& tx) { return tx.accounts().AdjustCounts(id, 1, 1, 1); });
  a = Read()->accounts().Get(id);
  EXPECT_EQ(a->statuses_count, 1);
  EXPECT_EQ(a->followers_count, 1);
  EXPECT_EQ(a->following_count, 1);
}

TEST_P(StorageConformanceTest, RecordStatusCountsAndReturnsTheAccountAsLeft) {
  Account a = MakeAccount("poster");
  a.display_name = "Poster";
  MustWrite([&](Transaction& tx) { return tx.accounts().Create(a, MakeUser(a)); });
  MustWrite([&](Transaction& tx) { return tx.accounts().AdjustCounts(a.id, 0, 4, 2); });
  const Timestamp first = Now() + std::chrono::hours(1);
  const Timestamp second = first + std::chrono::minutes(5);
  std::optional<Account> counted;
  MustWrite([&](Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(Account got, tx.accounts().RecordStatus(a.id, 1, first));
    counted = std::move(got);
    return Status::Ok();
  });
  ASSERT_TRUE(counted.has_value());
  EXPECT_EQ(counted->display_name, "Poster");
  EXPECT_EQ(counted->statuses_count, 1);
  EXPECT_EQ(counted->followers_count, 4);
  EXPECT_EQ(counted->following_count, 2);
  EXPECT_EQ(counted->last_status_at, first);
  // An uncounted status (a direct message) moves last_status_at only.
  MustWrite([&](Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(Account got, tx.accounts().RecordStatus(a.id, 0, second));
    counted = std::move(got);
    return Status::Ok();
  });
  EXPECT_EQ(counted->statuses_count, 1);
  EXPECT_EQ(counted->last_status_at, second);
  auto stored = Read()->accounts().Get(a.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->statuses_count, 1);
  EXPECT_EQ(stored->last_status_at, second);

  Status missing = Status::Ok();
  EXPECT_FALSE(Write([&](Transaction& tx) -> Status {
                 missing = tx.accounts().RecordStatus(a.id + 1000, 1, first).status();
                 return missing;
               }).ok());
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
}

TEST_P(StorageConformanceTest, LastStatusAtIsKeptAcrossProfileUpdates) {
  Account a = MakeAccount("poster");
  MustWrite([&](Transaction& tx) { return tx.accounts().Create(a, MakeUser(a)); });
  EXPECT_EQ(Read()->accounts().Get(a.id)->last_status_at, std::nullopt);
  const Timestamp at = Now() + std::chrono::hours(2);
  MustWrite([&](Transaction& tx) { return tx.accounts().RecordStatus(a.id, 1, at).status(); });
  EXPECT_EQ(Read()->accounts().Get(a.id)->last_status_at, at);
  a.display_name = "changed";
  MustWrite([&](Transaction& tx) { return tx.accounts().UpdateProfile(a); });
  auto got = Read()->accounts().Get(a.id);
  EXPECT_EQ(got->last_status_at, at);
  EXPECT_EQ(got->statuses_count, 1);
  EXPECT_EQ(got->display_name, "changed");
}

TEST_P(StorageConformanceTest, SearchRanksExactUsernameThenFollowers) {
  struct Seed {
    const char* username;
    const char* display_name;
    int followers;
    bool suspended;
  };
  const Seed seeds[] = {
      {"annabel", "Annabel", 50, false}, {"anna", "Anna", 5, false},
      {"zed", "Annie Hall", 0, false},   {"ann", "Ann", 0, false},
      {"annex", "Annex", 100, true},     {"bob", "Bob Builder", 7, false},
  };
  for (const auto& s : seeds) {
    Account a = MakeAccount(s.username);
    a.display_name = s.display_name;
    a.followers_count = s.followers;
    if (s.suspended) a.suspended_at = Now();
    MustWrite([&](Transaction& tx) { return tx.accounts().Create(a, MakeUser(a)); });
  }
  auto r = Read();
  using Names = std::vector<std::string>;
  EXPECT_EQ(Usernames(r->accounts().Search("ann", 10, 0)), (Names{"ann", "annabel", "anna", "zed"}));
  EXPECT_EQ(Usernames(r->accounts().Search("@ANN", 10, 0)),
            (Names{"ann", "annabel", "anna", "zed"}));
  EXPECT_EQ(Usernames(r->accounts().Search("ann", 2, 1)), (Names{"annabel", "anna"}));
  EXPECT_EQ(Usernames(r->accounts().Search("ann", 10, 4)), Names{});
  EXPECT_EQ(Usernames(r->accounts().Search("anna", 10, 0)), (Names{"anna", "annabel"}));
  EXPECT_EQ(Usernames(r->accounts().Search("hall", 10, 0)), Names{"zed"});
  EXPECT_EQ(Usernames(r->accounts().Search("annie ha", 10, 0)), Names{"zed"});
  EXPECT_EQ(Usernames(r->accounts().Search("annex", 10, 0)), Names{});  // suspended
  EXPECT_EQ(Usernames(r->accounts().Search("", 10, 0)), Names{});
  EXPECT_EQ(Usernames(r->accounts().Search("   ", 10, 0)), Names{});
  EXPECT_EQ(Usernames(r->accounts().Search("\"", 10, 0)), Names{});
  EXPECT_EQ(Usernames(r->accounts().Search("nobody", 10, 0)), Names{});
  // Operators in the query are plain text.
  EXPECT_EQ(Usernames(r->accounts().Search("bob OR", 10, 0)), Names{});
  EXPECT_EQ(Usernames(r->accounts().Search("bob*", 10, 0)), Names{"bob"});
}

TEST_P(StorageConformanceTest, SearchFollowsProfileUpdates) {
  Account a = MakeAccount("zed");
  a.display_name = "Annie Hall";
  MustWrite([&](Transaction& tx) { return tx.accounts().Create(a, MakeUser(a)); });
  EXPECT_EQ(Usernames(Read()->accounts().Search("annie", 10, 0)), std::vector<std::string>{"zed"});
  a.display_name = "Woody";
  MustWrite([&](Transaction& tx) { return tx.accounts().UpdateProfile(a); });
  auto r = Read();
  EXPECT_TRUE(r->accounts().Search("annie", 10, 0).empty());
  EXPECT_EQ(Usernames(r->accounts().Search("woo", 10, 0)), std::vector<std::string>{"zed"});
  EXPECT_EQ(Usernames(r->accounts().Search("zed", 10, 0)), std::vector<std::string>{"zed"});

  a.suspended_at = Now();
  MustWrite([&](Transaction& tx) { return tx.accounts().UpdateProfile(a); });
  EXPECT_TRUE(Read()->accounts().Search("zed", 10, 0).empty());
  // A timed suspension is returned: the caller compares suspended_until with its clock.
  a.suspended_until = Now() + std::chrono::hours(1);
  MustWrite([&](Transaction& tx) { return tx.accounts().UpdateProfile(a); });
  auto timed = Read()->accounts().Search("zed", 10, 0);
  ASSERT_EQ(timed.size(), 1u);
  EXPECT_EQ(timed[0].suspended_until, a.suspended_until);
}

TEST_P(StorageConformanceTest, CountsSkipSuspendedAccountsAndActiveCountsRecentUsers) {
  CreateAccount("one");
  Advance(std::chrono::hours(48));
  const Timestamp later = Now();
  CreateAccount("two");
  Account three = MakeAccount("three");
  three.suspended_at = Now();
  MustWrite([&](Transaction& tx) { return tx.accounts().Create(three, MakeUser(three)); });
  auto r = Read();
  EXPECT_EQ(r->accounts().Count(), 2);
  EXPECT_EQ(r->accounts().CountActiveSince(later - std::chrono::hours(100)), 3);
  EXPECT_EQ(r->accounts().CountActiveSince(later), 2);
  EXPECT_EQ(r->accounts().CountActiveSince(later + std::chrono::hours(1)), 0);
}

// Admin lists: every filter, newest first, paging both ways; a timed suspension that has ended is
// neither "suspended" nor excluded from "active".
TEST_P(StorageConformanceTest, AdminListFiltersAndPages) {
  struct Seed {
    const char* username;
    const char* display_name;
    const char* email;
    const char* ip;
    Role role;
    bool pending, disabled, silenced, suspended, sensitized, expired;
  };
  const Seed seeds[] = {
      {"alice", "Alice Liddell", "alice@mail.test", "192.0.2.1", Role::kMember, false, false, false, false, false, false},
      {"alfred", "Alfred", "al@other.test", "192.0.2.2", Role::kModerator, false, false, false, false, false, false},
      {"bob", "Bob 100%", "bob@mail.test", "192.0.2.1", Role::kAdmin, false, true, false, false, false, false},
      {"carol", "Carol", "carol@mail.test", "198.51.100.7", Role::kMember, true, false, false, false, false, false},
      {"dave", "Dave", "dave@mail.test", "", Role::kMember, false, false, true, false, true, false},
      {"erin", "Erin", "erin@mail.test", "", Role::kMember, false, false, false, true, false, false},
      {"frank", "Frank", "frank@mail.test", "", Role::kOwner, false, false, false, true, false, true},
  };
  for (const auto& seed : seeds) {
    Account a = MakeAccount(seed.username);
    a.display_name = seed.display_name;
    if (seed.silenced) a.silenced_at = Now();
    if (seed.sensitized) a.sensitized_at = Now();
    if (seed.suspended) a.suspended_at = Now();
    if (seed.expired) a.suspended_until = Now() + std::chrono::minutes(5);
    User u = MakeUser(a);
    u.email = seed.email;
    u.sign_up_ip = seed.ip;
    u.role = seed.role;
    u.approved = !seed.pending;
    u.disabled = seed.disabled;
    MustWrite([&](Transaction& tx) { return tx.accounts().Create(a, u); });
    Advance(std::chrono::seconds(1));
  }
  Advance(std::chrono::minutes(10));  // frank's suspension has ended
  auto r = Read();
  auto names = [&](const AdminAccountFilter& f, PageQuery page = {}) {
    if (page.limit == 20) page.limit = 100;
    std::vector<std::string> out;
    for (const auto& row : r->accounts().ListForAdmin(f, page, Now())) {
      EXPECT_EQ(row.user.account_id, row.account.id);
      out.push_back(row.account.username);
    }
    return out;
  };
  using Names = std::vector<std::string>;
  EXPECT_EQ(names({}), (Names{"frank", "erin", "dave", "carol", "bob", "alfred", "alice"}));
  AdminAccountFilter f;
  f.active = true;
  EXPECT_EQ(names(f), (Names{"frank", "dave", "carol", "bob", "alfred", "alice"}));
  f = {}; f.suspended = true;
  EXPECT_EQ(names(f), Names{"erin"});
  f = {}; f.pending = true;
  EXPECT_EQ(names(f), Names{"carol"});
  f = {}; f.disabled = true;
  EXPECT_EQ(names(f), Names{"bob"});
  f = {}; f.silenced = true; f.sensitized = true;
  EXPECT_EQ(names(f), Names{"dave"});
  f = {}; f.roles = {Role::kModerator, Role::kAdmin, Role::kOwner};
  EXPECT_EQ(names(f), (Names{"frank", "bob", "alfred"}));
  f = {}; f.username = "AL";
  EXPECT_EQ(names(f), (Names{"alfred", "alice"}));
  f = {}; f.username = "l";  // a prefix, not a substring
  EXPECT_EQ(names(f), Names{});
  f = {}; f.display_name = "liddell";
  EXPECT_EQ(names(f), Names{"alice"});
  f = {}; f.display_name = "100%";
  EXPECT_EQ(names(f), Names{"bob"});
  f = {}; f.display_name = "%";  // LIKE wildcards are literal
  EXPECT_EQ(names(f), Names{"bob"});
  f = {}; f.email = "@MAIL.test";
  EXPECT_EQ(names(f), (Names{"frank", "erin", "dave", "carol", "bob", "alice"}));
  f = {}; f.ip = "192.0.2.1";
  EXPECT_EQ(names(f), (Names{"bob", "alice"}));
  f = {}; f.ip = "192.0.2";
  EXPECT_EQ(names(f), Names{});
  f = {}; f.match_nothing = true;
  EXPECT_EQ(names(f), Names{});
  f = {}; f.email = "mail.test"; f.active = true; f.roles = {Role::kMember};
  EXPECT_EQ(names(f), (Names{"dave", "carol", "alice"}));

  // Paging: newest first by id; max_id, since_id and min_id as everywhere.
  const auto all = r->accounts().ListForAdmin({}, PageQuery{.limit = 100}, Now());
  ASSERT_EQ(all.size(), 7u);
  EXPECT_EQ(names({}, PageQuery{.limit = 2}), (Names{"frank", "erin"}));
  EXPECT_EQ(names({}, PageQuery{.max_id = all[1].account.id, .limit = 2}), (Names{"dave", "carol"}));
  EXPECT_EQ(names({}, PageQuery{.since_id = all[5].account.id, .limit = 2}), (Names{"frank", "erin"}));
  EXPECT_EQ(names({}, PageQuery{.min_id = all[5].account.id, .limit = 2}), (Names{"carol", "bob"}));
}

TEST_P(StorageConformanceTest, DeletePendingRemovesTheSignUpOnly) {
  Account pending = MakeAccount("pending");
  User pu = MakeUser(pending);
  pu.approved = false;
  MustWrite([&](Transaction& tx) { return tx.accounts().Create(pending, pu); });
  const Id approved = CreateAccount("approved");
  auto conflict = Write([&](Transaction& tx) { return tx.accounts().DeletePending(approved); });
  EXPECT_EQ(conflict.code(), StatusCode::kConflict);
  auto missing = Write([&](Transaction& tx) { return tx.accounts().DeletePending(424242); });
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  MustWrite([&](Transaction& tx) { return tx.accounts().DeletePending(pending.id); });
  auto r = Read();
  EXPECT_EQ(r->accounts().Get(pending.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r->accounts().GetUser(pending.id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r->accounts().FindUserByEmail(pu.email).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(r->accounts().Search("pending", 10, 0).empty());
  EXPECT_TRUE(IsOk(r->accounts().Get(approved)));
  // The username is free again.
  Account again = MakeAccount("pending");
  MustWrite([&](Transaction& tx) { return tx.accounts().Create(again, MakeUser(again)); });
}

}  // namespace
}  // namespace stoa::storage::conformance
