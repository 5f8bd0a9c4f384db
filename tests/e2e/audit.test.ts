// `jira-sync audit` and the daily automatic audit, through the real CLI: a row whose
// transaction commits far behind the cursor (older than the look-back window) is never fetched
// by a run; the audit finds it, registers it, and the next run creates it exactly once.
import { describe, expect, it } from 'vitest';
import { RunLock } from '../../src/adapters/tracker/lock.js';
import { insertSubmissions, sampleSubmission } from '../support/db.js';
import { snapshot, trackerRows, useCliHarness, webhookReceiver } from '../support/harness.js';
import { expectExactlyOnce } from '../support/scenario.js';

const h = useCliHarness();
const DAY_MS = 24 * 3_600_000;

async function runOk(created: number, extra: Record<string, string> = {}): Promise<string> {
  const r = await h.cli(['run'], extra);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(new RegExp(`created ${created}, skipped 0, failed 0, parked 0`));
  return r.stderr;
}

/** Five rows processed, then a sixth committed now but stamped an hour before the first: behind the look-back window. */
async function lostRow(): Promise<string> {
  await h.seed(5);
  expect((await h.cli(['map-fields'])).code).toBe(0);
  await runOk(5);
  const [id] = await insertSubmissions(h.db.client, [sampleSubmission(9, { created_at: '2026-11-02T07:00:00Z' })]);
  await runOk(0); // what every run did before the audit: never fetched, exit 0
  await runOk(0);
  return String(id);
}

describe('jira-sync audit', () => {
  it('finds a row committed far behind the cursor, registers it, and the next run creates it once', async () => {
    const id = await lostRow();

    // SQLite leaves -wal/-shm beside a WAL database even when it opens it read-only (as status does).
    const files = () => Object.fromEntries(Object.entries(snapshot(h.ws.dir)).filter(([f]) => !/-(wal|shm)$/.test(f)));
    const before = files();
    const dry = await h.cli(['audit', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(1);
    expect(dry.stdout).toContain(`source id ${id}  2026-11-02T07:00:00.000000Z  never fetched (behind the cursor)`);
    expect(dry.stdout).toMatch(/1 source row checked, 1 row behind the cursor never fetched \(source id 6\)/);
    expect(dry.stdout).toContain('Dry run: nothing registered');
    expect(files()).toEqual(before);
    expect(trackerRows(h.ws).map((r) => r.source_id)).not.toContain(id);

    const real = await h.cli(['audit']);
    expect(real.code, real.stderr).toBe(1);
    expect(real.stdout).toContain(`source id ${id}`);
    expect(real.stdout).toContain('registered 1 for the next run');
    expect(trackerRows(h.ws).find((r) => r.source_id === id)?.state).toBe('pending');

    const again = await h.cli(['audit']);
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).toContain('1 source row checked, none missed');

    await runOk(1);
    await runOk(0);
    await expectExactlyOnce(h.db, h.jira, h.ws, 6);
    expect((await h.cli(['status'])).stdout).toMatch(/Last audit: \S+ \(command\): 1 source row checked, none missed/);
  });

  it('takes the run lock to write, and needs none for --dry-run', async () => {
    await lostRow();
    const lock = RunLock.acquire(RunLock.lockPathFor(h.ws.trackerPath), { runId: 'run-held-by-test', startedAt: '2026-11-23T09:15:00.000Z' });
    try {
      const held = await h.cli(['audit']);
      expect(held.code).toBe(4);
      expect(held.stderr).toContain('run-held-by-test');
      expect((await h.cli(['audit', '--dry-run'])).code).toBe(1);
    } finally {
      lock.release();
    }
    expect(trackerRows(h.ws)).toHaveLength(5);
  });

  it('the first run of each day audits by itself: the summary line says what it found and an alert goes out', async () => {
    const hook = await webhookReceiver();
    try {
      const env = { ALERT_WEBHOOK_URL: hook.url };
      await h.seed(5);
      expect((await h.cli(['map-fields'])).code).toBe(0);
      expect(await runOk(5, env)).toMatch(/; daily audit: \d+ source rows? checked, none missed/);
      const [id] = await insertSubmissions(h.db.client, [sampleSubmission(9, { created_at: '2026-11-02T07:00:00Z' })]);
      expect(await runOk(0, env)).not.toContain('daily audit'); // once a day only

      const tomorrow = { ...env, JIRA_SYNC_CLOCK_OFFSET_MS: String(DAY_MS) };
      const found = await runOk(0, tomorrow);
      expect(found).toContain(`; daily audit: 1 source row checked, 1 row behind the cursor never fetched (source id ${id}); registered 1 for the next run`);
      const alert = hook.posts.map((p) => p.text ?? p.content ?? '').join('\n');
      expect(alert).toContain('1 source row(s) were never fetched');
      expect(alert).toContain(`source ids ${id}`);

      await runOk(1, tomorrow);
      await runOk(0, tomorrow);
      await expectExactlyOnce(h.db, h.jira, h.ws, 6);
    } finally {
      await hook.close();
    }
  });
});
