// Error texts stored before redaction covered every form of a secret (a tracker from an earlier
// version) are redacted in place when a run opens the tracker, so `status`, alerts and the next
// backups stop carrying them. Only rows that hold a text are read: failed, parked and flagged
// submissions, runs that stopped, open incidents; a few rows, not the table.
import type Database from 'better-sqlite3';

const COLUMNS: { table: string; column: string }[] = [
  { table: 'submissions', column: 'last_error' },
  { table: 'submissions', column: 'review_note' },
  { table: 'runs', column: 'note' },
  { table: 'alert_incidents', column: 'detail' },
];

/** Returns how many stored texts changed. */
export function redactStoredTexts(db: Database.Database, redact: (s: string) => string): number {
  const tables = new Set((db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((t) => t.name));
  let changed = 0;
  db.transaction(() => {
    for (const { table, column } of COLUMNS) {
      if (!tables.has(table)) continue;
      const rows = db.prepare(`SELECT rowid AS id, "${column}" AS text FROM "${table}" WHERE "${column}" IS NOT NULL`).all() as { id: number; text: string }[];
      const update = db.prepare(`UPDATE "${table}" SET "${column}" = ? WHERE rowid = ?`);
      for (const r of rows) {
        const clean = redact(r.text);
        if (clean !== r.text) {
          update.run(clean, r.id);
          changed += 1;
        }
      }
    }
  })();
  return changed;
}
