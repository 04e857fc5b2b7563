#include "http/router.h"

#include <array>
#include <cassert>
#include <map>
#include <optional>

#include "common/strings.h"

namespace stoa::http {

namespace {

constexpr size_t kMethodCount = static_cast<size_t>(Method::kOther) + 1;
constexpr std::string_view kUnmatchedRoute = "unmatched";

// Splits a path into its segments: "/a/b/" gives {"a", "b"}. One trailing slash is ignored, as
// Rails does; empty segments elsewhere ("/a//b") are kept and match nothing but a literal "".
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return segments;
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      segments.push_back(path.substr(start));
      break;
    }
    segments.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return segments;
}

}  // namespace

std::string_view PathParams::Get(std::string_view name) const {
  for (const auto& [key, value] : values) {
    if (key == name) return value;
  }
  return {};
}

namespace {

// One registered (method, pattern). Heap-allocated so that request.route and PathParams names
// can point into it for as long as the router lives.
struct Endpoint {
  Handler handler;
  std::string pattern;
  bool non_blocking = false;  // added with AddNonBlocking
  // (segment index, parameter name) for each ":name" segment of the pattern.
  std::vector<std::pair<size_t, std::string>> params;
};

}  // namespace

struct Router::Node {
  std::map<std::string, std::unique_ptr<Node>, std::less<>> literals;
  std::unique_ptr<Node> param;  // the ":name" child; names live in the endpoints
  std::array<std::unique_ptr<Endpoint>, kMethodCount> endpoints;

  bool HasAnyEndpoint() const {
    for (const auto& e : endpoints) {
      if (e) return true;
    }
    return false;
  }

  const Endpoint* EndpointFor(Method method) const {
    if (const auto& e = endpoints[static_cast<size_t>(method)]) return e.get();
    if (method == Method::kHead) return endpoints[static_cast<size_t>(Method::kGet)].get();
    return nullptr;
  }

  // Depth-first search in priority order (literal before parameter at each position) for the first
  // node with an endpoint for `method`. Backtracking lets "/a/b/d" reach "/a/:x/d" when the
  // literal branch "/a/b/..." has no "d".
  const Node* Find(const std::vector<std::string_view>& segments, size_t index,
                   Method method) const {
    if (index == segments.size()) return EndpointFor(method) != nullptr ? this : nullptr;
    if (auto it = literals.find(segments[index]); it != literals.end()) {
      if (const Node* found = it->second->Find(segments, index + 1, method)) return found;
    }
    // A parameter never matches an empty segment ("/accounts//follow").
    if (param && !segments[index].empty()) return param->Find(segments, index + 1, method);
    return nullptr;
  }

  // Every node with endpoints that `segments` reaches, in priority order (for a 405's Allow).
  void CollectAll(const std::vector<std::string_view>& segments, size_t index,
                  std::vector<const Node*>& out) const {
    if (index == segments.size()) {
      if (HasAnyEndpoint()) out.push_back(this);
      return;
    }
    if (auto it = literals.find(segments[index]); it != literals.end()) {
      it->second->CollectAll(segments, index + 1, out);
    }
    if (param && !segments[index].empty()) param->CollectAll(segments, index + 1, out);
  }
};

Router::Router() : root_(std::make_unique<Node>()) {
  not_found_ = [](Request&, const PathParams&) { return Response::Error(404, "Not found"); };
}

Router::~Router() = default;

void Router::Add(Method method, std::string_view pattern, Handler handler) {
  Insert(method, pattern, std::move(handler), /*non_blocking=*/false);
}

void Router::Insert(Method method, std::string_view pattern, Handler handler, bool non_blocking) {
  auto endpoint = std::make_unique<Endpoint>();
  endpoint->handler = std::move(handler);
  endpoint->non_blocking = non_blocking;
  endpoint->pattern = std::string(pattern);
  Node* node = root_.get();
  const std::vector<std::string_view> segments = SplitPath(pattern);
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string_view segment = segments[i];
    if (!segment.empty() && segment.front() == ':') {
      assert(segment.size() > 1 && "a path parameter needs a name");
      endpoint->params.emplace_back(i, std::string(segment.substr(1)));
      if (!node->param) node->param = std::make_unique<Node>();
      node = node->param.get();
      continue;
    }
    auto it = node->literals.find(segment);
    if (it == node->literals.end()) {
      it = node->literals.emplace(std::string(segment), std::make_unique<Node>()).first;
    }
    node = it->second.get();
  }
  // A later registration of the same (method, pattern) replaces the earlier one.
  node->endpoints[static_cast<size_t>(method)] = std::move(endpoint);
}

void Router::AddNonBlocking(Method method, std::string_view pattern, Handler handler) {
  Insert(method, pattern, std::move(handler), /*non_blocking=*/true);
}

bool Router::IsNonBlocking(const Request& request) const {
  const Node* node = root_->Find(SplitPath(request.path), 0, request.method);
  return node != nullptr && node->EndpointFor(request.method)->non_blocking;
}

void Router::SetNotFound(Handler handler) { not_found_ = std::move(handler); }

Response Router::Dispatch(Request& request) const {
  const std::vector<std::string_view> segments = SplitPath(request.path);
  const Method method = request.method;
  const Node* node = root_->Find(segments, 0, method);

  if (node == nullptr) {
    std::vector<const Node*> reachable;
    root_->CollectAll(segments, 0, reachable);
    if (reachable.empty()) {
      request.route = kUnmatchedRoute;
      return not_found_(request, PathParams{});
    }
    std::array<bool, kMethodCount> allowed{};
    for (const Node* n : reachable) {
      for (size_t m = 0; m < kMethodCount; ++m)
        allowed[m] = allowed[m] || n->endpoints[m] != nullptr;
    }
    if (allowed[static_cast<size_t>(Method::kGet)])
      allowed[static_cast<size_t>(Method::kHead)] = true;
    std::string allow;
    for (size_t m = 0; m < kMethodCount; ++m) {
      if (!allowed[m] || static_cast<Method>(m) == Method::kOther) continue;
      if (!allow.empty()) allow.append(", ");
      allow.append(MethodName(static_cast<Method>(m)));
    }
    for (const auto& e : reachable.front()->endpoints) {
      if (e) {
        request.route = e->pattern;
        break;
      }
    }
    Response response = Response::Error(405, "Method not allowed");
    response.SetHeader("Allow", std::move(allow));
    return response;
  }

  const Endpoint& endpoint = *node->EndpointFor(method);
  request.route = endpoint.pattern;
  PathParams params;
  params.values.reserve(endpoint.params.size());
  for (const auto& [index, name] : endpoint.params) {
    std::string value;
    if (!UrlDecode(segments[index], value, /*plus_as_space=*/false) || !IsValidUtf8(value)) {
      return Response::Error(400, "Invalid percent-encoding in path");
    }
    params.values.emplace_back(name, std::move(value));
  }
  return endpoint.handler(request, params);
}

}  // namespace stoa::http
