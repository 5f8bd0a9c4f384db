// Steps 4-7 for a batch: each submission through processSubmission, with bounded concurrency,
// the windows of the batch one after the other (the next one gathered as the lanes need it).
// An error out of a submission stops the run (the pool takes no new one, the ones in flight
// finish); here it becomes the run's stop reason.
import { CustomerDirectory } from '../adapters/jira/customers.js';
import { JiraCallError } from '../adapters/jira/errors.js';
import { trackerFileError } from '../adapters/tracker/schema.js';
import type { TrackedSubmission } from '../adapters/tracker/tracker.js';
import type { ResolvedConfig } from '../config.js';
import type { Counts } from '../counts.js';
import { DependencyError } from '../errors.js';
import type { MappingFile } from '../mapping/format.js';
import { textFormatFor } from '../mapping/request.js';
import { runInOrder } from '../pool.js';
import { describeJiraFailure } from '../preflight.js';
import { processSubmission, type WorkItem } from '../processSubmission.js';
import type { Outcome, Tally } from '../outcome.js';
import type { SyncDeps } from './sync.js';
import type { BatchWindows, Window } from './windows.js';

export interface ProcessOptions {
  concurrency: number;
  /** Called after each submission, for the progress line on a terminal. */
  onProgress?: (done: number, total: number, counts: Counts) => void | Promise<void>;
  /** True once the run must take no new submission (a signal, a log it cannot write); in-flight ones finish. */
  shouldStop?: () => boolean;
}

/** Why the run stopped taking submissions, from the error that stopped it: Jira down or refusing
 *  us, or a tracker that cannot be written (disk full, file turned read-only): nothing more could
 *  be recorded, and the submission that hit it resumes on the next run. Anything else is a defect. */
function stopReason(err: unknown, config: ResolvedConfig): DependencyError {
  if (err instanceof JiraCallError) return describeJiraFailure(err, config);
  // The source or the tracker failed while the next window was gathered: said as it is.
  if (err instanceof DependencyError) return err;
  if (String((err as { code?: unknown }).code ?? '').startsWith('SQLITE_')) return trackerFileError(config.trackerPath, err);
  throw err;
}

/** Processes the windows in order (the first already gathered); the outcomes go into `tally`.
 *  Returns why the run stopped taking submissions, or null when it went through. */
export async function processBatch(
  deps: SyncDeps,
  config: ResolvedConfig,
  opts: ProcessOptions,
  mapping: MappingFile,
  tally: Tally,
  windows: BatchWindows,
  first: Window,
): Promise<DependencyError | null> {
  const { tracker, jira } = deps;
  const customers = config.raiseOnBehalfOfColumn ? new CustomerDirectory(jira.customerClients()) : null;
  let done = 0;
  const finished = async (sub: TrackedSubmission, outcome: Outcome): Promise<void> => {
    deps.log('main').child({ key: sub.key, sourceId: sub.sourceId }).info({ outcome: outcome.tag, ...outcome }, 'submission finished');
    tally.add({ key: sub.key, sourceId: sub.sourceId, outcome });
    await opts.onProgress?.(++done, windows.total - skippedSoFar, tally.counts);
  };
  // Rows whose content was already known are reported, not processed, and not in the progress line's total.
  let skippedSoFar = 0;
  const opened = (w: Window): WorkItem[] => {
    for (const r of w.skipped) tally.add(r);
    skippedSoFar += w.skipped.length;
    return w.work;
  };
  try {
    await runInOrder(
      opened(first),
      async () => {
        const w = await windows.next();
        return w && opened(w);
      },
      opts.concurrency,
      async (item, release) => {
        const sub = item.sub;
        const subLog = (m: string) => deps.log(m).child({ key: sub.key, sourceId: sub.sourceId });
        let outcome: Outcome;
        try {
          outcome = await processSubmission(
            {
              tracker, jira, now: deps.now, runId: deps.runId, mapping, customers,
              recoveryGraceMs: config.recoveryGraceMinutes * 60_000, maxAttempts: config.maxAttempts, raiseOnBehalfOfColumn: config.raiseOnBehalfOfColumn,
              textFormat: textFormatFor(config),
              log: subLog('create_ticket'), attachLog: subLog('attach_submission'),
              writeback: config.writebackTable ? { baseUrl: config.jiraBaseUrl } : null,
              isRunAlive: (id) => tracker.isRunAlive(id, deps.now()),
              release,
            },
            item,
          );
        } catch (err) {
          // Jira stopped the run: this submission is reported as stopped, and the pool takes no new one.
          if (err instanceof JiraCallError) await finished(sub, { tag: 'stopped', error: err.message });
          throw err;
        }
        await finished(sub, outcome);
      },
      () => opts.shouldStop?.() === true,
    );
    return null;
  } catch (err) {
    return stopReason(err, config);
  }
}
