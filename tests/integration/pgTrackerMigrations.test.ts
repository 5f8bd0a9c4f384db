// The PostgreSQL tracker's schema is created and migrated by whichever host starts first; hosts
// starting at the same moment must not fail or migrate twice (the advisory lock in migrations.ts).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATION_LOCK, PG_SCHEMA_VERSION } from '../../src/adapters/tracker/postgres/migrations.js';
import { PostgresTrackerStore } from '../../src/adapters/tracker/postgres/store.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});
const now = () => new Date('2026-11-23T09:00:00.000Z');

describe('PostgreSQL tracker migrations', () => {
  it('six hosts starting at once on an empty database: all open it, and it is migrated once', async () => {
    const stores = await Promise.all(Array.from({ length: 6 }, () => PostgresTrackerStore.open({ url: db.url, schema: 'jira_sync', now })));
    try {
      const v = await db.client.query<{ version: number }>('SELECT version FROM jira_sync.schema_version');
      expect(v.rows).toEqual([{ version: PG_SCHEMA_VERSION }]);
      // Every store works on the one schema.
      expect(await stores[0]!.register({ sourceId: '1', sourceTs: '2026-11-23T08:00:00.000000Z' }, 'a'.repeat(64), {}, 'r')).toBe('new');
      expect((await stores[5]!.get('a'.repeat(64)))?.state).toBe('pending');
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('opening a schema already current reads its version only: no wait on the migration lock, no write', async () => {
    await (await PostgresTrackerStore.open({ url: db.url, schema: 'current', now })).close();
    const before = await db.client.query<{ xmin: string }>('SELECT xmin::text FROM current.schema_version');
    // Another host holds the migration lock (migrating some other schema): a current one must not wait for it.
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      const opened = PostgresTrackerStore.open({ url: db.url, schema: 'current', now });
      const result = await Promise.race([opened.then(() => 'opened'), new Promise((r) => setTimeout(() => r('waited'), 3000))]);
      expect(result).toBe('opened');
      await (await opened).close();
    } finally {
      await other.end();
    }
    // The version row was not rewritten (an UPDATE gives it a new xmin).
    expect((await db.client.query<{ xmin: string }>('SELECT xmin::text FROM current.schema_version')).rows).toEqual(before.rows);
  });

  it('refuses a schema newer than this version understands, saying so', async () => {
    await db.client.query('CREATE SCHEMA newer; CREATE TABLE newer.schema_version (version INTEGER NOT NULL); INSERT INTO newer.schema_version VALUES (999)');
    await expect(PostgresTrackerStore.open({ url: db.url, schema: 'newer', now })).rejects.toThrow(/version 999, newer than this jira-sync understands/);
  });

  it('says plainly when the tracker database is unreachable, without its password', async () => {
    await expect(PostgresTrackerStore.open({ url: 'postgres://u:tr-secret-7@127.0.0.1:1/x', schema: 'jira_sync', now, redact: (s) => s.replaceAll('tr-secret-7', '***') })).rejects.toThrow(
      /cannot use the PostgreSQL tracker \(TRACKER_DATABASE_URL, schema jira_sync\)/,
    );
    // Where it tried and as whom, and what to check, as for DATABASE_URL; never the password.
    const err = (await PostgresTrackerStore.open({ url: 'postgres://u:tr-secret-7@127.0.0.1:1/x', schema: 'jira_sync', now }).then(
      () => new Error('opened'),
      (e: unknown) => e,
    )) as Error;
    expect(err.message).toContain('at 127.0.0.1:1 as "u", database "x": connection refused; check the host and port in TRACKER_DATABASE_URL and that the server is running');
    expect(err.message).not.toContain('tr-secret-7');
  });
});
