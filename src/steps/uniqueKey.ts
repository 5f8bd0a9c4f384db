// Step 2: a submission's unique key. The key must come out identical on every run, every
// machine and every future version, because the tracker and the marker on each Jira ticket
// are built on it. The encoding below is therefore frozen; golden vectors in
// tests/unit/uniqueKey.test.ts pin it. Never change it: add a new versioned scheme instead.
import { createHash } from 'node:crypto';
import type { ColumnInfo, Row, ValueKind } from '../adapters/postgres/values.js';

export const KEY_SCHEME = 'v1';

/** Canonical decimal: no "+", no leading zeros, no trailing fractional zeros, "-0" -> "0". */
export function canonicalNumber(value: number | string): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return String(value);
    return Object.is(value, -0) ? '0' : String(value);
  }
  const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/.exec(value);
  if (!m) return value.trim(); // NaN, Infinity, exponent forms: keep Postgres' spelling
  const [, sign, intPart = '', frac = ''] = m;
  const i = intPart.replace(/^0+(?=\d)/, '') || '0';
  const f = frac.replace(/0+$/, '');
  const body = f ? `${i}.${f}` : i;
  return sign === '-' && body !== '0' ? `-${body}` : body;
}

const NUMERIC_ARRAY = /^(numeric|decimal)\b.*\[\]$/i;
const DECIMAL = /^\s*[+-]?\d*(?:\.\d*)?\s*$/;

/** JSON with object keys sorted, so equal jsonb values encode equally. With `decimals`, string
 *  elements that are decimals are written as canonical JSON numbers (see encodeValue). */
function canonicalJson(value: unknown, decimals = false): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v, decimals)).join(',')}]`;
  if (decimals && typeof value === 'string' && /\d/.test(value) && DECIMAL.test(value)) return canonicalNumber(value);
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** One value as a tagged string: the tag keeps "1" (text) apart from 1 (number) and true. */
export function encodeValue(value: unknown, kind: ValueKind, numericElements = false): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return `b:${value}`;
  if (typeof value === 'number' || (kind === 'number' && typeof value === 'string')) return `n:${canonicalNumber(value as number | string)}`;
  if (kind === 'date') return `d:${String(value)}`;
  if (kind === 'timestamp') return `t:${String(value)}`; // already UTC, fixed width (values.ts)
  // numeric[] elements arrive as Postgres' text ("10.50"). They are keyed like a numeric scalar
  // (canonical decimal, so the column's scale does not matter) and written as JSON numbers: the
  // same bytes the earlier float elements gave for every value a double held exactly, so rows
  // keyed before elements stayed text keep their keys.
  // (int8[] elements were text before too, so they stay quoted strings.)
  if (kind === 'array' && numericElements && Array.isArray(value)) return `j:${canonicalJson(value, true)}`;
  if (typeof value === 'string') return `s:${value}`;
  return `j:${canonicalJson(value)}`;
}

/** The exact bytes that are hashed: columns sorted by name, so configuration order never matters. */
export function canonicalEncoding(row: Row, columns: ColumnInfo[], keyColumns: string[] | null): string {
  const chosen = keyColumns ?? columns.map((c) => c.name);
  const byName = new Map(columns.map((c) => [c.name, c]));
  const pairs = [...new Set(chosen)].sort().map((name) => {
    const c = byName.get(name);
    return [name, encodeValue(row[name], c?.kind ?? 'other', c?.kind === 'array' && NUMERIC_ARRAY.test(c.pgType))];
  });
  return `${KEY_SCHEME}\n${JSON.stringify(pairs)}`;
}

export function uniqueKey(row: Row, columns: ColumnInfo[], keyColumns: string[] | null): string {
  return createHash('sha256').update(canonicalEncoding(row, columns, keyColumns), 'utf8').digest('hex');
}
