/**
 * The fake's plain Jira project, part 2: issue attachments behind the XSRF check, search over
 * plain issues (marker recovery), and the fault machinery on the new routes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Version3Client } from 'jira.js';
import { adf, call } from '../support/fakeJira/client.js';
import { startFakeJira, TASK_ISSUE_TYPE_ID, type FakeJira, type FakeJiraAuth, type FakeJiraOptions } from '../support/fakeJira/index.js';

const CLOUD = { email: 'bot@example.com', apiToken: 'secret-token' };
const AUTH: FakeJiraAuth = CLOUD;

const started: FakeJira[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()));
});

async function fakeJira(opts: FakeJiraOptions = {}): Promise<FakeJira> {
  const fake = await startFakeJira({ auth: AUTH, ...opts });
  started.push(fake);
  return fake;
}

const v3 = (fake: FakeJira) => new Version3Client({ host: fake.url, authentication: { basic: CLOUD } });

function createTask(fake: FakeJira, marker: string, labels: string[] = ['jira-sync', marker]) {
  return call(fake, AUTH, 'POST', '/rest/api/3/issue', {
    json: {
      fields: {
        project: { key: 'ITS' },
        issuetype: { id: TASK_ISSUE_TYPE_ID },
        summary: `Request ${marker}`,
        description: adf(`Details\njira-sync marker: ${marker}`),
        customfield_10025: 'ada@example.com',
        labels,
      },
    },
  });
}

function jsonFile(name: string, content: string): FormData {
  const form = new FormData();
  form.append('file', new Blob([content], { type: 'application/json' }), name);
  return form;
}

describe('fake Jira plain project: attachments', () => {
  it('refuses an upload without X-Atlassian-Token with a plain-text 403 and attaches nothing', async () => {
    const fake = await fakeJira();
    await createTask(fake, 'js-1');
    const res = await call(fake, AUTH, 'POST', '/rest/api/3/issue/ITS-1/attachments', { form: jsonFile('submission.json', '{}') });
    expect(res).toMatchObject({ status: 403, body: 'XSRF check failed' });
    expect(fake.issues[0]?.attachments).toHaveLength(0);
  });

  it('attaches through jira.js with 200 and the list of attachment objects, bytes unchanged', async () => {
    const fake = await fakeJira();
    await createTask(fake, 'js-1');
    const content = JSON.stringify({ id: 42, name: 'Ada Lovelace', note: 'ünïcødé ✓' });
    const added = await v3(fake).issueAttachments.addAttachment({
      issueIdOrKey: 'ITS-1',
      attachment: { filename: 'submission-42.json', file: Buffer.from(content), mimeType: 'application/json' },
    });
    expect(added).toEqual([
      {
        self: `${fake.url}/rest/api/3/attachment/20001`,
        id: '20001',
        filename: 'submission-42.json',
        author: expect.objectContaining({ accountId: expect.any(String) }),
        created: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        size: Buffer.byteLength(content),
        mimeType: 'application/json',
        content: `${fake.url}/rest/api/3/attachment/content/20001`,
      },
    ]);
    // UserDetails: the OpenAPI schema allows no further properties (the full User bean has a locale).
    expect(added[0]?.author).not.toHaveProperty('locale');
    expect(fake.issues[0]?.attachments.map((a) => a.content.toString('utf8'))).toEqual([content]);
    const viaGet = await call(fake, AUTH, 'GET', '/rest/api/3/issue/ITS-1?fields=attachment');
    expect(viaGet.body).toMatchObject({ key: 'ITS-1', fields: { attachment: [{ id: '20001', filename: 'submission-42.json' }] } });
  });

  it('answers 404 for an unknown issue (after the XSRF check), 415 for a non-multipart body', async () => {
    const fake = await fakeJira();
    const headers = { 'X-Atlassian-Token': 'no-check' };
    expect(await call(fake, AUTH, 'POST', '/rest/api/2/issue/ITS-9/attachments', { form: jsonFile('a.json', '{}'), headers })).toMatchObject({
      status: 404,
      body: { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} },
    });
    await createTask(fake, 'js-1');
    expect((await call(fake, AUTH, 'POST', '/rest/api/2/issue/ITS-1/attachments', { json: {}, headers })).status).toBe(415);
  });

  it('keeps plain issues out of the service desk API, and numbers keys per project', async () => {
    const fake = await fakeJira();
    await createTask(fake, 'js-1');
    expect((await call(fake, AUTH, 'GET', '/rest/servicedeskapi/request/ITS-1')).status).toBe(404);
    const request = await call(fake, AUTH, 'POST', '/rest/servicedeskapi/request', {
      json: {
        serviceDeskId: '1',
        requestTypeId: '10',
        requestFieldValues: { summary: 's', customfield_10010: 'a@example.com', customfield_10013: [{ id: '10102' }] },
      },
    });
    expect(request.body).toMatchObject({ issueKey: 'HW-1' });
    expect((await createTask(fake, 'js-2')).body).toMatchObject({ key: 'ITS-2' });
  });
});

describe('fake Jira plain project: search', () => {
  it('finds plain issues by label, by marker text and by project, after the index lag', async () => {
    let now = 1_000_000;
    const fake = await fakeJira({ now: () => now, searchLagMs: 5_000 });
    await createTask(fake, 'js-aaa');
    await createTask(fake, 'js-bbb', ['jira-sync']);
    const search = (jql: string) =>
      call(fake, AUTH, 'POST', '/rest/api/3/search/jql', { json: { jql, fields: ['summary', 'labels', 'description', 'project', 'issuetype'] } });
    const keys = async (jql: string) => ((await search(jql)).body as { issues: { key: string }[] }).issues.map((i) => i.key);

    expect(await keys('labels = "js-aaa"')).toEqual([]);
    now += 5_000;
    expect(await keys('labels = "js-aaa"')).toEqual(['ITS-1']);
    expect(await keys('text ~ "jira-sync marker: js-bbb"')).toEqual(['ITS-2']);
    expect(await keys('project = its AND labels = "jira-sync" ORDER BY key ASC')).toEqual(['ITS-1', 'ITS-2']);
    expect(await keys('project = HW')).toEqual([]);

    const bean = ((await search('labels = "js-aaa"')).body as { issues: { fields: Record<string, unknown> }[] }).issues[0]!;
    expect(bean.fields).toMatchObject({
      project: { key: 'ITS' },
      issuetype: { id: TASK_ISSUE_TYPE_ID, name: 'Task' },
      description: adf('Details\njira-sync marker: js-aaa'),
    });
    const classic = await call(fake, AUTH, 'GET', '/rest/api/2/search?jql=labels%20%3D%20js-aaa&fields=description');
    expect(classic.body).toMatchObject({ total: 1, issues: [{ fields: { description: 'Details\njira-sync marker: js-aaa' } }] });
  });
});

describe('fake Jira plain project: faults', () => {
  it('drop-after-effect on POST /issue creates the issue the client never hears about; status-after-effect on attachments attaches', async () => {
    const fake = await fakeJira();
    fake.injectFault({ match: { method: 'POST', path: '/rest/api/3/issue' }, kind: 'drop-after-effect' });
    await expect(createTask(fake, 'js-lost')).rejects.toThrow();
    expect(fake.issues.map((i) => i.key)).toEqual(['ITS-1']);
    expect(fake.requests.at(-1)).toMatchObject({ status: 0, fault: 'drop-after-effect' });

    fake.injectFault({ match: { method: 'POST', path: /\/issue\/[^/]+\/attachments$/ }, kind: 'status-after-effect', status: 503 });
    const res = await call(fake, AUTH, 'POST', '/rest/api/3/issue/ITS-1/attachments', {
      form: jsonFile('s.json', '{}'),
      headers: { 'X-Atlassian-Token': 'no-check' },
    });
    expect(res.status).toBe(503);
    expect(fake.issues[0]?.attachments).toHaveLength(1);
  });

  it('rate-limits the new routes without side effects, and holds them at a barrier', async () => {
    const fake = await fakeJira({ rateLimitPerSecond: 2 });
    const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => createTask(fake, `js-${i}`)));
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(2);
    expect(Number(limited[0]?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(fake.issues).toHaveLength(answers.filter((a) => a.status === 201).length);

    fake.setRateLimit(undefined);
    fake.injectFault({ match: { path: /\/createmeta\// }, kind: 'barrier', parties: 2 });
    const meta = () => call(fake, AUTH, 'GET', '/rest/api/3/issue/createmeta/ITS/issuetypes');
    let firstDone = false;
    const first = meta().then((a) => ((firstDone = true), a));
    await new Promise((r) => setTimeout(r, 100));
    expect(firstDone).toBe(false);
    const [a, b] = await Promise.all([first, meta()]);
    expect([a.status, b.status]).toEqual([200, 200]);
  });
});
