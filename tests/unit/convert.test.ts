import { isMainThread } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertValue, isEmptyValue } from '../../src/mapping/convert.js';
import { fitUtf16 } from '../../src/mapping/convert-text.js';
import type { ConvertContext, ConvertResult } from '../../src/mapping/convert.js';
import type { FieldKind, MappedField, ValidValue } from '../../src/mapping/format.js';

const ctx: ConvertContext = { column: 'col', delimiter: ';' };

function field(kind: FieldKind, name = 'Field', validValues?: ValidValue[]): MappedField {
  return { fieldId: 'customfield_1', name, required: false, kind, validValues, source: { column: 'col' } };
}

/** Asserts success and returns the converted value. */
function value(result: ConvertResult): unknown {
  if (!result.ok) throw new Error(`expected success, got error: ${result.error}`);
  return result.value;
}

/** Asserts failure and returns the message. */
function error(result: ConvertResult): string {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error;
}

const equipment: ValidValue[] = [
  { value: '10001', label: 'Mobile phone' },
  { value: '10002', label: 'Handset speaker phone' },
  { value: '10003', label: 'Headset' },
];

const categories: ValidValue[] = [
  {
    value: '20001',
    label: 'Hardware',
    children: [
      { value: '20011', label: 'Laptop' },
      { value: '20012', label: 'Monitor' },
    ],
  },
  { value: '20002', label: 'Software/Licences', children: [{ value: '20021', label: 'Office: Word' }] },
  { value: '20003', label: 'Other' },
];

describe('isEmptyValue', () => {
  it.each([null, undefined, '', '   ', ' \t\n ', '\u00a0', [], ['', '  '], [null]])('treats %j as empty', (raw) => {
    expect(isEmptyValue(raw)).toBe(true);
  });
  it.each([0, false, 'x', ' x ', ['a'], {}, new Date(0)])('treats %j as present', (raw) => {
    expect(isEmptyValue(raw)).toBe(false);
  });
});

describe('empty values for every kind', () => {
  const kinds: FieldKind[] = ['text', 'summary', 'number', 'date', 'datetime', 'select', 'multiselect', 'labels', 'cascade', 'unsupported'];
  it.each(kinds)('%s: null, undefined, "" and whitespace give undefined', (kind) => {
    for (const raw of [null, undefined, '', '  \n ']) {
      expect(convertValue(field(kind, 'F', equipment), raw, ctx)).toEqual({ ok: true, value: undefined });
    }
  });
});

describe('text', () => {
  it('trims but keeps inner line breaks and Unicode', () => {
    expect(value(convertValue(field('text'), '  Zoë Ørsted 电话\nline 2 \n', ctx))).toBe('Zoë Ørsted 电话\nline 2');
  });
  it('turns numbers, booleans and json into text', () => {
    expect(value(convertValue(field('text'), 12, ctx))).toBe('12');
    expect(value(convertValue(field('text'), false, ctx))).toBe('false');
    expect(value(convertValue(field('text'), { a: 1 }, ctx))).toBe('{"a":1}');
    expect(value(convertValue(field('text'), ['a', 'b'], ctx))).toBe('a, b');
  });
  it('accepts exactly 32,767 characters', () => {
    expect(value(convertValue(field('text'), 'x'.repeat(32_767), ctx))).toHaveLength(32_767);
  });
  it('limits a single-line text custom field to 255 characters, counted in UTF-16 units', () => {
    const single: MappedField = { ...field('text', 'Job title'), jiraSchema: { type: 'string', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:textfield' } };
    expect(value(convertValue(single, ' ' + 'x'.repeat(255) + ' ', ctx))).toHaveLength(255);
    expect(error(convertValue(single, '😀'.repeat(128), ctx))).toMatch(/is 256 characters long; "Job title" allows at most 255 characters$/);
    const paragraph: MappedField = { ...single, jiraSchema: { type: 'string', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:textarea' } };
    expect(value(convertValue(paragraph, 'x'.repeat(256), ctx))).toHaveLength(256);
  });
  it('rejects longer text, naming column, value, length and limit', () => {
    const message = error(convertValue(field('text', 'Description'), 'y'.repeat(40_000), ctx));
    expect(message).toMatch(/^column "col": "y{79}…" is 40,000 characters long; "Description" allows at most 32,767 characters$/);
  });
});

describe('summary', () => {
  it('collapses newlines, tabs and runs of spaces into one line', () => {
    expect(value(convertValue(field('summary'), '  Broken\r\n\tphone   in  room 3 ', ctx))).toBe('Broken phone in room 3');
  });
  it('keeps Unicode intact', () => {
    expect(value(convertValue(field('summary'), 'Zoë Ørsted 电话 📞', ctx))).toBe('Zoë Ørsted 电话 📞');
  });
  it('leaves exactly 255 characters alone', () => {
    const text = 'a'.repeat(255);
    expect(value(convertValue(field('summary'), text, ctx))).toBe(text);
  });
  it('shortens an over-long summary to exactly 255 characters ending in an ellipsis', () => {
    const result = value(convertValue(field('summary'), 'b'.repeat(300), ctx)) as string;
    expect(result).toBe('b'.repeat(254) + '…');
    expect(Array.from(result)).toHaveLength(255);
  });
  it('counts UTF-16 code units, as Jira does, and never cuts a surrogate pair in half', () => {
    // 300 emoji are 600 UTF-16 units: 127 of them (254 units) plus the ellipsis make 255.
    const result = value(convertValue(field('summary'), '😀'.repeat(300), ctx)) as string;
    expect(result).toBe('😀'.repeat(127) + '…');
    expect(result.length).toBe(255);
    expect(result).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/); // no lone surrogate
  });
  it('drops a surrogate pair that would straddle the limit instead of halving it', () => {
    // "a" then emoji: the 254-unit budget ends in the middle of the 127th emoji.
    const result = value(convertValue(field('summary'), 'a' + '😀'.repeat(200), ctx)) as string;
    expect(result).toBe('a' + '😀'.repeat(126) + '…');
    expect(result.length).toBe(254);
  });
  it('leaves a summary of exactly 255 UTF-16 units alone even with astral characters', () => {
    const text = 'x' + '𝄞'.repeat(127); // 1 + 254 units
    expect(value(convertValue(field('summary'), text, ctx))).toBe(text);
  });
  it('keeps emoji sequences and combining accents whole at the cut', () => {
    const family = '👩‍👩‍👧'; // 8 UTF-16 units joined by zero-width joiners
    const cut = value(convertValue(field('summary'), 'a'.repeat(250) + family + 'tail', ctx)) as string;
    expect(cut).toBe('a'.repeat(250) + '…');
    const accented = 'e\u0301'; // "é" as e + combining acute
    const cut2 = value(convertValue(field('summary'), 'b'.repeat(253) + accented + 'zz', ctx)) as string;
    expect(cut2).toBe('b'.repeat(253) + '…');
  });
  it('never keeps half of a flag', () => {
    // Flags are pairs of regional indicators (2 UTF-16 units each): 🇫🇷 is 4 units.
    const cut = value(convertValue(field('summary'), 'a'.repeat(252) + '🇫🇷🇩🇪', ctx)) as string;
    expect(cut).toBe('a'.repeat(252) + '…');
    const cut2 = value(convertValue(field('summary'), 'a'.repeat(250) + '🇫🇷🇩🇪', ctx)) as string;
    expect(cut2).toBe('a'.repeat(250) + '🇫🇷…');
  });
  it('cuts long texts near the end quickly (the description is cut the same way)', () => {
    const text = '📞'.repeat(40_000);
    const started = Date.now();
    const cut = fitUtf16(text, 32_001);
    expect(cut).toBe('📞'.repeat(16_000));
    expect(Date.now() - started).toBeLessThan(200);
  });
  it('does not leave a space before the ellipsis', () => {
    const cut = value(convertValue(field('summary'), 'c'.repeat(253) + ' ' + 'd'.repeat(20), ctx)) as string;
    expect(cut).toBe('c'.repeat(253) + '…');
  });
  it('measures the length after collapsing whitespace', () => {
    const text = 'c'.repeat(200) + '\n\n\n\n' + 'd'.repeat(54); // 258 raw, 255 collapsed
    expect(value(convertValue(field('summary'), text, ctx))).toBe('c'.repeat(200) + ' ' + 'd'.repeat(54));
  });
});

describe('number', () => {
  it.each([
    [12, 12],
    [10.5, 10.5],
    ['12', 12],
    [' 10.50 ', 10.5],
    ['-3', -3],
    ['1e3', 1000],
    ['+.5', 0.5],
    ['-0', 0],
  ])('%j -> %j', (raw, expected) => {
    expect(value(convertValue(field('number'), raw, ctx))).toBe(expected);
  });
  it.each(['twelve', '12abc', '0x1F', '1,000', NaN, Infinity, -Infinity, '1e400', true, { n: 1 }])('rejects %j', (raw) => {
    expect(error(convertValue(field('number', 'Quantity'), raw, ctx))).toMatch(/^column "col": .* not a (finite )?number for "Quantity"/);
  });
  it('names the value in the message', () => {
    expect(error(convertValue(field('number', 'Quantity'), 'twelve', ctx))).toBe(
      'column "col": "twelve" is not a number for "Quantity" (expected digits such as 12, -3 or 10.50)',
    );
  });
});

describe('date', () => {
  it.each([
    ['2026-11-20', '2026-11-20'],
    [' 2026-11-20 ', '2026-11-20'],
    ['2024-02-29', '2024-02-29'],
    ['2026-11-20T09:15:02.123456Z', '2026-11-20'],
    ['2026-11-20T23:59:59.999999Z', '2026-11-20'],
    ['2026-11-20 09:15:02+00', '2026-11-20'],
    // 23:30 at UTC-05:00 is already the 21st in UTC.
    ['2026-11-20T23:30:00-05:00', '2026-11-21'],
    // 01:00 at UTC+05:30 is still the 19th in UTC.
    ['2026-11-20T01:00:00+0530', '2026-11-19'],
  ])('%j -> %j', (raw, expected) => {
    expect(value(convertValue(field('date'), raw, ctx))).toBe(expected);
  });
  it('takes the UTC date of a Date', () => {
    expect(value(convertValue(field('date'), new Date(Date.UTC(2026, 10, 20, 23, 59)), ctx))).toBe('2026-11-20');
  });
  it.each([
    ['2026-02-30', 'February 2026 has no day 30 (it has 28 days)'],
    ['2025-02-29', 'February 2025 has no day 29 (it has 28 days)'],
    ['2026-13-01', 'there is no month 13'],
    ['2026-11-20T25:00:00Z', '25:00:00 is not a valid time of day'],
    ['20/11/2026', 'expected a date like 2026-11-20'],
    ['infinity', 'Postgres "infinity" is not a calendar date'],
  ])('rejects %j', (raw, reason) => {
    const message = error(convertValue(field('date', 'Due date'), raw, { column: 'due', delimiter: ';' }));
    expect(message).toContain(`column "due": ${JSON.stringify(raw)} is not a valid date for "Due date": `);
    expect(message).toContain(reason);
  });
  it('rejects an invalid Date object and non-date values', () => {
    expect(error(convertValue(field('date'), new Date('nope'), ctx))).toContain('Invalid Date is not a valid date');
    expect(error(convertValue(field('date'), 20261120, ctx))).toContain('20261120 is not a valid date');
  });
});

describe('datetime', () => {
  it.each([
    ['2026-11-20T09:15:02.123456Z', '2026-11-20T09:15:02.123+0000'],
    ['2026-11-20t09:15:02z', '2026-11-20T09:15:02.000+0000'],
    ['2026-11-20 09:15:02.9999+00', '2026-11-20T09:15:02.999+0000'],
    ['2026-11-20T09:15:02+05:30', '2026-11-20T03:45:02.000+0000'],
    ['2026-11-20T23:15:00-0200', '2026-11-21T01:15:00.000+0000'],
    ['1850-01-01 00:00:00+00:53:28', '1849-12-31T23:06:32.000+0000'],
    ['2026-11-20 09:15', '2026-11-20T09:15:00.000+0000'],
    ['2026-11-20', '2026-11-20T00:00:00.000+0000'],
    ['0050-06-01T00:00:00Z', '0050-06-01T00:00:00.000+0000'],
  ])('%j -> %j', (raw, expected) => {
    expect(value(convertValue(field('datetime'), raw, ctx))).toBe(expected);
  });
  it('formats a Date in UTC', () => {
    expect(value(convertValue(field('datetime'), new Date(Date.UTC(2026, 10, 20, 9, 5, 7, 42)), ctx))).toBe(
      '2026-11-20T09:05:07.042+0000',
    );
  });
  it.each(['2026-02-30T10:00:00Z', '2026-11-20T10:61:00Z', '2026-11-20T10:00:00+19:00', 'next Tuesday'])('rejects %j', (raw) => {
    expect(error(convertValue(field('datetime', 'Seen at'), raw, ctx))).toContain(
      `column "col": ${JSON.stringify(raw)} is not a valid date and time for "Seen at": `,
    );
  });
});

// Node.js applies a changed TZ only on the main thread, so these run where the test file has a
// process of its own (vitest's default forks pool), not in a worker thread (the pool mutation
// testing uses).
describe.runIf(isMainThread)('date and datetime do not depend on the machine time zone', () => {
  const savedTz = process.env.TZ;
  const instant = new Date(Date.UTC(2026, 10, 20, 12, 0, 0)); // noon UTC on the 20th
  afterAll(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  describe.each([
    ['Pacific/Chatham', 21], // UTC+13:45 in November: local date is already the 21st
    ['Pacific/Pago_Pago', 20], // UTC-11: still the 20th, but local hour 01:00
  ])('with TZ=%s', (tz, localDay) => {
    beforeAll(() => {
      process.env.TZ = tz;
    });
    it('really runs in that zone (precondition)', () => {
      expect(instant.getDate()).toBe(localDay);
      expect(instant.getHours()).not.toBe(instant.getUTCHours());
    });
    it('converts a Date by its UTC calendar day and time', () => {
      expect(value(convertValue(field('date'), instant, ctx))).toBe('2026-11-20');
      expect(value(convertValue(field('datetime'), instant, ctx))).toBe('2026-11-20T12:00:00.000+0000');
    });
    it('treats strings without an offset as UTC', () => {
      expect(value(convertValue(field('date'), '2026-11-20 23:30:00', ctx))).toBe('2026-11-20');
      expect(value(convertValue(field('datetime'), '2026-11-20 23:30:00', ctx))).toBe('2026-11-20T23:30:00.000+0000');
      expect(value(convertValue(field('datetime'), '2026-11-20', ctx))).toBe('2026-11-20T00:00:00.000+0000');
    });
  });
});

describe('select', () => {
  const equip = field('select', 'Equipment', equipment);
  it.each(['Headset', '  headset ', 'HEADSET', 'mobile   PHONE', '10003'])('matches %j', (raw) => {
    const expected = raw === 'mobile   PHONE' ? '10001' : '10003';
    expect(value(convertValue(equip, raw, ctx))).toEqual({ id: expected });
  });
  it('does not match option ids case-insensitively or partially', () => {
    expect(convertValue(equip, '1000', ctx).ok).toBe(false);
  });
  it('prefers a label over another option id', () => {
    const opts: ValidValue[] = [
      { value: '2', label: 'One' },
      { value: '7', label: '2' },
    ];
    expect(value(convertValue(field('select', 'S', opts), '2', ctx))).toEqual({ id: '7' });
    expect(value(convertValue(field('select', 'S', opts), 2, ctx))).toEqual({ id: '7' });
  });
  it('matches Unicode labels', () => {
    const opts: ValidValue[] = [{ value: '1', label: 'Zoë Ørsted 电话' }];
    expect(value(convertValue(field('select', 'S', opts), ' zoë ørsted 电话 ', ctx))).toEqual({ id: '1' });
    // "e" + combining diaeresis is the same text as the precomposed "ë".
    expect(value(convertValue(field('select', 'S', opts), 'Zoe\u0308 Ørsted 电话', ctx))).toEqual({ id: '1' });
  });
  it('names column, value and allowed values when nothing matches', () => {
    expect(error(convertValue(equip, 'Fax machine', { column: 'equipment', delimiter: ';' }))).toBe(
      'column "equipment": "Fax machine" is not one of the allowed values for "Equipment" (Mobile phone, Handset speaker phone, Headset)',
    );
  });
  it('leaves out the column part when there is no column', () => {
    expect(error(convertValue(equip, 'Fax', { delimiter: ';' }))).toBe(
      '"Fax" is not one of the allowed values for "Equipment" (Mobile phone, Handset speaker phone, Headset)',
    );
  });
  it('shortens a long list of allowed values', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ value: String(i), label: `Opt ${i}` }));
    const message = error(convertValue(field('select', 'S', many), 'nope', ctx));
    expect(message).toContain('Opt 24, … and 5 more)');
    expect(message).not.toContain('Opt 25');
  });
  it('sends the trimmed text when no options are cached', () => {
    expect(value(convertValue(field('select', 'S'), '  Anything ', ctx))).toEqual({ value: 'Anything' });
    expect(value(convertValue(field('select', 'S', []), 'Anything', ctx))).toEqual({ value: 'Anything' });
  });
  it('accepts a one-element list but rejects several values', () => {
    expect(value(convertValue(equip, ['Headset'], ctx))).toEqual({ id: '10003' });
    expect(error(convertValue(equip, ['Headset', 'Mobile phone'], ctx))).toBe(
      'column "col": ["Headset","Mobile phone"] is not a single value, but "Equipment" takes exactly one',
    );
  });
});

describe('multiselect', () => {
  const equip = field('multiselect', 'Equipment', equipment);
  it('splits on the delimiter, trims, drops empty parts and matches case-insensitively', () => {
    expect(value(convertValue(equip, ' headset ;; MOBILE phone; ', ctx))).toEqual([{ id: '10003' }, { id: '10001' }]);
  });
  it('uses the configured delimiter', () => {
    expect(value(convertValue(equip, 'Headset | Mobile phone', { delimiter: '|' }))).toEqual([{ id: '10003' }, { id: '10001' }]);
  });
  it('falls back to ";" when the delimiter is empty', () => {
    expect(value(convertValue(equip, 'Headset;Mobile phone', { delimiter: '' }))).toEqual([{ id: '10003' }, { id: '10001' }]);
  });
  it('accepts a Postgres array without splitting its elements again', () => {
    const opts: ValidValue[] = [{ value: '1', label: 'Phone; mobile' }, ...equipment];
    expect(value(convertValue(field('multiselect', 'E', opts), ['Phone; mobile', ' headset '], ctx))).toEqual([{ id: '1' }, { id: '10003' }]);
  });
  it('takes a whole string that is one option label containing the delimiter', () => {
    const opts: ValidValue[] = [{ value: '1', label: 'Phone; mobile' }];
    expect(value(convertValue(field('multiselect', 'E', opts), 'phone; MOBILE', ctx))).toEqual([{ id: '1' }]);
  });
  it('removes duplicates, including the same option spelled differently', () => {
    expect(value(convertValue(equip, 'Headset;headset; 10003;Mobile phone', ctx))).toEqual([{ id: '10003' }, { id: '10001' }]);
  });
  it('lists every unknown part', () => {
    expect(error(convertValue(equip, 'Headset; Fax; Pager', { column: 'equipment', delimiter: ';' }))).toBe(
      'column "equipment": "Fax", "Pager" (in "Headset; Fax; Pager") are not among the allowed values for "Equipment" (Mobile phone, Handset speaker phone, Headset)',
    );
    expect(error(convertValue(equip, ['Headset', 'Fax'], ctx))).toBe(
      'column "col": "Fax" is not one of the allowed values for "Equipment" (Mobile phone, Handset speaker phone, Headset)',
    );
  });
  it('returns undefined when only delimiters were given', () => {
    expect(convertValue(equip, ' ; ;', ctx)).toEqual({ ok: true, value: undefined });
  });
  it('sends trimmed texts when no options are cached', () => {
    expect(value(convertValue(field('multiselect', 'E'), 'Zoë ; 电话;Zoë', ctx))).toEqual([{ value: 'Zoë' }, { value: '电话' }]);
  });
  it('rejects a json object', () => {
    expect(error(convertValue(equip, { a: 1 }, ctx))).toBe('column "col": {"a":1} cannot be read as a list of values for "Equipment"');
  });
});

describe('labels', () => {
  const labels = field('labels', 'Labels');
  it('splits, trims and replaces inner whitespace with "-"', () => {
    expect(value(convertValue(labels, ' high  priority ; Zoë Ørsted;;电话 ', ctx))).toEqual(['high-priority', 'Zoë-Ørsted', '电话']);
  });
  it('accepts a Postgres array and removes duplicates', () => {
    expect(value(convertValue(labels, ['vip', ' vip ', 'new\tcustomer'], ctx))).toEqual(['vip', 'new-customer']);
  });
  it('allows 255 characters per label and rejects more', () => {
    expect(value(convertValue(labels, 'l'.repeat(255), ctx))).toEqual(['l'.repeat(255)]);
    expect(error(convertValue(labels, `ok;${'m'.repeat(256)}`, ctx))).toMatch(
      /^column "col": label "m{79}…" \(256 characters\) for "Labels" is longer than Jira's limit of 255 characters per label$/,
    );
  });
});

describe('cascade', () => {
  const cat = field('cascade', 'Category', categories);
  it.each(['Hardware > Laptop', 'hardware>laptop', 'Hardware / Laptop', 'HARDWARE: laptop', '  Hardware  >  20011 '])('matches %j', (raw) => {
    expect(value(convertValue(cat, raw, ctx))).toEqual({ value: 'Hardware', child: { value: 'Laptop' } });
  });
  it('copes with labels that contain a separator', () => {
    expect(value(convertValue(cat, 'software/licences > office: word', ctx))).toEqual({
      value: 'Software/Licences',
      child: { value: 'Office: Word' },
    });
    expect(value(convertValue(cat, 'Software/Licences: Office: Word', ctx))).toEqual({
      value: 'Software/Licences',
      child: { value: 'Office: Word' },
    });
  });
  it('allows the parent alone', () => {
    expect(value(convertValue(cat, ' other ', ctx))).toEqual({ value: 'Other' });
    expect(value(convertValue(cat, 'Hardware', ctx))).toEqual({ value: 'Hardware' });
    expect(value(convertValue(cat, 'Hardware >', ctx))).toEqual({ value: 'Hardware' });
  });
  it('accepts a Postgres array [parent, child]', () => {
    expect(value(convertValue(cat, ['hardware', 'MONITOR'], ctx))).toEqual({ value: 'Hardware', child: { value: 'Monitor' } });
  });
  it('names the parent and its children when the child is unknown', () => {
    expect(error(convertValue(cat, 'Hardware > Toaster', { column: 'category', delimiter: ';' }))).toBe(
      'column "category": "Hardware > Toaster": "Toaster" is not one of the allowed values under "Hardware" for "Category" (Laptop, Monitor)',
    );
    expect(error(convertValue(cat, 'Other > Thing', ctx))).toContain('under "Other" for "Category" (it has no sub-options)');
  });
  it('lists the parents when the parent is unknown', () => {
    expect(error(convertValue(cat, 'Furniture > Chair', ctx))).toBe(
      'column "col": "Furniture > Chair" is not one of the allowed values for "Category" (Hardware, Software/Licences, Other); write a choice as "Parent > Child"',
    );
  });
  it('splits at the first preferred separator when no options are cached', () => {
    expect(value(convertValue(field('cascade', 'C'), ' Zoë / Ørsted: 电话 ', ctx))).toEqual({ value: 'Zoë', child: { value: 'Ørsted: 电话' } });
    expect(value(convertValue(field('cascade', 'C'), 'a/b > c', ctx))).toEqual({ value: 'a/b', child: { value: 'c' } });
    expect(value(convertValue(field('cascade', 'C'), 'Alone', ctx))).toEqual({ value: 'Alone' });
  });
});

describe('unsupported', () => {
  it('passes values through unchanged', () => {
    const constant = { accountId: 'abc', nested: [1, ' x '] };
    expect(value(convertValue(field('unsupported'), constant, ctx))).toBe(constant);
    expect(value(convertValue(field('unsupported'), '  keep spaces ', ctx))).toBe('  keep spaces ');
  });
});
