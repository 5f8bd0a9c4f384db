// raiseOnBehalfOf against the fake Jira over HTTP: the form's author is looked up or created
// as a JSM customer with as few calls as possible, and becomes the request's reporter.
import { ServiceDeskClient, Version3Client } from 'jira.js';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CustomerDirectory, type CustomerClients } from '../../src/adapters/jira/customers.js';
import { JiraGateway } from '../../src/adapters/jira/gateway.js';
import { RateLimiter, type Clock } from '../../src/adapters/jira/rateLimiter.js';
import { RetryBudget, withRetry } from '../../src/adapters/jira/retry.js';
import { resolveCustomer } from '../../src/steps/resolveCustomer.js';
import { decide, describeFailure } from '../../src/decide.js';
import { JiraCallError } from '../../src/adapters/jira/errors.js';
import type { TicketRequest } from '../../src/mapping/request.js';
import { startFakeJira, type FakeJira } from '../support/fakeJira/index.js';

const auth = { email: 'robot@example.com', apiToken: 'test-token-s3cr3t' };
const clock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
const policy = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 };
const budgetMs = 2000;
const silent = pino({ level: 'silent' });

let fake: FakeJira;

/** What JiraGateway.customerClients() hands to customers.ts: jira.js clients behind the same limiter and retry. */
function clients(): CustomerClients {
  const config = { host: fake.url, authentication: { basic: auth } };
  const jira = { desk: new ServiceDeskClient(config), platform: new Version3Client(config), cloud: true };
  const limiter = new RateLimiter({ clock });
  const budget = new RetryBudget(budgetMs, clock);
  return {
    serviceDeskId: '1',
    call: (operation, fn, safeToRepeat = true) => withRetry(operation, () => fn(jira), { limiter, policy, budget, safeToRepeat, clock }),
  };
}

const customerCalls = () =>
  fake.requests
    .filter((r) => /\/customer$|\/user\/search$/.test(r.path))
    .map((r) => `${r.method} ${r.path.replace('/rest/servicedeskapi', '').replace('/rest/api/3', '')}`);

beforeEach(async () => {
  fake = await startFakeJira({ auth });
});
afterEach(async () => {
  await fake.close();
});

describe('CustomerDirectory', () => {
  it('creates a customer who does not exist, adds them to the desk, and remembers them for the run', async () => {
    const directory = new CustomerDirectory(clients());
    const customer = await directory.resolve('New.Person@example.com ');
    expect(customerCalls()).toEqual(['GET /servicedesk/1/customer', 'POST /customer', 'POST /servicedesk/1/customer']);
    const created = fake.customers.find((c) => c.emailAddress === 'New.Person@example.com');
    expect(created).toBeDefined();
    expect(customer).toEqual({ id: created!.accountId, email: 'New.Person@example.com', how: 'created' });
    // The same person again in this run, spelled differently: no call at all.
    expect((await directory.resolve('new.person@EXAMPLE.com')).id).toBe(created!.accountId);
    expect(customerCalls()).toHaveLength(3);
    expect(fake.customers).toHaveLength(1);
  });

  it('finds an account that already exists, adds it to the desk, and needs one call in the next run', async () => {
    const existing = fake.addCustomer('ada@example.com', 'Ada Lovelace');
    const first = await new CustomerDirectory(clients()).resolve('ada@example.com');
    expect(first).toEqual({ id: existing.accountId, email: 'ada@example.com', how: 'existing-account' });
    expect(customerCalls()).toEqual(['GET /servicedesk/1/customer', 'POST /customer', 'GET /user/search', 'POST /servicedesk/1/customer']);
    expect(fake.customers).toHaveLength(1); // not created twice

    fake.requests.length = 0;
    const next = await new CustomerDirectory(clients()).resolve('ada@example.com');
    expect(next).toEqual({ id: existing.accountId, email: 'ada@example.com', how: 'desk-customer' });
    expect(customerCalls()).toEqual(['GET /servicedesk/1/customer']);
  });

  it('only takes a desk customer whose address is exactly the one asked for', async () => {
    const directory = new CustomerDirectory(clients());
    const joan = await directory.resolve('joan@example.com');
    // The desk search for "an@example.com" also returns joan@example.com.
    const an = await directory.resolve('an@example.com');
    expect(an.id).not.toBe(joan.id);
    expect(fake.customers.map((c) => c.emailAddress)).toEqual(['joan@example.com', 'an@example.com']);
  });

  it('shares one lookup between submissions of the same person processed at the same time', async () => {
    const directory = new CustomerDirectory(clients());
    const [a, b] = await Promise.all([directory.resolve('bo@example.com'), directory.resolve('BO@example.com')]);
    expect(a.id).toBe(b.id);
    expect(customerCalls()).toHaveLength(3);
  });

  it('does not remember a failure', async () => {
    const directory = new CustomerDirectory(clients());
    fake.injectFault({ match: { method: 'GET', path: '/rest/servicedeskapi/servicedesk/1/customer' }, kind: 'status', status: 500, times: 3 });
    await expect(directory.resolve('cy@example.com')).rejects.toMatchObject({ kind: 'transient', status: 500 });
    const again = await directory.resolve('cy@example.com');
    expect(again.how).toBe('created');
  });
});

/** The JiraCallError a step threw; fails the test if it threw nothing else. */
async function failure(p: Promise<unknown>): Promise<JiraCallError> {
  const err = await p.then(() => null, (e: unknown) => e);
  if (!(err instanceof JiraCallError)) throw new Error(`expected a JiraCallError, got ${String(err)}`);
  return err;
}

describe('resolveCustomer step', () => {
  const request = (email?: string): TicketRequest => ({
    requestFieldValues: { summary: 'Phone please', customfield_10010: 'x@example.com', customfield_10013: [{ id: '10100' }] },
    marker: 'jira-sync-test',
    attachmentName: 'submission-1.json',
    attachment: Buffer.from('{}'),
    raiseOnBehalfOf: email,
  });

  it('raises the request on behalf of the customer, who becomes its reporter', async () => {
    const resolved = await resolveCustomer(new CustomerDirectory(clients()), request('grace@example.com'), silent);
    const customer = fake.customers.find((c) => c.emailAddress === 'grace@example.com')!;
    expect(resolved.raiseOnBehalfOf).toBe(customer.accountId);

    const gateway = new JiraGateway({
      baseUrl: fake.url, auth: { kind: 'basic', ...auth }, serviceDeskId: '1', requestTypeId: '10', timeoutMs: 5000, attachmentPublic: false,
      limiter: new RateLimiter({ clock }), policy, budget: new RetryBudget(budgetMs, clock), clock,
    });
    const created = await gateway.createRequest(resolved.requestFieldValues, resolved.raiseOnBehalfOf);
    expect(fake.issues.find((i) => i.key === created.issueKey)?.reporter).toBe(customer.accountId);
  });

  it('changes nothing and calls nothing without RAISE_ON_BEHALF_OF_COLUMN', async () => {
    const r = request('grace@example.com');
    expect(await resolveCustomer(null, r, silent)).toEqual(r);
    expect(await resolveCustomer(new CustomerDirectory(clients()), request(undefined), silent)).toEqual(request(undefined));
    expect(fake.requests).toHaveLength(0);
  });

  it('fails only this submission when Jira refuses to create the customer', async () => {
    fake.injectFault({
      match: { method: 'POST', path: '/rest/servicedeskapi/customer' },
      kind: 'status',
      status: 403,
      body: { errorMessage: 'You do not have permission to create customers.', i18nErrorMessage: { i18nKey: 'x', parameters: [] } },
    });
    const e = await failure(resolveCustomer(new CustomerDirectory(clients()), request('hal@example.com'), silent));
    expect(decide('customer', e)).toBe('fail');
    expect(describeFailure({ step: 'customer', email: 'hal@example.com' }, e)).toMatch(/^raiseOnBehalfOf hal@example.com \(RAISE_ON_BEHALF_OF_COLUMN\): You do not have permission to create customers\..*may not create customers/);
  });

  it('stops the run when Jira rejects the credentials or is down', async () => {
    fake.setAuth({ email: 'robot@example.com', apiToken: 'another-token' });
    const e = await failure(resolveCustomer(new CustomerDirectory(clients()), request('ian@example.com'), silent));
    expect(e).toMatchObject({ kind: 'auth', status: 401 });
    expect(decide('customer', e)).toBe('stop');
    fake.setAuth(auth);
    fake.injectFault({ match: { path: /customer/ }, kind: 'status', status: 503, times: 10 });
    const down = await failure(resolveCustomer(new CustomerDirectory(clients()), request('ian@example.com'), silent));
    expect(down).toMatchObject({ kind: 'transient' });
    expect(decide('customer', down)).toBe('stop');
  });
});
