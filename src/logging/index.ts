// The logging layer: one JSON-lines file per module, a one-line summary per
// run, a console view that suits both a person at a terminal and cron mail,
// and secret redaction on every one of those outputs.
//
// Design constraints that shape this file:
//  - The job can be SIGKILLed at any instant (crash tests), so every file write
//    is synchronous: a line that was logged is in the kernel before the call returns.
//  - Every line carries runId (and, on child loggers, key/sourceId) so a single
//    grep follows one submission through all module files.
//  - Nobody watches the job, so a logging problem (unwritable rolled file,
//    disk full) is reported but never aborts the run.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino, type DestinationStream, type Logger } from 'pino';

import { LEVEL_VALUES, makeConsoleWriter, noColorFromEnv, type ConsoleOptions } from './console.js';
import { rollAndPrune, type RollResult } from './files.js';
import { REDACT_PATHS, REDACTED, makeRedactor, redactJsonLine } from './redact.js';

export { makeRedactor, redactUrlPassword } from './redact.js';

export type ModuleName =
  | 'fetch_submissions'
  | 'unique_key'
  | 'tracker'
  | 'field_mapping'
  | 'create_ticket'
  | 'attach_submission'
  | 'main'
  | (string & {});

export interface LoggingOptions {
  logDir: string;
  level: string;
  runId: string;
  secrets: string[];
  retentionDays?: number;
  console?: ConsoleOptions;
  now?: () => Date;
  /** false: console only (e.g. --dry-run writes nothing anywhere). */
  fileLogging?: boolean;
}

export interface Logging {
  /** Cached: one destination per module file, already carrying runId and module. */
  forModule(name: ModuleName): Logger;
  /** Appends to summary.log and prints to the console (always, TTY or not). */
  summary(line: string): void;
  redact(s: string): string;
  /** Flush and close the files. Later log calls still reach disk (see fileSink). */
  close(): void;
}

const MODULE_NAME = /^[a-z_]+$/;
const DEFAULT_RETENTION_DAYS = 30;
const SUMMARY_FILE = 'summary.log';

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * `2026-11-23T09:15:02Z run 7f3c… created 12, skipped 3, failed 1, parked 0 in 4.2 s`.
 * The full runId is printed (not an abbreviation) so the line can be pasted
 * straight into a grep over the module files.
 */
export function formatSummaryLine(s: {
  at: Date;
  runId: string;
  created: number;
  skipped: number;
  failed: number;
  parked: number;
  durationMs: number;
  dryRun?: boolean;
  /** Why the run stopped early (a dependency down, a bad mapping), if it did. */
  stopped?: string;
  /** What the day's automatic audit found, on the run that made it. */
  audit?: string;
}): string {
  // A clock step during the run can make the duration negative; show 0 rather
  // than a nonsense value, and '?' if it could not be measured at all.
  const duration = Number.isFinite(s.durationMs) ? `${(Math.max(0, s.durationMs) / 1000).toFixed(1)} s` : '? s';
  const counts = `created ${s.created}, skipped ${s.skipped}, failed ${s.failed}, parked ${s.parked}`;
  // Same shape in a dry run, so anything parsing the line keeps working.
  const suffix = `${s.dryRun ? ' (dry run, nothing written)' : ''}${s.stopped ? `; stopped: ${s.stopped}` : ''}${s.audit ? `; daily audit: ${s.audit}` : ''}`;
  return `${isoSeconds(s.at)} run ${s.runId} ${counts} in ${duration}${suffix}`;
}

type Sink = DestinationStream & { lastLevel: number; [pino.symbols.needsMetadataGsym]: true };

export function createLogging(opts: LoggingOptions): Logging {
  if (opts.level !== 'silent' && LEVEL_VALUES[opts.level] === undefined) {
    throw new Error(`invalid log level "${opts.level}" (expected trace|debug|info|warn|error|fatal|silent)`);
  }
  const retentionDays = opts.retentionDays ?? DEFAULT_RETENTION_DAYS;
  if (!(retentionDays >= 0)) throw new Error(`invalid retentionDays ${retentionDays} (expected a number >= 0)`);

  const now = opts.now ?? (() => new Date());
  const fileLogging = opts.fileLogging ?? true;
  const redact = makeRedactor(opts.secrets);
  // stderr by default: it is the conventional home of diagnostics and keeps
  // stdout free for command output (status, dry-run listings).
  const consoleOut = makeConsoleWriter(
    opts.console ?? { stream: process.stderr, isTTY: process.stderr.isTTY === true, noColor: noColorFromEnv() },
  );

  let rollReport: RollResult | undefined;
  if (fileLogging) {
    fs.mkdirSync(opts.logDir, { recursive: true });
    rollReport = rollAndPrune(opts.logDir, now(), retentionDays);
  }

  const loggers = new Map<string, Logger>();
  const dests: Array<ReturnType<typeof pino.destination>> = [];
  let closed = false;

  /**
   * The file half of a module's output. After close() the SonicBoom is gone,
   * but a late line (a `finally` block, an exit handler) is still worth having
   * on disk, so it falls back to a plain synchronous append.
   */
  function fileSink(name: string): (line: string) => void {
    const file = path.join(opts.logDir, `${name}.log`);
    const dest = pino.destination({ dest: file, sync: true, mkdir: true });
    let reported = false;
    // Without a listener a write error (ENOSPC, EIO) would be thrown out of an
    // unrelated log call; report it once on the console, which cron mails.
    dest.on('error', (err: unknown) => {
      if (reported) return;
      reported = true;
      consoleOut.writeRaw(redact(`jira-sync: cannot write ${file}: ${String(err)}`));
    });
    dests.push(dest);
    return (line) => {
      if (!closed) {
        dest.write(line);
        return;
      }
      try {
        fs.appendFileSync(file, line);
      } catch {
        // Nothing left to tell: the run is over and the console is the caller's.
      }
    };
  }

  function forModule(name: ModuleName): Logger {
    const cached = loggers.get(name);
    if (cached) return cached;
    // The name becomes a file name: refuse anything that could escape logDir.
    if (!MODULE_NAME.test(name)) throw new Error(`invalid module name "${name}" (expected /^[a-z_]+$/)`);

    const toFile = fileLogging ? fileSink(name) : undefined;
    const sink: Sink = {
      [pino.symbols.needsMetadataGsym]: true,
      lastLevel: 0, // set by pino before every write
      write(line: string): void {
        toFile?.(line);
        if (sink.lastLevel >= consoleOut.minLevel) consoleOut.write(line);
      },
    };

    const logger = pino(
      {
        level: opts.level,
        base: { pid: process.pid, hostname: os.hostname(), runId: opts.runId, module: name },
        // ISO time from the injectable clock: greppable by date and testable.
        timestamp: () => `,"time":"${now().toISOString()}"`,
        formatters: { level: (label) => ({ level: label }) },
        redact: { paths: REDACT_PATHS, censor: REDACTED },
        // Last step before any output: scrub configured secret values from the
        // fully serialised line, which covers msg, err.message, err.stack and
        // nested objects in one place, for the file and the console alike.
        hooks: { streamWrite: (s) => redactJsonLine(s, redact) },
      },
      sink,
    );
    loggers.set(name, logger);

    if (name === 'main' && rollReport) reportRoll(logger, rollReport);
    return logger;
  }

  return {
    forModule,
    summary(line: string): void {
      // One line per run, whatever the caller passed.
      const text = redact(line).replace(/\r?\n/g, ' ');
      if (fileLogging) {
        try {
          fs.appendFileSync(path.join(opts.logDir, SUMMARY_FILE), `${text}\n`);
        } catch (err) {
          consoleOut.writeRaw(redact(`jira-sync: cannot write ${SUMMARY_FILE}: ${String(err)}`));
        }
      }
      consoleOut.writeRaw(text);
    },
    redact,
    close(): void {
      if (closed) return;
      closed = true;
      for (const dest of dests) {
        try {
          dest.flushSync();
          dest.end();
        } catch {
          // Already closed or never opened: nothing to flush.
        }
      }
    },
  };
}

/**
 * Start-up rolling happens before any logger exists, so its outcome is written
 * to main.log (the module every run opens) once that logger is created.
 */
function reportRoll(log: Logger, r: RollResult): void {
  if (r.rolled.length > 0 || r.deleted.length > 0) log.debug({ rolled: r.rolled, deleted: r.deleted }, 'log files rolled');
  if (r.problems.length > 0) log.warn({ problems: r.problems }, 'log rolling problem');
}
