// masto v8: the instance documents (v1 and v2), anonymously and with a user token.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createRestAPIClient } from "masto";

import { useStoa } from "./helpers/fixture.mjs";

const stoa = useStoa(["ivy", "jon"]);

// The reference asks for a Mastodon-compatible prefix plus the server's identity, Pleroma style.
const kVersion = /^4\.\d+\.\d+ \(compatible; [^)]+\)$/;

test("v2 instance", async () => {
  const client = createRestAPIClient({ url: stoa.url });
  const instance = await client.v2.instance.fetch();
  const { host, hostname } = new URL(stoa.url);
  assert.ok([host, hostname].includes(instance.domain), `domain ${instance.domain}`);
  assert.equal(typeof instance.title, "string");
  assert.match(instance.version, kVersion);
  assert.equal(typeof instance.sourceUrl, "string");
  assert.equal(typeof instance.description, "string");
  assert.equal(typeof instance.usage.users.activeMonth, "number");
  assert.equal(typeof instance.thumbnail.url, "string");
  assert.ok(Array.isArray(instance.languages));
  assert.equal(typeof instance.apiVersions.mastodon, "number");
  assert.equal(typeof instance.registrations.enabled, "boolean");
  assert.equal(typeof instance.registrations.approvalRequired, "boolean");
  assert.equal(typeof instance.contact.email, "string");
  assert.ok(Array.isArray(instance.rules));
  const config = instance.configuration;
  assert.match(config.urls.streaming, /^wss?:\/\//);
  assert.equal(config.statuses.maxCharacters, 500);
  assert.equal(typeof config.statuses.maxMediaAttachments, "number");
  assert.equal(typeof config.statuses.charactersReservedPerUrl, "number");
  assert.equal(typeof config.accounts.maxFeaturedTags, "number");
  assert.ok(Array.isArray(config.mediaAttachments.supportedMimeTypes));
  assert.equal(typeof config.polls.maxOptions, "number");
  assert.equal(typeof config.translation.enabled, "boolean");
});

test("v1 instance, with stats", async () => {
  const ivy = await stoa.masto("ivy");
  const before = await ivy.client.v1.instance.fetch();
  const { host, hostname } = new URL(stoa.url);
  assert.ok([host, hostname].includes(before.uri), `uri ${before.uri}`);
  assert.equal(typeof before.title, "string");
  assert.equal(typeof before.shortDescription, "string");
  assert.equal(typeof before.description, "string");
  assert.equal(typeof before.email, "string");
  assert.match(before.version, kVersion);
  assert.match(before.urls.streamingApi, /^wss?:\/\//);
  assert.equal(before.stats.userCount, 2);
  // Counts may be cached for a while (Mastodon caches them too), so only their type is checked.
  assert.ok(Number.isInteger(before.stats.statusCount) && before.stats.statusCount >= 0);
  assert.equal(typeof before.stats.domainCount, "number");
  assert.ok(Array.isArray(before.languages));
  assert.equal(typeof before.registrations, "boolean");
  assert.equal(typeof before.approvalRequired, "boolean");
  assert.equal(typeof before.invitesEnabled, "boolean");
  assert.equal(before.configuration.statuses.maxCharacters, 500);
  assert.ok(Array.isArray(before.rules));

  const anonymous = await createRestAPIClient({ url: stoa.url }).v1.instance.fetch();
  assert.deepEqual(anonymous.stats, before.stats);
});

test("the stub endpoints common clients call answer JSON, never an HTML 404", async () => {
  const jon = await stoa.masto("jon");
  assert.ok(Array.isArray(await jon.client.v1.customEmojis.list()));
  assert.ok(Array.isArray(await jon.client.v2.filters.list()));
  assert.ok(Array.isArray(await jon.client.v1.lists.list()));
  assert.ok(Array.isArray(await jon.client.v1.announcements.list()));
  assert.equal(typeof (await jon.client.v1.preferences.fetch()), "object");
  assert.equal(typeof (await jon.client.v1.markers.fetch({ timeline: ["home", "notifications"] })), "object");
  assert.ok(Array.isArray(await jon.client.v1.instance.rules.list()));
});
