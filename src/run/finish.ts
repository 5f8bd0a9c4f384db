// After a real run: its record in the tracker, a backup if one is due, and the alerts.
import type { TrackerStore } from '../adapters/tracker/store.js';
import { problemFromAudit } from '../alerts/audit.js';
import { problemFromPull } from '../alerts/writeback.js';
import { alertConfigFrom, notifyRunProblems, problemsFromRun } from '../alerts/index.js';
import type { ResolvedConfig } from '../config.js';
import { NO_COUNTS, type Counts } from '../counts.js';
import { ConfigError, DependencyError, ExitCode, errorMessage } from '../errors.js';
import type { Logging } from '../logging/index.js';
import type { DailyAudit } from './dailyAudit.js';
import { exitCodeForSignal, interruptedNote, type StopSignal } from './signals.js';
import { exitCodeFor, type RunReport } from './sync.js';

/** The tracker's failed and parked submissions; undefined (fall back to this run's counts) if unreadable. */
async function readUnresolved(tracker: TrackerStore): Promise<{ failed: number; parked: number } | undefined> {
  try {
    return await tracker.unresolvedSubmissions();
  } catch {
    return undefined;
  }
}

/** Never throws: a run's end is recorded and alerted as far as possible. */
export async function finish(config: ResolvedConfig, tracker: TrackerStore, logging: Logging, runId: string, end: Date, report: RunReport | null, error: unknown, interrupted: StopSignal | null, audit: DailyAudit | null): Promise<void> {
  const log = logging.forModule('main');
  const counts: Counts = report?.counts ?? NO_COUNTS;
  const stopped = error ?? report?.stoppedBy ?? null;
  const exitCode = error instanceof ConfigError ? ExitCode.usage : stopped ? ExitCode.dependency : interrupted ? exitCodeForSignal(interrupted) : report ? exitCodeFor(report) : ExitCode.dependency;
  const note = stopped ? logging.redact(errorMessage(stopped)) : interrupted ? interruptedNote(interrupted) : null;
  try {
    await tracker.finishRun(runId, end, counts, exitCode, note);
    // A run that stopped before doing anything changed nothing worth a backup.
    if (!stopped || (report?.handled ?? 0) > 0) await tracker.backupIfDue(end).then((file) => file && logging.forModule('tracker').info({ file }, 'tracker backed up'));
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
    unresolved: await readUnresolved(tracker),
  });
  const missed = audit?.result ? problemFromAudit(audit.result, runId) : null;
  if (missed) problems.push(missed);
  // Read from the tracker on every run, so a run that did not reach its pull keeps the incident open.
  if (config.writebackTable) {
    const stale = problemFromPull(await tracker.writeback.pullState().catch(() => null), end);
    if (stale) problems.push(stale);
  }
  await notifyRunProblems(tracker, alertConfigFrom(config), problems, { runId, now: end, log });
}
