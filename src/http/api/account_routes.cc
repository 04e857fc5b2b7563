// /api/v1/accounts and the relationship endpoints: credentials, profiles, lookups, search, an
// account's statuses, followers and following, follows and follow requests, blocks, mutes, notes,
// and the empty collections clients ask for (an account's featured tags and lists).
#include <algorithm>
#include <charconv>
#include <unordered_set>

#include "common/strings.h"
#include "common/time_format.h"
#include "http/api/api.h"
#include "http/api/serializers.h"

namespace stoa::http::api {
namespace {

constexpr int kAccountsPageDefault = 40;
constexpr int kAccountsPageMax = 80;
constexpr int kStatusesPageDefault = 20;
constexpr int kStatusesPageMax = 40;
// GET /api/v1/accounts?id[]= and /accounts/familiar_followers take at most this many ids (as
// Mastodon's DEFAULT_ACCOUNTS_LIMIT); more is a 422.
constexpr size_t kMaxIdsPerRequest = 40;
// /accounts/relationships answers for at most this many ids; the rest are ignored.
constexpr size_t kMaxRelationshipIds = 100;
// Mute durations beyond a century are refused rather than risking timestamp overflow.
constexpr int64_t kMaxMuteSeconds = int64_t{100} * 365 * 24 * 3600;
constexpr size_t kMaxFollowLanguages = 100;

Status MissingParam(std::string_view name) {
  return BadRequest("param is missing or the value is empty: " + std::string(name));
}

// A scalar member of a nested param object (source[privacy]); nullopt when absent or not scalar.
std::optional<std::string> MemberString(const ParamValue* object, std::string_view key) {
  if (object == nullptr || !object->is_object()) return std::nullopt;
  const ParamValue* v = object->Find(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return v->str();
}

// A non-negative integer param; `fallback` when absent or empty; kBadRequest otherwise.
Result<int64_t> NonNegativeInt(const Call& c, std::string_view key, int64_t fallback) {
  auto v = c.params.String(key);
  if (!v || v->empty()) return fallback;
  int64_t out = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || ptr != v->data() + v->size()) {
    return BadRequest(std::string(key) + " must be an integer");
  }
  if (out < 0) return BadRequest(std::string(key) + " must not be negative");
  return out;
}

// The distinct well-formed ids of `id[]`, in the order given. Malformed ids are skipped (they can
// name no account).
std::vector<Id> IdList(const Call& c, std::string_view key = "id") {
  std::vector<Id> ids;
  std::unordered_set<Id> seen;
  for (const auto& s : c.params.StringArray(key)) {
    auto id = ParseId(s);
    if (id && seen.insert(*id).second) ids.push_back(*id);
  }
  return ids;
}

Response RelationshipResponse(const Result<Relationship>& r) {
  if (!r.ok()) return ErrorResponse(r.status());
  JsonWriter w;
  WriteRelationship(w, *r);
  return Ok(w.Take());
}

Response CredentialResponse(Call& c, const social::AccountPtr& account) {
  auto user = c.s.accounts.GetUser(account->id);
  if (!user.ok()) return ErrorResponse(user.status());
  int64_t follow_requests = 0;
  {
    auto read = c.s.core.storage().Read();
    follow_requests = read->relationships().CountFollowRequests(account->id);
  }
  JsonWriter w;
  WriteCredentialAccount(w, c.s.core, *account, *user, follow_requests);
  return Ok(w.Take());
}

// Account lists paged by their record ids (follows, requests, blocks, mutes).
Response AccountListResponse(Call& c, const social::AccountList& list, int limit,
                             bool with_mute_expiry = false) {
  if (!list.record_ids.empty()) c.SetLink(list.record_ids.front(), list.record_ids.back(), limit);
  if (!with_mute_expiry) return Ok(AccountListJson(c.s.core, list.accounts));
  // MutedAccount: the Account with mute_expires_at added as its last member.
  JsonWriter w;
  w.BeginArray();
  for (size_t i = 0; i < list.accounts.size(); ++i) {
    std::string account = AccountJson(c.s.core, *list.accounts[i]);
    account.pop_back();  // the closing brace
    account += ",\"mute_expires_at\":";
    const auto& expires = i < list.expires_at.size() ? list.expires_at[i] : std::nullopt;
    if (expires) {
      AppendJsonString(account, FormatIso8601(*expires));
    } else {
      account += "null";
    }
    account += "}";
    w.Raw(account);
  }
  w.EndArray();
  return Ok(w.Take());
}

// --- Credentials -------------------------------------------------------------------------------

Response VerifyCredentials(Call& c) {
  auto account = c.s.accounts.Get(c.viewer.account_id);
  if (!account.ok()) return ErrorResponse(account.status());
  return CredentialResponse(c, *account);
}

// Reads update_credentials params into changes; kInvalidArgument / kBadRequest on bad input.
// Nothing is written here.
Result<social::ProfileChanges> ProfileChangesFrom(const Call& c) {
  for (std::string_view file : {"avatar", "header"}) {
    const ParamValue* v = c.params.Find(file);
    if (v != nullptr && !v->is_null() && !(v->is_string() && v->str().empty() && !v->is_file)) {
      return InvalidArgument(
          "Validation failed: " + std::string(file == "avatar" ? "Avatar" : "Header") +
          " uploads are not supported by this server yet");
    }
  }
  social::ProfileChanges changes;
  changes.display_name = c.params.String("display_name");
  changes.note = c.params.String("note");
  changes.locked = c.params.Bool("locked");
  changes.bot = c.params.Bool("bot");
  changes.discoverable = c.params.Bool("discoverable");
  changes.hide_collections = c.params.Bool("hide_collections");
  changes.indexable = c.params.Bool("indexable");
  if (const ParamValue* fields = c.params.Find("fields_attributes"); fields && !fields->is_null()) {
    if (!fields->is_array() && !fields->is_object()) {
      return InvalidArgument(
          "Validation failed: Fields attributes must be a list of name and value");
    }
    std::vector<std::pair<std::string, std::string>> list;
    size_t filled = 0;
    for (const ParamValue* item : c.params.ObjectList("fields_attributes")) {
      list.emplace_back(MemberString(item, "name").value_or(""),
                        MemberString(item, "value").value_or(""));
      if (!list.back().first.empty() || !list.back().second.empty()) ++filled;
    }
    // Checked here too so that a flood of fields is refused before any of them is rendered.
    const int max_fields = c.s.core.settings().max_profile_fields;
    if (filled > static_cast<size_t>(max_fields)) {
      return InvalidArgument("Validation failed: Fields has too many entries (maximum is " +
                             std::to_string(max_fields) + ")");
    }
    changes.fields = std::move(list);
  }
  const ParamValue* source = c.params.Find("source");
  if (auto privacy = MemberString(source, "privacy"); privacy && !privacy->empty()) {
    auto v = ParseVisibility(*privacy);
    if (!v || *v == Visibility::kDirect) {
      return InvalidArgument("Validation failed: Privacy is not included in the list");
    }
    changes.default_visibility = *v;
  }
  if (auto sensitive = MemberString(source, "sensitive")) {
    changes.default_sensitive = CastBool(*sensitive);
  }
  if (auto language = MemberString(source, "language")) {
    if (!language->empty() && !social::NormalizeLanguage(*language)) {
      return InvalidArgument("Validation failed: Language is not included in the list");
    }
    changes.default_language = *language;
  }
  return changes;
}

Response UpdateCredentials(Call& c) {
  auto changes = ProfileChangesFrom(c);
  if (!changes.ok()) return ErrorResponse(changes.status());
  auto account = c.s.accounts.UpdateProfile(c.viewer, *changes);
  if (!account.ok()) return ErrorResponse(account.status());
  return CredentialResponse(c, *account);
}

// --- Reading accounts --------------------------------------------------------------------------

Response Show(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  auto account = c.s.accounts.Get(*id);
  if (!account.ok()) return ErrorResponse(account.status());
  return Ok(AccountJson(c.s.core, **account));
}

Response ShowMany(Call& c) {
  const std::vector<Id> ids = IdList(c);
  if (ids.size() > kMaxIdsPerRequest) {
    return ErrorResponse(InvalidArgument("Validation failed: at most " +
                                         std::to_string(kMaxIdsPerRequest) + " ids are allowed"));
  }
  return Ok(AccountListJson(c.s.core, c.s.accounts.GetMany(ids)));
}

Response Lookup(Call& c) {
  const std::string acct = c.Str("acct");
  if (acct.empty()) return ErrorResponse(MissingParam("acct"));
  auto account = c.s.accounts.Lookup(acct);
  if (!account.ok()) return ErrorResponse(account.status());
  return Ok(AccountJson(c.s.core, **account));
}

Response Search(Call& c) {
  const std::string q = c.Str("q");
  if (q.empty()) return ErrorResponse(MissingParam("q"));
  auto page = c.Page(kAccountsPageDefault, kAccountsPageMax);
  if (!page.ok()) return ErrorResponse(page.status());
  auto offset = NonNegativeInt(c, "offset", 0);
  if (!offset.ok()) return ErrorResponse(offset.status());
  // `resolve` would fetch remote accounts; stoa does not federate, so it changes nothing.
  const bool following = c.params.Bool("following").value_or(false);
  const int bounded_offset = static_cast<int>(std::min<int64_t>(*offset, 10000));
  return Ok(AccountListJson(
      c.s.core, c.s.accounts.Search(c.viewer, q, page->limit, bounded_offset, following)));
}

Response Statuses(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  auto page = c.Page(kStatusesPageDefault, kStatusesPageMax);
  if (!page.ok()) return ErrorResponse(page.status());
  social::AccountStatusesQuery q;
  q.only_media = c.params.Bool("only_media").value_or(false);
  q.exclude_replies = c.params.Bool("exclude_replies").value_or(false);
  q.exclude_reblogs = c.params.Bool("exclude_reblogs").value_or(false);
  q.pinned = c.params.Bool("pinned").value_or(false);
  q.tagged = c.Str("tagged");
  auto posts = c.s.accounts.Statuses(c.viewer, *id, q, *page);
  if (!posts.ok()) return ErrorResponse(posts.status());
  if (!posts->empty()) {
    c.SetLink(posts->front()->id, posts->back()->id, page->limit,
              {"only_media", "exclude_replies", "exclude_reblogs", "pinned", "tagged"});
  }
  StatusWriter writer(c.s.core, c.viewer, c.s.render_cache);
  return Ok(writer.List(*posts));
}

template <Result<social::AccountList> (social::RelationshipService::*Collection)(
    const social::Viewer&, Id, const storage::PageQuery&)>
Response FollowCollection(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  auto page = c.Page(kAccountsPageDefault, kAccountsPageMax);
  if (!page.ok()) return ErrorResponse(page.status());
  auto list = (c.s.relationships.*Collection)(c.viewer, *id, *page);
  if (!list.ok()) return ErrorResponse(list.status());
  return AccountListResponse(c, *list, page->limit);
}

// --- Relationships -----------------------------------------------------------------------------

Response Relationships(Call& c) {
  std::vector<Id> ids = IdList(c);
  if (ids.size() > kMaxRelationshipIds) ids.resize(kMaxRelationshipIds);
  const bool with_suspended = c.params.Bool("with_suspended").value_or(false);
  // Unknown accounts are left out, and suspended ones unless asked for; the order is the request's.
  auto loaded = c.s.core.LoadAccounts(ids);
  std::vector<Id> shown;
  for (Id id : ids) {
    auto it = loaded.find(id);
    if (it == loaded.end()) continue;
    if (it->second->suspended() && !with_suspended) continue;
    shown.push_back(id);
  }
  JsonWriter w;
  w.BeginArray();
  for (const auto& r : c.s.relationships.Describe(c.viewer, shown)) WriteRelationship(w, r);
  w.EndArray();
  return Ok(w.Take());
}

Response Follow(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  social::FollowOptions options;
  options.reblogs = c.params.Bool("reblogs");
  options.notify = c.params.Bool("notify");
  if (c.params.Has("languages")) {
    std::vector<std::string> languages;
    for (const auto& l : c.params.StringArray("languages")) {
      auto normalized = social::NormalizeLanguage(l);
      if (!normalized) {
        return ErrorResponse(
            InvalidArgument("Validation failed: Languages contains an unknown language"));
      }
      if (std::find(languages.begin(), languages.end(), *normalized) == languages.end()) {
        languages.push_back(*normalized);
      }
      if (languages.size() > kMaxFollowLanguages) {
        return ErrorResponse(InvalidArgument("Validation failed: Languages has too many entries"));
      }
    }
    options.languages = std::move(languages);
  }
  return RelationshipResponse(c.s.relationships.Follow(c.viewer, *id, options));
}

template <Result<Relationship> (social::RelationshipService::*Action)(const social::Viewer&, Id)>
Response Act(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  return RelationshipResponse((c.s.relationships.*Action)(c.viewer, *id));
}

Response Mute(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  const bool notifications = c.params.Bool("notifications").value_or(true);
  auto duration = NonNegativeInt(c, "duration", 0);
  if (!duration.ok()) return ErrorResponse(duration.status());
  if (*duration > kMaxMuteSeconds) return ErrorResponse(BadRequest("duration is too long"));
  return RelationshipResponse(c.s.relationships.Mute(c.viewer, *id, notifications, *duration));
}

Response Note(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  return RelationshipResponse(c.s.relationships.SetNote(c.viewer, *id, c.Str("comment")));
}

template <social::AccountList (social::RelationshipService::*List)(const social::Viewer&,
                                                                   const storage::PageQuery&),
          bool kMutes = false>
Response OwnList(Call& c) {
  auto page = c.Page(kAccountsPageDefault, kAccountsPageMax);
  if (!page.ok()) return ErrorResponse(page.status());
  return AccountListResponse(c, (c.s.relationships.*List)(c.viewer, *page), page->limit, kMutes);
}

// --- Collections stoa does not have yet --------------------------------------------------------

// Featured tags and the viewer's lists containing the account: none exist; unknown accounts 404.
Response EmptyForAccount(Call& c) {
  auto id = c.PathId();
  if (!id.ok()) return ErrorResponse(id.status());
  auto account = c.s.accounts.Get(*id);
  if (!account.ok()) return ErrorResponse(account.status());
  return Ok("[]");
}

// [{id, accounts: []}] for each known, unsuspended account asked about.
Response FamiliarFollowers(Call& c) {
  const std::vector<Id> ids = IdList(c);
  if (ids.size() > kMaxIdsPerRequest) {
    return ErrorResponse(InvalidArgument("Validation failed: at most " +
                                         std::to_string(kMaxIdsPerRequest) + " ids are allowed"));
  }
  auto loaded = c.s.core.LoadAccounts(ids);
  JsonWriter w;
  w.BeginArray();
  for (Id id : ids) {
    auto it = loaded.find(id);
    if (it == loaded.end() || it->second->suspended()) continue;
    w.BeginObject();
    w.Key("id").IdString(id);
    w.Key("accounts").BeginArray().EndArray();
    w.EndObject();
  }
  w.EndArray();
  return Ok(w.Take());
}

}  // namespace

void RegisterAccountRoutes(Api& api, Router& r) {
  using A = Access;
  using RS = social::RelationshipService;
  // Credentials. The `profile` scope is admitted for verify_credentials by Api::Handle.
  api.Route(r, Method::kGet, "/api/v1/accounts/verify_credentials", A::kUser, "read:accounts",
            VerifyCredentials);
  api.Route(r, Method::kPatch, "/api/v1/accounts/update_credentials", A::kUser, "write:accounts",
            UpdateCredentials);
  api.Route(r, Method::kPut, "/api/v1/accounts/update_credentials", A::kUser, "write:accounts",
            UpdateCredentials);

  // Reading accounts.
  api.Route(r, Method::kGet, "/api/v1/accounts", A::kPublic, "read:accounts", ShowMany);
  api.Route(r, Method::kGet, "/api/v1/accounts/lookup", A::kPublic, "read:accounts", Lookup);
  api.Route(r, Method::kGet, "/api/v1/accounts/search", A::kUser, "read:accounts", Search);
  api.Route(r, Method::kGet, "/api/v1/accounts/relationships", A::kUser, "read:follows",
            Relationships);
  api.Route(r, Method::kGet, "/api/v1/accounts/familiar_followers", A::kUser, "read:follows",
            FamiliarFollowers);
  api.Route(r, Method::kGet, "/api/v1/accounts/:id", A::kPublic, "read:accounts", Show);
  api.Route(r, Method::kGet, "/api/v1/accounts/:id/statuses", A::kPublic, "read:statuses",
            Statuses);
  api.Route(r, Method::kGet, "/api/v1/accounts/:id/followers", A::kPublic, "read:accounts",
            FollowCollection<&RS::Followers>);
  api.Route(r, Method::kGet, "/api/v1/accounts/:id/following", A::kPublic, "read:accounts",
            FollowCollection<&RS::Following>);
  api.Route(r, Method::kGet, "/api/v1/accounts/:id/featured_tags", A::kPublic, "read:accounts",
            EmptyForAccount);
  api.Route(r, Method::kGet, "/api/v1/accounts/:id/identity_proofs", A::kPublic, "read:accounts",
            EmptyForAccount);
  api.Route(r, Method::kGet, "/api/v1/accounts/:id/lists", A::kUser, "read:lists", EmptyForAccount);

  // Acting on another account.
  api.Route(r, Method::kPost, "/api/v1/accounts/:id/follow", A::kUser, "write:follows", Follow);
  api.Route(r, Method::kPost, "/api/v1/accounts/:id/unfollow", A::kUser, "write:follows",
            Act<&RS::Unfollow>);
  api.Route(r, Method::kPost, "/api/v1/accounts/:id/remove_from_followers", A::kUser,
            "write:follows", Act<&RS::RemoveFromFollowers>);
  api.Route(r, Method::kPost, "/api/v1/accounts/:id/block", A::kUser, "write:blocks",
            Act<&RS::Block>);
  api.Route(r, Method::kPost, "/api/v1/accounts/:id/unblock", A::kUser, "write:blocks",
            Act<&RS::Unblock>);
  api.Route(r, Method::kPost, "/api/v1/accounts/:id/mute", A::kUser, "write:mutes", Mute);
  api.Route(r, Method::kPost, "/api/v1/accounts/:id/unmute", A::kUser, "write:mutes",
            Act<&RS::Unmute>);
  api.Route(r, Method::kPost, "/api/v1/accounts/:id/note", A::kUser, "write:accounts", Note);

  // The viewer's own lists.
  api.Route(r, Method::kGet, "/api/v1/follow_requests", A::kUser, "read:follows",
            OwnList<&RS::FollowRequests>);
  api.Route(r, Method::kPost, "/api/v1/follow_requests/:id/authorize", A::kUser, "write:follows",
            Act<&RS::AuthorizeFollowRequest>);
  api.Route(r, Method::kPost, "/api/v1/follow_requests/:id/reject", A::kUser, "write:follows",
            Act<&RS::RejectFollowRequest>);
  api.Route(r, Method::kGet, "/api/v1/blocks", A::kUser, "read:blocks", OwnList<&RS::Blocks>);
  api.Route(r, Method::kGet, "/api/v1/mutes", A::kUser, "read:mutes", OwnList<&RS::Mutes, true>);
  // GET /api/v1/endorsements is answered by the stubs in instance_routes.cc.
}

}  // namespace stoa::http::api
