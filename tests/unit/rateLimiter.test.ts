import { describe, expect, it } from 'vitest';
import { RateLimiter, systemClock, type Clock } from '../../src/adapters/jira/rateLimiter.js';

/**
 * Virtual time: sleep() registers a timer; once the event loop is idle (a setImmediate
 * later, i.e. after all pending promise callbacks ran) the earliest timer fires and the
 * clock jumps to it. Tests therefore run instantly and in a deterministic order.
 */
class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Array<{ at: number; seq: number; resolve: () => void }> = [];
  private scheduled = false;
  readonly sleeps: number[] = [];

  constructor(start = 0) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve) => {
      this.timers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, resolve });
      this.schedule();
    });
  }
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (!next) return;
      this.t = Math.max(this.t, next.at);
      next.resolve();
      if (this.timers.length > 0) this.schedule();
    });
  }
}

/** Starts n acquires at once and records the virtual time each one is granted. */
async function grantTimes(limiter: RateLimiter, clock: Clock, n: number): Promise<number[]> {
  return Promise.all(Array.from({ length: n }, () => limiter.acquire().then(() => clock.now())));
}

describe('RateLimiter pacing', () => {
  it('is unlimited until the first 429', async () => {
    const clock = new FakeClock(1000);
    const limiter = new RateLimiter({ clock, random: () => 0 });
    expect(limiter.currentRatePerSecond).toBeUndefined();
    expect(await grantTimes(limiter, clock, 50)).toEqual(Array(50).fill(1000));
    expect(clock.sleeps).toEqual([]);
  });

  it('spaces permits by 1000 / rate when a rate is set', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, initialRatePerSecond: 4 });
    expect(await grantTimes(limiter, clock, 4)).toEqual([0, 250, 500, 750]);
    // A caller arriving later than one interval after the last grant goes straight through.
    await clock.sleep(10_000);
    const before = clock.now();
    await limiter.acquire();
    expect(clock.now()).toBe(before);
  });

  it('clamps the initial rate into [min, max] and rejects nonsense options', () => {
    expect(new RateLimiter({ initialRatePerSecond: 100, maxRatePerSecond: 5 }).currentRatePerSecond).toBe(5);
    expect(new RateLimiter({ initialRatePerSecond: 0.1, minRatePerSecond: 0.5 }).currentRatePerSecond).toBe(0.5);
    expect(() => new RateLimiter({ minRatePerSecond: 0 })).toThrow(RangeError);
    expect(() => new RateLimiter({ minRatePerSecond: 5, maxRatePerSecond: 1 })).toThrow(RangeError);
    expect(() => new RateLimiter({ initialRatePerSecond: Number.NaN })).toThrow(RangeError);
  });
});

describe('RateLimiter shared pause', () => {
  it('holds every new caller until the pause ends; a later pause extends but never shortens it', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, initialRatePerSecond: 10, random: () => 0 });
    limiter.onRateLimited(5000);
    expect(limiter.pausedUntil).toBe(5000);
    limiter.onRateLimited(1000); // shorter: ignored
    expect(limiter.pausedUntil).toBe(5000);
    const granted = limiter.acquire().then(() => clock.now());
    await clock.sleep(2000);
    limiter.onRateLimited(6000); // at t=2000: extends to 8000, even for the caller already waiting
    expect(limiter.pausedUntil).toBe(8000);
    expect(await granted).toBe(8000);
  });

  it('releases queued callers one interval apart after the pause, not all at once', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, initialRatePerSecond: 8, random: () => 0 });
    limiter.onRateLimited(3000); // pace halves to 4/s → 250 ms apart
    expect(limiter.currentRatePerSecond).toBe(4);
    expect(await grantTimes(limiter, clock, 4)).toEqual([3000, 3250, 3500, 3750]);
  });

  it('adds at most one interval (capped at 1 s) of jitter to the pause', () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, initialRatePerSecond: 4, random: () => 0.999 });
    limiter.onRateLimited(5000); // pace 2/s → interval 500 ms
    expect(limiter.pausedUntil).toBeGreaterThan(5000);
    expect(limiter.pausedUntil).toBeLessThan(5500);
    const slow = new RateLimiter({ clock, initialRatePerSecond: 0.5, minRatePerSecond: 0.1, random: () => 0.999 });
    slow.onRateLimited(5000); // interval 4 s, but jitter is capped at 1 s
    expect(slow.pausedUntil).toBeGreaterThan(5900);
    expect(slow.pausedUntil).toBeLessThan(6000);
  });
});

describe('RateLimiter AIMD pace', () => {
  it('halves the pace once per episode, again after the pause, never below the minimum', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, initialRatePerSecond: 8, minRatePerSecond: 1.5, random: () => 0 });
    limiter.onRateLimited(1000);
    expect(limiter.currentRatePerSecond).toBe(4);
    // Three more 429s from requests that were in flight: same episode, same pace.
    limiter.onRateLimited(1000);
    limiter.onRateLimited(1000);
    limiter.onRateLimited(1000);
    expect(limiter.currentRatePerSecond).toBe(4);
    await clock.sleep(1000);
    limiter.onRateLimited(1000); // after the pause: the new pace is still too fast
    expect(limiter.currentRatePerSecond).toBe(2);
    await clock.sleep(1000);
    limiter.onRateLimited(1000);
    expect(limiter.currentRatePerSecond).toBe(1.5);
  });

  it('starts from half the observed sending rate when it was unlimited', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, random: () => 0 });
    await grantTimes(limiter, clock, 20); // 20 requests within one second
    limiter.onRateLimited(1000);
    expect(limiter.currentRatePerSecond).toBe(10);
  });

  it('creeps back up additively on success, not during a pause, never above the maximum', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, initialRatePerSecond: 4, maxRatePerSecond: 3, recoveryFactor: 0.25, random: () => 0 });
    expect(limiter.currentRatePerSecond).toBe(3);
    limiter.onRateLimited(2000);
    expect(limiter.currentRatePerSecond).toBe(1.5);
    limiter.onSuccess(); // t=0 < pause end: an answer to an old request, no signal
    expect(limiter.currentRatePerSecond).toBe(1.5);
    await clock.sleep(2000);
    limiter.onSuccess();
    expect(limiter.currentRatePerSecond).toBeCloseTo(1.5 + 0.25 / 1.5, 10);
    // Slowly: one window (≈ rate successes) adds ≈ recoveryFactor.
    const before = limiter.currentRatePerSecond ?? 0;
    for (let i = 0; i < 2; i++) limiter.onSuccess();
    const after = limiter.currentRatePerSecond ?? 0;
    expect(after - before).toBeGreaterThan(0.2);
    expect(after - before).toBeLessThan(0.35);
    for (let i = 0; i < 1000; i++) limiter.onSuccess();
    expect(limiter.currentRatePerSecond).toBe(3);
  });

  it('stays unlimited on success before any 429', () => {
    const limiter = new RateLimiter({ clock: new FakeClock() });
    limiter.onSuccess();
    expect(limiter.currentRatePerSecond).toBeUndefined();
  });
});

describe('systemClock', () => {
  it('reads wall-clock time and sleeps for real', async () => {
    const start = systemClock.now();
    expect(Math.abs(start - Date.now())).toBeLessThan(50);
    await systemClock.sleep(5);
    expect(systemClock.now() - start).toBeGreaterThanOrEqual(4);
  });
});
