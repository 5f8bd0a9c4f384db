// One row per run, so `status` can show what recent runs did without reading logs.
import type Database from 'better-sqlite3';

export interface RunCounts {
  created: number;
  skipped: number;
  failed: number;
  parked: number;
}

export interface RunRecord extends RunCounts {
  runId: string;
  startedAt: string;
  endedAt: string | null;
  exitCode: number | null;
  note: string | null;
}

export function startRun(db: Database.Database, runId: string, at: Date): void {
  db.prepare('INSERT INTO runs (run_id, started_at) VALUES (?, ?)').run(runId, at.toISOString());
}

export function finishRun(db: Database.Database, runId: string, at: Date, counts: RunCounts, exitCode: number, note: string | null): void {
  db.prepare(
    `UPDATE runs SET ended_at = ?, created = ?, skipped = ?, failed = ?, parked = ?, exit_code = ?, note = ? WHERE run_id = ?`,
  ).run(at.toISOString(), counts.created, counts.skipped, counts.failed, counts.parked, exitCode, note, runId);
}

export function recentRuns(db: Database.Database, limit: number): RunRecord[] {
  const rows = db
    .prepare('SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ?')
    .all(limit) as {
    run_id: string; started_at: string; ended_at: string | null; created: number; skipped: number; failed: number;
    parked: number; exit_code: number | null; note: string | null;
  }[];
  return rows.map((r) => ({
    runId: r.run_id, startedAt: r.started_at, endedAt: r.ended_at, created: r.created, skipped: r.skipped,
    failed: r.failed, parked: r.parked, exitCode: r.exit_code, note: r.note,
  }));
}
