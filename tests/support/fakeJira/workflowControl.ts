import { json, type Ctx, type Reply } from './http.js';
import type { Route } from './router.js';
import type { FakeState } from './state.js';
import { assertTimeZone } from './timeZone.js';
import type { FakeJira } from './types.js';

/**
 * How tests work a ticket: in-process through the FakeJira handle, or from
 * another process (demo, end-to-end) through /__fake/issue/… control routes.
 * These are the agent's actions in Jira's UI, so they bypass auth and faults.
 */

type WorkflowHandle = Pick<FakeJira, 'transition' | 'resolve' | 'reopen' | 'deleteIssue' | 'setAccountTimeZone' | 'setSearchLag'>;

export function workflowHandle(state: FakeState): WorkflowHandle {
  return {
    transition: (key, status, opts) => state.workflow.transition(key, status, opts),
    resolve: (key, resolution, status) => state.workflow.resolve(key, resolution, status),
    reopen: (key, status) => state.workflow.reopen(key, status),
    deleteIssue: (key) => state.workflow.delete(key),
    setAccountTimeZone: (timeZone) => {
      assertTimeZone(timeZone);
      state.accountTimeZone = timeZone;
    },
    setSearchLag: (ms) => void (state.searchLagMs = ms),
  };
}

const bad = (message: string): Reply => json(400, { errorMessages: [message], errors: {} });

/** A workflow error (unknown key or status) is the test's mistake: answer 400 with the reason. */
function attempt(run: () => unknown): Reply {
  try {
    const version = run();
    return version === undefined ? { status: 204 } : json(200, version);
  } catch (e) {
    return bad((e as Error).message);
  }
}

export function workflowControlRoutes(fake: () => FakeJira): Route[] {
  const body = (ctx: Ctx) => (ctx.json ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return [
    {
      // {"status": "In Progress"} or {"status": "Resolved", "resolution": "Done" | null}
      method: 'POST',
      pattern: '/__fake/issue/:key/transition',
      handler: (ctx) => {
        const b = body(ctx);
        const status = str(b.status);
        if (!status) return bad('status is required');
        const resolution = b.resolution === null ? null : str(b.resolution);
        return attempt(() => fake().transition(ctx.params.key ?? '', status, resolution === undefined ? {} : { resolution }));
      },
    },
    {
      method: 'POST',
      pattern: '/__fake/issue/:key/resolve',
      handler: (ctx) => attempt(() => fake().resolve(ctx.params.key ?? '', str(body(ctx).resolution), str(body(ctx).status))),
    },
    {
      method: 'POST',
      pattern: '/__fake/issue/:key/reopen',
      handler: (ctx) => attempt(() => fake().reopen(ctx.params.key ?? '', str(body(ctx).status))),
    },
    {
      method: 'DELETE',
      pattern: '/__fake/issue/:key',
      handler: (ctx) => attempt(() => fake().deleteIssue(ctx.params.key ?? '')),
    },
    {
      // {"accountTimeZone": "Asia/Kolkata"}: the settings route's sibling, kept here with the rest of the workflow.
      method: 'POST',
      pattern: '/__fake/account',
      handler: (ctx) => {
        const tz = str(body(ctx).accountTimeZone);
        if (!tz) return bad('accountTimeZone is required');
        return attempt(() => fake().setAccountTimeZone(tz));
      },
    },
  ];
}
