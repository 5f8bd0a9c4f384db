// The create step's edges, called directly on a real tracker file (two handles, as two runs
// have) against the fake Jira over HTTP through the real gateway: several tickets found by the
// marker (the oldest adopted, the submission flagged for review), the grace period to the
// millisecond, and each race another run can win (the claim, the re-claim, the adoption of the
// ticket while our create answer is on its way). And what settle() records for each verdict.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JiraCallError } from '../../src/adapters/jira/errors.js';
import { JiraGateway } from '../../src/adapters/jira/gateway.js';
import { RateLimiter, type Clock } from '../../src/adapters/jira/rateLimiter.js';
import { RetryBudget } from '../../src/adapters/jira/retry.js';
import { openTrackerDb } from '../../src/adapters/tracker/schema.js';
import { Tracker, type TrackedSubmission } from '../../src/adapters/tracker/tracker.js';
import { settle } from '../../src/decide.js';
import { markerFor, type TicketRequest } from '../../src/mapping/request.js';
import { createTicket, recoverTicket, type StepContext } from '../../src/steps/createTicket.js';
import { startFakeJira, type FakeJira } from '../support/fakeJira/index.js';

const T0 = Date.parse('2026-11-23T09:00:00.000Z');
const GRACE_MS = 5 * 60_000;
const KEY = 'c'.repeat(64);
const auth = { email: 'robot@example.com', apiToken: 'test-token-s3cr3t' };
const CREATE = { method: 'POST', path: '/rest/servicedeskapi/request' };
const silent = pino({ level: 'silent' });

let jira: FakeJira;
let gateway: JiraGateway;
let dir: string;
let a: Tracker;
let b: Tracker;
let clock: number;
const now = () => new Date(clock);

beforeAll(async () => {
  jira = await startFakeJira({ auth });
  const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
  gateway = new JiraGateway({
    baseUrl: jira.url, auth: { kind: 'basic', ...auth }, serviceDeskId: '1', requestTypeId: '10', timeoutMs: 5000, attachmentPublic: false,
    limiter: new RateLimiter({ clock: realClock }), policy: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, budget: new RetryBudget(1000, realClock), clock: realClock,
  });
});
afterAll(async () => {
  await jira?.close();
});
beforeEach(async () => {
  jira.reset();
  clock = T0;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira-sync-recover-'));
  const file = path.join(dir, 'tracker.db');
  a = new Tracker(openTrackerDb(file), now);
  b = new Tracker(openTrackerDb(file), now);
  await a.register({ sourceId: '1', sourceTs: '2026-11-23T08:00:00.000000Z' }, KEY, { id: 1 }, 'run-0');
});
afterEach(async () => {
  await a.close();
  await b.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const ctx = (tracker: Tracker, runId = 'run-a'): StepContext => ({ tracker, jira: gateway, now, runId, recoveryGraceMs: GRACE_MS, log: silent });
const sub = async (): Promise<TrackedSubmission> => (await a.get(KEY))!;
const request = (): TicketRequest => ({
  requestFieldValues: { summary: 'Phone please', customfield_10010: 'ann@example.com', customfield_10013: [{ id: '10101' }], labels: [markerFor(KEY)] },
  marker: markerFor(KEY), attachmentName: 'submission-1.json', attachment: Buffer.from('{}'),
});
/** A ticket carrying the submission's marker, as a create call whose answer was lost leaves. */
const ticketInJira = async () => (await gateway.createRequest(request().requestFieldValues)).issueKey;
/** Claimed by run A at T0; the create call's answer never came. */
const claimedAtT0 = async () => expect(await a.claimForCreate(KEY, 'run-a')).toBe(true);

describe('recoverTicket', () => {
  it('adopts the oldest of several tickets with the marker and flags the submission for review', async () => {
    await claimedAtT0();
    const [first, second] = [await ticketInJira(), await ticketInJira()];
    const found = await recoverTicket(ctx(a), await sub());
    const note = `Jira has 2 tickets with this submission's marker (${first}, ${second}); adopted the oldest, ${first}: review the others`;
    expect(found).toEqual({ ticketKey: first, note });
    expect(await a.get(KEY)).toMatchObject({ state: 'created', ticketKey: first, lastOutcome: 'recovered', needsReview: true, reviewNote: note });
  });

  it('adopts a single ticket without flagging anything', async () => {
    await claimedAtT0();
    const only = await ticketInJira();
    expect(await recoverTicket(ctx(a), await sub())).toEqual({ ticketKey: only, note: `adopted ${only}, created by an earlier attempt whose answer was lost` });
    expect(await a.get(KEY)).toMatchObject({ state: 'created', needsReview: false, lastOutcome: 'recovered' });
  });

  it('leaves the ticket to the run that adopted it first', async () => {
    await claimedAtT0();
    const only = await ticketInJira();
    const seen = await sub();
    expect(await b.markCreated(KEY, only, null, 'recovered')).toBe(true);
    expect(await recoverTicket(ctx(a), seen)).toEqual({ tag: 'skipped:in-progress', note: 'another run settled this submission first' });
  });

  it('waits until the grace period is over to the millisecond, then lets the caller create again', async () => {
    await claimedAtT0();
    clock = T0 + GRACE_MS - 1;
    expect(await recoverTicket(ctx(a), await sub())).toEqual({
      tag: 'skipped:in-progress',
      note: `no ticket found yet for an attempt 300 s ago; searched again after ${new Date(T0 + GRACE_MS).toISOString()}`,
    });
    expect((await sub()).nextAttemptAt).toBe(new Date(T0 + GRACE_MS).toISOString());
    clock = T0 + GRACE_MS;
    expect(await recoverTicket(ctx(a), await sub())).toBeNull();
  });
});

describe('createTicket', () => {
  it('creates nothing when another run claimed the submission first', async () => {
    const seen = await sub();
    expect(await b.claimForCreate(KEY, 'run-b')).toBe(true);
    expect(await createTicket(ctx(a), seen, request(), { id: 1 })).toEqual({ tag: 'skipped:in-progress', note: 'another run claimed this submission' });
    expect(jira.issues).toHaveLength(0);
  });

  it('creates nothing when another run re-claimed a submission left in creating', async () => {
    await claimedAtT0();
    clock = T0 + GRACE_MS;
    const seen = await sub();
    expect(await b.reclaimCreating(KEY, seen.attemptStartedAt, 'run-b')).toBe(true);
    expect(await createTicket(ctx(a), seen, request(), { id: 1 })).toEqual({ tag: 'skipped:in-progress', note: 'another run took this submission' });
    expect(jira.issues).toHaveLength(0);
  });

  it('gives way when another run adopts the ticket while the create answer is on its way', async () => {
    jira.injectFault({ match: CREATE, kind: 'delay', ms: 400, times: 1 });
    const creating = createTicket(ctx(a), await sub(), request(), { id: 1 });
    // Run B finds the ticket by its marker as soon as Jira has it, and adopts it.
    let adopted: string | undefined;
    for (let i = 0; i < 200 && !adopted; i++) {
      await new Promise((r) => setTimeout(r, 10));
      adopted = jira.issues[0]?.key;
    }
    expect(await b.markCreated(KEY, adopted!, null, 'recovered')).toBe(true);
    // The create step returns once Jira has answered; its commit of the key is what gives way
    // (`recorded` false), and the attachment step then leaves the ticket to the run that adopted it.
    const created = (await creating) as { ticketKey: string; recorded: Promise<boolean> };
    expect(created.ticketKey).toBe(adopted);
    expect(await created.recorded).toBe(false);
    expect(await a.get(KEY)).toMatchObject({ state: 'created', ticketKey: adopted, lastOutcome: 'recovered' });
  });
});

describe('settle', () => {
  const settleCtx = (tracker: Tracker) => ({ tracker, log: silent, maxAttempts: 3 });
  const lost = new JiraCallError({ kind: 'transient', operation: 'create request', jiraMessage: 'Gateway Timeout', mayHaveTakenEffect: true, status: 504 });

  it('keeps an unsure create in creating, saying why, for the next run to search first', async () => {
    await claimedAtT0();
    const outcome = await settle(settleCtx(a), await sub(), { step: 'create' }, lost);
    expect(outcome).toEqual({ tag: 'failed:jira-unavailable', error: lost.message });
    expect(await a.get(KEY)).toMatchObject({
      state: 'creating', attempts: 1, lastOutcome: 'failed:jira-unavailable',
      lastError: `${lost.message}; Jira may have created the ticket: the next run searches for it before creating again`,
    });
  });

  it('notes on the ticketed submission why its attachment failed, whatever the verdict', async () => {
    await claimedAtT0();
    await a.markCreated(KEY, 'JSM-9', null, 'created');
    const unsure = new JiraCallError({ kind: 'unknown', operation: 'attach', jiraMessage: 'socket closed', mayHaveTakenEffect: true });
    expect(await settle(settleCtx(a), await sub(), { step: 'attach', ticketKey: 'JSM-9' }, unsure)).toEqual({ tag: 'failed:jira-unavailable', error: unsure.message });
    expect(await a.get(KEY)).toMatchObject({ state: 'created', lastOutcome: 'failed:jira-unavailable', lastError: `ticket JSM-9 exists but the attachment failed: ${unsure.message}` });
  });

  it('leaves a failed search to the run that settled the submission first', async () => {
    await claimedAtT0();
    const seen = await sub();
    await b.markCreated(KEY, 'JSM-3', null, 'recovered');
    const down = new JiraCallError({ kind: 'transient', operation: 'search by marker', jiraMessage: 'oops', mayHaveTakenEffect: false, status: 500 });
    expect(await settle(settleCtx(a), seen, { step: 'search' }, down)).toEqual({ tag: 'skipped:in-progress', note: 'another run settled this submission first' });
    expect(await a.get(KEY)).toMatchObject({ state: 'created', ticketKey: 'JSM-3', lastError: null });
  });

  it('undoes the claim of a create that never reached Jira, and stops the run', async () => {
    await claimedAtT0();
    const refused = new JiraCallError({ kind: 'unreachable', operation: 'create request', jiraMessage: 'connect ECONNREFUSED', mayHaveTakenEffect: false, code: 'ECONNREFUSED' });
    await expect(settle(settleCtx(a), await sub(), { step: 'create' }, refused)).rejects.toBe(refused);
    expect(await a.get(KEY)).toMatchObject({ state: 'pending', attempts: 0, lastError: refused.message });
  });

  it('does not undo anything when a search or an attachment stops the run', async () => {
    await claimedAtT0();
    const limited = new JiraCallError({ kind: 'rate-limited', operation: 'search by marker', jiraMessage: 'slow down', mayHaveTakenEffect: false, status: 429 });
    await expect(settle(settleCtx(a), await sub(), { step: 'search' }, limited)).rejects.toBe(limited);
    expect(await a.get(KEY)).toMatchObject({ state: 'creating', attempts: 1, lastError: null });
  });
});
