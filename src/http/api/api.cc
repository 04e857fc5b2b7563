#include "http/api/api.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <optional>

#include "common/crypto.h"
#include "common/json_writer.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "safety/notice_service.h"

namespace stoa::http::api {
namespace {

constexpr std::string_view kCacheControl = "no-cache, no-store, max-age=0, must-revalidate";

std::string IsoWithMicros(Timestamp t) {
  // X-RateLimit-Reset: ISO 8601 with microseconds, as Mastodon sends it.
  std::string s = FormatIso8601(t);
  s.insert(s.size() - 1, "000");
  return s;
}

void AddRateHeaders(std::vector<Header>& headers, const RateDecision& d) {
  headers.push_back({"X-RateLimit-Limit", std::to_string(d.limit)});
  headers.push_back({"X-RateLimit-Remaining", std::to_string(d.remaining)});
  headers.push_back({"X-RateLimit-Reset", IsoWithMicros(d.reset_at)});
}

std::optional<std::string> BearerToken(const Request& request, const Params& params) {
  if (const std::string* h = request.FindHeader("Authorization")) {
    std::string_view v = Trim(*h);
    if (v.size() > 7 && EqualsIgnoreCase(v.substr(0, 7), "Bearer ")) {
      return std::string(Trim(v.substr(7)));
    }
    return std::string();  // present but not a bearer token: invalid
  }
  if (auto t = params.String("access_token")) return t;
  if (auto t = params.String("bearer_token")) return t;
  return std::nullopt;
}

}  // namespace

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kBadRequest: return 400;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kConflict: return 409;
    case StatusCode::kInvalidArgument: return 422;
    case StatusCode::kAlreadyExists: return 422;
    case StatusCode::kResourceExhausted: return 429;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

Response ErrorResponse(const Status& status) {
  const int code = HttpStatusFor(status.code());
  std::string message = status.message();
  if (status.code() == StatusCode::kInternal) {
    message = "Internal server error";  // details go to the log, not to the client
  } else if (status.code() == StatusCode::kUnavailable && message.empty()) {
    message = "There was a temporary problem serving your request, please try again";
  } else if (status.code() == StatusCode::kAlreadyExists && message.empty()) {
    message = "Duplicate record";
  } else if (status.code() == StatusCode::kResourceExhausted && message.empty()) {
    message = "Too many requests";
  }
  Response r = Response::Error(code, message);
  if (code == 401) {
    r.SetHeader("WWW-Authenticate",
                "Bearer realm=\"Doorkeeper\", error=\"invalid_token\", error_description=\"" +
                    message + "\"");
  }
  return r;
}

Result<Id> Call::PathId(std::string_view name) const {
  auto id = ParseId(path.Get(name));
  if (!id) return NotFound();
  return *id;
}

Result<storage::PageQuery> Call::Page(int default_limit, int max_limit) const {
  storage::PageQuery page;
  page.limit = default_limit;
  if (auto limit = params.String("limit"); limit && !limit->empty()) {
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), v);
    if (ec != std::errc() || ptr != limit->data() + limit->size()) {
      return BadRequest("limit must be an integer");
    }
    if (v < 0) return BadRequest("limit must not be negative");
    if (v > 0) page.limit = static_cast<int>(std::min<int64_t>(v, max_limit));
  }
  auto id_param = [&](std::string_view key, Id& out) -> Status {
    auto v = params.String(key);
    if (!v || v->empty()) return Status::Ok();
    auto id = ParseId(*v);
    if (!id) return BadRequest(std::string(key) + " must be an id");
    out = *id;
    return Status::Ok();
  };
  RETURN_IF_ERROR(id_param("max_id", page.max_id));
  RETURN_IF_ERROR(id_param("since_id", page.since_id));
  RETURN_IF_ERROR(id_param("min_id", page.min_id));
  return page;
}

void Call::SetLink(Id newest_id, Id oldest_id, int limit,
                   std::initializer_list<std::string_view> keep) {
  if (newest_id == kNoId || oldest_id == kNoId) return;
  std::string base = s.config.instance.base_url + request.path + "?";
  for (std::string_view key : keep) {
    if (const ParamValue* v = params.Find(key)) {
      if (v->is_string()) {
        base += std::string(key) + "=" + UrlEncode(v->str()) + "&";
      } else if (v->is_array()) {
        for (const auto& item : v->items()) {
          if (item.is_string()) base += std::string(key) + "%5B%5D=" + UrlEncode(item.str()) + "&";
        }
      }
    }
  }
  base += "limit=" + std::to_string(limit);
  std::string link = "<" + base + "&max_id=" + IdToString(oldest_id) + ">; rel=\"next\", <" +
                     base + "&min_id=" + IdToString(newest_id) + ">; rel=\"prev\"";
  extra_headers.push_back({"Link", std::move(link)});
}

Status Call::Throttle(const std::string& key, const RateLimit& rule) {
  if (!s.config.rate_limits.enabled) return Status::Ok();
  RateDecision d = s.rate_limiter.Hit(key, rule);
  AddRateHeaders(extra_headers, d);
  if (!d.allowed) return ResourceExhausted("Too many requests");
  return Status::Ok();
}

Api::Api(Services services) : services_(std::move(services)) {}

namespace {
// Adds a route whose answers carry the Cache-Control of every API answer (an answer given later
// gets it from Call::AnswerLater).
void AddRoute(Router& router, Method method, std::string_view pattern, bool non_blocking,
              Handler handle) {
  Handler with_header = [handle = std::move(handle)](Request& request, const PathParams& path) {
    Response r = handle(request, path);
    if (!r.later) r.SetHeader("Cache-Control", std::string(kCacheControl));
    return r;
  };
  if (non_blocking) {
    router.AddNonBlocking(method, pattern, std::move(with_header));
  } else {
    router.Add(method, pattern, std::move(with_header));
  }
}

// The request's parameters, the path's among them.
Result<Params> ParseParams(const Request& request, const PathParams& path) {
  auto params = Params::Parse(request);
  if (!params.ok()) return params.status();
  for (const auto& [name, value] : path.values) params->Set(std::string(name), value);
  return params;
}
}  // namespace

void Api::Route(Router& router, Method method, std::string_view pattern, Access access,
                std::string scope, ApiHandler handler) {
  AddRoute(router, method, pattern, /*non_blocking=*/false,
           [this, access, scope = std::move(scope), handler = std::move(handler)](
               Request& request, const PathParams& path) {
             return Handle(request, path, access, scope, handler);
           });
}

void Api::RouteNonBlocking(Router& router, Method method, std::string_view pattern, Access access,
                           std::string scope, NonBlockingApiHandler handler) {
  AddRoute(router, method, pattern, /*non_blocking=*/true,
           [this, access, scope = std::move(scope), handler = std::move(handler)](
               Request& request, const PathParams& path) {
             return HandleNonBlocking(request, path, access, scope, handler);
           });
}

void Call::AddHeaders(Response& response) {
  for (auto& h : extra_headers) response.SetHeader(h.name, std::move(h.value));
  extra_headers.clear();
}

void Call::AnswerLater(std::function<Response()> task) {
  if (!resume_) {
    // The route was reached without Request::resume (a server not told which routes are
    // non-blocking): the server answers the Later with a 500 and logs it.
    spdlog::error("api: {} answered later without a way to resume", request.route);
    return;
  }
  resume_([self = shared_from_this(), task = std::move(task)] {
    Response r = task();
    self->AddHeaders(r);
    r.SetHeader("Cache-Control", std::string(kCacheControl));
    return r;
  });
}

namespace {
std::optional<Role> StaffRoleFor(Access access) {
  switch (access) {
    case Access::kModerator: return Role::kModerator;
    case Access::kAdmin: return Role::kAdmin;
    case Access::kOwner: return Role::kOwner;
    default: return std::nullopt;
  }
}
}  // namespace

Response Api::Handle(Request& request, const PathParams& path, Access access,
                     const std::string& scope, const ApiHandler& handler) {
  auto params = ParseParams(request, path);
  if (!params.ok()) return ErrorResponse(params.status());
  Call call(request, path, std::move(params).value(), services_);
  if (auto refused = Admit(call, access, scope)) return std::move(*refused);
  Response r = handler(call);
  call.AddHeaders(r);
  return r;
}

Response Api::HandleNonBlocking(Request& request, const PathParams& path, Access access,
                                const std::string& scope, const NonBlockingApiHandler& handler) {
  auto params = ParseParams(request, path);
  if (!params.ok()) return ErrorResponse(params.status());
  auto call = std::make_shared<Call>(request, path, std::move(params).value(), services_);
  call->resume_ = request.resume;
  if (auto refused = Admit(*call, access, scope)) return std::move(*refused);
  Response r = handler(call);
  if (!r.later) call->AddHeaders(r);
  return r;
}

std::optional<Response> Api::Admit(Call& call, Access access, const std::string& scope) {
  Request& request = call.request;
  // Authentication: a token that is given must be valid, even on public endpoints.
  auto token = BearerToken(request, call.params);
  if (token && token->starts_with(safety::NoticeService::kKeyPrefix)) {
    // A priority notifier's key: the route checks it (POST /api/v1/notices); elsewhere it is no
    // token at all. Rate limited per key below.
    call.notifier_key = std::move(*token);
    token.reset();
  }
  if (token) {
    auto auth = services_.oauth.Authenticate(*token);
    if (!auth.ok()) return ErrorResponse(auth.status());
    call.auth = std::move(auth).value();
  }
  if (!call.auth && access != Access::kPublic) {
    return ErrorResponse(Unauthenticated("The access token is invalid"));
  }
  if (call.auth && !scope.empty() && !call.auth->scopes.Grants(scope) &&
      !(scope.starts_with("read:") && call.auth->scopes.Grants("profile") &&
        request.path == "/api/v1/accounts/verify_credentials")) {
    return ErrorResponse(PermissionDenied("This action is outside the authorized scopes"));
  }
  if ((access == Access::kUser || access == Access::kUserRedress) && !call.has_user()) {
    return ErrorResponse(InvalidArgument("This method requires an authenticated user"));
  }
  if (auto needed = StaffRoleFor(access)) {
    if (!call.has_user() || !AtLeast(call.auth->role, *needed)) {
      return ErrorResponse(PermissionDenied("This action is not allowed"));
    }
  }
  if (call.has_user()) {
    if ((call.auth->disabled || call.auth->suspended) && access != Access::kUserRedress) {
      return ErrorResponse(PermissionDenied("Your login is currently disabled"));
    }
    if (!call.auth->approved) {
      return ErrorResponse(PermissionDenied("Your login is currently pending approval"));
    }
    call.viewer = services_.core.MakeViewer(call.auth->account_id, call.auth->role);
  }
  if (request.method == Method::kGet || request.method == Method::kHead) {
    call.viewer.memo = &call.memo;
  }

  // Rate limits: per token when authenticated, per IP otherwise.
  if (services_.config.rate_limits.enabled) {
    const auto& limits = services_.config.rate_limits;
    RateDecision d = call.auth ? services_.rate_limiter.Hit("t:" + std::to_string(call.auth->token_id),
                                                            limits.per_token)
                     : !call.notifier_key.empty()
                         ? services_.rate_limiter.Hit("pn:" + Sha256Hex(call.notifier_key),
                                                      limits.priority_notices_per_key)
                         : services_.rate_limiter.Hit("ip:" + request.remote_address,
                                                      limits.per_ip);
    AddRateHeaders(call.extra_headers, d);
    if (!d.allowed) {
      Response r = ErrorResponse(ResourceExhausted("Too many requests"));
      for (auto& h : call.extra_headers) r.SetHeader(h.name, h.value);
      return r;
    }
  }

  return std::nullopt;
}

void Api::Register(Router& router) {
  RegisterAppRoutes(*this, router);
  RegisterAccountRoutes(*this, router);
  RegisterStatusRoutes(*this, router);
  RegisterTimelineRoutes(*this, router);
  RegisterNotificationRoutes(*this, router);
  RegisterSearchRoutes(*this, router);
  RegisterInstanceRoutes(*this, router);
  RegisterAuditRoutes(*this, router);
  RegisterTransparencyRoutes(*this, router);
  RegisterReportRoutes(*this, router);
  RegisterCaseRoutes(*this, router);
  RegisterAdminAccountRoutes(*this, router);
  RegisterAdminReportRoutes(*this, router);
  RegisterDecisionRoutes(*this, router);
  RegisterScreeningRoutes(*this, router);
}

}  // namespace stoa::http::api
