// The frame of stoa's server-rendered HTML pages: layout, the shared stylesheet, the security
// headers every page sends, and cookie reading. Used by the pages of this module only.
#pragma once

#include <string>
#include <string_view>

#include "http/request.h"
#include "http/router.h"

namespace stoa::web {

// The path of the stylesheet every page links (no inline styles, so CSP needs no 'unsafe-inline').
inline constexpr std::string_view kStylesheetPath = "/web/style.css";

// A complete HTML document. `site_name`, `title` and `lang` are escaped here; `body_html` is
// inserted as is and must already be safe markup. An invalid `lang` falls back to "en".
std::string RenderPage(std::string_view site_name, std::string_view title, std::string_view lang,
                       std::string_view body_html);

// An HTML response with the page security headers: a strict Content-Security-Policy (nothing but
// the stylesheet loads; forms post to this site only, plus `form_action_extra`, a CSP source
// expression for the registered redirect target of an authorization form, or "" for none; no
// framing), X-Frame-Options DENY, Referrer-Policy no-referrer, nosniff and Cache-Control no-store.
http::Response HtmlPage(int status, std::string html, std::string_view form_action_extra = "");

// Adds the page security headers to an existing response (redirects).
void AddPageSecurityHeaders(http::Response& response, std::string_view form_action_extra = "");

// A CSP source expression matching the origin of `uri` ("https://app.example:8443",
// "myapp:"), or "" when `uri` has no clean origin (then nothing is added to the policy).
std::string CspSourceFor(std::string_view uri);

// The value of cookie `name` in the request's Cookie header, "" when absent.
std::string CookieValue(const http::Request& request, std::string_view name);

// Serves the stylesheet at kStylesheetPath.
void RegisterStylesheet(http::Router& router);

}  // namespace stoa::web
