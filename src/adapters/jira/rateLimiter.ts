// One RateLimiter is shared by every concurrent Jira call of a run. It does two jobs:
//  1. a shared pause: when Jira says "come back in N ms" (429 / 503 + Retry-After),
//     nobody sends anything until then. N concurrent 429s produce one pause, not N
//     independent retry storms that each re-trigger the limit;
//  2. a pace (AIMD, as in TCP congestion control): unlimited until the first 429,
//     then halved on every rate-limit episode and raised slowly on success, so the
//     run settles just below whatever quota Jira grants us at the moment.
// Permits are handed out FIFO by a single pump, so after a pause the waiting callers
// leave one interval apart instead of all at once (no thundering herd).

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Wall-clock time: Retry-After HTTP-dates and X-RateLimit-Reset are wall-clock too. */
export const systemClock: Clock = {
  now: () => Date.now(),
  // Clamped because setTimeout fires at once for delays above 2^31-1 ms.
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(0, ms), 2_147_483_647))),
};

export interface RateLimiterOptions {
  /** Requests per second to start with. Default: unlimited until the first 429. */
  initialRatePerSecond?: number;
  /** The pace never drops below this (default 0.5/s), so a run always makes progress. */
  minRatePerSecond?: number;
  /** The pace never rises above this (default: no ceiling). */
  maxRatePerSecond?: number;
  /**
   * Additive increase: requests/second gained per window of successes, a window being
   * max(1, rate) successes, i.e. about one second of traffic at the current pace. Default 0.25.
   */
  recoveryFactor?: number;
  clock?: Clock;
  /** Jitter source in [0, 1); injectable for deterministic tests. */
  random?: () => number;
}

/** Multiplicative decrease applied once per rate-limit episode. */
const DECREASE_FACTOR = 0.5;
/** How far back we look to estimate the pace we were actually sending at when the first 429 arrives. */
const OBSERVE_WINDOW_MS = 10_000;
/** Cap on the random offset added to a pause: enough to de-synchronise parallel runs, never a real delay. */
const MAX_PAUSE_JITTER_MS = 1000;

function positive(name: string, value: number | undefined): number | undefined {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw new RangeError(`RateLimiter: ${name} must be a positive number, got ${value}`);
  }
  return value;
}

export class RateLimiter {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly minRate: number;
  private readonly maxRate: number;
  private readonly recovery: number;

  private rate: number | undefined;
  private pauseEnd = 0;
  /** Until then, further 429s belong to the episode that already lowered the pace. */
  private decreaseCooldownUntil = 0;
  private lastGrantAt = Number.NEGATIVE_INFINITY;
  /** Grant times within OBSERVE_WINDOW_MS, only needed while the pace is still unlimited. */
  private recentGrants: number[] = [];
  private readonly waiters: Array<() => void> = [];
  private pumping = false;

  constructor(opts: RateLimiterOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
    this.minRate = positive('minRatePerSecond', opts.minRatePerSecond) ?? 0.5;
    this.maxRate = positive('maxRatePerSecond', opts.maxRatePerSecond) ?? Number.POSITIVE_INFINITY;
    this.recovery = positive('recoveryFactor', opts.recoveryFactor) ?? 0.25;
    if (this.minRate > this.maxRate) throw new RangeError('RateLimiter: minRatePerSecond exceeds maxRatePerSecond');
    const initial = positive('initialRatePerSecond', opts.initialRatePerSecond);
    this.rate = initial === undefined ? undefined : this.clamp(initial);
  }

  /** Current pace in requests/second; undefined while unlimited. */
  get currentRatePerSecond(): number | undefined {
    return this.rate;
  }

  /** Clock time before which no permit is granted (0 when never paused). */
  get pausedUntil(): number {
    return this.pauseEnd;
  }

  /** Wait for permission to send one request: respects the shared pause and the current pace. */
  acquire(): Promise<void> {
    // Fast path keeps the unthrottled case synchronous-ish and strictly FIFO: only when
    // nobody is queued ahead of us.
    if (this.waiters.length === 0 && !this.pumping) {
      const now = this.clock.now();
      if (this.readyAt() <= now) {
        this.grant(now);
        return Promise.resolve();
      }
    }
    return new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      void this.pump();
    });
  }

  /**
   * Jira said "come back in retryAfterMs": every caller, queued or new, waits until
   * then. A later pause extends, never shortens. Lowers the pace once per episode.
   */
  onRateLimited(retryAfterMs: number): void {
    const now = this.clock.now();
    if (now >= this.decreaseCooldownUntil) this.decrease(now);
    const interval = this.intervalMs();
    // A small random offset so two runs (or two hosts) that were told the same
    // Retry-After do not come back in the very same millisecond.
    const jitter = this.random() * Math.min(interval, MAX_PAUSE_JITTER_MS);
    const end = now + Math.max(0, retryAfterMs) + jitter;
    this.pauseEnd = Math.max(this.pauseEnd, end);
    // Responses to requests already in flight when the limit hit arrive during the
    // pause; they describe the old pace, so they must not halve the new one again.
    this.decreaseCooldownUntil = Math.max(this.decreaseCooldownUntil, this.pauseEnd);
    if (this.waiters.length > 0) void this.pump();
  }

  /** A success: the pace creeps back up (additive increase), never above maxRatePerSecond. */
  onSuccess(): void {
    if (this.rate === undefined) return;
    // Successes during a pause are answers to requests sent before it: no signal.
    if (this.clock.now() < this.pauseEnd) return;
    this.rate = this.clamp(this.rate + this.recovery / Math.max(1, this.rate));
  }

  private decrease(now: number): void {
    if (this.rate === undefined) {
      // We were unlimited, so there is no pace to halve: halve the pace we were
      // actually sending at (spread over at least one second).
      this.recentGrants = this.recentGrants.filter((t) => t > now - OBSERVE_WINDOW_MS);
      const first = this.recentGrants[0];
      const spanS = first === undefined ? 1 : Math.max(1, (now - first) / 1000);
      this.rate = this.clamp((this.recentGrants.length / spanS) * DECREASE_FACTOR);
      this.recentGrants = [];
    } else {
      this.rate = this.clamp(this.rate * DECREASE_FACTOR);
    }
  }

  private clamp(rate: number): number {
    return Math.min(this.maxRate, Math.max(this.minRate, rate));
  }

  private intervalMs(): number {
    return this.rate === undefined ? 0 : 1000 / this.rate;
  }

  private readyAt(): number {
    return Math.max(this.pauseEnd, this.lastGrantAt + this.intervalMs());
  }

  private grant(now: number): void {
    this.lastGrantAt = now;
    if (this.rate === undefined) {
      this.recentGrants.push(now);
      // Bounded: prune as we go so a long unthrottled run does not accumulate timestamps.
      if (this.recentGrants.length > 1000) this.recentGrants = this.recentGrants.filter((t) => t > now - OBSERVE_WINDOW_MS);
    }
  }

  /** The only place queued callers are released: one at a time, in order. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        const next = this.waiters[0];
        if (next === undefined) return;
        const now = this.clock.now();
        const readyAt = this.readyAt();
        if (readyAt > now) {
          // Re-evaluate after waking: the pause may have been extended or the pace lowered meanwhile.
          await this.clock.sleep(readyAt - now);
          continue;
        }
        this.waiters.shift();
        this.grant(now);
        next();
      }
    } finally {
      this.pumping = false;
    }
  }
}
