// Issue mode end to end: a plain Jira project (no Service Management) through the real CLI, a real
// PostgreSQL and the fake Jira's ITS project: map-fields reads every createmeta page, each row
// becomes one issue (Cloud: API v3 with documents; Data Center: API v2 with plain text) with its
// row attached once, in two calls per submission.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { insertSubmissions, type SubmissionInput } from '../support/db.js';
import { trackerRows, useCliHarness } from '../support/harness.js';
import { ISSUE_MODE, issueRow } from '../support/issueMode.js';

const h = useCliHarness();
const cli = (args: string[], extra: Record<string, string> = {}) => h.cli(args, { ...ISSUE_MODE, ...extra });
const seed = (n: number, over: (i: number) => SubmissionInput = () => ({})) =>
  insertSubmissions(h.db.client, Array.from({ length: n }, (_, i) => issueRow(i, over(i))));
const calls = (method: string, re: RegExp) => h.jira.requests.filter((r) => r.method === method && re.test(r.path));

describe('issue mode (JIRA_PROJECT_KEY + JIRA_ISSUE_TYPE), end to end', () => {
  it('turns 75 rows into 75 issues over four runs (30, 30, 15, 0), each with its row attached once, in two calls each', async () => {
    await seed(75);
    const mapped = await cli(['map-fields']);
    expect(mapped.code, mapped.stdout + mapped.stderr).toBe(0);
    const mapping = JSON.parse(fs.readFileSync(h.ws.mappingPath, 'utf8'));
    expect(mapping).toMatchObject({ projectKey: 'ITS', issueTypeId: '10002', issueTypeName: 'Task' });
    expect(mapping.serviceDeskId).toBeUndefined();
    const byId = new Map<string, { source: unknown; required: boolean }>(mapping.fields.map((f: { fieldId: string }) => [f.fieldId, f]));
    // The required field on the second createmeta page is found and matched.
    expect(byId.get('customfield_10025')).toMatchObject({ required: true, source: { column: 'email_address', match: 'exact' } });
    // Filled by Jira itself: never asked of the table.
    for (const id of ['project', 'issuetype', 'reporter']) expect(byId.has(id), id).toBe(false);
    expect(calls('GET', /\/rest\/api\/3\/issue\/createmeta\/ITS\/issuetypes\/10002$/).length).toBe(2);

    const counts: number[] = [];
    for (let run = 0; run < 4; run++) {
      const before = h.jira.issues.length;
      const requestsBefore = h.jira.requests.length;
      const r = await cli(['run']);
      expect(r.code, r.stderr).toBe(0);
      const made = h.jira.issues.length - before;
      counts.push(made);
      expect(r.stderr).toContain(`created ${made}, skipped 0, failed 0`);
      // Two Jira calls a submission (create, attach), plus one project check when there is work.
      if (made > 0) expect(h.jira.requests.length - requestsBefore).toBe(2 * made + 1);
    }
    expect(counts).toEqual([30, 30, 15, 0]);
    expect(calls('POST', /^\/rest\/api\/3\/issue$/).filter((c) => c.status === 201)).toHaveLength(75);
    expect(calls('POST', /^\/rest\/servicedeskapi\//)).toHaveLength(0);

    const rows = (await h.db.client.query('SELECT id::text AS id, email_address, quantity FROM webform_submissions')).rows;
    const byFile = new Map(h.jira.issues.map((i) => [i.attachments[0]?.filename, i]));
    expect(byFile.size).toBe(75);
    for (const row of rows) {
      const issue = byFile.get(`submission-${row.id}.json`)!;
      expect(issue, `issue for row ${row.id}`).toBeDefined();
      expect(issue.key).toMatch(/^ITS-\d+$/);
      expect(issue.attachments).toHaveLength(1);
      expect(JSON.parse(issue.attachments[0]!.content.toString('utf8'))).toMatchObject({ id: row.id, email_address: row.email_address });
      expect(issue.fields.customfield_10025).toBe(row.email_address);
      expect(issue.fields.customfield_10023).toBe(row.quantity);
      // Cloud: the description is a document, a paragraph a line, the marker among them.
      const doc = issue.fields.description as { type: string; content: { content: { text: string }[] }[] };
      expect(doc.type).toBe('doc');
      const marker = issue.labels.find((l) => l.startsWith('jira-sync-'))!;
      expect(doc.content.map((p) => p.content[0]!.text)).toContain(`jira-sync key: ${marker}`);
      expect(doc.content.map((p) => p.content[0]!.text)).toContain(`- email_address: ${row.email_address}`);
    }
    expect(trackerRows(h.ws).every((t) => t.state === 'done')).toBe(true);
    const requestsBefore = h.jira.requests.length;
    expect((await cli(['run'])).code).toBe(0);
    expect(h.jira.requests.length).toBe(requestsBefore);
  });

  it('converts values for the issue API: options by id, priority by id, dates yyyy-MM-dd, labels without spaces, paragraph fields as documents', async () => {
    await seed(2, (i) => ({ department_name: 'IT', equipment: 'Headset; Desk phone', needed_by: '2026-12-24', notes: i === 0 ? 'First line\n\n*not bold*\nThird line' : 'x' }));
    expect((await cli(['map-fields'])).code).toBe(0);
    const mapping = JSON.parse(fs.readFileSync(h.ws.mappingPath, 'utf8'));
    // Hand edits: a column for the paragraph field, a constant priority, labels from a template.
    for (const f of mapping.fields) {
      if (f.fieldId === 'customfield_10024') f.source = { column: 'notes', match: 'manual' };
      if (f.fieldId === 'priority') f.source = { constant: 'High' };
      if (f.fieldId === 'labels') f.source = { template: 'web form {{department_name}}' };
    }
    fs.writeFileSync(h.ws.mappingPath, JSON.stringify(mapping, null, 2));
    const r = await cli(['run']);
    expect(r.code, r.stderr).toBe(0);
    const issue = h.jira.issues.find((i) => i.attachments[0]?.filename === 'submission-1.json')!;
    expect(issue.fields).toMatchObject({
      customfield_10020: { id: '10202' },
      customfield_10021: [{ id: '10211' }, { id: '10212' }],
      customfield_10022: '2026-12-24',
      priority: { id: '2' },
      customfield_10024: {
        type: 'doc',
        version: 1,
        content: [
          { type: 'paragraph', content: [{ type: 'text', text: 'First line' }] },
          { type: 'paragraph', content: [{ type: 'text', text: '*not bold*' }] },
          { type: 'paragraph', content: [{ type: 'text', text: 'Third line' }] },
        ],
      },
    });
    expect(issue.labels).toEqual(expect.arrayContaining(['web-form-IT']));
    expect(issue.labels.some((l) => l.startsWith('jira-sync-'))).toBe(true);
    // Edits survive a refresh.
    expect((await cli(['map-fields'])).code).toBe(0);
    const again = JSON.parse(fs.readFileSync(h.ws.mappingPath, 'utf8'));
    expect(again.fields.find((f: { fieldId: string }) => f.fieldId === 'priority').source).toEqual({ constant: 'High' });
  });

  it('Data Center (JIRA_PAT, API v2): the same job with plain text, createmeta read from `values` pages', async () => {
    h.jira.setAuth({ pat: 'dc-pat-1234' });
    await seed(5);
    const dc = { JIRA_EMAIL: '', JIRA_API_TOKEN: '', JIRA_PAT: 'dc-pat-1234' };
    const mapped = await cli(['map-fields'], dc);
    expect(mapped.code, mapped.stdout + mapped.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(h.ws.mappingPath, 'utf8')).fields.find((f: { fieldId: string }) => f.fieldId === 'customfield_10025').source).toEqual({ column: 'email_address', match: 'exact' });
    const r = await cli(['run'], dc);
    expect(r.code, r.stderr).toBe(0);
    expect(h.jira.issues).toHaveLength(5);
    expect(calls('POST', /^\/rest\/api\/2\/issue$/)).toHaveLength(5);
    expect(calls('POST', /^\/rest\/api\/2\/issue\/ITS-\d+\/attachments$/)).toHaveLength(5);
    expect(calls('POST', /^\/rest\/api\/3\//)).toHaveLength(0);
    for (const issue of h.jira.issues) {
      expect(typeof issue.fields.description).toBe('string');
      expect(issue.attachments).toHaveLength(1);
    }
  });

  it('a wrong project key or issue type is named with the ones that exist (exit 2); an issue type by id works too', async () => {
    await seed(1);
    const noProject = await cli(['map-fields'], { JIRA_PROJECT_KEY: 'NOPE' });
    expect(noProject.code).toBe(2);
    expect(noProject.stderr).toMatch(/JIRA_PROJECT_KEY: project NOPE was not found in Jira.*\n\s+HW\s+HW Service Desk\n\s+ITS\s+ITS IT Support/s);
    const noType = await cli(['map-fields'], { JIRA_ISSUE_TYPE: 'Story' });
    expect(noType.code).toBe(2);
    expect(noType.stderr).toMatch(/JIRA_ISSUE_TYPE: "Story" is not an issue type of project ITS.*\n\s+10002\s+Task\n\s+10004\s+Bug/s);
    expect(noType.stderr).not.toContain('Subtask');
    const subtask = await cli(['map-fields'], { JIRA_ISSUE_TYPE: 'subtask' });
    expect(subtask.stderr).toContain('is a sub-task type');
    expect(fs.existsSync(h.ws.mappingPath)).toBe(false);

    const byId = await cli(['map-fields'], { JIRA_ISSUE_TYPE: '10004' });
    expect(byId.code, byId.stdout + byId.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(h.ws.mappingPath, 'utf8'))).toMatchObject({ projectKey: 'ITS', issueTypeId: '10004', issueTypeName: 'Bug' });
    // The same issue type by name is the same file; another one is said, and nothing is changed.
    expect((await cli(['map-fields', '--check'], { JIRA_ISSUE_TYPE: 'bug' })).code).toBe(0);
    const other = await cli(['map-fields']);
    expect(other.code).toBe(2);
    expect(other.stdout.replace(/\s+/g, ' ')).toMatch(/was made for issue type Bug \(10004\), but JIRA_ISSUE_TYPE says Task\. Nothing was changed: either JIRA_PROJECT_KEY or JIRA_ISSUE_TYPE/);
    const run = await cli(['run']);
    expect(run.code).toBe(2);
    expect(run.stderr.replace(/\s+/g, ' ')).toContain('JIRA_ISSUE_TYPE says Task');
    expect(h.jira.issues).toHaveLength(0);
    // --force makes the file for the configured issue type.
    expect((await cli(['map-fields', '--force'])).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(h.ws.mappingPath, 'utf8'))).toMatchObject({ issueTypeId: '10002', issueTypeName: 'Task' });
  });

  it('both pairs, or neither, is a configuration error (exit 2) naming the pairs, before anything is touched', async () => {
    const both = await cli(['run'], { JSM_SERVICE_DESK_ID: '1', JSM_REQUEST_TYPE_ID: '10' });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('set one pair, not both');
    const neither = await cli(['map-fields'], { JIRA_PROJECT_KEY: '', JIRA_ISSUE_TYPE: '' });
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(/JSM_SERVICE_DESK_ID \+ JSM_REQUEST_TYPE_ID.*or JIRA_PROJECT_KEY \+ JIRA_ISSUE_TYPE/);
    expect(fs.existsSync(h.ws.trackerPath)).toBe(false);
    expect(h.jira.requests).toHaveLength(0);
  });
});
