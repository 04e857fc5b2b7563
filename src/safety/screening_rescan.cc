#include "safety/screening_rescan.h"

#include <algorithm>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/json_writer.h"
#include "common/time_format.h"

namespace stoa::safety {
namespace {

using Action = social::ScreeningOutcome::Action;

// How often the progress of batches without hits is stored.
constexpr std::chrono::seconds kCleanProgressInterval{1};

std::string_view VerdictOf(Action a) {
  switch (a) {
    case Action::kPublish: return "publish";
    case Action::kFlag: return "publish_and_flag";
    case Action::kHold: return "hold";
    case Action::kReject: return "reject";
  }
  return "publish";
}

// The reason without the creation-time wording of a reject ("This status was rejected by
// screening (...)" / "...: it matches ..."), which would be wrong for a status that stays up.
std::string WithoutRejectWording(const std::string& reason) {
  static constexpr std::string_view kPrefix = "This status was rejected by screening";
  if (reason.rfind(kPrefix, 0) != 0) return reason;
  std::string rest = reason.substr(kPrefix.size());
  if (rest.size() >= 2 && rest.front() == '(' && rest.back() == ')') {
    return rest.substr(1, rest.size() - 2);
  }
  if (rest.rfind(" (", 0) == 0 && rest.back() == ')') return rest.substr(2, rest.size() - 3);
  if (rest.rfind(": ", 0) == 0) return rest.substr(2);
  return reason;
}

}  // namespace

Status RescanOptions::Validate() const {
  if (until && *until <= since) return InvalidArgument("until must be after since");
  if (batch_size < 1 || batch_size > kMaxBatch) {
    return InvalidArgument("batch_size must be 1-" + std::to_string(kMaxBatch));
  }
  if (pause.count() < 0 || pause.count() > kMaxPauseMs) {
    return InvalidArgument("pause_ms must be 0-" + std::to_string(kMaxPauseMs));
  }
  return Status::Ok();
}

ScreeningRescan::ScreeningRescan(social::Core& core, ScreeningService& screening)
    : core_(core), screening_(screening) {}

ScreeningRescan::~ScreeningRescan() { Stop(); }

Status ScreeningRescan::RecoverInterrupted() {
  std::optional<ScreeningRescanJob> last;
  {
    auto read = core_.storage().Read();
    last = read->posts().LastRescan();
  }
  if (!last || !last->running()) return Status::Ok();
  last->state = "interrupted";
  last->error = "the server stopped during the run";
  last->finished_at = core_.Now();
  return core_.storage().Write(
      [&](storage::Transaction& tx) { return tx.posts().PutRescan(*last); });
}

ScreeningRescanJob ScreeningRescan::NewJob(const RescanOptions& options) {
  ScreeningRescanJob job;
  job.id = core_.ids().Next();
  job.started_by = options.started_by;
  job.state = "running";
  job.since = options.since;
  job.until = options.until;
  job.started_at = core_.Now();
  if (auto rules = screening_.rules().Get()) job.rules_version = rules->version();
  if (auto model = screening_.model().Get()) job.model_version = model->version();
  return job;
}

Result<ScreeningRescanJob> ScreeningRescan::Run(
    const RescanOptions& options, const std::function<void(const ScreeningRescanJob&)>& progress) {
  RETURN_IF_ERROR(options.Validate());
  return Execute(NewJob(options), options, progress);
}

Result<ScreeningRescanJob> ScreeningRescan::Start(const RescanOptions& options) {
  RETURN_IF_ERROR(options.Validate());
  std::lock_guard lock(mu_);
  if (stop_) return Unavailable("The server is stopping");
  if (running_ && current_) {
    return Conflict("A rescan is already running (job " + IdToString(current_->id) +
                    ", started " + FormatIso8601(current_->started_at) + ")");
  }
  // The previous job's thread has finished its work (running_ is false); collect it.
  if (thread_.joinable()) thread_.join();
  ScreeningRescanJob job = NewJob(options);
  running_ = true;
  current_ = job;
  thread_ = std::thread([this, job, options] {
    ScreeningRescanJob end = Execute(job, options, {});
    std::lock_guard done(mu_);
    current_ = std::move(end);
    running_ = false;
  });
  return job;
}

std::optional<ScreeningRescanJob> ScreeningRescan::Current() {
  {
    std::lock_guard lock(mu_);
    if (current_) return current_;
  }
  auto read = core_.storage().Read();
  return read->posts().LastRescan();
}

void ScreeningRescan::Stop() {
  std::thread t;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    t = std::move(thread_);
  }
  cv_.notify_all();
  if (t.joinable()) t.join();
}

bool ScreeningRescan::Pause(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, d, [this] { return stop_; });
  return !stop_;
}

bool ScreeningRescan::stopping() {
  std::lock_guard lock(mu_);
  return stop_;
}

void ScreeningRescan::PrepareOutcome(social::ScreeningOutcome& outcome) {
  outcome.reason = "retroactive screening (" + std::string(VerdictOf(outcome.action)) +
                   "; the status stays published until a moderator decides): " +
                   WithoutRejectWording(outcome.reason);
  // ScreeningService::Record writes the notice of flags and holds; a retroactive reject gets one
  // too (its score and category are the reject's), and nothing is hidden.
  if (outcome.action == Action::kReject) outcome.action = Action::kHold;
}

Result<RescreenResult> ScreeningRescan::Rescreen(storage::Transaction& tx, const Post& read,
                                                 const social::ScreeningOutcome& outcome,
                                                 const std::string& rules_version,
                                                 const std::string& model_version) {
  // The status as it is now: deleted, removed, held or edited since the batch was read -> not
  // this run's business (an edit was screened when it was made).
  auto post = tx.posts().Get(read.id);
  if (!post.ok()) {
    if (post.status().code() == StatusCode::kNotFound) return RescreenResult::kSkipped;
    return post.status();
  }
  if (post->deleted() || post->removed() || post->held() || post->edited_at != read.edited_at) {
    return RescreenResult::kSkipped;
  }
  auto author = tx.accounts().Get(post->account_id);
  if (!author.ok() || author->SuspendedAt(core_.Now())) return RescreenResult::kSkipped;
  // Idempotence: a stricter-than-publish record of the current text by the same rules and model
  // (or with the same finding, e.g. a match of removed content) was already noticed.
  for (const ScreeningRecord& r : tx.posts().ListScreenings(post->id)) {
    if (post->edited_at && r.created_at < *post->edited_at) continue;  // an earlier text
    if (r.verdict == "publish") continue;
    if ((r.rules_version == rules_version && r.model_version == model_version) ||
        r.reason == outcome.reason) {
      return RescreenResult::kSkipped;
    }
  }
  const bool had_case = tx.cases().FindOpenForTarget(TargetType::kStatus, post->id).has_value();
  RETURN_IF_ERROR(screening_.Record(tx, *post, /*edit=*/false, outcome));
  if (!had_case && tx.cases().FindOpenForTarget(TargetType::kStatus, post->id).has_value()) {
    return RescreenResult::kOpened;
  }
  return RescreenResult::kJoined;
}

ScreeningRescanJob ScreeningRescan::Execute(
    ScreeningRescanJob job, const RescanOptions& options,
    const std::function<void(const ScreeningRescanJob&)>& progress) {
  storage::Storage& storage = core_.storage();
  const auto publish = [&] {
    {
      std::lock_guard lock(mu_);
      current_ = job;
    }
    if (progress) progress(job);
  };
  const auto finish = [&](std::string state, std::string error) {
    job.state = std::move(state);
    job.error = std::move(error);
    job.finished_at = core_.Now();
    Status st = storage.Write([&](storage::Transaction& tx) { return tx.posts().PutRescan(job); });
    if (!st.ok() && job.error.empty()) job.error = "storing the run's end failed: " + st.message();
    publish();
    return job;
  };

  // The range: ids are time-ordered (common/id.h), so the dates are id bounds. Without `until`
  // the run ends at the newest status of its start (later ones were screened at creation).
  const Id first = IdAtTime(options.since);
  Id before = kNoId;
  {
    auto read = storage.Read();
    before = options.until ? IdAtTime(*options.until) : read->posts().MaxId() + 1;
    job.last_id = std::max<Id>(0, first - 1);
    job.total = read->posts().CountPublishedRange(job.last_id, before);
  }
  // The start is an audit entry (who ran which rules and model over which range) in the same
  // transaction as the job's first row.
  AuditLog* audit = screening_.audit_log();
  if (Status st = storage.Write([&](storage::Transaction& tx) -> Status {
        RETURN_IF_ERROR(tx.posts().PutRescan(job));
        if (audit == nullptr) return Status::Ok();
        AuditDraft d;
        d.actor_id = job.started_by;
        d.action = "screening.rescan";
        d.target_type = "screening_rescan";
        d.target_id = IdToString(job.id);
        JsonWriter w;
        w.BeginObject().Field("since", FormatIso8601(job.since));
        if (job.until) w.Field("until", FormatIso8601(*job.until));
        w.Field("statuses", job.total)
            .Field("rules_version", job.rules_version)
            .Field("model_version", job.model_version)
            .EndObject();
        d.details_json = w.Take();
        return audit->Append(tx, d).status();
      });
      !st.ok()) {
    job.state = "failed";
    job.error = "storing the run failed: " + st.message();
    job.finished_at = core_.Now();
    publish();
    return job;
  }
  publish();

  struct Hit {
    const Post* post;
    std::unique_ptr<social::ScreeningOutcome> outcome;
  };
  auto last_stored = std::chrono::steady_clock::now();
  while (true) {
    if (stopping()) return finish("stopped", "");
    // Read a batch and who wrote it; no transaction stays open while screening.
    std::vector<Post> batch;
    std::vector<bool> suspended_author;
    {
      auto read = storage.Read();
      batch = read->posts().ListPublishedRange(job.last_id, before, options.batch_size);
      std::unordered_map<Id, bool> suspended;
      const Timestamp now = core_.Now();
      for (const Post& p : batch) {
        auto [it, added] = suspended.try_emplace(p.account_id, false);
        if (added) {
          auto account = read->accounts().Get(p.account_id);
          it->second = !account.ok() || account->SuspendedAt(now);
        }
        suspended_author.push_back(it->second);
      }
    }
    if (batch.empty()) return finish("done", "");

    // Screen with the rules and model in use now (a reload between batches applies to the next).
    std::string rules_version, model_version;
    if (auto rules = screening_.rules().Get()) rules_version = rules->version();
    if (auto model = screening_.model().Get()) model_version = model->version();
    std::vector<Hit> hits;
    int64_t skipped = 0;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (suspended_author[i]) {
        ++skipped;
        continue;
      }
      auto outcome = screening_.Screen(batch[i], /*edit=*/false);
      if (outcome->action == Action::kPublish) continue;
      PrepareOutcome(*outcome);
      hits.push_back({&batch[i], std::move(outcome)});
    }

    // The batch's hits and the run's progress in one write transaction. A batch without hits
    // stores its progress at most once a second (each write transaction is a durable commit);
    // the job as GET shows it is current either way.
    ScreeningRescanJob next;
    const auto advance = [&] {
      next = job;
      next.rules_version = rules_version;
      next.model_version = model_version;
      next.scanned += static_cast<int64_t>(batch.size());
      next.skipped += skipped;
      next.last_id = batch.back().id;
    };
    const auto now = std::chrono::steady_clock::now();
    if (hits.empty() && now - last_stored < kCleanProgressInterval &&
        static_cast<int>(batch.size()) == options.batch_size) {
      advance();
      job = std::move(next);
      publish();
      if (options.pause.count() > 0) Pause(options.pause);
      continue;
    }
    Status st = storage.Write([&](storage::Transaction& tx) -> Status {
      advance();
      for (const Hit& h : hits) {
        ASSIGN_OR_RETURN(RescreenResult r,
                         Rescreen(tx, *h.post, *h.outcome, rules_version, model_version));
        switch (r) {
          case RescreenResult::kOpened:
            ++next.flagged;
            ++next.cases_opened;
            break;
          case RescreenResult::kJoined:
            ++next.flagged;
            ++next.cases_joined;
            break;
          case RescreenResult::kSkipped:
            ++next.skipped;
            break;
        }
      }
      return tx.posts().PutRescan(next);
    });
    if (!st.ok()) return finish("failed", st.message());
    last_stored = now;
    job = std::move(next);
    if (static_cast<int>(batch.size()) < options.batch_size) return finish("done", "");
    publish();
    if (options.pause.count() > 0) Pause(options.pause);  // a stop is seen at the loop's top
  }
}

std::string ScreeningRescan::JobJson(const ScreeningRescanJob& job) {
  JsonWriter w;
  w.BeginObject();
  w.Key("id").IdString(job.id);
  w.Field("state", job.state);
  w.Field("since", FormatIso8601(job.since));
  if (job.until) {
    w.Field("until", FormatIso8601(*job.until));
  } else {
    w.NullField("until");
  }
  w.Field("scanned", job.scanned);
  w.Field("total", job.total);
  w.Field("flagged", job.flagged);
  w.Key("cases").BeginObject();
  w.Field("opened", job.cases_opened);
  w.Field("joined", job.cases_joined);
  w.EndObject();
  w.Field("skipped", job.skipped);
  w.Field("rules_version", job.rules_version);
  w.Field("model_version", job.model_version);
  w.Field("error", job.error);
  w.Field("started_at", FormatIso8601(job.started_at));
  if (job.finished_at) {
    w.Field("finished_at", FormatIso8601(*job.finished_at));
  } else {
    w.NullField("finished_at");
  }
  w.EndObject();
  return w.Take();
}

}  // namespace stoa::safety
