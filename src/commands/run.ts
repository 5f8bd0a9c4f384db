// `jira-sync run`: one batch, start to finish: lock, run record, summary line, backup, alerts.
import fs from 'node:fs';
import path from 'node:path';
import { RunLock } from '../adapters/tracker/lock.js';
import { backupIfDue } from '../adapters/tracker/backup.js';
import { finishRun, recordRunProgress, startRun } from '../adapters/tracker/runs.js';
import type { Tracker } from '../adapters/tracker/tracker.js';
import { alertConfigFrom, notifyRunProblems, problemsFromRun } from '../alerts/index.js';
import { unresolvedSubmissions } from '../adapters/tracker/incidents.js';
import { problemFromAudit } from '../alerts/audit.js';
import { dailyAudit, type DailyAudit } from './dailyAudit.js';
import type { ResolvedConfig } from '../config.js';
import type { PostgresSource } from '../adapters/postgres/source.js';
import { ConfigError, DependencyError, ExitCode, errorMessage, markReported } from '../errors.js';
import { ensurePrivateDir } from '../privateFiles.js';
import { preflightJira } from '../preflight.js';
import type { ConsoleOptions } from '../logging/console.js';
import { formatSummaryLine, type Logging } from '../logging/index.js';
import { exitCodeFor, runSync, type RunReport } from '../main.js';
import { connectSource, makeJira, makeLogging, makeNow, newRunId, openTracker } from '../runtime.js';
import { NO_COUNTS, type Counts } from '../counts.js';
import { createProgress, type Progress } from '../progress.js';
import { alertWithoutTracker } from './runAlerts.js';
import { RunStop, exitCodeForSignal, forceExit, interruptedNote, trapStopSignals, type StopSignal } from './runStop.js';

export interface RunCommandOptions {
  dryRun: boolean;
  batchSize?: number;
  concurrency?: number;
  print: (line: string) => void;
  /** The console view of the logs (default: stderr). */
  console?: ConsoleOptions;
}

async function execute(config: ResolvedConfig, opts: RunCommandOptions, tracker: Tracker | null, logging: Logging, runId: string, now: () => Date, stop: RunStop, connected: PostgresSource | null, audit: { done: DailyAudit | null }): Promise<RunReport> {
  const source = connected ?? (await connectSource(config));
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
        jiraChecked: connected !== null,
        onProgress: (done, total, counts) => {
          bar.progress ??= createProgress({ stream: process.stderr, isTTY: process.stderr.isTTY === true, total });
          bar.progress.update({ done, created: counts.created, failed: counts.failed + counts.parked });
          stop.progress = counts;
          if (tracker && !opts.dryRun) recordRunProgress(tracker.db, runId, counts);
        },
        shouldStop: () => stop.requested,
      },
    );
    bar.progress?.end();
    bar.progress = null;
    // The first run of each UTC day also audits the table, so a row lost behind the cursor is found even if nobody runs `audit`.
    if (tracker && !opts.dryRun && !report.stoppedBy && !stop.requested) audit.done = await dailyAudit(source, tracker, config, logging, runId, now);
    return report;
  } finally {
    bar.progress?.end();
    await source.close();
  }
}

/** After a real run: its record, the failures in the logs, a backup if due, and alerts. Never throws. */
async function finish(config: ResolvedConfig, tracker: Tracker, logging: Logging, runId: string, end: Date, report: RunReport | null, error: unknown, interrupted: StopSignal | null, audit: DailyAudit | null): Promise<void> {
  const log = logging.forModule('main');
  const counts: Counts = report?.counts ?? NO_COUNTS;
  const stopped = error ?? report?.stoppedBy ?? null;
  const exitCode = error instanceof ConfigError ? ExitCode.usage : stopped ? ExitCode.dependency : interrupted ? exitCodeForSignal(interrupted) : report ? exitCodeFor(report) : ExitCode.dependency;
  const note = stopped ? logging.redact(errorMessage(stopped)) : interrupted ? interruptedNote(interrupted) : null;
  try {
    finishRun(tracker.db, runId, end, counts, exitCode, note);
    // A run that stopped before doing anything changed nothing worth a backup.
    if (!stopped || (report?.results.length ?? 0) > 0) await backupIfDue(tracker.db, config.trackerPath, end).then((file) => file && logging.forModule('tracker').info({ file }, 'tracker backed up'));
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
  const missed = audit?.result ? problemFromAudit(audit.result, runId) : null;
  if (missed) problems.push(missed);
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

/** The run's last words: the stop reason in the log file (the console gets it from the summary), and the summary line. */
function summarize(logging: Logging, s: { runId: string; started: Date; end: Date; counts: Counts; stopped: unknown; note?: string; dryRun: boolean; audit?: string }): void {
  if (s.stopped) logging.forModule('main', { console: false }).error({ err: s.stopped }, 'run stopped');
  // One summary line for every run, also one that stopped early, so summary.log shows them all.
  const text = s.stopped instanceof ConfigError ? s.stopped.problems.join('; ') : s.stopped ? (errorMessage(s.stopped).split('\n')[0] ?? '') : '';
  const reason = s.stopped ? logging.redact(text) : s.note;
  logging.summary(formatSummaryLine({ at: s.end, runId: s.runId, ...s.counts, durationMs: s.end.getTime() - s.started.getTime(), dryRun: s.dryRun, stopped: reason, audit: s.audit }));
}

/**
 * A first run (no tracker yet) proves PostgreSQL and Jira before making any file, so one that
 * stops with exit 3 leaves no tracker, lock or backup behind; only its summary line is logged
 * (summary.log has a line for every run).
 */
async function firstRunChecks(config: ResolvedConfig, logging: Logging, now: () => Date): Promise<PostgresSource> {
  const source = await connectSource(config);
  try {
    await preflightJira(makeJira(config, now, logging), config);
    return source;
  } catch (err) {
    await source.close();
    throw err;
  }
}

export async function runCommand(config: ResolvedConfig, opts: RunCommandOptions): Promise<number> {
  const now = makeNow();
  const runId = newRunId();
  const started = now();
  const stop = new RunStop();
  const loggingOptions = { console: opts.console, onWriteError: (file: string, err: unknown) => stop.logWriteFailed(file, err) };
  let early: { logging: Logging; source: PostgresSource } | null = null;
  // With an alert channel set the tracker is made as before: it is where jira-sync remembers
  // the alert it sent, so a first-day outage alerts once, not every 15 minutes.
  const alerting = Boolean(config.alertWebhookUrl || (config.smtpUrl && config.alertEmailTo));
  if (!opts.dryRun && !alerting && !fs.existsSync(config.trackerPath)) {
    const logging = makeLogging(config, runId, now, true, loggingOptions);
    try {
      early = { logging, source: await firstRunChecks(config, logging, now) };
    } catch (err) {
      summarize(logging, { runId, started, end: now(), counts: NO_COUNTS, stopped: err, dryRun: false });
      logging.close();
      throw markReported(err);
    }
  }
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
    logging = early?.logging ?? makeLogging(config, runId, now, !opts.dryRun, loggingOptions);
    tracker = openTracker(config, now, { readonly: opts.dryRun });
    if (tracker && !opts.dryRun) startRun(tracker.db, runId, started);
  } catch (err) {
    tracker?.close();
    lock?.release();
    await early?.source.close();
    early?.logging.close();
    if (!opts.dryRun) await alertWithoutTracker(config, runId, now(), err);
    throw err;
  }
  const untrap = opts.dryRun
    ? () => undefined
    : trapStopSignals(stop, {
        onStop: (signal) => logging.forModule('main').warn({ signal }, 'stop requested: finishing the submissions in flight, taking no new ones'),
        force: (signal) => {
          // The in-flight submissions are left as a crash would leave them: the next run resumes them.
          const note = `${interruptedNote(signal)} (did not wait longer for the submissions in flight)`;
          summarize(logging, { runId, started, end: now(), counts: stop.progress, stopped: null, note, dryRun: false });
          tracker?.close();
          lock?.release();
          logging.close();
          forceExit(exitCodeForSignal(signal));
        },
      });
  try {
    let report: RunReport | null = null;
    let error: unknown = null;
    const audit: { done: DailyAudit | null } = { done: null };
    try {
      report = await execute(config, opts, tracker, logging, runId, now, stop, early?.source ?? null, audit);
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
    if (tracker && !opts.dryRun) await finish(config, tracker, logging, runId, end, report, error, stop.signal, audit.done);
    const note = stop.signal ? interruptedNote(stop.signal) : undefined;
    summarize(logging, { runId, started, end, counts: report?.counts ?? NO_COUNTS, stopped, note, dryRun: opts.dryRun, audit: audit.done?.summary });
    if (stopped) throw markReported(stopped);
    return stop.signal ? exitCodeForSignal(stop.signal) : exitCodeFor(report as RunReport);
  } finally {
    untrap();
    tracker?.close();
    logging.close();
    lock?.release();
  }
}
