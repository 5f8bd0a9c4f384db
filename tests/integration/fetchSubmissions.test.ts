// The fetch against a real PostgreSQL: keyset progress, timestamp ties at a batch boundary,
// late commits with older timestamps, and a look-back window full of processed rows.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PostgresSource } from '../../src/adapters/postgres/source.js';
import type { ColumnInfo } from '../../src/adapters/postgres/values.js';
import { openTrackerDb } from '../../src/adapters/tracker/schema.js';
import { Tracker } from '../../src/adapters/tracker/tracker.js';
import { fetchSubmissions } from '../../src/steps/fetchSubmissions.js';
import { uniqueKey } from '../../src/steps/uniqueKey.js';
import { createTestDatabase, insertSubmissions, sampleSubmission, SUBMISSIONS_DDL, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
let source: PostgresSource;
let columns: ColumnInfo[];
let tracker: Tracker;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.client.query(SUBMISSIONS_DDL);
  source = await PostgresSource.connect(db.url, { table: 'webform_submissions', idColumn: 'id', timestampColumn: 'created_at' });
  columns = (await source.describeTable()) as ColumnInfo[];
});
afterAll(async () => {
  await source.close();
  await db.drop();
});
beforeEach(async () => {
  await db.client.query('TRUNCATE webform_submissions RESTART IDENTITY');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira-sync-fetch-'));
  tracker = new Tracker(openTrackerDb(path.join(dir, 't.db')), () => new Date());
});
afterEach(() => {
  tracker.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Fetch one batch and register every row, as a run does; returns the source ids. */
async function batch(limit: number, lookbackMinutes = 60): Promise<string[]> {
  const rows = await fetchSubmissions(source, tracker, { limit, lookbackMinutes, columns, idColumn: 'id' });
  for (const r of rows) (await tracker.register(r.position, uniqueKey(r.row, columns, null), r.row, 'run'));
  return rows.map((r) => r.position.sourceId);
}

describe('fetchSubmissions', () => {
  it('reads oldest first, at most the batch size, and never the same row twice', async () => {
    await insertSubmissions(db.client, Array.from({ length: 7 }, (_, i) => sampleSubmission(i)));
    expect(await batch(3)).toEqual(['1', '2', '3']);
    expect(await batch(3)).toEqual(['4', '5', '6']);
    expect(await batch(3)).toEqual(['7']);
    expect(await batch(3)).toEqual([]);
  });

  it('keeps rows that share the last timestamp at a batch boundary', async () => {
    const same = '2026-11-02T08:00:00.123456Z';
    await insertSubmissions(db.client, [0, 1, 2, 3, 4].map((i) => sampleSubmission(i, { created_at: same })));
    expect(await batch(2)).toEqual(['1', '2']);
    expect(await batch(2)).toEqual(['3', '4']);
    expect(await batch(2)).toEqual(['5']);
  });

  it('orders ids numerically within one timestamp, across scan pages (10 after 9, not before)', async () => {
    // 1,200 rows in the same microsecond: more than two scan pages, ids of 1 to 4 digits.
    await db.client.query(
      `INSERT INTO webform_submissions (created_at, email_address) SELECT timestamptz '2026-11-02 08:00Z', 'p' || g || '@example.com' FROM generate_series(1, 1200) g`,
    );
    const ids = await batch(1200);
    expect(ids).toEqual(Array.from({ length: 1200 }, (_, i) => String(i + 1)));
  });

  it('picks up a row that committed late with an older timestamp', async () => {
    await insertSubmissions(db.client, [0, 1, 2].map((i) => sampleSubmission(i)));
    expect(await batch(10)).toEqual(['1', '2', '3']);
    // Committed now, stamped between rows 1 and 2 (its transaction started earlier).
    await insertSubmissions(db.client, [sampleSubmission(9, { created_at: '2026-11-02T08:00:30Z' })]);
    expect(await batch(10)).toEqual(['4']);
    expect(await batch(10)).toEqual([]);
  });

  it('is not stalled by a look-back window full of processed rows', async () => {
    // 1,200 rows within one minute: more than two scan pages, all inside the look-back window.
    const rows = Array.from({ length: 1200 }, (_, i) => sampleSubmission(i, { created_at: new Date(Date.UTC(2026, 10, 2, 8, 0, 0) + i * 10).toISOString() }));
    await db.client.query(
      `INSERT INTO webform_submissions (created_at, email_address, equipment) SELECT (x->>'created_at')::timestamptz, x->>'email_address', x->>'equipment' FROM jsonb_array_elements($1::jsonb) x`,
      [JSON.stringify(rows)],
    );
    let total = 0;
    for (let i = 0; i < 5; i++) total += (await batch(300)).length;
    expect(total).toBe(1200);
    await insertSubmissions(db.client, [sampleSubmission(5000, { created_at: '2026-11-02T08:00:05Z' })]);
    expect(await batch(300)).toEqual(['1201']);
  });

  it('normalises row values the same way on every machine', async () => {
    await insertSubmissions(db.client, [sampleSubmission(1, { created_at: '2026-11-02T08:00:00.5+02:00', needed_by: '2026-12-01', quantity: 3 })]);
    const [r] = await fetchSubmissions(source, tracker, { limit: 1, lookbackMinutes: 60, columns, idColumn: 'id' });
    expect(r?.row).toMatchObject({ id: '1', created_at: '2026-11-02T06:00:00.500000Z', needed_by: '2026-12-01', quantity: 3 });
    expect(r?.position.sourceTs).toBe('2026-11-02T06:00:00.500000Z');
  });
});
