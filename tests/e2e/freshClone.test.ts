// A fresh clone, as a newcomer meets it: `cp .env.example .env` left untouched, no .env at all,
// and doctor piped into `head`. Through the real CLI, in a working directory of its own.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dotenv from 'dotenv';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../support/cli.js';
import { TOKEN, useCliHarness } from '../support/harness.js';

const h = useCliHarness();
const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const PLACEHOLDERS = ['DATABASE_URL', 'JIRA_BASE_URL', 'JIRA_EMAIL', 'JIRA_API_TOKEN'];

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function freshDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'jira-sync-clone-'));
  dirs.push(d);
  return d;
}

describe('placeholders from .env.example', () => {
  it.each(['run', 'map-fields', 'audit'])('`%s` with `cp .env.example .env` untouched refuses every placeholder at once (exit 2), connecting nowhere', async (cmd) => {
    const dir = freshDir();
    fs.copyFileSync(path.join(REPO, '.env.example'), path.join(dir, '.env'));
    const r = await runCli([cmd], { env: {}, cwd: dir });
    expect(r.code).toBe(2);
    for (const v of PLACEHOLDERS) expect(r.stderr).toMatch(new RegExp(`^  - ${v} still has the placeholder from \\.env\\.example`, 'm'));
    expect(r.stderr).not.toMatch(/ENOTFOUND|getaddrinfo|unreachable/);
    // Nothing was made in the working directory but the .env itself.
    expect(fs.readdirSync(dir)).toEqual(['.env']);
  });

  it('the placeholder Jira site with a real token: `run` refuses it before any call', async () => {
    const r = await h.cli(['run'], { JIRA_BASE_URL: 'https://your-company.atlassian.net' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/JIRA_BASE_URL still has the placeholder from \.env\.example/);
    expect(r.stderr).not.toContain(TOKEN);
    expect(h.jira.requests.length).toBe(0);
  });

  it('status and retry read only the tracker and still work with the placeholders', async () => {
    const example = dotenv.parse(fs.readFileSync(path.join(REPO, '.env.example')));
    const r = await h.cli(['status'], { ...example, TRACKER_PATH: h.ws.trackerPath, LOG_DIR: h.ws.logDir });
    expect(r.code).toBe(0);
  });
});

describe('missing variables and no .env', () => {
  it('says once that there is no .env in the working directory, and how cron finds it', async () => {
    const dir = freshDir();
    const r = await runCli(['run'], { env: {}, cwd: dir });
    expect(r.code).toBe(2);
    const line = `no .env file in ${fs.realpathSync(dir)}; jira-sync reads .env from the directory it runs in (under cron, cd there first, see crontab.example)`;
    expect(r.stderr.split(line).length - 1).toBe(1);
    expect(r.stderr).toMatch(/DATABASE_URL is not set/);
  });

  it('doctor says it too, and still runs the checks that need no variable', async () => {
    const dir = freshDir();
    const r = await runCli(['doctor'], { env: {}, cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(`FAIL configuration: no .env file in ${fs.realpathSync(dir)}`);
    expect(r.stdout).toMatch(/^ok {3}log folder:/m);
  });

  it('with a .env present, no such line', async () => {
    const dir = freshDir();
    fs.writeFileSync(path.join(dir, '.env'), 'LOG_LEVEL=info\n');
    const r = await runCli(['run'], { env: {}, cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('no .env file');
  });

  it("DATABASE_URL's example survives redaction and shows where the password goes", async () => {
    const r = await runCli(['run'], { env: {}, cwd: freshDir() });
    const line = r.stderr.split('\n').find((l) => l.includes('DATABASE_URL is not set')) ?? '';
    expect(line).not.toContain('[REDACTED]');
    expect(line).toMatch(/postgres:\/\/\S+@\S+:5432\//);
    expect(line).toMatch(/:PASSWORD@/);
  });
});

describe('a reader that stops reading', () => {
  it('`doctor | head -3` ends quietly with exit 0, no stack', async () => {
    const r = await new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
      // The child's stdout is a pipe we close after three lines, as `head -3` does.
      const child = spawn(process.execPath, [CLI, 'doctor'], { cwd: os.tmpdir(), env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...h.ws.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.split('\n').length > 3) child.stdout.destroy();
      });
      child.on('close', (code) => resolve({ code, stderr, stdout }));
    });
    expect(r.stderr).not.toMatch(/EPIPE|at .*\.js:\d+/);
    expect(r.code).toBe(0);
  });
});
