/**
 * The fake Jira's workflow and issue search, over HTTP: what pulling ticket
 * statuses back relies on. Each test pins a behaviour of real Jira that a pull
 * could get wrong: `updated` moving on every change, JQL date literals read in
 * the account's time zone at minute precision, token paging, an index that
 * lags behind changes, and deleted tickets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeJira, type FakeJira, type FakeJiraOptions } from '../support/fakeJira/index.js';

const EMAIL = 'bot@example.com';
const TOKEN = 'secret-token';
const AUTH = { Authorization: `Basic ${Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64')}`, 'Content-Type': 'application/json' };
const JIRA_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}$/;

const started: FakeJira[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()));
});

/** A fake on a hand-driven clock, starting at `start`. */
async function fakeJira(start: string, opts: FakeJiraOptions = {}) {
  const clock = { now: Date.parse(start) };
  const fake = await startFakeJira({ auth: { email: EMAIL, apiToken: TOKEN }, now: () => clock.now, ...opts });
  started.push(fake);
  return { fake, clock, at: (iso: string) => void (clock.now = Date.parse(iso)) };
}

async function call(fake: FakeJira, method: string, path: string, body?: unknown) {
  const res = await fetch(`${fake.url}${path}`, { method, headers: AUTH, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  // Answers are probed field by field with toMatchObject; a full type for each would only restate the assertions.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, any> };
}

async function create(fake: FakeJira, label: string): Promise<string> {
  const res = await call(fake, 'POST', '/rest/servicedeskapi/request', {
    serviceDeskId: '1',
    requestTypeId: '10',
    requestFieldValues: { summary: `Request ${label}`, customfield_10010: 'ada@example.com', customfield_10013: [{ id: '10102' }], labels: [label] },
  });
  expect(res.status).toBe(201);
  return res.body.issueKey as string;
}

const FIELDS = ['status', 'resolution', 'created', 'updated', 'resolutiondate', 'labels'];

async function search(fake: FakeJira, jql: string, extra: Record<string, unknown> = {}) {
  return call(fake, 'POST', '/rest/api/3/search/jql', { jql, fields: FIELDS, ...extra });
}

async function keys(fake: FakeJira, jql: string): Promise<string[]> {
  const res = await search(fake, jql);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.issues as { key: string }[]).map((i) => i.key);
}

describe('fake Jira workflow', () => {
  it('starts a request in the initial status; transitions, resolving and reopening move updated and resolutiondate on', async () => {
    const { fake, at } = await fakeJira('2026-11-23T09:15:02.123Z');
    const key = await create(fake, 'a');
    const fields = async () => (await search(fake, `key = ${key}`)).body.issues[0].fields;

    expect(await fields()).toMatchObject({
      status: { name: 'Waiting for support', statusCategory: { key: 'new', name: 'To Do' } },
      resolution: null,
      created: '2026-11-23T09:15:02.123+0000',
      updated: '2026-11-23T09:15:02.123+0000',
      resolutiondate: null,
    });

    at('2026-11-23T10:00:00.500Z');
    fake.transition(key, 'In Progress');
    expect(await fields()).toMatchObject({ status: { name: 'In Progress', statusCategory: { key: 'indeterminate' } }, updated: '2026-11-23T10:00:00.500+0000' });

    at('2026-11-24T08:00:00.000Z');
    fake.resolve(key, 'Done');
    const resolved = await fields();
    expect(resolved).toMatchObject({
      status: { name: 'Resolved', statusCategory: { key: 'done' } },
      resolution: { name: 'Done', id: '10000' },
      updated: '2026-11-24T08:00:00.000+0000',
      resolutiondate: '2026-11-24T08:00:00.000+0000',
      created: '2026-11-23T09:15:02.123+0000',
    });
    for (const d of ['created', 'updated', 'resolutiondate']) expect(resolved[d]).toMatch(JIRA_DATE);

    at('2026-11-25T08:00:00.000Z');
    fake.reopen(key);
    expect(await fields()).toMatchObject({ status: { name: 'Waiting for support' }, resolution: null, resolutiondate: null, updated: '2026-11-25T08:00:00.000+0000' });

    // The customer portal's view follows the live workflow too.
    const request = await call(fake, 'GET', `/rest/servicedeskapi/request/${key}`);
    expect(request.body.currentStatus).toMatchObject({ status: 'Waiting for support', statusCategory: 'NEW', statusDate: { epochMillis: Date.parse('2026-11-25T08:00:00Z') } });

    expect(() => fake.transition(key, 'Nonexistent')).toThrow(/No status 'Nonexistent'/);
    expect(() => fake.transition('HW-99', 'In Progress')).toThrow(/No issue HW-99/);
  });

  it('moves updated on when an attachment is added', async () => {
    const { fake, at } = await fakeJira('2026-11-23T09:00:00.000Z');
    const key = await create(fake, 'a');
    at('2026-11-23T09:00:05.000Z');
    const form = new FormData();
    form.append('file', new Blob(['{}'], { type: 'application/json' }), 'submission.json');
    const up = await fetch(`${fake.url}/rest/servicedeskapi/servicedesk/1/attachTemporaryFile`, {
      method: 'POST',
      headers: { Authorization: AUTH.Authorization, 'X-Atlassian-Token': 'no-check' },
      body: form,
    });
    const { temporaryAttachments } = (await up.json()) as { temporaryAttachments: { temporaryAttachmentId: string }[] };
    const attach = await call(fake, 'POST', `/rest/servicedeskapi/request/${key}/attachment`, {
      temporaryAttachmentIds: [temporaryAttachments[0]!.temporaryAttachmentId],
      public: false,
    });
    expect(attach.status).toBe(201);
    expect((await search(fake, `key = ${key}`)).body.issues[0].fields).toMatchObject({ updated: '2026-11-23T09:00:05.000+0000', status: { name: 'Waiting for support' } });
  });
});

describe('fake Jira JQL dates in the account time zone', () => {
  // One boundary instant, B = 12:00 UTC; tickets updated a minute before, exactly at, and 30 s after it.
  const cases = [
    { zone: 'Etc/UTC', day: '2026-11-23', wall: '2026/11/23 12:00', offset: '+0000' },
    { zone: 'America/St_Johns', day: '2026-11-23', wall: '2026/11/23 08:30', offset: '-0330' },
    // Summer time: the offset comes from the zone's rules on that day, not a fixed number.
    { zone: 'America/St_Johns', day: '2026-07-15', wall: '2026/07/15 09:30', offset: '-0230' },
    { zone: 'America/Los_Angeles', day: '2026-11-23', wall: '2026-11-23 04:00', offset: '-0800' },
    { zone: 'Asia/Kolkata', day: '2026-11-23', wall: '2026-11-23 17:30', offset: '+0530' },
  ];
  for (const { zone, day, wall, offset } of cases) {
    it(`reads "${wall}" in ${zone} as 12:00 UTC, at minute precision, and renders ${offset}`, async () => {
      const { fake, at } = await fakeJira(`${day}T00:00:00.000Z`, { accountTimeZone: zone });
      const [before, exact, after] = [await create(fake, 'before'), await create(fake, 'exact'), await create(fake, 'after')];
      at(`${day}T11:59:00.000Z`);
      fake.transition(before, 'In Progress');
      at(`${day}T12:00:00.000Z`);
      fake.transition(exact, 'In Progress');
      at(`${day}T12:00:30.000Z`);
      fake.transition(after, 'In Progress');

      expect((await call(fake, 'GET', '/rest/api/3/myself')).body.timeZone).toBe(zone);
      expect(await keys(fake, `updated >= "${wall}" ORDER BY updated ASC`)).toEqual([exact, after]);
      expect(await keys(fake, `updated > "${wall}" ORDER BY updated ASC`)).toEqual([after]);
      expect(await keys(fake, `updated < "${wall}" ORDER BY updated ASC`)).toEqual([before]);
      expect(await keys(fake, `updated <= "${wall}" ORDER BY updated ASC`)).toEqual([before, exact]);
      // The same digits read as UTC would select differently in any zone but UTC: the account zone is what counts.
      const utcReading = await keys(fake, `updated >= "${day} 12:00" ORDER BY updated ASC`);
      if (zone === 'Etc/UTC') expect(utcReading).toEqual([exact, after]);
      else expect(utcReading).not.toEqual([exact, after]);

      const updated = (await search(fake, `key = ${exact}`)).body.issues[0].fields.updated as string;
      expect(updated).toMatch(JIRA_DATE);
      expect(updated.endsWith(offset)).toBe(true);
      expect(Date.parse(updated.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'))).toBe(Date.parse(`${day}T12:00:00Z`));
    });
  }

  it('accepts only Jira date formats, and reads a day as its start in the account zone', async () => {
    const { fake, at } = await fakeJira('2026-11-22T18:00:00.000Z', { accountTimeZone: 'Asia/Kolkata' });
    const early = await create(fake, 'early'); // 23:30 on the 22nd in Kolkata
    at('2026-11-22T20:00:00.000Z');
    const late = await create(fake, 'late'); // 01:30 on the 23rd in Kolkata
    expect(await keys(fake, 'created >= "2026-11-23"')).toEqual([late]);
    expect(await keys(fake, 'created >= 2026/11/23 AND created < "2026/11/24"')).toEqual([late]);
    expect(await keys(fake, 'createdDate < "2026-11-23" ORDER BY key')).toEqual([early]);
    for (const bad of ['2026-11-23T12:00', '2026-11-23 12:00:00', '2026-13-01', '23/11/2026', '2026-11-23 12:00+0000']) {
      const res = await search(fake, `updated >= "${bad}"`);
      expect(res.status).toBe(400);
      expect(res.body.errorMessages[0]).toContain(`Date value '${bad}' for field 'updated' is invalid`);
    }
    // Relative periods count back from now.
    at('2026-11-22T20:10:00.000Z');
    expect(await keys(fake, 'created >= "-15m"')).toEqual([late]);
  });

  it('switches zone at run time (handle and control route) and rejects unknown zones', async () => {
    const { fake } = await fakeJira('2026-11-23T12:00:00.000Z');
    const key = await create(fake, 'a');
    expect(await keys(fake, 'updated >= "2026-11-23 12:00"')).toEqual([key]);
    fake.setAccountTimeZone('America/Los_Angeles'); // 12:00 there is 20:00 UTC
    expect(await keys(fake, 'updated >= "2026-11-23 12:00"')).toEqual([]);
    const res = await fetch(`${fake.url}/__fake/account`, { method: 'POST', headers: AUTH, body: JSON.stringify({ accountTimeZone: 'America/St_Johns' }) });
    expect(res.status).toBe(204);
    expect(await keys(fake, 'updated >= "2026-11-23 08:30"')).toEqual([key]);
    expect(() => fake.setAccountTimeZone('Mars/Olympus')).toThrow(/Unknown time zone 'Mars\/Olympus'/);
  });
});
