#include "safety/removed_content.h"

#include <mutex>

#include "social/screening.h"

namespace stoa::safety {

RemovedContent::RemovedContent(storage::Storage& storage, int max_distance)
    : storage_(storage), index_(max_distance) {}

Status RemovedContent::Load() {
  auto read = storage_.Read();
  std::vector<RemovedFingerprint> all = read->posts().ListRemovedFingerprints();
  std::unique_lock lock(mu_);
  index_ = screen::NearDuplicateIndex(index_.max_distance());
  removed_at_.clear();
  for (const RemovedFingerprint& f : all) AddLocked(f);
  return Status::Ok();
}

Status RemovedContent::Remember(storage::Transaction& tx, const Post& post, Timestamp removed_at,
                                std::string_view category) {
  const screen::Fingerprint fp = screen::FingerprintText(social::ScreenedText(post));
  if (fp.shingles < screen::kMinFingerprintShingles) return Status::Ok();
  RemovedFingerprint f;
  f.status_id = post.id;
  f.simhash = fp.simhash;
  f.shingles = fp.shingles;
  f.removed_at = removed_at;
  f.category = std::string(category);
  return tx.posts().PutRemovedFingerprint(f);
}

Status RemovedContent::Forget(storage::Transaction& tx, Id status_id) {
  return tx.posts().DeleteRemovedFingerprint(status_id);
}

void RemovedContent::Sync(Id status_id) {
  std::optional<RemovedFingerprint> stored = storage_.Read()->posts().GetRemovedFingerprint(status_id);
  std::unique_lock lock(mu_);
  if (removed_at_.erase(status_id) > 0) index_.Remove(static_cast<uint64_t>(status_id));
  if (stored) AddLocked(*stored);
}

void RemovedContent::AddLocked(const RemovedFingerprint& f) {
  index_.Add(f.simhash, static_cast<uint64_t>(f.status_id));
  removed_at_[f.status_id] = Removal{f.removed_at, f.category};
}

std::optional<RemovedContent::Match> RemovedContent::Nearest(const screen::Fingerprint& f,
                                                             int max_distance) const {
  if (f.shingles < screen::kMinFingerprintShingles || max_distance < 0) return std::nullopt;
  std::shared_lock lock(mu_);
  if (removed_at_.empty()) return std::nullopt;
  auto m = index_.FindNearest(f.simhash);
  if (!m || m->distance > max_distance) return std::nullopt;
  Match out;
  out.status_id = static_cast<Id>(m->id);
  out.distance = m->distance;
  auto it = removed_at_.find(out.status_id);
  if (it != removed_at_.end()) {
    out.removed_at = it->second.removed_at;
    out.category = it->second.category;
  }
  return out;
}

size_t RemovedContent::size() const {
  std::shared_lock lock(mu_);
  return removed_at_.size();
}

}  // namespace stoa::safety
