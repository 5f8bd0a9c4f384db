// `jira-sync tracker copy-to-postgres`: a SQLite tracker built by real runs (fail points, Jira
// faults, an injected clock) with submissions in every state is copied into an empty PostgreSQL
// tracker; every table arrives exactly as it was, `status` says the same, and runs with the
// PostgreSQL tracker finish the job: every row one ticket with one attachment, nothing twice.
// Also the refusals: a target that is not empty, no SQLite file, no TRACKER_DATABASE_URL, and a
// SQLite tracker behind its high-water mark.
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { RunLock } from '../../src/adapters/tracker/lock.js';
import { PgRunLock } from '../../src/adapters/tracker/postgres/runLock.js';
import { PostgresTrackerStore } from '../../src/adapters/tracker/postgres/store.js';
import { openSqlite } from '../../src/adapters/tracker/sqlite.js';
import { insertSubmissions, sampleSubmission } from '../support/db.js';
import { useCliHarness } from '../support/harness.js';

const h = useCliHarness();
const CREATE = '/rest/servicedeskapi/request';
const SEARCH = /\/rest\/api\/[23]\/search(\/jql)?$/;
const ATTACH_FILE = /attachTemporaryFile$/;
const MIN = 60_000;
const creates = () => h.jira.requests.filter((r) => r.method === 'POST' && r.path === CREATE).length;
let schema = 'jira_sync';
beforeEach(() => {
  schema = `copied_${Math.random().toString(36).slice(2, 8)}`;
});
const pgEnv = () => ({ TRACKER_DATABASE_URL: h.db.url, TRACKER_SCHEMA: schema });
const at = (offsetMs: number, extra: Record<string, string> = {}) => ({ JIRA_SYNC_CLOCK_OFFSET_MS: String(offsetMs), ...extra });

/** Every table both stores share, each row with every column, in a fixed order. */
const TABLES: Record<string, string> = {
  submissions: 'key',
  source_rows: 'source_id',
  runs: 'run_id',
  cursor: 'id',
  audits: 'id',
  alert_incidents: 'fingerprint',
  writeback_rows: 'submission_key',
  writeback_pull: 'id',
};

function sqliteTables(): Record<string, unknown[]> {
  const db = openSqlite(h.ws.trackerPath, { readonly: true });
  try {
    return Object.fromEntries(Object.entries(TABLES).map(([t, order]) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY ${order}`).all()]));
  } finally {
    db.close();
  }
}

async function pgTables(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [t, order] of Object.entries(TABLES)) {
    // Text keys in byte order, as SQLite orders them.
    const by = t === 'cursor' || t === 'audits' || t === 'writeback_pull' ? order : `${order} COLLATE "C"`;
    const rows = (await h.db.client.query<Record<string, unknown>>(`SELECT * FROM ${schema}.${t} ORDER BY ${by}`)).rows;
    out[t] = rows.map(({ seq: _seq, ...r }) => (t === 'audits' ? { ...r, id: Number(r.id) } : r));
  }
  return out;
}

async function pgStates(): Promise<Record<string, number>> {
  const rows = (await h.db.client.query<{ state: string; n: number }>(`SELECT state, count(*)::int AS n FROM ${schema}.submissions GROUP BY state`)).rows;
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

function statusParts(json: string): Record<string, unknown> {
  const { tracker: _t, newestBackup: _b, ...rest } = JSON.parse(json) as Record<string, unknown>;
  return rest;
}

describe('jira-sync tracker copy-to-postgres', () => {
  it('copies a SQLite tracker with submissions in every state; runs on PostgreSQL then finish each row once', async () => {
    // One submission at a time, so each fault and fail point meets the submission meant.
    const run = (env: Record<string, string> = {}) => h.cli(['run', '--concurrency', '1'], env);
    await h.seed(2); // rows 1, 2
    expect((await h.cli(['map-fields'])).code).toBe(0);
    // done: rows 1 and 2.
    expect((await run(at(-60 * MIN))).code).toBe(0);
    // parked: a value the mapping cannot convert, on its only attempt (row 3).
    await insertSubmissions(h.db.client, [sampleSubmission(2, { equipment: 'Fax machine' })]);
    expect((await run(at(-59 * MIN, { MAX_ATTEMPTS: '1' }))).code).toBe(1);
    // creating, outside the grace period by the time of the copy: claimed, then killed (row 4).
    await insertSubmissions(h.db.client, [sampleSubmission(3)]);
    expect((await run(at(-50 * MIN, { JIRA_SYNC_FAILPOINT: 'after-claim' }))).signal).toBe('SIGKILL');
    // Row 4's marker is searched, not found inside a 60-minute grace: not due before T+10.
    // creating with a ticket in Jira (row 5): the create's answer is lost.
    await insertSubmissions(h.db.client, [sampleSubmission(4)]);
    h.jira.injectFault({ match: { method: 'POST', path: CREATE }, kind: 'drop-after-effect' });
    expect((await run(at(-45 * MIN, { RECOVERY_GRACE_MINUTES: '60' }))).code).toBe(1);
    // failed, verify-first (row 5): the marker search is refused; due again at T+5.
    h.jira.injectFault({ match: { path: SEARCH }, kind: 'status', status: 400, body: { errorMessages: ["Error in the JQL Query: The character '~' is a reserved JQL character."], errors: {} } });
    expect((await run(at(-25 * MIN, { RECOVERY_GRACE_MINUTES: '60' }))).code).toBe(1);
    // The last run, in source order: failed (row 6, invalid value), created (row 7, the
    // attachment upload fails), creating inside the grace period with a ticket in Jira (row 8,
    // the answer lost), attached (row 9, killed there), pending (row 10, registered, never reached).
    await insertSubmissions(h.db.client, [sampleSubmission(5, { equipment: 'Fax machine' }), sampleSubmission(6), sampleSubmission(7), sampleSubmission(8), sampleSubmission(9)]);
    h.jira.injectFault({ match: { method: 'POST', path: ATTACH_FILE }, kind: 'status', status: 507, body: 'Insufficient Storage' });
    h.jira.injectFault({ match: { method: 'POST', path: CREATE }, kind: 'delay', ms: 0 });
    h.jira.injectFault({ match: { method: 'POST', path: CREATE }, kind: 'drop-after-effect' });
    expect((await run(at(-3 * MIN, { JIRA_SYNC_FAILPOINT: 'after-attach' }))).signal).toBe('SIGKILL');
    // Runs now record `attached` and `done` in one commit; a tracker an older version wrote can
    // still hold `attached` (the file is on the ticket, done not yet recorded): row 9 is made one.
    const file = openSqlite(h.ws.trackerPath);
    file.prepare("UPDATE submissions SET state = 'attached' WHERE source_id = '9' AND state = 'created'").run();
    file.close();

    const before = sqliteTables();
    const state = (id: string) => (before.submissions as { source_id: string; state: string; verify_first: number; ticket_key: string | null }[]).find((s) => s.source_id === id);
    expect(Object.fromEntries(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'].map((id) => [id, state(id)?.state]))).toEqual({
      1: 'done', 2: 'done', 3: 'parked', 4: 'creating', 5: 'failed', 6: 'failed', 7: 'created', 8: 'creating', 9: 'attached', 10: 'pending',
    });
    expect(state('5')?.verify_first).toBe(1);
    expect(h.jira.issues).toHaveLength(6); // rows 1, 2, 5, 7, 8, 9
    const sqliteStatus = await h.cli(['status', '--json']);

    const copy = await h.cli(['tracker', 'copy-to-postgres'], pgEnv());
    expect(copy.code, copy.stderr).toBe(0);
    expect(copy.stdout).toContain(`into the PostgreSQL tracker in schema ${schema}`);
    expect(copy.stdout).toMatch(/submissions: 10 \(pending 1, creating 2, created 1, attached 1, done 2, failed 2, parked 1\)/);
    expect(copy.stdout).toMatch(/cursor: up to \S+ \(source id 10\)/);
    expect(copy.stdout).toMatch(/runs: 6\b/);
    // Every row of every table, every column, exactly (times are text and keep every digit).
    expect(await pgTables()).toEqual(before);
    const sqliteBefore = sqliteTables();
    expect(sqliteBefore).toEqual(before); // the SQLite tracker's rows are left as they were
    const createsAtCopy = creates();
    const pgStatus = await h.cli(['status', '--json'], pgEnv());
    expect(statusParts(pgStatus.stdout)).toEqual(statusParts(sqliteStatus.stdout));

    // A second copy is refused: the target is not empty, and it stays as it is.
    const again = await h.cli(['tracker', 'copy-to-postgres'], pgEnv());
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`schema ${schema} is not empty`);
    expect(again.stderr).toContain('10 submissions');
    expect(await pgTables()).toEqual(before);

    // A host still set up for the SQLite file is refused, so it cannot create beside the copy.
    const stale = await run({});
    expect(stale.code).toBe(2);
    expect(stale.stderr).toContain(`was copied to PostgreSQL (schema ${schema})`);
    expect(stale.stderr).toContain('TRACKER_DATABASE_URL');
    expect(creates()).toBe(createsAtCopy);
    expect((await h.cli(['retry', '3'])).code).toBe(2);
    // doctor says so too (a run there would exit 2), and status says its state is the old one.
    const filesBefore = fs.readdirSync(path.dirname(h.ws.trackerPath)).sort();
    const doctor = await h.cli(['doctor']);
    expect(doctor.code, doctor.stdout).toBe(2);
    const said = doctor.stdout.replace(/\s+/g, ' '); // wrapped to 100 columns
    expect(said).toMatch(new RegExp(`FAIL tracker: \\S+ was copied to PostgreSQL \\(schema ${schema}\\)`));
    expect(said).toContain(`TRACKER_SCHEMA=${schema}`);
    expect(fs.readdirSync(path.dirname(h.ws.trackerPath)).sort()).toEqual(filesBefore);
    const oldStatus = await h.cli(['status']);
    expect(oldStatus.code).toBe(0);
    expect(oldStatus.stdout.replace(/\s+/g, ' ')).toMatch(new RegExp(`copied to PostgreSQL \\(schema ${schema}\\) at .*: this is its state then`));
    expect(sqliteTables()).toEqual(sqliteBefore);

    // Runs on PostgreSQL. Now: the created one is attached, the attached one marked done, the one
    // inside the grace period adopted by its marker, the pending one created; nothing else is due.
    const createsBefore = creates();
    const now = await run(pgEnv());
    expect(now.code, now.stderr).toBe(0);
    expect(creates() - createsBefore).toBe(1);
    expect(await pgStates()).toEqual({ done: 6, parked: 1, creating: 1, failed: 2 });
    // A person corrects the two rows; the parked one is re-queued.
    await h.db.client.query(`UPDATE webform_submissions SET equipment = 'Headset' WHERE id IN (3, 6)`);
    expect((await h.cli(['retry', '3'], pgEnv())).code).toBe(0);
    // An hour on: the verify-first one is searched and adopted (never created again), the one
    // claimed by the killed run is created after its grace, the corrected ones are created.
    const later = await run({ ...pgEnv(), ...at(60 * MIN) });
    expect(later.code, later.stderr).toBe(0);
    expect(creates() - createsBefore).toBe(4);
    const quiet = await run({ ...pgEnv(), ...at(61 * MIN) });
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(creates() - createsBefore).toBe(4);

    // Exactly once: ten rows, ten tickets, one attachment each, one marker each.
    expect(await pgStates()).toEqual({ done: 10 });
    expect(h.jira.issues).toHaveLength(10);
    const files = h.jira.issues.map((i) => {
      expect(i.attachments, i.key).toHaveLength(1);
      return i.attachments[0]!.filename;
    });
    expect(new Set(files)).toEqual(new Set(Array.from({ length: 10 }, (_, i) => `submission-${i + 1}.json`)));
    expect(new Set(h.jira.issues.map((i) => i.labels.find((l) => l.startsWith('jira-sync-')))).size).toBe(10);
    const status = JSON.parse((await h.cli(['status', '--json'], pgEnv())).stdout) as { counts: Record<string, number>; attention: unknown[]; runs: unknown[] };
    expect(status.counts).toMatchObject({ done: 10, pending: 0, creating: 0, failed: 0, parked: 0 });
    expect(status.attention).toEqual([]);

    // Runs and audits number on after the copied ones.
    const audit = await h.cli(['audit'], pgEnv());
    expect(audit.code, audit.stderr).toBe(0);
    const copiedRuns = new Set((before.runs as { run_id: string }[]).map((r) => r.run_id));
    const runs = (await h.db.client.query<{ run_id: string; seq: string }>(`SELECT run_id, seq FROM ${schema}.runs ORDER BY seq`)).rows;
    expect(runs.map((r) => copiedRuns.has(r.run_id))).toEqual([...Array(6).fill(true), ...Array(runs.length - 6).fill(false)]);
    const audits = (await h.db.client.query<{ id: string }>(`SELECT id FROM ${schema}.audits ORDER BY id`)).rows.map((r) => Number(r.id));
    expect(audits).toHaveLength(before.audits!.length + 1);
  });

  it('copies the write-back memory: the checkpoint and every ticket row, which pull --full writes again', async () => {
    const wb = { WRITEBACK_TABLE: `wb_${schema}` };
    await h.seed(3);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    expect((await h.cli(['run'], wb)).code).toBe(0);
    // The table loses a row (a DBA's slip); the copy says what it carries over.
    await h.db.client.query(`DELETE FROM wb_${schema} WHERE source_id = '1'`);
    const copy = await h.cli(['tracker', 'copy-to-postgres'], pgEnv());
    expect(copy.code, copy.stderr).toBe(0);
    expect(copy.stdout).toContain('write-back: 3 ticket rows kept, pull checkpoint ');
    const before = (await h.cli(['status', '--json'], { ...pgEnv(), ...wb })).stdout;
    expect(JSON.parse(before)).toMatchObject({ pull: { checkpoint: expect.stringMatching(/^20/) as unknown } });
    // pull --full on the PostgreSQL tracker puts the row back, from the copied rows.
    const full = await h.cli(['pull', '--full'], { ...pgEnv(), ...wb });
    expect(full.code, full.stderr).toBe(0);
    expect((await h.db.client.query(`SELECT 1 FROM wb_${schema}`)).rowCount).toBe(3);
  });

  it('refuses without TRACKER_DATABASE_URL, naming it, and without a SQLite file, naming the path', async () => {
    const unset = await h.cli(['tracker', 'copy-to-postgres']);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('TRACKER_DATABASE_URL is not set');
    const missing = await h.cli(['tracker', 'copy-to-postgres'], pgEnv());
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`no SQLite tracker at ${h.ws.trackerPath}`);
    expect(missing.stderr).toContain('TRACKER_PATH');
    const exists = (await h.db.client.query<{ ok: boolean }>('SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS ok', [schema])).rows[0]?.ok;
    expect(exists).toBe(false);
  });

  it('refuses a SQLite tracker behind its high-water mark (restored from a backup), copying nothing', async () => {
    await h.seed(2);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    expect((await h.cli(['run'])).code).toBe(0);
    // As after restoring an older backup: the mark beside the tracker is ahead of its cursor.
    const mark = `${h.ws.trackerPath}.highwater.json`;
    fs.writeFileSync(mark, JSON.stringify({ sourceTs: '2026-11-02T09:00:00.000000Z', sourceId: '99' }));
    const r = await h.cli(['tracker', 'copy-to-postgres'], pgEnv());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('behind its high-water mark');
    expect(r.stderr).toContain(path.basename(mark));
    const exists = (await h.db.client.query<{ ok: boolean }>('SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS ok', [schema])).rows[0]?.ok;
    expect(exists).toBe(false);
  });

  it('waits for no run: a run holding either lock makes it exit 4, copying nothing', async () => {
    await h.seed(1);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    expect((await h.cli(['run'])).code).toBe(0);
    const fileLock = RunLock.acquire(RunLock.lockPathFor(h.ws.trackerPath), { runId: 'run-on-sqlite', startedAt: '2026-11-23T09:00:00.000Z' });
    try {
      const r = await h.cli(['tracker', 'copy-to-postgres'], pgEnv());
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('run run-on-sqlite');
    } finally {
      fileLock.release();
    }
    await (await PostgresTrackerStore.open({ url: h.db.url, schema, now: () => new Date() })).close(); // as a first run on another host makes it
    const pgLock = await PgRunLock.acquire(h.db.url, schema, { runId: 'run-on-postgres', startedAt: '2026-11-23T09:00:00.000Z' });
    try {
      const r = await h.cli(['tracker', 'copy-to-postgres'], pgEnv());
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('run run-on-postgres');
    } finally {
      await pgLock.release();
    }
    expect((await h.db.client.query(`SELECT 1 FROM ${schema}.submissions UNION ALL SELECT 1 FROM ${schema}.runs`)).rows).toEqual([]);
    const copied = await h.cli(['tracker', 'copy-to-postgres'], pgEnv());
    expect(copied.code, copied.stderr).toBe(0);
    expect(copied.stdout).toMatch(/submissions: 1 \(.*done 1/);
  });

  it('is listed in --help', async () => {
    const r = await h.cli(['tracker', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('copy-to-postgres');
    expect((await h.cli(['--help'])).stdout).toContain('tracker');
  });
});
