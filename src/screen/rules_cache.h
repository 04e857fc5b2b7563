// Internal to rules.cc: a cache of a rule set's compiled Hyperscan database in one file, so that a
// server start or reload with an unchanged rules file deserialises the database (milliseconds)
// instead of compiling it (seconds). Format (docs/screening.md, "Compiled-rules cache"):
//
//   stoa-rules-cache 1\n
//   <key: 64 hex digits>\n
//   <SHA-256 of the database bytes: 64 hex digits>\n
//   <the bytes of hs_serialize_database>
//
// The key is the SHA-256 of everything the database depends on: the rules file's text, every
// expression exactly as given to Hyperscan with its id and flags, the Hyperscan version and the
// platform Hyperscan compiles for (CPU features and tuning). A file with another key, a damaged
// file or one Hyperscan refuses to deserialise is ignored (and replaced after compiling).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

struct hs_database;

namespace stoa::screen::detail {

// The cache file for a rules file named `source_name` in `cache_dir`: "<dir>/<base name>.hsdb",
// the base name reduced to [A-Za-z0-9._-].
std::string RulesCachePath(const std::string& cache_dir, std::string_view source_name);

std::string RulesCacheKey(std::string_view rules_text, const std::vector<const char*>& expressions,
                          const std::vector<unsigned>& flags, const std::vector<unsigned>& ids,
                          unsigned mode);

// The database cached in `path` under `key`; an error saying why when there is none usable
// (NotFound: no file; InvalidArgument: another key, damaged, refused by Hyperscan). The caller owns
// the database (hs_free_database).
Result<hs_database*> ReadCachedDatabase(const std::string& path, std::string_view key);

// Serialises `db` into `path` under `key` (a temporary file beside it, then a rename, so that a
// concurrent reader sees the old file or the new one). Internal on failure.
Status WriteCachedDatabase(const std::string& path, std::string_view key, const hs_database* db);

}  // namespace stoa::screen::detail
