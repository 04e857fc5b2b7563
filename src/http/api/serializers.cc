#include "http/api/serializers.h"

#include <algorithm>
#include <mutex>

#include "common/time_format.h"
#include "http/api/decision_json.h"

namespace stoa::http::api {
namespace {

void WriteTime(JsonWriter& w, std::string_view key, Timestamp t) {
  std::string s;
  s.reserve(24);
  AppendIso8601(s, t);
  w.Field(key, s);
}

void WriteEmptyArray(JsonWriter& w, std::string_view key) { w.Key(key).BeginArray().EndArray(); }

}  // namespace

void WriteOptionalTime(JsonWriter& w, std::string_view key, const std::optional<Timestamp>& t) {
  if (t) {
    WriteTime(w, key, *t);
  } else {
    w.NullField(key);
  }
}

void WriteOptionalId(JsonWriter& w, std::string_view key, Id id) {
  if (id != kNoId) {
    w.Key(key).IdString(id);
  } else {
    w.NullField(key);
  }
}

std::string AvatarUrl(const social::Core& core) {
  return core.settings().base_url + "/avatars/original/missing.png";
}

std::string HeaderUrl(const social::Core& core) {
  return core.settings().base_url + "/headers/original/missing.png";
}

void WriteRole(JsonWriter& w, Role role) {
  const RoleInfo info = DescribeRole(role);
  w.BeginObject()
      .Field("id", std::to_string(info.id))
      .Field("name", info.name)
      .Field("color", info.color)
      .Field("permissions", std::to_string(info.permissions))
      .Field("highlighted", info.highlighted)
      .EndObject();
}

void WriteAccount(JsonWriter& w, social::Core& core, const Account& a) {
  const std::string avatar = AvatarUrl(core);
  const std::string header = HeaderUrl(core);
  w.BeginObject();
  w.Key("id").IdString(a.id);
  w.Field("username", a.username);
  w.Field("acct", a.username);
  w.Field("display_name", a.display_name);
  w.Field("locked", a.locked);
  w.Field("bot", a.bot);
  w.Field("discoverable", a.discoverable);
  w.Field("indexable", a.indexable);
  w.Field("group", false);
  WriteTime(w, "created_at", StartOfDay(a.created_at));
  w.Field("note", a.note_html);
  w.Field("url", core.ProfileUrl(a.username));
  w.Field("uri", core.settings().base_url + "/users/" + a.username);
  w.Field("avatar", avatar);
  w.Field("avatar_static", avatar);
  w.Field("header", header);
  w.Field("header_static", header);
  w.Field("followers_count", a.followers_count);
  w.Field("following_count", a.following_count);
  w.Field("statuses_count", a.statuses_count);
  if (a.last_status_at) {
    w.Field("last_status_at", FormatDate(*a.last_status_at));
  } else {
    w.NullField("last_status_at");
  }
  w.Field("hide_collections", a.hide_collections);
  w.Field("noindex", !a.indexable);
  WriteEmptyArray(w, "emojis");
  WriteEmptyArray(w, "roles");
  w.Key("fields").BeginArray();
  for (const auto& f : a.fields) {
    w.BeginObject().Field("name", f.name).Field("value", f.value_html);
    WriteOptionalTime(w, "verified_at", f.verified_at);
    w.EndObject();
  }
  w.EndArray();
  if (a.suspended()) w.Field("suspended", true);
  if (a.silenced()) w.Field("limited", true);
  w.EndObject();
}

void WriteCredentialAccount(JsonWriter& w, social::Core& core, const Account& a, const User& u,
                            int64_t follow_requests_count) {
  // Account fields, then source and role: written by re-opening the account object.
  std::string account = AccountJson(core, a);
  account.pop_back();  // drop the closing brace
  JsonWriter extra;
  extra.BeginObject();
  extra.Key("source").BeginObject();
  extra.Field("privacy", VisibilityName(u.default_visibility));
  extra.Field("sensitive", u.default_sensitive);
  extra.Field("language", u.default_language);
  extra.Field("note", a.note);
  extra.Key("fields").BeginArray();
  for (const auto& f : a.fields) {
    extra.BeginObject().Field("name", f.name).Field("value", f.value);
    WriteOptionalTime(extra, "verified_at", f.verified_at);
    extra.EndObject();
  }
  extra.EndArray();
  extra.Field("follow_requests_count", follow_requests_count);
  extra.Field("hide_collections", a.hide_collections);
  extra.Field("discoverable", a.discoverable);
  extra.Field("indexable", a.indexable);
  WriteEmptyArray(extra, "attribution_domains");
  extra.Field("quote_policy", "public");
  extra.EndObject();
  extra.Key("role");
  WriteRole(extra, u.role);
  extra.EndObject();
  std::string tail = extra.Take();
  account += ",";
  account.append(tail, 1, std::string::npos);  // skip the opening brace
  w.Raw(account);
}

std::string AccountJson(social::Core& core, const Account& a) {
  JsonWriter w;
  WriteAccount(w, core, a);
  return w.Take();
}

std::string AccountListJson(social::Core& core, const std::vector<social::AccountPtr>& accounts) {
  JsonWriter w;
  w.BeginArray();
  for (const auto& a : accounts) WriteAccount(w, core, *a);
  w.EndArray();
  return w.Take();
}

void WriteRelationship(JsonWriter& w, const Relationship& r) {
  w.BeginObject();
  w.Key("id").IdString(r.target_account_id);
  w.Field("following", r.following);
  w.Field("showing_reblogs", r.following && r.showing_reblogs);
  w.Field("notifying", r.notifying);
  if (r.languages.empty()) {
    w.NullField("languages");
  } else {
    w.Key("languages").BeginArray();
    for (const auto& l : r.languages) w.String(l);
    w.EndArray();
  }
  w.Field("followed_by", r.followed_by);
  w.Field("blocking", r.blocking);
  w.Field("blocked_by", r.blocked_by);
  w.Field("muting", r.muting);
  w.Field("muting_notifications", r.muting && r.muting_notifications);
  WriteOptionalTime(w, "muting_expires_at", r.muting_expires_at);
  w.Field("requested", r.requested);
  w.Field("requested_by", r.requested_by);
  w.Field("domain_blocking", false);
  w.Field("endorsed", false);
  w.Field("note", r.note);
  w.EndObject();
}

void WriteRule(JsonWriter& w, const InstanceRule& rule) {
  w.BeginObject();
  w.Key("id").IdString(rule.id);
  w.Field("text", rule.text);
  w.Field("hint", rule.hint);
  w.Key("translations").BeginObject().EndObject();
  w.EndObject();
}

void WriteTag(JsonWriter& w, social::Core& core, const social::TagView& tag) {
  w.BeginObject();
  w.Key("id").IdString(tag.tag.id);
  w.Field("name", tag.tag.display_name);
  w.Field("url", core.TagUrl(tag.tag.name));
  w.Key("history").BeginArray();
  for (const auto& [day, usage] : tag.history) {
    w.BeginObject()
        .Field("day", std::to_string(ToUnixMillis(day) / 1000))
        .Field("uses", std::to_string(usage.uses))
        .Field("accounts", std::to_string(usage.accounts))
        .EndObject();
  }
  w.EndArray();
  w.Field("following", false);
  w.EndObject();
}

void WriteMarker(JsonWriter& w, const storage::Marker& m) {
  w.BeginObject();
  w.Key("last_read_id").IdString(m.last_read_id);
  w.Field("version", m.version);
  WriteTime(w, "updated_at", m.updated_at);
  w.EndObject();
}

void WriteToken(JsonWriter& w, const social::IssuedToken& token) {
  w.BeginObject()
      .Field("access_token", token.access_token)
      .Field("token_type", "Bearer")
      .Field("scope", token.scopes.ToString())
      .Field("created_at", ToUnixMillis(token.created_at) / 1000)
      .EndObject();
}

std::string_view RenderCache::Account(social::Core& core, const stoa::Account& account) {
  return account.rendered.Get([&] { return AccountJson(core, account); });
}

std::string_view RenderCache::PostPrefix(social::Core& core, const Post& post,
                                         std::string_view username) {
  return post.rendered.Get([&] {
    const Post& p = post;
    JsonWriter w;
    w.BeginObject();
    w.Key("id").IdString(p.id);
    WriteTime(w, "created_at", p.created_at);
    if (p.in_reply_to_id != kNoId) {
      w.Key("in_reply_to_id").IdString(p.in_reply_to_id);
      w.Key("in_reply_to_account_id").IdString(p.in_reply_to_account_id);
    } else {
      w.NullField("in_reply_to_id").NullField("in_reply_to_account_id");
    }
    w.Field("spoiler_text", p.shown_spoiler_text());
    w.Field("visibility", VisibilityName(p.visibility));
    w.Field("language", p.language);
    w.Field("uri", core.PostUri(username, p.id));
    w.Field("url", core.PostUrl(username, p.id));
    w.Field("replies_count", p.replies_count);
    w.Field("reblogs_count", p.reblogs_count);
    w.Field("favourites_count", p.favourites_count);
    w.Field("quotes_count", int64_t{0});
    WriteOptionalTime(w, "edited_at", p.edited_at);
    // stoa: held by screening (only its author and staff ever see a held status).
    if (p.held()) {
      w.Field("held", true);
      WriteTime(w, "held_at", *p.held_at);
    }
    w.Field("content", p.content_html);
    WriteEmptyArray(w, "media_attachments");
    w.Key("mentions").BeginArray();
    for (const auto& m : p.mentions) {
      w.BeginObject();
      w.Key("id").IdString(m.account_id);
      w.Field("username", m.username)
          .Field("url", core.ProfileUrl(m.username))
          .Field("acct", m.username);
      w.EndObject();
    }
    w.EndArray();
    w.Key("tags").BeginArray();
    for (const auto& t : p.tags)
      w.BeginObject().Field("name", t).Field("url", core.TagUrl(t)).EndObject();
    w.EndArray();
    WriteEmptyArray(w, "emojis");
    w.NullField("card").NullField("poll").NullField("quote");
    std::string json = w.Take();  // the object stays open: the writer appends the rest
    return json;
  });
}

void StatusWriter::Prefetch(const std::vector<social::PostPtr>& posts) {
  std::vector<Id> original_ids;
  for (const auto& p : posts) {
    if (p->is_reblog() && originals_.count(p->reblog_of_id) == 0) {
      original_ids.push_back(p->reblog_of_id);
    }
  }
  if (!original_ids.empty()) originals_.Merge(core_.LoadPosts(original_ids, viewer_.memo));
  std::vector<Id> account_ids;
  std::vector<Id> shown_ids;
  for (const auto& p : posts) {
    account_ids.push_back(p->account_id);
    shown_ids.push_back(p->is_reblog() ? p->reblog_of_id : p->id);
  }
  for (const auto& [id, p] : originals_) account_ids.push_back(p->account_id);
  if (viewer_.memo != nullptr) {
    core_.MemoAccounts(account_ids, *viewer_.memo);  // Append reads them there, without copies
  } else {
    accounts_.Merge(core_.LoadAccounts(account_ids, nullptr));
  }
  if (!viewer_.anonymous() && !shown_ids.empty()) {
    // Recent interactions come from memory; only posts older than its horizon need the database.
    auto recent = core_.LoadInteractions(viewer_.account_id);
    if (record_ != nullptr) record_->interactions = recent;
    std::vector<Id> older;
    for (Id id : shown_ids) {
      if (recent && id >= recent->horizon) {
        if (recent->favourited.count(id) != 0) favourited_.insert(id);
        if (recent->reblogged.count(id) != 0) reblogged_.insert(id);
        if (recent->bookmarked.count(id) != 0) bookmarked_.insert(id);
      } else {
        older.push_back(id);
      }
    }
    if (!older.empty()) {
      auto read = core_.storage().Read();
      const auto& store = read->posts();
      for (Id id : store.FavouritedAmong(viewer_.account_id, older)) favourited_.insert(id);
      for (Id id : store.RebloggedAmong(viewer_.account_id, older)) reblogged_.insert(id);
      for (Id id : store.BookmarkedAmong(viewer_.account_id, older)) bookmarked_.insert(id);
    }
    favourited_.Seal();
    reblogged_.Seal();
    bookmarked_.Seal();
  }
}

void StatusWriter::Append(std::string& out, const social::PostPtr& post, bool with_source) {
  const Post& p = *post;
  social::AccountPtr keep_author;
  const Account* author = LoadedAuthor(p.account_id);
  if (author == nullptr) author = core_.PeekAccount(p.account_id, viewer_.memo, keep_author);
  if (record_ != nullptr) {
    // The owners of the texts the page will point into.
    record_->posts.push_back(post);
    if (keep_author) {
      record_->accounts.push_back(keep_author);
    } else if (const social::AccountPtr* owner = LoadedAuthorPtr(p.account_id)) {
      record_->accounts.push_back(*owner);
    } else if (author != nullptr) {
      record_->complete = false;  // an author nobody here owns: its text cannot be kept
    }
  }
  static const std::string kNoName;
  AppendFragment(out, cache_.PostPrefix(core_, *post, author ? author->username : kNoName));
  // Outside the cached prefix: a moderator marking the author sensitive makes all of their posts
  // sensitive (and lifting it restores each post's own flag) without re-rendering them.
  out += p.shown_sensitive() || (author && author->sensitized()) ? ",\"sensitive\":true"
                                                                 : ",\"sensitive\":false";
  out += ",\"account\":";
  if (author) {
    AppendFragment(out, cache_.Account(core_, *author));
  } else {
    out += "null";
  }
  out += ",\"reblog\":";
  social::PostPtr original;
  if (p.is_reblog()) {
    auto it = originals_.find(p.reblog_of_id);
    original = it != originals_.end() ? it->second : core_.LoadPost(p.reblog_of_id, viewer_.memo);
  }
  if (original) {
    Append(out, original, false);
  } else {
    out += "null";
  }
  if (p.account_id == viewer_.account_id && p.application_id != kNoId) {
    if (auto app = core_.LoadApp(p.application_id)) {
      JsonWriter app_json;
      app_json.BeginObject().Field("name", app->name);
      if (app->website.empty()) {
        app_json.NullField("website");
      } else {
        app_json.Field("website", app->website);
      }
      app_json.EndObject();
      out += ",\"application\":";
      out += app_json.str();
    }
  }
  if (!viewer_.anonymous()) {
    auto flag = [&out](std::string_view key, bool value) {
      out += ",\"";
      out += key;
      out += value ? "\":true" : "\":false";
    };
    flag("favourited", favourited_.count(p.id) != 0);
    flag("reblogged", reblogged_.count(p.id) != 0);
    flag("muted", false);
    flag("bookmarked", bookmarked_.count(p.id) != 0);
    if (p.account_id == viewer_.account_id) flag("pinned", false);
    out += ",\"filtered\":[]";
  }
  if (with_source) {
    out += ",\"text\":";
    AppendJsonString(out, p.text);
  }
  out += '}';
}

void StatusWriter::AppendFragment(std::string& out, std::string_view text) {
  if (record_ != nullptr) record_->fragments.push_back({out.size(), text});
  out += text;
}

void StatusWriter::Write(JsonWriter& w, const social::PostPtr& post, bool with_source) {
  scratch_.clear();
  Append(scratch_, post, with_source);
  w.Raw(scratch_);
}

std::string StatusWriter::One(const social::PostPtr& post, bool with_source) {
  Prefetch({post});
  std::string out;
  out.reserve(2048);
  Append(out, post, with_source);
  return out;
}

void StatusWriter::PrefetchFragments(const Post& post) {
  // The first lines: the hardware prefetcher follows a copy once it runs through them.
  constexpr size_t kBytes = 512;
  post.rendered.Prefetch(kBytes);
  if (const Account* author = LoadedAuthor(post.account_id)) author->rendered.Prefetch(kBytes);
}

const social::AccountPtr* StatusWriter::LoadedAuthorPtr(Id account_id) const {
  if (auto it = accounts_.find(account_id); it != accounts_.end()) return &it->second;
  if (viewer_.memo == nullptr) return nullptr;
  auto it = viewer_.memo->accounts.find(account_id);
  return it != viewer_.memo->accounts.end() ? &it->second : nullptr;
}

const Account* StatusWriter::LoadedAuthor(Id account_id) const {
  const social::AccountPtr* owner = LoadedAuthorPtr(account_id);
  return owner != nullptr ? owner->get() : nullptr;
}

std::string StatusWriter::List(const std::vector<social::PostPtr>& posts) {
  Prefetch(posts);
  std::string out;
  out.reserve(posts.size() * 2048 + 2);
  out += '[';
  // The cached fragments of a page are seldom in the CPU cache, and copying them one after the
  // other waits for each miss in turn: start loading a few posts ahead of the one being copied.
  constexpr size_t kAhead = 2;
  for (size_t i = 0; i < std::min(kAhead, posts.size()); ++i) PrefetchFragments(*posts[i]);
  for (size_t i = 0; i < posts.size(); ++i) {
    if (i + kAhead < posts.size()) PrefetchFragments(*posts[i + kAhead]);
    if (i > 0) out += ',';
    Append(out, posts[i], false);
  }
  out += ']';
  return out;
}

namespace {
void WriteNotification(JsonWriter& w, social::Core& core, StatusWriter& statuses,
                       const social::NotificationView& n) {
  w.BeginObject();
  w.Key("id").IdString(n.notification.id);
  w.Field("type", NotificationTypeName(n.notification.type));
  WriteTime(w, "created_at", n.notification.created_at);
  w.Field("group_key", "ungrouped-" + IdToString(n.notification.id));
  w.Key("account");
  WriteAccount(w, core, *n.from);
  if (n.status) {
    w.Key("status");
    statuses.Write(w, n.status);
  }
  WriteModerationPayload(w, core, n.notification);  // moderation_warning, notice_outcome
  w.EndObject();
}
}  // namespace

std::string NotificationListJson(social::Core& core, const social::Viewer& viewer,
                                 RenderCache& cache,
                                 const std::vector<social::NotificationView>& list) {
  StatusWriter statuses(core, viewer, cache);
  std::vector<social::PostPtr> posts;
  for (const auto& n : list) {
    if (n.status) posts.push_back(n.status);
  }
  statuses.Prefetch(posts);
  JsonWriter w;
  w.BeginArray();
  for (const auto& n : list) WriteNotification(w, core, statuses, n);
  w.EndArray();
  return w.Take();
}

std::string NotificationJson(social::Core& core, const social::Viewer& viewer, RenderCache& cache,
                             const social::NotificationView& n) {
  StatusWriter statuses(core, viewer, cache);
  if (n.status) statuses.Prefetch({n.status});
  JsonWriter w;
  WriteNotification(w, core, statuses, n);
  return w.Take();
}

}  // namespace stoa::http::api
