// The fetch's edges against a real PostgreSQL: a batch smaller than a scan page when the window
// holds more than a page, rows dated in the future (fetched, but marked ahead so they never move
// the cursor, on the first run and after it), a row deleted between the scan and the read, and
// a cursor timestamp no date parser understands. Plus the query builders' column lists.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchRowsQuery, PostgresSource } from '../../src/adapters/postgres/source.js';
import type { ColumnInfo } from '../../src/adapters/postgres/values.js';
import { openTrackerDb } from '../../src/adapters/tracker/schema.js';
import { Tracker } from '../../src/adapters/tracker/tracker.js';
import { fetchSubmissions, SCAN_PAGE, windowStart } from '../../src/steps/fetchSubmissions.js';
import { createTestDatabase, insertSubmissions, sampleSubmission, SUBMISSIONS_DDL, type TestDatabase } from '../support/db.js';

const OPTS = { table: 'webform_submissions', idColumn: 'id', timestampColumn: 'created_at' };
let db: TestDatabase;
let source: PostgresSource;
let columns: ColumnInfo[];
let tracker: Tracker;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.client.query(SUBMISSIONS_DDL);
  source = await PostgresSource.connect(db.url, OPTS);
  columns = (await source.describeTable())!;
});
afterAll(async () => {
  await source?.close();
  await db?.drop();
});
beforeEach(async () => {
  await db.client.query('TRUNCATE webform_submissions RESTART IDENTITY');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira-sync-fetch-edges-'));
  tracker = new Tracker(openTrackerDb(path.join(dir, 't.db')), () => new Date());
});
afterEach(async () => {
  await tracker.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const fetch = (limit: number, src: PostgresSource = source) => fetchSubmissions(src, tracker, { limit, lookbackMinutes: 60, columns, idColumn: 'id' });
const ids = (rows: { position: { sourceId: string } }[]) => rows.map((r) => r.position.sourceId);

describe('fetchSubmissions at its edges', () => {
  it('returns exactly the batch size when the window holds more than a scan page', async () => {
    await db.client.query(
      `INSERT INTO webform_submissions (created_at, email_address) SELECT timestamptz '2026-11-02 08:00Z' + g * interval '1 second', 'p' || g || '@example.com' FROM generate_series(1, $1) g`,
      [SCAN_PAGE + 20],
    );
    expect(ids(await fetch(3))).toEqual(['1', '2', '3']);
    expect(await fetch(0)).toEqual([]);
  });

  it('fetches a row dated in the future but marks it ahead, on the first run and after it', async () => {
    await insertSubmissions(db.client, [sampleSubmission(0), sampleSubmission(1, { created_at: '2099-01-01T00:00:00Z' })]);
    const first = await fetch(10);
    expect(first.map((r) => r.position)).toEqual([
      { sourceId: '1', sourceTs: '2026-11-02T08:00:00.000000Z' },
      { sourceId: '2', sourceTs: '2099-01-01T00:00:00.000000Z', ahead: true },
    ]);
    await tracker.register(first[0]!.position, 'a'.repeat(64), first[0]!.row, 'run');
    expect((await fetch(10)).map((r) => r.position)).toEqual([{ sourceId: '2', sourceTs: '2099-01-01T00:00:00.000000Z', ahead: true }]);
  });

  it('leaves out a row deleted between the scan and the read of the rows', async () => {
    await insertSubmissions(db.client, [sampleSubmission(0), sampleSubmission(1), sampleSubmission(2)]);
    // The same source, but the row with id 2 is deleted (by someone else) right after the scan.
    const racing = Object.create(source) as PostgresSource;
    racing.scanPositions = async (start, limit) => {
      const page = await source.scanPositions(start, limit);
      await db.client.query('DELETE FROM webform_submissions WHERE id = 2');
      return page;
    };
    const rows = await fetch(10, racing);
    expect(ids(rows)).toEqual(['1', '3']);
    expect(rows.map((r) => r.row.id)).toEqual(['1', '3']);
  });
});

describe('windowStart', () => {
  it('goes back the look-back minutes from a timestamp, and leaves one no parser reads as it is', () => {
    expect(windowStart('2026-11-02T08:00:00.000000Z', 90)).toBe('2026-11-02T06:30:00.000Z');
    expect(windowStart('-infinity', 60)).toBe('-infinity');
    expect(windowStart('0044-03-15 12:00:00+00 BC', 60)).toBe('0044-03-15 12:00:00+00 BC');
  });
});

describe('fetchRowsQuery', () => {
  const col = (name: string, pgType: string): ColumnInfo => ({ name, pgType, kind: 'text' });
  it('casts the ids to the id column\'s own type, wherever it stands, and quotes every column whole', () => {
    const q = fetchRowsQuery(OPTS, ['1'], [col('created_at', 'timestamp with time zone'), col('id', 'bigint'), col('say "hi"', 'text'), col('a.b', 'text')]);
    expect(q.text).toBe('SELECT "created_at", "id", "say ""hi""", "a.b" FROM "webform_submissions" WHERE "id" = ANY($1::bigint[]) ORDER BY "created_at", "id"');
    expect(q.values).toEqual([['1']]);
  });

  it('reads every column, ids as text, when none are described', () => {
    expect(fetchRowsQuery(OPTS, ['1'], []).text).toBe('SELECT * FROM "webform_submissions" WHERE "id" = ANY($1::text[]) ORDER BY "created_at", "id"');
  });
});
