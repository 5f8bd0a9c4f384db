/**
 * The fake's plain Jira project, part 1: create metadata (paged like Jira, Cloud and Data Center
 * shapes) and POST /issue validation. The issue mode of jira-sync is built against these
 * behaviours, so each one is pinned here over real HTTP.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Version3Client } from 'jira.js';
import { adf, call } from '../support/fakeJira/client.js';
import { startFakeJira, TASK_ISSUE_TYPE_ID, type FakeJira, type FakeJiraAuth } from '../support/fakeJira/index.js';

const CLOUD: FakeJiraAuth = { email: 'bot@example.com', apiToken: 'secret-token' };
const DC: FakeJiraAuth = { pat: 'dc-personal-access-token' };
const TASK_META = `/rest/api/3/issue/createmeta/ITS/issuetypes/${TASK_ISSUE_TYPE_ID}`;

const started: FakeJira[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()));
});

async function fakeJira(auth: FakeJiraAuth = CLOUD): Promise<FakeJira> {
  const fake = await startFakeJira({ auth });
  started.push(fake);
  return fake;
}

interface FieldMeta {
  fieldId: string;
  key: string;
  name: string;
  required: boolean;
  hasDefaultValue: boolean;
  operations: string[];
  schema: { type: string };
  allowedValues?: Record<string, unknown>[];
  defaultValue?: unknown;
}

/** A valid Task for API v3 (Cloud). */
function taskFields(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    project: { key: 'ITS' },
    issuetype: { id: TASK_ISSUE_TYPE_ID },
    summary: 'New phone for Ada',
    description: adf('Submission 42\n\njira-sync marker: js-abc123'),
    customfield_10025: 'ada@example.com',
    ...overrides,
  };
}

describe('fake Jira plain project: create metadata', () => {
  it('lists the projects that exist, so a wrong key can be answered with them', async () => {
    const fake = await fakeJira();
    const list = await call(fake, CLOUD, 'GET', '/rest/api/2/project');
    expect((list.body as { key: string; projectTypeKey: string }[]).map((p) => [p.key, p.projectTypeKey])).toEqual([
      ['HW', 'service_desk'],
      ['ITS', 'software'],
    ]);
    const search = await call(fake, CLOUD, 'GET', '/rest/api/3/project/search?maxResults=1');
    expect(search.body).toMatchObject({ startAt: 0, maxResults: 1, total: 2, isLast: false, values: [{ key: 'HW' }] });
    expect((search.body as { nextPage: string }).nextPage).toBe(`${fake.url}/rest/api/3/project/search?startAt=1&maxResults=1`);
    expect(await call(fake, CLOUD, 'GET', '/rest/api/3/project/search?query=support')).toMatchObject({ body: { total: 1, values: [{ key: 'ITS' }] } });
    const its = await call(fake, CLOUD, 'GET', '/rest/api/3/project/its');
    expect(its.body).toMatchObject({ id: '10001', key: 'ITS', issueTypes: [{ name: 'Task' }, { name: 'Subtask' }, { name: 'Bug' }] });
    expect(await call(fake, CLOUD, 'GET', '/rest/api/3/project/NOPE')).toMatchObject({
      status: 404,
      body: { errorMessages: ["No project could be found with key 'NOPE'."], errors: {} },
    });
  });

  it('lists issue types paged, by project key (any case) or id, with Jira 404/400 bodies for bad input', async () => {
    const fake = await fakeJira();
    const all = await call(fake, CLOUD, 'GET', '/rest/api/3/issue/createmeta/ITS/issuetypes');
    expect(all.status).toBe(200);
    const page = all.body as { issueTypes: { id: string; name: string; subtask: boolean; self: string }[] };
    expect(Object.keys(page).sort()).toEqual(['issueTypes', 'maxResults', 'startAt', 'total']);
    expect(page).toMatchObject({ startAt: 0, maxResults: 50, total: 3 });
    expect(page.issueTypes.map((t) => [t.id, t.name, t.subtask])).toEqual([
      ['10002', 'Task', false],
      ['10003', 'Subtask', true],
      ['10004', 'Bug', false],
    ]);

    const second = await call(fake, CLOUD, 'GET', '/rest/api/2/issue/createmeta/10001/issuetypes?startAt=1&maxResults=1');
    expect(second.body).toMatchObject({ startAt: 1, maxResults: 1, total: 3, issueTypes: [{ name: 'Subtask' }] });
    expect((await call(fake, CLOUD, 'GET', '/rest/api/3/issue/createmeta/its/issuetypes')).status).toBe(200);

    expect(await call(fake, CLOUD, 'GET', '/rest/api/3/issue/createmeta/NOPE/issuetypes')).toMatchObject({
      status: 404,
      body: { errorMessages: ["No project could be found with key 'NOPE'."], errors: {} },
    });
    expect(await call(fake, CLOUD, 'GET', '/rest/api/3/issue/createmeta/ITS/issuetypes?maxResults=201')).toMatchObject({
      status: 400,
      body: { errorMessages: ["Parameter 'maxResults' must not exceed the limit '200'"], errors: {} },
    });
  });

  it('pages the fields 50 at a time and puts a required field on the second page', async () => {
    const fake = await fakeJira();
    const first = (await call(fake, CLOUD, 'GET', TASK_META)).body as { fields: FieldMeta[]; total: number };
    expect(Object.keys(first).sort()).toEqual(['fields', 'maxResults', 'startAt', 'total']);
    expect(first).toMatchObject({ startAt: 0, maxResults: 50, total: 52 });
    expect(first.fields).toHaveLength(50);
    expect(first.fields.map((f) => f.fieldId)).not.toContain('customfield_10025');

    const second = (await call(fake, CLOUD, 'GET', `${TASK_META}?startAt=50`)).body as { fields: FieldMeta[] };
    expect(second.fields.map((f) => f.fieldId)).toEqual(['customfield_10025', 'customfield_10026']);
    const required = [...first.fields, ...second.fields].filter((f) => f.required).map((f) => f.fieldId);
    expect(required).toEqual(['summary', 'issuetype', 'project', 'reporter', 'customfield_10025']);

    const byId = new Map(first.fields.map((f) => [f.fieldId, f]));
    expect(byId.get('reporter')).toMatchObject({ hasDefaultValue: true, key: 'reporter', name: 'Reporter', operations: ['set'] });
    expect(byId.get('customfield_10020')?.allowedValues?.[0]).toEqual({
      self: `${fake.url}/rest/api/3/customFieldOption/10200`,
      value: 'Finance',
      id: '10200',
    });
    expect(byId.get('priority')).toMatchObject({ hasDefaultValue: true, defaultValue: { id: '3', name: 'Medium' } });
    expect(byId.get('labels')?.operations).toEqual(['add', 'set', 'remove']);
    expect(byId.get('customfield_10024')?.schema).toMatchObject({ type: 'string', custom: expect.stringMatching(/:textarea$/) });

    // jira.js reads the same page (its Cloud model names the list `fields`).
    const client = new Version3Client({ host: fake.url, authentication: { basic: CLOUD as { email: string; apiToken: string } } });
    const viaClient = await client.issues.getCreateIssueMetaIssueTypeId({ projectIdOrKey: 'ITS', issueTypeId: TASK_ISSUE_TYPE_ID, startAt: 50 });
    expect(viaClient.fields?.map((f) => f.fieldId)).toEqual(['customfield_10025', 'customfield_10026']);

    expect(await call(fake, CLOUD, 'GET', '/rest/api/3/issue/createmeta/ITS/issuetypes/99')).toMatchObject({ status: 400, body: { errors: {} } });
    expect((await call(fake, CLOUD, 'GET', '/rest/api/3/issue/createmeta/NOPE/issuetypes/10002')).status).toBe(404);
  });

  it('answers Data Center (PAT, v2) in its own shape: values and isLast', async () => {
    const fake = await fakeJira(DC);
    const path = `/rest/api/2/issue/createmeta/ITS/issuetypes/${TASK_ISSUE_TYPE_ID}`;
    const first = await call(fake, DC, 'GET', path);
    expect(Object.keys(first.body as object).sort()).toEqual(['isLast', 'maxResults', 'startAt', 'total', 'values']);
    expect(first.body).toMatchObject({ startAt: 0, maxResults: 50, total: 52, isLast: false });
    const last = await call(fake, DC, 'GET', `${path}?startAt=50`);
    expect(last.body).toMatchObject({ isLast: true, values: [{ fieldId: 'customfield_10025', required: true }, {}] });
    expect(await call(fake, DC, 'GET', '/rest/api/2/issue/createmeta/ITS/issuetypes')).toMatchObject({ body: { isLast: true, total: 3 } });
  });
});

describe('fake Jira plain project: POST /issue validation', () => {
  it('creates a Task on v3 and answers 201 with exactly id, key and self', async () => {
    const fake = await fakeJira();
    const res = await call(fake, CLOUD, 'POST', '/rest/api/3/issue', {
      json: {
        fields: taskFields({
          priority: { id: '2' },
          labels: ['jira-sync', 'js-abc123'],
          duedate: '2026-12-24',
          customfield_10020: { value: 'HR' },
          customfield_10021: [{ id: '10211' }, { value: 'Desk phone' }],
          customfield_10023: 2,
          customfield_10024: adf('first line\nsecond line'),
        }),
      },
    });
    expect(res).toEqual({ status: 201, headers: res.headers, body: { id: '10001', key: 'ITS-1', self: `${fake.url}/rest/api/3/issue/10001` } });
    const issue = fake.issues[0]!;
    expect(issue).toMatchObject({ projectKey: 'ITS', issueTypeId: '10002', requestTypeId: '', labels: ['jira-sync', 'js-abc123'] });
    expect(issue.description).toBe('Submission 42\n\njira-sync marker: js-abc123');
  });

  it('reports every problem at once in errors, keyed by field, and creates nothing', async () => {
    const fake = await fakeJira();
    const res = await call(fake, CLOUD, 'POST', '/rest/api/3/issue', {
      json: {
        fields: {
          project: { key: 'ITS' },
          issuetype: { name: 'Task' },
          description: 'plain text where v3 wants a document',
          customfield_10024: 'plain text in a paragraph field',
          customfield_99999: 'x',
          customfield_10020: { id: '999' },
          customfield_10021: [{ value: 'Fax machine' }],
          labels: ['two words'],
          duedate: '24/12/2026',
          priority: { id: '9' },
        },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      errorMessages: [],
      errors: {
        summary: 'You must specify a summary of the issue.',
        customfield_10025: 'Email address is required.',
        description: 'Operation value must be an Atlassian Document (see the Atlassian Document Format)',
        customfield_10024: 'Operation value must be an Atlassian Document (see the Atlassian Document Format)',
        customfield_99999: "Field 'customfield_99999' cannot be set. It is not on the appropriate screen, or unknown.",
        customfield_10020: "Option id '999' is not valid",
        customfield_10021: "Option value 'Fax machine' is not valid",
        labels: "The label 'two words' contains spaces which is invalid.",
        duedate: 'Error parsing date string: 24/12/2026',
        priority: expect.stringContaining("'9'"),
      },
    });
    expect(fake.issues).toHaveLength(0);
  });

  it('rejects a wrong project or issue type first, malformed documents, and fields of another screen', async () => {
    const fake = await fakeJira();
    const post = (fields: Record<string, unknown>) => call(fake, CLOUD, 'POST', '/rest/api/3/issue', { json: { fields } });
    expect((await post(taskFields({ project: { key: 'HWX' } }))).body).toEqual({ errorMessages: [], errors: { project: 'Specify a valid project ID or key' } });
    expect((await post(taskFields({ issuetype: { id: '99' } }))).body).toEqual({ errorMessages: [], errors: { issuetype: 'Specify a valid issue type' } });
    // Blank lines must become empty paragraphs, never empty text nodes.
    const emptyText = { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: '' }] }] };
    expect((await post(taskFields({ description: emptyText }))).body).toEqual({ errorMessages: [], errors: { description: 'INVALID_INPUT' } });
    expect((await post(taskFields({ description: { type: 'doc', content: [] } }))).body).toMatchObject({ errors: { description: 'INVALID_INPUT' } });
    // Bug's screen has no Email address: sending it there is an unknown field.
    expect((await post(taskFields({ issuetype: { name: 'Bug' } }))).body).toMatchObject({ errors: { customfield_10025: expect.stringContaining('cannot be set') } });
    expect((await post(taskFields({ summary: 'two\nlines' }))).body).toMatchObject({ errors: { summary: expect.stringContaining('newline') } });
    expect((await post(taskFields({ customfield_10022: '2026-02-30' }))).body).toMatchObject({ errors: { customfield_10022: 'Error parsing date string: 2026-02-30' } });
    expect((await post(taskFields({ customfield_10020: 'HR' }))).body).toMatchObject({ errors: { customfield_10020: expect.stringContaining("'id' or 'value'") } });
    expect(fake.issues).toHaveLength(0);
    expect((await post(taskFields({ issuetype: { name: 'Bug' }, customfield_10025: undefined }))).status).toBe(201);
  });

  it('takes plain text on Data Center v2 and refuses a document there', async () => {
    const fake = await fakeJira(DC);
    const fields = taskFields({ description: 'Submission 42\njira-sync marker: js-dc1', customfield_10024: 'line one\nline two', reporter: { name: 'agent@example.com' } });
    const ok = await call(fake, DC, 'POST', '/rest/api/2/issue', { json: { fields } });
    expect(ok).toMatchObject({ status: 201, body: { key: 'ITS-1', self: `${fake.url}/rest/api/2/issue/10001` } });
    expect(fake.issues[0]?.description).toBe('Submission 42\njira-sync marker: js-dc1');
    const doc = await call(fake, DC, 'POST', '/rest/api/2/issue', { json: { fields: { ...fields, description: adf('x') } } });
    expect(doc.body).toEqual({ errorMessages: [], errors: { description: 'Operation value must be a string' } });
  });
});
