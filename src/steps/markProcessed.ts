// Step 7: the submission is done; it will never be picked up again. A ticket whose attachment was
// just added (or found) goes from `created` to `done` in one commit; `attached` alone is a state
// only an earlier version could leave, and is finished from here too.
import type { TrackerStore } from '../adapters/tracker/store.js';
import { failpoint } from '../failpoints.js';

/** False when another run recorded it first. `sent`: called once the commit is asked for. */
export async function markProcessed(tracker: TrackerStore, key: string, outcome: 'created' | 'recovered', from: 'created' | 'attached', sent?: () => void): Promise<boolean> {
  const moving = from === 'created' ? tracker.markAttachedAndDone(key, outcome) : tracker.markDone(key, outcome);
  sent?.();
  const moved = await moving;
  failpoint('after-done');
  return moved;
}
