// One stoa server per test file, with the users the file needs created up front by the CLI.
//
//   const stoa = useStoa(["alice", "bob"]);
//   test("...", async () => { const alice = await stoa.masto("alice"); ... });
//
// useStoa registers node:test before/after hooks: `before` starts the server, `after` stops it with
// SIGTERM and fails the file unless the server exits with status 0. Usernames get a per-run suffix
// so that data directories never share names with a previous run's leftovers.
import assert from "node:assert/strict";
import { after, before } from "node:test";

import { MastoHttpError } from "masto";

import { mastoLogin, megalodonLogin } from "./oauth.mjs";
import { startServer } from "./server.mjs";

export function useStoa(names, { roles = {} } = {}) {
  const suffix = String(process.pid % 100000);
  const users = Object.fromEntries(names.map((name) => {
    const username = `${name}${suffix}`;
    return [name, { username, email: `${username}@client.example`, password: `pw-${username}-secret`, role: roles[name] ?? "member" }];
  }));
  const ctx = {
    server: null,
    users,
    get url() {
      return ctx.server.url;
    },
    // Logs `name` in through the authorization-code flow with masto. Returns
    // {client, account, accessToken, app, user}; `account` is verify_credentials' answer.
    async masto(name, options) {
      const user = users[name];
      assert.ok(user, `unknown fixture user ${name}`);
      const login = await mastoLogin(ctx.url, user, options);
      const account = await login.client.v1.accounts.verifyCredentials();
      return { ...login, account, user };
    },
    // Logs `name` in with megalodon (OOB code). Returns {client, account, appData, tokenData, user}.
    async megalodon(name) {
      const user = users[name];
      assert.ok(user, `unknown fixture user ${name}`);
      const login = await megalodonLogin(ctx.url, user);
      const account = (await login.client.verifyAccountCredentials()).data;
      return { ...login, account, user };
    },
  };
  before(async () => {
    ctx.server = await startServer({ users: Object.values(users) });
  });
  after(async () => {
    if (ctx.server) await ctx.server.stop();
  });
  return ctx;
}

// Asserts that `promise` rejects with a MastoHttpError with `statusCode` and returns the error.
export async function expectMastoError(promise, statusCode, message) {
  let error;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert.ok(error, `expected a MastoHttpError ${statusCode}, but the call succeeded`);
  assert.ok(error instanceof MastoHttpError, `expected a MastoHttpError, got ${error?.name}: ${error?.message}`);
  assert.equal(error.statusCode, statusCode, `status of ${error.message}`);
  if (message !== undefined) assert.equal(error.message, message);
  return error;
}

// Collects every item of a masto Paginator, failing after `maxPages` pages so that a server that
// keeps sending rel="next" cannot hang the suite. Returns {pages: [[item...]...], items}.
export async function collectPages(paginator, { maxPages = 50 } = {}) {
  const pages = [];
  for await (const page of paginator) {
    pages.push(page);
    assert.ok(pages.length <= maxPages, `the paginator did not stop after ${maxPages} pages`);
  }
  return { pages, items: pages.flat() };
}

export function ids(items) {
  return items.map((item) => item.id);
}
