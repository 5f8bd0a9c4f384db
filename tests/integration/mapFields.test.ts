// map-fields against the fake Jira (over HTTP) and a real PostgreSQL: the first mapping, a
// person's edit surviving a refresh, --check catching a change made in Jira, --force, and a
// run whose every value Jira accepts the first time.
import fs from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mapFieldsCommand } from '../../src/commands/mapFields.js';
import { runCommand } from '../../src/commands/run.js';
import { loadConfig, type ResolvedConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import type { ConsoleOptions } from '../../src/logging/console.js';
import type { MappingFile } from '../../src/mapping/format.js';
import { startFakeJira, type FakeJira, type FakeRequestTypeField } from '../support/fakeJira/index.js';
import { makeWorkspace, type Workspace } from '../support/cli.js';
import { createTestDatabase, insertSubmissions, sampleSubmission, SUBMISSIONS_DDL, type SubmissionInput, type TestDatabase } from '../support/db.js';

const CF = 'com.atlassian.jira.plugin.system.customfieldtypes:';
const auth = { email: 'robot@example.com', apiToken: 'test-token-s3cr3t' };

/** Text, select, multi-select, date, number, and a required field no column matches. */
function requestType(): FakeRequestTypeField[] {
  const text = (fieldId: string, name: string, required = false): FakeRequestTypeField => ({ fieldId, name, required, jiraSchema: { type: 'string', custom: `${CF}textfield` } });
  return [
    { fieldId: 'summary', name: 'Summary', required: true, jiraSchema: { type: 'string', system: 'summary' } },
    { fieldId: 'description', name: 'Description', required: false, jiraSchema: { type: 'string', system: 'description' } },
    text('customfield_10010', 'Email address', true),
    {
      fieldId: 'customfield_10011', name: 'Department', required: false,
      jiraSchema: { type: 'option', custom: `${CF}select` },
      validValues: ['Finance', 'Sales', 'Support', 'Warehouse'].map((label, i) => ({ value: String(10200 + i), label, children: [] })),
    },
    {
      fieldId: 'customfield_10013', name: 'Equipment', required: true,
      jiraSchema: { type: 'array', items: 'option', custom: `${CF}multicheckboxes` },
      validValues: ['Mobile phone', 'Handset speaker phone', 'Headset', 'Desk phone'].map((label, i) => ({ value: String(10100 + i), label, children: [] })),
    },
    { fieldId: 'customfield_10014', name: 'Needed by', required: false, jiraSchema: { type: 'date', custom: `${CF}datepicker` } },
    { fieldId: 'customfield_10015', name: 'Quantity', required: false, jiraSchema: { type: 'number', custom: `${CF}float` } },
    text('customfield_10016', 'Job title'),
    text('customfield_10017', 'Cost centre', true),
    { fieldId: 'labels', name: 'Labels', required: false, jiraSchema: { type: 'array', items: 'string', system: 'labels' } },
  ];
}

let db: TestDatabase;
let fake: FakeJira;
let ws: Workspace;
let config: ResolvedConfig;
let out: string[];

beforeAll(async () => {
  db = await createTestDatabase();
  await db.client.query(SUBMISSIONS_DDL);
  await db.client.query('ALTER TABLE webform_submissions ADD COLUMN job text');
});
afterAll(async () => {
  await db.drop();
});
beforeEach(async () => {
  await db.client.query('TRUNCATE webform_submissions RESTART IDENTITY');
  fake = await startFakeJira({ auth, requestTypes: { '10': requestType() } });
  ws = makeWorkspace({ databaseUrl: db.url, jiraUrl: fake.url });
  config = loadConfig(ws.env);
  out = [];
});
afterEach(async () => {
  await fake.close();
  ws.cleanup();
});

/** The sample submission plus this test's extra column, job. */
const submission = (i: number, over: SubmissionInput & { job?: string | null } = {}): SubmissionInput => sampleSubmission(i, over);
// Unwrapped (width Infinity): this file checks the table and the wording; fitting 100 columns is
// checked end to end (tests/e2e/firstUse.test.ts).
const mapFields = (opts = { force: false, check: false }) => mapFieldsCommand(config, { ...opts, width: Infinity }, (line) => out.push(line));
const readFile = (): MappingFile => JSON.parse(fs.readFileSync(ws.mappingPath, 'utf8')) as MappingFile;
const fieldOf = (m: MappingFile, id: string) => m.fields.find((f) => f.fieldId === id);
const printed = () => out.join('\n');
let consoleLines: string[] = [];
/** A console for runCommand that keeps what it would print on stderr. */
function captured(): ConsoleOptions {
  consoleLines = [];
  const stream = new Writable({ write: (chunk: Buffer, _enc, done) => { consoleLines.push(chunk.toString()); done(); } });
  return { stream, isTTY: false, noColor: true };
}
const consoleText = () => consoleLines.join('');
const fieldCalls = () => fake.requests.filter((r) => r.path.endsWith('/field')).length;

/** What a person does: give the unmatched required field a value, and the job title a template. */
function editByHand(): void {
  const m = readFile();
  fieldOf(m, 'customfield_10017')!.source = { constant: 'CC-100' };
  fieldOf(m, 'customfield_10016')!.source = { template: '{{job}} ({{department_name}})' };
  fs.writeFileSync(ws.mappingPath, JSON.stringify(m, null, 2));
}

describe('map-fields', () => {
  it('matches columns to fields, caches the options, shows the newest row as it would be sent, and refuses an unmapped required field', async () => {
    await insertSubmissions(db.client, [sampleSubmission(0), sampleSubmission(1, { department_name: ' sales ', equipment: 'headset;DESK PHONE', quantity: 4 })]);
    expect(await mapFields()).toBe(2);

    const m = readFile();
    expect(fieldOf(m, 'customfield_10010')?.source).toEqual({ column: 'email_address', match: 'exact' });
    expect(fieldOf(m, 'customfield_10011')?.source).toEqual({ column: 'department_name', match: 'synonym' });
    expect(fieldOf(m, 'customfield_10016')?.source).toEqual({ column: 'job', match: 'synonym' });
    expect(fieldOf(m, 'customfield_10013')).toMatchObject({ kind: 'multiselect', required: true, validValues: expect.arrayContaining([{ value: '10102', label: 'Headset' }]) });
    expect(fieldOf(m, 'customfield_10014')).toMatchObject({ kind: 'date', source: { column: 'needed_by' } });
    expect(fieldOf(m, 'customfield_10015')).toMatchObject({ kind: 'number', source: { column: 'quantity' } });
    expect(fieldOf(m, 'customfield_10017')?.source).toBeNull();
    expect(m.unmappedRequired).toEqual(['customfield_10017']);
    expect(m.unusedColumns).toEqual(['created_at', 'new_user_name', 'notes']);

    const text = printed();
    expect(text).toMatch(/\| Department \(customfield_10011\) +\| no +\| select +\| column department_name \(text, synonym\) +\| \{"id":"10201"\} = Sales/);
    expect(text).toMatch(/\| Equipment \(customfield_10013\) .*\| \[\{"id":"10102"\},\{"id":"10103"\}\] = Headset, Desk phone/);
    expect(text).toMatch(/\| Quantity \(customfield_10015\) .*\| 4 /);
    expect(text).toMatch(/\| Cost centre \(customfield_10017\) +\| yes +\| text +\| ✗ UNMAPPED \(required\)/);
    expect(text).toContain('`run` refuses to start until these are fixed');
    expect(text).toMatch(/Jira field "Cost centre" \(customfield_10017\) is required but has no source/);
    // The newest row was only read.
    expect((await db.client.query('SELECT count(*)::int AS n FROM webform_submissions')).rows[0].n).toBe(2);
  });

  it('marks a sample value Jira would reject', async () => {
    await insertSubmissions(db.client, [sampleSubmission(0, { equipment: 'Fax machine' })]);
    await mapFields();
    expect(printed()).toMatch(/✗ Equipment \(customfield_10013\): column "equipment": "Fax machine" is not one of the allowed values for "Equipment" \(Mobile phone, Handset speaker phone, Headset, Desk phone\)/);
  });

  it('keeps a hand edit when refreshing, and does not rewrite an unchanged file', async () => {
    await insertSubmissions(db.client, [submission(0, { job: 'Engineer' })]);
    await mapFields();
    editByHand();
    const before = fs.readFileSync(ws.mappingPath, 'utf8');
    out = [];
    expect(await mapFields()).toBe(0);
    const m = readFile();
    expect(fieldOf(m, 'customfield_10017')?.source).toEqual({ constant: 'CC-100' });
    expect(fieldOf(m, 'customfield_10016')?.source).toEqual({ template: '{{job}} ({{department_name}})' });
    expect(printed()).toContain('Nothing changed in Jira since the last map-fields.');
    expect(printed()).toMatch(/\| Job title \(customfield_10016\) .*\| template "\{\{job\}\} \(\{\{department_name\}\}\)" +\| "Engineer \(Finance\)"/);
    expect(printed()).toMatch(/\| Cost centre .*\| constant "CC-100" +\| "CC-100"/);
    // Everything else is as the person left it; only the recomputed list follows their edit.
    expect(m).toEqual({ ...(JSON.parse(before) as MappingFile), generatedAt: m.generatedAt, unmappedRequired: [] });
    const written = fs.readFileSync(ws.mappingPath, 'utf8');
    out = [];
    expect(await mapFields()).toBe(0);
    expect(printed()).toContain('is up to date; not rewritten');
    expect(fs.readFileSync(ws.mappingPath, 'utf8')).toBe(written);
  });

  it('--check reports a change made in Jira with exit 2 and changes nothing; a refresh then takes it in', async () => {
    await insertSubmissions(db.client, [sampleSubmission(0)]);
    await mapFields();
    editByHand();
    expect(await mapFields({ force: false, check: true })).toBe(0);
    const before = fs.readFileSync(ws.mappingPath, 'utf8');

    const changed = requestType().filter((f) => f.fieldId !== 'customfield_10016');
    const equipment = changed.find((f) => f.fieldId === 'customfield_10013')!;
    equipment.validValues = [...equipment.validValues!.filter((o) => o.label !== 'Desk phone'), { value: '10104', label: 'Laptop dock', children: [] }];
    changed.find((f) => f.fieldId === 'customfield_10015')!.required = true;
    changed.push({ fieldId: 'customfield_10018', name: 'Notes', required: false, jiraSchema: { type: 'string', custom: `${CF}textarea` } });
    fake.setRequestTypeFields('10', changed);

    out = [];
    expect(await mapFields({ force: false, check: true })).toBe(2);
    expect(out).toEqual(expect.arrayContaining([
      '  - field "Job title" (customfield_10016) was removed from the request type',
      '  - field "Equipment" (customfield_10013): options added: "Laptop dock"; options removed: "Desk phone"',
      '  - field "Quantity" (customfield_10015) is now required',
      '  - field "Notes" (customfield_10018) was added to the request type (optional)',
    ]));
    expect(fs.readFileSync(ws.mappingPath, 'utf8')).toBe(before);
    expect(fs.readFileSync(`${ws.logDir}/field_mapping.log`, 'utf8')).not.toMatch(/"check":true/);

    out = [];
    expect(await mapFields()).toBe(0);
    const m = readFile();
    expect(fieldOf(m, 'customfield_10016')).toBeUndefined();
    expect(fieldOf(m, 'customfield_10018')?.source).toEqual({ column: 'notes', match: 'exact' });
    expect(fieldOf(m, 'customfield_10015')?.required).toBe(true);
    expect(fieldOf(m, 'customfield_10013')?.validValues?.map((o) => o.label)).toContain('Laptop dock');
    expect(fieldOf(m, 'customfield_10017')?.source).toEqual({ constant: 'CC-100' });
    expect(printed()).toMatch(/Job title \(customfield_10016\): removed from the request type in Jira: dropped from the mapping \(its source was template/);
    expect(await mapFields({ force: false, check: true })).toBe(0);
  });

  it('--check reports columns renamed in the table and the template that broke', async () => {
    await mapFields();
    editByHand();
    await db.client.query('ALTER TABLE webform_submissions RENAME COLUMN job TO job_name');
    try {
      out = [];
      expect(await mapFields({ force: false, check: true })).toBe(2);
      expect(out).toEqual(expect.arrayContaining([
        'Changed in the table since the file was written:',
        '  - column "job" (text) was removed from the table',
        '  - column "job_name" (text) was added to the table',
        expect.stringMatching(/^ {2}- Jira field "Job title" \(customfield_10016\): template variable \{\{job\}\} names no column of the table; run `jira-sync map-fields`/),
      ]));
    } finally {
      await db.client.query('ALTER TABLE webform_submissions RENAME COLUMN job_name TO job');
    }
  });

  it('--force rebuilds from scratch and lists the edits it replaced', async () => {
    await mapFields();
    editByHand();
    out = [];
    expect(await mapFields({ force: true, check: false })).toBe(2);
    expect(fieldOf(readFile(), 'customfield_10017')?.source).toBeNull();
    expect(printed()).toContain('Cost centre (customfield_10017): --force replaced constant "CC-100" with no source');
  });

  it('refuses to overwrite a file it cannot read', async () => {
    fs.writeFileSync(ws.mappingPath, '{ "version": 1, "fields": [');
    expect(await mapFields()).toBe(2);
    expect(printed()).toMatch(/is not valid JSON/);
    expect(fs.readFileSync(ws.mappingPath, 'utf8')).toBe('{ "version": 1, "fields": [');
  });
});

describe('run with the mapping', () => {
  it('sends values Jira accepts the first time, using the cached file only', async () => {
    await insertSubmissions(db.client, [
      submission(0, { department_name: '  finance ', equipment: 'headset;  MOBILE PHONE ;', job: '  Zoë Ørsted — 电话 📞 ' }),
      submission(1, { department_name: 'Sales', equipment: 'Desk phone', quantity: null, needed_by: null, job: null }),
      sampleSubmission(2, { notes: `Line one\nline two ${'x'.repeat(400)}`, email_address: '  spaced@example.com ' }),
    ]);
    await mapFields();
    editByHand();
    const m = readFile();
    fieldOf(m, 'summary')!.source = { template: '{{new_user_name}}: {{notes}}' };
    fs.writeFileSync(ws.mappingPath, JSON.stringify(m, null, 2));
    expect(await mapFields({ force: false, check: true }), printed()).toBe(0);

    const fieldCallsBefore = fieldCalls();
    const code = await runCommand(config, { dryRun: false, print: () => undefined, console: captured() });
    expect(code).toBe(0);
    expect(consoleText()).toMatch(/ created 3, skipped 0, failed 0, parked 0 in /);
    expect(fieldCalls()).toBe(fieldCallsBefore); // no field discovery on a run
    const creates = fake.requests.filter((r) => r.method === 'POST' && r.path === '/rest/servicedeskapi/request');
    expect(creates.map((r) => r.status)).toEqual([201, 201, 201]);

    const [a, b, c] = fake.issues;
    expect(a!.fields).toMatchObject({ customfield_10011: { id: '10200' }, customfield_10013: [{ id: '10102' }, { id: '10100' }], customfield_10014: '2026-12-01', customfield_10015: 1, customfield_10016: 'Zoë Ørsted — 电话 📞 (finance)', customfield_10017: 'CC-100' });
    expect(b!.fields.customfield_10015).toBeUndefined();
    expect(b!.fields.customfield_10014).toBeUndefined();
    expect(c!.fields.customfield_10010).toBe('spaced@example.com');
    expect(c!.summary!.length).toBe(255);
    expect(c!.summary!.endsWith('…')).toBe(true);
    expect(c!.description).toContain('Full summary: New User 2: Line one\nline two');
  });

  it('refuses to start on a mapping that names a missing column, saying which field and what to run', async () => {
    await insertSubmissions(db.client, [sampleSubmission(0)]);
    await mapFields();
    editByHand();
    const m = readFile();
    fieldOf(m, 'customfield_10015')!.source = { column: 'qty' };
    fs.writeFileSync(ws.mappingPath, JSON.stringify(m, null, 2));
    const err = await runCommand(config, { dryRun: false, print: () => undefined, console: captured() }).catch((e: unknown) => e);
    // The run's console output is captured here, not printed among the test results.
    expect(consoleText()).toMatch(/; stopped: Jira field "Quantity" \(customfield_10015\) maps to column "qty"/);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([expect.stringMatching(/^Jira field "Quantity" \(customfield_10015\) maps to column "qty", which the table does not have; run `jira-sync map-fields`/)]);
    expect(fake.issues).toHaveLength(0);
  });
});
