#include "common/config.h"

#include <charconv>
#include <cstdio>
#include <functional>
#define TOML_EXCEPTIONS 0  // parse errors as values, not exceptions
#include <toml++/toml.h>

#include "common/strings.h"

extern char** environ;

namespace stoa {
namespace {

// One setter per configuration key, shared by the TOML and environment layers so that both accept
// exactly the same keys and values.
using Setter = std::function<Status(Config&, const std::string&)>;

Status ParseIntValue(const std::string& key, const std::string& text, int64_t min, int64_t max,
                     int64_t& out) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < min || v > max) {
    return InvalidArgument(key + ": expected an integer between " + std::to_string(min) + " and " +
                           std::to_string(max) + ", got '" + text + "'");
  }
  out = v;
  return Status::Ok();
}

Status ParseBoolValue(const std::string& key, const std::string& text, bool& out) {
  const std::string v = AsciiLower(text);
  if (v == "true" || v == "1" || v == "on" || v == "yes") {
    out = true;
  } else if (v == "false" || v == "0" || v == "off" || v == "no") {
    out = false;
  } else {
    return InvalidArgument(key + ": expected true/false (or on/off), got '" + text + "'");
  }
  return Status::Ok();
}

template <typename T>
Setter IntSetter(T Config::*section_ptr, auto field, int64_t min, int64_t max, std::string key) {
  return [=](Config& c, const std::string& v) -> Status {
    int64_t parsed;
    RETURN_IF_ERROR(ParseIntValue(key, v, min, max, parsed));
    (c.*section_ptr).*field = static_cast<std::remove_reference_t<decltype((c.*section_ptr).*field)>>(parsed);
    return Status::Ok();
  };
}

template <typename T>
Setter BoolSetter(T Config::*section_ptr, bool T::*field, std::string key) {
  return [=](Config& c, const std::string& v) { return ParseBoolValue(key, v, (c.*section_ptr).*field); };
}

template <typename T>
Setter StringSetter(T Config::*section_ptr, std::string T::*field) {
  return [=](Config& c, const std::string& v) {
    (c.*section_ptr).*field = v;
    return Status::Ok();
  };
}

Status ParseFraction(const std::string& key, const std::string& text, double min, double max,
                     double& out) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || !(v >= min && v <= max)) {
    char range[64];
    std::snprintf(range, sizeof range, "%g and %g", min, max);
    return InvalidArgument(key + ": expected a number between " + range + ", got '" + text + "'");
  }
  out = v;
  return Status::Ok();
}

// "FLAG/HOLD/REJECT", each a number in (0, 1] or "off" (hold and reject only).
Setter ThresholdSetter(std::string category) {
  const std::string key = "screening." + category;
  return [=](Config& c, const std::string& v) -> Status {
    const auto parts = Split(v, '/');
    if (parts.size() != 3) {
      return InvalidArgument(key + ": expected FLAG/HOLD/REJECT such as 0.5/0.8/off, got '" + v + "'");
    }
    double values[3];
    for (size_t i = 0; i < 3; ++i) {
      const std::string part(Trim(parts[i]));
      if (i > 0 && part == "off") {
        values[i] = 2.0;
        continue;
      }
      RETURN_IF_ERROR(ParseFraction(key, part, 0.001, 1.0, values[i]));
    }
    if (!(values[0] <= values[1] && values[1] <= values[2])) {
      return InvalidArgument(key + ": expected flag <= hold <= reject, got '" + v + "'");
    }
    c.screening.thresholds[category] = Config::ScreeningThresholds{values[0], values[1], values[2]};
    return Status::Ok();
  };
}

Setter RateSetter(RateLimit Config::RateLimits::*field, std::string key) {
  // "LIMIT/SECONDS", e.g. "300/300".
  return [=](Config& c, const std::string& v) -> Status {
    const auto slash = v.find('/');
    if (slash == std::string::npos) {
      return InvalidArgument(key + ": expected LIMIT/SECONDS such as 300/300, got '" + v + "'");
    }
    int64_t limit, window;
    RETURN_IF_ERROR(ParseIntValue(key, v.substr(0, slash), 1, 1000000000, limit));
    RETURN_IF_ERROR(ParseIntValue(key, v.substr(slash + 1), 1, 86400 * 30, window));
    c.rate_limits.*field = RateLimit{static_cast<int>(limit), static_cast<int>(window)};
    return Status::Ok();
  };
}

const std::map<std::string, Setter>& Setters() {
  using C = Config;
  static const auto* setters = new std::map<std::string, Setter>{
      {"server.listen", StringSetter(&C::server, &C::Server::listen)},
      {"server.threads", IntSetter(&C::server, &C::Server::threads, 0, 256, "server.threads")},
      {"server.blocking_threads",
       IntSetter(&C::server, &C::Server::blocking_threads, 0, 4096, "server.blocking_threads")},
      {"server.body_limit_bytes", IntSetter(&C::server, &C::Server::body_limit_bytes, 1024,
                                            int64_t{1} << 32, "server.body_limit_bytes")},
      {"server.header_timeout_seconds", IntSetter(&C::server, &C::Server::header_timeout_seconds, 1,
                                                  3600, "server.header_timeout_seconds")},
      {"server.body_timeout_seconds", IntSetter(&C::server, &C::Server::body_timeout_seconds, 1,
                                                3600, "server.body_timeout_seconds")},
      {"server.idle_timeout_seconds", IntSetter(&C::server, &C::Server::idle_timeout_seconds, 1,
                                                86400, "server.idle_timeout_seconds")},
      {"server.access_log", BoolSetter(&C::server, &C::Server::access_log, "server.access_log")},
      {"instance.base_url", StringSetter(&C::instance, &C::Instance::base_url)},
      {"instance.name", StringSetter(&C::instance, &C::Instance::name)},
      {"instance.description", StringSetter(&C::instance, &C::Instance::description)},
      {"instance.contact_email", StringSetter(&C::instance, &C::Instance::contact_email)},
      {"instance.registrations",
       [](Config& c, const std::string& v) -> Status {
         if (v == "open") c.instance.registrations = Registrations::kOpen;
         else if (v == "approval") c.instance.registrations = Registrations::kApproval;
         else if (v == "closed") c.instance.registrations = Registrations::kClosed;
         else return InvalidArgument("instance.registrations: expected open, approval or closed, got '" + v + "'");
         return Status::Ok();
       }},
      {"instance.max_status_chars", IntSetter(&C::instance, &C::Instance::max_status_chars, 1,
                                              100000, "instance.max_status_chars")},
      {"instance.max_bio_chars",
       IntSetter(&C::instance, &C::Instance::max_bio_chars, 1, 100000, "instance.max_bio_chars")},
      {"instance.max_profile_fields", IntSetter(&C::instance, &C::Instance::max_profile_fields, 0,
                                                16, "instance.max_profile_fields")},
      {"instance.languages",
       [](Config& c, const std::string& v) {
         c.instance.languages.clear();
         for (auto part : Split(v, ',')) {
           if (!Trim(part).empty()) c.instance.languages.emplace_back(Trim(part));
         }
         return Status::Ok();
       }},
      {"oauth.password_grant", BoolSetter(&C::oauth, &C::OAuth::password_grant, "oauth.password_grant")},
      {"rate_limits.enabled",
       BoolSetter(&C::rate_limits, &C::RateLimits::enabled, "rate_limits.enabled")},
      {"rate_limits.per_token", RateSetter(&C::RateLimits::per_token, "rate_limits.per_token")},
      {"rate_limits.per_ip", RateSetter(&C::RateLimits::per_ip, "rate_limits.per_ip")},
      {"rate_limits.registrations_per_ip",
       RateSetter(&C::RateLimits::registrations_per_ip, "rate_limits.registrations_per_ip")},
      {"rate_limits.deletes_per_account",
       RateSetter(&C::RateLimits::deletes_per_account, "rate_limits.deletes_per_account")},
      {"rate_limits.anonymous_notices_per_ip",
       RateSetter(&C::RateLimits::anonymous_notices_per_ip, "rate_limits.anonymous_notices_per_ip")},
      {"rate_limits.priority_notices_per_key",
       RateSetter(&C::RateLimits::priority_notices_per_key, "rate_limits.priority_notices_per_key")},
      {"safety.lease_minutes",
       IntSetter(&C::safety, &C::Safety::lease_minutes, 1, 24 * 60, "safety.lease_minutes")},
      {"safety.deadline_threat_to_life_minutes",
       IntSetter(&C::safety, &C::Safety::deadline_threat_to_life_minutes, 1, 60 * 24 * 7,
                 "safety.deadline_threat_to_life_minutes")},
      {"safety.deadline_manifestly_illegal_hours",
       IntSetter(&C::safety, &C::Safety::deadline_manifestly_illegal_hours, 1, 24 * 365,
                 "safety.deadline_manifestly_illegal_hours")},
      {"safety.deadline_illegal_hours", IntSetter(&C::safety, &C::Safety::deadline_illegal_hours, 1,
                                                  24 * 365, "safety.deadline_illegal_hours")},
      {"safety.deadline_terms_hours", IntSetter(&C::safety, &C::Safety::deadline_terms_hours, 1,
                                                24 * 365, "safety.deadline_terms_hours")},
      {"safety.deadline_spam_hours", IntSetter(&C::safety, &C::Safety::deadline_spam_hours, 1,
                                               24 * 365, "safety.deadline_spam_hours")},
      {"safety.priority_deadline_percent",
       IntSetter(&C::safety, &C::Safety::priority_deadline_percent, 1, 100,
                 "safety.priority_deadline_percent")},
      {"safety.score_priority_bonus", IntSetter(&C::safety, &C::Safety::score_priority_bonus, 0,
                                                100000, "safety.score_priority_bonus")},
      {"safety.score_per_notifier", IntSetter(&C::safety, &C::Safety::score_per_notifier, 0,
                                              100000, "safety.score_per_notifier")},
      {"safety.score_notifier_cap", IntSetter(&C::safety, &C::Safety::score_notifier_cap, 0,
                                              1000000, "safety.score_notifier_cap")},
      {"safety.score_reach_weight", IntSetter(&C::safety, &C::Safety::score_reach_weight, 0,
                                              100000, "safety.score_reach_weight")},
      {"safety.score_reach_cap",
       IntSetter(&C::safety, &C::Safety::score_reach_cap, 0, 1000000, "safety.score_reach_cap")},
      {"safety.brigading_damping_percent",
       IntSetter(&C::safety, &C::Safety::brigading_damping_percent, 0, 100,
                 "safety.brigading_damping_percent")},
      {"safety.brigading_bridge_bonus_percent",
       IntSetter(&C::safety, &C::Safety::brigading_bridge_bonus_percent, 0, 1000,
                 "safety.brigading_bridge_bonus_percent")},
      {"safety.brigading_sample",
       IntSetter(&C::safety, &C::Safety::brigading_sample, 0, 1000, "safety.brigading_sample")},
      {"safety.record_min_decided",
       IntSetter(&C::safety, &C::Safety::record_min_decided, 1, 1000000, "safety.record_min_decided")},
      {"safety.record_weight_percent",
       IntSetter(&C::safety, &C::Safety::record_weight_percent, 0, 1000,
                 "safety.record_weight_percent")},
      {"safety.record_floor_percent",
       IntSetter(&C::safety, &C::Safety::record_floor_percent, 0, 100, "safety.record_floor_percent")},
      {"safety.record_cap_percent",
       IntSetter(&C::safety, &C::Safety::record_cap_percent, 100, 1000, "safety.record_cap_percent")},
      {"safety.appeal_window_days",
       IntSetter(&C::safety, &C::Safety::appeal_window_days, 1, 3650, "safety.appeal_window_days")},
      {"safety.strike_window_days",
       IntSetter(&C::safety, &C::Safety::strike_window_days, 1, 3650, "safety.strike_window_days")},
      {"safety.strike_warning_threshold",
       IntSetter(&C::safety, &C::Safety::strike_warning_threshold, 0, 1000, "safety.strike_warning_threshold")},
      {"safety.strike_suspension_threshold",
       IntSetter(&C::safety, &C::Safety::strike_suspension_threshold, 0, 1000, "safety.strike_suspension_threshold")},
      {"safety.strike_suspension_days",
       IntSetter(&C::safety, &C::Safety::strike_suspension_days, 1, 3650, "safety.strike_suspension_days")},
      {"safety.unfounded_window_days",
       IntSetter(&C::safety, &C::Safety::unfounded_window_days, 1, 3650, "safety.unfounded_window_days")},
      {"safety.unfounded_warning_threshold",
       IntSetter(&C::safety, &C::Safety::unfounded_warning_threshold, 0, 1000, "safety.unfounded_warning_threshold")},
      {"safety.unfounded_suspension_threshold",
       IntSetter(&C::safety, &C::Safety::unfounded_suspension_threshold, 0, 1000, "safety.unfounded_suspension_threshold")},
      {"safety.unfounded_suspension_days",
       IntSetter(&C::safety, &C::Safety::unfounded_suspension_days, 1, 3650, "safety.unfounded_suspension_days")},
      {"safety.max_bulk_decisions",
       IntSetter(&C::safety, &C::Safety::max_bulk_decisions, 1, 10000, "safety.max_bulk_decisions")},
      {"storage.reader_connections", IntSetter(&C::storage, &C::Storage::reader_connections, 0,
                                               1024, "storage.reader_connections")},
      {"storage.synchronous",
       [](Config& c, const std::string& v) -> Status {
         if (v != "full" && v != "normal") {
           return InvalidArgument("storage.synchronous: expected full or normal, got '" + v + "'");
         }
         c.storage.synchronous = v;
         return Status::Ok();
       }},
      {"storage.busy_timeout_ms",
       IntSetter(&C::storage, &C::Storage::busy_timeout_ms, 0, 600000, "storage.busy_timeout_ms")},
      {"storage.wal_autocheckpoint_pages",
       IntSetter(&C::storage, &C::Storage::wal_autocheckpoint_pages, 0, 10000000,
                 "storage.wal_autocheckpoint_pages")},
      {"storage.preallocate_wal",
       BoolSetter(&C::storage, &C::Storage::preallocate_wal, "storage.preallocate_wal")},
      {"storage.cache_size_kib", IntSetter(&C::storage, &C::Storage::cache_size_kib, 256,
                                           int64_t{1} << 26, "storage.cache_size_kib")},
      {"timelines.home_max_items", IntSetter(&C::timelines, &C::Timelines::home_max_items, 40,
                                             100000, "timelines.home_max_items")},
      {"timelines.home_cache_accounts", IntSetter(&C::timelines, &C::Timelines::home_cache_accounts,
                                                  0, 100000000, "timelines.home_cache_accounts")},
      {"timelines.home_page_cache_entries",
       IntSetter(&C::timelines, &C::Timelines::home_page_cache_entries, 0, 100000000,
                 "timelines.home_page_cache_entries")},
      {"timelines.status_cache_entries",
       IntSetter(&C::timelines, &C::Timelines::status_cache_entries, 0, 100000000,
                 "timelines.status_cache_entries")},
      {"security.password_hash_cost",
       [](Config& c, const std::string& v) -> Status {
         if (v != "minimal" && v != "interactive" && v != "moderate") {
           return InvalidArgument(
               "security.password_hash_cost: expected minimal, interactive or moderate, got '" + v + "'");
         }
         c.security.password_hash_cost = v;
         return Status::Ok();
       }},
      {"screening.enabled",
       BoolSetter(&C::screening, &C::Screening::enabled, "screening.enabled")},
      {"screening.rules", StringSetter(&C::screening, &C::Screening::rules)},
      {"screening.model", StringSetter(&C::screening, &C::Screening::model)},
      {"screening.violence", ThresholdSetter("violence")},
      {"screening.threat", ThresholdSetter("threat")},
      {"screening.incitement", ThresholdSetter("incitement")},
      {"screening.glorification", ThresholdSetter("glorification")},
      {"screening.terrorism", ThresholdSetter("terrorism")},
      {"screening.spam", ThresholdSetter("spam")},
      {"screening.surge_open_cases",
       IntSetter(&C::screening, &C::Screening::surge_open_cases, 0, int64_t{1} << 40,
                 "screening.surge_open_cases")},
      {"screening.surge_oldest_open_minutes",
       IntSetter(&C::screening, &C::Screening::surge_oldest_open_minutes, 0, 60 * 24 * 365,
                 "screening.surge_oldest_open_minutes")},
      {"screening.surge_hold_drop",
       [](Config& c, const std::string& v) {
         return ParseFraction("screening.surge_hold_drop", v, 0.0, 1.0,
                              c.screening.surge_hold_drop);
       }},
      {"screening.classifier_max_verdict",
       [](Config& c, const std::string& v) -> Status {
         if (v != "publish_and_flag" && v != "hold" && v != "reject") {
           return InvalidArgument(
               "screening.classifier_max_verdict: expected publish_and_flag, hold or reject, got '" +
               v + "'");
         }
         c.screening.classifier_max_verdict = v;
         return Status::Ok();
       }},
      {"screening.surge_check_seconds",
       IntSetter(&C::screening, &C::Screening::surge_check_seconds, 0, 3600,
                 "screening.surge_check_seconds")},
      {"screening.duplicate_reject_distance",
       IntSetter(&C::screening, &C::Screening::duplicate_reject_distance, -1, 15,
                 "screening.duplicate_reject_distance")},
      {"screening.duplicate_flag_distance",
       IntSetter(&C::screening, &C::Screening::duplicate_flag_distance, -1, 15,
                 "screening.duplicate_flag_distance")},
      {"screening.campaign_distance",
       IntSetter(&C::screening, &C::Screening::campaign_distance, -1, 15,
                 "screening.campaign_distance")},
      {"screening.campaign_window_days",
       IntSetter(&C::screening, &C::Screening::campaign_window_days, 1, 365,
                 "screening.campaign_window_days")},
      {"log.level",
       [](Config& c, const std::string& v) -> Status {
         static const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
         for (const char* l : kLevels) {
           if (v == l) {
             c.log.level = v;
             return Status::Ok();
           }
         }
         return InvalidArgument("log.level: expected trace, debug, info, warn, error or off, got '" + v + "'");
       }},
  };
  return *setters;
}

std::string EnvNameFor(const std::string& key) {
  std::string name = "STOA_";
  for (char c : key) name.push_back(c == '.' ? '_' : static_cast<char>(std::toupper(c)));
  return name;
}

// Renders a TOML scalar or array as the text form the setters parse.
Result<std::string> TomlValueText(const std::string& key, const toml::node& node) {
  if (auto s = node.value<std::string>(); s && node.is_string()) return *s;
  if (node.is_boolean()) return std::string(*node.value<bool>() ? "true" : "false");
  if (node.is_integer()) return std::to_string(*node.value<int64_t>());
  if (node.is_floating_point()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", *node.value<double>());
    return std::string(buf);
  }
  if (const auto* arr = node.as_array()) {
    std::string joined;
    for (const auto& el : *arr) {
      if (!el.is_string()) return InvalidArgument(key + ": expected an array of strings");
      if (!joined.empty()) joined += ",";
      joined += *el.value<std::string>();
    }
    return joined;
  }
  return InvalidArgument(key + ": unsupported value type");
}

}  // namespace

std::string_view RegistrationsName(Registrations r) {
  switch (r) {
    case Registrations::kOpen: return "open";
    case Registrations::kApproval: return "approval";
    case Registrations::kClosed: return "closed";
  }
  return "open";
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    const auto eq = kv.find('=');
    if (eq != std::string_view::npos) env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
}

Result<Config> LoadConfig(const std::string& toml_path,
                          const std::map<std::string, std::string>& env) {
  Config config;
  const auto& setters = Setters();
  if (!toml_path.empty()) {
    toml::parse_result parsed = toml::parse_file(toml_path);
    if (!parsed) {
      const auto& err = parsed.error();
      return InvalidArgument(toml_path + ":" + std::to_string(err.source().begin.line) + ": " +
                             std::string(err.description()));
    }
    const toml::table& root = parsed.table();
    for (const auto& [section, node] : root) {
      const auto* table = node.as_table();
      if (table == nullptr) {
        return InvalidArgument(toml_path + ": '" + std::string(section.str()) +
                               "' must be a [section]");
      }
      for (const auto& [name, value] : *table) {
        const std::string key = std::string(section.str()) + "." + std::string(name.str());
        auto it = setters.find(key);
        if (it == setters.end()) return InvalidArgument(toml_path + ": unknown key '" + key + "'");
        ASSIGN_OR_RETURN(std::string text, TomlValueText(key, value));
        RETURN_IF_ERROR(it->second(config, text));
      }
    }
  }
  for (const auto& [key, setter] : setters) {
    auto it = env.find(EnvNameFor(key));
    if (it != env.end()) RETURN_IF_ERROR(setter(config, it->second));
  }
  // Shorthands documented for benchmarks and operators.
  if (auto it = env.find("STOA_RATE_LIMITS"); it != env.end()) {
    RETURN_IF_ERROR(setters.at("rate_limits.enabled")(config, it->second));
  }
  if (auto it = env.find("STOA_BASE_URL"); it != env.end()) config.instance.base_url = it->second;
  while (!config.instance.base_url.empty() && config.instance.base_url.back() == '/') {
    config.instance.base_url.pop_back();
  }
  return config;
}

}  // namespace stoa
