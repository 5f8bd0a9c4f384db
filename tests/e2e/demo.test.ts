// `npm run demo` end to end, as a newcomer runs it: the script against the PostgreSQL the
// tests use, and afterwards nothing of it left behind, also when it is interrupted.
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

describe('npm run demo', () => {
  it('runs the whole job: 12 tickets from the first run, 0 from the second, shown with fields and attachments', { timeout: 120_000 }, async () => {
    const r = await demo('npx', ['tsx', 'scripts/demo.ts']);
    expect(r.code, r.out).toBe(0);
    for (const step of ['map-fields', 'doctor', 'run', 'status']) expect(r.out).toContain(`$ jira-sync ${step}`);
    const runs = [...r.out.matchAll(/This run created (\d+) tickets? in Jira\./g)].map((m) => Number(m[1]));
    expect(runs).toEqual([12, 0]);
    expect(r.out.match(/^HW-\d+ {2}/gm)).toHaveLength(12);
    expect(r.out.match(/^ {4}Attachments: +submission-\d+\.json$/gm)).toHaveLength(12);
    expect(r.out).toMatch(/^ {4}Equipment: +Handset speaker phone, Mobile phone$/m);
    expect(r.out).toContain('Submissions by state: pending 0, creating 0, created 0, attached 0, done 12');
    expect(r.out).toContain('Demo finished: the first run created 12 tickets, the second run created 0.');
    await expectCleanedUp(r.out);
  });

  it('cleans up when interrupted part-way (Ctrl-C)', { timeout: 120_000 }, async () => {
    const r = await demo(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], /\$ jira-sync map-fields/);
    expect(r.code, r.out).toBe(130);
    expect(r.out).not.toContain('Demo finished');
    await expectCleanedUp(r.out);
  });
});
