// The record of audits (source table against tracker), so the automatic audit runs once per
// UTC day, like the backup, and `status` can say when the table was last checked.
import type Database from 'better-sqlite3';

export interface AuditRecord {
  runId: string;
  startedAt: string;
  endedAt: string;
  trigger: 'command' | 'daily';
  scanned: number;
  missing: number;
  registered: number;
  /** The first source ids found missing (at most MAX_IDS_KEPT). */
  missingIds: string[];
}

const MAX_IDS_KEPT = 100;

export function recordAudit(db: Database.Database, a: AuditRecord): void {
  db.prepare(
    `INSERT INTO audits (run_id, started_at, ended_at, trigger, scanned, missing, registered, missing_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(a.runId, a.startedAt, a.endedAt, a.trigger, a.scanned, a.missing, a.registered, JSON.stringify(a.missingIds.slice(0, MAX_IDS_KEPT)));
}

export function lastAudit(db: Database.Database): AuditRecord | null {
  const hasTable = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audits'`).get() !== undefined;
  if (!hasTable) return null; // a read-only tracker not yet migrated by a run
  const r = db.prepare('SELECT * FROM audits ORDER BY ended_at DESC, id DESC LIMIT 1').get() as
    | { run_id: string; started_at: string; ended_at: string; trigger: 'command' | 'daily'; scanned: number; missing: number; registered: number; missing_ids: string }
    | undefined;
  if (!r) return null;
  return {
    runId: r.run_id, startedAt: r.started_at, endedAt: r.ended_at, trigger: r.trigger, scanned: r.scanned, missing: r.missing,
    registered: r.registered, missingIds: JSON.parse(r.missing_ids) as string[],
  };
}

/** Whether no audit has finished yet on this UTC day (either kind counts: the work is the same). */
export function auditDue(db: Database.Database, now: Date): boolean {
  const last = lastAudit(db);
  return last === null || last.endedAt.slice(0, 10) !== now.toISOString().slice(0, 10);
}
