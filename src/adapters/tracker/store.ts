// The tracker as the rest of the program sees it: one asynchronous interface, so a store that
// talks to a server (PostgreSQL) and the embedded one (SQLite) are used the same way. Every
// state rule stays in the store: each transition is conditional on the state it leaves and
// committed on its own, and a `false` answer means another run moved the submission first.
import type { Counts } from '../../counts.js';
import type { Row } from '../postgres/values.js';
import type { RowPosition } from '../postgres/source.js';
import type { AuditRecord } from './audits.js';
import type { Incident } from './incidents.js';
import type { NamedSubmission } from './requeue.js';
import type { RunRecord } from './runs.js';
import type { ProblemSubmission } from './status.js';
import type { SubmissionState, TrackedSubmission } from './submission.js';
import type { WritebackStore } from './writeback.js';

/** Where a page of due submissions ended: the last one's source position. */
export interface DuePosition {
  sourceTs: string;
  sourceId: string;
}

/** One fetched row to register (registerAll). */
export interface Registration {
  pos: RowPosition;
  key: string;
  payload: Row;
  verifyFirst?: boolean;
}

export interface RetryOptions {
  maxAttempts: number;
  fallbackAttempts: number;
}

/** The alert-incident table: what notifyRunProblems needs, so it can work on any store. */
export interface IncidentStore {
  loadOpenIncidents(): Promise<Incident[]>;
  /** One transaction: a crash leaves either the old or the new state. */
  saveIncidentPlan(plan: { upsert: Incident[]; close: Incident[] }): Promise<void>;
  markAlerted(fingerprints: string[], at: Date): Promise<void>;
  unresolvedSubmissions(): Promise<{ failed: number; parked: number } | undefined>;
  /** Of these keys, the ones parked now (undefined: the store cannot tell). */
  parkedKeys(keys: string[]): Promise<Set<string> | undefined>;
}

export interface TrackerStore extends IncidentStore {
  /** Which store this is, for messages ("SQLite tracker at …", "PostgreSQL tracker in schema …"). */
  readonly describe: string;
  close(): Promise<void>;

  // Reads.
  get(key: string): Promise<TrackedSubmission | undefined>;
  findBySourceId(sourceId: string): Promise<TrackedSubmission | undefined>;
  seenSourceIds(ids: string[]): Promise<Set<string>>;
  /** The audit's question for one page of ids given as a JSON array text: which were never seen? */
  unseenSourceIds(idsJson: string): Promise<string[]>;
  getCursor(): Promise<RowPosition | null>;
  /** Oldest first (source_ts, then id); `after`: the page after that submission, for a batch read in windows. */
  dueForWork(limit: number, after?: DuePosition): Promise<TrackedSubmission[]>;

  // Registration: the seen row, the pending submission and the cursor (forward only) at once.
  register(pos: RowPosition, key: string, payload: Row, runId: string, verifyFirst?: boolean): Promise<'new' | 'known'>;
  /** The same for a page of rows, in order, in one commit: all of the page is registered or none. */
  registerAll(rows: Registration[], runId: string): Promise<('new' | 'known')[]>;

  // Conditional transitions.
  claimForCreate(key: string, runId: string, payload?: Row): Promise<boolean>;
  claimRecovery(key: string, runId: string): Promise<boolean>;
  deferRecovery(key: string, seenAttemptStartedAt: string | null, until: Date): Promise<boolean>;
  reclaimCreating(key: string, seenAttemptStartedAt: string | null, runId: string, payload?: Row): Promise<boolean>;
  takeOver(key: string, state: SubmissionState, seenRunId: string | null, runId: string): Promise<boolean>;
  releaseClaim(key: string, error: string): Promise<void>;
  markCreated(key: string, ticketKey: string, ticketId: string | null, outcome: string): Promise<boolean>;
  markAttached(key: string): Promise<boolean>;
  markDone(key: string, outcome: string): Promise<boolean>;
  /** created (or failed with a ticket) -> done in one commit, once the attachment is on the ticket. */
  markAttachedAndDone(key: string, outcome: string): Promise<boolean>;
  markFailed(key: string, outcome: string, error: string, nextAttemptAt: Date | null, countAttempt?: boolean): Promise<boolean>;
  /** A failed attempt on the retry schedule; returns when it is tried again (null: parked). */
  fail(key: string, outcome: string, error: string, opts: RetryOptions & { countAttempt: boolean }): Promise<{ nextAttemptAt: Date | null; attempts: number }>;
  park(key: string, outcome: string, error: string): Promise<boolean>;
  /** The marker search failed; null when another run settled the submission first. */
  searchFailed(key: string, seenAttemptStartedAt: string | null, error: string, opts: RetryOptions): Promise<{ nextAttemptAt: Date | null; attempts: number } | null>;
  noteError(key: string, outcome: string, error: string): Promise<void>;
  flagForReview(key: string, note: string): Promise<void>;

  // Re-queueing (`jira-sync retry`).
  resolveSelectors(selectors: string[]): Promise<{ found: NamedSubmission[]; problems: string[] }>;
  requeue(keys: string[] | 'all', now: Date): Promise<NamedSubmission[]>;

  // Runs.
  startRun(runId: string, at: Date): Promise<void>;
  isRunAlive(runId: string | null, now: Date): Promise<boolean>;
  recordRunProgress(runId: string, counts: Counts): Promise<void>;
  finishRun(runId: string, at: Date, counts: Counts, exitCode: number, note: string | null): Promise<void>;
  recentRuns(limit: number): Promise<RunRecord[]>;

  // Audits.
  recordAudit(a: AuditRecord): Promise<void>;
  lastAudit(): Promise<AuditRecord | null>;
  auditDue(now: Date): Promise<boolean>;

  // Status.
  countsByState(): Promise<Record<SubmissionState, number>>;
  problemSubmissions(): Promise<ProblemSubmission[]>;
  cursorPosition(): Promise<{ sourceTs: string; sourceId: string; updatedAt: string } | null>;

  /** The write-back's snapshots and pull checkpoint (WRITEBACK_TABLE). */
  readonly writeback: WritebackStore;

  /** A daily file copy where the store is a file (SQLite); null when none was due or applies. */
  backupIfDue(now: Date): Promise<string | null>;
}
