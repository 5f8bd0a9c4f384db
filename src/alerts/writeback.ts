// The alert for a write-back pull that has not succeeded for an hour (WRITEBACK_TABLE): the
// table's statuses are going stale. One incident while it lasts (alerts/incidents.ts opens it
// once), cleared by the first run after a pull succeeds again.
import type { PullState } from '../adapters/tracker/writeback.js';
import type { RunProblem } from './incidents.js';

export const PULL_ALERT_AFTER_MS = 60 * 60_000;

export function problemFromPull(p: PullState | null, now: Date): RunProblem | null {
  if (!p?.failingSince || now.getTime() - Date.parse(p.failingSince) < PULL_ALERT_AFTER_MS) return null;
  return {
    fingerprint: 'writeback:pull-failing',
    title: 'The write-back pull has not succeeded for an hour',
    detail:
      `Pulls of ticket statuses from Jira have failed since ${p.failingSince} (last: ${p.lastError ?? 'no message'}), so the write-back table ` +
      `shows statuses as of ${p.lastSuccessAt ?? 'its rows were created'}. New tickets are still created and get their rows. Each run tries again ` +
      'from the same checkpoint, so nothing is lost once Jira answers; `jira-sync status` shows the pull.',
    facts: { 'Failing since': p.failingSince, 'Last success': p.lastSuccessAt ?? 'never', Checkpoint: p.checkpoint ?? 'not set' },
  };
}
