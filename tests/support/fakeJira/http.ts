import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { FakeState } from './state.js';
import type { JsmError } from './validate.js';

/** What a route handler answers; the server turns it into bytes (or a fault replaces it). */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** Serialised as JSON unless `text` or `raw` is given. */
  body?: unknown;
  text?: string;
  raw?: Buffer;
  contentType?: string;
}

export interface Ctx {
  state: FakeState;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  /** Parsed JSON body (undefined when there is none). */
  json: unknown;
  params: Record<string, string>;
  /** Base URL for `_links`/`self`, like https://your-domain.atlassian.net. */
  baseUrl: string;
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({ status, body, headers });

/** Platform (/rest/api) ErrorCollection body. */
export const platformError = (status: number, errorMessages: string[], errors: Record<string, string> = {}): Reply =>
  json(status, { errorMessages, errors });

/** JSM (/rest/servicedeskapi) ErrorResponse body. */
export const jsmErrorReply = (status: number, error: JsmError): Reply => json(status, error);

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function writeReply(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload: Buffer | undefined;
  if (reply.raw) {
    payload = reply.raw;
    headers['Content-Type'] ??= reply.contentType ?? 'application/octet-stream';
  } else if (reply.text !== undefined) {
    payload = Buffer.from(reply.text);
    headers['Content-Type'] ??= reply.contentType ?? 'text/plain;charset=UTF-8';
  } else if (reply.body !== undefined && reply.status !== 204) {
    payload = Buffer.from(JSON.stringify(reply.body));
    headers['Content-Type'] ??= 'application/json;charset=UTF-8';
  }
  if (payload) headers['Content-Length'] = String(payload.length);
  res.writeHead(reply.status, headers);
  res.end(payload);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `start`/`limit` style paging used by every JSM list endpoint. */
export function pageParams(query: URLSearchParams, defaultLimit = 50): { start: number; limit: number } {
  const start = Math.max(0, Number.parseInt(query.get('start') ?? '0', 10) || 0);
  const limit = Math.max(1, Number.parseInt(query.get('limit') ?? String(defaultLimit), 10) || defaultLimit);
  return { start, limit };
}
