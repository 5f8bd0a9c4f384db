// What `run` checks in field_mapping.json before it touches anything: every problem names
// the field and says to run `jira-sync map-fields`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../../src/adapters/postgres/values.js';
import { ConfigError } from '../../src/errors.js';
import type { MappingFile } from '../../src/mapping/format.js';
import { loadMapping, readMappingFile } from '../../src/mapping/load.js';

const columns: ColumnInfo[] = [
  { name: 'id', pgType: 'bigint', kind: 'number' },
  { name: 'email_address', pgType: 'text', kind: 'text' },
  { name: 'equipment', pgType: 'text', kind: 'text' },
];
const expectIds = { serviceDeskId: '1', requestTypeId: '10' };

function mapping(): MappingFile {
  return {
    version: 1,
    serviceDeskId: '1',
    requestTypeId: '10',
    generatedAt: '2026-11-20T09:00:00.000Z',
    delimiter: ';',
    fields: [
      { fieldId: 'summary', name: 'Summary', required: true, kind: 'summary', source: { template: 'Request #{{id}}' } },
      { fieldId: 'description', name: 'Description', required: true, kind: 'text', source: null },
      { fieldId: 'customfield_10010', name: 'Email address', required: true, kind: 'text', source: { column: 'email_address', match: 'exact' } },
      {
        fieldId: 'customfield_10013',
        name: 'Equipment',
        required: false,
        kind: 'multiselect',
        source: { column: 'equipment' },
        validValues: [{ value: '10100', label: 'Mobile phone' }, { value: '10101', label: 'Headset' }],
      },
    ],
    unusedColumns: [],
    unmappedRequired: [],
  };
}

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira-sync-load-'));
  file = path.join(dir, 'field_mapping.json');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function problems(content: unknown): string[] {
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  try {
    loadMapping(file, columns, expectIds);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadMapping', () => {
  it('accepts a complete mapping', () => {
    expect(problems(mapping())).toEqual([]);
  });

  it('says how to create a missing file', () => {
    expect(() => readMappingFile(file)).toThrow(/not found: run `jira-sync map-fields` to create it/);
  });

  it('reports a file that is not JSON', () => {
    expect(problems('{ "version": 1, ')).toEqual([expect.stringMatching(/is not valid JSON .*jira-sync map-fields --force/)]);
  });

  it('lists every format problem at once, naming the field', () => {
    const m = mapping() as unknown as { fields: Record<string, unknown>[]; delimiter: string };
    m.delimiter = '';
    m.fields[2]!.source = { column: 'email_address', template: 'x' };
    m.fields[3]!.validValues = [{ id: '1' }];
    m.fields[3]!.kind = 'checkbox';
    m.fields.push({ ...m.fields[0] });
    m.fields[1]!.source = { column: 'email_address', match: 'guess' };
    expect(problems(m)).toEqual([
      expect.stringMatching(/"delimiter" must be a non-empty string/),
      expect.stringMatching(/field "description": "source.match" must be one of exact, synonym, prefix, manual/),
      expect.stringMatching(/field "customfield_10010": "source" must have exactly one of "column", "template" or "constant"/),
      expect.stringMatching(/field "customfield_10013": "kind" must be one of/),
      expect.stringMatching(/field "customfield_10013": "validValues" must hold \{"value".*jira-sync map-fields/),
      expect.stringMatching(/field "summary" is listed twice/),
    ]);
  });

  it('allows a person to leave out "source" and the two lists', () => {
    const m = mapping() as unknown as Record<string, unknown> & { fields: Record<string, unknown>[] };
    delete m.unusedColumns;
    delete m.unmappedRequired;
    delete m.fields[3]!.source;
    fs.writeFileSync(file, JSON.stringify(m));
    const loaded = loadMapping(file, columns, expectIds);
    expect(loaded.fields[3]?.source).toBeNull();
    expect(loaded.unusedColumns).toEqual([]);
  });

  it('refuses a required field without a source, a missing column and an unknown template variable', () => {
    const m = mapping();
    m.fields[2]!.source = null;
    m.fields[3]!.source = { column: 'equipment_type' };
    m.fields[0]!.source = { template: 'Request {{ id }} for {{department}}' };
    expect(problems(m)).toEqual([
      'Jira field "Summary" (summary): template variable {{department}} names no column of the table; run `jira-sync map-fields` (or edit the file)',
      'Jira field "Email address" (customfield_10010) is required but has no source; give it a column, template or constant: run `jira-sync map-fields` (or edit the file)',
      'Jira field "Equipment" (customfield_10013) maps to column "equipment_type", which the table does not have; run `jira-sync map-fields` (or edit the file)',
    ]);
  });

  it('checks a constant once, against the cached options', () => {
    const m = mapping();
    m.fields[3]!.source = { constant: 'Fax machine' };
    expect(problems(m)).toEqual([expect.stringMatching(/Jira field "Equipment" \(customfield_10013\): constant "Fax machine" is not accepted: "Fax machine" is not one of the allowed values for "Equipment" \(Mobile phone, Headset\)/)]);
    m.fields[3]!.source = { constant: 'headset; Mobile Phone' };
    expect(problems(m)).toEqual([]);
    m.fields[2]!.source = { constant: '  ' };
    expect(problems(m)).toEqual([expect.stringMatching(/"Email address" \(customfield_10010\) is required but its constant is empty/)]);
  });

  it('refuses a file made for another request type', () => {
    const m = mapping();
    m.requestTypeId = '11';
    // Only the id that differs is named, and both ways out: a wrong id in .env, or a file for another request type.
    expect(problems(m)).toEqual([expect.stringMatching(/made for request type 11, but JSM_REQUEST_TYPE_ID says 10: either the id in \.env is wrong .*map-fields --force/)]);
  });
});
