// Two runs that hold the SAME due submissions in their batches, end to end: real CLI processes
// with the run lock bypassed (JIRA_SYNC_UNSAFE_NO_LOCK), a real tracker file, the fake Jira over
// HTTP. Only the per-submission claim stands between them and a second ticket. The fake Jira
// holds both runs' first call (the preflight, made after the batch was read) until both have
// made it, so both runs have read the same due submissions before either claims one, and both
// then try to claim every one of them. Every submission must end as exactly one ticket.
import { describe, expect, it } from 'vitest';
import { startCli, type CliResult } from '../support/cli.js';
import { useCliHarness, trackerRows } from '../support/harness.js';
import { expectExactlyOnce } from '../support/scenario.js';

const h = useCliHarness({ fake: { latencyMs: 30 } });
const N = 8;
const CREATE = '/rest/servicedeskapi/request';
const DESK = '/rest/servicedeskapi/servicedesk/1';
const RETRY_DUE_MS = 16 * 60_000; // a failed submission's first retry comes 15 minutes later
const creates = () => h.jira.requests.filter((r) => r.method === 'POST' && r.path === CREATE);

/** "created 3, skipped 5" from a run's summary line. */
function counts(r: CliResult): { created: number; skipped: number } {
  const m = /created (\d+), skipped (\d+), failed 0, parked 0/.exec(r.stderr);
  expect(m, r.stderr).not.toBeNull();
  return { created: Number(m![1]), skipped: Number(m![2]) };
}

/** Two runs started at the same moment, both held at the preflight until the other arrives. */
async function twoRunsAtOnce(extra: Record<string, string>): Promise<[CliResult, CliResult]> {
  h.jira.injectFault({ match: { method: 'GET', path: DESK }, kind: 'barrier', parties: 2 });
  const env = { ...h.ws.env, JIRA_SYNC_UNSAFE_NO_LOCK: '1', ...extra };
  const [a, b] = [startCli(['run'], { env }), startCli(['run'], { env })];
  return Promise.all([a.done, b.done]);
}

async function expectOneTicketEach(a: CliResult, b: CliResult, earlierCreates: number): Promise<void> {
  expect([a.code, b.code], `${a.stderr}\n${b.stderr}`).toEqual([0, 0]);
  // Both runs took every due submission: one created it, the other found it claimed.
  const [ca, cb] = [counts(a), counts(b)];
  expect(ca.created + cb.created).toBe(N);
  expect(ca.skipped + cb.skipped).toBe(N);
  expect(creates().slice(earlierCreates).map((c) => c.status)).toEqual(Array(N).fill(201));
  await expectExactlyOnce(h.db, h.jira, h.ws, N);
}

describe('two runs racing for the same due submissions (lock bypassed)', () => {
  it('failed submissions whose retry time has come: each becomes exactly one ticket', async () => {
    await h.seed(N);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    h.jira.injectFault({
      match: { method: 'POST', path: CREATE }, kind: 'status', status: 400, times: N,
      body: { errorMessage: 'The request type is not accepting requests right now.', i18nErrorMessage: { i18nKey: 'sd.request.create.error', parameters: [] } },
    });
    expect((await h.cli(['run'])).code).toBe(1);
    expect(trackerRows(h.ws).map((r) => [r.state, r.attempts])).toEqual(Array(N).fill(['failed', 1]));

    const [a, b] = await twoRunsAtOnce({ JIRA_SYNC_CLOCK_OFFSET_MS: String(RETRY_DUE_MS) });
    await expectOneTicketEach(a, b, N);
    expect(trackerRows(h.ws).map((r) => r.attempts)).toEqual(Array(N).fill(2));
  });

  it('submissions an earlier run registered and left pending: each becomes exactly one ticket', async () => {
    await h.seed(N);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    // The token is refused at the first create: the run stops with every submission registered, none created.
    h.jira.injectFault({ match: { method: 'POST', path: CREATE }, kind: 'status', status: 401, body: { errorMessages: ['You are not authenticated. Authentication required to perform this operation.'] } });
    expect((await h.cli(['run', '--concurrency', '1'])).code).toBe(3);
    expect(trackerRows(h.ws).map((r) => [r.state, r.attempts])).toEqual(Array(N).fill(['pending', 0]));

    const [a, b] = await twoRunsAtOnce({});
    await expectOneTicketEach(a, b, 1);
    expect(trackerRows(h.ws).map((r) => r.attempts)).toEqual(Array(N).fill(1));
  });
});
