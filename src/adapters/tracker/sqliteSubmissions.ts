// The SQLite tracker's submissions: what happened to each, as a persisted state machine.
//   pending -> creating -> created -> attached -> done
//   creating/pending -> failed (retried later) -> parked (attempts exhausted)
//   failed/pending that may have a ticket (verify_first) -> creating, where only a marker search settles it
// A `creating` or `failed` submission is not due before next_attempt_at (backoff, or the end of
// the recovery grace period), so waiting submissions never fill a run's batch.
// Every transition is its own committed transaction and is conditional on the state it
// leaves, so two processes can never both move a submission (see claimForCreate).
import type Database from 'better-sqlite3';
import type { Row } from '../postgres/values.js';
import type { RowPosition } from '../postgres/source.js';
import { scheduleFailure, scheduleSearchFailure, type Scheduled } from './retrySchedule.js';
import { prepared } from './sqlite.js';
import { readCursor, registerRows } from './sqliteRegister.js';
import type { DuePosition, Registration, RetryOptions } from './store.js';
import { fromDb, type DbRow, type SubmissionState, type TrackedSubmission } from './submission.js';

export class SqliteSubmissions {
  constructor(
    readonly db: Database.Database,
    protected readonly now: () => Date,
    /** Applied to every error text before it is stored: the tracker and its backups keep no secret. */
    protected readonly redact: (s: string) => string = (s) => s,
  ) {}

  /** A statement prepared once per tracker (sqlite.ts). */
  protected sql(text: string) {
    return prepared(this.db, text);
  }

  private iso(): string {
    return this.now().toISOString();
  }

  async close(): Promise<void> {
    this.db.close();
  }

  async get(key: string): Promise<TrackedSubmission | undefined> {
    const r = this.sql('SELECT * FROM submissions WHERE key = ?').get(key) as DbRow | undefined;
    return r && fromDb(r);
  }

  async findBySourceId(sourceId: string): Promise<TrackedSubmission | undefined> {
    const r = this.sql('SELECT s.* FROM submissions s JOIN source_rows r ON r.key = s.key WHERE r.source_id = ?')
      .get(sourceId) as DbRow | undefined;
    return r && fromDb(r);
  }

  /** Which of these source rows the tracker has already seen (processed, or skipped as a repeat). */
  async seenSourceIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = this.sql('SELECT source_id FROM source_rows WHERE source_id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(ids)) as { source_id: string }[];
    return new Set(rows.map((r) => r.source_id));
  }

  /** The audit's question, for one page of source ids given as a JSON array text: which has the
   *  tracker never seen? Only those come back (usually none), so a million ids cost no objects. */
  async unseenSourceIds(idsJson: string): Promise<string[]> {
    return this.sql('SELECT value FROM json_each(?) AS j WHERE NOT EXISTS (SELECT 1 FROM source_rows r WHERE r.source_id = j.value)')
      .pluck()
      .all(idsJson) as string[];
  }

  async getCursor(): Promise<RowPosition | null> {
    return readCursor(this.db);
  }

  /** One fetched source row, registered as registerAll registers a page. */
  async register(pos: RowPosition, key: string, payload: Row, runId: string, verifyFirst = false): Promise<'new' | 'known'> {
    return registerRows(this.db, this.iso(), [{ pos, key, payload, verifyFirst }], runId)[0] as 'new' | 'known';
  }

  /** A page of fetched rows: seen rows, pending submissions and the cursor, in one commit (sqliteRegister.ts). */
  async registerAll(rows: Registration[], runId: string): Promise<('new' | 'known')[]> {
    return rows.length === 0 ? [] : registerRows(this.db, this.iso(), rows, runId);
  }

  /** Submissions a run should work on, oldest first: unfinished ones, and failed ones or ones waiting
   *  for recovery (`creating` after a lost answer) whose time has come. A submission backing off or
   *  inside the recovery grace period is not returned before its time, so it never takes a new row's
   *  place in a batch. Ids are text here; ordering by length first keeps numeric ids in numeric order.
   *  `after`: the next page, after the last submission of the previous one in that order. */
  async dueForWork(limit: number, after?: DuePosition): Promise<TrackedSubmission[]> {
    const due = `(state IN ('pending','created','attached')
             OR (state IN ('creating','failed') AND (next_attempt_at IS NULL OR next_attempt_at <= ?)))`;
    const order = 'ORDER BY source_ts, length(source_id), source_id LIMIT ?';
    const rows = (
      after
        ? this.sql(`SELECT * FROM submissions WHERE ${due} AND (source_ts, length(source_id), source_id) > (?, ?, ?) ${order}`).all(this.iso(), after.sourceTs, after.sourceId.length, after.sourceId, limit)
        : this.sql(`SELECT * FROM submissions WHERE ${due} ${order}`).all(this.iso(), limit)
    ) as DbRow[];
    return rows.map(fromDb);
  }

  /** The conditional claim: pending/failed -> creating. Exactly one caller wins; the others get false.
   *  `payload` is the row the create call is built from; it is kept, so a ticket found later by its
   *  marker gets the attachment it was created from. A submission that must be searched for first
   *  (verify_first, see claimRecovery) is never claimed here. */
  async claimForCreate(key: string, runId: string, payload?: Row): Promise<boolean> {
    const now = this.iso();
    return (
      this.sql(
          `UPDATE submissions SET state = 'creating', attempts = attempts + 1, attempt_started_at = ?, next_attempt_at = NULL,
                  payload = COALESCE(?, payload), run_id = ?, updated_at = ?
            WHERE key = ? AND state IN ('pending','failed') AND ticket_key IS NULL AND verify_first = 0`,
        )
        .run(now, payload ? JSON.stringify(payload) : null, runId, now, key).changes === 1
    );
  }

  /** A pending or failed submission that may already have a ticket (verify_first: a restored
   *  tracker, or a marker search that failed after a create whose answer was lost) goes back to
   *  `creating`, where only a marker search may settle it. attempt_started_at is kept: the grace
   *  period before "not found" is believed runs from the create call that may have reached Jira. */
  async claimRecovery(key: string, runId: string): Promise<boolean> {
    return (
      this.sql(
          `UPDATE submissions SET state = 'creating', next_attempt_at = NULL, run_id = ?, updated_at = ?
            WHERE key = ? AND state IN ('pending','failed') AND ticket_key IS NULL AND verify_first = 1`,
        )
        .run(runId, this.iso(), key).changes === 1
    );
  }

  /** "Not found" is not believed yet (Jira's search index lags): look again at `until`, not before. */
  async deferRecovery(key: string, seenAttemptStartedAt: string | null, until: Date): Promise<boolean> {
    return (
      this.sql(
          `UPDATE submissions SET next_attempt_at = ?, last_outcome = 'waiting:recovery', updated_at = ?
            WHERE key = ? AND state = 'creating' AND attempt_started_at IS ?`,
        )
        .run(until.toISOString(), this.iso(), key, seenAttemptStartedAt).changes === 1
    );
  }

  /** The marker search failed: counted as an attempt, retried at `nextAttemptAt` (the same backoff
   *  as other failures) or parked when null. verify_first is set, so whenever it is tried again (by
   *  itself or after `retry`) it is searched for before anything is created. */
  async markSearchFailed(key: string, seenAttemptStartedAt: string | null, error: string, nextAttemptAt: Date | null): Promise<boolean> {
    return (
      this.sql(
          `UPDATE submissions SET state = ?, attempts = attempts + 1, verify_first = 1, last_outcome = 'failed:search', last_error = ?,
                  next_attempt_at = ?, updated_at = ?
            WHERE key = ? AND state = 'creating' AND attempt_started_at IS ?`,
        )
        .run(nextAttemptAt ? 'failed' : 'parked', this.redact(error), nextAttemptAt?.toISOString() ?? null, this.iso(), key, seenAttemptStartedAt).changes === 1
    );
  }

  /** A new create attempt for a submission left in `creating` whose marker search found nothing
   *  after the grace period. Conditional on the attempt we looked at, so only one run re-creates. */
  async reclaimCreating(key: string, seenAttemptStartedAt: string | null, runId: string, payload?: Row): Promise<boolean> {
    const now = this.iso();
    return (
      this.sql(
          `UPDATE submissions SET attempts = attempts + 1, attempt_started_at = ?, next_attempt_at = NULL, payload = COALESCE(?, payload),
                  run_id = ?, updated_at = ?
            WHERE key = ? AND state = 'creating' AND attempt_started_at IS ?`,
        )
        .run(now, payload ? JSON.stringify(payload) : null, runId, now, key, seenAttemptStartedAt).changes === 1
    );
  }

  /** Take over a submission an ended or dead run left mid-way. Conditional on the run we saw. */
  async takeOver(key: string, state: SubmissionState, seenRunId: string | null, runId: string): Promise<boolean> {
    return (
      this.sql(`UPDATE submissions SET run_id = ?, updated_at = ? WHERE key = ? AND state = ? AND run_id IS ?`)
        .run(runId, this.iso(), key, state, seenRunId).changes === 1
    );
  }

  /** Undo a claim whose create call certainly never reached Jira (e.g. Jira refused the connection). */
  async releaseClaim(key: string, error: string): Promise<void> {
    this.sql(
        `UPDATE submissions SET state = CASE WHEN attempts > 1 THEN 'failed' ELSE 'pending' END,
                attempts = attempts - 1, last_error = ?, updated_at = ? WHERE key = ? AND state = 'creating'`,
      )
      .run(this.redact(error), this.iso(), key);
  }

  private transition(key: string, from: SubmissionState[], set: string, params: unknown[]): boolean {
    const placeholders = from.map(() => '?').join(',');
    return (
      this.sql(`UPDATE submissions SET ${set}, updated_at = ? WHERE key = ? AND state IN (${placeholders})`)
        .run(...params, this.iso(), key, ...from).changes === 1
    );
  }

  async markCreated(key: string, ticketKey: string, ticketId: string | null, outcome: string): Promise<boolean> {
    return this.transition(key, ['creating'], `state = 'created', ticket_key = ?, ticket_id = ?, last_outcome = ?, last_error = NULL`, [ticketKey, ticketId, outcome]);
  }

  /** From `created`, or from `failed` when the ticket exists and only the attachment failed. */
  async markAttached(key: string): Promise<boolean> {
    return this.transition(key, ['created', 'failed'], `state = 'attached', last_error = NULL`, []);
  }

  /** Also counts the submission in its run's record, in the same commit: a run killed right
   *  after still shows it in `status` (recordRunProgress only ever raises the counts). */
  async markDone(key: string, outcome: string): Promise<boolean> {
    return this.done(key, ['attached'], outcome);
  }

  /** The attachment is on the ticket: from `created` (or `failed` with a ticket) straight to `done`,
   *  counted like markDone, in one commit; `attached` is then never stored on its own. */
  async markAttachedAndDone(key: string, outcome: string): Promise<boolean> {
    return this.done(key, ['created', 'failed'], outcome);
  }

  private done(key: string, from: SubmissionState[], outcome: string): boolean {
    return this.db.transaction(() => {
      const moved = this.transition(key, from, `state = 'done', last_outcome = ?, last_error = NULL, next_attempt_at = NULL`, [outcome]);
      if (moved) {
        this.sql('UPDATE runs SET created = created + 1 WHERE run_id = (SELECT run_id FROM submissions WHERE key = ?) AND ended_at IS NULL').run(key);
      }
      return moved;
    })();
  }

  /** A failed attempt: retried at `nextAttemptAt`, or parked for a person when that is null.
   *  Create attempts are counted by the claim; attachment attempts (the ticket exists) here. */
  async markFailed(key: string, outcome: string, error: string, nextAttemptAt: Date | null, countAttempt = false): Promise<boolean> {
    const state = nextAttemptAt ? 'failed' : 'parked';
    return this.transition(
      key,
      ['pending', 'creating', 'created', 'attached', 'failed'],
      `state = ?, last_outcome = ?, last_error = ?, next_attempt_at = ?, attempts = attempts + ?`,
      [state, outcome, this.redact(error), nextAttemptAt?.toISOString() ?? null, countAttempt ? 1 : 0],
    );
  }

  /** A failed attempt, on the retry schedule: tried again later, or parked once `maxAttempts`
   *  attempts are spent. `countAttempt` is false when the claim already counted this attempt.
   *  Returns when it is tried again (null: parked) and the attempts so far. */
  async fail(key: string, outcome: string, error: string, opts: RetryOptions & { countAttempt: boolean }): Promise<Scheduled> {
    return scheduleFailure(this, this.now(), key, outcome, error, opts);
  }

  /** Parked for a person at once, whatever attempts are left: retrying cannot help (its row is gone). */
  async park(key: string, outcome: string, error: string): Promise<boolean> {
    return this.markFailed(key, outcome, error, null);
  }

  /** The marker search failed: counted as an attempt on the same retry schedule (searchFailed).
   *  Null when another run settled the submission first. */
  async searchFailed(key: string, seenAttemptStartedAt: string | null, error: string, opts: RetryOptions): Promise<Scheduled | null> {
    return scheduleSearchFailure(this, this.now(), key, seenAttemptStartedAt, error, opts);
  }

  /** Keep the state, remember why the last try did not finish (shown by `status`). */
  async noteError(key: string, outcome: string, error: string): Promise<void> {
    this.sql('UPDATE submissions SET last_outcome = ?, last_error = ?, updated_at = ? WHERE key = ?').run(outcome, this.redact(error), this.iso(), key);
  }

  async flagForReview(key: string, note: string): Promise<void> {
    this.sql('UPDATE submissions SET needs_review = 1, review_note = ?, updated_at = ? WHERE key = ?').run(this.redact(note), this.iso(), key);
  }
}
