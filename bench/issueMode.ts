// `npm run bench -- --issue-mode`: request mode and issue mode side by side, the same backlog
// through the real CLI against the fake Jira at the same rate limit. A request costs three calls
// (create, upload, attach), an issue two (create, attach), so at Jira's limit issue mode should
// make about 1.5 times as many tickets a second; the target is at least 1.4 times.
// Settings: BENCH_ISSUE_SUBMISSIONS (default 300, smoke 30), BENCH_SLOW_LIMIT, BENCH_LATENCY_MS,
// BENCH_CONCURRENCY; PostgreSQL as for the tests.
import fs from 'node:fs';
import type pg from 'pg';
import type { Workspace } from '../tests/support/cli.js';
import { defaultIssueTypes, defaultTaskFields, startFakeJira, type FakeJira, type FakeJiraOptions } from '../tests/support/fakeJira/index.js';
import { createSubmissions } from './data.js';
import { machine, rssMethod, type Measured } from './measure.js';
import { fmt, table, type Row } from './report.js';

export interface IssueBenchContext {
  setUp(): Promise<{ found: { how: string }; db: { url: string }; client: pg.Client; pgVersion: string }>;
  workspace(databaseUrl: string, jira: FakeJira, mappingPath: string | null, extra?: Record<string, string>): Workspace;
  run(ws: Workspace, args: string[], timeoutMs: number): Promise<Measured>;
  onCleanup(c: () => unknown): void;
  broken: string[];
  log(line: string): void;
  smoke: boolean;
}

const AUTH = { email: 'robot@example.com', apiToken: 'test-token-s3cr3t' }; // what makeWorkspace configures
const ISSUE_ENV = { JSM_SERVICE_DESK_ID: '', JSM_REQUEST_TYPE_ID: '', JIRA_PROJECT_KEY: 'ITS', JIRA_ISSUE_TYPE: 'Task' };

/** The Task screen offering the departments and phones the benchmark's rows name (bench/data.ts). */
function taskScreen(): FakeJiraOptions['issueTypes'] {
  const offer = (values: string[], first: number) => values.map((value, i) => ({ id: String(first + i), value }));
  const fields = defaultTaskFields().map((f) => {
    if (f.name === 'Department') return { ...f, allowedValues: offer(['Finance', 'Sales', 'Support', 'Warehouse'], 10200) };
    if (f.name === 'Equipment') return { ...f, allowedValues: offer(['Mobile phone', 'Handset speaker phone', 'Headset', 'Desk phone'], 10210) };
    return f;
  });
  return defaultIssueTypes().map((t) => (t.name === 'Task' ? { ...t, fields } : t));
}

type Mode = 'request' | 'issue';

export async function benchIssueMode(ctx: IssueBenchContext): Promise<void> {
  const started = performance.now();
  const n = Number(process.env.BENCH_ISSUE_SUBMISSIONS ?? (ctx.smoke ? 30 : 300));
  const limit = Number(process.env.BENCH_SLOW_LIMIT ?? 10);
  const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 150);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
  const { found, db, client, pgVersion } = await ctx.setUp();
  await createSubmissions(client, 'webform_submissions', n);

  const fake = async (opts: Partial<FakeJiraOptions> = {}) => {
    const jira = await startFakeJira({ auth: AUTH, issueTypes: taskScreen(), ...opts });
    ctx.onCleanup(() => jira.close());
    return jira;
  };
  const env = (mode: Mode) => ({ BATCH_SIZE: String(n), JIRA_CONCURRENCY: String(concurrency), JIRA_RETRY_BUDGET_SECONDS: '120', ...(mode === 'issue' ? ISSUE_ENV : {}) });

  // Each mode's field mapping once, as an operator would.
  const mappings = {} as Record<Mode, string>;
  for (const mode of ['request', 'issue'] as const) {
    const ws = ctx.workspace(db.url, await fake(), null, env(mode));
    const mapped = await ctx.run(ws, ['map-fields'], 60_000);
    if (mapped.code !== 0 || !fs.existsSync(ws.mappingPath)) throw new Error(`map-fields (${mode} mode) failed (exit ${mapped.code}): ${mapped.stdout}${mapped.stderr}`);
    mappings[mode] = ws.mappingPath;
  }

  const drain = async (mode: Mode) => {
    const jira = await fake({ latencyMs, rateLimitPerSecond: limit });
    const ws = ctx.workspace(db.url, jira, mappings[mode], env(mode));
    ctx.log(`${mode} mode: draining ${n} submissions, Jira ${latencyMs} ms/call, limit ${limit} req/s, concurrency ${concurrency}`);
    const m = await ctx.run(ws, ['run'], 30 * 60_000);
    if (m.code !== 0 || !new RegExp(`created ${n}, skipped 0, failed 0`).test(m.stderr)) ctx.broken.push(`${mode} mode run: exit ${m.code}: ${m.stderr.trim().split('\n').at(-1)}`);
    const ok = jira.requests.filter((r) => r.status >= 200 && r.status < 300).length;
    const tickets = jira.issues.filter((i) => i.attachments.length === 1).length;
    if (tickets !== n || jira.issues.length !== n) ctx.broken.push(`${mode} mode: ${jira.issues.length} tickets, ${tickets} with one attachment; expected ${n}`);
    const perTicket = (ok - 1) / n;
    const expected = mode === 'issue' ? 2 : 3;
    if (perTicket !== expected) ctx.broken.push(`${mode} mode: ${ok} Jira calls, not 1 preflight + ${expected} per ticket`);
    const tps = tickets / (m.wallMs / 1000);
    ctx.log(`  ${fmt.s(m.wallMs)}, ${fmt.n(tps)} tickets/s, ${jira.requests.filter((r) => r.status === 429).length} answered 429, peak RSS ${fmt.mb(m.peakRssMb)}`);
    return { m, tps, perTicket, rejected429: jira.requests.filter((r) => r.status === 429).length };
  };
  const request = await drain('request');
  const issue = await drain('issue');
  const ratio = issue.tps / request.tps;

  const line = (mode: Mode, d: typeof request) =>
    `${fmt.n(d.tps)} tickets/s (${fmt.s(d.m.wallMs)} for ${n}); ${fmt.n(d.perTicket, 0)} calls a ticket + 1 preflight; ${d.rejected429} answered 429; peak RSS ${fmt.mb(d.m.peakRssMb)}`;
  const rows: Row[] = [
    { what: `request mode (JSM), limit ${limit} req/s`, result: line('request', request), target: '', met: null },
    { what: `issue mode (plain project), limit ${limit} req/s`, result: line('issue', issue), target: '', met: null },
    { what: 'issue mode / request mode', result: `${fmt.n(ratio)}×`, target: '≥ 1.4×', met: ratio >= 1.4 },
  ];
  const m = machine();
  const header = [
    `### jira-sync benchmark, issue mode beside request mode${ctx.smoke ? ' (smoke)' : ''}, ${new Date().toISOString().slice(0, 10)}`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB; ${m.os}; Node ${m.node}; PostgreSQL ${pgVersion} (${found.how}).`,
    `Settings: ${n} submissions (BATCH_SIZE ${n}), Jira latency ${latencyMs} ms per call, limit ${limit} req/s, JIRA_CONCURRENCY ${concurrency}, Jira Cloud (API v3 in issue mode); peak RSS by ${rssMethod()}.`,
    `Command: \`npm run ${ctx.smoke ? 'bench:smoke' : 'bench'} -- --issue-mode\`; took ${fmt.s(performance.now() - started)}.`,
  ];
  process.stdout.write(`${table(header, rows, ctx.smoke)}\n`);
}
