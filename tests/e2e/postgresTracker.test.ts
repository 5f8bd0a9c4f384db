// The tracker in PostgreSQL (TRACKER_DATABASE_URL), through the real CLI: a run keeps nothing
// under TRACKER_PATH, status reads the same tracker, the run lock is a PostgreSQL advisory
// lock that a second run meets (exit 4, naming the holder's run, pid and host), and a holder
// killed with -9 releases it without anyone's help.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { PgRunLock } from '../../src/adapters/tracker/postgres/runLock.js';
import { PostgresTrackerStore } from '../../src/adapters/tracker/postgres/store.js';
import { useCliHarness } from '../support/harness.js';
import { unwrap } from '../support/text.js';

const h = useCliHarness();
const DIST_LOCK = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/adapters/tracker/postgres/runLock.js');
// The harness empties the source table between tests, so each test gets a tracker schema of its own.
let schema = 'jira_sync';
beforeEach(() => {
  schema = `jira_sync_${Math.random().toString(36).slice(2, 8)}`;
});
const pgEnv = () => ({ TRACKER_DATABASE_URL: h.db.url, TRACKER_SCHEMA: schema });
/** The tracker schema, as the first run creates it. */
const createSchema = async () => (await PostgresTrackerStore.open({ url: h.db.url, schema, now: () => new Date() })).close();

/** A process on its own that takes the run lock and keeps it until killed. */
async function lockHolder(runId: string): Promise<{ pid: number; kill9(): Promise<void> }> {
  const code = `import { PgRunLock } from ${JSON.stringify(DIST_LOCK)};
    await PgRunLock.acquire(${JSON.stringify(h.db.url)}, ${JSON.stringify(schema)}, { runId: ${JSON.stringify(runId)}, startedAt: '2026-11-23T09:00:00.000Z' });
    console.log('held'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
    child.on('exit', (c) => reject(new Error(`lock holder exited with ${c}`)));
  });
  return {
    pid: child.pid as number,
    kill9: () => new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    }),
  };
}

describe('the tracker in PostgreSQL', () => {
  it('runs create each submission once, keep nothing under TRACKER_PATH, and status reads the same tracker', async () => {
    await h.seed(3);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    const first = await h.cli(['run'], pgEnv());
    expect(first.code, first.stderr).toBe(0);
    expect(h.jira.issues).toHaveLength(3);
    for (const issue of h.jira.issues) expect(issue.attachments).toHaveLength(1);
    const again = await h.cli(['run'], pgEnv());
    expect(again.code, again.stderr).toBe(0);
    expect(h.jira.issues).toHaveLength(3);
    // Nothing on disk: no tracker file, no lock file, no high-water mark.
    expect(fs.existsSync(path.dirname(h.ws.trackerPath))).toBe(false);
    const states = (await h.db.client.query<{ state: string; n: number }>(`SELECT state, count(*)::int AS n FROM ${schema}.submissions GROUP BY state`)).rows;
    expect(states).toEqual([{ state: 'done', n: 3 }]);
    const status = JSON.parse((await h.cli(['status', '--json'], pgEnv())).stdout) as { tracker: string; counts: Record<string, number>; runs: unknown[]; lock: { held: boolean } };
    expect(status).toMatchObject({ tracker: `PostgreSQL, schema ${schema}`, counts: { done: 3 }, lock: { held: false } });
    expect(status.runs).toHaveLength(2);
  });

  it('doctor checks the tracker database, its schema version and privileges, and the lock', async () => {
    await h.seed(1);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    const before = await h.cli(['doctor'], pgEnv());
    expect(before.stdout + before.stderr).toContain(`schema ${schema} does not exist yet; the first run creates it`);
    expect((await h.cli(['run'], pgEnv())).code).toBe(0);
    const after = await h.cli(['doctor'], pgEnv());
    expect(after.code, after.stdout + after.stderr).toBe(0);
    expect(after.stdout + after.stderr).toMatch(new RegExp(`PostgreSQL, schema ${schema} \\(version \\d+\\), writable`));
    const down = await h.cli(['doctor'], { ...pgEnv(), TRACKER_DATABASE_URL: 'postgres://u:tr-secret-8@127.0.0.1:1/x' });
    expect(down.code).not.toBe(0);
    expect(down.stdout + down.stderr).toContain('cannot connect to the PostgreSQL tracker (TRACKER_DATABASE_URL)');
    expect(down.stdout + down.stderr).not.toContain('tr-secret-8');
  });

  it('a second run meets the lock: exit 4 naming the holder, and status shows it held', async () => {
    await h.seed(1);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    await createSchema(); // the holder row lives in it; status and other read-only commands do not create it
    const lock = await PgRunLock.acquire(h.db.url, schema, { runId: 'run-held-by-test', startedAt: '2026-11-23T09:15:00.000Z' });
    try {
      const refused = await h.cli(['run'], pgEnv());
      expect(refused.code).toBe(4);
      expect(refused.stderr).toContain(`run run-held-by-test, pid ${process.pid} on ${os.hostname()}`);
      expect(h.jira.issues).toHaveLength(0);
      const status = await h.cli(['status'], pgEnv());
      expect(status.stdout).toContain('Run lock: held by run run-held-by-test');
    } finally {
      await lock.release();
    }
    expect((await h.cli(['status'], pgEnv())).stdout).toContain('Run lock: free');
    expect((await h.cli(['run'], pgEnv())).code).toBe(0);
    expect(h.jira.issues).toHaveLength(1);
  });

  it('a holder killed with -9 releases the lock: the next run goes ahead', async () => {
    await h.seed(2);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    await createSchema();
    const holder = await lockHolder('run-doomed');
    const refused = await h.cli(['run'], pgEnv());
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain(`run run-doomed, pid ${holder.pid} on ${os.hostname()}`);
    await holder.kill9();
    let after = await h.cli(['run'], pgEnv());
    // PostgreSQL ends the session once it sees the connection gone; allow it a moment.
    for (let i = 0; i < 10 && after.code === 4; i++) {
      await new Promise((r) => setTimeout(r, 200));
      after = await h.cli(['run'], pgEnv());
    }
    expect(after.code, after.stderr).toBe(0);
    expect(h.jira.issues).toHaveLength(2);
  });
});

describe('a PostgreSQL tracker set up by a DBA', () => {
  it('doctor names each privilege a run needs (every table, every sequence), and a run works with exactly those', async () => {
    await h.seed(1);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    await createSchema();
    const role = `trk_user_${Date.now()}`;
    await h.db.client.query(`CREATE ROLE ${role} LOGIN; GRANT SELECT ON webform_submissions TO ${role}`);
    const url = new URL(h.db.url);
    url.username = role;
    const env = { DATABASE_URL: url.toString(), TRACKER_DATABASE_URL: url.toString(), TRACKER_SCHEMA: schema };
    const trackerLine = async () => unwrap((await h.cli(['doctor'], env)).stdout).split('\n').find((l) => /^\S+ +tracker:/.test(l)) ?? '(no tracker line)';
    try {
      // SELECT alone used to pass: has_table_privilege with a list is true when any one is held.
      await h.db.client.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}; GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
      expect(await trackerLine()).toMatch(/^FAIL tracker: this user lacks SELECT, INSERT, UPDATE, DELETE on every table/);
      await h.db.client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
      expect(await trackerLine()).toMatch(/^FAIL tracker: this user lacks USAGE on every sequence/);
      // A run without them stops in one line that says where to look, not with a stack.
      const refused = await h.cli(['run'], env);
      expect(refused.code).toBe(3);
      expect(refused.stderr).not.toContain('unexpected error');
      expect(refused.stderr).toMatch(/tracker: the PostgreSQL tracker \(TRACKER_DATABASE_URL, schema \S+\) refuses this user: permission denied for sequence runs_seq_seq; `jira-sync doctor` names the privileges a run needs/);
      await h.db.client.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role}`);
      expect(await trackerLine()).toMatch(/^ok +tracker: PostgreSQL, schema \S+ \(version \d+\), writable/);
      const run = await h.cli(['run'], env);
      expect(run.code, run.stderr).toBe(0);
    } finally {
      await h.db.client.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
    }
  });
});
