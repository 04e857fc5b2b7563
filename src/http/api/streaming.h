// The streaming API's entry point: what the HTTP server calls for a WebSocket upgrade or an
// event-stream request (see streaming.cc for the streams and frames).
#pragma once

#include "http/api/api.h"
#include "http/server.h"

namespace stoa::http::api {

// `services` must outlive the server the opener is given to.
StreamOpener MakeStreamOpener(Services& services);

}  // namespace stoa::http::api
