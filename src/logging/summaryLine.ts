// The one line every run ends with, in its two forms: the text summary.log keeps (and the
// console shows), and, with LOG_DIR=-, the same text as one JSON object on standard output with
// the counts as fields beside it, so a log collector can filter on them.
import os from 'node:os';
import type { Counts } from '../counts.js';
import { redactJsonLine } from './redact.js';

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * `2026-11-23T09:15:02Z run 7f3c… created 12, skipped 3, failed 1, parked 0 in 4.2 s`.
 * The full runId is printed (not an abbreviation) so the line can be pasted
 * straight into a grep over the module files.
 */
export function formatSummaryLine(s: Counts & {
  at: Date;
  runId: string;
  durationMs: number;
  dryRun?: boolean;
  /** Why the run stopped early (a dependency down, a bad mapping), if it did. */
  stopped?: string;
  /** What the day's automatic audit found, on the run that made it. */
  audit?: string;
  /** What the write-back pull did (WRITEBACK_TABLE). */
  pull?: string;
}): string {
  // A clock step during the run can make the duration negative; show 0 rather
  // than a nonsense value, and '?' if it could not be measured at all.
  const duration = Number.isFinite(s.durationMs) ? `${(Math.max(0, s.durationMs) / 1000).toFixed(1)} s` : '? s';
  const counts = `${s.dryRun ? 'would create' : 'created'} ${s.created}, skipped ${s.skipped}, failed ${s.failed}, parked ${s.parked}`;
  // Same shape in a dry run, so anything parsing the line keeps working.
  const suffix = `${s.dryRun ? ' (dry run, nothing written)' : ''}${s.stopped ? `; stopped: ${s.stopped}` : ''}${s.audit ? `; daily audit: ${s.audit}` : ''}${s.pull ? `; ${s.pull}` : ''}`;
  return `${isoSeconds(s.at)} run ${s.runId} ${counts} in ${duration}${suffix}`;
}

/** The fields of the summary object besides the text: what a log query filters on. */
export interface SummaryFields {
  created?: number;
  skipped?: number;
  failed?: number;
  parked?: number;
  durationMs?: number;
  dryRun?: boolean;
  /** Why the run stopped early, or that a signal stopped it. */
  stopped?: string;
  /** What the day's audit found, on the run that made it. */
  audit?: string;
  /** What the write-back pull did (WRITEBACK_TABLE). */
  pull?: string;
}

/**
 * The summary as one JSON line: `msg` is the summary line exactly as summary.log would have it,
 * and the counts are fields beside it. Level `warn` when the run stopped early, else `info`; it
 * is written whatever LOG_LEVEL says, as summary.log always gets its line.
 */
export function summaryJson(text: string, fields: SummaryFields, base: { runId: string; at: Date }, redact: (s: string) => string): string {
  const record = {
    level: fields.stopped ? 'warn' : 'info',
    time: base.at.toISOString(),
    pid: process.pid,
    hostname: os.hostname(),
    runId: base.runId,
    module: 'summary',
    ...fields,
    msg: text,
  };
  return redactJsonLine(JSON.stringify(record), redact);
}
