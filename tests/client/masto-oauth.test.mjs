// masto v8: app registration, the authorization-code flow (PKCE S256, redirect and out-of-band),
// token exchange, verify_credentials, and the ways the flow must refuse to hand out a token.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createOAuthAPIClient, createRestAPIClient } from "masto";

import { expectMastoError, useStoa } from "./helpers/fixture.mjs";
import {
  authorizeUrl,
  kOobRedirect,
  kScopes,
  kWebRedirect,
  pkcePair,
  submitAuthorizeForm,
} from "./helpers/oauth.mjs";

const stoa = useStoa(["olivia", "oscar", "otto", "orla", "omar", "opal", "owen", "ozzy"], { roles: { omar: "moderator" } });

async function createApp(redirectUri = kWebRedirect, scopes = kScopes) {
  const rest = createRestAPIClient({ url: stoa.url });
  return rest.v1.apps.create({ clientName: "oauth test", redirectUris: [redirectUri], scopes, website: "https://client.example" });
}

test("apps.create returns a CredentialApplication", async () => {
  const app = await createApp();
  assert.equal(typeof app.id, "string");
  assert.equal(app.name, "oauth test");
  assert.equal(app.website, "https://client.example");
  assert.deepEqual(app.scopes, ["read", "write", "follow"]);
  assert.deepEqual(app.redirectUris, [kWebRedirect]);
  assert.equal(app.redirectUri, kWebRedirect);
  assert.ok(app.clientId.length > 0 && app.clientSecret.length > 0);
  assert.notEqual(app.clientId, app.clientSecret);
  assert.equal(app.clientSecretExpiresAt, 0);
});

test("authorization code with PKCE, redirect URI: token, verify_credentials and the app's identity", async () => {
  const olivia = await stoa.masto("olivia");
  assert.equal(olivia.token.tokenType, "Bearer");
  assert.equal(olivia.token.scope, kScopes);
  assert.equal(typeof olivia.token.createdAt, "number");

  const me = olivia.account;
  assert.equal(me.username, stoa.users.olivia.username);
  assert.equal(me.acct, stoa.users.olivia.username);
  assert.equal(typeof me.id, "string");
  assert.match(me.id, /^\d+$/);
  assert.equal(me.locked, false);
  assert.equal(typeof me.avatar, "string");
  assert.ok(me.avatar.length > 0, "avatar is never empty");
  assert.equal(me.source.privacy, "public");
  assert.equal(typeof me.role?.name, "string", "the credential account has a role");
  assert.equal(typeof me.role.permissions, "string");
  assert.ok(Array.isArray(me.fields));
  assert.ok(Array.isArray(me.emojis));

  const app = await olivia.client.v1.apps.verifyCredentials();
  assert.equal(app.name, "stoa client suite (masto)");
});

test("the credential account carries the user's role", async () => {
  const omar = await stoa.masto("omar");
  assert.match(omar.account.role.name, /moderator/i);
  assert.equal(typeof omar.account.role.permissions, "string");
});

test("authorization code, out-of-band: the code is shown on the page and exchanged by masto", async () => {
  const oscar = await stoa.masto("oscar", { redirectUri: kOobRedirect });
  assert.equal(oscar.account.username, stoa.users.oscar.username);
});

test("a wrong PKCE verifier, a reused code and a wrong client secret are refused", async () => {
  const app = await createApp();
  const oauth = createOAuthAPIClient({ url: stoa.url });
  const { verifier, challenge } = pkcePair();
  const issue = async () => {
    const url = authorizeUrl(stoa.url, { clientId: app.clientId, redirectUri: kWebRedirect, scope: kScopes, state: "s1", codeChallenge: challenge });
    const answer = await submitAuthorizeForm(url, { login: stoa.users.otto.email, password: stoa.users.otto.password });
    assert.ok(answer.code, `no code: ${answer.status}`);
    return answer.code;
  };
  const exchange = (code, overrides = {}) => oauth.token.create({
    grantType: "authorization_code", clientId: app.clientId, clientSecret: app.clientSecret,
    redirectUri: kWebRedirect, code, codeVerifier: verifier, ...overrides,
  });

  const wrongVerifier = await expectMastoError(exchange(await issue(), { codeVerifier: pkcePair().verifier }), 400);
  assert.equal(wrongVerifier.message, "invalid_grant");

  const wrongSecret = await expectMastoError(exchange(await issue(), { clientSecret: "not-the-secret" }), 401);
  assert.equal(wrongSecret.message, "invalid_client");

  const code = await issue();
  const token = await exchange(code);
  assert.equal(typeof token.accessToken, "string");
  const reused = await expectMastoError(exchange(code), 400);
  assert.equal(reused.message, "invalid_grant");
});

test("wrong password and deny issue no code", async () => {
  const app = await createApp();
  const { challenge } = pkcePair();
  const url = authorizeUrl(stoa.url, { clientId: app.clientId, redirectUri: kWebRedirect, scope: kScopes, state: "s2", codeChallenge: challenge });

  const badPassword = await submitAuthorizeForm(url, { login: stoa.users.orla.email, password: "not the password" });
  assert.equal(badPassword.code, null, "no code for a wrong password");
  assert.notEqual(badPassword.status, 302, "no redirect for a wrong password");

  const denied = await submitAuthorizeForm(url, { login: stoa.users.orla.email, password: stoa.users.orla.password, decision: "deny" });
  assert.equal(denied.code, null, "no code when the user denies");
  if (denied.status === 302) {
    const location = new URL(denied.location);
    assert.equal(location.searchParams.get("error"), "access_denied");
    assert.equal(location.searchParams.get("state"), "s2");
  }
});

test("forged submissions issue no code: no CSRF cookie, an unregistered redirect URI, a missing PKCE verifier", async () => {
  const app = await createApp();
  const { challenge } = pkcePair();
  const url = authorizeUrl(stoa.url, { clientId: app.clientId, redirectUri: kWebRedirect, scope: kScopes, state: "s3", codeChallenge: challenge });
  const login = { login: stoa.users.opal.email, password: stoa.users.opal.password };

  const noCookie = await submitAuthorizeForm(url, { ...login, sendCookies: false });
  assert.equal(noCookie.code, null, "no code without the CSRF cookie");
  assert.notEqual(noCookie.status, 302);

  const evil = "https://evil.example/steal";
  const page = await fetch(authorizeUrl(stoa.url, { clientId: app.clientId, redirectUri: evil, scope: kScopes, state: "s4", codeChallenge: challenge }), { redirect: "manual" });
  await page.arrayBuffer();
  assert.ok(!(page.headers.get("location") ?? "").startsWith(evil), "never redirects to an unregistered URI");
  assert.ok(page.status >= 400, `an unregistered redirect URI is an error page, got ${page.status}`);
  const forged = await submitAuthorizeForm(url, { ...login, overrides: { redirect_uri: evil } });
  assert.equal(forged.code, null, "no code for an unregistered redirect URI");
  assert.ok(!(forged.location ?? "").startsWith(evil), "never redirects to an unregistered URI");

  const answer = await submitAuthorizeForm(url, login);
  assert.ok(answer.code);
  const oauth = createOAuthAPIClient({ url: stoa.url });
  const noVerifier = await expectMastoError(oauth.token.create({ grantType: "authorization_code", clientId: app.clientId, clientSecret: app.clientSecret, redirectUri: kWebRedirect, code: answer.code }), 400);
  assert.equal(noVerifier.message, "invalid_grant");
});

test("a token never carries more scopes than the app registered", async () => {
  const app = await createApp(kWebRedirect, "read");
  const url = authorizeUrl(stoa.url, { clientId: app.clientId, redirectUri: kWebRedirect, scope: "read write", state: "s5" });
  const page = await fetch(url, { redirect: "manual" });
  await page.arrayBuffer();
  let token = null;
  if (page.status === 200) {
    const answer = await submitAuthorizeForm(url, { login: stoa.users.owen.email, password: stoa.users.owen.password });
    if (answer.code) {
      const oauth = createOAuthAPIClient({ url: stoa.url });
      token = await oauth.token.create({ grantType: "authorization_code", clientId: app.clientId, clientSecret: app.clientSecret, redirectUri: kWebRedirect, code: answer.code }).catch(() => null);
    } else if (answer.status === 302) {
      assert.equal(new URL(answer.location).searchParams.get("error"), "invalid_scope");
    }
  } else if (page.status === 302) {
    assert.equal(new URL(page.headers.get("location")).searchParams.get("error"), "invalid_scope");
  } else {
    assert.equal(page.status, 400, "an invalid scope is refused on the authorization page");
  }
  if (token) {
    assert.ok(!token.scope.split(" ").includes("write"), `token scope ${token.scope}`);
    const client = createRestAPIClient({ url: stoa.url, accessToken: token.accessToken });
    await expectMastoError(client.v1.statuses.create({ status: "should not post" }), 403, "This action is outside the authorized scopes");
  }
});

test("the state round-trips byte for byte and is escaped in the page", async () => {
  const app = await createApp();
  const state = `x"><script>alert(1)</script>&amp;'é`;
  const { challenge } = pkcePair();
  const url = authorizeUrl(stoa.url, { clientId: app.clientId, redirectUri: kWebRedirect, scope: kScopes, state, codeChallenge: challenge });
  const page = await (await fetch(url)).text();
  assert.ok(!page.includes("<script>alert(1)</script>"), "user input is escaped in the authorization page");
  const answer = await submitAuthorizeForm(url, { login: stoa.users.ozzy.username, password: stoa.users.ozzy.password });
  assert.equal(answer.status, 302);
  assert.equal(new URL(answer.location).searchParams.get("state"), state);
});

test("client_credentials gives an app token that can verify the app but is not a user", async () => {
  const app = await createApp(kOobRedirect, "read write");
  const oauth = createOAuthAPIClient({ url: stoa.url });
  const token = await oauth.token.create({ grantType: "client_credentials", clientId: app.clientId, clientSecret: app.clientSecret, redirectUri: kOobRedirect, scope: "read" });
  const client = createRestAPIClient({ url: stoa.url, accessToken: token.accessToken });
  const verified = await client.v1.apps.verifyCredentials();
  assert.equal(verified.name, "oauth test");
  await expectMastoError(client.v1.accounts.verifyCredentials(), 422, "This method requires an authenticated user");
});

test("a bad token answers 401 and a revoked token stops working", async () => {
  const bogus = createRestAPIClient({ url: stoa.url, accessToken: "not-a-token" });
  await expectMastoError(bogus.v1.accounts.verifyCredentials(), 401, "The access token is invalid");

  const olivia = await stoa.masto("olivia");
  const oauth = createOAuthAPIClient({ url: stoa.url });
  const revoked = await oauth.revoke({ clientId: olivia.app.clientId, clientSecret: olivia.app.clientSecret, token: olivia.accessToken });
  assert.deepEqual(revoked, {});
  await expectMastoError(olivia.client.v1.accounts.verifyCredentials(), 401);
});

test("registration with an app token: masto (multipart) creates a user, duplicates get 422 with details", async () => {
  const app = await createApp(kOobRedirect, "read write follow");
  const oauth = createOAuthAPIClient({ url: stoa.url });
  const appToken = await oauth.token.create({ grantType: "client_credentials", clientId: app.clientId, clientSecret: app.clientSecret, redirectUri: kOobRedirect, scope: "read write" });
  const client = createRestAPIClient({ url: stoa.url, accessToken: appToken.accessToken });
  const username = `newbie${process.pid % 100000}`;
  const registered = await client.v1.accounts.create({ username, email: `${username}@client.example`, password: "a long enough password", agreement: true, locale: "en" });
  assert.equal(typeof registered.accessToken, "string");
  assert.equal(registered.tokenType, "Bearer");
  const newbie = createRestAPIClient({ url: stoa.url, accessToken: registered.accessToken });
  const me = await newbie.v1.accounts.verifyCredentials();
  assert.equal(me.username, username);

  const taken = await expectMastoError(client.v1.accounts.create({ username, email: `other-${username}@client.example`, password: "a long enough password", agreement: true, locale: "en" }), 422);
  assert.equal(taken.details.username[0].error, "ERR_TAKEN");
  const blank = await expectMastoError(client.v1.accounts.create({ username: "", email: "", password: "", agreement: true, locale: "en" }), 422);
  assert.ok(blank.details.username && blank.details.email && blank.details.password, JSON.stringify(blank.details));
});
