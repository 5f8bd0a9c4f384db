// Crash safety in issue mode, with real processes as in crashSafety.test.ts: the CLI kills itself
// (SIGKILL) at every fail point, or the fake Jira loses the create call's answer, and later runs
// must still leave exactly one issue with exactly one attachment per submission. The marker
// search that settles a lost answer runs in the project (JQL `project = "ITS" AND (…)`).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAIL_POINTS } from '../../src/failpoints.js';
import { startFakeJira, type FakeJira, type FakeJiraOptions } from '../support/fakeJira/index.js';
import { makeWorkspace, type Workspace } from '../support/cli.js';
import { createTestDatabase, insertSubmissions, SUBMISSIONS_DDL, type TestDatabase } from '../support/db.js';
import { ISSUE_MODE, issueRow } from '../support/issueMode.js';
import { cliFor, eventually, expectExactlyOnce, GRACE_PASSED_MS } from '../support/scenario.js';

let db: TestDatabase;
let jira: FakeJira;
let ws: Workspace;
let cli: ReturnType<typeof cliFor>;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.client.query(SUBMISSIONS_DDL);
});
afterAll(async () => db.drop());
afterEach(async () => {
  await jira.close();
  ws.cleanup();
});

const AUTHS = { cloud: { email: 'robot@example.com', apiToken: 'test-token-s3cr3t' }, dc: { pat: 'dc-pat-1234' } };

async function setup(rows: number, fake: FakeJiraOptions = {}, site: keyof typeof AUTHS = 'cloud'): Promise<void> {
  await db.client.query('TRUNCATE webform_submissions RESTART IDENTITY');
  jira = await startFakeJira({ auth: AUTHS[site], ...fake });
  const auth: Record<string, string> = site === 'dc' ? { JIRA_EMAIL: '', JIRA_API_TOKEN: '', JIRA_PAT: AUTHS.dc.pat } : {};
  ws = makeWorkspace({ databaseUrl: db.url, jiraUrl: jira.url, extra: { ...ISSUE_MODE, ...auth } });
  cli = cliFor(ws);
  await insertSubmissions(db.client, Array.from({ length: rows }, (_, i) => issueRow(i)));
  const mapped = await cli(['map-fields']);
  expect(mapped.code, mapped.stdout).toBe(0);
}
const CREATE = { cloud: '/rest/api/3/issue', dc: '/rest/api/2/issue' };
const posts = (path: string) => jira.requests.filter((r) => r.method === 'POST' && r.path === path);

describe('issue mode: kill -9 at each fail point', () => {
  for (const point of FAIL_POINTS) {
    it(`${point}: the next runs finish with exactly one issue and one attachment each`, async () => {
      await setup(3);
      const killed = await cli(['run', '--concurrency', '1'], { JIRA_SYNC_FAILPOINT: point });
      expect(killed.signal).toBe('SIGKILL');
      if (point !== 'after-claim') await eventually(() => jira.issues.length === 1);
      expect(jira.issues).toHaveLength(point === 'after-claim' ? 0 : 1);
      const soon = await cli(['run']);
      expect([0, 1]).toContain(soon.code);
      const later = await cli(['run'], { JIRA_SYNC_CLOCK_OFFSET_MS: String(GRACE_PASSED_MS) });
      expect(later.code, later.stderr).toBe(0);
      await expectExactlyOnce(db, jira, ws, 3);
      expect(posts(CREATE.cloud).filter((r) => r.status === 201)).toHaveLength(3);
    });
  }
});

describe('issue mode: lost create answers', () => {
  for (const site of ['cloud', 'dc'] as const) {
    for (const fault of [{ kind: 'drop-after-effect' as const }, { kind: 'status-after-effect' as const, status: 504, body: 'Gateway Timeout' }]) {
      it(`${site}: a create whose answer is lost (${fault.kind}) is adopted by the marker search in the project, never created again`, async () => {
        await setup(2, {}, site);
        jira.injectFault({ match: { method: 'POST', path: CREATE[site] }, ...fault });
        const first = await cli(['run', '--concurrency', '1']);
        expect(first.code).toBe(1);
        expect(jira.issues).toHaveLength(2);
        const second = await cli(['run']);
        expect(second.code, second.stderr).toBe(0);
        await expectExactlyOnce(db, jira, ws, 2);
        expect(posts(CREATE[site])).toHaveLength(2);
        const search = jira.requests.find((r) => r.method === 'POST' && /\/search(\/jql)?$/.test(r.path));
        expect(JSON.stringify(search?.body)).toMatch(/project = \\"ITS\\" AND \(labels = \\"jira-sync-/);
      });
    }
  }

  it('503 on the create: the next run searches the project, finds nothing, creates once', async () => {
    await setup(2);
    jira.injectFault({ match: { method: 'POST', path: CREATE.cloud }, kind: 'status', status: 503, body: { errorMessages: ['Service unavailable'] } });
    expect((await cli(['run', '--concurrency', '1'])).code).toBe(1);
    expect(jira.issues).toHaveLength(1);
    const second = await cli(['run'], { JIRA_SYNC_CLOCK_OFFSET_MS: String(GRACE_PASSED_MS) });
    expect(second.code, second.stderr).toBe(0);
    await expectExactlyOnce(db, jira, ws, 2);
  });

  it('an attachment answer lost: the issue is listed before attaching again, so the file is there once', async () => {
    await setup(2);
    jira.injectFault({ match: { method: 'POST', path: /^\/rest\/api\/3\/issue\/ITS-\d+\/attachments$/ }, kind: 'drop-after-effect' });
    const first = await cli(['run', '--concurrency', '1']);
    expect([0, 1]).toContain(first.code);
    const second = await cli(['run']);
    expect(second.code, second.stderr).toBe(0);
    await expectExactlyOnce(db, jira, ws, 2);
  });
});
