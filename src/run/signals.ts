// Stopping a run early without leaving anything half done. Two things ask for it: a person or
// a service manager (SIGINT, SIGTERM), and the run itself when it can no longer keep its
// records (a log file that cannot be written). Either way the run takes no new submission,
// lets the ones in flight reach a committed state, records and reports what it did, and frees
// the lock. The wait is bounded: a second signal, or the grace period running out, ends the
// process at once; the submissions still in flight are then resumed by the next run, exactly
// as after a crash.
import { DependencyError, ExitCode, describeFileError } from '../errors.js';
import { NO_COUNTS, type Counts } from '../counts.js';

export type StopSignal = 'SIGINT' | 'SIGTERM';

export type StopReason = { signal: StopSignal } | { error: DependencyError };

/** How long in-flight submissions get after a signal; under the 30 s most service managers allow. */
export const STOP_GRACE_MS = 20_000;

export class RunStop {
  reason: StopReason | null = null;
  /** The counts so far, for the summary line of a run that is forced to end mid-way. */
  progress: Counts = { ...NO_COUNTS };

  request(reason: StopReason): void {
    this.reason ??= reason;
  }

  get requested(): boolean {
    return this.reason !== null;
  }

  get signal(): StopSignal | null {
    return this.reason && 'signal' in this.reason ? this.reason.signal : null;
  }

  get error(): DependencyError | null {
    return this.reason && 'error' in this.reason ? this.reason.error : null;
  }

  /** For LoggingOptions.onWriteError: a run that cannot log stops, as its record would have gaps. */
  logWriteFailed(file: string, err: unknown): void {
    this.request({
      error: new DependencyError(
        'log folder',
        `cannot write ${file}: ${describeFileError(err)}; free space on that disk or fix its permissions (LOG_DIR), then run again: the next run continues where this one stopped`,
      ),
    });
  }
}

export function exitCodeForSignal(signal: StopSignal): number {
  return signal === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated;
}

export function interruptedNote(signal: StopSignal): string {
  return `interrupted by ${signal}; the rest is left for the next run`;
}

/**
 * Traps SIGINT and SIGTERM for the length of a run. `force` is called when the wait for the
 * in-flight submissions must end now (second signal, or STOP_GRACE_MS passed); it must exit.
 * Returns the function that removes the traps.
 */
export function trapStopSignals(stop: RunStop, hooks: { onStop: (signal: StopSignal) => void; force: (signal: StopSignal) => void; graceMs?: number }): () => void {
  let timer: NodeJS.Timeout | null = null;
  const handler = (signal: StopSignal) => {
    if (stop.signal) {
      hooks.force(signal);
      return;
    }
    stop.request({ signal });
    hooks.onStop(signal);
    timer = setTimeout(() => hooks.force(signal), hooks.graceMs ?? STOP_GRACE_MS);
    // The run ending on its own must not wait for this timer.
    timer.unref();
  };
  const signals: StopSignal[] = ['SIGINT', 'SIGTERM'];
  for (const s of signals) process.on(s, handler);
  return () => {
    for (const s of signals) process.off(s, handler);
    if (timer) clearTimeout(timer);
  };
}

/**
 * The one exit outside cli.ts: when the wait for in-flight work is cut short, the event loop
 * is still busy with it, so there is no caller to return to.
 */
export function forceExit(code: number): never {
  process.exit(code);
}
