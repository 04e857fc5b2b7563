#include "http/params.h"

#include <gtest/gtest.h>

#include <string>

namespace stoa::http {
namespace {

using namespace std::string_literals;

// A compact, order-preserving rendering of a parameter tree for table-driven comparisons:
// strings quoted, null as null, files as file(name,type,bytes).
std::string Dump(const ParamValue& v) {
  switch (v.kind()) {
    case ParamValue::Kind::kNull:
      return "null";
    case ParamValue::Kind::kString:
      if (v.is_file) {
        return "file(" + v.filename + "," + v.file_content_type + "," +
               std::to_string(v.str().size()) + ")";
      }
      return "\"" + v.str() + "\"";
    case ParamValue::Kind::kArray: {
      std::string out = "[";
      for (size_t i = 0; i < v.items().size(); ++i) {
        if (i > 0) out += ",";
        out += Dump(v.items()[i]);
      }
      return out + "]";
    }
    case ParamValue::Kind::kObject: {
      std::string out = "{";
      for (size_t i = 0; i < v.members().size(); ++i) {
        if (i > 0) out += ",";
        out += v.members()[i].first + ":" + Dump(v.members()[i].second);
      }
      return out + "}";
    }
  }
  return "?";
}

Request MakeRequest(std::string query, std::string content_type, std::string body) {
  Request r;
  r.method = body.empty() ? Method::kGet : Method::kPost;
  r.query = std::move(query);
  if (!content_type.empty()) r.headers.push_back(Header{"Content-Type", std::move(content_type)});
  r.body = std::move(body);
  return r;
}

// Either the Dump of the parsed parameters, or "error: <message>".
std::string ParseToText(const Request& request) {
  Result<Params> parsed = Params::Parse(request);
  if (!parsed.ok()) {
    EXPECT_EQ(parsed.status().code(), StatusCode::kBadRequest);
    return "error: " + parsed.status().message();
  }
  return Dump(parsed->root());
}

struct ParseCase {
  const char* name;
  std::string query;
  std::string content_type;
  std::string body;
  // The expected Dump, or a prefix of the expected error when it starts with "error: ".
  std::string expected;
};

void RunCases(const std::vector<ParseCase>& cases) {
  for (const ParseCase& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string actual = ParseToText(MakeRequest(c.query, c.content_type, c.body));
    if (c.expected.starts_with("error: ")) {
      EXPECT_TRUE(actual.starts_with(c.expected)) << actual;
    } else {
      EXPECT_EQ(actual, c.expected);
    }
  }
}

TEST(ParamsTest, QueryStringEncodings) {
  RunCases({
      {"empty", "", "", "", "{}"},
      {"plain pairs", "a=1&b=two", "", "", R"({a:"1",b:"two"})"},
      {"plus and escapes", "q=hello+world%21&e=caf%C3%A9", "", "",
       R"({q:"hello world!",e:"café"})"},
      {"key without value", "flag", "", "", R"({flag:""})"},
      {"empty pairs skipped", "&&a=1&", "", "", R"({a:"1"})"},
      {"last plain value wins", "a=1&a=2", "", "", R"({a:"2"})"},
      {"masto array", "id[]=1&id[]=2", "", "", R"({id:["1","2"]})"},
      {"megalodon encoded brackets", "id%5B%5D=1&id%5B%5D=2", "", "", R"({id:["1","2"]})"},
      {"lower-case escapes", "id%5b%5d=7", "", "", R"({id:["7"]})"},
      {"object", "a[b]=v", "", "", R"({a:{b:"v"}})"},
      {"nested object", "a[b][c]=v&a[b][d]=w", "", "", R"({a:{b:{c:"v",d:"w"}}})"},
      {"numeric keys stay an object", "a[0][b]=x&a[1][b]=y", "", "",
       R"({a:{0:{b:"x"},1:{b:"y"}}})"},
      {"array of objects", "a[][b]=1&a[][c]=2&a[][b]=3", "", "", R"({a:[{b:"1",c:"2"},{b:"3"}]})"},
      {"array in object", "poll[options][]=a&poll[options][]=b&poll[expires_in]=60", "", "",
       R"({poll:{options:["a","b"],expires_in:"60"}})"},
      {"nested arrays", "a[][]=1", "", "", R"({a:[["1"]]})"},
      {"unclosed bracket keeps the name", "a[=1", "", "", R"({a[:"1"})"},
      {"malformed percent escape", "a=%zz", "", "",
       "error: Invalid parameters: malformed percent-encoding"},
      {"truncated percent escape", "a=%4", "", "", "error: Invalid parameters: malformed"},
      {"invalid UTF-8 in a value", "a=%FF", "", "", "error: Invalid parameters: invalid UTF-8"},
      {"invalid UTF-8 in a key", "%C3%28=1", "", "", "error: Invalid parameters: invalid UTF-8"},
      {"string then object", "a=1&a[b]=2", "", "", "error: Invalid parameter: expected Hash"},
      {"array then object", "a[]=1&a[b]=2", "", "", "error: Invalid parameter: expected Hash"},
      {"object then array", "a[b]=1&a[]=2", "", "", "error: Invalid parameter: expected Array"},
  });
}

TEST(ParamsTest, QueryLimits) {
  std::string deep = "a";
  for (int i = 0; i < 31; ++i) deep += "[b]";
  EXPECT_TRUE(Params::ParseQuery(deep + "=1").ok());
  Result<Params> too_deep = Params::ParseQuery(deep + "[b]=1");
  ASSERT_FALSE(too_deep.ok());
  EXPECT_EQ(too_deep.status().message(), "Invalid parameters: nesting is too deep");

  std::string many;
  for (int i = 0; i < 10000; ++i) many += "k" + std::to_string(i) + "=1&";
  Result<Params> at_limit = Params::ParseQuery(many);
  ASSERT_TRUE(at_limit.ok());
  EXPECT_EQ(at_limit->root().members().size(), 10000u);
  Result<Params> over_limit = Params::ParseQuery(many + "x=1");
  ASSERT_FALSE(over_limit.ok());
  EXPECT_EQ(over_limit.status().message(), "Invalid parameters: too many parameters");

  std::string nested;
  for (int i = 0; i < 10000; ++i) nested += "a[k" + std::to_string(i) + "]=1&";
  Result<Params> nested_params = Params::ParseQuery(nested);
  ASSERT_TRUE(nested_params.ok());
  EXPECT_EQ(nested_params->Find("a")->members().size(), 10000u);

  // The limit counts query and body together.
  std::string json = "{";
  for (int i = 0; i < 5000; ++i) json += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
  json += "}";
  std::string query;
  for (int i = 0; i < 5001; ++i) query += "q" + std::to_string(i) + "=1&";
  EXPECT_FALSE(Params::Parse(MakeRequest(query, "application/json", json)).ok());
}

TEST(ParamsTest, JsonBodies) {
  std::string deep_json;
  for (int i = 0; i < 40; ++i) deep_json += "{\"a\":";
  deep_json += "1";
  for (int i = 0; i < 40; ++i) deep_json += "}";
  RunCases({
      {"nested objects and arrays", "", "application/json",
       R"({"status":"hi","poll":{"options":["a","b"],"expires_in":3600,"multiple":false},)"
       R"("media_ids":[1,"2"],"in_reply_to_id":null,"sensitive":true,"ratio":1.5})",
       R"({status:"hi",poll:{options:["a","b"],expires_in:"3600",multiple:"false"},)"
       R"(media_ids:["1","2"],in_reply_to_id:null,sensitive:"true",ratio:"1.5"})"},
      {"charset parameter", "", "application/json; charset=utf-8", R"({"a":"b"})", R"({a:"b"})"},
      {"upper-case media type", "", "Application/JSON", R"({"a":"b"})", R"({a:"b"})"},
      {"structured +json type", "", "application/activity+json", R"({"a":"b"})", R"({a:"b"})"},
      {"large and negative numbers", "", "application/json",
       R"({"a":9223372036854775807,"b":18446744073709551615,"c":-5,"d":0})",
       R"({a:"9223372036854775807",b:"18446744073709551615",c:"-5",d:"0"})"},
      {"megalodon number ids", "", "application/json", R"({"rule_ids":[1,2,3]})",
       R"({rule_ids:["1","2","3"]})"},
      {"objects in arrays", "", "application/json", R"({"a":[{"b":1},{"b":null}]})",
       R"({a:[{b:"1"},{b:null}]})"},
      {"unicode escapes", "", "application/json", R"({"e":"caf\u00e9 \ud83d\ude00"})",
       "{e:\"café \xF0\x9F\x98\x80\"}"},
      {"empty body", "", "application/json", "", "{}"},
      {"whitespace body", "", "application/json", " \r\n", "{}"},
      {"empty object", "", "application/json", "{}", "{}"},
      {"malformed", "", "application/json", R"({"a":)", "error: Invalid JSON"},
      {"trailing garbage", "", "application/json", R"({"a":1} x)", "error: Invalid JSON"},
      {"top-level array", "", "application/json", "[1,2]",
       "error: Invalid JSON: the body must be a JSON object"},
      {"top-level string", "", "application/json", R"("x")",
       "error: Invalid JSON: the body must be a JSON object"},
      {"top-level null", "", "application/json", "null",
       "error: Invalid JSON: the body must be a JSON object"},
      {"invalid UTF-8 in a string", "", "application/json", "{\"a\":\"\xff\"}",
       "error: Invalid JSON: invalid UTF-8"},
      {"overlong UTF-8 in a key", "", "application/json", "{\"\xC0\xAF\":1}",
       "error: Invalid JSON: invalid UTF-8"},
      {"lone surrogate escape", "", "application/json", R"({"a":"\ud800"})", "error: Invalid JSON"},
      {"too deep", "", "application/json", deep_json, "error: Invalid JSON: nesting is too deep"},
      {"body overrides query", "a=1&b=2&c[]=3", "application/json", R"({"a":"x","c":[4]})",
       R"({a:"x",b:"2",c:["4"]})"},
      {"unknown content type is ignored", "q=1", "text/plain", "a=1", R"({q:"1"})"},
      {"no content type is ignored", "", "", R"({"a":1})", "{}"},
  });
}

TEST(ParamsTest, UrlEncodedBodies) {
  RunCases({
      {"form body", "", "application/x-www-form-urlencoded",
       "status=hello+world&media_ids[]=1&media_ids[]=2&poll[options][]=a&poll[expires_in]=60",
       R"({status:"hello world",media_ids:["1","2"],poll:{options:["a"],expires_in:"60"}})"},
      {"charset parameter", "", "application/x-www-form-urlencoded; charset=UTF-8", "a=1",
       R"({a:"1"})"},
      {"encoded brackets", "", "application/x-www-form-urlencoded", "id%5B%5D=1&id%5B%5D=2",
       R"({id:["1","2"]})"},
      {"body overrides query", "a=1&b=2", "application/x-www-form-urlencoded", "a=3",
       R"({a:"3",b:"2"})"},
      {"invalid UTF-8", "", "application/x-www-form-urlencoded", "a=%C3%28",
       "error: Invalid parameters: invalid UTF-8"},
      {"raw invalid UTF-8", "", "application/x-www-form-urlencoded", "a=\xff",
       "error: Invalid parameters: invalid UTF-8"},
      {"malformed escape", "", "application/x-www-form-urlencoded", "a=100%",
       "error: Invalid parameters: malformed"},
  });
}

std::string Part(std::string_view boundary, std::string_view headers, std::string_view content) {
  return "--" + std::string(boundary) + "\r\n" + std::string(headers) + "\r\n\r\n" +
         std::string(content) + "\r\n";
}

TEST(ParamsTest, MultipartBodies) {
  const std::string png = "\x89PNG\r\n\x1a\n\xff\x00\xfe"s;
  const std::string form = "multipart/form-data; boundary=XyZ";
  RunCases({
      {"fields and a file", "", form,
       Part("XyZ", "Content-Disposition: form-data; name=\"description\"", "A cat") +
           Part("XyZ",
                "Content-Disposition: form-data; name=\"file\"; "
                "filename=\"cat.png\"\r\nContent-Type: image/png",
                png) +
           "--XyZ--\r\n",
       R"({description:"A cat",file:file(cat.png,image/png,11)})"},
      {"nested names", "", form,
       Part("XyZ", "Content-Disposition: form-data; name=\"fields_attributes[0][name]\"", "Web") +
           Part("XyZ", "Content-Disposition: form-data; name=\"fields_attributes[0][value]\"",
                "https://x.example") +
           Part("XyZ", "Content-Disposition: form-data; name=\"fields_attributes[1][name]\"",
                "Pronouns") +
           Part("XyZ", "Content-Disposition: form-data; name=\"source[privacy]\"", "public") +
           Part("XyZ", "Content-Disposition: form-data; name=\"locked\"", "false") + "--XyZ--\r\n",
       R"({fields_attributes:{0:{name:"Web",value:"https://x.example"},1:{name:"Pronouns"}},)"
       R"(source:{privacy:"public"},locked:"false"})"},
      {"quoted boundary, preamble and epilogue", "",
       "multipart/form-data; charset=utf-8; boundary=\"a b\"",
       "preamble\r\n" + Part("a b", "content-disposition: form-data; name=a", "1") +
           "--a b--\r\nepilogue",
       R"({a:"1"})"},
      {"empty value and array names", "", form,
       Part("XyZ", "Content-Disposition: form-data; name=\"e\"", "") +
           Part("XyZ", "Content-Disposition: form-data; name=\"ids[]\"", "1") +
           Part("XyZ", "Content-Disposition: form-data; name=\"ids[]\"", "2") + "--XyZ--",
       R"({e:"",ids:["1","2"]})"},
      {"an empty file input is dropped", "", form,
       Part("XyZ",
            "Content-Disposition: form-data; name=\"avatar\"; filename=\"\"\r\nContent-Type: "
            "application/octet-stream",
            "") +
           "--XyZ--\r\n",
       "{}"},
      {"extended file name", "", form,
       Part("XyZ",
            "Content-Disposition: form-data; name=\"f\"; filename=\"x\"; "
            "filename*=UTF-8''caf%C3%A9.txt",
            "hi") +
           "--XyZ--\r\n",
       "{f:file(café.txt,,2)}"},
      {"a file part keeps invalid UTF-8", "", form,
       Part("XyZ", "Content-Disposition: form-data; name=\"f\"; filename=\"b.bin\"", "\xff\xfe") +
           "--XyZ--\r\n",
       "{f:file(b.bin,,2)}"},
      {"body overrides query", "a=1&b=2", form,
       Part("XyZ", "Content-Disposition: form-data; name=\"a\"", "3") + "--XyZ--\r\n",
       R"({a:"3",b:"2"})"},
      {"missing boundary", "", "multipart/form-data", "--x\r\n\r\n",
       "error: Invalid multipart body: missing boundary"},
      {"no delimiter in body", "", form, "hello",
       "error: Invalid multipart body: no boundary found"},
      {"unterminated part", "", form,
       "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue",
       "error: Invalid multipart body: unterminated part"},
      {"part without blank line", "", form,
       "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n--XyZ--",
       "error: Invalid multipart body"},
      {"invalid UTF-8 in a text field", "", form,
       Part("XyZ", "Content-Disposition: form-data; name=\"a\"", "\xff") + "--XyZ--\r\n",
       "error: Invalid multipart body: invalid UTF-8"},
  });
}

TEST(ParamsTest, FilePartsAreNotStrings) {
  const std::string body = Part("b",
                                "Content-Disposition: form-data; name=\"file\"; "
                                "filename=\"a.jpg\"\r\nContent-Type: image/jpeg",
                                "\xff\xd8\xff") +
                           "--b--\r\n";
  Result<Params> params = Params::Parse(MakeRequest("", "multipart/form-data; boundary=b", body));
  ASSERT_TRUE(params.ok()) << params.status().ToString();
  const ParamValue* file = params->Find("file");
  ASSERT_NE(file, nullptr);
  EXPECT_TRUE(file->is_file);
  EXPECT_EQ(file->filename, "a.jpg");
  EXPECT_EQ(file->file_content_type, "image/jpeg");
  EXPECT_EQ(file->str(), "\xff\xd8\xff");
  // Raw file bytes must never reach code that expects text.
  EXPECT_EQ(params->String("file"), std::nullopt);
  EXPECT_TRUE(params->StringArray("file").empty());
}

TEST(ParamsTest, Accessors) {
  Result<Params> params = Params::Parse(MakeRequest(
      "", "application/json",
      R"({"s":"x","n":12,"null":null,"t":true,"f":"0","arr":["a",1,null,{"x":1}],"one":"solo",)"
      R"("obj":{"k":"v"},"ids":{"1":"b","0":"a","10":"c","2":"z"}})"));
  ASSERT_TRUE(params.ok()) << params.status().ToString();
  EXPECT_TRUE(params->Has("s"));
  EXPECT_FALSE(params->Has("null"));  // null reads as absent
  EXPECT_FALSE(params->Has("missing"));
  EXPECT_EQ(params->String("s"), "x");
  EXPECT_EQ(params->String("n"), "12");
  EXPECT_EQ(params->String("null"), std::nullopt);
  EXPECT_EQ(params->String("arr"), std::nullopt);
  EXPECT_EQ(params->String("missing"), std::nullopt);
  EXPECT_EQ(params->Bool("t"), true);
  EXPECT_EQ(params->Bool("f"), false);
  EXPECT_EQ(params->Bool("s"), true);
  EXPECT_EQ(params->Bool("missing"), std::nullopt);
  EXPECT_EQ(params->Bool("null"), std::nullopt);
  EXPECT_EQ(params->StringArray("arr"), (std::vector<std::string>{"a", "1"}));
  EXPECT_EQ(params->StringArray("one"), (std::vector<std::string>{"solo"}));
  EXPECT_EQ(params->StringArray("ids"), (std::vector<std::string>{"a", "b", "z", "c"}));
  EXPECT_TRUE(params->StringArray("missing").empty());
  EXPECT_TRUE(params->StringArray("null").empty());
  EXPECT_TRUE(params->StringArray("obj").empty());
}

TEST(ParamsTest, ObjectListFromJsonArray) {
  Result<Params> params = Params::Parse(MakeRequest(
      "", "application/json",
      R"({"fields_attributes":[{"name":"a","value":"1"},"skip",{"name":"b","value":"2"}]})"));
  ASSERT_TRUE(params.ok());
  const auto list = params->ObjectList("fields_attributes");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(Dump(*list[0]), R"({name:"a",value:"1"})");
  EXPECT_EQ(Dump(*list[1]), R"({name:"b",value:"2"})");
}

TEST(ParamsTest, ObjectListFromNumericKeyedObjectInIndexOrder) {
  Result<Params> params = Params::ParseQuery(
      "fields_attributes[10][name]=k&fields_attributes[2][name]=c&fields_attributes[0][name]=a"
      "&fields_attributes[1][name]=b");
  ASSERT_TRUE(params.ok());
  std::vector<std::string> names;
  for (const ParamValue* item : params->ObjectList("fields_attributes"))
    names.push_back(item->Find("name")->str());
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c", "k"}));
}

TEST(ParamsTest, ObjectListEdgeCases) {
  Result<Params> params = Params::Parse(MakeRequest(
      "", "application/json",
      R"({"single":{"name":"a"},"scalar":"x","empty":{},"mixed":{"0":{"n":1},"1":"s"}})"));
  ASSERT_TRUE(params.ok());
  ASSERT_EQ(params->ObjectList("single").size(),
            1u);  // one object, as Rails nested attributes accept
  EXPECT_TRUE(params->ObjectList("scalar").empty());
  EXPECT_TRUE(params->ObjectList("empty").empty());
  EXPECT_TRUE(params->ObjectList("missing").empty());
  EXPECT_EQ(params->ObjectList("mixed").size(), 1u);  // the scalar element is skipped
}

TEST(ParamsTest, SetOverridesAndAdds) {
  Result<Params> params = Params::ParseQuery("id=query&x=1");
  ASSERT_TRUE(params.ok());
  params->Set("id", "path");
  params->Set("other", "v");
  EXPECT_EQ(Dump(params->root()), R"({id:"path",x:"1",other:"v"})");
}

TEST(ParamsTest, ParseQueryIgnoresTheBody) {
  Result<Params> params = Params::ParseQuery("a[]=1&a[]=2");
  ASSERT_TRUE(params.ok());
  EXPECT_EQ(Dump(params->root()), R"({a:["1","2"]})");
  EXPECT_FALSE(Params::ParseQuery("a=%FF").ok());
}

TEST(ParamsTest, CastBoolFollowsRails) {
  const struct {
    std::string_view input;
    bool expected;
  } kCases[] = {
      {"", false},        {"false", false}, {"FALSE", false}, {"False", false}, {"0", false},
      {"f", false},       {"F", false},     {"off", false},   {"OFF", false},   {"true", true},
      {"1", true},        {"t", true},      {"on", true},     {"yes", true},    {"no", true},
      {"anything", true}, {" ", true},      {"00", true},
  };
  for (const auto& c : kCases)
    EXPECT_EQ(CastBool(c.input), c.expected) << "input: '" << c.input << "'";
}

TEST(ParamValueTest, SetReplacesAndFindLooksUp) {
  ParamValue object = ParamValue::Object();
  object.Set("a", ParamValue::FromString("1"));
  object.Set("b", ParamValue::Array());
  object.Set("a", ParamValue::FromString("2"));
  ASSERT_EQ(object.members().size(), 2u);
  EXPECT_EQ(object.Find("a")->str(), "2");
  EXPECT_TRUE(object.Find("b")->is_array());
  EXPECT_EQ(object.Find("c"), nullptr);
  EXPECT_TRUE(ParamValue().is_null());
}

}  // namespace
}  // namespace stoa::http
