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
  for (const { outcome } of results) countOutcome(c, outcome);
  return c;
}

/** Adds one outcome to the counts. */
export function countOutcome(c: Counts, outcome: Outcome): void {
  const t = outcome.tag;
  // A dry run's would-create counts here, and its summary says "would create N".
  if (t === 'created' || t === 'recovered' || t === 'would-create') c.created += 1;
  else if (t.startsWith('skipped:')) c.skipped += 1;
  else if (t.startsWith('failed:')) c.failed += 1;
  else if (t === 'parked') c.parked += 1;
}

/** A run's outcomes as they come, in memory that does not grow with the batch's successes: every
 *  one counted; kept only the ones a person must hear about (failed, parked, stopped: the run's
 *  end logs and alerts those) and the ones left for later (skipped because another run or Jira's
 *  search has them). A created ticket or a repeat of known content is only counted. */
export class Tally {
  readonly counts: Counts = { ...NO_COUNTS };
  readonly kept: SubmissionResult[] = [];
  handled = 0;

  add(r: SubmissionResult): void {
    this.handled += 1;
    countOutcome(this.counts, r.outcome);
    const t = r.outcome.tag;
    if (t.startsWith('failed:') || t === 'parked' || t === 'stopped' || t === 'skipped:in-progress') this.kept.push(r);
  }
}
