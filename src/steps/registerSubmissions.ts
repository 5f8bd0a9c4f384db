// The write half of step 3: fetched rows become tracked submissions (or are skipped as
// already processed), the whole page in one committed transaction, before any ticket is created.
import type { Logger } from 'pino';
import type { RowPosition } from '../adapters/postgres/source.js';
import type { Row } from '../adapters/postgres/values.js';
import { isAfter, raiseHighWater, readAheadIds, readHighWater } from '../adapters/tracker/highWater.js';
import type { TrackerStore } from '../adapters/tracker/store.js';
import type { TrackedSubmission } from '../adapters/tracker/tracker.js';
import type { SubmissionResult } from '../outcome.js';

export interface KeyedRow {
  position: RowPosition;
  row: Row;
  key: string;
}

export async function registerSubmissions(
  tracker: TrackerStore,
  rows: KeyedRow[],
  /** verifyAll: search Jira for the marker before creating any of them (the audit's finds). */
  /** trackerPath: the SQLite file whose high-water mark is kept beside it; null for a PostgreSQL
   *  tracker, which a file backup never restores (its restore is the database's, see README). */
  opts: { trackerPath: string | null; runId: string; log: Logger; verifyAll?: boolean },
): Promise<{ registered: TrackedSubmission[]; skipped: SubmissionResult[] }> {
  // A tracker restored from an old backup is behind its high-water mark: rows up to the mark
  // may have tickets it forgot, so their markers are searched before creating.
  const highWater = opts.trackerPath === null ? null : readHighWater(opts.trackerPath);
  const cursor = await tracker.getCursor();
  const restored = highWater !== null && (cursor === null || isAfter(highWater, cursor));
  const aheadSeen = opts.trackerPath === null ? new Set<string>() : readAheadIds(opts.trackerPath);
  if (restored) opts.log.warn({ highWater, cursor }, 'tracker is behind its high-water mark (restored from a backup?): searching Jira before creating older submissions');

  // A row dated past the cursor's ceiling (`ahead`) never moves the cursor, so the mark cannot
  // cover it: the mark lists such rows by id instead. One listed but new here was forgotten.
  const verifyFirst = (f: KeyedRow) =>
    opts.verifyAll === true || aheadSeen.has(f.position.sourceId) || (restored && (f.position.ahead === true || !isAfter(f.position, highWater as RowPosition)));
  const page = rows.map((f) => ({ pos: f.position, key: f.key, payload: f.row, verifyFirst: verifyFirst(f) }));
  const answers = await tracker.registerAll(page, opts.runId);

  const registered: TrackedSubmission[] = [];
  const skipped: SubmissionResult[] = [];
  for (const [i, f] of rows.entries()) {
    const subLog = opts.log.child({ key: f.key, sourceId: f.position.sourceId });
    if (answers[i] === 'new') {
      subLog.info({ verifyFirst: page[i]?.verifyFirst }, 'submission registered');
      registered.push((await tracker.get(f.key)) as TrackedSubmission);
      continue;
    }
    const known = await tracker.get(f.key);
    const note = `same content as source row ${known?.sourceId ?? '?'}${known?.ticketKey ? ` (${known.ticketKey})` : ''}`;
    subLog.info({ outcome: 'skipped:already-processed', note }, 'already processed');
    skipped.push({ key: f.key, sourceId: f.position.sourceId, outcome: { tag: 'skipped:already-processed', ticketKey: known?.ticketKey ?? null, note } });
  }
  if (opts.trackerPath !== null) {
    raiseHighWater(
      opts.trackerPath,
      await tracker.getCursor(),
      rows.filter((r) => r.position.ahead === true).map((r) => r.position.sourceId),
    );
  }
  return { registered, skipped };
}
