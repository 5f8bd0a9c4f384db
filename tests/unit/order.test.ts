// The cursor's time order, pinned without a database: exact microseconds against Date for
// ordinary times (every month, leap days, offsets down to the second), and the cases Date
// cannot do (BC, ±infinity). tests/integration/timestampOrder.test.ts checks the same order
// against PostgreSQL's own sort.
import { describe, expect, it } from 'vitest';
import { compareIds, comparePositions, compareTimestamps, isInfiniteTimestamp, timestampMicros } from '../../src/adapters/postgres/order.js';

const micros = (iso: string) => BigInt(Date.parse(iso)) * 1000n;

describe('timestampMicros', () => {
  it('is exact for the first day of every month, in leap and common years, before and after 1970', () => {
    for (const year of [1600, 1899, 1900, 1969, 1970, 2000, 2023, 2024, 2100]) {
      for (let month = 1; month <= 12; month++) {
        const mm = String(month).padStart(2, '0');
        expect(timestampMicros(`${year}-${mm}-01 00:00:00`), `${year}-${mm}`).toBe(micros(`${year}-${mm}-01T00:00:00Z`));
      }
    }
    expect(timestampMicros('2024-02-29 23:59:59')).toBe(micros('2024-02-29T23:59:59Z'));
    expect(timestampMicros('2024-03-01')).toBe(micros('2024-03-01T00:00:00Z'));
    expect(timestampMicros('2023-12-31 12:00:00')).toBe(micros('2023-12-31T12:00:00Z'));
  });

  it('keeps microseconds, whatever the number of fraction digits', () => {
    expect(timestampMicros('1970-01-01 00:00:00')).toBe(0n);
    expect(timestampMicros('1970-01-01 00:00:00.000001')).toBe(1n);
    expect(timestampMicros('1970-01-01 00:00:01.5')).toBe(1_500_000n);
    expect(timestampMicros('1970-01-01T00:01:02.123456Z')).toBe(62_123_456n);
  });

  it('shifts by the offset: hours, minutes and seconds, east and west', () => {
    expect(timestampMicros('2026-11-20 10:45:02+01:30')).toBe(micros('2026-11-20T09:15:02Z'));
    expect(timestampMicros('2026-11-20 00:15:02-09')).toBe(micros('2026-11-20T09:15:02Z'));
    expect(timestampMicros('2026-11-20 09:15:32+00:00:30')).toBe(micros('2026-11-20T09:15:02Z'));
    expect(timestampMicros('2026-11-20 09:14:32-00:00:30')).toBe(micros('2026-11-20T09:15:02Z'));
    expect(timestampMicros('2026-11-20 03:14:32-0530:30')).toBe(micros('2026-11-20T08:45:02Z'));
  });

  it('counts BC years from year 0 = 1 BC, and ±infinity as numbers', () => {
    expect(timestampMicros('0001-01-01 00:00:00 BC')).toBe(micros('0000-01-01T00:00:00Z'));
    expect(timestampMicros('0002-03-01 00:00:00+00 BC')).toBe(micros('-000001-03-01T00:00:00Z'));
    expect(timestampMicros(' infinity ')).toBe(Number.POSITIVE_INFINITY);
    expect(timestampMicros('-infinity')).toBe(Number.NEGATIVE_INFINITY);
    expect(timestampMicros('not a time')).toBeNull();
  });
});

describe('compareTimestamps', () => {
  it('orders by time, not by text', () => {
    expect(compareTimestamps('10000-01-01 00:00:00', '9999-12-31 00:00:00')).toBe(1);
    expect(compareTimestamps('9999-12-31 00:00:00', '10000-01-01 00:00:00')).toBe(-1);
    expect(compareTimestamps('2026-11-20 10:00:00+01', '2026-11-20 09:00:00Z')).toBe(0);
    expect(compareTimestamps('0044-03-15 00:00:00 BC', '0001-01-01 00:00:00 BC')).toBe(-1);
  });

  it('puts -infinity before and infinity after every time, and equal to themselves', () => {
    expect(compareTimestamps('infinity', '10000-01-01 00:00:00')).toBe(1);
    expect(compareTimestamps('10000-01-01 00:00:00', 'infinity')).toBe(-1);
    expect(compareTimestamps('-infinity', '0044-03-15 00:00:00 BC')).toBe(-1);
    expect(compareTimestamps('infinity', 'infinity')).toBe(0);
    expect(compareTimestamps('-infinity', 'infinity')).toBe(-1);
  });

  it('compares text that is no timestamp as text', () => {
    expect(compareTimestamps('abc', 'abd')).toBe(-1);
    expect(compareTimestamps('abd', 'abc')).toBe(1);
    expect(compareTimestamps('abc', 'abc')).toBe(0);
    expect(compareTimestamps('2026-11-20 09:00:00', 'zzz')).toBe(-1);
  });
});

describe('compareIds and comparePositions', () => {
  it('compares whole numbers as numbers, negatives included, and anything else as text', () => {
    expect(compareIds('9', '10')).toBe(-1);
    expect(compareIds('10', '9')).toBe(1);
    expect(compareIds('10', '10')).toBe(0);
    expect(compareIds('-5', '3')).toBe(-1);
    expect(compareIds('99999999999999999999', '99999999999999999998')).toBe(1);
    expect(compareIds('b10', 'b9')).toBe(-1);
    expect(compareIds('b9', 'b10')).toBe(1);
    expect(compareIds('x', 'x')).toBe(0);
    expect(compareIds('10', '9a')).toBe(-1); // one is no number: text order
  });

  it('orders by timestamp first, then by id', () => {
    const at = (sourceTs: string, sourceId: string) => ({ sourceTs, sourceId });
    expect(comparePositions(at('2026-11-20 09:00:00', '10'), at('2026-11-20 09:00:01', '9'))).toBe(-1);
    expect(comparePositions(at('2026-11-20 09:00:00', '10'), at('2026-11-20 09:00:00', '9'))).toBe(1);
    expect(comparePositions(at('2026-11-20 09:00:00', '9'), at('2026-11-20 09:00:00', '9'))).toBe(0);
  });

  it('knows ±infinity cannot be a real write time', () => {
    expect(isInfiniteTimestamp('infinity')).toBe(true);
    expect(isInfiniteTimestamp('-infinity')).toBe(true);
    expect(isInfiniteTimestamp('2026-11-20 09:00:00')).toBe(false);
    expect(isInfiniteTimestamp('junk')).toBe(false);
  });
});
