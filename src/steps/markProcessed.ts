// Step 7: the submission is done; it will never be picked up again. A ticket whose attachment was
// just added (or found) goes from `created` to `done` in one commit; `attached` alone is a state
// only an earlier version could leave, and is finished from here too.
import type { TrackerStore } from '../adapters/tracker/store.js';
import { failpoint } from '../failpoints.js';

/** False when another run recorded it first. */
export async function markProcessed(tracker: TrackerStore, key: string, outcome: 'created' | 'recovered', from: 'created' | 'attached'): Promise<boolean> {
  const moved = from === 'created' ? await tracker.markAttachedAndDone(key, outcome) : await tracker.markDone(key, outcome);
  failpoint('after-done');
  return moved;
}
