// Daily rolling and retention of the log directory.
//
// Each run is a short process started by cron, so there is no long-lived writer
// that could roll at midnight: checking once at start-up is enough. A file
// whose last write (mtime) was on an earlier UTC day is renamed after that day,
// and rolled files past the retention window are deleted. Only files jira-sync
// itself writes (OWN_LOG_FILES) are touched, so anything else an operator keeps
// in the directory survives: above all the cron.log that crontab.example
// appends to, which a rename would cut off from cron's open `>>`.

import fs from 'node:fs';
import path from 'node:path';
import { tightenFile } from '../privateFiles.js';

/** The files jira-sync writes: one per module, and summary.log. Add a module here when adding one. */
export const OWN_LOG_FILES: ReadonlySet<string> = new Set([
  'main', 'fetch_submissions', 'unique_key', 'tracker', 'field_mapping', 'create_ticket', 'attach_submission', 'audit', 'summary',
]);

/** `<module>.log`, the live file (summary.log included). */
const LIVE = /^([a-z_]+)\.log$/;
/** `<module>.YYYY-MM-DD.log` or, after a collision, `<module>.YYYY-MM-DD.N.log`. */
const ROLLED = /^([a-z_]+)\.(\d{4}-\d{2}-\d{2})(?:\.(\d+))?\.log$/;

const DAY_MS = 86_400_000;

/** UTC calendar day as YYYY-MM-DD; the logs, the summary and cron all speak UTC. */
export function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export interface RollResult {
  rolled: Array<{ from: string; to: string }>;
  deleted: string[];
  /** Non-fatal problems (a file we could not rename/delete): reported, never thrown. */
  problems: Array<{ file: string; error: string }>;
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** Rolled files are kept owner-only; a failure is a problem to report, never fatal. */
function tryTighten(dir: string, name: string, result: RollResult): void {
  try {
    tightenFile(path.join(dir, name));
  } catch (err) {
    if (!isMissing(err)) result.problems.push({ file: name, error: String(err) });
  }
}

/** First free `<module>.<day>[.N].log`, so rolling never overwrites an older roll. */
function freeRolledName(dir: string, module: string, day: string): string {
  let name = `${module}.${day}.log`;
  for (let n = 1; fs.existsSync(path.join(dir, name)); n++) name = `${module}.${day}.${n}.log`;
  return name;
}

/**
 * Rolls `<module>.log` files last written before today (UTC) and deletes rolled
 * files whose day is more than `retentionDays` days before today. The day in
 * the *name* decides retention, not the mtime, because copying or restoring the
 * directory resets mtimes and must not revive or kill files.
 *
 * Safe against an overlapping run doing the same: a file that vanished between
 * listing and renaming/deleting (ENOENT) is simply skipped.
 */
export function rollAndPrune(dir: string, now: Date, retentionDays: number): RollResult {
  const result: RollResult = { rolled: [], deleted: [], problems: [] };
  const today = utcDay(now);
  const names = fs.readdirSync(dir);

  for (const name of names) {
    const m = LIVE.exec(name);
    if (!m?.[1] || !OWN_LOG_FILES.has(m[1])) continue;
    const file = path.join(dir, name);
    try {
      const st = fs.statSync(file);
      if (!st.isFile()) continue;
      const day = utcDay(st.mtime);
      // String comparison works for YYYY-MM-DD; a future mtime (clock skew) is
      // left alone rather than rolled under a date that has not happened.
      if (day >= today) {
        // Not rolled, maybe not written this run: still kept owner-only (privateFiles.ts).
        tightenFile(file);
        continue;
      }
      const to = freeRolledName(dir, m[1], day);
      // existsSync + rename has a tiny race with an overlapping run; the cost
      // of losing it is one overwritten rolled file, and cron runs are 15 min apart.
      fs.renameSync(file, path.join(dir, to));
      // A rename keeps the mode; a file an older version left world-readable is tightened.
      tightenFile(path.join(dir, to));
      result.rolled.push({ from: name, to });
    } catch (err) {
      if (!isMissing(err)) result.problems.push({ file: name, error: String(err) });
    }
  }

  const todayMs = Date.parse(`${today}T00:00:00Z`);
  for (const name of fs.readdirSync(dir)) {
    const m = ROLLED.exec(name);
    if (!m?.[1] || !m[2] || !OWN_LOG_FILES.has(m[1])) continue;
    const dayMs = Date.parse(`${m[2]}T00:00:00Z`);
    if (Number.isNaN(dayMs)) continue; // e.g. 2026-13-40: not ours, leave it.
    const ageDays = Math.round((todayMs - dayMs) / DAY_MS);
    if (ageDays <= retentionDays) {
      tryTighten(dir, name, result);
      continue;
    }
    try {
      fs.unlinkSync(path.join(dir, name));
      result.deleted.push(name);
    } catch (err) {
      if (!isMissing(err)) result.problems.push({ file: name, error: String(err) });
    }
  }
  return result;
}
