// The PostgreSQL tracker's submissions: the same state machine as sqliteSubmissions.ts, in
// SQL PostgreSQL runs. Each transition is one UPDATE … WHERE state = … in autocommit, so it is
// its own committed transaction and conditional on the state it leaves: of two runs (on any
// hosts) moving the same submission, exactly one gets a row back. Times are ISO text, as in
// SQLite, so both stores compare and order them the same way.
import type pg from 'pg';
import type { Row } from '../../postgres/values.js';
import type { RowPosition } from '../../postgres/source.js';
import { scheduleFailure, scheduleSearchFailure, type Scheduled } from '../retrySchedule.js';
import { cursorMovesTo } from '../../postgres/order.js';
import type { DuePosition, Registration, RetryOptions } from '../store.js';
import { fromDb, type DbRow, type SubmissionState, type TrackedSubmission } from '../submission.js';

export class PgSubmissions {
  constructor(
    protected readonly pool: pg.Pool,
    protected readonly now: () => Date,
    protected readonly redact: (s: string) => string = (s) => s,
  ) {}

  protected iso(): string {
    return this.now().toISOString();
  }

  protected async rows<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query<T>(sql, params)).rows;
  }

  /** Runs one conditional UPDATE; true when it moved the submission. */
  protected async changed(sql: string, params: unknown[]): Promise<boolean> {
    return (await this.pool.query(sql, params)).rowCount === 1;
  }

  async get(key: string): Promise<TrackedSubmission | undefined> {
    const [r] = await this.rows<DbRow>('SELECT * FROM submissions WHERE key = $1', [key]);
    return r && fromDb(r);
  }

  async findBySourceId(sourceId: string): Promise<TrackedSubmission | undefined> {
    const [r] = await this.rows<DbRow>('SELECT s.* FROM submissions s JOIN source_rows r ON r.key = s.key WHERE r.source_id = $1', [sourceId]);
    return r && fromDb(r);
  }

  async seenSourceIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.rows<{ source_id: string }>('SELECT source_id FROM source_rows WHERE source_id = ANY($1::text[])', [ids]);
    return new Set(rows.map((r) => r.source_id));
  }

  async unseenSourceIds(idsJson: string): Promise<string[]> {
    const rows = await this.rows<{ v: string }>(
      `SELECT j.v FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY AS j(v, n)
        WHERE NOT EXISTS (SELECT 1 FROM source_rows r WHERE r.source_id = j.v) ORDER BY j.n`,
      [idsJson],
    );
    return rows.map((r) => r.v);
  }

  async getCursor(): Promise<RowPosition | null> {
    const [r] = await this.rows<{ source_ts: string; source_id: string }>('SELECT source_ts, source_id FROM cursor WHERE id = 1');
    return r ? { sourceTs: r.source_ts, sourceId: r.source_id } : null;
  }

  /** As in SQLite: the seen row, the pending submission and the cursor (forward only, in time
   *  order, never to a row dated ahead) in one transaction. */
  async register(pos: RowPosition, key: string, payload: Row, runId: string, verifyFirst = false): Promise<'new' | 'known'> {
    return (await this.registerAll([{ pos, key, payload, verifyFirst }], runId))[0] as 'new' | 'known';
  }

  /** A page of rows in one transaction, so one commit: the cursor row is locked first, so two
   *  hosts registering at once move it one after the other, and only forward. */
  async registerAll(rows: Registration[], runId: string): Promise<('new' | 'known')[]> {
    if (rows.length === 0) return [];
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const now = this.iso();
      const [c] = (await client.query<{ source_ts: string; source_id: string }>('SELECT source_ts, source_id FROM cursor WHERE id = 1 FOR UPDATE')).rows;
      let cursor: RowPosition | null = c ? { sourceTs: c.source_ts, sourceId: c.source_id } : null;
      let moved = false;
      const answers: ('new' | 'known')[] = [];
      for (const { pos, key, payload, verifyFirst } of rows) {
        await client.query('INSERT INTO source_rows (source_id, source_ts, key, seen_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [pos.sourceId, pos.sourceTs, key, now]);
        const inserted = await client.query(
          `INSERT INTO submissions (key, source_id, source_ts, payload, state, run_id, verify_first, created_at, updated_at)
           VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $7) ON CONFLICT DO NOTHING`,
          [key, pos.sourceId, pos.sourceTs, JSON.stringify(payload), runId, verifyFirst ? 1 : 0, now],
        );
        answers.push(inserted.rowCount === 1 ? 'new' : 'known');
        if (cursorMovesTo(pos, cursor)) {
          cursor = { sourceTs: pos.sourceTs, sourceId: pos.sourceId };
          moved = true;
        }
      }
      if (moved && cursor) {
        await client.query(
          `INSERT INTO cursor (id, source_ts, source_id, updated_at) VALUES (1, $1, $2, $3)
           ON CONFLICT (id) DO UPDATE SET source_ts = excluded.source_ts, source_id = excluded.source_id, updated_at = excluded.updated_at`,
          [cursor.sourceTs, cursor.sourceId, now],
        );
      }
      await client.query('COMMIT');
      return answers;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async dueForWork(limit: number, after?: DuePosition): Promise<TrackedSubmission[]> {
    const due = `(state IN ('pending','created','attached')
           OR (state IN ('creating','failed') AND (next_attempt_at IS NULL OR next_attempt_at <= $1)))`;
    const order = 'ORDER BY source_ts, length(source_id), source_id LIMIT $2';
    const rows = after
      ? await this.rows<DbRow>(`SELECT * FROM submissions WHERE ${due} AND (source_ts, length(source_id), source_id) > ($3, $4, $5) ${order}`, [this.iso(), limit, after.sourceTs, after.sourceId.length, after.sourceId])
      : await this.rows<DbRow>(`SELECT * FROM submissions WHERE ${due} ${order}`, [this.iso(), limit]);
    return rows.map(fromDb);
  }

  async claimForCreate(key: string, runId: string, payload?: Row): Promise<boolean> {
    return this.changed(
      `UPDATE submissions SET state = 'creating', attempts = attempts + 1, attempt_started_at = $1, next_attempt_at = NULL,
              payload = COALESCE($2, payload), run_id = $3, updated_at = $1
        WHERE key = $4 AND state IN ('pending','failed') AND ticket_key IS NULL AND verify_first = 0`,
      [this.iso(), payload ? JSON.stringify(payload) : null, runId, key],
    );
  }

  async claimRecovery(key: string, runId: string): Promise<boolean> {
    return this.changed(
      `UPDATE submissions SET state = 'creating', next_attempt_at = NULL, run_id = $1, updated_at = $2
        WHERE key = $3 AND state IN ('pending','failed') AND ticket_key IS NULL AND verify_first = 1`,
      [runId, this.iso(), key],
    );
  }

  async deferRecovery(key: string, seenAttemptStartedAt: string | null, until: Date): Promise<boolean> {
    return this.changed(
      `UPDATE submissions SET next_attempt_at = $1, last_outcome = 'waiting:recovery', updated_at = $2
        WHERE key = $3 AND state = 'creating' AND attempt_started_at IS NOT DISTINCT FROM $4`,
      [until.toISOString(), this.iso(), key, seenAttemptStartedAt],
    );
  }

  async markSearchFailed(key: string, seenAttemptStartedAt: string | null, error: string, nextAttemptAt: Date | null): Promise<boolean> {
    return this.changed(
      `UPDATE submissions SET state = $1, attempts = attempts + 1, verify_first = 1, last_outcome = 'failed:search', last_error = $2,
              next_attempt_at = $3, updated_at = $4
        WHERE key = $5 AND state = 'creating' AND attempt_started_at IS NOT DISTINCT FROM $6`,
      [nextAttemptAt ? 'failed' : 'parked', this.redact(error), nextAttemptAt?.toISOString() ?? null, this.iso(), key, seenAttemptStartedAt],
    );
  }

  async reclaimCreating(key: string, seenAttemptStartedAt: string | null, runId: string, payload?: Row): Promise<boolean> {
    return this.changed(
      `UPDATE submissions SET attempts = attempts + 1, attempt_started_at = $1, next_attempt_at = NULL, payload = COALESCE($2, payload),
              run_id = $3, updated_at = $1
        WHERE key = $4 AND state = 'creating' AND attempt_started_at IS NOT DISTINCT FROM $5`,
      [this.iso(), payload ? JSON.stringify(payload) : null, runId, key, seenAttemptStartedAt],
    );
  }

  async takeOver(key: string, state: SubmissionState, seenRunId: string | null, runId: string): Promise<boolean> {
    return this.changed('UPDATE submissions SET run_id = $1, updated_at = $2 WHERE key = $3 AND state = $4 AND run_id IS NOT DISTINCT FROM $5', [runId, this.iso(), key, state, seenRunId]);
  }

  async releaseClaim(key: string, error: string): Promise<void> {
    await this.pool.query(
      `UPDATE submissions SET state = CASE WHEN attempts > 1 THEN 'failed' ELSE 'pending' END,
              attempts = attempts - 1, last_error = $1, updated_at = $2 WHERE key = $3 AND state = 'creating'`,
      [this.redact(error), this.iso(), key],
    );
  }

  private transition(key: string, from: SubmissionState[], set: string, params: unknown[]): Promise<boolean> {
    const n = params.length;
    return this.changed(`UPDATE submissions SET ${set}, updated_at = $${n + 1} WHERE key = $${n + 2} AND state = ANY($${n + 3}::text[])`, [...params, this.iso(), key, from]);
  }

  async markCreated(key: string, ticketKey: string, ticketId: string | null, outcome: string): Promise<boolean> {
    return this.transition(key, ['creating'], `state = 'created', ticket_key = $1, ticket_id = $2, last_outcome = $3, last_error = NULL`, [ticketKey, ticketId, outcome]);
  }

  async markAttached(key: string): Promise<boolean> {
    return this.transition(key, ['created', 'failed'], `state = 'attached', last_error = NULL`, []);
  }

  /** Also counts the submission in its run's record, in the same statement (so the same commit):
   *  a run killed right after still shows it in `status`. */
  async markDone(key: string, outcome: string): Promise<boolean> {
    return this.done(key, ['attached'], outcome);
  }

  /** As in SQLite: created (or failed with a ticket) straight to done, counted, in one statement. */
  async markAttachedAndDone(key: string, outcome: string): Promise<boolean> {
    return this.done(key, ['created', 'failed'], outcome);
  }

  private async done(key: string, from: SubmissionState[], outcome: string): Promise<boolean> {
    const [r] = await this.rows<{ n: string }>(
      `WITH moved AS (
         UPDATE submissions SET state = 'done', last_outcome = $1, last_error = NULL, next_attempt_at = NULL, updated_at = $2
          WHERE key = $3 AND state = ANY($4::text[]) RETURNING run_id),
       counted AS (UPDATE runs SET created = created + 1 WHERE run_id IN (SELECT run_id FROM moved) AND ended_at IS NULL)
       SELECT count(*) AS n FROM moved`,
      [outcome, this.iso(), key, from],
    );
    return Number(r?.n ?? 0) === 1;
  }

  async markFailed(key: string, outcome: string, error: string, nextAttemptAt: Date | null, countAttempt = false): Promise<boolean> {
    return this.transition(
      key,
      ['pending', 'creating', 'created', 'attached', 'failed'],
      `state = $1, last_outcome = $2, last_error = $3, next_attempt_at = $4, attempts = attempts + $5`,
      [nextAttemptAt ? 'failed' : 'parked', outcome, this.redact(error), nextAttemptAt?.toISOString() ?? null, countAttempt ? 1 : 0],
    );
  }

  async fail(key: string, outcome: string, error: string, opts: RetryOptions & { countAttempt: boolean }): Promise<Scheduled> {
    return scheduleFailure(this, this.now(), key, outcome, error, opts);
  }

  async park(key: string, outcome: string, error: string): Promise<boolean> {
    return this.markFailed(key, outcome, error, null);
  }

  async searchFailed(key: string, seenAttemptStartedAt: string | null, error: string, opts: RetryOptions): Promise<Scheduled | null> {
    return scheduleSearchFailure(this, this.now(), key, seenAttemptStartedAt, error, opts);
  }

  async noteError(key: string, outcome: string, error: string): Promise<void> {
    await this.pool.query('UPDATE submissions SET last_outcome = $1, last_error = $2, updated_at = $3 WHERE key = $4', [outcome, this.redact(error), this.iso(), key]);
  }

  async flagForReview(key: string, note: string): Promise<void> {
    await this.pool.query('UPDATE submissions SET needs_review = 1, review_note = $1, updated_at = $2 WHERE key = $3', [this.redact(note), this.iso(), key]);
  }
}
