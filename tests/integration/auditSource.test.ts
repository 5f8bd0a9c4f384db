// The audit's streaming comparison against a real PostgreSQL: keyset pages that split rows
// sharing one timestamp (ids 9 and 10 in numeric order), rows in the look-back window left to
// the runs, and only the rows the tracker has never seen reported.
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresSource } from '../../src/adapters/postgres/source.js';
import type { ColumnInfo } from '../../src/adapters/postgres/values.js';
import { openTrackerDb } from '../../src/adapters/tracker/schema.js';
import { Tracker } from '../../src/adapters/tracker/tracker.js';
import { auditSource } from '../../src/steps/auditSource.js';
import { createTestDatabase, SUBMISSIONS_DDL, type TestDatabase } from '../support/db.js';
import { tempDirs } from '../support/tempDirs.js';

const tempDir = tempDirs('jira-sync-audit-');

let db: TestDatabase;
let source: PostgresSource;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.client.query(SUBMISSIONS_DDL);
  source = await PostgresSource.connect(db.url, { table: 'webform_submissions', idColumn: 'id', timestampColumn: 'created_at' });
});
afterAll(async () => {
  await source.close();
  await db.drop();
});

describe('auditSource', () => {
  it('pages through every row behind the window and reports exactly the unseen ones', async () => {
    // 25 rows in one microsecond, then 3 rows inside the look-back window of the last one.
    await db.client.query(`INSERT INTO webform_submissions (created_at, email_address) SELECT timestamptz '2026-11-02 08:00Z', 'p' || g || '@example.com' FROM generate_series(1, 25) g`);
    await db.client.query(`INSERT INTO webform_submissions (created_at, email_address) SELECT timestamptz '2026-11-02 10:00Z' + g * interval '1 minute', 'w' || g || '@example.com' FROM generate_series(1, 3) g`);
    const tracker = new Tracker(openTrackerDb(path.join(tempDir(), 't.db')), () => new Date());
    for (const id of Array.from({ length: 25 }, (_, i) => String(i + 1)).filter((id) => id !== '10' && id !== '23')) {
      await tracker.register({ sourceTs: '2026-11-02T08:00:00.000000Z', sourceId: id }, `k${id}`, {}, 'run');
    }
    await tracker.register({ sourceTs: '2026-11-02T10:03:00.000000Z', sourceId: '28' }, 'k28', {}, 'run');
    const columns = (await source.describeTable()) as ColumnInfo[];
    const result = await auditSource(source, tracker, {
      lookbackMinutes: 60, columns, idColumn: 'id', uniqueKeyColumns: null, register: null, log: pino({ level: 'silent' }), pageSize: 4,
    });
    expect(result.missing.map((m) => m.sourceId)).toEqual(['10', '23']);
    expect(result.scanned).toBe(25); // rows 26 and 27 are in the window: the next run fetches them
    expect(result.until).toBe('2026-11-02T09:03:00.000Z');
  });

  it('behind a cursor an older version left at infinity: finds every row it hid, up to the database clock', async () => {
    await db.client.query('TRUNCATE webform_submissions RESTART IDENTITY');
    await db.client.query(`INSERT INTO webform_submissions (created_at, email_address) VALUES ('2026-11-02 08:00Z', 'a@example.com'), ('infinity', 'inf@example.com')`);
    // Rows the old cursor hid: inserted over the past days, never fetched.
    await db.client.query(`INSERT INTO webform_submissions (created_at, email_address) SELECT now() - g * interval '1 day', 'hidden' || g || '@example.com' FROM generate_series(1, 3) g`);
    const tracker = new Tracker(openTrackerDb(path.join(tempDir(), 't.db')), () => new Date());
    await tracker.register({ sourceTs: '2026-11-02T08:00:00.000000Z', sourceId: '1' }, 'k1', {}, 'run');
    await tracker.register({ sourceTs: 'infinity', sourceId: '2' }, 'k2', {}, 'run');
    expect((await tracker.getCursor())?.sourceTs).toBe('infinity');
    const columns = (await source.describeTable()) as ColumnInfo[];
    const result = await auditSource(source, tracker, {
      lookbackMinutes: 60, columns, idColumn: 'id', uniqueKeyColumns: null, register: null, log: pino({ level: 'silent' }),
    });
    expect(result.missing.map((m) => m.sourceId)).toEqual(['5', '4', '3']);
    expect(result.scanned).toBe(4);
  });
});
