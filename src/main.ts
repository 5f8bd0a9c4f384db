// One run of jira-sync, start to finish, in the order it happens:
//   first-run checks → lock → log files → tracker → run record → signals →
//   the batch (gather, register, process) → daily audit → failures logged →
//   run record closed, backup, alerts → summary line → lock released.
// The helpers, each named after what it does, live in run/; a dry run has its own small path
// (run/dryRun.ts), and `jira-sync run` (commands/run.ts) only chooses between the two.
// `jira-sync pull` (pullJob) is the write-back phase alone, opened and closed the same way.
import path from 'node:path';
import type { PostgresSource } from './adapters/postgres/source.js';
import { RunLock } from './adapters/tracker/lock.js';
import { PgRunLock } from './adapters/tracker/postgres/runLock.js';
import type { TrackerStore } from './adapters/tracker/store.js';
import type { ResolvedConfig } from './config.js';
import { NO_COUNTS } from './counts.js';
import { ConfigError, DependencyError, ExitCode, markReported } from './errors.js';
import type { ConsoleOptions } from './logging/console.js';
import { makeRedactor, type Logging } from './logging/index.js';
import { ensurePrivateDir } from './privateFiles.js';
import { createProgress, type Progress } from './progress.js';
import { connectSource, makeJira, makeLogging, makeNow, newRunId, openTracker } from './runtime.js';
import { alertWithoutTracker } from './run/alertWithoutTracker.js';
import { dailyAudit, type DailyAudit } from './run/dailyAudit.js';
import { finish } from './run/finish.js';
import { checksFirst, firstRunChecks } from './run/firstRun.js';
import { RunStop, exitCodeForSignal, forceExit, interruptedNote, trapStopSignals } from './run/signals.js';
import { logFailures, summarize } from './run/summary.js';
import { exitCodeFor, reportOf, runSync, type RunReport } from './run/sync.js';
import { pullSummary, writeBack, type PullReport } from './run/writeback.js';

export interface RunJobOptions {
  batchSize?: number;
  concurrency?: number;
  /** The console view of the logs (default: stderr). */
  console?: ConsoleOptions;
}

/** How often a run's counts so far are written to its record. */
const PROGRESS_RECORD_MS = 1000;

interface Opened {
  logging: Logging;
  tracker: TrackerStore;
  lock: RunLock | PgRunLock | null;
  /** Connected by the first-run checks, else null. */
  source: PostgresSource | null;
}

/** First-run checks, the lock, the log files, the tracker and the run's record, in that order.
 *  If any fails, what was opened is closed again and an alert goes out without the tracker. */
async function open(config: ResolvedConfig, runId: string, now: () => Date, started: Date, stop: RunStop, consoleOptions?: ConsoleOptions): Promise<Opened> {
  const loggingOptions = { console: consoleOptions, onWriteError: (file: string, err: unknown) => stop.logWriteFailed(file, err) };
  let early: { logging: Logging; source: PostgresSource } | null = null;
  if (checksFirst(config)) {
    const logging = makeLogging(config, runId, now, true, loggingOptions);
    try {
      early = { logging, source: await firstRunChecks(config, logging, now) };
    } catch (err) {
      summarize(logging, { runId, started, end: now(), counts: NO_COUNTS, stopped: err, dryRun: false });
      logging.close();
      throw markReported(err);
    }
  }
  // JIRA_SYNC_UNSAFE_NO_LOCK exists only so a test can prove the per-submission claim alone prevents double creation.
  let lock: RunLock | PgRunLock | null = null;
  let tracker: TrackerStore | null = null;
  const locking = process.env.JIRA_SYNC_UNSAFE_NO_LOCK !== '1';
  const holder = { runId, startedAt: started.toISOString() };
  try {
    if (config.trackerDatabaseUrl) {
      // PostgreSQL: the schema first (the holder row lives there), then the lock across hosts.
      tracker = await openTracker(config, now);
      if (locking) lock = await PgRunLock.acquire(config.trackerDatabaseUrl, config.trackerSchema, holder, makeRedactor(config.secrets));
    } else if (locking) {
      ensurePrivateDir(path.dirname(path.resolve(config.trackerPath)));
      lock = RunLock.acquire(RunLock.lockPathFor(config.trackerPath), holder);
    }
    const logging = early?.logging ?? makeLogging(config, runId, now, true, loggingOptions);
    tracker ??= (await openTracker(config, now, { offThread: true })) as TrackerStore;
    await tracker.startRun(runId, started);
    return { logging, tracker, lock, source: early?.source ?? null };
  } catch (err) {
    await tracker?.close();
    await lock?.release();
    await early?.source.close();
    early?.logging.close();
    await alertWithoutTracker(config, runId, now(), err);
    throw err;
  }
}

/** What a run did after its batch: the daily audit, the write-back pull, and an error that
 *  stopped the write-back (the batch's report is kept all the same). */
interface AfterBatch {
  done: DailyAudit | null;
  pull?: PullReport;
  writebackError?: unknown;
}

/** The batch, with the progress line on a terminal, then the write-back and the daily audit when the batch went well. */
async function work(config: ResolvedConfig, opts: RunJobOptions, run: Opened, runId: string, now: () => Date, stop: RunStop, audit: AfterBatch): Promise<RunReport> {
  const { tracker, logging } = run;
  const source = run.source ?? (await connectSource(config));
  const jira = makeJira(config, now, logging);
  // n/N on a terminal; nothing under cron (createProgress writes only to a TTY).
  const bar: { progress: Progress | null } = { progress: null };
  // The run's counts in its record, for `status` if the run dies: at most once a second (and at
  // the end), not a commit per submission. A created ticket is counted by its own `done` commit.
  let recordedAt = 0;
  try {
    const report = await runSync(
      { source, tracker, jira, log: (m) => logging.forModule(m), now, runId },
      config,
      {
        batchSize: opts.batchSize ?? config.batchSize,
        concurrency: opts.concurrency ?? config.concurrency,
        jiraChecked: run.source !== null,
        onProgress: (done, total, counts) => {
          bar.progress ??= createProgress({ stream: process.stderr, isTTY: process.stderr.isTTY === true, total });
          bar.progress.update({ done, total, created: counts.created, failed: counts.failed + counts.parked });
          stop.progress = counts;
          const t = Date.now();
          if (done < total && t - recordedAt < PROGRESS_RECORD_MS) return;
          recordedAt = t;
          return tracker.recordRunProgress(runId, counts);
        },
        shouldStop: () => stop.requested,
      },
    );
    bar.progress?.end();
    bar.progress = null;
    // Every run pulls what changed in Jira into the write-back table, after creating what was new.
    if (config.writebackTable && !report.stoppedBy && !stop.requested) {
      try {
        audit.pull = await writeBack({ tracker, jira, now, log: (m) => logging.forModule(m) }, config, { full: false });
      } catch (err) {
        audit.writebackError = err;
      }
    }
    // The first run of each UTC day also audits the table, so a row lost behind the cursor is found even if nobody runs `audit`.
    if (!report.stoppedBy && !stop.requested) audit.done = await dailyAudit(source, tracker, config, logging, runId, now);
    return report;
  } finally {
    bar.progress?.end();
    await source.close();
  }
}

export async function runJob(config: ResolvedConfig, opts: RunJobOptions): Promise<number> {
  const now = makeNow();
  const runId = newRunId();
  const started = now();
  const stop = new RunStop();
  const run = await open(config, runId, now, started, stop, opts.console);
  const { logging, tracker, lock } = run;
  const untrap = trapStopSignals(stop, {
    onStop: (signal) => logging.forModule('main').warn({ signal }, 'stop requested: finishing the submissions in flight, taking no new ones'),
    force: (signal) => {
      // The in-flight submissions are left as a crash would leave them: the next run resumes them.
      const note = `${interruptedNote(signal)} (did not wait longer for the submissions in flight)`;
      summarize(logging, { runId, started, end: now(), counts: stop.progress, stopped: null, note, dryRun: false });
      // SQLite closes at once; a server's connection ends with the process anyway.
      void tracker.close().catch(() => undefined);
      void lock?.release();
      logging.close();
      forceExit(exitCodeForSignal(signal));
    },
  });
  try {
    let report: RunReport | null = null;
    let error: unknown = null;
    const audit: AfterBatch = { done: null };
    try {
      report = await work(config, opts, run, runId, now, stop, audit);
    } catch (err) {
      error = err;
    }
    error ??= audit.writebackError ?? stop.error;
    const end = now();
    logFailures(logging, report?.results ?? []);
    const stopped = error ?? report?.stoppedBy;
    await finish(config, tracker, logging, runId, end, report, error, stop.signal, audit.done);
    const note = stop.signal ? interruptedNote(stop.signal) : undefined;
    summarize(logging, { runId, started, end, counts: report?.counts ?? NO_COUNTS, stopped, note, dryRun: false, audit: audit.done?.summary, pull: audit.pull && pullSummary(audit.pull) });
    if (stopped) throw markReported(stopped);
    return stop.signal ? exitCodeForSignal(stop.signal) : exitCodeFor(report as RunReport);
  } finally {
    untrap();
    await tracker.close();
    logging.close();
    await lock?.release();
  }
}

/** `jira-sync pull [--full]`: the write-back phase alone (for its own cadence), under the run
 *  lock, with a run record and a summary line like a run's. Jira failing is exit 3 here. */
export async function pullJob(config: ResolvedConfig, opts: { full: boolean; console?: ConsoleOptions }): Promise<number> {
  if (!config.writebackTable) throw new ConfigError(['WRITEBACK_TABLE is not set: `jira-sync pull` keeps that table (README: Write-back)']);
  const now = makeNow();
  const runId = newRunId();
  const started = now();
  const run = await open(config, runId, now, started, new RunStop(), opts.console);
  const { logging, tracker, lock } = run;
  try {
    await run.source?.close();
    let pull: PullReport | null = null;
    let error: unknown = null;
    try {
      pull = await writeBack({ tracker, jira: makeJira(config, now, logging), now, log: (m) => logging.forModule(m) }, config, opts);
      if (!pull.ok) error = new DependencyError('Jira', `the pull failed, the checkpoint is kept: ${pull.error ?? ''}`);
    } catch (err) {
      error = err;
    }
    const end = now();
    await finish(config, tracker, logging, runId, end, reportOf(runId, []), error, null, null);
    summarize(logging, { runId, started, end, counts: NO_COUNTS, stopped: error, dryRun: false, pull: pull ? pullSummary(pull) : undefined });
    if (error) throw markReported(error);
    return ExitCode.ok;
  } finally {
    await tracker.close();
    logging.close();
    await lock?.release();
  }
}
