// Moving over (`jira-sync tracker copy-to-postgres`): the SQLite tracker at TRACKER_PATH copied
// into an empty PostgreSQL tracker (TRACKER_DATABASE_URL, TRACKER_SCHEMA), so runs on any host
// continue where the SQLite tracker stopped, with no duplicate. Both run locks are held for the
// whole copy and the SQLite file is held against writers, so no run or `retry` changes either
// side mid-copy; the rows go in one PostgreSQL transaction, all or nothing, and the copy is
// counted before it commits. The SQLite tracker's rows are read, never changed (beyond the
// migration and redaction any run applies when it opens it); once PostgreSQL has committed, a note
// goes into the file (moved.ts) so that no run writes it again beside the copy.
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { connectFailure, type RowPosition } from '../postgres/source.js';
import { ConfigError, DependencyError, UsageError } from '../../errors.js';
import { highWaterPath, isAfter, readAheadIds, readHighWater } from './highWater.js';
import { RunLock } from './lock.js';
import { noteMoved } from './moved.js';
import { columnProblems, copyRows, pgCounts, sqliteCounts } from './postgres/copyRows.js';
import { migrate, quoteSchema } from './postgres/migrations.js';
import { PgRunLock } from './postgres/runLock.js';
import { redactStoredTexts } from './redactStored.js';
import { openTrackerDb } from './schema.js';
import type { SqliteDatabase } from './sqlite.js';
import { SUBMISSION_STATES, type SubmissionState } from './submission.js';

export interface CopyTarget {
  trackerPath: string;
  /** TRACKER_DATABASE_URL; null when unset (refused). */
  url: string | null;
  schema: string;
  redact: (s: string) => string;
}

export interface CopyReport {
  /** Rows per table. */
  tables: Record<string, number>;
  states: Record<SubmissionState, number>;
  cursor: RowPosition | null;
  lastRunStartedAt: string | null;
  /** The write-back pull's checkpoint (WRITEBACK_TABLE), or null. */
  pullCheckpoint: string | null;
}

export async function copyTrackerToPostgres(t: CopyTarget): Promise<CopyReport> {
  if (!t.url) throw new ConfigError(['TRACKER_DATABASE_URL is not set: set it to the PostgreSQL database the tracker moves to (its schema is TRACKER_SCHEMA, default jira_sync)']);
  if (!fs.existsSync(t.trackerPath)) {
    throw new ConfigError([`TRACKER_PATH: there is no SQLite tracker at ${t.trackerPath}, so there is nothing to copy; set TRACKER_PATH to the tracker file your runs have used`]);
  }
  const holder = { runId: `copy-to-postgres-${randomUUID()}`, startedAt: new Date().toISOString() };
  const fileLock = RunLock.acquire(RunLock.lockPathFor(t.trackerPath), holder);
  let db: SqliteDatabase | null = null;
  let pgLock: PgRunLock | null = null;
  try {
    db = openTrackerDb(t.trackerPath);
    redactStoredTexts(db, t.redact);
    // A write lock on the file for the whole copy: a `retry` (which takes no run lock) waits.
    db.exec('BEGIN IMMEDIATE');
    refuseIfBehindHighWater(db, t.trackerPath);
    const client = new pg.Client({ connectionString: t.url });
    client.on('error', () => undefined);
    try {
      await connectAndMigrate(client, t);
      pgLock = await PgRunLock.acquire(t.url, t.schema, holder, t.redact);
      const report = await copyInOneTransaction(db, client, t.schema);
      noteMoved(db, { schema: t.schema, at: new Date().toISOString() });
      db.exec('COMMIT');
      return report;
    } finally {
      await client.end().catch(() => undefined);
    }
  } finally {
    if (db?.inTransaction) db.exec('ROLLBACK');
    db?.close();
    await pgLock?.release();
    fileLock.release();
  }
}

async function connectAndMigrate(client: pg.Client, t: CopyTarget): Promise<void> {
  try {
    await client.connect();
    // Created and migrated as a run does, in its own transaction: the schema is left behind even
    // if the copy fails, empty, and a later copy or run uses it.
    await migrate(client, t.schema);
  } catch (err) {
    if (err instanceof DependencyError) throw err;
    throw new DependencyError('tracker', `cannot use the PostgreSQL tracker (TRACKER_DATABASE_URL, schema ${t.schema})${t.redact(connectFailure(err, t.url ?? '', 'TRACKER_DATABASE_URL'))}`);
  }
}

/**
 * A SQLite tracker restored from an older backup is behind the high-water file beside it: rows
 * after its cursor may have tickets it forgot, and its next run searches Jira for them before
 * creating. The PostgreSQL tracker has no such file, so the copy would lose that protection:
 * such a tracker is refused until SQLite runs have caught up. The future-dated rows the file
 * lists are in `source_rows` of a tracker that has not forgotten them, and so are copied; a
 * listed one it does not know means the same restore, and the same refusal.
 */
function refuseIfBehindHighWater(db: SqliteDatabase, trackerPath: string): void {
  const cursor = cursorOf(db);
  const mark = readHighWater(trackerPath);
  const seen = db.prepare('SELECT 1 FROM source_rows WHERE source_id = ?');
  const forgotten = [...readAheadIds(trackerPath)].filter((id) => seen.get(id) === undefined);
  if ((mark && (!cursor || isAfter(mark, cursor))) || forgotten.length > 0) {
    const why = forgotten.length > 0 ? `it does not know source ids ${forgotten.slice(0, 5).join(', ')} that the mark lists` : `its cursor is before the mark (source id ${mark?.sourceId}, ${mark?.sourceTs})`;
    throw new UsageError(
      `the SQLite tracker ${trackerPath} is behind its high-water mark ${highWaterPath(trackerPath)} (${why}): it was restored from a backup, and rows it forgot may already have tickets. ` +
        'Run `jira-sync run` with the SQLite tracker (TRACKER_DATABASE_URL unset) until `jira-sync status` shows the cursor past the mark, then copy again; nothing was copied',
    );
  }
}

async function copyInOneTransaction(db: SqliteDatabase, client: pg.Client, schema: string): Promise<CopyReport> {
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL search_path TO ${quoteSchema(schema)}`);
    const tables = sqliteCounts(db);
    // No one writes the target while it is checked and filled (runs are kept out by the run lock already).
    await client.query(`LOCK TABLE ${Object.keys(tables).join(', ')} IN EXCLUSIVE MODE`);
    const held = await pgCounts(client);
    if (Object.values(held).some((n) => n > 0)) {
      throw new ConfigError([
        `TRACKER_SCHEMA: the PostgreSQL tracker in schema ${schema} is not empty (it holds ${describeCounts(held)}); copy-to-postgres copies only into an empty tracker, and nothing was copied. ` +
          `Choose another TRACKER_SCHEMA, or drop schema ${schema} if what it holds is not needed`,
      ]);
    }
    const problems = await columnProblems(db, client, schema);
    if (problems.length > 0) throw new DependencyError('tracker', `cannot copy the tracker completely, so nothing was copied: ${problems.join('; ')}`);
    await copyRows(db, client);
    const copied = await pgCounts(client);
    const short = Object.keys(tables).filter((k) => copied[k] !== tables[k]);
    if (short.length > 0) throw new DependencyError('tracker', `the copy does not add up (${short.map((k) => `${k}: ${tables[k]} in SQLite, ${copied[k]} copied`).join('; ')}); nothing was copied`);
    await client.query('COMMIT');
    const lastRun = db.prepare('SELECT max(started_at) AS at FROM runs').get() as { at: string | null };
    return { tables, states: statesOf(db), cursor: cursorOf(db), lastRunStartedAt: lastRun.at, pullCheckpoint: pullCheckpointOf(db) };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

function cursorOf(db: SqliteDatabase): RowPosition | null {
  return (db.prepare('SELECT source_ts AS sourceTs, source_id AS sourceId FROM cursor WHERE id = 1').get() as RowPosition | undefined) ?? null;
}

function pullCheckpointOf(db: SqliteDatabase): string | null {
  return (db.prepare('SELECT checkpoint FROM writeback_pull WHERE id = 1').pluck().get() as string | null | undefined) ?? null;
}

function statesOf(db: SqliteDatabase): Record<SubmissionState, number> {
  const out = Object.fromEntries(SUBMISSION_STATES.map((s) => [s, 0])) as Record<SubmissionState, number>;
  for (const r of db.prepare('SELECT state, count(*) AS n FROM submissions GROUP BY state').all() as { state: SubmissionState; n: number }[]) out[r.state] = r.n;
  return out;
}

/** "10 submissions, 6 runs, a cursor", for the refusal. */
function describeCounts(c: Record<string, number>): string {
  const names: Record<string, [string, string]> = {
    submissions: ['submission', 'submissions'], source_rows: ['seen source row', 'seen source rows'], runs: ['run', 'runs'],
    cursor: ['cursor', 'cursor'], audits: ['audit', 'audits'], alert_incidents: ['alert incident', 'alert incidents'],
  };
  return Object.entries(c).filter(([, n]) => n > 0).map(([k, n]) => (k === 'cursor' ? 'a cursor' : `${n} ${names[k]?.[n === 1 ? 0 : 1] ?? k}`)).join(', ');
}
