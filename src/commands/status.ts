// `jira-sync status [--json]`: what happened, what failed and why, what to do. Reads the
// tracker only, so it works while Jira or PostgreSQL are down, and creates no tracker (no file,
// no PostgreSQL schema) when no run has made one yet.
import fs from 'node:fs';
import type { AuditRecord } from '../adapters/tracker/audits.js';
import { listBackups } from '../adapters/tracker/backup.js';
import { RunLock, describeHolder } from '../adapters/tracker/lock.js';
import { movedNote, type MovedNote } from '../adapters/tracker/moved.js';
import { PgRunLock } from '../adapters/tracker/postgres/runLock.js';
import type { RunRecord } from '../adapters/tracker/runs.js';
import { Tracker } from '../adapters/tracker/tracker.js';
import type { ProblemSubmission } from '../adapters/tracker/status.js';
import type { PullState } from '../adapters/tracker/writeback.js';
import type { ResolvedConfig } from '../config.js';
import { targetWords, type JiraTarget, type TargetWords } from '../configTarget.js';
import { ExitCode } from '../errors.js';
import { makeNow, openTracker } from '../runtime.js';
import { wrapText } from '../wrap.js';

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
  /** The write-back pull (WRITEBACK_TABLE): when it last ran, its checkpoint, rows changed; null when off. */
  pull: PullState | null;
  /** Set when this SQLite tracker was copied to PostgreSQL: what it shows is its state then. */
  copiedToPostgres?: MovedNote | null;
}

/** How the report names a PostgreSQL tracker, before its schema. */
const PG_TRACKER = 'PostgreSQL, schema ';

export async function collectStatus(config: ResolvedConfig, now: Date): Promise<StatusReport> {
  const pgTracker = config.trackerDatabaseUrl;
  const holder = pgTracker ? await PgRunLock.currentHolder(pgTracker, config.trackerSchema) : RunLock.currentHolder(RunLock.lockPathFor(config.trackerPath));
  const lock = { held: holder !== null, holder: holder === null ? null : holder === 'unknown' ? 'unknown' : describeHolder(holder) };
  // A PostgreSQL tracker has no file backups: the database's own backups cover it (README).
  const backups = pgTracker ? [] : listBackups(config.trackerPath);
  const newest = backups[backups.length - 1];
  const newestBackup = newest ? { file: newest.file, ageHours: Math.round(((now.getTime() - newest.mtime.getTime()) / 3_600_000) * 10) / 10 } : null;
  const base = { tracker: pgTracker ? `${PG_TRACKER}${config.trackerSchema}` : config.trackerPath, lock, newestBackup };
  if (!pgTracker && !fs.existsSync(config.trackerPath)) return { ...base, exists: false, counts: {}, runs: [], attention: [], cursor: null, lastAudit: null, pull: null };
  const tracker = await openTracker(config, () => now, { readonly: true });
  if (!tracker) return { ...base, exists: false, counts: {}, runs: [], attention: [], cursor: null, lastAudit: null, pull: null };
  try {
    const runs = (await tracker.recentRuns(10)).map((r) => ({
      ...r,
      durationSeconds: r.endedAt ? Math.round((Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 100) / 10 : null,
    }));
    const copiedToPostgres = tracker instanceof Tracker ? movedNote(tracker.db) : null;
    return { ...base, exists: true, copiedToPostgres, counts: await tracker.countsByState(), runs, attention: await tracker.problemSubmissions(), cursor: await tracker.cursorPosition(), lastAudit: await tracker.lastAudit(),
      // A tracker no run of this version has opened yet has no pull record to read.
      pull: config.writebackTable ? await tracker.writeback.pullState().catch(() => null) : null };
  } finally {
    await tracker.close();
  }
}

/** A time a person reads: minutes are enough ("2026-12-01 10:42 UTC"). */
function at(iso: string | null): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : 'the next run';
}

/** What fixes the last failure. The row is re-read whenever a submission without a ticket is
 *  tried again, so a value in the row is fixed by correcting the row. */
function cause(p: ProblemSubmission, words: TargetWords): string {
  const retry = `\`jira-sync retry ${p.sourceId}\``;
  switch (p.lastOutcome) {
    case 'failed:invalid-value':
      return `correct the row, then ${retry} (if the row is right, fix field_mapping.json or the field in Jira instead, e.g. add the missing option, then \`jira-sync map-fields\`)`;
    case 'failed:jira-rejected':
      return p.ticketKey
        ? `the ticket exists but Jira refused the attachment: fix what Jira's message names, then ${retry}`
        : `correct the row, then ${retry} (if the row is right, fix what Jira's message names: ${words.refusalFix})`;
    case 'failed:search':
      return `Jira could not search for its marker and a ticket may already exist, so nothing is created until a search succeeds: fix what Jira's message names (e.g. the account's Browse projects permission), then ${retry}`;
    case 'parked:row-gone':
      return `its source row was deleted: if it should still become ${words.aTicket}, restore the row, then ${retry}`;
    default:
      return `fix the cause, then ${retry}`;
  }
}

function advice(p: ProblemSubmission, words: TargetWords): string {
  if (p.needsReview) return `review: ${p.reviewNote ?? ''}`;
  switch (p.state) {
    case 'parked':
      return cause(p, words);
    case 'failed':
      if (p.lastOutcome === 'requeued') return 're-queued: the next run tries it';
      return `${cause(p, words)}; otherwise ${p.lastOutcome === 'failed:search' ? 'searched again' : 'retried automatically'} after ${at(p.nextAttemptAt)}`;
    case 'creating':
      return p.nextAttemptAt
        ? `a create call may have reached Jira and no ticket with its marker is found yet (Jira's search index can lag): searched again after ${at(p.nextAttemptAt)}`
        : 'a create call may have reached Jira: the next run searches for its marker before creating anything';
    case 'created':
      return `the ticket exists: the next run attaches the submission`;
    default:
      return 'the next run marks it done';
  }
}

function pullLine(p: PullState): string {
  if (!p.lastPullAt) return 'Write-back pull: none yet (every run pulls; or `jira-sync pull`)';
  const how = p.lastError ? `failed (${p.lastError})${p.failingSince ? `, failing since ${p.failingSince}` : ''}` : 'ok';
  return `Write-back pull: last ${p.lastPullAt}, ${how}; checkpoint ${p.checkpoint ?? 'not set yet'}; ${p.lastChanged ?? 0} row${p.lastChanged === 1 ? '' : 's'} changed`;
}

/** `kind`: where tickets go (the configuration's target), so the advice names them as Jira does. */
export function formatStatus(s: StatusReport, kind: JiraTarget['kind'] = 'request'): string {
  const words = targetWords(kind);
  const out: string[] = [];
  if (!s.exists) {
    // A PostgreSQL tracker's schema is read, never created, here: the first run creates it.
    const place = s.tracker.startsWith(PG_TRACKER) ? `in PostgreSQL schema ${s.tracker.slice(PG_TRACKER.length)}` : `at ${s.tracker}`;
    out.push(`No tracker ${place} yet: no run has written anything.`);
  } else {
    const moved = s.copiedToPostgres;
    if (moved) {
      out.push(
        `This SQLite tracker was copied to PostgreSQL (schema ${moved.schema}) at ${moved.at}: this is its state then. ` +
          `For the current state, set TRACKER_DATABASE_URL (and TRACKER_SCHEMA=${moved.schema}) as on the other hosts.`,
      );
    }
    out.push(`Submissions by state: ${Object.entries(s.counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    out.push(s.cursor ? `Cursor: up to ${s.cursor.sourceTs} (source id ${s.cursor.sourceId}), moved ${s.cursor.updatedAt}` : 'Cursor: not started');
    const a = s.lastAudit;
    out.push(
      a
        ? `Last audit: ${a.endedAt} (${a.trigger}): ${a.scanned} source row${a.scanned === 1 ? '' : 's'} checked, ${a.missing === 0 ? 'none missed' : `${a.missing} never fetched (source ids ${a.missingIds.join(', ')}), ${a.registered} registered`}`
        : 'Last audit: none yet (the first run of each day makes one; or `jira-sync audit`)',
    );
  }
  if (s.pull) out.push(pullLine(s.pull));
  out.push(`Run lock: ${s.lock.held ? `held by ${s.lock.holder}` : 'free'}`);
  if (s.tracker.startsWith(PG_TRACKER)) out.push("Tracker backups: the PostgreSQL database's own (jira-sync keeps no file copies of a PostgreSQL tracker)");
  else out.push(`Newest tracker backup: ${s.newestBackup ? `${s.newestBackup.ageHours} h old (${s.newestBackup.file})` : 'none yet'}`);
  out.push('', 'Last runs:');
  if (s.runs.length === 0) out.push('  (none)');
  for (const r of s.runs) {
    const result = r.exitCode === null ? 'unfinished' : `exit ${r.exitCode}`;
    // Two lines a run, so each fits the console: what happened, then which run and why it stopped.
    out.push(`  ${r.startedAt}  ${result}  created ${r.created}, skipped ${r.skipped}, failed ${r.failed}, parked ${r.parked}${r.durationSeconds !== null ? ` in ${r.durationSeconds} s` : ''}`);
    out.push(`    run ${r.runId}${r.note ? `: ${r.note}` : ''}`);
  }
  out.push('', 'Needs attention:');
  if (s.attention.length === 0) out.push('  nothing');
  for (const p of s.attention) {
    out.push(
      `  source id ${p.sourceId}  ${p.state}${p.needsReview ? ' (needs review)' : ''}${p.ticketKey ? `  ${p.ticketKey}` : ''}  attempts ${p.attempts}` +
        `${p.nextAttemptAt ? `  next try ${p.nextAttemptAt}` : ''}\n    last error: ${p.lastError ?? '-'}\n    key ${p.key}\n    what to do: ${advice(p, words)}`,
    );
  }
  return wrapText(out.join('\n'), 2);
}

export async function statusCommand(config: ResolvedConfig, opts: { json: boolean }, print: (line: string) => void): Promise<number> {
  const s = await collectStatus(config, makeNow()());
  print(opts.json ? JSON.stringify(s, null, 2) : formatStatus(s, config.target.kind));
  return ExitCode.ok;
}
