// `npm run bench -- --pull`: the write-back pull (WRITEBACK_TABLE) over 10,000 tickets with
// 1,000 changed, its Jira calls and wall time. In-process: the real writeBack() phase against a
// fresh PostgreSQL database, a SQLite tracker and the fake Jira on a hand-driven clock
// (tests/support/writebackWorld.ts), each call answered at once (no latency), so the wall time
// is jira-sync's own plus the fake's. Prints one Markdown table. Exits 1 when something is
// broken: a pull that fails, rows that do not match Jira, or more searches than the pages the
// changed tickets need. Settings: BENCH_PULL_TICKETS (10,000), BENCH_PULL_CHANGED (1,000).
import os from 'node:os';
import pg from 'pg';
import { SEARCH_PAGE } from '../src/adapters/jira/issueChanges.js';
import { createDatabase, findPostgres } from '../tests/support/postgres.js';
import { pullWorld } from '../tests/support/writebackWorld.js';
import { machine } from './measure.js';
import { fmt, table, type Row } from './report.js';

export async function mainPull(smoke: boolean, broken: string[], cleanups: (() => unknown)[]): Promise<void> {
  const started = performance.now();
  // The machine may be shared: its load average is printed with the figures.
  const loadAtStart = os.loadavg()[0] ?? 0;
  const tickets = Number(process.env.BENCH_PULL_TICKETS ?? (smoke ? 1000 : 10_000));
  const changed = Number(process.env.BENCH_PULL_CHANGED ?? (smoke ? 100 : 1000));
  const found = await findPostgres();
  cleanups.push(() => found.stop());
  const db = await createDatabase(found.adminUrl, 'jira_sync_bench_pull');
  cleanups.push(() => db.drop());
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  cleanups.push(() => client.end());
  const pgVersion = (await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]?.v ?? '?';
  const w = await pullWorld(db.url, { start: Date.parse('2026-11-01T00:00:00Z'), timeZone: 'America/St_Johns' });
  cleanups.push(() => w.close());
  const log = (line: string) => process.stderr.write(`${line}\n`);

  log(`creating ${tickets} tickets in the fake Jira and the tracker`);
  // One every 10 s of Jira's clock: a day of tickets.
  const keys = await w.createTickets(tickets, 10_000, { bulk: true });
  const rows: Row[] = [];
  const measure = async (what: string, full: boolean, expectChanged: number, maxSearches: number) => {
    const t = performance.now();
    const p = await w.pull(full);
    const ms = performance.now() - t;
    log(`  ${what}: ${p.searches} search${p.searches === 1 ? '' : 'es'}, ${p.calls} calls, ${p.changed} rows changed, ${fmt.s(ms)}`);
    if (!p.ok) broken.push(`${what}: the pull failed: ${p.error}`);
    if (p.changed !== expectChanged) broken.push(`${what}: ${p.changed} rows changed, expected ${expectChanged}`);
    if (p.searches > maxSearches) broken.push(`${what}: ${p.searches} searches, more than the ${maxSearches} its pages need`);
    rows.push({
      what,
      result: `${p.searches} search${p.searches === 1 ? '' : 'es'} (${p.calls} Jira calls in all), ${p.changed.toLocaleString('en')} rows changed, ${fmt.s(ms)}`,
      target: `≤ ${maxSearches} search${maxSearches === 1 ? '' : 'es'}`,
      met: p.searches <= maxSearches && p.changed === expectChanged,
    });
  };
  const pages = (n: number) => Math.ceil(n / SEARCH_PAGE);

  // First pull: no row yet for any ticket (write-back turned on for an existing install).
  await measure(`first pull, ${tickets.toLocaleString('en')} tickets without a row (read by key, then searched once)`, false, tickets, 2 * pages(tickets) + 1);

  // An hour later, `changed` tickets change, spread over 20 minutes.
  w.clock.now += 60 * 60_000;
  const step = Math.floor((20 * 60_000) / changed);
  for (let i = 0; i < changed; i++) {
    w.fake.transition(keys[(i * 7919) % keys.length] as string, i % 3 === 0 ? 'Resolved' : 'In Progress');
    w.clock.now += step;
  }
  const inWindow = Math.ceil((5 * 60_000) / step);
  await measure(`incremental pull, ${changed.toLocaleString('en')} of ${tickets.toLocaleString('en')} changed`, false, changed, pages(changed + inWindow));
  const sample = await client.query<{ n: string }>(`SELECT count(*) AS n FROM jira_sync_requests WHERE status <> 'Waiting for support'`);
  if (Number(sample.rows[0]?.n) !== changed) broken.push(`after the incremental pull ${sample.rows[0]?.n} rows show a changed status, expected ${changed}`);

  // Nothing changed, 5 minutes later: the last PULL_SKEW_MINUTES of changes before the previous
  // search are read again, once; an hour later the checkpoint has moved on with Jira's clock: one search.
  w.clock.now += 5 * 60_000;
  await measure('pull with nothing changed, 5 minutes later (the skew window read again)', false, 0, pages(inWindow + 1));
  w.clock.now += 60 * 60_000;
  await measure('pull with nothing changed, an hour later', false, 0, 1);
  await measure(`pull --full, every one of ${tickets.toLocaleString('en')} tickets by key`, true, 0, pages(tickets));

  const m = machine();
  const header = [
    `### jira-sync benchmark, write-back pull${smoke ? ' (smoke)' : ''}, ${new Date().toISOString().slice(0, 10)}`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB; ${m.os}; Node ${m.node}; PostgreSQL ${pgVersion} (${found.how}).`,
    `Settings: ${tickets.toLocaleString('en')} tickets, ${changed.toLocaleString('en')} changed over 20 minutes; PULL_SKEW_MINUTES 5; account time zone America/St_Johns; ` +
      'in-process fake Jira without latency or rate limit, SQLite tracker; wall time of one writeBack() (search, tracker, PostgreSQL), one run each.',
    `Command: \`npm run ${smoke ? 'bench:smoke' : 'bench'} -- --pull\`; took ${fmt.s(performance.now() - started)}.`,
    `Load average (1 min): ${loadAtStart.toFixed(2)} at start, ${(os.loadavg()[0] ?? 0).toFixed(2)} at the end.`,
  ];
  process.stdout.write(`${table(header, rows, smoke)}\n`);
}
