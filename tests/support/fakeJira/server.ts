import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { controlRouter } from './control.js';
import { Barriers, FaultQueue, rateLimitHeaders, TokenBucket } from './faults.js';
import { issueRoutes } from './issues.js';
import { platformError, readBody, sleep, writeReply, type Ctx, type Reply } from './http.js';
import { deskRoutes } from './jsmDesk.js';
import { requestRoutes } from './jsmRequests.js';
import { multipartBoundary, parseMultipart } from './multipart.js';
import { platformRoutes } from './platform.js';
import { projectRoutes } from './project.js';
import { Router } from './router.js';
import { searchRoutes } from './search.js';
import { FakeState } from './state.js';
import type { Fault, FakeJira, FakeJiraAuth, FakeJiraOptions, MultipartSummary, RecordedRequest } from './types.js';
import { workflowHandle } from './workflowControl.js';

const NOT_AUTHENTICATED = 'You are not authenticated. Authentication required to perform this operation.';

export async function startFakeJira(opts: FakeJiraOptions = {}): Promise<FakeJira> {
  const state = new FakeState(opts);
  const faults = new FaultQueue();
  const barriers = new Barriers();
  let rateLimit = opts.rateLimitPerSecond;
  let limiter = rateLimit ? new TokenBucket(rateLimit) : undefined;
  const api = new Router([...deskRoutes, ...requestRoutes, ...platformRoutes, ...searchRoutes, ...projectRoutes, ...issueRoutes]);
  let url = '';

  const fake: FakeJira = {
    get url() {
      return url;
    },
    close,
    issues: state.issues,
    requests: state.requests,
    temporaryFiles: state.temporaryFiles,
    customers: state.customers,
    injectFault: (f) => faults.inject(f),
    setRequestTypeFields: (id, fields) => void state.requestTypes.set(id, structuredClone(fields)),
    setIssueTypeFields: (id, fields) => {
      const type = state.issueTypes.get(id) ?? { id, name: `Issue type ${id}`, fields: [] };
      state.issueTypes.set(id, { ...type, fields: structuredClone(fields) });
    },
    setAuth: (auth) => void (state.auth = auth ?? null),
    setRateLimit: (perSecond) => {
      rateLimit = perSecond;
      limiter = perSecond ? new TokenBucket(perSecond) : undefined;
    },
    setLatency: (ms) => void (state.latencyMs = ms),
    addCustomer: (email, displayName) => state.addCustomer(email, displayName),
    ...workflowHandle(state),
    reset: () => {
      state.reset();
      faults.clear();
    },
  };
  const control = controlRouter(() => fake, (ms) => void (state.searchLagMs = ms));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The latency is counted from the request's arrival, as a client sees a real server's: the
    // fake's own work (reading, checking, recording) is part of it, not added on top.
    const arrived = performance.now();
    // Every answer carries Jira's time, as a real server's does: the fake's clock, to the second.
    res.setHeader('Date', new Date(state.now()).toUTCString());
    const rawBody = await readBody(req);
    const parsedUrl = new URL(req.url ?? '/', 'http://fake.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const body = parseBody(req.headers['content-type'], rawBody);
    const ctx: Ctx = {
      state,
      method,
      path: parsedUrl.pathname,
      query: parsedUrl.searchParams,
      headers: req.headers,
      rawBody,
      json: body.json,
      params: {},
      baseUrl: url,
    };

    if (ctx.path.startsWith('/__fake/')) {
      const m = control.match(method, ctx.path);
      const reply =
        m === undefined || m === 'methodNotAllowed'
          ? platformError(404, [`No fake control route ${method} ${ctx.path}`])
          : await m.handler({ ...ctx, params: m.params });
      return writeReply(res, reply);
    }

    const record: RecordedRequest = {
      method,
      path: ctx.path,
      query: Object.fromEntries(ctx.query),
      headers: req.headers,
      body: body.summary,
      status: 0,
      at: Date.now(),
    };
    state.requests.push(record);

    const fault = faults.take(method, ctx.path);
    if (fault) record.fault = fault.kind;
    if (fault?.kind === 'drop') return void req.socket.destroy();
    if (fault?.kind === 'barrier') await barriers.arrive(fault);

    let reply = fault?.kind === 'status' ? faultReply(fault) : await handleApi(ctx, body.error);
    if (fault?.kind === 'status-after-effect') reply = faultReply(fault);

    const delay = state.latencyMs + (fault?.kind === 'delay' ? fault.ms : 0);
    // A fraction of a millisecond is kept: Node's timers count whole milliseconds from the loop's
    // clock, so a whole `delay` would answer up to a millisecond late, every call.
    const left = arrived + delay - performance.now();
    if (delay > 0 && left > 0) await sleep(left);
    // The effect has happened; the client just never hears about it.
    if (fault?.kind === 'drop-after-effect') return void req.socket.destroy();

    record.status = reply.status;
    writeReply(res, reply);
  }

  async function handleApi(ctx: Ctx, bodyError: string | undefined): Promise<Reply> {
    // The limiter sits in front of everything, like Atlassian's edge: rejected calls never reach Jira.
    const token = limiter?.take();
    if (token && !token.ok) {
      return { ...platformError(429, ['Rate limit exceeded.']), headers: rateLimitHeaders(token.retryAfterSeconds, rateLimit ?? 0) };
    }
    const auth = checkAuth(state.auth, ctx.headers.authorization);
    if (auth !== 'ok') {
      const headers: Record<string, string> = { 'WWW-Authenticate': `OAuth realm="${encodeURIComponent(url)}"` };
      if (auth === 'wrong') headers['X-Seraph-LoginReason'] = 'AUTHENTICATED_FAILED';
      return { ...platformError(401, [NOT_AUTHENTICATED]), headers };
    }
    if (bodyError) return platformError(400, [bodyError]);
    const m = api.match(ctx.method, ctx.path);
    if (m === undefined) return platformError(404, [`null for uri: ${url}${ctx.path}`]);
    if (m === 'methodNotAllowed') return platformError(405, [`Method ${ctx.method} is not allowed for ${ctx.path}`]);
    return m.handler({ ...ctx, params: m.params });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const last = state.requests.at(-1);
      if (last && last.status === 0) last.status = 500;
      if (!res.headersSent) writeReply(res, platformError(500, [`Fake Jira crashed: ${(err as Error).stack ?? String(err)}`]));
      else res.destroy();
    });
  });
  // Long enough that a keep-alive socket is never closed under a client that is about to reuse it.
  server.keepAliveTimeout = 60_000;

  function close(): Promise<void> {
    return new Promise((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

function faultReply(fault: Extract<Fault, { status: number }>): Reply {
  const body = fault.body ?? { errorMessages: [http.STATUS_CODES[fault.status] ?? `HTTP ${fault.status}`], errors: {} };
  return typeof body === 'string'
    ? { status: fault.status, headers: fault.headers, text: body }
    : { status: fault.status, headers: fault.headers, body };
}

function checkAuth(auth: FakeJiraAuth, header: string | undefined): 'ok' | 'missing' | 'wrong' {
  if (auth === null) return 'ok';
  if (!header) return 'missing';
  const [scheme = '', credentials = ''] = header.split(/\s+/, 2);
  if ('pat' in auth) return scheme.toLowerCase() === 'bearer' && credentials === auth.pat ? 'ok' : 'wrong';
  if (scheme.toLowerCase() !== 'basic') return 'wrong';
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const ok = colon >= 0 && decoded.slice(0, colon) === auth.email && decoded.slice(colon + 1) === auth.apiToken;
  return ok ? 'ok' : 'wrong';
}

/** `json` feeds handlers; `summary` is what gets recorded (multipart as a file list, not bytes). */
function parseBody(contentType: string | undefined, raw: Buffer): { json?: unknown; summary: unknown; error?: string } {
  if (raw.length === 0) return { summary: undefined };
  const boundary = multipartBoundary(contentType);
  if (boundary) {
    const parts = parseMultipart(raw, boundary);
    const summary: MultipartSummary = {
      multipart: true,
      parts: typeof parts === 'string' ? [] : parts.map((p) => ({ name: p.name, fileName: p.fileName, contentType: p.contentType, size: p.content.length })),
    };
    return { summary };
  }
  const text = raw.toString('utf8');
  if (contentType === undefined || /json/i.test(contentType)) {
    try {
      const json: unknown = JSON.parse(text);
      return { json, summary: json };
    } catch (e) {
      if (contentType !== undefined) return { summary: text, error: `Unexpected JSON body: ${(e as Error).message}` };
    }
  }
  return { summary: text };
}
