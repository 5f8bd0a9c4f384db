// `npm run bench -- --stores` (and a part of the full `npm run bench`): the two tracker stores
// side by side, as issue 11 asks. The same backlog is drained at Jira's 10 req/s limit into a
// fresh SQLite tracker and into a fresh PostgreSQL tracker (a schema of its own in the bench's
// database, as a deployment that keeps the tracker beside the source would), then runs with
// nothing new are timed on both trackers, alternating SQLite and PostgreSQL run by run so that a
// shared machine's load drifting over the minutes weighs on both columns alike. The targets:
// PostgreSQL's throughput at least 95% of SQLite's, its idle run at most 1.5× SQLite's, and no
// Jira call in any idle run. The full bench passes its own SQLite drain (run 1) in, so the
// backlog is drained once per store, not twice into SQLite.
import type { FakeJira } from '../tests/support/fakeJira/index.js';
import type { Workspace } from '../tests/support/cli.js';
import { median, type Measured } from './measure.js';
import { fmt, type Row } from './report.js';

export interface StoresContext {
  databaseUrl: string;
  mappingPath: string;
  submissions: number;
  latencyMs: number;
  limit: number;
  idleRuns: number;
  fakeJira: (opts: { latencyMs?: number; rateLimitPerSecond?: number }) => Promise<FakeJira>;
  workspace: (databaseUrl: string, jira: FakeJira, mappingPath: string | null, extra?: Record<string, string>) => Workspace;
  run: (ws: Workspace) => Promise<Measured>;
  broken: string[];
  log: (line: string) => void;
}

/** A backlog drained into one store: its workspace (whose tracker now knows every row) and figures. */
export interface StoreDrain {
  ws: Workspace;
  m: Measured;
  tps: number;
  rejected429: number;
}

type Store = 'SQLite' | 'PostgreSQL';
const TRACKER_SCHEMA = 'jira_sync_bench_tracker';

async function drainInto(ctx: StoresContext, store: Store): Promise<StoreDrain> {
  const jira = await ctx.fakeJira({ latencyMs: ctx.latencyMs, rateLimitPerSecond: ctx.limit });
  const extra: Record<string, string> = store === 'PostgreSQL' ? { TRACKER_DATABASE_URL: ctx.databaseUrl, TRACKER_SCHEMA } : {};
  const ws = ctx.workspace(ctx.databaseUrl, jira, ctx.mappingPath, extra);
  ctx.log(`draining ${ctx.submissions} submissions into the ${store} tracker, Jira ${ctx.latencyMs} ms/call, limit ${ctx.limit} req/s`);
  const m = await ctx.run(ws);
  const what = `run at ${ctx.limit} req/s, ${store} tracker`;
  if (m.code !== 0) ctx.broken.push(`${what}: exit ${m.code}: ${m.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  const tickets = jira.issues.filter((i) => i.attachments.length === 1).length;
  if (jira.issues.length !== ctx.submissions || tickets !== ctx.submissions) {
    ctx.broken.push(`${what}: ${jira.issues.length} tickets, ${tickets} with one attachment; expected ${ctx.submissions}`);
  }
  const tps = tickets / (m.wallMs / 1000);
  const rejected429 = jira.requests.filter((r) => r.status === 429).length;
  ctx.log(`  ${fmt.s(m.wallMs)}, ${fmt.n(tps)} tickets/s, ${rejected429} answered 429, peak RSS ${fmt.mb(m.peakRssMb)}`);
  return { ws, m, tps, rejected429 };
}

/** Idle runs on both trackers, alternating; each must end "created 0 …" and call no Jira. */
async function idleBoth(ctx: StoresContext, drains: Record<Store, StoreDrain>): Promise<Record<Store, Measured[]>> {
  const jira = await ctx.fakeJira({});
  const out: Record<Store, Measured[]> = { SQLite: [], PostgreSQL: [] };
  for (const store of ['SQLite', 'PostgreSQL'] as const) drains[store].ws.env.JIRA_BASE_URL = jira.url;
  ctx.log(`idle runs, alternating SQLite and PostgreSQL trackers, ${ctx.idleRuns} each`);
  for (let i = 0; i < ctx.idleRuns; i++) {
    for (const store of (i % 2 === 0 ? ['SQLite', 'PostgreSQL'] : ['PostgreSQL', 'SQLite']) as Store[]) {
      const before = jira.requests.length;
      const m = await ctx.run(drains[store].ws);
      const what = `idle run, ${store} tracker, #${i + 1}`;
      if (m.code !== 0 || !/created 0, skipped 0, failed 0, parked 0/.test(m.stderr)) ctx.broken.push(`${what}: exit ${m.code}: ${m.stderr.trim().split('\n').at(-1)}`);
      if (jira.requests.length !== before) ctx.broken.push(`${what}: ${jira.requests.length - before} Jira calls with nothing new`);
      out[store].push(m);
    }
  }
  for (const store of ['SQLite', 'PostgreSQL'] as const) ctx.log(`  ${store}: ${out[store].map((m) => fmt.s(m.wallMs)).join(', ')}`);
  return out;
}

/** The rows of the table; `sqlite` is the full bench's own SQLite drain at the same limit, if it made one. */
export async function measureStores(ctx: StoresContext, sqlite?: StoreDrain): Promise<Row[]> {
  const drains: Record<Store, StoreDrain> = {
    SQLite: sqlite ?? (await drainInto(ctx, 'SQLite')),
    PostgreSQL: await drainInto(ctx, 'PostgreSQL'),
  };
  const idle = await idleBoth(ctx, drains);
  const wall = (store: Store) => median(idle[store].map((m) => m.wallMs));
  const rss = (store: Store) => Math.max(...idle[store].map((m) => m.peakRssMb ?? 0));
  const tpsRatio = drains.PostgreSQL.tps / drains.SQLite.tps;
  const idleRatio = wall('PostgreSQL') / wall('SQLite');
  const spread = (store: Store) => {
    const ms = idle[store].map((m) => m.wallMs);
    return `${fmt.s(Math.min(...ms))}–${fmt.s(Math.max(...ms))}`;
  };
  const drainCell = (d: StoreDrain) => `${fmt.n(d.tps)} tickets/s (${fmt.s(d.m.wallMs)} for ${ctx.submissions}; ${d.rejected429} answered 429; peak RSS ${fmt.mb(d.m.peakRssMb)})`;
  return [
    { what: `7. throughput, limit ${ctx.limit} req/s, SQLite tracker`, result: drainCell(drains.SQLite), target: '', met: null },
    { what: `   throughput, limit ${ctx.limit} req/s, PostgreSQL tracker`, result: drainCell(drains.PostgreSQL), target: '', met: null },
    { what: '   ratio PostgreSQL / SQLite', result: fmt.pct(tpsRatio), target: '≥ 95%', met: tpsRatio >= 0.95 },
    { what: '   idle run, SQLite tracker', result: `${fmt.s(wall('SQLite'))} (median of ${ctx.idleRuns}, ${spread('SQLite')}), no Jira call; peak RSS ${fmt.mb(rss('SQLite'))}`, target: '', met: null },
    { what: '   idle run, PostgreSQL tracker', result: `${fmt.s(wall('PostgreSQL'))} (median of ${ctx.idleRuns}, ${spread('PostgreSQL')}), no Jira call; peak RSS ${fmt.mb(rss('PostgreSQL'))}`, target: '', met: null },
    { what: '   ratio PostgreSQL / SQLite, idle', result: `${fmt.n(idleRatio)}×`, target: '≤ 1.5×', met: idleRatio <= 1.5 },
  ];
}
