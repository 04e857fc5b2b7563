// Routes of this group are being written; see docs/api.md for the supported surface.
#include "http/api/api.h"

namespace stoa::http::api {

void RegisterAppRoutes(Api&, Router&) {}

}  // namespace stoa::http::api
