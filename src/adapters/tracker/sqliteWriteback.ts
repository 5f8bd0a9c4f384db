// The write-back's memory in the SQLite tracker (tables writeback_rows and writeback_pull, made
// by the tracker's migrations): snapshots kept and which are written, and the pull's checkpoint.
// Each call is one transaction; what replaces what is decided by mergeSnapshot (writeback.ts).
import type Database from 'better-sqlite3';
import { laterOf, mergeSnapshot, type PendingWriteback, type PullRecord, type PullState, type TicketOwner, type WritebackSnapshot, type WritebackStore } from './writeback.js';

type OwnerRow = { key: string; source_id: string; ticket_key: string };
const owner = (r: OwnerRow): TicketOwner => ({ submissionKey: r.key, sourceId: r.source_id, ticketKey: r.ticket_key });

type PullRow = { checkpoint: string | null; last_pull_at: string | null; last_success_at: string | null; last_changed: number | null; last_error: string | null; failing_since: string | null };

export function pullStateOf(r: PullRow | undefined): PullState {
  return {
    checkpoint: r?.checkpoint ?? null,
    lastPullAt: r?.last_pull_at ?? null,
    lastSuccessAt: r?.last_success_at ?? null,
    lastChanged: r?.last_changed ?? null,
    lastError: r?.last_error ?? null,
    failingSince: r?.failing_since ?? null,
  };
}

/** The pull's record after `r`, given the one before: checkpoint forward only, failingSince from the first failure. */
export function nextPullState(prev: PullState, r: PullRecord): PullRow {
  const at = r.at.toISOString();
  return {
    checkpoint: laterOf(prev.checkpoint, r.checkpoint),
    last_pull_at: at,
    last_success_at: r.ok ? at : prev.lastSuccessAt,
    last_changed: r.changed,
    last_error: r.ok ? null : r.error,
    failing_since: r.ok ? null : (prev.failingSince ?? at),
  };
}

export class SqliteWriteback implements WritebackStore {
  constructor(private readonly db: Database.Database) {}

  async keepSnapshots(snapshots: WritebackSnapshot[]): Promise<number> {
    if (snapshots.length === 0) return 0;
    const read = this.db.prepare('SELECT snapshot FROM writeback_rows WHERE submission_key = ?').pluck();
    const write = this.db.prepare(
      `INSERT INTO writeback_rows (submission_key, source_id, ticket_key, snapshot, jira_updated_at, version, written_version, pending)
       VALUES (@key, @sourceId, @ticketKey, @snapshot, @updated, 1, NULL, 1)
       ON CONFLICT (submission_key) DO UPDATE SET ticket_key = excluded.ticket_key, snapshot = excluded.snapshot,
         jira_updated_at = excluded.jira_updated_at, version = version + 1, pending = 1`,
    );
    return this.db.transaction(() => {
      let changed = 0;
      for (const next of snapshots) {
        const prevText = read.get(next.submissionKey) as string | undefined;
        const merged = mergeSnapshot(prevText === undefined ? undefined : (JSON.parse(prevText) as WritebackSnapshot), next);
        if (!merged) continue;
        write.run({ key: merged.submissionKey, sourceId: merged.sourceId, ticketKey: merged.ticketKey, snapshot: JSON.stringify(merged), updated: merged.jiraUpdatedAt });
        changed++;
      }
      return changed;
    }).immediate();
  }

  async pendingWriteback(limit: number): Promise<PendingWriteback[]> {
    const rows = this.db.prepare('SELECT snapshot, version FROM writeback_rows WHERE pending = 1 ORDER BY submission_key LIMIT ?').all(limit) as { snapshot: string; version: number }[];
    return rows.map((r) => ({ snapshot: JSON.parse(r.snapshot) as WritebackSnapshot, version: r.version }));
  }

  async markWrittenBack(done: { submissionKey: string; version: number }[]): Promise<void> {
    const mark = this.db.prepare(
      'UPDATE writeback_rows SET written_version = @version, pending = CASE WHEN version > @version THEN 1 ELSE 0 END WHERE submission_key = @key AND (written_version IS NULL OR written_version < @version)',
    );
    this.db.transaction(() => {
      for (const d of done) mark.run({ key: d.submissionKey, version: d.version });
    })();
  }

  async rewriteAll(): Promise<void> {
    this.db.prepare('UPDATE writeback_rows SET written_version = NULL, pending = 1').run();
  }

  async ticketOwners(ticketKeys: string[]): Promise<TicketOwner[]> {
    if (ticketKeys.length === 0) return [];
    const rows = this.db
      .prepare('SELECT key, source_id, ticket_key FROM submissions WHERE ticket_key IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(ticketKeys)) as OwnerRow[];
    return rows.map(owner);
  }

  async ticketsWithoutSnapshot(afterKey: string | null, limit: number): Promise<TicketOwner[]> {
    const rows = this.db
      .prepare(
        `SELECT s.key, s.source_id, s.ticket_key FROM submissions s
          WHERE s.ticket_key IS NOT NULL AND s.key > ? AND NOT EXISTS (SELECT 1 FROM writeback_rows w WHERE w.submission_key = s.key)
          ORDER BY s.key LIMIT ?`,
      )
      .all(afterKey ?? '', limit) as OwnerRow[];
    return rows.map(owner);
  }

  async ticketPage(afterKey: string | null, limit: number): Promise<TicketOwner[]> {
    const rows = this.db
      .prepare('SELECT key, source_id, ticket_key FROM submissions WHERE ticket_key IS NOT NULL AND key > ? ORDER BY key LIMIT ?')
      .all(afterKey ?? '', limit) as OwnerRow[];
    return rows.map(owner);
  }

  async ticketProjects(): Promise<string[]> {
    return this.db
      .prepare(`SELECT DISTINCT upper(substr(ticket_key, 1, instr(ticket_key, '-') - 1)) FROM submissions WHERE instr(ticket_key, '-') > 1 ORDER BY 1`)
      .pluck()
      .all() as string[];
  }

  async oldestSnapshotUpdate(): Promise<string | null> {
    return (this.db.prepare('SELECT min(jira_updated_at) FROM writeback_rows').pluck().get() as string | null) ?? null;
  }

  async pullState(): Promise<PullState> {
    return pullStateOf(this.db.prepare('SELECT * FROM writeback_pull WHERE id = 1').get() as PullRow | undefined);
  }

  async recordPull(r: PullRecord): Promise<void> {
    this.db.transaction(() => {
      const next = nextPullState(pullStateOf(this.db.prepare('SELECT * FROM writeback_pull WHERE id = 1').get() as PullRow | undefined), r);
      this.db
        .prepare(
          `INSERT INTO writeback_pull (id, checkpoint, last_pull_at, last_success_at, last_changed, last_error, failing_since)
           VALUES (1, @checkpoint, @last_pull_at, @last_success_at, @last_changed, @last_error, @failing_since)
           ON CONFLICT (id) DO UPDATE SET checkpoint = excluded.checkpoint, last_pull_at = excluded.last_pull_at, last_success_at = excluded.last_success_at,
             last_changed = excluded.last_changed, last_error = excluded.last_error, failing_since = excluded.failing_since`,
        )
        .run(next);
    }).immediate();
  }
}

/** The tables above, for the tracker's migration list (schema.ts). */
export const SQLITE_WRITEBACK_MIGRATION = `CREATE TABLE IF NOT EXISTS writeback_rows (
     submission_key TEXT PRIMARY KEY,
     source_id TEXT NOT NULL,
     ticket_key TEXT NOT NULL,
     snapshot TEXT NOT NULL,
     jira_updated_at TEXT,
     version INTEGER NOT NULL,
     written_version INTEGER,
     pending INTEGER NOT NULL
   );
   CREATE INDEX IF NOT EXISTS writeback_rows_pending ON writeback_rows (pending, submission_key);
   CREATE INDEX IF NOT EXISTS submissions_by_ticket ON submissions (ticket_key);
   CREATE TABLE IF NOT EXISTS writeback_pull (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     checkpoint TEXT,
     last_pull_at TEXT,
     last_success_at TEXT,
     last_changed INTEGER,
     last_error TEXT,
     failing_since TEXT
   );`;
