// The tracker's SQLite file: opened, and migrated forward, here only.
import path from 'node:path';
import { CACHE_KIB, openSqlite, type SqliteDatabase } from './sqlite.js';
import { DependencyError, describeFileError, errorMessage } from '../../errors.js';
import { ensurePrivateDir, ensurePrivateFile, tightenFile } from '../../privateFiles.js';
import { damagedTrackerFix } from './backup.js';
import { SQLITE_WRITEBACK_MIGRATION } from './sqliteWriteback.js';

// Each entry migrates from version i to i+1 (PRAGMA user_version). Append only.
const MIGRATIONS: string[] = [
  `CREATE TABLE submissions (
     key TEXT PRIMARY KEY,
     source_id TEXT NOT NULL,
     source_ts TEXT NOT NULL,
     payload TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('pending','creating','created','attached','done','failed','parked')),
     ticket_key TEXT,
     ticket_id TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     last_error TEXT,
     last_outcome TEXT,
     attempt_started_at TEXT,
     next_attempt_at TEXT,
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
     source_id TEXT PRIMARY KEY,
     source_ts TEXT NOT NULL,
     key TEXT NOT NULL,
     seen_at TEXT NOT NULL
   );
   CREATE TABLE runs (
     run_id TEXT PRIMARY KEY,
     started_at TEXT NOT NULL,
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
   );`,
  // Audits of the source table against the tracker (`jira-sync audit`, and the first run of
  // each day): when, and what they found, so the daily one runs once a day and status shows it.
  `CREATE TABLE IF NOT EXISTS audits (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     run_id TEXT NOT NULL,
     started_at TEXT NOT NULL,
     ended_at TEXT NOT NULL,
     trigger TEXT NOT NULL CHECK (trigger IN ('command','daily')),
     scanned INTEGER NOT NULL,
     missing INTEGER NOT NULL,
     registered INTEGER NOT NULL,
     missing_ids TEXT NOT NULL
   );`,
  // Alert incidents (adapters/tracker/incidents.ts): which problems are open and whether a
  // person was told. IF NOT EXISTS: trackers from before this migration made the table on first use.
  `CREATE TABLE IF NOT EXISTS alert_incidents (
     fingerprint TEXT PRIMARY KEY,
     title TEXT,
     detail TEXT,
     first_seen TEXT,
     last_seen TEXT,
     runs INTEGER,
     alerted_at TEXT
   );`,
  // The write-back (WRITEBACK_TABLE): snapshots of each ticket's row and the pull's checkpoint.
  SQLITE_WRITEBACK_MIGRATION,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function openTrackerDb(file: string, opts: { readonly?: boolean } = {}): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    if (!opts.readonly) {
      // Owner-only before SQLite writes a byte: it gives the -wal/-shm files it creates the
      // tracker's own mode, so they are private too (privateFiles.ts says why).
      ensurePrivateDir(path.dirname(path.resolve(file)));
      ensurePrivateFile(file);
      // Side files an older version left wider (the high-water file is rewritten only when it moves).
      for (const side of ['-wal', '-shm', '-journal', '.highwater.json']) tightenFile(`${file}${side}`);
    }
    db = openSqlite(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  } catch (err) {
    if (err instanceof DependencyError) throw err; // the SQLite driver itself: its message says what to do
    throw new DependencyError('tracker', `cannot open ${file}: ${errorMessage(err)}; check TRACKER_PATH and that the folder is writable`);
  }
  try {
    // Several runs may touch the file at once (a bypassed lock, status during a run):
    // wait for a writer instead of failing at once.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (opts.readonly) {
      // Reads the first page, so a damaged file is told here, in words, not in the first query.
      db.prepare('SELECT count(*) FROM sqlite_master').get();
      db.pragma(`cache_size = -${CACHE_KIB}`);
      return db;
    }
    // WAL + FULL: a committed transition survives a power cut, which the crash-safety promise rests on.
    enableWal(db);
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`cache_size = -${CACHE_KIB}`);
    migrate(db, file);
    return db;
  } catch (err) {
    db.close();
    throw trackerFileError(file, err);
  }
}

/** How long a tracker connection waits for another process's lock before it fails. */
const BUSY_TIMEOUT_MS = 5000;

/** Sets WAL mode, waiting as busy_timeout would. Switching a new file to WAL reads it, then
 *  writes its header; when another process holds the write lock then (two runs starting together
 *  on a new tracker both switch it), SQLite answers SQLITE_BUSY at once, without its busy
 *  handler, since a reader that waited to write could deadlock. So the wait is made here. */
function enableWal(db: SqliteDatabase): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if (!String((err as { code?: unknown }).code ?? '').startsWith('SQLITE_BUSY') || Date.now() >= deadline) throw err;
      Atomics.wait(pause, 0, 0, 10); // opening is synchronous throughout: a short sleep, then again
    }
  }
}

/**
 * A tracker SQLite cannot use, in one line that names the file and says what to do. The file
 * is left exactly as it is: it may be the only record of which submissions reached Jira.
 */
export function trackerFileError(file: string, err: unknown): DependencyError {
  if (err instanceof DependencyError) return err;
  const code = String((err as { code?: unknown }).code ?? '');
  const why = describeFileError(err);
  if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT')) {
    return new DependencyError('tracker', `${file} is not a SQLite database or is damaged (${why}); ${damagedTrackerFix(file)}`);
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_CANTOPEN')) {
    return new DependencyError('tracker', `cannot write ${file} (${why}); give the user that runs jira-sync write access to it and its folder`);
  }
  if (code.startsWith('SQLITE_FULL')) {
    return new DependencyError('tracker', `cannot write ${file}: the disk is full (${code}); free space on it, then run again`);
  }
  return new DependencyError('tracker', `cannot use ${file}: ${why}; \`jira-sync doctor\` checks it`);
}

function migrate(db: SqliteDatabase, file: string): void {
  // IMMEDIATE takes the write lock before reading the version, so two processes opening a new
  // tracker at once migrate it once: the second waits, then sees the new version.
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > SCHEMA_VERSION) {
      throw new DependencyError('tracker', `${file} has schema version ${current}, newer than this jira-sync understands (${SCHEMA_VERSION}); upgrade jira-sync`);
    }
    for (let v = current; v < SCHEMA_VERSION; v++) {
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    }
    // Also when up to date: a write now tells a read-only tracker here, in words, not mid-run.
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
