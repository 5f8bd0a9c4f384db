// Refreshing field_mapping.json: what Jira says is refreshed, what a person wrote is kept.
import { describe, expect, it } from 'vitest';
import type { RequestTypeField } from '../../src/adapters/jira/gateway.js';
import type { ColumnInfo } from '../../src/adapters/postgres/values.js';
import { describeChange, jiraChanges } from '../../src/mapping/changes.js';
import { discoverMapping } from '../../src/mapping/discover.js';
import type { MappingFile } from '../../src/mapping/format.js';
import { mergeMapping, replacedSources, sameMapping } from '../../src/mapping/merge.js';

const CF = 'com.atlassian.jira.plugin.system.customfieldtypes:';
const columns: ColumnInfo[] = [
  { name: 'id', pgType: 'bigint', kind: 'number' },
  { name: 'created_at', pgType: 'timestamp with time zone', kind: 'timestamp' },
  { name: 'email_address', pgType: 'text', kind: 'text' },
  { name: 'department_name', pgType: 'text', kind: 'text' },
  { name: 'equipment', pgType: 'text', kind: 'text' },
  { name: 'quantity', pgType: 'integer', kind: 'number' },
  { name: 'notes', pgType: 'text', kind: 'text' },
];

function jiraFields(): RequestTypeField[] {
  return [
    { fieldId: 'summary', name: 'Summary', required: true, jiraSchema: { type: 'string', system: 'summary' } },
    { fieldId: 'description', name: 'Description', required: false, jiraSchema: { type: 'string', system: 'description' } },
    { fieldId: 'customfield_10010', name: 'Email address', required: true, jiraSchema: { type: 'string', custom: `${CF}textfield` } },
    { fieldId: 'customfield_10011', name: 'Department', required: false, jiraSchema: { type: 'string', custom: `${CF}textfield` } },
    {
      fieldId: 'customfield_10013',
      name: 'Equipment',
      required: true,
      jiraSchema: { type: 'array', items: 'option', custom: `${CF}multicheckboxes` },
      validValues: [
        { value: '10100', label: 'Mobile phone', children: [] },
        { value: '10101', label: 'Headset', children: [] },
      ],
    },
    { fieldId: 'customfield_10015', name: 'Quantity', required: false, jiraSchema: { type: 'number', custom: `${CF}float` } },
    { fieldId: 'customfield_10016', name: 'Cost centre', required: false, jiraSchema: { type: 'string', custom: `${CF}textfield` } },
  ];
}

const opts = { ids: { serviceDeskId: '1', requestTypeId: '10' }, idColumn: 'id', now: new Date('2026-11-20T09:00:00Z') };
const later = { idColumn: 'id', now: new Date('2026-11-21T09:00:00Z') };
const field = (m: MappingFile, id: string) => m.fields.find((f) => f.fieldId === id);

describe('discoverMapping', () => {
  it('maps by name, records how, templates the summary and lists what is left', () => {
    const m = discoverMapping(jiraFields(), columns, opts);
    expect(field(m, 'customfield_10010')?.source).toEqual({ column: 'email_address', match: 'exact' });
    expect(field(m, 'customfield_10011')?.source).toEqual({ column: 'department_name', match: 'synonym' });
    expect(field(m, 'summary')?.source).toEqual({ template: 'Web form request #{{id}} from {{email_address}}' });
    expect(field(m, 'description')?.source).toBeNull();
    expect(field(m, 'customfield_10016')?.source).toBeNull();
    // Jira's empty `children` lists are left out of the file.
    expect(field(m, 'customfield_10013')?.validValues).toEqual([{ value: '10100', label: 'Mobile phone' }, { value: '10101', label: 'Headset' }]);
    expect(m.unusedColumns).toEqual(['created_at', 'notes']);
    expect(m.unmappedRequired).toEqual([]);
  });

  it('lists a required field no column matches', () => {
    const fields = [...jiraFields(), { fieldId: 'customfield_10020', name: 'Approver', required: true, jiraSchema: { type: 'string' } }];
    expect(discoverMapping(fields, columns, opts).unmappedRequired).toEqual(['customfield_10020']);
  });
});

describe('mergeMapping', () => {
  const first = () => discoverMapping(jiraFields(), columns, opts);

  it('changes nothing when neither Jira nor the table changed', () => {
    const old = first();
    const { mapping, notes } = mergeMapping(old, jiraFields(), columns, later);
    expect(sameMapping(old, mapping)).toBe(true);
    expect(mapping.generatedAt).toBe('2026-11-21T09:00:00.000Z');
    expect(notes).toEqual([]);
  });

  it('keeps a source a person changed, and properties they added', () => {
    const old = first();
    const dept = field(old, 'customfield_10011')!;
    dept.source = { constant: 'Finance' };
    Object.assign(dept, { note: 'all forms come from Finance' });
    field(old, 'customfield_10015')!.source = null; // a person turned the quantity off
    old.delimiter = ',';
    const { mapping, notes } = mergeMapping(old, jiraFields(), columns, later);
    expect(field(mapping, 'customfield_10011')).toMatchObject({ source: { constant: 'Finance' }, note: 'all forms come from Finance' });
    expect(field(mapping, 'customfield_10015')?.source).toBeNull();
    expect(mapping.delimiter).toBe(',');
    // The optional field switched off is not switched back on: a suggestion is printed instead.
    expect(notes).toEqual([{ fieldId: 'customfield_10015', name: 'Quantity', text: expect.stringMatching(/has no source; column "quantity" looks like a match \(exact match\)/) }]);
    expect(mapping.unusedColumns).toContain('department_name');
  });

  it('adds a new Jira field with a proposed source and drops a removed one, reporting both', () => {
    const fields = jiraFields().filter((f) => f.fieldId !== 'customfield_10015');
    fields.push({ fieldId: 'customfield_10030', name: 'Notes', required: false, jiraSchema: { type: 'string', custom: `${CF}textarea` } });
    const { mapping, notes } = mergeMapping(first(), fields, columns, later);
    expect(field(mapping, 'customfield_10015')).toBeUndefined();
    expect(field(mapping, 'customfield_10030')?.source).toEqual({ column: 'notes', match: 'exact' });
    expect(mapping.fields.map((f) => f.fieldId).at(-1)).toBe('customfield_10030');
    expect(notes.map((n) => `${n.fieldId}: ${n.text}`)).toEqual([
      'customfield_10030: new field: mapped to column "notes" (exact match)',
      'customfield_10015: removed from the request type in Jira: dropped from the mapping (its source was column "quantity")',
    ]);
    expect(mapping.unusedColumns).toContain('quantity');
  });

  it('refreshes required, type and options from Jira but keeps the source', () => {
    const old = first();
    field(old, 'customfield_10013')!.source = { column: 'equipment', match: 'manual' };
    const fields = jiraFields();
    const equipment = fields.find((f) => f.fieldId === 'customfield_10013')!;
    equipment.required = false;
    equipment.validValues = [{ value: '10100', label: 'Mobile phone' }, { value: '10102', label: 'Desk phone' }];
    const { mapping } = mergeMapping(old, fields, columns, later);
    expect(field(mapping, 'customfield_10013')).toMatchObject({
      required: false,
      source: { column: 'equipment', match: 'manual' },
      validValues: [{ value: '10100', label: 'Mobile phone' }, { value: '10102', label: 'Desk phone' }],
    });
  });

  it('maps a required field that had no source once a column matches it', () => {
    const old = first();
    field(old, 'customfield_10010')!.source = null;
    const { mapping, notes } = mergeMapping(old, jiraFields(), columns, later);
    expect(field(mapping, 'customfield_10010')?.source).toEqual({ column: 'email_address', match: 'exact' });
    expect(notes[0]?.text).toMatch(/required and had no source: now mapped to column "email_address"/);
  });

  it('does not give a new field a column another field already uses', () => {
    const old = first();
    const fields = [...jiraFields(), { fieldId: 'customfield_10040', name: 'Email', required: false, jiraSchema: { type: 'string' } }];
    const { mapping } = mergeMapping(old, fields, columns, later);
    expect(field(mapping, 'customfield_10040')?.source).toBeNull();
  });
});

describe('replacedSources (--force)', () => {
  it('lists every source the rebuild replaced', () => {
    const old = discoverMapping(jiraFields(), columns, opts);
    field(old, 'customfield_10011')!.source = { constant: 'Finance' };
    const rebuilt = discoverMapping(jiraFields(), columns, opts);
    expect(replacedSources(old, rebuilt).map((n) => n.text)).toEqual(['--force replaced constant "Finance" with column "department_name"']);
  });
});

describe('jiraChanges', () => {
  const cached = () => discoverMapping(jiraFields(), columns, opts).fields;

  it('reports nothing when Jira is unchanged', () => {
    expect(jiraChanges(cached(), jiraFields())).toEqual([]);
  });

  it('reports added and removed fields, required flags, names, types and options', () => {
    const fields = jiraFields().filter((f) => f.fieldId !== 'customfield_10016');
    fields.push({ fieldId: 'customfield_10050', name: 'Start date', required: true, jiraSchema: { type: 'date' } });
    fields.find((f) => f.fieldId === 'customfield_10011')!.required = true;
    fields.find((f) => f.fieldId === 'customfield_10011')!.name = 'Department name';
    fields.find((f) => f.fieldId === 'customfield_10015')!.jiraSchema = { type: 'string', custom: `${CF}textfield` };
    fields.find((f) => f.fieldId === 'customfield_10013')!.validValues = [
      { value: '10100', label: 'Mobile phone (work)' },
      { value: '10102', label: 'Desk phone' },
    ];
    expect(jiraChanges(cached(), fields).map((c) => describeChange(c))).toEqual([
      'field "Cost centre" (customfield_10016) was removed from the request type',
      'field customfield_10011 was renamed from "Department" to "Department name"',
      'field "Department name" (customfield_10011) is now required',
      'field "Equipment" (customfield_10013): options added: "Desk phone"; options removed: "Headset"; options renamed: "Mobile phone" is now "Mobile phone (work)"',
      'field "Quantity" (customfield_10015) changed type from number (float) to text (textfield)',
      'field "Start date" (customfield_10050) was added to the request type (required)',
    ]);
  });

  it('reports a field that is no longer required and cascading child options', () => {
    const base = jiraFields();
    base.push({ fieldId: 'customfield_10060', name: 'Category', required: true, jiraSchema: { type: 'option-with-child' }, validValues: [{ value: '1', label: 'Hardware', children: [{ value: '11', label: 'Laptop' }] }] });
    const old = discoverMapping(base, columns, opts).fields;
    const next = structuredClone(base);
    const category = next.find((f) => f.fieldId === 'customfield_10060')!;
    category.required = false;
    category.validValues = [{ value: '1', label: 'Hardware', children: [{ value: '12', label: 'Monitor' }] }];
    expect(jiraChanges(old, next).map((c) => describeChange(c))).toEqual([
      'field "Category" (customfield_10060) is no longer required',
      'field "Category" (customfield_10060): options added: "Hardware > Monitor"; options removed: "Hardware > Laptop"',
    ]);
  });
});
