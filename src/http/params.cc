#include "http/params.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <memory>
#include <unordered_map>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "common/strings.h"

namespace stoa::http {

namespace {

// Rack's param_depth_limit and a cap on the number of parameters, both against requests built to
// burn CPU and memory.
constexpr int kMaxDepth = 32;
constexpr size_t kMaxParams = 10000;

bool IsScalar(const ParamValue& v) { return v.is_string() && !v.is_file; }

// A non-negative decimal index ("0", "12"), as Rails numeric-keyed hashes use.
std::optional<uint64_t> ParseIndex(std::string_view key) {
  if (key.empty() || key.size() > 18) return std::nullopt;
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), value);
  if (ec != std::errc() || end != key.data() + key.size()) return std::nullopt;
  return value;
}

// The members of an object whose keys are all numeric, in index order; empty when the object is
// empty or has a non-numeric key.
std::vector<const ParamValue*> NumericKeyedValues(const ParamValue& object) {
  std::vector<std::pair<uint64_t, const ParamValue*>> indexed;
  indexed.reserve(object.members().size());
  for (const auto& [key, value] : object.members()) {
    const std::optional<uint64_t> index = ParseIndex(key);
    if (!index) return {};
    indexed.emplace_back(*index, &value);
  }
  std::stable_sort(indexed.begin(), indexed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<const ParamValue*> out;
  out.reserve(indexed.size());
  for (const auto& entry : indexed) out.push_back(entry.second);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Rails-style nesting (a port of Rack::QueryParser#normalize_params).
//
// Pairs are first collected into a Tree whose objects keep a hash index and whose nodes have stable
// addresses, so that 10,000 parameters cost linear time, then moved into ParamValues.

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

struct Tree {
  ParamValue::Kind kind = ParamValue::Kind::kObject;
  ParamValue leaf;  // kString (text or file) or kNull
  std::vector<std::unique_ptr<Tree>> items;
  std::vector<std::pair<std::string, std::unique_ptr<Tree>>> members;
  std::unordered_map<std::string, size_t, StringHash, std::equal_to<>> index;

  static std::unique_ptr<Tree> Make(ParamValue::Kind kind) {
    auto tree = std::make_unique<Tree>();
    tree->kind = kind;
    return tree;
  }
  static std::unique_ptr<Tree> Leaf(ParamValue value) {
    auto tree = std::make_unique<Tree>();
    tree->kind = value.kind();
    tree->leaf = std::move(value);
    return tree;
  }

  Tree* Find(std::string_view key) {
    auto it = index.find(key);
    return it == index.end() ? nullptr : members[it->second].second.get();
  }
  // Replaces an existing member in place, keeping its position, as a Ruby hash does.
  Tree* Set(std::string_view key, std::unique_ptr<Tree> value) {
    if (auto it = index.find(key); it != index.end()) {
      members[it->second].second = std::move(value);
      return members[it->second].second.get();
    }
    index.emplace(std::string(key), members.size());
    members.emplace_back(std::string(key), std::move(value));
    return members.back().second.get();
  }

  ParamValue ToValue() && {
    switch (kind) {
      case ParamValue::Kind::kNull:
      case ParamValue::Kind::kString:
        return std::move(leaf);
      case ParamValue::Kind::kArray: {
        ParamValue out = ParamValue::Array();
        out.items().reserve(items.size());
        for (auto& item : items) out.items().push_back(std::move(*item).ToValue());
        return out;
      }
      case ParamValue::Kind::kObject: {
        ParamValue out = ParamValue::Object();
        out.members().reserve(members.size());
        for (auto& [key, value] : members)
          out.members().emplace_back(std::move(key), std::move(*value).ToValue());
        return out;
      }
    }
    return ParamValue();
  }
};

// Rack's params_hash_has_key?: whether `key` ("b" or "[b][c]") already names a value under `hash`.
bool HashHasKey(Tree& hash, std::string_view key) {
  if (key.find("[]") != std::string_view::npos) return false;
  Tree* current = &hash;
  size_t i = 0;
  while (i < key.size()) {
    while (i < key.size() && (key[i] == '[' || key[i] == ']')) ++i;
    if (i == key.size()) break;
    size_t end = i;
    while (end < key.size() && key[end] != '[' && key[end] != ']') ++end;
    if (current->kind != ParamValue::Kind::kObject) return false;
    current = current->Find(key.substr(i, end - i));
    if (current == nullptr) return false;
    i = end;
  }
  return true;
}

Status TypeError(std::string_view expected, std::string_view key) {
  return BadRequest("Invalid parameter: expected " + std::string(expected) + " for param `" +
                    std::string(key) + "'");
}

// Stores `value` under the Rails parameter name `name` inside `params` (an object). At depth > 0 a
// name of exactly "[]" turns `params` itself into the one-element array [value], as Rack does.
Status Normalize(Tree& params, std::string_view name, ParamValue value, int depth) {
  if (depth >= kMaxDepth) return BadRequest("Invalid parameters: nesting is too deep");
  std::string_view k;
  std::string_view after;
  if (depth == 0) {
    // At the start, a leading '[' is part of the key.
    const size_t start = name.size() > 1 ? name.find('[', 1) : std::string_view::npos;
    if (start != std::string_view::npos) {
      k = name.substr(0, start);
      after = name.substr(start);
    } else {
      k = name;
    }
  } else if (name.starts_with("[]")) {
    k = "[]";
    after = name.substr(2);
  } else if (const size_t close = name.size() > 1 ? name.find(']', 1) : std::string_view::npos;
             name.starts_with('[') && close != std::string_view::npos) {
    k = name.substr(1, close - 1);
    after = name.substr(close + 1);
  } else {
    // Malformed nesting ("a[b]c" leaves "c"): the rest is the key.
    k = name;
  }
  if (k.empty()) return Status::Ok();

  if (after.empty()) {
    if (k == "[]" && depth != 0) {
      params = Tree();
      params.kind = ParamValue::Kind::kArray;
      params.items.push_back(Tree::Leaf(std::move(value)));
    } else {
      params.Set(k, Tree::Leaf(std::move(value)));
    }
    return Status::Ok();
  }
  if (after == "[") {
    params.Set(name, Tree::Leaf(std::move(value)));
    return Status::Ok();
  }

  Tree* child = params.Find(k);
  if (after.starts_with("[]")) {
    // "x[]" appends; "x[][y]" builds an array of objects, starting a new object whenever the last
    // one already has `y`.
    std::string_view child_key = after.substr(2);
    if (after.size() > 3 && after[2] == '[' && after.back() == ']') {
      const std::string_view inner = after.substr(3, after.size() - 4);
      if (!inner.empty() && inner.find_first_of("[]") == std::string_view::npos) child_key = inner;
    }
    if (child == nullptr || child->kind == ParamValue::Kind::kNull) {
      child = params.Set(k, Tree::Make(ParamValue::Kind::kArray));
    }
    if (child->kind != ParamValue::Kind::kArray) return TypeError("Array", k);
    if (after == "[]") {
      child->items.push_back(Tree::Leaf(std::move(value)));
      return Status::Ok();
    }
    auto& items = child->items;
    if (!items.empty() && items.back()->kind == ParamValue::Kind::kObject &&
        !HashHasKey(*items.back(), child_key)) {
      return Normalize(*items.back(), child_key, std::move(value), depth + 1);
    }
    auto fresh = Tree::Make(ParamValue::Kind::kObject);
    RETURN_IF_ERROR(Normalize(*fresh, child_key, std::move(value), depth + 1));
    items.push_back(std::move(fresh));
    return Status::Ok();
  }

  if (child == nullptr || child->kind == ParamValue::Kind::kNull) {
    child = params.Set(k, Tree::Make(ParamValue::Kind::kObject));
  }
  if (child->kind != ParamValue::Kind::kObject) return TypeError("Hash", k);
  return Normalize(*child, after, std::move(value), depth + 1);
}

// ---------------------------------------------------------------------------------------------
// application/x-www-form-urlencoded (also the query string).

Status ParseUrlEncoded(std::string_view text, Tree& root, size_t& count) {
  std::string key;
  std::string value;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('&', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view pair = text.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    if (++count > kMaxParams) return BadRequest("Invalid parameters: too many parameters");
    const size_t eq = pair.find('=');
    const std::string_view raw_key = pair.substr(0, eq);
    const std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (!UrlDecode(raw_key, key, /*plus_as_space=*/true) ||
        !UrlDecode(raw_value, value, /*plus_as_space=*/true)) {
      return BadRequest("Invalid parameters: malformed percent-encoding");
    }
    if (!IsValidUtf8(key) || !IsValidUtf8(value)) {
      return BadRequest("Invalid parameters: invalid UTF-8 in parameter");
    }
    RETURN_IF_ERROR(Normalize(root, key, ParamValue::FromString(value), 0));
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// JSON.

std::string NumberText(const boost::json::value& v) {
  char buffer[32];
  std::to_chars_result r{};
  if (v.is_int64()) {
    r = std::to_chars(buffer, buffer + sizeof buffer, v.get_int64());
  } else if (v.is_uint64()) {
    r = std::to_chars(buffer, buffer + sizeof buffer, v.get_uint64());
  } else {
    r = std::to_chars(buffer, buffer + sizeof buffer, v.get_double());
  }
  return std::string(buffer, r.ptr);
}

ParamValue FromJson(const boost::json::value& v, size_t& count) {
  ++count;
  switch (v.kind()) {
    case boost::json::kind::null:
      return ParamValue();
    case boost::json::kind::bool_:
      return ParamValue::FromString(v.get_bool() ? "true" : "false");
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_:
      return ParamValue::FromString(NumberText(v));
    case boost::json::kind::string: {
      const boost::json::string& s = v.get_string();
      return ParamValue::FromString(std::string(s.data(), s.size()));
    }
    case boost::json::kind::array: {
      ParamValue out = ParamValue::Array();
      out.items().reserve(v.get_array().size());
      for (const boost::json::value& item : v.get_array())
        out.items().push_back(FromJson(item, count));
      return out;
    }
    case boost::json::kind::object: {
      ParamValue out = ParamValue::Object();
      out.members().reserve(v.get_object().size());
      // Boost.JSON keeps the last of duplicate keys, so members are unique.
      for (const auto& member : v.get_object()) {
        out.members().emplace_back(std::string(member.key()), FromJson(member.value(), count));
      }
      return out;
    }
  }
  return ParamValue();
}

Status ParseJson(std::string_view body, ParamValue& root, size_t& count) {
  if (Trim(body).empty()) return Status::Ok();  // Rails treats an empty JSON body as no params
  if (!IsValidUtf8(body)) return BadRequest("Invalid JSON: invalid UTF-8 in request body");
  boost::json::parse_options options;
  options.max_depth = kMaxDepth;
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(body, ec, {}, options);
  if (ec) {
    if (ec == boost::json::error::too_deep) return BadRequest("Invalid JSON: nesting is too deep");
    return BadRequest("Invalid JSON: " + ec.message());
  }
  if (!parsed.is_object()) return BadRequest("Invalid JSON: the body must be a JSON object");
  root = FromJson(parsed, count);
  if (count > kMaxParams) return BadRequest("Invalid parameters: too many parameters");
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// multipart/form-data (RFC 7578).

// Splits `; a=b; c="d e"` header parameters, unquoting quoted strings. Keys are lower-cased.
std::vector<std::pair<std::string, std::string>> HeaderParams(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ';' || text[i] == ' ' || text[i] == '\t')) ++i;
    const size_t key_start = i;
    while (i < text.size() && text[i] != '=' && text[i] != ';') ++i;
    const std::string key = AsciiLower(Trim(text.substr(key_start, i - key_start)));
    std::string value;
    if (i < text.size() && text[i] == '=') {
      ++i;
      while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
      if (i < text.size() && text[i] == '"') {
        ++i;
        while (i < text.size() && text[i] != '"') {
          if (text[i] == '\\' && i + 1 < text.size()) ++i;
          value.push_back(text[i++]);
        }
        if (i < text.size()) ++i;  // closing quote
        while (i < text.size() && text[i] != ';') ++i;
      } else {
        const size_t value_start = i;
        while (i < text.size() && text[i] != ';') ++i;
        value = std::string(Trim(text.substr(value_start, i - value_start)));
      }
    }
    if (!key.empty()) out.emplace_back(key, std::move(value));
  }
  return out;
}

const std::string* FindParam(const std::vector<std::pair<std::string, std::string>>& params,
                             std::string_view key) {
  for (const auto& [k, v] : params) {
    if (k == key) return &v;
  }
  return nullptr;
}

Status ParsePart(std::string_view part, Tree& root, size_t& count) {
  std::string_view headers;
  std::string_view content;
  if (part.starts_with("\r\n")) {
    content = part.substr(2);
  } else {
    const size_t end = part.find("\r\n\r\n");
    if (end == std::string_view::npos)
      return BadRequest("Invalid multipart body: malformed part headers");
    headers = part.substr(0, end);
    content = part.substr(end + 4);
  }
  std::string_view disposition;
  std::string_view content_type;
  for (std::string_view line : Split(headers, '\n')) {
    if (line.ends_with('\r')) line.remove_suffix(1);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos)
      return BadRequest("Invalid multipart body: malformed part header");
    const std::string_view name = Trim(line.substr(0, colon));
    if (EqualsIgnoreCase(name, "Content-Disposition")) disposition = Trim(line.substr(colon + 1));
    if (EqualsIgnoreCase(name, "Content-Type")) content_type = Trim(line.substr(colon + 1));
  }
  const size_t semicolon = disposition.find(';');
  if (semicolon == std::string_view::npos) return Status::Ok();  // no name: nothing to store
  const auto params = HeaderParams(disposition.substr(semicolon + 1));
  const std::string* name = FindParam(params, "name");
  if (name == nullptr || name->empty()) return Status::Ok();
  if (!IsValidUtf8(*name))
    return BadRequest("Invalid multipart body: invalid UTF-8 in a part name");
  if (++count > kMaxParams) return BadRequest("Invalid parameters: too many parameters");

  std::optional<std::string> filename;
  if (const std::string* extended = FindParam(params, "filename*")) {
    // RFC 5987: charset'language'percent-encoded
    const size_t quote = extended->find('\'', extended->find('\'') + 1);
    std::string decoded;
    if (quote != std::string::npos && UrlDecode(std::string_view(*extended).substr(quote + 1),
                                                decoded, /*plus_as_space=*/false)) {
      filename = std::move(decoded);
    }
  }
  if (!filename) {
    if (const std::string* plain = FindParam(params, "filename")) filename = *plain;
  }

  if (!filename) {
    if (!IsValidUtf8(content))
      return BadRequest("Invalid multipart body: invalid UTF-8 in a field");
    return Normalize(root, *name, ParamValue::FromString(std::string(content)), 0);
  }
  // A file input left empty arrives as filename="" with no content; Rack drops it.
  if (filename->empty()) return Status::Ok();
  if (!IsValidUtf8(*filename))
    return BadRequest("Invalid multipart body: invalid UTF-8 in a file name");
  ParamValue file = ParamValue::FromString(std::string(content));
  file.is_file = true;
  file.filename = std::move(*filename);
  file.file_content_type = std::string(content_type);
  return Normalize(root, *name, std::move(file), 0);
}

Status ParseMultipart(const Request& request, Tree& root, size_t& count) {
  const std::string* content_type = request.FindHeader("Content-Type");
  const size_t semicolon = content_type->find(';');
  const std::string* boundary_param = nullptr;
  std::vector<std::pair<std::string, std::string>> type_params;
  if (semicolon != std::string::npos) {
    type_params = HeaderParams(std::string_view(*content_type).substr(semicolon + 1));
    boundary_param = FindParam(type_params, "boundary");
  }
  if (boundary_param == nullptr || boundary_param->empty() || boundary_param->size() > 200) {
    return BadRequest("Invalid multipart body: missing boundary");
  }
  const std::string delimiter = "--" + *boundary_param;
  const std::string_view body = request.body;

  size_t pos = 0;
  if (!body.starts_with(delimiter)) {
    const size_t first = body.find("\r\n" + delimiter);
    if (first == std::string_view::npos)
      return BadRequest("Invalid multipart body: no boundary found");
    pos = first + 2;
  }
  const std::string next_delimiter = "\r\n" + delimiter;
  while (true) {
    size_t after = pos + delimiter.size();
    if (body.substr(after, 2) == "--") return Status::Ok();  // the closing delimiter
    while (after < body.size() && (body[after] == ' ' || body[after] == '\t')) ++after;
    if (body.substr(after, 2) != "\r\n")
      return BadRequest("Invalid multipart body: malformed boundary line");
    const size_t part_start = after + 2;
    const size_t part_end = body.find(next_delimiter, part_start);
    if (part_end == std::string_view::npos)
      return BadRequest("Invalid multipart body: unterminated part");
    RETURN_IF_ERROR(ParsePart(body.substr(part_start, part_end - part_start), root, count));
    pos = part_end + 2;
  }
}

bool IsJsonMediaType(std::string_view type) {
  return type == "application/json" ||
         (type.starts_with("application/") && type.ends_with("+json"));
}

}  // namespace

// ---------------------------------------------------------------------------------------------

ParamValue ParamValue::FromString(std::string s) {
  ParamValue v;
  v.kind_ = Kind::kString;
  v.string_ = std::move(s);
  return v;
}

ParamValue ParamValue::Array() {
  ParamValue v;
  v.kind_ = Kind::kArray;
  return v;
}

ParamValue ParamValue::Object() {
  ParamValue v;
  v.kind_ = Kind::kObject;
  return v;
}

const ParamValue* ParamValue::Find(std::string_view key) const {
  for (const auto& [k, v] : members_) {
    if (k == key) return &v;
  }
  return nullptr;
}

ParamValue& ParamValue::Set(std::string key, ParamValue value) {
  for (auto& [k, v] : members_) {
    if (k == key) {
      v = std::move(value);
      return v;
    }
  }
  members_.emplace_back(std::move(key), std::move(value));
  return members_.back().second;
}

bool CastBool(std::string_view s) {
  static constexpr std::string_view kFalse[] = {"", "false", "0", "f", "off"};
  for (std::string_view f : kFalse) {
    if (EqualsIgnoreCase(s, f)) return false;
  }
  return true;
}

Result<Params> Params::ParseQuery(std::string_view query) {
  Params params;
  size_t count = 0;
  Tree tree;
  RETURN_IF_ERROR(ParseUrlEncoded(query, tree, count));
  params.root_ = std::move(tree).ToValue();
  return params;
}

Result<Params> Params::Parse(const Request& request) {
  size_t count = 0;
  Tree query;
  RETURN_IF_ERROR(ParseUrlEncoded(request.query, query, count));
  Params params;
  params.root_ = std::move(query).ToValue();
  if (request.body.empty()) return params;

  const std::string type = request.MediaType();
  ParamValue body;
  if (IsJsonMediaType(type)) {
    body = ParamValue::Object();
    RETURN_IF_ERROR(ParseJson(request.body, body, count));
  } else if (type == "application/x-www-form-urlencoded" || type == "multipart/form-data") {
    Tree tree;
    if (type == "multipart/form-data") {
      RETURN_IF_ERROR(ParseMultipart(request, tree, count));
    } else {
      RETURN_IF_ERROR(ParseUrlEncoded(request.body, tree, count));
    }
    body = std::move(tree).ToValue();
  } else {
    return params;  // an unknown body type carries no parameters
  }
  // Body parameters replace query parameters of the same top-level name.
  auto& members = params.root_.members();
  if (members.empty()) {
    params.root_ = std::move(body);
    return params;
  }
  // Reserve first: the index below points into the query's keys, which must not move.
  members.reserve(members.size() + body.members().size());
  std::unordered_map<std::string_view, size_t> position;
  position.reserve(members.size());
  for (size_t i = 0; i < members.size(); ++i) position.emplace(members[i].first, i);
  for (auto& [key, value] : body.members()) {
    if (auto it = position.find(key); it != position.end()) {
      members[it->second].second = std::move(value);
    } else {
      members.emplace_back(std::move(key), std::move(value));
    }
  }
  return params;
}

const ParamValue* Params::Find(std::string_view key) const { return root_.Find(key); }

bool Params::Has(std::string_view key) const {
  const ParamValue* v = Find(key);
  return v != nullptr && !v->is_null();
}

std::optional<std::string> Params::String(std::string_view key) const {
  const ParamValue* v = Find(key);
  if (v == nullptr || !IsScalar(*v)) return std::nullopt;
  return v->str();
}

std::optional<bool> Params::Bool(std::string_view key) const {
  const ParamValue* v = Find(key);
  if (v == nullptr || !IsScalar(*v)) return std::nullopt;
  return CastBool(v->str());
}

std::vector<std::string> Params::StringArray(std::string_view key) const {
  std::vector<std::string> out;
  const ParamValue* v = Find(key);
  if (v == nullptr) return out;
  if (IsScalar(*v)) {
    out.push_back(v->str());
  } else if (v->is_array()) {
    for (const ParamValue& item : v->items()) {
      if (IsScalar(item)) out.push_back(item.str());
    }
  } else if (v->is_object()) {
    for (const ParamValue* item : NumericKeyedValues(*v)) {
      if (IsScalar(*item)) out.push_back(item->str());
    }
  }
  return out;
}

std::vector<const ParamValue*> Params::ObjectList(std::string_view key) const {
  std::vector<const ParamValue*> out;
  const ParamValue* v = Find(key);
  if (v == nullptr) return out;
  if (v->is_array()) {
    for (const ParamValue& item : v->items()) {
      if (item.is_object()) out.push_back(&item);
    }
  } else if (v->is_object()) {
    const std::vector<const ParamValue*> indexed = NumericKeyedValues(*v);
    if (indexed.empty() && !v->members().empty()) {
      out.push_back(v);  // a single object, as Rails' nested attributes accept
    } else {
      for (const ParamValue* item : indexed) {
        if (item->is_object()) out.push_back(item);
      }
    }
  }
  return out;
}

void Params::Set(std::string key, std::string value) {
  root_.Set(std::move(key), ParamValue::FromString(std::move(value)));
}

}  // namespace stoa::http
