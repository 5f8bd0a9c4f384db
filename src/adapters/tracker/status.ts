// Read-only queries behind `jira-sync status`. They read the tracker only, so status works
// while Jira or PostgreSQL are down.
import type Database from 'better-sqlite3';
import { SUBMISSION_STATES, type SubmissionState } from './submission.js';

export interface ProblemSubmission {
  key: string;
  sourceId: string;
  state: SubmissionState;
  ticketKey: string | null;
  attempts: number;
  lastOutcome: string | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  needsReview: boolean;
  reviewNote: string | null;
  updatedAt: string;
}

export function countsByState(db: Database.Database): Record<SubmissionState, number> {
  const counts = Object.fromEntries(SUBMISSION_STATES.map((s) => [s, 0])) as Record<SubmissionState, number>;
  for (const r of db.prepare('SELECT state, count(*) AS n FROM submissions GROUP BY state').all() as { state: SubmissionState; n: number }[]) {
    counts[r.state] = r.n;
  }
  return counts;
}

/** Everything a person may need to look at: failed, parked, flagged for review, or stuck mid-way. */
export function problemSubmissions(db: Database.Database): ProblemSubmission[] {
  const rows = db
    .prepare(
      `SELECT key, source_id, state, ticket_key, attempts, last_outcome, last_error, next_attempt_at, needs_review, review_note, updated_at
         FROM submissions
        WHERE state IN ('failed','parked','creating','created','attached') OR needs_review = 1
        ORDER BY state = 'parked' DESC, needs_review DESC, source_ts, source_id`,
    )
    .all() as {
    key: string; source_id: string; state: SubmissionState; ticket_key: string | null; attempts: number; last_outcome: string | null;
    last_error: string | null; next_attempt_at: string | null; needs_review: number; review_note: string | null; updated_at: string;
  }[];
  return rows.map((r) => ({
    key: r.key, sourceId: r.source_id, state: r.state, ticketKey: r.ticket_key, attempts: r.attempts, lastOutcome: r.last_outcome,
    lastError: r.last_error, nextAttemptAt: r.next_attempt_at, needsReview: r.needs_review === 1, reviewNote: r.review_note, updatedAt: r.updated_at,
  }));
}

export function cursorPosition(db: Database.Database): { sourceTs: string; sourceId: string; updatedAt: string } | null {
  const r = db.prepare('SELECT source_ts, source_id, updated_at FROM cursor WHERE id = 1').get() as { source_ts: string; source_id: string; updated_at: string } | undefined;
  return r ? { sourceTs: r.source_ts, sourceId: r.source_id, updatedAt: r.updated_at } : null;
}
