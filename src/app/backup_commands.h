// `stoa backup --data DIR --out FILE`: a consistent, checked copy of a database while the server
// runs. `stoa restore --data DIR --from FILE`: puts such a copy in place of DIR/stoa.db (the
// server stopped), keeping the database it replaces. README "Backups".
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

namespace stoa::app {

class BackupCommands {
 public:
  // Adds the `backup` and `restore` subcommands to `cli` (which must outlive this object).
  explicit BackupCommands(CLI::App& cli);

  // After parsing: the exit code when one of them was given (0 done, 1 failed, 2 bad arguments,
  // each failure with a one-line message on stderr), else nullopt.
  std::optional<int> Run() const;

 private:
  int Backup() const;
  int Restore() const;

  CLI::App* backup_ = nullptr;
  CLI::App* restore_ = nullptr;
  struct Options {
    std::string data, config, out, from;
    bool no_verify = false;
  };
  Options o_;
};

}  // namespace stoa::app
