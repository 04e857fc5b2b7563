// Instance information (v1 and v2, rules, extended description, languages...), nodeinfo,
// WebFinger and host-meta, health and metrics, the default avatar, the user's preferences, and the
// endpoints common clients call for features stoa does not have yet, which answer with empty
// collections (reference section 2.2) rather than a 404.
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>

#include "common/strings.h"
#include "common/time_format.h"
#include "http/api/api.h"
#include "http/api/serializers.h"

namespace stoa::http::api {
namespace {

constexpr std::string_view kSoftwareName = "stoa";
constexpr std::string_view kSoftwareVersion = "0.1.0";
// Third-party apps gate features on a Mastodon version prefix (reference section 3).
constexpr std::string_view kMastodonVersion = "4.3.0";
// api_versions.mastodon: 2 is the 4.3 API level.
constexpr int kMastodonApiLevel = 2;
constexpr int kCharactersReservedPerUrl = 23;
constexpr int kMediaDescriptionLimit = 1500;
// How long the counted figures (users, posts, active users, contact) are reused.
constexpr auto kFiguresTtl = std::chrono::seconds(60);
constexpr std::string_view kNodeInfoSchema = "http://nodeinfo.diaspora.software/ns/schema/2.0";

struct Language {
  std::string_view code;
  std::string_view name;
};
// ISO 639-1 (from the iso-codes tables); posts accept any of these as `language`.
// clang-format off
constexpr Language kLanguages[] = {
    {"aa", "Afar"}, {"ab", "Abkhazian"}, {"ae", "Avestan"}, {"af", "Afrikaans"}, {"ak", "Akan"},
    {"am", "Amharic"}, {"an", "Aragonese"}, {"ar", "Arabic"}, {"as", "Assamese"}, {"av", "Avaric"},
    {"ay", "Aymara"}, {"az", "Azerbaijani"}, {"ba", "Bashkir"}, {"be", "Belarusian"},
    {"bg", "Bulgarian"}, {"bh", "Bihari languages"}, {"bi", "Bislama"}, {"bm", "Bambara"},
    {"bn", "Bengali"}, {"bo", "Tibetan"}, {"br", "Breton"}, {"bs", "Bosnian"}, {"ca", "Catalan"},
    {"ce", "Chechen"}, {"ch", "Chamorro"}, {"co", "Corsican"}, {"cr", "Cree"}, {"cs", "Czech"},
    {"cu", "Church Slavic"}, {"cv", "Chuvash"}, {"cy", "Welsh"}, {"da", "Danish"},
    {"de", "German"}, {"dv", "Divehi"}, {"dz", "Dzongkha"}, {"ee", "Ewe"},
    {"el", "Greek, Modern (1453-)"}, {"en", "English"}, {"eo", "Esperanto"}, {"es", "Spanish"},
    {"et", "Estonian"}, {"eu", "Basque"}, {"fa", "Persian"}, {"ff", "Fulah"}, {"fi", "Finnish"},
    {"fj", "Fijian"}, {"fo", "Faroese"}, {"fr", "French"}, {"fy", "Western Frisian"},
    {"ga", "Irish"}, {"gd", "Gaelic"}, {"gl", "Galician"}, {"gn", "Guarani"}, {"gu", "Gujarati"},
    {"gv", "Manx"}, {"ha", "Hausa"}, {"he", "Hebrew"}, {"hi", "Hindi"}, {"ho", "Hiri Motu"},
    {"hr", "Croatian"}, {"ht", "Haitian"}, {"hu", "Hungarian"}, {"hy", "Armenian"},
    {"hz", "Herero"}, {"ia", "Interlingua (International Auxiliary Language Association)"},
    {"id", "Indonesian"}, {"ie", "Interlingue"}, {"ig", "Igbo"}, {"ii", "Sichuan Yi"},
    {"ik", "Inupiaq"}, {"io", "Ido"}, {"is", "Icelandic"}, {"it", "Italian"}, {"iu", "Inuktitut"},
    {"ja", "Japanese"}, {"jv", "Javanese"}, {"ka", "Georgian"}, {"kg", "Kongo"}, {"ki", "Kikuyu"},
    {"kj", "Kuanyama"}, {"kk", "Kazakh"}, {"kl", "Kalaallisut"}, {"km", "Central Khmer"},
    {"kn", "Kannada"}, {"ko", "Korean"}, {"kr", "Kanuri"}, {"ks", "Kashmiri"}, {"ku", "Kurdish"},
    {"kv", "Komi"}, {"kw", "Cornish"}, {"ky", "Kirghiz"}, {"la", "Latin"}, {"lb", "Luxembourgish"},
    {"lg", "Ganda"}, {"li", "Limburgan"}, {"ln", "Lingala"}, {"lo", "Lao"}, {"lt", "Lithuanian"},
    {"lu", "Luba-Katanga"}, {"lv", "Latvian"}, {"mg", "Malagasy"}, {"mh", "Marshallese"},
    {"mi", "Maori"}, {"mk", "Macedonian"}, {"ml", "Malayalam"}, {"mn", "Mongolian"},
    {"mr", "Marathi"}, {"ms", "Malay"}, {"mt", "Maltese"}, {"my", "Burmese"}, {"na", "Nauru"},
    {"nb", "Bokmål, Norwegian"}, {"nd", "Ndebele, North"}, {"ne", "Nepali"}, {"ng", "Ndonga"},
    {"nl", "Dutch"}, {"nn", "Norwegian Nynorsk"}, {"no", "Norwegian"}, {"nr", "Ndebele, South"},
    {"nv", "Navajo"}, {"ny", "Chichewa"}, {"oc", "Occitan (post 1500)"}, {"oj", "Ojibwa"},
    {"om", "Oromo"}, {"or", "Oriya"}, {"os", "Ossetian"}, {"pa", "Panjabi"}, {"pi", "Pali"},
    {"pl", "Polish"}, {"ps", "Pushto"}, {"pt", "Portuguese"}, {"qu", "Quechua"}, {"rm", "Romansh"},
    {"rn", "Rundi"}, {"ro", "Romanian"}, {"ru", "Russian"}, {"rw", "Kinyarwanda"},
    {"sa", "Sanskrit"}, {"sc", "Sardinian"}, {"sd", "Sindhi"}, {"se", "Northern Sami"},
    {"sg", "Sango"}, {"si", "Sinhala"}, {"sk", "Slovak"}, {"sl", "Slovenian"}, {"sm", "Samoan"},
    {"sn", "Shona"}, {"so", "Somali"}, {"sq", "Albanian"}, {"sr", "Serbian"}, {"ss", "Swati"},
    {"st", "Sotho, Southern"}, {"su", "Sundanese"}, {"sv", "Swedish"}, {"sw", "Swahili"},
    {"ta", "Tamil"}, {"te", "Telugu"}, {"tg", "Tajik"}, {"th", "Thai"}, {"ti", "Tigrinya"},
    {"tk", "Turkmen"}, {"tl", "Tagalog"}, {"tn", "Tswana"}, {"to", "Tonga (Tonga Islands)"},
    {"tr", "Turkish"}, {"ts", "Tsonga"}, {"tt", "Tatar"}, {"tw", "Twi"}, {"ty", "Tahitian"},
    {"ug", "Uighur"}, {"uk", "Ukrainian"}, {"ur", "Urdu"}, {"uz", "Uzbek"}, {"ve", "Venda"},
    {"vi", "Vietnamese"}, {"vo", "Volapük"}, {"wa", "Walloon"}, {"wo", "Wolof"}, {"xh", "Xhosa"},
    {"yi", "Yiddish"}, {"yo", "Yoruba"}, {"za", "Zhuang"}, {"zh", "Chinese"}, {"zu", "Zulu"},
};
// clang-format on

// A 1x1 transparent PNG for accounts without an avatar or header ("missing.png").
constexpr unsigned char kMissingPng[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
    0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
    0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78,
    0x9c, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

Response MissingPng(Request&, const PathParams&) {
  Response r;
  r.content_type = "image/png";
  r.body.assign(reinterpret_cast<const char*>(kMissingPng), sizeof kMissingPng);
  r.SetHeader("Cache-Control", "public, max-age=86400");
  return r;
}

// Counted figures, reused for kFiguresTtl: counting every account and post scans whole tables,
// and clients fetch the instance on every start. Thread-safe.
class InstanceFigures {
 public:
  struct Figures {
    int64_t users = 0;
    int64_t local_posts = 0;
    int64_t active_month = 0;
    int64_t active_halfyear = 0;
    Id contact_id = kNoId;  // the first owner, kNoId when none
  };

  Figures Get(social::Core& core) {
    const Timestamp now = core.Now();
    std::lock_guard<std::mutex> lock(mu_);
    if (figures_ && now - computed_at_ < kFiguresTtl) return *figures_;
    auto read = core.storage().Read();
    Figures f;
    f.users = read->accounts().Count();
    f.local_posts = read->posts().Count();
    f.active_month = read->accounts().CountActiveSince(now - std::chrono::days(30));
    f.active_halfyear = read->accounts().CountActiveSince(now - std::chrono::days(180));
    if (auto owner = read->accounts().FindOldestWithRole(Role::kOwner); owner.ok()) {
      f.contact_id = owner->id;
    }
    figures_ = f;
    computed_at_ = now;
    return f;
  }

 private:
  std::mutex mu_;
  // Guarded by mu_.
  std::optional<Figures> figures_;
  Timestamp computed_at_;
};

// What every instance handler needs besides the call.
struct InstanceContext {
  InstanceFigures figures;
  Timestamp started_at;  // the configuration (descriptions) is in effect since then
};

std::string VersionString() {
  return std::string(kMastodonVersion) + " (compatible; " + std::string(kSoftwareName) + " " +
         std::string(kSoftwareVersion) + ")";
}

// The WebSocket URL of the streaming API: the base URL with ws(s) for http(s).
std::string StreamingUrl(const std::string& base_url) {
  if (base_url.starts_with("https://")) return "wss://" + base_url.substr(8);
  if (base_url.starts_with("http://")) return "ws://" + base_url.substr(7);
  return base_url;
}

// The owner account shown as the contact, loaded fresh (cached by Core); null when none or
// suspended.
social::AccountPtr ContactAccount(social::Core& core, Id contact_id) {
  if (contact_id == kNoId) return nullptr;
  social::AccountPtr account = core.LoadAccount(contact_id);
  return account && !account->suspended() ? account : nullptr;
}

void WriteRules(JsonWriter& w, social::Core& core) {
  std::vector<InstanceRule> rules;
  {
    auto read = core.storage().Read();
    rules = read->rules().List();
  }
  w.BeginArray();
  for (const auto& rule : rules) WriteRule(w, rule);
  w.EndArray();
}

void WriteLanguages(JsonWriter& w, const Config& config) {
  w.BeginArray();
  for (const auto& language : config.instance.languages) w.String(language);
  w.EndArray();
}

// configuration{accounts, statuses, media_attachments, polls}, shared by v1 and v2. Media,
// polls, pins and featured tags are not supported, and the limits say so.
void WriteLimits(JsonWriter& w, const Config& config, bool v2) {
  w.Key("accounts")
      .BeginObject()
      .Field("max_featured_tags", 0)
      .Field("max_pinned_statuses", 0)
      .EndObject();
  w.Key("statuses")
      .BeginObject()
      .Field("max_characters", config.instance.max_status_chars)
      .Field("max_media_attachments", 0)
      .Field("characters_reserved_per_url", kCharactersReservedPerUrl)
      .EndObject();
  w.Key("media_attachments").BeginObject();
  w.Key("supported_mime_types").BeginArray().EndArray();
  if (v2) w.Field("description_limit", kMediaDescriptionLimit);
  w.Field("image_size_limit", 0)
      .Field("image_matrix_limit", 0)
      .Field("video_size_limit", 0)
      .Field("video_frame_rate_limit", 0)
      .Field("video_matrix_limit", 0)
      .EndObject();
  w.Key("polls")
      .BeginObject()
      .Field("max_options", 0)
      .Field("max_characters_per_option", 0)
      .Field("min_expiration", 0)
      .Field("max_expiration", 0)
      .EndObject();
}

Response InstanceV1(Call& c, InstanceContext& ctx) {
  const Config& config = c.s.config;
  social::Core& core = c.s.core;
  const auto figures = ctx.figures.Get(core);
  JsonWriter w;
  w.BeginObject();
  w.Field("uri", core.host());
  w.Field("title", config.instance.name);
  w.Field("short_description", config.instance.description);
  w.Field("description", config.instance.description);
  w.Field("email", config.instance.contact_email);
  w.Field("version", VersionString());
  w.Key("urls")
      .BeginObject()
      .Field("streaming_api", StreamingUrl(config.instance.base_url))
      .EndObject();
  w.Key("stats")
      .BeginObject()
      .Field("user_count", figures.users)
      .Field("status_count", figures.local_posts)
      .Field("domain_count", 0)
      .EndObject();
  w.NullField("thumbnail");
  w.Key("languages");
  WriteLanguages(w, config);
  w.Field("registrations", config.instance.registrations != Registrations::kClosed);
  w.Field("approval_required", config.instance.registrations == Registrations::kApproval);
  w.Field("invites_enabled", false);
  w.Key("configuration").BeginObject();
  WriteLimits(w, config, false);
  w.EndObject();
  w.Key("contact_account");
  if (auto contact = ContactAccount(core, figures.contact_id)) {
    WriteAccount(w, core, *contact);
  } else {
    w.Null();
  }
  w.Key("rules");
  WriteRules(w, core);
  w.EndObject();
  return Ok(w.Take());
}

Response InstanceV2(Call& c, InstanceContext& ctx) {
  const Config& config = c.s.config;
  social::Core& core = c.s.core;
  const std::string& base = config.instance.base_url;
  const auto figures = ctx.figures.Get(core);
  JsonWriter w;
  w.BeginObject();
  w.Field("domain", core.host());
  w.Field("title", config.instance.name);
  w.Field("version", VersionString());
  // stoa has no public repository address yet; the instance itself is the honest answer.
  w.Field("source_url", base);
  w.Field("description", config.instance.description);
  w.Key("usage")
      .BeginObject()
      .Key("users")
      .BeginObject()
      .Field("active_month", figures.active_month)
      .EndObject()
      .EndObject();
  w.Key("thumbnail").BeginObject().Field("url", AvatarUrl(core)).EndObject();
  w.Key("icon").BeginArray().EndArray();
  w.Key("languages");
  WriteLanguages(w, config);
  w.Key("configuration").BeginObject();
  w.Key("urls")
      .BeginObject()
      .Field("streaming", StreamingUrl(base))
      .NullField("status")
      .Field("about", base + "/about")
      .NullField("privacy_policy")
      .NullField("terms_of_service")
      .EndObject();
  w.Key("vapid").BeginObject().Field("public_key", "").EndObject();
  WriteLimits(w, config, true);
  w.Key("translation").BeginObject().Field("enabled", false).EndObject();
  w.Field("limited_federation", false);
  w.Key("timelines_access").BeginObject();
  for (const char* feed : {"live_feeds", "hashtag_feeds", "trending_link_feeds"}) {
    w.Key(feed).BeginObject().Field("local", "public").Field("remote", "public").EndObject();
  }
  w.EndObject();
  w.EndObject();  // configuration
  w.Key("registrations")
      .BeginObject()
      .Field("enabled", config.instance.registrations != Registrations::kClosed)
      .Field("approval_required", config.instance.registrations == Registrations::kApproval)
      .NullField("message")
      .NullField("min_age")
      .Field("reason_required", false)
      .NullField("url")
      .EndObject();
  w.Key("api_versions").BeginObject().Field("mastodon", kMastodonApiLevel).EndObject();
  w.Key("contact").BeginObject().Field("email", config.instance.contact_email);
  w.Key("account");
  if (auto contact = ContactAccount(core, figures.contact_id)) {
    WriteAccount(w, core, *contact);
  } else {
    w.Null();
  }
  w.EndObject();
  w.Key("rules");
  WriteRules(w, core);
  w.EndObject();
  return Ok(w.Take());
}

Response Rules(Call& c) {
  JsonWriter w;
  WriteRules(w, c.s.core);
  return Ok(w.Take());
}

Response ExtendedDescription(Call& c, InstanceContext& ctx) {
  JsonWriter w;
  w.BeginObject();
  w.Field("updated_at", FormatIso8601(ctx.started_at));
  w.Field("content", "<p>" + HtmlEscape(c.s.config.instance.description) + "</p>");
  w.EndObject();
  return Ok(w.Take());
}

Response Languages(Call&) {
  JsonWriter w;
  w.BeginArray();
  for (const auto& language : kLanguages) {
    w.BeginObject().Field("code", language.code).Field("name", language.name).EndObject();
  }
  w.EndArray();
  return Ok(w.Take());
}

// The user's posting and reading defaults (GET /api/v1/preferences).
Response Preferences(Call& c) {
  auto user = c.s.accounts.GetUser(c.viewer.account_id);
  if (!user.ok()) return ErrorResponse(user.status());
  JsonWriter w;
  w.BeginObject();
  w.Field("posting:default:visibility", VisibilityName(user->default_visibility));
  w.Field("posting:default:sensitive", user->default_sensitive);
  w.Field("posting:default:language", user->default_language);
  w.Field("reading:expand:media", "default");
  w.Field("reading:expand:spoilers", false);
  w.Field("reading:autoplay:gifs", false);
  w.EndObject();
  return Ok(w.Take());
}

Response EmptyList(Call&) { return Ok("[]"); }
Response EmptyObject(Call&) { return Empty(); }
Response RecordNotFound(Call&) { return ErrorResponse(NotFound()); }

// --- Discovery documents outside the API (no token handling; cacheable).

Response JsonDocument(std::string body,
                      std::string content_type = "application/json; charset=utf-8") {
  Response r = Response::Json(200, std::move(body));
  r.content_type = std::move(content_type);
  r.SetHeader("Cache-Control", "public, max-age=1800");
  r.SetHeader("Access-Control-Allow-Origin", "*");
  return r;
}

Response NodeInfoLinks(const Config& config) {
  JsonWriter w;
  w.BeginObject().Key("links").BeginArray();
  w.BeginObject()
      .Field("rel", kNodeInfoSchema)
      .Field("href", config.instance.base_url + "/nodeinfo/2.0")
      .EndObject();
  w.EndArray().EndObject();
  return JsonDocument(w.Take());
}

// NodeInfo 2.0. megalodon's detector accepts any software name when metadata.upstream.name is
// "mastodon". stoa does not federate, so it lists no protocols.
Response NodeInfo(Services& s, InstanceContext& ctx) {
  const auto figures = ctx.figures.Get(s.core);
  JsonWriter w;
  w.BeginObject();
  w.Field("version", "2.0");
  w.Key("software")
      .BeginObject()
      .Field("name", kSoftwareName)
      .Field("version", kSoftwareVersion)
      .EndObject();
  w.Key("protocols").BeginArray().EndArray();
  w.Key("services").BeginObject();
  w.Key("inbound").BeginArray().EndArray();
  w.Key("outbound").BeginArray().EndArray();
  w.EndObject();
  w.Key("usage").BeginObject();
  w.Key("users")
      .BeginObject()
      .Field("total", figures.users)
      .Field("activeMonth", figures.active_month)
      .Field("activeHalfyear", figures.active_halfyear)
      .EndObject();
  w.Field("localPosts", figures.local_posts);
  w.EndObject();
  w.Field("openRegistrations", s.config.instance.registrations == Registrations::kOpen);
  w.Key("metadata").BeginObject();
  w.Field("nodeName", s.config.instance.name);
  w.Field("nodeDescription", s.config.instance.description);
  w.Key("upstream")
      .BeginObject()
      .Field("name", "mastodon")
      .Field("version", kMastodonVersion)
      .EndObject();
  w.EndObject();
  w.EndObject();
  return JsonDocument(w.Take(), "application/json; profile=\"" + std::string(kNodeInfoSchema) +
                                    "#\"; charset=utf-8");
}

// WebFinger (RFC 7033) for local accounts: acct:user@host, user@host or the profile URL.
Response WebFinger(Services& s, Request& request) {
  auto params = Params::ParseQuery(request.query);
  if (!params.ok()) return ErrorResponse(params.status());
  std::string resource(Trim(params->String("resource").value_or("")));
  if (resource.empty())
    return ErrorResponse(BadRequest("param is missing or the value is empty: resource"));
  social::Core& core = s.core;
  std::string username;
  const std::string profile_prefix = core.settings().base_url + "/@";
  if (resource.starts_with(profile_prefix)) {
    username = resource.substr(profile_prefix.size());
  } else {
    std::string_view acct = resource;
    if (acct.starts_with("acct:")) acct.remove_prefix(5);
    if (!acct.empty() && acct.front() == '@') acct.remove_prefix(1);
    const auto at = acct.rfind('@');
    if (at == std::string_view::npos || !EqualsIgnoreCase(acct.substr(at + 1), core.host())) {
      return ErrorResponse(NotFound());
    }
    username = std::string(acct.substr(0, at));
  }
  if (!IsValidUsername(username)) return ErrorResponse(NotFound());
  Result<Account> account = NotFound();
  {
    auto read = core.storage().Read();
    account = read->accounts().FindByUsername(username);
  }
  if (!account.ok() || account->suspended()) return ErrorResponse(NotFound());
  const std::string profile = core.ProfileUrl(account->username);
  JsonWriter w;
  w.BeginObject();
  w.Field("subject", "acct:" + account->username + "@" + core.host());
  w.Key("aliases").BeginArray().String(profile).EndArray();
  w.Key("links").BeginArray();
  w.BeginObject()
      .Field("rel", "http://webfinger.net/rel/profile-page")
      .Field("type", "text/html")
      .Field("href", profile)
      .EndObject();
  w.EndArray();
  w.EndObject();
  return JsonDocument(w.Take(), "application/jrd+json; charset=utf-8");
}

Response HostMeta(const Config& config) {
  std::string body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n"
      "  <Link rel=\"lrdd\" template=\"" +
      HtmlEscape(config.instance.base_url) + "/.well-known/webfinger?resource={uri}\"/>\n</XRD>\n";
  Response r = Response::Text(200, std::move(body), "application/xrd+xml; charset=utf-8");
  r.SetHeader("Cache-Control", "public, max-age=1800");
  return r;
}

}  // namespace

void RegisterInstanceRoutes(Api& api, Router& r) {
  using A = Access;
  Services& s = api.services();
  // Shared by the handlers below, which the router owns; lives as long as the longest of them.
  auto ctx = std::make_shared<InstanceContext>();
  ctx->started_at = s.core.Now();

  r.Add(Method::kGet, "/health", [&s](Request&, const PathParams&) {
    auto read = s.core.storage().Read();
    // A primary-key probe: proves the database answers without reading a table.
    (void)read->accounts().Get(kNoId);
    return Response::Json(200, R"({"status":"ok"})");
  });
  // The streaming API is served by this host (see streaming.cc): its health is ours.
  r.Add(Method::kGet, "/api/v1/streaming/health", [](Request&, const PathParams&) {
    return Response::Text(200, "OK", "text/plain; charset=utf-8");
  });
  r.Add(Method::kGet, "/metrics", [&s](Request&, const PathParams&) {
    return Response::Text(200, s.metrics ? s.metrics->Render() : std::string(),
                          "text/plain; version=0.0.4; charset=utf-8");
  });
  r.Add(Method::kGet, "/avatars/original/missing.png", MissingPng);
  r.Add(Method::kGet, "/headers/original/missing.png", MissingPng);

  // Discovery.
  r.Add(Method::kGet, "/.well-known/nodeinfo",
        [&s](Request&, const PathParams&) { return NodeInfoLinks(s.config); });
  r.Add(Method::kGet, "/nodeinfo/2.0",
        [&s, ctx](Request&, const PathParams&) { return NodeInfo(s, *ctx); });
  r.Add(Method::kGet, "/.well-known/webfinger",
        [&s](Request& request, const PathParams&) { return WebFinger(s, request); });
  r.Add(Method::kGet, "/.well-known/host-meta",
        [&s](Request&, const PathParams&) { return HostMeta(s.config); });

  // Instance information.
  auto with_ctx = [ctx](Response (*fn)(Call&, InstanceContext&)) {
    return [ctx, fn](Call& c) { return fn(c, *ctx); };
  };
  api.Route(r, Method::kGet, "/api/v1/instance", A::kPublic, "", with_ctx(InstanceV1));
  api.Route(r, Method::kGet, "/api/v2/instance", A::kPublic, "", with_ctx(InstanceV2));
  api.Route(r, Method::kGet, "/api/v1/instance/rules", A::kPublic, "", Rules);
  api.Route(r, Method::kGet, "/api/v1/instance/peers", A::kPublic, "", EmptyList);
  // Weekly logins are not recorded, so stoa publishes no activity figures rather than made-up ones.
  api.Route(r, Method::kGet, "/api/v1/instance/activity", A::kPublic, "", EmptyList);
  api.Route(r, Method::kGet, "/api/v1/instance/domain_blocks", A::kPublic, "", EmptyList);
  api.Route(r, Method::kGet, "/api/v1/instance/extended_description", A::kPublic, "",
            with_ctx(ExtendedDescription));
  // Neither document is configurable yet; Mastodon answers 404 when there is none.
  api.Route(r, Method::kGet, "/api/v1/instance/privacy_policy", A::kPublic, "", RecordNotFound);
  api.Route(r, Method::kGet, "/api/v1/instance/terms_of_service", A::kPublic, "", RecordNotFound);
  api.Route(r, Method::kGet, "/api/v1/instance/terms_of_service/:date", A::kPublic, "",
            RecordNotFound);
  api.Route(r, Method::kGet, "/api/v1/instance/translation_languages", A::kPublic, "", EmptyObject);
  api.Route(r, Method::kGet, "/api/v1/instance/languages", A::kPublic, "", Languages);

  api.Route(r, Method::kGet, "/api/v1/preferences", A::kUser, "read:accounts", Preferences);

  // Features stoa does not have yet: empty collections, as the reference asks (section 2.2).
  struct Stub {
    Method method;
    const char* path;
    Access access;
    const char* scope;
    ApiHandler handler;
  };
  const Stub stubs[] = {
      {Method::kGet, "/api/v1/custom_emojis", A::kPublic, "", EmptyList},
      {Method::kGet, "/api/v1/filters", A::kUser, "read:filters", EmptyList},
      {Method::kGet, "/api/v2/filters", A::kUser, "read:filters", EmptyList},
      {Method::kGet, "/api/v1/lists", A::kUser, "read:lists", EmptyList},
      {Method::kGet, "/api/v1/lists/:id", A::kUser, "read:lists", RecordNotFound},
      {Method::kGet, "/api/v1/announcements", A::kUser, "read", EmptyList},
      {Method::kGet, "/api/v1/trends", A::kPublic, "", EmptyList},
      {Method::kGet, "/api/v1/trends/tags", A::kPublic, "", EmptyList},
      {Method::kGet, "/api/v1/trends/statuses", A::kPublic, "", EmptyList},
      {Method::kGet, "/api/v1/trends/links", A::kPublic, "", EmptyList},
      {Method::kGet, "/api/v1/conversations", A::kUser, "read:statuses", EmptyList},
      {Method::kGet, "/api/v1/suggestions", A::kUser, "read", EmptyList},
      {Method::kGet, "/api/v2/suggestions", A::kUser, "read", EmptyList},
      {Method::kGet, "/api/v1/domain_blocks", A::kUser, "read:blocks", EmptyList},
      {Method::kGet, "/api/v1/scheduled_statuses", A::kUser, "read:statuses", EmptyList},
      {Method::kGet, "/api/v1/featured_tags", A::kUser, "read:accounts", EmptyList},
      {Method::kGet, "/api/v1/featured_tags/suggestions", A::kUser, "read:accounts", EmptyList},
      {Method::kGet, "/api/v1/endorsements", A::kUser, "read:accounts", EmptyList},
      // No Web Push: there is never a subscription to show; removing none succeeds.
      {Method::kGet, "/api/v1/push/subscription", A::kUser, "push", RecordNotFound},
      {Method::kDelete, "/api/v1/push/subscription", A::kUser, "push", EmptyObject},
  };
  for (const auto& stub : stubs)
    api.Route(r, stub.method, stub.path, stub.access, stub.scope, stub.handler);
}

}  // namespace stoa::http::api
