/**
 * Plain-fetch calls to the fake for tests that assert Jira's exact statuses and bodies, which a
 * client library would hide behind its own exceptions. Authenticates like the fake was started.
 */
import type { FakeJira, FakeJiraAuth } from './types.js';

export interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the text when the body is not JSON. */
  body: unknown;
}

export function authHeader(auth: FakeJiraAuth): Record<string, string> {
  if (auth === null) return {};
  if ('pat' in auth) return { Authorization: `Bearer ${auth.pat}` };
  return { Authorization: `Basic ${Buffer.from(`${auth.email}:${auth.apiToken}`).toString('base64')}` };
}

export async function call(
  fake: FakeJira,
  auth: FakeJiraAuth,
  method: string,
  path: string,
  opts: { json?: unknown; form?: FormData; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { Accept: 'application/json', ...authHeader(auth), ...opts.headers };
  let body: string | FormData | undefined;
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.form) {
    body = opts.form;
  }
  const res = await fetch(`${fake.url}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Not JSON (XSRF and media-type refusals are plain text): keep the text.
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** An Atlassian document with one paragraph per line, as a v3 client must send long text. */
export function adf(text: string) {
  return {
    type: 'doc',
    version: 1,
    content: text.split('\n').map((line) => ({ type: 'paragraph', content: line === '' ? [] : [{ type: 'text', text: line }] })),
  };
}
