// Progress through a batch for a person watching `run` in a terminal: one line, redrawn in
// place with a carriage return. Under cron (no TTY) it writes nothing at all, so cron mail
// and the log files never collect hundreds of half-lines.
import { noColorFromEnv } from './logging/console.js';

export interface ProgressCounts {
  done: number;
  /** The total known now, when it grows as the batch is read (else the one given at the start). */
  total?: number;
  created: number;
  failed: number;
}

export interface ProgressOptions {
  stream: NodeJS.WriteStream | NodeJS.WritableStream;
  isTTY: boolean;
  total: number;
  /** Default: NO_COLOR / TERM=dumb from the environment, like the console logger. */
  noColor?: boolean;
}

export interface Progress {
  update(counts: ProgressCounts): void;
  /** Ends the line so what follows (the summary) starts on its own line. Idempotent. */
  end(): void;
}

const GREEN = '\u001b[32m';
const RED = '\u001b[31m';
const RESET = '\u001b[0m';

export function formatProgress(c: ProgressCounts, total: number, colour: boolean): string {
  const paint = (code: string, text: string) => (colour ? `${code}${text}${RESET}` : text);
  const width = String(total).length;
  const created = paint(GREEN, `created ${c.created}`);
  // Red only when something failed: a red "failed 0" reads as an alarm.
  const failed = c.failed > 0 ? paint(RED, `failed ${c.failed}`) : `failed ${c.failed}`;
  return `Submissions ${String(c.done).padStart(width)}/${total}: ${created}, ${failed}`;
}

/** Visible width: colour codes take no room on screen, so padding must ignore them. */
function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, '').length;
}

type Write = (...args: unknown[]) => boolean;

export function createProgress(opts: ProgressOptions): Progress {
  if (!opts.isTTY || opts.total <= 0) return { update: () => undefined, end: () => undefined };
  const colour = !(opts.noColor ?? noColorFromEnv());
  const target = opts.stream as unknown as { write: Write };
  const original: Write = target.write;
  let shown = 0;
  let open = false;
  const write = (text: string): void => {
    try {
      original.call(target, text);
    } catch {
      // A closed terminal must not fail the run; progress is a courtesy.
    }
  };
  const erase = (): void => {
    if (open) write(`\r${' '.repeat(shown)}\r`);
    open = false;
    shown = 0;
  };
  // On a terminal the console logger writes to the same stream. Any other write first erases
  // the progress line, so a log line never lands glued to it; the next update() redraws it.
  const intercept: Write = (...args) => {
    erase();
    return original.apply(target, args);
  };
  target.write = intercept;
  return {
    update(c) {
      const line = formatProgress(c, c.total ?? opts.total, colour);
      // Spaces, not an erase-line escape: a shorter line must wipe the longer one before it,
      // and plain spaces work on every terminal, TERM=dumb included.
      const pad = Math.max(0, shown - visibleLength(line));
      write(`\r${line}${' '.repeat(pad)}`);
      shown = visibleLength(line);
      open = true;
    },
    end() {
      if (target.write === intercept) target.write = original;
      if (!open) return;
      write('\n');
      open = false;
      shown = 0;
    },
  };
}
