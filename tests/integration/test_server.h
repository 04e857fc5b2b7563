// An in-process stoa on port 0 in a temporary directory, and a small blocking HTTP client, for
// integration tests that drive the real server over HTTP.
#pragma once

#include <boost/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "app/app.h"
#include "common/clock.h"
#include "common/random.h"

namespace stoa::testing {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  // The body parsed as JSON (null when it is not JSON).
  boost::json::value json() const;
  std::string header(const std::string& name) const;
  // `error` of a JSON error body, "" when none.
  std::string error() const;
};

// One request over a fresh connection ("Connection: close"). `raw_headers` are added verbatim.
HttpResponse SendHttp(uint16_t port, const std::string& method, const std::string& target,
                      const std::string& body = "",
                      const std::vector<std::pair<std::string, std::string>>& headers = {});
// Sends raw bytes and returns whatever the server answers until it closes.
std::string SendRaw(uint16_t port, const std::string& bytes);

class TestServer {
 public:
  // `tweak` may adjust the configuration before the server starts (rate limits, registrations).
  explicit TestServer(std::function<void(Config&)> tweak = nullptr, const Clock* clock = nullptr);
  ~TestServer();

  uint16_t port() const { return app_->port(); }
  // Stops the server and opens the same data directory again (a process restart: every
  // in-memory cache is gone). Tokens stay valid; the port changes.
  void Restart();
  app::App& app() { return *app_; }
  const std::string& data_dir() const { return dir_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port()); }

  struct User {
    Id id = kNoId;
    std::string username;
    std::string token;
  };
  // Creates a member (or other role) directly and issues a token with `scopes`.
  User CreateUser(const std::string& username, Role role = Role::kMember,
                  const std::string& scopes = "read write follow push");
  std::string Token(Id account_id, const std::string& scopes);

  HttpResponse Get(const std::string& target, const std::string& token = "");
  // JSON bodies.
  HttpResponse Post(const std::string& target, const std::string& json, const std::string& token = "");
  HttpResponse Put(const std::string& target, const std::string& json, const std::string& token = "");
  HttpResponse Patch(const std::string& target, const std::string& json, const std::string& token = "");
  HttpResponse Delete(const std::string& target, const std::string& token = "");
  HttpResponse Form(const std::string& method, const std::string& target, const std::string& form,
                    const std::string& token = "");
  HttpResponse Send(const std::string& method, const std::string& target, const std::string& body,
                    std::vector<std::pair<std::string, std::string>> headers,
                    const std::string& token = "");

 private:
  void Boot();

  std::string dir_;
  Config config_;
  const Clock* clock_ = nullptr;
  SystemClock system_clock_;
  SecureRandom random_;
  std::unique_ptr<app::App> app_;
};

}  // namespace stoa::testing
