// The tracker's retry schedule for a failing submission: 15 minutes after the first attempt
// (one cron interval), doubling with each attempt after it, and parked for a person once the
// attempts are spent.
import { describe, expect, it } from 'vitest';
import { nextAttemptAt } from '../../src/adapters/tracker/submission.js';

const NOW = new Date('2026-11-23T09:00:00.000Z');
const after = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

describe('nextAttemptAt', () => {
  it('waits 15 minutes after the first attempt and doubles the wait with each one after it', () => {
    expect([1, 2, 3, 4, 5].map((n) => nextAttemptAt(n, 10, NOW))).toEqual([after(15), after(30), after(60), after(120), after(240)]);
  });

  it('waits one interval when no attempt was counted yet', () => {
    expect(nextAttemptAt(0, 10, NOW)).toEqual(after(15));
  });

  it('parks once the attempts reach the maximum', () => {
    expect(nextAttemptAt(2, 3, NOW)).toEqual(after(30));
    expect(nextAttemptAt(3, 3, NOW)).toBeNull();
    expect(nextAttemptAt(4, 3, NOW)).toBeNull();
  });
});
