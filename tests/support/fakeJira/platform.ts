import { jiraDateTime, platformUser, reporterOf } from './dto.js';
import { json, platformError, type Ctx, type Reply } from './http.js';
import { JqlError, matchesJql, parseJql, sortByJql } from './jql.js';
import type { Route } from './router.js';
import type { FakeIssue } from './types.js';

function myself(ctx: Ctx): Reply {
  const apiVersion = ctx.path.includes('/api/2/') ? '2' : '3';
  return json(200, {
    ...platformUser(ctx.state.agent, ctx.baseUrl),
    self: `${ctx.baseUrl}/rest/api/${apiVersion}/user?accountId=${encodeURIComponent(ctx.state.agent.accountId)}`,
    groups: { size: 0, items: [] },
    applicationRoles: { size: 0, items: [] },
    expand: 'groups,applicationRoles',
  });
}

function userSearch(ctx: Ctx): Reply {
  const query = ctx.query.get('query');
  const accountId = ctx.query.get('accountId');
  if (query !== null && accountId !== null) return platformError(400, ['The query and accountId parameters cannot be used together.']);
  if (query === null && accountId === null) return platformError(400, ["One of 'query' or 'accountId' parameters must be provided."]);
  const q = (query ?? '').toLowerCase();
  const users = ctx.state
    .allUsers()
    .filter((u) => (accountId !== null ? u.accountId === accountId : u.emailAddress.toLowerCase().includes(q) || u.displayName.toLowerCase().includes(q)));
  const startAt = Math.max(0, Number(ctx.query.get('startAt') ?? 0) || 0);
  const maxResults = Math.max(0, Number(ctx.query.get('maxResults') ?? 50) || 50);
  return json(200, users.slice(startAt, startAt + maxResults).map((u) => platformUser(u, ctx.baseUrl)));
}

interface SearchInput {
  jql: string;
  fields: string[];
  maxResults?: number;
  startAt?: number;
  nextPageToken?: string;
}

/** GET takes comma-separated query parameters, POST a JSON body; both mean the same. */
function searchInput(ctx: Ctx): SearchInput {
  if (ctx.method === 'GET') {
    const num = (k: string) => (ctx.query.get(k) === null ? undefined : Number(ctx.query.get(k)));
    return {
      jql: ctx.query.get('jql') ?? '',
      fields: (ctx.query.get('fields') ?? '').split(',').filter(Boolean),
      maxResults: num('maxResults'),
      startAt: num('startAt'),
      nextPageToken: ctx.query.get('nextPageToken') ?? undefined,
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
  };
}

function runJql(ctx: Ctx, jql: string, requireBounded: boolean): FakeIssue[] | Reply {
  const { state } = ctx;
  try {
    const q = parseJql(jql, state.projects);
    if (requireBounded && q.where === null) {
      return platformError(400, ['Unbounded JQL queries are not allowed here. Please add a search restriction to your query.']);
    }
    const visible = state.issues.filter((i) => state.isIndexed(i) && matchesJql(q.where, i));
    return sortByJql(visible, q.orderBy);
  } catch (e) {
    if (e instanceof JqlError) return platformError(400, [e.message]);
    throw e;
  }
}

/**
 * Only the fields jira-sync reads. The API version matters for description:
 * v3 returns Atlassian Document Format, v2 plain text.
 */
export function issueBean(ctx: Ctx, issue: FakeIssue, requested: string[], apiVersion: '2' | '3') {
  const { state } = ctx;
  const all = requested.includes('*all') || requested.includes('*navigable');
  const want = (f: string) => all || requested.includes(f);
  const fields: Record<string, unknown> = {};
  if (want('summary')) fields.summary = issue.summary ?? '';
  if (want('labels')) fields.labels = [...issue.labels];
  if (want('created')) fields.created = jiraDateTime(issue.createdAt);
  if (want('description')) {
    const text = issue.description ?? null;
    const sent = issue.fields.description;
    // A document sent through API v3 comes back as sent; plain text is wrapped in one paragraph.
    const adf = typeof sent === 'object' && sent !== null ? sent : { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] };
    fields.description = apiVersion === '2' || text === null ? text : adf;
  }
  const plain = issue.requestTypeId === '';
  if (want('project')) {
    fields.project = plain
      ? { id: state.issueProject.id, key: state.issueProject.key, name: state.issueProject.name }
      : { id: state.projectId, key: state.projectKey, name: state.projectName };
  }
  if (want('status')) fields.status = { name: plain ? 'To Do' : 'Waiting for support', statusCategory: { key: 'new', name: 'To Do' } };
  const issueType = issue.issueTypeId === undefined ? undefined : state.issueTypes.get(issue.issueTypeId);
  if (want('issuetype') && issueType) fields.issuetype = { id: issueType.id, name: issueType.name, subtask: issueType.subtask ?? false };
  if (want('reporter')) fields.reporter = platformUser(reporterOf(issue, state), ctx.baseUrl);
  for (const [id, value] of Object.entries(issue.fields)) {
    if (id.startsWith('customfield_') && want(id)) fields[id] = value;
  }
  return { expand: '', id: issue.id, self: `${ctx.baseUrl}/rest/api/${apiVersion}/issue/${issue.id}`, key: issue.key, fields };
}

/** Enhanced search (/search/jql): token paging, no total, only `id` unless fields are named. */
function enhancedSearch(ctx: Ctx): Reply {
  const apiVersion = ctx.path.includes('/api/2/') ? '2' : '3';
  const input = searchInput(ctx);
  let offset = 0;
  if (input.nextPageToken !== undefined) {
    const m = /^offset:(\d+)$/.exec(Buffer.from(input.nextPageToken, 'base64url').toString());
    if (!m) return platformError(400, ['Invalid format of nextPageToken']);
    offset = Number(m[1]);
  }
  const result = runJql(ctx, input.jql, true);
  if (!Array.isArray(result)) return result;
  const maxResults = Math.min(Math.max(1, input.maxResults ?? 50), 5000);
  const page = result.slice(offset, offset + maxResults);
  const isLast = offset + page.length >= result.length;
  const body: Record<string, unknown> = { issues: page.map((i) => issueBean(ctx, i, input.fields, apiVersion)), isLast };
  if (!isLast) body.nextPageToken = Buffer.from(`offset:${offset + page.length}`).toString('base64url');
  return json(200, body);
}

/** Classic /rest/api/2/search: startAt paging with a total, all navigable fields by default. */
function classicSearch(ctx: Ctx): Reply {
  const input = searchInput(ctx);
  const result = runJql(ctx, input.jql, false);
  if (!Array.isArray(result)) return result;
  const startAt = Math.max(0, input.startAt ?? 0);
  const maxResults = Math.min(Math.max(0, input.maxResults ?? 50), 100);
  const fields = input.fields.length > 0 ? input.fields : ['*navigable'];
  return json(200, {
    expand: 'schema,names',
    startAt,
    maxResults,
    total: result.length,
    issues: result.slice(startAt, startAt + maxResults).map((i) => issueBean(ctx, i, fields, '2')),
  });
}

export const platformRoutes: Route[] = [
  { method: 'GET', pattern: '/rest/api/3/myself', handler: myself },
  { method: 'GET', pattern: '/rest/api/2/myself', handler: myself },
  { method: 'GET', pattern: '/rest/api/3/user/search', handler: userSearch },
  { method: 'GET', pattern: '/rest/api/2/user/search', handler: userSearch },
  ...(['2', '3'] as const).flatMap((v): Route[] => [
    { method: 'POST', pattern: `/rest/api/${v}/search/jql`, handler: enhancedSearch },
    { method: 'GET', pattern: `/rest/api/${v}/search/jql`, handler: enhancedSearch },
  ]),
  { method: 'POST', pattern: '/rest/api/2/search', handler: classicSearch },
  { method: 'GET', pattern: '/rest/api/2/search', handler: classicSearch },
];
