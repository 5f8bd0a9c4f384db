// `jira-sync run`: one batch, start to finish, with the summary line and the exit code.
import type { ResolvedConfig } from '../config.js';
import { exitCodeFor, recordRunEnd, runSync, type RunReport } from '../main.js';
import { formatSummaryLine } from '../logging/index.js';
import fs from 'node:fs';
import path from 'node:path';
import { RunLock } from '../adapters/tracker/lock.js';
import { backupIfDue } from '../adapters/tracker/backup.js';
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
  // A dry run writes nothing, so it needs no lock. JIRA_SYNC_UNSAFE_NO_LOCK exists only so a
  // test can prove the per-submission claim alone prevents double creation.
  let lock: RunLock | null = null;
  if (!opts.dryRun && process.env.JIRA_SYNC_UNSAFE_NO_LOCK !== '1') {
    fs.mkdirSync(path.dirname(path.resolve(config.trackerPath)), { recursive: true });
    lock = RunLock.acquire(RunLock.lockPathFor(config.trackerPath), { runId, startedAt: started.toISOString() });
  }
  const logging = makeLogging(config, runId, now, !opts.dryRun);
  let tracker: ReturnType<typeof openTracker> = null;
  try {
    tracker = openTracker(config, now, { readonly: opts.dryRun });
  } catch (err) {
    lock?.release();
    logging.close();
    throw err;
  }
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
    if (tracker && !opts.dryRun) {
      // A failed backup must never fail the run that did the work; it is logged and retried next run.
      await backupIfDue(tracker.db, config.trackerPath, end).then(
        (file) => file && logging.forModule('tracker').info({ file }, 'tracker backed up'),
        (err: unknown) => logging.forModule('tracker').warn({ err }, 'tracker backup failed'),
      );
    }
    logging.summary(formatSummaryLine({ at: end, runId, ...report.counts, durationMs: end.getTime() - started.getTime(), dryRun: opts.dryRun }));
    if (report.stoppedBy) throw report.stoppedBy;
    return code;
  } finally {
    await source?.close();
    tracker?.close();
    logging.close();
    lock?.release();
  }
}
