// The logging layer: one JSON-lines file per module, a one-line summary per
// run, a console view that suits both a person at a terminal and cron mail,
// and secret redaction on every one of those outputs. With LOG_DIR=- the same
// JSON lines, and the summary as one more, go to standard output instead of
// files, and the console shows none of them (stdout.ts says why).
//
// Design constraints that shape this file:
//  - The job can be SIGKILLed at any instant (crash tests), so every file write
//    is synchronous: a line that was logged is in the kernel before the call returns.
//  - Every line carries runId (and, on child loggers, key/sourceId) so a single
//    grep follows one submission through all module files.
//  - Nobody watches the job, so a logging problem is never silent and never
//    hangs the run: a failed rolling is reported in main.log, and a log file
//    that cannot be written (disk full) goes to onWriteError, where the run
//    stops taking submissions and ends with a message naming the file.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino, type DestinationStream, type Logger } from 'pino';

import { LEVEL_VALUES, makeConsoleWriter, noColorFromEnv, type ConsoleOptions } from './console.js';
import { DependencyError, describeFileError } from '../errors.js';
import { ensurePrivateDir, ensurePrivateFile } from '../privateFiles.js';
import { OWN_LOG_FILES, rollAndPrune, type RollResult } from './files.js';
import { REDACTED, makeRedactor, redactJsonLine } from './redact.js';
import { ERR_REDACT_PATHS, censorChildBindings, censorKeys } from './redactKeys.js';
import { LOG_TO_STDOUT, stdoutSink } from './stdout.js';
import { summaryJson, type SummaryFields } from './summaryLine.js';

export { makeRedactor, redactUrlPassword } from './redact.js';
export { LOG_TO_STDOUT } from './stdout.js';
export { formatSummaryLine, type SummaryFields } from './summaryLine.js';

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
  /** false: console only (e.g. --dry-run writes nothing anywhere). With logDir '-' (LOG_TO_STDOUT),
   *  true means standard output instead of files. */
  fileLogging?: boolean;
  /** Where LOG_DIR=- writes (default 1, standard output); a test passes a file's. */
  stdoutFd?: number;
  /** Called once per file that cannot be written (disk full, permissions); default: a console line. */
  onWriteError?: (file: string, err: unknown) => void;
}

export interface Logging {
  /** Cached: one destination per module file, already carrying runId and module.
   *  `console: false`: the file only, for what the console already shows another way. */
  forModule(name: ModuleName, opts?: { console?: boolean }): Logger;
  /** Appends to summary.log and prints to the console (always, TTY or not); with LOG_DIR=-,
   *  one JSON line on standard output, with `fields` beside the text, and nothing on the console. */
  summary(line: string, fields?: SummaryFields): void;
  redact(s: string): string;
  /** Flush and close the files. Later log calls still reach disk (see fileSink). */
  close(): void;
}

const MODULE_NAME = /^[a-z_]+$/;
const DEFAULT_RETENTION_DAYS = 30;
const SUMMARY_FILE = 'summary.log';

/** A short write (possible on any fd) is continued, never silently dropped. */
function writeAll(fd: number, line: string): void {
  const buf = Buffer.from(line, 'utf8');
  for (let off = 0; off < buf.length; ) off += fs.writeSync(fd, buf, off);
}

type Sink = DestinationStream & { lastLevel: number; [pino.symbols.needsMetadataGsym]: true };

export function createLogging(opts: LoggingOptions): Logging {
  if (opts.level !== 'silent' && LEVEL_VALUES[opts.level] === undefined) {
    throw new Error(`invalid log level "${opts.level}" (expected trace|debug|info|warn|error|fatal|silent)`);
  }
  const retentionDays = opts.retentionDays ?? DEFAULT_RETENTION_DAYS;
  if (!(retentionDays >= 0)) throw new Error(`invalid retentionDays ${retentionDays} (expected a number >= 0)`);

  const now = opts.now ?? (() => new Date());
  // Standard output takes the files' place: no folder, no rolling, no file at all.
  const toStdout = (opts.fileLogging ?? true) && opts.logDir === LOG_TO_STDOUT;
  const fileLogging = (opts.fileLogging ?? true) && !toStdout;
  const redact = makeRedactor(opts.secrets);
  // stderr by default: it is the conventional home of diagnostics and keeps
  // stdout free for command output (status, dry-run listings).
  const consoleOut = makeConsoleWriter(
    opts.console ?? { stream: process.stderr, isTTY: process.stderr.isTTY === true, noColor: noColorFromEnv() },
    opts.level,
  );
  // With LOG_DIR=- every log line is on stdout already: the console shows only what stdout cannot
  // say (that stdout itself failed), so a platform that merges both streams gets each line once.
  const consoleMinLevel = toStdout ? Infinity : consoleOut.minLevel;

  let rollReport: RollResult | undefined;
  if (fileLogging) {
    try {
      // The logs carry the submissions' personal data: owner-only, whatever the umask.
      ensurePrivateDir(opts.logDir);
      rollReport = rollAndPrune(opts.logDir, now(), retentionDays);
    } catch (err) {
      throw new DependencyError('log folder', `cannot use ${opts.logDir}: ${describeFileError(err)}; make it writable for the user that runs jira-sync, or set LOG_DIR to a writable folder`);
    }
  }

  const loggers = new Map<string, Logger>();
  const fds: number[] = [];
  let closed = false;

  /** Creates a log file owner-only (or tightens it) before anything appends to it. */
  function privateFile(file: string): void {
    try {
      ensurePrivateFile(file);
    } catch {
      // Left to the write itself, which reports a file it cannot write once, on the console.
    }
  }

  /**
   * The file half of a module's output: one synchronous write per line (see the header).
   * Not pino.destination: its flush retries a failed write forever, so a full disk hung the
   * run after its work, holding the lock. Here the first write error is reported once, that
   * file gets no more lines, and the run decides what to do (onWriteError).
   */
  function fileSink(name: string): (line: string) => void {
    const file = path.join(opts.logDir, `${name}.log`);
    let fd: number | null = null;
    let failed = false;
    const fail = (err: unknown) => {
      failed = true;
      writeFailed(file, err);
    };
    privateFile(file);
    try {
      fd = fs.openSync(file, 'a');
      fds.push(fd);
    } catch (err) {
      fail(err);
    }
    return (line) => {
      if (failed || fd === null) return;
      try {
        // A late line (a `finally` block, an exit handler) is still worth having on disk.
        if (closed) fs.appendFileSync(file, line);
        else writeAll(fd, line);
      } catch (err) {
        fail(err);
      }
    };
  }

  /** Reported once per file: on the console (cron mails it) unless the run handles it. */
  function writeFailed(file: string, err: unknown): void {
    if (opts.onWriteError) opts.onWriteError(file, err);
    else consoleOut.writeRaw(redact(`jira-sync: cannot write ${file}: ${describeFileError(err)}`));
  }

  const files = new Map<string, (line: string) => void>();
  const jsonOut = toStdout ? stdoutSink(writeFailed, opts.stdoutFd) : null;
  function forModule(name: ModuleName, o: { console?: boolean } = {}): Logger {
    const toConsole = o.console !== false;
    const cacheKey = toConsole ? name : `${name}/file`;
    const cached = loggers.get(cacheKey);
    if (cached) return cached;
    // The name becomes a file name: refuse anything that could escape logDir.
    if (!MODULE_NAME.test(name)) throw new Error(`invalid module name "${name}" (expected /^[a-z_]+$/)`);

    let toFile = jsonOut ?? files.get(name);
    if (fileLogging && !toFile) files.set(name, (toFile = fileSink(name)));
    const sink: Sink = {
      [pino.symbols.needsMetadataGsym]: true,
      lastLevel: 0, // set by pino before every write
      write(line: string): void {
        toFile?.(line);
        if (toConsole && sink.lastLevel >= consoleMinLevel) consoleOut.write(line);
      },
    };

    const logger = censorChildBindings(pino(
      {
        level: opts.level,
        base: { pid: process.pid, hostname: os.hostname(), runId: opts.runId, module: name },
        // ISO time from the injectable clock: greppable by date and testable.
        timestamp: () => `,"time":"${now().toISOString()}"`,
        // Keys never logged (REDACT_PATHS): censorKeys for the fields, pino for `err` (redactKeys.ts).
        formatters: { level: (label) => ({ level: label }), log: censorKeys, bindings: censorKeys },
        redact: { paths: ERR_REDACT_PATHS, censor: REDACTED },
        // Last step before any output: scrub configured secret values from the
        // fully serialised line, which covers msg, err.message, err.stack and
        // nested objects in one place, for the file and the console alike.
        hooks: { streamWrite: (s) => redactJsonLine(s, redact) },
      },
      sink,
    ));
    loggers.set(cacheKey, logger);

    if (cacheKey === 'main' && rollReport) reportRoll(logger, rollReport);
    return logger;
  }

  // A log file the run could not append to is told now, before any work, not when first used.
  if (fileLogging) {
    for (const name of OWN_LOG_FILES) {
      const file = path.join(opts.logDir, `${name}.log`);
      try {
        fs.accessSync(file, fs.constants.W_OK);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') writeFailed(file, err);
      }
    }
  }

  return {
    forModule,
    summary(line: string, fields: SummaryFields = {}): void {
      // One line per run, whatever the caller passed.
      const text = redact(line).replace(/\r?\n/g, ' ');
      if (jsonOut) return jsonOut(summaryJson(text, fields, { runId: opts.runId, at: now() }, redact));
      if (fileLogging) {
        try {
          privateFile(path.join(opts.logDir, SUMMARY_FILE));
          fs.appendFileSync(path.join(opts.logDir, SUMMARY_FILE), `${text}\n`);
        } catch (err) {
          writeFailed(path.join(opts.logDir, SUMMARY_FILE), err);
        }
      }
      consoleOut.writeRaw(text);
    },
    redact,
    close(): void {
      if (closed) return;
      closed = true;
      // Nothing to flush: every line was written when it was logged.
      for (const fd of fds.splice(0)) {
        try {
          fs.closeSync(fd);
        } catch {
          // Already closed: nothing lost.
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
