// `jira-sync run --dry-run`: what each submission would become, printed. It writes nothing
// anywhere (no lock, log files or tracker file), reads the tracker only if there is one, and
// makes no Jira call; it ends with the summary line a real run would print ("would create N").
import type { ResolvedConfig } from '../config.js';
import { NO_COUNTS } from '../counts.js';
import { markReported } from '../errors.js';
import type { ConsoleOptions } from '../logging/console.js';
import type { MappingFile } from '../mapping/format.js';
import { loadMapping } from '../mapping/load.js';
import { describePreview } from '../mapping/preview.js';
import { buildTicketRequest, textFormatFor } from '../mapping/request.js';
import { connectSource, makeLogging, makeNow, newRunId, openTracker } from '../runtime.js';
import { checkSourceTable } from '../steps/checkSourceTable.js';
import type { Outcome, SubmissionResult } from '../outcome.js';
import { gatherBatch, NO_TRACKER, type Batch } from './gather.js';
import { RunStop } from './signals.js';
import { logFailures, summarize } from './summary.js';
import { exitCodeFor, reportOf, type RunReport } from './sync.js';

export interface DryRunOptions {
  batchSize?: number;
  /** Where it prints what it would send. */
  print: (line: string) => void;
  console?: ConsoleOptions;
}

/** The batch as it would be sent, one block per submission. */
function previewBatch(config: ResolvedConfig, mapping: MappingFile, batch: Batch, print: (line: string) => void): SubmissionResult[] {
  const pending = [
    ...batch.due.map((d) => ({ key: d.sub.key, sourceId: d.sub.sourceId, payload: d.row ?? d.sub.payload, gone: d.row === null })),
    ...batch.fresh.filter((f) => f.check.status === 'new').map((f) => ({ key: f.key, sourceId: f.position.sourceId, payload: f.row, gone: false })),
  ];
  return pending.map((p) => {
    const built = buildTicketRequest(mapping, p, config.raiseOnBehalfOfColumn, textFormatFor(config));
    const outcome: Outcome = p.gone
      ? { tag: 'parked', error: `source row ${p.sourceId} no longer exists in the source table` }
      : built.ok
        ? { tag: 'would-create', requestFieldValues: built.request.requestFieldValues, attachmentName: built.request.attachmentName }
        : { tag: 'failed:invalid-value', error: built.error };
    for (const line of describePreview(mapping, p.sourceId, outcome)) print(line);
    return { key: p.key, sourceId: p.sourceId, outcome };
  });
}

export async function dryRun(config: ResolvedConfig, opts: DryRunOptions): Promise<number> {
  const now = makeNow();
  const runId = newRunId();
  const started = now();
  const stop = new RunStop();
  const logging = makeLogging(config, runId, now, false, { console: opts.console, onWriteError: (file, err) => stop.logWriteFailed(file, err) });
  try {
    const tracker = await openTracker(config, now, { readonly: true });
    try {
      let report: RunReport | null = null;
      let error: unknown = null;
      try {
        const source = await connectSource(config);
        try {
          const columns = await checkSourceTable(source, config);
          const mapping = loadMapping(config.fieldMappingPath, columns, config);
          const deps = { source, tracker: tracker ?? NO_TRACKER, log: (m: string) => logging.forModule(m) };
          const batch = await gatherBatch(deps, config, opts.batchSize ?? config.batchSize, columns);
          report = reportOf(runId, previewBatch(config, mapping, batch, opts.print));
        } finally {
          await source.close();
        }
      } catch (err) {
        error = err;
      }
      error ??= stop.error;
      logFailures(logging, report?.results ?? []);
      summarize(logging, { runId, started, end: now(), counts: report?.counts ?? NO_COUNTS, stopped: error, dryRun: true });
      if (error) throw markReported(error);
      return exitCodeFor(report as RunReport);
    } finally {
      tracker?.close();
    }
  } finally {
    logging.close();
  }
}
