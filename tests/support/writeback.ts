// Helpers for the write-back tests: the table's rows (times as ISO text), a digest of the source
// table (equal digests: not a byte changed), and the JQL date window a pull searched from.
import type pg from 'pg';
import { openSqlite } from '../../src/adapters/tracker/sqlite.js';
import { wallClockToInstant } from './fakeJira/timeZone.js';
import type { RecordedRequest } from './fakeJira/index.js';

export interface WritebackRow {
  source_id: string;
  submission_key: string;
  ticket_key: string;
  ticket_url: string | null;
  portal_url: string | null;
  status: string | null;
  status_category: string | null;
  resolution: string | null;
  jira_created_at: string | null;
  jira_updated_at: string | null;
  resolved_at: string | null;
  deleted_at: string | null;
  synced_at: string;
}

export async function tableRows(client: pg.Client, table = 'jira_sync_requests'): Promise<WritebackRow[]> {
  const rows = (await client.query(`SELECT * FROM ${table} ORDER BY ticket_key`)).rows as Record<string, unknown>[];
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v])) as unknown as WritebackRow);
}

/** Every row of the source table, as text, hashed. */
export async function sourceDigest(client: pg.Client, table = 'webform_submissions'): Promise<string> {
  const [r] = (await client.query<{ d: string; n: string }>(`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) AS d, count(*) AS n FROM ${table} t`)).rows;
  return `${r?.n}:${r?.d}`;
}

/** The instant a pull's `updated >= "…"` literal stands for, read on `timeZone`'s wall clock as Jira reads it. */
export function jqlFrom(body: unknown, timeZone: string): number {
  const jql = String((body as { jql?: unknown }).jql ?? '');
  const m = /updated >= "(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2})"/.exec(jql);
  if (!m) throw new Error(`no updated >= "…" in ${jql}`);
  const [y, mo, d, hh, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  return wallClockToInstant(timeZone, y, mo, d, hh, mi);
}

/** The search started at `expectedMs` rounded down to the minute: not after it, and less than a minute before. */
export function jqlWindowOk(body: unknown, timeZone: string, expectedMs: number): boolean {
  const from = jqlFrom(body, timeZone);
  return from <= expectedMs && from > expectedMs - 60_000;
}

/** Waits for the pull's account look-up (the rows pending before it are written by then), then
 *  cuts jira-sync's write-back connection, as a PostgreSQL restart would. */
export async function cutWritebackAfterMyself(client: pg.Client, requests: RecordedRequest[], from: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!requests.slice(from).some((r) => r.path.endsWith('/myself'))) {
    if (Date.now() > deadline) throw new Error('the pull never asked for the account');
    await new Promise((r) => setTimeout(r, 20));
  }
  // Only this test's database: other test files (and the demo) write their own tables meanwhile.
  const res = await client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'jira-sync writeback' AND datname = current_database()`);
  if (res.rowCount === 0) throw new Error('no write-back connection to cut');
}

/** The pull's record in a SQLite tracker file. */
export function pullState(trackerPath: string): { checkpoint: string | null; last_changed: number | null; last_error: string | null } | undefined {
  const db = openSqlite(trackerPath, { readonly: true });
  try {
    return db.prepare('SELECT checkpoint, last_changed, last_error FROM writeback_pull WHERE id = 1').get() as never;
  } finally {
    db.close();
  }
}
