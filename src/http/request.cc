#include "http/request.h"

#include "common/json_writer.h"
#include "common/strings.h"

namespace stoa::http {

namespace {

const std::string* FindIn(const std::vector<Header>& headers, std::string_view name) {
  for (const Header& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) return &h.value;
  }
  return nullptr;
}

}  // namespace

std::string_view MethodName(Method m) {
  switch (m) {
    case Method::kGet:
      return "GET";
    case Method::kHead:
      return "HEAD";
    case Method::kPost:
      return "POST";
    case Method::kPut:
      return "PUT";
    case Method::kPatch:
      return "PATCH";
    case Method::kDelete:
      return "DELETE";
    case Method::kOptions:
      return "OPTIONS";
    case Method::kOther:
      break;
  }
  return "OTHER";
}

const std::string* Request::FindHeader(std::string_view name) const {
  return FindIn(headers, name);
}

std::string Request::MediaType() const {
  const std::string* content_type = FindHeader("Content-Type");
  if (content_type == nullptr) return {};
  std::string_view type = *content_type;
  if (const size_t semicolon = type.find(';'); semicolon != std::string_view::npos) {
    type = type.substr(0, semicolon);
  }
  return AsciiLower(Trim(type));
}

void Response::SetHeader(std::string_view name, std::string value) {
  for (Header& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) {
      h.value = std::move(value);
      return;
    }
  }
  headers.push_back(Header{std::string(name), std::move(value)});
}

const std::string* Response::FindHeader(std::string_view name) const {
  return FindIn(headers, name);
}

Response Response::Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::Error(int status, std::string_view message) {
  std::string body;
  body.reserve(message.size() + 12);
  body.append("{\"error\":");
  AppendJsonString(body, message);
  body.push_back('}');
  return Json(status, std::move(body));
}

Response Response::Html(int status, std::string body) {
  return Text(status, std::move(body), "text/html; charset=utf-8");
}

Response Response::Text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

Response Response::Redirect(std::string location, int status) {
  // The same tiny body Rails sends, so that a client that ignores Location still has a link.
  std::string body = "<html><body>You are being <a href=\"";
  AppendHtmlEscaped(body, location);
  body.append("\">redirected</a>.</body></html>");
  Response r = Html(status, std::move(body));
  r.SetHeader("Location", std::move(location));
  return r;
}

Response Response::Later() {
  Response r;
  r.later = true;
  return r;
}

}  // namespace stoa::http
