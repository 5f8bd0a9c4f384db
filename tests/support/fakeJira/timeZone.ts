/**
 * Jira reads a JQL date literal ("2026/11/23 09:15") as wall-clock time in the
 * time zone of the account making the call, and renders timestamps with that
 * account's offset. Both directions live here so that a client which sends UTC
 * wall-clock times, or parses "+0530" naively, fails against the fake as it
 * would against Jira. Only the Intl database is used: no tz library.
 */

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');

/** Throws a RangeError naming the zone when the IANA name is unknown. */
export function assertTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new RangeError(`Unknown time zone '${timeZone}' (expected an IANA name such as 'America/St_Johns')`);
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of `timeZone` from UTC at the instant `ms`, in minutes (St John's in winter: -210). */
export function offsetMinutes(timeZone: string, ms: number): number {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return Math.round((wall - (ms - (ms % 1000 + 1000) % 1000)) / 60_000);
}

/** The instant at which the wall clock in `timeZone` shows the given time (DST gaps resolve forwards). */
export function wallClockToInstant(timeZone: string, y: number, mo: number, d: number, h: number, mi: number): number {
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  let at = asUtc - offsetMinutes(timeZone, asUtc) * 60_000;
  // Near a DST change the first guess uses the wrong side's offset; one correction settles it.
  at = asUtc - offsetMinutes(timeZone, at) * 60_000;
  return at;
}

/** Jira's REST timestamp: 2026-11-23T05:45:02.123-0330, in the account's zone. */
export function jiraDateTimeIn(timeZone: string, ms: number): string {
  const off = offsetMinutes(timeZone, ms);
  const d = new Date(ms + off * 60_000);
  const sign = off < 0 ? '-' : '+';
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:` +
    `${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}${sign}${pad(Math.trunc(off / 60))}${pad(off % 60)}`
  );
}

const UNITS: Record<string, number> = { w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000 };

/**
 * A JQL date value as Jira accepts it: "yyyy/MM/dd HH:mm", "yyyy-MM-dd HH:mm",
 * "yyyy/MM/dd", "yyyy-MM-dd", or a period relative to now ("-5m", "-1w 2d").
 * Anything else (seconds, ISO 'T', an offset) is an error, as in Jira.
 * Returns undefined when the value is not a valid date.
 */
export function parseJqlDate(value: string, timeZone: string, now: number): number | undefined {
  const abs = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?: (\d{1,2}):(\d{2}))?$/.exec(value.trim());
  if (abs) {
    // Jira insists on one separator throughout: 2026/11-23 is not a date.
    if (value.includes('/') && value.includes('-')) return undefined;
    const [y, mo, d, h, mi] = abs.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as [number, number, number, number, number];
    if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate() || h > 23 || mi > 59) return undefined;
    return wallClockToInstant(timeZone, y, mo, d, h, mi);
  }
  const rel = /^([-+]?)((?:\s*\d+[wdhm])+)$/.exec(value.trim());
  if (rel) {
    let span = 0;
    for (const m of (rel[2] ?? '').matchAll(/(\d+)([wdhm])/g)) span += Number(m[1]) * (UNITS[m[2]!] ?? 0);
    return now + (rel[1] === '-' ? -span : span);
  }
  return undefined;
}

export function invalidDateMessage(field: string, value: string): string {
  return (
    `Date value '${value}' for field '${field}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', ` +
    `'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.`
  );
}
