// The storage facade: read sessions and write transactions over every aggregate. The concrete
// backend (SQLite now, PostgreSQL later) is chosen in src/app only.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "common/status.h"
#include "storage/accounts.h"
#include "storage/audit_store.h"
#include "storage/decisions_store.h"
#include "storage/instance_rules.h"
#include "storage/notifications.h"
#include "storage/oauth_store.h"
#include "storage/posts.h"
#include "storage/relationships.h"
#include "storage/safety_store.h"
#include "storage/tags.h"
#include "storage/transparency_store.h"

namespace stoa::storage {

// Read-only access bound to one connection; not thread-safe; short-lived (one request).
class ReadSession {
 public:
  virtual ~ReadSession() = default;
  virtual const Accounts& accounts() = 0;
  virtual const Posts& posts() = 0;
  virtual const Tags& tags() = 0;
  virtual const Relationships& relationships() = 0;
  virtual const Notifications& notifications() = 0;
  virtual const OAuthStore& oauth() = 0;
  virtual const InstanceRules& rules() = 0;
  virtual const AuditStore& audit() = 0;
  virtual const TransparencyQueries& transparency() = 0;
  virtual const Notices& notices() = 0;
  virtual const Cases& cases() = 0;
  virtual const Notifiers& notifiers() = 0;
  virtual const Outbox& outbox() = 0;
  virtual const Decisions& decisions() = 0;
};

// Read-write access inside one transaction. Only valid during the Write callback.
class Transaction {
 public:
  virtual ~Transaction() = default;
  // Runs `fn` on the thread that called Storage::Write, after the transaction committed durably
  // and before Write returns; never when it was rolled back. For in-memory effects of the write
  // (e.g. live events) that must not happen unless it lands.
  void AfterCommit(std::function<void()> fn) { after_commit_.push_back(std::move(fn)); }
  std::vector<std::function<void()>> TakeAfterCommit() { return std::move(after_commit_); }
  // Runs `fn` once the transaction is durable, before Write returns, in commit order: the hooks
  // of a write run after those of every write committed before it and before those of every
  // write committed after it. For cache updates that must not be overtaken by an older one
  // (a newer object put before an older one would stay stale). Runs on the storage's own thread:
  // must be quick, must not throw and must not use the storage.
  void AfterCommitInOrder(std::function<void()> fn) { in_order_.push_back(std::move(fn)); }
  std::vector<std::function<void()>> TakeAfterCommitInOrder() { return std::move(in_order_); }

 private:
  std::vector<std::function<void()>> after_commit_;
  std::vector<std::function<void()>> in_order_;

 public:
  virtual Accounts& accounts() = 0;
  virtual Posts& posts() = 0;
  virtual Tags& tags() = 0;
  virtual Relationships& relationships() = 0;
  virtual Notifications& notifications() = 0;
  virtual OAuthStore& oauth() = 0;
  virtual InstanceRules& rules() = 0;
  virtual AuditStore& audit() = 0;
  virtual Notices& notices() = 0;
  virtual Cases& cases() = 0;
  virtual Notifiers& notifiers() = 0;
  virtual Outbox& outbox() = 0;
  virtual Decisions& decisions() = 0;
};

class Storage {
 public:
  virtual ~Storage() = default;

  // Runs `fn` in a transaction and returns once it is durably committed (or rolled back when `fn`
  // fails: nothing it wrote remains). Thread-safe. `fn` may run on another thread and must not
  // call Write itself. In-memory side effects belong after Write returns OK.
  virtual Status Write(std::function<Status(Transaction&)> fn) = 0;
  // Write without holding the calling thread while the write waits for its durable commit
  // (for handlers on an event loop). Once the write is durable or has failed, the storage calls
  // `resume`, on a thread of its own, with a task that runs the AfterCommit hooks (only when
  // the write succeeded) and then calls `done` with what Write would have returned. `resume`
  // must only hand the task to another thread (an event loop) and return; the task runs there.
  // When the write cannot even be queued (the storage is closing), `resume` may be called at
  // once, on the calling thread. `fn` runs as for Write; AfterCommitInOrder hooks run on the
  // storage's thread, in commit order, as for Write.
  using Resume = std::function<void(std::function<void()>)>;
  virtual void WriteAsync(std::function<Status(Transaction&)> fn, Resume resume,
                          std::function<void(Status)> done) = 0;
  // A read session; thread-safe to call, the session itself is single-threaded.
  virtual std::unique_ptr<ReadSession> Read() = 0;
  // Writes waiting for the writer (for /metrics).
  virtual size_t write_queue_depth() const = 0;
};

}  // namespace stoa::storage
