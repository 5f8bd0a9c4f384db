// Finds one PostgreSQL server for the whole test run (see postgres.ts for the order);
// each test file then makes its own database on it. It also gives the run its own temporary
// folder (TMPDIR), and fails the run if a test left anything in it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { findPostgres } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

let stopContainer: (() => Promise<void>) | undefined;
let tmp: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  // Set before the test workers start, so their os.tmpdir() is this folder.
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jira-sync-tests-'));
  // mkdtemp makes it 0700; tests that run the CLI as an unprivileged user (brokenFiles) must be
  // able to pass through it to their own folder, as they could through /tmp itself.
  fs.chmodSync(tmp, 0o755);
  process.env.TMPDIR = tmp;
  const found = await findPostgres();
  stopContainer = found.stop;
  project.provide('adminDatabaseUrl', found.adminUrl);
}

export async function teardown(): Promise<void> {
  await stopContainer?.();
  if (!tmp) return;
  // tsx-<uid> is tsx's compile cache (tests that start a script with tsx), not a test's folder.
  const left = fs.readdirSync(tmp).filter((name) => !/^tsx-\d+$/.test(name));
  fs.rmSync(tmp, { recursive: true, force: true });
  if (left.length > 0) {
    // vitest reports an error thrown here but still exits 0, so the exit code is set as well.
    process.exitCode = 1;
    throw new Error(`tests left temporary folders behind (now removed): ${left.join(', ')}`);
  }
}
