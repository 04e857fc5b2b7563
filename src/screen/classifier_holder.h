// The classifier in use, swapped atomically on reload: callers take a reference-counted snapshot
// for one post, so a reload never waits for, nor disturbs, predictions already running.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "screen/classifier.h"

namespace stoa::screen {

class ClassifierHolder {
 public:
  ClassifierHolder() = default;
  explicit ClassifierHolder(std::shared_ptr<const Classifier> initial) : current_(std::move(initial)) {}

  // The current model, or null when none was loaded. Thread-safe; keep the pointer for the whole
  // post so that every score of it comes from one model.
  std::shared_ptr<const Classifier> Get() const { return current_.load(std::memory_order_acquire); }

  // Loads `path` and, when it is a valid model, makes it current. On any error the current model
  // stays in use and the error (Classifier::Load's) is returned. Thread-safe.
  Status Reload(const std::string& path) {
    auto loaded = Classifier::Load(path);
    if (!loaded.ok()) return loaded.status();
    current_.store(std::move(loaded).value(), std::memory_order_release);
    return Status::Ok();
  }

  void Set(std::shared_ptr<const Classifier> classifier) {
    current_.store(std::move(classifier), std::memory_order_release);
  }

 private:
  std::atomic<std::shared_ptr<const Classifier>> current_;
};

}  // namespace stoa::screen
