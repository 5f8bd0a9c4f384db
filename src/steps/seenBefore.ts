// Step 3: has this submission been seen before? Read-only, so a run can decide whether there
// is any work (and whether Jira must be reachable) before it writes anything.
import type { TrackerStore } from '../adapters/tracker/store.js';

export type TrackerCheck = { status: 'new' } | { status: 'already-processed'; sourceId: string; state: string; ticketKey: string | null };

export async function seenBefore(tracker: Pick<TrackerStore, 'get'> | null, key: string): Promise<TrackerCheck> {
  const known = await tracker?.get(key);
  if (!known) return { status: 'new' };
  return { status: 'already-processed', sourceId: known.sourceId, state: known.state, ticketKey: known.ticketKey };
}
