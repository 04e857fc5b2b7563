// masto v8 against the Mastodon admin API: a member reports with client.v1.reports.create, a
// moderator lists and resolves reports with client.v1.admin.reports and suspends and unsuspends an
// account with client.v1.admin.accounts; members are refused.
import assert from "node:assert/strict";
import { test } from "node:test";

import { expectMastoError, ids, useStoa } from "./helpers/fixture.mjs";

const stoa = useStoa(["amy", "ben", "cal", "mo"], { roles: { mo: "moderator" } });
const kAdminScopes = "read write follow admin:read admin:write";

test("a member's report reaches the moderators and resolve closes it", async () => {
  const amy = await stoa.masto("amy");
  const ben = await stoa.masto("ben");
  const mo = await stoa.masto("mo", { scopes: kAdminScopes });

  const post = await ben.client.v1.statuses.create({ status: "cheap watches, click here" });
  const report = await amy.client.v1.reports.create({
    accountId: ben.account.id,
    statusIds: [post.id],
    comment: "spam",
    category: "spam",
  });
  assert.equal(report.actionTaken, false);

  const open = await mo.client.v1.admin.reports.list();
  assert.equal(open.length, 1);
  const [adminReport] = open;
  assert.equal(typeof adminReport.id, "string");
  assert.equal(adminReport.actionTaken, false);
  assert.equal(adminReport.actionTakenAt, null);
  assert.equal(adminReport.category, "spam");
  assert.equal(adminReport.comment, "spam");
  assert.equal(adminReport.account.account.id, amy.account.id);
  assert.equal(adminReport.targetAccount.account.id, ben.account.id);
  assert.equal(adminReport.targetAccount.username, ben.user.username);
  assert.deepEqual(ids(adminReport.statuses), [post.id]);
  assert.equal(adminReport.assignedAccount, null);
  assert.ok(Array.isArray(adminReport.rules));

  const fetched = await mo.client.v1.admin.reports.$select(adminReport.id).fetch();
  assert.equal(fetched.id, adminReport.id);

  const resolved = await mo.client.v1.admin.reports.$select(adminReport.id).resolve();
  assert.equal(resolved.id, adminReport.id);
  assert.equal(resolved.actionTaken, true);
  assert.match(resolved.actionTakenAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(resolved.actionTakenByAccount.account.id, mo.account.id);

  assert.deepEqual(await mo.client.v1.admin.reports.list(), []);
  const done = await mo.client.v1.admin.reports.list({ resolved: true });
  assert.deepEqual(ids(done), [adminReport.id]);
  const byReporter = await mo.client.v1.admin.reports.list({ resolved: true, accountId: amy.account.id });
  assert.deepEqual(ids(byReporter), [adminReport.id]);

  // Members may not read the queue, even with a token carrying the admin scopes.
  const amyAdmin = await stoa.masto("amy", { scopes: kAdminScopes });
  await expectMastoError(amyAdmin.client.v1.admin.reports.list(), 403, "This action is not allowed");
  await expectMastoError(amy.client.v1.admin.reports.list(), 403);
});

test("suspending an account through the admin API, then lifting it", async () => {
  const cal = await stoa.masto("cal");
  const amy = await stoa.masto("amy");
  const mo = await stoa.masto("mo", { scopes: kAdminScopes });
  const post = await cal.client.v1.statuses.create({ status: "soon suspended" });

  await amy.client.v1.reports.create({ accountId: cal.account.id, statusIds: [post.id], comment: "abuse" });
  const [report] = await mo.client.v1.admin.reports.list({ targetAccountId: cal.account.id });
  assert.ok(report, "the report is listed for its target");

  await mo.client.v1.admin.accounts.$select(cal.account.id).action.create({
    type: "suspend",
    reportId: report.id,
    text: "repeated abuse",
  });
  const suspended = await mo.client.v1.admin.accounts.$select(cal.account.id).fetch();
  assert.equal(suspended.suspended, true);
  assert.equal(suspended.account.id, cal.account.id);
  // The report is closed with the action, the token refused, the status gone for others.
  const closed = await mo.client.v1.admin.reports.$select(report.id).fetch();
  assert.equal(closed.actionTaken, true);
  await expectMastoError(cal.client.v1.accounts.verifyCredentials(), 403, "Your login is currently disabled");
  await expectMastoError(amy.client.v1.statuses.$select(post.id).fetch(), 404);
  const listed = await mo.client.v1.admin.accounts.list({ suspended: true });
  assert.deepEqual(ids(listed), [cal.account.id]);

  // Bad input is refused.
  await expectMastoError(
    mo.client.v1.admin.accounts.$select(cal.account.id).action.create({ type: "explode" }),
    422,
  );

  const lifted = await mo.client.v1.admin.accounts.$select(cal.account.id).unsuspend();
  assert.equal(lifted.suspended, false);
  const me = await cal.client.v1.accounts.verifyCredentials();
  assert.equal(me.id, cal.account.id);
  const again = await amy.client.v1.statuses.$select(post.id).fetch();
  assert.equal(again.id, post.id);
});
