// `stoa serve` as a child process of the test (the real binary, build_paths.h), for tests of what
// only a whole process shows: signals, the data directory's lock, commands run beside a server.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/build_paths.h"
#include "tests/integration/test_server.h"

namespace stoa::testing {

// A port nothing listens on right now.
inline uint16_t FreePort() {
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

class ServeProcess {
 public:
  ServeProcess() = default;
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;
  // Kills a server the test left running.
  ~ServeProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  // Starts `stoa serve --data DATA --listen 127.0.0.1:PORT EXTRA...` (access log off) and waits
  // until it answers /health; a test failure when it exits or does not answer within 60 s.
  void Start(const std::string& data, const std::vector<std::string>& extra = {}) {
    port_ = FreePort();
    const std::string listen = "127.0.0.1:" + std::to_string(port_);
    std::vector<std::string> args = {kStoaBinary, "serve", "--data", data, "--listen", listen};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      // A test process that dies (a crash, a closed pipe) takes its server with it.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      ::setenv("STOA_SERVER_ACCESS_LOG", "false", 1);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(kStoaBinary, argv.data());
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

  // SIGTERM, then waits: the exit code (-1 when it did not exit normally).
  int Stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    const pid_t waited = ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return waited > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

}  // namespace stoa::testing
