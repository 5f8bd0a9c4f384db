// Ticket order through the real CLI: tickets are created in submission order, (timestamp, id),
// as far as concurrency allows. With --concurrency 1 that order is strict, each ticket finished
// before the next is started; with 4 workers the create calls still start in that order.
import { beforeEach, describe, expect, it } from 'vitest';
import { insertSubmissions, sampleSubmission } from '../support/db.js';
import type { RecordedRequest } from '../support/fakeJira/index.js';
import { useCliHarness } from '../support/harness.js';

const LATENCY_MS = 100;
const CREATE = 'POST /rest/servicedeskapi/request';
const UPLOAD = /^POST \/rest\/servicedeskapi\/servicedesk\/1\/attachTemporaryFile$/;
const ATTACH = /^POST \/rest\/servicedeskapi\/request\/[^/]+\/attachment$/;

const h = useCliHarness({ fake: { latencyMs: LATENCY_MS } });

beforeEach(async () => {
  // Ids in insertion order, timestamps not: source order is neither the id order nor the
  // insertion order. Rows 1 and 12 share a timestamp, so the id breaks that tie.
  const minutes = [5, 3, 9, 0, 11, 7, 1, 10, 2, 8, 6, 5];
  const base = Date.UTC(2026, 10, 2, 8, 0, 0);
  await insertSubmissions(
    h.db.client,
    minutes.map((m, i) => sampleSubmission(i, { created_at: new Date(base + m * 60_000).toISOString() })),
  );
  const mapped = await h.cli(['map-fields']);
  expect(mapped.code, mapped.stderr).toBe(0);
  h.jira.requests.length = 0;
});

async function sourceOrder(): Promise<string[]> {
  const rows = await h.db.client.query<{ email_address: string }>('SELECT email_address FROM webform_submissions ORDER BY created_at, id');
  return rows.rows.map((r) => r.email_address);
}

const op = (r: RecordedRequest) => `${r.method} ${r.path}`;
const creates = () => h.jira.requests.filter((r) => op(r) === CREATE);
const emailOf = (r: RecordedRequest) => (r.body as { requestFieldValues: Record<string, unknown> }).requestFieldValues.customfield_10010;

describe('ticket order', () => {
  it('--concurrency 1: strictly in source order, each ticket created, uploaded and attached before the next', async () => {
    const r = await h.cli(['run', '--concurrency', '1']);
    expect(r.code, r.stderr).toBe(0);
    const order = await sourceOrder();
    expect(creates().map(emailOf)).toEqual(order);
    // One preflight, then exactly create, upload, attach per ticket, never interleaved.
    const [preflight, ...rest] = h.jira.requests;
    expect(op(preflight as RecordedRequest)).toBe('GET /rest/servicedeskapi/servicedesk/1');
    expect(rest).toHaveLength(3 * order.length);
    rest.forEach((req, i) => {
      const step = i % 3;
      if (step === 0) expect(op(req)).toBe(CREATE);
      else expect(op(req)).toMatch(step === 1 ? UPLOAD : ATTACH);
    });
    // Ticket keys follow the same order.
    expect(h.jira.issues.map((i) => i.fields.customfield_10010)).toEqual(order);
  });

  it('--concurrency 4: the creates start in source order, four at a time', async () => {
    const r = await h.cli(['run', '--concurrency', '4']);
    expect(r.code, r.stderr).toBe(0);
    const order = await sourceOrder();
    const started = creates();
    expect(started.map(emailOf)).toEqual(order);
    // They really ran side by side: the first four reached Jira before any answer could return.
    expect((started[3] as RecordedRequest).at - (started[0] as RecordedRequest).at).toBeLessThan(LATENCY_MS);
    // And the call count is still the minimum: one preflight, three per ticket.
    expect(h.jira.requests).toHaveLength(1 + 3 * order.length);
  });
});
