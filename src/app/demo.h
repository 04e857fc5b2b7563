// Seeds a demo instance: an owner, a moderator and members who follow each other, with posts that
// use hashtags, mentions and replies. Idempotent: a second run changes nothing.
#pragma once

#include <string>
#include <vector>

#include "app/app.h"

namespace stoa::app {

struct DemoCredential {
  std::string username;
  std::string email;
  std::string password;
  std::string role;
};

// Seeds `app` once; the credentials are written to DIR/demo-credentials.txt (mode 0600) on the
// first run and read back on later runs. Returns them.
Result<std::vector<DemoCredential>> SeedDemo(App& app, const std::string& data_dir);

}  // namespace stoa::app
