// Step 1: the next batch of new submissions, oldest first, without ever rescanning the table.
// Progress is a keyset cursor on (timestamp, id). Each run re-reads a look-back window
// behind the cursor, because a row can share the cursor's timestamp or commit late with an
// older timestamp; rows the tracker has already seen are filtered out, page by page, so a
// window full of processed rows costs a cheap index scan and never stalls progress.
// A row dated in the future (a writer with a wrong clock, or `infinity`) is fetched and
// processed like any other, but never moves the cursor: the cursor stops at the database's own
// now() plus a small margin, so rows inserted later are not hidden behind it.
import { compareTimestamps } from '../adapters/postgres/order.js';
import type { PostgresSource, RowPosition, ScanStart } from '../adapters/postgres/source.js';
import type { ColumnInfo, Row } from '../adapters/postgres/values.js';

export interface SeenFilter {
  getCursor(): Promise<RowPosition | null>;
  seenSourceIds(ids: string[]): Promise<Set<string>>;
}

export interface FetchedRow {
  position: RowPosition;
  row: Row;
}

/** Positions per scan query: one round trip for a normal look-back window, small enough to stay cheap. */
export const SCAN_PAGE = 500;

/** How far past the database's now() a row may be dated and still move the cursor. Never more
 *  than the look-back, which is what keeps rows inserted after such a row reachable. */
export const CURSOR_MARGIN_MINUTES = 1;

export function windowStart(cursorTs: string, lookbackMinutes: number): string {
  const ms = Date.parse(cursorTs);
  if (Number.isNaN(ms)) return cursorTs;
  return new Date(ms - lookbackMinutes * 60_000).toISOString();
}

export async function fetchSubmissions(
  source: PostgresSource,
  tracker: SeenFilter,
  opts: { limit: number; lookbackMinutes: number; columns: ColumnInfo[]; idColumn: string; exclude?: Set<string> },
): Promise<FetchedRow[]> {
  if (opts.limit <= 0) return [];
  const { from, ceiling } = await scanWindow(source, tracker, opts.lookbackMinutes);
  let start: ScanStart = from === null ? { ceiling } : { from, ceiling };
  const picked: RowPosition[] = [];
  while (picked.length < opts.limit) {
    const page = await source.scanPositions(start, SCAN_PAGE);
    if (page.length === 0) break;
    const seen = await tracker.seenSourceIds(page.map((p) => p.sourceId));
    for (const p of page) {
      if (seen.has(p.sourceId) || opts.exclude?.has(p.sourceId)) continue;
      picked.push(p);
      if (picked.length === opts.limit) break;
    }
    if (page.length < SCAN_PAGE) break;
    start = { after: page[page.length - 1] as RowPosition, ceiling };
  }
  const rows = await source.fetchRows(
    picked.map((p) => p.sourceId),
    opts.columns,
  );
  const byId = new Map(rows.map((r) => [String(r[opts.idColumn]), r]));
  // A row deleted between the two reads is simply not returned; it was never registered.
  return picked.filter((p) => byId.has(p.sourceId)).map((p) => ({ position: p, row: byId.get(p.sourceId) as Row }));
}

/**
 * Where a run's scan starts (null: at the beginning) and its ceiling. A cursor beyond the
 * ceiling (left by an older version that let `infinity` move it) counts as the ceiling, so it
 * hides nothing; `jira-sync audit` finds the rows it hid.
 */
export async function scanWindow(source: PostgresSource, tracker: SeenFilter, lookbackMinutes: number): Promise<{ from: string | null; ceiling: string }> {
  const ceiling = await source.ceiling(Math.min(CURSOR_MARGIN_MINUTES, lookbackMinutes));
  const cursor = await tracker.getCursor();
  if (!cursor) return { from: null, ceiling };
  const ts = compareTimestamps(cursor.sourceTs, ceiling) > 0 ? ceiling : cursor.sourceTs;
  return { from: windowStart(ts, lookbackMinutes), ceiling };
}
