// The Mastodon client API (and stoa's additions): route registration, authentication, scopes,
// rate limits, parameters and error mapping for every endpoint, in one place.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/config.h"
#include "common/status.h"
#include "http/metrics.h"
#include "http/params.h"
#include "http/rate_limiter.h"
#include "http/request.h"
#include "http/router.h"
#include "social/account_service.h"
#include "social/core.h"
#include "social/notification_service.h"
#include "social/oauth_service.h"
#include "social/post_service.h"
#include "social/relationship_service.h"
#include "social/search_service.h"
#include "social/timeline_service.h"
#include "storage/page.h"

namespace stoa::safety {
class NoticeService;
class CaseService;
class DecisionService;
class AppealService;
class WarningPresets;
class RoleChanges;
class ScreeningService;
class ScreeningRescan;
class Campaigns;
}  // namespace stoa::safety

namespace stoa::http::api {

class RenderCache;
class HomePageCache;

// The use cases the API calls. Owned by the application; outlive the Api.
struct Services {
  const Config& config;
  social::Core& core;
  social::AccountService& accounts;
  social::RelationshipService& relationships;
  social::PostService& posts;
  social::TimelineService& timelines;
  social::NotificationService& notifications;
  social::SearchService& search;
  social::OAuthService& oauth;
  RateLimiter& rate_limiter;
  RenderCache& render_cache;
  Metrics* metrics = nullptr;  // for /metrics; may be null
  // Rendered first pages of home timelines; null: none kept.
  HomePageCache* home_pages = nullptr;
  // Trust and safety: notices and reports, cases (report_routes.cc, case_routes.cc). Set by the
  // application after construction; the routes answer 503 while they are null.
  safety::NoticeService* notices = nullptr;
  safety::CaseService* cases = nullptr;
  // Decisions, statements and appeals (decision_routes.cc), the admin API's account actions and
  // warning presets (admin_account_routes.cc) and the owners' role changes.
  safety::DecisionService* decisions = nullptr;
  safety::AppealService* appeals = nullptr;
  safety::WarningPresets* warning_presets = nullptr;
  safety::RoleChanges* roles = nullptr;
  // Screening administration (screening_routes.cc); null when screening.enabled is off (503).
  safety::ScreeningService* screening = nullptr;
  // Retroaction's background job (POST/GET /api/v1/admin/screening/rescan); null with screening.
  safety::ScreeningRescan* rescan = nullptr;
  // The campaign index (safety/campaigns.h): told when a report is resolved without a decision.
  safety::Campaigns* campaigns = nullptr;
};

// Who may call an endpoint.
enum class Access {
  kPublic,  // no token needed; a given token is still checked and identifies the viewer
  kToken,   // an app or user token
  kUser,    // a user token (app-only tokens get 422)
  // Staff: a user token whose account has at least this role. Members and app-only tokens get
  // 403 {"error": "This action is not allowed"} (Mastodon's answer on its admin API).
  kModerator,
  kAdmin,
  kOwner,
  // A user token, also one of a suspended or disabled account (app-only tokens get 422): the
  // redress routes (statements of reasons, appeals), so that a member can still read why they
  // were restricted and contest it (DSA Art. 17, 20).
  kUserRedress,
};

// One API call in progress: the request, its parameters and the authenticated viewer.
class Call : public std::enable_shared_from_this<Call> {
 public:
  Call(Request& request, PathParams path, Params params, Services& services)
      : request(request), path(std::move(path)), params(std::move(params)), s(services) {}

  Request& request;  // the connection's; valid until the answer is sent
  const PathParams path;
  Params params;
  Services& s;
  std::shared_ptr<const social::AuthInfo> auth;  // null when no token was given
  // A priority notifier's API key given as the bearer token ("stoa_pn_..."; not an OAuth token,
  // so `auth` stays null); only POST /api/v1/notices accepts it, after checking it.
  std::string notifier_key;
  social::Viewer viewer;
  social::RequestMemo memo;  // used by read-only requests (GET, HEAD) and status creation
  // Response headers the route wrapper adds (rate limits, Link).
  std::vector<Header> extra_headers;

  // The path parameter as an id; kNotFound when it is not one.
  Result<Id> PathId(std::string_view name = "id") const;
  // Parses max_id / since_id / min_id / limit (clamped to 2 x default, at most `max_limit`).
  Result<storage::PageQuery> Page(int default_limit, int max_limit) const;
  // A scalar param, "" when absent.
  std::string Str(std::string_view key) const { return params.String(key).value_or(""); }
  // Sets the Link header for a page whose items span [newest_id, oldest_id]; none when empty.
  // `keep` names query parameters to repeat in the links (filters).
  void SetLink(Id newest_id, Id oldest_id, int limit, std::initializer_list<std::string_view> keep = {});
  bool has_user() const { return auth && auth->account_id != kNoId; }
  // Counts one hit against an extra limit (registrations per IP, deletes per account); sets the
  // X-RateLimit headers and returns kResourceExhausted when over.
  Status Throttle(const std::string& key, const RateLimit& rule);
  // A route added with Api::RouteNonBlocking (the call is then owned by a shared_ptr): answers
  // with what `task` returns, with this call's headers; `task` runs on the connection's thread.
  // Call at most once, from any thread, after the handler returned Response::Later().
  void AnswerLater(std::function<Response()> task);
  // The route's headers on an answer: extra_headers (rate limits, Link) and Cache-Control.
  void AddHeaders(Response& response);

 private:
  friend class Api;
  ResumeRequest resume_;  // the request's, for AnswerLater
};

using ApiHandler = std::function<Response(Call&)>;
// A handler that never blocks (Router::AddNonBlocking): it may return Response::Later() and
// answer through Call::AnswerLater, keeping the call alive through the shared_ptr meanwhile.
using NonBlockingApiHandler = std::function<Response(const std::shared_ptr<Call>&)>;

// Maps a Status to the HTTP status and {"error": ...} body of the Mastodon API.
Response ErrorResponse(const Status& status);
int HttpStatusFor(StatusCode code);
// 200 with the JSON body.
inline Response Ok(std::string json) { return Response::Json(200, std::move(json)); }
// 200 {}.
inline Response Empty() { return Response::Json(200, "{}"); }

class Api {
 public:
  explicit Api(Services services);

  // Registers every route of the API on `router`.
  void Register(Router& router);

  // Registers one route: parameters, authentication, scope, user state and rate limiting are
  // handled here before `handler` runs. `scope` "" means none is checked.
  void Route(Router& router, Method method, std::string_view pattern, Access access,
             std::string scope, ApiHandler handler);
  // The same for a handler that never waits for the database's writer (see Call::AnswerLater):
  // it runs on the connection's io thread and holds no thread while its write becomes durable.
  void RouteNonBlocking(Router& router, Method method, std::string_view pattern, Access access,
                        std::string scope, NonBlockingApiHandler handler);

  Services& services() { return services_; }

 private:
  Response Handle(Request& request, const PathParams& path, Access access,
                  const std::string& scope, const ApiHandler& handler);
  Response HandleNonBlocking(Request& request, const PathParams& path, Access access,
                             const std::string& scope, const NonBlockingApiHandler& handler);
  // Authentication, scope, role, the user's state and the rate limit: the answer when the call
  // may not go on.
  std::optional<Response> Admit(Call& call, Access access, const std::string& scope);

  Services services_;
};

// Route groups, one file each (api/*_routes.cc).
void RegisterAppRoutes(Api& api, Router& router);
void RegisterAccountRoutes(Api& api, Router& router);
void RegisterStatusRoutes(Api& api, Router& router);
void RegisterTimelineRoutes(Api& api, Router& router);
void RegisterNotificationRoutes(Api& api, Router& router);
void RegisterSearchRoutes(Api& api, Router& router);
void RegisterInstanceRoutes(Api& api, Router& router);
void RegisterAuditRoutes(Api& api, Router& router);
void RegisterTransparencyRoutes(Api& api, Router& router);
void RegisterReportRoutes(Api& api, Router& router);
void RegisterCaseRoutes(Api& api, Router& router);
void RegisterAdminAccountRoutes(Api& api, Router& router);
void RegisterAdminReportRoutes(Api& api, Router& router);
void RegisterDecisionRoutes(Api& api, Router& router);
void RegisterScreeningRoutes(Api& api, Router& router);

}  // namespace stoa::http::api
