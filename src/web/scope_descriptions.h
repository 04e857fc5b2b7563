// Plain-language descriptions of OAuth scopes for the consent page.
#pragma once

#include <string>
#include <string_view>

namespace stoa::web {

// What granting `scope` lets an application do, in words a person understands
// ("Read your posts" for read:statuses). Unknown scopes are returned as they are.
std::string ScopeDescription(std::string_view scope);

}  // namespace stoa::web
