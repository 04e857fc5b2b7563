// Obtains user tokens the way a real client does: register an app, open the authorization page,
// log in and approve on its HTML form, read the code from the redirect (or from the out-of-band
// page), and exchange it at /oauth/token through the client library itself.
//
// The login form contract (GET /oauth/authorize):
//   <form method="post" action="/oauth/authorize"> with hidden inputs client_id, redirect_uri,
//   scope, state, response_type, code_challenge, code_challenge_method and authenticity_token (the
//   CSRF token, mirrored in the `stoa_csrf` cookie), a text input `login`, a password input
//   `password`, and submit buttons named `decision` with values approve / deny.
// Posting it with decision=approve answers 302 to redirect_uri?code=..&state=.., or for the OOB
// redirect URI a 200 page with <code id="authorization-code">CODE</code>.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";

import { createOAuthAPIClient, createRestAPIClient } from "masto";
import generator from "megalodon";

export const kOobRedirect = "urn:ietf:wg:oauth:2.0:oob";
export const kWebRedirect = "https://client.example/oauth/callback";
export const kScopes = "read write follow";

const kEntities = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", "#39": "'", "#x27": "'", "#x2F": "/", "#47": "/" };

function decodeEntities(text) {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name) => {
    if (kEntities[name] !== undefined) return kEntities[name];
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return String.fromCodePoint(code);
    }
    return whole;
  });
}

function parseAttributes(tag) {
  const attrs = {};
  const re = /([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  // Skip the tag name itself.
  const body = tag.replace(/^<\s*[a-zA-Z]+/, "").replace(/\/?>$/, "");
  for (const m of body.matchAll(re)) {
    attrs[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? "");
  }
  return attrs;
}

// The login/consent form of an authorization page: its attributes, the named inputs (name ->
// {type, value}) and the values of the `decision` buttons.
export function parseAuthorizeForm(html) {
  const forms = [...html.matchAll(/<form\b[^>]*>([\s\S]*?)<\/form>/gi)];
  const form = forms.find((f) => /action\s*=\s*["']?\/oauth\/authorize/i.test(f[0].slice(0, f[0].indexOf(">") + 1)));
  assert.ok(form, `no <form action="/oauth/authorize"> in the authorization page:\n${html.slice(0, 2000)}`);
  const formAttrs = parseAttributes(form[0].slice(0, form[0].indexOf(">") + 1));
  const inputs = {};
  for (const m of form[1].matchAll(/<input\b[^>]*>/gi)) {
    const a = parseAttributes(m[0]);
    if (a.name) inputs[a.name] = { type: (a.type || "text").toLowerCase(), value: a.value ?? "" };
  }
  const decisions = [];
  for (const m of form[1].matchAll(/<button\b[^>]*>/gi)) {
    const a = parseAttributes(m[0]);
    if (a.name === "decision") decisions.push(a.value);
  }
  for (const m of form[1].matchAll(/<input\b[^>]*>/gi)) {
    const a = parseAttributes(m[0]);
    if (a.name === "decision" && (a.type || "").toLowerCase() === "submit") decisions.push(a.value);
  }
  return { attrs: formAttrs, inputs, decisions };
}

function cookiesOf(response) {
  const jar = {};
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const eq = pair.indexOf("=");
    if (eq > 0) jar[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return jar;
}

export function pkcePair() {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  return { verifier, challenge };
}

// Builds the authorization URL a client sends the browser to.
export function authorizeUrl(baseUrl, { clientId, redirectUri, scope, state, codeChallenge }) {
  const url = new URL("/oauth/authorize", baseUrl);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", clientId);
  url.searchParams.set("redirect_uri", redirectUri);
  if (scope) url.searchParams.set("scope", scope);
  if (state) url.searchParams.set("state", state);
  if (codeChallenge) {
    url.searchParams.set("code_challenge", codeChallenge);
    url.searchParams.set("code_challenge_method", "S256");
  }
  return url.toString();
}

// Plays the browser: opens `url` (an authorization URL), fills in the login form with `login` and
// `password`, submits `decision` and returns {status, location, html, code}. `code` is the
// authorization code when the server handed one out (302 redirect or OOB page). For the tests of
// forged submissions, `overrides` replaces form fields and `sendCookies: false` drops the cookies.
export async function submitAuthorizeForm(url, { login, password, decision = "approve", overrides = {}, sendCookies = true }) {
  const page = await fetch(url, { redirect: "manual" });
  const html = await page.text();
  assert.equal(page.status, 200, `GET ${url} answered ${page.status}: ${html.slice(0, 500)}`);
  assert.match(page.headers.get("content-type") ?? "", /text\/html/, "the authorization page is HTML");
  const form = parseAuthorizeForm(html);
  assert.equal((form.attrs.method || "").toLowerCase(), "post", "the form posts");
  for (const name of ["client_id", "redirect_uri", "scope", "state", "response_type", "code_challenge",
    "code_challenge_method", "authenticity_token"]) {
    assert.ok(form.inputs[name], `the form has a hidden input ${name}`);
    assert.equal(form.inputs[name].type, "hidden", `input ${name} is hidden`);
  }
  assert.ok(form.inputs.login, "the form has a login input");
  assert.equal(form.inputs.password?.type, "password", "the form has a password input");
  assert.ok(form.decisions.includes("approve") && form.decisions.includes("deny"),
    `the form offers approve and deny, got ${JSON.stringify(form.decisions)}`);
  const jar = cookiesOf(page);
  assert.ok(jar.stoa_csrf, "the authorization page sets the stoa_csrf cookie");

  const body = new URLSearchParams();
  for (const [name, input] of Object.entries(form.inputs)) {
    if (input.type === "hidden") body.set(name, input.value);
  }
  body.set("login", login);
  body.set("password", password);
  body.set("decision", decision);
  for (const [name, value] of Object.entries(overrides)) body.set(name, value);
  const action = new URL(form.attrs.action, url).toString();
  const res = await fetch(action, {
    method: "POST",
    redirect: "manual",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      ...(sendCookies ? { Cookie: Object.entries(jar).map(([k, v]) => `${k}=${v}`).join("; ") } : {}),
    },
    body: body.toString(),
  });
  const resHtml = await res.text();
  const location = res.headers.get("location");
  let code = null;
  if (res.status === 302 && location) {
    code = new URL(location).searchParams.get("code");
  } else if (res.status === 200) {
    const m = resHtml.match(/<code\b[^>]*id\s*=\s*["']authorization-code["'][^>]*>([^<]*)<\/code>/i);
    if (m) code = decodeEntities(m[1]).trim();
  }
  return { status: res.status, location, html: resHtml, code };
}

// The whole authorization-code flow with masto: apps.create, the authorization page with PKCE S256,
// token.create. Returns {app, token, accessToken, client} where client is an authenticated masto
// REST client.
export async function mastoLogin(baseUrl, user, { redirectUri = kWebRedirect, scopes = kScopes } = {}) {
  const anonymous = createRestAPIClient({ url: baseUrl });
  const app = await anonymous.v1.apps.create({
    clientName: "stoa client suite (masto)",
    redirectUris: [redirectUri],
    scopes,
    website: "https://client.example",
  });
  assert.equal(typeof app.clientId, "string");
  assert.equal(typeof app.clientSecret, "string");

  const { verifier, challenge } = pkcePair();
  const state = randomBytes(12).toString("hex");
  const url = authorizeUrl(baseUrl, { clientId: app.clientId, redirectUri, scope: scopes, state, codeChallenge: challenge });
  const answer = await submitAuthorizeForm(url, { login: user.email, password: user.password });
  if (redirectUri === kOobRedirect) {
    assert.equal(answer.status, 200, `OOB approval answered ${answer.status}: ${answer.html.slice(0, 500)}`);
  } else {
    assert.equal(answer.status, 302, `approval answered ${answer.status}: ${answer.html.slice(0, 500)}`);
    const location = new URL(answer.location);
    assert.equal(`${location.origin}${location.pathname}`, redirectUri, "redirects to the registered URI");
    assert.equal(location.searchParams.get("state"), state, "the state comes back unchanged");
  }
  assert.ok(answer.code, "an authorization code was issued");

  const oauth = createOAuthAPIClient({ url: baseUrl });
  const token = await oauth.token.create({
    grantType: "authorization_code",
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    redirectUri,
    code: answer.code,
    codeVerifier: verifier,
    scope: scopes,
  });
  assert.equal(typeof token.accessToken, "string");
  const client = createRestAPIClient({ url: baseUrl, accessToken: token.accessToken });
  return { app, token, accessToken: token.accessToken, client, codeVerifier: verifier };
}

// The flow megalodon supports: registerApp (OOB redirect by default, no PKCE), the authorization
// page at appData.url, the code from the OOB page, fetchAccessToken. Returns {appData, tokenData,
// client} where client is an authenticated megalodon client.
export async function megalodonLogin(baseUrl, user, { scopes = ["read", "write", "follow"] } = {}) {
  const anonymous = generator("mastodon", baseUrl);
  const appData = await anonymous.registerApp("stoa client suite (megalodon)", { scopes });
  assert.equal(typeof appData.client_id, "string");
  assert.equal(typeof appData.client_secret, "string");
  assert.ok(appData.url, "registerApp produced an authorization URL");
  const answer = await submitAuthorizeForm(appData.url, { login: user.username, password: user.password });
  assert.equal(answer.status, 200, `OOB approval answered ${answer.status}: ${answer.html.slice(0, 500)}`);
  assert.ok(answer.code, `the OOB page shows the code:\n${answer.html.slice(0, 1000)}`);
  const tokenData = await anonymous.fetchAccessToken(appData.client_id, appData.client_secret, answer.code);
  assert.equal(typeof tokenData.access_token, "string");
  const client = generator("mastodon", baseUrl, tokenData.access_token);
  return { appData, tokenData, client };
}
