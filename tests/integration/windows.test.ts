// A run reads its batch a window at a time (src/run/windows.ts), so no run holds its batch whole:
// due submissions first, a page at a time in their order, then new rows after the cursor. With
// windows of 3 over a batch of 8 (5 due, then new rows) the tickets come out in the one-batch
// order, each window's rows are read in one query, the batch stops at its size, and the next
// run takes up the rest. In process, so the source's reads can be counted: real PostgreSQL, the
// fake Jira over HTTP, a real tracker file.
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { runSync } from '../../src/run/sync.js';
import { connectSource, makeJira, makeLogging, openTracker } from '../../src/runtime.js';
import type { TrackerStore } from '../../src/adapters/tracker/store.js';
import { runCli, makeWorkspace } from '../support/cli.js';
import { createTestDatabase, insertSubmissions, sampleSubmission, SUBMISSIONS_DDL, type TestDatabase } from '../support/db.js';
import { startFakeJira, type FakeJira } from '../support/fakeJira/index.js';

let db: TestDatabase;
let jira: FakeJira;
beforeAll(async () => {
  db = await createTestDatabase();
  await db.client.query(SUBMISSIONS_DDL);
  jira = await startFakeJira({ auth: { email: 'robot@example.com', apiToken: 'test-token-s3cr3t' } });
});
afterAll(async () => {
  await jira.close();
  await db.drop();
});

it('processes due submissions, then new rows, a window at a time, in order, up to the batch size', async () => {
  const ws = makeWorkspace({ databaseUrl: db.url, jiraUrl: jira.url });
  try {
    // Five rows fail (a value Jira cannot take), are corrected and re-queued: due in the next run.
    await insertSubmissions(db.client, Array.from({ length: 5 }, (_, i) => sampleSubmission(i, { equipment: 'Fax machine' })));
    expect((await runCli(['map-fields'], { env: ws.env })).code).toBe(0);
    expect((await runCli(['run'], { env: ws.env })).code).toBe(1);
    await db.client.query(`UPDATE webform_submissions SET equipment = 'Headset'`);
    expect((await runCli(['retry', '1', '2', '3', '4', '5'], { env: ws.env })).code).toBe(0);
    // Four new rows after them.
    await insertSubmissions(db.client, Array.from({ length: 4 }, (_, i) => sampleSubmission(5 + i)));

    const config = loadConfig(ws.env);
    const now = () => new Date();
    const logging = makeLogging(config, 'run-test', now, false);
    const run = async (runId: string, reads: string[][]) => {
      const source = await connectSource(config);
      const tracker = (await openTracker(config, now)) as TrackerStore;
      const fetchRows = source.fetchRows.bind(source);
      source.fetchRows = async (ids, columns) => {
        if (ids.length > 0) reads.push([...ids]);
        return fetchRows(ids, columns);
      };
      try {
        return await runSync(
          { source, tracker, jira: makeJira(config, now, logging), log: () => pino({ level: 'silent' }), now, runId },
          config,
          { batchSize: 8, windowSize: 3, concurrency: 2 },
        );
      } finally {
        await tracker.close();
        await source.close();
      }
    };
    const sourceIdOf = () => jira.issues.map((i) => /submission-(\d+)\.json/.exec(i.attachments[0]?.filename ?? '')?.[1]);

    const reads: string[][] = [];
    const first = await run('run-1', reads);
    expect(first.counts).toMatchObject({ created: 8, failed: 0, parked: 0 });
    expect(first.handled).toBe(8);
    // Due in pages of 3 (one read each), then 3 new rows, the batch's last 3 places.
    expect(reads).toEqual([['1', '2', '3'], ['4', '5'], ['6', '7', '8']]);
    // Concurrency 2: the creates start in order, at most one place apart.
    const created = sourceIdOf().map(Number);
    expect(created.slice().sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    created.forEach((id, i) => expect(Math.abs(id - (i + 1))).toBeLessThanOrEqual(1));

    const later: string[][] = [];
    const second = await run('run-2', later);
    expect(second.counts).toMatchObject({ created: 1 });
    expect(later).toEqual([['9']]);
    expect(sourceIdOf().map(Number).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(jira.issues.every((i) => i.attachments.length === 1)).toBe(true);
  } finally {
    ws.cleanup();
  }
});
