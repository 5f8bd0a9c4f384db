// Write-back (WRITEBACK_TABLE) through the real CLI: a real PostgreSQL, the fake Jira with its
// workflow on a hand-driven clock, a real SQLite tracker. Each test changes tickets as an agent
// would, runs jira-sync, and reads the table; call counts come from the fake's request log.
import { beforeEach, describe, expect, it } from 'vitest';
import { startCli } from '../support/cli.js';
import { useCliHarness } from '../support/harness.js';
import { cutWritebackAfterMyself, jqlWindowOk, pullState, sourceDigest, tableRows } from '../support/writeback.js';

const clock = { now: Date.parse('2026-11-30T10:00:00Z') };
const h = useCliHarness({ fake: { now: () => clock.now } });
// Each test starts with no write-back table (the harness empties only the source table).
beforeEach(async () => {
  await h.db.client.query('DROP TABLE IF EXISTS jira_sync_requests');
});
const advance = (minutes: number) => void (clock.now += minutes * 60_000);
const ENV = { WRITEBACK_TABLE: 'jira_sync_requests' };
const cli = (args: string[], extra: Record<string, string> = {}) => h.cli(args, { ...ENV, ...extra });
const requestsSince = (n: number) => h.jira.requests.slice(n);
const searches = (n: number) => requestsSince(n).filter((r) => r.path.includes('/search'));

async function setUp(n: number): Promise<void> {
  await h.seed(n);
  expect((await cli(['map-fields'])).code).toBe(0);
}

describe('write-back table', () => {
  it('has a row per ticket from the run that created it, follows every change including a reopen, and a repeated pull changes nothing', async () => {
    await setUp(3);
    const source = await sourceDigest(h.db.client);
    const first = await cli(['run']);
    expect(first.code, first.stderr).toBe(0);
    let rows = await tableRows(h.db.client);
    expect(rows).toHaveLength(3);
    const [key] = h.jira.issues.map((i) => i.key);
    const row = () => rows.find((r) => r.ticket_key === key)!;
    expect(row()).toMatchObject({ status: 'Waiting for support', status_category: 'new', resolution: null, deleted_at: null });
    expect(row().ticket_url).toBe(`${h.jira.url}/browse/${key}`);
    expect(row().portal_url).toBe(`${h.jira.url}/servicedesk/customer/portal/1/${key}`);
    const ids = (await h.db.client.query<{ id: string }>('SELECT id::text AS id FROM webform_submissions ORDER BY id')).rows.map((r) => r.id);
    expect(rows.map((r) => r.source_id).sort()).toEqual([...ids].sort());

    const rounds: [() => void, Partial<ReturnType<typeof row>>][] = [
      [() => h.jira.transition(key!, 'In Progress'), { status: 'In Progress', status_category: 'indeterminate', resolution: null }],
      [() => h.jira.resolve(key!, 'Done', 'Resolved'), { status: 'Resolved', status_category: 'done', resolution: 'Done' }],
      [() => h.jira.reopen(key!), { status: 'Waiting for support', status_category: 'new', resolution: null, resolved_at: null }],
      [() => h.jira.transition(key!, 'Closed', { resolution: "Won't Do" }), { status: 'Closed', status_category: 'done', resolution: "Won't Do" }],
    ];
    for (const [change, expected] of rounds) {
      advance(3);
      change();
      const before = h.jira.requests.length;
      const r = await cli(['run']);
      expect(r.code, r.stderr).toBe(0);
      rows = await tableRows(h.db.client);
      expect(row()).toMatchObject(expected);
      expect(row().jira_updated_at).toBe(new Date(clock.now).toISOString());
      // Nothing new to create: one account look-up and one search, nothing else.
      expect(requestsSince(before).map((q) => `${q.method} ${q.path}`)).toEqual(['GET /rest/api/3/myself', 'POST /rest/api/3/search/jql']);
      expect(r.stderr).toMatch(/pull: 1 row changed, 2 Jira calls/);
    }
    expect(row().resolved_at).toBe(new Date(clock.now).toISOString());
    // The other tickets kept their create-time status.
    expect(rows.filter((r) => r.ticket_key !== key).every((r) => r.status === 'Waiting for support')).toBe(true);

    const table = JSON.stringify(await tableRows(h.db.client));
    const again = await cli(['pull']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/pull: 0 rows changed/);
    expect(JSON.stringify(await tableRows(h.db.client))).toBe(table);
    expect(await sourceDigest(h.db.client)).toBe(source);
  });

  for (const timeZone of ['America/St_Johns', 'America/Los_Angeles', 'Asia/Kolkata', 'Etc/UTC']) {
    it(`searches from the checkpoint minus the skew on the account's wall clock (${timeZone})`, async () => {
      h.jira.setAccountTimeZone(timeZone);
      await setUp(2);
      const created = clock.now;
      expect((await cli(['run'])).code).toBe(0);
      const [a, b] = h.jira.issues.map((i) => i.key) as [string, string];
      advance(7);
      h.jira.transition(a, 'In Progress');
      const before = h.jira.requests.length;
      expect((await cli(['run'])).code).toBe(0);
      const checkpoint = pullState(h.ws.trackerPath)?.checkpoint;
      expect(checkpoint).toBe(new Date(clock.now).toISOString());
      advance(1);
      h.jira.transition(b, 'Pending');
      const third = h.jira.requests.length;
      expect((await cli(['run'])).code).toBe(0);
      const rows = await tableRows(h.db.client);
      expect(rows.find((r) => r.ticket_key === a)?.status).toBe('In Progress');
      expect(rows.find((r) => r.ticket_key === b)?.status).toBe('Pending');
      // The JQL literal, read on the account's wall clock, is the checkpoint minus 5 minutes, to the minute.
      expect(jqlWindowOk(searches(before)[0]!.body, timeZone, created - 5 * 60_000)).toBe(true);
      expect(jqlWindowOk(searches(third)[0]!.body, timeZone, Date.parse(checkpoint!) - 5 * 60_000)).toBe(true);
    });
  }

  it('catches a change the search index had not caught up with in the next run: the skew window still holds it', async () => {
    await setUp(2);
    expect((await cli(['run'])).code).toBe(0);
    const [a] = h.jira.issues.map((i) => i.key) as [string];
    h.jira.setSearchLag(2 * 60_000);
    advance(3);
    h.jira.transition(a, 'In Progress');
    const changedAt = clock.now;
    expect((await cli(['run'])).code).toBe(0);
    expect((await tableRows(h.db.client)).find((r) => r.ticket_key === a)?.status).toBe('Waiting for support');
    // The checkpoint moved to Jira's clock at the search, but not past the change by more than the skew.
    const checkpoint = Date.parse(pullState(h.ws.trackerPath)!.checkpoint!);
    expect(checkpoint).toBe(clock.now);
    expect(checkpoint - 5 * 60_000).toBeLessThanOrEqual(changedAt);
    advance(3);
    const before = h.jira.requests.length;
    expect((await cli(['run'])).code).toBe(0);
    expect((await tableRows(h.db.client)).find((r) => r.ticket_key === a)?.status).toBe('In Progress');
    expect(jqlWindowOk(searches(before)[0]!.body, 'Etc/UTC', checkpoint - 5 * 60_000)).toBe(true);
    expect(pullState(h.ws.trackerPath)?.checkpoint).toBe(new Date(clock.now).toISOString());
  });

  it('catches a lagging change after quiet runs moved the checkpoint past it, while the lag is shorter than the skew', async () => {
    await setUp(2);
    expect((await cli(['run'])).code).toBe(0);
    const [a] = h.jira.issues.map((i) => i.key) as [string];
    // The index 4 minutes behind (PULL_SKEW_MINUTES is 5), and runs every minute.
    h.jira.setSearchLag(4 * 60_000);
    advance(10);
    h.jira.transition(a, 'In Progress');
    const changedAt = clock.now;
    for (let i = 0; i < 3; i++) {
      advance(1);
      const r = await cli(['run']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/pull: 0 rows changed/);
    }
    // Three quiet runs: the checkpoint is now 3 minutes past the change the index has not shown yet.
    expect(Date.parse(pullState(h.ws.trackerPath)!.checkpoint!)).toBe(changedAt + 3 * 60_000);
    expect((await tableRows(h.db.client)).find((r) => r.ticket_key === a)?.status).toBe('Waiting for support');
    advance(1.5);
    const r = await cli(['run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/pull: 1 row changed/);
    expect((await tableRows(h.db.client)).find((x) => x.ticket_key === a)?.status).toBe('In Progress');
  });

  it('pull --full reads every ticket by key, 100 a search, and marks the one Jira no longer has as deleted', async () => {
    await setUp(3);
    expect((await cli(['run'])).code).toBe(0);
    const [a, b] = h.jira.issues.map((i) => i.key) as [string, string];
    advance(2);
    h.jira.deleteIssue(a);
    h.jira.transition(b, 'Pending');
    const before = h.jira.requests.length;
    const r = await cli(['pull', '--full']);
    expect(r.code, r.stderr).toBe(0);
    const rows = await tableRows(h.db.client);
    expect(rows.find((x) => x.ticket_key === a)?.deleted_at).not.toBeNull();
    expect(rows.find((x) => x.ticket_key === a)?.status).toBe('Waiting for support');
    expect(rows.find((x) => x.ticket_key === b)).toMatchObject({ status: 'Pending', deleted_at: null });
    expect(rows.filter((x) => x.deleted_at !== null)).toHaveLength(1);
    // One refused search naming the missing key, one without it, one look at the live ticket.
    expect(requestsSince(before).map((q) => `${q.method} ${q.path} ${q.status}`)).toEqual([
      'POST /rest/api/3/search/jql 400',
      'POST /rest/api/3/search/jql 200',
      `GET /rest/api/3/issue/${a} 404`,
    ]);
  });

  it('a failing Jira search leaves the create phase whole and the checkpoint where it was; the next run catches up', async () => {
    await setUp(1);
    expect((await cli(['run'])).code).toBe(0);
    const checkpoint = pullState(h.ws.trackerPath)?.checkpoint;
    await h.seed(1);
    advance(2);
    const [a] = h.jira.issues.map((i) => i.key) as [string];
    h.jira.transition(a, 'In Progress');
    h.jira.injectFault({ match: { path: /\/search\/jql$/ }, kind: 'status', status: 400, body: { errorMessages: ['The search is broken'], errors: {} }, times: 1 });
    const r = await cli(['run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/created 1, skipped 0, failed 0.*pull failed .*The search is broken.*checkpoint kept/);
    expect(await tableRows(h.db.client)).toHaveLength(2);
    expect(pullState(h.ws.trackerPath)).toMatchObject({ checkpoint, last_error: expect.stringContaining('The search is broken') });
    expect((await tableRows(h.db.client)).find((x) => x.ticket_key === a)?.status).toBe('Waiting for support');
    expect((await cli(['run'])).code).toBe(0);
    expect((await tableRows(h.db.client)).find((x) => x.ticket_key === a)?.status).toBe('In Progress');
  });

  it('PostgreSQL lost while writing: exit 3, and the next run writes the rows the tracker kept, even with Jira search down', async () => {
    await setUp(2);
    expect((await cli(['run'])).code).toBe(0);
    const [a] = h.jira.issues.map((i) => i.key) as [string];
    advance(2);
    h.jira.transition(a, 'Resolved');
    // Hold the search long enough to cut the write-back connection while the pull is in Jira.
    h.jira.injectFault({ match: { path: /\/search\/jql$/ }, kind: 'delay', ms: 3000, times: 1 });
    const before = h.jira.requests.length;
    const run = startCli(['run'], { env: { ...h.ws.env, ...ENV } });
    await cutWritebackAfterMyself(h.db.client, h.jira.requests, before);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/PostgreSQL/);
    expect((await tableRows(h.db.client)).find((x) => x.ticket_key === a)?.status).toBe('Waiting for support');
    h.jira.injectFault({ match: { path: /\/search\/jql$/ }, kind: 'status', status: 400, body: { errorMessages: ['The search is broken'], errors: {} }, times: 100 });
    const next = await cli(['run']);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toMatch(/pull failed/);
    expect((await tableRows(h.db.client)).find((x) => x.ticket_key === a)?.status).toBe('Resolved');
  });
  it('works on Data Center (PAT, API v2: startAt paging, /rest/api/2/myself) with the tracker in PostgreSQL', async () => {
    h.jira.setAuth({ pat: 'dc-pat-0123456789' });
    h.jira.setAccountTimeZone('America/St_Johns');
    const dc = { JIRA_EMAIL: '', JIRA_API_TOKEN: '', JIRA_PAT: 'dc-pat-0123456789', TRACKER_DATABASE_URL: h.db.url, TRACKER_SCHEMA: 'wb_tracker' };
    await h.db.client.query('DROP SCHEMA IF EXISTS wb_tracker CASCADE');
    await h.seed(2);
    expect((await cli(['map-fields'], dc)).code).toBe(0);
    const first = await cli(['run'], dc);
    expect(first.code, first.stderr).toBe(0);
    expect(await tableRows(h.db.client)).toHaveLength(2);
    const [a] = h.jira.issues.map((i) => i.key) as [string];
    advance(4);
    h.jira.resolve(a, 'Declined', 'Canceled');
    const before = h.jira.requests.length;
    const r = await cli(['run'], dc);
    expect(r.code, r.stderr).toBe(0);
    expect((await tableRows(h.db.client)).find((x) => x.ticket_key === a)).toMatchObject({ status: 'Canceled', status_category: 'done', resolution: 'Declined' });
    expect(requestsSince(before).map((q) => `${q.method} ${q.path}`)).toEqual(['GET /rest/api/2/myself', 'POST /rest/api/2/search']);
    expect(jqlWindowOk(searches(before)[0]!.body, 'America/St_Johns', clock.now - 4 * 60_000 - 5 * 60_000)).toBe(true);
    const [cp] = (await h.db.client.query<{ checkpoint: string }>('SELECT checkpoint FROM wb_tracker.writeback_pull')).rows;
    expect(cp?.checkpoint).toBe(new Date(clock.now).toISOString());
    const full = await cli(['pull', '--full'], dc);
    expect(full.code, full.stderr).toBe(0);
    expect(full.stderr).toMatch(/pull --full: 0 rows changed, 1 Jira call\b/);
  });
});
