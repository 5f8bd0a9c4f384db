/**
 * The fake Jira's issue search over HTTP, beyond dates: token and startAt
 * paging, JQL on status/statusCategory/key, a search index that lags behind
 * changes (not only creations), deleted tickets, and fault injection on the
 * search routes. A pull built on these must survive all of them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeJira, type FakeJira, type FakeJiraOptions } from '../support/fakeJira/index.js';

const EMAIL = 'bot@example.com';
const TOKEN = 'secret-token';
const AUTH = { Authorization: `Basic ${Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64')}`, 'Content-Type': 'application/json' };

const started: FakeJira[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()));
});

async function fakeJira(opts: FakeJiraOptions = {}) {
  const clock = { now: Date.parse('2026-11-23T09:00:00.000Z') };
  const fake = await startFakeJira({ auth: { email: EMAIL, apiToken: TOKEN }, now: () => clock.now, ...opts });
  started.push(fake);
  return { fake, tick: (ms: number) => void (clock.now += ms) };
}

async function call(fake: FakeJira, method: string, path: string, body?: unknown) {
  const res = await fetch(`${fake.url}${path}`, { method, headers: AUTH, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  // Answers are probed field by field with toMatchObject; a full type for each would only restate the assertions.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, any> };
}

async function createMany(fake: FakeJira, n: number, label = 'jira-sync'): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await call(fake, 'POST', '/rest/servicedeskapi/request', {
      serviceDeskId: '1',
      requestTypeId: '10',
      requestFieldValues: { summary: `Request ${i}`, customfield_10010: 'ada@example.com', customfield_10013: [{ id: '10102' }], labels: [label] },
    });
    expect(res.status).toBe(201);
    out.push(res.body.issueKey as string);
  }
  return out;
}

const search = (fake: FakeJira, jql: string, extra: Record<string, unknown> = {}) =>
  call(fake, 'POST', '/rest/api/3/search/jql', { jql, fields: ['status', 'updated'], ...extra });

async function keys(fake: FakeJira, jql: string): Promise<string[]> {
  const res = await search(fake, jql);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.issues as { key: string }[]).map((i) => i.key);
}

describe('fake Jira search: paging', () => {
  it('pages with nextPageToken (POST and GET), ends with isLast and no token, and refuses a token with other JQL', async () => {
    const { fake, tick } = await fakeJira();
    const created: string[] = [];
    for (let i = 0; i < 7; i++) {
      created.push(...(await createMany(fake, 1)));
      tick(1000);
    }
    const jql = 'labels = jira-sync ORDER BY updated ASC';
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = pages % 2 === 0
        ? await search(fake, jql, { maxResults: 3, ...(token ? { nextPageToken: token } : {}) })
        : await call(fake, 'GET', `/rest/api/3/search/jql?${new URLSearchParams({ jql, maxResults: '3', fields: 'status,updated', nextPageToken: token ?? '' })}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.issues.map((i: { key: string }) => i.key));
      expect(res.body.isLast).toBe(res.body.nextPageToken === undefined);
      expect('total' in res.body).toBe(false);
      token = res.body.nextPageToken;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(created);

    const first = await search(fake, jql, { maxResults: 3 });
    const other = await search(fake, 'labels = other', { maxResults: 3, nextPageToken: first.body.nextPageToken });
    expect(other.status).toBe(400);
    expect(other.body.errorMessages).toEqual(['Invalid format of nextPageToken']);
  });

  it('returns at most 100 issues a page when fields are asked for, up to 5000 for keys only', async () => {
    const { fake } = await fakeJira();
    await createMany(fake, 120);
    const withFields = await search(fake, 'project = HW', { maxResults: 1000 });
    expect(withFields.body.issues).toHaveLength(100);
    expect(withFields.body.nextPageToken).toEqual(expect.any(String));
    const keysOnly = await call(fake, 'POST', '/rest/api/3/search/jql', { jql: 'project = HW', fields: ['key'], maxResults: 1000 });
    expect(keysOnly.body.issues).toHaveLength(120);
    expect(keysOnly.body.isLast).toBe(true);
  });

  it('serves Data Center /rest/api/2/search with startAt, total and the workflow fields', async () => {
    const { fake } = await fakeJira();
    const [a, b, c] = await createMany(fake, 3);
    fake.resolve(b!, "Won't Do");
    const res = await call(fake, 'POST', '/rest/api/2/search', { jql: 'statusCategory = Done OR key = ' + c, startAt: 1, maxResults: 1, fields: ['status', 'resolution', 'resolutiondate'] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ startAt: 1, maxResults: 1, total: 2 });
    expect(res.body.issues.map((i: { key: string }) => i.key)).toEqual([b]);
    expect(res.body.issues[0].fields).toMatchObject({ status: { name: 'Resolved', statusCategory: { key: 'done' } }, resolution: { name: "Won't Do" }, resolutiondate: '2026-11-23T09:00:00.000+0000' });
    expect(a).toBeDefined();
  });
});

describe('fake Jira: its clock', () => {
  it("sends the fake's clock, not the machine's, in every answer's Date header", async () => {
    const { fake, tick } = await fakeJira();
    tick(90_500);
    const res = await fetch(`${fake.url}/rest/api/3/search/jql`, { method: 'POST', headers: AUTH, body: JSON.stringify({ jql: 'project = "SUP"' }) });
    expect(res.headers.get('date')).toBe('Mon, 23 Nov 2026 09:01:30 GMT');
  });
});

describe('fake Jira search: JQL on the workflow', () => {
  it('filters on status, statusCategory and key, and rejects values Jira does not know', async () => {
    const { fake } = await fakeJira();
    const [a, b, c, d] = await createMany(fake, 4);
    fake.transition(a!, 'In Progress');
    fake.transition(b!, 'Waiting for customer');
    fake.resolve(c!);
    expect(await keys(fake, 'status = "In Progress"')).toEqual([a]);
    expect(await keys(fake, 'statusCategory = indeterminate ORDER BY key')).toEqual([a, b]);
    expect(await keys(fake, 'statusCategory in ("To Do", Done) ORDER BY key')).toEqual([c, d]);
    expect(await keys(fake, 'status not in ("Waiting for support", Resolved) ORDER BY key DESC')).toEqual([b, a]);
    expect(await keys(fake, `key in (${d}, ${a}) AND statusCategory != Done ORDER BY key`)).toEqual([a, d]);
    for (const [jql, message] of [
      ['status = Reviewing', "The value 'Reviewing' does not exist for the field 'status'."],
      ['statusCategory = Finished', "The value 'Finished' does not exist for the field 'statusCategory'."],
      ['key in (HW-1, HW-99)', "An issue with key 'HW-99' does not exist for field 'key'."],
      ['key = 42', "The issue key '42' for field 'key' is invalid."],
    ] as const) {
      const res = await search(fake, jql);
      expect(res.status).toBe(400);
      expect(res.body.errorMessages).toEqual([message]);
    }
  });
});

describe('fake Jira search: index lag', () => {
  it('shows a change to JQL only after the lag: meanwhile searches see the old status and updated', async () => {
    const { fake, tick } = await fakeJira({ searchLagMs: 30_000 });
    const [key] = await createMany(fake, 1);
    expect(await keys(fake, 'project = HW')).toEqual([]);
    tick(30_000);
    expect(await keys(fake, 'project = HW')).toEqual([key]);

    fake.transition(key!, 'In Progress'); // at 09:00:30
    tick(29_999);
    expect(await keys(fake, 'status = "In Progress"')).toEqual([]);
    expect(await keys(fake, 'updated > "2026-11-23 09:00"')).toEqual([]);
    const stale = await search(fake, 'project = HW');
    expect(stale.body.issues[0].fields).toMatchObject({ status: { name: 'Waiting for support' }, updated: '2026-11-23T09:00:00.000+0000' });
    // GET reads the ticket itself, not the index.
    expect((await call(fake, 'GET', `/rest/servicedeskapi/request/${key}`)).body.currentStatus.status).toBe('In Progress');

    tick(1);
    expect(await keys(fake, 'status = "In Progress"')).toEqual([key]);
    expect(await keys(fake, 'updated > "2026-11-23 09:00"')).toEqual([key]);
    const fresh = await search(fake, 'project = HW');
    expect(fresh.body.issues[0].fields).toMatchObject({ status: { name: 'In Progress' }, updated: '2026-11-23T09:00:30.000+0000' });
  });

  it('reads the tickets named in reconcileIssues live, as Jira does, and takes at most 50 ids', async () => {
    const { fake, tick } = await fakeJira({ searchLagMs: 30_000 });
    const [a, b] = await createMany(fake, 2);
    tick(30_000);
    fake.transition(a!, 'In Progress');
    fake.transition(b!, 'In Progress');
    const idA = Number((await call(fake, 'GET', `/rest/servicedeskapi/request/${a}`)).body.issueId);
    const res = await search(fake, 'status = "In Progress"', { reconcileIssues: [idA] });
    expect(res.body.issues.map((i: { key: string }) => i.key)).toEqual([a]);
    expect(res.body.issues[0].fields.status.name).toBe('In Progress');
    const tooMany = await search(fake, 'project = HW', { reconcileIssues: Array.from({ length: 51 }, (_, i) => 10001 + i) });
    expect(tooMany.status).toBe(400);
    expect((await search(fake, 'project = HW', { maxResults: 2.5 })).status).toBe(400);
  });

  it('takes the lag from /__fake/settings, set from another process', async () => {
    const { fake } = await fakeJira();
    const [key] = await createMany(fake, 1);
    await fetch(`${fake.url}/__fake/settings`, { method: 'POST', headers: AUTH, body: JSON.stringify({ searchLagMs: 60_000 }) });
    const res = await fetch(`${fake.url}/__fake/issue/${key}/transition`, { method: 'POST', headers: AUTH, body: JSON.stringify({ status: 'Closed', resolution: 'Done' }) });
    expect(res.status).toBe(200);
    expect(await keys(fake, 'statusCategory = done')).toEqual([]);
    expect(await keys(fake, 'project = HW')).toEqual([]); // created "now" on the fake's clock too: inside the lag
  });
});

describe('fake Jira search: deleted tickets', () => {
  it('answers GET with 404 at once, drops the ticket from search once indexed, and fails key in (…) unless validateQuery=warn', async () => {
    const { fake, tick } = await fakeJira({ searchLagMs: 10_000 });
    const [a, b] = await createMany(fake, 2);
    tick(10_000);
    fake.deleteIssue(a!);
    expect((await call(fake, 'GET', `/rest/servicedeskapi/request/${a}`)).status).toBe(404);
    expect(await keys(fake, 'project = HW ORDER BY key')).toEqual([a, b]); // the index has not caught up yet
    tick(10_000);
    expect(await keys(fake, 'project = HW ORDER BY key')).toEqual([b]);

    const strict = await search(fake, `key in (${a}, ${b})`);
    expect(strict.status).toBe(400);
    expect(strict.body.errorMessages).toEqual([`An issue with key '${a}' does not exist for field 'key'.`]);
    const warn = await call(fake, 'GET', `/rest/api/2/search?${new URLSearchParams({ jql: `key in (${a}, ${b})`, validateQuery: 'warn', fields: 'status' })}`);
    expect(warn.status).toBe(200);
    expect(warn.body).toMatchObject({ total: 1, warningMessages: [`An issue with key '${a}' does not exist for field 'key'.`] });
    expect(() => fake.transition(a!, 'In Progress')).toThrow(/No issue/);

    const viaControl = await fetch(`${fake.url}/__fake/issue/${b}`, { method: 'DELETE' });
    expect(viaControl.status).toBe(204);
    expect((await call(fake, 'GET', `/rest/servicedeskapi/request/${b}`)).status).toBe(404);
  });
});

describe('fake Jira search: faults', () => {
  it('applies injected 5xx, rate limits and latency to the search routes', async () => {
    const { fake } = await fakeJira();
    await createMany(fake, 1);
    fake.injectFault({ kind: 'status', status: 503, match: { method: 'POST', path: '/rest/api/3/search/jql' } });
    expect((await search(fake, 'project = HW')).status).toBe(503);
    expect((await search(fake, 'project = HW')).status).toBe(200);
    fake.injectFault({ kind: 'status', status: 500, match: { path: /\/rest\/api\/2\/search$/ } });
    expect((await call(fake, 'GET', '/rest/api/2/search?jql=project%3DHW')).status).toBe(500);

    fake.setRateLimit(1);
    const answers = await Promise.all([1, 2, 3].map(() => search(fake, 'project = HW')));
    expect(answers.map((r) => r.status).filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    fake.setRateLimit(undefined);

    fake.setLatency(150);
    const t0 = performance.now();
    await search(fake, 'project = HW');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
  });
});
