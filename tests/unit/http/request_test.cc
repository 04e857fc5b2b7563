#include "http/request.h"

#include <gtest/gtest.h>

namespace stoa::http {
namespace {

TEST(RequestTest, MethodNames) {
  const struct {
    Method method;
    std::string_view name;
  } kCases[] = {
      {Method::kGet, "GET"},         {Method::kHead, "HEAD"},   {Method::kPost, "POST"},
      {Method::kPut, "PUT"},         {Method::kPatch, "PATCH"}, {Method::kDelete, "DELETE"},
      {Method::kOptions, "OPTIONS"}, {Method::kOther, "OTHER"},
  };
  for (const auto& c : kCases) EXPECT_EQ(MethodName(c.method), c.name);
}

TEST(RequestTest, FindHeaderIgnoresAsciiCase) {
  Request r;
  r.headers = {{"Content-Type", "application/json"}, {"X-Dup", "first"}, {"x-dup", "second"}};
  const struct {
    std::string_view name;
    const char* expected;  // nullptr: absent
  } kCases[] = {
      {"Content-Type", "application/json"},
      {"content-type", "application/json"},
      {"CONTENT-TYPE", "application/json"},
      {"x-DUP", "first"},  // the first of repeated headers
      {"Content-Typ", nullptr},
      {"", nullptr},
  };
  for (const auto& c : kCases) {
    const std::string* found = r.FindHeader(c.name);
    if (c.expected == nullptr) {
      EXPECT_EQ(found, nullptr) << c.name;
    } else {
      ASSERT_NE(found, nullptr) << c.name;
      EXPECT_EQ(*found, c.expected);
    }
  }
}

TEST(RequestTest, MediaTypeIsLowerCasedWithoutParameters) {
  const struct {
    const char* content_type;  // nullptr: no header
    std::string_view expected;
  } kCases[] = {
      {nullptr, ""},
      {"application/json", "application/json"},
      {"application/json; charset=utf-8", "application/json"},
      {"  Application/JSON ;charset=UTF-8", "application/json"},
      {"multipart/form-data; boundary=----x", "multipart/form-data"},
      {"", ""},
  };
  for (const auto& c : kCases) {
    Request r;
    if (c.content_type != nullptr) r.headers.push_back({"content-type", c.content_type});
    EXPECT_EQ(r.MediaType(), c.expected) << (c.content_type ? c.content_type : "(none)");
  }
}

TEST(ResponseTest, ErrorEscapesTheMessage) {
  const struct {
    std::string_view message;
    std::string_view body;
  } kCases[] = {
      {"Record not found", R"({"error":"Record not found"})"},
      {"say \"hi\"\n\\", R"({"error":"say \"hi\"\n\\"})"},
      {"", R"({"error":""})"},
      {"café \x01", R"({"error":"café \u0001"})"},
  };
  for (const auto& c : kCases) {
    const Response r = Response::Error(422, c.message);
    EXPECT_EQ(r.status, 422);
    EXPECT_EQ(r.body, c.body);
    EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
  }
}

TEST(ResponseTest, Constructors) {
  const Response json = Response::Json(202, "{}");
  EXPECT_EQ(json.status, 202);
  EXPECT_EQ(json.body, "{}");
  EXPECT_EQ(json.content_type, "application/json; charset=utf-8");

  const Response html = Response::Html(200, "<p>x</p>");
  EXPECT_EQ(html.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(html.body, "<p>x</p>");

  const Response text = Response::Text(200, "OK");
  EXPECT_EQ(text.content_type, "text/plain; charset=utf-8");
  const Response metrics = Response::Text(200, "x 1\n", "text/plain; version=0.0.4");
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4");
}

TEST(ResponseTest, RedirectSetsLocationAndEscapesTheLink) {
  const Response r = Response::Redirect("/oauth/authorize?a=1&b=\"2\"");
  EXPECT_EQ(r.status, 302);
  ASSERT_NE(r.FindHeader("location"), nullptr);
  EXPECT_EQ(*r.FindHeader("Location"), "/oauth/authorize?a=1&b=\"2\"");
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("href=\"/oauth/authorize?a=1&amp;b=&quot;2&quot;\""), std::string::npos)
      << r.body;
  EXPECT_EQ(Response::Redirect("/x", 303).status, 303);
}

TEST(ResponseTest, SetHeaderReplacesIgnoringCase) {
  Response r;
  r.SetHeader("Cache-Control", "no-cache");
  r.SetHeader("cache-control", "no-store");
  r.SetHeader("Link", "<a>");
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[0].name, "Cache-Control");
  EXPECT_EQ(*r.FindHeader("CACHE-CONTROL"), "no-store");
  EXPECT_EQ(r.FindHeader("Missing"), nullptr);
}

}  // namespace
}  // namespace stoa::http
