// The alert for a run that cannot start because a file it needs is broken (a damaged tracker
// or lock file, an unwritable log folder). The alert state (which incidents are open) lives in
// the tracker, which may be the broken file, so this alert goes out without it: it repeats on
// every run until the file is fixed, which is better than silence while nothing is synced.
import { alertConfigFrom, notifyRunProblems, problemsFromRun } from '../alerts/index.js';
import type { ResolvedConfig } from '../config.js';
import { DependencyError, ExitCode } from '../errors.js';

/** Never throws (notifyRunProblems's contract); does nothing for other errors, e.g. a held lock. */
export async function alertWithoutTracker(config: ResolvedConfig, runId: string, at: Date, err: unknown): Promise<void> {
  if (!(err instanceof DependencyError)) return;
  const problems = problemsFromRun({ exitCode: ExitCode.dependency, dependency: err.dependency, errorMessage: err.message, failed: 0, parkedKeys: [], runId });
  await notifyRunProblems(null, alertConfigFrom(config), problems, { runId, now: at });
}
