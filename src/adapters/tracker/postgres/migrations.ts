// The PostgreSQL tracker's schema (TRACKER_SCHEMA, default jira_sync): created and migrated
// forward here only. Two hosts may start at the same moment, so migrating happens inside one
// transaction that first takes a transaction-level advisory lock: the second host waits, then
// finds the schema at the current version and does nothing. Append only, like the SQLite list.
// Text columns that are compared or ordered use COLLATE "C" (byte order), as SQLite does, so
// both stores order submissions and compare timestamps written as ISO text the same way.
import type pg from 'pg';
import { DependencyError } from '../../../errors.js';
import { PG_WRITEBACK_MIGRATION } from './writeback.js';

const MIGRATIONS: string[] = [
  `CREATE TABLE submissions (
     key TEXT COLLATE "C" PRIMARY KEY,
     source_id TEXT COLLATE "C" NOT NULL,
     source_ts TEXT COLLATE "C" NOT NULL,
     payload TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('pending','creating','created','attached','done','failed','parked')),
     ticket_key TEXT,
     ticket_id TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     last_error TEXT,
     last_outcome TEXT,
     attempt_started_at TEXT COLLATE "C",
     next_attempt_at TEXT COLLATE "C",
     needs_review INTEGER NOT NULL DEFAULT 0,
     verify_first INTEGER NOT NULL DEFAULT 0,
     review_note TEXT,
     run_id TEXT,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE INDEX submissions_by_state ON submissions (state, source_ts, source_id);
   CREATE INDEX submissions_by_source ON submissions (source_id);
   CREATE TABLE source_rows (
     source_id TEXT COLLATE "C" PRIMARY KEY,
     source_ts TEXT NOT NULL,
     key TEXT COLLATE "C" NOT NULL,
     seen_at TEXT NOT NULL
   );
   CREATE TABLE runs (
     seq BIGSERIAL,
     run_id TEXT PRIMARY KEY,
     started_at TEXT COLLATE "C" NOT NULL,
     ended_at TEXT,
     created INTEGER NOT NULL DEFAULT 0,
     skipped INTEGER NOT NULL DEFAULT 0,
     failed INTEGER NOT NULL DEFAULT 0,
     parked INTEGER NOT NULL DEFAULT 0,
     exit_code INTEGER,
     note TEXT,
     pid INTEGER,
     host TEXT
   );
   CREATE TABLE cursor (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     source_ts TEXT NOT NULL,
     source_id TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE audits (
     id BIGSERIAL PRIMARY KEY,
     run_id TEXT NOT NULL,
     started_at TEXT NOT NULL,
     ended_at TEXT COLLATE "C" NOT NULL,
     trigger TEXT NOT NULL CHECK (trigger IN ('command','daily')),
     scanned INTEGER NOT NULL,
     missing INTEGER NOT NULL,
     registered INTEGER NOT NULL,
     missing_ids TEXT NOT NULL
   );
   CREATE TABLE alert_incidents (
     fingerprint TEXT COLLATE "C" PRIMARY KEY,
     title TEXT,
     detail TEXT,
     first_seen TEXT COLLATE "C",
     last_seen TEXT,
     runs INTEGER,
     alerted_at TEXT
   );`,
  // The run lock's holder across hosts (postgres/runLock.ts): who holds the advisory lock, for
  // the message a second run prints. The lock itself is PostgreSQL's; this row only names it.
  `CREATE TABLE run_lock_holder (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     run_id TEXT NOT NULL,
     host TEXT NOT NULL,
     pid INTEGER NOT NULL,
     started_at TEXT NOT NULL
   );`,
  // The write-back (WRITEBACK_TABLE): snapshots of each ticket's row and the pull's checkpoint.
  PG_WRITEBACK_MIGRATION,
];

export const PG_SCHEMA_VERSION = MIGRATIONS.length;

/** One advisory-lock key for migrating, whatever the schema: migrations are rare and short. */
export const MIGRATION_LOCK = 7_351_020_011;

/** The schema's version, or null when the schema or its version table does not exist yet. */
async function currentVersion(client: pg.ClientBase, s: string): Promise<number | null> {
  try {
    return (await client.query<{ version: number }>(`SELECT version FROM ${s}.schema_version`)).rows[0]?.version ?? null;
  } catch (err) {
    // 42P01 undefined_table, 3F000 invalid_schema_name: a first start, migrated below.
    if (['42P01', '3F000'].includes((err as { code?: string }).code ?? '')) return null;
    throw err;
  }
}

/** Creates the schema if needed and brings it to PG_SCHEMA_VERSION, once across racing hosts. */
export async function migrate(client: pg.ClientBase, schema: string): Promise<void> {
  const s = quoteSchema(schema);
  // Nearly every start finds the schema current: one read, then no transaction, no wait on the
  // migration lock and no commit (an idle run's cost; versions only go up, so "current" stays so).
  if ((await currentVersion(client, s)) === PG_SCHEMA_VERSION) return;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_version (version INTEGER NOT NULL)`);
    const rows = (await client.query<{ version: number }>(`SELECT version FROM ${s}.schema_version`)).rows;
    const current = rows[0]?.version ?? 0;
    if (current > PG_SCHEMA_VERSION) {
      throw new DependencyError('tracker', `the tracker in schema ${schema} has version ${current}, newer than this jira-sync understands (${PG_SCHEMA_VERSION}); upgrade jira-sync`);
    }
    if (rows.length === 0) await client.query(`INSERT INTO ${s}.schema_version (version) VALUES (0)`);
    await client.query(`SET LOCAL search_path TO ${s}`);
    for (let v = current; v < PG_SCHEMA_VERSION; v++) await client.query(MIGRATIONS[v] as string);
    await client.query(`UPDATE ${s}.schema_version SET version = $1`, [PG_SCHEMA_VERSION]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** The schema's version, or null when no run has created it yet (no schema, or an empty schema
 *  a person made for jira-sync to fill). Reads only. Throws when it is newer than this program. */
export async function schemaVersion(client: pg.ClientBase, schema: string): Promise<number | null> {
  const table = `${quoteSchema(schema)}.schema_version`;
  const exists = (await client.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [table])).rows[0]?.ok === true;
  if (!exists) return null;
  const version = (await client.query<{ version: number }>(`SELECT version FROM ${table}`)).rows[0]?.version ?? 0;
  if (version > PG_SCHEMA_VERSION) {
    throw new DependencyError('tracker', `the tracker in schema ${schema} has version ${version}, newer than this jira-sync understands (${PG_SCHEMA_VERSION}); upgrade jira-sync`);
  }
  return version === 0 ? null : version;
}

/** The schema name as an SQL identifier (config.ts allows plain names only). */
export function quoteSchema(schema: string): string {
  return `"${schema.replace(/"/g, '""')}"`;
}
