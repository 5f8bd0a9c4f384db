// The SQLite tracker: the embedded store behind the TrackerStore interface (store.ts). The
// submissions' state machine is in sqliteSubmissions.ts; runs, audits, incidents, re-queueing,
// status and backups are the modules beside it, reached through here. The database runs in WAL
// mode with synchronous=FULL (schema.ts), and each transition is committed before it returns; in
// a run, the per-submission ones are made on a thread of their own (sqliteWriter.ts).
import type Database from 'better-sqlite3';
import type { Counts } from '../../counts.js';
import { recordAudit, lastAudit, auditDue, type AuditRecord } from './audits.js';
import { backupIfDue } from './backup.js';
import { loadOpenIncidents, markAlerted, parkedLookup, saveIncidentPlan, unresolvedSubmissions, type Incident } from './incidents.js';
import { requeue, resolveSelectors, type NamedSubmission } from './requeue.js';
import { finishRun, isRunAlive, recentRuns, recordRunProgress, startRun, type RunRecord } from './runs.js';
import { SqliteSubmissions } from './sqliteSubmissions.js';
import { countsByState, cursorPosition, problemSubmissions, type ProblemSubmission } from './status.js';
import type { Row } from '../postgres/values.js';
import type { SqliteWriter } from './sqliteWriter.js';
import type { Registration, TrackerStore } from './store.js';
import type { SubmissionState } from './submission.js';
import { SqliteWriteback } from './sqliteWriteback.js';
import type { WritebackStore } from './writeback.js';

export { SUBMISSION_STATES, type SubmissionState, type TrackedSubmission } from './submission.js';
export type { TrackerStore } from './store.js';

export class Tracker extends SqliteSubmissions implements TrackerStore {
  readonly writeback: WritebackStore;

  constructor(
    db: Database.Database,
    now: () => Date,
    redact: (s: string) => string = (s) => s,
    /** The file, for daily backups; none without it (a test's bare store). */
    private readonly file: string | null = null,
    /** A run's per-submission commits off the event loop (sqliteWriter.ts); null: on this thread. */
    private readonly writer: SqliteWriter | null = null,
  ) {
    super(db, now, redact);
    this.writeback = new SqliteWriteback(db);
  }

  override async close(): Promise<void> {
    await this.writer?.close();
    await super.close();
  }

  override async claimForCreate(key: string, runId: string, payload?: Row): Promise<boolean> {
    return this.writer ? this.writer.call('claimForCreate', [key, runId, payload]) : super.claimForCreate(key, runId, payload);
  }
  override async markCreated(key: string, ticketKey: string, ticketId: string | null, outcome: string): Promise<boolean> {
    return this.writer ? this.writer.call('markCreated', [key, ticketKey, ticketId, outcome]) : super.markCreated(key, ticketKey, ticketId, outcome);
  }
  override async markAttachedAndDone(key: string, outcome: string): Promise<boolean> {
    return this.writer ? this.writer.call('markAttachedAndDone', [key, outcome]) : super.markAttachedAndDone(key, outcome);
  }
  override async registerAll(rows: Registration[], runId: string): Promise<('new' | 'known')[]> {
    return this.writer ? this.writer.call('registerAll', [rows, runId]) : super.registerAll(rows, runId);
  }

  get describe(): string {
    return `SQLite tracker ${this.file ?? this.db.name}`;
  }

  async loadOpenIncidents(): Promise<Incident[]> {
    return loadOpenIncidents(this.db);
  }
  async saveIncidentPlan(plan: { upsert: Incident[]; close: Incident[] }): Promise<void> {
    saveIncidentPlan(this.db, plan);
  }
  async markAlerted(fingerprints: string[], at: Date): Promise<void> {
    markAlerted(this.db, fingerprints, at);
  }
  async unresolvedSubmissions(): Promise<{ failed: number; parked: number } | undefined> {
    return unresolvedSubmissions(this.db);
  }
  async parkedKeys(keys: string[]): Promise<Set<string> | undefined> {
    const lookup = parkedLookup(this.db);
    const out = new Set<string>();
    for (const k of keys) {
      const parked = lookup(k);
      if (parked === undefined) return undefined;
      if (parked) out.add(k);
    }
    return out;
  }

  async resolveSelectors(selectors: string[]): Promise<{ found: NamedSubmission[]; problems: string[] }> {
    return resolveSelectors(this.db, selectors);
  }
  async requeue(keys: string[] | 'all', now: Date): Promise<NamedSubmission[]> {
    return requeue(this.db, keys, now);
  }

  async startRun(runId: string, at: Date): Promise<void> {
    startRun(this.db, runId, at);
  }
  async isRunAlive(runId: string | null, now: Date): Promise<boolean> {
    return isRunAlive(this.db, runId, now);
  }
  async recordRunProgress(runId: string, counts: Counts): Promise<void> {
    recordRunProgress(this.db, runId, counts);
  }
  async finishRun(runId: string, at: Date, counts: Counts, exitCode: number, note: string | null): Promise<void> {
    finishRun(this.db, runId, at, counts, exitCode, note);
  }
  async recentRuns(limit: number): Promise<RunRecord[]> {
    return recentRuns(this.db, limit);
  }

  async recordAudit(a: AuditRecord): Promise<void> {
    recordAudit(this.db, a);
  }
  async lastAudit(): Promise<AuditRecord | null> {
    return lastAudit(this.db);
  }
  async auditDue(now: Date): Promise<boolean> {
    return auditDue(this.db, now);
  }

  async countsByState(): Promise<Record<SubmissionState, number>> {
    return countsByState(this.db);
  }
  async problemSubmissions(): Promise<ProblemSubmission[]> {
    return problemSubmissions(this.db);
  }
  async cursorPosition(): Promise<{ sourceTs: string; sourceId: string; updatedAt: string } | null> {
    return cursorPosition(this.db);
  }

  async backupIfDue(now: Date): Promise<string | null> {
    return this.file === null ? null : backupIfDue(this.db, this.file, now);
  }
}
