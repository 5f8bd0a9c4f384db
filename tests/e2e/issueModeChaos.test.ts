// Chaos in issue mode, as chaos.test.ts does it for requests: many runs of the real CLI against a
// plain project, with random faults on the issue API, random fail points and random `kill -9`,
// then runs until quiet. Every submission must end with exactly one issue and one attachment.
// In `npm test` a short version (24 submissions, 6 runs); `npm run test:slow` runs 200 over 30.
// CHAOS_SUBMISSIONS / CHAOS_RUNS / CHAOS_SEED change the size and replay a failing seed.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAIL_POINTS } from '../../src/failpoints.js';
import { startFakeJira, type Fault, type FakeJira } from '../support/fakeJira/index.js';
import { CLI, makeWorkspace, type Workspace } from '../support/cli.js';
import { createTestDatabase, insertSubmissions, SUBMISSIONS_DDL, type TestDatabase } from '../support/db.js';
import { ISSUE_MODE, issueRow } from '../support/issueMode.js';
import { cliFor, expectExactlyOnce, GRACE_PASSED_MS, trackerStates } from '../support/scenario.js';

const SUBMISSIONS = Number(process.env.CHAOS_SUBMISSIONS ?? 24);
const RUNS = Number(process.env.CHAOS_RUNS ?? 6);
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);

// mulberry32, as in chaos.test.ts: a failing seed replays exactly.
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

const CREATE = '/rest/api/3/issue';
const ATTACH = /^\/rest\/api\/3\/issue\/ITS-\d+\/attachments$/;
const FAULTS: Fault[] = [
  { match: { method: 'POST', path: CREATE }, kind: 'status', status: 429, headers: { 'Retry-After': '1' } },
  { match: { method: 'POST', path: CREATE }, kind: 'status', status: 503 },
  { match: { method: 'POST', path: CREATE }, kind: 'drop-after-effect' },
  { match: { method: 'POST', path: CREATE }, kind: 'status-after-effect', status: 504 },
  { match: { method: 'POST', path: ATTACH }, kind: 'drop' },
  { match: { method: 'POST', path: ATTACH }, kind: 'drop-after-effect' },
  { match: { method: 'POST', path: ATTACH }, kind: 'status-after-effect', status: 502 },
  { match: { method: 'GET', path: /^\/rest\/api\/3\/issue\/ITS-\d+$/ }, kind: 'status', status: 502 },
  { match: { method: 'POST', path: /search/ }, kind: 'status', status: 429, headers: { 'Retry-After': '1' } },
  { match: { method: 'GET', path: '/rest/api/3/project/ITS' }, kind: 'status', status: 503, headers: { 'Retry-After': '1' } },
];

let db: TestDatabase;
let jira: FakeJira;
let ws: Workspace;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.client.query(SUBMISSIONS_DDL);
  jira = await startFakeJira({ auth: { email: 'robot@example.com', apiToken: 'test-token-s3cr3t' } });
  ws = makeWorkspace({ databaseUrl: db.url, jiraUrl: jira.url, extra: { ...ISSUE_MODE, MAX_ATTEMPTS: '100', JIRA_RETRY_BUDGET_SECONDS: '10' } });
});
afterAll(async () => {
  await jira.close();
  ws.cleanup();
  await db.drop();
});

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

describe(`issue-mode chaos (seed ${SEED}: ${RUNS} runs over ${SUBMISSIONS} submissions)`, () => {
  it('ends with exactly one issue and one attachment per submission, nothing lost', { timeout: 600_000 }, async () => {
    const random = prng(SEED);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const rows = Array.from({ length: SUBMISSIONS }, (_, i) => issueRow(i));
    const cli = cliFor(ws);
    await insertSubmissions(db.client, rows.slice(0, 20));
    expect((await cli(['map-fields'])).code).toBe(0);
    let inserted = 20;
    const seen = { killed: 0, faults: 0 };

    for (let run = 1; run <= RUNS; run++) {
      if (inserted < SUBMISSIONS) {
        const n = Math.min(SUBMISSIONS - inserted, 1 + Math.floor(random() * 20));
        await insertSubmissions(db.client, rows.slice(inserted, inserted + n));
        inserted += n;
      }
      const first = run === 1;
      const faults = first ? 0 : Math.floor(random() * 4);
      for (let f = 0; f < faults; f++) jira.injectFault(pick(FAULTS));
      seen.faults += faults;
      const env: Record<string, string> = { ...ws.env, JIRA_SYNC_CLOCK_OFFSET_MS: String(run * GRACE_PASSED_MS), BATCH_SIZE: String(10 + Math.floor(random() * 30)) };
      const mode = first ? 0 : random();
      let killAfter: number | undefined;
      if (first) env.JIRA_SYNC_FAILPOINT = 'after-create-sent';
      else if (mode < 0.3) {
        env.JIRA_SYNC_FAILPOINT = pick(FAIL_POINTS);
        env.JIRA_SYNC_FAILPOINT_HIT = String(1 + Math.floor(random() * 5));
      } else if (mode < 0.6) killAfter = 150 + Math.floor(random() * 1500);
      const r = await runAndMaybeKill(env, ['run', '--concurrency', String(1 + Math.floor(random() * 4))], killAfter);
      if (r.signal === 'SIGKILL') seen.killed++;
      else expect([0, 1, 3], `run ${run} exit code`).toContain(r.code);
    }
    if (inserted < SUBMISSIONS) await insertSubmissions(db.client, rows.slice(inserted));

    let quiet = false;
    for (let run = RUNS + 1; run <= RUNS + 40 && !quiet; run++) {
      const r = await cli(['run', '--batch-size', '100'], { JIRA_SYNC_CLOCK_OFFSET_MS: String(run * GRACE_PASSED_MS) });
      quiet = r.code === 0 && r.stderr.includes('created 0, skipped 0, failed 0') && trackerStates(ws).done === SUBMISSIONS;
    }
    console.log(`issue-mode chaos seed ${SEED}: ${seen.killed} kills, ${seen.faults} faults injected`);
    expect(quiet).toBe(true);
    expect(seen.killed).toBeGreaterThan(0);
    await expectExactlyOnce(db, jira, ws, SUBMISSIONS);
  });
});
