// The pull's cost and its rules, in-process against real PostgreSQL and the fake Jira: about one
// search per 100 changed tickets, never one per ticket nor a listing of every ticket; a pull
// with nothing changed is one search, also after a burst of changes once the skew window has
// passed it (the checkpoint moves with Jira's clock); only tickets the tracker knows reach the
// table; the table is never written backwards.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WritebackTable } from '../../src/adapters/postgres/writebackTable.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { pullWorld, type PullWorld } from '../support/writebackWorld.js';
import { tableRows } from '../support/writeback.js';

const T0 = Date.parse('2026-11-30T08:00:00Z');
let db: TestDatabase;
let world: PullWorld | null = null;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});
afterEach(async () => {
  await world?.close();
  world = null;
  await db.client.query('DROP TABLE IF EXISTS jira_sync_requests');
});

describe('write-back pull', () => {
  it('costs about one search per 100 changed tickets, and one when nothing changed', async () => {
    world = await pullWorld(db.url, { start: T0, timeZone: 'Asia/Kolkata' });
    const w = world;
    // 250 tickets over 125 minutes; the tracker has no row for them yet (made before write-back).
    const keys = await w.createTickets(250, 30_000);
    let p = await w.pull();
    // Rows for the 250 by key, 100 a search (3), then the changes since the oldest (3).
    expect(p).toMatchObject({ ok: true, changed: 250, searches: 6 });
    expect(await tableRows(db.client)).toHaveLength(250);

    // 150 changes spread over 30 minutes, an hour later.
    w.clock.now += 60 * 60_000;
    for (const key of keys.slice(0, 150)) {
      w.fake.transition(key, 'In Progress');
      w.clock.now += 12_000;
    }
    p = await w.pull();
    // The 150 and the ~10 tickets created in the skew window before the checkpoint: 2 pages.
    expect(p).toMatchObject({ ok: true, changed: 150, searches: 2 });
    const rows = await tableRows(db.client);
    expect(rows.filter((r) => r.status === 'In Progress')).toHaveLength(150);

    // Half an hour later, one change: the window holds it and the last ~25 of the 150.
    w.clock.now += 30 * 60_000;
    w.fake.resolve(keys[200]!, 'Done', 'Resolved');
    p = await w.pull();
    expect(p).toMatchObject({ ok: true, changed: 1, searches: 1 });

    // Nothing changed: one search, no row touched (synced_at included).
    w.clock.now += 30 * 60_000;
    const table = JSON.stringify(await tableRows(db.client));
    p = await w.pull();
    expect(p).toMatchObject({ ok: true, changed: 0, searches: 1 });
    expect(JSON.stringify(await tableRows(db.client))).toBe(table);
  });

  it("moves the checkpoint on with Jira's clock: after a burst, quiet runs stop reading it again", async () => {
    world = await pullWorld(db.url, { start: T0 });
    const w = world;
    const keys = await w.createTickets(250, 1000);
    expect((await w.pull()).ok).toBe(true);
    // A burst: all 250 change within one minute, an hour later.
    const burst = T0 + 2 * 60 * 60_000;
    w.clock.now = burst;
    for (const key of keys) {
      w.fake.transition(key, 'In Progress');
      w.clock.now += 240;
    }
    // Runs every 5 minutes (PULL_SKEW_MINUTES, the default 5), the first 2 minutes after the burst began.
    w.clock.now = burst + 2 * 60_000;
    expect(await w.pull()).toMatchObject({ ok: true, changed: 250, searches: 3 });
    expect(await w.tracker.writeback.pullState()).toMatchObject({ checkpoint: new Date(w.clock.now).toISOString() });
    // The next quiet run still has the burst in its skew window: read again once, nothing changed.
    w.clock.now += 5 * 60_000;
    expect(await w.pull()).toMatchObject({ ok: true, changed: 0, searches: 3 });
    // From then on, one search a quiet run.
    for (let i = 0; i < 3; i++) {
      w.clock.now += 5 * 60_000;
      const before = w.fake.requests.length;
      expect(await w.pull()).toMatchObject({ ok: true, changed: 0, searches: 1 });
      expect(w.fake.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /rest/api/3/myself', 'POST /rest/api/3/search/jql']);
    }
  });

  it('leaves out tickets the tracker does not know, and never writes a row backwards', async () => {
    world = await pullWorld(db.url, { start: T0 });
    const w = world;
    const [mine] = await w.createTickets(1, 1000);
    // A ticket made in the same project by someone else (not in the tracker).
    const stranger = await fetch(`${w.fake.url}/rest/servicedeskapi/request`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from('bot@example.com:world-token').toString('base64')}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ serviceDeskId: '1', requestTypeId: '10', requestFieldValues: { summary: 'not ours', customfield_10010: 'x@example.com', customfield_10013: [{ id: '10102' }] } }),
    });
    expect(stranger.status).toBe(201);
    expect((await w.pull()).ok).toBe(true);
    expect((await tableRows(db.client)).map((r) => r.ticket_key)).toEqual([mine]);

    // Data older than the row's is refused by the table itself, whoever sends it.
    const table = await WritebackTable.connect(db.url, 'jira_sync_requests');
    try {
      const [row] = await tableRows(db.client);
      const old = {
        sourceId: row!.source_id, submissionKey: row!.submission_key, ticketKey: row!.ticket_key, ticketUrl: row!.ticket_url, portalUrl: null,
        status: 'Stale', statusCategory: 'new', resolution: null, jiraCreatedAt: row!.jira_created_at, resolvedAt: null, deletedAt: null,
        jiraUpdatedAt: new Date(Date.parse(row!.jira_updated_at!) - 1000).toISOString(),
      };
      expect(await table.upsert([old], new Date())).toBe(0);
      expect(await table.upsert([{ ...old, jiraUpdatedAt: row!.jira_updated_at }], new Date())).toBe(1);
      expect((await tableRows(db.client))[0]?.status).toBe('Stale');
    } finally {
      await table.close();
    }
  });
});

describe('a write-back table that lost its rows', () => {
  it('is filled again by the next pull when jira-sync creates it anew, and by pull --full when emptied', async () => {
    world = await pullWorld(db.url, { start: T0 });
    const w = world;
    await w.createTickets(5, 1000);
    expect(await w.pull()).toMatchObject({ ok: true, changed: 5 });
    // Dropped (or WRITEBACK_TABLE renamed): the pull that creates the table writes every row again.
    await db.client.query('DROP TABLE jira_sync_requests');
    w.clock.now += 60_000;
    expect(await w.pull()).toMatchObject({ ok: true, changed: 5 });
    expect(await tableRows(db.client)).toHaveLength(5);
    // Emptied by hand (TRUNCATE, a restore): pull --full puts every row back.
    await db.client.query('TRUNCATE jira_sync_requests');
    w.clock.now += 60_000;
    expect(await w.pull(true)).toMatchObject({ ok: true, changed: 5 });
    expect(await tableRows(db.client)).toHaveLength(5);
    // And a second --full changes nothing.
    expect(await w.pull(true)).toMatchObject({ ok: true, changed: 0 });
  });
});

describe('the write-back table unreachable', () => {
  it('names the host, port, user and database tried', async () => {
    const url = new URL(db.url);
    url.port = '1';
    await expect(WritebackTable.connect(url.toString(), 'jira_sync_requests')).rejects.toThrow(
      new RegExp(`cannot connect to 127\\.0\\.0\\.1:1 as "${url.username}", database "${url.pathname.slice(1)}" .*write-back table jira_sync_requests.*\\(connection refused\\)`),
    );
  });
});
