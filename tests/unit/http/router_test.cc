#include "http/router.h"

#include <gtest/gtest.h>

namespace stoa::http {
namespace {

// Every handler answers "<pattern>|name=value|..." so that a case can check which route ran and
// what parameters it saw.
Handler Echo(std::string pattern) {
  return [pattern](Request& request, const PathParams& params) {
    std::string body = pattern;
    for (const auto& [name, value] : params.values) body += "|" + std::string(name) + "=" + value;
    EXPECT_EQ(request.route, pattern);
    return Response::Json(200, body);
  };
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    const std::pair<Method, const char*> kRoutes[] = {
        {Method::kGet, "/"},
        {Method::kGet, "/api/v1/accounts/verify_credentials"},
        {Method::kPatch, "/api/v1/accounts/update_credentials"},
        {Method::kGet, "/api/v1/accounts/:id"},
        {Method::kGet, "/api/v1/accounts/:id/statuses"},
        {Method::kPost, "/api/v1/accounts/:account_id/follow"},
        {Method::kGet, "/api/v1/statuses/:id"},
        {Method::kDelete, "/api/v1/statuses/:id"},
        {Method::kPut, "/api/v1/statuses/:id"},
        {Method::kGet, "/api/v1/tags/:name"},
        {Method::kGet, "/a/b/c"},
        {Method::kGet, "/a/:x/d"},
        {Method::kPost, "/a/:x/:y"},
        {Method::kGet, "/api/v1/timelines/home"},
        {Method::kOptions, "/api/v1/timelines/home"},
        {Method::kHead, "/only-head"},
    };
    for (const auto& [method, pattern] : kRoutes) router_.Add(method, pattern, Echo(pattern));
  }

  Response Dispatch(Method method, std::string path) {
    Request request;
    request.method = method;
    request.path = std::move(path);
    Response response = router_.Dispatch(request);
    last_route_ = std::string(request.route);
    return response;
  }

  Router router_;
  std::string last_route_;
};

TEST_F(RouterTest, MatchesRoutes) {
  const struct {
    Method method;
    const char* path;
    int status;
    const char* body;
  } kCases[] = {
      {Method::kGet, "/", 200, "/"},
      {Method::kGet, "/api/v1/accounts/verify_credentials", 200,
       "/api/v1/accounts/verify_credentials"},
      // Literal segments win over parameters.
      {Method::kGet, "/api/v1/accounts/123", 200, "/api/v1/accounts/:id|id=123"},
      {Method::kGet, "/api/v1/accounts/123/statuses", 200, "/api/v1/accounts/:id/statuses|id=123"},
      // Different parameter names at the same position.
      {Method::kPost, "/api/v1/accounts/77/follow", 200,
       "/api/v1/accounts/:account_id/follow|account_id=77"},
      {Method::kDelete, "/api/v1/statuses/9", 200, "/api/v1/statuses/:id|id=9"},
      {Method::kPut, "/api/v1/statuses/9", 200, "/api/v1/statuses/:id|id=9"},
      // Parameters are percent-decoded; '+' stays '+' in a path.
      {Method::kGet, "/api/v1/tags/caf%C3%A9", 200, "/api/v1/tags/:name|name=café"},
      {Method::kGet, "/api/v1/tags/a%2Fb+c", 200, "/api/v1/tags/:name|name=a/b+c"},
      // Backtracking: the literal "b" branch has no "d", the parameter branch has.
      {Method::kGet, "/a/b/c", 200, "/a/b/c"},
      {Method::kGet, "/a/b/d", 200, "/a/:x/d|x=b"},
      {Method::kGet, "/a/z/d", 200, "/a/:x/d|x=z"},
      {Method::kPost, "/a/b/c", 200, "/a/:x/:y|x=b|y=c"},
      // One trailing slash is ignored.
      {Method::kGet, "/api/v1/timelines/home/", 200, "/api/v1/timelines/home"},
      {Method::kOptions, "/api/v1/timelines/home", 200, "/api/v1/timelines/home"},
      // HEAD falls back to GET.
      {Method::kHead, "/api/v1/statuses/5", 200, "/api/v1/statuses/:id|id=5"},
      {Method::kHead, "/only-head", 200, "/only-head"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(std::string(MethodName(c.method)) + " " + c.path);
    const Response r = Dispatch(c.method, c.path);
    EXPECT_EQ(r.status, c.status);
    EXPECT_EQ(r.body, c.body);
  }
}

TEST_F(RouterTest, UnmatchedPathsAre404) {
  const char* kPaths[] = {
      "/nope",
      "/api/v1/accounts",
      "/api/v1/accounts/1/statuses/extra",
      "/api/v1/accounts//statuses",
      "/api/v2/accounts/1",
  };
  for (const char* path : kPaths) {
    SCOPED_TRACE(path);
    const Response r = Dispatch(Method::kGet, path);
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.body, R"({"error":"Not found"})");
    EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
    EXPECT_EQ(last_route_, "unmatched");
  }
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
  const struct {
    Method method;
    const char* path;
    const char* allow;
  } kCases[] = {
      {Method::kPost, "/api/v1/accounts/verify_credentials", "GET, HEAD"},
      {Method::kPost, "/api/v1/statuses/1", "GET, HEAD, PUT, DELETE"},
      {Method::kGet, "/api/v1/accounts/1/follow", "POST"},
      {Method::kDelete, "/api/v1/timelines/home", "GET, HEAD, OPTIONS"},
      // The union over every route the path reaches: "/a/b/c" (GET) and "/a/:x/:y" (POST).
      {Method::kDelete, "/a/b/c", "GET, HEAD, POST"},
      {Method::kOther, "/", "GET, HEAD"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(std::string(MethodName(c.method)) + " " + c.path);
    const Response r = Dispatch(c.method, c.path);
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.body, R"({"error":"Method not allowed"})");
    ASSERT_NE(r.FindHeader("Allow"), nullptr);
    EXPECT_EQ(*r.FindHeader("Allow"), c.allow);
  }
}

TEST_F(RouterTest, MalformedParameterEncodingIs400) {
  for (const char* path :
       {"/api/v1/accounts/%zz", "/api/v1/accounts/%C3%28", "/api/v1/accounts/%4"}) {
    SCOPED_TRACE(path);
    EXPECT_EQ(Dispatch(Method::kGet, path).status, 400);
  }
}

TEST_F(RouterTest, CustomNotFoundHandler) {
  router_.SetNotFound([](Request& request, const PathParams& params) {
    EXPECT_TRUE(params.values.empty());
    return Response::Html(404, "<h1>" + request.path + "</h1>");
  });
  const Response r = Dispatch(Method::kGet, "/missing");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "<h1>/missing</h1>");
}

TEST_F(RouterTest, LaterRegistrationReplaces) {
  router_.Add(Method::kGet, "/api/v1/statuses/:status_id", Echo("/api/v1/statuses/:status_id"));
  EXPECT_EQ(Dispatch(Method::kGet, "/api/v1/statuses/3").body,
            "/api/v1/statuses/:status_id|status_id=3");
  // Other methods on the same node keep their own pattern.
  EXPECT_EQ(Dispatch(Method::kDelete, "/api/v1/statuses/3").body, "/api/v1/statuses/:id|id=3");
}

TEST_F(RouterTest, TellsWhichRequestsGoToNonBlockingRoutes) {
  router_.AddNonBlocking(Method::kPost, "/api/v1/statuses", Echo("/api/v1/statuses"));
  router_.AddNonBlocking(Method::kPost, "/api/v1/statuses/:id/favourite",
                         Echo("/api/v1/statuses/:id/favourite"));
  auto non_blocking = [&](Method method, std::string path) {
    Request request;
    request.method = method;
    request.path = std::move(path);
    return router_.IsNonBlocking(request);
  };
  EXPECT_TRUE(non_blocking(Method::kPost, "/api/v1/statuses"));
  EXPECT_TRUE(non_blocking(Method::kPost, "/api/v1/statuses/"));
  EXPECT_TRUE(non_blocking(Method::kPost, "/api/v1/statuses/7/favourite"));
  // Other methods and routes, and paths that match nothing, are not.
  EXPECT_FALSE(non_blocking(Method::kGet, "/api/v1/statuses"));
  EXPECT_FALSE(non_blocking(Method::kPost, "/api/v1/accounts/7/follow"));
  EXPECT_FALSE(non_blocking(Method::kPut, "/api/v1/statuses/7"));
  EXPECT_FALSE(non_blocking(Method::kPost, "/nowhere"));
  // A non-blocking route dispatches like any other.
  EXPECT_EQ(Dispatch(Method::kPost, "/api/v1/statuses/7/favourite").body,
            "/api/v1/statuses/:id/favourite|id=7");
  // Registering the pattern again with Add makes it blocking.
  router_.Add(Method::kPost, "/api/v1/statuses", Echo("/api/v1/statuses"));
  EXPECT_FALSE(non_blocking(Method::kPost, "/api/v1/statuses"));
}

TEST(PathParamsTest, GetReturnsEmptyWhenAbsent) {
  PathParams params;
  params.values.emplace_back("id", "12");
  EXPECT_EQ(params.Get("id"), "12");
  EXPECT_EQ(params.Get("other"), "");
}

}  // namespace
}  // namespace stoa::http
