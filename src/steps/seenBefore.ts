// Step 3: has this submission been seen before? Read-only, so a run can decide whether there
// is any work (and whether Jira must be reachable) before it writes anything.
import type { Tracker } from '../adapters/tracker/tracker.js';

export type TrackerCheck = { status: 'new' } | { status: 'already-processed'; sourceId: string; state: string; ticketKey: string | null };

export function seenBefore(tracker: Pick<Tracker, 'get'> | null, key: string): TrackerCheck {
  const known = tracker?.get(key);
  if (!known) return { status: 'new' };
  return { status: 'already-processed', sourceId: known.sourceId, state: known.state, ticketKey: known.ticketKey };
}
