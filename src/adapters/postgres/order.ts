// Time order of source timestamps as PostgreSQL orders them. Positions (timestamp, id) are
// kept as text (values.ts), and text order is not time order once a table holds `infinity`,
// `-infinity`, BC dates or years past 9999: '10000-…' sorts before '2026-…' and 'infinity'
// after everything. The cursor and the high-water mark compare with these functions instead.
import type { RowPosition } from './source.js';

const TS =
  /^(\d{4,})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?(?:(Z)|([+-]\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?( BC)?$/;

/** Microseconds since 1970-01-01 UTC (proleptic Gregorian, year 0 = 1 BC), or ±Infinity. Null when the text is not a timestamp. */
export function timestampMicros(text: string): bigint | number | null {
  const t = text.trim();
  if (t === 'infinity') return Number.POSITIVE_INFINITY;
  if (t === '-infinity') return Number.NEGATIVE_INFINITY;
  const m = TS.exec(t);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', , offH, offM, offS, bc] = m;
  const year = bc ? 1 - Number(y) : Number(y);
  const days = daysFromCivil(year, Number(mo), Number(d));
  const sign = offH?.startsWith('-') ? -1 : 1;
  const offset = offH ? sign * ((Math.abs(Number(offH)) * 60 + Number(offM ?? 0)) * 60 + Number(offS ?? 0)) : 0;
  const seconds = BigInt(days) * 86_400n + BigInt(Number(h) * 3600 + Number(mi) * 60 + Number(s) - offset);
  return seconds * 1_000_000n + BigInt(frac.padEnd(6, '0'));
}

// Howard Hinnant's days_from_civil: exact for any year, no Date (which stops at ±275760).
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function sign(x: bigint | number): number {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

/** <0, 0, >0 as a is earlier than, equal to, later than b. Text that is no timestamp compares as text (never happens with PostgreSQL's output). */
export function compareTimestamps(a: string, b: string): number {
  const x = timestampMicros(a);
  const y = timestampMicros(b);
  if (x === null || y === null) return a < b ? -1 : a > b ? 1 : 0;
  if (typeof x === 'number' || typeof y === 'number') return x === y ? 0 : x < y ? -1 : 1;
  return sign(x - y);
}

/** Ids compare as numbers when both are whole numbers (the usual bigserial), else as text. */
export function compareIds(a: string, b: string): number {
  if (/^-?\d+$/.test(a) && /^-?\d+$/.test(b)) return sign(BigInt(a) - BigInt(b));
  return a < b ? -1 : a > b ? 1 : 0;
}

/** (timestamp, id) order, the order of the keyset scan. */
export function comparePositions(a: RowPosition, b: RowPosition): number {
  return compareTimestamps(a.sourceTs, b.sourceTs) || compareIds(a.sourceId, b.sourceId);
}

/** A timestamp that cannot be a real time a row was written at: ±infinity. */
export function isInfiniteTimestamp(text: string): boolean {
  return typeof timestampMicros(text) === 'number';
}

/** Whether the tracker's cursor moves to `pos`: forward only, in time order, never to a row dated
 *  beyond the scan's ceiling (`ahead`); a cursor at +infinity (left by an older version) is replaced. */
export function cursorMovesTo(pos: RowPosition, cursor: RowPosition | null): boolean {
  return !pos.ahead && (cursor === null || comparePositions(pos, cursor) > 0 || (isInfiniteTimestamp(cursor.sourceTs) && !isInfiniteTimestamp(pos.sourceTs)));
}
