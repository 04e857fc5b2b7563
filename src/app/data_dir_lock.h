// One server per data directory: `stoa serve` holds an exclusive lock on DIR/stoa.lock while it
// runs, so a second server on the same database (whose caches and id generator would not see the
// first one's writes) and a restore under a running server are refused.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace stoa::app {

class DataDirLock {
 public:
  // Takes the lock (flock) on DIR/stoa.lock, creating DIR and the file when missing, and writes
  // this process's id into it. kUnavailable naming the holder's process id when another process
  // holds it. The kernel releases the lock when the process ends, however it ends.
  static Result<std::unique_ptr<DataDirLock>> Acquire(const std::string& data_dir);
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace stoa::app
