#include "app/demo.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "common/crypto.h"
#include "common/strings.h"

namespace stoa::app {
namespace {

struct Person {
  const char* username;
  const char* display_name;
  const char* note;
  Role role;
  bool locked;
};

constexpr Person kPeople[] = {
    {"owner", "Olga Owner", "I run this instance. Be excellent to each other.", Role::kOwner, false},
    {"mod", "Mo Moderator", "Moderator. Reports go to the queue, not to my DMs.", Role::kModerator, false},
    {"alice", "Alice", "Gardener, amateur astronomer. #gardening #astronomy", Role::kMember, false},
    {"bob", "Bob", "Cyclist and bread baker.", Role::kMember, false},
    {"carol", "Carol", "Local news, city council watcher.", Role::kMember, true},
    {"dave", "Dave", "Photography and hiking.", Role::kMember, false},
};

std::string CredentialsPath(const std::string& dir) { return dir + "/demo-credentials.txt"; }

std::vector<DemoCredential> ReadCredentials(const std::string& dir) {
  std::vector<DemoCredential> out;
  std::ifstream in(CredentialsPath(dir));
  std::string line;
  while (std::getline(in, line)) {
    auto parts = Split(line, '\t');
    if (parts.size() != 4) continue;
    out.push_back({std::string(parts[0]), std::string(parts[1]), std::string(parts[2]),
                   std::string(parts[3])});
  }
  return out;
}

Status WriteCredentials(const std::string& dir, const std::vector<DemoCredential>& creds) {
  const std::string path = CredentialsPath(dir);
  {
    std::ofstream out(path, std::ios::trunc);
    if (!out) return Unavailable("cannot write " + path);
    for (const auto& c : creds) out << c.username << '\t' << c.email << '\t' << c.password << '\t' << c.role << '\n';
  }
  chmod(path.c_str(), 0600);
  return Status::Ok();
}

}  // namespace

Result<std::vector<DemoCredential>> SeedDemo(App& app, const std::string& data_dir) {
  {
    auto read = app.storage().Read();
    if (read->accounts().FindByUsername("owner").ok()) {
      auto existing = ReadCredentials(data_dir);
      if (existing.empty()) {
        return AlreadyExists("the demo was seeded before but " + CredentialsPath(data_dir) +
                             " is missing; use `stoa admin token` to get access");
      }
      return existing;
    }
  }
  std::vector<DemoCredential> creds;
  std::unordered_map<std::string, Id> ids;
  for (const auto& p : kPeople) {
    social::Registration r;
    r.username = p.username;
    r.email = std::string(p.username) + "@demo.stoa.invalid";
    r.password = RandomToken(app.core().random(), 12);
    r.agreement = true;
    r.role = p.role;
    r.skip_approval = true;
    std::vector<social::FieldError> errors;
    auto account = app.accounts().Register(r, &errors, /*force=*/true);
    if (!account.ok()) return account.status();
    ids[p.username] = (*account)->id;
    social::Viewer v = app.core().MakeViewer((*account)->id, p.role);
    social::ProfileChanges changes;
    changes.display_name = p.display_name;
    changes.note = p.note;
    changes.locked = p.locked;
    auto updated = app.accounts().UpdateProfile(v, changes);
    if (!updated.ok()) return updated.status();
    creds.push_back({r.username, r.email, r.password, std::string(RoleName(p.role))});
  }
  auto viewer = [&](const char* name) {
    return app.core().MakeViewer(ids[name], Role::kMember);
  };
  // Everyone follows everyone (carol is locked: her followers are requests she approves).
  for (const auto& a : kPeople) {
    for (const auto& b : kPeople) {
      if (std::string_view(a.username) == b.username) continue;
      auto r = app.relationships().Follow(viewer(a.username), ids[b.username], {});
      if (!r.ok()) return r.status();
    }
  }
  for (const auto& a : kPeople) {
    if (std::string_view(a.username) == "carol") continue;
    auto r = app.relationships().AuthorizeFollowRequest(viewer("carol"), ids[a.username]);
    if (!r.ok()) return r.status();
  }
  struct Seed {
    const char* author;
    const char* text;
    int reply_to;  // index into the posts made so far, or -1
    Visibility visibility;
  };
  const Seed seeds[] = {
      {"owner", "Welcome to stoa! Read the #rules, be kind, and report what breaks them. #welcome", -1, Visibility::kPublic},
      {"alice", "First tomatoes of the season are in. #gardening", -1, Visibility::kPublic},
      {"bob", "@alice those look great! Sourdough for trade?", 1, Visibility::kPublic},
      {"alice", "@bob deal. Saturday at the market? #gardening #bread", 2, Visibility::kPublic},
      {"carol", "City council votes on the new bike lanes tonight. Thread follows. #citycouncil", -1, Visibility::kPublic},
      {"dave", "Sunrise over the ridge this morning. Worth the 5am start. #hiking #photography", -1, Visibility::kPublic},
      {"bob", "@carol finally! Which streets are included? #cycling", 4, Visibility::kPublic},
      {"carol", "Followers only: the draft map is not public yet, please don't share.", -1, Visibility::kPrivate},
      {"mod", "Reminder: reports are read by humans, with deadlines. Use the report button.", -1, Visibility::kPublic},
      {"alice", "Saturn's rings are visible with a small telescope this week. #astronomy", -1, Visibility::kPublic},
  };
  std::vector<Id> made;
  for (const auto& s : seeds) {
    social::NewPost post;
    post.text = s.text;
    post.visibility = s.visibility;
    if (s.reply_to >= 0) post.in_reply_to_id = made[s.reply_to];
    auto created = app.posts().Create(viewer(s.author), post);
    if (!created.ok()) return created.status();
    made.push_back((*created)->id);
  }
  using social::Interaction;
  (void)app.posts().Interact(viewer("bob"), made[1], Interaction::kFavourite);
  (void)app.posts().Interact(viewer("dave"), made[1], Interaction::kFavourite);
  (void)app.posts().Interact(viewer("dave"), made[4], Interaction::kReblog);
  (void)app.posts().Interact(viewer("alice"), made[5], Interaction::kFavourite);
  RETURN_IF_ERROR(WriteCredentials(data_dir, creds));
  return creds;
}

}  // namespace stoa::app
