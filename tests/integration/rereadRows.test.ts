// The rows of due submissions are re-read from PostgreSQL in one query per run, not one per
// submission, and a corrected row is what the ticket is built from. In process, so the source's
// queries can be counted: real PostgreSQL, the fake Jira over HTTP, a real tracker file.
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { runSync } from '../../src/run/sync.js';
import { connectSource, makeJira, makeLogging, openTracker } from '../../src/runtime.js';
import type { Tracker } from '../../src/adapters/tracker/tracker.js';
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

it('re-reads the rows of all due submissions in one query and builds them from the corrected rows', async () => {
  const ws = makeWorkspace({ databaseUrl: db.url, jiraUrl: jira.url });
  try {
    await insertSubmissions(db.client, Array.from({ length: 5 }, (_, i) => sampleSubmission(i, { equipment: 'Fax machine' })));
    expect((await runCli(['map-fields'], { env: ws.env })).code).toBe(0);
    expect((await runCli(['run'], { env: ws.env })).code).toBe(1); // all five fail: no such equipment
    await db.client.query(`UPDATE webform_submissions SET equipment = 'Headset'`);
    expect((await runCli(['retry', '1', '2', '3', '4', '5'], { env: ws.env })).code).toBe(0);

    const config = loadConfig(ws.env);
    const now = () => new Date();
    const logging = makeLogging(config, 'run-test', now, false);
    const source = await connectSource(config);
    const tracker = (await openTracker(config, now)) as Tracker;
    const reads: string[][] = [];
    const fetchRows = source.fetchRows.bind(source);
    source.fetchRows = async (ids, columns) => {
      if (ids.length > 0) reads.push([...ids]);
      return fetchRows(ids, columns);
    };
    try {
      const report = await runSync(
        { source, tracker, jira: makeJira(config, now, logging), log: () => pino({ level: 'silent' }), now, runId: 'run-test' },
        config,
        { batchSize: 30, concurrency: 2 },
      );
      expect(report.counts).toMatchObject({ created: 5, failed: 0, parked: 0 });
    } finally {
      tracker?.close();
      await source.close();
    }
    expect(reads).toEqual([['1', '2', '3', '4', '5']]);
    expect(jira.issues.map((i) => i.fields.customfield_10013)).toEqual(Array(5).fill([{ id: '10102' }]));
  } finally {
    ws.cleanup();
  }
});
