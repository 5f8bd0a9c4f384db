// The source table as PostgresSource reads it, against a real PostgreSQL: its columns in table
// order, whether the (timestamp, id) index the fetch needs exists, a table that is not there,
// the newest row (map-fields' sample), the positions of given rows, and the errors a person
// reads when the server cannot be reached or a query fails: where we tried, and what to check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DependencyError } from '../../src/errors.js';
import { PostgresSource } from '../../src/adapters/postgres/source.js';
import { createTestDatabase, insertSubmissions, sampleSubmission, SUBMISSIONS_DDL, type TestDatabase } from '../support/db.js';

const OPTS = { table: 'webform_submissions', idColumn: 'id', timestampColumn: 'created_at' };
let db: TestDatabase;
let source: PostgresSource;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.client.query(SUBMISSIONS_DDL);
  await db.client.query('CREATE TABLE no_index (id int PRIMARY KEY, created_at timestamptz, note text); CREATE INDEX no_index_wrong ON no_index (id, created_at); CREATE INDEX no_index_ts_first ON no_index (created_at, note); CREATE INDEX no_index_id_second ON no_index (note, id)');
  await db.client.query('CREATE TABLE empty_shape ()');
  await insertSubmissions(db.client, [sampleSubmission(0), sampleSubmission(1), sampleSubmission(2)]);
  source = await PostgresSource.connect(db.url, OPTS);
});
afterAll(async () => {
  await source?.close();
  await db?.drop();
});

const other = (table: string) => PostgresSource.connect(db.url, { ...OPTS, table });

describe('PostgresSource', () => {
  it('describes the columns in table order, and knows a missing table from one without columns', async () => {
    const columns = await source.describeTable();
    expect(columns?.map((c) => [c.name, c.pgType, c.kind])).toEqual([
      ['id', 'bigint', 'number'], ['created_at', 'timestamp with time zone', 'timestamp'], ['email_address', 'text', 'text'],
      ['department_name', 'text', 'text'], ['new_user_name', 'text', 'text'], ['equipment', 'text', 'text'],
      ['needed_by', 'date', 'date'], ['quantity', 'integer', 'number'], ['notes', 'text', 'text'],
    ]);
    const missing = await other('no_such_table');
    const shapeless = await other('empty_shape');
    try {
      expect(await missing.describeTable()).toBeNull();
      expect(await shapeless.describeTable()).toEqual([]);
    } finally {
      await missing.close();
      await shapeless.close();
    }
  });

  it('finds the (timestamp, id) index, and not (id, timestamp), (timestamp, other) or (other, id)', async () => {
    expect(await source.hasKeysetIndex()).toBe(true);
    const wrong = await other('no_index');
    try {
      expect(await wrong.hasKeysetIndex()).toBe(false);
    } finally {
      await wrong.close();
    }
  });

  it('reads the newest row, and the positions of the rows still there', async () => {
    const columns = (await source.describeTable())!;
    expect(await source.newestRow(columns)).toMatchObject({ id: '3', email_address: 'person2@example.com' });
    expect(await source.positionsOf([])).toEqual([]);
    const positions = await source.positionsOf(['3', '1', '99']);
    expect(positions.sort((a, b) => a.sourceId.localeCompare(b.sourceId))).toEqual([
      { sourceId: '1', sourceTs: '2026-11-02T08:00:00.000000Z' },
      { sourceId: '3', sourceTs: '2026-11-02T08:02:00.000000Z' },
    ]);
    expect(await source.fetchRows([], columns)).toEqual([]);
  });

  it('marks a row dated past the ceiling as ahead, and no other', async () => {
    const page = await source.scanPositions({ ceiling: '2026-11-02T08:01:00.000000Z' }, 10);
    expect(page).toEqual([
      { sourceId: '1', sourceTs: '2026-11-02T08:00:00.000000Z' },
      { sourceId: '2', sourceTs: '2026-11-02T08:01:00.000000Z' },
      { sourceId: '3', sourceTs: '2026-11-02T08:02:00.000000Z', ahead: true },
    ]);
  });

  it('gives an empty audit page past the last row', async () => {
    expect(await source.auditPage({ after: { sourceId: '3', sourceTs: '2026-11-02T08:02:00.000000Z' } }, 10)).toEqual({ count: 0, idsJson: '[]', last: null });
  });

  it('says plainly that a query failed, with the server\'s words and code', async () => {
    const gone = await other('no_such_table');
    try {
      await expect(gone.scanPositions({}, 10)).rejects.toThrow(new DependencyError('PostgreSQL', 'query failed: relation "no_such_table" does not exist [42P01]'));
    } finally {
      await gone.close();
    }
  });

  it('names the server, the user and the database it could not connect to, and what to check', async () => {
    const u = new URL(db.url);
    const refused = new URL(db.url);
    refused.port = '1';
    await expect(PostgresSource.connect(refused.toString(), OPTS)).rejects.toThrow(
      `cannot connect to ${u.hostname}:1 as "${u.username}", database "${u.pathname.slice(1)}" (connection refused); check the host and port in DATABASE_URL and that the server is running`,
    );
    const noDb = new URL(db.url);
    noDb.pathname = '/jira_sync_no_such_database';
    await expect(PostgresSource.connect(noDb.toString(), OPTS)).rejects.toThrow(
      `database "jira_sync_no_such_database" does not exist); check the database name in DATABASE_URL`,
    );
    const noRole = new URL(db.url);
    noRole.username = 'jira_sync_no_such_role';
    await expect(PostgresSource.connect(noRole.toString(), OPTS)).rejects.toThrow(
      `as "jira_sync_no_such_role", database "${u.pathname.slice(1)}" (role "jira_sync_no_such_role" does not exist); check the user name in DATABASE_URL (or create that role in PostgreSQL)`,
    );
  });
});
