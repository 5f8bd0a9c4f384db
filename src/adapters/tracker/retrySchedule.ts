// The retry schedule for a failed attempt, one rule for both stores: count the attempt against
// what the tracker has recorded (the truth: a claim in this run already counted its own), then
// try again later (nextAttemptAt: 15 minutes, doubling) or park once `maxAttempts` are spent.
// The stores only write the result (markFailed, markSearchFailed), each in its own dialect.
import type { RetryOptions } from './store.js';
import { nextAttemptAt, type TrackedSubmission } from './submission.js';

/** When the submission is tried again (null: parked) and its attempts so far. */
export interface Scheduled {
  nextAttemptAt: Date | null;
  attempts: number;
}

/** The writes a store offers for the schedule. */
export interface FailureWrites {
  get(key: string): Promise<TrackedSubmission | undefined>;
  markFailed(key: string, outcome: string, error: string, nextAttemptAt: Date | null, countAttempt?: boolean): Promise<boolean>;
  markSearchFailed(key: string, seenAttemptStartedAt: string | null, error: string, nextAttemptAt: Date | null): Promise<boolean>;
}

async function schedule(store: FailureWrites, key: string, now: Date, counted: number, opts: RetryOptions): Promise<Scheduled> {
  const attempts = ((await store.get(key))?.attempts ?? opts.fallbackAttempts) + counted;
  return { attempts, nextAttemptAt: nextAttemptAt(attempts, opts.maxAttempts, now) };
}

/** A failed attempt; `countAttempt` is false when the claim already counted it. */
export async function scheduleFailure(
  store: FailureWrites,
  now: Date,
  key: string,
  outcome: string,
  error: string,
  opts: RetryOptions & { countAttempt: boolean },
): Promise<Scheduled> {
  const s = await schedule(store, key, now, opts.countAttempt ? 1 : 0, opts);
  await store.markFailed(key, outcome, error, s.nextAttemptAt, opts.countAttempt);
  return s;
}

/** A failed marker search, counted as an attempt; null when another run settled the submission first. */
export async function scheduleSearchFailure(
  store: FailureWrites,
  now: Date,
  key: string,
  seenAttemptStartedAt: string | null,
  error: string,
  opts: RetryOptions,
): Promise<Scheduled | null> {
  const s = await schedule(store, key, now, 1, opts);
  return (await store.markSearchFailed(key, seenAttemptStartedAt, error, s.nextAttemptAt)) ? s : null;
}
