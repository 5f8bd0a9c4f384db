// The write-back table (WRITEBACK_TABLE) in the source database: one row per submission with its
// ticket and the ticket's current status. The only table jira-sync writes in that database; the
// source table is never written. Rows are upserted in batches, each one transaction, and a row is
// only overwritten by data at least as new (jira_updated_at) that differs, so a pull repeated
// changes nothing.
import pg from 'pg';
import { ConfigError, DependencyError } from '../../errors.js';
import type { WritebackSnapshot } from '../tracker/writeback.js';
import { connectHint, connectTarget, describePgError } from './source.js';
import { quoteIdent } from './values.js';

/** The columns, their types and whether they may be null, in table order (README gives the same DDL). */
export const WRITEBACK_COLUMNS: { name: string; type: string; notNull: boolean }[] = [
  { name: 'source_id', type: 'text', notNull: true },
  { name: 'submission_key', type: 'text', notNull: true },
  { name: 'ticket_key', type: 'text', notNull: true },
  { name: 'ticket_url', type: 'text', notNull: false },
  { name: 'portal_url', type: 'text', notNull: false },
  { name: 'status', type: 'text', notNull: false },
  { name: 'status_category', type: 'text', notNull: false },
  { name: 'resolution', type: 'text', notNull: false },
  { name: 'jira_created_at', type: 'timestamp with time zone', notNull: false },
  { name: 'jira_updated_at', type: 'timestamp with time zone', notNull: false },
  { name: 'resolved_at', type: 'timestamp with time zone', notNull: false },
  { name: 'deleted_at', type: 'timestamp with time zone', notNull: false },
  { name: 'synced_at', type: 'timestamp with time zone', notNull: true },
];

export function writebackDdl(table: string): string {
  const cols = WRITEBACK_COLUMNS.map((c) => `  ${c.name} ${c.type === 'text' ? 'text' : 'timestamptz'}${c.name === 'source_id' ? ' PRIMARY KEY' : c.notNull ? ' NOT NULL' : ''}`);
  return `CREATE TABLE IF NOT EXISTS ${quoteIdent(table)} (\n${cols.join(',\n')}\n)`;
}

/** Rows per transaction. */
export const UPSERT_BATCH = 500;

const DATA = WRITEBACK_COLUMNS.filter((c) => c.name !== 'source_id' && c.name !== 'synced_at').map((c) => c.name);

export interface TableCheck {
  exists: boolean;
  /** Column name -> its type, as the catalogue says. */
  columns: Map<string, string>;
  canWrite: boolean;
  /** When the table is missing: whether its schema exists and this user may create tables in it. */
  canCreate: boolean;
  schemaExists: boolean;
}

export class WritebackTable {
  private constructor(
    private readonly client: pg.Client,
    readonly table: string,
  ) {}

  static async connect(databaseUrl: string, table: string): Promise<WritebackTable> {
    const client = new pg.Client({ connectionString: databaseUrl, options: '-c TimeZone=UTC', connectionTimeoutMillis: 10_000, application_name: 'jira-sync writeback' });
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (err) {
      throw new DependencyError('PostgreSQL', `cannot connect to ${connectTarget(client)} to write the write-back table ${table} (${describePgError(err)}); ${connectHint(err)}`);
    }
    return new WritebackTable(client, table);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  private async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<T>> {
    try {
      return await this.client.query<T>(sql, params);
    } catch (err) {
      throw new DependencyError('PostgreSQL', `write-back table ${this.table}: ${describePgError(err)}`);
    }
  }

  /** Creates the table if it is missing (its schema must exist). Checked first, so a table a DBA
   *  made needs no CREATE privilege on the schema. Returns true when it created the table. */
  async ensure(): Promise<boolean> {
    const [r] = (await this.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [quoteIdent(this.table)])).rows;
    if (r?.ok) return false;
    const schema = this.table.includes('.') ? this.table.split('.')[0] : null;
    if (schema) {
      const [s] = (await this.query<{ ok: boolean }>('SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS ok', [schema])).rows;
      // A setting that names nothing, as a missing SOURCE_TABLE is: exit 2, and doctor's FAIL is the same kind.
      if (!s?.ok) throw new ConfigError([`schema "${schema}" of WRITEBACK_TABLE ${this.table} does not exist; create it (README: Write-back) or name another schema`]);
    }
    try {
      await this.client.query(writebackDdl(this.table));
    } catch (err) {
      // No CREATE on the schema: say the two ways out, not only PostgreSQL's words.
      const fix = (err as { code?: string }).code === '42501' ? `; have a DBA create it with the DDL and GRANTs in the README (Write-back), or GRANT CREATE ON SCHEMA ${schema ?? 'public'} to this user` : '';
      throw new DependencyError('PostgreSQL', `cannot create WRITEBACK_TABLE ${this.table} (${describePgError(err)})${fix}`);
    }
    return true;
  }

  /** What doctor checks: the table, its columns, and that we may read and write it. */
  async check(): Promise<TableCheck> {
    const [r] = (await this.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [quoteIdent(this.table)])).rows;
    if (!r?.ok) {
      const schema = this.table.includes('.') ? (this.table.split('.')[0] as string) : null;
      const [c] = (
        await this.query<{ exists: boolean; create: boolean }>(
          `SELECT n.oid IS NOT NULL AS exists, coalesce(has_schema_privilege(n.oid, 'CREATE'), false) AS create
             FROM (SELECT coalesce($1, current_schema()) AS name) s LEFT JOIN pg_namespace n ON n.nspname = s.name`,
          [schema],
        )
      ).rows;
      return { exists: false, columns: new Map(), canWrite: false, schemaExists: c?.exists === true, canCreate: c?.create === true };
    }
    const cols = await this.query<{ name: string; type: string }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
        WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [quoteIdent(this.table)],
    );
    const [p] = (await this.query<{ ok: boolean }>(`SELECT has_table_privilege(to_regclass($1), 'SELECT, INSERT, UPDATE') AS ok`, [quoteIdent(this.table)])).rows;
    return { exists: true, columns: new Map(cols.rows.map((c) => [c.name, c.type])), canWrite: p?.ok === true, schemaExists: true, canCreate: false };
  }

  /** Writes the snapshots, UPSERT_BATCH a transaction; returns how many rows changed. `onBatch`
   *  runs after each batch commits (the tracker then marks it written). */
  async upsert(snapshots: WritebackSnapshot[], syncedAt: Date, onBatch?: (written: WritebackSnapshot[]) => Promise<void>): Promise<number> {
    let changed = 0;
    for (let i = 0; i < snapshots.length; i += UPSERT_BATCH) {
      const batch = snapshots.slice(i, i + UPSERT_BATCH);
      // One statement may not touch a row twice: of two snapshots for one source row, the last is written.
      const once = [...new Map(batch.map((b) => [b.sourceId, b])).values()];
      await this.query('BEGIN');
      try {
        changed += (await this.query(upsertSql(this.table), upsertParams(once, syncedAt))).rowCount ?? 0;
        await this.query('COMMIT');
      } catch (err) {
        await this.client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
      await onBatch?.(batch);
    }
    return changed;
  }
}

function upsertSql(table: string): string {
  const t = quoteIdent(table);
  const types = ['text', ...DATA.map((c) => (c.endsWith('_at') ? 'timestamptz' : 'text'))];
  const unnest = types.map((ty, i) => `$${i + 1}::${ty}[]`).join(', ');
  const all = ['source_id', ...DATA];
  return `INSERT INTO ${t} AS w (${all.join(', ')}, synced_at)
    SELECT *, $${all.length + 1}::timestamptz FROM unnest(${unnest})
    ON CONFLICT (source_id) DO UPDATE SET ${[...DATA, 'synced_at'].map((c) => `${c} = excluded.${c}`).join(', ')}
    WHERE (w.jira_updated_at IS NULL OR excluded.jira_updated_at >= w.jira_updated_at)
      AND (${DATA.map((c) => `w.${c}`).join(', ')}) IS DISTINCT FROM (${DATA.map((c) => `excluded.${c}`).join(', ')})`;
}

function upsertParams(batch: WritebackSnapshot[], syncedAt: Date): unknown[] {
  const pick: Record<string, (s: WritebackSnapshot) => string | null> = {
    submission_key: (s) => s.submissionKey,
    ticket_key: (s) => s.ticketKey,
    ticket_url: (s) => s.ticketUrl,
    portal_url: (s) => s.portalUrl,
    status: (s) => s.status,
    status_category: (s) => s.statusCategory,
    resolution: (s) => s.resolution,
    jira_created_at: (s) => s.jiraCreatedAt,
    jira_updated_at: (s) => s.jiraUpdatedAt,
    resolved_at: (s) => s.resolvedAt,
    deleted_at: (s) => s.deletedAt,
  };
  return [batch.map((s) => s.sourceId), ...DATA.map((c) => batch.map((s) => (pick[c] as (s: WritebackSnapshot) => string | null)(s))), syncedAt.toISOString()];
}
