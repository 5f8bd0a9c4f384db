// `npm run demo` end to end, as a newcomer runs it: the script against the PostgreSQL the
// tests use, and afterwards nothing of it left behind, also when it is interrupted. The hard
// parts it shows (a failure fixed by correcting the row; a run killed with requests in flight)
// are checked in its output: the CLI's own lines and what the demo read from Jira.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Result {
  code: number | null;
  out: string;
}

/** Runs the demo; `interruptWhen` sends SIGINT the first time the output matches it. */
function demo(command: string, args: string[], interruptWhen?: RegExp): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      // The server globalSetup found, so the demo does not start a second one.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TEST_DATABASE_URL: inject('adminDatabaseUrl') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let interrupted = false;
    const onData = (d: Buffer) => {
      out += d.toString();
      if (interruptWhen && !interrupted && interruptWhen.test(out)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), 110_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

async function databaseExists(name: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await c.connect();
  try {
    return (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  } finally {
    await c.end();
  }
}

/** The demo names what it made; after it ends, none of it may exist. */
async function expectCleanedUp(out: string): Promise<void> {
  const database = /created database (\w+)\./.exec(out)?.[1];
  const folder = /Working folder (\S+):/.exec(out)?.[1];
  expect(database, out).toBeDefined();
  expect(folder, out).toBeDefined();
  expect(await databaseExists(database as string)).toBe(false);
  expect(fs.existsSync(folder as string)).toBe(false);
}

/** The part of the output between two lines that start with the given texts (the end excluded). */
function section(out: string, from: string, to: string): string {
  const start = out.indexOf(from);
  expect(start, `"${from}" in:\n${out}`).toBeGreaterThanOrEqual(0);
  const end = out.indexOf(to, start + from.length);
  return out.slice(start, end < 0 ? undefined : end);
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm run demo', () => {
  it('runs the whole job, a failure fixed by correcting the row, and a run killed mid-way finished with no duplicate', { timeout: 120_000 }, async () => {
    const r = await demo('npx', ['tsx', 'scripts/demo.ts']);
    expect(r.code, r.out).toBe(0);
    for (const step of ['map-fields', 'doctor', 'run', 'status', 'retry']) expect(r.out).toContain(`$ jira-sync ${step}`);
    expect(r.out.match(/^== \d+\. /gm)?.map((h) => Number(/\d+/.exec(h)?.[0]))).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));

    // 1. The submission with a department Jira does not offer fails, and only it.
    const badId = /^Source id (\d+) asks for department "Human Resources"/m.exec(r.out)?.[1] as string;
    expect(badId, r.out).toBeDefined();
    const firstRun = section(r.out, '$ jira-sync run', 'This run created');
    expect(firstRun).toMatch(/created 11, skipped 0, failed 1, parked 0/);
    expect(firstRun).toContain('(exit code 1)');
    expect(firstRun).toMatch(/"Human Resources" is not one of the allowed values for "Department"/);
    // status says what to do, before the row is corrected.
    const status = section(r.out, '$ jira-sync status', '== 7.');
    expect(status).toMatch(new RegExp(`(?:source id |^ *)${badId}\\b.*failed`, 'm'));
    expect(status).toContain(`correct the row, then \`jira-sync retry ${badId}\``);
    // The correction really changed the row, retry re-queued it, and the next run created it with the corrected value.
    expect(r.out).toContain(`$ psql -c "UPDATE webform_submissions SET department_name = 'HR' WHERE id = ${badId};"\n    UPDATE 1\n`);
    expect(section(r.out, `$ jira-sync retry ${badId}`, '== 9.')).toContain(`re-queued source id ${badId}`);
    const fixedRun = section(r.out, '== 9.', '== 10.');
    expect(fixedRun).toMatch(/created 1, skipped 0, failed 0, parked 0/);
    const ticket = new RegExp(`^(HW-\\d+)  Web form request #${badId} from maria\\.garcia@example\\.com\\n(?: {4}.*\\n)*? {4}Department: +HR\\n`, 'm').exec(fixedRun);
    expect(ticket, fixedRun).not.toBeNull();
    const fixedKey = ticket?.[1] as string;

    // 2. The run killed with kill -9 while four create calls were in flight.
    const killed = section(r.out, '== 11.', '== 12.');
    const inFlight = /^Jira has made (HW-\d+(?:, HW-\d+)*) \(source ids ([\d, ]+)\); its answers are still on the way\.$/m.exec(killed);
    expect(inFlight, killed).not.toBeNull();
    const inFlightKeys = (inFlight?.[1] as string).split(', ');
    const inFlightIds = (inFlight?.[2] as string).split(', ');
    expect(inFlightKeys).toHaveLength(4);
    const pid = /^\$ kill -9 (\d+)$/m.exec(killed)?.[1];
    expect(pid, killed).toBeDefined();
    expect(killed).toContain(`(running in the background as process ${pid})`);
    expect(killed).toContain('(killed by SIGKILL: no exit code)');
    // The tracker knew them only as "creating"; the next run adopted those tickets and created the other four.
    const afterCrash = section(r.out, '== 12.', '== 13.');
    for (const id of inFlightIds) expect(afterCrash).toMatch(new RegExp(`(?:source id |^ *)${id}\\b.*creating`, 'm'));
    expect(section(r.out, '== 13.', '== 14.')).toMatch(/^Jira got 4 new tickets, for the requests the killed run never started\./m);
    expect(section(r.out, '== 14.', '== 15.')).toMatch(/^This run created 0 tickets in Jira\.$/m);

    // In the end: every submission in PostgreSQL has exactly one ticket, with its attachment.
    expect(r.out).toContain('PostgreSQL holds 20 submissions and Jira 20 tickets.');
    const rows = [...r.out.matchAll(/^ {2}(\d+) +(\d+) +(HW-\d+|-) +(.+)$/gm)].map((m) => ({ id: m[1], tickets: m[2], key: m[3], attachments: m[4] }));
    expect(rows.map((row) => row.id)).toEqual(Array.from({ length: 20 }, (_, i) => String(i + 1)));
    for (const row of rows) {
      expect(row.tickets, `source id ${row.id}`).toBe('1');
      expect(row.attachments).toBe(`submission-${row.id}.json`);
    }
    expect(new Set(rows.map((row) => row.key)).size).toBe(20);
    const ticketOf = new Map(rows.map((row) => [row.id, row.key]));
    expect(ticketOf.get(badId)).toBe(fixedKey);
    // The tickets made before the kill are the ones the submissions kept: adopted, not made again.
    expect(inFlightIds.map((id) => ticketOf.get(id))).toEqual(inFlightKeys);
    expect(r.out).toContain('Demo finished: 20 submissions, 20 tickets, exactly one each.');
    // Write-back: the table lists every ticket, and the run after an agent resolved one shows it resolved.
    const writeback = section(r.out, '== 16.', 'Demo finished');
    expect(writeback).toMatch(/pull: 1 row changed, 2 Jira calls/);
    expect(writeback).toMatch(/^ {2}\d+ +HW-\d+ +Resolved +done +Done$/m);
    expect(r.out).toMatch(/The write-back table followed HW-\d+ to "Resolved" one run after it changed in Jira\./);
    await expectCleanedUp(r.out);
  });

  it('--issue-mode: the same story with a plain Jira project, through the issue API', { timeout: 120_000 }, async () => {
    const r = await demo('npx', ['tsx', 'scripts/demo.ts', '--issue-mode']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('with project ITS and its issue type Task, created through the issue API');
    expect(r.out).toContain('== 5. run: every new submission becomes an issue with its row attached; one cannot');
    expect(r.out).not.toMatch(/becomes a request/);
    expect(section(r.out, '$ jira-sync run', 'This run created')).toMatch(/created 11, skipped 0, failed 1, parked 0/);
    expect(r.out).toMatch(/^ITS-\d+ {2}Web form request #\d+ from maria\.garcia@example\.com\n(?: {4}.*\n)*? {4}Department: +HR\n/m);
    expect(section(r.out, '== 11.', '== 12.')).toMatch(/^Jira has made ITS-\d+, ITS-\d+, ITS-\d+, ITS-\d+ \(source ids/m);
    expect(section(r.out, '== 13.', '== 14.')).toMatch(/^Jira got 4 new tickets/m);
    const rows = [...r.out.matchAll(/^ {2}(\d+) +(\d+) +(ITS-\d+|-) +(.+)$/gm)];
    expect(rows).toHaveLength(20);
    for (const m of rows) expect([m[2], m[4]]).toEqual(['1', `submission-${m[1]}.json`]);
    expect(new Set(rows.map((m) => m[3])).size).toBe(20);
    // Write-back: every row has its status from the pull (the issue API's create answer has none); the resolved one follows.
    const writeback = section(r.out, '== 16.', 'Demo finished');
    expect([...writeback.matchAll(/^ {2}\d+ +ITS-\d+ +To Do +new *$/gm)]).toHaveLength(20 + 19);
    expect(writeback).toMatch(/^ {2}\d+ +ITS-\d+ +Done +done +Done$/m);
    expect(r.out).toMatch(/The write-back table followed ITS-\d+ to "Done" one run after it changed in Jira\./);
    await expectCleanedUp(r.out);
  });

  it('cleans up when interrupted (Ctrl-C) while a jira-sync run is in flight, that run included', { timeout: 120_000 }, async () => {
    const r = await demo(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], /running in the background as process \d+/);
    expect(r.code, r.out).toBe(130);
    expect(r.out).toContain('SIGINT: stopping the demo and cleaning up.');
    expect(r.out).not.toContain('Demo finished');
    expect(r.out).not.toContain('Demo failed');
    const pid = Number(/running in the background as process (\d+)/.exec(r.out)?.[1]);
    // Killed by the demo before its folder and database were removed, not left to die of it.
    expect(r.out).toContain(`Stopping jira-sync (process ${pid}), still running`);
    expect(r.out.indexOf(`Stopping jira-sync (process ${pid})`)).toBeLessThan(r.out.indexOf('(killed by SIGKILL'));
    expect(processExists(pid)).toBe(false);
    await expectCleanedUp(r.out);
  });
});
