// Runs the real `stoa` binary (build_paths.h) with a command line, for tests of the CLI.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "tests/integration/build_paths.h"

namespace stoa::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

inline CommandResult RunStoa(const std::string& args) {
  CommandResult r;
  const std::string command = std::string(kStoaBinary) + " " + args + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return r;
  char buffer[512];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) r.output.append(buffer, n);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace stoa::testing
