// The whole notice-and-action flow over HTTP, the way real clients and visitors drive it: a member
// reports a post with masto, an anonymous visitor sends a DSA notice about the same post, both
// land in one case; a moderator claims it and removes the post with a legal ground; the author
// gets a statement of reasons, the notifiers the outcome; the author appeals, a second moderator
// (never the first) reverses, and the post is back.
import assert from "node:assert/strict";
import { test } from "node:test";

import { expectMastoError, useStoa } from "./helpers/fixture.mjs";

const stoa = useStoa(["ann", "bo", "cy", "mod1", "mod2", "adm"], {
  roles: { mod1: "moderator", mod2: "moderator", adm: "admin" },
});
const kAdminScopes = "read write follow admin:read admin:write";

// A JSON call with an optional bearer token; answers {status, body}.
async function call(method, path, { token, body } = {}) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(`${stoa.url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.match(response.headers.get("content-type") ?? "", /^application\/json/, `${method} ${path}`);
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

test("report, notice, one case, decision, statement, outcome, appeal, reversal", async () => {
  const ann = await stoa.masto("ann"); // the reporter
  const bo = await stoa.masto("bo"); // the author
  const cy = await stoa.masto("cy"); // a bystander
  const mod1 = await stoa.masto("mod1", { scopes: kAdminScopes });
  const mod2 = await stoa.masto("mod2", { scopes: kAdminScopes });

  const post = await bo.client.v1.statuses.create({ status: "a threat that must go", visibility: "public" });

  // 1. Two notices about the same post: a member's report and an anonymous DSA notice.
  const report = await ann.client.v1.reports.create({
    accountId: bo.account.id,
    statusIds: [post.id],
    comment: "this is a threat",
    category: "legal",
  });
  assert.equal(report.actionTaken, false);
  const notice = await call("POST", "/api/v1/notices", {
    body: {
      explanation: "Threatens a named person (StGB § 241).",
      locations: [post.url],
      category: "STATEMENT_CATEGORY_VIOLENCE",
      legal_provision: "§ 241 StGB",
      good_faith: true,
    },
  });
  assert.equal(notice.status, 200, JSON.stringify(notice.body));
  assert.equal(typeof notice.body.reference, "string");
  assert.equal(typeof notice.body.secret, "string");
  assert.equal(notice.body.state, "received");

  // 2. One case with both notices.
  const queue = await call("GET", "/api/v1/admin/cases", { token: mod1.accessToken });
  assert.equal(queue.status, 200);
  const cases = queue.body.filter((c) => c.target_type === "status" && c.target_id === post.id);
  assert.equal(cases.length, 1, "the report and the notice merged into one case");
  assert.equal(cases[0].notices_count, 2);
  assert.equal(cases[0].distinct_notifiers, 2);
  assert.equal(cases[0].state, "open");

  // Members cannot see the queue.
  assert.equal((await call("GET", "/api/v1/admin/cases", { token: ann.accessToken })).status, 403);

  // 3. The first moderator claims the head of the queue and removes the post.
  const claimed = await call("POST", "/api/v1/admin/cases/next", { token: mod1.accessToken });
  assert.equal(claimed.status, 200, JSON.stringify(claimed.body));
  assert.equal(claimed.body.id, cases[0].id);
  assert.equal(claimed.body.assigned_to, mod1.account.id);
  // Nobody else can take it meanwhile.
  assert.equal((await call("POST", "/api/v1/admin/cases/next", { token: mod2.accessToken })).status, 404);

  const decided = await call("POST", `/api/v1/admin/cases/${claimed.body.id}/decision`, {
    token: mod1.accessToken,
    body: {
      action: "remove_status",
      ground: "illegal",
      legal_provision: "§ 241 StGB",
      facts: "The post threatens a named person with violence.",
      reasons: "A threat of a crime against a person is illegal under § 241 StGB.",
      version: claimed.body.version,
    },
  });
  assert.equal(decided.status, 200, JSON.stringify(decided.body));
  const decision = decided.body;
  assert.equal(decision.action, "remove_status");
  assert.equal(typeof decision.statement_id, "string");

  // The post is gone for everyone else.
  await expectMastoError(cy.client.v1.statuses.$select(post.id).fetch(), 404);
  const local = await cy.client.v1.timelines.public.list({ local: true });
  assert.ok(!local.some((s) => s.id === post.id), "gone from the public timeline");

  // 4. The author gets the statement of reasons, readable by them and by staff only.
  const warnings = await bo.client.v1.notifications.list({ types: ["moderation_warning"] });
  assert.equal(warnings.length, 1);
  const statement = await call("GET", `/api/v1/statements/${decision.statement_id}`, { token: bo.accessToken });
  assert.equal(statement.status, 200);
  assert.equal(statement.body.decision_visibility.includes("DECISION_VISIBILITY_CONTENT_REMOVED"), true);
  assert.equal(statement.body.decision_ground, "DECISION_GROUND_ILLEGAL_CONTENT");
  assert.equal(statement.body.decision_facts, "The post threatens a named person with violence.");
  assert.equal((await call("GET", `/api/v1/statements/${decision.statement_id}`, { token: cy.accessToken })).status, 404);

  // 5. The notifiers learn the outcome: the member by notification, the visitor at the notice's page.
  const outcomes = await ann.client.v1.notifications.list({ types: ["notice_outcome"] });
  assert.equal(outcomes.length, 1);
  const status = await call("GET", `/api/v1/notices/${notice.body.reference}?secret=${notice.body.secret}`);
  assert.equal(status.status, 200);
  assert.equal(status.body.state, "decided");
  assert.equal((await call("GET", `/api/v1/notices/${notice.body.reference}?secret=wrong`)).status, 404);

  // 6. The author appeals; the deciding moderator can never take the appeal, the second one does.
  const appeal = await call("POST", "/api/v1/appeals", {
    token: bo.accessToken,
    body: { decision_id: decision.id, text: "It was a quote from a film." },
  });
  assert.equal(appeal.status, 200, JSON.stringify(appeal.body));
  assert.equal(appeal.body.state, "pending");
  assert.equal((await call("POST", "/api/v1/admin/cases/next", { token: mod1.accessToken })).status, 404);
  const appealCase = await call("POST", "/api/v1/admin/cases/next", { token: mod2.accessToken });
  assert.equal(appealCase.status, 200);
  assert.equal(appealCase.body.kind, "appeal");
  assert.equal(appealCase.body.appeal_of, decision.id);

  const reversed = await call("POST", `/api/v1/admin/cases/${appealCase.body.id}/decision`, {
    token: mod2.accessToken,
    body: {
      action: "reverse",
      facts: "The post quotes a film line, with the film named.",
      reasons: "A quotation in context is not a threat.",
      version: appealCase.body.version,
    },
  });
  assert.equal(reversed.status, 200, JSON.stringify(reversed.body));

  // 7. The post is back, and both sides have the reasoned outcome.
  const back = await cy.client.v1.statuses.$select(post.id).fetch();
  assert.equal(back.id, post.id);
  const mine = await call("GET", `/api/v1/appeals/${appeal.body.id}`, { token: bo.accessToken });
  assert.equal(mine.body.state, "reversed");
  assert.equal(mine.body.resolution.reasons, "A quotation in context is not a threat.");
  const annOutcomes = await ann.client.v1.notifications.list({ types: ["notice_outcome"] });
  assert.equal(annOutcomes.length, 2, "the reporter hears that the appeal changed the outcome");

  // 8. Every step is in the hash-chained audit log (admins read it; moderators may not).
  const adm = await stoa.masto("adm", { scopes: kAdminScopes });
  assert.equal((await call("GET", "/api/v1/admin/audit_log", { token: mod1.accessToken })).status, 403);
  const audit = await call("GET", "/api/v1/admin/audit_log?limit=200", { token: adm.accessToken });
  assert.equal(audit.status, 200, JSON.stringify(audit.body));
  const actions = audit.body.map((e) => e.action);
  for (const action of ["case.claim", "decision.create", "appeal.file", "decision.reverse"]) {
    assert.ok(actions.includes(action), `audit log has ${action}: ${actions.join(", ")}`);
  }

  // 9. The public transparency report counts each step and pins the audit log's head.
  const report9 = await call("GET", "/api/v1/transparency");
  assert.equal(report9.status, 200, JSON.stringify(report9.body));
  const t = report9.body;
  assert.equal(t.notices.total, 2);
  assert.equal(t.notices.by_source.member, 1);
  assert.equal(t.notices.by_source.anonymous, 1);
  assert.equal(t.actions.by_type.remove_status, 1);
  assert.equal(t.actions.by_ground.illegal, 1);
  assert.equal(t.appeals.total, 1);
  assert.equal(t.appeals.reversed, 1);
  assert.equal(t.audit_log.entries, audit.body.length);
  assert.equal(t.audit_log.head_hash, audit.body[0].hash, "the newest entry's hash is the head");
});
