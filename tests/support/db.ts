// A fresh database per test file, on the server globalSetup found, and the submissions table
// the project's examples use.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export interface TestDatabase {
  url: string;
  client: pg.Client;
  drop(): Promise<void>;
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = inject('adminDatabaseUrl');
  const name = `jira_sync_test_${randomBytes(6).toString('hex')}`;
  const a = new pg.Client({ connectionString: admin });
  await a.connect();
  await a.query(`CREATE DATABASE ${name}`);
  await a.end();
  const url = withDatabase(admin, name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    url,
    client,
    async drop() {
      await client.end().catch(() => undefined);
      const b = new pg.Client({ connectionString: admin });
      await b.connect();
      await b.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await b.end();
    },
  };
}

export { SUBMISSIONS_DDL } from './schema.js';

export interface SubmissionInput {
  id?: number;
  created_at?: string;
  email_address?: string;
  department_name?: string | null;
  new_user_name?: string | null;
  equipment?: string | null;
  needed_by?: string | null;
  quantity?: number | null;
  notes?: string | null;
}

export function sampleSubmission(i: number, over: SubmissionInput = {}): SubmissionInput {
  const equipment = ['Mobile phone', 'Handset speaker phone; Mobile phone', 'Headset', 'Desk phone'][i % 4];
  return {
    created_at: new Date(Date.UTC(2026, 10, 2, 8, 0, 0) + i * 60_000).toISOString(),
    email_address: `person${i}@example.com`,
    department_name: ['Finance', 'Sales', 'Support', 'Warehouse'][i % 4],
    new_user_name: `New User ${i}`,
    equipment,
    needed_by: '2026-12-01',
    quantity: 1 + (i % 3),
    notes: i % 5 === 0 ? null : `Request number ${i}`,
    ...over,
  };
}

export async function insertSubmissions(client: pg.Client, rows: SubmissionInput[]): Promise<number[]> {
  const ids: number[] = [];
  for (const r of rows) {
    const cols = Object.keys(r);
    const res = await client.query<{ id: string }>(
      `INSERT INTO webform_submissions (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
      cols.map((c) => (r as Record<string, unknown>)[c]),
    );
    ids.push(Number(res.rows[0]?.id));
  }
  return ids;
}
