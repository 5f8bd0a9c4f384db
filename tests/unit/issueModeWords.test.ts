// In issue mode the texts a person reads speak of issues and the issue type's create screen, never
// of requests or request types; in request mode they stay word for word as they were. Covers the
// advice of `status`, the changes `map-fields` and `--check` list, and the notes of a refresh.
import { describe, expect, it } from 'vitest';
import type { RequestTypeField } from '../../src/adapters/jira/gateway.js';
import type { ColumnInfo } from '../../src/adapters/postgres/values.js';
import type { ProblemSubmission } from '../../src/adapters/tracker/status.js';
import { formatStatus, type StatusReport } from '../../src/commands/status.js';
import type { JiraTarget } from '../../src/configTarget.js';
import { describeChange, jiraChanges } from '../../src/mapping/changes.js';
import { checkMapping, formatCheck } from '../../src/mapping/check.js';
import { discoverMapping } from '../../src/mapping/discover.js';
import { mergeMapping } from '../../src/mapping/merge.js';

const problem = (over: Partial<ProblemSubmission>): ProblemSubmission => ({
  key: 'a'.repeat(64),
  sourceId: '7',
  state: 'parked',
  ticketKey: null,
  attempts: 5,
  lastOutcome: null,
  lastError: 'x',
  nextAttemptAt: null,
  needsReview: false,
  reviewNote: null,
  updatedAt: '2026-12-01T08:00:00.000Z',
  ...over,
});
const report = (attention: ProblemSubmission[]): StatusReport => ({
  tracker: 'tracker.db',
  exists: true,
  counts: { parked: attention.length },
  runs: [],
  attention,
  cursor: null,
  lock: { held: false, holder: null },
  newestBackup: null,
  lastAudit: null,
  pull: null,
});
const advice = (kind: JiraTarget['kind'] | undefined, p: ProblemSubmission) =>
  (kind ? formatStatus(report([p]), kind) : formatStatus(report([p]))).replace(/\n\s+/g, ' ').match(/what to do: (.*)$/)?.[1];

describe('status advice', () => {
  const rejected = problem({ lastOutcome: 'failed:jira-rejected' });
  const gone = problem({ lastOutcome: 'parked:row-gone' });

  it('issue mode names the issue type\'s create screen and an issue', () => {
    expect(advice('issue', rejected)).toBe(
      "correct the row, then `jira-sync retry 7` (if the row is right, fix what Jira's message names: the issue type's create screen or the project's permissions)",
    );
    expect(advice('issue', gone)).toBe('its source row was deleted: if it should still become an issue, restore the row, then `jira-sync retry 7`');
  });

  it('request mode (and no mode given) keeps its words', () => {
    for (const kind of ['request', undefined] as const) {
      expect(advice(kind, rejected)).toBe("correct the row, then `jira-sync retry 7` (if the row is right, fix what Jira's message names: the request type's fields or permissions)");
      expect(advice(kind, gone)).toBe('its source row was deleted: if it should still become a request, restore the row, then `jira-sync retry 7`');
    }
  });
});

const columns: ColumnInfo[] = [
  { name: 'id', pgType: 'bigint', kind: 'number' },
  { name: 'email_address', pgType: 'text', kind: 'text' },
];
const screen = (): RequestTypeField[] => [
  { fieldId: 'summary', name: 'Summary', required: true, jiraSchema: { type: 'string', system: 'summary' } },
  { fieldId: 'customfield_10025', name: 'Email address', required: true, jiraSchema: { type: 'string', custom: 'x:textfield' } },
  { fieldId: 'customfield_10026', name: 'Contact phone', required: false, jiraSchema: { type: 'string', custom: 'x:textfield' } },
];
const issueIds = { projectKey: 'ITS', issueTypeId: '10002', issueTypeName: 'Task' };
const now = new Date('2026-12-01T08:00:00Z');

describe('changes and refresh notes', () => {
  const later = screen().filter((f) => f.fieldId !== 'customfield_10026');
  later.push({ fieldId: 'customfield_10027', name: 'Site', required: false, jiraSchema: { type: 'string', custom: 'x:textfield' } });

  it('issue mode: added to / removed from the issue type\'s create screen', () => {
    const old = discoverMapping(screen(), columns, { idColumn: 'id', now, ids: issueIds });
    expect(jiraChanges(old.fields, later).map((c) => describeChange(c, 'issue'))).toEqual([
      'field "Contact phone" (customfield_10026) was removed from the issue type\'s create screen',
      'field "Site" (customfield_10027) was added to the issue type\'s create screen (optional)',
    ]);
    const { notes } = mergeMapping(old, later, columns, { idColumn: 'id', now, ids: issueIds });
    expect(notes.find((n) => n.fieldId === 'customfield_10026')?.text).toBe(
      "removed from the issue type's create screen in Jira: dropped from the mapping (its source was no source)",
    );
  });

  it('request mode keeps "the request type"', () => {
    const old = discoverMapping(screen(), columns, { idColumn: 'id', now, ids: { serviceDeskId: '1', requestTypeId: '10' } });
    expect(jiraChanges(old.fields, later).map((c) => describeChange(c))[0]).toBe('field "Contact phone" (customfield_10026) was removed from the request type');
    const { notes } = mergeMapping(old, later, columns, { idColumn: 'id', now });
    expect(notes.find((n) => n.fieldId === 'customfield_10026')?.text).toMatch(/^removed from the request type in Jira: dropped/);
  });
});

describe('map-fields --check of a file made for the other target', () => {
  it('lists no field differences and does not send the person to a refresh that refuses the file', () => {
    const deskFile = discoverMapping(screen().slice(0, 2), columns, { idColumn: 'id', now, ids: { serviceDeskId: '1', requestTypeId: '10' } });
    const r = checkMapping(deskFile, later(), columns, { target: { kind: 'issue', projectKey: 'ITS', issueType: 'Task' } }, 'f.json');
    expect(r.jira).toEqual([]);
    const text = formatCheck(r, 'f.json').join('\n');
    expect(text).toContain('f.json was made for service desk 1, request type 10, but JIRA_PROJECT_KEY and JIRA_ISSUE_TYPE name a plain project');
    expect(text).toContain('map-fields --force');
    expect(text).not.toContain('Run `jira-sync map-fields` to refresh the file');
  });

  it('a file for the same target still lists what changed in Jira, with the refresh advice', () => {
    const issueFile = discoverMapping(screen(), columns, { idColumn: 'id', now, ids: issueIds });
    const r = checkMapping(issueFile, later(), columns, { target: { kind: 'issue', projectKey: 'ITS', issueType: 'Task' } }, 'f.json');
    expect(r.jira).toEqual(['field "Site" (customfield_10027) was added to the issue type\'s create screen (optional)']);
    expect(formatCheck(r, 'f.json').join('\n')).toContain('Run `jira-sync map-fields` to refresh the file');
  });

  function later(): RequestTypeField[] {
    return [...screen(), { fieldId: 'customfield_10027', name: 'Site', required: false, jiraSchema: { type: 'string', custom: 'x:textfield' } }];
  }
});
