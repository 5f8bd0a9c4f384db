// One RateLimiter is shared by every concurrent Jira call of a run. It does two jobs:
//  1. a shared pause: when Jira says "come back in N ms" (429 / 503 + Retry-After),
//     nobody sends anything until then. N concurrent 429s produce one pause, not N
//     independent retry storms that each re-trigger the limit;
//  2. a pace that tracks Jira's limit: unlimited until the first 429; then, once per
//     episode, 0.8 × the rate Jira was actually accepting; back up to that rate within a
//     couple of seconds of successes, then probing above it, slowly at first and faster
//     the longer no 429 arrives (the shape of TCP CUBIC).
// Permits are handed out FIFO by a single pump, so after a pause the waiting callers
// leave one interval apart instead of all at once (no thundering herd).
//
// Why not plain AIMD (halve the pace, add 0.25/s per second)? Against a 10 req/s token
// bucket it averaged 87% of the limit: each episode threw away half the pace and took
// ~20 s to climb back; and a 429 on the very first request (someone else had used the
// quota) dropped the pace to the minimum, from where it took ~40 s to recover.

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
   * How fast the pace first probes above the last rate Jira accepted, in requests/second
   * gained per second of successes (default 0.25). The probe doubles every
   * PROBE_DOUBLING_MS without a 429, so a limit that was raised is found within seconds.
   */
  recoveryFactor?: number;
  clock?: Clock;
  /** Jitter source in [0, 1); injectable for deterministic tests. */
  random?: () => number;
}

/** Cut applied once per episode to the rate Jira accepted; the pause itself is the hard brake. */
const DECREASE_FACTOR = 0.8;
/** Window for the accepted and sent rates: long enough to average out a burst allowance
 *  (a short window over-estimates the limit), short enough to follow a limit that moves. */
const OBSERVE_WINDOW_MS = 10_000;
/** Fewer accepted requests than this in the window say nothing about the limit; see decrease(). */
const MIN_EVIDENCE = 3;
/** After a decrease, the pace is back at the last accepted rate after about this much traffic. */
const RECOVER_MS = 2_000;
/** Above the last accepted rate the probe's slope doubles this often while no 429 arrives, or
 *  every PROBE_PAUSES pauses if Jira's are longer: finding the limit costs one pause. */
const PROBE_DOUBLING_MS = 4_000;
const PROBE_PAUSES = 4;
/** No permit for this long: traffic stopped (a pause, set-up work); see grant(). */
const IDLE_GAP_MS = 1000;
/** Cap on the random offset added to a pause: enough to de-synchronise parallel runs, never a real delay. */
const MAX_PAUSE_JITTER_MS = 1000;

function positive(name: string, value: number | undefined): number | undefined {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw new RangeError(`RateLimiter: ${name} must be a positive number, got ${value}`);
  }
  return value;
}

/** Event times within the last OBSERVE_WINDOW_MS; older ones are dropped as new ones come. */
class RecentEvents {
  private times: number[] = [];
  private head = 0;

  add(t: number): void {
    this.times.push(t);
    if (this.times.length % 256 === 0) this.prune(t - OBSERVE_WINDOW_MS);
  }

  /** Events per second since `from` (at most one window back), spread over at least one
   *  second: a stretch that began 300 ms ago has not shown that Jira takes 50/s. */
  ratePerSecond(now: number, from: number): number {
    this.prune(from);
    return ((this.times.length - this.head) * 1000) / Math.max(1000, now - from);
  }

  private prune(before: number): void {
    while (this.head < this.times.length && (this.times[this.head] as number) < before) this.head++;
    if (this.head > 0 && this.head * 2 >= this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}

export class RateLimiter {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly minRate: number;
  private readonly maxRate: number;
  private readonly recovery: number;
  /** When the current stretch of traffic began: rates are measured over traffic, not idle time. */
  private activeSince = 0;

  private rate: number | undefined;
  private pauseEnd = 0;
  /** Until then, further 429s belong to the episode that already lowered the pace. */
  private decreaseCooldownUntil = 0;
  private lastGrantAt = Number.NEGATIVE_INFINITY;
  private readonly grants = new RecentEvents();
  private readonly accepted = new RecentEvents();
  /** The rate Jira accepted when it last said 429: climb back to it fast, probe above it slowly. */
  private knownGood = 0;
  /** When the pace last reached knownGood (start of the probe), or null while still below it. */
  private probingSince: number | null = null;
  /** Length of the last Retry-After pause. */
  private lastPauseMs = 0;
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

  /** Resolves when the shared pause (if any) is over; takes no permit. */
  async pauseOver(): Promise<void> {
    for (let now = this.clock.now(); now < this.pauseEnd; now = this.clock.now()) await this.clock.sleep(this.pauseEnd - now);
  }

  /**
   * Jira said "come back in retryAfterMs": every caller, queued or new, waits until
   * then. A later pause extends, never shortens. Lowers the pace once per episode.
   */
  onRateLimited(retryAfterMs: number): void {
    const now = this.clock.now();
    const wait = Math.max(0, retryAfterMs);
    if (now >= this.decreaseCooldownUntil) {
      this.decrease(now);
      this.lastPauseMs = wait;
    } else {
      this.lastPauseMs = Math.max(this.lastPauseMs, wait);
    }
    const interval = this.intervalMs();
    // A small random offset so two runs (or two hosts) that were told the same
    // Retry-After do not come back in the very same millisecond.
    const jitter = this.random() * Math.min(interval, MAX_PAUSE_JITTER_MS);
    this.pauseEnd = Math.max(this.pauseEnd, now + wait + jitter);
    // Responses to requests already in flight when the limit hit arrive during the
    // pause; they describe the old pace, so they must not lower the new one again.
    this.decreaseCooldownUntil = Math.max(this.decreaseCooldownUntil, this.pauseEnd);
    if (this.waiters.length > 0) void this.pump();
  }

  /** A success: Jira accepted a request. The pace climbs (see the file comment), never above maxRatePerSecond. */
  onSuccess(): void {
    const now = this.clock.now();
    this.accepted.add(now);
    if (this.rate === undefined) return;
    // Successes during a pause are answers to requests sent before it: no signal.
    if (now < this.pauseEnd) return;
    // Success-driven: at the pace, `rate` successes arrive per second, so each one adds
    // slope / rate and the pace gains `slope` per second of traffic. A run that sends
    // less than its pace (concurrency-bound) therefore barely moves it.
    let slope: number;
    if (this.rate < this.knownGood) {
      slope = Math.max(this.recovery, (this.knownGood * (1 - DECREASE_FACTOR) * 1000) / RECOVER_MS);
    } else {
      this.probingSince ??= now;
      const doublingMs = Math.max(PROBE_DOUBLING_MS, PROBE_PAUSES * this.lastPauseMs);
      const doublings = Math.min(30, (now - this.probingSince) / doublingMs);
      // Never more than doubling the pace per second, however long the probe has run.
      slope = Math.min(this.recovery * 2 ** doublings, Math.max(this.recovery, this.rate));
    }
    this.rate = this.clamp(this.rate + slope / Math.max(1, this.rate));
  }

  private decrease(now: number): void {
    // What Jira accepted is the best estimate of its limit; what we sent bounds it from above,
    // and the pace may be far above both when concurrency is the real bound.
    const from = Math.max(this.activeSince, now - OBSERVE_WINDOW_MS);
    const sent = this.grants.ratePerSecond(now, from);
    const accepted = this.accepted.ratePerSecond(now, from);
    let base: number;
    if ((accepted * Math.max(1000, now - from)) / 1000 >= MIN_EVIDENCE) base = Math.min(this.rate ?? sent, sent, accepted);
    // Too few answers to measure anything (say, a 429 on the first request because someone
    // else used the quota): Retry-After says when, not how fast. Keep the pace, lowered; an
    // unlimited one starts from what was sent, so the callers waiting out the pause still
    // leave one by one.
    else if (this.rate !== undefined) base = this.rate;
    else if (sent > 0) base = sent;
    else return;
    this.knownGood = this.clamp(base);
    this.rate = this.clamp(base * DECREASE_FACTOR);
    this.probingSince = null;
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
    // A gap (set-up between the preflight and the work, a Retry-After pause) starts a new
    // stretch, so idle time does not dilute the next estimate of Jira's limit.
    if (now - this.lastGrantAt > Math.max(IDLE_GAP_MS, 2 * this.intervalMs())) this.activeSince = now;
    this.lastGrantAt = now;
    this.grants.add(now);
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
