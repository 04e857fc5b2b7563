#include "common/config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace stoa {
namespace {

std::string WriteTemp(const std::string& content) {
  char name[] = "/tmp/stoa-config-XXXXXX";
  const int fd = mkstemp(name);
  close(fd);
  std::ofstream(name) << content;
  return name;
}

TEST(ConfigTest, DefaultsWithoutFileOrEnvironment) {
  auto config = LoadConfig("", {});
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->server.listen, "127.0.0.1:8080");
  EXPECT_EQ(config->instance.max_status_chars, 500);
  EXPECT_TRUE(config->rate_limits.enabled);
  EXPECT_EQ(config->instance.registrations, Registrations::kOpen);
}

TEST(ConfigTest, FileThenEnvironmentOverride) {
  const std::string path = WriteTemp(R"(
[instance]
name = "Example"
max_status_chars = 1000
registrations = "approval"
languages = ["de"]
[rate_limits]
per_ip = "10/60"
)");
  auto config = LoadConfig(path, {{"STOA_INSTANCE_MAX_STATUS_CHARS", "700"},
                                  {"STOA_RATE_LIMITS", "off"},
                                  {"STOA_BASE_URL", "https://example.org/"}});
  std::remove(path.c_str());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->instance.name, "Example");
  EXPECT_EQ(config->instance.max_status_chars, 700);
  EXPECT_EQ(config->instance.registrations, Registrations::kApproval);
  EXPECT_EQ(config->instance.languages, std::vector<std::string>{"de"});
  EXPECT_EQ(config->rate_limits.per_ip.limit, 10);
  EXPECT_EQ(config->rate_limits.per_ip.window_seconds, 60);
  EXPECT_FALSE(config->rate_limits.enabled);
  EXPECT_EQ(config->instance.base_url, "https://example.org");
}

TEST(ConfigTest, ErrorsNameTheKey) {
  struct Case {
    std::string toml;
    std::map<std::string, std::string> env;
    std::string needle;
  };
  const Case cases[] = {
      {"[instance]\nnope = 1\n", {}, "unknown key 'instance.nope'"},
      {"[instance]\nmax_status_chars = 0\n", {}, "instance.max_status_chars"},
      {"", {{"STOA_INSTANCE_REGISTRATIONS", "sometimes"}}, "instance.registrations"},
      {"", {{"STOA_RATE_LIMITS", "maybe"}}, "rate_limits.enabled"},
      {"[server\n", {}, ":1:"},
  };
  for (const auto& c : cases) {
    const std::string path = c.toml.empty() ? "" : WriteTemp(c.toml);
    auto config = LoadConfig(path, c.env);
    if (!path.empty()) std::remove(path.c_str());
    ASSERT_FALSE(config.ok()) << c.toml;
    EXPECT_NE(config.status().message().find(c.needle), std::string::npos)
        << config.status().message();
  }
}

}  // namespace
}  // namespace stoa

namespace stoa {
namespace {

// stoa.example.toml documents every key with its default: loading it must change nothing.
TEST(ConfigTest, ExampleFileDocumentsTheDefaults) {
  auto defaults = LoadConfig("", {});
  auto example = LoadConfig(STOA_SOURCE_DIR "/stoa.example.toml", {});
  ASSERT_TRUE(example.ok()) << example.status().ToString();
  EXPECT_EQ(example->server.listen, defaults->server.listen);
  EXPECT_EQ(example->server.body_limit_bytes, defaults->server.body_limit_bytes);
  EXPECT_EQ(example->instance.base_url, defaults->instance.base_url);
  EXPECT_EQ(example->instance.max_status_chars, defaults->instance.max_status_chars);
  EXPECT_EQ(example->instance.languages, defaults->instance.languages);
  EXPECT_EQ(example->rate_limits.per_token.limit, defaults->rate_limits.per_token.limit);
  EXPECT_EQ(example->rate_limits.registrations_per_ip.window_seconds,
            defaults->rate_limits.registrations_per_ip.window_seconds);
  EXPECT_EQ(example->timelines.home_max_items, defaults->timelines.home_max_items);
  EXPECT_EQ(example->timelines.home_cache_accounts, defaults->timelines.home_cache_accounts);
  EXPECT_EQ(example->timelines.status_cache_entries, defaults->timelines.status_cache_entries);
  EXPECT_EQ(example->security.password_hash_cost, defaults->security.password_hash_cost);
  EXPECT_EQ(example->storage.synchronous, defaults->storage.synchronous);
  EXPECT_EQ(example->storage.cache_size_kib, defaults->storage.cache_size_kib);
  EXPECT_EQ(example->storage.wal_autocheckpoint_pages, defaults->storage.wal_autocheckpoint_pages);
  EXPECT_EQ(example->storage.preallocate_wal, defaults->storage.preallocate_wal);
  EXPECT_EQ(example->screening.enabled, defaults->screening.enabled);
  EXPECT_EQ(example->screening.rules, defaults->screening.rules);
  EXPECT_EQ(example->screening.model, defaults->screening.model);
  for (const auto& [name, t] : defaults->screening.thresholds) {
    const auto& e = example->screening.thresholds.at(name);
    EXPECT_EQ(e.flag, t.flag) << name;
    EXPECT_EQ(e.hold, t.hold) << name;
    EXPECT_EQ(e.reject, t.reject) << name;
  }
  EXPECT_EQ(example->screening.surge_open_cases, defaults->screening.surge_open_cases);
  EXPECT_EQ(example->screening.surge_oldest_open_minutes,
            defaults->screening.surge_oldest_open_minutes);
  EXPECT_EQ(example->screening.surge_hold_drop, defaults->screening.surge_hold_drop);
  EXPECT_EQ(example->screening.surge_check_seconds, defaults->screening.surge_check_seconds);
  EXPECT_EQ(example->screening.duplicate_reject_distance,
            defaults->screening.duplicate_reject_distance);
  EXPECT_EQ(example->screening.duplicate_flag_distance, defaults->screening.duplicate_flag_distance);
  EXPECT_EQ(example->screening.campaign_distance, defaults->screening.campaign_distance);
  EXPECT_EQ(example->screening.campaign_window_days, defaults->screening.campaign_window_days);
  EXPECT_EQ(example->screening.classifier_max_verdict,
            defaults->screening.classifier_max_verdict);
}

TEST(ConfigTest, ScreeningThresholdsAndSurge) {
  const std::string path = WriteTemp(R"(
[screening]
rules = "/etc/stoa/my.rules"
threat = "0.4/0.7/0.99"
spam = "0.9/off/off"
surge_hold_drop = 0.25
surge_open_cases = 50
classifier_max_verdict = "hold"
)");
  auto config = LoadConfig(path, {{"STOA_SCREENING_VIOLENCE", "0.3/0.6/off"},
                                  {"STOA_SCREENING_ENABLED", "false"}});
  std::remove(path.c_str());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_FALSE(config->screening.enabled);
  EXPECT_EQ(config->screening.rules, "/etc/stoa/my.rules");
  EXPECT_DOUBLE_EQ(config->screening.thresholds.at("threat").flag, 0.4);
  EXPECT_DOUBLE_EQ(config->screening.thresholds.at("threat").hold, 0.7);
  EXPECT_DOUBLE_EQ(config->screening.thresholds.at("threat").reject, 0.99);
  EXPECT_DOUBLE_EQ(config->screening.thresholds.at("spam").flag, 0.9);
  EXPECT_GT(config->screening.thresholds.at("spam").hold, 1.0);
  EXPECT_DOUBLE_EQ(config->screening.thresholds.at("violence").flag, 0.3);
  EXPECT_DOUBLE_EQ(config->screening.surge_hold_drop, 0.25);
  EXPECT_EQ(config->screening.surge_open_cases, 50);
  EXPECT_EQ(config->screening.classifier_max_verdict, "hold");
  EXPECT_EQ(LoadConfig("", {})->screening.classifier_max_verdict, "publish_and_flag");
  auto cap = LoadConfig("", {{"STOA_SCREENING_CLASSIFIER_MAX_VERDICT", "publish"}});
  ASSERT_FALSE(cap.ok());
  EXPECT_NE(cap.status().message().find("screening.classifier_max_verdict"), std::string::npos);

  for (const std::string bad : {"0.5/0.8", "0.9/0.5/off", "off/0.8/off", "0/0.5/off", "a/b/c",
                                "0.5/1.5/off"}) {
    auto refused = LoadConfig("", {{"STOA_SCREENING_THREAT", bad}});
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_NE(refused.status().message().find("screening.threat"), std::string::npos)
        << refused.status().message();
  }
  auto drop = LoadConfig("", {{"STOA_SCREENING_SURGE_HOLD_DROP", "1.5"}});
  ASSERT_FALSE(drop.ok());
  EXPECT_NE(drop.status().message().find("screening.surge_hold_drop"), std::string::npos);

  // The match stage's distances: defaults 3 and 7, -1 turns a check off, at most 15.
  EXPECT_EQ(LoadConfig("", {})->screening.duplicate_reject_distance, 7);
  EXPECT_EQ(LoadConfig("", {})->screening.duplicate_flag_distance, 9);
  auto distances = LoadConfig("", {{"STOA_SCREENING_DUPLICATE_REJECT_DISTANCE", "-1"},
                                   {"STOA_SCREENING_DUPLICATE_FLAG_DISTANCE", "10"}});
  ASSERT_TRUE(distances.ok()) << distances.status().ToString();
  EXPECT_EQ(distances->screening.duplicate_reject_distance, -1);
  EXPECT_EQ(distances->screening.duplicate_flag_distance, 10);
  auto far = LoadConfig("", {{"STOA_SCREENING_DUPLICATE_FLAG_DISTANCE", "16"}});
  ASSERT_FALSE(far.ok());
  EXPECT_NE(far.status().message().find("screening.duplicate_flag_distance"), std::string::npos);

  // Campaigns: distance 7 and a window of 7 days by default; -1 turns them off; the window is
  // 1 to 365 days.
  EXPECT_EQ(LoadConfig("", {})->screening.campaign_distance, 7);
  EXPECT_EQ(LoadConfig("", {})->screening.campaign_window_days, 7);
  auto campaigns = LoadConfig("", {{"STOA_SCREENING_CAMPAIGN_DISTANCE", "-1"},
                                   {"STOA_SCREENING_CAMPAIGN_WINDOW_DAYS", "30"}});
  ASSERT_TRUE(campaigns.ok()) << campaigns.status().ToString();
  EXPECT_EQ(campaigns->screening.campaign_distance, -1);
  EXPECT_EQ(campaigns->screening.campaign_window_days, 30);
  auto no_window = LoadConfig("", {{"STOA_SCREENING_CAMPAIGN_WINDOW_DAYS", "0"}});
  ASSERT_FALSE(no_window.ok());
  EXPECT_NE(no_window.status().message().find("screening.campaign_window_days"),
            std::string::npos);
}

}  // namespace
}  // namespace stoa
