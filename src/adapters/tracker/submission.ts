// One submission as the tracker keeps it (its row in `submissions`), its states, and the retry
// schedule the tracker applies to it (tracker.ts holds the transitions between the states).
import type { Row } from '../postgres/values.js';

const RETRY_BASE_MS = 15 * 60_000; // one cron interval, doubling per attempt

/** When to try a failing submission again after its `attempts`-th attempt, or null to park it
 *  for a person. The same schedule for every kind of failure, a failed marker search included. */
export function nextAttemptAt(attempts: number, maxAttempts: number, now: Date): Date | null {
  if (attempts >= maxAttempts) return null;
  return new Date(now.getTime() + RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

export type SubmissionState = 'pending' | 'creating' | 'created' | 'attached' | 'done' | 'failed' | 'parked';
export const SUBMISSION_STATES: SubmissionState[] = ['pending', 'creating', 'created', 'attached', 'done', 'failed', 'parked'];

export interface TrackedSubmission {
  key: string;
  sourceId: string;
  sourceTs: string;
  payload: Row;
  state: SubmissionState;
  ticketKey: string | null;
  ticketId: string | null;
  attempts: number;
  lastError: string | null;
  lastOutcome: string | null;
  attemptStartedAt: string | null;
  nextAttemptAt: string | null;
  needsReview: boolean;
  /** Search Jira for the marker before creating: the tracker was restored and may have forgotten a ticket. */
  verifyFirst: boolean;
  reviewNote: string | null;
  runId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface DbRow {
  key: string; source_id: string; source_ts: string; payload: string; state: SubmissionState;
  ticket_key: string | null; ticket_id: string | null; attempts: number; last_error: string | null;
  last_outcome: string | null; attempt_started_at: string | null; next_attempt_at: string | null;
  needs_review: number; verify_first: number; review_note: string | null; run_id: string | null; created_at: string; updated_at: string;
}

export function fromDb(r: DbRow): TrackedSubmission {
  return {
    key: r.key, sourceId: r.source_id, sourceTs: r.source_ts, payload: JSON.parse(r.payload) as Row, state: r.state,
    ticketKey: r.ticket_key, ticketId: r.ticket_id, attempts: r.attempts, lastError: r.last_error,
    lastOutcome: r.last_outcome, attemptStartedAt: r.attempt_started_at, nextAttemptAt: r.next_attempt_at,
    needsReview: r.needs_review === 1, verifyFirst: r.verify_first === 1, reviewNote: r.review_note, runId: r.run_id, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}
