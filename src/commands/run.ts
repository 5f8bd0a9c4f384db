// `jira-sync run`: one batch, start to finish, with the summary line and the exit code.
import type { ResolvedConfig } from '../config.js';
import { exitCodeFor, recordRunEnd, runSync, type RunReport } from '../main.js';
import { formatSummaryLine } from '../logging/index.js';
import { connectSource, makeJira, makeLogging, makeNow, newRunId, openTracker } from '../runtime.js';

export interface RunCommandOptions {
  dryRun: boolean;
  batchSize?: number;
  concurrency?: number;
  print: (line: string) => void;
}

export async function runCommand(config: ResolvedConfig, opts: RunCommandOptions): Promise<number> {
  const now = makeNow();
  const runId = newRunId();
  const started = now();
  // A dry run writes nothing anywhere: no log files, no tracker file.
  const logging = makeLogging(config, runId, now, !opts.dryRun);
  const tracker = openTracker(config, now, { readonly: opts.dryRun });
  let source: Awaited<ReturnType<typeof connectSource>> | null = null;
  try {
    source = await connectSource(config);
    const jira = opts.dryRun ? null : makeJira(config, now, logging);
    const report: RunReport = await runSync(
      { source, tracker, jira, log: (m) => logging.forModule(m), now, runId, print: opts.print },
      config,
      { dryRun: opts.dryRun, batchSize: opts.batchSize ?? config.batchSize, concurrency: opts.concurrency ?? config.concurrency },
    );
    const end = now();
    recordRunEnd(tracker, report, end, opts.dryRun);
    const code = exitCodeFor(report);
    if (report.stoppedBy) logging.forModule('main').error({ dependency: report.stoppedBy.dependency }, logging.redact(report.stoppedBy.message));
    for (const r of report.results) {
      if (r.outcome.tag.startsWith('failed:') || r.outcome.tag === 'parked') {
        const error = 'error' in r.outcome ? r.outcome.error : '';
        logging.forModule('main').error({ key: r.key, sourceId: r.sourceId, outcome: r.outcome.tag }, `submission ${r.sourceId}: ${r.outcome.tag}: ${error}`);
      }
    }
    logging.summary(formatSummaryLine({ at: end, runId, ...report.counts, durationMs: end.getTime() - started.getTime(), dryRun: opts.dryRun }));
    if (report.stoppedBy) throw report.stoppedBy;
    return code;
  } finally {
    await source?.close();
    tracker?.close();
    logging.close();
  }
}
