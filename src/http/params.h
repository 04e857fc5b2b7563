// One request-parameter layer for the query string and JSON, urlencoded and multipart bodies,
// producing the Rails-style nested structure Mastodon clients rely on: `id[]=1&id[]=2` is an
// array, `a[b]=v` an object, `a[0][b]=v` an object keyed "0". Body parameters override query
// parameters of the same name, as in Rails. JSON scalars become strings ("12", "true"); JSON null
// is kept as a null value and reads as absent.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "http/request.h"

namespace stoa::http {

class ParamValue {
 public:
  enum class Kind { kNull, kString, kArray, kObject };

  ParamValue() = default;
  static ParamValue FromString(std::string s);
  static ParamValue Array();
  static ParamValue Object();

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_array() const { return kind_ == Kind::kArray; }
  bool is_object() const { return kind_ == Kind::kObject; }

  const std::string& str() const { return string_; }
  const std::vector<ParamValue>& items() const { return items_; }
  std::vector<ParamValue>& items() { return items_; }
  // Object members in insertion order.
  const std::vector<std::pair<std::string, ParamValue>>& members() const { return members_; }
  std::vector<std::pair<std::string, ParamValue>>& members() { return members_; }
  const ParamValue* Find(std::string_view key) const;
  ParamValue& Set(std::string key, ParamValue value);  // replaces an existing member

  // For multipart file parts: the file name and the part's content type (the bytes are str()).
  bool is_file = false;
  std::string filename;
  std::string file_content_type;

 private:
  Kind kind_ = Kind::kNull;
  std::string string_;
  std::vector<ParamValue> items_;
  std::vector<std::pair<std::string, ParamValue>> members_;
};

// Rails boolean casting: "false", "0", "f", "off" (any case) and "" are false; anything else true.
bool CastBool(std::string_view s);

class Params {
 public:
  Params() : root_(ParamValue::Object()) {}

  // Parses the query string and the body according to the Content-Type. Fails with kBadRequest on
  // malformed JSON, a malformed urlencoded or multipart body, or invalid UTF-8 anywhere (file parts
  // excepted). A body with an unknown content type is ignored.
  static Result<Params> Parse(const Request& request);
  // Only the query string (for GET handlers that want no body parsing).
  static Result<Params> ParseQuery(std::string_view query);

  const ParamValue& root() const { return root_; }
  ParamValue& root() { return root_; }
  const ParamValue* Find(std::string_view key) const;

  // True when the key is present and not null.
  bool Has(std::string_view key) const;
  // A scalar value; nullopt when absent, null, or not a scalar.
  std::optional<std::string> String(std::string_view key) const;
  // A scalar cast with Rails rules; nullopt when absent.
  std::optional<bool> Bool(std::string_view key) const;
  // An array of scalars: `key[]` values, a JSON array, or a single scalar as a one-element list.
  // Non-scalar elements are skipped.
  std::vector<std::string> StringArray(std::string_view key) const;
  // A list of objects from either a JSON array or a Rails numeric-keyed object
  // (fields_attributes[0][name]=...), in index order.
  std::vector<const ParamValue*> ObjectList(std::string_view key) const;

  // Overrides or adds a value (path parameters are merged this way).
  void Set(std::string key, std::string value);

 private:
  ParamValue root_;
};

}  // namespace stoa::http
