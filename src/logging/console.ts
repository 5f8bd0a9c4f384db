// Human-readable console rendering of the JSON log lines.
//
// The console never sees an unredacted object: it re-parses the line that was
// already redacted for the file, so what a person reads and what is on disk can
// never disagree about secrets.

export interface ConsoleOptions {
  stream: NodeJS.WritableStream;
  isTTY: boolean;
  noColor: boolean;
}

/** pino's numeric levels, used to decide what reaches the console. */
export const LEVEL_VALUES: Readonly<Record<string, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};

const ESC = '\u001b[';
const RESET = `${ESC}0m`;
const LEVEL_COLOURS: Readonly<Record<string, string>> = {
  trace: `${ESC}90m`, // grey
  debug: `${ESC}36m`, // cyan
  info: `${ESC}32m`, // green
  warn: `${ESC}33m`, // yellow
  error: `${ESC}31m`, // red
  fatal: `${ESC}1;31m`, // bold red
};
const MODULE_COLOUR = `${ESC}35m`; // magenta
const DIM = `${ESC}2m`;

// Shown elsewhere on the line or pure noise for a person reading a terminal.
const HIDDEN = new Set(['time', 'level', 'pid', 'hostname', 'module', 'msg', 'runId']);
// Shown first because they are what one follows a submission by.
const FIRST = ['key', 'sourceId'];
const MAX_VALUE_CHARS = 200;

function paint(on: boolean, code: string, text: string): string {
  return on ? `${code}${text}${RESET}` : text;
}

// A submission's full key is 64 hex digits; on the console its first 12 find it (grep, `retry`),
// and the log files keep it whole.
const FULL_KEY = /^[0-9a-f]{64}$/;

function renderValue(v: unknown): string {
  let s: string;
  if (typeof v === 'string' && FULL_KEY.test(v)) {
    s = `${v.slice(0, 12)}…`;
  } else if (typeof v === 'string') {
    // Bare when unambiguous, quoted when spaces/quotes/`=` would blur the pairs.
    s = /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  } else if (v !== null && typeof v === 'object') {
    const e = v as { type?: unknown; message?: unknown };
    // An err serialised by pino: its type and message are what matter on a
    // console; the stack stays in the module's log file.
    s = typeof e.message === 'string' && typeof e.type === 'string' ? JSON.stringify(`${e.type}: ${e.message}`) : JSON.stringify(v);
  } else {
    s = String(v);
  }
  return s.length > MAX_VALUE_CHARS ? `${s.slice(0, MAX_VALUE_CHARS)}…` : s;
}

/**
 * One console line for one parsed log record:
 * `2026-11-23T09:15:02Z INFO  create_ticket created request key=… sourceId=… issueKey=SD-12`.
 * `withRunId` adds the runId for non-TTY output, where the reader is a cron
 * mail and needs something to grep the log files by.
 */
export function formatConsoleLine(rec: Record<string, unknown>, colour: boolean, withRunId = false): string {
  const level = typeof rec.level === 'string' ? rec.level : String(rec.level ?? '');
  const time = typeof rec.time === 'string' ? rec.time.replace(/\.\d{3}Z$/, 'Z') : '';
  const parts: string[] = [];
  if (time) parts.push(colour ? paint(true, DIM, time) : time);
  parts.push(paint(colour, LEVEL_COLOURS[level] ?? '', level.toUpperCase().padEnd(5)));
  if (typeof rec.module === 'string') parts.push(paint(colour, MODULE_COLOUR, rec.module));
  if (rec.msg !== undefined) parts.push(String(rec.msg));

  const keys = [...FIRST.filter((k) => k in rec), ...Object.keys(rec).filter((k) => !HIDDEN.has(k) && !FIRST.includes(k))];
  if (withRunId && rec.runId !== undefined) keys.push('runId');
  for (const k of keys) {
    parts.push(`${paint(colour, DIM, `${k}=`)}${renderValue(rec[k])}`);
  }
  return parts.join(' ');
}

/**
 * A pino-compatible sink for the console. `minLevel` is what reaches the
 * console: everything the logger lets through on a TTY, only errors when cron
 * is reading (so cron mail is the summary plus what went wrong).
 */
export function makeConsoleWriter(opts: ConsoleOptions, level = 'info'): { minLevel: number; write(line: string): void; writeRaw(line: string): void } {
  const colour = opts.isTTY && !opts.noColor;
  const safeWrite = (text: string): void => {
    try {
      opts.stream.write(text);
    } catch {
      // A closed console (e.g. cron's pipe gone) must not fail the run; the
      // files still have everything.
    }
  };
  return {
    // A terminal at the default level gets warnings and errors only: the progress line and the
    // summary say the rest, and a line per submission would scroll them away. LOG_LEVEL=debug
    // (or trace) shows everything logged.
    minLevel: !opts.isTTY ? (LEVEL_VALUES.error ?? 50) : (LEVEL_VALUES[level] ?? 30) <= (LEVEL_VALUES.debug ?? 20) ? 0 : (LEVEL_VALUES.warn ?? 40),
    write(line: string): void {
      let rec: unknown;
      try {
        rec = JSON.parse(line);
      } catch {
        safeWrite(line.endsWith('\n') ? line : `${line}\n`);
        return;
      }
      if (rec === null || typeof rec !== 'object') return;
      safeWrite(`${formatConsoleLine(rec as Record<string, unknown>, colour, !opts.isTTY)}\n`);
    },
    writeRaw(line: string): void {
      safeWrite(`${line}\n`);
    },
  };
}

/**
 * NO_COLOR (https://no-color.org): present and non-empty disables colour.
 * TERM=dumb is treated the same because such terminals print escapes literally.
 */
export function noColorFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || env.TERM === 'dumb';
}
