// Golden vectors: these keys are stored in every tracker and written on every Jira ticket.
// If a test here fails, the change broke the key's stability promise; do not update the
// expected values, fix the code (or introduce a new versioned scheme).
import { describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../../src/adapters/postgres/values.js';
import { normalizeTimestamp } from '../../src/adapters/postgres/values.js';
import { canonicalEncoding, canonicalNumber, encodeValue, uniqueKey } from '../../src/steps/uniqueKey.js';
import { markerFor } from '../../src/mapping/request.js';

const columns: ColumnInfo[] = [
  { name: 'id', pgType: 'bigint', kind: 'number' },
  { name: 'created_at', pgType: 'timestamp with time zone', kind: 'timestamp' },
  { name: 'email_address', pgType: 'text', kind: 'text' },
  { name: 'needed_by', pgType: 'date', kind: 'date' },
  { name: 'quantity', pgType: 'integer', kind: 'number' },
  { name: 'price', pgType: 'numeric(10,2)', kind: 'number' },
  { name: 'urgent', pgType: 'boolean', kind: 'boolean' },
  { name: 'notes', pgType: 'text', kind: 'text' },
  { name: 'extra', pgType: 'jsonb', kind: 'json' },
];
const row = {
  id: '42',
  created_at: '2026-11-20T09:15:02.123456Z',
  email_address: 'Zoë.Ørsted@example.com',
  needed_by: '2026-12-01',
  quantity: 2,
  price: '10.50',
  urgent: true,
  notes: null,
  extra: { b: 1, a: [true, 'x'] },
};

describe('unique key golden vectors', () => {
  it('encodes every column, sorted by name, with typed values', () => {
    expect(canonicalEncoding(row, columns, null)).toBe(
      'v1\n[["created_at","t:2026-11-20T09:15:02.123456Z"],["email_address","s:Zoë.Ørsted@example.com"],["extra","j:{\\"a\\":[true,\\"x\\"],\\"b\\":1}"],["id","n:42"],["needed_by","d:2026-12-01"],["notes","null"],["price","n:10.5"],["quantity","n:2"],["urgent","b:true"]]',
    );
    expect(uniqueKey(row, columns, null)).toBe('05311de07d7292daea9bb573baa98e1c49f5a22682220e2ffa60f95d75b6472f');
  });

  it('uses only UNIQUE_KEY_COLUMNS, in a fixed order whatever the configured order', () => {
    // sha256 of the encoding below, computed independently with `printf … | sha256sum`.
    expect(canonicalEncoding(row, columns, ['needed_by', 'email_address'])).toBe('v1\n[["email_address","s:Zoë.Ørsted@example.com"],["needed_by","d:2026-12-01"]]');
    expect(uniqueKey(row, columns, ['needed_by', 'email_address'])).toBe('b63d245478c1b33591cef6f55c4e40a39d6168e5814382b62a8738cd78534493');
    expect(uniqueKey(row, columns, ['email_address', 'needed_by'])).toBe('b63d245478c1b33591cef6f55c4e40a39d6168e5814382b62a8738cd78534493');
  });

  it('tells text "1", number 1, true and null apart', () => {
    const cols: ColumnInfo[] = [{ name: 'v', pgType: 'text', kind: 'text' }];
    const keys = ['1', 1, true, null].map((v) => uniqueKey({ v }, cols, null));
    expect(new Set(keys).size).toBe(4);
  });

  it('gives the same key for equal numerics and jsonb written differently', () => {
    const cols: ColumnInfo[] = [
      { name: 'n', pgType: 'numeric', kind: 'number' },
      { name: 'j', pgType: 'jsonb', kind: 'json' },
    ];
    expect(uniqueKey({ n: '10.50', j: { a: 1, b: 2 } }, cols, null)).toBe(uniqueKey({ n: '10.5', j: { b: 2, a: 1 } }, cols, null));
    expect(uniqueKey({ n: '10.51', j: { a: 1 } }, cols, null)).not.toBe(uniqueKey({ n: '10.5', j: { a: 1 } }, cols, null));
  });

  // A json column keeps the key order the form wrote; jsonb orders keys its own way. Nested
  // objects (inside objects and inside arrays) must be sorted at every depth, not only the top.
  describe('nested json and jsonb values', () => {
    const nestedCols: ColumnInfo[] = [
      { name: 'details', pgType: 'jsonb', kind: 'json' },
      { name: 'answers', pgType: 'json', kind: 'json' },
    ];
    const written = {
      details: { site: { floor: 3, building: 'B' }, phones: [{ model: 'X1', extras: { headset: true, case: false } }] },
      answers: [{ q: 'colour', a: ['red', { shade: 'dark', code: 7 }] }],
    };
    const reordered = {
      answers: [{ a: ['red', { code: 7, shade: 'dark' }], q: 'colour' }],
      details: { phones: [{ extras: { case: false, headset: true }, model: 'X1' }], site: { building: 'B', floor: 3 } },
    };

    it('pins the key of a nested value: keys sorted at every depth, array order kept', () => {
      // The encoding and its sha256 were computed independently (Python's json.dumps with
      // sort_keys, and `printf … | sha256sum`).
      const encoding =
        'v1\n[["answers","j:[{\\"a\\":[\\"red\\",{\\"code\\":7,\\"shade\\":\\"dark\\"}],\\"q\\":\\"colour\\"}]"],' +
        '["details","j:{\\"phones\\":[{\\"extras\\":{\\"case\\":false,\\"headset\\":true},\\"model\\":\\"X1\\"}],\\"site\\":{\\"building\\":\\"B\\",\\"floor\\":3}}"]]';
      expect(canonicalEncoding(written, nestedCols, null)).toBe(encoding);
      expect(uniqueKey(written, nestedCols, null)).toBe('54554084a4912c142cae57cc92ef373f221ffada7f40371bfda033633224f4fe');
    });

    it('gives the same key for the same content with nested keys in another order', () => {
      expect(canonicalEncoding(reordered, nestedCols, null)).toBe(canonicalEncoding(written, nestedCols, null));
      expect(uniqueKey(reordered, nestedCols, null)).toBe(uniqueKey(written, nestedCols, null));
      // Each depth on its own: an object in an object, an object in an array in an object.
      const j: ColumnInfo[] = [{ name: 'j', pgType: 'json', kind: 'json' }];
      expect(uniqueKey({ j: { o: { b: 1, a: 2 } } }, j, null)).toBe(uniqueKey({ j: { o: { a: 2, b: 1 } } }, j, null));
      expect(uniqueKey({ j: { l: [{ b: 1, a: 2 }] } }, j, null)).toBe(uniqueKey({ j: { l: [{ a: 2, b: 1 }] } }, j, null));
    });

    it('still tells different nested content and different array order apart', () => {
      const j: ColumnInfo[] = [{ name: 'j', pgType: 'json', kind: 'json' }];
      expect(uniqueKey({ j: { o: { a: 2, b: 1 } } }, j, null)).not.toBe(uniqueKey({ j: { o: { a: 2, b: 2 } } }, j, null));
      expect(uniqueKey({ j: { l: [1, 2] } }, j, null)).not.toBe(uniqueKey({ j: { l: [2, 1] } }, j, null));
      expect(uniqueKey({ j: { o: { a: '1' } } }, j, null)).not.toBe(uniqueKey({ j: { o: { a: 1 } } }, j, null));
    });
  });

  it('canonicalises decimals', () => {
    expect(canonicalNumber('007.500')).toBe('7.5');
    expect(canonicalNumber('-0.0')).toBe('0');
    expect(canonicalNumber('+12')).toBe('12');
    expect(canonicalNumber(-0)).toBe('0');
    expect(canonicalNumber('1e3')).toBe('1e3');
  });

  it('canonicalises the edges of decimals: bare points, spaces, signs, non-finite numbers', () => {
    expect(canonicalNumber(' 12.0 ')).toBe('12');
    expect(canonicalNumber('.5')).toBe('0.5');
    expect(canonicalNumber('1.0500')).toBe('1.05'); // only trailing zeros go
    expect(canonicalNumber('5.')).toBe('5');
    expect(canonicalNumber('-00.50')).toBe('-0.5');
    expect(canonicalNumber('-000')).toBe('0');
    expect(canonicalNumber('100')).toBe('100');
    expect(canonicalNumber(' NaN ')).toBe('NaN');
    expect(canonicalNumber(Number.NEGATIVE_INFINITY)).toBe('-Infinity');
    expect(canonicalNumber(1.5)).toBe('1.5');
  });

  it('tags each kind of value apart', () => {
    expect(encodeValue(undefined, 'text')).toBe('null');
    expect(encodeValue(false, 'boolean')).toBe('b:false');
    expect(encodeValue('007', 'number')).toBe('n:7');
    expect(encodeValue('007', 'text')).toBe('s:007');
    expect(encodeValue('2026-12-01', 'date')).toBe('d:2026-12-01');
    expect(encodeValue('2026-12-01T00:00:00.000000Z', 'timestamp')).toBe('t:2026-12-01T00:00:00.000000Z');
    expect(encodeValue(['1.50', 'x', '.', '-'], 'array', true)).toBe('j:[1.5,"x",".","-"]');
    expect(encodeValue(['1.50'], 'array', false)).toBe('j:["1.50"]');
    expect(encodeValue({ n: '1.50' }, 'array', true)).toBe('j:{"n":"1.50"}');
    expect(encodeValue([{ b: '1.50', a: null }], 'json')).toBe('j:[{"a":null,"b":"1.50"}]');
  });

  it('keys a configured column the table lacks as null, and a repeated one once', () => {
    expect(canonicalEncoding({ id: '1' }, [{ name: 'id', pgType: 'bigint', kind: 'number' }], ['nope', 'id', 'id'])).toBe(
      'v1\n[["id","n:1"],["nope","null"]]',
    );
    // Only numeric arrays get decimal elements; a text array keeps its strings.
    expect(canonicalEncoding({ t: ['1.50'] }, [{ name: 't', pgType: 'text[]', kind: 'array' }], null)).toBe('v1\n[["t","j:[\\"1.50\\"]"]]');
    expect(canonicalEncoding({ t: ['1.50'] }, [{ name: 't', pgType: 'DECIMAL(4,2)[]', kind: 'array' }], null)).toBe('v1\n[["t","j:[1.5]"]]');
  });

  it('normalises Postgres timestamps to fixed-width UTC, whatever the session offset', () => {
    expect(normalizeTimestamp('2026-11-20 09:15:02.5+00')).toBe('2026-11-20T09:15:02.500000Z');
    expect(normalizeTimestamp('2026-11-20 09:15:02')).toBe('2026-11-20T09:15:02.000000Z');
    expect(normalizeTimestamp('2026-11-20 10:45:02.123456+01:30')).toBe('2026-11-20T09:15:02.123456Z');
    expect(normalizeTimestamp('2026-11-20 00:15:02-09')).toBe('2026-11-20T09:15:02.000000Z');
  });

  it('keys numeric[] elements (now Postgres text) as the float elements of earlier versions did, where a double held them exactly', () => {
    const numeric: ColumnInfo[] = [{ name: 'n', pgType: 'numeric(10,2)[]', kind: 'array' }];
    // The encoding earlier versions produced from pg's float parsing of '{10.50,3.00,-0.25}'.
    expect(canonicalEncoding({ n: [10.5, 3, -0.25] }, numeric, null)).toBe('v1\n[["n","j:[10.5,3,-0.25]"]]');
    expect(canonicalEncoding({ n: ['10.50', '3.00', '-0.25'] }, numeric, null)).toBe('v1\n[["n","j:[10.5,3,-0.25]"]]');
    expect(canonicalEncoding({ n: ['12345678901234567890.12', 'NaN', null] }, numeric, null)).toBe('v1\n[["n","j:[12345678901234567890.12,\\"NaN\\",null]"]]');
    // bigint[] elements were text before and stay quoted.
    expect(canonicalEncoding({ n: ['9223372036854775807'] }, [{ name: 'n', pgType: 'bigint[]', kind: 'array' }], null)).toBe('v1\n[["n","j:[\\"9223372036854775807\\"]"]]');
  });

  it('derives a label-safe marker from the key', () => {
    const m = markerFor('05311de07d7292daea9bb573baa98e1c49f5a22682220e2ffa60f95d75b6472f');
    expect(m).toBe('jira-sync-05311de07d7292daea9bb573baa98e1c');
    expect(m).not.toMatch(/\s/);
  });
});
