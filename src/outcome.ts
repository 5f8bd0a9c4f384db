// The tagged result of one submission in one run: what `status`, the logs and the summary report.
import { NO_COUNTS, type Counts } from './counts.js';

export type Outcome =
  | { tag: 'created'; ticketKey: string }
  | { tag: 'recovered'; ticketKey: string; note: string }
  | { tag: 'would-create'; requestFieldValues: Record<string, unknown>; attachmentName: string }
  | { tag: 'skipped:already-processed'; ticketKey: string | null; note: string }
  | { tag: 'skipped:in-progress'; note: string }
  | { tag: 'failed:invalid-value'; error: string }
  | { tag: 'failed:jira-rejected'; error: string }
  | { tag: 'failed:jira-unavailable'; error: string }
  | { tag: 'parked'; error: string }
  | { tag: 'stopped'; error: string };

/** Another run is working on the submission, or Jira's search has not caught up yet: nothing to do now. */
export type Skipped = Extract<Outcome, { tag: 'skipped:in-progress' }>;

export function inProgress(note: string): Skipped {
  return { tag: 'skipped:in-progress', note };
}

export interface SubmissionResult {
  key: string;
  sourceId: string;
  outcome: Outcome;
}

export function countOutcomes(results: SubmissionResult[]): Counts {
  const c: Counts = { ...NO_COUNTS };
  for (const { outcome } of results) {
    const t = outcome.tag;
    // A dry run's would-create counts here, and its summary says "would create N".
    if (t === 'created' || t === 'recovered' || t === 'would-create') c.created += 1;
    else if (t.startsWith('skipped:')) c.skipped += 1;
    else if (t.startsWith('failed:')) c.failed += 1;
    else if (t === 'parked') c.parked += 1;
  }
  return c;
}
