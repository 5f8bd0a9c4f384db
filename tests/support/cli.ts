// Runs the real, built CLI (dist/cli.js) as a child process, in a temporary working
// directory so a developer's own .env is never picked up.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Workspace {
  dir: string;
  env: Record<string, string>;
  trackerPath: string;
  mappingPath: string;
  logDir: string;
  cleanup(): void;
}

export function makeWorkspace(base: { databaseUrl: string; jiraUrl: string; extra?: Record<string, string> }): Workspace {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jira-sync-test-'));
  const trackerPath = path.join(dir, 'tracker', 'tracker.db');
  const mappingPath = path.join(dir, 'field_mapping.json');
  const logDir = path.join(dir, 'logs');
  return {
    dir,
    trackerPath,
    mappingPath,
    logDir,
    env: {
      DATABASE_URL: base.databaseUrl,
      JIRA_BASE_URL: base.jiraUrl,
      JIRA_EMAIL: 'robot@example.com',
      JIRA_API_TOKEN: 'test-token-s3cr3t',
      JSM_SERVICE_DESK_ID: '1',
      JSM_REQUEST_TYPE_ID: '10',
      TRACKER_PATH: trackerPath,
      FIELD_MAPPING_PATH: mappingPath,
      LOG_DIR: logDir,
      JIRA_RETRY_BUDGET_SECONDS: '20',
      ...base.extra,
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export function runCli(args: string[], opts: { env: Record<string, string>; cwd?: string; timeoutMs?: number; uid?: number; gid?: number }): Promise<CliResult> {
  return startCli(args, opts).done;
}

/** The CLI as a running child, for tests that signal it mid-run; `done` settles when it exits. */
export function startCli(args: string[], opts: { env: Record<string, string>; cwd?: string; timeoutMs?: number; uid?: number; gid?: number }): { child: ChildProcess; done: Promise<CliResult> } {
  let child!: ChildProcess;
  const done = new Promise<CliResult>((resolve, reject) => {
    child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd ?? os.tmpdir(),
      // Only PATH and HOME from the test process: the CLI sees exactly the configuration the test sets.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Set only by tests that need file permissions to bite, which they do not for root.
      ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}
