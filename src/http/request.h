// The HTTP request and response as the rest of stoa sees them: plain values, no Beast types.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stoa::http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };

std::string_view MethodName(Method m);

struct Header {
  std::string name;
  std::string value;
};

struct Response;

// Runs a task on the connection's own thread later; the Response it returns is the answer.
using ResumeRequest = std::function<void(std::function<Response()>)>;

struct Request {
  Method method = Method::kGet;
  std::string target;  // as received: path plus "?query"
  std::string path;    // the part of `target` before '?', still percent-encoded
  std::string query;   // the part after '?', without it; empty when none
  std::vector<Header> headers;
  std::string body;
  std::string remote_address;  // the peer's IP address as text
  // Set by the router once matched: the route's pattern, e.g. "/api/v1/statuses/:id"; used for
  // metrics and the access log so that ids do not explode label cardinality.
  std::string_view route;
  // Set by the server for a route added with Router::AddNonBlocking, which runs on the
  // connection's thread: such a handler may return Response::Later() and answer afterwards by
  // calling `resume` once, from any thread, with a task that returns the answer. The task runs
  // on the connection's thread (never inside the call of `resume`). Copies keep the connection
  // alive until the task ran.
  ResumeRequest resume;

  // The first header with this name (ASCII case-insensitive), or nullptr.
  const std::string* FindHeader(std::string_view name) const;
  // The media type of Content-Type, lower-cased, without parameters ("application/json").
  std::string MediaType() const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::vector<Header> headers;
  std::string body;

  // Sets (replacing) a header.
  void SetHeader(std::string_view name, std::string value);
  const std::string* FindHeader(std::string_view name) const;

  static Response Json(int status, std::string body);
  // {"error": message}
  static Response Error(int status, std::string_view message);
  static Response Html(int status, std::string body);
  static Response Text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
  static Response Redirect(std::string location, int status = 302);
  // What a non-blocking handler returns when it will answer through Request::resume.
  static Response Later();
  bool later = false;
};

}  // namespace stoa::http
