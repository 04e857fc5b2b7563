// The `stoa` command line: serve, migrate, demo, admin create-user, admin token, admin rules,
// train and eval (the screening classifier, app/screen_commands.h), screen (retroaction,
// app/rescan_command.h), backup and restore (app/backup_commands.h).
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>

#include "app/app.h"
#include "app/backup_commands.h"
#include "app/data_dir_lock.h"
#include "app/demo.h"
#include "app/rescan_command.h"
#include "app/screen_commands.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/json_writer.h"
#include "common/random.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "safety/audit_log.h"
#include "safety/screening_feedback.h"
#include "safety/transparency.h"

namespace stoa::app {
namespace {

constexpr int kUsageError = 2;
constexpr int kFailure = 1;

struct Options {
  // transparency export
  std::string period_from, period_to, out_file;
  std::string data;
  std::string config;
  std::string listen;
  // serve: screening files for this run (override screening.rules / screening.model)
  std::string screening_rules, screening_model;
  std::string username, email, password, role = "member", scopes = "read write follow";
  // admin rules
  std::string rule_text, rule_hint, rule_id;
  int rule_position = -1;  // -1: after the last rule
  // admin notifier
  std::string notifier_kind, notifier_name, notifier_id;
};

int Fail(const std::string& message) {
  std::fprintf(stderr, "stoa: %s\n", message.c_str());
  return kFailure;
}

int Usage(const std::string& message) {
  std::fprintf(stderr, "stoa: %s\n", message.c_str());
  return kUsageError;
}

Result<Config> LoadSettings(const Options& o) {
  auto config = LoadConfig(o.config, ProcessEnvironment());
  if (!config.ok()) return config.status();
  spdlog::set_level(spdlog::level::from_str(config->log.level));
  return config;
}

Result<std::unique_ptr<App>> OpenApp(const Options& o, const Clock& clock, Random& random) {
  ASSIGN_OR_RETURN(Config config, LoadSettings(o));
  return App::Open(o.data, std::move(config), clock, random);
}

// Opens the application on --data with the system clock and randomness and runs `run` with it;
// a failure to open is "stoa: <why>" and kFailure. With `existing`, a directory without a database
// is a usage error instead of getting a new one (the commands that only read or export).
int WithApp(const Options& o, const std::function<int(App&)>& run, bool existing = false) {
  if (existing && !std::filesystem::exists(std::filesystem::path(o.data) / "stoa.db")) {
    return Usage("no database at " + o.data + "/stoa.db");
  }
  SystemClock clock;
  SecureRandom random;
  auto app = OpenApp(o, clock, random);
  if (!app.ok()) return Fail(app.status().message());
  // These commands may write beside a running server: ids apart from the server's.
  (*app)->core().ids().StartSequencesAt(IdGenerator::kCommandLineSequence);
  return run(**app);
}

int Serve(const Options& o) {
  SystemClock clock;
  SecureRandom random;
  auto config = LoadSettings(o);
  if (!config.ok()) return Fail(config.status().message());
  if (!o.screening_rules.empty()) config->screening.rules = o.screening_rules;
  if (!o.screening_model.empty()) config->screening.model = o.screening_model;
  // SIGHUP reloads screening once the server listens for it; until then it must not end the
  // process (its default action).
  std::signal(SIGHUP, SIG_IGN);
  auto lock = DataDirLock::Acquire(o.data);
  if (!lock.ok()) return Fail(lock.status().message());
  auto app = App::Open(o.data, std::move(config).value(), clock, random);
  if (!app.ok()) return Fail(app.status().message());
  const std::string listen = o.listen.empty() ? (*app)->config().server.listen : o.listen;
  if (Status st = (*app)->Start(listen); !st.ok()) return Fail(st.message());
  spdlog::info("stoa listening on {} (data: {}, public URL: {})", listen, o.data,
               (*app)->config().instance.base_url);
  (*app)->RunUntilSignal();
  spdlog::info("stoa stopped");
  return 0;
}

int Migrate(const Options& o) {
  return WithApp(o, [&](App&) {
    std::printf("database %s/stoa.db is at the latest schema\n", o.data.c_str());
    return 0;
  });
}

int Demo(const Options& o) {
  return WithApp(o, [&](App& app) {
    auto creds = SeedDemo(app, o.data);
    if (!creds.ok()) return Fail(creds.status().message());
    std::printf("Demo accounts (log in with the e-mail or the username):\n");
    for (const auto& c : *creds) {
      std::printf("  %-10s %-9s %-28s password: %s\n", c.role.c_str(), c.username.c_str(),
                  c.email.c_str(), c.password.c_str());
    }
    return 0;
  });
}

int CreateUser(const Options& o) {
  auto role = ParseRole(o.role);
  if (!role) {
    std::fprintf(stderr, "stoa: --role must be owner, admin, moderator or member, got '%s'\n",
                 o.role.c_str());
    return kUsageError;
  }
  return WithApp(o, [&](App& app) {
    social::Registration r;
    r.username = o.username;
    r.email = o.email;
    r.password = o.password;
    r.agreement = true;
    r.role = *role;
    r.skip_approval = true;
    std::vector<social::FieldError> errors;
    auto account = app.accounts().Register(r, &errors, /*force=*/true);
    if (!account.ok()) return Fail(account.status().message());
    std::printf("created %s %s (id %lld)\n", o.role.c_str(), o.username.c_str(),
                static_cast<long long>((*account)->id));
    return 0;
  });
}

int Token(const Options& o) {
  auto scopes = ScopeSet::Parse(o.scopes);
  if (!scopes.ok() || scopes->empty()) {
    std::fprintf(stderr, "stoa: --scopes: %s\n",
                 scopes.ok() ? "at least one scope is needed" : scopes.status().message().c_str());
    return kUsageError;
  }
  return WithApp(o, [&](App& app) {
    auto account = app.accounts().Lookup(o.username);
    if (!account.ok()) return Fail("no account named '" + o.username + "'");
    auto token = app.oauth().IssueToken(kNoId, (*account)->id, *scopes);
    if (!token.ok()) return Fail(token.status().message());
    std::printf("%s\n", token->access_token.c_str());
    return 0;
  });
}

// Instance rules (members agree to them; reports cite them).
constexpr size_t kRuleTextMax = 300;
constexpr size_t kRuleHintMax = 1000;

int ListRules(const Options& o) {
  return WithApp(o, [&](App& app) {
    std::vector<InstanceRule> rules;
    {
      auto read = app.storage().Read();
      rules = read->rules().List();
    }
    if (rules.empty()) std::printf("no rules\n");
    for (const auto& rule : rules) {
      std::printf("%s\t%d\t%s", IdToString(rule.id).c_str(), rule.position, rule.text.c_str());
      if (!rule.hint.empty()) std::printf("\t(%s)", rule.hint.c_str());
      std::printf("\n");
    }
    return 0;
  });
}

int AddRule(const Options& o) {
  const std::string text(Trim(o.rule_text));
  const std::string hint(Trim(o.rule_hint));
  if (text.empty()) return Usage("--text must not be empty");
  if (!IsValidUtf8(text) || !IsValidUtf8(hint)) return Usage("--text and --hint must be UTF-8");
  if (Utf8Length(text) > kRuleTextMax) {
    return Usage("--text is longer than " + std::to_string(kRuleTextMax) + " characters");
  }
  if (Utf8Length(hint) > kRuleHintMax) {
    return Usage("--hint is longer than " + std::to_string(kRuleHintMax) + " characters");
  }
  if (o.rule_position < -1) return Usage("--position must not be negative");
  return WithApp(o, [&](App& app) {
    InstanceRule rule;
    rule.id = app.core().ids().Next();
    rule.text = text;
    rule.hint = hint;
    rule.created_at = app.core().Now();
    Status st = app.storage().Write([&](storage::Transaction& tx) -> Status {
      rule.position = o.rule_position;
      if (rule.position < 0) {
        rule.position = 0;
        for (const auto& existing : tx.rules().List()) {
          rule.position = std::max(rule.position, existing.position + 1);
        }
      }
      RETURN_IF_ERROR(tx.rules().Insert(rule));
      JsonWriter details;
      details.BeginObject()
          .Field("change", "rule.add")
          .Key("rule_id")
          .IdString(rule.id)
          .Field("text", rule.text)
          .Field("hint", rule.hint)
          .Field("position", rule.position)
          .EndObject();
      safety::AuditLog audit(app.core());
      return audit
          .Append(tx, {kNoId, "config.change", "config", "instance_rules", "",
                       "stoa admin rules add", details.Take()})
          .status();
    });
    if (!st.ok()) return Fail(st.message());
    std::printf("added rule %s at position %d\n", IdToString(rule.id).c_str(), rule.position);
    return 0;
  });
}

int RemoveRule(const Options& o) {
  auto id = ParseId(o.rule_id);
  if (!id) return Usage("--id must be a rule id (see stoa admin rules list)");
  return WithApp(o, [&](App& app) {
    // A soft delete: reports that cite the rule keep showing it.
    Status st = app.storage().Write([&](storage::Transaction& tx) -> Status {
      RETURN_IF_ERROR(tx.rules().Delete(*id, app.core().Now()));
      JsonWriter details;
      details.BeginObject().Field("change", "rule.remove").Key("rule_id").IdString(*id).EndObject();
      safety::AuditLog audit(app.core());
      return audit
          .Append(tx, {kNoId, "config.change", "config", "instance_rules", "",
                       "stoa admin rules remove", details.Take()})
          .status();
    });
    if (st.code() == StatusCode::kNotFound) return Fail("no rule with id " + o.rule_id);
    if (!st.ok()) return Fail(st.message());
    std::printf("removed rule %s\n", o.rule_id.c_str());
    return 0;
  });
}

// Priority notifiers (trusted flaggers, authorities, the host's abuse desk) and their API keys.
int AddNotifier(const Options& o) {
  auto kind = ParseNoticeSource(o.notifier_kind);
  if (!kind || !IsPrioritySource(*kind)) {
    return Usage("--kind must be trusted_flagger, authority or host");
  }
  if (Trim(o.notifier_name).empty()) return Usage("--name must not be empty");
  return WithApp(o, [&](App& app) {
    auto added = app.notices().AddNotifier(*kind, o.notifier_name, kNoId);
    if (!added.ok()) return Fail(added.status().message());
    std::printf("added %s notifier %s (%s)\n", o.notifier_kind.c_str(),
                IdToString(added->first.id).c_str(), added->first.name.c_str());
    std::printf(
        "API key (shown once; send it as \"Authorization: Bearer <key>\" on POST "
        "/api/v1/notices):\n%s\n",
        added->second.c_str());
    return 0;
  });
}

int ListNotifiers(const Options& o) {
  return WithApp(o, [&](App& app) {
    const auto notifiers = app.notices().ListNotifiers();
    if (notifiers.empty()) std::printf("no notifiers\n");
    for (const auto& n : notifiers) {
      std::printf("%s\t%s\t%s\t%s\n", IdToString(n.id).c_str(),
                  std::string(NoticeSourceName(n.kind)).c_str(), n.name.c_str(),
                  n.revoked_at ? ("revoked " + FormatIso8601(*n.revoked_at)).c_str() : "active");
    }
    return 0;
  });
}

int RevokeNotifier(const Options& o) {
  auto id = ParseId(o.notifier_id);
  if (!id) return Usage("--id must be a notifier id (see stoa admin notifier list)");
  return WithApp(o, [&](App& app) {
    Status st = app.notices().RevokeNotifier(*id, kNoId);
    if (st.code() == StatusCode::kNotFound)
      return Fail("no active notifier with id " + o.notifier_id);
    if (!st.ok()) return Fail(st.message());
    std::printf("revoked notifier %s; its key no longer works\n", o.notifier_id.c_str());
    return 0;
  });
}

// Changes a user's role (the operator's CLI: owner powers). One audit entry in the same
// transaction; a no-op change is refused so the log only records real changes.
int SetRole(const Options& o) {
  auto role = ParseRole(o.role);
  if (!role) return Usage("--role must be owner, admin, moderator or member, got '" + o.role + "'");
  return WithApp(o, [&](App& app) {
    auto account = app.accounts().Lookup(o.username);
    if (!account.ok()) return Fail("no account named '" + o.username + "'");
    auto change = app.roles().Change(kNoId, (*account)->id, *role, "cli");
    if (!change.ok()) return Fail(change.status().message());
    app.oauth().ForgetAccount(change->account_id);
    std::printf("%s: %s -> %s\n", o.username.c_str(), std::string(RoleName(change->from)).c_str(),
                std::string(RoleName(change->to)).c_str());
    return 0;
  });
}

// Writes every statement of reasons of [--from, --to) as a JSON array in the DSA Transparency
// Database shape (no personal data).
int TransparencyExport(const Options& o) {
  auto from = safety::ParsePeriodBound(o.period_from);
  auto to = safety::ParsePeriodBound(o.period_to);
  if (!from) return Usage("--from must be a date (YYYY-MM-DD) or an ISO 8601 time");
  if (!to) return Usage("--to must be a date (YYYY-MM-DD) or an ISO 8601 time");
  if (*from >= *to) return Usage("--from must be before --to");
  return WithApp(
      o,
      [&](App& app) {
        safety::Transparency transparency(app.core());
        int64_t count = 0;
        auto json = transparency.ExportStatements(*from, *to, &count);
        if (!json.ok()) return Fail(json.status().message());
        std::ofstream file(o.out_file, std::ios::binary | std::ios::trunc);
        if (!file) return Fail("cannot write " + o.out_file);
        file << *json << '\n';
        file.close();
        if (!file) return Fail("cannot write " + o.out_file);
        std::printf("wrote %lld statements of reasons to %s\n", static_cast<long long>(count),
                    o.out_file.c_str());
        return 0;
      },
      /*existing=*/true);
}

// Every decided case about a status as labelled CSV for `stoa train` (safety/screening_feedback.h).
int ExportLabels(const Options& o) {
  return WithApp(
      o,
      [&](App& app) {
        auto rows = safety::ExportLabels(app.core(), o.out_file);
        if (!rows.ok()) return Fail(rows.status().message());
        std::printf(
            "wrote %lld decided cases to %s (columns: text,label,case_id,status_id,action)\n",
            static_cast<long long>(*rows), o.out_file.c_str());
        return 0;
      },
      /*existing=*/true);
}

// Recomputes the audit log's hash chain: 0 and the head hash when intact; 1 naming the first
// broken entry; 2 when there is no database to check.
int AuditVerify(const Options& o) {
  return WithApp(
      o, [](App& app) { return PrintAuditCheck(app) ? 0 : kFailure; }, /*existing=*/true);
}

}  // namespace

int Main(int argc, char** argv) {
  Options o;
  CLI::App cli{"stoa: a microblogging server with trust and safety built in", "stoa"};
  cli.require_subcommand(1);
  auto data_option = [&](CLI::App* cmd) {
    cmd->add_option("--data", o.data, "Data directory (the SQLite database is DIR/stoa.db)")
        ->required();
    cmd->add_option("--config", o.config, "TOML configuration file")->check(CLI::ExistingFile);
  };
  CLI::App* serve = cli.add_subcommand("serve", "Run the server");
  data_option(serve);
  serve->add_option("--listen", o.listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  serve
      ->add_option("--rules", o.screening_rules,
                   "Screening rules file for this run (overrides screening.rules)")
      ->check(CLI::ExistingFile);
  serve
      ->add_option("--model", o.screening_model,
                   "Screening classifier model for this run (overrides screening.model)")
      ->check(CLI::ExistingFile);
  CLI::App* migrate = cli.add_subcommand("migrate", "Create or upgrade the database schema");
  data_option(migrate);
  CLI::App* demo = cli.add_subcommand("demo", "Seed a demo instance (once) and print its logins");
  data_option(demo);
  CLI::App* admin = cli.add_subcommand("admin", "Administration: users, tokens and rules");
  admin->require_subcommand(1);
  CLI::App* create = admin->add_subcommand("create-user", "Create a user");
  data_option(create);
  create->add_option("--username", o.username, "Username")->required();
  create->add_option("--email", o.email, "E-mail address")->required();
  create->add_option("--password", o.password, "Password (8-72 characters)")->required();
  create->add_option("--role", o.role, "owner, admin, moderator or member (default member)");
  CLI::App* token = admin->add_subcommand("token", "Print a new access token for a user");
  data_option(token);
  token->add_option("--username", o.username, "Username")->required();
  token->add_option("--scopes", o.scopes, "Space-separated scopes (default \"read write follow\")");
  CLI::App* set_role = admin->add_subcommand("set-role", "Change a user's role (audited)");
  data_option(set_role);
  set_role->add_option("--username", o.username, "Username")->required();
  set_role->add_option("--role", o.role, "owner, admin, moderator or member")->required();
  CLI::App* audit = cli.add_subcommand("audit", "The audit log");
  audit->require_subcommand(1);
  CLI::App* audit_verify =
      audit->add_subcommand("verify", "Recompute the hash chain; name the first broken entry");
  data_option(audit_verify);
  CLI::App* transparency = cli.add_subcommand("transparency", "Transparency reporting");
  transparency->require_subcommand(1);
  CLI::App* transparency_export = transparency->add_subcommand(
      "export", "Write the period's statements of reasons (DSA Transparency Database JSON)");
  data_option(transparency_export);
  transparency_export->add_option("--from", o.period_from, "Start (YYYY-MM-DD or ISO 8601)")
      ->required();
  transparency_export->add_option("--to", o.period_to, "End, exclusive")->required();
  transparency_export->add_option("--out", o.out_file, "Output file")->required();
  CLI::App* rules = admin->add_subcommand("rules", "The instance's rules (reports cite them)");
  rules->require_subcommand(1);
  CLI::App* rules_list = rules->add_subcommand("list", "List the rules: id, position, text (hint)");
  data_option(rules_list);
  CLI::App* rules_add = rules->add_subcommand("add", "Add a rule");
  data_option(rules_add);
  rules_add->add_option("--text", o.rule_text, "The rule (at most 300 characters)")->required();
  rules_add->add_option("--hint", o.rule_hint, "A longer explanation (optional)");
  rules_add->add_option("--position", o.rule_position, "Sort position (default: after the last)");
  CLI::App* rules_remove = rules->add_subcommand("remove", "Remove a rule");
  data_option(rules_remove);
  rules_remove->add_option("--id", o.rule_id, "The rule's id (from list)")->required();
  CLI::App* notifier =
      admin->add_subcommand("notifier", "Priority notifiers: trusted flaggers, authorities, host");
  notifier->require_subcommand(1);
  CLI::App* notifier_add = notifier->add_subcommand("add", "Add a notifier and print its API key");
  data_option(notifier_add);
  notifier_add->add_option("--kind", o.notifier_kind, "trusted_flagger, authority or host")
      ->required();
  notifier_add->add_option("--name", o.notifier_name, "The organisation's name")->required();
  CLI::App* notifier_list =
      notifier->add_subcommand("list", "List notifiers: id, kind, name, state");
  data_option(notifier_list);
  CLI::App* notifier_revoke = notifier->add_subcommand("revoke", "Revoke a notifier's key");
  data_option(notifier_revoke);
  notifier_revoke->add_option("--id", o.notifier_id, "The notifier's id (from list)")->required();
  CLI::App* export_labels = cli.add_subcommand(
      "export-labels", "Write every decided case as labelled CSV (the input of stoa train)");
  data_option(export_labels);
  export_labels->add_option("--out", o.out_file, "Output CSV file")->required();
  ScreenCommands screen_commands(cli);  // train, eval
  RescanCommand rescan_command(cli);    // screen (retroaction)
  BackupCommands backup_commands(cli);  // backup, restore

  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    std::cout << cli.help(e.what() == std::string("--help") ? "" : "");
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << cli.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "stoa: %s (see stoa --help)\n", e.what());
    return kUsageError;
  }
  if (serve->parsed()) return Serve(o);
  if (migrate->parsed()) return Migrate(o);
  if (demo->parsed()) return Demo(o);
  if (create->parsed()) return CreateUser(o);
  if (token->parsed()) return Token(o);
  if (set_role->parsed()) return SetRole(o);
  if (audit_verify->parsed()) return AuditVerify(o);
  if (transparency_export->parsed()) return TransparencyExport(o);
  if (rules_list->parsed()) return ListRules(o);
  if (rules_add->parsed()) return AddRule(o);
  if (rules_remove->parsed()) return RemoveRule(o);
  if (notifier_add->parsed()) return AddNotifier(o);
  if (notifier_list->parsed()) return ListNotifiers(o);
  if (notifier_revoke->parsed()) return RevokeNotifier(o);
  if (export_labels->parsed()) return ExportLabels(o);
  if (auto code = screen_commands.Run()) return *code;
  if (auto code = rescan_command.Run()) return *code;
  if (auto code = backup_commands.Run()) return *code;
  return kUsageError;
}

}  // namespace stoa::app

int main(int argc, char** argv) { return stoa::app::Main(argc, argv); }
