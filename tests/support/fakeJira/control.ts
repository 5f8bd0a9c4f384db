import { json, type Ctx, type Reply } from './http.js';
import { Router } from './router.js';
import type { Fault, FakeJira } from './types.js';
import { workflowControlRoutes } from './workflowControl.js';

/**
 * /__fake/… lets tests that spawn the fake in another process (demo,
 * benchmark, end-to-end) inspect and steer it. It bypasses auth, the rate
 * limiter and faults, and is not recorded in `requests`.
 */
export function controlRouter(fake: () => FakeJira, setSearchLag: (ms: number) => void): Router {
  const bad = (message: string): Reply => json(400, { errorMessages: [message], errors: {} });
  return new Router([
    ...workflowControlRoutes(fake),
    {
      method: 'GET',
      pattern: '/__fake/issues',
      handler: () =>
        json(
          200,
          fake().issues.map((i) => ({
            ...i,
            attachments: i.attachments.map(({ content, ...a }) => ({ ...a, size: content.length })),
          })),
        ),
    },
    { method: 'GET', pattern: '/__fake/requests', handler: () => json(200, fake().requests) },
    {
      method: 'GET',
      pattern: '/__fake/customers',
      handler: () => json(200, fake().customers),
    },
    {
      method: 'POST',
      pattern: '/__fake/reset',
      handler: () => {
        fake().reset();
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      pattern: '/__fake/customers',
      handler: (ctx: Ctx) => {
        const b = (ctx.json ?? {}) as { email?: unknown; displayName?: unknown };
        if (typeof b.email !== 'string') return bad('email is required');
        return json(201, fake().addCustomer(b.email, typeof b.displayName === 'string' ? b.displayName : undefined));
      },
    },
    {
      method: 'POST',
      pattern: '/__fake/faults',
      // JSON cannot carry a RegExp, so `match.pathRegex` stands in for one.
      handler: (ctx: Ctx) => {
        const b = (ctx.json ?? {}) as Fault & { match?: { pathRegex?: string } };
        const m = b.match ?? { path: '' };
        const path = typeof m.pathRegex === 'string' ? new RegExp(m.pathRegex) : m.path;
        if (typeof path !== 'string' && !(path instanceof RegExp)) return bad('match.path or match.pathRegex is required');
        try {
          fake().injectFault({ ...b, match: { method: m.method, path } });
        } catch (e) {
          return bad((e as Error).message);
        }
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      pattern: '/__fake/settings',
      handler: (ctx: Ctx) => {
        const b = (ctx.json ?? {}) as Record<string, unknown>;
        const f = fake();
        if (typeof b.latencyMs === 'number') f.setLatency(b.latencyMs);
        if ('rateLimitPerSecond' in b) f.setRateLimit(typeof b.rateLimitPerSecond === 'number' ? b.rateLimitPerSecond : undefined);
        if ('auth' in b) f.setAuth((b.auth ?? null) as Parameters<FakeJira['setAuth']>[0]);
        if (typeof b.searchLagMs === 'number') setSearchLag(b.searchLagMs);
        return { status: 204 };
      },
    },
    {
      method: 'PUT',
      pattern: '/__fake/requesttype/:requestTypeId/fields',
      handler: (ctx: Ctx) => {
        if (!Array.isArray(ctx.json)) return bad('body must be an array of fields');
        fake().setRequestTypeFields(ctx.params.requestTypeId ?? '', ctx.json);
        return { status: 204 };
      },
    },
    {
      method: 'PUT',
      pattern: '/__fake/issuetype/:issueTypeId/fields',
      handler: (ctx: Ctx) => {
        if (!Array.isArray(ctx.json)) return bad('body must be an array of fields');
        fake().setIssueTypeFields(ctx.params.issueTypeId ?? '', ctx.json);
        return { status: 204 };
      },
    },
  ]);
}
