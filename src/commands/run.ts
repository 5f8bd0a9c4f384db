// `jira-sync run`: one batch, start to finish: lock, run record, summary line, backup, alerts.
import path from 'node:path';
import { RunLock } from '../adapters/tracker/lock.js';
import { backupIfDue } from '../adapters/tracker/backup.js';
import { finishRun, recordRunProgress, startRun } from '../adapters/tracker/runs.js';
import type { Tracker } from '../adapters/tracker/tracker.js';
import { alertConfigFrom, notifyRunProblems, problemsFromRun, unresolvedSubmissions } from '../alerts/index.js';
import type { ResolvedConfig } from '../config.js';
import { ConfigError, DependencyError, errorMessage } from '../errors.js';
import { ensurePrivateDir } from '../privateFiles.js';
import { formatSummaryLine, type Logging } from '../logging/index.js';
import { exitCodeFor, runSync, type RunReport } from '../main.js';
import { connectSource, makeJira, makeLogging, makeNow, newRunId, openTracker } from '../runtime.js';
import type { Counts } from '../steps/outcome.js';
import { createProgress, type Progress } from '../progress.js';
import { alertWithoutTracker } from './runAlerts.js';
import { RunStop, exitCodeForSignal, forceExit, interruptedNote, trapStopSignals, type StopSignal } from './runStop.js';

export interface RunCommandOptions {
  dryRun: boolean;
  batchSize?: number;
  concurrency?: number;
  print: (line: string) => void;
}

async function execute(config: ResolvedConfig, opts: RunCommandOptions, tracker: Tracker | null, logging: Logging, runId: string, now: () => Date, stop: RunStop): Promise<RunReport> {
  const source = await connectSource(config);
  // n/N on a terminal; nothing under cron (createProgress writes only to a TTY).
  const bar: { progress: Progress | null } = { progress: null };
  try {
    return await runSync(
      { source, tracker, jira: opts.dryRun ? null : makeJira(config, now, logging), log: (m) => logging.forModule(m), now, runId, print: opts.print },
      config,
      {
        dryRun: opts.dryRun,
        batchSize: opts.batchSize ?? config.batchSize,
        concurrency: opts.concurrency ?? config.concurrency,
        onProgress: (done, total, counts) => {
          bar.progress ??= createProgress({ stream: process.stderr, isTTY: process.stderr.isTTY === true, total });
          bar.progress.update({ done, created: counts.created, failed: counts.failed + counts.parked });
          stop.progress = counts;
          if (tracker && !opts.dryRun) recordRunProgress(tracker.db, runId, counts);
        },
        shouldStop: () => stop.requested,
      },
    );
  } finally {
    bar.progress?.end();
    await source.close();
  }
}

/** After a real run: its record, the failures in the logs, a backup if due, and alerts. Never throws. */
async function finish(config: ResolvedConfig, tracker: Tracker, logging: Logging, runId: string, end: Date, report: RunReport | null, error: unknown, interrupted: StopSignal | null): Promise<void> {
  const log = logging.forModule('main');
  const counts: Counts = report?.counts ?? { created: 0, skipped: 0, failed: 0, parked: 0 };
  const stopped = error ?? report?.stoppedBy ?? null;
  const exitCode = error instanceof ConfigError ? 2 : stopped ? 3 : interrupted ? exitCodeForSignal(interrupted) : report ? exitCodeFor(report) : 3;
  const note = stopped ? logging.redact(errorMessage(stopped)) : interrupted ? interruptedNote(interrupted) : null;
  try {
    finishRun(tracker.db, runId, end, counts, exitCode, note);
    await backupIfDue(tracker.db, config.trackerPath, end).then((file) => file && logging.forModule('tracker').info({ file }, 'tracker backed up'));
  } catch (err) {
    log.warn({ err }, 'could not record the run end or back up the tracker');
  }
  // A run stopped from outside did not look at everything: an empty problem list would clear open incidents.
  if (interrupted && !stopped) return;
  const parkedKeys = (report?.results ?? []).flatMap((r) => (r.outcome.tag === 'parked' ? [{ key: r.key, sourceId: r.sourceId, error: r.outcome.error }] : []));
  const problems = problemsFromRun({
    exitCode,
    dependency: stopped instanceof DependencyError ? stopped.dependency : undefined,
    errorMessage: stopped ? errorMessage(stopped) : undefined,
    failed: counts.failed,
    parkedKeys,
    runId,
    unresolved: readUnresolved(tracker),
  });
  await notifyRunProblems(tracker.db, alertConfigFrom(config), problems, { runId, now: end, log });
}

/** The tracker's failed and parked submissions; undefined (fall back to this run's counts) if unreadable. */
function readUnresolved(tracker: Tracker): { failed: number; parked: number } | undefined {
  try {
    return unresolvedSubmissions(tracker.db);
  } catch {
    return undefined;
  }
}

export async function runCommand(config: ResolvedConfig, opts: RunCommandOptions): Promise<number> {
  const now = makeNow();
  const runId = newRunId();
  const started = now();
  const stop = new RunStop();
  // A dry run writes nothing anywhere (no lock, log files or tracker file). JIRA_SYNC_UNSAFE_NO_LOCK
  // exists only so a test can prove the per-submission claim alone prevents double creation.
  let lock: RunLock | null = null;
  let tracker: Tracker | null = null;
  let logging: Logging;
  try {
    if (!opts.dryRun && process.env.JIRA_SYNC_UNSAFE_NO_LOCK !== '1') {
      ensurePrivateDir(path.dirname(path.resolve(config.trackerPath)));
      lock = RunLock.acquire(RunLock.lockPathFor(config.trackerPath), { runId, startedAt: started.toISOString() });
    }
    logging = makeLogging(config, runId, now, !opts.dryRun, (file, err) => stop.logWriteFailed(file, err));
    tracker = openTracker(config, now, { readonly: opts.dryRun });
    if (tracker && !opts.dryRun) startRun(tracker.db, runId, started);
  } catch (err) {
    tracker?.close();
    lock?.release();
    if (!opts.dryRun) await alertWithoutTracker(config, runId, now(), err);
    throw err;
  }
  const summarise = (end: Date, counts: Counts, stopped: string | undefined) =>
    logging.summary(formatSummaryLine({ at: end, runId, ...counts, durationMs: end.getTime() - started.getTime(), dryRun: opts.dryRun, stopped }));
  const untrap = opts.dryRun
    ? () => undefined
    : trapStopSignals(stop, {
        onStop: (signal) => logging.forModule('main').warn({ signal }, 'stop requested: finishing the submissions in flight, taking no new ones'),
        force: (signal) => {
          // The in-flight submissions are left as a crash would leave them: the next run resumes them.
          summarise(now(), stop.progress, `${interruptedNote(signal)} (did not wait longer for the submissions in flight)`);
          tracker?.close();
          lock?.release();
          logging.close();
          forceExit(exitCodeForSignal(signal));
        },
      });
  try {
    let report: RunReport | null = null;
    let error: unknown = null;
    try {
      report = await execute(config, opts, tracker, logging, runId, now, stop);
    } catch (err) {
      error = err;
    }
    error ??= stop.error;
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
    if (tracker && !opts.dryRun) await finish(config, tracker, logging, runId, end, report, error, stop.signal);
    // One summary line for every run, also one that stopped early, so summary.log shows them all.
    const counts = report?.counts ?? { created: 0, skipped: 0, failed: 0, parked: 0 };
    const reason = stopped ? logging.redact(errorMessage(stopped).split('\n')[0] ?? '') : stop.signal ? interruptedNote(stop.signal) : undefined;
    summarise(end, counts, reason);
    if (stopped) throw stopped;
    return stop.signal ? exitCodeForSignal(stop.signal) : exitCodeFor(report as RunReport);
  } finally {
    untrap();
    tracker?.close();
    logging.close();
    lock?.release();
  }
}
