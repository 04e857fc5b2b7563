// Set-up shared by the screening tests that run a server with a small rules file of their own:
// one-word rules, a rules file in a temporary path unique to the test process, and the
// configuration that lets the rules (not the classifier) decide.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <initializer_list>
#include <string>

#include "common/config.h"

namespace stoa::testing {

// A rule named any.<category>.<word> that gives posts containing `word` (a whole word) up to
// `max_verdict` with `weight`, as the text of a rules file's rule block.
inline std::string WordRule(const std::string& category, const std::string& word,
                            const std::string& weight, const std::string& max_verdict) {
  return "[rule any." + category + "." + word + "]\ncategory = " + category +
         "\nlanguages = any\nweight = " + weight + "\nmax_verdict = " + max_verdict +
         "\npattern = \\b" + word + "\\b\n";
}

// A rules file's text: the header with `version`, then `rules` separated by blank lines.
inline std::string RulesFileText(const std::string& version,
                                 std::initializer_list<std::string> rules) {
  std::string text = "stoa-rules 1\nversion = " + version + "\n";
  for (const std::string& rule : rules) text.append("\n").append(rule);
  return text;
}

// Writes `text` (replacing what was there) to <gtest TempDir>/<name>-<pid>.rules and returns that
// path. The process id keeps the file apart from other test processes that ctest runs at the same
// time with the same `name`.
inline std::string WriteRulesFile(const std::string& name, const std::string& text) {
  const std::string path =
      ::testing::TempDir() + "/" + name + "-" + std::to_string(::getpid()) + ".rules";
  std::ofstream(path, std::ios::trunc) << text;
  return path;
}

// Screening on with the rules at `rules_path`, every category's classifier thresholds set to
// `thresholds` (high, so that only very sure scores count) and the surge mode never entered.
inline void EnableScreening(Config& c, const std::string& rules_path,
                            const Config::ScreeningThresholds& thresholds) {
  c.screening.enabled = true;
  c.screening.rules = rules_path;
  for (auto& [name, t] : c.screening.thresholds) t = thresholds;
  c.screening.surge_open_cases = 0;
  c.screening.surge_oldest_open_minutes = 0;
}

}  // namespace stoa::testing
