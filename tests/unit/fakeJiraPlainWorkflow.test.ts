/**
 * The fake's plain project and its workflow together: issues created through the issue API
 * follow their own workflow (starting in 'To Do'), share one search with the service desk's
 * requests (project, status and statusCategory JQL across both projects), and GET /issue shows
 * their live status while search shows the lagging index.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { adf, call } from '../support/fakeJira/client.js';
import { startFakeJira, TASK_ISSUE_TYPE_ID, type FakeJira, type FakeJiraAuth } from '../support/fakeJira/index.js';

const AUTH: FakeJiraAuth = { email: 'bot@example.com', apiToken: 'secret-token' };

const started: FakeJira[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()));
});

async function fakeJira(searchLagMs = 0) {
  const clock = { now: Date.parse('2026-11-23T09:00:00.000Z') };
  const fake = await startFakeJira({ auth: AUTH, now: () => clock.now, searchLagMs });
  started.push(fake);
  return { fake, at: (iso: string) => void (clock.now = Date.parse(iso)) };
}

async function createTask(fake: FakeJira, summary: string): Promise<string> {
  const res = await call(fake, AUTH, 'POST', '/rest/api/3/issue', {
    json: {
      fields: {
        project: { key: 'ITS' },
        issuetype: { id: TASK_ISSUE_TYPE_ID },
        summary,
        description: adf(`Details of ${summary}`),
        customfield_10025: 'ada@example.com',
      },
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return (res.body as { key: string }).key;
}

async function createRequest(fake: FakeJira, summary: string): Promise<string> {
  const res = await call(fake, AUTH, 'POST', '/rest/servicedeskapi/request', {
    json: { serviceDeskId: '1', requestTypeId: '10', requestFieldValues: { summary, customfield_10010: 'ada@example.com', customfield_10013: [{ id: '10102' }] } },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return (res.body as { issueKey: string }).issueKey;
}

// Answers are probed field by field with toMatchObject; a full type for each would only restate the assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Bean = { key: string; fields: Record<string, any> };

async function search(fake: FakeJira, jql: string): Promise<{ status: number; issues: Bean[]; body: unknown }> {
  const res = await call(fake, AUTH, 'POST', '/rest/api/3/search/jql', { json: { jql, fields: ['status', 'project', 'issuetype', 'resolution', 'updated'] } });
  return { status: res.status, issues: (res.body as { issues?: Bean[] }).issues ?? [], body: res.body };
}

const keys = async (fake: FakeJira, jql: string) => {
  const res = await search(fake, jql);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.issues.map((i) => i.key);
};

describe('fake Jira plain project: workflow', () => {
  it("starts plain issues in 'To Do' and requests in 'Waiting for support', each bean in its own project", async () => {
    const { fake } = await fakeJira();
    const task = await createTask(fake, 'Laptop');
    const request = await createRequest(fake, 'Phone');
    const byKey = new Map((await search(fake, 'project in (HW, ITS)')).issues.map((b) => [b.key, b.fields]));
    expect(byKey.get(task)).toMatchObject({
      status: { name: 'To Do', statusCategory: { key: 'new', name: 'To Do' } },
      project: { key: 'ITS', id: '10001' },
      issuetype: { id: TASK_ISSUE_TYPE_ID, name: 'Task' },
      resolution: null,
    });
    expect(byKey.get(request)).toMatchObject({ status: { name: 'Waiting for support', statusCategory: { key: 'new' } }, project: { key: 'HW', id: '10000' } });
    expect(byKey.get(request)).not.toHaveProperty('issuetype');
  });

  it('resolves project, status and statusCategory across both projects, by key or id', async () => {
    const { fake } = await fakeJira();
    const task = await createTask(fake, 'Laptop');
    const request = await createRequest(fake, 'Phone');
    expect(await keys(fake, 'project = 10001')).toEqual([task]);
    expect(await keys(fake, 'project = hw')).toEqual([request]);
    expect(await keys(fake, 'project in (10000, its) ORDER BY key ASC')).toEqual([request, task]);
    expect(await keys(fake, 'status = "To Do"')).toEqual([task]);
    expect(await keys(fake, 'statusCategory = new ORDER BY key DESC')).toEqual([task, request]);
    expect(await search(fake, 'project = NOPE')).toMatchObject({ status: 400, body: { errorMessages: ["The value 'NOPE' does not exist for the field 'project'."] } });
  });

  it("moves a plain issue only through its own workflow; GET /issue is live while search lags", async () => {
    const { fake, at } = await fakeJira(5_000);
    const task = await createTask(fake, 'Laptop');
    expect(() => fake.transition(task, 'Waiting for customer')).toThrow(/No status 'Waiting for customer' in the workflow of ITS-1/);

    at('2026-11-23T10:00:00.000Z');
    fake.resolve(task, "Won't Do");
    const live = await call(fake, AUTH, 'GET', `/rest/api/3/issue/${task}?fields=status,resolution,resolutiondate,updated`);
    expect(live.body).toMatchObject({
      key: task,
      fields: { status: { name: 'Done', statusCategory: { key: 'done' } }, resolution: { name: "Won't Do" }, resolutiondate: '2026-11-23T10:00:00.000+0000' },
    });
    expect((await search(fake, `key = ${task}`)).issues[0]?.fields).toMatchObject({ status: { name: 'To Do' }, resolution: null });
    at('2026-11-23T10:00:05.000Z');
    expect(await keys(fake, 'statusCategory = Done AND project = ITS')).toEqual([task]);

    fake.reopen(task);
    const reopened = await call(fake, AUTH, 'GET', `/rest/api/2/issue/${task}?fields=status,description`);
    expect(reopened.body).toMatchObject({ fields: { status: { name: 'To Do' }, description: 'Details of Laptop' } });
  });

  it('an attachment moves a plain issue’s updated on; a deleted one is gone from GET at once and from search after the lag', async () => {
    const { fake, at } = await fakeJira(1_000);
    const task = await createTask(fake, 'Laptop');
    at('2026-11-23T09:30:00.000Z');
    const form = new FormData();
    form.append('file', new Blob(['{}'], { type: 'application/json' }), 'submission.json');
    const upload = await call(fake, AUTH, 'POST', `/rest/api/3/issue/${task}/attachments`, { form, headers: { 'X-Atlassian-Token': 'no-check' } });
    expect(upload.status).toBe(200);
    const got = await call(fake, AUTH, 'GET', `/rest/api/3/issue/${task}?fields=updated,created`);
    expect(got.body).toMatchObject({ fields: { created: '2026-11-23T09:00:00.000+0000', updated: '2026-11-23T09:30:00.000+0000' } });

    fake.deleteIssue(task);
    expect((await call(fake, AUTH, 'GET', `/rest/api/3/issue/${task}`)).status).toBe(404);
    expect(await keys(fake, 'project = ITS')).toEqual([task]);
    at('2026-11-23T09:30:01.000Z');
    expect(await keys(fake, 'project = ITS')).toEqual([]);
  });
});
