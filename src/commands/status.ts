// `jira-sync status [--json]`: what happened, what failed and why, what to do. Reads the
// tracker only, so it works while Jira or PostgreSQL are down.
import fs from 'node:fs';
import { lastAudit, type AuditRecord } from '../adapters/tracker/audits.js';
import { listBackups } from '../adapters/tracker/backup.js';
import { RunLock, describeHolder } from '../adapters/tracker/lock.js';
import { recentRuns, type RunRecord } from '../adapters/tracker/runs.js';
import { countsByState, cursorPosition, problemSubmissions, type ProblemSubmission } from '../adapters/tracker/status.js';
import type { ResolvedConfig } from '../config.js';
import { makeNow, openTracker } from '../runtime.js';

export interface StatusReport {
  tracker: string;
  exists: boolean;
  counts: Record<string, number>;
  runs: (RunRecord & { durationSeconds: number | null })[];
  attention: ProblemSubmission[];
  cursor: { sourceTs: string; sourceId: string; updatedAt: string } | null;
  lock: { held: boolean; holder: string | null };
  newestBackup: { file: string; ageHours: number } | null;
  /** The last audit of the source table against the tracker (`jira-sync audit`, or a day's first run). */
  lastAudit: AuditRecord | null;
}

export function collectStatus(config: ResolvedConfig, now: Date): StatusReport {
  const holder = RunLock.currentHolder(RunLock.lockPathFor(config.trackerPath));
  const lock = { held: holder !== null, holder: holder === null ? null : holder === 'unknown' ? 'unknown' : describeHolder(holder) };
  const backups = listBackups(config.trackerPath);
  const newest = backups[backups.length - 1];
  const newestBackup = newest ? { file: newest.file, ageHours: Math.round(((now.getTime() - newest.mtime.getTime()) / 3_600_000) * 10) / 10 } : null;
  const base = { tracker: config.trackerPath, lock, newestBackup };
  if (!fs.existsSync(config.trackerPath)) return { ...base, exists: false, counts: {}, runs: [], attention: [], cursor: null, lastAudit: null };
  const tracker = openTracker(config, () => now, { readonly: true });
  if (!tracker) return { ...base, exists: false, counts: {}, runs: [], attention: [], cursor: null, lastAudit: null };
  try {
    const db = tracker.db;
    const runs = recentRuns(db, 10).map((r) => ({
      ...r,
      durationSeconds: r.endedAt ? Math.round((Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 100) / 10 : null,
    }));
    return { ...base, exists: true, counts: countsByState(db), runs, attention: problemSubmissions(db), cursor: cursorPosition(db), lastAudit: lastAudit(db) };
  } finally {
    tracker.close();
  }
}

function advice(p: ProblemSubmission): string {
  if (p.needsReview) return `review: ${p.reviewNote ?? ''}`;
  // The tracker keeps the row as it was fetched, so a value Jira cannot take is fixed in the
  // mapping or in Jira (a missing option), not in the database row.
  const cause =
    p.lastOutcome === 'failed:invalid-value'
      ? 'fix field_mapping.json or the field in Jira (e.g. add the missing option, then `jira-sync map-fields`)'
      : p.lastOutcome === 'failed:jira-rejected'
        ? "fix what Jira's message names (the request type's fields or permissions)"
        : null;
  switch (p.state) {
    case 'parked':
      return `${cause ?? 'fix the cause'}, then \`jira-sync retry ${p.sourceId}\``;
    case 'failed':
      return `${cause ? `${cause}; ` : ''}retried automatically at ${p.nextAttemptAt ?? 'the next run'}`;
    default:
      return 'resumes on the next run';
  }
}

export function formatStatus(s: StatusReport): string {
  const out: string[] = [];
  if (!s.exists) {
    out.push(`No tracker at ${s.tracker} yet: no run has written anything.`);
  } else {
    out.push(`Submissions by state: ${Object.entries(s.counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    out.push(s.cursor ? `Cursor: up to ${s.cursor.sourceTs} (source id ${s.cursor.sourceId}), moved ${s.cursor.updatedAt}` : 'Cursor: not started');
    const a = s.lastAudit;
    out.push(
      a
        ? `Last audit: ${a.endedAt} (${a.trigger}): ${a.scanned} source row${a.scanned === 1 ? '' : 's'} checked, ${a.missing === 0 ? 'none missed' : `${a.missing} never fetched (source ids ${a.missingIds.join(', ')}), ${a.registered} registered`}`
        : 'Last audit: none yet (the first run of each day makes one; or `jira-sync audit`)',
    );
  }
  out.push(`Run lock: ${s.lock.held ? `held by ${s.lock.holder}` : 'free'}`);
  out.push(`Newest tracker backup: ${s.newestBackup ? `${s.newestBackup.ageHours} h old (${s.newestBackup.file})` : 'none yet'}`);
  out.push('', 'Last runs:');
  if (s.runs.length === 0) out.push('  (none)');
  for (const r of s.runs) {
    const result = r.exitCode === null ? 'unfinished' : `exit ${r.exitCode}`;
    out.push(`  ${r.startedAt}  ${result}  created ${r.created}, skipped ${r.skipped}, failed ${r.failed}, parked ${r.parked}${r.durationSeconds !== null ? ` in ${r.durationSeconds} s` : ''}  run ${r.runId}${r.note ? `  ${r.note}` : ''}`);
  }
  out.push('', 'Needs attention:');
  if (s.attention.length === 0) out.push('  nothing');
  for (const p of s.attention) {
    out.push(
      `  source id ${p.sourceId}  ${p.state}${p.needsReview ? ' (needs review)' : ''}${p.ticketKey ? `  ${p.ticketKey}` : ''}  attempts ${p.attempts}` +
        `${p.nextAttemptAt ? `  next try ${p.nextAttemptAt}` : ''}\n    last error: ${p.lastError ?? '-'}\n    key ${p.key}\n    what to do: ${advice(p)}`,
    );
  }
  return out.join('\n');
}

export function statusCommand(config: ResolvedConfig, opts: { json: boolean }, print: (line: string) => void): number {
  const s = collectStatus(config, makeNow()());
  print(opts.json ? JSON.stringify(s, null, 2) : formatStatus(s));
  return 0;
}
