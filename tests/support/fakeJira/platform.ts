import { platformUser } from './dto.js';
import { json, platformError, type Ctx, type Reply } from './http.js';
import type { Route } from './router.js';

function myself(ctx: Ctx): Reply {
  const apiVersion = ctx.path.includes('/api/2/') ? '2' : '3';
  return json(200, {
    ...platformUser(ctx.state.agent, ctx.baseUrl),
    // JQL date literals are read in this zone; a client that converts them must ask here.
    timeZone: ctx.state.accountTimeZone,
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

export const platformRoutes: Route[] = [
  { method: 'GET', pattern: '/rest/api/3/myself', handler: myself },
  { method: 'GET', pattern: '/rest/api/2/myself', handler: myself },
  { method: 'GET', pattern: '/rest/api/3/user/search', handler: userSearch },
  { method: 'GET', pattern: '/rest/api/2/user/search', handler: userSearch },
];
