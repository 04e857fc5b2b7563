// The browser side of OAuth 2: the login-and-consent page of /oauth/authorize and its form post,
// which answers with a redirect carrying the authorization code (or shows the code for the
// out-of-band redirect URI).
//
// The form contract (client test suites depend on it exactly): GET /oauth/authorize renders
// <form method="post" action="/oauth/authorize"> with hidden inputs client_id, redirect_uri,
// scope, state, response_type, code_challenge, code_challenge_method and authenticity_token (the
// CSRF token, also set as cookie stoa_csrf; HttpOnly, SameSite=Lax, Path=/oauth), a text input
// `login` (e-mail address or username), a password input `password`, and submit buttons named
// `decision` with values `approve` and `deny`. The out-of-band page shows the code in
// <code id="authorization-code">.
#pragma once

#include "common/config.h"
#include "http/rate_limiter.h"
#include "http/router.h"
#include "social/oauth_service.h"

namespace stoa::web {

// Registers GET and POST /oauth/authorize and the pages' stylesheet on `router`. `oauth`,
// `config` and `limiter` must outlive the router. Login attempts are limited per IP and per login
// name when config.rate_limits.enabled.
void RegisterOAuthPages(http::Router& router, social::OAuthService& oauth, const Config& config,
                        http::RateLimiter& limiter);

}  // namespace stoa::web
