// The write-back's memory in the PostgreSQL tracker: the same tables and rules as
// sqliteWriteback.ts, in PostgreSQL. Keeping snapshots locks their rows (FOR UPDATE) inside one
// transaction, so two hosts pulling at once cannot write an older snapshot over a newer one.
import type pg from 'pg';
import { nextPullState, pullStateOf } from '../sqliteWriteback.js';
import { mergeSnapshot, type PendingWriteback, type PullRecord, type PullState, type TicketOwner, type WritebackSnapshot, type WritebackStore } from '../writeback.js';

type OwnerRow = { key: string; source_id: string; ticket_key: string };
const owner = (r: OwnerRow): TicketOwner => ({ submissionKey: r.key, sourceId: r.source_id, ticketKey: r.ticket_key });

export class PgWriteback implements WritebackStore {
  constructor(private readonly pool: pg.Pool) {}

  private async rows<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query<T>(sql, params)).rows;
  }

  private async inTransaction<T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const out = await work(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  async keepSnapshots(snapshots: WritebackSnapshot[]): Promise<number> {
    if (snapshots.length === 0) return 0;
    return this.inTransaction(async (c) => {
      const keys = snapshots.map((s) => s.submissionKey);
      const prev = await c.query<{ submission_key: string; snapshot: string }>(
        'SELECT submission_key, snapshot FROM writeback_rows WHERE submission_key = ANY($1::text[]) ORDER BY submission_key FOR UPDATE',
        [keys],
      );
      const kept = new Map(prev.rows.map((r) => [r.submission_key, JSON.parse(r.snapshot) as WritebackSnapshot]));
      let changed = 0;
      for (const next of snapshots) {
        const merged = mergeSnapshot(kept.get(next.submissionKey), next);
        if (!merged) continue;
        kept.set(merged.submissionKey, merged);
        await c.query(
          `INSERT INTO writeback_rows (submission_key, source_id, ticket_key, snapshot, jira_updated_at, version, written_version, pending)
           VALUES ($1, $2, $3, $4, $5, 1, NULL, 1)
           ON CONFLICT (submission_key) DO UPDATE SET ticket_key = excluded.ticket_key, snapshot = excluded.snapshot,
             jira_updated_at = excluded.jira_updated_at, version = writeback_rows.version + 1, pending = 1`,
          [merged.submissionKey, merged.sourceId, merged.ticketKey, JSON.stringify(merged), merged.jiraUpdatedAt],
        );
        changed++;
      }
      return changed;
    });
  }

  async pendingWriteback(limit: number): Promise<PendingWriteback[]> {
    const rows = await this.rows<{ snapshot: string; version: number }>('SELECT snapshot, version FROM writeback_rows WHERE pending = 1 ORDER BY submission_key LIMIT $1', [limit]);
    return rows.map((r) => ({ snapshot: JSON.parse(r.snapshot) as WritebackSnapshot, version: r.version }));
  }

  async markWrittenBack(done: { submissionKey: string; version: number }[]): Promise<void> {
    if (done.length === 0) return;
    await this.pool.query(
      `UPDATE writeback_rows w SET written_version = d.version, pending = CASE WHEN w.version > d.version THEN 1 ELSE 0 END
         FROM unnest($1::text[], $2::int[]) AS d(key, version)
        WHERE w.submission_key = d.key AND (w.written_version IS NULL OR w.written_version < d.version)`,
      [done.map((d) => d.submissionKey), done.map((d) => d.version)],
    );
  }

  async rewriteAll(): Promise<void> {
    await this.pool.query('UPDATE writeback_rows SET written_version = NULL, pending = 1');
  }

  async ticketOwners(ticketKeys: string[]): Promise<TicketOwner[]> {
    if (ticketKeys.length === 0) return [];
    return (await this.rows<OwnerRow>('SELECT key, source_id, ticket_key FROM submissions WHERE ticket_key = ANY($1::text[])', [ticketKeys])).map(owner);
  }

  async ticketsWithoutSnapshot(afterKey: string | null, limit: number): Promise<TicketOwner[]> {
    const rows = await this.rows<OwnerRow>(
      `SELECT s.key, s.source_id, s.ticket_key FROM submissions s
        WHERE s.ticket_key IS NOT NULL AND s.key > $1 AND NOT EXISTS (SELECT 1 FROM writeback_rows w WHERE w.submission_key = s.key)
        ORDER BY s.key LIMIT $2`,
      [afterKey ?? '', limit],
    );
    return rows.map(owner);
  }

  async ticketPage(afterKey: string | null, limit: number): Promise<TicketOwner[]> {
    const rows = await this.rows<OwnerRow>('SELECT key, source_id, ticket_key FROM submissions WHERE ticket_key IS NOT NULL AND key > $1 ORDER BY key LIMIT $2', [afterKey ?? '', limit]);
    return rows.map(owner);
  }

  async ticketProjects(): Promise<string[]> {
    const rows = await this.rows<{ p: string }>(`SELECT DISTINCT upper(split_part(ticket_key, '-', 1)) AS p FROM submissions WHERE position('-' IN ticket_key) > 1 ORDER BY 1`);
    return rows.map((r) => r.p);
  }

  async oldestSnapshotUpdate(): Promise<string | null> {
    const [r] = await this.rows<{ t: string | null }>('SELECT min(jira_updated_at) AS t FROM writeback_rows');
    return r?.t ?? null;
  }

  async pullState(): Promise<PullState> {
    const [r] = await this.rows<Parameters<typeof pullStateOf>[0] & pg.QueryResultRow>('SELECT * FROM writeback_pull WHERE id = 1');
    return pullStateOf(r);
  }

  async recordPull(r: PullRecord): Promise<void> {
    await this.inTransaction(async (c) => {
      const [prev] = (await c.query('SELECT * FROM writeback_pull WHERE id = 1 FOR UPDATE')).rows as Parameters<typeof pullStateOf>[0][];
      const n = nextPullState(pullStateOf(prev), r);
      await c.query(
        `INSERT INTO writeback_pull (id, checkpoint, last_pull_at, last_success_at, last_changed, last_error, failing_since) VALUES (1, $1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET checkpoint = excluded.checkpoint, last_pull_at = excluded.last_pull_at, last_success_at = excluded.last_success_at,
           last_changed = excluded.last_changed, last_error = excluded.last_error, failing_since = excluded.failing_since`,
        [n.checkpoint, n.last_pull_at, n.last_success_at, n.last_changed, n.last_error, n.failing_since],
      );
    });
  }
}

/** The tables above, for the PostgreSQL tracker's migration list (migrations.ts). */
export const PG_WRITEBACK_MIGRATION = `CREATE TABLE writeback_rows (
     submission_key TEXT COLLATE "C" PRIMARY KEY,
     source_id TEXT NOT NULL,
     ticket_key TEXT NOT NULL,
     snapshot TEXT NOT NULL,
     jira_updated_at TEXT COLLATE "C",
     version INTEGER NOT NULL,
     written_version INTEGER,
     pending INTEGER NOT NULL
   );
   CREATE INDEX writeback_rows_pending ON writeback_rows (pending, submission_key);
   CREATE INDEX submissions_by_ticket ON submissions (ticket_key);
   CREATE TABLE writeback_pull (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     checkpoint TEXT COLLATE "C",
     last_pull_at TEXT,
     last_success_at TEXT,
     last_changed INTEGER,
     last_error TEXT,
     failing_since TEXT
   );`;
