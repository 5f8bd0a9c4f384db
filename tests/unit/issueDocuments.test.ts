// Text for Jira Cloud's issue API (v3): the description and paragraph fields as documents built
// from the text as it is; plain text everywhere else (JSM, Data Center's API v2).
import { describe, expect, it } from 'vitest';
import { isDocumentField, textToDocument } from '../../src/mapping/document.js';
import type { MappingFile } from '../../src/mapping/format.js';
import { buildTicketRequest, textFormatFor } from '../../src/mapping/request.js';
import { loadConfig } from '../../src/config.js';

const para = (text: string) => ({ type: 'paragraph', content: [{ type: 'text', text }] });

describe('textToDocument', () => {
  it('makes a paragraph of each line, with any line ending, and drops blank lines (Jira refuses empty text)', () => {
    expect(textToDocument('one\r\ntwo\n\nthree\rfour')).toEqual({ type: 'doc', version: 1, content: [para('one'), para('two'), para('three'), para('four')] });
  });

  it('reads no markup: asterisks, braces, links and ADF-looking JSON stay text', () => {
    const text = '*bold* {code} [link|http://x] {"type":"doc"}';
    expect(textToDocument(text).content).toEqual([para(text)]);
  });

  it('knows the document fields: the description and textarea custom fields, not single-line ones', () => {
    expect(isDocumentField({ fieldId: 'description' })).toBe(true);
    expect(isDocumentField({ fieldId: 'customfield_1', jiraSchema: { type: 'string', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:textarea' } })).toBe(true);
    expect(isDocumentField({ fieldId: 'customfield_2', jiraSchema: { type: 'string', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:textfield' } })).toBe(false);
    expect(isDocumentField({ fieldId: 'summary', jiraSchema: { type: 'string', system: 'summary' } })).toBe(false);
  });
});

const mapping: MappingFile = {
  version: 1,
  projectKey: 'ITS',
  issueTypeId: '10002',
  issueTypeName: 'Task',
  generatedAt: '2026-11-20T09:00:00Z',
  delimiter: ';',
  unusedColumns: [],
  unmappedRequired: [],
  fields: [
    { fieldId: 'summary', name: 'Summary', required: true, kind: 'summary', jiraSchema: { type: 'string', system: 'summary' }, source: { template: 'Form {{id}}' } },
    { fieldId: 'description', name: 'Description', required: false, kind: 'text', jiraSchema: { type: 'string', system: 'description' }, source: null },
    { fieldId: 'labels', name: 'Labels', required: false, kind: 'labels', jiraSchema: { type: 'array', items: 'string', system: 'labels' }, source: null },
    {
      fieldId: 'customfield_10024', name: 'Details', required: false, kind: 'text',
      jiraSchema: { type: 'string', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:textarea' }, source: { column: 'notes' },
    },
    { fieldId: 'customfield_10026', name: 'Phone', required: false, kind: 'text', jiraSchema: { type: 'string', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:textfield' }, source: { column: 'phone' } },
  ],
};
const sub = { key: 'abc123', sourceId: '7', payload: { id: 7, notes: 'line 1\nline 2', phone: '555 1234' } };

describe('buildTicketRequest for an issue', () => {
  it('documents: the description (with the marker line) and the paragraph field; the single-line field stays a string', () => {
    const built = buildTicketRequest(mapping, sub, null, 'document');
    if (!built.ok) throw new Error(built.error);
    const v = built.request.requestFieldValues;
    expect(v.customfield_10024).toEqual({ type: 'doc', version: 1, content: [para('line 1'), para('line 2')] });
    expect(v.customfield_10026).toBe('555 1234');
    const description = v.description as ReturnType<typeof textToDocument>;
    expect(description.content).toContainEqual(para(`jira-sync key: ${built.request.marker}`));
    expect(v.labels).toEqual([built.request.marker]);
    expect(built.request.issueTypeId).toBe('10002');
  });

  it('plain: the same values as text', () => {
    const built = buildTicketRequest(mapping, sub, null, 'plain');
    if (!built.ok) throw new Error(built.error);
    expect(built.request.requestFieldValues.customfield_10024).toBe('line 1\nline 2');
    expect(built.request.requestFieldValues.description).toContain(`jira-sync key: ${built.request.marker}`);
  });

  it('documents only for an issue on Cloud: Data Center (a PAT) and service desks take plain text', () => {
    const env = { DATABASE_URL: 'postgres://x@h/db', JIRA_BASE_URL: 'https://example.atlassian.net' };
    const cloud = { ...env, JIRA_EMAIL: 'a@example.com', JIRA_API_TOKEN: 't' };
    expect(textFormatFor(loadConfig({ ...cloud, JIRA_PROJECT_KEY: 'ITS', JIRA_ISSUE_TYPE: 'Task' }))).toBe('document');
    expect(textFormatFor(loadConfig({ ...env, JIRA_PAT: 'p', JIRA_PROJECT_KEY: 'ITS', JIRA_ISSUE_TYPE: 'Task' }))).toBe('plain');
    expect(textFormatFor(loadConfig({ ...cloud, JSM_SERVICE_DESK_ID: '1', JSM_REQUEST_TYPE_ID: '10' }))).toBe('plain');
  });
});
