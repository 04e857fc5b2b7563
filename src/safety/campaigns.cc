#include "safety/campaigns.h"

#include <algorithm>
#include <mutex>

#include "safety/removed_content.h"

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
  if (enabled()) all = storage_.Read()->cases().ListOpenCaseStatuses();
  std::unique_lock lock(mu_);
  index_ = screen::NearDuplicateIndex(index_.max_distance());
  members_.clear();
  cases_.clear();
  dead_ = 0;
  for (const CaseStatus& s : all) {
    if (s.shingles < screen::kMinFingerprintShingles) continue;
    AddLocked(s.status_id, Member{s.case_id, s.account_id, s.simhash, s.added_at});
  }
  return Status::Ok();
}

screen::Fingerprint Campaigns::FingerprintOf(const Post& post) {
  return screen::FingerprintText(RemovedContent::FingerprintedText(post));
}

std::optional<Campaigns::Candidate> Campaigns::Find(const screen::Fingerprint& f, Id author,
                                                    Timestamp now) const {
  if (!enabled() || f.shingles < screen::kMinFingerprintShingles) return std::nullopt;
  const Timestamp since = now - settings_.window;
  std::shared_lock lock(mu_);
  if (members_.empty()) return std::nullopt;
  std::optional<Candidate> best;
  // Every status within the distance, not only the nearest: the nearest may be the author's own
  // or too old while another account's copy qualifies.
  for (const auto& m : index_.FindAll(f.simhash)) {
    if (m.distance > settings_.distance) continue;
    const Id status_id = static_cast<Id>(m.id);
    auto it = members_.find(status_id);
    if (it == members_.end()) continue;
    const Member& member = it->second;
    if (member.simhash != m.simhash) continue;  // a dead entry of a status listed again
    if (member.account_id == author || member.added_at < since) continue;
    if (!best || m.distance < best->distance) {
      best = Candidate{member.case_id, status_id, member.account_id, m.distance};
    }
  }
  return best;
}

Status Campaigns::Add(storage::Transaction& tx, Id case_id, const Post& post,
                      const screen::Fingerprint& f, Timestamp now) {
  CaseStatus s;
  s.case_id = case_id;
  s.status_id = post.id;
  s.account_id = post.account_id;
  const bool matchable = f.shingles >= screen::kMinFingerprintShingles;
  if (matchable) {
    s.simhash = f.simhash;
    s.shingles = f.shingles;
  }
  s.added_at = now;
  RETURN_IF_ERROR(tx.cases().AddStatus(s));
  if (matchable && enabled()) {
    std::unique_lock lock(mu_);
    AddLocked(post.id, Member{case_id, post.account_id, f.simhash, now});
  }
  return Status::Ok();
}

void Campaigns::AddLocked(Id status_id, const Member& m) {
  auto it = members_.find(status_id);
  if (it != members_.end()) {
    // Listed again (a new case after its old one was closed outside the decisions, or an edit):
    // the old entry is dead, the status belongs to the new case only.
    ++dead_;
    if (it->second.case_id != m.case_id) {
      auto old = cases_.find(it->second.case_id);
      if (old != cases_.end()) {
        auto& ids = old->second;
        ids.erase(std::remove(ids.begin(), ids.end(), status_id), ids.end());
        if (ids.empty()) cases_.erase(old);
      }
      cases_[m.case_id].push_back(status_id);
    }
    it->second = m;
  } else {
    members_.emplace(status_id, m);
    cases_[m.case_id].push_back(status_id);
  }
  index_.Add(m.simhash, static_cast<uint64_t>(status_id));
  CompactLocked();
}

void Campaigns::Forget(Id case_id) {
  std::unique_lock lock(mu_);
  auto it = cases_.find(case_id);
  if (it == cases_.end()) return;
  for (Id status_id : it->second) {
    auto m = members_.find(status_id);
    if (m == members_.end() || m->second.case_id != case_id) continue;
    members_.erase(m);
    ++dead_;
  }
  cases_.erase(it);
  CompactLocked();
}

void Campaigns::CompactLocked() {
  if (dead_ < kCompactAfter || dead_ <= members_.size()) return;
  // Rebuilt in the order the statuses were added, so that FindAll's order stays meaningful.
  std::vector<std::pair<Timestamp, Id>> order;
  order.reserve(members_.size());
  for (const auto& [status_id, m] : members_) order.emplace_back(m.added_at, status_id);
  std::sort(order.begin(), order.end());
  index_ = screen::NearDuplicateIndex(index_.max_distance());
  for (const auto& [added_at, status_id] : order) {
    index_.Add(members_.at(status_id).simhash, static_cast<uint64_t>(status_id));
  }
  dead_ = 0;
}

size_t Campaigns::size() const {
  std::shared_lock lock(mu_);
  return members_.size();
}

size_t Campaigns::dead_entries() const {
  std::shared_lock lock(mu_);
  return dead_;
}

}  // namespace stoa::safety
