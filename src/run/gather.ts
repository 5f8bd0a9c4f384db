// Steps 1-3 of a run, read-only: the submissions the tracker has due (with their source rows as
// they are now), then new rows up to the batch size, each keyed and looked up in the tracker.
// Nothing is written here, so a run knows whether there is any work before it writes anything.
// A dry run gathers its batch whole (gatherBatch); a real run a window at a time (windows.ts).
import type { Logger } from 'pino';
import type { PostgresSource } from '../adapters/postgres/source.js';
import type { ColumnInfo, Row } from '../adapters/postgres/values.js';
import type { TrackerStore } from '../adapters/tracker/store.js';
import type { TrackedSubmission } from '../adapters/tracker/tracker.js';
import type { ResolvedConfig } from '../config.js';
import type { WorkItem } from '../processSubmission.js';
import { fetchSubmissions, type FetchedRow } from '../steps/fetchSubmissions.js';
import type { KeyedRow } from '../steps/registerSubmissions.js';
import { seenBefore, type TrackerCheck } from '../steps/seenBefore.js';
import { uniqueKey } from '../steps/uniqueKey.js';

/** The tracker reads a batch needs. */
export type TrackerReads = Pick<TrackerStore, 'dueForWork' | 'getCursor' | 'seenSourceIds' | 'get'>;

/** A dry run before the first run: no tracker file yet, so nothing is known. */
export const NO_TRACKER: TrackerReads = {
  dueForWork: () => Promise.resolve([]),
  getCursor: () => Promise.resolve(null),
  seenSourceIds: () => Promise.resolve(new Set<string>()),
  get: () => Promise.resolve(undefined),
};

export interface Batch {
  /** Submissions from the tracker, each with its source row as it is now when it has no ticket yet. */
  due: WorkItem[];
  fresh: (KeyedRow & { check: TrackerCheck })[];
}

export interface GatherDeps {
  source: PostgresSource;
  tracker: TrackerReads;
  log: (module: string) => Logger;
}

/** The source rows of the due submissions that have no ticket yet, as they are now, in one query:
 *  such a submission is built from its row as corrected since, not as first fetched. */
export async function currentRows(deps: GatherDeps, config: ResolvedConfig, columns: ColumnInfo[], subs: TrackedSubmission[]): Promise<WorkItem[]> {
  const ids = subs.filter((s) => !s.ticketKey).map((s) => s.sourceId);
  const rows = await deps.source.fetchRows(ids, columns);
  const byId = new Map<string, Row>(rows.map((r) => [String(r[config.idColumn]), r]));
  return subs.map((sub) => ({ sub, row: sub.ticketKey ? sub.payload : (byId.get(sub.sourceId) ?? null) }));
}

/** Unfinished and due-for-retry submissions first, then new rows up to the batch size. */
export async function gatherBatch(deps: GatherDeps, config: ResolvedConfig, batchSize: number, columns: ColumnInfo[]): Promise<Batch> {
  const due = await currentRows(deps, config, columns, await deps.tracker.dueForWork(batchSize));
  const fetched = await fetchSubmissions(deps.source, deps.tracker, {
    limit: batchSize - due.length,
    lookbackMinutes: config.lookbackMinutes,
    columns,
    idColumn: config.idColumn,
    exclude: new Set(due.map((d) => d.sub.sourceId)),
  });
  deps.log('fetch_submissions').info({ due: due.length, fetched: fetched.length }, 'batch fetched');
  return { due, fresh: await keyRows(deps, config, columns, fetched) };
}

/** Each fetched row with its unique key, and whether the tracker knows that content already. */
export async function keyRows(deps: GatherDeps, config: ResolvedConfig, columns: ColumnInfo[], fetched: FetchedRow[]): Promise<Batch['fresh']> {
  const keyLog = deps.log('unique_key');
  const fresh: Batch['fresh'] = [];
  for (const f of fetched) {
    const key = uniqueKey(f.row, columns, config.uniqueKeyColumns);
    keyLog.debug({ key, sourceId: f.position.sourceId }, 'key computed');
    fresh.push({ ...f, key, check: await seenBefore(deps.tracker, key) });
  }
  return fresh;
}
