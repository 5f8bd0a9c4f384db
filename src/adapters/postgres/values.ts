// How Postgres values become plain JSON-able values. This is the first half of the unique
// key's stability promise: the same stored value must always come out the same, whatever
// the machine's time zone or the pg driver's defaults.
import pg from 'pg';

export type ValueKind = 'text' | 'number' | 'boolean' | 'date' | 'timestamp' | 'json' | 'array' | 'other';

export interface ColumnInfo {
  name: string;
  /** Postgres type as format_type() prints it, e.g. "timestamp with time zone". */
  pgType: string;
  kind: ValueKind;
}

export type Row = Record<string, unknown>;

const OID = { int8: 20, date: 1082, timestamp: 1114, timestamptz: 1184, numeric: 1700 } as const;
/** Arrays whose element pg's defaults would turn into a Date (shifted by the machine's time
 *  zone, microseconds cut) or a float (digits lost): date[], timestamp[], timestamptz[], numeric[]. */
const TEXT_ELEMENT_ARRAYS = new Set([1182, 1115, 1185, 1231]);
const TEXT_ARRAY: number = 1009; // text[]: pg's parser for it keeps every element as Postgres printed it

/** Type parsers for our connections: dates and timestamps stay text (Postgres prints them
 *  in the session time zone, which we pin to UTC), big integers and numerics stay text so
 *  no precision is lost, and arrays of those keep their elements as text the same way (an
 *  array element always comes out as the scalar of its type would). Everything else uses
 *  pg's defaults, which depend on nothing but the value. */
export const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === OID.date || oid === OID.timestamp || oid === OID.timestamptz || oid === OID.int8 || oid === OID.numeric) {
      return (value: string) => value;
    }
    if (TEXT_ELEMENT_ARRAYS.has(oid)) return pg.types.getTypeParser(TEXT_ARRAY, 'text');
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
} as unknown as pg.CustomTypesConfig;

export function kindOf(pgType: string): ValueKind {
  const t = pgType.toLowerCase();
  if (t.endsWith('[]')) return 'array';
  if (t.startsWith('timestamp')) return 'timestamp';
  if (t === 'date') return 'date';
  if (t === 'boolean') return 'boolean';
  if (/^(smallint|integer|bigint|numeric|real|double precision|decimal)/.test(t)) return 'number';
  if (t === 'json' || t === 'jsonb') return 'json';
  if (/^(text|character|char|varchar|uuid|citext|inet|name)/.test(t)) return 'text';
  return 'other';
}

/** "2026-11-20 09:15:02.5+00" or "2026-11-20 09:15:02.5" (read as UTC) ->
 *  "2026-11-20T09:15:02.500000Z": fixed width, so the strings also sort in time order. */
export function normalizeTimestamp(text: string): string {
  const m = /^(\d{4,}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(?:(Z)|([+-]\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?$/.exec(text.trim());
  if (!m) return text; // infinity, BC dates: keep Postgres' own spelling
  const [, date, time, frac = '', , offH, offM, offS] = m;
  const base = `${date}T${time}.${frac.padEnd(6, '0')}`;
  if (!offH || (Number(offH) === 0 && !Number(offM ?? 0) && !Number(offS ?? 0))) return `${base}Z`;
  // Sessions are pinned to UTC so this only happens if someone changed TimeZone on the role;
  // shift to UTC by hand to keep microseconds that Date would drop.
  const sign = offH.startsWith('-') ? -1 : 1;
  const offsetMs = sign * ((Math.abs(Number(offH)) * 60 + Number(offM ?? 0)) * 60 + Number(offS ?? 0)) * 1000;
  const utc = new Date(Date.parse(`${date}T${time}Z`) - offsetMs).toISOString().slice(0, 19);
  return `${utc}.${frac.padEnd(6, '0')}Z`;
}

export function normalizeValue(value: unknown, kind: ValueKind): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
  if (kind === 'timestamp' && typeof value === 'string') return normalizeTimestamp(value);
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) return value.map((v) => normalizeValue(v, 'other'));
  return value;
}

/** Kind of an array column's elements: "timestamp(3) with time zone[]" -> timestamp. */
export function elementKindOf(pgType: string): ValueKind {
  return kindOf(pgType.replace(/(\[\])+$/, ''));
}

export function normalizeRow(raw: Row, columns: ColumnInfo[]): Row {
  const out: Row = {};
  for (const c of columns) {
    const v = raw[c.name];
    out[c.name] = c.kind === 'array' && Array.isArray(v) ? normalizeArray(v, elementKindOf(c.pgType)) : normalizeValue(v, c.kind);
  }
  return out;
}

/** Each element as the scalar of its type would come out (a timestamp[] element is normalised
 *  like a timestamp), at every level of a multi-dimensional array. */
function normalizeArray(values: unknown[], element: ValueKind): unknown[] {
  return values.map((v) => (Array.isArray(v) ? normalizeArray(v, element) : normalizeValue(v, element)));
}

export function quoteIdent(name: string): string {
  return name
    .split('.')
    .map((p) => `"${p.replace(/"/g, '""')}"`)
    .join('.');
}
