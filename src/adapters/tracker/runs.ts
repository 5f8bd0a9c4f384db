// One row per run, so `status` can show what recent runs did without reading logs.
import os from 'node:os';
import type Database from 'better-sqlite3';
import type { Counts } from '../../counts.js';


export interface RunRecord extends Counts {
  runId: string;
  startedAt: string;
  endedAt: string | null;
  exitCode: number | null;
  note: string | null;
}

export function startRun(db: Database.Database, runId: string, at: Date): void {
  db.prepare('INSERT INTO runs (run_id, started_at, pid, host) VALUES (?, ?, ?, ?)').run(runId, at.toISOString(), process.pid, os.hostname());
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the run that last touched a submission may still be working on it. The run lock
 * normally makes this moot; it matters when two runs overlap anyway (lock bypassed, or a
 * tracker restored while a run was going). A run killed with -9 has no end time but a dead pid.
 */
export function isRunAlive(db: Database.Database, runId: string | null, now: Date): boolean {
  if (!runId) return false;
  const r = db.prepare('SELECT ended_at, pid, host, started_at FROM runs WHERE run_id = ?').get(runId) as
    | { ended_at: string | null; pid: number | null; host: string | null; started_at: string }
    | undefined;
  if (!r || r.ended_at) return false;
  if (r.host === os.hostname() && r.pid) return pidAlive(r.pid);
  // Another machine (unsupported, but be careful): trust it for six hours.
  return now.getTime() - Date.parse(r.started_at) < 6 * 3_600_000;
}

/**
 * The counts so far, after each submission: a run that dies (kill -9, power cut) before
 * finishRun still shows in `status` what it did, not zeros.
 */
export function recordRunProgress(db: Database.Database, runId: string, counts: Counts): void {
  // max(): a count only grows during a run, and markDone may already have counted a submission
  // whose result this call has not seen yet (several are in flight).
  db.prepare(
    'UPDATE runs SET created = max(created, ?), skipped = max(skipped, ?), failed = max(failed, ?), parked = max(parked, ?) WHERE run_id = ? AND ended_at IS NULL',
  ).run(
    counts.created, counts.skipped, counts.failed, counts.parked, runId,
  );
}

export function finishRun(db: Database.Database, runId: string, at: Date, counts: Counts, exitCode: number, note: string | null): void {
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
