// Date and date-time conversion for convert.ts.
//
// Everything here works on UTC epoch milliseconds and UTC getters only. The job
// runs on machines whose time zone we do not control, and any local-time API
// (new Date(y, m, d), getDate(), Date.parse of a zone-less string, ...) would
// silently move a submission to the previous or next day there.

export type TimeResult = { ok: true; value: string } | { ok: false; reason: string };
type Instant = { ok: true; ms: number } | { ok: false; reason: string };

// Accepts what the Postgres adapter and hand-written mappings produce:
//   2026-11-20                          (date; means midnight UTC)
//   2026-11-20T09:15:02.123456Z         (ISO 8601, as the adapter normalises timestamptz)
//   2026-11-20 09:15:02.123456+00       (Postgres text output of timestamptz)
//   2026-11-20T09:15:02+05:30 / +0530   (ISO offsets; converted to UTC)
//   2026-11-20 09:15                    (no offset: Postgres `timestamp`, taken as UTC)
// Postgres can print offsets with seconds (local mean time before 1900), e.g. +00:53:28.
const DATE_TIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2}){0,2})?)?$/i;

const EXPECTED = 'expected a date like 2026-11-20 or a date and time like 2026-11-20T09:15:02Z';
const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Offset string ("Z", "+05", "-0530", "+05:30", "+00:53:28") to milliseconds east of UTC. */
function offsetMs(text: string | undefined): number | undefined {
  if (text === undefined || text.toUpperCase() === 'Z') return 0;
  const sign = text.startsWith('-') ? -1 : 1;
  const digits = text.slice(1).replace(/:/g, '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4) || '0');
  const seconds = Number(digits.slice(4, 6) || '0');
  // ±18:00 is the widest offset ISO 8601 / ECMAScript accept; real zones stay within ±14.
  if (hours > 18 || minutes > 59 || seconds > 59) return undefined;
  return sign * ((hours * 60 + minutes) * 60 + seconds) * 1000;
}

function parseString(input: string): Instant {
  const text = input.trim();
  if (/^[+-]?infinity$/i.test(text)) {
    return { ok: false, reason: 'Postgres "infinity" is not a calendar date' };
  }
  const m = DATE_TIME_RE.exec(text);
  if (!m) return { ok: false, reason: EXPECTED };
  const [, y, mo, d, h, mi, s, frac, off] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h ?? '0');
  const minute = Number(mi ?? '0');
  const second = Number(s ?? '0');
  if (year < 1) return { ok: false, reason: 'year 0000 does not exist' };
  if (month < 1 || month > 12) return { ok: false, reason: `there is no month ${month}` };
  const dim = daysInMonth(year, month);
  if (day < 1 || day > dim) {
    return { ok: false, reason: `${MONTHS[month - 1]} ${year} has no day ${day} (it has ${dim} days)` };
  }
  if (hour > 23 || minute > 59 || second > 59) {
    return { ok: false, reason: `${h}:${mi}${s === undefined ? '' : `:${s}`} is not a valid time of day` };
  }
  const offset = offsetMs(off);
  if (offset === undefined) return { ok: false, reason: `${off} is not a valid UTC offset` };
  // Jira keeps milliseconds; extra digits (Postgres has microseconds) are cut, not
  // rounded, so .9999 never rolls a value into the next second, minute or day.
  const millis = Number(((frac ?? '') + '000').slice(0, 3));
  // Date.UTC maps years 0-99 to 1900-1999, so set the full year explicitly.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return { ok: true, ms: date.getTime() - offset };
}

function toInstant(raw: string | Date): Instant {
  if (typeof raw === 'string') return parseString(raw);
  const ms = raw.getTime();
  if (Number.isNaN(ms)) return { ok: false, reason: 'it is an invalid Date object' };
  return { ok: true, ms };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function utcDatePart(date: Date): string | undefined {
  const year = date.getUTCFullYear();
  // Jira (and ISO 8601 without extensions) only handle four-digit years.
  if (year < 1 || year > 9999) return undefined;
  return `${pad(year, 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** "YYYY-MM-DD" of the UTC calendar day of the value. */
export function toJiraDate(raw: string | Date): TimeResult {
  const instant = toInstant(raw);
  if (!instant.ok) return instant;
  const datePart = utcDatePart(new Date(instant.ms));
  if (datePart === undefined) return { ok: false, reason: 'the year is outside 0001-9999' };
  return { ok: true, value: datePart };
}

/** "YYYY-MM-DDTHH:mm:ss.SSS+0000", the format Jira's REST API documents for datetime fields. */
export function toJiraDateTime(raw: string | Date): TimeResult {
  const instant = toInstant(raw);
  if (!instant.ok) return instant;
  const date = new Date(instant.ms);
  const datePart = utcDatePart(date);
  if (datePart === undefined) return { ok: false, reason: 'the year is outside 0001-9999' };
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  return { ok: true, value: `${datePart}T${time}.${pad(date.getUTCMilliseconds(), 3)}+0000` };
}
