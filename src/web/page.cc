#include "web/page.h"

#include <algorithm>

#include "common/strings.h"

namespace stoa::web {
namespace {

constexpr std::string_view kStylesheet = R"css(*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f2f3f5;color:#1f2329}
main{max-width:28rem;margin:3rem auto;padding:0 1rem}
header{margin-bottom:1rem;color:#5b6068;font-weight:600}
.card{background:#fff;border:1px solid #d9dce1;border-radius:8px;padding:1.5rem}
h1{font-size:1.35rem;margin:0 0 .75rem;overflow-wrap:anywhere}
p{margin:.5rem 0}
ul.scopes{padding-left:1.2rem;margin:.5rem 0 1rem}
ul.scopes code{color:#5b6068;font-size:.85em}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input[type=text],input[type=password]{width:100%;padding:.55rem;border:1px solid #b8bdc5;border-radius:6px;font:inherit}
.actions{display:flex;gap:.75rem;margin-top:1.25rem}
button{flex:1;padding:.6rem;border-radius:6px;border:1px solid #3b5bdb;font:inherit;cursor:pointer}
button[value=approve]{background:#3b5bdb;color:#fff}
button[value=deny]{background:#fff;color:#3b5bdb}
.error{background:#fff0f0;border:1px solid #e03131;color:#a51d1d;border-radius:6px;padding:.5rem .75rem}
.note{color:#5b6068;font-size:.9em;overflow-wrap:anywhere}
code#authorization-code{display:block;margin:1rem 0;padding:.75rem;background:#f2f3f5;border-radius:6px;font-size:1.1em;overflow-wrap:anywhere;user-select:all}
)css";

bool IsLanguageTag(std::string_view lang) {
  return !lang.empty() && lang.size() <= 16 && std::all_of(lang.begin(), lang.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool IsSchemeChar(char c, bool first) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (first) return alpha;
  return alpha || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.';
}

}  // namespace

std::string RenderPage(std::string_view site_name, std::string_view title, std::string_view lang,
                       std::string_view body_html) {
  std::string out;
  out.reserve(body_html.size() + 1024);
  out += "<!DOCTYPE html>\n<html lang=\"";
  AppendHtmlEscaped(out, IsLanguageTag(lang) ? lang : "en");
  out +=
      "\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"referrer\" content=\"no-referrer\">\n"
      "<meta name=\"robots\" content=\"noindex, nofollow\">\n<title>";
  AppendHtmlEscaped(out, title);
  out += " - ";
  AppendHtmlEscaped(out, site_name);
  out += "</title>\n<link rel=\"stylesheet\" href=\"";
  out += kStylesheetPath;
  out += "\">\n</head>\n<body>\n<main>\n<header>";
  AppendHtmlEscaped(out, site_name);
  out += "</header>\n";
  out += body_html;
  out += "</main>\n</body>\n</html>\n";
  return out;
}

void AddPageSecurityHeaders(http::Response& response, std::string_view form_action_extra) {
  std::string csp = "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'self'";
  // Browsers apply form-action to the redirect that answers a form post, so the registered
  // redirect target of an authorization form must be allowed too (and nothing else).
  if (!form_action_extra.empty()) {
    csp += " ";
    csp += form_action_extra;
  }
  csp += "; frame-ancestors 'none'";
  response.SetHeader("Content-Security-Policy", std::move(csp));
  response.SetHeader("X-Frame-Options", "DENY");
  response.SetHeader("Referrer-Policy", "no-referrer");
  response.SetHeader("X-Content-Type-Options", "nosniff");
  response.SetHeader("Cache-Control", "no-store");
}

http::Response HtmlPage(int status, std::string html, std::string_view form_action_extra) {
  http::Response r = http::Response::Html(status, std::move(html));
  AddPageSecurityHeaders(r, form_action_extra);
  return r;
}

std::string CspSourceFor(std::string_view uri) {
  size_t i = 0;
  while (i < uri.size() && IsSchemeChar(uri[i], i == 0)) ++i;
  if (i == 0 || i >= uri.size() || uri[i] != ':') return "";
  const std::string scheme = AsciiLower(uri.substr(0, i));
  if (scheme != "http" && scheme != "https") {
    // A custom scheme (myapp://callback): a scheme-source allows exactly that scheme.
    return scheme + ":";
  }
  std::string_view rest = uri.substr(i + 1);
  if (!rest.starts_with("//")) return "";
  rest.remove_prefix(2);
  size_t host_end = 0;
  while (host_end < rest.size() && IsHostChar(rest[host_end])) ++host_end;
  if (host_end == 0) return "";
  size_t end = host_end;
  if (end < rest.size() && rest[end] == ':') {
    size_t port_end = end + 1;
    while (port_end < rest.size() && rest[port_end] >= '0' && rest[port_end] <= '9') ++port_end;
    if (port_end == end + 1 || port_end - end - 1 > 5) return "";
    end = port_end;
  }
  if (end < rest.size() && rest[end] != '/' && rest[end] != '?') return "";  // userinfo, IPv6 ...
  return scheme + "://" + AsciiLower(rest.substr(0, end));
}

std::string CookieValue(const http::Request& request, std::string_view name) {
  for (const http::Header& h : request.headers) {
    if (!EqualsIgnoreCase(h.name, "Cookie")) continue;
    for (std::string_view part : Split(h.value, ';')) {
      part = Trim(part);
      const auto eq = part.find('=');
      if (eq == std::string_view::npos || Trim(part.substr(0, eq)) != name) continue;
      std::string_view value = Trim(part.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return std::string(value);
    }
  }
  return "";
}

void RegisterStylesheet(http::Router& router) {
  router.Add(http::Method::kGet, kStylesheetPath, [](http::Request&, const http::PathParams&) {
    http::Response r =
        http::Response::Text(200, std::string(kStylesheet), "text/css; charset=utf-8");
    r.SetHeader("Cache-Control", "public, max-age=86400");
    r.SetHeader("X-Content-Type-Options", "nosniff");
    return r;
  });
}

}  // namespace stoa::web
