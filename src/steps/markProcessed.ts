// Step 7: the submission is done; it will never be picked up again.
import type { Tracker } from '../adapters/tracker/tracker.js';
import { failpoint } from '../failpoints.js';

export function markProcessed(tracker: Tracker, key: string, outcome: 'created' | 'recovered'): void {
  tracker.markDone(key, outcome);
  failpoint('after-done');
}
