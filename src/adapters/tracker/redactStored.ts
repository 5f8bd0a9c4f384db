// Error texts stored before redaction covered every form of a secret (a tracker from an earlier
// version) are redacted in place, so `status`, alerts and the next backups stop carrying them.
// Every text stored now is redacted as it is stored, so the pass over every stored text (a full
// read of the submissions table: about a second on a million-row tracker) is needed once per
// tracker, not on every run. `redactStoredTextsOnce` records in the table `redaction_pass`, in the
// same transaction as the pass, that it was done, with what it was done:
// - the redaction rules' version (REDACTION_RULES below): rules that cover more forms of a
//   secret must reach the texts stored under the old ones;
// - how many secret values were configured. A secret added to the configuration (count goes up)
//   may already stand in texts stored when it was not yet redacted, so the pass runs again. Only
//   the count is kept: a keyed hash of the values, with its key in the same file, would let
//   whoever holds a tracker or a backup test guesses of a short database password offline, and
//   the lengths would narrow such guesses. The one change the count misses is one value replaced
//   by another (a rotated token or password): texts stored before cannot hold a value that was
//   not in use yet, and they were stored redacted of the old one.
// Any other record (none, another version, another count) runs the pass again. The table is made
// when needed, not by a migration; `tracker copy-to-postgres` redacts every text before it copies
// (copyRows.ts lists the table as not copied).
import type Database from 'better-sqlite3';

/** Raise when makeRedactor (logging/redact.ts) covers more forms of a secret. */
export const REDACTION_RULES = 1;

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
  }).immediate();
  return changed;
}

/** How many distinct secret values the redactor was made from (as makeRedactor counts them). */
export function secretCount(secrets: readonly string[]): number {
  return new Set(secrets.filter((s) => typeof s === 'string' && s.trim() !== '')).size;
}

function recorded(db: Database.Database): { rules: number; secrets: number } | null {
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'redaction_pass'").get()) return null;
  return (db.prepare('SELECT rules, secret_count AS secrets FROM redaction_pass WHERE id = 1').get() as { rules: number; secrets: number } | undefined) ?? null;
}

/** The pass, unless this tracker's record says it was done with these rules and as many secrets.
 *  Returns how many stored texts changed, or null when the pass was not needed. */
export function redactStoredTextsOnce(db: Database.Database, secrets: readonly string[], redact: (s: string) => string, now: () => Date = () => new Date()): number | null {
  const count = secretCount(secrets);
  const isDone = () => {
    const done = recorded(db);
    return done !== null && done.rules === REDACTION_RULES && done.secrets === count;
  };
  if (isDone()) return null;
  let changed: number | null = null;
  // IMMEDIATE: the write lock from the start, waited for (busy_timeout) while another run holds
  // it. A deferred transaction reads first, and if another run commits before its first write,
  // SQLite fails that write at once ("database is locked"), as two runs starting together saw.
  db.transaction(() => {
    if (isDone()) return; // the other run did the pass while this one waited
    changed = redactStoredTexts(db, redact);
    db.exec('CREATE TABLE IF NOT EXISTS redaction_pass (id INTEGER PRIMARY KEY CHECK (id = 1), rules INTEGER NOT NULL, secret_count INTEGER NOT NULL, done_at TEXT NOT NULL)');
    db.prepare('INSERT INTO redaction_pass (id, rules, secret_count, done_at) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET rules = excluded.rules, secret_count = excluded.secret_count, done_at = excluded.done_at').run(REDACTION_RULES, count, now().toISOString());
  }).immediate();
  return changed;
}
