// The recovery grace period, at its edges. A create whose answer was lost leaves the submission
// in `creating`; Jira's search index may lag, so "no ticket with this marker" is only believed
// once RECOVERY_GRACE_MINUTES have passed since that create call. One second before, the run
// searches, finds nothing and waits; one second after, it creates the request, once.
// The run is runSync in-process with an injected clock, so the configured minutes go through the
// same conversion as in production; PostgreSQL, the tracker file and the fake Jira (over HTTP) are real.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tracker } from '../../src/adapters/tracker/tracker.js';
import { mapFieldsCommand } from '../../src/commands/mapFields.js';
import { loadConfig, type ResolvedConfig } from '../../src/config.js';
import { runSync, type RunReport } from '../../src/run/sync.js';
import { connectSource, makeJira, makeLogging, openTracker } from '../../src/runtime.js';
import { startFakeJira, type FakeJira } from '../support/fakeJira/index.js';
import { makeWorkspace, type Workspace } from '../support/cli.js';
import { createTestDatabase, insertSubmissions, sampleSubmission, SUBMISSIONS_DDL, type TestDatabase } from '../support/db.js';

const GRACE_MINUTES = 7; // not the default, so the configured value is what counts
const GRACE_MS = GRACE_MINUTES * 60_000;
const T0 = Date.parse('2026-11-23T09:00:00.000Z');
const CREATE = '/rest/servicedeskapi/request';
const SEARCH = /\/rest\/api\/[23]\/search(\/jql)?$/;

let db: TestDatabase;
let jira: FakeJira;
let ws: Workspace;
let config: ResolvedConfig;
let clock = T0;
const now = () => new Date(clock);
let tracker: Tracker;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.client.query(SUBMISSIONS_DDL);
  await insertSubmissions(db.client, [sampleSubmission(0)]);
  jira = await startFakeJira({ auth: { email: 'robot@example.com', apiToken: 'test-token-s3cr3t' } });
  ws = makeWorkspace({ databaseUrl: db.url, jiraUrl: jira.url, extra: { RECOVERY_GRACE_MINUTES: String(GRACE_MINUTES), LOG_LEVEL: 'silent' } });
  config = loadConfig(ws.env);
  expect(await mapFieldsCommand(config, { force: false, check: false }, () => undefined)).toBe(0);
  tracker = (await openTracker(config, now)) as Tracker;
});
afterAll(async () => {
  tracker?.close();
  await jira?.close();
  ws?.cleanup();
  await db?.drop();
});

/** One run at `at`, as `jira-sync run` would do it, with the clock fixed there. */
async function runAt(at: number, runId: string): Promise<RunReport> {
  clock = at;
  const logging = makeLogging(config, runId, now, false);
  const source = await connectSource(config);
  try {
    const deps = { source, tracker, jira: makeJira(config, now, logging), log: (m: string) => logging.forModule(m), now, runId };
    return await runSync(deps, config, { batchSize: config.batchSize, concurrency: 1 });
  } finally {
    await source.close();
    logging.close();
  }
}

const creates = () => jira.requests.filter((r) => r.method === 'POST' && r.path === CREATE);
const searches = () => jira.requests.filter((r) => SEARCH.test(r.path));

describe(`recovery after a lost create answer, RECOVERY_GRACE_MINUTES=${GRACE_MINUTES}`, () => {
  it('waits at grace − 1 s (searches, creates nothing) and creates exactly once at grace + 1 s', async () => {
    // The create reaches nobody, but the answer is a gateway timeout: Jira may have created it.
    jira.injectFault({ match: { method: 'POST', path: CREATE }, kind: 'status', status: 504, body: 'Gateway Timeout' });
    const lost = await runAt(T0, 'run-lost');
    expect(lost.results.map((r) => r.outcome.tag)).toEqual(['failed:jira-unavailable']);
    expect(creates()).toHaveLength(1);
    expect(jira.issues).toHaveLength(0);
    const claimed = (await tracker.findBySourceId('1'));
    expect(claimed).toMatchObject({ state: 'creating', attempts: 1, attemptStartedAt: new Date(T0).toISOString() });

    // Just inside the grace period: the marker search finds nothing, and that is not believed yet.
    const inside = await runAt(T0 + GRACE_MS - 1000, 'run-inside');
    expect(inside.results.map((r) => r.outcome.tag)).toEqual(['skipped:in-progress']);
    expect(inside.results[0]?.outcome).toMatchObject({ note: expect.stringContaining('no ticket found yet') });
    expect(searches()).toHaveLength(1);
    expect(creates()).toHaveLength(1);
    expect(jira.issues).toHaveLength(0);
    expect((await tracker.get(claimed!.key))).toMatchObject({ state: 'creating', attempts: 1, nextAttemptAt: new Date(T0 + GRACE_MS).toISOString() });
    // Not due again before the grace period ends: it takes no new row's place in a batch.
    expect((await tracker.dueForWork(10))).toEqual([]);

    // Just outside: nothing found, and now that is believed: the request is created, once.
    const outside = await runAt(T0 + GRACE_MS + 1000, 'run-outside');
    // A created ticket is counted, not kept: a run's report holds only what a person must hear about.
    expect(outside.results).toEqual([]);
    expect(outside.counts).toMatchObject({ created: 1, skipped: 0, failed: 0, parked: 0 });
    expect(outside.handled).toBe(1);
    expect(searches()).toHaveLength(2);
    expect(creates().map((r) => r.status)).toEqual([504, 201]);
    expect(jira.issues).toHaveLength(1);
    expect(jira.issues[0]!.attachments).toHaveLength(1);
    expect(jira.issues[0]!.labels).toContain(`jira-sync-${claimed!.key.slice(0, 32)}`);
    expect((await tracker.get(claimed!.key))).toMatchObject({ state: 'done', attempts: 2, ticketKey: jira.issues[0]!.key });

    // And it stays at one: a later run has nothing to do.
    const later = await runAt(T0 + 2 * GRACE_MS, 'run-later');
    expect(later.results).toEqual([]);
    expect(later.handled).toBe(0);
    expect(creates()).toHaveLength(2);
  });
});
