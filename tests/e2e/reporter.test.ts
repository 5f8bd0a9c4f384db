// RAISE_ON_BEHALF_OF_COLUMN: the person who filled in the form becomes the reporter, whether
// or not they are already a JSM customer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeJira, type FakeJira } from '../support/fakeJira/index.js';
import { makeWorkspace, type Workspace } from '../support/cli.js';
import { createTestDatabase, insertSubmissions, sampleSubmission, SUBMISSIONS_DDL, type TestDatabase } from '../support/db.js';
import { cliFor, expectExactlyOnce } from '../support/scenario.js';

let db: TestDatabase;
let jira: FakeJira;
let ws: Workspace;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.client.query(SUBMISSIONS_DDL);
  jira = await startFakeJira({ auth: { email: 'robot@example.com', apiToken: 'test-token-s3cr3t' } });
  ws = makeWorkspace({ databaseUrl: db.url, jiraUrl: jira.url, extra: { RAISE_ON_BEHALF_OF_COLUMN: 'email_address' } });
});
afterAll(async () => {
  await jira.close();
  ws.cleanup();
  await db.drop();
});

describe('raiseOnBehalfOf', () => {
  it('uses an existing customer, creates a missing one, and both become reporters', async () => {
    const known = jira.addCustomer('person0@example.com', 'Person Zero');
    await insertSubmissions(db.client, [sampleSubmission(0), sampleSubmission(1)]);
    const cli = cliFor(ws);
    expect((await cli(['map-fields'])).code).toBe(0);
    const r = await cli(['run', '--concurrency', '1']);
    expect(r.code, r.stderr).toBe(0);
    await expectExactlyOnce(db, jira, ws, 2);
    const created = jira.customers.find((c) => c.emailAddress === 'person1@example.com');
    expect(created, 'customer created for person1').toBeDefined();
    expect(jira.customers.filter((c) => c.emailAddress === 'person0@example.com')).toHaveLength(1);
    const reporters = jira.issues.map((i) => i.reporter);
    expect(reporters.some((x) => x === created!.accountId || x === created!.emailAddress)).toBe(true);
    expect(reporters.some((x) => x === known.accountId || x === known.emailAddress)).toBe(true);
  });
});
