// The cursor compares positions in PostgreSQL's time order, not as text: checked against a real
// PostgreSQL's own ORDER BY for infinity, BC dates, years past 9999 and microseconds.
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { comparePositions, compareTimestamps } from '../../src/adapters/postgres/order.js';
import { PostgresSource } from '../../src/adapters/postgres/source.js';
import type { ColumnInfo } from '../../src/adapters/postgres/values.js';
import { openTrackerDb } from '../../src/adapters/tracker/schema.js';
import { Tracker } from '../../src/adapters/tracker/tracker.js';
import { fetchSubmissions } from '../../src/steps/fetchSubmissions.js';
import { createTestDatabase, insertSubmissions, sampleSubmission, SUBMISSIONS_DDL, type TestDatabase } from '../support/db.js';
import { tempDirs } from '../support/tempDirs.js';

const tempDir = tempDirs('jira-sync-order-');

let db: TestDatabase;
let source: PostgresSource;
let tracker: Tracker;

const ODD = [
  'infinity', '-infinity', '0044-03-15 12:00:00+00 BC', '0001-01-01 00:00:00+00 BC', '0001-01-01 00:00:00+00',
  '0999-12-31 23:59:59.999999+00', '2026-11-20 09:15:02.5+00', '2026-11-20 09:15:02.500001+00', '2026-11-20 10:15:02+01',
  '9999-12-31 23:59:59+00', '10000-01-01 00:00:00+00', '123456-06-01 00:00:00+00',
];

beforeAll(async () => {
  db = await createTestDatabase();
  await db.client.query(SUBMISSIONS_DDL);
  source = await PostgresSource.connect(db.url, { table: 'webform_submissions', idColumn: 'id', timestampColumn: 'created_at' });
});
afterAll(async () => {
  await source.close();
  await db.drop();
});
beforeEach(async () => {
  await db.client.query('TRUNCATE webform_submissions RESTART IDENTITY');
  const dir = tempDir();
  tracker = new Tracker(openTrackerDb(path.join(dir, 't.db')), () => new Date());
});

describe('timestamp order', () => {
  it('sorts every timestamp PostgreSQL can print exactly as PostgreSQL does', async () => {
    // Inserted in reverse so ids do not already give the order.
    await insertSubmissions(db.client, [...ODD].reverse().map((ts, i) => sampleSubmission(i, { created_at: ts })));
    const inPgOrder = await source.scanPositions({}, 100);
    expect(inPgOrder).toHaveLength(ODD.length);
    const shuffled = [...inPgOrder].reverse();
    expect(shuffled.sort(comparePositions)).toEqual(inPgOrder);
    // Text order, which the cursor used to rely on, gets this wrong.
    expect([...inPgOrder].sort((a, b) => (a.sourceTs < b.sourceTs ? -1 : 1))).not.toEqual(inPgOrder);
    expect(compareTimestamps('2026-11-20T09:15:02.500000Z', '2026-11-20 10:15:02.5+01')).toBe(0);
    expect(compareTimestamps('2026-11-20', '2026-11-20T00:00:00.000001Z')).toBeLessThan(0);
  });

  it('moves the cursor in time order: past year 9999, and through BC dates', async () => {
    await tracker.register({ sourceTs: '2026-12-01T00:00:00.000000Z', sourceId: '1' }, 'k1', {}, 'run');
    await tracker.register({ sourceTs: '10000-01-01T00:00:00.000000Z', sourceId: '2' }, 'k2', {}, 'run');
    expect((await tracker.getCursor())?.sourceId).toBe('2');
    await tracker.register({ sourceTs: '9999-12-31T00:00:00.000000Z', sourceId: '3' }, 'k3', {}, 'run');
    expect((await tracker.getCursor())?.sourceId).toBe('2');

    const bc = new Tracker(openTrackerDb(path.join(tempDir(), 't.db')), () => new Date());
    await bc.register({ sourceTs: '0044-03-15 12:00:00+00 BC', sourceId: '1' }, 'k1', {}, 'run');
    await bc.register({ sourceTs: '0001-01-01 00:00:00+00 BC', sourceId: '2' }, 'k2', {}, 'run');
    expect((await bc.getCursor())?.sourceId).toBe('2');
    await bc.register({ sourceTs: '0002-01-01 00:00:00+00 BC', sourceId: '3' }, 'k3', {}, 'run');
    expect((await bc.getCursor())?.sourceId).toBe('2');
  });

  it('orders ids numerically within one timestamp (10 after 9)', async () => {
    await tracker.register({ sourceTs: '2026-12-01T00:00:00.000000Z', sourceId: '9' }, 'k9', {}, 'run');
    await tracker.register({ sourceTs: '2026-12-01T00:00:00.000000Z', sourceId: '10' }, 'k10', {}, 'run');
    expect((await tracker.getCursor())?.sourceId).toBe('10');
  });

  it('a cursor an older version left at infinity hides nothing, and is replaced', async () => {
    await insertSubmissions(db.client, [sampleSubmission(0, { created_at: 'infinity' })]);
    const columns = (await source.describeTable()) as ColumnInfo[];
    await tracker.register({ sourceTs: 'infinity', sourceId: '1' }, 'kinf', {}, 'run');
    expect((await tracker.getCursor())?.sourceTs).toBe('infinity');
    await db.client.query(`INSERT INTO webform_submissions (email_address) VALUES ('now@example.com')`);
    const rows = await fetchSubmissions(source, tracker, { limit: 10, lookbackMinutes: 60, columns, idColumn: 'id' });
    expect(rows.map((r) => r.position.sourceId)).toEqual(['2']);
    await tracker.register(rows[0]!.position, 'k2', rows[0]!.row, 'run');
    expect((await tracker.getCursor())?.sourceId).toBe('2');
  });
});
