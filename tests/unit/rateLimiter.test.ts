import { describe, expect, it } from 'vitest';
import { RateLimiter, systemClock, type Clock } from '../../src/adapters/jira/rateLimiter.js';
import { FakeClock } from '../support/fakeClock.js';


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
    const limiter = new RateLimiter({ clock, initialRatePerSecond: 10, random: () => 0 });
    limiter.onRateLimited(3000); // nothing sent yet: 0.8 × the pace → 8/s, 125 ms apart
    expect(limiter.currentRatePerSecond).toBe(8);
    expect(await grantTimes(limiter, clock, 4)).toEqual([3000, 3125, 3250, 3375]);
  });

  it('adds at most one interval (capped at 1 s) of jitter to the pause', () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, initialRatePerSecond: 5, random: () => 0.999 });
    limiter.onRateLimited(5000); // pace 4/s → interval 250 ms
    expect(limiter.pausedUntil).toBeGreaterThan(5000);
    expect(limiter.pausedUntil).toBeLessThan(5250);
    const slow = new RateLimiter({ clock, initialRatePerSecond: 0.5, minRatePerSecond: 0.1, random: () => 0.999 });
    slow.onRateLimited(5000); // pace 0.4/s → interval 2.5 s, but jitter is capped at 1 s
    expect(slow.pausedUntil).toBeGreaterThan(5900);
    expect(slow.pausedUntil).toBeLessThan(6000);
  });
});

/** Requests at `perSecond` (or as fast as the pace allows) for `seconds`, each one accepted. */
async function traffic(limiter: RateLimiter, clock: FakeClock, perSecond: number, seconds: number): Promise<void> {
  const end = clock.now() + seconds * 1000;
  while (clock.now() < end) {
    await limiter.acquire();
    limiter.onSuccess();
    await clock.sleep(1000 / perSecond);
  }
}

describe('RateLimiter pace after a 429', () => {
  it('drops to 0.8 × the rate Jira accepted, once per episode, never below the minimum', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, random: () => 0 });
    await traffic(limiter, clock, 20, 5); // unlimited, 20/s accepted
    limiter.onRateLimited(1000);
    expect(limiter.currentRatePerSecond).toBeCloseTo(16, 5);
    // More 429s from requests that were in flight: same episode, same pace.
    limiter.onRateLimited(1000);
    limiter.onRateLimited(1000);
    expect(limiter.currentRatePerSecond).toBeCloseTo(16, 5);
    const floor = new RateLimiter({ clock, initialRatePerSecond: 1, minRatePerSecond: 0.9, random: () => 0 });
    floor.onRateLimited(1000);
    expect(floor.currentRatePerSecond).toBe(0.9);
  });

  it('starts from the rate actually sent, not from a pace that concurrency never reached', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, initialRatePerSecond: 50, random: () => 0 });
    await traffic(limiter, clock, 10, 5);
    limiter.onRateLimited(1000);
    expect(limiter.currentRatePerSecond).toBeCloseTo(8, 5);
  });

  it('does not count idle time before the traffic (set-up after the preflight) as a slow rate', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, random: () => 0 });
    await traffic(limiter, clock, 1, 1); // the preflight
    await clock.sleep(3000); // registering the batch
    await traffic(limiter, clock, 10, 2);
    limiter.onRateLimited(1000);
    expect(limiter.currentRatePerSecond).toBeCloseTo(8, 5);
  });

  it('a 429 on the very first request does not pin the pace to the minimum; it is back above 10/s within 15 s', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, random: () => 0 });
    await limiter.acquire();
    limiter.onRateLimited(1000);
    expect(limiter.currentRatePerSecond).toBeCloseTo(0.8, 5); // sent 1 in a second; no evidence of more
    await clock.sleep(1000);
    await traffic(limiter, clock, 1000, 15); // as fast as the pace allows, all accepted
    expect(limiter.currentRatePerSecond).toBeGreaterThan(10);
  });

  it('climbs back to the accepted rate within about 2 s, then probes above it slowly, faster the longer no 429 comes', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, random: () => 0 });
    await traffic(limiter, clock, 10, 5);
    limiter.onRateLimited(1000);
    expect(limiter.currentRatePerSecond).toBeCloseTo(8, 5);
    await clock.sleep(1000); // the pause
    await traffic(limiter, clock, 1000, 2.5);
    const recovered = limiter.currentRatePerSecond ?? 0;
    expect(recovered).toBeGreaterThanOrEqual(10);
    expect(recovered).toBeLessThan(10.5);
    await traffic(limiter, clock, 1000, 2);
    const firstProbe = (limiter.currentRatePerSecond ?? 0) - recovered;
    expect(firstProbe).toBeLessThan(1); // near the known limit: ≈ 0.25/s per second
    await traffic(limiter, clock, 1000, 8);
    expect((limiter.currentRatePerSecond ?? 0) - recovered).toBeGreaterThan(5); // no 429 for 10 s: the limit moved
  });

  it('probes more slowly when Jira asks for long pauses, since each failed probe costs one', async () => {
    const after = async (retryAfterMs: number) => {
      const clock = new FakeClock();
      const limiter = new RateLimiter({ clock, random: () => 0 });
      await traffic(limiter, clock, 10, 5);
      limiter.onRateLimited(retryAfterMs);
      await clock.sleep(retryAfterMs);
      await traffic(limiter, clock, 1000, 12);
      return limiter.currentRatePerSecond ?? 0;
    };
    expect(await after(30_000)).toBeLessThan((await after(1000)) - 3);
  });

  it('never climbs above the maximum, and not on answers that arrive during the pause', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock, initialRatePerSecond: 4, maxRatePerSecond: 3, random: () => 0 });
    expect(limiter.currentRatePerSecond).toBe(3);
    limiter.onRateLimited(2000);
    expect(limiter.currentRatePerSecond).toBeCloseTo(2.4, 5);
    limiter.onSuccess(); // t=0 < pause end: an answer to an old request, no signal
    expect(limiter.currentRatePerSecond).toBeCloseTo(2.4, 5);
    await clock.sleep(2000);
    for (let i = 0; i < 1000; i++) limiter.onSuccess();
    expect(limiter.currentRatePerSecond).toBe(3);
  });

  it('stays unlimited on success before any 429, and keeps its memory bounded', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ clock });
    await traffic(limiter, clock, 100, 60);
    expect(limiter.currentRatePerSecond).toBeUndefined();
    const kept = (limiter as unknown as { accepted: { times: number[] } }).accepted.times.length;
    expect(kept).toBeLessThan(2 * 100 * 10 + 256);
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
