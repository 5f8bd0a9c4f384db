// A real run's batch, a window at a time, so no run holds its batch whole (rows, payloads,
// tracked submissions), whatever BATCH_SIZE is: first the submissions the tracker has due, a
// page at a time in their order, then new rows after the cursor, each window fetched, keyed,
// looked up and registered (one commit) just before its submissions are processed. The order
// is the one-batch order: due submissions first, then new rows in (timestamp, id) order, each
// scan starting from the cursor the previous window moved. Gathering is read-only until the
// first window with work, and `beforeWrite` (the proof that Jira answers) runs once, before
// the first write.
import type { TrackerStore } from '../adapters/tracker/store.js';
import type { DuePosition } from '../adapters/tracker/store.js';
import type { ColumnInfo } from '../adapters/postgres/values.js';
import { fileTrackerPath, type ResolvedConfig } from '../config.js';
import type { SubmissionResult } from '../outcome.js';
import type { WorkItem } from '../processSubmission.js';
import { fetchSubmissions } from '../steps/fetchSubmissions.js';
import { registerSubmissions } from '../steps/registerSubmissions.js';
import { currentRows, keyRows, type GatherDeps } from './gather.js';

/** Submissions per window: small enough that a window's rows and payloads cost a few MB, large
 *  enough that its one registration commit and its queries are a small part of its time. */
export const WINDOW_SIZE = 200;

export interface Window {
  /** To process, in order. */
  work: WorkItem[];
  /** New rows whose content the tracker already knew: reported, not processed. */
  skipped: SubmissionResult[];
}

export class BatchWindows {
  private taken = 0;
  private dueAfter: DuePosition | undefined;
  private dueDone = false;
  private freshDone = false;
  /** The due submissions' source ids (text only): never fetched again as new rows in this run. */
  private readonly dueIds = new Set<string>();
  private wrote = false;

  constructor(
    private readonly deps: GatherDeps & { tracker: TrackerStore; runId: string },
    private readonly config: ResolvedConfig,
    private readonly columns: ColumnInfo[],
    private readonly batchSize: number,
    /** Runs once, before the first write; false: write nothing, the batch ends here (a stop was asked). */
    private readonly beforeWrite: () => Promise<boolean>,
    private readonly windowSize = WINDOW_SIZE,
  ) {}

  /** How many submissions the windows so far hold (the progress line's total). */
  get total(): number {
    return this.taken;
  }

  /** The next window, or null when the batch is complete. */
  async next(): Promise<Window | null> {
    while (this.taken < this.batchSize) {
      const size = Math.min(this.windowSize, this.batchSize - this.taken);
      if (!this.dueDone) {
        const due = await this.deps.tracker.dueForWork(size, this.dueAfter);
        if (due.length < size) this.dueDone = true;
        const last = due[due.length - 1];
        if (!last) continue;
        this.dueAfter = { sourceTs: last.sourceTs, sourceId: last.sourceId };
        for (const d of due) this.dueIds.add(d.sourceId);
        this.taken += due.length;
        const work = await currentRows(this.deps, this.config, this.columns, due);
        this.deps.log('fetch_submissions').info({ due: due.length }, 'due submissions fetched');
        if (!(await this.writing())) return null;
        return { work, skipped: [] };
      }
      if (this.freshDone) return null;
      const fetched = await fetchSubmissions(this.deps.source, this.deps.tracker, {
        limit: size,
        lookbackMinutes: this.config.lookbackMinutes,
        columns: this.columns,
        idColumn: this.config.idColumn,
        exclude: this.dueIds,
      });
      // Fewer than asked: the table has no more (a row deleted between the scan and the read
      // also ends it; the next run takes up what is left).
      if (fetched.length < size) this.freshDone = true;
      if (fetched.length === 0) return null;
      this.deps.log('fetch_submissions').info({ fetched: fetched.length }, 'new rows fetched');
      this.taken += fetched.length;
      const fresh = await keyRows(this.deps, this.config, this.columns, fetched);
      // Rows whose content is known need no Jira: they are registered as repeats without the proof.
      if (fresh.some((f) => f.check.status === 'new') && !(await this.writing())) return null;
      const { registered, skipped } = await registerSubmissions(this.deps.tracker, fresh, {
        trackerPath: fileTrackerPath(this.config),
        runId: this.deps.runId,
        log: this.deps.log('tracker'),
      });
      return { work: registered.map((sub) => ({ sub, row: sub.payload })), skipped };
    }
    return null;
  }

  private async writing(): Promise<boolean> {
    if (!this.wrote) this.wrote = await this.beforeWrite();
    return this.wrote;
  }
}
