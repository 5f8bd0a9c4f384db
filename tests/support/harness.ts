// Per-file set-up for the CLI tests of the operator commands (status, retry, doctor, logs,
// alerts): one database per file, a fresh fake Jira and workspace per test, and the helpers
// those tests share. Everything is real: PostgreSQL, HTTP, SQLite files, CLI processes.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { openSqlite } from '../../src/adapters/tracker/sqlite.js';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { startFakeJira, type FakeJira, type FakeJiraOptions } from './fakeJira/index.js';
import { makeWorkspace, runCli, type CliResult, type Workspace } from './cli.js';
import { createTestDatabase, insertSubmissions, sampleSubmission, SUBMISSIONS_DDL, type TestDatabase } from './db.js';

export const TOKEN = 'test-token-s3cr3t';
export const EMAIL = 'robot@example.com';

/** Nothing listens on port 1: both dependencies are down. The password must never be shown. */
export const DOWN = {
  DATABASE_URL: 'postgres://sync:db-secret-pw-9q2@127.0.0.1:1/forms',
  JIRA_BASE_URL: 'http://127.0.0.1:1',
};

export interface Harness {
  readonly db: TestDatabase;
  readonly jira: FakeJira;
  readonly ws: Workspace;
  cli(args: string[], extra?: Record<string, string>): Promise<CliResult>;
  /** Inserts sampleSubmission(0..n-1) and returns their ids. */
  seed(n: number): Promise<number[]>;
}

/** `fake`: extra fake Jira options for every test of the file (e.g. a per-call latency). */
export function useCliHarness(opts: { fake?: Omit<FakeJiraOptions, 'auth'> } = {}): Harness {
  let db: TestDatabase;
  let jira: FakeJira;
  let ws: Workspace;
  beforeAll(async () => {
    db = await createTestDatabase();
    await db.client.query(SUBMISSIONS_DDL);
  });
  afterAll(async () => {
    await db.drop();
  });
  beforeEach(async () => {
    await db.client.query('TRUNCATE webform_submissions RESTART IDENTITY');
    jira = await startFakeJira({ auth: { email: EMAIL, apiToken: TOKEN }, ...opts.fake });
    ws = makeWorkspace({ databaseUrl: db.url, jiraUrl: jira.url });
  });
  afterEach(async () => {
    await jira.close();
    ws.cleanup();
  });
  return {
    get db() {
      return db;
    },
    get jira() {
      return jira;
    },
    get ws() {
      return ws;
    },
    cli: (args, extra = {}) => runCli(args, { env: { ...ws.env, ...extra } }),
    seed: (n) => insertSubmissions(db.client, Array.from({ length: n }, (_, i) => sampleSubmission(i))),
  };
}

export interface TrackerRow {
  key: string;
  source_id: string;
  state: string;
  attempts: number;
  last_error: string | null;
}

export function trackerRows(ws: Workspace): TrackerRow[] {
  if (!fs.existsSync(ws.trackerPath)) return [];
  const t = openSqlite(ws.trackerPath, { readonly: true });
  try {
    return t.prepare('SELECT key, source_id, state, attempts, last_error FROM submissions ORDER BY CAST(source_id AS INTEGER)').all() as TrackerRow[];
  } finally {
    t.close();
  }
}

/** Every file under dir with its size and mtime: equal snapshots mean nothing was written. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = fs.statSync(p);
        out[path.relative(dir, p)] = `${st.size}@${st.mtimeMs}`;
      }
    }
  };
  walk(dir);
  return out;
}

/** The contents of every file in the log folder, by file name. */
export function logFiles(ws: Workspace): Record<string, string> {
  if (!fs.existsSync(ws.logDir)) return {};
  return Object.fromEntries(fs.readdirSync(ws.logDir).map((f) => [f, fs.readFileSync(path.join(ws.logDir, f), 'utf8')]));
}

export interface WebhookReceiver {
  url: string;
  posts: { text?: string; content?: string }[];
  close(): Promise<void>;
}

/** A Slack-style incoming webhook on 127.0.0.1 that records every JSON body posted to it. */
export async function webhookReceiver(): Promise<WebhookReceiver> {
  const posts: WebhookReceiver['posts'] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      posts.push(JSON.parse(body) as WebhookReceiver['posts'][number]);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T0001/B0002/hookTOKENhookTOKEN`,
    posts,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
