// megalodon v10's streaming (the `ws` package, token in the query string, URL from
// instance.urls.streaming_api): the user stream delivers a followed account's post, a mention
// notification and a delete; the local public stream delivers public posts only.
import assert from "node:assert/strict";
import { once } from "node:events";
import { test } from "node:test";

import { useStoa } from "./helpers/fixture.mjs";

const stoa = useStoa(["sam", "sia", "sol"]);

// The next `event` from `stream`, or a rejection after `ms`.
function next(stream, event, ms = 5000) {
  return Promise.race([
    once(stream, event).then(([value]) => value),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms)),
  ]);
}

test("user stream: update, notification and delete through megalodon", async () => {
  const sam = await stoa.megalodon("sam");
  const sia = await stoa.megalodon("sia");
  await sam.client.followAccount(sia.account.id);

  const stream = await sam.client.userStreaming();
  try {
    await next(stream, "connect");
    const updated = next(stream, "update");
    const post = (await sia.client.postStatus("streamed to followers")).data;
    assert.equal((await updated).id, post.id);

    const notified = next(stream, "notification");
    const mention = (await sia.client.postStatus(`@${sam.user.username} over the stream`)).data;
    const notification = await notified;
    assert.equal(notification.type, "mention");
    assert.equal(notification.status.id, mention.id);

    const deleted = next(stream, "delete");
    await sia.client.deleteStatus(post.id);
    assert.equal(await deleted, post.id);
  } finally {
    stream.stop();
  }
});

test("local public stream carries public posts, not private ones", async () => {
  const sol = await stoa.megalodon("sol");
  const sia = await stoa.megalodon("sia");
  const stream = await sol.client.localStreaming();
  try {
    await next(stream, "connect");
    const seen = [];
    stream.on("update", (s) => seen.push(s.id));
    const hidden = (await sia.client.postStatus("followers only", { visibility: "private" })).data;
    const shown = (await sia.client.postStatus("for everyone", { visibility: "public" })).data;
    const deadline = Date.now() + 5000;
    while (!seen.includes(shown.id) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(seen.includes(shown.id), "the public post arrived");
    assert.ok(!seen.includes(hidden.id), "the private post did not");
  } finally {
    stream.stop();
  }
});
