import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpException, ServiceDeskClient, Version2Client, Version3Client } from 'jira.js';
import { startFakeJira, type FakeJira, type FakeJiraOptions } from '../support/fakeJira/index.js';

const EMAIL = 'bot@example.com';
const TOKEN = 'secret-token';

const started: FakeJira[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()));
});

async function fakeJira(opts: FakeJiraOptions = {}): Promise<FakeJira> {
  const fake = await startFakeJira({ auth: { email: EMAIL, apiToken: TOKEN }, ...opts });
  started.push(fake);
  return fake;
}

const sd = (fake: FakeJira, apiToken = TOKEN) =>
  new ServiceDeskClient({ host: fake.url, authentication: { basic: { email: EMAIL, apiToken } } });
const v3 = (fake: FakeJira) => new Version3Client({ host: fake.url, authentication: { basic: { email: EMAIL, apiToken: TOKEN } } });

function validFields(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    summary: 'New phone for Ada',
    description: 'Submission 42',
    customfield_10010: 'ada@example.com',
    customfield_10013: [{ value: 'Headset' }, { id: '10103' }],
    customfield_10014: '2026-12-01',
    customfield_10015: 2,
    labels: ['jira-sync', 'submission-42'],
    ...overrides,
  };
}

async function createRequest(fake: FakeJira, fields: Record<string, unknown> = validFields()) {
  return sd(fake).request.createCustomerRequest({ serviceDeskId: '1', requestTypeId: '10', requestFieldValues: fields });
}

/**
 * jira.js 5.4 throws HttpException (with .status) for answered requests; its .cause is the
 * AxiosError, whose .response.headers carry Retry-After. Lost responses throw the AxiosError itself.
 */
type JiraError = HttpException & { cause?: { response?: { headers?: Record<string, string | undefined> } }; code?: string };

interface ErrorBody {
  errorMessage: string;
  i18nErrorMessage: { i18nKey: string; parameters: string[] };
  errorMessages: string[];
  errors: Record<string, string>;
}

async function failure(promise: Promise<unknown>): Promise<JiraError> {
  try {
    await promise;
  } catch (e) {
    return e as JiraError;
  }
  throw new Error('expected the call to fail');
}

const body = (e: HttpException) => (e.response as { data: ErrorBody }).data;

interface TemporaryAttachments {
  temporaryAttachments: { temporaryAttachmentId: string; fileName: string }[];
}

describe('fake Jira: requests and attachments', () => {
  it('creates a request, uploads a temporary file and attaches it with identical bytes', async () => {
    const fake = await fakeJira();
    const client = sd(fake);
    const meta = await client.serviceDesk.getRequestTypeFields({ serviceDeskId: '1', requestTypeId: 10 });
    expect(meta.requestTypeFields?.map((f) => f.fieldId)).toContain('customfield_10013');

    const created = await createRequest(fake);
    expect(created.issueKey).toBe('HW-1');
    expect(created.requestFieldValues?.find((v) => v.fieldId === 'customfield_10013')?.value).toEqual([
      expect.objectContaining({ id: '10102', value: 'Headset' }),
      expect.objectContaining({ id: '10103', value: 'Desk phone' }),
    ]);

    const content = Buffer.from(JSON.stringify({ submission: 42, note: 'ünïcødé ✓' }));
    const temp = await client.serviceDesk.attachTemporaryFile<TemporaryAttachments>({
      serviceDeskId: '1',
      attachment: { filename: 'submission-42.json', file: content, mimeType: 'application/json' },
    });
    const tempId = temp.temporaryAttachments[0]?.temporaryAttachmentId ?? '';
    expect(fake.temporaryFiles.get(tempId)?.content.equals(content)).toBe(true);

    const result = await client.request.createAttachment({ issueIdOrKey: created.issueKey!, temporaryAttachmentIds: [tempId], public: false });
    expect(result.attachments?.values?.[0]).toMatchObject({ filename: 'submission-42.json', size: content.length });

    const issue = fake.issues[0]!;
    expect(issue.labels).toEqual(['jira-sync', 'submission-42']);
    expect(issue.attachments).toHaveLength(1);
    expect(issue.attachments[0]!.content.equals(content)).toBe(true);
    expect(issue.attachments[0]!.public).toBe(false);

    const listed = await client.request.getAttachmentsForRequest({ issueIdOrKey: 'HW-1', start: 0, limit: 10 });
    expect(listed.values?.map((a) => a.filename)).toEqual(['submission-42.json']);

    // A temporary file can be used once.
    const again = await failure(client.request.createAttachment({ issueIdOrKey: 'HW-1', temporaryAttachmentIds: [tempId], public: false }));
    expect(again.status).toBe(400);
    expect(body(again).errorMessage).toContain(tempId);
  });

  it('answers 403 to attachTemporaryFile without X-Atlassian-Token (jira.js always sends it, so plain fetch)', async () => {
    const fake = await fakeJira({ auth: null });
    const form = new FormData();
    form.append('file', new Blob(['x']), 'x.txt');
    const res = await fetch(`${fake.url}/rest/servicedeskapi/servicedesk/1/attachTemporaryFile`, { method: 'POST', body: form });
    expect(res.status).toBe(403);
    expect(await res.text()).toBe('XSRF check failed');
    expect(fake.temporaryFiles.size).toBe(0);
  });

  it('rejects a missing required field with JSM error body naming the field', async () => {
    const fake = await fakeJira();
    const e = await failure(createRequest(fake, validFields({ customfield_10010: undefined })));
    expect(e).toBeInstanceOf(HttpException);
    expect(e.status).toBe(400);
    expect(body(e)).toEqual({
      errorMessage: expect.stringContaining('Email address'),
      i18nErrorMessage: { i18nKey: 'sd.validation.request.creation.failure.required.field', parameters: ['customfield_10010'] },
    });
    expect(fake.issues).toHaveLength(0);
  });

  it.each([
    ['unknown option', { customfield_10013: [{ value: 'Fax machine' }] }, 'customfield_10013'],
    ['option as plain string', { customfield_10013: ['Headset'] }, 'customfield_10013'],
    ['impossible date', { customfield_10014: '2026-02-30' }, 'customfield_10014'],
    ['number as string', { customfield_10015: '2' }, 'customfield_10015'],
    ['label with a space', { labels: ['jira sync'] }, 'labels'],
    ['multi-line summary', { summary: 'a\nb' }, 'summary'],
    ['field not on the request type', { customfield_99999: 'x' }, 'customfield_99999'],
  ])('rejects %s with 400', async (_name, overrides, fieldId) => {
    const fake = await fakeJira();
    const e = await failure(createRequest(fake, validFields(overrides)));
    expect(e.status).toBe(400);
    expect(body(e).errorMessage).toContain(fieldId);
    expect(body(e).i18nErrorMessage.parameters[0]).toBe(fieldId);
  });

  it('validates cascading selects and datetimes on custom field sets', async () => {
    const fake = await fakeJira();
    fake.setRequestTypeFields('10', [
      { fieldId: 'summary', name: 'Summary', required: true, jiraSchema: { type: 'string', system: 'summary' } },
      {
        fieldId: 'customfield_20000',
        name: 'Site',
        required: true,
        jiraSchema: { type: 'option-with-child' },
        validValues: [{ value: '1', label: 'Berlin', children: [{ value: '11', label: 'Floor 1' }] }],
      },
      { fieldId: 'customfield_20001', name: 'When', required: false, jiraSchema: { type: 'datetime' } },
    ]);
    const ok = { summary: 's', customfield_20000: { value: 'Berlin', child: { id: '11' } }, customfield_20001: '2026-11-22T10:00:00.000+0000' };
    await expect(createRequest(fake, ok)).resolves.toMatchObject({ issueKey: 'HW-1' });
    const badChild = await failure(createRequest(fake, { ...ok, customfield_20000: { value: 'Berlin', child: { value: 'Floor 9' } } }));
    expect(body(badChild).errorMessage).toContain('Floor 9');
    const badTime = await failure(createRequest(fake, { ...ok, customfield_20001: '2026-11-22 10:00' }));
    expect(body(badTime).errorMessage).toContain('customfield_20001');
  });

  it('requires raiseOnBehalfOf to name a known customer', async () => {
    const fake = await fakeJira();
    const client = sd(fake);
    const unknown = await failure(
      client.request.createCustomerRequest({ serviceDeskId: '1', requestTypeId: '10', requestFieldValues: validFields(), raiseOnBehalfOf: 'nobody@example.com' }),
    );
    expect(unknown.status).toBe(400);

    const customer = await client.customer.createCustomer({ email: 'ada@example.com', displayName: 'Ada' });
    await client.serviceDesk.addCustomers({ serviceDeskId: '1', accountIds: [customer.accountId!] });
    const desk = await client.serviceDesk.getCustomers({ serviceDeskId: '1', query: 'ada@' });
    expect(desk.values?.map((u) => u.accountId)).toEqual([customer.accountId]);
    const users = await v3(fake).userSearch.findUsers({ query: 'ada@example.com' });
    expect(users.map((u) => u.accountId)).toEqual([customer.accountId]);
    expect((await failure(client.customer.createCustomer({ email: 'ada@example.com', displayName: 'Ada' }))).status).toBe(400);

    const created = await client.request.createCustomerRequest({
      serviceDeskId: '1', requestTypeId: '10', requestFieldValues: validFields(), raiseOnBehalfOf: 'ada@example.com',
    });
    expect(created.reporter?.accountId).toBe(customer.accountId);
    expect(fake.issues[0]!.reporter).toBe('ada@example.com');
  });

  it('answers 404 with a JSM body for an unknown service desk', async () => {
    const fake = await fakeJira();
    const e = await failure(sd(fake).serviceDesk.getServiceDeskById({ serviceDeskId: '99' }));
    expect(e.status).toBe(404);
    expect(body(e).i18nErrorMessage).toBeDefined();
    await expect(sd(fake).serviceDesk.getServiceDeskById({ serviceDeskId: '1' })).resolves.toMatchObject({ id: '1', projectKey: 'HW' });
  });
});

describe('fake Jira: authentication', () => {
  it('answers 401 with the platform body to wrong Basic credentials, and accepts the right ones', async () => {
    const fake = await fakeJira();
    const e = await failure(sd(fake, 'wrong').serviceDesk.getServiceDeskById({ serviceDeskId: '1' }));
    expect(e.status).toBe(401);
    expect(body(e)).toEqual({ errorMessages: [expect.stringContaining('not authenticated')], errors: {} });
    await expect(new Version2Client({ host: fake.url, authentication: { basic: { email: EMAIL, apiToken: TOKEN } } }).myself.getCurrentUser())
      .resolves.toMatchObject({ emailAddress: EMAIL });
  });

  it('accepts a Bearer token when configured with a PAT', async () => {
    const fake = await fakeJira({ auth: { pat: 'pat-1' } });
    const client = (accessToken: string) => new Version3Client({ host: fake.url, authentication: { oauth2: { accessToken } } });
    await expect(client('pat-1').myself.getCurrentUser()).resolves.toMatchObject({ active: true });
    expect((await failure(client('pat-2').myself.getCurrentUser())).status).toBe(401);
  });
});

describe('fake Jira: faults and rate limiting', () => {
  it('exposes an injected 429 Retry-After header through HttpException.cause (the AxiosError)', async () => {
    const fake = await fakeJira();
    fake.injectFault({ match: { method: 'POST', path: '/rest/servicedeskapi/request' }, kind: 'status', status: 429, headers: { 'Retry-After': '7' } });
    const e = await failure(createRequest(fake));
    expect(e).toBeInstanceOf(HttpException);
    expect(e.status).toBe(429);
    expect(e.cause?.response?.headers?.['retry-after']).toBe('7');
    expect(fake.issues).toHaveLength(0);
    await expect(createRequest(fake)).resolves.toMatchObject({ issueKey: 'HW-1' }); // fired once only
  });

  it('drop-after-effect creates the issue but the client only sees a socket error', async () => {
    const fake = await fakeJira();
    fake.injectFault({ match: { path: /\/request$/ }, kind: 'drop-after-effect' });
    const e = await failure(createRequest(fake));
    expect(e).not.toBeInstanceOf(HttpException);
    expect(e.code).toBe('ECONNRESET');
    expect(fake.issues.map((i) => i.key)).toEqual(['HW-1']);
    expect(fake.requests.at(-1)).toMatchObject({ status: 0, fault: 'drop-after-effect' });
  });

  it('drop loses the request without effect; delay and latency answer late', async () => {
    const fake = await fakeJira();
    fake.injectFault({ match: { method: 'POST', path: '/rest/servicedeskapi/request' }, kind: 'drop' });
    expect((await failure(createRequest(fake))).code).toBe('ECONNRESET');
    expect(fake.issues).toHaveLength(0);

    fake.injectFault({ match: { path: '/rest/api/3/myself' }, kind: 'delay', ms: 80 });
    let t0 = performance.now();
    await v3(fake).myself.getCurrentUser();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(75);

    fake.setLatency(40);
    t0 = performance.now();
    await createRequest(fake);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(35);
    expect(fake.issues).toHaveLength(1);
  });

  it('barrier holds each matching request until all parties have arrived, then answers them together', async () => {
    const fake = await fakeJira();
    fake.injectFault({ match: { path: '/rest/api/3/myself' }, kind: 'barrier', parties: 2 });
    let firstAnswered = false;
    const first = v3(fake).myself.getCurrentUser().then(() => (firstAnswered = true));
    await new Promise((r) => setTimeout(r, 150));
    expect(firstAnswered).toBe(false);
    expect(fake.requests).toHaveLength(1);
    await v3(fake).myself.getCurrentUser();
    await first;
    expect(firstAnswered).toBe(true);
    expect(fake.requests.map((r) => [r.fault, r.status])).toEqual([['barrier', 200], ['barrier', 200]]);
    // Consumed by its parties: the next call is not held.
    await v3(fake).myself.getCurrentUser();
    expect(fake.requests.at(-1)?.fault).toBeUndefined();
  });

  it('counts the latency from the request\'s arrival: time the fake spent holding it is part of it', async () => {
    // The benchmark's ceiling assumes a call takes the latency, as a real server's would; before,
    // the fake slept the whole latency after its own work, so each call took a bit more.
    const fake = await fakeJira({ latencyMs: 100 });
    fake.injectFault({ match: { path: '/rest/api/3/myself' }, kind: 'barrier', parties: 2 });
    const t0 = performance.now();
    const first = v3(fake).myself.getCurrentUser().then(() => performance.now() - t0);
    await new Promise((r) => setTimeout(r, 150));
    const t1 = performance.now();
    await v3(fake).myself.getCurrentUser();
    const second = performance.now() - t1;
    // Held 150 ms, of which 100 count as its latency: answered at about 150, not 250.
    expect(await first).toBeLessThan(215);
    expect(await first).toBeGreaterThanOrEqual(145);
    expect(second).toBeGreaterThanOrEqual(95);
  });

  it('status-after-effect creates the issue and answers the injected status', async () => {
    const fake = await fakeJira();
    fake.injectFault({ match: { method: 'POST', path: '/rest/servicedeskapi/request' }, kind: 'status-after-effect', status: 504 });
    expect((await failure(createRequest(fake))).status).toBe(504);
    expect(fake.issues).toHaveLength(1);
  });

  it('rate-limits above the configured rate with Retry-After and X-RateLimit-Reset, without side effects', async () => {
    const fake = await fakeJira({ rateLimitPerSecond: 3 });
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => createRequest(fake)));
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as JiraError);
    expect(rejected.length).toBeGreaterThanOrEqual(2);
    for (const e of rejected) {
      expect(e.status).toBe(429);
      expect(Number(e.cause?.response?.headers?.['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number.isNaN(Date.parse(e.cause?.response?.headers?.['x-ratelimit-reset'] ?? ''))).toBe(false);
    }
    expect(fake.issues).toHaveLength(6 - rejected.length);
    expect(fake.requests.filter((r) => r.status === 429)).toHaveLength(rejected.length);
  });
});

describe('fake Jira: search', () => {
  it('hides new issues from JQL until the search lag has passed (injectable clock)', async () => {
    let now = Date.UTC(2026, 10, 22, 10);
    const fake = await fakeJira({ searchLagMs: 5_000, now: () => now });
    await createRequest(fake, validFields({ labels: ['sub-1'] }));
    const search = () =>
      v3(fake).issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({ jql: 'labels = "sub-1" ORDER BY created ASC', fields: ['labels', 'created', 'summary'] });
    expect((await search()).issues).toEqual([]);
    now += 5_000;
    const found = await search();
    expect(found.issues?.[0]).toMatchObject({ key: 'HW-1', fields: { labels: ['sub-1'], created: '2026-11-22T10:00:00.000+0000', summary: 'New phone for Ada' } });
    // jira.js 5.4's SearchAndReconcileResults type omits isLast although Jira (and the spec) send it.
    expect((found as { isLast?: boolean }).isLast).toBe(true);
  });

  it('supports labels in (…), text ~, AND/OR and ORDER BY key, paging, and 400 for other JQL', async () => {
    const fake = await fakeJira();
    await createRequest(fake, validFields({ labels: ['a'], description: 'Submission 7' }));
    await createRequest(fake, validFields({ labels: ['b'], description: 'Submission 8' }));
    await createRequest(fake, validFields({ labels: ['c'], description: 'Submission 9' }));
    const client = v3(fake);
    const keys = async (jql: string) =>
      ((await client.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({ jql, fields: ['summary'] })).issues ?? []).map((i) => i.key);
    expect(await keys('project = HW AND labels in ("a", "c") ORDER BY key DESC')).toEqual(['HW-3', 'HW-1']);
    expect(await keys('text ~ "submission 8" OR labels = c ORDER BY created ASC')).toEqual(['HW-2', 'HW-3']);

    const page1 = await client.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({ jql: 'project = HW ORDER BY key ASC', maxResults: 2 });
    const page2 = await client.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({ jql: 'project = HW ORDER BY key ASC', maxResults: 2, nextPageToken: page1.nextPageToken });
    expect([...(page1.issues ?? []), ...(page2.issues ?? [])].map((i) => i.key)).toEqual(['HW-1', 'HW-2', 'HW-3']);

    const v2 = new Version2Client({ host: fake.url, authentication: { basic: { email: EMAIL, apiToken: TOKEN } } });
    const classic = await v2.issueSearch.searchForIssuesUsingJqlPost({ jql: 'labels = b', fields: ['description'] });
    expect(classic).toMatchObject({ total: 1, issues: [{ key: 'HW-2', fields: { description: 'Submission 8' } }] });

    for (const jql of ['assignee = currentUser()', 'labels != a', 'project = OTHER', '']) {
      const e = await failure(client.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({ jql }));
      expect(e.status).toBe(400);
      expect(body(e)).toEqual({ errorMessages: [expect.any(String)], errors: {} });
    }
  });

  it('answers unknown routes with 404 and serves the control API', async () => {
    const fake = await fakeJira();
    const res = await fetch(`${fake.url}/rest/api/3/nothing-here`, { headers: { Authorization: `Basic ${Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64')}` } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { errorMessages: string[] }).errorMessages[0]).toContain('/rest/api/3/nothing-here');
    await createRequest(fake);
    const issues = (await (await fetch(`${fake.url}/__fake/issues`)).json()) as { key: string }[];
    expect(issues.map((i) => i.key)).toEqual(['HW-1']);
    expect((await fetch(`${fake.url}/__fake/reset`, { method: 'POST' })).status).toBe(204);
    expect(fake.issues).toHaveLength(0);
  });
});

describe('fake Jira: standalone process', () => {
  it('prints its URL as one JSON line and applies FAKE_JIRA_* settings', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/fakeJira/standalone.ts'], {
      env: { ...process.env, FAKE_JIRA_EMAIL: EMAIL, FAKE_JIRA_TOKEN: TOKEN, FAKE_JIRA_PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const { url } = JSON.parse(line) as { url: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${url}/rest/api/3/myself`)).status).toBe(401);
      expect(await (await fetch(`${url}/__fake/issues`)).json()).toEqual([]);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
