// A run's last words, the same for a real run and a dry run: each failed or parked submission
// as an error line in main.log (a person reading the log needs no tracker to see what failed),
// the stop reason in the log file, and the one summary line every run ends with.
import type { Counts } from '../counts.js';
import { ConfigError, errorMessage } from '../errors.js';
import { formatSummaryLine, type Logging } from '../logging/index.js';
import type { SubmissionResult } from '../outcome.js';

export function logFailures(logging: Logging, results: readonly SubmissionResult[]): void {
  const log = logging.forModule('main');
  for (const r of results) {
    if (r.outcome.tag.startsWith('failed:') || r.outcome.tag === 'parked') {
      const detail = 'error' in r.outcome ? r.outcome.error : '';
      log.error({ key: r.key, sourceId: r.sourceId, outcome: r.outcome.tag }, `submission ${r.sourceId}: ${r.outcome.tag}: ${detail}`);
    }
  }
}

/** The stop reason in the log file (the console gets it from the summary), and the summary line. */
export function summarize(logging: Logging, s: { runId: string; started: Date; end: Date; counts: Counts; stopped: unknown; note?: string; dryRun: boolean; audit?: string; pull?: string }): void {
  if (s.stopped) logging.forModule('main', { console: false }).error({ err: s.stopped }, 'run stopped');
  // One summary line for every run, also one that stopped early, so summary.log shows them all.
  const text = s.stopped instanceof ConfigError ? s.stopped.problems.join('; ') : s.stopped ? (errorMessage(s.stopped).split('\n')[0] ?? '') : '';
  const reason = s.stopped ? logging.redact(text) : s.note;
  const durationMs = s.end.getTime() - s.started.getTime();
  const { created, skipped, failed, parked } = s.counts;
  // The fields go beside the text where the summary is a JSON line (LOG_DIR=-).
  const fields = { created, skipped, failed, parked, durationMs, ...(s.dryRun ? { dryRun: true } : {}), ...(reason ? { stopped: reason } : {}), ...(s.audit ? { audit: s.audit } : {}), ...(s.pull ? { pull: s.pull } : {}) };
  logging.summary(formatSummaryLine({ at: s.end, runId: s.runId, ...s.counts, durationMs, dryRun: s.dryRun, stopped: reason, audit: s.audit, pull: s.pull }), fields);
}
