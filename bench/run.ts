// `npm run bench` (full, ~14 minutes) and `npm run bench:smoke` (small sizes, ~1 minute, for CI);
// `--audit-only` builds just the big table and measures `jira-sync audit` and the day's first run;
// `--pull` measures the write-back pull over 10,000 tickets (bench/pull.ts);
// `--cost` measures our own cost per ticket (bench/cost.ts; `--cost-big` adds BATCH_SIZE 10,000);
// `--issue-mode` compares a plain project's issues with JSM requests at one rate limit (bench/issueMode.ts);
// `--stores` compares the SQLite and PostgreSQL trackers (bench/stores.ts, also in the full bench):
// the real CLI (dist/cli.js) against a fresh PostgreSQL database and the in-process fake Jira,
// measuring what issue 6 promises: throughput at Jira's limit, flat cost of an idle run as the
// table grows, start-up against `node -e 0`, and peak memory. Prints one Markdown table.
// Exits 1 when something is broken (a run failed, a ticket is missing, an extra Jira call, a
// seq scan); a missed target is reported in the table, not in the exit code.
// Settings: BENCH_SUBMISSIONS, BENCH_BIG_ROWS, BENCH_LATENCY_MS, BENCH_SLOW_LIMIT,
// BENCH_FAST_LIMIT, BENCH_CONCURRENCY, BENCH_IDLE_RUNS, BENCH_COST_REPEATS,
// BENCH_COST_BATCHES and BENCH_COST_LATENCIES (comma-separated), BENCH_COST_TRACKER_DIR, BENCH_COST_VS; PostgreSQL as for the tests.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { SCAN_PAGE, windowStart } from '../src/steps/fetchSubmissions.js';
import { makeWorkspace, type Workspace } from '../tests/support/cli.js';
import { startFakeJira, type FakeJira } from '../tests/support/fakeJira/index.js';
import { createDatabase, findPostgres } from '../tests/support/postgres.js';
import { createSubmissions, explainScan, rowTs, seedTracker } from './data.js';
import { auditRows, measureAudit } from './audit.js';
import { measureCost } from './cost.js';
import { benchIssueMode } from './issueMode.js';
import { measureStores, type StoresContext } from './stores.js';
import { machine, measureNode, median, rssMethod, type Measured } from './measure.js';
import { fmt, table, type Row } from './report.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const smoke = process.argv.includes('--smoke');
const auditOnly = process.argv.includes('--audit-only');
const cost = process.argv.includes('--cost') || process.argv.includes('--cost-big');
const storesOnly = process.argv.includes('--stores');
const profileDir = process.argv.find((a) => a.startsWith('--profile='))?.slice('--profile='.length) ?? null;
const setting = (name: string, full: number, small: number) => Number(process.env[name] ?? (smoke ? small : full));
const S = {
  submissions: setting('BENCH_SUBMISSIONS', 1000, 30),
  bigRows: setting('BENCH_BIG_ROWS', 1_000_000, 10_000),
  latencyMs: setting('BENCH_LATENCY_MS', 150, 150),
  slowLimit: setting('BENCH_SLOW_LIMIT', 10, 10),
  fastLimit: setting('BENCH_FAST_LIMIT', 100, 100),
  concurrency: setting('BENCH_CONCURRENCY', 4, 4),
  idleRuns: setting('BENCH_IDLE_RUNS', 5, 3),
  costRepeats: setting('BENCH_COST_REPEATS', 3, 1),
  lookbackMinutes: 60,
};
const AUTH = { email: 'robot@example.com', apiToken: 'test-token-s3cr3t' }; // what makeWorkspace configures
const SMALL = 'webform_submissions';
const BIG = 'webform_submissions_big';

const broken: string[] = [];
const cleanups: (() => unknown)[] = [];
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

function ensureBuilt(): void {
  const newest = (dir: string): number =>
    Math.max(0, ...fs.readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).mtimeMs)));
  if (fs.existsSync(CLI) && fs.statSync(CLI).mtimeMs >= newest(path.join(ROOT, 'src'))) return;
  log('dist/cli.js is missing or older than src/: npm run build');
  if (spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] }).status !== 0) throw new Error('npm run build failed');
}

async function fakeJira(opts: { latencyMs?: number; rateLimitPerSecond?: number } = {}): Promise<FakeJira> {
  const jira = await startFakeJira({ auth: AUTH, ...opts });
  cleanups.push(() => jira.close());
  return jira;
}

function workspace(databaseUrl: string, jira: FakeJira, mappingPath: string | null, extra: Record<string, string> = {}): Workspace {
  const ws = makeWorkspace({
    databaseUrl,
    jiraUrl: jira.url,
    // The production retry budget (the test workspace's 20 s would be no fair test of a long drain).
    extra: { JIRA_RETRY_BUDGET_SECONDS: '120', BATCH_SIZE: String(S.submissions), JIRA_CONCURRENCY: String(S.concurrency), ...extra },
  });
  if (mappingPath) ws.env.FIELD_MAPPING_PATH = mappingPath;
  cleanups.push(() => ws.cleanup());
  return ws;
}

const run = (ws: Workspace, args: string[] = ['run'], timeoutMs = 30 * 60_000, nodeArgs: string[] = [], cli = CLI) =>
  measureNode([...nodeArgs, cli, ...args], { cwd: ws.dir, env: ws.env, timeoutMs });

function expectOk(what: string, m: Measured, summary?: RegExp): void {
  if (m.code !== 0) broken.push(`${what}: exit ${m.code}: ${m.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  else if (summary && !summary.test(m.stderr)) broken.push(`${what}: unexpected summary: ${m.stderr.trim().split('\n').at(-1)}`);
}

/** One preflight, then create, upload and attach per ticket, and nothing else. */
const minimal = (c: { preflight: number; create: number; upload: number; attach: number; other: number }) =>
  c.preflight === 1 && c.other === 0 && c.create === S.submissions && c.upload === S.submissions && c.attach === S.submissions;

/** Run 1 or 2: the whole backlog through a fake Jira with this limit; a fresh tracker each time. */
async function drain(databaseUrl: string, mappingPath: string, limit: number) {
  const jira = await fakeJira({ latencyMs: S.latencyMs, rateLimitPerSecond: limit });
  const ws = workspace(databaseUrl, jira, mappingPath);
  log(`draining ${S.submissions} submissions, Jira ${S.latencyMs} ms/call, limit ${limit} req/s, concurrency ${S.concurrency}`);
  const m = await run(ws);
  const what = `run at ${limit} req/s`;
  expectOk(what, m, new RegExp(`created ${S.submissions}, skipped 0, failed 0`));
  const ok = jira.requests.filter((r) => r.status >= 200 && r.status < 300);
  const count = (re: RegExp) => ok.filter((r) => re.test(`${r.method} ${r.path}`)).length;
  const calls = {
    preflight: count(/^GET \/rest\/servicedeskapi\/servicedesk\/1$/),
    create: count(/^POST \/rest\/servicedeskapi\/request$/),
    upload: count(/^POST \/rest\/servicedeskapi\/servicedesk\/1\/attachTemporaryFile$/),
    attach: count(/^POST \/rest\/servicedeskapi\/request\/[^/]+\/attachment$/),
    rejected429: jira.requests.filter((r) => r.status === 429).length,
    other: 0,
  };
  calls.other = ok.length - calls.preflight - calls.create - calls.upload - calls.attach;
  const tickets = jira.issues.filter((i) => i.attachments.length === 1).length;
  if (jira.issues.length !== S.submissions || tickets !== S.submissions) broken.push(`${what}: ${jira.issues.length} tickets, ${tickets} with one attachment; expected ${S.submissions}`);
  if (!minimal(calls)) {
    broken.push(`${what}: Jira calls beyond 1 preflight + create/upload/attach per ticket: ${JSON.stringify(calls)}`);
  }
  // The ceiling: 3 calls a ticket plus the preflight at the limit, or concurrency-bound chains of
  // 3 sequential calls after the preflight, whichever is slower.
  const N = S.submissions;
  const ceilingS = Math.max((3 * N + 1) / limit, (S.latencyMs / 1000) * (1 + 3 * Math.ceil(N / S.concurrency)));
  const tps = tickets / (m.wallMs / 1000);
  log(`  ${fmt.s(m.wallMs)}, ${fmt.n(tps)} tickets/s, ${calls.rejected429} answered 429, peak RSS ${fmt.mb(m.peakRssMb)}`);
  return { ws, m, tps, ceiling: N / ceilingS, calls, acceptedPerS: ok.length / (m.wallMs / 1000) };
}

/** Runs with nothing new: wall time, peak RSS, and proof that none of them called Jira. */
async function idle(ws: Workspace, jira: FakeJira, what: string, times: number) {
  const runs: Measured[] = [];
  for (let i = 0; i < times; i++) {
    const before = jira.requests.length;
    const m = await run(ws, ['run'], 5 * 60_000);
    expectOk(`${what} #${i + 1}`, m, /created 0, skipped 0, failed 0, parked 0/);
    if (jira.requests.length !== before) broken.push(`${what} #${i + 1}: ${jira.requests.length - before} Jira calls with nothing new`);
    runs.push(m);
  }
  const wall = median(runs.map((r) => r.wallMs));
  const rss = Math.max(...runs.map((r) => r.peakRssMb ?? 0));
  log(`  ${what}: median ${fmt.s(wall)} of ${times} (${runs.map((r) => fmt.s(r.wallMs)).join(', ')}), peak RSS ${fmt.mb(rss)}`);
  return { wall, rss: runs[0]?.peakRssMb === null ? null : rss };
}

/** A built CLI, a PostgreSQL and a fresh database (dropped at the end), and a client on it. */
async function setUp() {
  ensureBuilt();
  const found = await findPostgres();
  cleanups.push(() => found.stop());
  const db = await createDatabase(found.adminUrl, 'jira_sync_bench');
  cleanups.push(() => db.drop());
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  cleanups.push(() => client.end());
  const pgVersion = (await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]?.v ?? '?';
  return { found, db, client, pgVersion };
}

async function main(): Promise<void> {
  const started = performance.now();
  const { found, db, client, pgVersion } = await setUp();
  await createSubmissions(client, SMALL, S.submissions);

  // The field mapping once, as an operator would; every workspace below shares it.
  const mappingJira = await fakeJira();
  const mappingWs = workspace(db.url, mappingJira, null);
  const mappingPath = mappingWs.mappingPath;
  const mapped = await run(mappingWs, ['map-fields'], 60_000);
  if (mapped.code !== 0 || !fs.existsSync(mappingPath)) throw new Error(`map-fields failed (exit ${mapped.code}): ${mapped.stderr}`);

  const slow = await drain(db.url, mappingPath, S.slowLimit);
  // The PostgreSQL tracker beside run 1's SQLite one, at the same limit (bench/stores.ts).
  const storeRows = await measureStores(storesContext(db.url, mappingPath), { ws: slow.ws, m: slow.m, tps: slow.tps, rejected429: slow.calls.rejected429 });
  const fast = await drain(db.url, mappingPath, S.fastLimit);

  // Idle, small table: the tracker of run 2 knows every row; its daily backup is done.
  const idleJira = await fakeJira();
  fast.ws.env.JIRA_BASE_URL = idleJira.url;
  log(`idle runs on the ${S.submissions}-row table`);
  const idleSmall = await idle(fast.ws, idleJira, `idle, ${S.submissions} rows`, S.idleRuns);

  // Idle, big table: same columns, same spacing; a tracker seeded with every row.
  const big = await bigTable(client, db.url, idleJira, mappingPath);
  const { bigWs, trackerMb, firstOfDay } = big;
  const idleBig = await idle(bigWs, idleJira, `idle, ${S.bigRows} rows`, S.idleRuns);

  const audit = await measureAudit((args) => run(bigWs, args, 5 * 60_000), S.idleRuns, broken, log);

  const nodeRuns: Measured[] = [];
  for (let i = 0; i < S.idleRuns; i++) nodeRuns.push(await measureNode(['-e', '0'], { cwd: ROOT, env: {}, timeoutMs: 60_000 }));
  const nodeMs = median(nodeRuns.map((r) => r.wallMs));

  const source = (table: string) => ({ table, idColumn: 'id', timestampColumn: 'created_at' });
  // With the ceiling a run sends: the database's now() plus the margin.
  const ceiling = new Date(Date.now() + 60_000).toISOString();
  const windowOf = (rows: number) => ({ from: windowStart(rowTs(rows), S.lookbackMinutes), ceiling });
  const planSmall = await explainScan(client, source(SMALL), windowOf(S.submissions), SCAN_PAGE);
  const planBig = await explainScan(client, source(BIG), windowOf(S.bigRows), SCAN_PAGE);
  const planBacklog = await explainScan(client, source(BIG), { ceiling }, SCAN_PAGE);
  // The small table may rightly be read whole (a few pages are cheaper than an index); the big
  // one must be walked through the index, or the idle run grows with the table.
  for (const [what, p] of [['idle scan, big', planBig], ['backlog scan, big', planBacklog]] as const) {
    if (p.seqScanOrSort || !/Index/.test(p.access)) broken.push(`${what}: the fetch does not walk the (timestamp, id) index: ${p.access}`);
  }

  const m = machine();
  const ratio = idleBig.wall / idleSmall.wall;
  const plan = (p: typeof planBig) => `${p.access}, ${p.rows} rows, ${p.buffers} buffers, ${p.ms.toFixed(2)} ms`;
  const perTicket = (c: typeof slow.calls) => `${c.preflight} preflight + ${fmt.n((c.create + c.upload + c.attach) / S.submissions)} per ticket (${c.create} create, ${c.upload} upload, ${c.attach} attach); ${c.rejected429} answered 429 and retried`;
  const rows: Row[] = [
    { what: `1. throughput, limit ${S.slowLimit} req/s`, result: `${fmt.n(slow.tps)} tickets/s = ${fmt.pct(slow.tps / slow.ceiling)} of the ceiling ${fmt.n(slow.ceiling)} (${fmt.s(slow.m.wallMs)} for ${S.submissions}; Jira accepted ${fmt.n(slow.acceptedPerS)} req/s)`, target: '≥ 90% of the ceiling', met: slow.tps >= 0.9 * slow.ceiling },
    { what: '   Jira calls', result: perTicket(slow.calls), target: '1 per run + 3 per ticket', met: minimal(slow.calls) },
    { what: `2. throughput, limit ${S.fastLimit} req/s`, result: `${fmt.n(fast.tps)} tickets/s = ${fmt.pct(fast.tps / fast.ceiling)} of the ceiling ${fmt.n(fast.ceiling)} (${fmt.s(fast.m.wallMs)} for ${S.submissions})`, target: '≥ 90% of the ceiling', met: fast.tps >= 0.9 * fast.ceiling },
    { what: '   Jira calls', result: perTicket(fast.calls), target: '1 per run + 3 per ticket', met: minimal(fast.calls) },
    { what: `3. idle run, ${S.submissions.toLocaleString('en')}-row table`, result: `${fmt.s(idleSmall.wall)} (median of ${S.idleRuns}), no Jira call`, target: '', met: null },
    { what: `   idle run, ${S.bigRows.toLocaleString('en')}-row table`, result: `${fmt.s(idleBig.wall)} (median of ${S.idleRuns}), no Jira call`, target: '', met: null },
    { what: '   ratio big / small', result: fmt.n(ratio), target: '≤ 1.5', met: ratio <= 1.5 },
    { what: '   first run of the day, big table', result: `${fmt.s(firstOfDay.wallMs)}, peak RSS ${fmt.mb(firstOfDay.peakRssMb)}: includes the daily tracker backup (${trackerMb.toFixed(0)} MB tracker) and the daily audit`, target: '', met: null },
    { what: '   fetch, idle, small table', result: plan(planSmall), target: '', met: null },
    { what: '   fetch, idle, big table', result: plan(planBig), target: 'the (timestamp, id) index', met: !planBig.seqScanOrSort },
    { what: '   fetch, backlog, big table', result: plan(planBacklog), target: 'the (timestamp, id) index', met: !planBacklog.seqScanOrSort },
    { what: '4. idle run vs `node -e 0`', result: `${fmt.s(idleSmall.wall)} vs ${fmt.s(nodeMs)} = ${fmt.n(idleSmall.wall / nodeMs, 1)}×`, target: '< 1 s and ≤ 10×', met: idleSmall.wall < 1000 && idleSmall.wall <= 10 * nodeMs },
    { what: '5. peak RSS, run 1 / run 2', result: `${fmt.mb(slow.m.peakRssMb)} / ${fmt.mb(fast.m.peakRssMb)}`, target: '< 150 MB', met: Math.max(slow.m.peakRssMb ?? 0, fast.m.peakRssMb ?? 0) < 150 },
    { what: '   peak RSS, idle run (small / big)', result: `${fmt.mb(idleSmall.rss)} / ${fmt.mb(idleBig.rss)}`, target: '< 150 MB', met: Math.max(idleSmall.rss ?? 0, idleBig.rss ?? 0) < 150 },
    ...auditRows(audit, S.bigRows),
    ...storeRows,
  ];
  const header = [
    `### jira-sync benchmark${smoke ? ' (smoke)' : ''}, ${new Date().toISOString().slice(0, 10)}`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB; ${m.os}; Node ${m.node}; PostgreSQL ${pgVersion} (${found.how}).`,
    `Settings: ${S.submissions} submissions (BATCH_SIZE ${S.submissions}), Jira latency ${S.latencyMs} ms per call, JIRA_CONCURRENCY ${S.concurrency}, LOOKBACK_MINUTES ${S.lookbackMinutes}, JIRA_RETRY_BUDGET_SECONDS 120, LOG_LEVEL info; rows 1 minute apart; peak RSS by ${rssMethod()}.`,
    `Command: \`npm run ${smoke ? 'bench:smoke' : 'bench'}\`; took ${fmt.s(performance.now() - started)}.`,
  ];
  process.stdout.write(`${table(header, rows, smoke)}\n`);
}

/** The big table and a tracker that knows every row, then the day's first run over it (backup and audit). */
async function bigTable(client: pg.Client, databaseUrl: string, jira: FakeJira, mappingPath: string) {
  log(`making the ${S.bigRows.toLocaleString('en')}-row table and a tracker that knows every row`);
  let t = performance.now();
  await createSubmissions(client, BIG, S.bigRows);
  const bigTableMs = performance.now() - t;
  const bigWs = workspace(databaseUrl, jira, mappingPath, { SOURCE_TABLE: BIG });
  t = performance.now();
  seedTracker(bigWs.trackerPath, S.bigRows);
  const seedMs = performance.now() - t;
  const trackerMb = fs.statSync(bigWs.trackerPath).size / 2 ** 20;
  log(`  table ${fmt.s(bigTableMs)}, tracker ${fmt.s(seedMs)} (${trackerMb.toFixed(0)} MB)`);
  const firstOfDay = await run(bigWs, ['run'], 5 * 60_000);
  expectOk('first idle run of the day, big table', firstOfDay, /created 0, skipped 0, failed 0, parked 0 in [\d.]+ s; daily audit: \d+ source rows checked, none missed/);
  log(`  first run of the day: ${fmt.s(firstOfDay.wallMs)}, peak RSS ${fmt.mb(firstOfDay.peakRssMb)}`);
  return { bigWs, trackerMb, firstOfDay };
}

/** `--audit-only`: the big table, the day's first run, and `jira-sync audit`; a few minutes instead of eight. */
async function mainAuditOnly(): Promise<void> {
  const started = performance.now();
  const { found, db, client, pgVersion } = await setUp();
  const jira = await fakeJira();
  await createSubmissions(client, SMALL, 10);
  const mappingWs = workspace(db.url, jira, null);
  const mapped = await run(mappingWs, ['map-fields'], 60_000);
  if (mapped.code !== 0) throw new Error(`map-fields failed (exit ${mapped.code}): ${mapped.stderr}`);
  const { bigWs, trackerMb, firstOfDay } = await bigTable(client, db.url, jira, mappingWs.mappingPath);
  const audit = await measureAudit((args) => run(bigWs, args, 5 * 60_000), S.idleRuns, broken, log);
  const m = machine();
  const rows: Row[] = [
    { what: `first run of the day, ${S.bigRows.toLocaleString('en')}-row table`, result: `${fmt.s(firstOfDay.wallMs)}, peak RSS ${fmt.mb(firstOfDay.peakRssMb)}: the daily tracker backup (${trackerMb.toFixed(0)} MB tracker) and the daily audit`, target: '', met: null },
    ...auditRows(audit, S.bigRows),
  ];
  const header = [
    `### jira-sync benchmark, audit only${smoke ? ' (smoke)' : ''}, ${new Date().toISOString().slice(0, 10)}`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB; ${m.os}; Node ${m.node}; PostgreSQL ${pgVersion} (${found.how}).`,
    `Settings: LOOKBACK_MINUTES ${S.lookbackMinutes}, LOG_LEVEL info; rows 1 minute apart; peak RSS by ${rssMethod()}.`,
    `Command: \`npm run ${smoke ? 'bench:smoke' : 'bench'} -- --audit-only\`; took ${fmt.s(performance.now() - started)}.`,
  ];
  process.stdout.write(`${table(header, rows, smoke)}\n`);
}

function storesContext(databaseUrl: string, mappingPath: string): StoresContext {
  const { submissions, latencyMs, slowLimit: limit, idleRuns } = S;
  return { databaseUrl, mappingPath, submissions, latencyMs, limit, idleRuns, fakeJira, workspace, run: (ws) => run(ws), broken, log };
}

/** `--stores`: the backlog at the 10 req/s limit and idle runs, on each tracker store. */
async function mainStores(): Promise<void> {
  const started = performance.now();
  const loadAtStart = loadAverage();
  const { found, db, client, pgVersion } = await setUp();
  await createSubmissions(client, SMALL, S.submissions);
  const mappingWs = workspace(db.url, await fakeJira(), null);
  const mapped = await run(mappingWs, ['map-fields'], 60_000);
  if (mapped.code !== 0) throw new Error(`map-fields failed (exit ${mapped.code}): ${mapped.stderr}`);
  const rows = await measureStores(storesContext(db.url, mappingWs.mappingPath));
  const m = machine();
  const header = [
    `### jira-sync benchmark, tracker stores${smoke ? ' (smoke)' : ''}, ${new Date().toISOString().slice(0, 10)}`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB; ${m.os}; Node ${m.node}; PostgreSQL ${pgVersion} (${found.how}), the PostgreSQL tracker in the source's database.`,
    `Settings: ${S.submissions} submissions (BATCH_SIZE ${S.submissions}), Jira latency ${S.latencyMs} ms per call, limit ${S.slowLimit} req/s, JIRA_CONCURRENCY ${S.concurrency}, LOG_LEVEL info; ${S.idleRuns} idle runs per store, alternating; peak RSS by ${rssMethod()}.`,
    `Command: \`npm run ${smoke ? 'bench:smoke' : 'bench'} -- --stores\`; took ${fmt.s(performance.now() - started)}; load average (1, 5, 15 min) ${loadAtStart} at the start, ${loadAverage()} at the end.`,
  ];
  process.stdout.write(`${table(header, rows, smoke)}\n`);
}

const loadAverage = () => os.loadavg().map((x) => x.toFixed(2)).join(', ');

const list = (name: string) => process.env[name]?.split(',').map(Number);

/** `--cost`: issue 14's cost per ticket at 0 and 30 ms per call, BATCH_SIZE 30 and 1,000 (and 10,000). */
async function mainCost(): Promise<void> {
  const started = performance.now();
  const { found, db, client, pgVersion } = await setUp();
  await createSubmissions(client, SMALL, 10);
  const mappingWs = workspace(db.url, await fakeJira(), null);
  const mapped = await run(mappingWs, ['map-fields'], 60_000);
  if (mapped.code !== 0) throw new Error(`map-fields failed (exit ${mapped.code}): ${mapped.stderr}`);
  const big = process.argv.includes('--cost-big');
  const settings = {
    submissions: S.submissions,
    batches: list('BENCH_COST_BATCHES') ?? (smoke ? [10, S.submissions] : big ? [30, 1000, 10_000] : [30, 1000]),
    latencies: list('BENCH_COST_LATENCIES') ?? [0, 30],
    repeats: profileDir ? 1 : S.costRepeats,
    profileDir: profileDir === null ? null : path.resolve(profileDir),
    trackerDir: process.env.BENCH_COST_TRACKER_DIR ?? null,
    vs: process.env.BENCH_COST_VS ? path.resolve(process.env.BENCH_COST_VS) : null,
  };
  if (settings.vs !== null && !fs.existsSync(settings.vs)) throw new Error(`BENCH_COST_VS: no such file ${settings.vs} (the other build's dist/cli.js)`);
  const rows = await measureCost(
    {
      client,
      databaseUrl: db.url,
      mappingPath: mappingWs.mappingPath,
      concurrency: S.concurrency,
      fakeJira,
      workspace,
      run: (ws, args, nodeArgs, cli) => run(ws, args, 30 * 60_000, nodeArgs, cli),
      broken,
      log,
    },
    settings,
  );
  const m = machine();
  const header = [
    `### jira-sync benchmark, cost per ticket${smoke ? ' (smoke)' : ''}${profileDir ? ' (under the profiler)' : ''}, ${new Date().toISOString().slice(0, 10)}`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB; ${m.os}; Node ${m.node}; PostgreSQL ${pgVersion} (${found.how}).`,
    `Settings: at least ${S.submissions} submissions per case, fresh tracker${settings.trackerDir ? ` in ${settings.trackerDir}` : ''}, fake Jira without rate limit, JIRA_CONCURRENCY ${S.concurrency}, LOG_LEVEL info; ` +
      `median of ${settings.repeats} [min–max]; CPU = user + system of the CLI process(es) by GNU time; peak RSS by ${rssMethod()}.`,
    `Command: \`${settings.vs ? `BENCH_COST_VS=${settings.vs} ` : ''}npm run ${smoke ? 'bench:smoke' : 'bench'} -- ${big ? '--cost-big' : '--cost'}${profileDir ? ' --profile=DIR' : ''}\`; took ${fmt.s(performance.now() - started)}.`,
  ];
  process.stdout.write(`${table(header, rows, smoke)}\n`);
}

async function cleanUp(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await Promise.resolve().then(c).catch(() => undefined);
}

process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
try {
  const issueMode = () => benchIssueMode({ setUp, workspace, run, onCleanup: (c) => cleanups.push(c), broken, log, smoke }); // bench/issueMode.ts
  // `--pull`: the write-back pull over 10,000 tickets (bench/pull.ts).
  if (process.argv.includes('--pull')) await (await import('./pull.js')).mainPull(smoke, broken, cleanups);
  else await (process.argv.includes('--issue-mode') ? issueMode() : cost ? mainCost() : auditOnly ? mainAuditOnly() : storesOnly ? mainStores() : main());
} catch (err) {
  broken.push(`the benchmark itself failed: ${(err as Error).stack ?? String(err)}`);
} finally {
  await cleanUp();
}
if (broken.length > 0) {
  process.stderr.write(`\nBROKEN:\n${broken.map((b) => `  - ${b}`).join('\n')}\n`);
  process.exit(1);
}
