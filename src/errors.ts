// Errors that end a whole run. Each maps to one exit code in cli.ts, the only place
// that exits; everything below throws these and never calls process.exit.

export const ExitCode = {
  ok: 0,
  someFailed: 1,
  usage: 2,
  dependency: 3,
  locked: 4,
  /** 128 + the signal number, as a shell reports a process ended by that signal. */
  interrupted: 130,
  terminated: 143,
} as const;

/** Configuration or usage is wrong; every problem found is listed at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} configuration problems:\n- ${problems.join('\n- ')}`);
    this.name = 'ConfigError';
  }
}

/** The command line was used wrongly (a missing argument); not a configuration problem. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type Dependency = 'PostgreSQL' | 'Jira' | 'tracker' | 'log folder';

/** A dependency is down or refuses us. Raised before anything changed for the run. */
export class DependencyError extends Error {
  constructor(
    readonly dependency: Dependency,
    message: string,
  ) {
    super(`${dependency}: ${message}`);
    this.name = 'DependencyError';
  }
}

/** Another run holds the run lock. */
export class LockHeldError extends Error {
  constructor(readonly holder: string) {
    super(`another jira-sync run holds the lock (${holder}); this run did nothing`);
    this.name = 'LockHeldError';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * "no space left on device (ENOSPC)" from a Node or SQLite file error: the words a person
 * can act on, without the syscall and path that the caller names better.
 */
export function describeFileError(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const text = errorMessage(err).replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$|, \w+$/, '');
  return typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
}

// An error a command has already shown (e.g. in a run's summary line), so cli.ts does not print it again.
const reported = new WeakSet<object>();
export function markReported<T>(err: T): T {
  if (typeof err === 'object' && err !== null) reported.add(err);
  return err;
}
export function wasReported(err: unknown): boolean {
  return typeof err === 'object' && err !== null && reported.has(err);
}
