// masto v8: following a locked account through a follow request, blocking, and the 404 a private
// post answers to someone who may not see it.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createRestAPIClient, MastoHttpError } from "masto";

import { expectMastoError, ids, useStoa } from "./helpers/fixture.mjs";

const stoa = useStoa(["lena", "liam", "mia", "max", "nora", "noah", "pia", "paul", "quinn", "rita", "rob"]);

test("follow a locked account: the request waits, the locked account authorizes it", async () => {
  const lena = await stoa.masto("lena");
  const liam = await stoa.masto("liam");

  const updated = await lena.client.v1.accounts.updateCredentials({ locked: true, displayName: "Lena (locked)" });
  assert.equal(updated.locked, true);
  assert.equal(updated.displayName, "Lena (locked)");
  const privatePost = await lena.client.v1.statuses.create({ status: "followers only", visibility: "private" });
  await expectMastoError(liam.client.v1.statuses.$select(privatePost.id).fetch(), 404, "Record not found");

  const requested = await liam.client.v1.accounts.$select(lena.account.id).follow();
  assert.equal(requested.id, lena.account.id);
  assert.equal(requested.following, false);
  assert.equal(requested.requested, true);

  const pending = await lena.client.v1.followRequests.list();
  assert.deepEqual(ids(pending), [liam.account.id]);
  const lenaNotifications = await lena.client.v1.notifications.list();
  assert.deepEqual(lenaNotifications.map((n) => [n.type, n.account.id]), [["follow_request", liam.account.id]]);
  const credentials = await lena.client.v1.accounts.verifyCredentials();
  assert.equal(credentials.source.followRequestsCount, 1);

  const authorized = await lena.client.v1.followRequests.$select(liam.account.id).authorize();
  assert.equal(authorized.id, liam.account.id);
  assert.equal(authorized.followedBy, true);
  assert.equal(authorized.requestedBy ?? false, false);
  assert.deepEqual(await lena.client.v1.followRequests.list(), []);

  const [relationship] = await liam.client.v1.accounts.relationships.fetch({ id: [lena.account.id] });
  assert.equal(relationship.id, lena.account.id);
  assert.equal(relationship.following, true);
  assert.equal(relationship.requested, false);
  assert.equal(relationship.followedBy, false);
  assert.equal(relationship.blocking, false);

  const seen = await liam.client.v1.statuses.$select(privatePost.id).fetch();
  assert.equal(seen.id, privatePost.id);
  const followers = await liam.client.v1.accounts.$select(lena.account.id).followers.list();
  assert.deepEqual(ids(followers), [liam.account.id]);
  const following = await liam.client.v1.accounts.$select(liam.account.id).following.list();
  assert.deepEqual(ids(following), [lena.account.id]);

  const after = await lena.client.v1.statuses.create({ status: "new for my followers", visibility: "private" });
  const home = await liam.client.v1.timelines.home.list({ limit: 40 });
  assert.ok(ids(home).includes(after.id), "an authorized follower gets new private posts at home");
});

test("a rejected follow request leaves no follow", async () => {
  const mia = await stoa.masto("mia");
  const max = await stoa.masto("max");
  await mia.client.v1.accounts.updateCredentials({ locked: true });
  const requested = await max.client.v1.accounts.$select(mia.account.id).follow();
  assert.equal(requested.requested, true);
  const rejected = await mia.client.v1.followRequests.$select(max.account.id).reject();
  assert.equal(rejected.followedBy, false);
  const [relationship] = await max.client.v1.accounts.relationships.fetch({ id: [mia.account.id] });
  assert.equal(relationship.following, false);
  assert.equal(relationship.requested, false);
});

test("block: the blocked account's posts disappear from home, public and account listings", async () => {
  const nora = await stoa.masto("nora");
  const noah = await stoa.masto("noah");
  await nora.client.v1.accounts.$select(noah.account.id).follow();
  const noahPost = await noah.client.v1.statuses.create({ status: "noah says hi" });
  const noraPost = await nora.client.v1.statuses.create({ status: "nora says hi" });

  assert.ok(ids(await nora.client.v1.timelines.home.list({ limit: 40 })).includes(noahPost.id));
  assert.ok(ids(await nora.client.v1.timelines.public.list({ limit: 40 })).includes(noahPost.id));
  assert.ok(ids(await noah.client.v1.accounts.$select(nora.account.id).statuses.list()).includes(noraPost.id));

  const blocked = await nora.client.v1.accounts.$select(noah.account.id).block();
  assert.equal(blocked.id, noah.account.id);
  assert.equal(blocked.blocking, true);
  assert.equal(blocked.following, false, "blocking ends the follow");

  const home = await nora.client.v1.timelines.home.list({ limit: 40 });
  assert.ok(!ids(home).includes(noahPost.id), "gone from the blocker's home");
  assert.ok(ids(home).includes(noraPost.id), "the blocker's own post stays");
  const publicForNora = await nora.client.v1.timelines.public.list({ limit: 40 });
  assert.ok(!ids(publicForNora).includes(noahPost.id), "gone from the blocker's public timeline");
  const publicForNoah = await noah.client.v1.timelines.public.list({ limit: 40 });
  assert.ok(!ids(publicForNoah).includes(noraPost.id), "the blocker's posts are gone for the blocked account");
  assert.deepEqual(await noah.client.v1.accounts.$select(nora.account.id).statuses.list(), [],
    "the blocked account sees no statuses on the blocker's profile");
  await expectMastoError(noah.client.v1.statuses.$select(noraPost.id).fetch(), 404);

  const [fromNoah] = await noah.client.v1.accounts.relationships.fetch({ id: [nora.account.id] });
  assert.equal(fromNoah.blockedBy, true);
  const blocks = await nora.client.v1.blocks.list();
  assert.deepEqual(ids(blocks), [noah.account.id]);

  await expectMastoError(noah.client.v1.accounts.$select(nora.account.id).follow(), 403);

  const anonymous = createRestAPIClient({ url: stoa.url });
  assert.ok(ids(await anonymous.v1.timelines.public.list({ limit: 40 })).includes(noahPost.id), "others still see it");

  const unblocked = await nora.client.v1.accounts.$select(noah.account.id).unblock();
  assert.equal(unblocked.blocking, false);
  assert.ok(ids(await nora.client.v1.timelines.public.list({ limit: 40 })).includes(noahPost.id));
});

test("a private post of someone not followed answers MastoHttpError 404, to users and anonymously", async () => {
  const pia = await stoa.masto("pia");
  const paul = await stoa.masto("paul");
  const quinn = await stoa.masto("quinn");
  const secret = await pia.client.v1.statuses.create({ status: "only for followers", visibility: "private" });
  assert.equal(secret.visibility, "private");

  const error = await expectMastoError(paul.client.v1.statuses.$select(secret.id).fetch(), 404);
  assert.ok(error instanceof MastoHttpError);
  assert.equal(error.message, "Record not found");
  await expectMastoError(paul.client.v1.statuses.$select(secret.id).context.fetch(), 404);
  await expectMastoError(paul.client.v1.statuses.$select(secret.id).favourite(), 404);
  await expectMastoError(paul.client.v1.statuses.$select(secret.id).reblog(), 404);
  const anonymous = createRestAPIClient({ url: stoa.url });
  await expectMastoError(anonymous.v1.statuses.$select(secret.id).fetch(), 404);
  assert.ok(!ids(await paul.client.v1.accounts.$select(pia.account.id).statuses.list()).includes(secret.id));
  await expectMastoError(paul.client.v1.statuses.$select("999999999999999").fetch(), 404);

  // A follower may see it; the post is unchanged by the failed attempts above.
  await quinn.client.v1.accounts.$select(pia.account.id).follow();
  const seen = await quinn.client.v1.statuses.$select(secret.id).fetch();
  assert.equal(seen.id, secret.id);
  assert.equal(seen.favouritesCount, 0);
  assert.equal(seen.reblogsCount, 0);
  const reblog = quinn.client.v1.statuses.$select(secret.id).reblog();
  const reblogError = await reblog.then(() => null, (e) => e);
  assert.ok(reblogError instanceof MastoHttpError, "a private post cannot be boosted, not even by a follower");
  assert.ok([403, 422].includes(reblogError.statusCode), `reblog of a private post: ${reblogError.statusCode}`);
});

test("lookup, mute hides from home and unmute brings back", async () => {
  const rita = await stoa.masto("rita");
  const rob = await stoa.masto("rob");
  const found = await rita.client.v1.accounts.lookup({ acct: rob.user.username });
  assert.equal(found.id, rob.account.id);
  await expectMastoError(rita.client.v1.accounts.lookup({ acct: "nobody_here" }), 404);

  await rita.client.v1.accounts.$select(rob.account.id).follow();
  const post = await rob.client.v1.statuses.create({ status: "rob posts" });
  assert.ok(ids(await rita.client.v1.timelines.home.list()).includes(post.id));

  const muted = await rita.client.v1.accounts.$select(rob.account.id).mute({ notifications: true });
  assert.equal(muted.muting, true);
  assert.equal(muted.mutingNotifications, true);
  assert.equal(muted.following, true, "muting keeps the follow");
  assert.ok(!ids(await rita.client.v1.timelines.home.list()).includes(post.id), "muted posts leave home");
  assert.deepEqual(ids(await rita.client.v1.mutes.list()), [rob.account.id]);

  const unmuted = await rita.client.v1.accounts.$select(rob.account.id).unmute();
  assert.equal(unmuted.muting, false);
  assert.ok(ids(await rita.client.v1.timelines.home.list()).includes(post.id), "unmuted posts come back");
});
