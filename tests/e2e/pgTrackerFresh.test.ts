// The read-only commands on a PostgreSQL tracker that does not exist yet (TRACKER_DATABASE_URL
// set, schema TRACKER_SCHEMA absent): `status`, `run --dry-run`, `audit --dry-run` and `doctor` answer as they do
// for a fresh SQLite tracker, with no SQL error, and none of them creates the schema; nor does
// `retry`, which has nothing to re-queue in a tracker no run has written.
import fs from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { useCliHarness } from '../support/harness.js';
import { unwrap } from '../support/text.js';

const h = useCliHarness();
let schema = 'jira_sync';
beforeEach(() => {
  schema = `fresh_${Math.random().toString(36).slice(2, 8)}`;
});
const pgEnv = () => ({ TRACKER_DATABASE_URL: h.db.url, TRACKER_SCHEMA: schema });

async function schemaExists(): Promise<boolean> {
  return (await h.db.client.query<{ ok: boolean }>('SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS ok', [schema])).rows[0]?.ok === true;
}
const lineOf = (out: string, check: string) => unwrap(out).split('\n').find((l) => l.slice(5).startsWith(`${check}:`)) ?? `(no line for ${check})`;

describe('read-only commands on a PostgreSQL tracker whose schema does not exist yet', () => {
  it('status says no run has written anything, as for a fresh SQLite tracker, and creates nothing', async () => {
    const sqlite = await h.cli(['status', '--json']);
    const pg = await h.cli(['status', '--json'], pgEnv());
    expect(pg.code, pg.stderr).toBe(0);
    const a = JSON.parse(sqlite.stdout) as Record<string, unknown>;
    const b = JSON.parse(pg.stdout) as Record<string, unknown>;
    expect(b).toMatchObject({ tracker: `PostgreSQL, schema ${schema}`, exists: false, counts: {}, runs: [], attention: [], cursor: null, lastAudit: null, lock: { held: false } });
    expect({ ...b, tracker: a.tracker }).toEqual(a);
    const text = await h.cli(['status'], pgEnv());
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`No tracker in PostgreSQL schema ${schema} yet: no run has written anything.`);
    expect(await schemaExists()).toBe(false);
  });

  it('run --dry-run prints what it would send, like a dry run on a fresh SQLite tracker, audit --dry-run has nothing to audit, and neither creates anything', async () => {
    await h.seed(2);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    const sqlite = await h.cli(['run', '--dry-run']);
    expect(sqlite.code, sqlite.stderr).toBe(0);
    const pg = await h.cli(['run', '--dry-run'], pgEnv());
    expect(pg.code, pg.stderr).toBe(0);
    expect(pg.stdout).toBe(sqlite.stdout);
    expect(pg.stderr).toContain('would create 2');
    const audit = await h.cli(['audit', '--dry-run'], pgEnv());
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stdout).toContain('Nothing to audit: no run has fetched anything yet');
    expect(await schemaExists()).toBe(false);
    expect(fs.existsSync(h.ws.trackerPath)).toBe(false);
    expect(h.jira.issues).toHaveLength(0);
  });

  it('doctor says the first run creates the schema, exits 0, and creates nothing', async () => {
    await h.seed(1);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    const sqlite = await h.cli(['doctor']);
    const pg = await h.cli(['doctor'], pgEnv());
    expect(pg.code, pg.stdout + pg.stderr).toBe(sqlite.code);
    expect(pg.code).toBe(0);
    expect(lineOf(sqlite.stdout, 'tracker')).toMatch(/does not exist yet; the first run creates it/);
    expect(lineOf(pg.stdout, 'tracker')).toMatch(new RegExp(`^ok {3}tracker: schema ${schema} does not exist yet; the first run creates it`));
    expect(lineOf(pg.stdout, 'run lock')).toMatch(/^ok {3}run lock: free/);
    expect(await schemaExists()).toBe(false);
  });

  it('retry has nothing to re-queue and creates nothing, as with no SQLite file', async () => {
    const all = await h.cli(['retry', '--all'], pgEnv());
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/nothing to retry yet/i);
    const named = await h.cli(['retry', '1'], pgEnv());
    expect(named.code).toBe(2);
    expect(named.stderr).toContain(`no tracker in PostgreSQL schema ${schema} yet`);
    expect(await schemaExists()).toBe(false);
  });

  it('status with the tracker database down says so in one line, exit 3, without the password', async () => {
    const r = await h.cli(['status'], { TRACKER_DATABASE_URL: 'postgres://u:tr-secret-5@127.0.0.1:1/x', TRACKER_SCHEMA: schema });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`^jira-sync: tracker: cannot read the PostgreSQL tracker \\(TRACKER_DATABASE_URL, schema ${schema}\\) at 127\\.0\\.0\\.1:1 as "u", database "x": connection refused; check the host and port in TRACKER_DATABASE_URL`));
    expect(r.stderr).not.toContain('unexpected error');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toContain('tr-secret-5');
  });

  it('once a run has created it, status reads it', async () => {
    await h.seed(1);
    expect((await h.cli(['map-fields'])).code).toBe(0);
    expect((await h.cli(['run'], pgEnv())).code).toBe(0);
    const s = JSON.parse((await h.cli(['status', '--json'], pgEnv())).stdout) as { exists: boolean; counts: Record<string, number> };
    expect(s).toMatchObject({ exists: true, counts: { done: 1 } });
    // No file backups for a PostgreSQL tracker, by design: not "none yet", as if one were due.
    const text = (await h.cli(['status'], pgEnv())).stdout.replace(/\s+/g, ' ');
    expect(text).toContain("Tracker backups: the PostgreSQL database's own (jira-sync keeps no file copies of a PostgreSQL tracker)");
    expect(text).not.toContain('Newest tracker backup');
  });
});
