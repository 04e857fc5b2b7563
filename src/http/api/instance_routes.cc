// Instance information, health and metrics, nodeinfo, and the endpoints common clients call that
// stoa answers with empty collections.
#include "http/api/api.h"
#include "http/api/serializers.h"

namespace stoa::http::api {
namespace {

// A 1x1 transparent PNG for accounts without an avatar or header ("missing.png").
constexpr unsigned char kMissingPng[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
    0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f,
    0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00,
    0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49,
    0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

Response MissingPng(Request&, const PathParams&) {
  Response r;
  r.content_type = "image/png";
  r.body.assign(reinterpret_cast<const char*>(kMissingPng), sizeof kMissingPng);
  r.SetHeader("Cache-Control", "public, max-age=86400");
  return r;
}

}  // namespace

void RegisterInstanceRoutes(Api& api, Router& r) {
  Services& s = api.services();
  r.Add(Method::kGet, "/health", [&s](Request&, const PathParams&) {
    auto read = s.core.storage().Read();
    (void)read->accounts().Count();
    return Response::Json(200, R"({"status":"ok"})");
  });
  r.Add(Method::kGet, "/metrics", [&s](Request&, const PathParams&) {
    return Response::Text(200, s.metrics ? s.metrics->Render() : std::string(),
                          "text/plain; version=0.0.4; charset=utf-8");
  });
  r.Add(Method::kGet, "/avatars/original/missing.png", MissingPng);
  r.Add(Method::kGet, "/headers/original/missing.png", MissingPng);
}

}  // namespace stoa::http::api
