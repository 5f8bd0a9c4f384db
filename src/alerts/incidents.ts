// Incidents: which problems are new, which persist, which have cleared. The decision is a pure
// function (planIncidents) so it can be tested over a sequence of runs without a network; the
// state lives in the tracker's SQLite file because cron starts a fresh process every 15 minutes
// and "alert once per incident" needs to remember what was already said.
import type { Incident } from '../adapters/tracker/incidents.js';
import { ExitCode } from '../errors.js';

export interface RunProblem {
  /** Stable identity across runs, e.g. `run-failed:dependency:Jira` or `parked:<submission key>`. */
  fingerprint: string;
  title: string;
  detail: string;
  facts?: Record<string, string>;
  /**
   * The run ended early because of this problem (exit 2/3), so it cannot tell whether the other
   * run-level problems are gone: they stay open instead of being cleared by a run that never got
   * far enough to see them. Set by problemsFromRun.
   */
  stopsRun?: boolean;
}


/**
 * alerted_at of an incident that opened while no channel was configured. It is never announced
 * later (neither opened nor cleared), so enabling a channel does not replay old history; null is
 * kept for "a channel failed", which is retried on the next run while the incident is open.
 */
export const NO_CHANNEL = 'no-channel';

export interface DueAlert {
  kind: 'opened' | 'cleared';
  incident: Incident;
  facts: Record<string, string>;
}

export interface Plan {
  /** Rows to insert or update (new and still-open incidents). */
  upsert: Incident[];
  /** Rows to delete: the incident cleared. */
  close: Incident[];
  alerts: DueAlert[];
}

export interface PlanOptions {
  now: Date;
  /** Whether any channel is configured: decides between "due" (null) and NO_CHANNEL. */
  channels: boolean;
  /** true/false from the tracker when it knows the submission; undefined when it cannot tell. */
  stillParked?: (key: string) => boolean | undefined;
  /** Whether the tracker holds failed or parked submissions; undefined when it cannot tell. */
  submissionsUnresolved?: boolean;
}

const PARKED = 'parked:';
export const SUBMISSIONS_FAILING = 'run-failed:submissions';

export function formatDuration(ms: number): string {
  const min = Math.max(0, Math.round(ms / 60_000));
  if (min < 1) return 'less than a minute';
  const d = Math.floor(min / 1440);
  const h = Math.floor((min % 1440) / 60);
  const m = min % 60;
  if (d > 0) return `${d} d${h > 0 ? ` ${h} h` : ''}`;
  return h > 0 ? `${h} h${m > 0 ? ` ${m} min` : ''}` : `${m} min`;
}

export function planIncidents(open: Incident[], problems: RunProblem[], opts: PlanOptions): Plan {
  const now = opts.now.toISOString();
  const plan: Plan = { upsert: [], close: [], alerts: [] };
  const byFingerprint = new Map(open.map((i) => [i.fingerprint, i]));
  const reported = new Map<string, RunProblem>();
  for (const p of problems) if (!reported.has(p.fingerprint)) reported.set(p.fingerprint, p);
  const stopped = [...reported.values()].some((p) => p.stopsRun === true);

  for (const p of reported.values()) {
    const known = byFingerprint.get(p.fingerprint);
    const incident: Incident = known
      ? { ...known, title: p.title, detail: p.detail, lastSeen: now, runs: known.runs + 1 }
      : { fingerprint: p.fingerprint, title: p.title, detail: p.detail, firstSeen: now, lastSeen: now, runs: 1, alertedAt: opts.channels ? null : NO_CHANNEL };
    plan.upsert.push(incident);
    // New, or open but its "opened" alert never got out (channel down last time): say it now.
    if (opts.channels && incident.alertedAt === null) {
      const facts = { ...p.facts };
      if (known) Object.assign(facts, { 'First seen': incident.firstSeen, Runs: String(incident.runs) });
      plan.alerts.push({ kind: 'opened', incident, facts });
    }
  }

  for (const known of open) {
    if (reported.has(known.fingerprint)) continue;
    // A parked submission is reported by the one run that parked it; later runs never touch it.
    // So "not reported" means nothing for it: the tracker decides whether it is still parked.
    // The same holds for "submissions are failing": its cause is the tracker's failed and parked
    // submissions, which a run in their backoff window neither retries nor reports.
    const parked = known.fingerprint.startsWith(PARKED)
      ? opts.stillParked?.(known.fingerprint.slice(PARKED.length))
      : known.fingerprint === SUBMISSIONS_FAILING
        ? opts.submissionsUnresolved
        : undefined;
    if (parked === true) {
      plan.upsert.push({ ...known, lastSeen: now, runs: known.runs + 1 });
      continue;
    }
    if (parked === undefined && stopped) continue; // this run cannot tell; keep it as it is
    plan.close.push(known);
    // Never announced (no channel at the time): clearing it silently is what "no replay" means.
    if (!opts.channels || known.alertedAt === NO_CHANNEL) continue;
    plan.alerts.push({
      kind: 'cleared',
      incident: known,
      facts: {
        'First seen': known.firstSeen,
        'Last seen': known.lastSeen,
        Runs: String(known.runs),
        Lasted: formatDuration(opts.now.getTime() - Date.parse(known.firstSeen)),
      },
    });
  }
  return plan;
}

/** Problems of one finished run, in the words an operator needs. Exit codes as in cli.ts. */
export function problemsFromRun(r: {
  exitCode: number;
  dependency?: string;
  errorMessage?: string;
  failed: number;
  parkedKeys: { key: string; sourceId: string; error: string }[];
  runId: string;
  /** Failed and parked submissions in the tracker after the run; when known, they (not this
   *  run's counts) decide whether submissions are failing. */
  unresolved?: { failed: number; parked: number };
}): RunProblem[] {
  const out: RunProblem[] = [];
  const why = r.errorMessage?.trim() || 'no error message was recorded';
  if (r.exitCode === ExitCode.usage) {
    out.push({ fingerprint: 'run-failed:configuration', title: 'Runs stop: configuration problem', detail: why, facts: { 'Exit code': '2' }, stopsRun: true });
  } else if (r.exitCode === ExitCode.dependency && r.dependency) {
    out.push({
      fingerprint: `run-failed:dependency:${r.dependency}`,
      title: `Runs stop: ${r.dependency} is unavailable`,
      detail: why,
      facts: { 'Exit code': '3', Dependency: r.dependency },
      stopsRun: true,
    });
  } else if (r.exitCode === ExitCode.dependency) {
    // cli.ts maps unexpected errors to exit 3 too; calling that a dependency would mislead.
    out.push({ fingerprint: 'run-failed:unexpected', title: 'Runs stop: unexpected error', detail: why, facts: { 'Exit code': '3' }, stopsRun: true });
  }
  // Open while any submission is failed or parked in the tracker: the runs between two attempts
  // skip a failed submission and exit 0, which says nothing about whether it went through.
  if (r.unresolved) {
    const { failed, parked } = r.unresolved;
    if (failed + parked > 0) {
      out.push({
        fingerprint: SUBMISSIONS_FAILING,
        title: 'Submissions are failing',
        detail:
          `${failed} submission(s) failed and are retried automatically; ${parked} parked, waiting for a person. ` +
          'See `jira-sync status`.',
        facts: { Failed: String(failed), Parked: String(parked) },
      });
    }
  } else if (r.failed > 0 || (r.exitCode === ExitCode.someFailed && r.parkedKeys.length === 0)) {
    // Without the tracker's view, this run's counts are all there is.
    out.push({
      fingerprint: SUBMISSIONS_FAILING,
      title: 'Submissions are failing',
      detail: `${r.failed} submission(s) failed in run ${r.runId}; they are retried automatically. See \`jira-sync status\`.`,
      facts: { 'Exit code': String(r.exitCode), Failed: String(r.failed) },
    });
  }
  for (const p of r.parkedKeys) {
    out.push({
      fingerprint: `${PARKED}${p.key}`,
      title: `Submission ${p.sourceId} parked after repeated failures`,
      detail: `It will not be retried automatically. Last error: ${p.error}. Fix the cause, then run \`jira-sync retry\`.`,
      facts: { 'Source id': p.sourceId, 'Submission key': p.key },
    });
  }
  return out;
}
