// RAISE_ON_BEHALF_OF_COLUMN: the person who filled in the form becomes the reporter, whether
// or not they are already a JSM customer.
import { describe, expect, it } from 'vitest';
import { insertSubmissions, sampleSubmission } from '../support/db.js';
import { useCliHarness } from '../support/harness.js';
import { expectExactlyOnce } from '../support/scenario.js';

const h = useCliHarness();
const REPORTER = { RAISE_ON_BEHALF_OF_COLUMN: 'email_address' };

describe('raiseOnBehalfOf', () => {
  it('uses an existing customer, creates a missing one, and both become reporters', async () => {
    const { jira } = h;
    const known = jira.addCustomer('person0@example.com', 'Person Zero');
    await insertSubmissions(h.db.client, [sampleSubmission(0), sampleSubmission(1)]);
    expect((await h.cli(['map-fields'], REPORTER)).code).toBe(0);
    const r = await h.cli(['run', '--concurrency', '1'], REPORTER);
    expect(r.code, r.stderr).toBe(0);
    await expectExactlyOnce(h.db, jira, h.ws, 2);
    const created = jira.customers.find((c) => c.emailAddress === 'person1@example.com');
    expect(created, 'customer created for person1').toBeDefined();
    expect(jira.customers.filter((c) => c.emailAddress === 'person0@example.com')).toHaveLength(1);
    const reporters = jira.issues.map((i) => i.reporter);
    expect(reporters.some((x) => x === created!.accountId || x === created!.emailAddress)).toBe(true);
    expect(reporters.some((x) => x === known.accountId || x === known.emailAddress)).toBe(true);
  });
});
