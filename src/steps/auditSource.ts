// The audit: every source row behind the fetch's reach, compared with the rows the tracker has
// seen. A run only re-reads LOOKBACK_MINUTES behind its cursor, so a row whose transaction
// commits later than that after its timestamp is never fetched; this is where it is found.
// Ids are streamed in keyset pages through the (timestamp, id) index, so memory stays flat
// whatever the table's size; only the rows found missing are read whole (to register them).
import type { Logger } from 'pino';
import type { PostgresSource, RowPosition, ScanStart } from '../adapters/postgres/source.js';
import type { ColumnInfo } from '../adapters/postgres/values.js';
import type { TrackerStore } from '../adapters/tracker/store.js';
import { comparePositions } from '../adapters/postgres/order.js';
import { scanWindow, type SeenFilter } from './fetchSubmissions.js';
import { registerSubmissions } from './registerSubmissions.js';
import { uniqueKey } from './uniqueKey.js';

/** Ids per page: large enough that a million rows take a hundred round trips, small enough to stay flat in memory. */
export const AUDIT_PAGE = 10_000;

export interface AuditResult {
  /** Source rows compared with the tracker. */
  scanned: number;
  /** Rows behind the look-back window (the run's reach) that the tracker has never seen, in (timestamp, id) order. */
  missing: RowPosition[];
  /** Of those, registered as new pending submissions (0 in a dry run). */
  registered: number;
  /** Registered as repeats of content already tracked under another source id (not processed again). */
  repeats: number;
  /** The exclusive end of the comparison: the start of the next run's look-back window; null when nothing was fetched yet. */
  until: string | null;
}

export interface AuditOptions {
  lookbackMinutes: number;
  columns: ColumnInfo[];
  idColumn: string;
  uniqueKeyColumns: string[] | null;
  /** null: only list (--dry-run). */
  register: { tracker: TrackerStore; trackerPath: string | null; runId: string } | null;
  log: Logger;
  pageSize?: number;
}

/** What the audit reads from the tracker (a read-only one in a dry run). */
export interface AuditTracker extends SeenFilter {
  unseenSourceIds(idsJson: string): Promise<string[]>;
}

export async function auditSource(source: PostgresSource, seen: AuditTracker, opts: AuditOptions): Promise<AuditResult> {
  const { from } = await scanWindow(source, seen, opts.lookbackMinutes);
  const result: AuditResult = { scanned: 0, missing: [], registered: 0, repeats: 0, until: from };
  // No cursor: no run has fetched anything, so nothing can be behind it.
  if (from === null) return result;
  const pageSize = opts.pageSize ?? AUDIT_PAGE;
  let start: ScanStart = { before: from };
  for (;;) {
    const page = await source.auditPage(start, pageSize);
    result.scanned += page.count;
    const unseen = page.count > 0 ? await seen.unseenSourceIds(page.idsJson) : [];
    if (unseen.length > 0) {
      // Rare, so their positions are read only now. A row deleted meanwhile is gone, not lost.
      const missing = (await source.positionsOf(unseen)).sort(comparePositions);
      result.missing.push(...missing);
      opts.log.warn({ sourceIds: missing.map((m) => m.sourceId) }, 'source rows behind the cursor never fetched');
      if (opts.register) await registerMissing(source, missing, opts, result);
    }
    if (page.count < pageSize || !page.last) break;
    start = { after: page.last, before: from };
  }
  opts.log.info({ scanned: result.scanned, missing: result.missing.length, registered: result.registered, until: from }, 'audit finished');
  return result;
}

/** Registers them as a run would have, so the next run processes them (or skips a repeat). A row
 *  no run has seen is unusual enough (or the tracker was restored from a backup) that the next
 *  run searches Jira for its marker before creating it: one search each, never a duplicate. */
async function registerMissing(source: PostgresSource, missing: RowPosition[], opts: AuditOptions, result: AuditResult): Promise<void> {
  const reg = opts.register as NonNullable<AuditOptions['register']>;
  const rows = await source.fetchRows(
    missing.map((m) => m.sourceId),
    opts.columns,
  );
  const byId = new Map(rows.map((r) => [String(r[opts.idColumn]), r]));
  // A row deleted since the scan is not registered; it no longer exists to be lost.
  const keyed = missing.flatMap((position) => {
    const row = byId.get(position.sourceId);
    return row ? [{ position, row, key: uniqueKey(row, opts.columns, opts.uniqueKeyColumns) }] : [];
  });
  const { registered, skipped } = await registerSubmissions(reg.tracker, keyed, { trackerPath: reg.trackerPath, runId: reg.runId, log: opts.log, verifyAll: true });
  result.registered += registered.length;
  result.repeats += skipped.length;
}

/** One line for the summary log and the command's last line. */
export function describeAudit(r: AuditResult): string {
  const checked = `${r.scanned} source row${r.scanned === 1 ? '' : 's'} checked`;
  if (r.until === null) return 'nothing fetched yet, so nothing to check';
  if (r.missing.length === 0) return `${checked}, none missed`;
  const ids = r.missing.slice(0, 10).map((m) => m.sourceId).join(', ') + (r.missing.length > 10 ? ', …' : '');
  const what = `${r.missing.length} row${r.missing.length === 1 ? '' : 's'} behind the cursor never fetched (source id${r.missing.length === 1 ? '' : 's'} ${ids})`;
  const done = r.registered + r.repeats > 0 ? `; registered ${r.registered} for the next run${r.repeats > 0 ? `, ${r.repeats} repeat${r.repeats === 1 ? '' : 's'} of tracked content` : ''}` : '';
  return `${checked}, ${what}${done}`;
}
