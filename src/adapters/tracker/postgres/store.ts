// The PostgreSQL tracker (TRACKER_DATABASE_URL): the TrackerStore interface on a schema of its
// own (TRACKER_SCHEMA), so the tracker survives the loss of any one host and runs on several
// hosts share it. The submissions' state machine is in submissions.ts; runs, audits, alert
// incidents, re-queueing and status are here. There is no file, so no file backup: a
// point-in-time restore of the database is the backup (README, "Several hosts").
import os from 'node:os';
import pg from 'pg';
import type { Counts } from '../../../counts.js';
import { DependencyError, errorMessage } from '../../../errors.js';
import { connectFailure } from '../../postgres/source.js';
import type { AuditRecord } from '../audits.js';
import type { Incident } from '../incidents.js';
import { named, resolveSelectorsWith, type Found, type NamedSubmission } from '../requeue.js';
import { pidAlive, type RunRecord } from '../runs.js';
import type { ProblemSubmission } from '../status.js';
import type { TrackerStore } from '../store.js';
import { SUBMISSION_STATES, type SubmissionState } from '../submission.js';
import { migrate, quoteSchema, schemaVersion } from './migrations.js';
import { PgSubmissions } from './submissions.js';
import { PgWriteback } from './writeback.js';
import type { WritebackStore } from '../writeback.js';

export interface PgTrackerOptions {
  url: string;
  schema: string;
  now: () => Date;
  redact?: (s: string) => string;
}

export class PostgresTrackerStore extends PgSubmissions implements TrackerStore {
  readonly describe: string;
  readonly writeback: WritebackStore;

  private constructor(pool: pg.Pool, now: () => Date, redact: (s: string) => string, readonly schema: string) {
    super(pool, now, redact);
    this.writeback = new PgWriteback(pool);
    this.describe = `PostgreSQL tracker in schema ${schema}`;
  }

  /** Connects, creates or migrates the schema (safe when hosts race), and returns the store. */
  static async open(opts: PgTrackerOptions): Promise<PostgresTrackerStore> {
    return (await PostgresTrackerStore.connect(opts, 'migrate')) as PostgresTrackerStore;
  }

  /** The store if a run has created its schema, else null; writes nothing (status, dry runs).
   *  A schema at an older version is read as it is, as a read-only SQLite tracker is: the next
   *  run migrates it. */
  static async openExisting(opts: PgTrackerOptions): Promise<PostgresTrackerStore | null> {
    return PostgresTrackerStore.connect(opts, 'read');
  }

  private static async connect(opts: PgTrackerOptions, mode: 'migrate' | 'read'): Promise<PostgresTrackerStore | null> {
    const pool = new pg.Pool({ connectionString: opts.url, max: 8, options: `-c search_path=${quoteSchema(opts.schema)}` });
    // An idle connection that dies (server restart) must not crash the process; the next query reports it.
    pool.on('error', () => undefined);
    let created = true;
    try {
      const client = await pool.connect();
      try {
        if (mode === 'migrate') await migrate(client, opts.schema);
        else created = (await schemaVersion(client, opts.schema)) !== null;
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end().catch(() => undefined);
      if (err instanceof DependencyError) throw err;
      const why = connectFailure(err, opts.url, 'TRACKER_DATABASE_URL');
      throw new DependencyError('tracker', `cannot use the PostgreSQL tracker (TRACKER_DATABASE_URL, schema ${opts.schema})${opts.redact ? opts.redact(why) : why}`);
    }
    if (!created) {
      await pool.end();
      return null;
    }
    return new PostgresTrackerStore(pool, opts.now, opts.redact ?? ((s) => s), opts.schema);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  async loadOpenIncidents(): Promise<Incident[]> {
    const rows = await this.rows<{ fingerprint: string; title: string | null; detail: string | null; first_seen: string | null; last_seen: string | null; runs: number | null; alerted_at: string | null }>(
      'SELECT * FROM alert_incidents ORDER BY first_seen, fingerprint',
    );
    return rows.map((r) => ({
      fingerprint: r.fingerprint, title: r.title ?? r.fingerprint, detail: r.detail ?? '', firstSeen: r.first_seen ?? new Date(0).toISOString(),
      lastSeen: r.last_seen ?? r.first_seen ?? new Date(0).toISOString(), runs: r.runs ?? 1, alertedAt: r.alerted_at,
    }));
  }

  async saveIncidentPlan(plan: { upsert: Incident[]; close: Incident[] }): Promise<void> {
    await this.inTransaction(async (c) => {
      for (const i of plan.upsert) {
        await c.query(
          `INSERT INTO alert_incidents (fingerprint, title, detail, first_seen, last_seen, runs, alerted_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (fingerprint) DO UPDATE SET title = excluded.title, detail = excluded.detail, last_seen = excluded.last_seen,
             runs = excluded.runs, alerted_at = excluded.alerted_at`,
          [i.fingerprint, i.title, i.detail, i.firstSeen, i.lastSeen, i.runs, i.alertedAt],
        );
      }
      for (const i of plan.close) await c.query('DELETE FROM alert_incidents WHERE fingerprint = $1', [i.fingerprint]);
    });
  }

  async markAlerted(fingerprints: string[], at: Date): Promise<void> {
    await this.pool.query('UPDATE alert_incidents SET alerted_at = $1 WHERE fingerprint = ANY($2::text[]) AND alerted_at IS NULL', [at.toISOString(), fingerprints]);
  }

  async unresolvedSubmissions(): Promise<{ failed: number; parked: number }> {
    const rows = await this.rows<{ state: string; n: number }>(`SELECT state, count(*)::int AS n FROM submissions WHERE state IN ('failed', 'parked') GROUP BY state`);
    const n = (state: string) => rows.find((r) => r.state === state)?.n ?? 0;
    return { failed: n('failed'), parked: n('parked') };
  }

  async parkedKeys(keys: string[]): Promise<Set<string>> {
    const rows = await this.rows<{ key: string }>(`SELECT key FROM submissions WHERE key = ANY($1::text[]) AND state = 'parked'`, [keys]);
    return new Set(rows.map((r) => r.key));
  }

  async resolveSelectors(selectors: string[]): Promise<{ found: NamedSubmission[]; problems: string[] }> {
    const cols = 's.key, s.source_id, s.state, s.ticket_key';
    return resolveSelectorsWith(
      {
        bySourceId: async (id) => (await this.rows<Found>(`SELECT ${cols} FROM source_rows r JOIN submissions s ON s.key = r.key WHERE r.source_id = $1`, [id]))[0],
        byPrefix: (lo, hi) => this.rows<Found>(`SELECT ${cols} FROM submissions s WHERE s.key >= $1 AND s.key < $2 ORDER BY s.key LIMIT 6`, [lo, hi]),
      },
      selectors,
    );
  }

  async requeue(keys: string[] | 'all', now: Date): Promise<NamedSubmission[]> {
    const filter = keys === 'all' ? '' : 'AND key = ANY($2::text[])';
    // One statement: the rows are locked, re-queued and returned with the state they had before.
    const rows = await this.rows<Found>(
      `WITH before AS (SELECT key, state FROM submissions WHERE state IN ('failed','parked') ${filter} FOR UPDATE)
       UPDATE submissions s SET state = 'failed', attempts = 0, next_attempt_at = NULL, last_outcome = 'requeued', updated_at = $1
         FROM before WHERE s.key = before.key AND s.state IN ('failed','parked')
       RETURNING s.key, s.source_id, before.state, s.ticket_key, s.source_ts`,
      keys === 'all' ? [now.toISOString()] : [now.toISOString(), keys],
    );
    const order = keys === 'all' ? null : new Map(keys.map((k, i) => [k, i]));
    const sorted = [...(rows as (Found & { source_ts: string })[])].sort((a, b) =>
      order ? (order.get(a.key) ?? 0) - (order.get(b.key) ?? 0) : a.source_ts < b.source_ts ? -1 : a.source_ts > b.source_ts ? 1 : a.source_id.length - b.source_id.length || (a.source_id < b.source_id ? -1 : 1),
    );
    return sorted.map(named);
  }

  /** A run's first write: a user short of a privilege (set up by hand) is told so here, in one line. */
  async startRun(runId: string, at: Date): Promise<void> {
    try {
      await this.pool.query('INSERT INTO runs (run_id, started_at, pid, host) VALUES ($1, $2, $3, $4)', [runId, at.toISOString(), process.pid, os.hostname()]);
    } catch (err) {
      if ((err as { code?: string }).code !== '42501') throw err;
      throw new DependencyError('tracker', `the PostgreSQL tracker (TRACKER_DATABASE_URL, schema ${this.schema}) refuses this user: ${errorMessage(err)}; \`jira-sync doctor\` names the privileges a run needs`);
    }
  }

  async isRunAlive(runId: string | null, now: Date): Promise<boolean> {
    if (!runId) return false;
    const [r] = await this.rows<{ ended_at: string | null; pid: number | null; host: string | null; started_at: string }>('SELECT ended_at, pid, host, started_at FROM runs WHERE run_id = $1', [runId]);
    if (!r || r.ended_at) return false;
    if (r.host === os.hostname() && r.pid) return pidAlive(r.pid);
    return now.getTime() - Date.parse(r.started_at) < 6 * 3_600_000;
  }

  async recordRunProgress(runId: string, counts: Counts): Promise<void> {
    // GREATEST: counts only grow during a run, and markDone may have counted a submission this call has not seen.
    await this.pool.query('UPDATE runs SET created = GREATEST(created, $1), skipped = GREATEST(skipped, $2), failed = GREATEST(failed, $3), parked = GREATEST(parked, $4) WHERE run_id = $5 AND ended_at IS NULL', [counts.created, counts.skipped, counts.failed, counts.parked, runId]);
  }

  async finishRun(runId: string, at: Date, counts: Counts, exitCode: number, note: string | null): Promise<void> {
    await this.pool.query('UPDATE runs SET ended_at = $1, created = $2, skipped = $3, failed = $4, parked = $5, exit_code = $6, note = $7 WHERE run_id = $8', [
      at.toISOString(), counts.created, counts.skipped, counts.failed, counts.parked, exitCode, note, runId,
    ]);
  }

  async recentRuns(limit: number): Promise<RunRecord[]> {
    const rows = await this.rows<{ run_id: string; started_at: string; ended_at: string | null; created: number; skipped: number; failed: number; parked: number; exit_code: number | null; note: string | null }>(
      'SELECT * FROM runs ORDER BY started_at DESC, seq DESC LIMIT $1',
      [limit],
    );
    return rows.map((r) => ({
      runId: r.run_id, startedAt: r.started_at, endedAt: r.ended_at, created: r.created, skipped: r.skipped,
      failed: r.failed, parked: r.parked, exitCode: r.exit_code, note: r.note,
    }));
  }

  async recordAudit(a: AuditRecord): Promise<void> {
    await this.pool.query(
      'INSERT INTO audits (run_id, started_at, ended_at, trigger, scanned, missing, registered, missing_ids) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [a.runId, a.startedAt, a.endedAt, a.trigger, a.scanned, a.missing, a.registered, JSON.stringify(a.missingIds.slice(0, 100))],
    );
  }

  async lastAudit(): Promise<AuditRecord | null> {
    const [r] = await this.rows<{ run_id: string; started_at: string; ended_at: string; trigger: 'command' | 'daily'; scanned: number; missing: number; registered: number; missing_ids: string }>(
      'SELECT * FROM audits ORDER BY ended_at DESC, id DESC LIMIT 1',
    );
    if (!r) return null;
    return {
      runId: r.run_id, startedAt: r.started_at, endedAt: r.ended_at, trigger: r.trigger, scanned: r.scanned, missing: r.missing,
      registered: r.registered, missingIds: JSON.parse(r.missing_ids) as string[],
    };
  }

  async auditDue(now: Date): Promise<boolean> {
    const last = await this.lastAudit();
    return last === null || last.endedAt.slice(0, 10) !== now.toISOString().slice(0, 10);
  }

  async countsByState(): Promise<Record<SubmissionState, number>> {
    const counts = Object.fromEntries(SUBMISSION_STATES.map((s) => [s, 0])) as Record<SubmissionState, number>;
    for (const r of await this.rows<{ state: SubmissionState; n: number }>('SELECT state, count(*)::int AS n FROM submissions GROUP BY state')) counts[r.state] = r.n;
    return counts;
  }

  async problemSubmissions(): Promise<ProblemSubmission[]> {
    const rows = await this.rows<{
      key: string; source_id: string; state: SubmissionState; ticket_key: string | null; attempts: number; last_outcome: string | null;
      last_error: string | null; next_attempt_at: string | null; needs_review: number; review_note: string | null; updated_at: string;
    }>(
      `SELECT key, source_id, state, ticket_key, attempts, last_outcome, last_error, next_attempt_at, needs_review, review_note, updated_at
         FROM submissions
        WHERE state IN ('failed','parked','creating','created','attached') OR needs_review = 1
        ORDER BY state = 'parked' DESC, needs_review DESC, source_ts, source_id`,
    );
    return rows.map((r) => ({
      key: r.key, sourceId: r.source_id, state: r.state, ticketKey: r.ticket_key, attempts: r.attempts, lastOutcome: r.last_outcome,
      lastError: r.last_error, nextAttemptAt: r.next_attempt_at, needsReview: r.needs_review === 1, reviewNote: r.review_note, updatedAt: r.updated_at,
    }));
  }

  async cursorPosition(): Promise<{ sourceTs: string; sourceId: string; updatedAt: string } | null> {
    const [r] = await this.rows<{ source_ts: string; source_id: string; updated_at: string }>('SELECT source_ts, source_id, updated_at FROM cursor WHERE id = 1');
    return r ? { sourceTs: r.source_ts, sourceId: r.source_id, updatedAt: r.updated_at } : null;
  }

  /** No file to copy: the database's own backups (point-in-time restore) cover the tracker. */
  async backupIfDue(): Promise<string | null> {
    return null;
  }

  private async inTransaction(work: (c: pg.PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}
