// The retry loop every Jira gateway call runs in. Policy in one sentence: wait when
// Jira tells us to (shared pause), back off with jitter on transient failures, never
// repeat a call that may already have taken effect unless the caller says it is safe,
// and stop once the run's retry time budget is gone so a bad Jira day ends the run
// with a clear error instead of hanging it.

import { classifyJiraError, JiraCallError, type JiraErrorKind } from './errors.js';
import type { Clock, RateLimiter } from './rateLimiter.js';

export interface RetryPolicy {
  /** Attempts per call, the first one included. */
  maxAttempts: number;
  /** First backoff cap; doubles per attempt. */
  baseDelayMs: number;
  /** Ceiling for a computed backoff (a server's Retry-After is honoured as given). */
  maxDelayMs: number;
}

/**
 * The run's retry time budget. It measures wall-clock time during which at least one
 * call was waiting to retry: four calls waiting out the same 10 s pause spend 10 s,
 * not 40 s, because they wait in parallel. Pacing waits (for a slot at the current pace)
 * are free, before first attempts and retries alike.
 */
export class RetryBudget {
  private spentMs = 0;
  private waiting = 0;
  private waitingSince = 0;

  constructor(
    private readonly totalMs: number,
    private readonly clock: Clock,
  ) {}

  /** Budget left, in ms (may be negative when a wait overran it). */
  remainingMs(): number {
    const open = this.waiting > 0 ? this.clock.now() - this.waitingSince : 0;
    return this.totalMs - this.spentMs - open;
  }

  /** Runs `wait` and charges its duration (overlapping waits are charged once). */
  async track<T>(wait: () => Promise<T>): Promise<T> {
    if (this.waiting++ === 0) this.waitingSince = this.clock.now();
    try {
      return await wait();
    } finally {
      if (--this.waiting === 0) this.spentMs += this.clock.now() - this.waitingSince;
    }
  }
}

export interface RetryInfo {
  operation: string;
  /** The attempt that just failed (1-based); the next one is attempt + 1. */
  attempt: number;
  /** Time until the next attempt may be sent (backoff, or the shared pause). */
  delayMs: number;
  error: JiraCallError;
}

export interface WithRetryOptions {
  limiter: RateLimiter;
  policy: RetryPolicy;
  budget: RetryBudget;
  /** False for calls that must not run twice (create): errors with mayHaveTakenEffect are thrown, not retried. */
  safeToRepeat: boolean;
  clock: Clock;
  random?: () => number;
  onRetry?: (info: RetryInfo) => void;
}

/** Jira understood the request and said no; asking again gets the same answer. */
const NEVER_RETRIED: ReadonlySet<JiraErrorKind> = new Set(['auth', 'rejected', 'not-found', 'unknown']);

/** Exponential cap for the given failed attempt (1-based), bounded by maxDelayMs. */
function backoffCapMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
}

/**
 * Runs `call` through the shared limiter and retries it according to the policy.
 * Throws the last JiraCallError (with `attempts` set) when it gives up.
 */
export async function withRetry<T>(operation: string, call: () => Promise<T>, opts: WithRetryOptions): Promise<T> {
  const { limiter, policy, budget, clock } = opts;
  const random = opts.random ?? Math.random;

  await limiter.acquire();
  for (let attempt = 1; ; attempt++) {
    let error: JiraCallError;
    try {
      const result = await call();
      limiter.onSuccess();
      return result;
    } catch (raw) {
      error = classifyJiraError(raw, operation, clock.now());
    }
    error.attempts = attempt;

    let delayMs: number;
    if (error.kind === 'rate-limited') {
      // Tell the limiter even if this call will not be retried: the others must pause too.
      // Without a Retry-After we pick the exponential cap (not a jittered fraction of it):
      // the pause is shared, and the limiter already adds jitter to it.
      limiter.onRateLimited(error.retryAfterMs ?? backoffCapMs(policy, attempt));
      delayMs = Math.max(0, limiter.pausedUntil - clock.now());
    } else {
      // Full jitter (AWS architecture blog): uniform in [0, cap], which spreads the
      // retries of concurrent calls better than a fixed or "equal jitter" schedule.
      delayMs = Math.floor(random() * backoffCapMs(policy, attempt));
    }

    if (NEVER_RETRIED.has(error.kind)) throw error;
    // A 429 is classified mayHaveTakenEffect=false, so it is always retried here.
    if (!opts.safeToRepeat && error.mayHaveTakenEffect) throw error;
    if (attempt >= policy.maxAttempts) throw error;
    if (delayMs > budget.remainingMs()) throw error;

    opts.onRetry?.({ operation, attempt, delayMs, error });
    if (error.kind === 'rate-limited') {
      // Queue for a permit at once, so this retry keeps its place ahead of later first
      // attempts (submission order); the limiter holds everyone until the pause ends.
      const permit = limiter.acquire();
      // Only the pause is charged: the queue for a paced slot after it is the same wait a
      // first attempt has, and charging it would end a long, healthy backlog drain early.
      await budget.track(() => limiter.pauseOver());
      await permit;
    } else {
      if (delayMs > 0) await budget.track(() => clock.sleep(delayMs));
      await limiter.acquire();
    }
  }
}
