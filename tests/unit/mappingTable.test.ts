// The table map-fields prints, and the request a sample row becomes.
import { describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../../src/adapters/postgres/values.js';
import type { MappingFile } from '../../src/mapping/format.js';
import { mappingTable } from '../../src/mapping/table.js';
import { buildTicketRequest } from '../../src/mapping/request.js';

const columns: ColumnInfo[] = [
  { name: 'id', pgType: 'bigint', kind: 'number' },
  { name: 'email_address', pgType: 'text', kind: 'text' },
  { name: 'equipment', pgType: 'text', kind: 'text' },
  { name: 'needed_by', pgType: 'date', kind: 'date' },
  { name: 'notes', pgType: 'text', kind: 'text' },
];

function mapping(): MappingFile {
  return {
    version: 1,
    serviceDeskId: '1',
    requestTypeId: '10',
    generatedAt: '2026-11-20T09:00:00.000Z',
    delimiter: ';',
    fields: [
      { fieldId: 'summary', name: 'Summary', required: true, kind: 'summary', source: { template: 'Request #{{id}}: {{notes}}' } },
      { fieldId: 'description', name: 'Description', required: false, kind: 'text', source: null },
      { fieldId: 'customfield_10010', name: 'Email address', required: true, kind: 'text', source: { column: 'email_address', match: 'exact' } },
      {
        fieldId: 'customfield_10013',
        name: 'Equipment',
        required: true,
        kind: 'multiselect',
        source: { column: 'equipment', match: 'exact' },
        validValues: [{ value: '10100', label: 'Mobile phone' }, { value: '10101', label: 'Headset' }],
      },
      { fieldId: 'customfield_10014', name: 'Needed by', required: false, kind: 'date', source: { column: 'needed_by' } },
      { fieldId: 'customfield_10020', name: 'Approver', required: true, kind: 'text', source: null },
      { fieldId: 'labels', name: 'Labels', required: false, kind: 'labels', source: null },
    ],
    unusedColumns: [],
    unmappedRequired: ['customfield_10020'],
  };
}

const row = { id: '7', email_address: ' ada@example.com ', equipment: 'headset;  MOBILE PHONE', needed_by: '2026-12-01', notes: 'New starter' };

describe('mappingTable', () => {
  it('shows each field with its source and the sample value as it would be sent', () => {
    const { text, marked } = mappingTable(mapping(), columns, row);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^\| Jira field +\| required \| type +\| source +\| sample value as it would be sent +\|$/);
    expect(lines[1]).toMatch(/^\|-+\|-+\|-+\|-+\|-+\|$/);
    const rowOf = (name: string) => lines.find((l) => l.startsWith(`| ${name} `)) ?? '';
    expect(rowOf('Summary (summary)')).toContain('"Request #7: New starter"');
    expect(rowOf('Email address')).toMatch(/column email_address \(text, exact\) +\| "ada@example.com"/);
    expect(rowOf('Equipment')).toContain('[{"id":"10101"},{"id":"10100"}] = Headset, Mobile phone');
    expect(rowOf('Needed by')).toMatch(/column needed_by \(date, by hand\) +\| "2026-12-01"/);
    expect(rowOf('Description')).toContain('(filled by jira-sync)');
    expect(rowOf('Approver')).toMatch(/\| yes +\| text +\| ✗ UNMAPPED \(required\)/);
    expect(marked).toEqual(['✗ Approver (customfield_10020): required, but no column, template or constant feeds it']);
    // Every row has the same width: the table lines up.
    expect(new Set(lines.map((l) => Array.from(l).length)).size).toBe(1);
  });

  it('marks sample values Jira would reject, with the full reason below the table', () => {
    const m = mapping();
    m.fields = m.fields.filter((f) => f.fieldId !== 'customfield_10020');
    const { text, marked } = mappingTable(m, columns, { ...row, equipment: 'Fax machine', email_address: null, needed_by: '2026-02-30' });
    expect(text).toMatch(/\| Equipment \(customfield_10013\) .*\| ✗ column "equipment": "Fax machine" is not one of/);
    expect(marked).toEqual([
      '✗ Email address (customfield_10010): column "email_address" is empty in the sample, but the field is required',
      '✗ Equipment (customfield_10013): column "equipment": "Fax machine" is not one of the allowed values for "Equipment" (Mobile phone, Headset)',
      '✗ Needed by (customfield_10014): column "needed_by": "2026-02-30" is not a valid date for "Needed by": February 2026 has no day 30 (it has 28 days)',
    ]);
  });

  it('says so when the table has no rows and marks a column the table lacks', () => {
    const m = mapping();
    m.fields[2]!.source = { column: 'e_mail' };
    const { text, marked } = mappingTable(m, columns, null);
    expect(text).toContain('(no rows yet)');
    expect(text).toContain('✗ column e_mail (NOT IN TABLE, by hand)');
    expect(marked).toContain('✗ Email address (customfield_10010): column "e_mail" is not in the table');
  });
});

describe('buildTicketRequest: description and summary limits', () => {
  const m = (): MappingFile => {
    const x = mapping();
    x.fields = x.fields.filter((f) => f.fieldId !== 'customfield_10020');
    x.fields[0]!.source = { column: 'notes' };
    return x;
  };

  it('keeps the full summary in the description when it had to be shortened', () => {
    const long = `Please ${'order '.repeat(60)}now`;
    const built = buildTicketRequest(m(), { key: 'k1', sourceId: '7', payload: { ...row, notes: long } });
    if (!built.ok) throw new Error(built.error);
    expect((built.request.requestFieldValues.summary as string).length).toBe(255);
    expect(built.request.requestFieldValues.description).toContain(`Full summary: ${long}`);
  });

  it('cuts a description over 32,767 UTF-16 units but keeps the marker at its end', () => {
    const built = buildTicketRequest(m(), { key: 'k2', sourceId: '8', payload: { ...row, notes: '📞'.repeat(20_000) } });
    if (!built.ok) throw new Error(built.error);
    const description = built.request.requestFieldValues.description as string;
    expect(description.length).toBeLessThanOrEqual(32_767);
    expect(description.length).toBeGreaterThan(32_600);
    expect(description.endsWith(`jira-sync key: ${built.request.marker}`)).toBe(true);
    expect(description).toContain('… (shortened to fit Jira; the attached JSON file has the whole submission)');
    expect(description).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    // The attachment still has everything.
    expect(JSON.parse(built.request.attachment.toString('utf8')).notes).toHaveLength(40_000);
  });
});
