// Issue mode through the operator commands: doctor checks the project, the issue type and its
// create screen (naming the ones that exist when one is wrong); run --dry-run, status and the
// alerts work as in request mode.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { insertSubmissions } from '../support/db.js';
import { snapshot, useCliHarness, webhookReceiver } from '../support/harness.js';
import { ISSUE_MODE, issueRow } from '../support/issueMode.js';
import { unwrap } from '../support/text.js';

const h = useCliHarness();
const cli = (args: string[], extra: Record<string, string> = {}) => h.cli(args, { ...ISSUE_MODE, ...extra });
const seed = (n: number) => insertSubmissions(h.db.client, Array.from({ length: n }, (_, i) => issueRow(i)));
const lineOf = (out: string, check: string) => unwrap(out).split('\n').find((l) => l.slice(5).startsWith(`${check}:`)) ?? `(no line for ${check})`;

describe('doctor in issue mode', () => {
  it('all ok: project, issue type and create screen, and the mapping compared with the screen; nothing written', async () => {
    await seed(1);
    expect((await cli(['map-fields'])).code).toBe(0);
    const files = snapshot(h.ws.dir);
    const before = h.jira.requests.length;
    const r = await cli(['doctor']);
    expect(r.code, r.stdout).toBe(0);
    expect(lineOf(r.stdout, 'project')).toMatch(/^ok {3}project: ITS, ITS IT Support/);
    expect(lineOf(r.stdout, 'issue type')).toMatch(/^ok {3}issue type: Task \(10002\)/);
    expect(lineOf(r.stdout, 'create screen')).toMatch(/^ok {3}create screen: 49 fields you can fill, 2 required; the marker goes in description and labels/);
    expect(lineOf(r.stdout, 'field mapping')).toMatch(/^ok {3}field mapping: .* matches Jira and the table/);
    expect(r.stdout).not.toMatch(/service desk/);
    expect(h.jira.requests.slice(before).filter((c) => c.method !== 'GET')).toEqual([]);
    expect(snapshot(h.ws.dir)).toEqual(files);
  });

  it('a wrong project key: FAIL naming the projects there are, the later Jira checks skipped, exit 2', async () => {
    const r = await cli(['doctor'], { JIRA_PROJECT_KEY: 'NOPE' });
    expect(r.code).toBe(2);
    expect(lineOf(r.stdout, 'project')).toMatch(/^FAIL project: JIRA_PROJECT_KEY: project NOPE was not found in Jira/);
    expect(r.stdout).toMatch(/^\s+- ITS\s+ITS IT Support$/m);
    expect(r.stdout).toMatch(/^-- {3}issue type: not checked/m);
  });

  it('a wrong issue type: FAIL naming the issue types of the project, exit 2', async () => {
    const r = await cli(['doctor'], { JIRA_ISSUE_TYPE: 'Epic' });
    expect(r.code).toBe(2);
    expect(lineOf(r.stdout, 'issue type')).toMatch(/^FAIL issue type: JIRA_ISSUE_TYPE: "Epic" is not an issue type of project ITS/);
    expect(r.stdout).toMatch(/^\s+- 10002\s+Task$/m);
    expect(r.stdout).toMatch(/^\s+- 10004\s+Bug$/m);
  });
});

describe('doctor: what a plain project cannot do', () => {
  it('ATTACHMENT_PUBLIC=true: a WARN saying it has no effect there (exit 0); false says nothing', async () => {
    await seed(1);
    expect((await cli(['map-fields'])).code).toBe(0);
    const r = await cli(['doctor'], { ATTACHMENT_PUBLIC: 'true' });
    expect(r.code, r.stdout).toBe(0);
    expect(lineOf(r.stdout, 'ATTACHMENT_PUBLIC')).toMatch(/^WARN ATTACHMENT_PUBLIC: ATTACHMENT_PUBLIC=true has no effect in a plain Jira project/);
    expect(unwrap(r.stdout)).toMatch(/fix: unset ATTACHMENT_PUBLIC \(or set it to false\)/);
    expect((await cli(['doctor'], { ATTACHMENT_PUBLIC: 'false' })).stdout).not.toContain('ATTACHMENT_PUBLIC');
  });

  it('a project that exists but whose create metadata Jira refuses (404): a configuration FAIL naming the Create Issues permission, not "Jira is having trouble"', async () => {
    const body = { errorMessages: ["No project could be found with key 'ITS'."], errors: {} };
    h.jira.injectFault({ match: { method: 'GET', path: '/rest/api/3/issue/createmeta/ITS/issuetypes' }, kind: 'status', status: 404, body, times: 2 });
    const r = await cli(['doctor']);
    expect(r.code).toBe(2);
    expect(lineOf(r.stdout, 'project')).toMatch(/^ok {3}project: ITS/);
    expect(lineOf(r.stdout, 'issue type')).toMatch(/^FAIL issue type: JIRA_PROJECT_KEY: project ITS exists, but Jira lists no issue types this account can create in it/);
    expect(unwrap(r.stdout)).toMatch(/fix: give the account the Create Issues permission in project ITS/);
    expect(r.stdout).not.toMatch(/having trouble/);
    const m = await cli(['map-fields']);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/project ITS exists, but Jira lists no issue types/);
  });
});

describe('doctor when Jira refuses the credentials in issue mode', () => {
  it('skips the project, issue type and create screen, and says nothing of a service desk', async () => {
    const r = await cli(['doctor'], { JIRA_API_TOKEN: 'a-wrong-token-0123456789' });
    expect(r.code).toBe(2);
    expect(lineOf(r.stdout, 'Jira authentication')).toMatch(/^FAIL/);
    expect(unwrap(r.stdout)).toMatch(/^-- {3}project, issue type and create screen: not checked \(Jira authentication failed\)/m);
    expect(r.stdout).not.toMatch(/service desk|request type/);
  });
});

describe('doctor with half a pair', () => {
  it('JIRA_ISSUE_TYPE unset: a FAIL line naming it, the Jira target checks skipped, the rest still run', async () => {
    const r = await cli(['doctor'], { JIRA_ISSUE_TYPE: '' });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^FAIL configuration: JIRA_ISSUE_TYPE is not set/m);
    expect(lineOf(r.stdout, 'PostgreSQL')).toMatch(/^ok/);
    expect(lineOf(r.stdout, 'Jira authentication')).toMatch(/^ok/);
    expect(unwrap(r.stdout)).toMatch(/^-- {3}project, issue type and create screen: not checked \(fix JIRA_PROJECT_KEY and JIRA_ISSUE_TYPE first\)/m);
  });
});

describe('run --dry-run, status and alerts in issue mode', () => {
  it('--dry-run shows the issue values (a document on Cloud) and changes nothing, in Jira or on disk', async () => {
    await seed(2);
    expect((await cli(['map-fields'])).code).toBe(0);
    const before = h.jira.requests.length;
    const r = await cli(['run', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('source id 1: would create an issue in ITS with');
    expect(r.stdout).toMatch(/Description \(description\): \(document\)\n {6}Submitted fields:\n {6}- id: 1\n/);
    expect(r.stdout).toContain('attachment: submission-1.json');
    expect(r.stdout).toContain('Email address (customfield_10025): "person0@example.com"');
    expect(h.jira.requests.length).toBe(before);
    expect(fs.existsSync(h.ws.trackerPath)).toBe(false);
  });

  it('a row deleted before its issue was made: parked, and the message and the advice speak of an issue, not a request', async () => {
    const [id] = await insertSubmissions(h.db.client, [issueRow(0, { department_name: 'Marketing' })]);
    expect((await cli(['map-fields'])).code).toBe(0);
    expect((await cli(['run'])).code).toBe(1);
    await h.db.client.query('DELETE FROM webform_submissions WHERE id = $1', [id]);
    expect((await cli(['retry', String(id)])).code).toBe(0);
    const run = await cli(['run']);
    expect(run.code).toBe(1);
    expect(unwrap(run.stderr)).toContain(`source row ${id} no longer exists in the source table, so no issue was created`);
    const status = unwrap((await cli(['status'])).stdout);
    expect(status).toContain(`what to do: its source row was deleted: if it should still become an issue, restore the row, then \`jira-sync retry ${id}\``);
    expect(status).not.toMatch(/\brequest\b/);
  });

  it('status counts the issues; a refused create is failed with Jira\'s field message and alerted', async () => {
    const hook = await webhookReceiver();
    try {
      await seed(3);
      expect((await cli(['map-fields'])).code).toBe(0);
      h.jira.injectFault({ match: { method: 'POST', path: '/rest/api/3/issue' }, kind: 'status', status: 400, body: { errorMessages: [], errors: { customfield_10025: 'Email address is not valid.' } } });
      const r = await cli(['run', '--concurrency', '1'], { ALERT_WEBHOOK_URL: hook.url });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('created 2, skipped 0, failed 1');
      const status = await cli(['status']);
      expect(status.code).toBe(0);
      expect(unwrap(status.stdout)).toMatch(/Email address is not valid/);
      expect(status.stdout).toMatch(/done\s+2/);
      expect(hook.posts).toHaveLength(1);
      expect(hook.posts[0]?.text).toContain('PROBLEM: Submissions are failing');
    } finally {
      await hook.close();
    }
  });
});

describe('tracker copy-to-postgres in issue mode', () => {
  it('its closing advice speaks of issues', async () => {
    await seed(1);
    expect((await cli(['map-fields'])).code).toBe(0);
    expect((await cli(['run'])).code).toBe(0);
    const schema = `copied_${Math.random().toString(36).slice(2, 8)}`;
    const r = await cli(['tracker', 'copy-to-postgres'], { TRACKER_DATABASE_URL: h.db.url, TRACKER_SCHEMA: schema });
    expect(r.code, r.stderr).toBe(0);
    expect(unwrap(r.stdout)).toContain('two trackers would each create the same issues.');
    expect(r.stdout).not.toMatch(/\brequests?\b/);
  });
});
