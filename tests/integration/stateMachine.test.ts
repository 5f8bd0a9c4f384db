// The per-submission state machine, table-driven and in-process: (tracker state, scripted Jira
// answer) -> (new state, outcome). Each case runs processSubmission on a real tracker file
// (a fresh store per case) against the fake Jira over HTTP through the real gateway, so the
// rule in decide.ts, the tracker's conditional transitions and the gateway's classification of
// real HTTP answers are all in the loop; a case takes milliseconds. The store comes from a
// factory, and the same table runs against both tracker stores (SQLite and PostgreSQL).
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CustomerDirectory } from '../../src/adapters/jira/customers.js';
import { JiraCallError } from '../../src/adapters/jira/errors.js';
import { JiraGateway } from '../../src/adapters/jira/gateway.js';
import { RateLimiter, type Clock } from '../../src/adapters/jira/rateLimiter.js';
import { RetryBudget } from '../../src/adapters/jira/retry.js';
import type { SubmissionState } from '../../src/adapters/tracker/tracker.js';
import type { MappingFile } from '../../src/mapping/format.js';
import { processSubmission, type ProcessContext } from '../../src/processSubmission.js';
import { startFakeJira, EQUIPMENT_OPTIONS, type Fault, type FakeJira } from '../support/fakeJira/index.js';
import { postgresStore, sqliteStore, type StoreFactory } from '../support/trackerStores.js';

const T0 = Date.parse('2026-11-23T09:00:00.000Z');
const GRACE_MS = 5 * 60_000;
const MAX_ATTEMPTS = 3;
const auth = { email: 'robot@example.com', apiToken: 'test-token-s3cr3t' };
const CREATE = { method: 'POST', path: '/rest/servicedeskapi/request' };
const SEARCH = { path: /\/rest\/api\/[23]\/search(\/jql)?$/ };
const UPLOAD = { method: 'POST', path: /attachTemporaryFile$/ };
const ROW = { id: 1, summary: 'Phone please', email: 'ann@example.com', equipment: 'Headset' };

const mapping: MappingFile = {
  version: 1, serviceDeskId: '1', requestTypeId: '10', generatedAt: new Date(T0).toISOString(), delimiter: ',', unusedColumns: [], unmappedRequired: [],
  fields: [
    { fieldId: 'summary', name: 'Summary', required: true, kind: 'summary', source: { column: 'summary' } },
    { fieldId: 'description', name: 'Description', required: false, kind: 'text', source: null },
    { fieldId: 'customfield_10010', name: 'Email address', required: true, kind: 'text', source: { column: 'email' } },
    { fieldId: 'customfield_10013', name: 'Equipment', required: true, kind: 'multiselect', validValues: EQUIPMENT_OPTIONS.map((o) => ({ ...o })), source: { column: 'equipment' } },
    { fieldId: 'labels', name: 'Labels', required: false, kind: 'labels', source: null },
  ],
};

/** The stores the table runs against (tests/support/trackerStores.ts): a fresh one per case.
 *  STATE_MACHINE_STORES=sqlite (the mutation run, vitest.mutation.config.ts) keeps to SQLite. */
const pgStore = postgresStore();
const stores: StoreFactory[] = process.env.STATE_MACHINE_STORES === 'sqlite' ? [sqliteStore] : [sqliteStore, pgStore];

/** One attempt by a run: the Jira answers it meets (faults, each once), and when it happens. */
interface Attempt {
  faults?: Fault[];
  /** ms after T0 (default: 1 s after the previous attempt). */
  at?: number;
  /** The source row as the run reads it now: null when it was deleted. */
  row?: typeof ROW | null | Record<string, unknown>;
  /** The run that last touched the submission is still alive. */
  otherRunAlive?: boolean;
  /** RAISE_ON_BEHALF_OF_COLUMN is set: the row's email becomes the reporter, a JSM customer. */
  reporter?: boolean;
  /** No run of ours: the last run died after the attachment, before marking the submission done. */
  diedAttached?: boolean;
}

interface Case {
  name: string;
  /** The attempts that bring the submission to the state under test (outcomes not checked). */
  given?: Attempt[];
  when: Attempt;
  then: { state: SubmissionState; outcome: string | 'stops the run'; attempts?: number; issues?: number; attachments?: number; verifyFirst?: boolean; lastOutcome?: string; reportedByCustomer?: boolean };
}

const lostCreate: Attempt = { faults: [{ match: CREATE, kind: 'status-after-effect', status: 504, body: 'Gateway Timeout' }] };
const unansweredCreate: Attempt = { faults: [{ match: CREATE, kind: 'status', status: 504, body: 'Gateway Timeout' }] };
const jiraDownForAttach: Attempt = { faults: [{ match: UPLOAD, kind: 'status', status: 503, body: 'down' }] };
const searchFails = (status: number): Attempt => ({ faults: [{ match: SEARCH, kind: 'status', status, body: { errorMessages: ['no'] } }] });
const afterGrace = (a: Attempt = {}): Attempt => ({ ...a, at: GRACE_MS + 60_000 });

const CASES: Case[] = [
  // pending
  { name: 'pending, Jira creates and attaches', when: {}, then: { state: 'done', outcome: 'created', attempts: 1, issues: 1, attachments: 1 } },
  { name: 'pending, a value Jira cannot take (no call)', when: { row: { ...ROW, equipment: 'Fax machine' } }, then: { state: 'failed', outcome: 'failed:invalid-value', attempts: 1, issues: 0 } },
  { name: 'pending, its row deleted', when: { row: null }, then: { state: 'parked', outcome: 'parked', issues: 0, lastOutcome: 'parked:row-gone' } },
  { name: 'pending, create refused (400)', when: { faults: [{ match: CREATE, kind: 'status', status: 400, body: { errorMessage: 'bad field' } }] }, then: { state: 'failed', outcome: 'failed:jira-rejected', attempts: 1, issues: 0 } },
  {
    name: 'failed twice, create refused a third time (400): parked',
    given: [{ faults: [{ match: CREATE, kind: 'status', status: 400, body: { errorMessage: 'bad' } }] }, { at: 3_600_000, faults: [{ match: CREATE, kind: 'status', status: 400, body: { errorMessage: 'bad' } }] }],
    when: { at: 4 * 3_600_000, faults: [{ match: CREATE, kind: 'status', status: 400, body: { errorMessage: 'bad' } }] },
    then: { state: 'parked', outcome: 'parked', attempts: 3, issues: 0 },
  },
  { name: 'pending, reporter becomes a customer, then created', when: { reporter: true }, then: { state: 'done', outcome: 'created', attempts: 1, issues: 1, reportedByCustomer: true } },
  {
    name: 'pending, Jira refuses to create the reporter (403): failed, counted',
    when: { reporter: true, faults: [{ match: { method: 'POST', path: '/rest/servicedeskapi/customer' }, kind: 'status', status: 403, body: { errorMessage: 'You do not have permission to create customers.' } }] },
    then: { state: 'failed', outcome: 'failed:jira-rejected', attempts: 1, issues: 0 },
  },
  { name: 'pending, Jira down while resolving the reporter (503): the run stops', when: { reporter: true, faults: [{ match: { path: /customer/ }, kind: 'status', status: 503, body: 'down' }] }, then: { state: 'pending', outcome: 'stops the run', attempts: 0, issues: 0 } },
  { name: 'pending, create answer lost after Jira made it (504)', when: lostCreate, then: { state: 'creating', outcome: 'failed:jira-unavailable', attempts: 1, issues: 1 } },
  { name: 'pending, create 5xx with nothing made: still unsure', when: unansweredCreate, then: { state: 'creating', outcome: 'failed:jira-unavailable', attempts: 1, issues: 0 } },
  { name: 'pending, create rate-limited (429): the run stops, claim undone', when: { faults: [{ match: CREATE, kind: 'status', status: 429, body: 'slow down' }] }, then: { state: 'pending', outcome: 'stops the run', attempts: 0, issues: 0 } },
  { name: 'pending, credentials refused (401): the run stops, claim undone', when: { faults: [{ match: CREATE, kind: 'status', status: 401, body: 'no' }] }, then: { state: 'pending', outcome: 'stops the run', attempts: 0, issues: 0 } },
  // creating (a create call may have reached Jira)
  { name: 'creating, inside the grace period, nothing found yet', given: [unansweredCreate], when: { at: GRACE_MS - 1000 }, then: { state: 'creating', outcome: 'skipped:in-progress', attempts: 1, issues: 0 } },
  { name: 'creating, after the grace period, nothing found: created once', given: [unansweredCreate], when: afterGrace(), then: { state: 'done', outcome: 'created', attempts: 2, issues: 1, attachments: 1 } },
  { name: 'creating, the lost ticket found by its marker: adopted', given: [lostCreate], when: afterGrace(), then: { state: 'done', outcome: 'recovered', attempts: 1, issues: 1, attachments: 1 } },
  { name: 'creating, marker search fails (500): failed, searched first next time', given: [unansweredCreate], when: afterGrace(searchFails(500)), then: { state: 'failed', outcome: 'failed:jira-unavailable', attempts: 2, issues: 0, verifyFirst: true, lastOutcome: 'failed:search' } },
  { name: 'creating, marker search refused (403): failed, not a stop', given: [unansweredCreate], when: afterGrace(searchFails(403)), then: { state: 'failed', outcome: 'failed:jira-unavailable', attempts: 2, verifyFirst: true } },
  { name: 'creating, marker search rate-limited (429): the run stops, nothing changes', given: [unansweredCreate], when: afterGrace(searchFails(429)), then: { state: 'creating', outcome: 'stops the run', attempts: 1, issues: 0 } },
  {
    name: 'creating, marker search fails on the last attempt: parked',
    given: [unansweredCreate, afterGrace(searchFails(500))],
    when: { at: 10 * 3_600_000, ...searchFails(500) },
    then: { state: 'parked', outcome: 'parked', attempts: 3, verifyFirst: true },
  },
  {
    name: 'verify-first, left in creating by a run stopped during its search: searched again, created once',
    given: [unansweredCreate, afterGrace(searchFails(500)), { at: 10 * 3_600_000, ...searchFails(429) }],
    when: { at: 11 * 3_600_000 },
    then: { state: 'done', outcome: 'created', attempts: 3, issues: 1 },
  },
  { name: 'failed after a failed search, search works: created once', given: [unansweredCreate, afterGrace(searchFails(500))], when: { at: 10 * 3_600_000 }, then: { state: 'done', outcome: 'created', attempts: 3, issues: 1 } },
  { name: 'creating by a run still alive: left alone', given: [unansweredCreate], when: afterGrace({ otherRunAlive: true }), then: { state: 'creating', outcome: 'skipped:in-progress', attempts: 1, issues: 0 } },
  { name: 'pending, registered by a run still alive: created all the same', when: { otherRunAlive: true }, then: { state: 'done', outcome: 'created', attempts: 1, issues: 1, attachments: 1 } },
  // created (the ticket exists, the attachment does not yet)
  { name: 'created, Jira down for the attachment (503): the run stops, ticket kept', given: [], when: jiraDownForAttach, then: { state: 'created', outcome: 'stops the run', issues: 1, attachments: 0, lastOutcome: 'failed:jira-unavailable' } },
  { name: 'created, attachment on the next run: done, one attachment', given: [jiraDownForAttach], when: {}, then: { state: 'done', outcome: 'recovered', attempts: 1, issues: 1, attachments: 1 } },
  { name: 'created by a run still alive: left alone', given: [jiraDownForAttach], when: { otherRunAlive: true }, then: { state: 'created', outcome: 'skipped:in-progress', issues: 1, attachments: 0 } },
  // attached (the run died before marking it done)
  { name: 'attached, its run died: marked done, nothing sent again', given: [jiraDownForAttach, { diedAttached: true }], when: {}, then: { state: 'done', outcome: 'recovered', issues: 1, attachments: 0 } },
  { name: 'attached by a run still alive: left alone', given: [jiraDownForAttach, { diedAttached: true }], when: { otherRunAlive: true }, then: { state: 'attached', outcome: 'skipped:in-progress', issues: 1 } },
  { name: 'created, attachment refused (400): failed, ticket kept', given: [jiraDownForAttach], when: { faults: [{ match: UPLOAD, kind: 'status', status: 400, body: { errorMessage: 'too big' } }] }, then: { state: 'failed', outcome: 'failed:jira-rejected', attempts: 2, issues: 1, attachments: 0 } },
  { name: 'created, attach answer lost after Jira attached it: not attached twice', given: [jiraDownForAttach], when: { faults: [{ match: { method: 'POST', path: /\/request\/[^/]+\/attachment$/ }, kind: 'drop-after-effect' }] }, then: { state: 'done', outcome: 'recovered', issues: 1, attachments: 1 } },
];

let jira: FakeJira;
beforeAll(async () => {
  jira = await startFakeJira({ auth });
});
afterAll(async () => {
  await jira?.close();
  await pgStore.close();
});
beforeEach(() => jira.reset());

for (const store of stores) {
  describe(`the submission state machine (${store.name} tracker)`, () => {
    it.each(CASES)('$name', async (c) => {
      let clock = T0;
      const now = () => new Date(clock);
      const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
      const gateway = new JiraGateway({
        baseUrl: jira.url, auth: { kind: 'basic', ...auth }, serviceDeskId: '1', requestTypeId: '10', timeoutMs: 5000, attachmentPublic: false,
        // One try per call: the cases script Jira's answer to the call, not to its retries.
        limiter: new RateLimiter({ clock: realClock }), policy: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, budget: new RetryBudget(1000, realClock), clock: realClock,
      });
      const fixture = await store.open(now);
      const tracker = fixture.store;
      try {
        await tracker.register({ sourceId: '1', sourceTs: new Date(T0 - 60_000).toISOString() }, 'k'.repeat(64), ROW, 'run-0');
        const silent = pino({ level: 'silent' });
        let run = 0;
        const attempt = async (a: Attempt) => {
          run += 1;
          clock = a.at !== undefined ? T0 + a.at : clock + 1000;
          if (a.diedAttached) return String(await tracker.markAttached('k'.repeat(64)));
          for (const f of a.faults ?? []) jira.injectFault({ ...f, times: 1 });
          const ctx: ProcessContext = {
            tracker, jira: gateway, now, runId: `run-${run}`, recoveryGraceMs: GRACE_MS, log: silent, attachLog: silent,
            mapping, maxAttempts: MAX_ATTEMPTS, isRunAlive: () => Promise.resolve(a.otherRunAlive === true),
            raiseOnBehalfOfColumn: a.reporter ? 'email' : null, customers: a.reporter ? new CustomerDirectory(gateway.customerClients()) : null,
          };
          const sub = (await tracker.get('k'.repeat(64)))!;
          const row = a.row === undefined ? ROW : a.row;
          try {
            return (await processSubmission(ctx, { sub, row })).tag;
          } catch (err) {
            if (err instanceof JiraCallError) return 'stops the run';
            throw err;
          }
        };
        for (const g of c.given ?? []) await attempt(g);
        const outcome = await attempt(c.when);
        const after = (await tracker.get('k'.repeat(64)))!;
        expect({ state: after.state, outcome }).toEqual({ state: c.then.state, outcome: c.then.outcome });
        if (c.then.attempts !== undefined) expect(after.attempts, 'attempts').toBe(c.then.attempts);
        if (c.then.issues !== undefined) expect(jira.issues, 'tickets in Jira').toHaveLength(c.then.issues);
        if (c.then.attachments !== undefined) expect(jira.issues[0]?.attachments ?? [], 'attachments').toHaveLength(c.then.attachments);
        if (c.then.verifyFirst !== undefined) expect(after.verifyFirst, 'verify first').toBe(c.then.verifyFirst);
        if (c.then.reportedByCustomer) expect(jira.issues[0]?.reporter, 'reporter').toBe(jira.customers.find((u) => u.emailAddress === ROW.email)?.accountId ?? 'no customer');
        if (c.then.lastOutcome !== undefined) expect(after.lastOutcome, 'last outcome').toBe(c.then.lastOutcome);
      } finally {
        await fixture.dispose();
      }
    });
  });
}
