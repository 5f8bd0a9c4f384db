// What a field_mapping.json was made for, against the configured target: a service desk's
// request type or a plain project's issue type (by name or id). A file for the other target, or
// for other ids, is refused with the ids on both sides and both ways to settle it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JiraTarget } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import type { MappingFile } from '../../src/mapping/format.js';
import { idMismatch, idMismatchFix, loadMapping } from '../../src/mapping/load.js';

const issueFile = (over: Partial<MappingFile> = {}): MappingFile => ({
  version: 1,
  projectKey: 'ITS',
  issueTypeId: '10002',
  issueTypeName: 'Task',
  generatedAt: '2026-11-20T09:00:00.000Z',
  delimiter: ';',
  fields: [{ fieldId: 'summary', name: 'Summary', required: true, kind: 'summary', source: { template: 'Form #{{id}}' } }],
  unusedColumns: [],
  unmappedRequired: [],
  ...over,
});
const issue = (projectKey: string, issueType: string): { target: JiraTarget } => ({ target: { kind: 'issue', projectKey, issueType } });
const request = { target: { kind: 'request', serviceDeskId: '1', requestTypeId: '10' } as JiraTarget };

describe('idMismatch', () => {
  it('an issue file matches its project and its issue type by id or by name, in any case', () => {
    for (const t of ['10002', 'Task', 'task']) expect(idMismatch(issueFile(), issue('ITS', t), 'f.json')).toBeNull();
  });

  it('names what differs: the project, the issue type, or both', () => {
    expect(idMismatch(issueFile(), issue('OPS', 'Task'), 'f.json')).toBe('f.json was made for project ITS, but JIRA_PROJECT_KEY says OPS');
    expect(idMismatch(issueFile(), issue('ITS', 'Bug'), 'f.json')).toBe('f.json was made for issue type Task (10002), but JIRA_ISSUE_TYPE says Bug');
    expect(idMismatch(issueFile(), issue('OPS', '10004'), 'f.json')).toContain('JIRA_PROJECT_KEY says OPS and JIRA_ISSUE_TYPE says 10004');
  });

  it('a file for the other target is said to be one, both ways', () => {
    expect(idMismatch(issueFile(), request, 'f.json')).toBe('f.json was made for project ITS, issue type Task, but JSM_SERVICE_DESK_ID and JSM_REQUEST_TYPE_ID name a service desk');
    const deskFile = issueFile({ projectKey: undefined, issueTypeId: undefined, issueTypeName: undefined, serviceDeskId: '1', requestTypeId: '10' });
    expect(idMismatch(deskFile, issue('ITS', 'Task'), 'f.json')).toBe('f.json was made for service desk 1, request type 10, but JIRA_PROJECT_KEY and JIRA_ISSUE_TYPE name a plain project');
    expect(idMismatch(deskFile, request, 'f.json')).toBeNull();
  });

  it('the fix speaks of the configured target', () => {
    expect(idMismatchFix(issue('ITS', 'Task'))).toContain('JIRA_PROJECT_KEY or JIRA_ISSUE_TYPE');
    expect(idMismatchFix(request)).toContain('service desks and request types');
  });
});

describe('loadMapping of an issue file', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira-sync-target-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const load = (m: unknown, expect: { target: JiraTarget }) => {
    const file = path.join(dir, 'field_mapping.json');
    fs.writeFileSync(file, JSON.stringify(m));
    try {
      loadMapping(file, [{ name: 'id', pgType: 'bigint', kind: 'number' }], expect);
      return [];
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
  };

  it('loads with the project and issue type; without issueTypeId it names the property', () => {
    expect(load(issueFile(), issue('ITS', 'Task'))).toEqual([]);
    const { issueTypeId: _, ...noType } = issueFile();
    expect(load(noType, issue('ITS', 'Task')).join('\n')).toMatch(/"issueTypeId" must be a string such as "1"/);
  });

  it('run refuses a file for another issue type, saying how to settle it', () => {
    const p = load(issueFile(), issue('ITS', 'Bug')).join('\n');
    expect(p).toContain('JIRA_ISSUE_TYPE says Bug');
    expect(p).toContain('map-fields --force');
  });
});
