// The issue API adapter against the fake Jira over HTTP, on Cloud (v3) and Data Center (v2):
// createmeta read to its last page whatever its shape, the fields Jira fills left out, options
// cached by id, and the issue types and projects said when a name is wrong.
import { afterEach, describe, expect, it } from 'vitest';
import { JiraGateway } from '../../src/adapters/jira/gateway.js';
import * as issueApi from '../../src/adapters/jira/issueApi.js';
import { RateLimiter, type Clock } from '../../src/adapters/jira/rateLimiter.js';
import { RetryBudget } from '../../src/adapters/jira/retry.js';
import type { JiraAuth } from '../../src/config.js';
import { defaultTaskFields, startFakeJira, TASK_ISSUE_TYPE_ID, type FakeJira, type FakeScreenField } from '../support/fakeJira/index.js';

const clock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
let fake: FakeJira;
afterEach(async () => fake.close());

const SITES: { name: string; auth: JiraAuth; fakeAuth: { email: string; apiToken: string } | { pat: string }; v: string }[] = [
  { name: 'Cloud', auth: { kind: 'basic', email: 'robot@example.com', apiToken: 'tok' }, fakeAuth: { email: 'robot@example.com', apiToken: 'tok' }, v: '3' },
  { name: 'Data Center', auth: { kind: 'pat', pat: 'pat-1' }, fakeAuth: { pat: 'pat-1' }, v: '2' },
];

function gateway(auth: JiraAuth, projectKey = 'ITS'): JiraGateway {
  return new JiraGateway({
    baseUrl: fake.url, auth, serviceDeskId: '', requestTypeId: '', target: { kind: 'issue', projectKey, issueType: 'Task' },
    timeoutMs: 5000, attachmentPublic: false, limiter: new RateLimiter({ clock }), policy: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 },
    budget: new RetryBudget(2000, clock), clock,
  });
}

for (const site of SITES) {
  describe(`issue API on ${site.name}`, () => {
    it('reads every createmeta page (a screen of 130 fields is three pages) and leaves out project, issue type and the defaulted reporter', async () => {
      const extra: FakeScreenField[] = Array.from({ length: 78 }, (_, i) => ({ fieldId: `customfield_${11000 + i}`, name: `Extra ${i}`, required: false, schema: { type: 'string', custom: 'x:textfield', customId: 11000 + i } }));
      const last: FakeScreenField = { fieldId: 'customfield_12000', name: 'Cost centre', required: true, schema: { type: 'string', custom: 'x:textfield', customId: 12000 } };
      fake = await startFakeJira({ auth: site.fakeAuth });
      fake.setIssueTypeFields(TASK_ISSUE_TYPE_ID, [...defaultTaskFields(), ...extra, last]);
      const fields = await issueApi.createScreenFields(gateway(site.auth).issueClients(), TASK_ISSUE_TYPE_ID);
      const pages = fake.requests.filter((r) => r.path === `/rest/api/${site.v}/issue/createmeta/ITS/issuetypes/${TASK_ISSUE_TYPE_ID}`);
      expect(pages.map((p) => p.query.startAt)).toEqual(['0', '50', '100']);
      expect(fields).toHaveLength(131 - 3);
      for (const id of ['project', 'issuetype', 'reporter']) expect(fields.some((f) => f.fieldId === id), id).toBe(false);
      expect(fields.at(-1)).toMatchObject({ fieldId: 'customfield_12000', required: true });
      expect(fields.find((f) => f.fieldId === 'priority')).toMatchObject({ required: false, validValues: expect.arrayContaining([{ value: '2', label: 'High' }]) });
      expect(fields.find((f) => f.fieldId === 'customfield_10020')?.validValues).toEqual([
        { value: '10200', label: 'Finance' }, { value: '10201', label: 'HR' }, { value: '10202', label: 'IT' }, { value: '10203', label: 'Sales' },
      ]);
    });

    it('lists the issue types, finds one by id or by name in any case, and lists the projects', async () => {
      fake = await startFakeJira({ auth: site.fakeAuth });
      const c = gateway(site.auth).issueClients();
      const types = await issueApi.listIssueTypes(c);
      expect(types.map((t) => t.name)).toEqual(['Task', 'Subtask', 'Bug']);
      expect(issueApi.findIssueType(types, '10004')?.name).toBe('Bug');
      expect(issueApi.findIssueType(types, 'bug')?.id).toBe('10004');
      expect(issueApi.findIssueType(types, 'Story')).toBeUndefined();
      expect((await issueApi.listProjects(c)).map((p) => p.id)).toEqual(['HW', 'ITS']);
      await expect(issueApi.getProject(gateway(site.auth, 'NOPE').issueClients())).rejects.toMatchObject({ kind: 'not-found' });
    });
  });
}
