#include "safety/campaigns.h"

#include <algorithm>
#include <mutex>

#include "social/screening.h"

namespace stoa::safety {

CampaignSettings CampaignSettings::FromConfig(const Config::Screening& config) {
  CampaignSettings s;
  s.distance = config.campaign_distance;
  s.window = std::chrono::hours(24) * config.campaign_window_days;
  return s;
}

Campaigns::Campaigns(storage::Storage& storage, CampaignSettings settings)
    : storage_(storage),
      settings_(settings),
      index_(std::clamp(settings.distance, 0, 15)) {}

Status Campaigns::Load() {
  std::vector<CaseStatus> all;
  std::vector<std::pair<Id, Id>> exclusions;
  if (enabled()) {
    auto read = storage_.Read();
    all = read->cases().ListOpenCaseStatuses();
    exclusions = read->cases().ListOpenCaseExclusions();
  }
  std::unique_lock lock(mu_);
  excluded_.clear();
  for (const auto& [case_id, status_id] : exclusions) excluded_[case_id].push_back(status_id);
  index_ = screen::NearDuplicateIndex(index_.max_distance());
  entries_.clear();
  cases_.clear();
  statuses_ = 0;
  dead_ = 0;
  // In the order they were added, so that they fold as they did then.
  for (const CaseStatus& s : all) {
    if (s.shingles < screen::kMinFingerprintShingles) continue;
    AddLocked(s.case_id, s.simhash, Author{s.account_id, s.status_id, s.added_at});
  }
  return Status::Ok();
}

screen::Fingerprint Campaigns::FingerprintOf(const Post& post) {
  return screen::FingerprintText(social::ScreenedText(post));
}

std::optional<Campaigns::Candidate> Campaigns::Find(const screen::Fingerprint& f, Id author,
                                                    Timestamp now, Id status_id) const {
  if (!enabled() || f.shingles < screen::kMinFingerprintShingles) return std::nullopt;
  const Timestamp since = now - settings_.window;
  std::shared_lock lock(mu_);
  if (entries_.empty()) return std::nullopt;
  std::optional<Candidate> best;
  // Every entry within the distance, not only the nearest: the nearest may stand for the author's
  // own statuses only, or old ones, while another qualifies. Among equals the newest entry wins.
  for (const auto& m : index_.FindAll(f.simhash)) {
    if (m.distance > settings_.distance || (best && m.distance > best->distance)) continue;
    auto it = entries_.find(m.id);
    if (it == entries_.end()) continue;  // forgotten
    if (status_id != kNoId) {
      auto x = excluded_.find(it->second.case_id);
      if (x != excluded_.end() &&
          std::find(x->second.begin(), x->second.end(), status_id) != x->second.end()) {
        continue;  // a moderator took this status out of that case
      }
    }
    for (const Author& a : it->second.recent) {
      if (a.account_id == kNoId || a.added_at < since) break;  // newest first
      if (a.account_id == author) continue;
      best = Candidate{it->second.case_id, a.status_id, a.account_id, m.distance};
      break;
    }
  }
  return best;
}

Status Campaigns::Add(storage::Transaction& tx, Id case_id, const Post& post,
                      const screen::Fingerprint& f, Timestamp now, Listing listing) {
  CaseStatus s;
  s.case_id = case_id;
  s.status_id = post.id;
  s.account_id = post.account_id;
  const bool matchable =
      listing == Listing::kOwnMerit && f.shingles >= screen::kMinFingerprintShingles;
  if (matchable) {
    s.simhash = f.simhash;
    s.shingles = f.shingles;
  }
  s.added_at = now;
  RETURN_IF_ERROR(tx.cases().AddStatus(s));
  if (matchable && enabled()) {
    std::unique_lock lock(mu_);
    AddLocked(case_id, f.simhash, Author{post.account_id, post.id, now});
  }
  return Status::Ok();
}

void Campaigns::Remember(Entry& e, const Author& a) {
  Author* slot = nullptr;
  if (e.recent[0].account_id == a.account_id) {
    slot = &e.recent[0];
  } else if (e.recent[1].account_id == a.account_id || e.recent[1].account_id == kNoId ||
             e.recent[1].added_at <= a.added_at) {
    slot = &e.recent[1];  // its own older status, a free slot, or an older second author
  }
  if (slot == nullptr || (slot->account_id == a.account_id && slot->added_at > a.added_at)) return;
  *slot = a;
  if (e.recent[0].account_id == kNoId || e.recent[1].added_at > e.recent[0].added_at) {
    std::swap(e.recent[0], e.recent[1]);
  }
}

void Campaigns::AddLocked(Id case_id, uint64_t simhash, const Author& a) {
  ++statuses_;
  // Folded into the nearest entry of the same case within kFoldDistance, if there is one.
  Entry* fold = nullptr;
  int fold_distance = kFoldDistance + 1;
  for (const auto& m : index_.FindAll(simhash)) {
    if (m.distance >= fold_distance) continue;
    auto it = entries_.find(m.id);
    if (it == entries_.end() || it->second.case_id != case_id) continue;
    fold = &it->second;
    fold_distance = m.distance;
  }
  if (fold == nullptr) {
    const uint64_t id = next_entry_++;
    fold = &entries_[id];
    fold->case_id = case_id;
    fold->simhash = simhash;
    cases_[case_id].push_back(id);
    index_.Add(simhash, id);
  }
  fold->statuses += 1;
  Remember(*fold, a);
}

Status Campaigns::Remove(storage::Transaction& tx, Id case_id, Id status_id) {
  RETURN_IF_ERROR(tx.cases().RemoveStatus(case_id, status_id));
  RETURN_IF_ERROR(tx.cases().ExcludeStatus(case_id, status_id));
  if (!enabled()) return Status::Ok();
  const std::vector<CaseStatus> listed = tx.cases().ListStatuses(case_id, kMaxRestored);
  std::unique_lock lock(mu_);
  excluded_[case_id].push_back(status_id);
  // A case without entries has nothing to correct (none of its statuses is matched on, or it
  // was forgotten: made again it would attract copies while closed).
  if (!DropLocked(case_id)) return Status::Ok();
  for (const CaseStatus& s : listed) {
    if (s.shingles < screen::kMinFingerprintShingles) continue;
    AddLocked(case_id, s.simhash, Author{s.account_id, s.status_id, s.added_at});
  }
  CompactLocked();
  return Status::Ok();
}

bool Campaigns::DropLocked(Id case_id) {
  auto it = cases_.find(case_id);
  if (it == cases_.end()) return false;
  for (uint64_t id : it->second) {
    auto e = entries_.find(id);
    if (e == entries_.end()) continue;
    statuses_ -= e->second.statuses;
    entries_.erase(e);
    ++dead_;
  }
  cases_.erase(it);
  return true;
}

void Campaigns::Forget(Id case_id) {
  std::unique_lock lock(mu_);
  excluded_.erase(case_id);
  if (DropLocked(case_id)) CompactLocked();
}

void Campaigns::Restore(Id case_id) {
  if (!enabled()) return;
  std::vector<CaseStatus> listed;
  std::vector<Id> excluded;
  {
    auto read = storage_.Read();
    listed = read->cases().ListStatuses(case_id, kMaxRestored);
    for (const auto& [c, status_id] : read->cases().ListOpenCaseExclusions()) {
      if (c == case_id) excluded.push_back(status_id);
    }
  }
  std::unique_lock lock(mu_);
  if (cases_.count(case_id) != 0) return;  // still known: nothing was forgotten
  if (!excluded.empty()) excluded_[case_id] = std::move(excluded);
  for (const CaseStatus& s : listed) {
    if (s.shingles < screen::kMinFingerprintShingles) continue;
    AddLocked(case_id, s.simhash, Author{s.account_id, s.status_id, s.added_at});
  }
}

void Campaigns::CompactLocked() {
  if (dead_ < kCompactAfter || dead_ <= entries_.size()) return;
  // Rebuilt in the order the entries were made (their ids), so that FindAll's order stays
  // meaningful.
  std::vector<uint64_t> ids;
  ids.reserve(entries_.size());
  for (const auto& [id, e] : entries_) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  index_ = screen::NearDuplicateIndex(index_.max_distance());
  for (uint64_t id : ids) index_.Add(entries_.at(id).simhash, id);
  dead_ = 0;
}

size_t Campaigns::size() const {
  std::shared_lock lock(mu_);
  return statuses_;
}

size_t Campaigns::entries() const {
  std::shared_lock lock(mu_);
  return entries_.size();
}

size_t Campaigns::dead_entries() const {
  std::shared_lock lock(mu_);
  return dead_;
}

}  // namespace stoa::safety
