// megalodon v10 (axios): detection through nodeinfo, registerApp + the out-of-band code +
// fetchAccessToken, and the core social flow with explicit max_id paging.
import assert from "node:assert/strict";
import { test } from "node:test";

import generator, { detector } from "megalodon";

import { useStoa } from "./helpers/fixture.mjs";

const stoa = useStoa(["kim", "kai", "lou", "lee", "mo", "mel", "ned", "nia"]);

async function expectHttpStatus(promise, status) {
  const error = await promise.then(() => null, (e) => e);
  assert.ok(error, `expected HTTP ${status}, but the call succeeded`);
  assert.equal(error.response?.status, status, `expected HTTP ${status}, got ${error.message}`);
  assert.match(error.response.headers["content-type"], /^application\/json/);
  assert.equal(typeof error.response.data.error, "string");
  return error;
}

test("detector recognises stoa as mastodon through nodeinfo", async () => {
  assert.equal(await detector(stoa.url), "mastodon");
});

test("registerApp, the OOB code, fetchAccessToken and verifyAccountCredentials", async () => {
  const kim = await stoa.megalodon("kim");
  assert.equal(kim.appData.redirect_uri, "urn:ietf:wg:oauth:2.0:oob");
  assert.equal(kim.tokenData.token_type, "Bearer");
  assert.equal(kim.tokenData.scope, "read write follow");
  assert.equal(kim.account.username, stoa.users.kim.username);
  assert.equal(kim.account.acct, stoa.users.kim.username);
  const app = await kim.client.verifyAppCredentials();
  assert.equal(app.data.name, "stoa client suite (megalodon)");
});

test("post, reply, context, reblog, favourite, follow and notifications", async () => {
  const kai = await stoa.megalodon("kai");
  const lou = await stoa.megalodon("lou");

  const post = (await kai.client.postStatus("megalodon says hello #megatag", { visibility: "public" })).data;
  assert.equal(post.account.id, kai.account.id);
  assert.equal(post.visibility, "public");
  assert.deepEqual(post.tags.map((t) => t.name), ["megatag"]);

  const followed = (await lou.client.followAccount(kai.account.id)).data;
  assert.equal(followed.following, true);

  const reply = (await lou.client.postStatus(`@${kai.user.username} hello back`, { in_reply_to_id: post.id })).data;
  assert.equal(reply.in_reply_to_id, post.id);
  const context = (await kai.client.getStatusContext(post.id)).data;
  assert.deepEqual(context.ancestors, []);
  assert.deepEqual(context.descendants.map((s) => s.id), [reply.id]);

  const reblog = (await lou.client.reblogStatus(post.id)).data;
  assert.equal(reblog.reblog.id, post.id);
  assert.equal(reblog.reblog.reblogged, true);
  const favourite = (await lou.client.favouriteStatus(post.id)).data;
  assert.equal(favourite.favourited, true);
  assert.equal(favourite.favourites_count, 1);

  const fetched = (await kai.client.getStatus(post.id)).data;
  assert.equal(fetched.reblogs_count, 1);
  assert.equal(fetched.favourites_count, 1);
  assert.equal(fetched.replies_count, 1);

  const notifications = (await kai.client.getNotifications()).data;
  assert.deepEqual(notifications.map((n) => n.type), ["favourite", "reblog", "mention", "follow"]);
  for (const n of notifications) assert.equal(n.account.id, lou.account.id);
  const withoutMentions = (await kai.client.getNotifications({ exclude_types: ["mention"] })).data;
  assert.deepEqual(withoutMentions.map((n) => n.type), ["favourite", "reblog", "follow"]);

  const relationship = (await lou.client.getRelationship(kai.account.id)).data;
  assert.equal(relationship.following, true);
  assert.equal(relationship.followed_by, false);
});

test("follow a locked account and accept the request", async () => {
  const lee = await stoa.megalodon("lee");
  const mo = await stoa.megalodon("mo");
  const locked = (await lee.client.updateCredentials({ locked: true })).data;
  assert.equal(locked.locked, true);
  const requested = (await mo.client.followAccount(lee.account.id)).data;
  assert.equal(requested.requested, true);
  assert.equal(requested.following, false);
  const requests = (await lee.client.getFollowRequests()).data;
  assert.deepEqual(requests.map((a) => a.id), [mo.account.id]);
  const accepted = (await lee.client.acceptFollowRequest(mo.account.id)).data;
  assert.equal(accepted.followed_by, true);
  assert.equal((await mo.client.getRelationship(lee.account.id)).data.following, true);
});

test("home timeline paged with max_id until an empty page; search; block; instance", async () => {
  const mel = await stoa.megalodon("mel");
  const ned = await stoa.megalodon("ned");
  await mel.client.followAccount(ned.account.id);
  const created = [];
  for (let i = 0; i < 25; i++) {
    const author = i % 5 === 0 ? mel : ned;
    created.push((await author.client.postStatus(`megalodon paging ${i} zygomorphic`)).data.id);
  }

  const seen = [];
  let maxId;
  for (let pages = 0; ; pages++) {
    assert.ok(pages < 10, "max_id paging ends");
    const page = (await mel.client.getHomeTimeline({ limit: 10, ...(maxId ? { max_id: maxId } : {}) })).data;
    if (page.length === 0) break;
    assert.ok(page.length <= 10);
    seen.push(...page.map((s) => s.id));
    maxId = page[page.length - 1].id;
  }
  assert.deepEqual(seen, [...created].reverse());

  const found = (await ned.client.search("zygomorphic", { type: "statuses", limit: 40 })).data;
  assert.ok(found.statuses.length > 0);
  for (const status of found.statuses) assert.ok(created.includes(status.id));
  const accounts = (await mel.client.search(ned.user.username, { type: "accounts" })).data;
  assert.deepEqual(accounts.accounts.map((a) => a.id), [ned.account.id]);

  const blocked = (await mel.client.blockAccount(ned.account.id)).data;
  assert.equal(blocked.blocking, true);
  assert.equal(blocked.following, false);
  const home = (await mel.client.getHomeTimeline({ limit: 40 })).data;
  assert.deepEqual(home.map((s) => s.id), created.filter((_, i) => i % 5 === 0).reverse(),
    "only the blocker's own statuses remain at home");
  const local = (await mel.client.getLocalTimeline({ limit: 40 })).data;
  assert.ok(local.every((s) => s.account.id !== ned.account.id), "the blocked account is gone from the local timeline");

  const instance = (await mel.client.getInstance()).data;
  assert.ok(instance.uri.length > 0);
  assert.match(instance.version, /^4\.\d+\.\d+/);
  assert.match(instance.urls.streaming_api, /^wss?:\/\//);
  assert.equal(typeof instance.stats.user_count, "number");
  assert.equal(instance.configuration.statuses.max_characters, 500);
});

test("a private post of someone not followed answers 404 with a JSON error", async () => {
  const nia = await stoa.megalodon("nia");
  const kim = await stoa.megalodon("kim");
  const secret = (await nia.client.postStatus("megalodon secret", { visibility: "private" })).data;
  assert.equal(secret.visibility, "private");
  const error = await expectHttpStatus(kim.client.getStatus(secret.id), 404);
  assert.equal(error.response.data.error, "Record not found");
  await expectHttpStatus(kim.client.getStatusContext(secret.id), 404);
  await expectHttpStatus(generator("mastodon", stoa.url).getStatus(secret.id), 404);
});

test("registerAccount with an app token (JSON body)", async () => {
  const anonymous = generator("mastodon", stoa.url);
  const app = await anonymous.createApp("megalodon registration", { scopes: ["read", "write"] });
  const token = await fetch(`${stoa.url}/oauth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ grant_type: "client_credentials", client_id: app.client_id, client_secret: app.client_secret, scope: "read write" }),
  }).then((r) => r.json());
  const client = generator("mastodon", stoa.url, token.access_token);
  const username = `megareg${process.pid % 100000}`;
  const registered = (await client.registerAccount(username, `${username}@client.example`, "a long enough password", true, "en")).data;
  const me = (await generator("mastodon", stoa.url, registered.access_token).verifyAccountCredentials()).data;
  assert.equal(me.username, username);
  const error = await expectHttpStatus(client.registerAccount(username, `x${username}@client.example`, "a long enough password", true, "en"), 422);
  assert.equal(error.response.data.details.username[0].error, "ERR_TAKEN");
});
