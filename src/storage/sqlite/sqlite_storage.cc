#include "storage/sqlite/sqlite_storage.h"

#include "storage/sqlite/repos.h"

namespace stoa::storage::sqlite {
namespace {

// Every repository over one connection; used both for reads and inside write jobs.
struct Repos {
  explicit Repos(Connection* c)
      : accounts(c),
        posts(c),
        tags(c),
        relationships(c),
        notifications(c),
        oauth(c),
        rules(c),
        audit(c),
        transparency(c),
        notices(c),
        cases(c),
        notifiers(c),
        outbox(c),
        decisions(c) {}
  SqliteAccounts accounts;
  SqlitePosts posts;
  SqliteTags tags;
  SqliteRelationships relationships;
  SqliteNotifications notifications;
  SqliteOAuth oauth;
  SqliteInstanceRules rules;
  SqliteAuditStore audit;
  SqliteTransparency transparency;
  // Trust and safety (safety.cc).
  SqliteNotices notices;
  SqliteCases cases;
  SqliteNotifiers notifiers;
  SqliteOutbox outbox;
  SqliteDecisions decisions;  // decisions.cc
};

class SqliteReadSession final : public ReadSession {
 public:
  explicit SqliteReadSession(ReadLease lease) : lease_(std::move(lease)), repos_(&*lease_) {}
  const Accounts& accounts() override { return repos_.accounts; }
  const Posts& posts() override { return repos_.posts; }
  const Tags& tags() override { return repos_.tags; }
  const Relationships& relationships() override { return repos_.relationships; }
  const Notifications& notifications() override { return repos_.notifications; }
  const OAuthStore& oauth() override { return repos_.oauth; }
  const InstanceRules& rules() override { return repos_.rules; }
  const AuditStore& audit() override { return repos_.audit; }
  const TransparencyQueries& transparency() override { return repos_.transparency; }
  const Notices& notices() override { return repos_.notices; }
  const Cases& cases() override { return repos_.cases; }
  const Notifiers& notifiers() override { return repos_.notifiers; }
  const Outbox& outbox() override { return repos_.outbox; }
  const Decisions& decisions() override { return repos_.decisions; }

 private:
  ReadLease lease_;
  Repos repos_;
};

class SqliteTransaction final : public Transaction {
 public:
  explicit SqliteTransaction(Connection* c) : repos_(c) {}
  Accounts& accounts() override { return repos_.accounts; }
  Posts& posts() override { return repos_.posts; }
  Tags& tags() override { return repos_.tags; }
  Relationships& relationships() override { return repos_.relationships; }
  Notifications& notifications() override { return repos_.notifications; }
  OAuthStore& oauth() override { return repos_.oauth; }
  InstanceRules& rules() override { return repos_.rules; }
  AuditStore& audit() override { return repos_.audit; }
  Notices& notices() override { return repos_.notices; }
  Cases& cases() override { return repos_.cases; }
  Notifiers& notifiers() override { return repos_.notifiers; }
  Outbox& outbox() override { return repos_.outbox; }
  Decisions& decisions() override { return repos_.decisions; }

 private:
  Repos repos_;
};

}  // namespace

Result<std::unique_ptr<SqliteStorage>> SqliteStorage::Open(const std::string& path,
                                                           const DatabaseOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::Open(path, options));
  auto applied = db->Migrate(SqliteMigrations());
  if (!applied.ok()) return applied.status();
  return std::unique_ptr<SqliteStorage>(new SqliteStorage(std::move(db)));
}

Status SqliteStorage::Write(std::function<Status(Transaction&)> fn) {
  // The job may run twice (see Database::Write); only the last run's hooks count.
  std::vector<std::function<void()>> after_commit;
  std::vector<std::function<void()>> in_order;
  Status st = db_->Write(
      [&fn, &after_commit, &in_order](Connection& c) {
        SqliteTransaction tx(&c);
        Status job = fn(tx);
        after_commit = tx.TakeAfterCommit();
        in_order = tx.TakeAfterCommitInOrder();
        return job;
      },
      &in_order);
  if (st.ok()) {
    for (auto& hook : after_commit) hook();
  }
  return st;
}

void SqliteStorage::WriteAsync(std::function<Status(Transaction&)> fn, Resume resume,
                               std::function<void(Status)> done) {
  // What Write keeps on its stack, kept until the write is released.
  struct Pending {
    std::function<Status(Transaction&)> fn;
    std::vector<std::function<void()>> after_commit;
    std::vector<std::function<void()>> in_order;
  };
  auto pending = std::make_shared<Pending>();
  pending->fn = std::move(fn);
  Pending* raw = pending.get();
  db_->WriteAsync(
      [raw](Connection& c) {
        SqliteTransaction tx(&c);
        Status job = raw->fn(tx);
        raw->after_commit = tx.TakeAfterCommit();
        raw->in_order = tx.TakeAfterCommitInOrder();
        return job;
      },
      &raw->in_order,
      [pending = std::move(pending), resume = std::move(resume),
       done = std::move(done)](Status st) mutable {
        resume([pending = std::move(pending), done = std::move(done), st = std::move(st)] {
          if (st.ok()) {
            for (auto& hook : pending->after_commit) hook();
          }
          done(st);
        });
      });
}

std::unique_ptr<ReadSession> SqliteStorage::Read() {
  return std::make_unique<SqliteReadSession>(db_->Read());
}

}  // namespace stoa::storage::sqlite
