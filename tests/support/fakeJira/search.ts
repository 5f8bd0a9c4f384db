import { createHash } from 'node:crypto';
import { json, platformError, type Ctx, type Reply } from './http.js';
import { issueBean } from './issueBean.js';
import { JqlError, parseJql } from './jql.js';
import { matchesJql, sortByJql } from './jqlMatch.js';
import type { Route } from './router.js';
import type { IndexedIssue } from './workflow.js';

/**
 * Issue search as Cloud (/rest/api/3/search/jql, token paging, no total) and
 * Data Center (/rest/api/2/search, startAt/total) answer it, over the service
 * desk's requests and the plain project's issues alike. Both read the
 * lagging index (workflow.ts), never the live tickets (except those named in
 * the enhanced search's `reconcileIssues`), and render timestamps in the
 * account's time zone.
 */

interface SearchInput {
  jql: string;
  fields: string[];
  maxResults?: number;
  startAt?: number;
  nextPageToken?: string;
  validateQuery?: string;
  reconcileIssues?: unknown;
}

/** GET takes comma-separated query parameters, POST a JSON body; both mean the same. */
function searchInput(ctx: Ctx): SearchInput {
  if (ctx.method === 'GET') {
    const num = (k: string) => (ctx.query.get(k) === null ? undefined : Number(ctx.query.get(k)));
    return {
      jql: ctx.query.get('jql') ?? '',
      fields: ctx.query.getAll('fields').flatMap((f) => f.split(',')).filter(Boolean),
      maxResults: num('maxResults'),
      startAt: num('startAt'),
      nextPageToken: ctx.query.get('nextPageToken') ?? undefined,
      validateQuery: ctx.query.get('validateQuery') ?? undefined,
    };
  }
  const b = (ctx.json ?? {}) as Record<string, unknown>;
  const fields = Array.isArray(b.fields) ? b.fields.map(String) : typeof b.fields === 'string' ? b.fields.split(',') : [];
  return {
    jql: typeof b.jql === 'string' ? b.jql : '',
    fields,
    maxResults: typeof b.maxResults === 'number' ? b.maxResults : undefined,
    startAt: typeof b.startAt === 'number' ? b.startAt : undefined,
    nextPageToken: typeof b.nextPageToken === 'string' ? b.nextPageToken : undefined,
    validateQuery: typeof b.validateQuery === 'string' ? b.validateQuery : undefined,
    reconcileIssues: b.reconcileIssues,
  };
}

/** `strict` (Jira's default) answers 400 for a key that does not exist; `warn`/`none` drop it. */
function runJql(
  ctx: Ctx,
  jql: string,
  requireBounded: boolean,
  validateQuery = 'strict',
  reconcile: ReadonlySet<string> = new Set(),
): { found: IndexedIssue[]; warnings: string[] } | Reply {
  const { state } = ctx;
  try {
    const q = parseJql(jql, {
      projects: state.projects,
      workflow: state.workflow,
      timeZone: state.accountTimeZone,
      now: state.now(),
      issueExists: (key) => state.findIssue(key) !== undefined,
      strictKeys: validateQuery === 'strict' || validateQuery === 'true',
    });
    if (requireBounded && q.where === null) {
      return platformError(400, ['Unbounded JQL queries are not allowed here. Please add a search restriction to your query.']);
    }
    const found = state.workflow.indexed(reconcile).filter((i) => matchesJql(q.where, i));
    return { found: sortByJql(found, q.orderBy), warnings: validateQuery === 'none' ? [] : q.warnings };
  } catch (e) {
    if (e instanceof JqlError) return platformError(400, [e.message]);
    throw e;
  }
}

/** Tokens are opaque to clients; this one also pins the query, so a token is refused with other JQL. */
const pageToken = (jql: string, offset: number) =>
  Buffer.from(`${createHash('sha256').update(jql).digest('hex').slice(0, 12)}:${offset}`).toString('base64url');

function tokenOffset(jql: string, token: string): number | undefined {
  const m = /^([0-9a-f]{12}):(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
  return m && pageToken(jql, Number(m[2])) === token ? Number(m[2]) : undefined;
}

/**
 * Enhanced search: token paging, no total. Up to 5000 issues a page when only
 * id/key are asked for, at most 100 with other fields ("may return fewer items
 * per page"), so a client must follow nextPageToken, not count.
 */
function enhancedSearch(ctx: Ctx): Reply {
  const apiVersion = ctx.path.includes('/api/2/') ? '2' : '3';
  const input = searchInput(ctx);
  let offset = 0;
  if (input.nextPageToken !== undefined) {
    const o = tokenOffset(input.jql, input.nextPageToken);
    if (o === undefined) return platformError(400, ['Invalid format of nextPageToken']);
    offset = o;
  }
  if (input.maxResults !== undefined && !Number.isInteger(input.maxResults)) return platformError(400, ['maxResults must be an integer.']);
  const reconcile = reconcileIds(ctx, input.reconcileIssues);
  if (!(reconcile instanceof Set)) return reconcile;
  const result = runJql(ctx, input.jql, true, 'strict', reconcile);
  if (!('found' in result)) return result;
  const onlyIds = input.fields.every((f) => f === 'id' || f === 'key');
  const maxResults = Math.min(Math.max(1, input.maxResults ?? 50), onlyIds ? 5000 : 100);
  const page = result.found.slice(offset, offset + maxResults);
  const isLast = offset + page.length >= result.found.length;
  const body: Record<string, unknown> = { issues: page.map((i) => issueBean(ctx, i, input.fields, apiVersion)), isLast };
  if (!isLast) body.nextPageToken = pageToken(input.jql, offset + page.length);
  return json(200, body);
}

/** reconcileIssues: up to 50 numeric issue ids (GET: comma-separated) whose live state overrides the index. */
function reconcileIds(ctx: Ctx, fromBody: unknown): Set<string> | Reply {
  const raw = ctx.method === 'GET' ? ctx.query.getAll('reconcileIssues').flatMap((v) => v.split(',')).filter(Boolean) : (fromBody ?? []);
  const ids = Array.isArray(raw) ? raw.map((v) => (typeof v === 'number' || typeof v === 'string' ? String(v).trim() : '')) : [''];
  if (ids.some((id) => !/^\d+$/.test(id))) return platformError(400, ['reconcileIssues must be a list of issue ids (numbers).']);
  if (ids.length > 50) return platformError(400, [`reconcileIssues accepts at most 50 issue ids, got ${ids.length}.`]);
  return new Set(ids);
}

/** Classic /rest/api/2/search (Data Center): startAt paging with a total, all navigable fields by default. */
function classicSearch(ctx: Ctx): Reply {
  const input = searchInput(ctx);
  if (input.maxResults !== undefined && !Number.isInteger(input.maxResults)) return platformError(400, ['maxResults must be an integer.']);
  const validate = input.validateQuery ?? 'strict';
  if (!['strict', 'warn', 'none', 'true', 'false'].includes(validate)) {
    return platformError(400, [`Invalid validateQuery value '${validate}'.`]);
  }
  const result = runJql(ctx, input.jql, false, validate === 'false' ? 'warn' : validate);
  if (!('found' in result)) return result;
  const startAt = Math.max(0, input.startAt ?? 0);
  const maxResults = Math.min(Math.max(0, input.maxResults ?? 50), 100);
  const fields = input.fields.length > 0 ? input.fields : ['*navigable'];
  const body: Record<string, unknown> = {
    expand: 'schema,names',
    startAt,
    maxResults,
    total: result.found.length,
    issues: result.found.slice(startAt, startAt + maxResults).map((i) => issueBean(ctx, i, fields, '2')),
  };
  if (result.warnings.length > 0) body.warningMessages = result.warnings;
  return json(200, body);
}

export const searchRoutes: Route[] = [
  ...(['2', '3'] as const).flatMap((v): Route[] => [
    { method: 'POST', pattern: `/rest/api/${v}/search/jql`, handler: enhancedSearch },
    { method: 'GET', pattern: `/rest/api/${v}/search/jql`, handler: enhancedSearch },
  ]),
  { method: 'POST', pattern: '/rest/api/2/search', handler: classicSearch },
  { method: 'GET', pattern: '/rest/api/2/search', handler: classicSearch },
];
