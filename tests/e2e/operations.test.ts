// The operator's side of the job through the real CLI: `status`, `retry`, the log files,
// redaction of secrets everywhere, and webhook alerts. `doctor` has its own file (doctor.test.ts).
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunLock } from '../../src/adapters/tracker/lock.js';
import { insertSubmissions, sampleSubmission } from '../support/db.js';
import { DOWN, EMAIL, TOKEN, logFiles, trackerRows, useCliHarness, webhookReceiver } from '../support/harness.js';

const h = useCliHarness();
const REJECTED = 'Email address: the address is not valid for this service desk';
const rejectNextCreate = () =>
  h.jira.injectFault({ match: { method: 'POST', path: '/rest/servicedeskapi/request' }, kind: 'status', status: 400, body: { errorMessage: REJECTED } });
const RETRY_DUE_MS = 16 * 60_000; // a failed submission's first retry comes 15 minutes later

/**
 * Jira rejects source id 1 until it is parked (MAX_ATTEMPTS=1). It should take one run; up to
 * three are allowed so the status and retry tests check their own output whatever the count
 * (the test 'MAX_ATTEMPTS=1 parks on the first rejection' checks the count).
 */
async function parkFirstSubmission(): Promise<number> {
  for (let run = 1; run <= 3; run++) {
    rejectNextCreate();
    const r = await h.cli(['run', '--concurrency', '1'], { MAX_ATTEMPTS: '1', JIRA_SYNC_CLOCK_OFFSET_MS: String((run - 1) * RETRY_DUE_MS) });
    expect(r.code, r.stderr).toBe(1);
    if (trackerRows(h.ws).find((t) => t.source_id === '1')?.state === 'parked') return run;
  }
  throw new Error('source id 1 was not parked after three rejections with MAX_ATTEMPTS=1');
}

describe('jira-sync status', () => {
  it('shows counts, runs, parked and failed submissions, cursor and backup, with PostgreSQL and Jira down', async () => {
    await h.seed(1);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    const parkingRuns = await parkFirstSubmission();
    await insertSubmissions(h.db.client, [sampleSubmission(1), sampleSubmission(2)]);
    rejectNextCreate();
    expect((await h.cli(['run', '--concurrency', '1'])).code).toBe(1); // source 2 failed (retried later), 3 created
    const attempts = trackerRows(h.ws).find((t) => t.source_id === '1')?.attempts;

    const text = await h.cli(['status'], DOWN);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/Submissions by state: .*done 1, failed 1, parked 1/);
    expect(text.stdout).toMatch(/Cursor: up to \S+ \(source id 3\)/);
    expect(text.stdout).toContain('Run lock: free');
    expect(text.stdout).toMatch(/Newest tracker backup: \d+(\.\d+)? h old/);
    expect(text.stdout).toMatch(/exit 1 {2}created 1, skipped 0, failed 1, parked 0 in \d+(\.\d+)? s/);
    expect(text.stdout).toMatch(/exit 1 {2}created 0, skipped 0, failed 0, parked 1 in \d+(\.\d+)? s/);
    expect(text.stdout).toMatch(new RegExp(`source id 1 {2}parked {2}attempts ${attempts}\\n {4}last error: .*${REJECTED}`));
    expect(text.stdout.replace(/\n +/g, ' ')).toContain("what to do: correct the row, then `jira-sync retry 1` (if the row is right, fix what Jira's message names: the request type's fields or permissions)");
    expect(text.stdout).toMatch(/source id 2 {2}failed {2}attempts 1 {2}next try \d{4}-\d\d-\d\dT/);

    const json = await h.cli(['status', '--json'], DOWN);
    expect(json.code, json.stderr).toBe(0);
    const s = JSON.parse(json.stdout) as {
      counts: Record<string, number>;
      runs: { created: number; failed: number; parked: number; exitCode: number; durationSeconds: number | null }[];
      attention: { sourceId: string; state: string; attempts: number; lastError: string; nextAttemptAt: string | null }[];
      cursor: { sourceId: string };
      lock: { held: boolean };
      newestBackup: { ageHours: number } | null;
    };
    expect(s.counts).toMatchObject({ done: 1, failed: 1, parked: 1 });
    expect(s.runs).toHaveLength(parkingRuns + 1);
    expect(s.runs.map((r) => [r.created, r.failed, r.parked, r.exitCode])).toContainEqual([1, 1, 0, 1]);
    expect(s.runs.filter((r) => r.parked === 1)).toHaveLength(1);
    for (const r of s.runs) expect(r.durationSeconds).toBeGreaterThanOrEqual(0);
    const parked = s.attention.find((a) => a.sourceId === '1');
    expect(parked).toMatchObject({ state: 'parked', attempts, nextAttemptAt: null });
    expect(parked?.lastError).toContain(REJECTED);
    const failed = s.attention.find((a) => a.sourceId === '2');
    expect(failed).toMatchObject({ state: 'failed', attempts: 1 });
    expect(Date.parse(failed?.nextAttemptAt ?? '')).toBeGreaterThan(Date.now());
    expect(s.cursor.sourceId).toBe('3');
    expect(s.lock.held).toBe(false);
    expect(s.newestBackup?.ageHours).toBeLessThan(1);
    expect(text.stdout + text.stderr + json.stdout + json.stderr).not.toContain('db-secret-pw');
  });

  it('names the run holding the lock, and says free once it lets go', async () => {
    fs.mkdirSync(path.dirname(h.ws.trackerPath), { recursive: true });
    const lock = RunLock.acquire(RunLock.lockPathFor(h.ws.trackerPath), { runId: 'run-held-by-test', startedAt: '2026-11-23T09:15:00.000Z' });
    try {
      const held = await h.cli(['status'], DOWN);
      expect(held.code, held.stderr).toBe(0);
      expect(held.stdout).toContain(`Run lock: held by run run-held-by-test, pid ${process.pid} on ${os.hostname()}, started 2026-11-23T09:15:00.000Z`);
      const json = JSON.parse((await h.cli(['status', '--json'], DOWN)).stdout) as { lock: { held: boolean; holder: string } };
      expect(json.lock).toMatchObject({ held: true });
      expect(json.lock.holder).toContain('run-held-by-test');
    } finally {
      lock.release();
    }
    expect((await h.cli(['status'], DOWN)).stdout).toContain('Run lock: free');
  });
});

describe('jira-sync retry', () => {
  it('re-queues a parked submission, says so, and the next run creates it', async () => {
    await h.seed(1);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    await parkFirstSubmission();
    // Parked means a person decides: a later run, even days later, leaves it alone.
    expect((await h.cli(['run'], { JIRA_SYNC_CLOCK_OFFSET_MS: String(3 * 86_400_000) })).code).toBe(0);
    expect(h.jira.issues).toHaveLength(0);

    const key = trackerRows(h.ws)[0]?.key ?? '';
    const r = await h.cli(['retry', '1'], DOWN);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`re-queued source id 1 (key ${key})`);
    expect(r.stdout).toContain('1 submission will be retried by the next run.');

    const next = await h.cli(['run']);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain('created 1, skipped 0, failed 0, parked 0');
    expect(h.jira.issues).toHaveLength(1);
    expect(trackerRows(h.ws).map((t) => t.state)).toEqual(['done']);
  });

  it('MAX_ATTEMPTS=1 parks a submission on its first rejection by Jira', async () => {
    await h.seed(1);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    rejectNextCreate();
    const r = await h.cli(['run'], { MAX_ATTEMPTS: '1' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('created 0, skipped 0, failed 0, parked 1');
    expect(trackerRows(h.ws).map((t) => [t.state, t.attempts])).toEqual([['parked', 1]]);
  });

  it('with nothing named, exits 2 and says what to name', async () => {
    const r = await h.cli(['retry'], DOWN);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('name the submissions to retry (their key or source id), or use --all');
  });

  it('ids together with --all is a usage error (exit 2), not a silent --all', async () => {
    const r = await h.cli(['retry', '1', '--all'], DOWN);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/usage: .*--all/);
    expect(r.stdout).toBe('');
  });
});

describe('log files', () => {
  it('has one file per module and summary.log; one submission is followed across them by its key and the runId', async () => {
    await h.seed(1);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    const run = await h.cli(['run'], { LOG_LEVEL: 'debug' });
    expect(run.code, run.stderr).toBe(0);
    const files = logFiles(h.ws);
    const modules = ['fetch_submissions', 'unique_key', 'tracker', 'field_mapping', 'create_ticket', 'attach_submission', 'main', 'audit'];
    expect(Object.keys(files).sort()).toEqual([...modules.map((m) => `${m}.log`), 'summary.log'].sort());

    const runId = /run (\S+) created 1/.exec(files['summary.log'] ?? '')?.[1] ?? 'no summary line';
    const key = trackerRows(h.ws)[0]?.key ?? 'no tracker row';
    // What `grep <key> logs/*.log` finds: JSON lines in every per-submission module, all of this run.
    const withKey = Object.entries(files).flatMap(([file, text]) =>
      text.split('\n').filter((l) => l.includes(key)).map((l) => ({ file, line: JSON.parse(l) as { key?: string; runId?: string; module?: string } })),
    );
    expect(new Set(withKey.map((w) => w.file))).toEqual(new Set(['unique_key.log', 'tracker.log', 'create_ticket.log', 'attach_submission.log', 'main.log']));
    for (const w of withKey) expect(w.line, w.file).toMatchObject({ key, runId, module: w.file.replace('.log', '') });
    expect(files['fetch_submissions.log']).toContain(`"runId":"${runId}"`);
  });
});

describe('secrets', () => {
  it('the API token and the database password appear in no log file, stdout or stderr, even when errors happen', async () => {
    // A password the server accepts: the test database's own, or (trust auth) one we add.
    const url = new URL(h.db.url);
    url.password ||= 'pg-Pass-7f3kq9';
    const dbPassword = decodeURIComponent(url.password);
    const env = { DATABASE_URL: url.toString(), LOG_LEVEL: 'trace' };
    const wrongToken = 'wrong-token-Zx81vv';
    await h.seed(3);
    const outputs = [await h.cli(['map-fields'], env), await h.cli(['run', '--dry-run'], env)];
    rejectNextCreate(); // Jira rejects one submission: it is parked and its error recorded
    outputs.push(await h.cli(['run', '--concurrency', '1'], { ...env, MAX_ATTEMPTS: '1' }));
    await insertSubmissions(h.db.client, [sampleSubmission(3)]); // new work, so the next runs call Jira
    outputs.push(
      await h.cli(['run'], { ...env, JIRA_API_TOKEN: wrongToken }),
      await h.cli(['run'], { ...env, DATABASE_URL: DOWN.DATABASE_URL }),
      await h.cli(['run'], env),
      await h.cli(['status'], env),
      await h.cli(['doctor'], { ...env, JIRA_API_TOKEN: wrongToken }),
      await h.cli(['doctor'], { ...env, DATABASE_URL: DOWN.DATABASE_URL }),
    );
    expect(outputs.map((o) => o.code)).toEqual([0, 0, 1, 3, 3, 0, 0, 3, 3]);
    const everything = [...outputs.flatMap((o) => [o.stdout, o.stderr]), ...Object.values(logFiles(h.ws))].join('\n');
    expect(everything).toContain('rejected the credentials'); // the errors did happen and were logged
    const basic = Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64');
    for (const secret of [TOKEN, wrongToken, dbPassword, 'db-secret-pw-9q2', basic]) expect(everything).not.toContain(secret);
  });
});

describe('alerts', () => {
  it('posts one alert for a problem that persists over three runs, and one when it clears', async () => {
    const hook = await webhookReceiver();
    try {
      await h.seed(1);
      expect((await h.cli(['map-fields'])).code).toBe(0);
      const env = { ALERT_WEBHOOK_URL: hook.url };
      for (let run = 1; run <= 3; run++) {
        expect((await h.cli(['run'], { ...env, JIRA_API_TOKEN: 'revoked-token-1' })).code).toBe(3);
        expect(hook.posts, `after failing run ${run}`).toHaveLength(1);
      }
      expect(hook.posts[0]?.text).toContain('PROBLEM: Runs stop: Jira is unavailable');
      expect(hook.posts[0]?.text).toContain('401');

      const fixed = await h.cli(['run'], env);
      expect(fixed.code, fixed.stderr).toBe(0);
      expect(hook.posts).toHaveLength(2);
      expect(hook.posts[1]?.text).toContain('RESOLVED: Runs stop: Jira is unavailable');
      expect(JSON.stringify(hook.posts)).not.toContain('revoked-token-1');
    } finally {
      await hook.close();
    }
  });
});
