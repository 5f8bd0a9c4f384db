// The fetch's queries against a table big enough for the planner to care: they must use the
// (timestamp, id) index and the primary key, never scan or sort the table, and read only as
// many rows as they return, so an idle run costs the same on 1,000 rows as on 1,000,000.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditPageQuery, fetchRowsQuery, scanPositionsQuery, type SourceOptions } from '../../src/adapters/postgres/source.js';
import { PostgresSource } from '../../src/adapters/postgres/source.js';
import type { ColumnInfo } from '../../src/adapters/postgres/values.js';
import { windowStart } from '../../src/steps/fetchSubmissions.js';
import { createTestDatabase, SUBMISSIONS_DDL, type TestDatabase } from '../support/db.js';

const ROWS = 50_000;
const opts: SourceOptions = { table: 'webform_submissions', idColumn: 'id', timestampColumn: 'created_at' };
let db: TestDatabase;
let columns: ColumnInfo[];

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

async function explain(q: { text: string; values: unknown[] }): Promise<PlanNode[]> {
  const res = await db.client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${q.text}`, q.values);
  return nodes((res.rows[0] as { 'QUERY PLAN': [{ Plan: PlanNode }] })['QUERY PLAN'][0].Plan);
}

beforeAll(async () => {
  db = await createTestDatabase();
  await db.client.query(SUBMISSIONS_DDL);
  // One row a minute, as generate_series makes them: the look-back window holds about 60.
  await db.client.query(
    `INSERT INTO webform_submissions (created_at, email_address, equipment, notes)
     SELECT timestamptz '2026-01-01 00:00Z' + g * interval '1 minute', 'person' || g || '@example.com', 'Headset', repeat('x', 200)
       FROM generate_series(1, $1) g`,
    [ROWS],
  );
  await db.client.query('VACUUM ANALYZE webform_submissions');
  const source = await PostgresSource.connect(db.url, opts);
  columns = (await source.describeTable()) as ColumnInfo[];
  await source.close();
});
afterAll(async () => {
  await db.drop();
});

describe('the fetch queries on a big table', () => {
  const cursorTs = new Date(Date.UTC(2026, 0, 1) + ROWS * 60_000).toISOString();

  it('the look-back scan is a range on the (timestamp, id) index, reading only the window', async () => {
    // With the ceiling a run sends (rows dated past it come back flagged `ahead`).
    const plan = await explain(scanPositionsQuery(opts, { from: windowStart(cursorTs, 60), ceiling: cursorTs }, 500));
    const scan = plan.find((n) => n['Node Type'].startsWith('Index'));
    expect(scan?.['Index Name']).toBe('webform_submissions_keyset');
    expect(plan.map((n) => n['Node Type'])).not.toContain('Seq Scan');
    expect(plan.map((n) => n['Node Type'])).not.toContain('Sort');
    expect(scan?.['Actual Rows']).toBe(61);
  });

  it('keyset paging continues on the same index, reading one page', async () => {
    const plan = await explain(scanPositionsQuery(opts, { after: { sourceTs: '2026-01-10T00:00:00.000000Z', sourceId: '12960' }, ceiling: cursorTs }, 500));
    const scan = plan.find((n) => n['Node Type'].startsWith('Index'));
    expect(scan?.['Index Name']).toBe('webform_submissions_keyset');
    expect(plan.map((n) => n['Node Type'])).not.toContain('Seq Scan');
    expect(plan.map((n) => n['Node Type'])).not.toContain('Sort');
    expect(scan?.['Actual Rows']).toBe(500);
  });

  it("the audit's pages walk the same index, bounded by the window's start, reading one page", async () => {
    const before = windowStart(cursorTs, 60);
    const first = await explain(auditPageQuery(opts, { before }, 10_000));
    const next = await explain(auditPageQuery(opts, { after: { sourceTs: '2026-01-10T00:00:00.000000Z', sourceId: '12960' }, before }, 10_000));
    for (const plan of [first, next]) {
      const scan = plan.find((n) => n['Node Type'].startsWith('Index'));
      expect(scan?.['Index Name']).toBe('webform_submissions_keyset');
      expect(plan.map((n) => n['Node Type'])).not.toContain('Seq Scan');
      expect(scan?.['Actual Rows']).toBe(10_000);
    }
  });

  it('the rows themselves come by primary key, only the picked ones', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => String(ROWS - 100 + i));
    const plan = await explain(fetchRowsQuery(opts, ids, columns));
    const scan = plan.find((n) => n['Node Type'].startsWith('Index') || n['Node Type'].startsWith('Bitmap'));
    expect(scan?.['Index Name']).toBe('webform_submissions_pkey');
    expect(plan.map((n) => n['Node Type'])).not.toContain('Seq Scan');
    expect(scan?.['Actual Rows']).toBe(30);
  });

  it('names the columns it reads instead of SELECT *', () => {
    const q = fetchRowsQuery(opts, ['1'], columns);
    expect(q.text).toMatch(/^SELECT "id", "created_at", "email_address", .*"notes" FROM/);
    expect(scanPositionsQuery(opts, {}, 10).text).toMatch(/^SELECT src\."id"::text AS id, src\."created_at" AS ts FROM/);
  });
});
