// The write-back's memory in the tracker, shared by both stores: for each submission with a
// ticket, the row the write-back table should hold (a snapshot) and whether it has been written
// there yet, plus the pull's checkpoint. A row is first kept here, then written to PostgreSQL:
// if PostgreSQL is down, the next run writes what is still pending, so nothing is lost.
// mergeSnapshot() is the one place that decides whether new data replaces what is kept.

/** One row of the write-back table, less synced_at (the time it is written). Times are ISO UTC. */
export interface WritebackSnapshot {
  sourceId: string;
  submissionKey: string;
  ticketKey: string;
  ticketUrl: string | null;
  portalUrl: string | null;
  status: string | null;
  statusCategory: string | null;
  resolution: string | null;
  jiraCreatedAt: string | null;
  jiraUpdatedAt: string | null;
  resolvedAt: string | null;
  deletedAt: string | null;
}

export interface PendingWriteback {
  snapshot: WritebackSnapshot;
  version: number;
}

/** A submission that has a ticket, as the pull looks it up. */
export interface TicketOwner {
  submissionKey: string;
  sourceId: string;
  ticketKey: string;
}

export interface PullState {
  /** The newest `updated` a pull has written back (ISO UTC); null before the first. */
  checkpoint: string | null;
  lastPullAt: string | null;
  lastSuccessAt: string | null;
  lastChanged: number | null;
  lastError: string | null;
  /** When the pulls started failing without a success since (null when the last one worked). */
  failingSince: string | null;
}

export interface PullRecord {
  at: Date;
  ok: boolean;
  /** Moved forward only (a smaller or null value keeps the stored one). */
  checkpoint: string | null;
  changed: number;
  error: string | null;
}

/** The write-back part of the tracker (both stores). */
export interface WritebackStore {
  /** Keeps these snapshots where they are newer (mergeSnapshot), in one transaction; returns how many changed. */
  keepSnapshots(snapshots: WritebackSnapshot[]): Promise<number>;
  /** Snapshots not yet written to the write-back table, oldest key first. */
  pendingWriteback(limit: number): Promise<PendingWriteback[]>;
  /** These versions are now in the write-back table (a newer version kept since stays pending). */
  markWrittenBack(done: { submissionKey: string; version: number }[]): Promise<void>;
  /** Every snapshot is pending again: the table lost rows (made anew, emptied, restored). */
  rewriteAll(): Promise<void>;
  /** The submissions that own these tickets (keys not found are left out). */
  ticketOwners(ticketKeys: string[]): Promise<TicketOwner[]>;
  /** Submissions with a ticket and no snapshot yet (created before write-back, or a crash in between). */
  ticketsWithoutSnapshot(afterKey: string | null, limit: number): Promise<TicketOwner[]>;
  /** Every submission with a ticket, in submission-key order, after `afterKey`. */
  ticketPage(afterKey: string | null, limit: number): Promise<TicketOwner[]>;
  /** The projects (key prefixes) of the tickets the tracker knows. */
  ticketProjects(): Promise<string[]>;
  /** The oldest jira_updated_at kept: where a first pull starts. */
  oldestSnapshotUpdate(): Promise<string | null>;
  pullState(): Promise<PullState>;
  recordPull(r: PullRecord): Promise<void>;
}

const SAME_FIELDS = ['ticketKey', 'ticketUrl', 'portalUrl', 'status', 'statusCategory', 'resolution', 'jiraCreatedAt', 'jiraUpdatedAt', 'resolvedAt', 'deletedAt'] as const;

/**
 * What to keep when `next` arrives for a submission that has `prev` (or nothing): null when
 * nothing changes. Never backwards: data with an older jira_updated_at is ignored; a deletion
 * is kept once; a portal link, which only the create answer has, is kept when the pull has none.
 */
export function mergeSnapshot(prev: WritebackSnapshot | undefined, next: WritebackSnapshot): WritebackSnapshot | null {
  if (!prev) return next;
  let merged: WritebackSnapshot;
  if (next.deletedAt !== null) {
    if (prev.deletedAt !== null) return null;
    merged = { ...prev, deletedAt: next.deletedAt };
  } else {
    if (prev.jiraUpdatedAt !== null && (next.jiraUpdatedAt === null || next.jiraUpdatedAt < prev.jiraUpdatedAt)) return null;
    merged = { ...next, portalUrl: next.portalUrl ?? prev.portalUrl, jiraCreatedAt: next.jiraCreatedAt ?? prev.jiraCreatedAt };
  }
  return SAME_FIELDS.every((f) => merged[f] === prev[f]) ? null : merged;
}

/** The newer of two ISO instants (null counts as oldest). */
export function laterOf(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a >= b ? a : b;
}
