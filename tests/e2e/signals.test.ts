// Stopping a run from outside, through the real CLI: SIGTERM/SIGINT mid-run (the fake Jira is
// slow, so the signal lands while submissions are in flight) and kill -9. A stopped run leaves
// every submission in a committed state, frees the lock, says so, and the next run finishes
// the job with no duplicate; a killed run still shows its true counts in `status`.
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { RunLock } from '../../src/adapters/tracker/lock.js';
import { startCli } from '../support/cli.js';
import { useCliHarness } from '../support/harness.js';
import { GRACE_PASSED_MS, eventually, expectExactlyOnce, trackerStates } from '../support/scenario.js';

const h = useCliHarness({ fake: { latencyMs: 250 } });
const CREATE = '/rest/servicedeskapi/request';
const creates = () => h.jira.requests.filter((r) => r.method === 'POST' && r.path === CREATE);

async function prepare(rows: number): Promise<void> {
  await h.seed(rows);
  expect((await h.cli(['map-fields'])).code).toBe(0);
}

function lockIsFree(): boolean {
  const lockPath = RunLock.lockPathFor(h.ws.trackerPath);
  return RunLock.currentHolder(lockPath) === null && !fs.existsSync(`${lockPath}.holder.json`);
}

for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
  it(`${signal} mid-run: in-flight submissions finish, the rest wait, exit ${code}, "interrupted", lock free; the next run finishes with no duplicate`, async () => {
    await prepare(10);
    const run = startCli(['run', '--concurrency', '2'], { env: h.ws.env, timeoutMs: 30_000 });
    await eventually(() => creates().length >= 3, 15_000);
    run.child.kill(signal);
    const r = await run.done;
    expect(r.signal, r.stderr).toBeNull();
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toMatch(new RegExp(`interrupted by ${signal}`));

    // Every row the run touched reached a committed state: none is left mid-way.
    const states = trackerStates(h.ws);
    expect(states.creating ?? 0).toBe(0);
    expect(states.created ?? 0).toBe(0);
    expect(states.attached ?? 0).toBe(0);
    expect(states.done ?? 0).toBe(h.jira.issues.length);
    expect(h.jira.issues.length).toBeLessThan(10);
    expect(lockIsFree()).toBe(true);
    const summary = fs.readFileSync(path.join(h.ws.logDir, 'summary.log'), 'utf8').trim().split('\n');
    expect(summary.at(-1)).toMatch(new RegExp(`created ${h.jira.issues.length}, .*interrupted by ${signal}`));
    const status = JSON.parse((await h.cli(['status', '--json'])).stdout) as { runs: { exitCode: number; created: number; note: string }[] };
    expect(status.runs[0]).toMatchObject({ exitCode: code, created: h.jira.issues.length });

    h.jira.setLatency(0);
    const next = await h.cli(['run']);
    expect(next.code, next.stderr).toBe(0);
    await expectExactlyOnce(h.db, h.jira, h.ws, 10);
  });
}

it('a run killed with -9 mid-way still shows its true counts in status', async () => {
  await prepare(8);
  const run = startCli(['run', '--concurrency', '1'], { env: h.ws.env, timeoutMs: 30_000 });
  await eventually(() => (trackerStates(h.ws).done ?? 0) >= 3, 15_000);
  run.child.kill('SIGKILL');
  expect((await run.done).signal).toBe('SIGKILL');
  const done = trackerStates(h.ws).done ?? 0;
  expect(done).toBeGreaterThanOrEqual(3);

  const status = await h.cli(['status', '--json']);
  const runs = (JSON.parse(status.stdout) as { runs: { exitCode: number | null; created: number; endedAt: string | null }[] }).runs;
  expect(runs[0]).toMatchObject({ exitCode: null, endedAt: null, created: done });
});

it('a second SIGTERM ends the wait at once: exit 143, lock free, and the next run resumes the submission left in flight', async () => {
  await prepare(3);
  h.jira.setLatency(4000);
  const run = startCli(['run', '--concurrency', '1'], { env: h.ws.env, timeoutMs: 30_000 });
  await eventually(() => creates().length >= 1, 15_000);
  run.child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  const second = Date.now();
  run.child.kill('SIGTERM');
  const r = await run.done;
  expect(Date.now() - second).toBeLessThan(2500);
  expect(r.code, r.stderr).toBe(143);
  expect(r.stderr).toMatch(/interrupted by SIGTERM.*did not wait/);
  expect(lockIsFree()).toBe(true);

  h.jira.setLatency(0);
  await eventually(() => h.jira.issues.length === 1, 10_000);
  const next = await h.cli(['run'], { JIRA_SYNC_CLOCK_OFFSET_MS: String(GRACE_PASSED_MS) });
  expect(next.code, next.stderr).toBe(0);
  await expectExactlyOnce(h.db, h.jira, h.ws, 3);
});

it('a run killed right after a submission is done counts it: the count is committed with the transition', async () => {
  await prepare(5);
  // The third `done` commits, then the process dies before the orchestrator records its progress.
  const killed = await h.cli(['run', '--concurrency', '1'], { JIRA_SYNC_FAILPOINT: 'after-done', JIRA_SYNC_FAILPOINT_HIT: '3' });
  expect(killed.signal).toBe('SIGKILL');
  expect(trackerStates(h.ws).done ?? 0).toBe(3);
  const runs = (JSON.parse((await h.cli(['status', '--json'])).stdout) as { runs: { exitCode: number | null; created: number }[] }).runs;
  expect(runs[0]).toMatchObject({ exitCode: null, created: 3 });
});
