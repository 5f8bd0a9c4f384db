// Crash safety, proved with real processes: the CLI kills itself (SIGKILL) at each named fail
// point, or the fake Jira misbehaves, and later runs must still leave exactly one ticket with
// exactly one attachment per submission.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RunLock } from '../../src/adapters/tracker/lock.js';
import { FAIL_POINTS } from '../../src/failpoints.js';
import { startFakeJira, type FakeJira, type FakeJiraOptions } from '../support/fakeJira/index.js';
import { makeWorkspace, runCli, CLI, type Workspace } from '../support/cli.js';
import { createTestDatabase, insertSubmissions, sampleSubmission, SUBMISSIONS_DDL, type TestDatabase } from '../support/db.js';
import { cliFor, eventually, expectExactlyOnce, GRACE_PASSED_MS, trackerStates } from '../support/scenario.js';
import { spawn } from 'node:child_process';

let db: TestDatabase;
let jira: FakeJira;
let ws: Workspace;
let cli: ReturnType<typeof cliFor>;
const AUTH = { email: 'robot@example.com', apiToken: 'test-token-s3cr3t' };

beforeAll(async () => {
  db = await createTestDatabase();
  await db.client.query(SUBMISSIONS_DDL);
});
afterAll(async () => db.drop());
afterEach(async () => {
  await jira.close();
  ws.cleanup();
});

async function setup(rows: number, fake: FakeJiraOptions = {}): Promise<void> {
  await db.client.query('TRUNCATE webform_submissions RESTART IDENTITY');
  jira = await startFakeJira({ auth: AUTH, ...fake });
  ws = makeWorkspace({ databaseUrl: db.url, jiraUrl: jira.url });
  cli = cliFor(ws);
  await insertSubmissions(db.client, Array.from({ length: rows }, (_, i) => sampleSubmission(i)));
  expect((await cli(['map-fields'])).code).toBe(0);
}
const posts = (path: string) => jira.requests.filter((r) => r.method === 'POST' && r.path === path);
const CREATE = '/rest/servicedeskapi/request';

describe('kill -9 at each fail point', () => {
  beforeEach(() => undefined);
  for (const point of FAIL_POINTS) {
    it(`${point}: the next runs finish the job with exactly one ticket and one attachment`, async () => {
      await setup(3);
      const killed = await cli(['run', '--concurrency', '1'], { JIRA_SYNC_FAILPOINT: point });
      expect(killed.signal).toBe('SIGKILL');
      if (point !== 'after-claim') await eventually(() => jira.issues.length === 1);
      expect(jira.issues).toHaveLength(point === 'after-claim' ? 0 : 1);

      // Right after the crash, within the grace period: nothing may be created twice.
      const soon = await cli(['run']);
      expect([0, 1]).toContain(soon.code);
      // After the grace period (injected clock): everything settles.
      const later = await cli(['run'], { JIRA_SYNC_CLOCK_OFFSET_MS: String(GRACE_PASSED_MS) });
      expect(later.code, later.stderr).toBe(0);
      await expectExactlyOnce(db, jira, ws, 3);
      expect(posts(CREATE).filter((r) => r.status === 201)).toHaveLength(3);
    });
  }

  it('after-claim: within the grace period the claimed submission is left alone, then created once', async () => {
    await setup(2);
    expect((await cli(['run', '--concurrency', '1'], { JIRA_SYNC_FAILPOINT: 'after-claim' })).signal).toBe('SIGKILL');
    const soon = await cli(['run']);
    expect(soon.code).toBe(0);
    expect(soon.stderr).toContain('created 1, skipped 1');
    expect(trackerStates(ws)).toEqual({ creating: 1, done: 1 });
    await cli(['run'], { JIRA_SYNC_CLOCK_OFFSET_MS: String(GRACE_PASSED_MS) });
    await expectExactlyOnce(db, jira, ws, 2);
  });
});

describe('Jira faults', () => {
  it('429 with Retry-After: waits once, then every submission goes through once', async () => {
    await setup(3);
    jira.injectFault({ match: { method: 'POST', path: CREATE }, kind: 'status', status: 429, headers: { 'Retry-After': '1' }, body: { errorMessages: ['Rate limit exceeded.'] } });
    const r = await cli(['run']);
    expect(r.code, r.stderr).toBe(0);
    const creates = posts(CREATE);
    expect(creates.map((c) => c.status).sort()).toEqual([201, 201, 201, 429]);
    const limited = creates.find((c) => c.status === 429)!;
    // Creates already in flight may land at once; the limited one is retried after Retry-After.
    expect(Math.max(...creates.filter((c) => c.status === 201).map((c) => c.at)) - limited.at).toBeGreaterThanOrEqual(900);
    await expectExactlyOnce(db, jira, ws, 3);
  });

  it('503 on the create is not retried blindly: the next run searches, finds nothing, creates once', async () => {
    await setup(2);
    jira.injectFault({ match: { method: 'POST', path: CREATE }, kind: 'status', status: 503, body: { errorMessage: 'Service unavailable' } });
    const first = await cli(['run', '--concurrency', '1']);
    expect(first.code).toBe(1);
    expect(jira.issues).toHaveLength(1);
    const second = await cli(['run'], { JIRA_SYNC_CLOCK_OFFSET_MS: String(GRACE_PASSED_MS) });
    expect(second.code, second.stderr).toBe(0);
    await expectExactlyOnce(db, jira, ws, 2);
  });

  for (const fault of [{ kind: 'drop-after-effect' as const }, { kind: 'status-after-effect' as const, status: 504, body: 'Gateway Timeout' }]) {
    it(`a create whose answer is lost (${fault.kind}) is adopted by marker, never created again`, async () => {
      await setup(2);
      jira.injectFault({ match: { method: 'POST', path: CREATE }, ...fault });
      const first = await cli(['run', '--concurrency', '1']);
      expect(first.code).toBe(1);
      expect(jira.issues).toHaveLength(2);
      const second = await cli(['run']);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stderr).toContain('created 1');
      await expectExactlyOnce(db, jira, ws, 2);
      expect(posts(CREATE)).toHaveLength(2);
    });
  }

  it('search index lag: "not found" within the grace period creates nothing; once visible, it is adopted', async () => {
    // Long enough that the next run's search, a CLI start-up later on a busy machine, still misses it.
    await setup(1, { searchLagMs: 5000 });
    jira.injectFault({ match: { method: 'POST', path: CREATE }, kind: 'drop-after-effect' });
    expect((await cli(['run'])).code).toBe(1);
    const createdAt = Date.now();
    const blind = await cli(['run']);
    expect(blind.stderr).toContain('created 0, skipped 1');
    expect(jira.issues).toHaveLength(1);
    await new Promise((r) => setTimeout(r, Math.max(0, createdAt + 5100 - Date.now())));
    // Visible now, but not looked for again before the grace period ends: a submission waiting
    // for recovery takes no new row's place in a batch.
    expect((await cli(['run'])).stderr).toContain('created 0, skipped 0');
    expect(jira.issues[0]?.attachments).toHaveLength(0);
    expect((await cli(['run'], { JIRA_SYNC_CLOCK_OFFSET_MS: String(GRACE_PASSED_MS) })).code).toBe(0);
    await expectExactlyOnce(db, jira, ws, 1);
  });

  it('503 with Retry-After on an attachment upload pauses and continues', async () => {
    await setup(2);
    jira.injectFault({ match: { method: 'POST', path: /attachTemporaryFile$/ }, kind: 'status', status: 503, headers: { 'Retry-After': '1' } });
    const r = await cli(['run']);
    expect(r.code, r.stderr).toBe(0);
    await expectExactlyOnce(db, jira, ws, 2);
  });
});

describe('overlapping runs', () => {
  it('with the lock bypassed, two runs at once still make one create per submission', async () => {
    await setup(20, { latencyMs: 20 });
    const env = { JIRA_SYNC_UNSAFE_NO_LOCK: '1' };
    const [a, b] = await Promise.all([cli(['run'], env), cli(['run'], env)]);
    expect([a.code, b.code], `${a.stderr}\n${b.stderr}`).toEqual([0, 0]);
    await cli(['run'], { JIRA_SYNC_CLOCK_OFFSET_MS: String(GRACE_PASSED_MS) });
    expect(posts(CREATE)).toHaveLength(20);
    await expectExactlyOnce(db, jira, ws, 20);
  });

  it('a second run exits 4 naming the holder; after the holder is killed with -9 the next run proceeds', async () => {
    await setup(3, { latencyMs: 400 });
    const holder = spawn(process.execPath, [CLI, 'run', '--concurrency', '1'], { env: { PATH: process.env.PATH ?? '', ...ws.env }, stdio: 'ignore' });
    const lockPath = RunLock.lockPathFor(ws.trackerPath);
    await eventually(() => {
      try {
        return RunLock.currentHolder(lockPath) !== null;
      } catch {
        return false;
      }
    }, 10_000);
    const second = await cli(['run']);
    expect(second.code).toBe(4);
    expect(second.stderr).toMatch(new RegExp(`holds the lock \\(run [0-9a-f-]+, pid ${holder.pid} on `));
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    jira.setLatency(0);
    const after = await runCli(['run'], { env: { ...ws.env, JIRA_SYNC_CLOCK_OFFSET_MS: String(GRACE_PASSED_MS) } });
    expect(after.code, after.stderr).toBe(0);
    await expectExactlyOnce(db, jira, ws, 3);
  });
});
