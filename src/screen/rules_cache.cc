#include "screen/rules_cache.h"

#include <hs/hs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/crypto.h"

namespace stoa::screen::detail {
namespace {

constexpr std::string_view kMagic = "stoa-rules-cache 1\n";
constexpr size_t kHexLength = 64;

void AppendField(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
}

}  // namespace

std::string RulesCachePath(const std::string& cache_dir, std::string_view source_name) {
  std::string base = std::filesystem::path(std::string(source_name)).filename().string();
  for (char& c : base) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) c = '_';
  }
  if (base.empty() || base == "." || base == "..") base = "rules";
  return (std::filesystem::path(cache_dir) / (base + ".hsdb")).string();
}

std::string RulesCacheKey(std::string_view rules_text, const std::vector<const char*>& expressions,
                          const std::vector<unsigned>& flags, const std::vector<unsigned>& ids,
                          unsigned mode) {
  std::string material(kMagic);
  AppendField(material, Sha256Raw(rules_text));
  AppendField(material, hs_version());
  hs_platform_info_t platform{};
  if (hs_populate_platform(&platform) == HS_SUCCESS) {
    AppendField(material, std::to_string(platform.tune) + "/" +
                              std::to_string(platform.cpu_features));
  } else {
    AppendField(material, "unknown platform");
  }
  AppendField(material, std::to_string(mode));
  for (size_t i = 0; i < expressions.size(); ++i) {
    AppendField(material, std::to_string(ids[i]) + "/" + std::to_string(flags[i]));
    AppendField(material, expressions[i]);
  }
  return Sha256Hex(material);
}

Result<hs_database*> ReadCachedDatabase(const std::string& path, std::string_view key) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("no cache file " + path);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return InvalidArgument("cannot read " + path);
  const std::string file = buffer.str();
  const size_t header = kMagic.size() + 2 * (kHexLength + 1);
  if (file.size() <= header || std::string_view(file).substr(0, kMagic.size()) != kMagic ||
      file[kMagic.size() + kHexLength] != '\n' || file[header - 1] != '\n') {
    return InvalidArgument(path + " is not a rules cache");
  }
  if (std::string_view(file).substr(kMagic.size(), kHexLength) != key) {
    return InvalidArgument(path + " was made for other rules or another Hyperscan");
  }
  const std::string_view checksum = std::string_view(file).substr(kMagic.size() + kHexLength + 1, kHexLength);
  const std::string_view bytes = std::string_view(file).substr(header);
  if (Sha256Hex(bytes) != checksum) return InvalidArgument(path + " is damaged (checksum)");
  hs_database_t* db = nullptr;
  const hs_error_t rc = hs_deserialize_database(bytes.data(), bytes.size(), &db);
  if (rc != HS_SUCCESS) {
    return InvalidArgument(path + ": Hyperscan cannot deserialise it (error " + std::to_string(rc) + ")");
  }
  return db;
}

Status WriteCachedDatabase(const std::string& path, std::string_view key, const hs_database* db) {
  char* bytes = nullptr;
  size_t length = 0;
  if (hs_serialize_database(db, &bytes, &length) != HS_SUCCESS) {
    return Internal("Hyperscan cannot serialise the database");
  }
  const std::string_view serialized(bytes, length);
  std::string header(kMagic);
  header += key;
  header += '\n';
  header += Sha256Hex(serialized);
  header += '\n';
  std::string temp = path + ".XXXXXX";
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) {
    std::free(bytes);
    return Internal("cannot create " + temp + ": " + std::strerror(errno));
  }
  bool ok = true;
  for (std::string_view part : {std::string_view(header), serialized}) {
    while (ok && !part.empty()) {
      const ssize_t n = ::write(fd, part.data(), part.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) ok = false;
      else part.remove_prefix(static_cast<size_t>(n));
    }
  }
  std::free(bytes);
  if (::close(fd) != 0) ok = false;
  if (!ok || std::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(temp.c_str());
    return Internal("cannot write " + path + ": " + why);
  }
  return Status::Ok();
}

}  // namespace stoa::screen::detail
