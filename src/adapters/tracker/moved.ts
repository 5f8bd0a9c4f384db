// A SQLite tracker that `tracker copy-to-postgres` has copied stays a complete, runnable file. A
// host whose settings still name it (TRACKER_DATABASE_URL left unset) would go on creating from
// it, beside the hosts that use the PostgreSQL copy, and the two trackers would each create the
// same new rows: duplicates. So the copy leaves a note in the file, in the same SQLite
// transaction that holds the file during the copy, and a run or `retry` that opens the file
// refuses with what to do. The note is a table of its own, created when needed, not a
// migration: only a copied tracker has it. doctor and status read the note too, to say so.
import { ConfigError } from '../../errors.js';
import fs from 'node:fs';
import { sqlite, type SqliteDatabase } from './sqlite.js';

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

/** The copy-to-postgres note in the file; null when there is none or it cannot be read (the run
 *  says why), without writing. Read from a copy in memory: opening a WAL-mode file, even read-only, makes SQLite
 *  create its -shm and -wal files, and doctor and status create none. The copy's header is set to the
 *  rollback journal (bytes 18 and 19), as an in-memory database cannot be in WAL mode. */
export function readMovedNote(file: string): MovedNote | null {
  let db: SqliteDatabase | undefined;
  try {
    const image = fs.readFileSync(file);
    if (image.length >= 100) image.writeUInt16BE(0x0101, 18);
    const Database = sqlite();
    db = new Database(image, { readonly: true });
    return movedNote(db);
  } catch {
    return null;
  } finally {
    db?.close();
  }
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
