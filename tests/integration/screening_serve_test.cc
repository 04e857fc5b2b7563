// `stoa serve --rules FILE --model FILE` and SIGHUP, through the real binary: the files given on
// the command line are the ones in use, SIGHUP swaps in a changed rules file, and a broken one
// leaves the old rules active (the server keeps serving and stops cleanly on SIGTERM).
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "tests/integration/run_stoa.h"
#include "tests/integration/serve_process.h"
#include "tests/integration/test_server.h"

namespace stoa::testing {
namespace {

namespace fs = std::filesystem;

std::string Rules(const std::string& version, const std::string& word, bool broken = false) {
  return "stoa-rules 1\nversion = " + version + "\n\n[rule any.threat." + word +
         "]\ncategory = " + (broken ? "violent" : "threat") +
         "\nlanguages = any\nweight = 0.9\nmax_verdict = hold\npattern = \\b" + word + "\\b\n";
}

class ScreeningServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "stoa-screening-serve-XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data());
    rules_ = dir_ + "/test.rules";
    Write(Rules("serve.1", "alphaword"));
  }
  void TearDown() override { fs::remove_all(dir_); }
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
    server_.Start(data, {"--rules", rules_, "--model", kDefaultModel});
  }

  // The rules version in use.
  std::string RulesVersion() {
    auto r = SendHttp(server_.port(), "GET", "/api/v1/admin/screening", "",
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
  ServeProcess server_;
};

TEST_F(ScreeningServeTest, CommandLineFilesAndSighupReload) {
  Start();
  auto state = SendHttp(server_.port(), "GET", "/api/v1/admin/screening", "",
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
  ASSERT_EQ(::kill(server_.pid(), SIGHUP), 0);
  EXPECT_EQ(WaitForVersion("serve.2"), "serve.2");

  // A broken file: SIGHUP is refused (logged) and serve.2 stays; the server keeps serving.
  Write(Rules("serve.3", "charlieword", /*broken=*/true));
  ASSERT_EQ(::kill(server_.pid(), SIGHUP), 0);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(RulesVersion(), "serve.2");
  // Fixed: the next SIGHUP takes it.
  Write(Rules("serve.4", "charlieword"));
  ASSERT_EQ(::kill(server_.pid(), SIGHUP), 0);
  EXPECT_EQ(WaitForVersion("serve.4"), "serve.4");

  EXPECT_EQ(server_.Stop(), 0);
}

}  // namespace
}  // namespace stoa::testing
