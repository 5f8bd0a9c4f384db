// Tracker backups: one a day, the last seven kept, and a restore from an old backup never
// creates a ticket twice (the markers are searched for the rows the old tracker forgot).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeJira, type FakeJira } from '../support/fakeJira/index.js';
import { makeWorkspace, type Workspace } from '../support/cli.js';
import { createTestDatabase, insertSubmissions, sampleSubmission, SUBMISSIONS_DDL, type TestDatabase } from '../support/db.js';
import { cliFor, expectExactlyOnce } from '../support/scenario.js';

let db: TestDatabase;
let jira: FakeJira;
let ws: Workspace;
const DAY = 24 * 3_600_000;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.client.query(SUBMISSIONS_DDL);
  jira = await startFakeJira({ auth: { email: 'robot@example.com', apiToken: 'test-token-s3cr3t' } });
  ws = makeWorkspace({ databaseUrl: db.url, jiraUrl: jira.url });
});
afterAll(async () => {
  await jira.close();
  ws.cleanup();
  await db.drop();
});

const backups = () => fs.readdirSync(path.join(path.dirname(ws.trackerPath), 'backups')).filter((f) => f.endsWith('.db')).sort();

describe('tracker backups', () => {
  it('backs up once a day, keeps seven, and a restore from an old one creates no duplicate', async () => {
    const cli = cliFor(ws);
    await insertSubmissions(db.client, [0, 1, 2, 3, 4].map((i) => sampleSubmission(i)));
    expect((await cli(['map-fields'])).code).toBe(0);
    expect((await cli(['run'])).code).toBe(0);
    expect((await cli(['run'])).code).toBe(0);
    expect(backups()).toHaveLength(1); // twice the same day: one backup
    const first = path.join(path.dirname(ws.trackerPath), 'backups', backups()[0] as string);
    const oldCopy = `${ws.trackerPath}.old-copy`;
    fs.copyFileSync(first, oldCopy);

    await insertSubmissions(db.client, [5, 6, 7, 8, 9].map((i) => sampleSubmission(i)));
    expect((await cli(['run'], { JIRA_SYNC_CLOCK_OFFSET_MS: String(DAY) })).code).toBe(0);
    expect(jira.issues).toHaveLength(10);

    // Restore the first backup as the README says: stop runs, replace the file, remove WAL files.
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${ws.trackerPath}${suffix}`, { force: true });
    fs.copyFileSync(oldCopy, ws.trackerPath);
    const searchesBefore = jira.requests.filter((r) => r.path.includes('/search')).length;
    const restored = await cli(['run'], { JIRA_SYNC_CLOCK_OFFSET_MS: String(DAY) });
    expect(restored.code, restored.stderr).toBe(0);
    expect(jira.requests.filter((r) => r.path.includes('/search')).length - searchesBefore).toBe(5);
    await expectExactlyOnce(db, jira, ws, 10);

    for (let d = 2; d <= 10; d++) expect((await cli(['run'], { JIRA_SYNC_CLOCK_OFFSET_MS: String(d * DAY) })).code).toBe(0);
    expect(backups()).toHaveLength(7);
  });

  it('two trackers in one folder each get their own backups, rotated and reported apart', async () => {
    const db2 = await createTestDatabase();
    const ws2 = makeWorkspace({ databaseUrl: db2.url, jiraUrl: jira.url });
    try {
      await db2.client.query(SUBMISSIONS_DDL);
      const cli = cliFor(ws2);
      const odd = path.join(path.dirname(ws2.trackerPath), 'odd.db');
      const dir = path.join(path.dirname(ws2.trackerPath), 'backups');
      const own = (prefix: string) => fs.readdirSync(dir).filter((f) => new RegExp(`^${prefix}-\\d{4}-\\d{2}-\\d{2}\\.db$`).test(f));
      const newestOf = async (tracker: string) => (JSON.parse((await cli(['status', '--json'], { TRACKER_PATH: tracker })).stdout) as { newestBackup: { file: string } | null }).newestBackup;
      expect((await cli(['map-fields'])).code).toBe(0);
      expect((await cli(['run'])).code).toBe(0);
      expect(own('tracker')).toHaveLength(1); // the default tracker keeps its old names
      // The odd tracker has had no run yet: it has no backup, and must not claim the other's.
      expect((await cli(['run', '--dry-run'], { TRACKER_PATH: odd })).code).toBe(0);
      expect(await newestOf(odd)).toBeNull();
      expect((await cli(['run'], { TRACKER_PATH: odd })).code).toBe(0);
      expect(own('odd')).toHaveLength(1);
      expect(path.basename((await newestOf(odd))?.file ?? '')).toMatch(/^odd-\d{4}-\d{2}-\d{2}\.db$/);
      expect(path.basename((await newestOf(ws2.trackerPath))?.file ?? '')).toMatch(/^tracker-/);
      for (let d = 1; d <= 8; d++) expect((await cli(['run'], { TRACKER_PATH: odd, JIRA_SYNC_CLOCK_OFFSET_MS: String(d * DAY) })).code).toBe(0);
      expect(own('odd')).toHaveLength(7);
      expect(own('tracker')).toHaveLength(1); // rotating odd's backups leaves the other tracker's alone
    } finally {
      ws2.cleanup();
      await db2.drop();
    }
  });
});
