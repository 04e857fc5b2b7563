// masto v8: paging lists by following the Link header. masto's Paginator reads rel="next" (or
// rel="prev"), needs absolute URLs, and stops only when a page comes without that link, so a server
// that sends a Link on an empty page makes `for await` loop forever.
import assert from "node:assert/strict";
import { test } from "node:test";

import { expectMastoError, collectPages, ids, useStoa } from "./helpers/fixture.mjs";

const stoa = useStoa(["reader", "writer", "walt", "xena", "yuri", "hub", "fan1", "fan2", "fan3"]);

const kAuthored = 45;
const kOwn = 5;

function isStrictlyDescending(list) {
  return list.every((id, i) => i === 0 || BigInt(list[i - 1]) > BigInt(id));
}

test("home timeline: for await over Link rel=next sees all 50 statuses exactly once and terminates", async () => {
  const reader = await stoa.masto("reader");
  const writer = await stoa.masto("writer");
  await reader.client.v1.accounts.$select(writer.account.id).follow();

  const created = [];
  for (let i = 0; i < kAuthored + kOwn; i++) {
    const author = i % 10 === 9 ? reader : writer; // every tenth status is the reader's own
    const status = await author.client.v1.statuses.create({ status: `paging status number ${i}` });
    created.push(status.id);
  }
  assert.equal(created.length, 50);

  const { pages, items } = await collectPages(reader.client.v1.timelines.home.list({ limit: 20 }));
  const seen = ids(items);
  assert.equal(new Set(seen).size, seen.length, "no status is seen twice");
  assert.deepEqual([...seen].sort(), [...created].sort(), "every status is seen");
  assert.deepEqual(seen, [...created].reverse(), "newest first across pages");
  assert.ok(pages.length >= 3, `several pages (got ${pages.length})`);
  for (const page of pages) assert.ok(page.length <= 20, `a page has ${page.length} items`);
  assert.deepEqual(pages.slice(0, 3).map((p) => p.length), [20, 20, 10]);
  for (const page of pages.slice(3)) assert.equal(page.length, 0, "only empty pages after the last status");
});

test("home timeline: Link rel=prev pages towards newer statuses, and min_id/max_id/since_id select exactly", async () => {
  const walt = await stoa.masto("walt");
  const created = [];
  for (let i = 0; i < 30; i++) {
    created.push((await walt.client.v1.statuses.create({ status: `walt ${i}` })).id);
  }
  const newestFirst = [...created].reverse();

  // Start just after the oldest status and follow rel="prev" to the newest.
  const upward = walt.client.v1.timelines.home.list({ limit: 8, minId: created[0] }).setDirection("prev");
  const { pages, items } = await collectPages(upward);
  assert.equal(pages[0].length, 8);
  assert.deepEqual(ids(pages[0]), newestFirst.slice(-9, -1), "min_id gives the statuses right after it, newest first");
  assert.deepEqual(new Set(ids(items)), new Set(created.slice(1)));
  assert.equal(ids(items).length, created.length - 1, "no duplicates");
  for (const page of pages) assert.ok(isStrictlyDescending(ids(page)));

  const middle = await walt.client.v1.timelines.home.list({ limit: 5, maxId: created[20], sinceId: created[10] });
  assert.deepEqual(ids(middle), newestFirst.slice(10, 15), "max_id and since_id: the newest statuses below max_id");
  const window = await walt.client.v1.timelines.home.list({ limit: 40, maxId: created[20], minId: created[10] });
  assert.deepEqual(ids(window), created.slice(11, 20).reverse(), "max_id and min_id combined");
});

test("limits are clamped to 40 and a negative limit is a 400", async () => {
  const xena = await stoa.masto("xena");
  for (let i = 0; i < 45; i++) await xena.client.v1.statuses.create({ status: `xena ${i}` });
  const page = await xena.client.v1.timelines.home.list({ limit: 100 });
  assert.equal(page.length, 40);
  const fallback = await xena.client.v1.timelines.home.list();
  assert.equal(fallback.length, 20, "the default limit is 20");
  await expectMastoError(xena.client.v1.timelines.home.list({ limit: -1 }), 400);
});

test("account statuses and public timeline page to the end through Link headers", async () => {
  const yuri = await stoa.masto("yuri");
  const created = [];
  for (let i = 0; i < 23; i++) created.push((await yuri.client.v1.statuses.create({ status: `yuri ${i}` })).id);

  const own = await collectPages(yuri.client.v1.accounts.$select(yuri.account.id).statuses.list({ limit: 10 }));
  assert.deepEqual(ids(own.items), [...created].reverse());

  const timeline = await collectPages(yuri.client.v1.timelines.public.list({ limit: 10 }));
  const publicIds = ids(timeline.items);
  assert.equal(new Set(publicIds).size, publicIds.length);
  for (const id of created) assert.ok(publicIds.includes(id), `public timeline has ${id}`);
  assert.ok(isStrictlyDescending(publicIds));
});

test("lists paged by internal ids (followers, following, favourites, blocks) follow Link to the end", async () => {
  const hub = await stoa.masto("hub");
  const fans = [await stoa.masto("fan1"), await stoa.masto("fan2"), await stoa.masto("fan3")];
  for (const fan of fans) await fan.client.v1.accounts.$select(hub.account.id).follow();
  for (const fan of fans) await hub.client.v1.accounts.$select(fan.account.id).follow();

  const followers = await collectPages(hub.client.v1.accounts.$select(hub.account.id).followers.list({ limit: 1 }));
  assert.deepEqual(ids(followers.items), ids(fans.map((f) => f.account)).reverse(), "newest follower first, each once");
  assert.ok(followers.pages.length >= 3);
  const following = await collectPages(hub.client.v1.accounts.$select(hub.account.id).following.list({ limit: 2 }));
  assert.deepEqual(ids(following.items), ids(fans.map((f) => f.account)).reverse());

  const posts = [];
  for (let i = 0; i < 5; i++) posts.push((await fans[0].client.v1.statuses.create({ status: `fav me ${i}` })).id);
  for (const id of [posts[3], posts[0], posts[4], posts[1], posts[2]]) await hub.client.v1.statuses.$select(id).favourite();
  const favourites = await collectPages(hub.client.v1.favourites.list({ limit: 2 }));
  assert.deepEqual(ids(favourites.items), [posts[2], posts[1], posts[4], posts[0], posts[3]], "most recently favourited first");

  for (const fan of fans) await hub.client.v1.accounts.$select(fan.account.id).block();
  const blocks = await collectPages(hub.client.v1.blocks.list({ limit: 2 }));
  assert.deepEqual(ids(blocks.items), ids(fans.map((f) => f.account)).reverse(), "most recently blocked first");
  const afterBlocks = await collectPages(hub.client.v1.accounts.$select(hub.account.id).followers.list({ limit: 1 }));
  assert.deepEqual(afterBlocks.items, [], "blocking removed the follows");
});
