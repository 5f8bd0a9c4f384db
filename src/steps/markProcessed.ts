// Step 7: the submission is done; it will never be picked up again.
import type { TrackerStore } from '../adapters/tracker/store.js';
import { failpoint } from '../failpoints.js';

export async function markProcessed(tracker: TrackerStore, key: string, outcome: 'created' | 'recovered'): Promise<void> {
  await tracker.markDone(key, outcome);
  failpoint('after-done');
}
