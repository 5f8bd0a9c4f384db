// The rows of a SQLite tracker, copied table by table into a PostgreSQL tracker's schema inside
// the caller's transaction. Both stores keep times as ISO text, so each value is copied as it
// is, byte for byte: no time zone or precision is involved. Every column of every table is
// either copied or listed in `notCopied` with the reason, and the columns are checked against
// both databases before anything is copied, so a column a later migration adds cannot be left
// behind unnoticed.
import type pg from 'pg';
import type { SqliteDatabase } from '../sqlite.js';

interface TableCopy {
  table: string;
  /** Columns copied as they are, by name in both stores. */
  columns: string[];
  /** SQLite's rowid, kept as this PostgreSQL column (run order: `runs.seq`). */
  rowidAs?: string;
  /** A PostgreSQL serial column whose sequence must continue after the copied rows. */
  serial?: string;
  /** SQLite columns deliberately not copied, with why. */
  notCopied?: Record<string, string>;
}

export const COPIED_TABLES: TableCopy[] = [
  {
    table: 'submissions',
    // Everything a later run relies on: state, attempts, both retry times, the ticket, the
    // verify-first flag, the stored request row (payload), the run that last touched it.
    columns: [
      'key', 'source_id', 'source_ts', 'payload', 'state', 'ticket_key', 'ticket_id', 'attempts', 'last_error', 'last_outcome',
      'attempt_started_at', 'next_attempt_at', 'needs_review', 'verify_first', 'review_note', 'run_id', 'created_at', 'updated_at',
    ],
  },
  { table: 'source_rows', columns: ['source_id', 'source_ts', 'key', 'seen_at'] },
  {
    table: 'runs',
    // Unfinished runs are copied unfinished: the SQLite run lock, held while copying, shows none
    // is alive, and isRunAlive tells a dead one as it does in SQLite (its pid on its host).
    columns: ['run_id', 'started_at', 'ended_at', 'created', 'skipped', 'failed', 'parked', 'exit_code', 'note', 'pid', 'host'],
    rowidAs: 'seq',
    serial: 'seq',
  },
  { table: 'cursor', columns: ['id', 'source_ts', 'source_id', 'updated_at'] },
  { table: 'audits', columns: ['id', 'run_id', 'started_at', 'ended_at', 'trigger', 'scanned', 'missing', 'registered', 'missing_ids'], serial: 'id' },
  { table: 'alert_incidents', columns: ['fingerprint', 'title', 'detail', 'first_seen', 'last_seen', 'runs', 'alerted_at'] },
  // The write-back's buffer and checkpoint: rows not yet in the write-back table stay pending, and
  // the pull goes on from the same checkpoint, so nothing is re-read and nothing is missed.
  { table: 'writeback_rows', columns: ['submission_key', 'source_id', 'ticket_key', 'snapshot', 'jira_updated_at', 'version', 'written_version', 'pending'] },
  { table: 'writeback_pull', columns: ['id', 'checkpoint', 'last_pull_at', 'last_success_at', 'last_changed', 'last_error', 'failing_since'] },
];
/** SQLite tables that are deliberately not copied (see below). */
const NOT_COPIED_TABLES = new Set(['moved_to_postgres', 'redaction_pass']);
// Not copied on purpose: SQLite's user_version (the PostgreSQL schema has its own version,
// set by its migrations); PostgreSQL's schema_version and run_lock_holder (its own: the holder
// is this copy while it runs). The files beside a SQLite tracker (high-water mark, lock, daily
// backups) have no PostgreSQL counterpart: copyToPostgres.ts checks the high-water mark first.
// moved_to_postgres is the note the copy itself leaves in the SQLite file (moved.ts).
// redaction_pass records that the file's older texts were redacted (redactStored.ts): the copy
// redacts every text before it copies, and a PostgreSQL tracker stores texts redacted only.

/** Rows per INSERT: 18 columns × 500 stays far below PostgreSQL's 65,535 parameters. */
const PAGE = 500;

function sqliteColumns(db: SqliteDatabase, table: string): string[] {
  return (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map((c) => c.name);
}

async function pgColumns(client: pg.ClientBase, schema: string, table: string): Promise<string[]> {
  const rows = (await client.query<{ column_name: string }>('SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2', [schema, table])).rows;
  return rows.map((r) => r.column_name);
}

/** Problems that would make the copy incomplete: a column one side has and the copy does not know. */
export async function columnProblems(db: SqliteDatabase, client: pg.ClientBase, schema: string): Promise<string[]> {
  const problems: string[] = [];
  // A table a later migration adds must be copied or named here, never left behind unnoticed.
  const known = new Set(COPIED_TABLES.map((t) => t.table));
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[];
  for (const { name } of tables) if (!known.has(name) && !NOT_COPIED_TABLES.has(name)) problems.push(`the SQLite tracker's table ${name} has no place in the copy`);
  for (const t of COPIED_TABLES) {
    const known = new Set([...t.columns, ...Object.keys(t.notCopied ?? {})]);
    const sqliteHas = sqliteColumns(db, t.table);
    for (const c of sqliteHas) if (!known.has(c)) problems.push(`the SQLite tracker's ${t.table}.${c} has no place in the copy`);
    for (const c of t.columns) if (!sqliteHas.includes(c)) problems.push(`the SQLite tracker has no column ${t.table}.${c}`);
    const pgHas = new Set(await pgColumns(client, schema, t.table));
    for (const c of [...t.columns, ...(t.rowidAs ? [t.rowidAs] : [])]) if (!pgHas.has(c)) problems.push(`the PostgreSQL tracker has no column ${t.table}.${c}`);
  }
  return problems;
}

/** How many rows each table holds, in SQLite. */
export function sqliteCounts(db: SqliteDatabase): Record<string, number> {
  return Object.fromEntries(COPIED_TABLES.map((t) => [t.table, (db.prepare(`SELECT count(*) AS n FROM ${t.table}`).get() as { n: number }).n]));
}

/** How many rows each table holds, in the PostgreSQL schema on the client's search_path. */
export async function pgCounts(client: pg.ClientBase): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of COPIED_TABLES) out[t.table] = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t.table}`)).rows[0]?.n ?? 0;
  return out;
}

/** Copies every table, page by page in rowid order; the client is inside a transaction with the
 *  target schema first on its search_path, and every table there is empty. */
export async function copyRows(db: SqliteDatabase, client: pg.ClientBase): Promise<void> {
  for (const t of COPIED_TABLES) {
    const cols = [...(t.rowidAs ? [t.rowidAs] : []), ...t.columns];
    const select = db.prepare(`SELECT rowid AS rowid_, ${t.columns.join(', ')} FROM ${t.table} WHERE rowid > ? ORDER BY rowid LIMIT ${PAGE}`);
    let after = Number.MIN_SAFE_INTEGER;
    for (;;) {
      const page = select.all(after) as Record<string, unknown>[];
      if (page.length === 0) break;
      const params: unknown[] = [];
      const tuples = page.map((row) => {
        const values = [...(t.rowidAs ? [row.rowid_] : []), ...t.columns.map((c) => row[c])];
        const marks = values.map((v) => {
          params.push(v);
          return `$${params.length}`;
        });
        return `(${marks.join(', ')})`;
      });
      await client.query(`INSERT INTO ${t.table} (${cols.join(', ')}) VALUES ${tuples.join(', ')}`, params);
      after = page[page.length - 1]?.rowid_ as number;
    }
    if (t.serial) {
      // The next run or audit numbers on from the copied ones.
      await client.query(`SELECT setval(pg_get_serial_sequence($1, $2), max(${t.serial})) FROM ${t.table} HAVING count(*) > 0`, [t.table, t.serial]);
    }
  }
}
