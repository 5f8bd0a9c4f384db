// Turns whatever jira.js 5.4 throws into one JiraCallError that the retry loop and
// the callers can act on without knowing about axios or jira.js internals.
//
// What jira.js 5.4 throws (dist/esm/clients/baseClient.mjs, buildErrorHandlingResponse):
//  - an HTTP error response: HttpException with numeric `.status`, `.response` =
//    {code, message, data (parsed body), status, statusText} and `.cause` = the
//    AxiosError, whose `.response.headers` holds the headers and `.config.method`
//    the HTTP method;
//  - a transport failure: the raw AxiosError (`isAxiosError: true`, `.code`, no
//    `.response`), whose non-enumerable `.cause` is Node's error (`.syscall`);
//  - anything else wrapped as `new HttpException(error)`: status defaults to 500
//    although no response ever arrived, so `.response` is then the Error itself.
// We duck-type instead of `instanceof HttpException`, so an error coming from the
// CJS build of jira.js (or from plain axios, e.g. an attachment upload) still works.

import { redactCredentials } from '../../logging/redact.js';

export type JiraErrorKind =
  | 'rate-limited' // 429, or 503 with Retry-After
  | 'transient' // 408, 500, 502, 503, 504, connection reset/timeout: may be retried if the call is safe to repeat
  | 'unreachable' // ECONNREFUSED / ENOTFOUND / EAI_AGAIN / host unreachable: Jira is down or the URL is wrong
  | 'auth' // 401, 403
  | 'not-found' // 404
  | 'rejected' // other 4xx: Jira refused the content (e.g. 400 invalid field)
  | 'unknown';

export interface JiraCallErrorInit {
  kind: JiraErrorKind;
  operation: string;
  jiraMessage: string;
  mayHaveTakenEffect: boolean;
  status?: number;
  retryAfterMs?: number;
  code?: string;
}

export class JiraCallError extends Error {
  override name = 'JiraCallError';
  readonly kind: JiraErrorKind;
  /** HTTP status, when Jira answered at all. */
  readonly status?: number;
  /** Jira's own words (JSM `errorMessage`, platform `errorMessages` + `errors`), or the transport error. */
  readonly jiraMessage: string;
  /** How long Jira asked us to wait (Retry-After / X-RateLimit-Reset), in ms. */
  readonly retryAfterMs?: number;
  /** True when the request may have reached Jira but the answer was lost: a blind retry could duplicate it. */
  readonly mayHaveTakenEffect: boolean;
  /** Label of the gateway call, e.g. 'createCustomerRequest'. */
  readonly operation: string;
  /** Transport error code (ECONNRESET, ETIMEDOUT, ...) or axios code. */
  readonly code?: string;
  /** How many attempts were made before this error was given up on; withRetry updates it. */
  attempts = 1;

  constructor(init: JiraCallErrorInit) {
    const what = init.status !== undefined ? `HTTP ${init.status}` : (init.code ?? init.kind);
    super(`Jira ${init.operation} failed (${init.kind}, ${what}): ${init.jiraMessage}`);
    this.kind = init.kind;
    this.operation = init.operation;
    this.jiraMessage = init.jiraMessage;
    this.mayHaveTakenEffect = init.mayHaveTakenEffect;
    if (init.status !== undefined) this.status = init.status;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.code !== undefined) this.code = init.code;
    // Deliberately no `cause`: the AxiosError carries the request config including
    // the Authorization header, and loggers happily walk `cause` chains.
  }
}

/** The same error with the configured secrets taken out of its text (Jira can echo the request's
 *  credentials in an error body). Everything else, attempts included, is kept. */
export function redactJiraError(err: JiraCallError, redact: (s: string) => string): JiraCallError {
  const jiraMessage = redact(err.jiraMessage);
  if (jiraMessage === err.jiraMessage && redact(err.operation) === err.operation) return err;
  const clean = new JiraCallError({
    kind: err.kind,
    operation: redact(err.operation),
    jiraMessage,
    mayHaveTakenEffect: err.mayHaveTakenEffect,
    ...(err.status !== undefined ? { status: err.status } : {}),
    ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
    ...(err.code !== undefined ? { code: err.code } : {}),
  });
  clean.attempts = err.attempts;
  return clean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null;

/** A Retry-After of 0, or a reset time already in the past, still means "not right now". */
const MIN_RETRY_AFTER_MS = 1000;
/** Longest jiraMessage we keep: error pages (HTML from a proxy) can be huge. */
const MAX_MESSAGE_CHARS = 500;

function header(headers: Obj, name: string): string | undefined {
  // Node lowercases incoming header names, but callers may hand us anything.
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    const first: unknown = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string' || typeof first === 'number') return String(first).trim();
  }
  return undefined;
}

/**
 * How long the server asked us to wait, in ms (at least 1000), or undefined.
 * Retry-After wins (delta-seconds or HTTP-date); X-RateLimit-Reset is the fallback:
 * Atlassian sends an ISO 8601 timestamp (minute precision), other gateways epoch seconds.
 */
export function parseRetryAfter(headers: Record<string, unknown> | undefined, now: number): number | undefined {
  if (!headers) return undefined;
  const retryAfter = header(headers, 'retry-after');
  if (retryAfter !== undefined && retryAfter !== '') {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.max(MIN_RETRY_AFTER_MS, Math.ceil(Number(retryAfter) * 1000));
    // Date.parse accepts almost anything ('-5' is year -5); an HTTP-date always names a month.
    const at = /[A-Za-z]{3}/.test(retryAfter) ? Date.parse(retryAfter) : Number.NaN;
    if (!Number.isNaN(at)) return Math.max(MIN_RETRY_AFTER_MS, at - now);
  }
  const reset = header(headers, 'x-ratelimit-reset');
  if (reset !== undefined && reset !== '') {
    let at: number;
    if (/^\d+(\.\d+)?$/.test(reset)) {
      const n = Number(reset);
      // Digits only: epoch seconds normally; ms if absurdly large; and a small number
      // (before 2001 as epoch seconds) can only sensibly be "seconds from now".
      at = n >= 1e12 ? n : n >= 1e9 ? n * 1000 : now + n * 1000;
    } else {
      at = /^\d{4}-\d{2}-\d{2}/.test(reset) ? Date.parse(reset) : Number.NaN;
    }
    if (!Number.isNaN(at)) return Math.max(MIN_RETRY_AFTER_MS, Math.ceil(at - now));
  }
  return undefined;
}

function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_MESSAGE_CHARS ? `${oneLine.slice(0, MAX_MESSAGE_CHARS)}…` : oneLine;
}

/** Jira's own words from a response body: JSM {errorMessage}, platform {errorMessages, errors}, or text. */
function messageFromBody(data: unknown): string | undefined {
  if (typeof data === 'string') {
    // Proxies answer 502/504 with HTML; the tags are noise in a log line.
    const text = data.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' ');
    return text.trim() ? text : undefined;
  }
  if (!isObj(data)) return undefined;
  const parts: string[] = [];
  if (typeof data.errorMessage === 'string' && data.errorMessage) parts.push(data.errorMessage);
  if (Array.isArray(data.errorMessages)) {
    for (const m of data.errorMessages) if (typeof m === 'string' && m) parts.push(m);
  }
  if (isObj(data.errors)) {
    for (const [field, m] of Object.entries(data.errors)) if (typeof m === 'string' && m) parts.push(`${field}: ${m}`);
  }
  if (parts.length === 0 && typeof data.message === 'string' && data.message) parts.push(data.message);
  return parts.length ? parts.join('; ') : undefined;
}

/** Methods that change nothing on the server, so losing their answer loses nothing. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Failures that happen before a single byte of the request reaches Jira. */
const NOT_CONNECTED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN']);
/** Connection-level failures after connecting, or timeouts: worth another try. */
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'ESOCKETTIMEDOUT', 'ERR_NETWORK',
  'ERR_SOCKET_CONNECTION_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

function methodOf(axiosLike: unknown): string | undefined {
  const config = isObj(axiosLike) ? axiosLike.config : undefined;
  // Only the method is read from the request config; its headers hold credentials.
  return isObj(config) ? str(config.method)?.toUpperCase() : undefined;
}

/** Unknown method: assume the worst, it might have written something. */
const mightWrite = (method: string | undefined): boolean => method === undefined || !SAFE_METHODS.has(method);

function classifyStatus(status: number, retryAfterMs: number | undefined, method: string | undefined) {
  const write = mightWrite(method);
  // 429: Jira rejects before doing any work, so it never took effect.
  if (status === 429) return { kind: 'rate-limited' as const, mayHaveTakenEffect: false };
  // 503 + Retry-After is Atlassian's "resource limit reached": wait like a 429. But unlike a
  // 429 it is not documented as "not processed", so a POST stays possibly-effective.
  if (status === 503 && retryAfterMs !== undefined) return { kind: 'rate-limited' as const, mayHaveTakenEffect: write };
  // 408: the server gave up waiting for our request, it did not run it.
  if (status === 408) return { kind: 'transient' as const, mayHaveTakenEffect: false };
  if (status === 401 || status === 403) return { kind: 'auth' as const, mayHaveTakenEffect: false };
  if (status === 404) return { kind: 'not-found' as const, mayHaveTakenEffect: false };
  if (status >= 400 && status < 500) return { kind: 'rejected' as const, mayHaveTakenEffect: false };
  // 500 is often a Jira bug triggered by the content, but also appears during incidents;
  // a bounded retry is cheap. 504/502 in particular often mean Jira finished the work anyway.
  if (status === 500 || status === 502 || status === 503 || status === 504) {
    return { kind: 'transient' as const, mayHaveTakenEffect: write };
  }
  return { kind: 'unknown' as const, mayHaveTakenEffect: status >= 500 ? write : true };
}

/**
 * Classifies an error thrown by a jira.js call (or by axios directly).
 * `now` is the clock used to turn HTTP-date / reset timestamps into a wait.
 */
export function classifyJiraError(err: unknown, operation: string, now: number): JiraCallError {
  if (err instanceof JiraCallError) return err;

  // The object that carries the HTTP response: jira.js HttpException, or an AxiosError with a response.
  let status: number | undefined;
  let body: unknown;
  let headers: Obj | undefined;
  let axiosLike: unknown;
  let fallback: string | undefined;

  if (isObj(err) && err.isAxiosError === true) {
    axiosLike = err;
    const response = err.response;
    if (isObj(response) && typeof response.status === 'number') {
      status = response.status;
      body = response.data;
      headers = isObj(response.headers) ? response.headers : undefined;
      fallback = str(response.statusText);
    }
  } else if (isObj(err) && typeof err.status === 'number' && isObj(err.response) && !(err.response instanceof Error)) {
    // HttpException built from a real response (jira.js only then passes a plain object).
    status = err.status;
    body = err.response.data;
    fallback = str(err.response.statusText) ?? str(err.statusText);
    axiosLike = err.cause;
    const axiosResponse = isObj(axiosLike) ? axiosLike.response : undefined;
    headers = isObj(axiosResponse) && isObj(axiosResponse.headers) ? axiosResponse.headers : undefined;
  }

  if (status !== undefined) {
    const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(headers, now) : undefined;
    const { kind, mayHaveTakenEffect } = classifyStatus(status, retryAfterMs, methodOf(axiosLike));
    const words = messageFromBody(body) ?? fallback ?? `HTTP ${status}`;
    const code = isObj(axiosLike) ? str(axiosLike.code) : undefined;
    return new JiraCallError({
      kind,
      operation,
      status,
      jiraMessage: clip(redactCredentials(words)),
      mayHaveTakenEffect,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      ...(code !== undefined ? { code } : {}),
    });
  }

  if (isObj(err) && err.isAxiosError === true) {
    // No response at all: a transport failure.
    const nodeError = err.cause;
    const code = str(err.code) ?? (isObj(nodeError) ? str(nodeError.code) : undefined);
    const syscall = isObj(nodeError) ? str(nodeError.syscall) : undefined;
    const neverSent = (code !== undefined && NOT_CONNECTED_CODES.has(code)) || syscall === 'connect' || syscall === 'getaddrinfo';
    const text = str(err.message) ?? code ?? 'network error';
    let kind: JiraErrorKind;
    if (code !== undefined && NOT_CONNECTED_CODES.has(code)) kind = 'unreachable';
    else if ((code !== undefined && TRANSIENT_CODES.has(code)) || /socket hang up/i.test(text)) kind = 'transient';
    else kind = 'unknown';
    return new JiraCallError({
      kind,
      operation,
      jiraMessage: clip(redactCredentials(text)),
      // A reset or timeout after connecting may hit after Jira received (and ran) the request.
      mayHaveTakenEffect: !neverSent && mightWrite(methodOf(err)),
      ...(code !== undefined ? { code } : {}),
    });
  }

  // Something that never became an HTTP exchange we understand (jira.js wrapping a plain
  // Error, a bug in our own code, ...). We cannot tell whether anything was sent.
  const inner = isObj(err) && err.response instanceof Error ? err.response : err;
  const text = inner instanceof Error ? inner.message || inner.name : typeof inner === 'string' ? inner : 'unknown error';
  const code = isObj(inner) ? str(inner.code) : undefined;
  return new JiraCallError({
    kind: 'unknown',
    operation,
    jiraMessage: clip(redactCredentials(text)),
    mayHaveTakenEffect: true,
    ...(code !== undefined ? { code } : {}),
  });
}

/** Whatever a gateway call threw, as a JiraCallError (withRetry already classifies most). */
export function asJiraError(err: unknown, operation: string): JiraCallError {
  return err instanceof JiraCallError ? err : classifyJiraError(err, operation, Date.now());
}

/** One Jira call; whatever it throws comes out as a JiraCallError naming `operation`. */
export async function jiraCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw asJiraError(err, operation);
  }
}
