// Maps (method, path) to a handler. Patterns are literal segments and ":name" parameters, e.g.
// "/api/v1/accounts/:id/follow". Literal segments win over parameters at the same position.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.h"

namespace stoa::http {

struct PathParams {
  std::vector<std::pair<std::string_view, std::string>> values;  // name -> percent-decoded value
  // The value of `name`, or an empty view when absent.
  std::string_view Get(std::string_view name) const;
};

using Handler = std::function<Response(Request&, const PathParams&)>;

// Not thread-safe while routes are added; Dispatch is thread-safe once the server runs.
class Router {
 public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  void Add(Method method, std::string_view pattern, Handler handler);
  // A route whose handler never blocks (no waiting for the database's writer): the server runs
  // it on the connection's thread, like a read, and sets Request::resume so that it can answer
  // later (Response::Later()) instead of holding a thread while a write becomes durable.
  void AddNonBlocking(Method method, std::string_view pattern, Handler handler);
  // Whether `request` goes to a route added with AddNonBlocking.
  bool IsNonBlocking(const Request& request) const;
  // A handler for requests that match no route (defaults to a JSON 404).
  void SetNotFound(Handler handler);

  // Finds the route, sets request.route, and runs the handler. Answers 404 {"error"} when the path
  // matches nothing and 405 when it matches with another method (HEAD falls back to GET).
  Response Dispatch(Request& request) const;

 private:
  struct Node;
  void Insert(Method method, std::string_view pattern, Handler handler, bool non_blocking);
  std::unique_ptr<Node> root_;
  Handler not_found_;
};

}  // namespace stoa::http
