#include "tests/integration/test_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "common/strings.h"

namespace stoa::testing {

boost::json::value HttpResponse::json() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  return ec ? boost::json::value() : v;
}

std::string HttpResponse::header(const std::string& name) const {
  auto it = headers.find(AsciiLower(name));
  return it == headers.end() ? "" : it->second;
}

std::string HttpResponse::error() const {
  auto v = json();
  if (!v.is_object()) return "";
  auto it = v.as_object().find("error");
  if (it == v.as_object().end() || !it->value().is_string()) return "";
  return std::string(it->value().as_string());
}

std::string SendRaw(uint16_t port, const std::string& bytes) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    throw std::runtime_error("connect failed");
  }
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string out;
  char buf[65536];
  while (true) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

HttpResponse SendHttp(uint16_t port, const std::string& method, const std::string& target,
                      const std::string& body,
                      const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  const std::string raw = SendRaw(port, req);
  HttpResponse r;
  const auto head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos) return r;
  const std::string head = raw.substr(0, head_end);
  r.body = raw.substr(head_end + 4);
  auto lines = Split(head, '\n');
  if (lines.empty()) return r;
  auto status_line = Trim(lines[0]);
  if (status_line.size() >= 12) r.status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
  for (size_t i = 1; i < lines.size(); ++i) {
    auto line = Trim(lines[i]);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    r.headers[AsciiLower(line.substr(0, colon))] = std::string(Trim(line.substr(colon + 1)));
  }
  return r;
}

TestServer::TestServer(std::function<void(Config&)> tweak, const Clock* clock) {
  char tmpl[] = "/tmp/stoa-it-XXXXXX";
  dir_ = mkdtemp(tmpl);
  auto config = LoadConfig("", {});
  Config c = *config;
  c.security.password_hash_cost = "minimal";
  c.server.access_log = false;
  c.server.threads = 2;
  c.server.blocking_threads = 8;
  c.rate_limits.enabled = false;
  c.log.level = "warn";
  c.storage.preallocate_wal = false;  // 80 MB of zeros per test server is not what they test
  // Screening compiles the shipped rules for seconds at every start; tests of screening turn it
  // on (tests/integration/screening_test.cc), the others test other things.
  c.screening.enabled = false;
  if (tweak) tweak(c);
  config_ = c;
  clock_ = clock != nullptr ? clock : &system_clock_;
  Boot();
}

void TestServer::Boot() {
  auto app = app::App::Open(dir_, config_, *clock_, random_);
  if (!app.ok()) throw std::runtime_error("App::Open: " + app.status().ToString());
  app_ = std::move(app).value();
  Status st = app_->Start("127.0.0.1:0");
  if (!st.ok()) throw std::runtime_error("Start: " + st.ToString());
}

void TestServer::Restart() {
  app_->Stop();
  app_.reset();
  Boot();
}

TestServer::~TestServer() {
  app_->Stop();
  app_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

TestServer::User TestServer::CreateUser(const std::string& username, Role role,
                                        const std::string& scopes) {
  social::Registration r;
  r.username = username;
  r.email = username + "@example.org";
  r.password = "password-" + username;
  r.agreement = true;
  r.role = role;
  r.skip_approval = true;
  std::vector<social::FieldError> errors;
  auto account = app_->accounts().Register(r, &errors, true);
  if (!account.ok()) throw std::runtime_error("CreateUser: " + account.status().ToString());
  return User{(*account)->id, username, Token((*account)->id, scopes)};
}

std::string TestServer::Token(Id account_id, const std::string& scopes) {
  auto token = app_->oauth().IssueToken(kNoId, account_id, *ScopeSet::Parse(scopes));
  if (!token.ok()) throw std::runtime_error("Token: " + token.status().ToString());
  return token->access_token;
}

HttpResponse TestServer::Send(const std::string& method, const std::string& target,
                              const std::string& body,
                              std::vector<std::pair<std::string, std::string>> headers,
                              const std::string& token) {
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  return SendHttp(port(), method, target, body, headers);
}

HttpResponse TestServer::Get(const std::string& target, const std::string& token) {
  return Send("GET", target, "", {}, token);
}
HttpResponse TestServer::Post(const std::string& target, const std::string& json,
                              const std::string& token) {
  return Send("POST", target, json, {{"Content-Type", "application/json"}}, token);
}
HttpResponse TestServer::Put(const std::string& target, const std::string& json,
                             const std::string& token) {
  return Send("PUT", target, json, {{"Content-Type", "application/json"}}, token);
}
HttpResponse TestServer::Patch(const std::string& target, const std::string& json,
                               const std::string& token) {
  return Send("PATCH", target, json, {{"Content-Type", "application/json"}}, token);
}
HttpResponse TestServer::Delete(const std::string& target, const std::string& token) {
  return Send("DELETE", target, "", {}, token);
}
HttpResponse TestServer::Form(const std::string& method, const std::string& target,
                              const std::string& form, const std::string& token) {
  return Send(method, target, form, {{"Content-Type", "application/x-www-form-urlencoded"}}, token);
}

}  // namespace stoa::testing
