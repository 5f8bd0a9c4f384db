// The benchmark's data: submissions tables made with one INSERT … SELECT generate_series, a
// tracker that already knows every row of a big table, and EXPLAIN of the fetch's queries.
import pg from 'pg';
import { scanPositionsQuery, type ScanStart, type SourceOptions } from '../src/adapters/postgres/source.js';
import { openTrackerDb } from '../src/adapters/tracker/schema.js';
import { SUBMISSIONS_DDL } from '../tests/support/schema.js';

/** Rows are one minute apart from here, in every table, so a look-back window of an hour holds
 *  about 60 rows whatever the table's size: the comparison isolates the size. The start is four
 *  years ago (on a whole minute), so even the 1,000,000-row table ends in the past: rows dated
 *  after the database's now() never move the cursor, and every run would re-read them. */
const BASE_MS = Math.floor(Date.now() / 60_000) * 60_000 - 4 * 365 * 1440 * 60_000;
export const ROW_SPACING_MS = 60_000;

/** The shared web-form table (tests/support/schema.ts, which the fake Jira's request type maps),
 *  under `table`, filled with one INSERT … SELECT generate_series. */
export async function createSubmissions(client: pg.Client, table: string, rows: number): Promise<void> {
  await client.query(SUBMISSIONS_DDL.replaceAll('webform_submissions', table));
  await client.query(
    `INSERT INTO ${table} (created_at, email_address, department_name, new_user_name, equipment, needed_by, quantity, notes)
     SELECT to_timestamp($2::float8 / 1000) + (g - 1) * interval '1 minute', 'person' || g || '@example.com',
            (ARRAY['Finance','Sales','Support','Warehouse'])[1 + g % 4], 'New User ' || g,
            (ARRAY['Mobile phone','Handset speaker phone; Mobile phone','Headset','Desk phone'])[1 + g % 4],
            date '2026-12-01', 1 + g % 3, CASE WHEN g % 5 = 0 THEN NULL ELSE 'Request number ' || g END
       FROM generate_series(1, $1::int) g`,
    [rows, BASE_MS],
  );
  // What autovacuum would have done by now on a long-lived table: statistics, visibility map.
  await client.query(`VACUUM ANALYZE ${table}`);
}

/** The normalised timestamp (see values.ts) of the row with this id. */
export function rowTs(id: number): string {
  return new Date(BASE_MS + (id - 1) * ROW_SPACING_MS).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * A tracker that has processed every one of `rows` rows: a done submission (with a payload the
 * size of a real one) and a source_rows entry per row, the cursor on the last. Built in SQL,
 * because a million runs of the CLI are not an option; the schema is the CLI's own.
 */
export function seedTracker(file: string, rows: number): void {
  const db = openTrackerDb(file);
  try {
    const epochS = BASE_MS / 1000;
    db.transaction(() => {
      db.prepare(
        `WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ?)
         INSERT INTO submissions (key, source_id, source_ts, payload, state, ticket_key, ticket_id, attempts, last_outcome, run_id, created_at, updated_at)
         SELECT lower(hex(randomblob(32))), n, strftime('%Y-%m-%dT%H:%M:%S', ? + (n - 1) * 60, 'unixepoch') || '.000000Z',
                json_object('id', CAST(n AS TEXT), 'created_at', strftime('%Y-%m-%dT%H:%M:%S', ? + (n - 1) * 60, 'unixepoch') || '.000000Z',
                            'email_address', 'person' || n || '@example.com', 'department_name', 'Sales', 'new_user_name', 'New User ' || n,
                            'equipment', 'Headset', 'needed_by', '2026-12-01', 'quantity', 1, 'notes', 'Request number ' || n),
                'done', 'HW-' || n, CAST(10000 + n AS TEXT), 1, 'created', 'seed', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'
           FROM g`,
      ).run(rows, epochS, epochS);
      db.prepare(`INSERT INTO source_rows (source_id, source_ts, key, seen_at) SELECT source_id, source_ts, key, created_at FROM submissions`).run();
      db.prepare(`INSERT INTO cursor (id, source_ts, source_id, updated_at) VALUES (1, ?, ?, '2026-01-01T00:00:00.000Z')`).run(rowTs(rows), String(rows));
    })();
  } finally {
    db.close();
  }
}

export interface PlanSummary {
  /** e.g. "Index Only Scan using big_keyset". */
  access: string;
  seqScanOrSort: boolean;
  rows: number;
  buffers: number;
  ms: number;
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

const flatten = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(flatten)];

/** EXPLAIN ANALYZE of the scan a run makes, with exactly the SQL PostgresSource sends. */
export async function explainScan(client: pg.Client, opts: SourceOptions, start: ScanStart, limit: number): Promise<PlanSummary> {
  const q = scanPositionsQuery(opts, start, limit);
  const res = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${q.text}`, q.values);
  const top = (res.rows[0]['QUERY PLAN'] as [{ Plan: PlanNode; 'Execution Time': number }])[0];
  const all = flatten(top.Plan);
  const scan = all.find((n) => /Scan/.test(n['Node Type'])) ?? top.Plan;
  return {
    access: `${scan['Node Type']}${scan['Index Name'] ? ` using ${scan['Index Name']}` : ''}`,
    seqScanOrSort: all.some((n) => n['Node Type'] === 'Seq Scan' || /Sort/.test(n['Node Type'])),
    rows: scan['Actual Rows'] ?? 0,
    buffers: (top.Plan['Shared Hit Blocks'] ?? 0) + (top.Plan['Shared Read Blocks'] ?? 0),
    ms: top['Execution Time'],
  };
}
