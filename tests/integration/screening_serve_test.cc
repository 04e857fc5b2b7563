// `stoa serve --rules FILE --model FILE` and SIGHUP, through the real binary: the files given on
// the command line are the ones in use, SIGHUP swaps in a changed rules file, and a broken one
// leaves the old rules active (the server keeps serving and stops cleanly on SIGTERM).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "tests/integration/test_server.h"
#include "tests/integration/run_stoa.h"

namespace stoa::testing {
namespace {

namespace fs = std::filesystem;

std::string Rules(const std::string& version, const std::string& word, bool broken = false) {
  return "stoa-rules 1\nversion = " + version + "\n\n[rule any.threat." + word +
         "]\ncategory = " + (broken ? "violent" : "threat") +
         "\nlanguages = any\nweight = 0.9\nmax_verdict = hold\npattern = \\b" + word + "\\b\n";
}

uint16_t FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class ScreeningServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "stoa-screening-serve-XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data());
    rules_ = dir_ + "/test.rules";
    Write(Rules("serve.1", "alphaword"));
  }
  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    fs::remove_all(dir_);
  }
  void Write(const std::string& content) { std::ofstream(rules_, std::ios::trunc) << content; }

  void Start() {
    const std::string data = dir_ + "/data";
    const CommandResult created =
        RunStoa("admin create-user --data " + data +
                " --username boss --email boss@example.org --password longpassword --role admin");
    EXPECT_EQ(created.exit_code, 0) << created.output;
    const CommandResult token =
        RunStoa("admin token --data " + data + " --username boss --scopes 'read admin:read'");
    EXPECT_EQ(token.exit_code, 0) << token.output;
    token_ = token.output;
    while (!token_.empty() && (token_.back() == '\n' || token_.back() == '\r')) token_.pop_back();
    port_ = FreePort();
    const std::string listen = "127.0.0.1:" + std::to_string(port_);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setenv("STOA_SERVER_ACCESS_LOG", "false", 1);
      ::execl(kStoaBinary, kStoaBinary, "serve", "--data", data.c_str(), "--listen",
              listen.c_str(), "--rules", rules_.c_str(), "--model", kDefaultModel,
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      try {
        if (SendHttp(port_, "GET", "/health").status == 200) return;
      } catch (const std::exception&) {
        // Not listening yet.
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        FAIL() << "stoa serve exited during start-up (status " << status << ")";
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "stoa serve did not answer /health";
  }

  // The rules version in use.
  std::string RulesVersion() {
    auto r = SendHttp(port_, "GET", "/api/v1/admin/screening", "",
                      {{"Authorization", "Bearer " + token_}});
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return "";
    const boost::json::value body = r.json();
    return std::string(body.as_object().at("rules").as_object().at("version").as_string());
  }
  std::string WaitForVersion(const std::string& want) {
    std::string got;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      got = RulesVersion();
      if (got == want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return got;
  }

  std::string dir_, rules_, token_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

TEST_F(ScreeningServeTest, CommandLineFilesAndSighupReload) {
  Start();
  auto state = SendHttp(port_, "GET", "/api/v1/admin/screening", "",
                        {{"Authorization", "Bearer " + token_}});
  ASSERT_EQ(state.status, 200) << state.body;
  const boost::json::value body = state.json();
  const auto& o = body.as_object();
  EXPECT_EQ(o.at("rules").as_object().at("path").as_string(), rules_);
  EXPECT_EQ(o.at("rules").as_object().at("version").as_string(), "serve.1");
  EXPECT_EQ(o.at("model").as_object().at("path").as_string(), kDefaultModel);
  EXPECT_FALSE(o.at("model").as_object().at("version").as_string().empty());

  // A changed file: SIGHUP swaps it in.
  Write(Rules("serve.2", "bravoword"));
  ASSERT_EQ(::kill(pid_, SIGHUP), 0);
  EXPECT_EQ(WaitForVersion("serve.2"), "serve.2");

  // A broken file: SIGHUP is refused (logged) and serve.2 stays; the server keeps serving.
  Write(Rules("serve.3", "charlieword", /*broken=*/true));
  ASSERT_EQ(::kill(pid_, SIGHUP), 0);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(RulesVersion(), "serve.2");
  // Fixed: the next SIGHUP takes it.
  Write(Rules("serve.4", "charlieword"));
  ASSERT_EQ(::kill(pid_, SIGHUP), 0);
  EXPECT_EQ(WaitForVersion("serve.4"), "serve.4");

  ASSERT_EQ(::kill(pid_, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid_, &status, 0), pid_);
  pid_ = -1;
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace stoa::testing
