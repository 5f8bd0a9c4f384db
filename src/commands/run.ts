// `jira-sync run`: one batch, start to finish: lock, run record, summary line, backup, alerts.
import fs from 'node:fs';
import path from 'node:path';
import { RunLock } from '../adapters/tracker/lock.js';
import { backupIfDue } from '../adapters/tracker/backup.js';
import { finishRun, startRun } from '../adapters/tracker/runs.js';
import type { Tracker } from '../adapters/tracker/tracker.js';
import { alertConfigFrom, notifyRunProblems, problemsFromRun } from '../alerts/index.js';
import { problemFromAudit } from '../alerts/audit.js';
import { dailyAudit, type DailyAudit } from './dailyAudit.js';
import type { ResolvedConfig } from '../config.js';
import { ConfigError, DependencyError, errorMessage } from '../errors.js';
import { formatSummaryLine, type Logging } from '../logging/index.js';
import { exitCodeFor, runSync, type RunReport } from '../main.js';
import { connectSource, makeJira, makeLogging, makeNow, newRunId, openTracker } from '../runtime.js';
import type { Counts } from '../steps/outcome.js';
import { createProgress, type Progress } from '../progress.js';

export interface RunCommandOptions {
  dryRun: boolean;
  batchSize?: number;
  concurrency?: number;
  print: (line: string) => void;
}

async function execute(config: ResolvedConfig, opts: RunCommandOptions, tracker: Tracker | null, logging: Logging, runId: string, now: () => Date, audit: { done: DailyAudit | null }): Promise<RunReport> {
  const source = await connectSource(config);
  // n/N on a terminal; nothing under cron (createProgress writes only to a TTY).
  const bar: { progress: Progress | null } = { progress: null };
  try {
    const report = await runSync(
      { source, tracker, jira: opts.dryRun ? null : makeJira(config, now, logging), log: (m) => logging.forModule(m), now, runId, print: opts.print },
      config,
      {
        dryRun: opts.dryRun,
        batchSize: opts.batchSize ?? config.batchSize,
        concurrency: opts.concurrency ?? config.concurrency,
        onProgress: (done, total, counts) => {
          bar.progress ??= createProgress({ stream: process.stderr, isTTY: process.stderr.isTTY === true, total });
          bar.progress.update({ done, created: counts.created, failed: counts.failed + counts.parked });
        },
      },
    );
    bar.progress?.end();
    bar.progress = null;
    // The first run of each UTC day also audits the table, so a row lost behind the cursor is found even if nobody runs `audit`.
    if (tracker && !opts.dryRun && !report.stoppedBy) audit.done = await dailyAudit(source, tracker, config, logging, runId, now);
    return report;
  } finally {
    bar.progress?.end();
    await source.close();
  }
}

/** After a real run: its record, the failures in the logs, a backup if due, and alerts. Never throws. */
async function finish(config: ResolvedConfig, tracker: Tracker, logging: Logging, runId: string, end: Date, report: RunReport | null, error: unknown, audit: DailyAudit | null): Promise<void> {
  const log = logging.forModule('main');
  const counts: Counts = report?.counts ?? { created: 0, skipped: 0, failed: 0, parked: 0 };
  const stopped = error ?? report?.stoppedBy ?? null;
  const exitCode = error instanceof ConfigError ? 2 : stopped ? 3 : report ? exitCodeFor(report) : 3;
  try {
    finishRun(tracker.db, runId, end, counts, exitCode, stopped ? logging.redact(errorMessage(stopped)) : null);
    await backupIfDue(tracker.db, config.trackerPath, end).then((file) => file && logging.forModule('tracker').info({ file }, 'tracker backed up'));
  } catch (err) {
    log.warn({ err }, 'could not record the run end or back up the tracker');
  }
  const parkedKeys = (report?.results ?? []).flatMap((r) => (r.outcome.tag === 'parked' ? [{ key: r.key, sourceId: r.sourceId, error: r.outcome.error }] : []));
  const problems = problemsFromRun({
    exitCode,
    dependency: stopped instanceof DependencyError ? stopped.dependency : undefined,
    errorMessage: stopped ? errorMessage(stopped) : undefined,
    failed: counts.failed,
    parkedKeys,
    runId,
  });
  const missed = audit?.result ? problemFromAudit(audit.result, runId) : null;
  if (missed) problems.push(missed);
  await notifyRunProblems(tracker.db, alertConfigFrom(config), problems, { runId, now: end, log });
}

export async function runCommand(config: ResolvedConfig, opts: RunCommandOptions): Promise<number> {
  const now = makeNow();
  const runId = newRunId();
  const started = now();
  // A dry run writes nothing anywhere (no lock, log files or tracker file). JIRA_SYNC_UNSAFE_NO_LOCK
  // exists only so a test can prove the per-submission claim alone prevents double creation.
  let lock: RunLock | null = null;
  if (!opts.dryRun && process.env.JIRA_SYNC_UNSAFE_NO_LOCK !== '1') {
    fs.mkdirSync(path.dirname(path.resolve(config.trackerPath)), { recursive: true });
    lock = RunLock.acquire(RunLock.lockPathFor(config.trackerPath), { runId, startedAt: started.toISOString() });
  }
  const logging = makeLogging(config, runId, now, !opts.dryRun);
  let tracker: Tracker | null = null;
  try {
    tracker = openTracker(config, now, { readonly: opts.dryRun });
    if (tracker && !opts.dryRun) startRun(tracker.db, runId, started);
    let report: RunReport | null = null;
    let error: unknown = null;
    const audit: { done: DailyAudit | null } = { done: null };
    try {
      report = await execute(config, opts, tracker, logging, runId, now, audit);
    } catch (err) {
      error = err;
    }
    const end = now();
    const log = logging.forModule('main');
    for (const r of report?.results ?? []) {
      if (r.outcome.tag.startsWith('failed:') || r.outcome.tag === 'parked') {
        const detail = 'error' in r.outcome ? r.outcome.error : '';
        log.error({ key: r.key, sourceId: r.sourceId, outcome: r.outcome.tag }, `submission ${r.sourceId}: ${r.outcome.tag}: ${detail}`);
      }
    }
    const stopped = error ?? report?.stoppedBy;
    if (stopped) log.error({ err: stopped }, 'run stopped');
    if (tracker && !opts.dryRun) await finish(config, tracker, logging, runId, end, report, error, audit.done);
    // One summary line for every run, also one that stopped early, so summary.log shows them all.
    const counts = report?.counts ?? { created: 0, skipped: 0, failed: 0, parked: 0 };
    const reason = stopped ? logging.redact(errorMessage(stopped).split('\n')[0] ?? '') : undefined;
    logging.summary(formatSummaryLine({ at: end, runId, ...counts, durationMs: end.getTime() - started.getTime(), dryRun: opts.dryRun, stopped: reason, audit: audit.done?.summary }));
    if (stopped) throw stopped;
    return exitCodeFor(report as RunReport);
  } finally {
    tracker?.close();
    logging.close();
    lock?.release();
  }
}
