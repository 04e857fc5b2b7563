// masto v8: posting, replying, reading the context, boosting, favouriting, notifications and
// search, each test with its own users.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createRestAPIClient } from "masto";

import { expectMastoError, ids, useStoa } from "./helpers/fixture.mjs";

const stoa = useStoa(["amy", "ben", "cara", "dan", "eve", "finn", "gus", "hal", "ida", "jay"]);

function assertStatusShape(status) {
  for (const key of ["id", "uri", "createdAt", "content", "visibility", "spoilerText"]) {
    assert.equal(typeof status[key], "string", `status.${key} is a string`);
  }
  assert.match(status.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(typeof status.sensitive, "boolean");
  for (const key of ["mediaAttachments", "mentions", "tags", "emojis"]) {
    assert.ok(Array.isArray(status[key]), `status.${key} is an array`);
  }
  for (const key of ["reblogsCount", "favouritesCount", "repliesCount"]) {
    assert.equal(typeof status[key], "number", `status.${key} is a number`);
  }
  assert.equal(typeof status.account?.id, "string");
}

test("post and reply, then read the thread's context from both ends", async () => {
  const amy = await stoa.masto("amy");
  const ben = await stoa.masto("ben");

  const post = await amy.client.v1.statuses.create({ status: "Hello from masto <b>bold</b> #stoaclient", visibility: "public", language: "en" });
  assertStatusShape(post);
  assert.equal(post.account.id, amy.account.id);
  assert.equal(post.visibility, "public");
  assert.equal(post.language, "en");
  assert.equal(post.inReplyToId, null);
  assert.equal(post.reblog, null);
  assert.ok(post.content.includes("Hello from masto"));
  assert.ok(!post.content.includes("<b>"), "user HTML is escaped");
  assert.ok(post.content.includes("&lt;b&gt;"), "user HTML is escaped");
  assert.deepEqual(post.tags.map((t) => t.name), ["stoaclient"]);
  assert.equal(post.favourited, false);
  assert.equal(post.reblogged, false);

  const reply = await ben.client.v1.statuses.create({ status: `@${amy.user.username} welcome!`, inReplyToId: post.id });
  assertStatusShape(reply);
  assert.equal(reply.inReplyToId, post.id);
  assert.equal(reply.inReplyToAccountId, amy.account.id);
  assert.deepEqual(reply.mentions.map((m) => m.id), [amy.account.id]);
  assert.equal(reply.mentions[0].acct, amy.user.username);

  const fromReply = await ben.client.v1.statuses.$select(reply.id).context.fetch();
  assert.deepEqual(ids(fromReply.ancestors), [post.id]);
  assert.deepEqual(ids(fromReply.descendants), []);

  const fromPost = await amy.client.v1.statuses.$select(post.id).context.fetch();
  assert.deepEqual(ids(fromPost.ancestors), []);
  assert.deepEqual(ids(fromPost.descendants), [reply.id]);

  const anonymous = createRestAPIClient({ url: stoa.url });
  const publicContext = await anonymous.v1.statuses.$select(post.id).context.fetch();
  assert.deepEqual(ids(publicContext.descendants), [reply.id]);

  const refreshed = await amy.client.v1.statuses.$select(post.id).fetch();
  assert.equal(refreshed.repliesCount, 1);
});

test("boost and favourite, with counts, flags, reblogged_by, favourited_by and the undo actions", async () => {
  const cara = await stoa.masto("cara");
  const dan = await stoa.masto("dan");
  const post = await cara.client.v1.statuses.create({ status: "boost me" });

  const wrapper = await dan.client.v1.statuses.$select(post.id).reblog();
  assertStatusShape(wrapper);
  assert.notEqual(wrapper.id, post.id);
  assert.equal(wrapper.account.id, dan.account.id);
  assert.equal(wrapper.reblog.id, post.id);
  assert.equal(wrapper.reblog.reblogged, true);
  assert.equal(wrapper.reblog.reblogsCount, 1);

  const favourited = await dan.client.v1.statuses.$select(post.id).favourite();
  assert.equal(favourited.id, post.id);
  assert.equal(favourited.favourited, true);
  assert.equal(favourited.favouritesCount, 1);

  const seenByCara = await cara.client.v1.statuses.$select(post.id).fetch();
  assert.equal(seenByCara.reblogsCount, 1);
  assert.equal(seenByCara.favouritesCount, 1);
  assert.equal(seenByCara.favourited, false);
  assert.equal(seenByCara.reblogged, false);

  const seenByDan = await dan.client.v1.statuses.$select(post.id).fetch();
  assert.equal(seenByDan.favourited, true);
  assert.equal(seenByDan.reblogged, true);

  const rebloggedBy = await cara.client.v1.statuses.$select(post.id).rebloggedBy.list();
  assert.deepEqual(ids(rebloggedBy), [dan.account.id]);
  const favouritedBy = await cara.client.v1.statuses.$select(post.id).favouritedBy.list();
  assert.deepEqual(ids(favouritedBy), [dan.account.id]);

  const favourites = await dan.client.v1.favourites.list();
  assert.deepEqual(ids(favourites), [post.id]);

  const unfavourited = await dan.client.v1.statuses.$select(post.id).unfavourite();
  assert.equal(unfavourited.favourited, false);
  assert.equal(unfavourited.favouritesCount, 0);
  const unreblogged = await dan.client.v1.statuses.$select(post.id).unreblog();
  assert.equal(unreblogged.id, post.id);
  assert.equal(unreblogged.reblogged, false);
  assert.equal(unreblogged.reblogsCount, 0);
  await expectMastoError(dan.client.v1.statuses.$select(wrapper.id).fetch(), 404);
});

test("notifications: mention, favourite, reblog and follow, newest first, with actor and status", async () => {
  const eve = await stoa.masto("eve");
  const finn = await stoa.masto("finn");
  const post = await eve.client.v1.statuses.create({ status: "notify me" });

  const relationship = await finn.client.v1.accounts.$select(eve.account.id).follow();
  assert.equal(relationship.following, true);
  const mention = await finn.client.v1.statuses.create({ status: `@${eve.user.username} hi`, inReplyToId: post.id });
  await finn.client.v1.statuses.$select(post.id).favourite();
  await finn.client.v1.statuses.$select(post.id).reblog();

  const notifications = await eve.client.v1.notifications.list();
  assert.deepEqual(notifications.map((n) => n.type), ["reblog", "favourite", "mention", "follow"]);
  for (const n of notifications) {
    assert.equal(typeof n.id, "string");
    assert.match(n.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(n.account.id, finn.account.id);
    assert.equal(typeof n.groupKey, "string");
  }
  const byType = Object.fromEntries(notifications.map((n) => [n.type, n]));
  assert.equal(byType.mention.status.id, mention.id);
  assert.equal(byType.favourite.status.id, post.id);
  assert.equal(byType.reblog.status.id, post.id);
  assert.equal(byType.follow.status ?? null, null);

  const onlyMentions = await eve.client.v1.notifications.list({ types: ["mention"] });
  assert.deepEqual(onlyMentions.map((n) => n.type), ["mention"]);
  const withoutFollows = await eve.client.v1.notifications.list({ excludeTypes: ["follow"] });
  assert.deepEqual(withoutFollows.map((n) => n.type), ["reblog", "favourite", "mention"]);

  const one = await eve.client.v1.notifications.$select(byType.mention.id).fetch();
  assert.equal(one.id, byType.mention.id);
  const dismissed = await eve.client.v1.notifications.$select(byType.follow.id).dismiss();
  assert.deepEqual(dismissed, {});
  const afterDismiss = await eve.client.v1.notifications.list();
  assert.ok(!ids(afterDismiss).includes(byType.follow.id));

  // Finn's own notifications do not include Eve's.
  const finns = await finn.client.v1.notifications.list();
  assert.deepEqual(finns, []);
});

test("search finds accounts, hashtags and statuses, and never a private post the searcher may not see", async () => {
  const gus = await stoa.masto("gus");
  const hal = await stoa.masto("hal");
  const visible = await gus.client.v1.statuses.create({ status: "the xylophonic orchestra plays #clientsearchtag" });
  await gus.client.v1.statuses.create({ status: "secret quixotical plans", visibility: "private" });

  const statuses = await gus.client.v2.search.list({ q: "xylophonic", type: "statuses" });
  assert.deepEqual(ids(statuses.statuses), [visible.id]);
  assert.deepEqual(statuses.accounts, []);
  assert.deepEqual(statuses.hashtags, []);

  const own = await gus.client.v2.search.fetch({ q: "quixotical" });
  assert.equal(own.statuses.length, 1, "the author finds their own private post");
  const hidden = await hal.client.v2.search.fetch({ q: "quixotical" });
  assert.deepEqual(hidden.statuses, [], "a non-follower does not find a private post");

  const accounts = await hal.client.v2.search.list({ q: gus.user.username, type: "accounts" });
  assert.deepEqual(ids(accounts.accounts), [gus.account.id]);

  const hashtags = await hal.client.v2.search.list({ q: "#clientsearchtag", type: "hashtags" });
  assert.deepEqual(hashtags.hashtags.map((t) => t.name), ["clientsearchtag"]);
  assert.equal(typeof hashtags.hashtags[0].url, "string");

  const everything = await hal.client.v2.search.fetch({ q: "clientsearchtag" });
  assert.ok(everything.hashtags.some((t) => t.name === "clientsearchtag"));
  assert.ok(Array.isArray(everything.accounts) && Array.isArray(everything.statuses));
});

test("Idempotency-Key, edit with history and source, bookmarks, and delete-and-redraft", async () => {
  const ida = await stoa.masto("ida");
  const jay = await stoa.masto("jay");
  const key = `client-suite-${Date.now()}`;
  const meta = { requestInit: { headers: { "Idempotency-Key": key } } };
  const first = await ida.client.v1.statuses.create({ status: "only once" }, meta);
  const again = await ida.client.v1.statuses.create({ status: "only once" }, meta);
  assert.equal(again.id, first.id, "the same Idempotency-Key gives the same status");
  const own = await ida.client.v1.accounts.$select(ida.account.id).statuses.list();
  assert.deepEqual(ids(own), [first.id]);

  const edited = await ida.client.v1.statuses.$select(first.id).update({ status: "only once, edited", spoilerText: "cw" });
  assert.equal(edited.id, first.id);
  assert.ok(edited.content.includes("edited"));
  assert.equal(edited.spoilerText, "cw");
  assert.match(edited.editedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const history = await ida.client.v1.statuses.$select(first.id).history.list();
  assert.equal(history.length, 2);
  assert.ok(history[0].content.includes("only once"));
  assert.ok(history[1].content.includes("edited"));
  const source = await ida.client.v1.statuses.$select(first.id).source.fetch();
  assert.deepEqual({ id: source.id, text: source.text, spoilerText: source.spoilerText },
    { id: first.id, text: "only once, edited", spoilerText: "cw" });
  await expectMastoError(jay.client.v1.statuses.$select(first.id).update({ status: "not mine" }), 404);

  const bookmarked = await jay.client.v1.statuses.$select(first.id).bookmark();
  assert.equal(bookmarked.bookmarked, true);
  assert.deepEqual(ids(await jay.client.v1.bookmarks.list()), [first.id]);
  const unbookmarked = await jay.client.v1.statuses.$select(first.id).unbookmark();
  assert.equal(unbookmarked.bookmarked, false);
  assert.deepEqual(await jay.client.v1.bookmarks.list(), []);

  await expectMastoError(jay.client.v1.statuses.$select(first.id).remove(), 404);
  const removed = await ida.client.v1.statuses.$select(first.id).remove();
  assert.equal(removed.id, first.id);
  assert.equal(removed.text, "only once, edited", "delete returns the source text for redrafting");
  await expectMastoError(ida.client.v1.statuses.$select(first.id).fetch(), 404, "Record not found");
  assert.deepEqual(await ida.client.v1.accounts.$select(ida.account.id).statuses.list(), []);

  await expectMastoError(ida.client.v1.statuses.create({ status: "" }), 422);
  await expectMastoError(ida.client.v1.statuses.create({ status: "x".repeat(501) }), 422);
  assert.deepEqual(await ida.client.v1.accounts.$select(ida.account.id).statuses.list(), [], "failed posts leave nothing behind");
});
