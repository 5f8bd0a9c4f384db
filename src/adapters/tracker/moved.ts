// A SQLite tracker that `tracker copy-to-postgres` has copied stays a complete, runnable file. A
// host whose settings still name it (TRACKER_DATABASE_URL left unset) would go on creating from
// it, beside the hosts that use the PostgreSQL copy, and the two trackers would each create the
// same new rows: duplicates. So the copy leaves a note in the file, in the same SQLite
// transaction that holds the file during the copy, and a run or `retry` that opens the file
// refuses with what to do. The note is a table of its own, created when needed, not a
// migration: only a copied tracker has it.
import { ConfigError } from '../../errors.js';
import type { SqliteDatabase } from './sqlite.js';

export interface MovedNote {
  schema: string;
  at: string;
}

/** Records that the tracker now lives in PostgreSQL schema `schema` (inside the caller's transaction). */
export function noteMoved(db: SqliteDatabase, note: MovedNote): void {
  db.exec('CREATE TABLE IF NOT EXISTS moved_to_postgres (id INTEGER PRIMARY KEY CHECK (id = 1), schema_name TEXT NOT NULL, moved_at TEXT NOT NULL)');
  db.prepare('INSERT INTO moved_to_postgres (id, schema_name, moved_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET schema_name = excluded.schema_name, moved_at = excluded.moved_at').run(note.schema, note.at);
}

/** The note, if this tracker was copied to PostgreSQL. */
export function movedNote(db: SqliteDatabase): MovedNote | null {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'moved_to_postgres'").get();
  if (!table) return null;
  const row = db.prepare('SELECT schema_name AS schema, moved_at AS at FROM moved_to_postgres WHERE id = 1').get() as MovedNote | undefined;
  return row ?? null;
}

/** Refuses to write a tracker that was copied to PostgreSQL, naming the setting to change. */
export function refuseIfMoved(db: SqliteDatabase, trackerPath: string): void {
  const note = movedNote(db);
  if (!note) return;
  throw new ConfigError([
    `TRACKER_DATABASE_URL is not set, but the SQLite tracker ${trackerPath} was copied to PostgreSQL (schema ${note.schema}) at ${note.at} by \`jira-sync tracker copy-to-postgres\`: ` +
      `runs continue there. Set TRACKER_DATABASE_URL (and TRACKER_SCHEMA=${note.schema}) on this host. Nothing was done; ` +
      'a run on this file beside the PostgreSQL tracker would create the same new rows twice',
  ]);
}
