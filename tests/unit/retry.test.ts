import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpException, ServiceDeskClient } from 'jira.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { classifyJiraError, JiraCallError, parseRetryAfter, type JiraCallErrorInit } from '../../src/adapters/jira/errors.js';
import { RateLimiter } from '../../src/adapters/jira/rateLimiter.js';
import { RetryBudget, withRetry, type RetryPolicy } from '../../src/adapters/jira/retry.js';
import { FakeClock } from '../support/fakeClock.js';


async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject');
}

async function callError(p: Promise<unknown>): Promise<JiraCallError> {
  const e = await rejection(p);
  expect(e).toBeInstanceOf(JiraCallError);
  return e as JiraCallError;
}

// ---------------------------------------------------------------------------------------------
// A tiny Jira impersonator. Behaviour is keyed by service desk id: the path for GET
// /servicedesk/{id}, the body's serviceDeskId for POST /request (create). Each key holds a
// queue of replies; the last one repeats.
// ---------------------------------------------------------------------------------------------
const TOKEN = 'sekrit-api-token-4711';
const BASIC = Buffer.from(`a@b.c:${TOKEN}`).toString('base64');
type Reply = { status: number; headers?: Record<string, string>; body?: unknown } | 'destroy' | 'hang';
const script = new Map<string, Reply[]>();
const hits = new Map<string, number>();
const authHeaders: string[] = [];
let server: http.Server;
let host: string;

const JSM_400 = {
  errorMessage: "The field 'Summary' is required.",
  i18nErrorMessage: { i18nKey: 'sd.request.create.error.field.required', parameters: ['Summary'] },
};
const PLATFORM_400 = { errorMessages: ['Request type is invalid.'], errors: { customfield_10010: 'Option id 42 is not valid' } };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      authHeaders.push(String(req.headers.authorization));
      let key = /\/servicedesk\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '';
      if (req.method === 'POST') key = String((JSON.parse(Buffer.concat(chunks).toString() || '{}') as { serviceDeskId?: string }).serviceDeskId);
      hits.set(key, (hits.get(key) ?? 0) + 1);
      const queue = script.get(key) ?? [{ status: 200, body: { id: key } }];
      const reply = queue.length > 1 ? queue.shift() : queue[0];
      if (reply === 'destroy') return void req.socket.destroy(); // the request arrived; the answer is lost
      if (reply === 'hang' || reply === undefined) return; // never answers
      const isText = typeof reply.body === 'string';
      res.writeHead(reply.status, { 'content-type': isText ? 'text/html' : 'application/json', ...reply.headers });
      res.end(isText ? reply.body : JSON.stringify(reply.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  script.clear();
  hits.clear();
});

function client(baseRequestConfig?: { timeout: number }, at = host): ServiceDeskClient {
  return new ServiceDeskClient({ host: at, authentication: { basic: { email: 'a@b.c', apiToken: TOKEN } }, ...(baseRequestConfig ? { baseRequestConfig } : {}) });
}
const getDesk = (id: string, c = client()) => c.serviceDesk.getServiceDeskById({ serviceDeskId: id });
const createRequest = (id: string, c = client()) =>
  c.request.createCustomerRequest({ serviceDeskId: id, requestTypeId: '7', requestFieldValues: { summary: 'hello' } });

const NOW = Date.parse('2030-01-01T00:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delta-seconds, as string or number, case-insensitively, first of an array', () => {
    expect(parseRetryAfter({ 'retry-after': '120' }, NOW)).toBe(120_000);
    expect(parseRetryAfter({ 'Retry-After': 5 }, NOW)).toBe(5000);
    expect(parseRetryAfter({ 'retry-after': ['3', '9'] }, NOW)).toBe(3000);
    expect(parseRetryAfter({ 'retry-after': '1.5' }, NOW)).toBe(1500);
  });
  it('reads an HTTP-date relative to now', () => {
    expect(parseRetryAfter({ 'retry-after': 'Tue, 01 Jan 2030 00:00:30 GMT' }, NOW)).toBe(30_000);
  });
  it('turns 0 or a date in the past into at least one second', () => {
    expect(parseRetryAfter({ 'retry-after': '0' }, NOW)).toBe(1000);
    expect(parseRetryAfter({ 'retry-after': 'Mon, 31 Dec 2029 23:00:00 GMT' }, NOW)).toBe(1000);
    expect(parseRetryAfter({ 'x-ratelimit-reset': '2029-12-31T23:59Z' }, NOW)).toBe(1000);
  });
  it('falls back to X-RateLimit-Reset: ISO 8601 (Atlassian, minute precision) or epoch seconds', () => {
    expect(parseRetryAfter({ 'x-ratelimit-reset': '2030-01-01T00:02Z' }, NOW)).toBe(120_000);
    expect(parseRetryAfter({ 'X-RateLimit-Reset': String(NOW / 1000 + 45) }, NOW)).toBe(45_000);
  });
  it('prefers Retry-After over X-RateLimit-Reset', () => {
    expect(parseRetryAfter({ 'retry-after': '2', 'x-ratelimit-reset': '2030-01-01T00:02Z' }, NOW)).toBe(2000);
  });
  it('returns undefined when there is nothing usable', () => {
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
    expect(parseRetryAfter({}, NOW)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after': 'soon' }, NOW)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after': '-5' }, NOW)).toBeUndefined();
    expect(parseRetryAfter({ 'x-ratelimit-reset': 'later' }, NOW)).toBeUndefined();
  });
});

describe('classifyJiraError on real jira.js errors', () => {
  it('429 with Retry-After: rate-limited, never taken effect, Jira message and wait kept', async () => {
    script.set('1', [{ status: 429, headers: { 'retry-after': '7' }, body: { errorMessages: ['Rate limit exceeded.'] } }]);
    const raw = await rejection(getDesk('1'));
    // The shape this module relies on: jira.js wraps the AxiosError in an HttpException.
    expect(raw).toBeInstanceOf(HttpException);
    expect((raw as HttpException).status).toBe(429);
    const e = classifyJiraError(raw, 'get service desk', NOW);
    expect(e).toMatchObject({ kind: 'rate-limited', status: 429, retryAfterMs: 7000, mayHaveTakenEffect: false, operation: 'get service desk' });
    expect(e.jiraMessage).toBe('Rate limit exceeded.');
  });

  it('429 with only X-RateLimit-Reset', async () => {
    script.set('1', [{ status: 429, headers: { 'x-ratelimit-reset': '2030-01-01T00:01Z' }, body: {} }]);
    const e = classifyJiraError(await rejection(getDesk('1')), 'op', NOW);
    expect(e.kind).toBe('rate-limited');
    expect(e.retryAfterMs).toBe(60_000);
  });

  it('400 with a JSM body: rejected, with Jira’s errorMessage', async () => {
    script.set('5', [{ status: 400, body: JSM_400 }]);
    const e = classifyJiraError(await rejection(createRequest('5')), 'create request', NOW);
    expect(e).toMatchObject({ kind: 'rejected', status: 400, mayHaveTakenEffect: false });
    expect(e.jiraMessage).toBe("The field 'Summary' is required.");
    expect(e.message).toContain("The field 'Summary' is required.");
  });

  it('400 with a platform body: errorMessages and field errors joined', async () => {
    script.set('5', [{ status: 400, body: PLATFORM_400 }]);
    const e = classifyJiraError(await rejection(createRequest('5')), 'create request', NOW);
    expect(e.kind).toBe('rejected');
    expect(e.jiraMessage).toBe('Request type is invalid.; customfield_10010: Option id 42 is not valid');
  });

  it('401 and 403 are auth, 404 is not-found', async () => {
    script.set('1', [{ status: 401, body: { errorMessages: ['Client must be authenticated to access this resource.'] } }]);
    script.set('2', [{ status: 403, body: { errorMessage: 'You do not have permission.' } }]);
    script.set('3', [{ status: 404, body: { errorMessage: 'Service desk 3 does not exist.' } }]);
    const e401 = classifyJiraError(await rejection(getDesk('1')), 'op', NOW);
    expect(e401).toMatchObject({ kind: 'auth', status: 401, jiraMessage: 'Client must be authenticated to access this resource.' });
    expect(classifyJiraError(await rejection(getDesk('2')), 'op', NOW)).toMatchObject({ kind: 'auth', status: 403 });
    expect(classifyJiraError(await rejection(getDesk('3')), 'op', NOW)).toMatchObject({ kind: 'not-found', status: 404 });
  });

  it('504: transient; taken effect only for a POST; HTML reduced to text', async () => {
    const html = '<html><head><style>h1{}</style></head><body><h1>504 Gateway Time-out</h1></body></html>';
    script.set('1', [{ status: 504, body: html }]);
    const onGet = classifyJiraError(await rejection(getDesk('1')), 'op', NOW);
    expect(onGet).toMatchObject({ kind: 'transient', status: 504, mayHaveTakenEffect: false, jiraMessage: '504 Gateway Time-out' });
    const onPost = classifyJiraError(await rejection(createRequest('1')), 'op', NOW);
    expect(onPost).toMatchObject({ kind: 'transient', status: 504, mayHaveTakenEffect: true });
  });

  it('503 with Retry-After is rate-limited (but a POST may have taken effect); without it transient', async () => {
    script.set('1', [{ status: 503, headers: { 'retry-after': '3' }, body: {} }]);
    script.set('2', [{ status: 503, body: {} }]);
    expect(classifyJiraError(await rejection(getDesk('1')), 'op', NOW)).toMatchObject({ kind: 'rate-limited', retryAfterMs: 3000, mayHaveTakenEffect: false });
    expect(classifyJiraError(await rejection(createRequest('1')), 'op', NOW)).toMatchObject({ kind: 'rate-limited', mayHaveTakenEffect: true });
    const plain = classifyJiraError(await rejection(getDesk('2')), 'op', NOW);
    expect(plain.kind).toBe('transient');
    expect(plain.retryAfterMs).toBeUndefined();
  });

  it('a closed port is unreachable and never took effect, even for a create', async () => {
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const closed = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise((resolve) => probe.close(resolve));
    const raw = await rejection(createRequest('1', client(undefined, closed)));
    expect((raw as { isAxiosError?: boolean }).isAxiosError).toBe(true);
    const e = classifyJiraError(raw, 'create request', NOW);
    expect(e).toMatchObject({ kind: 'unreachable', code: 'ECONNREFUSED', mayHaveTakenEffect: false });
    expect(e.status).toBeUndefined();
  });

  it('a socket reset after the request arrived: transient, and a POST may have taken effect', async () => {
    script.set('1', ['destroy']);
    const onGet = classifyJiraError(await rejection(getDesk('1')), 'op', NOW);
    expect(onGet).toMatchObject({ kind: 'transient', code: 'ECONNRESET', mayHaveTakenEffect: false });
    const onPost = classifyJiraError(await rejection(createRequest('1')), 'op', NOW);
    expect(onPost).toMatchObject({ kind: 'transient', code: 'ECONNRESET', mayHaveTakenEffect: true });
    expect(hits.get('1')).toBe(2); // both requests did reach the server
  });

  it('a client timeout on a create: transient, may have taken effect', async () => {
    script.set('1', ['hang']);
    const e = classifyJiraError(await rejection(createRequest('1', client({ timeout: 50 }))), 'op', NOW);
    expect(e).toMatchObject({ kind: 'transient', code: 'ECONNABORTED', mayHaveTakenEffect: true });
  });

  it('never copies credentials, although the raw error carries them', async () => {
    script.set('1', [{ status: 401, body: { errorMessages: ['nope'] } }]);
    script.set('5', [{ status: 400, body: JSM_400 }]);
    authHeaders.length = 0;
    const raws = [await rejection(getDesk('1')), await rejection(createRequest('5'))];
    expect(authHeaders).toEqual([`Basic ${BASIC}`, `Basic ${BASIC}`]); // the credentials really were sent
    for (const raw of raws) {
      const cause = (raw as { cause?: { config?: { headers?: Record<string, unknown> } } }).cause;
      expect(String(cause?.config?.headers?.Authorization)).toContain(BASIC);
      const e = classifyJiraError(raw, 'op', NOW);
      const dump = `${e.message} ${e.stack ?? ''} ${JSON.stringify(e)} ${JSON.stringify(Object.getOwnPropertyDescriptors(e))}`;
      expect(dump).not.toContain(BASIC);
      expect(dump).not.toContain(TOKEN);
      expect(e.cause).toBeUndefined();
    }
  });
});

describe('classifyJiraError on other shapes', () => {
  it('DNS failures are unreachable; a connect timeout never took effect', () => {
    const axiosLike = (code: string, syscall?: string) =>
      Object.assign(new Error(`getaddrinfo ${code} jira.example`), { isAxiosError: true, code, config: { method: 'post' }, cause: { code, syscall } });
    expect(classifyJiraError(axiosLike('ENOTFOUND'), 'op', NOW)).toMatchObject({ kind: 'unreachable', mayHaveTakenEffect: false });
    expect(classifyJiraError(axiosLike('EAI_AGAIN'), 'op', NOW)).toMatchObject({ kind: 'unreachable', mayHaveTakenEffect: false });
    expect(classifyJiraError(axiosLike('ETIMEDOUT', 'connect'), 'op', NOW)).toMatchObject({ kind: 'transient', mayHaveTakenEffect: false });
    expect(classifyJiraError(axiosLike('ETIMEDOUT'), 'op', NOW)).toMatchObject({ kind: 'transient', mayHaveTakenEffect: true });
  });

  it('a non-HTTP error wrapped by jira.js (status defaults to 500) is unknown, without a status', () => {
    const e = classifyJiraError(new HttpException(new Error('boom')), 'op', NOW);
    expect(e).toMatchObject({ kind: 'unknown', jiraMessage: 'boom', mayHaveTakenEffect: true });
    expect(e.status).toBeUndefined();
  });

  it('scrubs credential-looking text from messages and returns a JiraCallError unchanged', () => {
    const e = classifyJiraError(new Error('GET https://bob:hunter2@jira.example/x failed, Authorization: Bearer abc.def'), 'op', NOW);
    expect(e.jiraMessage).not.toContain('hunter2');
    expect(e.jiraMessage).not.toContain('abc.def');
    expect(classifyJiraError(e, 'other', NOW)).toBe(e);
  });
});

// ---------------------------------------------------------------------------------------------
// withRetry
// ---------------------------------------------------------------------------------------------
const policy: RetryPolicy = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30_000 };
const jiraError = (init: Partial<JiraCallErrorInit> & Pick<JiraCallErrorInit, 'kind'>) =>
  new JiraCallError({ operation: 'op', jiraMessage: 'msg', mayHaveTakenEffect: false, ...init });

function setup(overrides: { policy?: Partial<RetryPolicy>; budgetMs?: number; random?: () => number; limiter?: RateLimiter; clock?: FakeClock } = {}) {
  const clock = overrides.clock ?? new FakeClock(1_000_000);
  const p = { ...policy, ...overrides.policy };
  const limiter = overrides.limiter ?? new RateLimiter({ clock, random: () => 0 });
  const budget = new RetryBudget(overrides.budgetMs ?? 120_000, clock);
  const retries: Array<{ attempt: number; delayMs: number; kind: string }> = [];
  const opts = (safeToRepeat: boolean) => ({
    limiter,
    policy: p,
    budget,
    safeToRepeat,
    clock,
    random: overrides.random ?? (() => 0.999),
    onRetry: (i: { attempt: number; delayMs: number; error: JiraCallError }) => retries.push({ attempt: i.attempt, delayMs: i.delayMs, kind: i.error.kind }),
  });
  /** A call that throws the given errors in turn, then returns 'ok'; records when it ran. */
  const scripted = (...failures: JiraCallError[]) => {
    const times: number[] = [];
    const fn = async () => {
      times.push(clock.now());
      const f = failures.shift();
      if (f) throw f;
      return 'ok';
    };
    return { fn, times };
  };
  return { clock, limiter, budget, retries, opts, scripted };
}

describe('withRetry: rate limits', () => {
  it('4 concurrent 429s share ONE pause of Retry-After and are released spaced out', async () => {
    const { clock, limiter, budget, opts, scripted, retries } = setup();
    const t0 = clock.now();
    const calls = Array.from({ length: 4 }, () => scripted(jiraError({ kind: 'rate-limited', status: 429, retryAfterMs: 5000 })));
    const results = await Promise.all(calls.map((c) => withRetry('op', c.fn, opts(true))));
    expect(results).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(calls.map((c) => c.times[0])).toEqual([t0, t0, t0, t0]);
    const second = calls.map((c) => (c.times[1] ?? Number.NaN) - t0).sort((a, b) => a - b);
    expect(second[0]).toBe(5000); // the pause is Retry-After, not 4 × Retry-After
    for (let i = 1; i < 4; i++) expect((second[i] ?? 0) - (second[i - 1] ?? 0)).toBeGreaterThanOrEqual(250); // spaced, at the lowered pace
    expect(second[3]).toBeLessThan(5000 + 3 * 313);
    expect(retries.map((r) => r.delayMs)).toEqual([5000, 5000, 5000, 5000]);
    // One decrease for the episode: 4 req/s sent (no answer yet to measure) → 3.2/s, then
    // climbing back towards 4/s with the 4 successes.
    expect(limiter.currentRatePerSecond).toBeGreaterThan(3.2);
    expect(limiter.currentRatePerSecond).toBeLessThan(4);
    // Overlapping waits are charged once: the one 5 s pause, not 4 × 5 s. The queue for a paced
    // slot after it is free, as it is for first attempts.
    const spent = 120_000 - budget.remainingMs();
    expect(spent).toBe(5000);
  });

  it('a retry after a 429 keeps its place ahead of calls that arrive during the pause', async () => {
    const { clock, opts, scripted } = setup();
    const t0 = clock.now();
    const first = scripted(jiraError({ kind: 'rate-limited', status: 429, retryAfterMs: 2000 }));
    const order: string[] = [];
    const a = withRetry('op', first.fn, opts(true)).then(() => order.push('retried'));
    await clock.sleep(1000); // mid-pause, a new submission's first call comes along
    const later = scripted();
    const b = withRetry('op', later.fn, opts(true)).then(() => order.push('new'));
    await Promise.all([a, b]);
    expect(order).toEqual(['retried', 'new']);
    expect((first.times[1] ?? 0) - t0).toBe(2000);
    expect(later.times[0] ?? 0).toBeGreaterThan(first.times[1] ?? 0);
  });

  it('retries a 429 even for a create, and waits the backoff cap when there is no Retry-After', async () => {
    // A fast pace, so the spacing between permits does not hide the pause length.
    const clock0 = new FakeClock(1_000_000);
    const { clock, opts, scripted, retries } = setup({ clock: clock0, limiter: new RateLimiter({ clock: clock0, initialRatePerSecond: 100, random: () => 0 }) });
    const { fn, times } = scripted(jiraError({ kind: 'rate-limited', status: 429 }), jiraError({ kind: 'rate-limited', status: 429 }));
    await expect(withRetry('create', fn, opts(false))).resolves.toBe('ok');
    expect(times.map((t) => t - (times[0] ?? 0))).toEqual([0, 500, 1500]);
    expect(retries.map((r) => r.delayMs)).toEqual([500, 1000]);
    expect(clock.now() - (times[0] ?? 0)).toBe(1500);
  });

  it('a 503 rate limit on a create that may have taken effect is thrown, but still pauses everyone', async () => {
    const { clock, limiter, opts, scripted } = setup();
    const { fn, times } = scripted(jiraError({ kind: 'rate-limited', status: 503, retryAfterMs: 4000, mayHaveTakenEffect: true }));
    const e = await callError(withRetry('create', fn, opts(false)));
    expect(e.mayHaveTakenEffect).toBe(true);
    expect(times).toHaveLength(1);
    expect(limiter.pausedUntil).toBe(clock.now() + 4000);
  });
});

describe('withRetry: transient failures', () => {
  it('backs off exponentially with full jitter, capped by maxDelayMs', async () => {
    const { clock, opts, scripted, retries } = setup({ policy: { maxDelayMs: 3000 } });
    const { fn, times } = scripted(...Array.from({ length: 5 }, () => jiraError({ kind: 'transient', status: 502 })));
    await expect(withRetry('get', fn, opts(true))).resolves.toBe('ok');
    // random() = 0.999 → just under each cap: 500, 1000, 2000, 3000 (capped), 3000.
    expect(retries.map((r) => r.delayMs)).toEqual([499, 999, 1998, 2997, 2997]);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(clock.now() - (times[0] ?? 0)).toBe(499 + 999 + 1998 + 2997 + 2997);
  });

  it('keeps every jittered delay within [0, cap]', async () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const { opts, scripted, retries } = setup({ random, policy: { maxAttempts: 8 }, budgetMs: 1e9 });
    for (let run = 0; run < 10; run++) {
      const { fn } = scripted(...Array.from({ length: 7 }, () => jiraError({ kind: 'transient', code: 'ECONNRESET' })));
      await withRetry('get', fn, opts(true));
    }
    expect(retries).toHaveLength(70);
    retries.forEach((r) => {
      expect(r.delayMs).toBeGreaterThanOrEqual(0);
      expect(r.delayMs).toBeLessThanOrEqual(500 * 2 ** (r.attempt - 1));
    });
    expect(new Set(retries.map((r) => r.delayMs)).size).toBeGreaterThan(50); // really random, not fixed
  });

  it('a create whose 504 or socket reset may have taken effect is NOT retried', async () => {
    const { opts, scripted, retries } = setup();
    for (const failure of [
      jiraError({ kind: 'transient', status: 504, mayHaveTakenEffect: true }),
      jiraError({ kind: 'transient', code: 'ECONNRESET', mayHaveTakenEffect: true }),
    ]) {
      const { fn, times } = scripted(failure);
      const e = await callError(withRetry('create', fn, opts(false)));
      expect(e).toBe(failure);
      expect(e.mayHaveTakenEffect).toBe(true);
      expect(times).toHaveLength(1);
    }
    expect(retries).toEqual([]);
    // The same failure on a call that is safe to repeat is retried.
    const { fn, times } = scripted(jiraError({ kind: 'transient', status: 504, mayHaveTakenEffect: true }));
    await expect(withRetry('get', fn, opts(true))).resolves.toBe('ok');
    expect(times).toHaveLength(2);
  });

  it('retries unreachable (nothing was sent), even for a create', async () => {
    const { opts, scripted } = setup();
    const { fn, times } = scripted(jiraError({ kind: 'unreachable', code: 'ECONNREFUSED' }));
    await expect(withRetry('create', fn, opts(false))).resolves.toBe('ok');
    expect(times).toHaveLength(2);
  });

  it('gives up after maxAttempts and reports how many were made', async () => {
    const { opts, scripted, retries } = setup({ policy: { maxAttempts: 3 } });
    const { fn, times } = scripted(...Array.from({ length: 10 }, () => jiraError({ kind: 'transient', status: 502 })));
    const e = await callError(withRetry('get', fn, opts(true)));
    expect(times).toHaveLength(3);
    expect(e.attempts).toBe(3);
    expect(retries).toHaveLength(2);
  });
});

describe('withRetry: errors that are never retried', () => {
  it.each([
    ['rejected', 400],
    ['auth', 401],
    ['not-found', 404],
    ['unknown', undefined],
  ] as const)('%s is thrown at once with Jira’s message', async (kind, status) => {
    const { opts, scripted, retries } = setup();
    const { fn, times } = scripted(jiraError({ kind, ...(status ? { status } : {}), jiraMessage: "The field 'Summary' is required." }));
    const e = await callError(withRetry('create', fn, opts(true)));
    expect(e.kind).toBe(kind);
    expect(e.jiraMessage).toBe("The field 'Summary' is required.");
    expect(times).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it('classifies raw errors thrown by the call', async () => {
    const { opts } = setup();
    const e = await callError(withRetry('x', () => Promise.reject(new Error('kaput')), opts(true)));
    expect(e).toMatchObject({ kind: 'unknown', operation: 'x', jiraMessage: 'kaput' });
  });
});

describe('withRetry: the shared budget', () => {
  it('charges overlapping waits once (their wall-clock union) and counts a wait in progress', async () => {
    const clock = new FakeClock();
    const budget = new RetryBudget(10_000, clock);
    const a = budget.track(() => clock.sleep(5000)); // 0 .. 5000
    await clock.sleep(1000);
    expect(budget.remainingMs()).toBe(9000);
    const b = budget.track(() => clock.sleep(5000)); // 1000 .. 6000
    await Promise.all([a, b]);
    expect(clock.now()).toBe(6000);
    expect(budget.remainingMs()).toBe(4000);
    await clock.sleep(3000); // nobody waiting to retry: free
    expect(budget.remainingMs()).toBe(4000);
    await expect(budget.track(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await budget.track(() => clock.sleep(500));
    expect(budget.remainingMs()).toBe(3500);
  });

  it('stops retrying when the next wait does not fit the budget', async () => {
    const { opts, scripted, budget } = setup({ budgetMs: 2000 });
    const { fn, times } = scripted(...Array.from({ length: 5 }, () => jiraError({ kind: 'transient', status: 502 })));
    const e = await callError(withRetry('get', fn, opts(true)));
    // 499 + 999 spent; the next 1998 ms would overrun the 502 ms left.
    expect(times).toHaveLength(3);
    expect(e.attempts).toBe(3);
    expect(budget.remainingMs()).toBe(2000 - 499 - 999);
  });

  it('is shared: a later call cannot retry once earlier ones used it up', async () => {
    const { opts, scripted } = setup({ budgetMs: 1000 });
    const first = scripted(jiraError({ kind: 'transient', status: 502 }));
    await withRetry('get', first.fn, opts(true)); // spends 499
    const second = scripted(jiraError({ kind: 'transient', status: 502 }), jiraError({ kind: 'transient', status: 502 }));
    await callError(withRetry('get', second.fn, opts(true))); // 499 fits (501 left), 999 does not
    expect(second.times).toHaveLength(2);
  });

  it('a wait that uses up exactly the budget left is still made', async () => {
    const { opts, scripted, budget } = setup({ budgetMs: 499 });
    const { fn, times } = scripted(jiraError({ kind: 'transient', status: 502 }));
    await expect(withRetry('get', fn, opts(true))).resolves.toBe('ok'); // waited 499 of 499
    expect(times).toHaveLength(2);
    expect(budget.remainingMs()).toBe(0);
  });

  it('a Retry-After longer than the budget ends the call at once', async () => {
    const { opts, scripted, retries } = setup({ budgetMs: 10_000 });
    const { fn, times } = scripted(jiraError({ kind: 'rate-limited', status: 429, retryAfterMs: 60_000 }));
    const e = await callError(withRetry('get', fn, opts(true)));
    expect(e.retryAfterMs).toBe(60_000);
    expect(times).toHaveLength(1);
    expect(retries).toEqual([]);
  });
});

describe('withRetry around a real jira.js client', () => {
  it('retries a GET that got a 504, then succeeds', async () => {
    const { opts, retries } = setup();
    script.set('1', [{ status: 504, body: '<h1>504</h1>' }, { status: 200, body: { id: '1', projectKey: 'SUP' } }]);
    const c = client();
    await expect(withRetry('get service desk', () => getDesk('1', c), opts(true))).resolves.toMatchObject({ projectKey: 'SUP' });
    expect(hits.get('1')).toBe(2);
    expect(retries).toHaveLength(1);
  });

  it('does not repeat a create that got a 504 or a socket reset', async () => {
    const { opts } = setup();
    script.set('1', [{ status: 504, body: '<h1>504</h1>' }, { status: 201, body: { issueKey: 'SUP-1' } }]);
    script.set('2', ['destroy', { status: 201, body: { issueKey: 'SUP-2' } }]);
    const c = client();
    const e504 = await callError(withRetry('create request', () => createRequest('1', c), opts(false)));
    expect(e504).toMatchObject({ kind: 'transient', status: 504, mayHaveTakenEffect: true });
    const eReset = await callError(withRetry('create request', () => createRequest('2', c), opts(false)));
    expect(eReset).toMatchObject({ kind: 'transient', code: 'ECONNRESET', mayHaveTakenEffect: true });
    expect(eReset.message).toContain('create request');
    expect([hits.get('1'), hits.get('2')]).toEqual([1, 1]);
  });

  it('retries a create after a 429 once the Retry-After has passed', async () => {
    const { clock, opts } = setup();
    script.set('1', [{ status: 429, headers: { 'retry-after': '2' }, body: {} }, { status: 201, body: { issueKey: 'SUP-3' } }]);
    const start = clock.now();
    await expect(withRetry('create request', () => createRequest('1'), opts(false))).resolves.toMatchObject({ issueKey: 'SUP-3' });
    expect(hits.get('1')).toBe(2);
    expect(clock.now() - start).toBe(2000);
  });
});
