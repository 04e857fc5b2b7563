// `stoa screen --data DIR --since DATE [--until DATE]`: retroaction from the command line — the
// current rules and model over the statuses published since DATE; hits open or join cases like
// any automated notice (safety/screening_rescan.h, docs/screening.md "Retroaction"). For a server
// that is not running; a running server takes POST /api/v1/admin/screening/rescan instead.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

namespace stoa::app {

class RescanCommand {
 public:
  // Adds the `screen` subcommand to `cli` (which must outlive this object).
  explicit RescanCommand(CLI::App& cli);

  // After parsing: the exit code when `screen` was given (0 done, 1 failed, 2 bad arguments, each
  // failure with a one-line message on stderr), else nullopt.
  std::optional<int> Run() const;

 private:
  int Screen() const;

  CLI::App* screen_ = nullptr;
  struct Options {
    std::string data, config, since, until, rules, model;
    int batch_size = 200;
  };
  Options o_;
};

}  // namespace stoa::app
