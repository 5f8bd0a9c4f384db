// The tracker, its backups and the logs hold the submissions' personal data: every file
// jira-sync writes is readable by its owner only (0600), every folder it creates is 0700,
// whatever the umask, and it stays so after rolling and backing up. Files left wider by an
// older version are tightened by the next run.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeJira, type FakeJira } from '../support/fakeJira/index.js';
import { makeWorkspace, type Workspace } from '../support/cli.js';
import { createTestDatabase, insertSubmissions, sampleSubmission, SUBMISSIONS_DDL, type TestDatabase } from '../support/db.js';
import { cliFor, trackerStates } from '../support/scenario.js';

let db: TestDatabase;
let jira: FakeJira;
let ws: Workspace;
let savedUmask: number;

beforeAll(async () => {
  // The usual default: without care, new files would be 0644 and folders 0755.
  savedUmask = process.umask(0o022);
  db = await createTestDatabase();
  await db.client.query(SUBMISSIONS_DDL);
  jira = await startFakeJira({ auth: { email: 'robot@example.com', apiToken: 'test-token-s3cr3t' } });
  ws = makeWorkspace({ databaseUrl: db.url, jiraUrl: jira.url });
});
afterAll(async () => {
  process.umask(savedUmask);
  await jira.close();
  ws.cleanup();
  await db.drop();
});

const mode = (p: string) => (fs.statSync(p).mode & 0o777).toString(8).padStart(4, '0');

/** Every file and folder under the tracker's folder and the log folder, with its mode. */
function modes(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    out[`${path.relative(ws.dir, d)}/`] = mode(d);
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(ws.dir, p)] = mode(p);
    }
  };
  for (const d of [path.dirname(ws.trackerPath), ws.logDir]) if (fs.existsSync(d)) walk(d);
  return out;
}

function expectPrivate(m: Record<string, string>): void {
  const wide = Object.entries(m).filter(([name, md]) => md !== (name.endsWith('/') ? '0700' : '0600'));
  expect(wide, 'files not 0600 / folders not 0700').toEqual([]);
}

describe('file modes (umask 022)', () => {
  it('a run killed mid-way leaves the tracker, its -wal/-shm, the lock and the logs owner-only', async () => {
    const cli = cliFor(ws);
    await insertSubmissions(db.client, [0, 1, 2].map((i) => sampleSubmission(i)));
    expect((await cli(['map-fields'])).code).toBe(0);
    const killed = await cli(['run'], { JIRA_SYNC_FAILPOINT: 'after-created', JIRA_CONCURRENCY: '1' });
    expect(killed.signal).toBe('SIGKILL');
    const m = modes();
    // A killed process leaves SQLite's side files behind: the moment they are most exposed.
    for (const f of ['tracker/', 'tracker/tracker.db', 'tracker/tracker.db-wal', 'tracker/tracker.db-shm', 'tracker/tracker.db.lock', 'logs/', 'logs/field_mapping.log']) {
      expect(m, f).toHaveProperty([f]);
    }
    expectPrivate(m);
  });

  it('a finished run leaves its backup, high-water mark and summary owner-only', async () => {
    const cli = cliFor(ws);
    expect((await cli(['run'])).code).toBe(0);
    expect(trackerStates(ws)).toEqual({ done: 3 });
    const m = modes();
    for (const f of ['tracker/backups/', 'tracker/tracker.db.highwater.json', 'logs/summary.log']) expect(m, f).toHaveProperty([f]);
    expect(Object.keys(m).filter((f) => /^tracker\/backups\/tracker-\d{4}-\d{2}-\d{2}\.db$/.test(f))).toHaveLength(1);
    expectPrivate(m);
  });

  it('files an older version left readable by others are tightened; rolled logs stay owner-only', async () => {
    const cli = cliFor(ws);
    const trackerDir = path.dirname(ws.trackerPath);
    // As an older jira-sync left them: everything world-readable, main.log last written two days ago.
    const wide = [ws.trackerPath, `${ws.trackerPath}.highwater.json`, `${ws.trackerPath}.lock`, ...fs.readdirSync(path.join(trackerDir, 'backups')).map((f) => path.join(trackerDir, 'backups', f))];
    wide.push(...fs.readdirSync(ws.logDir).map((f) => path.join(ws.logDir, f)));
    for (const f of wide) fs.chmodSync(f, 0o644);
    const old = new Date(Date.now() - 2 * 86_400_000);
    fs.utimesSync(path.join(ws.logDir, 'main.log'), old, old);

    await insertSubmissions(db.client, [sampleSubmission(3)]);
    expect((await cli(['run'])).code).toBe(0);
    const m = modes();
    expect(m).toHaveProperty([`logs/main.${old.toISOString().slice(0, 10)}.log`]);
    expectPrivate(m);
  });
});
