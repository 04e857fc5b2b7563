// The storage conformance suite (src/storage/testing) run against the SQLite backend.
#include "storage/sqlite/sqlite_storage.h"
#include "storage/testing/conformance.h"

namespace stoa::storage::conformance {
namespace {

std::unique_ptr<Storage> OpenSqlite(const std::string& temp_dir) {
  // The production defaults (config.h), except that commits need not reach the disk.
  sqlite::DatabaseOptions options;
  options.synchronous = "normal";
  options.cache_size_kib = 2048;
  options.wal_autocheckpoint_pages = 10000;
  auto opened = sqlite::SqliteStorage::Open(temp_dir + "/stoa.db", options);
  if (!opened.ok()) {
    ADD_FAILURE() << opened.status().ToString();
    return nullptr;
  }
  return std::move(opened).value();
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StorageConformanceTest,
                         ::testing::Values(StorageFactory{"sqlite", &OpenSqlite}),
                         StorageFactoryName);

}  // namespace
}  // namespace stoa::storage::conformance
