// The chaos driver both chaos tests share (requests, and issues in a plain project): many runs of
// the real CLI while rows arrive, each with random Jira faults, a random fail point or a `kill -9`
// at an arbitrary instant, then runs until quiet; whatever happened, every submission must end
// with exactly one ticket and one attachment. Only the faults, the rows and the settings differ.
// CHAOS_SUBMISSIONS / CHAOS_RUNS / CHAOS_SEED change the size and replay a failing seed.
import { spawn } from 'node:child_process';
import { expect } from 'vitest';
import { FAIL_POINTS, type FailPoint } from '../../src/failpoints.js';
import { startFakeJira, type Fault } from './fakeJira/index.js';
import { CLI, makeWorkspace } from './cli.js';
import { createTestDatabase, insertSubmissions, SUBMISSIONS_DDL, type SubmissionInput } from './db.js';
import { cliFor, expectExactlyOnce, GRACE_PASSED_MS, trackerStates } from './scenario.js';

export interface ChaosPlan {
  /** For the log line: "chaos", "issue-mode chaos". */
  name: string;
  /** The short version's size, for `npm test`; CHAOS_SUBMISSIONS / CHAOS_RUNS override it. */
  submissions: number;
  runs: number;
  faults: Fault[];
  row: (i: number) => SubmissionInput;
  /** Where the first run dies, so every seed (also a short one) has at least one kill -9. */
  firstFailPoint: FailPoint;
  /** Settings beside the workspace's own (the target, for issue mode). */
  env?: Record<string, string>;
}

export function chaosSize(plan: Pick<ChaosPlan, 'submissions' | 'runs'>): { submissions: number; runs: number; seed: number } {
  return {
    submissions: Number(process.env.CHAOS_SUBMISSIONS ?? plan.submissions),
    runs: Number(process.env.CHAOS_RUNS ?? plan.runs),
    seed: Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000),
  };
}

// mulberry32: a small seeded PRNG, so a failing seed can be replayed exactly.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One run, killed with SIGKILL after `killAfterMs` if given. */
function runAndMaybeKill(env: Record<string, string>, args: string[], killAfterMs?: number): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'ignore' });
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

export async function runChaos(plan: ChaosPlan, size = chaosSize(plan)): Promise<void> {
  const { submissions: SUBMISSIONS, runs: RUNS, seed: SEED } = size;
  const db = await createTestDatabase();
  const jira = await startFakeJira({ auth: { email: 'robot@example.com', apiToken: 'test-token-s3cr3t' } });
  const ws = makeWorkspace({ databaseUrl: db.url, jiraUrl: jira.url, extra: { ...plan.env, MAX_ATTEMPTS: '100', JIRA_RETRY_BUDGET_SECONDS: '10' } });
  try {
    await db.client.query(SUBMISSIONS_DDL);
    const random = prng(SEED);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    // Rows arrive while the runs go on, as they do in production.
    const rows = Array.from({ length: SUBMISSIONS }, (_, i) => plan.row(i));
    const cli = cliFor(ws);
    expect((await insertSubmissions(db.client, rows.slice(0, 20))).length).toBe(Math.min(20, SUBMISSIONS));
    expect((await cli(['map-fields'])).code).toBe(0);
    let inserted = Math.min(20, SUBMISSIONS);
    const seen = { killed: 0, failpoints: 0, faults: 0 };

    for (let run = 1; run <= RUNS; run++) {
      if (inserted < SUBMISSIONS) {
        const n = Math.min(SUBMISSIONS - inserted, 1 + Math.floor(random() * 20));
        await insertSubmissions(db.client, rows.slice(inserted, inserted + n));
        inserted += n;
      }
      // The first run always dies at a fail point, with no fault before it; the rest is left to chance.
      const first = run === 1;
      const faults = first ? 0 : Math.floor(random() * 4);
      for (let f = 0; f < faults; f++) jira.injectFault(pick(plan.faults));
      seen.faults += faults;
      const env: Record<string, string> = { ...ws.env, JIRA_SYNC_CLOCK_OFFSET_MS: String(run * GRACE_PASSED_MS), BATCH_SIZE: String(10 + Math.floor(random() * 30)) };
      const mode = first ? 0 : random();
      let killAfter: number | undefined;
      if (first) {
        env.JIRA_SYNC_FAILPOINT = plan.firstFailPoint;
        seen.failpoints++;
      } else if (mode < 0.3) {
        env.JIRA_SYNC_FAILPOINT = pick(FAIL_POINTS);
        env.JIRA_SYNC_FAILPOINT_HIT = String(1 + Math.floor(random() * 5));
        seen.failpoints++;
      } else if (mode < 0.6) {
        killAfter = 150 + Math.floor(random() * 1500);
      }
      const r = await runAndMaybeKill(env, ['run', '--concurrency', String(1 + Math.floor(random() * 4))], killAfter);
      if (r.signal === 'SIGKILL') seen.killed++;
      else expect([0, 1, 3], `run ${run} exit code`).toContain(r.code);
    }
    if (inserted < SUBMISSIONS) await insertSubmissions(db.client, rows.slice(inserted));

    // Runs until quiet: no faults are injected from here, but leftovers may still fire.
    let quiet = false;
    for (let run = RUNS + 1; run <= RUNS + 40 && !quiet; run++) {
      const r = await cli(['run', '--batch-size', '100'], { JIRA_SYNC_CLOCK_OFFSET_MS: String(run * GRACE_PASSED_MS) });
      quiet = r.code === 0 && r.stderr.includes('created 0, skipped 0, failed 0') && trackerStates(ws).done === SUBMISSIONS;
    }
    console.log(`${plan.name} seed ${SEED}: ${seen.killed} kills (${seen.failpoints} at fail points), ${seen.faults} faults injected`);
    expect(quiet).toBe(true);
    expect(seen.killed).toBeGreaterThan(0);
    await expectExactlyOnce(db, jira, ws, SUBMISSIONS);
  } finally {
    await jira.close();
    ws.cleanup();
    await db.drop();
  }
}
