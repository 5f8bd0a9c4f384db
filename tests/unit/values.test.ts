// How Postgres values become the plain values the unique key hashes, pinned without a database:
// kinds from type names, timestamps to fixed-width UTC, Dates, buffers and arrays at every
// depth, and quoted identifiers. tests/integration/fetchSubmissions.test.ts reads real rows.
import { describe, expect, it } from 'vitest';
import {
  elementKindOf,
  kindOf,
  normalizeRow,
  normalizeTimestamp,
  normalizeValue,
  quoteIdent,
  typeParsers,
  type ColumnInfo,
} from '../../src/adapters/postgres/values.js';

describe('kindOf', () => {
  it.each([
    ['integer[]', 'array'],
    ['timestamp(3) with time zone', 'timestamp'],
    ['timestamp without time zone', 'timestamp'],
    ['date', 'date'],
    ['boolean', 'boolean'],
    ['numeric(10,2)', 'number'],
    ['double precision', 'number'],
    ['BIGINT', 'number'],
    ['real', 'number'],
    ['smallint', 'number'],
    ['decimal', 'number'],
    ['jsonb', 'json'],
    ['json', 'json'],
    ['character varying(200)', 'text'],
    ['uuid', 'text'],
    ['citext', 'text'],
    ['inet', 'text'],
    ['name', 'text'],
    ['bytea', 'other'],
    ['interval', 'other'],
    ['my_integer_domain', 'other'],
    ['datetime', 'other'],
  ])('%s is %s', (pgType, kind) => {
    expect(kindOf(pgType)).toBe(kind);
  });

  it('takes the element kind of an array of any dimension', () => {
    expect(elementKindOf('timestamp(3) with time zone[]')).toBe('timestamp');
    expect(elementKindOf('numeric[][]')).toBe('number');
    expect(elementKindOf('text')).toBe('text');
  });
});

describe('normalizeTimestamp', () => {
  it('writes six fraction digits and Z, for T or space, with or without a zero offset', () => {
    expect(normalizeTimestamp('2026-11-20T09:15:02Z')).toBe('2026-11-20T09:15:02.000000Z');
    expect(normalizeTimestamp(' 2026-11-20 09:15:02.123+00:00 ')).toBe('2026-11-20T09:15:02.123000Z');
    expect(normalizeTimestamp('2026-11-20 09:15:02.000001-00')).toBe('2026-11-20T09:15:02.000001Z');
  });

  it('shifts other offsets to UTC, seconds included, keeping microseconds', () => {
    expect(normalizeTimestamp('2026-11-20 09:15:32.000007+00:00:30')).toBe('2026-11-20T09:15:02.000007Z');
    expect(normalizeTimestamp('2026-11-20 09:00:00+00:30')).toBe('2026-11-20T08:30:00.000000Z');
    expect(normalizeTimestamp('2026-11-20 23:30:00-01')).toBe('2026-11-21T00:30:00.000000Z');
  });

  it("keeps Postgres' own spelling of what is no plain timestamp", () => {
    expect(normalizeTimestamp('infinity')).toBe('infinity');
    expect(normalizeTimestamp('0044-03-15 12:00:00+00 BC')).toBe('0044-03-15 12:00:00+00 BC');
  });
});

describe('normalizeValue and normalizeRow', () => {
  it('turns null, Dates, timestamps, buffers and arrays into stable values, and leaves the rest', () => {
    expect(normalizeValue(undefined, 'text')).toBeNull();
    expect(normalizeValue(null, 'timestamp')).toBeNull();
    expect(normalizeValue(new Date(Date.UTC(2026, 10, 20, 9, 15, 2, 42)), 'other')).toBe('2026-11-20T09:15:02.042000Z');
    expect(normalizeValue('2026-11-20 09:15:02+00', 'timestamp')).toBe('2026-11-20T09:15:02.000000Z');
    expect(normalizeValue('2026-11-20 09:15:02+00', 'text')).toBe('2026-11-20 09:15:02+00');
    expect(normalizeValue(Buffer.from('hi'), 'other')).toBe('aGk=');
    expect(normalizeValue([Buffer.from('hi'), null], 'other')).toEqual(['aGk=', null]);
    expect(normalizeValue(7, 'number')).toBe(7);
  });

  it('normalises array elements as their scalar type at every depth', () => {
    const columns: ColumnInfo[] = [
      { name: 'ts', pgType: 'timestamp with time zone[]', kind: 'array' },
      { name: 'plain', pgType: 'text', kind: 'text' },
      { name: 'when', pgType: 'timestamp with time zone', kind: 'timestamp' },
    ];
    const row = normalizeRow(
      { ts: [['2026-11-20 09:15:02+00', null], ['2026-11-20 10:15:02+01']], plain: 'x', when: '2026-11-20 09:15:02+00', extra: 1 },
      columns,
    );
    expect(row).toEqual({
      ts: [['2026-11-20T09:15:02.000000Z', null], ['2026-11-20T09:15:02.000000Z']],
      plain: 'x',
      when: '2026-11-20T09:15:02.000000Z',
    });
  });
});

describe('typeParsers', () => {
  const parse = (oid: number, text: string) => (typeParsers.getTypeParser(oid, 'text') as (v: string) => unknown)(text);

  it('keeps dates, timestamps, int8 and numeric as the text Postgres printed', () => {
    expect(parse(1082, '2026-11-20')).toBe('2026-11-20');
    expect(parse(1114, '2026-11-20 09:15:02.123456')).toBe('2026-11-20 09:15:02.123456');
    expect(parse(1184, '2026-11-20 09:15:02+00')).toBe('2026-11-20 09:15:02+00');
    expect(parse(20, '9223372036854775807')).toBe('9223372036854775807');
    expect(parse(1700, '10.50')).toBe('10.50');
  });

  it('keeps the elements of date[], timestamp[], timestamptz[] and numeric[] as text', () => {
    expect(parse(1182, '{2026-11-20}')).toEqual(['2026-11-20']);
    expect(parse(1115, '{"2026-11-20 09:15:02"}')).toEqual(['2026-11-20 09:15:02']);
    expect(parse(1185, '{"2026-11-20 09:15:02+00"}')).toEqual(['2026-11-20 09:15:02+00']);
    expect(parse(1231, '{10.50,NULL}')).toEqual(['10.50', null]);
  });

  it("uses pg's defaults for the rest", () => {
    expect(parse(23, '42')).toBe(42);
    expect(parse(16, 't')).toBe(true);
    expect(parse(1007, '{1,2}')).toEqual([1, 2]);
  });
});

describe('quoteIdent', () => {
  it('quotes each part of a dotted name and doubles embedded quotes', () => {
    expect(quoteIdent('forms.submissions')).toBe('"forms"."submissions"');
    expect(quoteIdent('we"ird')).toBe('"we""ird"');
    expect(quoteIdent('a"b"c')).toBe('"a""b""c"');
  });
});
