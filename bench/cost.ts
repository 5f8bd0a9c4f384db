// `npm run bench -- --cost`: our own cost per ticket, the measurements issue 14 asks for. Drains
// a backlog through the fake Jira at 0 ms and 30 ms per call (no rate limit, so the only bound
// is concurrency × latency) with BATCH_SIZE 30 and 1,000 (and 10,000 with `--cost-big`), and
// reports tickets/s, the ceiling and the share of it reached, CPU (user + system of the
// jira-sync process, from GNU time) per ticket, and peak RSS. A backlog larger than the batch is
// drained by successive runs, as cron would; their wall time, CPU and tickets are summed and
// the peak RSS is the largest. Each case is repeated (BENCH_COST_REPEATS, default 3) and the
// table gives medians, because a shared machine is noisy. `--profile=DIR` runs each case once
// under `--cpu-prof` and `--heap-prof` with the profiles written to DIR (the figures are then
// the profiler's, not the product's); `tsx bench/profile.ts DIR/*` summarises them.
// BENCH_COST_TRACKER_DIR puts the trackers elsewhere: on a tmpfs (/dev/shm), where fsync costs
// nothing, the difference to the normal figures is the time the event loop waits on the disk.
// BENCH_NODE_ARGS adds node options (e.g. --trace-gc); with --profile the CLI's output is kept.
// BENCH_COST_VS=path/to/other/dist/cli.js measures another build beside this one, in pairs
// (each repeat runs both, in turn first), so a machine whose speed drifts over minutes moves
// both alike; each case then gets a row for the other build and the median of the pairs' ratios.
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import type { FakeJira } from '../tests/support/fakeJira/index.js';
import type { Workspace } from '../tests/support/cli.js';
import { createSubmissions } from './data.js';
import { median, type Measured } from './measure.js';
import { fmt, type Row } from './report.js';

export interface CostContext {
  client: pg.Client;
  databaseUrl: string;
  mappingPath: string;
  concurrency: number;
  fakeJira: (opts: { latencyMs?: number; rateLimitPerSecond?: number }) => Promise<FakeJira>;
  workspace: (databaseUrl: string, jira: FakeJira, mappingPath: string | null, extra: Record<string, string>) => Workspace;
  run: (ws: Workspace, args: string[], nodeArgs: string[], cli?: string) => Promise<Measured>;
  broken: string[];
  log: (line: string) => void;
}

export interface CostSettings {
  submissions: number;
  batches: number[];
  latencies: number[];
  repeats: number;
  profileDir: string | null;
  /** Where the trackers go instead of the workspace (e.g. a tmpfs, to tell fsync waits from CPU). */
  trackerDir: string | null;
  /** Another build's dist/cli.js, measured in pairs with this one (BENCH_COST_VS). */
  vs: string | null;
}

interface Drained {
  tickets: number;
  runs: number;
  wallMs: number;
  cpuMs: number | null;
  peakRssMb: number | null;
}

const tableFor = (n: number) => `cost_submissions_${n}`;
/** Tickets per second of wall time, and CPU ms per ticket (null where GNU time gave none). */
const rate = (d: Drained) => d.tickets / (d.wallMs / 1000);
const perTicket = (d: Drained) => (d.cpuMs === null ? null : d.cpuMs / Math.max(1, d.tickets));

/** Every submission of a `n`-row table into a fresh tracker and a fresh fake Jira, `batch` per run. */
async function drainOnce(ctx: CostContext, s: CostSettings, n: number, batch: number, latencyMs: number, nodeArgs: string[], cli?: string): Promise<Drained> {
  const jira = await ctx.fakeJira({ latencyMs });
  const ws = ctx.workspace(ctx.databaseUrl, jira, ctx.mappingPath, {
    SOURCE_TABLE: tableFor(n),
    BATCH_SIZE: String(batch),
    JIRA_CONCURRENCY: String(ctx.concurrency),
  });
  const trackerDir = s.trackerDir === null ? null : fs.mkdtempSync(path.join(s.trackerDir, 'jira-sync-bench-tracker-'));
  if (trackerDir !== null) ws.env.TRACKER_PATH = path.join(trackerDir, 'tracker.db');
  const d: Drained = { tickets: 0, runs: 0, wallMs: 0, cpuMs: 0, peakRssMb: 0 };
  const maxRuns = Math.ceil(n / batch) + 1;
  while (jira.issues.length < n && d.runs < maxRuns) {
    const before = jira.issues.length;
    const m = await ctx.run(ws, ['run'], nodeArgs, cli);
    d.runs++;
    // The CLI's own output (e.g. --trace-gc lines from BENCH_NODE_ARGS) next to the profiles.
    if (s.profileDir) fs.writeFileSync(path.join(s.profileDir, `batch${batch}-${latencyMs}ms-run${d.runs}.out`), m.stdout + m.stderr);
    if (m.code !== 0) {
      ctx.broken.push(`cost, BATCH_SIZE ${batch}, ${latencyMs} ms: run ${d.runs} exit ${m.code}: ${m.stderr.trim().split('\n').slice(-3).join(' / ')}`);
      break;
    }
    d.wallMs += m.wallMs;
    d.cpuMs = d.cpuMs === null || m.cpuMs === null ? null : d.cpuMs + m.cpuMs;
    d.peakRssMb = d.peakRssMb === null || m.peakRssMb === null ? null : Math.max(d.peakRssMb, m.peakRssMb);
    if (jira.issues.length === before) break; // nothing more to do: a stuck drain, reported below
  }
  d.tickets = jira.issues.filter((i) => i.attachments.length === 1).length;
  if (d.tickets !== n || jira.issues.length !== n) ctx.broken.push(`cost, BATCH_SIZE ${batch}, ${latencyMs} ms: ${jira.issues.length} tickets (${d.tickets} with one attachment) after ${d.runs} runs; expected ${n}`);
  ws.cleanup();
  if (trackerDir !== null) fs.rmSync(trackerDir, { recursive: true, force: true });
  await jira.close();
  return d;
}

/** The issue's ceiling in tickets/s: 3 sequential calls per ticket on `concurrency` workers (no rate limit here). */
export const ceilingOf = (concurrency: number, latencyMs: number) => (latencyMs > 0 ? (concurrency * 1000) / (3 * latencyMs) : Infinity);

export async function measureCost(ctx: CostContext, s: CostSettings): Promise<Row[]> {
  const rows: Row[] = [];
  const extraArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const nodeArgs = s.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${s.profileDir}`, '--heap-prof', `--heap-prof-dir=${s.profileDir}`, ...extraArgs] : extraArgs;
  if (s.profileDir) fs.mkdirSync(s.profileDir, { recursive: true });
  const sizes = [...new Set(s.batches.map((b) => Math.max(b, s.submissions)))];
  for (const n of sizes) await createSubmissions(ctx.client, tableFor(n), n);
  for (const latencyMs of s.latencies) {
    for (const batch of s.batches) {
      const n = Math.max(batch, s.submissions);
      const all: Drained[] = [];
      const others: Drained[] = [];
      const drain = async (i: number, cli?: string) => {
        const d = await drainOnce(ctx, s, n, batch, latencyMs, nodeArgs, cli);
        const cpu = perTicket(d);
        ctx.log(`  cost ${n} submissions, BATCH_SIZE ${batch}, ${latencyMs} ms/call, #${i + 1}${cli ? ' (BENCH_COST_VS)' : ''}: ${d.runs} runs, ${fmt.s(d.wallMs)}, ${fmt.n(rate(d))} tickets/s, CPU ${cpu === null ? 'n/a' : fmt.n(cpu)} ms/ticket, peak RSS ${fmt.mb(d.peakRssMb)}`);
        return d;
      };
      for (let i = 0; i < s.repeats; i++) {
        // In pairs, each build first in turn.
        if (s.vs !== null && i % 2 === 1) others.push(await drain(i, s.vs));
        all.push(await drain(i));
        if (s.vs !== null && i % 2 === 0) others.push(await drain(i, s.vs));
      }
      const ceiling = ceilingOf(ctx.concurrency, latencyMs);
      const runs = all[0]?.runs ?? 0;
      const whole = batch >= n;
      const what = `${latencyMs} ms/call, BATCH_SIZE ${batch.toLocaleString('en')}: ${n.toLocaleString('en')} tickets in ${runs} run${runs === 1 ? '' : 's'}`;
      const { tps, cpu, rss, result } = summarise(all, ceiling);
      rows.push({
        what,
        result,
        // The issue's targets: 90% of the ceiling at 30 ms and ≤ 2.5 ms CPU at 0 ms, both for one
        // run of the whole backlog; peak RSS ≤ 120 MB whatever the batch.
        target: `${whole ? (latencyMs > 0 ? '≥ 90% of the ceiling; ' : 'CPU ≤ 2.5 ms/ticket; ') : ''}RSS ≤ 120 MB`,
        met: s.profileDir ? null : (!whole || (latencyMs > 0 ? tps >= 0.9 * ceiling : (cpu ?? Infinity) <= 2.5)) && (rss ?? Infinity) <= 120,
      });
      if (s.vs !== null) {
        const ratio = (f: (d: Drained) => number | null) => {
          const xs: number[] = [];
          all.forEach((d, i) => {
            const [a, b] = [f(d), others[i] ? f(others[i] as Drained) : null];
            if (a !== null && b !== null && b > 0) xs.push(a / b);
          });
          return xs.length > 0 ? fmt.n(median(xs)) : 'n/a';
        };
        rows.push({
          what: `${what}, BENCH_COST_VS (${s.vs})`,
          result: `${summarise(others, ceiling).result}; this build ÷ that one, median of ${Math.min(all.length, others.length)} pairs: CPU per ticket ${ratio(perTicket)}, tickets/s ${ratio(rate)}`,
          target: '',
          met: null,
        });
      }
    }
  }
  return rows;
}

/** A case's medians [min–max] over its repeats, as the table gives them. */
function summarise(all: Drained[], ceiling: number): { tps: number; cpu: number | null; rss: number | null; result: string } {
  const tps = median(all.map(rate));
  const cpus = all.map(perTicket).filter((x): x is number => x !== null);
  const cpu = cpus.length < all.length ? null : median(cpus);
  const rss = all.some((d) => d.peakRssMb === null) ? null : median(all.map((d) => d.peakRssMb as number));
  const share = Number.isFinite(ceiling) ? ` = ${fmt.pct(tps / ceiling)} of the ceiling ${fmt.n(ceiling)}` : ' (no ceiling at 0 ms)';
  const spread = (xs: number[], f: (x: number) => string) => (xs.length > 1 ? ` [${f(Math.min(...xs))}–${f(Math.max(...xs))}]` : '');
  const result =
    `${fmt.n(tps)} tickets/s${share}${spread(all.map(rate), (x) => fmt.n(x))}; ` +
    `CPU ${cpu === null ? 'n/a' : `${fmt.n(cpu)} ms/ticket`}${cpu === null ? '' : spread(cpus, (x) => fmt.n(x))}; ` +
    `peak RSS ${fmt.mb(rss)}${rss === null ? '' : spread(all.map((d) => d.peakRssMb as number), (x) => fmt.mb(x))}`;
  return { tps, cpu, rss, result };
}
