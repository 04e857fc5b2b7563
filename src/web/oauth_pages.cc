#include "web/oauth_pages.h"

#include <memory>
#include <utility>
#include <vector>

#include "common/crypto.h"
#include "common/random.h"
#include "common/strings.h"
#include "http/params.h"
#include "web/page.h"
#include "web/scope_descriptions.h"

namespace stoa::web {
namespace {

constexpr std::string_view kCsrfCookie = "stoa_csrf";
constexpr std::string_view kCsrfField = "authenticity_token";
// Login attempts (right or wrong) per IP address and per login name.
constexpr RateLimit kLoginAttemptsPerIp{10, 300};
constexpr RateLimit kLoginAttemptsPerName{10, 300};
constexpr size_t kMaxLoginBytes = 320;
constexpr size_t kMaxPasswordBytes = 1024;

// The values an authorization form carries from the consent page to its post.
struct FormValues {
  social::AuthorizeRequest request;  // with the redirect URI and scopes as validated
  std::string state;
  std::string lang;
};

FormValues ReadForm(const http::Params& params) {
  FormValues f;
  auto get = [&](std::string_view key) { return params.String(key).value_or(""); };
  f.request.client_id = get("client_id");
  f.request.redirect_uri = get("redirect_uri");
  f.request.scope = get("scope");
  f.request.code_challenge = get("code_challenge");
  f.request.code_challenge_method = get("code_challenge_method");
  f.request.response_type = get("response_type");
  f.state = get("state");
  f.lang = get("lang");
  return f;
}

void AppendHidden(std::string& out, std::string_view name, std::string_view value) {
  out += "<input type=\"hidden\" name=\"";
  out += name;
  out += "\" value=\"";
  AppendHtmlEscaped(out, value);
  out += "\">\n";
}

// redirect_uri plus query parameters, joined with '?' or '&' as the URI requires.
std::string WithQuery(std::string uri,
                      const std::vector<std::pair<std::string_view, std::string>>& params) {
  char sep = uri.find('?') == std::string::npos ? '?' : '&';
  if (!uri.empty() && (uri.back() == '?' || uri.back() == '&')) sep = '\0';
  for (const auto& [key, value] : params) {
    if (sep != '\0') uri.push_back(sep);
    uri += key;
    uri.push_back('=');
    uri += UrlEncode(value);
    sep = '&';
  }
  return uri;
}

class OAuthPages {
 public:
  OAuthPages(social::OAuthService& oauth, const Config& config, http::RateLimiter& limiter)
      : oauth_(oauth), config_(config), limiter_(limiter) {}

  // GET /oauth/authorize: the login-and-consent page, or an error page for a bad request.
  http::Response Show(const http::Request& request);
  // POST /oauth/authorize: the form's decision.
  http::Response Submit(const http::Request& request);

 private:
  http::Response Page(int status, std::string_view title, std::string_view lang,
                      const std::string& body, std::string_view form_action_extra = "") const {
    return HtmlPage(status, RenderPage(config_.instance.name, title, lang, body),
                    form_action_extra);
  }
  http::Response ErrorPage(int status, std::string_view title, std::string_view message,
                           std::string_view lang = "") const;
  http::Response ConsentPage(int status, const OAuthApp& app, const ScopeSet& scopes,
                             const FormValues& form, std::string_view csrf, std::string_view login,
                             std::string_view error) const;
  http::Response InvalidRequestPage(const Status& status, std::string_view lang) const;
  // True when the login may be tried now; counts the attempt.
  bool AllowLogin(const std::string& ip, std::string_view login);

  social::OAuthService& oauth_;
  const Config& config_;
  http::RateLimiter& limiter_;
  SecureRandom random_;  // CSRF tokens must be unpredictable whatever the app's random source
};

http::Response OAuthPages::ErrorPage(int status, std::string_view title, std::string_view message,
                                     std::string_view lang) const {
  std::string body = "<section class=\"card\">\n<h1>";
  AppendHtmlEscaped(body, title);
  body += "</h1>\n<p class=\"error\" role=\"alert\">";
  AppendHtmlEscaped(body, message);
  body += "</p>\n</section>\n";
  return Page(status, title, lang, body);
}

http::Response OAuthPages::InvalidRequestPage(const Status& status, std::string_view lang) const {
  if (status.code() == StatusCode::kUnavailable || status.code() == StatusCode::kInternal) {
    return ErrorPage(503, "Temporary problem",
                     "There was a temporary problem serving your request, please try again.", lang);
  }
  auto [error, description] = social::SplitOAuthError(status);
  if (error == "invalid_client") {
    description = "The application is unknown to this server: check its client_id.";
  }
  // Never redirect here: the redirect URI may be the unregistered one.
  return ErrorPage(400, "This authorization request is invalid", description, lang);
}

http::Response OAuthPages::ConsentPage(int status, const OAuthApp& app, const ScopeSet& scopes,
                                       const FormValues& form, std::string_view csrf,
                                       std::string_view login, std::string_view error) const {
  const bool oob = form.request.redirect_uri == kOutOfBandRedirect;
  std::string b = "<section class=\"card\">\n<h1>Authorize <strong>";
  AppendHtmlEscaped(b, app.name);
  b += "</strong></h1>\n";
  if (!app.website.empty()) {
    // Shown as text only: a website is not validated and must never become a javascript: link.
    b += "<p class=\"note\">";
    AppendHtmlEscaped(b, app.website);
    b += "</p>\n";
  }
  b += "<p>This application asks for permission to:</p>\n<ul class=\"scopes\">\n";
  for (const auto& scope : scopes.scopes()) {
    b += "<li>";
    AppendHtmlEscaped(b, ScopeDescription(scope));
    b += " <code>";
    AppendHtmlEscaped(b, scope);
    b += "</code></li>\n";
  }
  b += "</ul>\n";
  if (!error.empty()) {
    b += "<p class=\"error\" role=\"alert\">";
    AppendHtmlEscaped(b, error);
    b += "</p>\n";
  }
  b += "<form method=\"post\" action=\"/oauth/authorize\">\n";
  AppendHidden(b, kCsrfField, csrf);
  AppendHidden(b, "client_id", form.request.client_id);
  AppendHidden(b, "redirect_uri", form.request.redirect_uri);
  AppendHidden(b, "scope", form.request.scope);
  AppendHidden(b, "state", form.state);
  AppendHidden(b, "response_type", form.request.response_type);
  AppendHidden(b, "code_challenge", form.request.code_challenge);
  AppendHidden(b, "code_challenge_method", form.request.code_challenge_method);
  AppendHidden(b, "lang", form.lang);
  b += "<label for=\"login\">E-mail address or username</label>\n"
       "<input type=\"text\" id=\"login\" name=\"login\" value=\"";
  AppendHtmlEscaped(b, login);
  b += "\" autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" required "
       "autofocus>\n"
       "<label for=\"password\">Password</label>\n"
       "<input type=\"password\" id=\"password\" name=\"password\" "
       "autocomplete=\"current-password\" "
       "required>\n"
       "<div class=\"actions\">\n"
       "<button type=\"submit\" name=\"decision\" value=\"approve\">Authorize</button>\n"
       "<button type=\"submit\" name=\"decision\" value=\"deny\" formnovalidate>Deny</button>\n"
       "</div>\n</form>\n<p class=\"note\">";
  if (oob) {
    b += "After you authorize, this page shows a code to copy into the application.";
  } else {
    b += "After you decide, you will be sent back to ";
    AppendHtmlEscaped(b, form.request.redirect_uri);
    b += ".";
  }
  b += "</p>\n</section>\n";
  http::Response r = Page(status, "Authorize " + app.name, form.lang, b,
                          oob ? "" : CspSourceFor(form.request.redirect_uri));
  std::string cookie =
      std::string(kCsrfCookie) + "=" + std::string(csrf) + "; Path=/oauth; HttpOnly; SameSite=Lax";
  if (config_.instance.base_url.starts_with("https://")) cookie += "; Secure";
  r.SetHeader("Set-Cookie", std::move(cookie));
  return r;
}

bool OAuthPages::AllowLogin(const std::string& ip, std::string_view login) {
  if (!config_.rate_limits.enabled) return true;
  const bool ip_ok = limiter_.Hit("login-ip:" + ip, kLoginAttemptsPerIp).allowed;
  // Hashed so that the limiter's keys stay small whatever is typed.
  const bool name_ok =
      limiter_.Hit("login:" + Sha256Hex(AsciiLower(login)), kLoginAttemptsPerName).allowed;
  return ip_ok && name_ok;
}

http::Response OAuthPages::Show(const http::Request& request) {
  auto params = http::Params::ParseQuery(request.query);
  if (!params.ok())
    return ErrorPage(400, "This authorization request is invalid", params.status().message());
  FormValues form = ReadForm(*params);
  auto validated = oauth_.ValidateAuthorize(form.request);
  if (!validated.ok()) return InvalidRequestPage(validated.status(), form.lang);
  const auto& [app, scopes] = *validated;
  if (form.request.redirect_uri.empty()) form.request.redirect_uri = app.redirect_uris.front();
  form.request.scope = scopes.ToString();
  return ConsentPage(200, app, scopes, form, RandomToken(random_), "", "");
}

http::Response OAuthPages::Submit(const http::Request& request) {
  auto params = http::Params::Parse(request);
  if (!params.ok())
    return ErrorPage(400, "This authorization request is invalid", params.status().message());
  FormValues form = ReadForm(*params);

  const std::string csrf = CookieValue(request, kCsrfCookie);
  const std::string field = params->String(kCsrfField).value_or("");
  if (csrf.empty() || field.empty() || !ConstantTimeEquals(csrf, field)) {
    return ErrorPage(403, "This form has expired",
                     "The form was not sent from this site or is out of date. Go back to the "
                     "application and start signing in again.",
                     form.lang);
  }

  auto validated = oauth_.ValidateAuthorize(form.request);
  if (!validated.ok()) return InvalidRequestPage(validated.status(), form.lang);
  const auto& [app, scopes] = *validated;
  if (form.request.redirect_uri.empty()) form.request.redirect_uri = app.redirect_uris.front();
  const std::string& redirect_uri = form.request.redirect_uri;
  const bool oob = redirect_uri == kOutOfBandRedirect;
  const std::string form_action = oob ? "" : CspSourceFor(redirect_uri);

  const std::string decision = params->String("decision").value_or("");
  if (decision == "deny") {
    if (oob) {
      std::string body =
          "<section class=\"card\">\n<h1>Access denied</h1>\n<p>You did not authorize ";
      AppendHtmlEscaped(body, app.name);
      body += ". You can close this page.</p>\n</section>\n";
      return Page(200, "Access denied", form.lang, body);
    }
    std::vector<std::pair<std::string_view, std::string>> query = {
        {"error", "access_denied"},
        {"error_description", "The resource owner or authorization server denied the request."}};
    if (!form.state.empty()) query.emplace_back("state", form.state);
    http::Response r = http::Response::Redirect(WithQuery(redirect_uri, query));
    AddPageSecurityHeaders(r, form_action);
    return r;
  }
  if (decision != "approve") {
    return ErrorPage(400, "This authorization request is invalid", "Choose Authorize or Deny.",
                     form.lang);
  }

  const std::string login(Trim(params->String("login").value_or("")));
  const std::string password = params->String("password").value_or("");
  if (!AllowLogin(request.remote_address, login)) {
    http::Response r =
        ErrorPage(429, "Too many attempts",
                  "Too many sign-in attempts. Wait a few minutes and try again.", form.lang);
    r.SetHeader("Retry-After", std::to_string(kLoginAttemptsPerIp.window_seconds));
    return r;
  }
  constexpr std::string_view kWrong = "Invalid e-mail address or password.";
  if (login.empty() || password.empty() || login.size() > kMaxLoginBytes ||
      password.size() > kMaxPasswordBytes) {
    return ConsentPage(401, app, scopes, form, csrf, login.size() > kMaxLoginBytes ? "" : login,
                       kWrong);
  }
  auto account_id = oauth_.Login(login, password);
  if (!account_id.ok()) {
    const Status& st = account_id.status();
    if (st.code() == StatusCode::kUnauthenticated) {
      return ConsentPage(401, app, scopes, form, csrf, login, kWrong);
    }
    if (st.code() == StatusCode::kPermissionDenied) {
      return ErrorPage(403, "You cannot sign in", st.message() + ".", form.lang);
    }
    return InvalidRequestPage(st, form.lang);
  }
  auto code = oauth_.IssueCode(form.request, *account_id);
  if (!code.ok()) return InvalidRequestPage(code.status(), form.lang);
  if (oob) {
    std::string body =
        "<section class=\"card\">\n<h1>Authorization code</h1>\n<p>Copy this code and "
        "paste it into ";
    AppendHtmlEscaped(body, app.name);
    body += ":</p>\n<code id=\"authorization-code\">";
    AppendHtmlEscaped(body, *code);
    body +=
        "</code>\n<p class=\"note\">The code is valid for ten minutes and can be used once.</p>\n"
        "</section>\n";
    return Page(200, "Authorization code", form.lang, body);
  }
  std::vector<std::pair<std::string_view, std::string>> query = {{"code", *code}};
  if (!form.state.empty()) query.emplace_back("state", form.state);
  http::Response r = http::Response::Redirect(WithQuery(redirect_uri, query));
  AddPageSecurityHeaders(r, form_action);
  return r;
}

}  // namespace

void RegisterOAuthPages(http::Router& router, social::OAuthService& oauth, const Config& config,
                        http::RateLimiter& limiter) {
  // Shared by the two handlers the router keeps; lives as long as the router.
  auto pages = std::make_shared<OAuthPages>(oauth, config, limiter);
  router.Add(
      http::Method::kGet, "/oauth/authorize",
      [pages](http::Request& request, const http::PathParams&) { return pages->Show(request); });
  router.Add(
      http::Method::kPost, "/oauth/authorize",
      [pages](http::Request& request, const http::PathParams&) { return pages->Submit(request); });
  RegisterStylesheet(router);
}

}  // namespace stoa::web
