#include "http/api/admin_entities.h"

#include "common/strings.h"
#include "common/time_format.h"
#include "http/api/serializers.h"

namespace stoa::http::api {

Account EffectiveAccount(const Account& account, Timestamp now) {
  Account a = account;
  if (a.SuspensionExpired(now)) {
    a.suspended_at.reset();
    a.suspended_until.reset();
  }
  return a;
}

void WriteAdminAccount(JsonWriter& w, social::Core& core, const Account& in, const User* user,
                       Timestamp now) {
  const Account a = EffectiveAccount(in, now);
  w.BeginObject();
  w.Key("id").IdString(a.id);
  w.Field("username", a.username);
  w.NullField("domain");
  w.Field("created_at", FormatIso8601(a.created_at));
  w.Field("email", user ? user->email : std::string());
  if (user && !user->sign_up_ip.empty()) {
    w.Field("ip", user->sign_up_ip);
    w.Key("ips").BeginArray();
    w.BeginObject().Field("ip", user->sign_up_ip).Field("used_at", FormatIso8601(user->created_at));
    w.EndObject();
    w.EndArray();
  } else {
    w.NullField("ip");
    w.Key("ips").BeginArray().EndArray();
  }
  w.Field("locale", user ? user->locale : std::string("en"));
  if (user && !user->sign_up_reason.empty()) {
    w.Field("invite_request", user->sign_up_reason);
  } else {
    w.NullField("invite_request");
  }
  w.Key("role");
  WriteRole(w, user ? user->role : Role::kMember);
  w.Field("confirmed", user != nullptr && user->confirmed);
  w.Field("approved", user != nullptr && user->approved);
  w.Field("disabled", user != nullptr && user->disabled);
  w.Field("sensitized", a.sensitized());
  w.Field("silenced", a.silenced());
  w.Field("suspended", a.suspended());
  // stoa: when a timed suspension ends (null: indefinite or not suspended).
  if (a.suspended() && a.suspended_until) {
    w.Field("suspended_until", FormatIso8601(*a.suspended_until));
  } else {
    w.NullField("suspended_until");
  }
  w.Key("account").Raw(AccountJson(core, a));
  w.EndObject();
}

void SetAdminLink(Call& c, Id newest, Id oldest, int limit, size_t count,
                  std::initializer_list<std::string_view> keep) {
  if (count == 0 || newest == kNoId || oldest == kNoId) return;
  std::string base = c.s.config.instance.base_url + c.request.path + "?";
  for (std::string_view key : keep) {
    const ParamValue* v = c.params.Find(key);
    if (v == nullptr) continue;
    if (v->is_string()) {
      base += std::string(key) + "=" + UrlEncode(v->str()) + "&";
    } else if (v->is_array()) {
      for (const auto& item : v->items()) {
        if (item.is_string()) base += std::string(key) + "%5B%5D=" + UrlEncode(item.str()) + "&";
      }
    }
  }
  base += "limit=" + std::to_string(limit);
  std::string link;
  if (count >= static_cast<size_t>(limit)) {
    link = "<" + base + "&max_id=" + IdToString(oldest) + ">; rel=\"next\", ";
  }
  link += "<" + base + "&min_id=" + IdToString(newest) + ">; rel=\"prev\"";
  c.extra_headers.push_back({"Link", std::move(link)});
}

bool MayActOn(Role actor, Id actor_id, Role target, Id target_id) {
  if (actor_id == target_id) return false;
  return static_cast<int>(actor) > static_cast<int>(target);
}

}  // namespace stoa::http::api
