// The edges of Jira error classification that mutation testing found unpinned: which statuses
// and transport codes may have taken effect, how long a rate limit asks us to wait, and what
// is kept of Jira's words. Each case states what a careless change would get wrong.
import { HttpException } from 'jira.js';
import { describe, expect, it } from 'vitest';
import { classifyJiraError, JiraCallError, parseRetryAfter, redactJiraError } from '../../src/adapters/jira/errors.js';

const NOW = Date.parse('2030-01-01T00:00:00Z');

/** An axios error with a response, as jira.js 5.4 hands over for a plain upload. */
function axiosResponse(status: number, data: unknown, opts: { method?: string; headers?: Record<string, unknown>; statusText?: string } = {}) {
  return Object.assign(new Error(`Request failed with status code ${status}`), {
    isAxiosError: true,
    config: { method: opts.method ?? 'post' },
    response: { status, data, headers: opts.headers ?? {}, statusText: opts.statusText ?? '' },
  });
}

/** An axios transport failure: no response. */
function axiosTransport(message: string, code?: string, method = 'post') {
  return Object.assign(new Error(message), { isAxiosError: true, config: { method }, ...(code ? { code } : {}) });
}

describe('JiraCallError message', () => {
  it('names the operation, the kind and the status, else the code, else the kind', () => {
    const base = { operation: 'createCustomerRequest', jiraMessage: 'nope', mayHaveTakenEffect: false };
    expect(new JiraCallError({ ...base, kind: 'rejected', status: 400 }).message).toBe(
      'Jira createCustomerRequest failed (rejected, HTTP 400): nope',
    );
    expect(new JiraCallError({ ...base, kind: 'transient', code: 'ECONNRESET' }).message).toBe(
      'Jira createCustomerRequest failed (transient, ECONNRESET): nope',
    );
    expect(new JiraCallError({ ...base, kind: 'unknown' }).message).toBe('Jira createCustomerRequest failed (unknown, unknown): nope');
    expect(new JiraCallError({ ...base, kind: 'unknown' }).name).toBe('JiraCallError');
  });
});

describe('classifyJiraError: statuses', () => {
  it('418 and 422 are rejected; 408 is transient and never took effect', () => {
    expect(classifyJiraError(axiosResponse(418, ''), 'op', NOW)).toMatchObject({ kind: 'rejected', mayHaveTakenEffect: false });
    expect(classifyJiraError(axiosResponse(422, ''), 'op', NOW)).toMatchObject({ kind: 'rejected', mayHaveTakenEffect: false });
    expect(classifyJiraError(axiosResponse(408, ''), 'op', NOW)).toMatchObject({ kind: 'transient', mayHaveTakenEffect: false });
    expect(classifyJiraError(axiosResponse(499, ''), 'op', NOW)).toMatchObject({ kind: 'rejected' });
  });

  it('401, 403 and 404 never took effect, even for a POST', () => {
    for (const status of [401, 403, 404]) {
      expect(classifyJiraError(axiosResponse(status, ''), 'op', NOW).mayHaveTakenEffect).toBe(false);
    }
  });

  it('500, 502 and 503 are transient: a POST may have taken effect, a GET did not', () => {
    for (const status of [500, 502, 503]) {
      expect(classifyJiraError(axiosResponse(status, ''), 'op', NOW)).toMatchObject({ kind: 'transient', mayHaveTakenEffect: true });
      expect(classifyJiraError(axiosResponse(status, '', { method: 'get' }), 'op', NOW)).toMatchObject({ kind: 'transient', mayHaveTakenEffect: false });
    }
  });

  it('another 5xx is unknown, and effective only for a write; an odd non-error status is unknown and assumed effective', () => {
    expect(classifyJiraError(axiosResponse(501, ''), 'op', NOW)).toMatchObject({ kind: 'unknown', mayHaveTakenEffect: true });
    expect(classifyJiraError(axiosResponse(501, '', { method: 'get' }), 'op', NOW)).toMatchObject({ kind: 'unknown', mayHaveTakenEffect: false });
    expect(classifyJiraError(axiosResponse(500, '', { method: 'head' }), 'op', NOW)).toMatchObject({ mayHaveTakenEffect: false });
    expect(classifyJiraError(axiosResponse(500, '', { method: 'options' }), 'op', NOW)).toMatchObject({ mayHaveTakenEffect: false });
    expect(classifyJiraError(axiosResponse(302, '', { method: 'get' }), 'op', NOW)).toMatchObject({ kind: 'unknown', mayHaveTakenEffect: true });
    expect(classifyJiraError(axiosResponse(399, '', { method: 'get' }), 'op', NOW)).toMatchObject({ kind: 'unknown', mayHaveTakenEffect: true });
  });

  it('reads the wait only for 429 and 503', () => {
    const headers = { 'retry-after': '7' };
    expect(classifyJiraError(axiosResponse(429, '', { headers }), 'op', NOW).retryAfterMs).toBe(7000);
    expect(classifyJiraError(axiosResponse(503, '', { headers }), 'op', NOW)).toMatchObject({ kind: 'rate-limited', retryAfterMs: 7000 });
    const e = classifyJiraError(axiosResponse(500, '', { headers }), 'op', NOW);
    expect(e.kind).toBe('transient');
    expect(e.retryAfterMs).toBeUndefined();
  });

  it('takes the headers of a jira.js HttpException from the axios error it wraps', () => {
    const cause = { isAxiosError: true, code: 'ERR_BAD_REQUEST', config: { method: 'get' }, response: { headers: { 'retry-after': '9' } } };
    const e = classifyJiraError(new HttpException({ status: 429, statusText: 'Too Many Requests', data: undefined }, 429, { cause }), 'op', NOW);
    expect(e).toMatchObject({ kind: 'rate-limited', status: 429, retryAfterMs: 9000, code: 'ERR_BAD_REQUEST', jiraMessage: 'Too Many Requests' });
  });
});

describe("classifyJiraError: Jira's words", () => {
  it('reduces an HTML error page to its text, without scripts or styles', () => {
    const page = '<html><head><style>p { color: red }</style><script>var x = "<b>";</script></head>\n<body><p>Bad   gateway</p></body></html>';
    expect(classifyJiraError(axiosResponse(502, page), 'op', NOW).jiraMessage).toBe('Bad gateway');
  });

  it('keeps words in neighbouring tags, or either side of a script, apart', () => {
    expect(classifyJiraError(axiosResponse(502, '<td>Bad</td><td>gateway</td>'), 'op', NOW).jiraMessage).toBe('Bad gateway');
    expect(classifyJiraError(axiosResponse(502, 'Bad<script>x()</script>gateway'), 'op', NOW).jiraMessage).toBe('Bad gateway');
  });

  it('falls back to the status text, then to the status, when the body says nothing', () => {
    expect(classifyJiraError(axiosResponse(502, '<html> </html>', { statusText: 'Bad Gateway' }), 'op', NOW).jiraMessage).toBe('Bad Gateway');
    expect(classifyJiraError(axiosResponse(502, {}, { statusText: '' }), 'op', NOW).jiraMessage).toBe('HTTP 502');
    expect(classifyJiraError(axiosResponse(400, { errorMessage: '', errorMessages: ['', 7], errors: { a: '', b: 3 } }), 'op', NOW).jiraMessage).toBe(
      'HTTP 400',
    );
  });

  it('uses a body message only when Jira gave no errorMessage(s)', () => {
    expect(classifyJiraError(axiosResponse(400, { message: 'plain' }), 'op', NOW).jiraMessage).toBe('plain');
    expect(classifyJiraError(axiosResponse(400, { message: 'plain', errorMessages: ['specific'] }), 'op', NOW).jiraMessage).toBe('specific');
  });

  it('keeps at most 500 characters of a huge body, marked as cut, on one line', () => {
    const e = classifyJiraError(axiosResponse(500, `first\n\n${'x'.repeat(600)}`), 'op', NOW);
    expect(e.jiraMessage).toBe(`first ${'x'.repeat(494)}…`);
    const exact = classifyJiraError(axiosResponse(500, 'y'.repeat(500)), 'op', NOW);
    expect(exact.jiraMessage).toBe('y'.repeat(500));
  });
});

describe('classifyJiraError: transport failures', () => {
  it('a socket hang up is transient; an unknown code is unknown; every not-connected code is unreachable', () => {
    expect(classifyJiraError(axiosTransport('socket hang up'), 'op', NOW)).toMatchObject({ kind: 'transient', mayHaveTakenEffect: true });
    expect(classifyJiraError(axiosTransport('weird', 'EWEIRD'), 'op', NOW)).toMatchObject({ kind: 'unknown', code: 'EWEIRD', mayHaveTakenEffect: true });
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN']) {
      expect(classifyJiraError(axiosTransport('down', code), 'op', NOW)).toMatchObject({ kind: 'unreachable', code, mayHaveTakenEffect: false });
    }
    for (const code of ['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_NETWORK', 'UND_ERR_SOCKET']) {
      expect(classifyJiraError(axiosTransport('cut', code), 'op', NOW)).toMatchObject({ kind: 'transient', code });
    }
  });

  it("reads the code from Node's error when axios gives none, and a failed DNS lookup never took effect", () => {
    const err = Object.assign(axiosTransport('lookup failed'), { cause: { code: 'ESOMETHING', syscall: 'getaddrinfo' } });
    expect(classifyJiraError(err, 'op', NOW)).toMatchObject({ kind: 'unknown', code: 'ESOMETHING', mayHaveTakenEffect: false });
  });

  it('a GET cut off after connecting took no effect; with no message the code is the text', () => {
    expect(classifyJiraError(axiosTransport('', 'ECONNRESET', 'get'), 'op', NOW)).toMatchObject({ mayHaveTakenEffect: false, jiraMessage: 'ECONNRESET' });
    expect(classifyJiraError(axiosTransport(''), 'op', NOW)).toMatchObject({ kind: 'unknown', jiraMessage: 'network error' });
  });

  it('something that is no HTTP exchange: its message, else its name, and its code', () => {
    expect(classifyJiraError(Object.assign(new TypeError(''), { code: 'ERR_X' }), 'op', NOW)).toMatchObject({
      kind: 'unknown',
      jiraMessage: 'TypeError',
      code: 'ERR_X',
      mayHaveTakenEffect: true,
    });
    expect(classifyJiraError('a string', 'op', NOW).jiraMessage).toBe('a string');
    expect(classifyJiraError(42, 'op', NOW).jiraMessage).toBe('unknown error');
  });
});

describe('parseRetryAfter: reset forms', () => {
  it('reads X-RateLimit-Reset as epoch ms when huge, and as seconds from now when small', () => {
    expect(parseRetryAfter({ 'x-ratelimit-reset': String(NOW + 4000) }, NOW)).toBe(4000);
    expect(parseRetryAfter({ 'x-ratelimit-reset': '30' }, NOW)).toBe(30_000);
    expect(parseRetryAfter({ 'x-ratelimit-reset': ' 30 ' }, NOW)).toBe(30_000);
  });

  it('tells epoch seconds from epoch ms at their limits, and ignores a negative reset', () => {
    expect(parseRetryAfter({ 'x-ratelimit-reset': '1000000000000' }, NOW)).toBe(1000); // ms: 2001, past
    expect(parseRetryAfter({ 'x-ratelimit-reset': '1000000000' }, NOW)).toBe(1000); // seconds: 2001, past
    expect(parseRetryAfter({ 'x-ratelimit-reset': '-30' }, NOW)).toBeUndefined();
  });

  it('an empty Retry-After falls through to X-RateLimit-Reset; an empty reset means nothing', () => {
    expect(parseRetryAfter({ 'retry-after': '', 'x-ratelimit-reset': '30' }, NOW)).toBe(30_000);
    expect(parseRetryAfter({ 'x-ratelimit-reset': '' }, NOW)).toBeUndefined();
    expect(parseRetryAfter({ 'retry-after': { at: 5 } }, NOW)).toBeUndefined();
  });

  it('rounds a fractional wait up', () => {
    expect(parseRetryAfter({ 'retry-after': '1.2345' }, NOW)).toBe(1235);
    expect(parseRetryAfter({ 'x-ratelimit-reset': String(NOW / 1000 + 2.0005) }, NOW)).toBe(2001);
  });
});

describe('redactJiraError', () => {
  const err = new JiraCallError({
    kind: 'rate-limited',
    operation: 'op',
    jiraMessage: 'token s3cr3t refused',
    mayHaveTakenEffect: true,
    status: 429,
    retryAfterMs: 5000,
    code: 'ERR_BAD_REQUEST',
  });
  err.attempts = 3;
  const redact = (s: string) => s.replaceAll('s3cr3t', '[REDACTED]');

  it('returns the same error when there is nothing to take out', () => {
    const clean = new JiraCallError({ kind: 'auth', operation: 'op', jiraMessage: 'no', mayHaveTakenEffect: false });
    expect(redactJiraError(clean, redact)).toBe(clean);
  });

  it('keeps everything but the secret', () => {
    const r = redactJiraError(err, redact);
    expect(r).not.toBe(err);
    expect(r).toMatchObject({
      kind: 'rate-limited',
      operation: 'op',
      jiraMessage: 'token [REDACTED] refused',
      mayHaveTakenEffect: true,
      status: 429,
      retryAfterMs: 5000,
      code: 'ERR_BAD_REQUEST',
      attempts: 3,
    });
  });

  it('also redacts an operation label that carries a secret', () => {
    const e = new JiraCallError({ kind: 'auth', operation: 'op s3cr3t', jiraMessage: 'no', mayHaveTakenEffect: false });
    const r = redactJiraError(e, redact);
    expect(r.operation).toBe('op [REDACTED]');
    expect(r.status).toBeUndefined();
  });
});
